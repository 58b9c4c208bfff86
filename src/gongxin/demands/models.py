"""Enterprise demands (企业诉求) and their closed loop: registered → dispatched (one lead
department, optional co-departments) → accepted → in progress (interim reply) → resolved
(reply to the enterprise) → rated by the enterprise (不满意 reopens it) → followed up and
closed. Every step is an event with who, when and text. `version` guards against two
people acting on one demand at once (see `services`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxin.core.models import Department, User
from gongxin.demands.choices import Action, Category, Rating, Source, Status, Urgency
from gongxin.enterprises.models import Enterprise


class Demand(models.Model):
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="demands"
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
