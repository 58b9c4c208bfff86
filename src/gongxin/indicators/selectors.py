"""Reads of indicators: who reads them and for which scopes, and the overview of a scope
for a month with the year's targets."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied

from gongxin.chains.models import Chain
from gongxin.core.choices import PARK_KINDS, Role
from gongxin.core.models import Region, User
from gongxin.core.selectors import district_list, park_list, region_with_descendants
from gongxin.indicators import figures
from gongxin.indicators.choices import Aggregation
from gongxin.indicators.figures import Reading, Scope
from gongxin.indicators.models import Indicator, ProvinceFigure, Target


def indicators_can_read(user: User) -> bool:
    """Officials read indicators; enterprise users do not."""
    return bool(user and user.is_authenticated and user.is_active and user.role != Role.ENTERPRISE)


def scopes_for(user: User) -> list[Scope]:
    """The scopes `user` may read: district and park staff their own area (a district its
    parks too); every other official the city, each district, park and chain."""
    if not indicators_can_read(user):
        return []
    if user.role == Role.DISTRICT and user.region_id:
        region = user.region
        inside = Region.objects.filter(
            pk__in=region_with_descendants(region), kind__in=PARK_KINDS
        ).exclude(pk=region.pk)
        if region.kind not in PARK_KINDS:
            inside = park_list().filter(parent=region) | inside
        return [Scope(region=region)] + [Scope(region=r) for r in inside.distinct()]
    return (
        [Scope()]
        + [Scope(region=r) for r in district_list()]
        + [Scope(region=r) for r in park_list()]
        + [Scope(chain=c) for c in Chain.objects.filter(parent__isnull=True)]
    )


def scope_for(user: User, key: str | None) -> Scope:
    """The scope of `key` if `user` may read it, else the user's first one."""
    allowed = scopes_for(user)
    if not allowed:
        raise PermissionDenied
    return next((scope for scope in allowed if scope.key == key), allowed[0])


def overview(scope: Scope, month: dt.date) -> list[Reading]:
    """Every indicator for the scope and month, with the year's target for the scope and,
    for the city, the province's year to date (a query or two per indicator, whatever the
    number of enterprises)."""
    targets = {t.indicator_id: t for t in Target.objects.filter(year=month.year, scope=scope.key)}
    province = {}
    if scope.key == "city":
        province = dict(
            ProvinceFigure.objects.filter(period=month).values_list("indicator_id", "to_date")
        )
    readings = []
    for indicator in Indicator.objects.select_related("numerator", "denominator"):
        reading = figures.read(indicator, scope, month)
        target = targets.get(indicator.pk)
        if target is not None:
            reading.target_level, reading.target_growth = target.level, target.growth
        if indicator.aggregation != Aggregation.RATIO:
            reading.province_to_date = province.get(indicator.pk)
        readings.append(reading)
    return readings
