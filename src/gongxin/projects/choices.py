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


STAGE_ORDER = list(ProjectStage.values)


class ProjectLevel(models.TextChoices):
    """Whose list of key projects it is on."""

    PROVINCE = "province", _("Provincial key project")
    CITY = "city", _("Municipal key project")
    DISTRICT = "district", _("District key project")


class Health(models.TextChoices):
    """红黄绿: how a project stands against its schedule and its investment plan."""

    GREEN = "green", _("On track")
    YELLOW = "yellow", _("Slipping")
    RED = "red", _("Behind")


class BuildingStatus(models.TextChoices):
    """How far a factory building is built."""

    PLANNED = "planned", _("Planned")
    BUILDING = "building", _("Under construction")
    BUILT = "built", _("Built")


class Occupancy(models.TextChoices):
    """Whom a built factory building serves."""

    VACANT = "vacant", _("Vacant")
    ALLOCATED = "allocated", _("Allocated")
    OCCUPIED = "occupied", _("Occupied")
