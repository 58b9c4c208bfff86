"""Demands API: the demands you see (the inbox's tabs, filtered), one with its history,
factor request, attachments and extensions; registering one; each step of its loop; the
desk's category, merging and "not a duplicate"; extensions asked and decided;
attachments; the board and the statistics. Visits and visit plans are in `visits_router`.
Scope as in the web UI: out of scope is a 404, a step not yours a 403, a step not possible
now a 422, someone else first a 409."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from gongxin.chains.forms import EnterpriseRefField
from gongxin.chains.models import Chain
from gongxin.core.choices import Role
from gongxin.core.models import Department, Region, User
from gongxin.demands import coverage, selectors, services, statistics
from gongxin.demands.choices import Category
from gongxin.demands.choices import Status as DemandStatus
from gongxin.demands.models import Demand, DemandAttachment, DemandExtension
from gongxin.demands.services.visits import RaisedDemand
from gongxin.enterprises.selectors import enterprise_scope
from gongxin.projects.selectors import project_scope

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


class FactorOut(Schema):
    kind: str
    detail: str
    quantity: Decimal
    unit: str
    needed_by: dt.date | None
    term_months: int | None
    project: int | None
    fulfilled: Decimal | None

    @staticmethod
    def resolve_project(factor) -> int | None:
        return factor.project_id


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_at: dt.datetime
    url: str

    @staticmethod
    def resolve_url(attachment) -> str:
        return reverse("api:demand_attachment_file", args=[attachment.demand_id, attachment.pk])


class ExtensionOut(Schema):
    id: int
    phase: str
    days: int
    reason: str
    status: str
    requested_at: dt.datetime
    due_before: dt.datetime
    due_after: dt.datetime
    decided_at: dt.datetime | None
    decision_note: str


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
    key: bool
    duplicate_of: int | None
    merged_into: int | None
    visit: int | None
    version: int

    @staticmethod
    def resolve_duplicate_of(demand) -> int | None:
        return demand.duplicate_of_id

    @staticmethod
    def resolve_merged_into(demand) -> int | None:
        return demand.merged_into_id

    @staticmethod
    def resolve_visit(demand) -> int | None:
        return demand.visit_id

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
    factor: FactorOut | None
    attachments: list[AttachmentOut]
    extensions: list[ExtensionOut]
    merged: list[int]

    @staticmethod
    def resolve_factor(demand):
        return getattr(demand, "factor", None)  # a demand without one: None

    @staticmethod
    def resolve_attachments(demand) -> list:
        return list(demand.attachments.all())

    @staticmethod
    def resolve_extensions(demand) -> list:
        return list(demand.extensions.all())

    @staticmethod
    def resolve_merged(demand) -> list[int]:
        return list(demand.merged.values_list("pk", flat=True))

    @staticmethod
    def resolve_events(demand) -> list:
        return demand.event_list

    @staticmethod
    def resolve_allowed(demand) -> list[str]:
        return demand.allowed


class FactorIn(Schema):
    kind: Literal["labour", "talent", "funds", "land", "energy"]
    detail: str
    quantity: Decimal
    unit: str = ""
    needed_by: dt.date | None = None
    term_months: int | None = None
    project: int | None = None  # a key project of the enterprise


class DemandIn(Schema):
    enterprise: str = ""  # credit code or exact name; an enterprise user's own by default
    title: str
    text: str
    category: str = ""
    urgency: str = "normal"
    source: str = "phone"
    reference: str = ""
    factor: FactorIn | None = None


class StepIn(Schema):
    action: Literal["dispatch", "return", "accept", "interim", "resolve", "rate", "follow_up"]
    version: int
    text: str = ""
    lead: str | None = None  # department code
    co_departments: list[str] = []
    rating: str = ""
    fulfilled: Decimal | None = None


class ConflictOut(Schema):
    detail: str


class CategoryIn(Schema):
    category: str
    version: int


class MergeIn(Schema):
    into: int
    version: int


class VersionIn(Schema):
    version: int


class ExtensionIn(Schema):
    phase: Literal["reply", "resolve"] = "resolve"
    days: int
    reason: str
    version: int


class DecisionIn(Schema):
    approve: bool
    note: str = ""


def factor_ask(user, enterprise, factor: FactorIn | None):
    """The service's FactorAsk from the API's, its project looked up in the user's scope."""
    if factor is None:
        return None
    project = None
    if factor.project is not None:
        project = project_scope(user).filter(pk=factor.project, enterprise=enterprise).first()
        if project is None:
            raise ValidationError({"project": ["No key project of this enterprise has that id."]})
    return services.FactorAsk(
        kind=factor.kind,
        detail=factor.detail,
        quantity=factor.quantity,
        unit=factor.unit,
        needed_by=factor.needed_by,
        term_months=factor.term_months,
        project=project,
    )


