from django.db import models
from django.utils.translation import gettext_lazy as _


class Aggregation(models.TextChoices):
    """How an indicator adds up over enterprises and months."""

    SUM = "sum", _("Sum")
    AVERAGE = "average", _("Average")
    RATIO = "ratio", _("Ratio of two indicators")


class Figure(models.TextChoices):
    """The enterprise's monthly figure an indicator is made of."""

    OUTPUT_VALUE = "output_value", _("Gross industrial output value")
    REVENUE = "revenue", _("Operating revenue")
    PROFIT = "profit", _("Total profit")
    TAX = "tax", _("Taxes paid")
    ELECTRICITY = "electricity", _("Electricity used")
    EMPLOYEES = "employees", _("Employees")
