"""Reads of the enterprise archive. Every read goes through `enterprise_scope`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongxin.core.choices import PARK_KINDS, Role
from gongxin.core.models import User
from gongxin.core.selectors import (
    region_with_descendants,
    user_edits_everything,
    user_reads_everything,
)
from gongxin.core.units import WAN
from gongxin.enterprises.models import AnnualFigure, Enterprise, MonthlyFigure, Qualification


def enterprise_scope(user: User, *, for_change: bool = False) -> QuerySet[Enterprise]:
    """The enterprises `user` may see (or, with for_change, edit). The one place where the
    archive's scope is decided: every selector, service, view, export and API uses it.

    - administrators and division staff: all, read and edit;
    - leadership, chain offices and handling departments: all, read only;
    - district or park staff: the enterprises of their district (or park and the parks in it);
    - service officers: the enterprises they look after;
    - enterprise users: their own enterprise (edits limited to contacts by the services).
    """
    qs = Enterprise.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return qs.none()
    if for_change and user_edits_everything(user):
        return qs
    if not for_change and user_reads_everything(user):
        return qs
    if user.role == Role.DISTRICT and user.region_id:
        if user.region.kind in PARK_KINDS:
            return qs.filter(park_id__in=region_with_descendants(user.region))
        return qs.filter(district_id=user.region_id)
    if user.role == Role.OFFICER:
        return qs.filter(service_officer_id=user.pk)
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return qs.filter(pk=user.enterprise_id)
    return qs.none()


def enterprise_can_create(user: User) -> bool:
    return user_edits_everything(user) or (
        user.is_authenticated and user.role == Role.DISTRICT and user.region_id is not None
    )


def enterprise_can_delete(user: User) -> bool:
    return user_edits_everything(user)


def enterprise_can_import(user: User) -> bool:
    return enterprise_can_create(user)


def enterprise_fields_editable(user: User) -> bool:
    """Enterprise users edit only their contacts; others in scope edit the whole file."""
    return user.role != Role.ENTERPRISE


def valid_qualifications(on: dt.date | None = None) -> QuerySet[Qualification]:
    on = on or timezone.localdate()
    return Qualification.objects.filter(issued_on__lte=on).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=on)
    )


def enterprise_list(
    *, user: User, filters: Mapping[str, Any] | None = None
) -> QuerySet[Enterprise]:
    """Enterprises in scope, filtered, with what the list, the export and the API show
    (a fixed number of queries whatever the number of rows)."""
    from gongxin.enterprises.filters import EnterpriseFilterSet

    qs = (
        enterprise_scope(user)
        .select_related("district", "park", "industry", "service_officer")
        .prefetch_related(
            Prefetch(
                "qualifications", queryset=valid_qualifications(), to_attr="valid_qualifications"
            )
        )
    )
    if filters is not None:
        filterset = EnterpriseFilterSet(filters, queryset=qs, user=user)
        qs = filterset.qs if filterset.is_valid() else qs.none()
    return qs


def enterprise_get(*, user: User, pk: int, for_change: bool = False) -> Enterprise:
    """One enterprise in scope (Enterprise.DoesNotExist otherwise: a 404, never a 403)."""
    return (
        enterprise_scope(user, for_change=for_change)
        .select_related("district", "park", "industry", "industry__parent", "service_officer")
        .get(pk=pk)
    )


@dataclass(frozen=True)
class Series:
    """Monthly values of one figure with year-on-year growth (percent) per month."""

    key: str
    label: Any
    unit: Any
    periods: list[str]
    values: list[float | None]
    yoy: list[float | None]


FIGURES = (
    ("output_value", _("Gross industrial output value"), _("10k yuan"), WAN),
    ("revenue", _("Operating revenue"), _("10k yuan"), WAN),
    ("profit", _("Total profit"), _("10k yuan"), WAN),
    ("tax", _("Taxes paid"), _("10k yuan"), WAN),
    ("employees", _("Employees"), _("persons"), Decimal(1)),
    ("electricity", _("Electricity used"), _("10k kWh"), Decimal(10_000)),
)


def monthly_figures(*, enterprise: Enterprise) -> QuerySet[MonthlyFigure]:
    return MonthlyFigure.objects.filter(enterprise=enterprise).order_by("period")


def annual_figures(*, enterprise: Enterprise) -> QuerySet[AnnualFigure]:
    return AnnualFigure.objects.filter(enterprise=enterprise).order_by("year")


def yoy_growth(current: Decimal | int | None, previous: Decimal | int | None) -> float | None:
    """Year-on-year growth in percent; None when either value is missing or the base is 0."""
    if current is None or previous is None or previous == 0:
        return None
    return round(float((Decimal(current) - Decimal(previous)) / abs(Decimal(previous)) * 100), 1)


def monthly_series(figures: list[MonthlyFigure]) -> list[Series]:
    """Each monthly figure as a series in display units, with year-on-year growth."""
    by_period = {f.period: f for f in figures}
    periods = sorted(by_period)
    result = []
    for key, label, unit, scale in FIGURES:
        values, growth = [], []
        for period in periods:
            value = getattr(by_period[period], key)
            try:
                prior = by_period.get(period.replace(year=period.year - 1))
            except ValueError:
                prior = None
            previous = getattr(prior, key) if prior else None
            values.append(None if value is None else float(Decimal(value) / scale))
            growth.append(yoy_growth(value, previous))
        result.append(
            Series(key, label, unit, [p.strftime("%Y-%m") for p in periods], values, growth)
        )
    return result


def figures_can_import(user: User) -> bool:
    return enterprise_can_create(user) or (user.is_authenticated and user.role == Role.OFFICER)


@dataclass(frozen=True)
class Overview:
    total: int
    above_scale: int
    by_size: dict[str, int]
    by_district: list[tuple[str, int]]
    expiring: list[Qualification]
    latest_period: dt.date | None
    latest_output: Decimal | None
    latest_output_yoy: float | None


def enterprise_overview(*, user: User) -> Overview:
    """Counts for the home page, over the user's scope (a fixed number of queries)."""
    from django.db.models import Count, Max, Sum

    scope = enterprise_scope(user)
    totals = scope.aggregate(total=Count("pk"), above=Count("pk", filter=Q(above_scale=True)))
    by_size = dict(scope.values_list("size_class").annotate(n=Count("pk")).order_by())
    by_district = list(
        scope.values_list("district__name").annotate(n=Count("pk")).order_by("-n", "district__name")
    )
    today = timezone.localdate()
    expiring = list(
        Qualification.objects.filter(
            enterprise__in=scope.values("pk"),
            expires_on__gte=today,
            expires_on__lte=today + dt.timedelta(days=90),
        )
        .select_related("enterprise")
        .order_by("expires_on")[:10]
    )
    figures = MonthlyFigure.objects.filter(enterprise__in=scope.values("pk"))
    latest = figures.aggregate(p=Max("period"))["p"]
    output = yoy = None
    if latest:
        output = figures.filter(period=latest).aggregate(s=Sum("output_value"))["s"]
        prior = figures.filter(period=latest.replace(year=latest.year - 1)).aggregate(
            s=Sum("output_value")
        )["s"]
        yoy = yoy_growth(output, prior)
    return Overview(
        total=totals["total"],
        above_scale=totals["above"],
        by_size=by_size,
        by_district=by_district,
        expiring=expiring,
        latest_period=latest,
        latest_output=output,
        latest_output_yoy=yoy,
    )
