"""Filters of the key projects, shared by the list, the timeline, the statistics, the
export and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongxin.chains.models import Chain
from gongxin.core.filters import SortFilter
from gongxin.core.models import Region
from gongxin.core.selectors import district_list, park_list, region_with_descendants
from gongxin.projects.choices import Health, ProjectLevel, ProjectStage, ProjectType
from gongxin.projects.models import Project


class ProjectFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    project_type = django_filters.ChoiceFilter(
        choices=ProjectType.choices, label=_("Type"), empty_label=_("All types")
    )
    level = django_filters.ChoiceFilter(
        choices=ProjectLevel.choices, label=_("Level"), empty_label=_("All levels")
    )
    stage = django_filters.ChoiceFilter(
        choices=ProjectStage.choices,
        label=pgettext_lazy("of a project", "Stage"),
        empty_label=_("All stages"),
    )
    health = django_filters.ChoiceFilter(
        choices=Health.choices, label=_("Health"), empty_label=_("All")
    )
    chain = django_filters.ModelChoiceFilter(
        queryset=Chain.objects.all(),
        label=_("Chain"),
        empty_label=_("All chains"),
        to_field_name="code",
    )
    district = django_filters.ModelChoiceFilter(
        queryset=Region.objects.none(),
        label=_("District"),
        empty_label=_("All districts"),
        to_field_name="code",
    )
    park = django_filters.ModelChoiceFilter(
        queryset=Region.objects.none(),
        label=_("Park"),
        empty_label=_("All parks"),
        to_field_name="code",
        method="filter_park",
    )
    sort = SortFilter(
        fields=(
            ("planned_investment", "planned"),
            ("completed_investment", "completed"),
            ("start_planned", "start"),
            ("code", "code"),
        ),
        field_labels={
            "planned_investment": _("Planned investment"),
            "completed_investment": _("Completed investment"),
            "start_planned": _("Planned start"),
            "code": _("Project number"),
        },
    )

    class Meta:
        model = Project
        fields = ["q", "project_type", "level", "stage", "health", "chain", "district", "park"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["district"].queryset = district_list()
        self.filters["park"].queryset = park_list()

    def filter_park(self, queryset, name, value):
        """A zone holds the parks inside it."""
        return queryset.filter(park_id__in=region_with_descendants(value)) if value else queryset

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(code__iexact=value)
            | Q(enterprise__name__icontains=value)
            | Q(content__icontains=value)
        )
