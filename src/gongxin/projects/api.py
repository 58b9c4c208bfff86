"""Key projects API (重点项目): the list with the web list's filters, one project with its
stages, months, milestones, the reasons of its health and the demands it raised; create,
change and delete a project; report its stages, a month's investment and its milestones;
statistics by type, chain, district, health or stage. Parks and zones with their land,
standard factory buildings, enterprises, projects and output per mu; a park's land of a
month, its buildings registered and changed.

Money is in yuan, as decimal strings both ways. Scope as in the web UI: a project out of
scope is a 404, a change not yours a 403 (an enterprise user reports on its projects but
does not register, change or delete them), a bad value a 422 naming the field."""

import datetime as dt
import re
from decimal import Decimal
from typing import Literal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from gongxin.chains.models import Chain, ChainNode
from gongxin.core.choices import RegionKind, Role
from gongxin.core.models import Region, User
from gongxin.core.selectors import district_list, park_list
from gongxin.enterprises.models import Enterprise
from gongxin.enterprises.selectors import enterprise_scope
from gongxin.projects import parks, selectors, services
from gongxin.projects.choices import (
    STAGE_ORDER,
    BuildingStatus,
    Health,
    Occupancy,
    ProjectLevel,
    ProjectStage,
    ProjectType,
)
from gongxin.projects.filters import ProjectFilterSet
from gongxin.projects.models import Building, Milestone, ParkLand, Project, ProjectMonth

router = Router(tags=["projects"])

#: Who may be a project's responsible official (as on the web form).
OFFICIAL_ROLES = (Role.OFFICER, Role.STAFF, Role.LEADER, Role.DISTRICT)

_TYPES, _LEVELS = dict(ProjectType.choices), dict(ProjectLevel.choices)
_STAGES, _HEALTH = dict(ProjectStage.choices), dict(Health.choices)


# Out --------------------------------------------------------------------------------------


class EnterpriseRef(Schema):
    id: int
    name: str


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    project_type: str
    project_type_label: str
    level: str
    level_label: str
    enterprise: EnterpriseRef | None
    chain: str | None
    chain_name: str | None
    node: int | None
    node_name: str | None
    district: str
    district_name: str
    park: str | None
    park_name: str | None
    planned_investment: Decimal | None
    completed_investment: Decimal | None
    equipment_planned: Decimal | None
    equipment_completed: Decimal | None
    stage: str
    stage_label: str
    start_planned: dt.date | None
    end_planned: dt.date | None
    started_on: dt.date | None
    completed_on: dt.date | None
    health: str
    health_label: str
    health_on: dt.date | None
    official: str | None
    official_name: str | None

    @staticmethod
    def resolve_project_type_label(p) -> str:
        return str(_TYPES.get(p.project_type, p.project_type))

    @staticmethod
    def resolve_level_label(p) -> str:
        return str(_LEVELS.get(p.level, p.level))

    @staticmethod
    def resolve_stage_label(p) -> str:
        return str(_STAGES.get(p.stage, p.stage))

    @staticmethod
    def resolve_health_label(p) -> str:
        return str(_HEALTH.get(p.health, p.health))

    @staticmethod
    def resolve_enterprise(p) -> dict | None:
        return {"id": p.enterprise_id, "name": p.enterprise.name} if p.enterprise_id else None

    @staticmethod
    def resolve_chain(p) -> str | None:
        return p.chain.code if p.chain_id else None

    @staticmethod
    def resolve_chain_name(p) -> str | None:
        return p.chain.name if p.chain_id else None

    @staticmethod
    def resolve_node(p) -> int | None:
        return p.node_id

    @staticmethod
    def resolve_node_name(p) -> str | None:
        return p.node.name if p.node_id else None

    @staticmethod
    def resolve_district(p) -> str:
        return p.district.code

    @staticmethod
    def resolve_district_name(p) -> str:
        return p.district.name

    @staticmethod
    def resolve_park(p) -> str | None:
        return p.park.code if p.park_id else None

    @staticmethod
    def resolve_park_name(p) -> str | None:
        return p.park.name if p.park_id else None

    @staticmethod
    def resolve_official(p) -> str | None:
        return p.official.username if p.official_id else None

    @staticmethod
    def resolve_official_name(p) -> str | None:
        return str(p.official) if p.official_id else None


