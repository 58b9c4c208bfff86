"""Indicators and cockpit API: every indicator of a scope for a month with its target
(as the indicators page shows it), and the cockpit's data for a month, for the city or a
district (what the cockpit page and the monthly briefing show). Money in yuan as decimal
strings; indicator values in their stored unit (`divisor` gives the unit shown). A month
is `YYYY-MM`; a malformed one is a 422, a scope or area you do not read a 403. Division
staff set the year's targets and record the province's figures (PUT, idempotent)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from ninja import Router, Schema

from gongxin.cockpit.selectors import (
    cockpit_build,
    cockpit_can_read,
    cockpit_month,
    cockpit_region,
)
from gongxin.indicators import selectors as indicator_selectors
from gongxin.indicators.figures import Reading, scope_of
from gongxin.indicators.models import Indicator
from gongxin.indicators.services import province_figure_save, target_save

router = Router(tags=["indicators and cockpit"])


def _month(text: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise ValidationError({"month": ["Give the month as YYYY-MM."]}) from None


class ReadingOut(Schema):
    code: str
    name: str
    unit: str
    divisor: Decimal
    aggregation: str
    month_value: Decimal | None
    month_growth: Decimal | None
    to_date: Decimal | None
    to_date_growth: Decimal | None
    months: int
    months_before: int
    target_level: Decimal | None
    target_growth: Decimal | None
    progress: Decimal | None
    growth_gap: Decimal | None
    province_to_date: Decimal | None
    province_share: Decimal | None  # 首位度 (%), the city only


def _rate(value) -> Decimal | None:
    """A growth, share or gap in percent, to two decimals."""
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


_RATES = ("month_growth", "to_date_growth", "progress", "growth_gap", "province_share")


def _reading(r: Reading) -> dict:
    i = r.indicator
    return {
        "code": i.code,
        "name": i.name,
        "unit": i.unit,
        "divisor": i.divisor,
        "aggregation": i.aggregation,
        **{
            k: _rate(getattr(r, k)) if k in _RATES else getattr(r, k)
            for k in (
                "month_value",
                "month_growth",
                "to_date",
                "to_date_growth",
                "months",
                "months_before",
                "target_level",
                "target_growth",
                "progress",
                "growth_gap",
                "province_to_date",
                "province_share",
            )
        },
    }


class IndicatorsOut(Schema):
    scope: str
    month: dt.date
    readings: list[ReadingOut]


@router.get("/indicators", response=IndicatorsOut, summary="Every indicator of a scope")
def indicators(request, scope: str = "city", month: str = ""):
    """`scope`: "city", a district's or park's code, or "chain:<code>"."""
    user = request.user
    if not indicator_selectors.indicators_can_read(user):
        raise PermissionDenied
    allowed = {s.key: s for s in indicator_selectors.scopes_for(user)}
    if scope not in allowed:
        raise PermissionDenied
    when = cockpit_month(_month(month))
    readings = indicator_selectors.overview(allowed[scope], when)
    return {"scope": scope, "month": when, "readings": [_reading(r) for r in readings]}


class TargetIn(Schema):
    indicator: str  # code
    year: int
    scope: str = "city"  # "city", a region's code, or "chain:<code>"
    level: Decimal | None = None  # the year's total, in the stored unit (yuan, kWh)
    growth: Decimal | None = None  # percent on the year before


class TargetOut(Schema):
    indicator: str
    year: int
    scope: str
    level: Decimal | None
    growth: Decimal | None
    created: bool


@router.put("/indicators/targets", response=TargetOut, summary="Set a year's target")
def target_put(request, payload: TargetIn):
    """Division staff set the targets; the same target sent again changes nothing."""
    indicator = _indicator(payload.indicator)
    try:
        where = scope_of(payload.scope)
    except ObjectDoesNotExist:
        raise ValidationError({"scope": ["No region or chain has this code."]}) from None
    target, created, _changes = target_save(
        actor=request.user,
        indicator=indicator,
        year=payload.year,
        region=where.region,
        chain=where.chain,
        level=payload.level,
        growth=payload.growth,
    )
    return {
        "indicator": indicator.code,
        "year": target.year,
        "scope": target.scope,
        "level": target.level,
        "growth": target.growth,
        "created": created,
    }


class ProvinceIn(Schema):
    indicator: str  # code
    month: str  # YYYY-MM
    to_date: Decimal  # the province's year to date, in the stored unit
    month_value: Decimal | None = None


class ProvinceOut(Schema):
    indicator: str
    month: dt.date
    to_date: Decimal
    month_value: Decimal | None
    created: bool


@router.put("/indicators/province", response=ProvinceOut, summary="Record the province's figure")
def province_put(request, payload: ProvinceIn):
    """The province's figure of a month (for the city's share of the province, 首位度)."""
    indicator = _indicator(payload.indicator)
    month = _month(payload.month)
    if month is None:
        raise ValidationError({"month": ["Give the month as YYYY-MM."]})
    figure, created, _changes = province_figure_save(
        actor=request.user,
        indicator=indicator,
        period=month,
        to_date=payload.to_date,
        month_value=payload.month_value,
    )
    return {
        "indicator": indicator.code,
        "month": figure.period,
        "to_date": figure.to_date,
        "month_value": figure.month_value,
        "created": created,
    }


def _indicator(code: str) -> Indicator:
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None:
        raise ValidationError({"indicator": ["No indicator has this code."]})
    return indicator


class ChainRowOut(Schema):
    code: str
    name: str
    revenue_to_date: Decimal | None
    growth: Decimal | None
    target: Decimal | None
    progress: Decimal | None
    enterprises: int
    gaps: int


class DistrictRowOut(Schema):
    code: str
    name: str
    output_to_date: Decimal | None
    output_before: Decimal | None
    growth: Decimal | None


class ProjectsOut(Schema):
    projects: int
    planned: Decimal | None
    completed: Decimal | None
    share: Decimal | None
    red: int
    yellow: int
    green: int
    year_planned: Decimal
    year_completed: Decimal
    by_stage: dict[str, int]


class DemandsOut(Schema):
    received: int
    resolved: int
    closure_rate: float | None
    on_time_rate: float | None
    satisfaction_rate: float | None
    open: int
    overdue: int


class PlansOut(Schema):
    plans: int
    achieved: int
    items: int
    items_done: int
    items_late: int


class PracticeOut(Schema):
    """The issued plans' tasks (落实), city-wide."""

    plans: int
    tasks: int
    done: int
    late: int
    attention: int
    missing: int


