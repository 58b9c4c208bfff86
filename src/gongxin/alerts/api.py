"""Early warnings API (预警): the list with the web list's filters and the open counts by
rule. Scope as in the web UI; enterprise users get a 403; a bad filter value is a 422
naming the field."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from gongxin.alerts import selectors
from gongxin.alerts.choices import Rule
from gongxin.alerts.filters import AlertFilterSet

router = Router(tags=["alerts"])

_RULES = dict(Rule.choices)


class AlertOut(Schema):
    id: int
    rule: str
    rule_label: str
    description: str
    status: str
    enterprise_id: int | None
    enterprise_name: str | None
    project_id: int | None
    project_code: str | None
    district: str | None  # code
    official: str | None  # username
    period: dt.date
    value: Decimal | None
    before: Decimal | None
    measure: Decimal | None
    opened_at: dt.datetime
    seen_at: dt.datetime
    closed_at: dt.datetime | None
    visit_id: int | None

    @staticmethod
    def resolve_rule_label(alert) -> str:
        return str(_RULES[alert.rule])

    @staticmethod
    def resolve_enterprise_name(alert) -> str | None:
        return alert.enterprise.name if alert.enterprise_id else None

    @staticmethod
    def resolve_project_code(alert) -> str | None:
        return alert.project.code if alert.project_id else None

    @staticmethod
    def resolve_district(alert) -> str | None:
        return alert.district.code if alert.district_id else None

    @staticmethod
    def resolve_official(alert) -> str | None:
        return alert.official.username if alert.official_id else None


class AlertFilters(Schema):
    q: str = ""
    rule: str = ""
    status: str = ""  # open, closed; both when empty
    district: str = ""  # code
    mine: str = ""  # 1 or 0
    visited: str = ""  # 1 or 0
    sort: str = ""  # opened, measure, period; "-" before for descending


def _readable(request) -> None:
    if not selectors.alerts_can_read(request.user):
        raise PermissionDenied


@router.get("", response=list[AlertOut], summary="Early warnings in your scope, filtered")
@paginate(PageNumberPagination, page_size=50)
def alert_list(request, filters: Query[AlertFilters]):
    _readable(request)
    params = {k: v for k, v in filters.dict().items() if v}
    filterset = AlertFilterSet(
        params, queryset=selectors.alert_rows(request.user), user=request.user
    )
    if not filterset.is_valid():
        errors = filterset.errors.get_json_data()
        raise ValidationError({k: [e["message"] for e in v] for k, v in errors.items()})
    return filterset.qs


@router.get("/counts", response=dict[str, int], summary="Open early warnings by rule")
def alert_counts(request):
    _readable(request)
    counts = selectors.alert_counts(request.user)
    return {rule: counts.get(rule, 0) for rule in Rule.values}