class StepOut(Schema):
    stage: str
    label: str
    planned_on: dt.date | None
    reached_on: dt.date | None


class MonthOut(Schema):
    month: str  # YYYY-MM
    planned: Decimal | None
    completed: Decimal | None
    equipment: Decimal | None
    progress: str
    planned_total: Decimal  # cumulative, from the first month
    completed_total: Decimal


class MilestoneOut(Schema):
    id: int
    title: str
    due_on: dt.date
    done_on: dt.date | None
    note: str


class FindingOut(Schema):
    health: str
    reason: str


class DemandRef(Schema):
    id: int
    title: str
    status: str


class ProjectDetailOut(ProjectOut):
    content: str
    steps: list[StepOut]  # every stage, in order; dates empty when not planned
    months: list[MonthOut]
    milestones: list[MilestoneOut]
    reasons: list[FindingOut]  # why the health is what it is
    demands: list[DemandRef]  # those the reader sees
    can_edit: bool
    can_report: bool

    @staticmethod
    def resolve_steps(p) -> list[dict]:
        stored = {s.stage: s for s in p.steps.all()}
        return [
            {
                "stage": stage,
                "label": str(_STAGES[stage]),
                "planned_on": stored[stage].planned_on if stage in stored else None,
                "reached_on": stored[stage].reached_on if stage in stored else None,
            }
            for stage in STAGE_ORDER
        ]

    @staticmethod
    def resolve_months(p) -> list[dict]:
        return [
            {**row, "month": f"{row['month']:%Y-%m}"} for row in selectors.investment_by_month(p)
        ]

    @staticmethod
    def resolve_milestones(p) -> list:
        return list(p.milestones.all())

    @staticmethod
    def resolve_reasons(p) -> list[dict]:
        return [{"health": f.health, "reason": f.reason} for f in p.judgement.findings]

    @staticmethod
    def resolve_demands(p) -> list:
        return p.visible_demands


def _detail(request, pk: int) -> Project:
    """One project in scope with everything the detail shows (404 out of scope)."""
    user = request.user
    project = selectors.project_get(user, pk)  # its demands as far as the reader sees them
    project.visible_demands = list(project.demands.all())
    project.judgement = services.judgement_of(project)
    project.can_edit = services.project_can_edit(user, project)
    project.can_report = project.can_edit or services.project_can_report(user, project)
    return project


def _project(request, pk: int) -> Project:
    """A project in the user's scope, for a write (404 out of scope)."""
    return get_object_or_404(selectors.project_scope(request.user), pk=pk)


# In ---------------------------------------------------------------------------------------


class StepIn(Schema):
    stage: str
    planned_on: dt.date | None = None
    reached_on: dt.date | None = None


class ProjectIn(Schema):
    code: str = ""  # empty: the next number of the year
    name: str
    project_type: str
    level: str = ProjectLevel.CITY
    content: str = ""
    enterprise: int | str | None = None  # id, credit code or exact name
    chain: str | None = None  # code
    node: int | None = None  # id; its chain is the project's
    district: str | None = None  # code; the enterprise's by default
    park: str | None = None  # code
    planned_investment: Decimal  # yuan
    equipment_planned: Decimal | None = None
    official: str | None = None  # username
    steps: list[StepIn] | None = None


class ProjectPatch(Schema):
    code: str | None = None
    name: str | None = None
    project_type: str | None = None
    level: str | None = None
    content: str | None = None
    enterprise: int | str | None = None
    chain: str | None = None
    node: int | None = None
    district: str | None = None
    park: str | None = None
    planned_investment: Decimal | None = None
    equipment_planned: Decimal | None = None
    official: str | None = None
    steps: list[StepIn] | None = None  # the stages given; the others stay as they are


