from django.db import models
from django.utils.translation import gettext_lazy as _


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class BenefitKind(models.TextChoices):
    SUBSIDY = "subsidy", _("Subsidy")
    REWARD = "reward", _("Reward")
    INTEREST = "interest", _("Loan interest subsidy")
    TAX = "tax", _("Tax relief")
    LAND = "land", _("Land")
    TALENT = "talent", _("Talent")
    OTHER = "other", _("Other support")


class AmountMethod(models.TextChoices):
    """How a policy's money is worked out for one enterprise."""

    NONE = "none", _("No amount")
    FIXED = "fixed", _("Fixed amount")
    RATE = "rate", _("Rate of a base, with a cap")
    TIERS = "tiers", _("Tiers of a base")


class MatchResult(models.TextChoices):
    """The three outcomes of a policy for an enterprise. Only the first two are stored:
    an enterprise without a stored match is not eligible."""

    ELIGIBLE = "eligible", _("Eligible")
    UNKNOWN = "unknown", _("Needs information")
    INELIGIBLE = "ineligible", _("Not eligible")


class ApplicationStatus(models.TextChoices):
    """apply → review → approve or reject → disbursed (or withdrawn by the enterprise
    before a decision)."""

    SUBMITTED = "submitted", _("Submitted")
    REVIEWING = "reviewing", _("Under review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    DISBURSED = "disbursed", _("Disbursed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_APPLICATION = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.REVIEWING,
    ApplicationStatus.APPROVED,
    ApplicationStatus.DISBURSED,
)


class ApplicationSource(models.TextChoices):
    APPLIED = "applied", _("Applied for")
    AUTOMATIC = "automatic", _("Without application")
