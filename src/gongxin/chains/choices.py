from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxin.enterprises.choices import QualificationLevel


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


class PlatformKind(models.TextChoices):
    KEY_LAB = "key_lab", _("Key laboratory")
    TECH_CENTRE = "tech_centre", _("Enterprise technology centre")
    ENGINEERING_CENTRE = "engineering_centre", _("Engineering research centre")
    INNOVATION_CENTRE = "innovation_centre", _("Manufacturing innovation centre")
    INDUSTRIAL_INTERNET = "industrial_internet", _("Industrial internet platform")
    PUBLIC_SERVICE = "public_service", _("Public service platform")


#: Platforms are recognised at the levels qualifications are.
PlatformLevel = QualificationLevel


class TechKind(models.TextChoices):
    KEY = "key", _("Key technology")
    COMMON = "common", _("Common technology")


class TaskStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    UNDER_WAY = "under_way", _("Under way")
    ACHIEVED = "achieved", _("Achieved")


class BottleneckKind(models.TextChoices):
    """堵点 flows that stall, 断点 links missing locally, 卡点 what others control."""

    BLOCKAGE = "blockage", _("Blockage")
    BREAK = "break", _("Break")
    CHOKE = "choke", _("Choke point")


class BottleneckStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_HAND = "in_hand", _("In hand")
    RESOLVED = "resolved", _("Resolved")


class ProspectStage(models.TextChoices):
    """The attraction pipeline, in order."""

    LEAD = "lead", _("Lead")
    CONTACT = "contact", _("In contact")
    VISIT = "visit", _("Site visit")
    SIGNED = "signed", _("Signed")
    LANDED = "landed", _("Landed")


class ProspectSource(models.TextChoices):
    CHAMBER = "chamber", _("Chamber of commerce")
    EXPO = "expo", _("Expo")
    MASTER = "master", _("Referred by a chain master")
    AGENCY = "agency", _("Agency")
    DATA = "data", _("Data screening")
    PARTNER = "partner", _("Partner-city cooperation")


class SupplySource(models.TextChoices):
    """Where a supplier relation's figure comes from."""

    SURVEY = "survey", _("Enterprise survey")
    INVOICE = "invoice", _("Tax invoices")
    DECLARED = "declared", _("Declared by the enterprise")