class MonthIn(Schema):
    planned: Decimal | None = None
    completed: Decimal | None = None
    equipment: Decimal | None = None
    progress: str = ""


class MilestoneIn(Schema):
    title: str
    due_on: dt.date
    done_on: dt.date | None = None
    note: str = ""


class MilestonePatch(Schema):
    title: str | None = None
    due_on: dt.date | None = None
    done_on: dt.date | None = None
    note: str | None = None


_MONEY = ("planned_investment", "equipment_planned")


def _steps(steps: list[dict]) -> dict[str, tuple[dt.date | None, dt.date | None]]:
    """{stage: (planned, reached)} from the payload's list; a stage given twice is a 422."""
    seen = [s["stage"] for s in steps]
    twice = sorted({s for s in seen if seen.count(s) > 1})
    if twice:
        raise ValidationError({"steps": [f"Stages given twice: {', '.join(twice)}."]})
    return {s["stage"]: (s["planned_on"], s["reached_on"]) for s in steps}


def _enterprise(user: User, ref: int | str):
    if isinstance(ref, int):
        found = list(enterprise_scope(user).filter(pk=ref))
    else:
        text = ref.strip()
        found = list(enterprise_scope(user).filter(Q(uscc=text.upper()) | Q(name=text))[:2])
    if len(found) != 1:
        raise ValidationError({"enterprise": [f"No enterprise in your scope is {ref}."]})
    return found[0]


def _project_data(request, payload: Schema, *, partial: bool) -> tuple[dict, dict | None]:
    """The service's data and steps from the payload: codes, ids and usernames to the
    records they name (422 naming the field when one is unknown)."""
    data = payload.dict(exclude_unset=partial)
    steps = data.pop("steps", None)
    steps = _steps(steps) if steps is not None else None
    errors: dict[str, list[str]] = {}
    if partial:
        for key in ("name", "project_type", "level", "planned_investment"):
            if key in data and data[key] is None:
                errors[key] = ["This field cannot be empty."]
        for key in ("code", "content"):
            if key in data and data[key] is None:
                data[key] = ""
    elif not data.get("code"):
        data.pop("code", None)
    for key in _MONEY:
        if data.get(key) is not None and data[key] < 0:
            errors[key] = ["Investment cannot be negative."]
    if "enterprise" in data:
        ref = data["enterprise"]
        try:
            data["enterprise"] = _enterprise(request.user, ref) if ref not in (None, "") else None
        except ValidationError as exc:
            errors |= exc.message_dict
    lookups = (
        ("chain", Chain.objects.all(), "code"),
        ("node", ChainNode.objects.all(), "pk"),
        ("district", district_list(), "code"),
        ("park", park_list(), "code"),
        ("official", User.objects.filter(is_active=True, role__in=OFFICIAL_ROLES), "username"),
    )
    for key, queryset, field in lookups:
        if key not in data:
            continue
        value = data[key]
        if value in (None, ""):
            if key == "district":
                data.pop(key)  # the enterprise's, or required (the model says so)
            else:
                data[key] = None
            continue
        data[key] = queryset.filter(**{field: value}).first()
        if data[key] is None:
            errors[key] = [f"Unknown {key} {value}."]
    if errors:
        raise ValidationError(errors)
    return data, steps


# The projects -----------------------------------------------------------------------------


class ProjectFilters(Schema):
    q: str = ""
    project_type: str = ""
    level: str = ""
    stage: str = ""
    health: str = ""
    chain: str = ""  # code
    district: str = ""  # code
    park: str = ""  # code
    sort: str = ""  # planned, completed, start, code; "-" before for descending


def _filtered(request, filters: ProjectFilters, queryset):
    """The queryset narrowed by the web list's filters; a bad value is a 422."""
    params = {k: v for k, v in filters.dict().items() if v}
    filterset = ProjectFilterSet(params, queryset=queryset, user=request.user)
    if not filterset.is_valid():
        errors = filterset.errors.get_json_data()
        raise ValidationError({k: [e["message"] for e in v] for k, v in errors.items()})
    return filterset.qs


