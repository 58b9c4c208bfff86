"""Filters of the policy library and of applications, shared by pages, exports and API."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongxin.chains.models import Chain
from gongxin.core.filters import SortFilter
from gongxin.core.models import Region
from gongxin.core.selectors import district_list
from gongxin.enterprises.filters import YES_NO
from gongxin.policies.choices import (
    ApplicationSource,
    ApplicationStatus,
    BenefitKind,
    PolicyStatus,
)
from gongxin.policies.models import Application, Policy


class PolicyFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    benefit_kind = django_filters.ChoiceFilter(
        choices=BenefitKind.choices, label=_("Kind of support"), empty_label=_("All kinds")
    )
    chain = django_filters.ModelChoiceFilter(
        queryset=Chain.objects.all(),
        field_name="chains",
        label=_("Chain"),
        empty_label=_("All chains"),
        to_field_name="code",
    )
    status = django_filters.ChoiceFilter(
        choices=PolicyStatus.choices,
        label=_("Publication"),
        empty_label=_("All statuses"),
    )
    in_force = django_filters.TypedChoiceFilter(
        choices=YES_NO,
        coerce=lambda v: v == "1",
        method="filter_in_force",
        label=_("Currently in force"),
    )
    without_application = django_filters.TypedChoiceFilter(
        choices=YES_NO, coerce=lambda v: v == "1", label=_("Paid without application")
    )
    sort = SortFilter(
        fields=(("effective_from", "effective_from"), ("title", "title")),
        field_labels={"effective_from": _("In force from"), "title": _("Title")},
    )

    class Meta:
        model = Policy
        fields = ["q", "benefit_kind", "chain", "status", "in_force", "without_application"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(document_number__icontains=value)
            | Q(issuer__icontains=value)
            | Q(summary__icontains=value)
        )

    def filter_in_force(self, queryset, name, value):
        today = timezone.localdate()
        current = Q(status=PolicyStatus.PUBLISHED, effective_from__lte=today) & (
            Q(effective_until__isnull=True) | Q(effective_until__gte=today)
        )
        return queryset.filter(current) if value else queryset.exclude(current)


class ApplicationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    status = django_filters.ChoiceFilter(
        choices=ApplicationStatus.choices,
        label=pgettext_lazy("of an application", "Status"),
        empty_label=_("All statuses"),
    )
    source = django_filters.ChoiceFilter(
        choices=ApplicationSource.choices, label=_("Source"), empty_label=_("All sources")
    )
    year = django_filters.NumberFilter(label=_("Year"))
    policy = django_filters.NumberFilter(field_name="policy_id", label=_("Policy"))
    district = django_filters.ModelChoiceFilter(
        queryset=Region.objects.none(),
        field_name="enterprise__district",
        label=_("District"),
        empty_label=_("All districts"),
    )

    class Meta:
        model = Application
        fields = ["q", "status", "source", "year", "policy", "district"]

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
            | Q(policy__title__icontains=value)
        )
