"""Policies (一产一策) with eligibility rules, the enterprises they match (政策找企业),
applications and disbursements, and the rules of the cultivation ladder.

A policy's rule is text in the rule language (`rules`); every saved rule is kept as a
version. Matching stores, per policy, the enterprises that are eligible or that would be
if data were complete (`Match`); an enterprise without a row is not eligible. The facts a
rule speaks of are kept per enterprise (`Fact`), so matching is one query per policy and an
enterprise's change re-matches that enterprise alone."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongxin.chains.models import Chain
from gongxin.core.models import Department, MoneyField, User
from gongxin.enterprises.choices import Tier
from gongxin.enterprises.models import MONEY, Enterprise
from gongxin.policies.choices import (
    OPEN_APPLICATION,
    AmountMethod,
    ApplicationSource,
    ApplicationStatus,
    BenefitKind,
    MatchResult,
    PolicyStatus,
)

#: The figures a policy's amount may be computed from (rate or tiers of a base).
BASES = {
    "revenue": _("last year's operating revenue"),
    "main_business_revenue": _("last year's main business revenue"),
    "tax": _("last year's taxes paid"),
    "rd_expense": _("last year's R&D expenditure"),
    "upgrade_investment": _("completed investment in upgrade projects"),
    "project_investment": _("completed investment in projects"),
    "employees": _("employees"),
}


class Policy(models.Model):
    title = models.CharField(_("title"), max_length=200)
    issuer = models.CharField(_("issued by"), max_length=100)
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    summary = models.TextField(_("what it supports"), max_length=4000, blank=True)
    effective_from = models.DateField(_("in force from"))
    effective_until = models.DateField(_("in force until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT
    )
    chains = models.ManyToManyField(
        Chain, verbose_name=_("chains served"), blank=True, related_name="policies"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="policies",
    )
    benefit_kind = models.CharField(
        _("kind of support"), max_length=10, choices=BenefitKind.choices
    )
    amount_method = models.CharField(
        _("amount"), max_length=10, choices=AmountMethod.choices, default=AmountMethod.NONE
    )
    amount = MoneyField(_("fixed amount (yuan)"), **MONEY)
    rate = models.DecimalField(_("rate (%)"), max_digits=7, decimal_places=3, null=True, blank=True)
    base = models.CharField(
        _("computed from"), max_length=30, blank=True, choices=list(BASES.items())
    )
    cap = MoneyField(_("cap (yuan)"), **MONEY)
    #: [[threshold, amount], …] in yuan (or persons for employees), ascending thresholds.
    tiers = models.JSONField(_("tiers"), default=list, blank=True)
    without_application = models.BooleanField(
        _("paid without application"),
        default=False,
        help_text=_("免申即享: eligible enterprises with complete data are paid without applying."),
    )
    rule_text = models.TextField(_("eligibility rule"), max_length=10_000)
    rule_version = models.PositiveIntegerField(_("rule version"), default=1)
    full_text = models.FileField(_("full text"), upload_to="policies/%Y/", blank=True)
    matched_on = models.DateField(_("matched on"), null=True, blank=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["-effective_from", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="policy_dates_in_order",
                condition=Q(effective_until__isnull=True)
                | Q(effective_until__gte=models.F("effective_from")),
                violation_error_message=_("A policy cannot end before it starts."),
            ),
            models.CheckConstraint(
                name="policy_fixed_has_amount",
                condition=~Q(amount_method=AmountMethod.FIXED) | Q(amount__isnull=False),
                violation_error_message=_("A fixed amount needs the amount."),
            ),
            models.CheckConstraint(
                name="policy_rate_has_rate_and_base",
                condition=~Q(amount_method=AmountMethod.RATE)
                | (Q(rate__isnull=False) & ~Q(base="")),
                violation_error_message=_("A rate needs the rate and the figure it applies to."),
            ),
            models.CheckConstraint(
                name="policy_tiers_have_base",
                condition=~Q(amount_method=AmountMethod.TIERS) | ~Q(base=""),
                violation_error_message=_("Tiers need the figure they are read from."),
            ),
        ]
        indexes = [models.Index(fields=["status", "effective_from"], name="policy_status_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("policies:policy_detail", args=[self.pk])

    def in_force(self, on) -> bool:
        return (
            self.status == PolicyStatus.PUBLISHED
            and self.effective_from <= on
            and (self.effective_until is None or self.effective_until >= on)
        )


class RuleVersion(models.Model):
    """Each rule a policy has had, in order: what was matched when."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="rule_versions")
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("eligibility rule"), max_length=10_000)
    saved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(_("saved at"))

    class Meta:
        verbose_name = _("rule version")
        verbose_name_plural = _("rule versions")
        ordering = ["policy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="rule_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} v{self.number}"