@router.get("", response=list[ProjectOut], summary="Key projects in your scope, filtered")
@paginate(PageNumberPagination, page_size=50)
def project_list(request, filters: Query[ProjectFilters]):
    return _filtered(request, filters, selectors.project_list(request.user))


class FiguresOut(Schema):
    projects: int
    planned: Decimal | None
    completed: Decimal | None
    equipment: Decimal | None
    red: int
    yellow: int
    green: int
    share: Decimal | None  # completed of planned, per cent


class StatRowOut(FiguresOut):
    key: str | None
    label: str | None


class StatisticsOut(Schema):
    by: str
    rows: list[StatRowOut]
    total: FiguresOut


def _figures(row: dict) -> dict:
    """Sums to the fen and the share to a tenth of a per cent, whatever the database's
    arithmetic left."""
    out = dict(row)
    for key in ("planned", "completed", "equipment"):
        if out[key] is not None:
            out[key] = Decimal(out[key]).quantize(Decimal("0.01"))
    if out["share"] is not None:
        out["share"] = Decimal(out["share"]).quantize(Decimal("0.1"))
    return out


@router.get(
    "/statistics",
    response=StatisticsOut,
    summary="Projects and investment by type, chain, district, health or stage",
)
def project_statistics(
    request,
    filters: Query[ProjectFilters],
    by: Literal["type", "chain", "district", "health", "stage"] = "type",
):
    queryset = _filtered(request, filters, selectors.project_scope(request.user))
    rows, total = selectors.project_statistics(request.user, by, queryset=queryset)
    return {
        "by": by,
        "rows": [
            {
                **_figures(row),
                "key": None if row["key"] is None else str(row["key"]),
                "label": None if row["label"] is None else str(row["label"]),
            }
            for row in rows
        ],
        "total": _figures(total),
    }


@router.get("/{int:pk}", response=ProjectDetailOut, summary="A key project")
def project_detail(request, pk: int):
    return _detail(request, pk)


@router.post("", response={201: ProjectDetailOut}, summary="Register a key project")
def project_create(request, payload: ProjectIn):
    data, steps = _project_data(request, payload, partial=False)
    project = services.project_save(actor=request.user, project=None, data=data, steps=steps)
    return Status(201, _detail(request, project.pk))


@router.patch("/{int:pk}", response=ProjectDetailOut, summary="Change a key project")
def project_update(request, pk: int, payload: ProjectPatch):
    project = _project(request, pk)
    data, steps = _project_data(request, payload, partial=True)
    services.project_save(actor=request.user, project=project, data=data, steps=steps)
    return _detail(request, pk)


@router.delete("/{int:pk}", response={204: None}, summary="Delete a key project")
def project_delete(request, pk: int):
    services.project_delete(actor=request.user, project=_project(request, pk))
    return Status(204, None)


# Progress: stages, months, milestones -------------------------------------------------------


@router.put(
    "/{int:pk}/steps",
    response=ProjectDetailOut,
    summary="The stages' planned and reached dates (a stage not given is cleared)",
)
def project_steps(request, pk: int, payload: list[StepIn]):
    project = _project(request, pk)
    given = _steps([s.dict() for s in payload])
    steps = {stage: given.get(stage, (None, None)) for stage in STAGE_ORDER}
    steps |= {k: v for k, v in given.items() if k not in steps}  # unknown: the service says
    services.steps_save(actor=request.user, project=project, steps=steps)
    return _detail(request, pk)


class MonthWritten(Schema):
    month: str
    planned: Decimal | None
    completed: Decimal | None
    equipment: Decimal | None
    progress: str
    reported_at: dt.datetime | None
    reported_by: str | None

    @staticmethod
    def resolve_month(m) -> str:
        return f"{m.month:%Y-%m}"

    @staticmethod
    def resolve_reported_by(m) -> str | None:
        return m.reported_by.username if m.reported_by_id else None


