"""Plans API (落实): parse a document, import it as a draft plan, read plans with their
task trees, list and assign tasks, file and read progress reports. Scope as in the web
UI: a department sees the issued plans it owns tasks in, and only those tasks; only the
lead department (or staff) reports; only staff and administrators import and assign."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import File, Query, Router, Schema, UploadedFile
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from gongxin.core.models import Department, User
from gongxin.plans import reading, schedule, selectors, services
from gongxin.plans.choices import State, TaskStatus
from gongxin.plans.models import Plan, Report, Task

router = Router(tags=["plans"])


class PlanOut(Schema):
    id: int
    title: str
    number: str
    author: str
    issued_on: dt.date | None
    year: int
    status: str
    report_every: str
    issued_at: dt.datetime | None
    tasks: int
    done: int
    red: int
    yellow: int
    reports_missing: int

    @staticmethod
    def resolve_tasks(plan) -> int:
        return plan.task_count

    @staticmethod
    def resolve_done(plan) -> int:
        return plan.done_count

    @staticmethod
    def resolve_red(plan) -> int:
        return plan.red_count

    @staticmethod
    def resolve_yellow(plan) -> int:
        return plan.yellow_count

    @staticmethod
    def resolve_reports_missing(plan) -> int:
        return plan.missing_count


class TaskOut(Schema):
    id: int
    plan_id: int
    parent_id: int | None
    number: str
    marker: str
    title: str
    text: str
    is_leaf: bool
    lead: str | None  # department code
    partners: list[str]  # department codes
    owners_text: str
    official: str | None  # username
    deadline: dt.date | None
    ongoing: bool
    status: str
    state: str
    colour: str
    report_missing: bool
    progress: int
    completed_on: dt.date | None
    last_period: dt.date | None
    confirmed: bool

    @staticmethod
    def resolve_lead(task) -> str | None:
        return task.lead.code if task.lead_id else None

    @staticmethod
    def resolve_partners(task) -> list[str]:
        return [d.code for d in task.partners.all()]

    @staticmethod
    def resolve_official(task) -> str | None:
        return task.official.username if task.official_id else None


class PlanDetailOut(PlanOut):
    preamble: str
    warnings: list[str]
    task_tree: list[TaskOut]


class ReportOut(Schema):
    id: int
    task_id: int
    period: dt.date
    status: str
    progress: int
    text: str
    problems: str
    next_steps: str
    reported_by: str | None
    reported_at: dt.datetime
    late: bool
    evidence: list[str]

    @staticmethod
    def resolve_reported_by(report) -> str | None:
        return report.reported_by.username if report.reported_by_id else None

    @staticmethod
    def resolve_evidence(report) -> list[str]:
        return [a.name for a in report.attachments.all()]


class TaskFilters(Schema):
    plan: int | None = None
    lead: str = ""  # department code
    state: str = ""  # not_started, in_progress, done, late
    colour: str = ""  # green, yellow, red
    q: str = ""
    mine: bool = False


class TaskAssignIn(Schema):
    title: str | None = None
    lead: str | None = None  # department code; "" clears
    partners: list[str] | None = None
    owners_text: str | None = None
    official: str | None = None  # username; "" clears
    deadline: dt.date | None = None
    ongoing: bool | None = None


class ReportIn(Schema):
    status: str
    progress: int
    text: str
    problems: str = ""
    next_steps: str = ""


def _readable(request) -> None:
    if not selectors.plans_can_read(request.user):
        raise PermissionDenied


def _plan(request, pk: int) -> Plan:
    """The plan with its counts, if `request.user` may read it."""
    _readable(request)
    try:
        return selectors.plan_list(request.user).get(pk=pk)
    except Plan.DoesNotExist:
        raise Http404 from None


@router.get("", response=list[PlanOut], summary="Plans in your scope with their task counts")
@paginate(PageNumberPagination, page_size=50)
def plan_list(request, status: str = "", year: int | None = None, q: str = ""):
    _readable(request)
    return selectors.plan_list(request.user, {"status": status, "year": year, "q": q})


@router.post(
    "/parse",
    summary="Split a document into a task tree with proposed owners and deadlines (not saved)",
)
def plan_parse(request, document: File[UploadedFile]):
    _readable(request)
    try:
        parsed = services.document_parse(document.file, name=document.name or "")
    except reading.DocumentError as exc:
        raise ValidationError({"document": [str(exc)]}) from None
    return services.plan_json(parsed, vocab=selectors.vocabulary(request.user))


@router.post(
    "/import",
    response={201: PlanDetailOut},
    summary="Import a document as a draft plan (its tasks' proposals unconfirmed)",
)
def plan_import(request, document: File[UploadedFile]):
    if not selectors.plans_can_edit(request.user):
        raise PermissionDenied
    try:
        plan = services.plan_import(
            actor=request.user, fileobj=document.file, name=document.name or ""
        )
    except ValidationError as exc:
        raise ValidationError({"document": exc.messages}) from None
    return Status(201, _detail(request, plan.pk))


def _detail(request, pk: int):
    plan = _plan(request, pk)
    plan.task_tree = list(selectors.task_rows(request.user).filter(plan=plan).order_by("position"))
    return plan


@router.get("/{int:pk}", response=PlanDetailOut, summary="A plan with its tasks (depth first)")
def plan_detail(request, pk: int):
    return _detail(request, pk)


@router.post("/{int:pk}/issue", response=PlanDetailOut, summary="Issue a plan to its owners (下达)")
def plan_issue(request, pk: int):
    plan = _plan(request, pk)
    services.plan_issue(actor=request.user, plan=plan)
    return _detail(request, pk)


@router.post(
    "/{int:pk}/confirm",
    response=PlanDetailOut,
    summary="Confirm every unconfirmed task's proposed owners and deadline",
)
def plan_confirm(request, pk: int):
    services.tasks_confirm(actor=request.user, plan=_plan(request, pk))
    return _detail(request, pk)


@router.get("/tasks", response=list[TaskOut], summary="Tasks reported on, in your scope, filtered")
@paginate(PageNumberPagination, page_size=50)
def task_list(request, filters: Query[TaskFilters]):
    _readable(request)
    data = filters.dict()
    errors = {}
    if data["state"] and data["state"] not in State.values:
        errors["state"] = [f"Choose one of {', '.join(State.values)}."]
    if data["colour"] and data["colour"] not in ("green", "yellow", "red"):
        errors["colour"] = ["Choose one of green, yellow, red."]
    if data["lead"]:
        lead = Department.objects.filter(code=data["lead"]).first()
        if lead is None:
            errors["lead"] = [f"No department with code {data['lead']!r}."]
        data["lead"] = lead
    if errors:
        raise ValidationError(errors)
    return selectors.task_list(request.user, data)


def _task(request, pk: int) -> Task:
    _readable(request)
    return selectors.task_get(request.user, pk)


@router.get("/tasks/{int:pk}", response=TaskOut, summary="One task")
def task_detail(request, pk: int):
    return _task(request, pk)


@router.patch(
    "/tasks/{int:pk}",
    response=TaskOut,
    summary="Assign a task: title, owners, official, deadline (the task is confirmed)",
)
def task_assign(request, pk: int, payload: TaskAssignIn):
    task = _task(request, pk)
    data = payload.dict(exclude_unset=True)
    errors: dict[str, list[str]] = {}
    lead = task.lead
    if "lead" in data:
        lead = None
        if data["lead"]:
            lead = Department.objects.filter(code=data["lead"]).first()
            if lead is None:
                errors["lead"] = [f"No department with code {data['lead']!r}."]
    partners = list(task.partners.all())
    if "partners" in data:
        codes = data["partners"] or []
        partners = list(Department.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {d.code for d in partners})
        if unknown:
            errors["partners"] = [f"No department with code {', '.join(unknown)}."]
    official = task.official
    if "official" in data:
        official = None
        if data["official"]:
            official = User.objects.filter(username=data["official"], is_active=True).first()
            if official is None:
                errors["official"] = [f"No active user {data['official']!r}."]
    if errors:
        raise ValidationError(errors)
    services.task_assign(
        actor=request.user,
        task=task,
        title=data.get("title") or task.title,
        lead=lead,
        partners=partners,
        owners_text=data.get("owners_text", task.owners_text) or "",
        official=official,
        deadline=data.get("deadline", task.deadline),
        ongoing=data["ongoing"] if data.get("ongoing") is not None else task.ongoing,
    )
    return _task(request, pk)


@router.get(
    "/tasks/{int:pk}/reports", response=list[ReportOut], summary="A task's progress reports"
)
def report_list(request, pk: int):
    task = _task(request, pk)
    return selectors.report_list(request.user, task)


@router.put(
    "/tasks/{int:pk}/reports/{period}",
    response={200: ReportOut, 201: ReportOut},
    summary="File the progress report of a period (YYYY-MM); filing again replaces it",
)
def report_put(request, pk: int, period: str, payload: ReportIn):
    task = _task(request, pk)
    try:
        first = dt.datetime.strptime(period, "%Y-%m").date()
    except ValueError:
        raise ValidationError({"period": ["Write the period as YYYY-MM."]}) from None
    existed = Report.objects.filter(
        task=task, period=schedule.period_of(first, task.plan.report_every)
    ).exists()
    if payload.status not in TaskStatus.values:
        raise ValidationError({"status": [f"Choose one of {', '.join(TaskStatus.values)}."]})
    report = services.report_file(
        actor=request.user,
        task=task,
        period=first,
        status=payload.status,
        progress=payload.progress,
        text=payload.text,
        problems=payload.problems,
        next_steps=payload.next_steps,
    )
    return Status(200 if existed else 201, report)


@router.get("/departments", summary="Each lead department's record on the issued plans' tasks")
def department_record(request, plan: int | None = None):
    _readable(request)
    chosen = selectors.plan_get(request.user, plan) if plan is not None else None
    return [
        {
            "department": r.department.code if r.department else None,
            "name": r.department.name if r.department else None,
            "tasks": r.tasks,
            "done": r.done,
            "done_on_time": r.done_on_time,
            "late": r.late,
            "reports_missing": r.missing,
            "average_progress": round(r.progress, 1),
        }
        for r in selectors.department_record(request.user, plan=chosen)
    ]
