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
    MERGED = "merged", _("Merged")


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
    EXTEND_ASK = "extend_ask", _("Extension requested")
    EXTEND_OK = "extend_ok", _("Extension approved")
    EXTEND_NO = "extend_no", _("Extension refused")
    MERGE = "merge", _("Merged into another demand")
    ABSORB = "absorb", _("Took in a duplicate")
    NOT_DUP = "not_dup", _("Not a duplicate")
    RECATEGORIZE = "recategorize", _("Category changed")


#: What the button of each step says (the history says what was done: `Action`).
STEP_VERBS = {
    Action.DISPATCH: _("Dispatch"),
    Action.RETURN: _("Return to the dispatcher"),
    Action.ACCEPT: _("Accept"),
    Action.INTERIM: _("Give an interim reply"),
    Action.RESOLVE: _("Resolve and answer"),
    Action.RATE: _("Rate the answer"),
    Action.FOLLOW_UP: _("Follow up and close"),
}


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class FactorKind(models.TextChoices):
    """要素保障: what a factor request asks for, with the demand category it falls in."""

    LABOUR = "labour", _("Labour")
    TALENT = "talent", _("Talent")
    FUNDS = "funds", _("Funds")
    LAND = "land", _("Land")
    ENERGY = "energy", _("Energy")


FACTOR_CATEGORY = {
    FactorKind.LABOUR: Category.LABOUR,
    FactorKind.TALENT: Category.TALENT,
    FactorKind.FUNDS: Category.FINANCE,
    FactorKind.LAND: Category.LAND,
    FactorKind.ENERGY: Category.ENERGY,
}


class FactorUnit(models.TextChoices):
    PERSON = "person", _("persons")
    YUAN = "yuan", _("yuan")
    MU = "mu", _("mu")
    KWH = "kwh", _("kWh per year")
    M3 = "m3", _("m³ per year")
    TONNE = "tonne", _("tonnes per year")


#: The units a factor request of each kind may be counted in (the first is the default).
FACTOR_UNITS = {
    FactorKind.LABOUR: (FactorUnit.PERSON,),
    FactorKind.TALENT: (FactorUnit.PERSON,),
    FactorKind.FUNDS: (FactorUnit.YUAN,),
    FactorKind.LAND: (FactorUnit.MU,),
    FactorKind.ENERGY: (FactorUnit.KWH, FactorUnit.M3, FactorUnit.TONNE),
}


class VisitKind(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    PHONE = "phone", _("By phone")
    VIDEO = "video", _("By video")


class Frequency(models.TextChoices):
    ONCE = "once", _("Once")
    MONTHLY = "monthly", _("Every month")
    QUARTERLY = "quarterly", _("Every quarter")


class VisitTarget(models.TextChoices):
    """Which enterprises a visit plan covers."""

    ABOVE_SCALE = "above_scale", _("Every enterprise above designated size")
    CHAIN = "chain", _("Every enterprise on a chain")
    KEY_CHAINS = "key_chains", _("Every enterprise on any key chain")
    REGION = "region", _("Every enterprise of a district or park")
