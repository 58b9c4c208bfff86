"""Chains (链长制): each key chain with its leaders, office, lead departments, chain-master
enterprises and yearly targets; its structure as a tree of nodes (segments 上游/中游/下游,
then materials, components, products, equipment, services at any depth) with supply
links between nodes that form a directed acyclic graph; and the enterprises on each node.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gongxin.chains.choices import LinkSource, LinkStatus, NodeKind, Segment
from gongxin.core.models import Department, User
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
    revenue = models.DecimalField(_("operating revenue"), **MONEY)
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