@router.get("", response=list[DemandOut], summary="Demands in your scope (tab: mine, all, overdue)")
@paginate(PageNumberPagination, page_size=50)
def demand_list(
    request,
    tab: Literal["mine", "all", "overdue"] = "all",
    status: str = "",
    category: str = "",
    key: bool | None = None,
):
    # the inbox defers the text, which every row here shows
    qs = (
        selectors.demand_list(request.user, tab=tab).defer(None).defer("enterprise__business_scope")
    )
    if status:
        if status not in DemandStatus.values:
            raise ValidationError({"status": [f"Unknown status {status}."]})
        qs = qs.filter(status=status)
    if category:
        if category not in Category.values:
            raise ValidationError({"category": [f"Unknown category {category}."]})
        qs = qs.filter(category=category)
    if key is not None:
        qs = qs.filter(key=key)
    return qs


class BoardColumnOut(Schema):
    status: str
    count: int
    demands: list[DemandOut]


@router.get("/board", response=list[BoardColumnOut], summary="The board: a column per status")
def demand_board(request):
    return [
        {"status": c["status"].value, "count": c["count"], "demands": list(c["cards"])}
        for c in statistics.demand_board(request.user)
    ]


class StatRowOut(Schema):
    key: str | None
    label: str
    received: int
    resolved: int
    on_time: int
    rated: int
    satisfied: int
    open: int
    overdue: int
    closure_rate: float | None
    on_time_rate: float | None
    satisfaction_rate: float | None
    handling_days: float | None

    @staticmethod
    def resolve_key(row) -> str | None:
        return None if row.key is None else str(row.key)


class HotTermOut(Schema):
    term: str
    count: int
    before: int


class StatisticsOut(Schema):
    dimension: str
    start: dt.date
    end: dt.date
    rows: list[StatRowOut]
    total: StatRowOut
    hot: list[HotTermOut]


@router.get("/statistics", response=StatisticsOut, summary="Closure, on-time and satisfaction")
def demand_statistics(
    request,
    by: Literal["department", "category", "district", "chain", "month"] = "department",
    start: dt.date | None = None,
    end: dt.date | None = None,
):
    """By lead department, category, district, chain or month, for the months from
    `start` to `end` (their first days; default this year to date); hot topics."""
    if request.user.role == Role.ENTERPRISE:
        raise PermissionDenied
    return statistics.demand_statistics(request.user, dimension=by, start=start, end=end)


def _detail(request, pk: int):
    demand = get_object_or_404(
        selectors.demand_scope(request.user).select_related("enterprise", "lead", "factor"),
        pk=pk,
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
        factor=factor_ask(user, enterprise, payload.factor),
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
            fulfilled=payload.fulfilled,
        )
    except services.Conflict as conflict:
        return Status(409, {"detail": conflict.messages[0]})
    return _detail(request, pk)


def _scoped(request, pk: int):
    return get_object_or_404(selectors.demand_scope(request.user), pk=pk)


def _at_version(request, pk: int, call):
    """Run a change at the version seen: 409 when someone else was first."""
    try:
        call(_scoped(request, pk))
    except services.Conflict as conflict:
        return Status(409, {"detail": conflict.messages[0]})
    return _detail(request, pk)


CHANGE = {200: DemandDetailOut, 409: ConflictOut}


@router.post("/{int:pk}/category", response=CHANGE, summary="The desk changes the category")
def demand_category(request, pk: int, payload: CategoryIn):
    return _at_version(
        request,
        pk,
        lambda d: services.demand_recategorize(
            actor=request.user, demand=d, category=payload.category, version=payload.version
        ),
    )


@router.post("/{int:pk}/merge", response=CHANGE, summary="The desk merges it into another")
def demand_merge(request, pk: int, payload: MergeIn):
    into = get_object_or_404(selectors.demand_scope(request.user), pk=payload.into)

    def merge(demand):
        services.demand_merge(
            actor=request.user, duplicate=demand, into=into, version=payload.version
        )

    return _at_version(request, pk, merge)


