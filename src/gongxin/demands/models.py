"""Enterprise demands (企业诉求) and their closed loop: registered → dispatched (one lead
department, optional co-departments) → accepted → in progress (interim reply) → resolved
(reply to the enterprise) → rated by the enterprise (不满意 reopens it) → followed up and
closed. Every step is an event with who, when and text. `version` guards against two
people acting on one demand at once (see `services`).

Around them: visits (大走访) planned per official and recorded with what was seen, each
able to raise demands; factor requests (要素保障), demands with a structured ask;
extensions of a deadline, asked with a reason and approved by the desk; attachments; and
the words of each month's demands counted for the hot topics."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongxin.chains.models import Chain
from gongxin.core.models import Department, MoneyField, Region, User
from gongxin.demands.choices import (
    Action,
    Category,
    ExtensionStatus,
    FactorKind,
    FactorUnit,
    Frequency,
    Rating,
    Source,
    Status,
    Urgency,
    VisitKind,
    VisitTarget,
)
from gongxin.enterprises.models import MONEY, Enterprise
from gongxin.projects.models import Project


class Visit(models.Model):
    """A visit to an enterprise (走访): who went, when, what they saw and found. The
    demands it raised point to it."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField(_("date of the visit"))
    kind = models.CharField(
        _("kind"), max_length=10, choices=VisitKind.choices, default=VisitKind.ON_SITE
    )
    officials = models.ManyToManyField(User, verbose_name=_("who went"), related_name="visits")
    seen = models.TextField(_("what was seen"), max_length=10_000)
    findings = models.TextField(_("findings"), max_length=10_000, blank=True)
    recorded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["enterprise", "visited_on"], name="visit_enterprise_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.visited_on}"


