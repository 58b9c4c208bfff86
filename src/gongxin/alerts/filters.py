"""Filters of the early-warning list (the page and the API)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongxin.alerts.choices import AlertStatus, Rule
from gongxin.alerts.models import Alert
from gongxin.core.filters import SortFilter
from gongxin.core.models import Region
from gongxin.core.selectors import district_list
from gongxin.enterprises.filters import YES_NO


class AlertFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    rule = django_filters.ChoiceFilter(
        choices=Rule.choices, label=_("Rule"), empty_label=_("All rules")
    )
    status = django_filters.ChoiceFilter(
        choices=AlertStatus.choices,
        label=pgettext_lazy("of a warning", "Status"),
        empty_label=_("Open and cleared"),
    )
    district = django_filters.ModelChoiceFilter(
        queryset=Region.objects.none(),
        label=_("District"),
        empty_label=_("All districts"),
        to_field_name="code",
    )
    mine = django_filters.TypedChoiceFilter(
        choices=YES_NO, coerce=lambda v: v == "1", method="filter_mine", label=_("On my list")
    )
    visited = django_filters.TypedChoiceFilter(
        choices=YES_NO, coerce=lambda v: v == "1", method="filter_visited", label=_("Visited")
    )
    sort = SortFilter(
        fields=(("opened_at", "opened"), ("measure", "measure"), ("period", "period")),
        field_labels={
            "opened_at": _("Raised"),
            # the change in percent, the share of plan, the days left
            "measure": _("Figure of the warning"),
            "period": pgettext_lazy("of a warning", "Period"),
        },
    )

    class Meta:
        model = Alert
        fields = ["q", "rule", "status", "district", "mine", "visited"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["district"].queryset = district_list()

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(enterprise__name__icontains=value)
            | Q(enterprise__uscc__iexact=value)
            | Q(project__name__icontains=value)
            | Q(project__code__iexact=value)
        )

    def filter_mine(self, queryset, name, value):
        if self.user is None:
            return queryset
        return (
            queryset.filter(official=self.user) if value else queryset.exclude(official=self.user)
        )

    def filter_visited(self, queryset, name, value):
        return queryset.filter(visit__isnull=not value)
