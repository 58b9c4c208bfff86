"""Filters of the enterprise list, shared by the web list, its export and the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongxin.core.choices import Role
from gongxin.core.filters import SortFilter
from gongxin.core.models import Region
from gongxin.core.reference import industry_code
from gongxin.core.selectors import district_list, park_list, region_with_descendants
from gongxin.enterprises.choices import EnterpriseStatus, QualificationKind, SizeClass
from gongxin.enterprises.models import Enterprise
from gongxin.enterprises.search import search_q

YES_NO = (("", _("Any")), ("1", _("Yes")), ("0", _("No")))


class EnterpriseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    district = django_filters.ModelChoiceFilter(
        queryset=Region.objects.none(), label=_("District"), empty_label=_("All districts")
    )
    park = django_filters.ModelChoiceFilter(
        queryset=Region.objects.none(),
        label=_("Park"),
        empty_label=_("All parks"),
        method="filter_park",
    )
    industry = django_filters.CharFilter(
        method="filter_industry",
        label=_("Industry code"),
        widget=forms.TextInput(attrs={"placeholder": "39 / 3961", "size": 8}),
    )
    size_class = django_filters.ChoiceFilter(
        choices=SizeClass.choices, label=_("Size"), empty_label=_("All sizes")
    )
    above_scale = django_filters.TypedChoiceFilter(
        choices=YES_NO, coerce=lambda v: v == "1", label=_("Above designated size")
    )
    qualification = django_filters.ChoiceFilter(
        choices=QualificationKind.choices,
        method="filter_qualification",
        label=_("Qualification"),
        empty_label=_("Any qualification"),
    )
    status = django_filters.ChoiceFilter(
        choices=EnterpriseStatus.choices, label=_("Status"), empty_label=_("All statuses")
    )
    sort = SortFilter(
        fields=(
            ("name", "name"),
            ("uscc", "uscc"),
            ("established_on", "established_on"),
            ("registered_capital", "registered_capital"),
            ("district__sort_order", "district"),
            ("industry__code", "industry"),
            ("updated_at", "updated_at"),
        ),
        field_labels={
            "name": _("Name"),
            "uscc": _("Unified social credit code"),
            "established_on": _("Date established"),
            "registered_capital": _("Registered capital"),
            "district__sort_order": _("District"),
            "industry__code": _("Industry"),
            "updated_at": _("Last updated"),
        },
    )

    class Meta:
        model = Enterprise
        fields = [
            "q",
            "district",
            "park",
            "industry",
            "size_class",
            "above_scale",
            "qualification",
            "status",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        districts, parks = district_list(), park_list()
        is_local = getattr(user, "role", "") == Role.DISTRICT
        region = user.region if is_local else None
        if region is not None:
            # District and park staff choose only among the regions they work in.
            inside = region_with_descendants(region)
            parks = parks.filter(pk__in=inside)
            districts = districts.filter(pk=region.pk) if not region.is_park else districts.none()
        self.filters["district"].queryset = districts
        self.filters["park"].queryset = parks

    def filter_search(self, queryset, name, value):
        return queryset.filter(search_q(value)) if value.strip() else queryset

    def filter_park(self, queryset, name, value):
        return queryset.filter(park_id__in=region_with_descendants(value)) if value else queryset

    def filter_industry(self, queryset, name, value):
        code = industry_code(value)
        if not code:
            return queryset
        return queryset.filter(industry__code__startswith=code)

    def filter_qualification(self, queryset, name, value):
        today = timezone.localdate()
        valid = Q(qualifications__kind=value, qualifications__issued_on__lte=today) & (
            Q(qualifications__expires_on__isnull=True) | Q(qualifications__expires_on__gte=today)
        )
        return queryset.filter(pk__in=Enterprise.objects.filter(valid).values("pk"))