class CockpitOut(Schema):
    month: dt.date
    area: str  # "city" or the district's code
    indicators: list[ReadingOut]
    districts: list[DistrictRowOut]
    chains: list[ChainRowOut]
    projects: ProjectsOut
    demands: DemandsOut
    plans: PlansOut
    practice: PracticeOut | None  # null for a district's cockpit
    alerts: dict[str, int]


@router.get("/cockpit", response=CockpitOut, summary="The cockpit's data for a month")
def cockpit(request, month: str = "", region: str = ""):
    """For the city, or (`region`) a district or park; a district user always reads their
    own area."""
    user = request.user
    if not cockpit_can_read(user):
        raise PermissionDenied
    c = cockpit_build(user, cockpit_month(_month(month)), cockpit_region(user, region))
    p = c.projects
    return {
        "month": c.month,
        "area": c.scope_key,
        "indicators": [_reading(r) for r in c.readings],
        "districts": [
            {
                "code": d["region"].code,
                "name": d["region"].name,
                "output_to_date": d["to_date"],
                "output_before": d["before"],
                "growth": _rate(d["growth"]),
            }
            for d in c.districts
        ],
        "chains": [
            {
                "code": row.chain.code,
                "name": row.chain.name,
                "revenue_to_date": row.to_date,
                "growth": _rate(row.growth),
                "target": row.target,
                "progress": _rate(row.progress),
                "enterprises": row.enterprises,
                "gaps": row.gaps,
            }
            for row in c.chains
        ],
        "projects": {
            **{k: p.total.get(k) or 0 for k in ("projects", "red", "yellow", "green")},
            "planned": p.total.get("planned"),
            "completed": p.total.get("completed"),
            "share": _rate(p.total.get("share")),
            "year_planned": p.year_planned,
            "year_completed": p.year_completed,
            "by_stage": {row["key"]: row["projects"] for row in p.by_stage},
        },
        "demands": {
            k: getattr(c.demands, k)
            for k in (
                "received",
                "resolved",
                "closure_rate",
                "on_time_rate",
                "satisfaction_rate",
                "open",
                "overdue",
            )
        },
        "plans": {
            k: getattr(c.plans, k)
            for k in ("plans", "achieved", "items", "items_done", "items_late")
        },
        "practice": None
        if c.practice is None
        else {
            k: getattr(c.practice, k)
            for k in ("plans", "tasks", "done", "late", "attention", "missing")
        },
        "alerts": c.alerts,
    }