_MONTH = re.compile(r"^\d{4}-\d{2}$")


def _first_day(month: str) -> dt.date:
    """The first day of a month written YYYY-MM in the path (422 naming it otherwise)."""
    try:
        if not _MONTH.match(month):
            raise ValueError(month)
        return dt.datetime.strptime(month, "%Y-%m").date()
    except ValueError:
        raise ValidationError({"month": ["Write the month as YYYY-MM."]}) from None


@router.put(
    "/{int:pk}/months/{month}",
    response=MonthWritten,
    summary="A month's investment (YYYY-MM): planned, completed, of which equipment",
)
def project_month(request, pk: int, month: str, payload: MonthIn):
    project = _project(request, pk)
    first = _first_day(month)
    data = payload.dict()
    errors = {
        key: ["Investment cannot be negative."]
        for key in ("planned", "completed", "equipment")
        if data[key] is not None and data[key] < 0
    }
    if errors:
        raise ValidationError(errors)
    month_record = services.month_save(actor=request.user, project=project, month=first, data=data)
    if month_record.pk is None:  # nothing to record for a month not reported before
        return month_record
    # read back: the money as stored, to the fen, whatever digits were sent
    return ProjectMonth.objects.select_related("reported_by").get(pk=month_record.pk)


@router.post("/{int:pk}/milestones", response={201: MilestoneOut}, summary="Add a milestone")
def milestone_create(request, pk: int, payload: MilestoneIn):
    project = _project(request, pk)
    milestone = services.milestone_save(
        actor=request.user, project=project, milestone=None, data=payload.dict()
    )
    return Status(201, milestone)


def _milestone(request, pk: int, milestone_pk: int) -> Milestone:
    return get_object_or_404(
        Milestone.objects.select_related("project"), pk=milestone_pk, project=_project(request, pk)
    )


@router.patch(
    "/{int:pk}/milestones/{int:milestone_pk}", response=MilestoneOut, summary="Change a milestone"
)
def milestone_update(request, pk: int, milestone_pk: int, payload: MilestonePatch):
    milestone = _milestone(request, pk, milestone_pk)
    data = payload.dict(exclude_unset=True)
    for key in ("title", "due_on"):
        if key in data and data[key] is None:
            raise ValidationError({key: ["This field cannot be empty."]})
    if "note" in data and data["note"] is None:
        data["note"] = ""
    return services.milestone_save(
        actor=request.user, project=milestone.project, milestone=milestone, data=data
    )


@router.delete(
    "/{int:pk}/milestones/{int:milestone_pk}", response={204: None}, summary="Delete a milestone"
)
def milestone_delete(request, pk: int, milestone_pk: int):
    services.milestone_delete(actor=request.user, milestone=_milestone(request, pk, milestone_pk))
    return Status(204, None)


# Parks and their standard factory buildings (满园扩园, 订单式标准厂房) ------------------------
#
# As on the park pages: every official reads every park (a zone with the parks inside it),
# enterprise users none (403); division staff keep every park, park, zone and district
# staff the parks within their area (403 otherwise). Land in mu, money in yuan, both as
# decimal strings. `/parks` is a literal segment declared after `/{int:pk}`: those take
# digits only, so neither catches the other's paths.

_KINDS = dict(RegionKind.choices)
_BUILDING_STATUSES, _OCCUPANCIES = dict(BuildingStatus.choices), dict(Occupancy.choices)
_FEN, _TENTH = Decimal("0.01"), Decimal("0.1")
_CANNOT_READ = "You may not read the parks."
_CANNOT_KEEP = "You may not keep this park's land and buildings."


def _quantized(value, places: Decimal) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(places)


class ParkRowOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str
    parent: str | None  # code of the zone or district it lies in
    year: int  # of the land at the year's end and of the output
    planned_mu: Decimal | None
    developed_mu: Decimal | None
    occupied_mu: Decimal | None
    available_mu: Decimal | None  # developed − occupied
    buildings_count: int
    buildings_area: Decimal  # m²
    buildings_built_area: Decimal
    buildings_taken_area: Decimal  # built, and allocated or occupied
    buildings_taken_share: Decimal | None  # of the built area, per cent
    enterprises: int  # operating
    projects: int
    output: Decimal  # the year's output value of its enterprises, yuan
    tax: Decimal
    output_per_mu: Decimal | None  # 亩均产值: over the occupied land
    tax_per_mu: Decimal | None  # 亩均税收


def _park_row(row: dict) -> dict:
    """A row of `park_rows` as the API shows it: codes for records, area and money to
    the fen, the share to a tenth of a per cent."""
    park = row["park"]
    return {
        "code": park.code,
        "name": park.name,
        "kind": park.kind,
        "kind_label": str(_KINDS.get(park.kind, park.kind)),
        "parent": park.parent.code if park.parent_id else None,
        "year": row["year"],
        **{key: _quantized(row[key], _FEN) for key in (*parks.LAND_FIELDS, "available_mu")},
        "buildings_count": int(row["buildings_count"]),
        **{
            f"buildings_{key}": _quantized(row[f"buildings_{key}"], _FEN)
            for key in ("area", "built_area", "taken_area")
        },
        "buildings_taken_share": _quantized(row["buildings_taken_share"], _TENTH),
        "enterprises": row["enterprises"],
        "projects": row["projects"],
        **{
            key: _quantized(row[key], _FEN)
            for key in ("output", "tax", "output_per_mu", "tax_per_mu")
        },
    }


class LandMonthOut(Schema):
    month: str  # YYYY-MM
    planned_mu: Decimal
    developed_mu: Decimal
    occupied_mu: Decimal


class BuildingOut(Schema):
    id: int
    name: str
    park: str  # code
    area: Decimal  # m²
    floors: int
    load: Decimal  # kN/m²
    status: str
    status_label: str
    occupancy: str
    occupancy_label: str
    ordered_by: EnterpriseRef | None  # 订单式: the enterprise it is built for
    occupant: EnterpriseRef | None
    project: str | None  # code
    completed_on: dt.date | None
    occupied_since: dt.date | None

    @staticmethod
    def resolve_park(b) -> str:
        return b.park.code

    @staticmethod
    def resolve_status_label(b) -> str:
        return str(_BUILDING_STATUSES.get(b.status, b.status))

    @staticmethod
    def resolve_occupancy_label(b) -> str:
        return str(_OCCUPANCIES.get(b.occupancy, b.occupancy))

    @staticmethod
    def resolve_ordered_by(b) -> dict | None:
        return {"id": b.ordered_by_id, "name": b.ordered_by.name} if b.ordered_by_id else None

    @staticmethod
    def resolve_occupant(b) -> dict | None:
        return {"id": b.occupant_id, "name": b.occupant.name} if b.occupant_id else None

    @staticmethod
    def resolve_project(b) -> str | None:
        return b.project.code if b.project_id else None


class ParkProjectOut(Schema):
    id: int
    code: str
    name: str
    stage: str
    stage_label: str
    health: str
    health_label: str

    @staticmethod
    def resolve_stage_label(p) -> str:
        return str(_STAGES.get(p.stage, p.stage))

    @staticmethod
    def resolve_health_label(p) -> str:
        return str(_HEALTH.get(p.health, p.health))


class TopEnterpriseOut(Schema):
    id: int
    name: str
    output: Decimal | None  # the year's output value, yuan

    @staticmethod
    def resolve_output(e) -> Decimal | None:
        return _quantized(e.output, _FEN)


class ParkDetailOut(ParkRowOut):
    """The park's row of the list (`projects` counts them all) and what its page shows."""

    land: list[LandMonthOut]  # month by month, each park inside as it last reported
    buildings: list[BuildingOut]  # of the park and the parks inside
    key_projects: list[ParkProjectOut]  # those the reader sees, largest investment first
    top_enterprises: list[TopEnterpriseOut]  # operating, largest output of the year first
    can_edit: bool


