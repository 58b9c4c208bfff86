from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Rule(models.TextChoices):
    """What an early warning watches."""

    OUTPUT_DROP = "output_drop", _("Output down year on year")
    ELECTRICITY_DROP = "electricity_drop", _("Electricity use down year on year")
    NO_FIGURES = "no_figures", _("No figures reported this month")
    PROJECT_BEHIND = "project_behind", _("Project investment behind plan")
    QUALIFICATION_EXPIRING = "qualification_expiring", _("Qualification expiring")


class AlertStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("of a warning", "Open")
    CLOSED = "closed", pgettext_lazy("of a warning", "Cleared")
