"""Chains (链长制): each key chain with its leaders, office, lead departments, chain-master
enterprises and yearly targets; its structure as a tree of nodes (segments 上游/中游/下游,
then materials, components, products, equipment, services at any depth) with supply
links between nodes that form a directed acyclic graph; and the enterprises on each node.

Around the structure, the material of the four maps and five lists: the markets the chain
serves (application fields), innovation platforms, key and common technology tasks with
their targets by year, bottlenecks, supplier relations between enterprises, and the
external enterprises the chain means to attract (prospects) with their pipeline.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gongxin.chains.choices import (
    BottleneckKind,
    BottleneckStatus,
    LinkSource,
    LinkStatus,
    NodeKind,
    PlatformKind,
    PlatformLevel,
    ProspectSource,
    ProspectStage,
    Segment,
    SupplySource,
    TaskStatus,
    TechKind,
)
from gongxin.core.models import Department, MoneyField, User
from gongxin.enterprises.choices import SizeClass
from gongxin.enterprises.models import MONEY, Enterprise


class ChainLeader(models.Model):
    """A city leader who leads one or more chains (链长)."""

    name = models.CharField(_("name"), max_length=50)
    title = models.CharField(_("position"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("chain leader")
        verbose_name_plural = _("chain leaders")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.title} {self.name}".strip()


class Chain(models.Model):
    """A key industrial chain, or a sub-chain of one (parent)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent chain"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subchains",
    )
    description = models.TextField(_("description"), blank=True)
    leaders = models.ManyToManyField(
        ChainLeader, verbose_name=_("chain leaders"), blank=True, related_name="chains"
    )
    office = models.ForeignKey(
        Department,
        verbose_name=_("chain office"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chain_offices",
    )
    lead_departments = models.ManyToManyField(
        Department, verbose_name=_("lead departments"), blank=True, related_name="led_chains"
    )
    #: Staff of the chain office: they edit this chain and its sub-chains.
    office_members = models.ManyToManyField(
        User, verbose_name=_("chain office staff"), blank=True, related_name="office_chains"
    )
    masters = models.ManyToManyField(
        Enterprise, verbose_name=_("chain-master enterprises"), blank=True, related_name="master_of"
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("chain")
        verbose_name_plural = _("chains")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class ChainTarget(models.Model):
    """What a chain is to reach in a year."""

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))
    revenue = MoneyField(_("operating revenue"), **MONEY)
    above_scale_count = models.PositiveIntegerField(
        _("enterprises above designated size"), null=True, blank=True
    )
    projects = models.PositiveIntegerField(_("projects"), null=True, blank=True)

    class Meta:
        verbose_name = _("chain target")
        verbose_name_plural = _("chain targets")
        ordering = ["chain", "year"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "year"], name="chain_target_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.chain} {self.year}"


