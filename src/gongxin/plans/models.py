"""Plans put into practice (落实): a plan document, its tree of tasks, who owns each, the
progress reports owners file and the supervision notices (督办) the sweep sends."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongxin.core.models import Department, User
from gongxin.plans.choices import LinkKind, NoticeKind, PlanStatus, ReportEvery, TaskStatus


def draft_source_path(instance: PlanDraft, filename: str) -> str:
    return f"plans/drafts/{instance.pk or 'new'}/{filename}"


def plan_source_path(instance: Plan, filename: str) -> str:
    return f"plans/{instance.pk or 'new'}/{filename}"


def evidence_path(instance: ReportAttachment, filename: str) -> str:
    return f"plans/reports/{instance.report_id}/{filename}"


class PlanDraft(models.Model):
    """A parsed document waiting to be checked: the preview staff correct (merge, split,
    re-level, retitle) before it becomes a plan. `tree` is the parser's output with an id
    and the proposals on each node."""

    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="plan_drafts")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    source = models.FileField(_("document"), upload_to=draft_source_path, max_length=255)
    source_name = models.CharField(_("file"), max_length=255)
    source_format = models.CharField(_("format"), max_length=20)
    tree = models.JSONField(_("parsed plan"), default=dict)

    class Meta:
        verbose_name = _("plan being imported")
        verbose_name_plural = _("plans being imported")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.tree.get("title") or self.source_name

    def get_absolute_url(self) -> str:
        return reverse("plans:draft_detail", args=[self.pk])


class Plan(models.Model):
    """A plan document (行动方案, 工作要点, 政府工作报告 …) and the work it sets."""

    title = models.CharField(_("title"), max_length=200)
    number = models.CharField(_("document number"), max_length=60, blank=True)
    author = models.CharField(_("issuer or author"), max_length=100, blank=True)
    issued_on = models.DateField(_("date of the document"), null=True, blank=True)
    #: The year a deadline without one ("6月底前") falls in.
    year = models.PositiveSmallIntegerField(_("year"))
    preamble = models.TextField(_("preamble"), blank=True)
    status = models.CharField(
        pgettext_lazy("of a plan", "status"),
        max_length=10,
        choices=PlanStatus.choices,
        default=PlanStatus.DRAFT,
    )
    report_every = models.CharField(
        _("progress reports"), max_length=10, choices=ReportEvery.choices, default=ReportEvery.MONTH
    )
    source = models.FileField(_("document"), upload_to=plan_source_path, max_length=255, blank=True)
    source_name = models.CharField(_("file"), max_length=255, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    #: When it was issued to its owners (下达): reports are due from then on.
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-year", "-issued_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="plan_year_sensible",
                condition=Q(year__gte=1990, year__lte=2100),
                violation_error_message=_("The year of a plan lies between 1990 and 2100."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plans:plan_detail", args=[self.pk])


class Task(models.Model):
    """One item of a plan. Items with sub-items are headings; the leaves are the work
    owners report on. `position` orders the whole tree (depth first) within the plan."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    position = models.PositiveIntegerField(_("order"))
    depth = models.PositiveSmallIntegerField(_("level"), default=0)
    is_leaf = models.BooleanField(_("reported on"), default=True)
    number = models.CharField(_("number"), max_length=20, blank=True)
    marker = models.CharField(_("marker"), max_length=20, blank=True)
    style = models.CharField(max_length=20, blank=True)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    lead = models.ForeignKey(
        Department,
        verbose_name=_("lead department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_tasks",
    )
    partners = models.ManyToManyField(
        Department,
        verbose_name=_("co-operating departments"),
        blank=True,
        related_name="partner_plan_tasks",
    )
    #: Owners the document names that are not departments here (各县（区）人民政府).
    owners_text = models.CharField(_("other owners"), max_length=300, blank=True)
    official = models.ForeignKey(
        User,
        verbose_name=_("responsible official"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_tasks",
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    ongoing = models.BooleanField(_("ongoing (长期坚持)"), default=False)
    deadline_phrase = models.CharField(_("deadline as written"), max_length=60, blank=True)
    status = models.CharField(
        pgettext_lazy("of a plan", "status"),
        max_length=12,
        choices=TaskStatus.choices,
        default=TaskStatus.NOT_STARTED,
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    #: The period of the latest report (first day of its month), kept by report_file.
    last_period = models.DateField(_("last report for"), null=True, blank=True)
    last_report_at = models.DateTimeField(_("last reported"), null=True, blank=True)
    #: Staff have checked what the text proposed (owners, deadline, targets, links).
    confirmed = models.BooleanField(_("confirmed"), default=False)
    #: What the parser read from the text, kept to show next to what was decided.
    proposal = models.JSONField(_("proposed from the text"), default=dict, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="task_position_unique"),
            models.CheckConstraint(
                name="task_progress_percent",
                condition=Q(progress__lte=100),
                violation_error_message=_("Progress is a percentage, 0 to 100."),
            ),
            models.CheckConstraint(
                name="task_done_has_date",
                condition=~Q(status=TaskStatus.DONE) | Q(completed_on__isnull=False),
                violation_error_message=_("A completed task has the date it was completed."),
            ),
        ]
        indexes = [
            models.Index(fields=["lead", "status"], name="task_lead_status_idx"),
            models.Index(fields=["deadline"], name="task_deadline_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.marker}{self.title}" if self.marker else self.title

    def get_absolute_url(self) -> str:
        return reverse("plans:task_detail", args=[self.pk])


class TaskTarget(models.Model):
    """A numeric target a task sets ("营收年均增长9%左右"), linked to an indicator when
    it measures one."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="targets")
    label = models.CharField(_("target"), max_length=200)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=20)
    qualifier = models.CharField(_("qualifier"), max_length=10, blank=True)
    indicator = models.ForeignKey(
        "indicators.Indicator",
        verbose_name=_("indicator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_targets",
    )

    class Meta:
        verbose_name = _("task target")
        verbose_name_plural = _("task targets")
        ordering = ["task", "pk"]

    def __str__(self) -> str:
        return self.label


class TaskLink(models.Model):
    """A chain, project, policy or kind of project a task names."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(_("kind"), max_length=20, choices=LinkKind.choices)
    chain = models.ForeignKey(
        "chains.Chain", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    policy = models.ForeignKey(
        "policies.Policy", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    project_type = models.CharField(_("kind of project"), max_length=30, blank=True)
    label = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("task link")
        verbose_name_plural = _("task links")
        ordering = ["task", "kind", "label"]
        constraints = [
            models.CheckConstraint(
                name="task_link_target_matches_kind",
                condition=(
                    Q(kind=LinkKind.CHAIN, chain__isnull=False)
                    | Q(kind=LinkKind.PROJECT, project__isnull=False)
                    | Q(kind=LinkKind.POLICY, policy__isnull=False)
                    | (Q(kind=LinkKind.PROJECT_TYPE) & ~Q(project_type=""))
                ),
                violation_error_message=_("A link points at what its kind says."),
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Report(models.Model):
    """A progress report on a task for one period (a month, or a quarter's first month).
    Filing again for the same period replaces the report."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    period = models.DateField(_("period"))
    status = models.CharField(
        pgettext_lazy("of a plan", "status"), max_length=12, choices=TaskStatus.choices
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"))
    text = models.TextField(_("progress made"))
    problems = models.TextField(_("problems"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    reported_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="plan_reports"
    )
    reported_at = models.DateTimeField(_("reported"))
    #: Filed after the period's reporting deadline.
    late = models.BooleanField(_("filed late"), default=False)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["task", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["task", "period"], name="report_one_per_period"),
            models.CheckConstraint(
                name="report_progress_percent",
                condition=Q(progress__lte=100),
                violation_error_message=_("Progress is a percentage, 0 to 100."),
            ),
            models.CheckConstraint(
                name="report_period_first_day",
                condition=Q(period__day=1),
                violation_error_message=_("A report's period is the first day of a month."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.period:%Y-%m}"

    @property
    def period_label(self) -> str:
        return f"{self.period.year}年{self.period.month}月"


class ReportAttachment(models.Model):
    """Evidence filed with a report (photos, minutes, documents); served only to those
    who see the task. Type and size are checked on upload."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=evidence_path, max_length=255)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["report", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class TaskNotice(models.Model):
    """A supervision notice (督办) the sweep sent about a task, once per task, kind and
    key (the deadline, or the period whose report is missing)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    key = models.DateField(_("for"))
    at = models.DateTimeField(_("sent"))

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["task", "kind", "key"], name="task_notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.kind} {self.key}"