class LandIn(Schema):
    planned_mu: Decimal
    developed_mu: Decimal
    occupied_mu: Decimal


class LandOut(Schema):
    park: str  # code
    month: str  # YYYY-MM
    planned_mu: Decimal
    developed_mu: Decimal
    occupied_mu: Decimal
    available_mu: Decimal


class BuildingIn(Schema):
    name: str
    area: Decimal  # m²
    floors: int = 1
    load: Decimal  # kN/m²
    status: str = BuildingStatus.PLANNED
    occupancy: str = Occupancy.VACANT
    ordered_by: int | str | None = None  # id, credit code or exact name
    occupant: int | str | None = None  # required when allocated or occupied
    project: str | None = None  # code
    completed_on: dt.date | None = None  # today when built without a date
    occupied_since: dt.date | None = None  # today when occupied without a date


class BuildingPatch(Schema):
    name: str | None = None
    area: Decimal | None = None
    floors: int | None = None
    load: Decimal | None = None
    status: str | None = None
    occupancy: str | None = None
    ordered_by: int | str | None = None
    occupant: int | str | None = None
    project: str | None = None
    completed_on: dt.date | None = None
    occupied_since: dt.date | None = None


def _park(request, code: str, *, edit: bool = False) -> Region:
    """The park or zone of `code`: 403 for who reads no parks or, with `edit`, may not
    keep this one; 404 for a code that is no park."""
    user = request.user
    if not parks.parks_can_read(user):
        raise PermissionDenied(_CANNOT_READ)
    park = get_object_or_404(parks.parks(user), code=code)
    if edit and not parks.park_can_edit(user, park):
        raise PermissionDenied(_CANNOT_KEEP)
    return park


def _year(year: int | None) -> int:
    if year is None:
        return timezone.localdate().year - 1  # the last full year, as on the pages
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": ["Give a year between 2000 and 2100."]})
    return year


def _on_fields(exc: ValidationError, model, field_of) -> ValidationError:
    """The service's refusal with each broken constraint of `model` on the field it is
    about (`field_of(constraint name)`): full_clean puts them on none."""
    if not hasattr(exc, "error_dict") or NON_FIELD_ERRORS not in exc.error_dict:
        return exc
    names = {str(c.get_violation_error_message()): c.name for c in model._meta.constraints}
    errors = {k: v for k, v in exc.message_dict.items() if k != NON_FIELD_ERRORS}
    for error in exc.error_dict[NON_FIELD_ERRORS]:
        for message in error.messages:
            # a unique constraint over several fields says so by its code, not its message
            name = error.code if error.code == "unique_together" else names.get(message)
            errors.setdefault(field_of(name) or NON_FIELD_ERRORS, []).append(message)
    return ValidationError(errors)


def _enterprise_named(ref: int | str, field: str) -> Enterprise:
    """An enterprise of the whole archive by id, credit code or exact name, as the
    building form finds it (an occupant may come from another district)."""
    if isinstance(ref, int):
        found = list(Enterprise.objects.filter(pk=ref))
    else:
        text = ref.strip()
        found = list(Enterprise.objects.filter(Q(uscc=text.upper()) | Q(name=text))[:2])
    if len(found) != 1:
        raise ValidationError({field: [f"No enterprise of the archive is {ref}."]})
    return found[0]


def _building_data(request, payload: Schema, *, partial: bool) -> dict:
    """The service's data from the payload: enterprises and the project to their records
    (422 naming the field when one is unknown)."""
    data = payload.dict(exclude_unset=partial)
    errors: dict[str, list[str]] = {}
    for key in ("name", "area", "floors", "load", "status", "occupancy"):
        if key in data and data[key] is None:
            errors[key] = ["This field cannot be empty."]
    for key in ("ordered_by", "occupant"):
        if key not in data:
            continue
        if data[key] in (None, ""):
            data[key] = None
            continue
        try:
            data[key] = _enterprise_named(data[key], key)
        except ValidationError as exc:
            errors |= exc.message_dict
    if "project" in data:
        code = data["project"]
        if code in (None, ""):
            data["project"] = None
        else:
            data["project"] = selectors.project_scope(request.user).filter(code=code).first()
            if data["project"] is None:
                errors["project"] = [f"No key project you read is {code}."]
    if errors:
        raise ValidationError(errors)
    return data