class VisitPlan(models.Model):
    """Which enterprises are to be visited how often over a span of time (e.g. every
    enterprise above designated size each quarter of 2026). Its tasks (`VisitTask`) are
    generated per period and enterprise, each assigned to the enterprise's officer."""

    name = models.CharField(_("name"), max_length=200)
    target = models.CharField(_("enterprises to visit"), max_length=12, choices=VisitTarget.choices)
    chain = models.ForeignKey(
        Chain, verbose_name=_("chain"), null=True, blank=True, on_delete=models.PROTECT
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("district or park"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit plan")
        verbose_name_plural = _("visit plans")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                name="visit_plan_span", condition=Q(ends_on__gte=models.F("starts_on"))
            ),
            models.CheckConstraint(
                name="visit_plan_chain_given",
                condition=~Q(target=VisitTarget.CHAIN) | Q(chain__isnull=False),
            ),
            models.CheckConstraint(
                name="visit_plan_region_given",
                condition=~Q(target=VisitTarget.REGION) | Q(region__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class VisitTask(models.Model):
    """One enterprise to be visited by one official within one period of a plan. Done by
    a visit in the period, or made up late by a later visit when the period was missed
    (see `services.visits.task_for_visit`); overdue while past due and not done."""

    plan = models.ForeignKey(VisitPlan, on_delete=models.CASCADE, related_name="tasks")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+")
    official = models.ForeignKey(
        User,
        verbose_name=_("official"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visit_tasks",
    )
    period_start = models.DateField(_("period from"))
    due = models.DateField(_("due"))
    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    #: When the official was told the visit is overdue (once, by the sweep).
    late_told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("visit task")
        verbose_name_plural = _("visit tasks")
        ordering = ["due", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "enterprise", "period_start"], name="visit_task_once"
            )
        ]
        indexes = [
            models.Index(fields=["official", "due"], name="visit_task_official_idx"),
            models.Index(fields=["enterprise", "period_start"], name="visit_task_enterprise_idx"),
            models.Index(fields=["due", "visited_on"], name="visit_task_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.period_start}–{self.due}"


class Demand(models.Model):
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="demands"
    )
    #: The key project the demand is about (an issue the project raised).
    project = models.ForeignKey(
        Project,
        verbose_name=_("key project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="demands",
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("what the enterprise asks"), max_length=10_000)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    #: The words of the text that suggested the category (shown to staff).
    category_evidence = models.CharField(_("category evidence"), max_length=200, blank=True)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    #: The hotline ticket number or another reference of the channel it came by.
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REGISTERED
    )
    lead = models.ForeignKey(
        Department,
        verbose_name=_("lead department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_demands",
    )
    co_departments = models.ManyToManyField(
        Department, verbose_name=_("co-departments"), blank=True, related_name="co_demands"
    )
    registered_at = models.DateTimeField(_("registered at"))
    registered_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dispatch_due = models.DateTimeField(_("dispatch due"))
    reply_due = models.DateTimeField(_("interim reply due"), null=True, blank=True)
    resolve_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices, blank=True)
    reopened = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    #: Priority: the enterprise is a key enterprise or the ask serves a key project.
    key = models.BooleanField(_("key enterprise or project"), default=False)
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("raised at the visit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="demands",
    )
    #: An earlier demand of the same enterprise this one may repeat (flagged on
    #: registering, cleared by the desk's merge or "not a duplicate").
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("possible duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    #: The chains the enterprise was confirmed on when the demand came in (statistics by
    #: chain count the demand in each).
    chains = models.ManyToManyField(
        Chain, verbose_name=_("chains"), blank=True, related_name="demands"
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
    )
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        ordering = ["-registered_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "dispatch_due"], name="demand_status_dispatch_idx"),
            models.Index(fields=["status", "reply_due"], name="demand_status_reply_idx"),
            models.Index(fields=["status", "resolve_due"], name="demand_status_resolve_idx"),
            models.Index(fields=["lead", "status"], name="demand_lead_status_idx"),
            models.Index(fields=["enterprise", "registered_at"], name="demand_enterprise_idx"),
            models.Index(fields=["-registered_at", "-id"], name="demand_newest_idx"),
            models.Index(fields=["lead", "-registered_at"], name="demand_lead_newest_idx"),
            models.Index(fields=["status", "-registered_at"], name="demand_status_newest_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="demand_merged_status",
                condition=Q(status=Status.MERGED, merged_into__isnull=False)
                | (~Q(status=Status.MERGED) & Q(merged_into__isnull=True)),
            )
        ]

    def __str__(self) -> str:
        return self.title


class DemandEvent(models.Model):
    """One step of a demand: who did what, when, with what text."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices)
    actor = models.ForeignKey(
        User, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("demand event")
        verbose_name_plural = _("demand events")
        ordering = ["demand", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.demand} {self.get_action_display()}"


class DemandAlert(models.Model):
    """A warning (yellow: due within a working day) or escalation (red: overdue) sent for
    one deadline of a demand; its key makes the sweep send each one once, however often
    it runs. A new deadline (after reopening or re-dispatch) is alerted afresh."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="alerts")
    phase = models.CharField(max_length=10)  # dispatch, reply, resolve
    level = models.CharField(max_length=6)  # yellow, red
    due = models.DateTimeField()
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("deadline alert")
        verbose_name_plural = _("deadline alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["demand", "phase", "level", "due"], name="demand_alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.demand_id} {self.phase} {self.level}"


class DemandExtension(models.Model):
    """A deadline extension: asked by the lead department with a reason, approved or
    refused by the desk. At most one waits for a decision per demand."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="extensions")
    phase = models.CharField(_("deadline"), max_length=10)  # reply, resolve
    days = models.PositiveSmallIntegerField(_("working days more"))
    reason = models.TextField(_("reason"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=10, choices=ExtensionStatus.choices, default="pending"
    )
    requested_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    due_before = models.DateTimeField(_("deadline before"))
    due_after = models.DateTimeField(_("deadline asked for"))
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        ordering = ["demand", "requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["demand"],
                condition=Q(status="pending"),
                name="demand_extension_one_pending",
            ),
            models.CheckConstraint(name="demand_extension_days", condition=Q(days__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.demand_id} +{self.days}"


def attachment_path(instance, filename: str) -> str:
    return f"demands/{instance.demand_id}/{filename}"


class DemandAttachment(models.Model):
    """A file sent with a demand or one of its steps; served only to those who see the
    demand (never as a public media URL). Type and size are checked on upload."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        DemandEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=255)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["demand", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class FactorRequest(models.Model):
    """要素保障: the structured ask of a demand for labour (headcount of a kind of worker
    by a date), talent, funds (amount, purpose, term), land or energy; how much of it was
    met is recorded when the demand is resolved."""

    demand = models.OneToOneField(Demand, on_delete=models.CASCADE, related_name="factor")
    kind = models.CharField(_("factor"), max_length=10, choices=FactorKind.choices)
    #: Kind of worker or talent, purpose of the funds or the land, kind of energy.
    detail = models.CharField(_("what exactly"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=10, choices=FactorUnit.choices)
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    term_months = models.PositiveSmallIntegerField(_("term (months)"), null=True, blank=True)
    project = models.ForeignKey(
        Project,
        verbose_name=_("key project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="factor_requests",
    )
    fulfilled = MoneyField(_("met"), **MONEY)

    class Meta:
        verbose_name = _("factor request")
        verbose_name_plural = _("factor requests")
        constraints = [
            models.CheckConstraint(name="factor_quantity_positive", condition=Q(quantity__gt=0)),
            models.CheckConstraint(
                name="factor_fulfilled_not_negative",
                condition=Q(fulfilled__isnull=True) | Q(fulfilled__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity} {self.get_unit_display()}"


class DemandTerm(models.Model):
    """How many demands registered in a month use a word: the hot topics compare this
    month's counts with last month's. Kept up by registering; rebuilt in bulk by
    `services.terms_rebuild`."""

    month = models.DateField()
    term = models.CharField(max_length=40)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "term"], name="demand_term_once")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.term} {self.count}"


class DemandStat(models.Model):
    """The loop's figures summed per day of registration, lead department, category and
    district (`chain` empty), and again per chain for the demands of enterprises on one
    (`chain` set): the statistics page reads these instead of every demand. A day is
    recomputed from its demands when a write has marked it stale (`DemandStatDay`)."""

    day = models.DateField()
    lead = models.ForeignKey(
        Department, null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    category = models.CharField(max_length=20)
    district = models.ForeignKey(
        Region, null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    chain = models.ForeignKey(
        Chain, null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    received = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    open = models.PositiveIntegerField(default=0)
    #: Registration to resolution, summed over the resolved demands.
    handling_seconds = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "chain"], name="demand_stat_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.lead_id} {self.category} {self.district_id}"


class DemandStatDay(models.Model):
    """A day of `DemandStat`: stale once a demand registered on it has changed."""

    day = models.DateField(primary_key=True)
    stale = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.day} {'stale' if self.stale else 'fresh'}"
