from django.db import models
from django.utils.translation import gettext_lazy as _


class SizeClass(models.TextChoices):
    """Size classes of the 2017 statistical standard (统计上大中小微型企业划分办法)."""

    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
    MICRO = "micro", _("Micro")


class EnterpriseStatus(models.TextChoices):
    OPERATING = "operating", _("Operating")
    SUSPENDED = "suspended", _("Production suspended")
    MOVED_OUT = "moved_out", _("Moved out")
    DEREGISTERED = "deregistered", _("Deregistered")


class QualificationKind(models.TextChoices):
    HIGH_TECH = "high_tech", _("High-tech enterprise")
    TECH_SME = "tech_sme", _("Technology-based SME")
    INNOVATIVE_SME = "innovative_sme", _("Innovative SME")
    SPECIALIZED_SME = "specialized_sme", _("Specialised and sophisticated SME")
    LITTLE_GIANT = "little_giant", _("Specialised and sophisticated 'little giant'")
    SINGLE_CHAMPION = "single_champion", _("Manufacturing single champion")
    CHAIN_MASTER = "chain_master", _("Chain-master enterprise")
    TECH_CENTER = "tech_center", _("Enterprise technology centre")
    GREEN_FACTORY = "green_factory", _("Green factory")
    SMART_FACTORY = "smart_factory", _("Smart manufacturing demonstration factory")


class QualificationLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    MUNICIPAL = "municipal", _("Municipal")


class Tier(models.TextChoices):
    """The cultivation ladder of strong enterprises (优强企业培育), lowest rung first."""

    TO_SCALE = "to_scale", _("Growing above designated size")
    INNOVATIVE = "innovative_sme", _("Innovative SME")
    SPECIALIZED = "specialized_sme", _("Specialised and sophisticated SME")
    LITTLE_GIANT = "little_giant", _("Specialised and sophisticated 'little giant'")
    CHAMPION = "single_champion", _("Manufacturing single champion")
    CHAIN_MASTER = "chain_master", _("Chain-master enterprise")


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("Under way")
    ACHIEVED = "achieved", _("Achieved")
    DROPPED = "dropped", _("Dropped")


class ItemKind(models.TextChoices):
    MEASURE = "measure", _("Measure")
    MILESTONE = "milestone", _("Milestone")


class ItemStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    UNDER_WAY = "under_way", _("Under way")
    DONE = "done", _("Done")
