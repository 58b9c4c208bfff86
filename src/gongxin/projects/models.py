"""Key projects (重点项目): what is built or upgraded, by which enterprise, on which chain
and node, where, with how much investment; its stages with planned and actual dates, its
investment month by month (设备投资 apart), its milestones, and how it stands (红黄绿).

The project's header figures — stage, the start and completion dates, the completed
investment, the health — are derived: services recompute them from the stages and the
months whenever those change (`services.project_recompute`), nobody types them."""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongxin.chains.models import Chain, ChainNode
from gongxin.core.models import MoneyField, Region, User
from gongxin.enterprises.models import MONEY, Enterprise
from gongxin.projects.choices import (
    BuildingStatus,
    Health,
    Occupancy,
    ProjectLevel,
    ProjectStage,
    ProjectType,
)


def next_code(year: int) -> str:
    """The next free project number of a year: XM2026-0001, XM2026-0002, …"""
    prefix = f"XM{year}-"
    taken = Project.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(c[len(prefix) :]) for c in taken if c[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


class Project(models.Model):
    #: 项目编号: how the monthly progress statistics name the project.
    code = models.CharField(_("project number"), max_length=40, unique=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    project_type = models.CharField(_("type"), max_length=20, choices=ProjectType.choices)
    level = models.CharField(
        _("level"), max_length=10, choices=ProjectLevel.choices, default=ProjectLevel.CITY
    )
    content = models.TextField(_("what is built"), blank=True)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    chain = models.ForeignKey(
        Chain,
        verbose_name=_("chain"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    node = models.ForeignKey(
        ChainNode,
        verbose_name=_("node"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    district = models.ForeignKey(
        Region, verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    park = models.ForeignKey(
        Region,
        verbose_name=_("park"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    planned_investment = MoneyField(_("planned investment (yuan)"), **MONEY)
    completed_investment = MoneyField(_("completed investment (yuan)"), **MONEY)
    equipment_planned = MoneyField(_("planned equipment investment (yuan)"), **MONEY)
    equipment_completed = MoneyField(_("completed equipment investment (yuan)"), **MONEY)
    stage = models.CharField(
        _("stage"), max_length=12, choices=ProjectStage.choices, default=ProjectStage.SIGNED
    )
    start_planned = models.DateField(_("planned start"), null=True, blank=True)
    end_planned = models.DateField(_("planned completion"), null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    official = models.ForeignKey(
        User,
        verbose_name=_("responsible official"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    health = models.CharField(
        _("health"), max_length=6, choices=Health.choices, default=Health.GREEN
    )
    health_on = models.DateField(_("health judged on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, null=True)

    class Meta:
        verbose_name = _("key project")
        verbose_name_plural = _("key projects")
        ordering = ["-planned_investment", "id"]
        constraints = [
            models.CheckConstraint(
                name="project_investment_not_negative",
                condition=Q(planned_investment__gte=0) | Q(planned_investment__isnull=True),
            ),
            models.CheckConstraint(
                name="project_equipment_within_planned",
                violation_error_message=_("Equipment is part of the planned investment: no more."),
                condition=Q(equipment_planned__lte=F("planned_investment"))
                | Q(equipment_planned__isnull=True)
                | Q(planned_investment__isnull=True),
            ),
            models.CheckConstraint(
                name="project_completed_after_start",
                condition=Q(completed_on__gte=F("started_on"))
                | Q(completed_on__isnull=True)
                | Q(started_on__isnull=True),
            ),
        ]
        indexes = [
            models.Index(fields=["chain", "stage"], name="project_chain_stage_idx"),
            models.Index(fields=["district", "health"], name="project_district_health_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.code:  # a new project without a number gets the next one of the year
            self.code = next_code(timezone.localdate().year)
        super().save(*args, **kwargs)

    @property
    def investment_progress(self):
        """Completed investment as a share of the planned, or None."""
        if not self.planned_investment or self.completed_investment is None:
            return None
        return self.completed_investment / self.planned_investment


class ProjectStep(models.Model):
    """One stage of a project (签约, 立项, 开工, 竣工, 投产, 达产): when it is planned and
    when it was reached."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="steps"
    )
    stage = models.CharField(_("stage"), max_length=12, choices=ProjectStage.choices)
    planned_on = models.DateField(_("planned on"), null=True, blank=True)
    reached_on = models.DateField(_("reached on"), null=True, blank=True)

    class Meta:
        verbose_name = _("project stage")
        verbose_name_plural = _("project stages")
        constraints = [
            models.UniqueConstraint(fields=["project", "stage"], name="project_step_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.stage}"


class ProjectMonth(models.Model):
    """A project's investment in one month: planned, completed and, of the completed, in
    equipment (设备投资); with what was done (形象进度)."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="months"
    )
    #: The first day of the month.
    month = models.DateField(_("month"))
    planned = MoneyField(_("planned investment (yuan)"), **MONEY)
    completed = MoneyField(_("completed investment (yuan)"), **MONEY)
    equipment = MoneyField(_("of which equipment (yuan)"), **MONEY)
    progress = models.CharField(_("progress this month"), max_length=500, blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    reported_by = models.ForeignKey(
        User,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("monthly progress")
        verbose_name_plural = _("monthly progress")
        ordering = ["project", "month"]
        constraints = [
            models.UniqueConstraint(fields=["project", "month"], name="project_month_unique"),
            models.CheckConstraint(name="project_month_first_day", condition=Q(month__day=1)),
            models.CheckConstraint(
                name="project_month_not_negative",
                violation_error_message=_("Amounts cannot be negative."),
                condition=(Q(planned__gte=0) | Q(planned__isnull=True))
                & (Q(completed__gte=0) | Q(completed__isnull=True))
                & (Q(equipment__gte=0) | Q(equipment__isnull=True)),
            ),
            models.CheckConstraint(
                name="project_month_equipment_within_completed",
                violation_error_message=_(
                    "Equipment is part of the completed investment: no more."
                ),
                condition=Q(equipment__lte=F("completed"))
                | Q(equipment__isnull=True)
                | Q(completed__isnull=True),
            ),
        ]
        indexes = [models.Index(fields=["month"], name="project_month_month_idx")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.month:%Y-%m}"


class Milestone(models.Model):
    """A milestone of a project besides its stages (环评批复, 设备进场, 5G专网开通…)."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project", "due_on", "id"]

    def __str__(self) -> str:
        return self.title


#: Land in 亩 (mu), to two decimals.
MU = {"max_digits": 12, "decimal_places": 2}


class ParkLand(models.Model):
    """A park's land at the end of a month (满园扩园): planned, developed (served and ready
    to build on), occupied by enterprises; available = developed − occupied."""

    park = models.ForeignKey(
        Region, verbose_name=_("park"), on_delete=models.CASCADE, related_name="land"
    )
    #: The first day of the month the figures stand at the end of.
    month = models.DateField(_("month"))
    planned_mu = models.DecimalField(_("planned area (mu)"), **MU)
    developed_mu = models.DecimalField(_("developed area (mu)"), **MU)
    occupied_mu = models.DecimalField(_("occupied area (mu)"), **MU)

    class Meta:
        verbose_name = _("park land")
        verbose_name_plural = _("park land")
        ordering = ["park", "month"]
        constraints = [
            models.UniqueConstraint(fields=["park", "month"], name="park_land_unique"),
            models.CheckConstraint(
                name="park_land_within",
                condition=Q(occupied_mu__gte=0)
                & Q(occupied_mu__lte=F("developed_mu"))
                & Q(developed_mu__lte=F("planned_mu")),
                violation_error_message=_(
                    "Occupied land is part of the developed land, developed of the planned."
                ),
            ),
            models.CheckConstraint(name="park_land_first_day", condition=Q(month__day=1)),
        ]

    def __str__(self) -> str:
        return f"{self.park} {self.month:%Y-%m}"

    @property
    def available_mu(self):
        return self.developed_mu - self.occupied_mu


class Building(models.Model):
    """A standard factory building (标准厂房) of a park: built for the market or, 订单式,
    for the enterprise that ordered it; who is in it."""

    park = models.ForeignKey(
        Region, verbose_name=_("park"), on_delete=models.PROTECT, related_name="buildings"
    )
    name = models.CharField(_("name"), max_length=100)
    area = models.DecimalField(_("floor area (m²)"), max_digits=12, decimal_places=2)
    floors = models.PositiveSmallIntegerField(_("floors"), default=1)
    #: Floor load in kN/m² (of the ground floor for a building of several).
    load = models.DecimalField(_("floor load (kN/m²)"), max_digits=6, decimal_places=1)
    status = models.CharField(
        _("construction"),
        max_length=10,
        choices=BuildingStatus.choices,
        default=BuildingStatus.PLANNED,
    )
    occupancy = models.CharField(
        _("occupancy"), max_length=10, choices=Occupancy.choices, default=Occupancy.VACANT
    )
    #: 订单式: the enterprise the building is built for.
    ordered_by = models.ForeignKey(
        Enterprise,
        verbose_name=_("built to order for"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ordered_buildings",
    )
    occupant = models.ForeignKey(
        Enterprise,
        verbose_name=_("occupant"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="buildings",
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("key project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="buildings",
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    occupied_since = models.DateField(_("occupied since"), null=True, blank=True)

    class Meta:
        verbose_name = _("factory building")
        verbose_name_plural = _("factory buildings")
        ordering = ["park", "name"]
        constraints = [
            models.UniqueConstraint(fields=["park", "name"], name="building_unique_name"),
            models.CheckConstraint(
                name="building_occupant_when_occupied",
                condition=Q(occupancy=Occupancy.VACANT, occupant__isnull=True)
                | ~Q(occupancy=Occupancy.VACANT) & Q(occupant__isnull=False),
                violation_error_message=_(
                    "An allocated or occupied building names its enterprise; a vacant one none."
                ),
            ),
            models.CheckConstraint(
                name="building_occupied_when_built",
                condition=Q(status=BuildingStatus.BUILT)
                | Q(occupancy=Occupancy.VACANT)
                | Q(occupancy=Occupancy.ALLOCATED),
                violation_error_message=_("Only a built building can be occupied."),
            ),
            models.CheckConstraint(
                name="building_area_positive",
                condition=Q(area__gt=0) & Q(load__gt=0),
                violation_error_message=_("Area and load are more than zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.park} {self.name}"
