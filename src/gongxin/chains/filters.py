"""Filters of a chain's lists, bound to the chain (its nodes and sub-chains)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongxin.chains import structure
from gongxin.chains.choices import (
    BottleneckKind,
    BottleneckStatus,
    LinkStatus,
    PlatformKind,
    PlatformLevel,
    ProspectSource,
    ProspectStage,
    TaskStatus,
    TechKind,
)
from gongxin.chains.models import ChainNode, EnterpriseNode
from gongxin.core.models import Department, Region
from gongxin.core.selectors import district_list
from gongxin.enterprises.selectors import valid_qualifications
from gongxin.projects.choices import ProjectStage, ProjectType


class _NodeField(forms.ModelChoiceField):
    """Nodes indented by depth, named with their chain when the list spans sub-chains."""

    def __init__(self, *args, labels=None, **kwargs):
        self.labels = labels or {}
        super().__init__(*args, **kwargs)

    def label_from_instance(self, node):
        return self.labels.get(node.pk, node.name)


class NodeFilter(django_filters.ModelChoiceFilter):
    """A node and everything below it: choosing 上游 finds what is on its leaves."""

    field_class = _NodeField

    def __init__(self, *args, through: str | None = None, **kwargs):
        kwargs.setdefault("queryset", ChainNode.objects.none())
        kwargs.setdefault("label", _("Node"))
        kwargs.setdefault("empty_label", _("All nodes"))
        self.through = through
        self.children: dict[int | None, list[int]] = {}
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        nodes = structure.subtree(self.children, value.pk)
        if self.through:  # enterprises: placed (confirmed) on one of the nodes
            placed = EnterpriseNode.objects.filter(node__in=nodes, status=LinkStatus.CONFIRMED)
            return qs.filter(pk__in=placed.values(self.through))
        return qs.filter(**{f"{self.field_name}__in": nodes}).distinct()


class ChainFilterSet(django_filters.FilterSet):
    """A list's filters; `family` (the chain and its sub-chains) bounds the node choices."""

    def __init__(self, *args, family=(), **kwargs):
        super().__init__(*args, **kwargs)
        if "node" in self.filters:
            nodes = list(
                ChainNode.objects.filter(chain__in=family)
                .select_related("chain")
                .order_by("chain__sort_order", "chain__code", "position", "pk")
            )
            children: dict[int | None, list[int]] = {}
            for node in nodes:
                children.setdefault(node.parent_id, []).append(node.pk)
            parents = {n.pk: n.parent_id for n in nodes}

            def depth(pk: int) -> int:
                d = 0
                while parents.get(pk):
                    pk, d = parents[pk], d + 1
                return d

            several = len(set(family)) > 1
            node_filter = self.filters["node"]
            node_filter.queryset = ChainNode.objects.filter(pk__in=[n.pk for n in nodes]).order_by(
                "chain__sort_order", "chain__code", "position", "pk"
            )
            node_filter.children = children
            node_filter.extra["labels"] = {
                n.pk: (f"{n.chain.name} · " if several else "") + "　" * depth(n.pk) + n.name
                for n in nodes
            }
        if "district" in self.filters:
            self.filters["district"].queryset = district_list()
        if "owner" in self.filters:
            self.filters["owner"].queryset = Department.objects.order_by("sort_order", "code")


KIND_MASTER, KIND_ABOVE, KIND_QUALIFIED = "master", "above_scale", "qualified"


class KeyEnterpriseFilterSet(ChainFilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name"))
    district = django_filters.ModelChoiceFilter(
        queryset=Region.objects.none(), label=_("District"), empty_label=_("All districts")
    )
    node = NodeFilter(through="enterprise")
    kind = django_filters.ChoiceFilter(
        choices=(
            (KIND_MASTER, _("Chain masters")),
            (KIND_ABOVE, _("Above designated size")),
            (KIND_QUALIFIED, _("With a key qualification")),
        ),
        label=_("Kind"),
        empty_label=_("All kinds"),
        method="filter_kind",
    )

    def filter_kind(self, qs, name, value):
        if value == KIND_MASTER:
            return qs.filter(is_master=True)
        if value == KIND_ABOVE:
            return qs.filter(above_scale=True)
        from gongxin.chains.selectors import KEY_QUALIFICATIONS

        qualified = valid_qualifications().filter(kind__in=KEY_QUALIFICATIONS)
        return qs.filter(pk__in=qualified.values("enterprise"))


class ProjectFilterSet(ChainFilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name"))
    project_type = django_filters.ChoiceFilter(
        choices=ProjectType.choices, label=_("Type"), empty_label=_("All types")
    )
    stage = django_filters.ChoiceFilter(
        choices=ProjectStage.choices, label=_("Stage"), empty_label=_("All stages")
    )
    district = django_filters.ModelChoiceFilter(
        queryset=Region.objects.none(), label=_("District"), empty_label=_("All districts")
    )
    node = NodeFilter()


class PlatformFilterSet(ChainFilterSet):
    kind = django_filters.ChoiceFilter(
        choices=PlatformKind.choices, label=_("Kind"), empty_label=_("All kinds")
    )
    level = django_filters.ChoiceFilter(
        choices=PlatformLevel.choices, label=_("Level"), empty_label=_("All levels")
    )
    node = NodeFilter()


class TechnologyFilterSet(ChainFilterSet):
    kind = django_filters.ChoiceFilter(
        choices=TechKind.choices, label=_("Kind"), empty_label=_("All kinds")
    )
    status = django_filters.ChoiceFilter(
        choices=TaskStatus.choices, label=_("Progress"), empty_label=_("All statuses")
    )
    owner = django_filters.ModelChoiceFilter(
        queryset=Department.objects.none(), label=_("Owner"), empty_label=_("All departments")
    )


class BottleneckFilterSet(ChainFilterSet):
    kind = django_filters.ChoiceFilter(
        choices=BottleneckKind.choices, label=_("Kind"), empty_label=_("All kinds")
    )
    status = django_filters.ChoiceFilter(
        choices=BottleneckStatus.choices, label=_("Progress"), empty_label=_("All statuses")
    )
    owner = django_filters.ModelChoiceFilter(
        queryset=Department.objects.none(), label=_("Owner"), empty_label=_("All departments")
    )


class ProspectFilterSet(ChainFilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Name or products"))
    stage = django_filters.ChoiceFilter(
        choices=ProspectStage.choices, label=_("Stage"), empty_label=_("All stages")
    )
    province = django_filters.CharFilter(label=_("Province"))
    source = django_filters.ChoiceFilter(
        choices=ProspectSource.choices, label=_("Source"), empty_label=_("All sources")
    )
    node = NodeFilter(field_name="nodes")

    def filter_search(self, qs, name, value):
        return qs.filter(Q(name__icontains=value) | Q(products__icontains=value))
