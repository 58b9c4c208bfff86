"""Early warnings (预警): a condition found in the data — an enterprise's output or
electricity use falling, its figures not reported, a project's investment behind plan, a
qualification about to expire — on the list of the official responsible, open while the
condition holds and closed by the sweep that finds it cleared. One open warning per rule
and subject, however often the sweep finds it."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongxin.alerts.choices import AlertStatus, Rule
from gongxin.core.models import Region, User
from gongxin.core.units import to_wan


class Alert(models.Model):
    rule = models.CharField(_("rule"), max_length=30, choices=Rule.choices)
    #: What it is about, the same on every sweep: "enterprise:<id>", "project:<id>",
    #: "qualification:<id>".
    subject = models.CharField(_("subject"), max_length=60, editable=False)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alerts",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alerts",
    )
    qualification = models.ForeignKey(
        "enterprises.Qualification",
        verbose_name=_("qualification"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    district = models.ForeignKey(
        Region,
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    official = models.ForeignKey(
        User,
        verbose_name=_("responsible official"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
    )
    #: The month measured (figures, investment) or the day of expiry (qualification).
    period = models.DateField(_("period"))
    #: What was found, in numbers (the words are the rule's, in the reader's language):
    #: the value of the period (yuan, kWh) and the one it is held against (the same month
    #: a year before, the plan to date), and the measure — the change in percent, the
    #: share of plan in percent, the days left.
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=2, null=True)
    before = models.DecimalField(_("compared with"), max_digits=20, decimal_places=2, null=True)
    measure = models.DecimalField(_("measure"), max_digits=12, decimal_places=1, null=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    opened_at = models.DateTimeField(_("raised"))
    seen_at = models.DateTimeField(_("last found"))
    closed_at = models.DateTimeField(_("cleared"), null=True, blank=True)
    visit = models.ForeignKey(
        "demands.Visit",
        verbose_name=_("visit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
    )

    class Meta:
        verbose_name = _("early warning")
        verbose_name_plural = _("early warnings")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject"],
                condition=Q(status="open"),
                name="alert_open_once",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "rule"], name="alert_status_rule"),
            models.Index(fields=["official", "status"], name="alert_official_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} {self.subject}"

    @property
    def description(self) -> str:
        """What was found, in words, in the reader's language."""
        month = f"{self.period:%Y-%m}"
        if self.rule in (Rule.OUTPUT_DROP, Rule.ELECTRICITY_DROP):
            text = (
                _(
                    "%(month)s output value %(value)s (10k yuan), %(change)s%% "
                    "on the %(before)s of a year before"
                )
                if self.rule == Rule.OUTPUT_DROP
                else _(
                    "%(month)s electricity %(value)s (10k kWh), %(change)s%% "
                    "on the %(before)s of a year before"
                )
            )
            return text % {
                "month": month,
                "value": to_wan(self.value),
                "before": to_wan(self.before),
                "change": self.measure,
            }
        if self.rule == Rule.NO_FIGURES:
            return _("No figures for %(month)s; the month before was reported") % {"month": month}
        if self.rule == Rule.PROJECT_BEHIND:
            return _(
                "Investment to %(month)s: %(value)s of %(before)s planned (10k yuan), %(share)s%%"
            ) % {
                "month": month,
                "value": to_wan(self.value),
                "before": to_wan(self.before),
                "share": self.measure,
            }
        kind = self.qualification.get_kind_display() if self.qualification_id else ""
        return _("%(kind)s expires on %(day)s, in %(days)s days") % {
            "kind": kind,
            "day": self.period.isoformat(),
            "days": int(self.measure or 0),
        }
