from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectType(models.TextChoices):
    NEW = "new", _("New build")
    EXPANSION = "expansion", _("Expansion")
    TECH_UPGRADE = "tech_upgrade", _("Technical upgrade")
    DIGITAL = "digital", _("Digital transformation")
    SMART_FACTORY = "smart_factory", _("5G smart factory")
    ATTRACTION = "attraction", _("Investment attraction")
    STANDARD_BUILDING = "standard_building", _("Standard factory building")


class ProjectStage(models.TextChoices):
    """A project's stages, in order: 签约 → 立项 → 开工 → 竣工 → 投产 → 达产."""

    SIGNED = "signed", _("Signed")
    APPROVED = "approved", _("Approved")
    STARTED = "started", _("Construction started")
    COMPLETED = "completed", _("Construction completed")
    PRODUCING = "producing", _("In production")
    AT_CAPACITY = "at_capacity", _("At full capacity")
