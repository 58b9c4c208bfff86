"""Filters of a chain's lists, bound to the chain (its nodes and sub-chains)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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


class ChainFilterSet(django_filters.FilterSet):
    """A list's filters; `family` (the chain and its sub-chains) bounds the node choices."""

    def __init__(self, *args, family=(), **kwargs):
        super().__init__(*args, **kwargs)
        if "node" in self.filters:
            self.filters["node"].queryset = (
                ChainNode.objects.filter(chain__in=family)
                .select_related("chain")
                .order_by("chain__sort_order", "position")
            )
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
    node = django_filters.ModelChoiceFilter(
        queryset=ChainNode.objects.none(),
        label=_("Node"),
        empty_label=_("All nodes"),
        method="filter_node",
    )
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

    def filter_node(self, qs, name, node):
        return qs.filter(
            pk__in=EnterpriseNode.objects.filter(node=node, status=LinkStatus.CONFIRMED).values(
                "enterprise"
            )
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
    node = django_filters.ModelChoiceFilter(
        queryset=ChainNode.objects.none(), label=_("Node"), empty_label=_("All nodes")
    )


class PlatformFilterSet(ChainFilterSet):
    kind = django_filters.ChoiceFilter(
        choices=PlatformKind.choices, label=_("Kind"), empty_label=_("All kinds")
    )
    level = django_filters.ChoiceFilter(
        choices=PlatformLevel.choices, label=_("Level"), empty_label=_("All levels")
    )
    node = django_filters.ModelChoiceFilter(
        queryset=ChainNode.objects.none(), label=_("Node"), empty_label=_("All nodes")
    )


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
    node = django_filters.ModelChoiceFilter(
        queryset=ChainNode.objects.none(),
        field_name="nodes",
        label=_("Node"),
        empty_label=_("All nodes"),
    )

    def filter_search(self, qs, name, value):
        return qs.filter(Q(name__icontains=value) | Q(products__icontains=value))
