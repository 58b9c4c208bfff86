"""Demands API: the demands you see (the inbox's tabs), one with its history, registering
one and taking a step of its loop. Scope as in the web UI: out of scope is a 404, a step
not yours a 403, a step not possible now a 422, someone else first a 409."""

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from gongxin.chains.forms import EnterpriseRefField
from gongxin.core.models import Department
from gongxin.demands import selectors, services
from gongxin.enterprises.selectors import enterprise_scope

router = Router(tags=["demands"])


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor: str | None
    department: str | None
    at: dt.datetime
    text: str

    @staticmethod
    def resolve_actor(event) -> str | None:
        return str(event.actor) if event.actor_id else None

    @staticmethod
    def resolve_department(event) -> str | None:
        return event.department.code if event.department_id else None


class DemandOut(Schema):
    id: int
    enterprise: int
    enterprise_name: str
    title: str
    text: str
    category: str
    urgency: str
    source: str
    reference: str
    status: str
    lead: str | None
    registered_at: dt.datetime
    dispatch_due: dt.datetime
    reply_due: dt.datetime | None
    resolve_due: dt.datetime | None
    rating: str
    reopened: int
    version: int

    @staticmethod
    def resolve_enterprise(demand) -> int:
        return demand.enterprise_id

    @staticmethod
    def resolve_enterprise_name(demand) -> str:
        return demand.enterprise.name

    @staticmethod
    def resolve_lead(demand) -> str | None:
        return demand.lead.code if demand.lead_id else None


class DemandDetailOut(DemandOut):
    events: list[EventOut]
    allowed: list[str]

    @staticmethod
    def resolve_events(demand) -> list:
        return demand.event_list

    @staticmethod
    def resolve_allowed(demand) -> list[str]:
        return demand.allowed


class DemandIn(Schema):
    enterprise: str = ""  # credit code or exact name; an enterprise user's own by default
    title: str
    text: str
    category: str = ""
    urgency: str = "normal"
    source: str = "phone"
    reference: str = ""


class StepIn(Schema):
    action: Literal["dispatch", "return", "accept", "interim", "resolve", "rate", "follow_up"]
    version: int
    text: str = ""
    lead: str | None = None  # department code
    co_departments: list[str] = []
    rating: str = ""


class ConflictOut(Schema):
    detail: str


@router.get("", response=list[DemandOut], summary="Demands in your scope (tab: mine, all, overdue)")
@paginate(PageNumberPagination, page_size=50)
def demand_list(request, tab: Literal["mine", "all", "overdue"] = "all"):
    return selectors.demand_list(request.user, tab=tab)


def _detail(request, pk: int):
    demand = get_object_or_404(
        selectors.demand_scope(request.user).select_related("enterprise", "lead"), pk=pk
    )
    demand.event_list = list(
        demand.events.select_related("actor", "department").order_by("at", "pk")
    )
    demand.allowed = services.allowed_actions(request.user, demand)
    return demand


@router.get("/{int:pk}", response=DemandDetailOut, summary="A demand with its history")
def demand_detail(request, pk: int):
    return _detail(request, pk)


@router.post("", response={201: DemandDetailOut}, summary="Register a demand")
def demand_create(request, payload: DemandIn):
    user = request.user
    if payload.enterprise:
        field = EnterpriseRefField(queryset=enterprise_scope(user), required=True)
        enterprise = field.clean(payload.enterprise)
    elif user.enterprise_id:
        enterprise = user.enterprise
    else:
        raise ValidationError({"enterprise": ["Give the enterprise's credit code or name."]})
    demand = services.demand_register(
        actor=user,
        enterprise=enterprise,
        title=payload.title,
        text=payload.text,
        category=payload.category,
        urgency=payload.urgency,
        source=payload.source,
        reference=payload.reference,
    )
    return Status(201, _detail(request, demand.pk))


@router.post(
    "/{int:pk}/steps",
    response={200: DemandDetailOut, 409: ConflictOut},
    summary="Take a step of the demand's loop at the version you saw",
)
def demand_step(request, pk: int, payload: StepIn):
    demand = get_object_or_404(selectors.demand_scope(request.user), pk=pk)
    departments = {
        d.code: d
        for d in Department.objects.filter(code__in=[payload.lead or "", *payload.co_departments])
    }
    try:
        services.demand_step(
            actor=request.user,
            demand=demand,
            action=payload.action,
            text=payload.text,
            version=payload.version,
            lead=departments.get(payload.lead or ""),
            co_departments=[departments[c] for c in payload.co_departments if c in departments],
            rating=payload.rating,
        )
    except services.Conflict as conflict:
        return Status(409, {"detail": conflict.messages[0]})
    return _detail(request, pk)