class ChainNode(models.Model):
    """A place in a chain's structure; children refine it (any depth)."""

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent node"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=80)
    segment = models.CharField(_("segment"), max_length=12, choices=Segment.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=NodeKind.choices)
    #: GB/T 4754-2017 codes (class, group or division) of what the node makes.
    industry_codes = models.JSONField(_("industry codes"), default=list, blank=True)
    #: Words in an enterprise's products or business scope that place it on the node.
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    key_link = models.BooleanField(_("key link"), default=False)
    bottleneck = models.BooleanField(_("bottleneck"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("chain node")
        verbose_name_plural = _("chain nodes")
        ordering = ["chain", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "name"], name="chain_node_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class SupplyLink(models.Model):
    """The supplier node feeds the customer node (what feeds what). The links of a chain
    form a directed acyclic graph; `services.supply_link_add` keeps it so."""

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="supply_links")
    supplier = models.ForeignKey(ChainNode, on_delete=models.CASCADE, related_name="supplies")
    customer = models.ForeignKey(ChainNode, on_delete=models.CASCADE, related_name="supplied_by")

    class Meta:
        verbose_name = _("supply link")
        verbose_name_plural = _("supply links")
        constraints = [
            models.UniqueConstraint(fields=["supplier", "customer"], name="supply_link_unique"),
            models.CheckConstraint(
                name="supply_link_not_to_itself", condition=~Q(supplier=F("customer"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} → {self.customer}"


class EnterpriseNode(models.Model):
    """An enterprise placed on a node, with what it makes there. Suggested placements
    (from industry code or products) wait for staff to confirm or reject them."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="chain_positions"
    )
    node = models.ForeignKey(ChainNode, on_delete=models.CASCADE, related_name="enterprise_links")
    products = models.CharField(_("products here"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=LinkStatus.choices, default=LinkStatus.CONFIRMED
    )
    source = models.CharField(
        _("source"), max_length=12, choices=LinkSource.choices, default=LinkSource.MANUAL
    )
    #: The words or code that suggested the placement, shown to staff.
    evidence = models.CharField(_("evidence"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("enterprise on a node")
        verbose_name_plural = _("enterprises on nodes")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "node"], name="enterprise_node_unique")
        ]
        indexes = [models.Index(fields=["node", "status"], name="enterprise_node_status_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise} @ {self.node}"


class SupplierRelation(models.Model):
    """What a customer enterprise bought from a supplier in a year. The supplier is an
    enterprise of the archive (in the city), or one from elsewhere named by its name and
    place; the local supply ratio (本地配套率) is the share bought from the city."""

    customer = models.ForeignKey(
        Enterprise, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="purchases"
    )
    supplier = models.ForeignKey(
        Enterprise,
        verbose_name=_("local supplier"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sales",
    )
    supplier_name = models.CharField(_("supplier outside the city"), max_length=200, blank=True)
    supplier_place = models.CharField(_("supplier's place"), max_length=60, blank=True)
    #: The chain node of what was bought (the local supply of each node comes from it).
    node = models.ForeignKey(
        ChainNode,
        verbose_name=_("node"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="purchases",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = MoneyField(_("annual amount (yuan)"), max_digits=18, decimal_places=2)
    products = models.CharField(_("products bought"), max_length=200, blank=True)
    source = models.CharField(
        _("source"), max_length=12, choices=SupplySource.choices, default=SupplySource.SURVEY
    )

    class Meta:
        verbose_name = _("supplier relation")
        verbose_name_plural = _("supplier relations")
        ordering = ["customer", "year", "-amount"]
        constraints = [
            models.CheckConstraint(
                name="supplier_relation_one_supplier",
                condition=(Q(supplier__isnull=False) & Q(supplier_name=""))
                | (Q(supplier__isnull=True) & ~Q(supplier_name="")),
            ),
            models.CheckConstraint(
                name="supplier_relation_not_to_itself", condition=~Q(supplier=F("customer"))
            ),
            models.CheckConstraint(
                name="supplier_relation_amount_positive", condition=Q(amount__gt=0)
            ),
        ]
        indexes = [models.Index(fields=["customer", "year"], name="supplier_relation_year_idx")]

    def __str__(self) -> str:
        return f"{self.supplier or self.supplier_name} → {self.customer} {self.year}"


class ApplicationField(models.Model):
    """A market the chain sells into (应用领域), served by the chain's products on `nodes`:
    the local enterprises on those nodes serve it."""

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="application_fields")
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=300, blank=True)
    nodes = models.ManyToManyField(
        ChainNode, verbose_name=_("nodes serving it"), related_name="application_fields"
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("application field")
        verbose_name_plural = _("application fields")
        ordering = ["chain", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "name"], name="application_field_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Platform(models.Model):
    """An innovation platform of the chain (重点平台): a laboratory, technology or
    engineering centre, innovation centre, industrial internet or public service platform."""

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="platforms")
    node = models.ForeignKey(
        ChainNode,
        verbose_name=_("node"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="platforms",
    )
    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=PlatformKind.choices)
    level = models.CharField(_("level"), max_length=12, choices=PlatformLevel.choices)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("host enterprise"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="platforms",
    )
    host = models.CharField(_("host institution"), max_length=120, blank=True)
    recognised_in = models.PositiveSmallIntegerField(_("year recognised"), null=True, blank=True)

    class Meta:
        verbose_name = _("innovation platform")
        verbose_name_plural = _("innovation platforms")
        ordering = ["chain", "level", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def host_name(self) -> str:
        return self.enterprise.name if self.enterprise_id else self.host


class TechTask(models.Model):
    """A key or common technology the chain must master (关键共性技术), with the one who
    owns it, a deadline, its status and its targets by year."""

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="tech_tasks")
    node = models.ForeignKey(
        ChainNode,
        verbose_name=_("node"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tech_tasks",
    )
    name = models.CharField(_("technology"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=TechKind.choices)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        Department,
        verbose_name=_("owner department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tech_tasks",
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("undertaking enterprise"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tech_tasks",
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.PLANNED
    )

    class Meta:
        verbose_name = _("key technology task")
        verbose_name_plural = _("key technology tasks")
        ordering = ["chain", "deadline", "id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "name"], name="tech_task_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class TechTarget(models.Model):
    """What a technology task is to reach by the end of a year (the roadmap's milestones)."""

    task = models.ForeignKey(TechTask, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))
    target = models.CharField(_("target"), max_length=200)

    class Meta:
        verbose_name = _("technology target")
        verbose_name_plural = _("technology targets")
        ordering = ["task", "year"]
        constraints = [
            models.UniqueConstraint(fields=["task", "year"], name="tech_target_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.year}"


class Bottleneck(models.Model):
    """What holds the chain back (制约瓶颈): a blockage (堵点), a break (断点) or a choke
    point (卡点), with the department that owns it, a deadline and its status."""

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="bottlenecks")
    node = models.ForeignKey(
        ChainNode,
        verbose_name=_("node"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bottleneck_items",
    )
    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=BottleneckKind.choices)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        Department,
        verbose_name=_("owner department"),
        on_delete=models.PROTECT,
        related_name="bottlenecks",
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=12, choices=BottleneckStatus.choices, default=BottleneckStatus.OPEN
    )
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)

    class Meta:
        verbose_name = _("bottleneck")
        verbose_name_plural = _("bottlenecks")
        ordering = ["chain", "deadline", "id"]
        constraints = [
            models.CheckConstraint(
                name="bottleneck_resolved_has_date",
                condition=Q(status=BottleneckStatus.RESOLVED, resolved_on__isnull=False)
                | (~Q(status=BottleneckStatus.RESOLVED) & Q(resolved_on__isnull=True)),
            )
        ]

    def __str__(self) -> str:
        return self.title


class Prospect(models.Model):
    """An enterprise outside the city the chain means to attract (招商目标), on the nodes it
    would fill, followed through the pipeline 线索 → 接洽 → 考察 → 签约 → 落地."""

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="prospects")
    name = models.CharField(_("name"), max_length=200, unique=True)
    province = models.CharField(_("province"), max_length=20)
    city = models.CharField(_("city"), max_length=20)
    nodes = models.ManyToManyField(ChainNode, verbose_name=_("nodes"), related_name="prospects")
    size_class = models.CharField(_("size class"), max_length=10, choices=SizeClass.choices)
    revenue = MoneyField(_("operating revenue"), **MONEY)
    products = models.CharField(_("main products"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=ProspectSource.choices)
    stage = models.CharField(
        _("stage"), max_length=12, choices=ProspectStage.choices, default=ProspectStage.LEAD
    )
    stage_on = models.DateField(_("stage reached on"))
    official = models.ForeignKey(
        User,
        verbose_name=_("responsible official"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="prospects",
    )
    #: The enterprise it became in the archive once landed.
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise in the city"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attracted_as",
    )

    class Meta:
        verbose_name = _("prospect")
        verbose_name_plural = _("prospects")
        ordering = ["chain", "name"]

    def __str__(self) -> str:
        return self.name


class ProspectStep(models.Model):
    """A stage a prospect reached, when, and by whose hand: the pipeline's history."""

    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField(_("stage"), max_length=12, choices=ProspectStage.choices)
    on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    by = models.ForeignKey(
        User, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("prospect step")
        verbose_name_plural = _("prospect steps")
        ordering = ["prospect", "on", "id"]

    def __str__(self) -> str:
        return f"{self.prospect} {self.get_stage_display()}"


class ChainSnapshot(models.Model):
    """The heavy figures of a chain's page (per-node figures, application fields, regional
    distribution) as computed at a version of the archive (`core.versions`). Read while
    the version stands; recomputed on the first view after any change."""

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="snapshots")
    year = models.PositiveSmallIntegerField(_("year"), default=0)  # 0: no annual figures
    version = models.BigIntegerField(_("version"))
    data = models.JSONField(_("data"))
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        verbose_name = _("chain snapshot")
        verbose_name_plural = _("chain snapshots")
        constraints = [
            models.UniqueConstraint(fields=["chain", "year"], name="chain_snapshot_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.chain} {self.year} @{self.version}"
