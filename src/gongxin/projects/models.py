"""Key projects (重点项目) in their first form: what is built or upgraded, by which
enterprise, on which chain and node, where, with how much investment and at which stage."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gongxin.chains.models import Chain, ChainNode
from gongxin.core.models import Region, User
from gongxin.enterprises.models import MONEY, Enterprise
from gongxin.projects.choices import ProjectStage, ProjectType


class Project(models.Model):
    name = models.CharField(_("name"), max_length=200)
    project_type = models.CharField(_("type"), max_length=20, choices=ProjectType.choices)
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
    planned_investment = models.DecimalField(_("planned investment (yuan)"), **MONEY)
    completed_investment = models.DecimalField(_("completed investment (yuan)"), **MONEY)
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
                name="project_completed_after_start",
                condition=Q(completed_on__gte=F("started_on"))
                | Q(completed_on__isnull=True)
                | Q(started_on__isnull=True),
            ),
        ]
        indexes = [models.Index(fields=["chain", "stage"], name="project_chain_stage_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def investment_progress(self):
        """Completed investment as a share of the planned, or None."""
        if not self.planned_investment or self.completed_investment is None:
            return None
        return self.completed_investment / self.planned_investment
