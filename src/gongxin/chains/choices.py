from django.db import models
from django.utils.translation import gettext_lazy as _


class Segment(models.TextChoices):
    UPSTREAM = "upstream", _("Upstream")
    MIDSTREAM = "midstream", _("Midstream")
    DOWNSTREAM = "downstream", _("Downstream")


class NodeKind(models.TextChoices):
    MATERIAL = "material", _("Materials")
    COMPONENT = "component", _("Components")
    PRODUCT = "product", _("Products")
    EQUIPMENT = "equipment", _("Equipment")
    SERVICE = "service", _("Services")


class LinkStatus(models.TextChoices):
    SUGGESTED = "suggested", _("Suggested")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class LinkSource(models.TextChoices):
    MANUAL = "manual", _("Entered by staff")
    INDUSTRY = "industry", _("Industry code")
    KEYWORDS = "keywords", _("Products and business scope")