@router.post("/{int:pk}/not-duplicate", response=CHANGE, summary="Not a duplicate after all")
def demand_not_duplicate(request, pk: int, payload: VersionIn):
    return _at_version(
        request,
        pk,
        lambda d: services.duplicate_dismiss(actor=request.user, demand=d, version=payload.version),
    )


@router.post("/{int:pk}/extensions", response=CHANGE, summary="The lead asks for more time")
def demand_extension(request, pk: int, payload: ExtensionIn):
    return _at_version(
        request,
        pk,
        lambda d: services.extension_request(
            actor=request.user,
            demand=d,
            days=payload.days,
            reason=payload.reason,
            phase=payload.phase,
            version=payload.version,
        ),
    )


@router.post(
    "/{int:pk}/extensions/{int:extension_pk}/decision",
    response=CHANGE,
    summary="The desk approves or refuses an extension",
)
def demand_extension_decision(request, pk: int, extension_pk: int, payload: DecisionIn):
    demand = _scoped(request, pk)
    extension = get_object_or_404(DemandExtension, pk=extension_pk, demand=demand)
    try:
        services.extension_decide(
            actor=request.user, extension=extension, approve=payload.approve, note=payload.note
        )
    except ValidationError as error:
        if getattr(error, "code", None) != "conflict":  # decided by someone else first
            raise
        return Status(409, {"detail": error.messages[0]})
    return _detail(request, pk)


@router.post(
    "/{int:pk}/attachments",
    response={201: list[AttachmentOut]},
    summary="Attach files (PDF, images, Word, Excel; size-limited)",
)
def demand_attach(request, pk: int, files: list[UploadedFile] = File(...)):  # noqa: B008
    demand = _scoped(request, pk)
    return Status(201, services.attachments_add(actor=request.user, demand=demand, files=files))


@router.get(
    "/{int:pk}/attachments/{int:attachment_pk}",
    url_name="demand_attachment_file",
    summary="An attachment's file",
)
def demand_attachment_file(request, pk: int, attachment_pk: int):
    attachment = get_object_or_404(DemandAttachment, pk=attachment_pk, demand=_scoped(request, pk))
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )


# Visits and visit plans ------------------------------------------------------------------

visits_router = Router(tags=["visits"])


class VisitOut(Schema):
    id: int
    enterprise: int
    enterprise_name: str
    visited_on: dt.date
    kind: str
    officials: list[str]
    seen: str
    findings: str
    demands: list[int]

    @staticmethod
    def resolve_enterprise(visit) -> int:
        return visit.enterprise_id

    @staticmethod
    def resolve_enterprise_name(visit) -> str:
        return visit.enterprise.name

    @staticmethod
    def resolve_officials(visit) -> list[str]:
        return [u.username for u in visit.officials.all()]

    @staticmethod
    def resolve_demands(visit) -> list[int]:
        return [d.pk for d in visit.demands.all()]


class RaisedIn(Schema):
    title: str
    text: str
    category: str = ""
    urgency: str = "normal"
    factor: FactorIn | None = None


class VisitIn(Schema):
    enterprise: str  # credit code or exact name
    visited_on: dt.date
    kind: Literal["on_site", "phone", "video"] = "on_site"
    officials: list[str] = []  # usernames; you by default
    seen: str
    findings: str = ""
    demands: list[RaisedIn] = []


class CoverageOut(Schema):
    key: int | None
    label: str
    due: int
    on_time: int
    late: int
    overdue: int
    current: int
    current_done: int
    open: int
    coverage: float | None
    on_time_rate: float | None


class PlanOut(Schema):
    id: int
    name: str
    target: str
    chain: int | None
    region: str | None
    frequency: str
    starts_on: dt.date
    ends_on: dt.date
    note: str

    @staticmethod
    def resolve_chain(plan) -> int | None:
        return plan.chain_id

    @staticmethod
    def resolve_region(plan) -> str | None:
        return plan.region.code if plan.region_id else None


class PlanIn(Schema):
    name: str
    target: Literal["above_scale", "chain", "key_chains", "region"]
    frequency: Literal["once", "monthly", "quarterly"]
    starts_on: dt.date
    ends_on: dt.date
    chain: int | None = None
    region: str | None = None  # region code
    note: str = ""