class Fact(models.Model):
    """What the rule language knows of one enterprise, refreshed when its file changes:
    last year's figures (`year`), growth on the year before, the R&D ratio, investment in
    its projects. Qualifications and chains are read where they live, on the day."""

    # derived rows, rewritten for the whole archive by a full match: no foreign-key check
    # in the database (its deferred check is a tenth of a full match); they are computed
    # from the enterprises themselves, and Django deletes them with their enterprise
    enterprise = models.OneToOneField(
        Enterprise,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="fact",
        db_constraint=False,
    )
    year = models.PositiveSmallIntegerField()
    operating = models.BooleanField()
    district = models.CharField(max_length=12, null=True)
    park = models.CharField(max_length=30, null=True)
    industry = models.CharField(max_length=10, null=True)
    size_class = models.CharField(max_length=10, null=True)
    above_scale = models.BooleanField()
    established = models.DateField(null=True)
    revenue = models.DecimalField(max_digits=18, decimal_places=2, null=True)
    main_business_revenue = models.DecimalField(max_digits=18, decimal_places=2, null=True)
    tax = models.DecimalField(max_digits=18, decimal_places=2, null=True)
    rd_expense = models.DecimalField(max_digits=18, decimal_places=2, null=True)
    employees = models.PositiveIntegerField(null=True)
    # percent: wide enough for any ratio of two figures (up to 10^16 yuan over 0.01)
    revenue_growth = models.DecimalField(max_digits=24, decimal_places=2, null=True)
    rd_ratio = models.DecimalField(max_digits=24, decimal_places=2, null=True)
    upgrade_investment = models.DecimalField(max_digits=18, decimal_places=2, null=True)
    project_investment = models.DecimalField(max_digits=18, decimal_places=2, null=True)

    class Meta:
        verbose_name = _("enterprise facts")
        verbose_name_plural = _("enterprise facts")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year}"


class Match(models.Model):
    """A policy's outcome for an enterprise, when it is eligible or needs information."""

    # Derived rows, rewritten by the hundred thousand: two indexes only (match_unique serves
    # the lists by policy, match_enterprise_idx those by enterprise) and no foreign-key
    # check in the database, which costs a third of a first full match; only matching
    # writes them, from the facts (whose enterprise is checked) and a saved policy, and
    # Django deletes them with their policy or enterprise.
    policy = models.ForeignKey(
        Policy,
        on_delete=models.CASCADE,
        related_name="matches",
        db_index=False,
        db_constraint=False,
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="matches",
        db_index=False,
        db_constraint=False,
    )
    result = models.CharField(_("outcome"), max_length=10, choices=MatchResult.choices)
    benefit = MoneyField(_("amount due (yuan)"), **MONEY)
    rule_version = models.PositiveIntegerField(_("rule version"))
    matched_at = models.DateTimeField(_("matched at"))

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        constraints = [
            models.UniqueConstraint(fields=["policy", "enterprise"], name="match_unique"),
            models.CheckConstraint(
                name="match_result_stored",
                condition=Q(result__in=[MatchResult.ELIGIBLE, MatchResult.UNKNOWN]),
            ),
        ]
        indexes = [
            models.Index(fields=["enterprise", "result"], name="match_enterprise_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.enterprise_id} {self.result}"


class Application(models.Model):
    """An enterprise's application under a policy for a year, or the payment a 免申即享
    policy makes without one: apply → review → approve or reject → disbursed."""

    policy = models.ForeignKey(
        Policy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="applications"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(
        _("source"), max_length=10, choices=ApplicationSource.choices, default="applied"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    statement = models.TextField(_("statement"), max_length=4000, blank=True)
    requested_amount = MoneyField(_("amount requested (yuan)"), **MONEY)
    approved_amount = MoneyField(_("amount approved (yuan)"), **MONEY)
    disbursed_amount = MoneyField(_("amount disbursed (yuan)"), **MONEY)
    disbursed_on = models.DateField(_("disbursed on"), null=True, blank=True)
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    submitted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "enterprise", "year"],
                condition=Q(status__in=OPEN_APPLICATION),
                name="application_one_open_per_year",
                violation_error_message=_(
                    "This enterprise already has an application under this policy for the year."
                ),
            ),
            models.CheckConstraint(
                name="application_disbursed_has_amount",
                condition=~Q(status=ApplicationStatus.DISBURSED)
                | (Q(disbursed_amount__isnull=False) & Q(disbursed_on__isnull=False)),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "year"], name="application_status_idx"),
            models.Index(fields=["enterprise", "year"], name="application_enterprise_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.policy} · {self.enterprise} · {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("policies:application_detail", args=[self.pk])


class ApplicationEvent(models.Model):
    """One step of an application: who, when, to which status, with what text."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=10, choices=ApplicationStatus.choices)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    text = models.TextField(_("text"), max_length=2000, blank=True)
    amount = MoneyField(_("amount (yuan)"), **MONEY)

    class Meta:
        verbose_name = _("application step")
        verbose_name_plural = _("application steps")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.status}"


class TierRule(models.Model):
    """The rule that makes an enterprise a candidate for a rung of the cultivation ladder
    (e.g. 小升规: revenue 1,500–2,000万元 and growing), in the same language as policies."""

    tier = models.CharField(_("rung"), max_length=20, choices=Tier.choices, unique=True)
    rule_text = models.TextField(_("candidate rule"), max_length=10_000)
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("ladder rule")
        verbose_name_plural = _("ladder rules")

    def __str__(self) -> str:
        return str(Tier(self.tier).label)