def _building_saved(request, park: Region, building: Building | None, data: dict) -> Building:
    """building_save with its refusals on the fields, then the building as stored."""
    area, load = (data.get(key, getattr(building, key, None)) for key in ("area", "load"))

    def field_of(name: str | None) -> str | None:
        if name == "building_area_positive":
            return "area" if area is None or area <= 0 else "load"
        return {
            "unique_together": "name",
            "building_occupant_when_occupied": "occupant",
            "building_occupied_when_built": "occupancy",
        }.get(name)

    try:
        record = parks.building_save(actor=request.user, park=park, building=building, data=data)
    except ValidationError as exc:
        raise _on_fields(exc, Building, field_of) from None
    return Building.objects.select_related("park", "ordered_by", "occupant", "project").get(
        pk=record.pk
    )


@router.get(
    "/parks",
    response=list[ParkRowOut],
    summary="Parks and zones: land, buildings, enterprises, projects and output per mu",
)
def park_rows(request, year: int | None = None):
    if not parks.parks_can_read(request.user):
        raise PermissionDenied(_CANNOT_READ)
    return [_park_row(row) for row in parks.park_rows(request.user, _year(year))]


@router.get("/parks/{code}", response=ParkDetailOut, summary="A park or zone")
def park_detail(request, code: str, year: int | None = None):
    park, year = _park(request, code), _year(year)
    detail = parks.park_detail(request.user, park, year)
    return {
        **_park_row(detail),
        "land": [
            {"month": f"{r['month']:%Y-%m}", **{key: r[key] for key in parks.LAND_FIELDS}}
            for r in detail["land"]
        ],
        "buildings": detail["buildings"],
        "key_projects": detail["project_list"],
        "top_enterprises": detail["top_enterprises"],
        "can_edit": parks.park_can_edit(request.user, park),
    }


@router.put(
    "/parks/{code}/land/{month}",
    response=LandOut,
    summary="A park's land at the end of a month (YYYY-MM, begun), in mu",
)
def park_land(request, code: str, month: str, payload: LandIn):
    park = _park(request, code, edit=True)
    first = _first_day(month)
    data = payload.dict()
    errors = {key: ["Land cannot be negative."] for key in parks.LAND_FIELDS if data[key] < 0}
    if errors:
        raise ValidationError(errors)

    def field_of(name: str | None) -> str | None:
        if name != "park_land_within":
            return None
        return "developed_mu" if data["developed_mu"] > data["planned_mu"] else "occupied_mu"

    try:
        parks.land_save(actor=request.user, park=park, month=first, data=data)
    except ValidationError as exc:
        raise _on_fields(exc, ParkLand, field_of) from None
    land = ParkLand.objects.get(park=park, month=first)  # as stored, whatever digits were sent
    return {
        "park": park.code,
        "month": f"{land.month:%Y-%m}",
        **{key: getattr(land, key) for key in parks.LAND_FIELDS},
        "available_mu": land.available_mu,
    }


@router.post(
    "/parks/{code}/buildings",
    response={201: BuildingOut},
    summary="Register a standard factory building of the park",
)
def building_create(request, code: str, payload: BuildingIn):
    park = _park(request, code, edit=True)
    data = _building_data(request, payload, partial=False)
    return Status(201, _building_saved(request, park, None, data))


@router.patch(
    "/parks/{code}/buildings/{int:building_pk}",
    response=BuildingOut,
    summary="Change a standard factory building: how far built, who is in it",
)
def building_update(request, code: str, building_pk: int, payload: BuildingPatch):
    park = _park(request, code, edit=True)
    building = get_object_or_404(Building.objects.filter(park=park), pk=building_pk)
    data = _building_data(request, payload, partial=True)
    return _building_saved(request, park, building, data)