class TaskOut(Schema):
    id: int
    plan: int
    enterprise: int
    enterprise_name: str
    official: str | None
    period_start: dt.date
    due: dt.date
    visited_on: dt.date | None
    visit: int | None

    @staticmethod
    def resolve_plan(task) -> int:
        return task.plan_id

    @staticmethod
    def resolve_enterprise(task) -> int:
        return task.enterprise_id

    @staticmethod
    def resolve_enterprise_name(task) -> str:
        return task.enterprise.name

    @staticmethod
    def resolve_official(task) -> str | None:
        return task.official.username if task.official_id else None

    @staticmethod
    def resolve_visit(task) -> int | None:
        return task.visit_id


def _visits(request):
    return (
        selectors.visit_scope(request.user)
        .select_related("enterprise")
        .prefetch_related("officials", Prefetch("demands", Demand.objects.order_by("pk")))
        .order_by("-visited_on", "-pk")
    )


@visits_router.get("", response=list[VisitOut], summary="Visits in your scope, newest first")
@paginate(PageNumberPagination, page_size=50)
def visit_list(request, enterprise: int | None = None):
    qs = _visits(request)
    return qs.filter(enterprise_id=enterprise) if enterprise else qs


@visits_router.get("/{int:pk}", response=VisitOut, summary="A visit")
def visit_detail(request, pk: int):
    return get_object_or_404(_visits(request), pk=pk)


@visits_router.post("", response={201: VisitOut}, summary="Record a visit and its demands")
def visit_create(request, payload: VisitIn):
    user = request.user
    field = EnterpriseRefField(queryset=enterprise_scope(user), required=True)
    enterprise = field.clean(payload.enterprise)
    officials = list(  # those who go on visits, as on the page's form
        User.objects.filter(
            username__in=payload.officials,
            is_active=True,
            role__in=(Role.OFFICER, Role.DISTRICT, Role.STAFF, Role.LEADER),
        )
    )
    unknown = set(payload.officials) - {u.username for u in officials}
    if unknown:
        raise ValidationError({"officials": [f"Unknown users: {', '.join(sorted(unknown))}."]})
    visit = services.visit_record(
        actor=user,
        enterprise=enterprise,
        visited_on=payload.visited_on,
        kind=payload.kind,
        officials=officials,
        seen=payload.seen,
        findings=payload.findings,
        demands=[
            RaisedDemand(
                title=d.title,
                text=d.text,
                category=d.category,
                urgency=d.urgency,
                factor=factor_ask(user, enterprise, d.factor),
            )
            for d in payload.demands
        ],
    )
    return Status(201, get_object_or_404(_visits(request), pk=visit.pk))


@visits_router.get("/tasks", response=list[TaskOut], summary="Visits to make: open or overdue")
@paginate(PageNumberPagination, page_size=50)
def visit_tasks(request, state: Literal["open", "overdue"] = "open", mine: bool = False):
    if state == "overdue":
        qs = coverage.overdue_tasks(request.user)
        return qs.filter(official=request.user) if mine else qs
    return coverage.open_tasks(request.user, mine=mine)


@visits_router.get("/plans", response=list[PlanOut], summary="Visit plans covering your scope")
def visit_plans(request):
    return (
        selectors.visit_plan_scope(request.user)
        .select_related("region")
        .order_by("-starts_on", "pk")
    )


@visits_router.post("/plans", response={201: PlanOut}, summary="Make a visit plan")
def visit_plan_create(request, payload: PlanIn):
    chain = get_object_or_404(Chain, pk=payload.chain) if payload.chain else None
    region = get_object_or_404(Region, code=payload.region) if payload.region else None
    plan = services.visit_plan_create(
        actor=request.user,
        name=payload.name,
        target=payload.target,
        frequency=payload.frequency,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        chain=chain,
        region=region,
        note=payload.note,
    )
    return Status(201, plan)


@visits_router.get(
    "/coverage", response=list[CoverageOut], summary="Coverage by plan, official, district, chain"
)
def visit_coverage(
    request,
    by: Literal["plan", "official", "district", "chain"] = "official",
    plan: int | None = None,
):
    if not selectors.visit_menu(request.user):
        raise PermissionDenied
    chosen = get_object_or_404(selectors.visit_plan_scope(request.user), pk=plan) if plan else None
    return coverage.visit_coverage(request.user, by=by, plan=chosen)
