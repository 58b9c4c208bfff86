from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    PORTAL = "portal", _("Enterprise portal")
    VISIT = "visit", _("Visit")
    PHONE = "phone", _("Phone")
    HOTLINE = "hotline", _("12345 hotline")


class Category(models.TextChoices):
    LABOUR = "labour", _("Labour")
    TALENT = "talent", _("Talent")
    FINANCE = "finance", _("Financing")
    LAND = "land", _("Land")
    ENERGY = "energy", _("Energy")
    LOGISTICS = "logistics", _("Logistics")
    APPROVAL = "approval", _("Approvals")
    POLICY = "policy", _("Policy delivery")
    MARKET = "market", _("Market development")
    INNOVATION = "innovation", _("Technology and innovation")
    PARK = "park", _("Park facilities")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class Status(models.TextChoices):
    """The closed loop, in order."""

    REGISTERED = "registered", _("Registered")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    RATED = "rated", _("Rated")
    CLOSED = "closed", _("Closed")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    FAIRLY = "fairly", _("Fairly satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class Action(models.TextChoices):
    """What happened to a demand (its history)."""

    REGISTER = "register", _("Registered")
    DISPATCH = "dispatch", _("Dispatched")
    RETURN = "return", _("Returned to the dispatcher")
    ACCEPT = "accept", _("Accepted")
    INTERIM = "interim", _("Interim reply")
    RESOLVE = "resolve", _("Resolved")
    RATE = "rate", _("Rated")
    REOPEN = "reopen", _("Reopened")
    FOLLOW_UP = "follow_up", _("Followed up and closed")
