"""Policies API: the library (list with the web filters, detail, create, update), a rule
checked without saving, the enterprises a policy finds with reasons, the policies an
enterprise qualifies for, 免申即享 grants, applications and their steps, statistics, the
cultivation ladder with its candidates, and cultivation plans. Scope as in the web UI:
out of scope is a 404, a step not yours a 403, a bad value a 422, someone else first a 409."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from gongxin.chains.models import Chain
from gongxin.core.models import Department
from gongxin.enterprises.choices import Tier
from gongxin.enterprises.models import CultivationPlan
from gongxin.enterprises.selectors import enterprise_scope
from gongxin.enterprises.services import cultivation_plan_save, plan_item_save
from gongxin.policies import rules, selectors, services
from gongxin.policies.benefits import TierError, parse_tiers
from gongxin.policies.models import BASES, Policy

router = Router(tags=["policies"])


class ReasonOut(Schema):
    criterion: str
    result: bool | None


def _reasons(outcomes) -> list[dict]:
    return [{"criterion": o.text, "result": o.result} for o in outcomes]


class PolicyOut(Schema):
    id: int
    title: str
    issuer: str
    document_number: str
    summary: str
    effective_from: dt.date
    effective_until: dt.date | None
    status: str
    in_force: bool
    chains: list[str]
    department: str | None
    benefit_kind: str
    amount_method: str
    amount: Decimal | None
    rate: Decimal | None
    base: str
    cap: Decimal | None
    tiers: list[list[Decimal]]
    without_application: bool
    rule_text: str
    rule: str
    rule_version: int
    version: int

    @staticmethod
    def resolve_in_force(policy) -> bool:
        return policy.in_force(timezone.localdate())

    @staticmethod
    def resolve_chains(policy) -> list[str]:
        return [c.code for c in policy.chains.all()]

    @staticmethod
    def resolve_department(policy) -> str | None:
        return policy.department.code if policy.department_id else None

    @staticmethod
    def resolve_rule(policy) -> str:
        return rules.describe(services.parsed(policy.rule_text))  # codes as written


class PolicyListOut(PolicyOut):
    eligible_count: int
    unknown_count: int


class PolicyIn(Schema):
    title: str
    issuer: str
    document_number: str = ""
    summary: str = ""
    effective_from: dt.date
    effective_until: dt.date | None = None
    status: Literal["draft", "published", "withdrawn"] = "draft"
    chains: list[str] = []
    department: str | None = None
    benefit_kind: str
    amount_method: Literal["none", "fixed", "rate", "tiers"] = "none"
    amount: Decimal | None = None
    rate: Decimal | None = None
    base: str = ""
    cap: Decimal | None = None
    tiers: list[list[Decimal]] | str = []
    without_application: bool = False
    rule_text: str


class PolicyPatch(Schema):
    title: str | None = None
    issuer: str | None = None
    document_number: str | None = None
    summary: str | None = None
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    status: Literal["draft", "published", "withdrawn"] | None = None
    chains: list[str] | None = None
    department: str | None = None
    benefit_kind: str | None = None
    amount_method: Literal["none", "fixed", "rate", "tiers"] | None = None
    amount: Decimal | None = None
    rate: Decimal | None = None
    base: str | None = None
    cap: Decimal | None = None
    tiers: list[list[Decimal]] | str | None = None
    without_application: bool | None = None
    rule_text: str | None = None


class PolicyFilters(Schema):
    q: str = ""
    benefit_kind: str = ""
    chain: str = ""
    status: str = ""
    in_force: Literal["", "1", "0"] = ""
    without_application: Literal["", "1", "0"] = ""


def _policy_data(payload: Schema, *, partial: bool) -> tuple[dict, list[Chain] | None]:
    data = payload.dict(exclude_unset=partial)
    chains = None
    if "chains" in data:
        codes = data.pop("chains") or []
        found = {c.code: c for c in Chain.objects.filter(code__in=codes)}
        unknown = sorted(set(codes) - found.keys())
        if unknown:
            raise ValidationError({"chains": [f"Unknown chains: {', '.join(unknown)}."]})
        chains = list(found.values())
    if "department" in data:
        code = data["department"]
        data["department"] = Department.objects.filter(code=code).first() if code else None
        if code and data["department"] is None:
            raise ValidationError({"department": [f"Unknown department {code}."]})
    if "tiers" in data:
        tiers = data["tiers"]
        text = tiers if isinstance(tiers, str) else "\n".join(f"{t}: {a}" for t, a in tiers or [])
        try:
            data["tiers"] = parse_tiers(text)
        except TierError as exc:
            raise ValidationError({"tiers": [str(exc)]}) from None
    if data.get("base") and data["base"] not in BASES:
        raise ValidationError(
            {"base": [f"Unknown base {data['base']}; one of {', '.join(BASES)}."]}
        )
    return data, chains


def _policy(request, pk: int) -> Policy:
    return get_object_or_404(selectors.policy_scope(request.user), pk=pk)


@router.get("", response=list[PolicyListOut], summary="Policies, with the web list's filters")
@paginate(PageNumberPagination, page_size=50)
def policy_list(request, filters: Query[PolicyFilters]):
    return selectors.policy_list(request.user, filters.dict())


@router.get("/{int:pk}", response=PolicyOut, summary="A policy")
def policy_detail(request, pk: int):
    return _policy(request, pk)


@router.post("", response={201: PolicyOut}, summary="Create a policy (matched at once)")
def policy_create(request, payload: PolicyIn):
    data, chains = _policy_data(payload, partial=False)
    policy = services.policy_save(actor=request.user, policy=None, data=data, chains=chains)
    return Status(201, policy)


@router.patch("/{int:pk}", response=PolicyOut, summary="Change a policy (re-matched)")
def policy_update(request, pk: int, payload: PolicyPatch):
    policy = _policy(request, pk)
    data, chains = _policy_data(payload, partial=True)
    return services.policy_save(actor=request.user, policy=policy, data=data, chains=chains)


class RuleIn(Schema):
    rule_text: str


class RuleCheckOut(Schema):
    ok: bool
    rule: str = ""
    error: str = ""
    line: int | None = None
    column: int | None = None
    code: str = ""


@router.post("/rule-check", response=RuleCheckOut, summary="Check a rule without saving it")
def rule_check(request, payload: RuleIn):
    try:
        rule = rules.parse(payload.rule_text)
    except rules.RuleError as exc:
        return {
            "ok": False,
            "error": str(exc),
            "line": exc.line,
            "column": exc.column,
            "code": exc.code,
        }
    return {"ok": True, "rule": selectors.rule_said(rule)}


class MatchOut(Schema):
    enterprise: int
    enterprise_name: str
    uscc: str
    district: str | None
    result: str
    benefit: Decimal | None
    reasons: list[ReasonOut]


@router.get(
    "/{int:pk}/enterprises",
    response=list[MatchOut],
    summary="The enterprises in your scope the policy finds, with the reason per criterion",
)
@paginate(PageNumberPagination, page_size=100)
def policy_enterprises(request, pk: int, result: Literal["", "eligible", "unknown"] = ""):
    policy = _policy(request, pk)
    return _Matches(policy, selectors.policy_matches(request.user, policy, result or None))


class _Matches:
    """The matches of a page with their reasons, read for the page's rows only."""

    def __init__(self, policy, queryset):
        self.policy, self.queryset = policy, queryset

    def __len__(self):
        return self.queryset.count()

    def count(self):
        return self.queryset.count()

    def __getitem__(self, index):
        rows = list(self.queryset[index])
        reasons = selectors.match_reasons(self.policy, [m.enterprise_id for m in rows])
        return [
            {
                "enterprise": m.enterprise_id,
                "enterprise_name": m.enterprise.name,
                "uscc": m.enterprise.uscc,
                "district": m.enterprise.district.code if m.enterprise.district_id else None,
                "result": m.result,
                "benefit": m.benefit,
                "reasons": _reasons(reasons.get(m.enterprise_id, [])),
            }
            for m in rows
        ]


class EnterprisePolicyOut(Schema):
    policy: int
    title: str
    result: str
    benefit: Decimal | None
    without_application: bool
    reasons: list[ReasonOut]


@router.get(
    "/for-enterprise/{int:enterprise_pk}",
    response=list[EnterprisePolicyOut],
    summary="Every policy in force decided for one enterprise, with reasons",
)
def enterprise_policies(request, enterprise_pk: int):
    enterprise = get_object_or_404(enterprise_scope(request.user), pk=enterprise_pk)
    return [
        {
            "policy": o.policy.pk,
            "title": o.policy.title,
            "result": o.result,
            "benefit": o.benefit,
            "without_application": o.policy.without_application,
            "reasons": _reasons(o.reasons),
        }
        for o in selectors.enterprise_policies(request.user, enterprise)
    ]


class GrantIn(Schema):
    year: int


class GrantOut(Schema):
    granted: int


@router.post("/{int:pk}/grant", response=GrantOut, summary="免申即享: grant the year's list")
def policy_grant(request, pk: int, payload: GrantIn):
    policy = _policy(request, pk)
    count = services.grant_without_application(actor=request.user, policy=policy, year=payload.year)
    return {"granted": count}


# Applications -----------------------------------------------------------------------------


class EventOut(Schema):
    status: str
    actor: str | None
    at: dt.datetime
    text: str
    amount: Decimal | None

    @staticmethod
    def resolve_actor(event) -> str | None:
        return str(event.actor) if event.actor_id else None


class ApplicationOut(Schema):
    id: int
    policy: int
    policy_title: str
    enterprise: int
    enterprise_name: str
    year: int
    source: str
    status: str
    statement: str
    requested_amount: Decimal | None
    approved_amount: Decimal | None
    disbursed_amount: Decimal | None
    disbursed_on: dt.date | None
    reason: str
    submitted_at: dt.datetime
    decided_at: dt.datetime | None
    version: int

    @staticmethod
    def resolve_policy(application) -> int:
        return application.policy_id

    @staticmethod
    def resolve_policy_title(application) -> str:
        return application.policy.title

    @staticmethod
    def resolve_enterprise(application) -> int:
        return application.enterprise_id

    @staticmethod
    def resolve_enterprise_name(application) -> str:
        return application.enterprise.name


class ApplicationDetailOut(ApplicationOut):
    events: list[EventOut]

    @staticmethod
    def resolve_events(application) -> list:
        return list(application.events.select_related("actor"))


class ApplicationFilters(Schema):
    q: str = ""
    status: str = ""
    source: str = ""
    year: int | None = None
    policy: int | None = None


@router.get("/applications", response=list[ApplicationOut], summary="Applications in your scope")
@paginate(PageNumberPagination, page_size=50)
def application_list(request, filters: Query[ApplicationFilters]):
    return selectors.application_list(
        request.user, {k: v for k, v in filters.dict().items() if v not in (None, "")}
    )


@router.get("/applications/{int:pk}", response=ApplicationDetailOut, summary="An application")
def application_detail(request, pk: int):
    return selectors.application_get(request.user, pk)


class ApplyIn(Schema):
    policy: int
    enterprise: int
    year: int
    statement: str = ""
    requested_amount: Decimal | None = None


@router.post("/applications", response={201: ApplicationDetailOut}, summary="Apply")
def application_create(request, payload: ApplyIn):
    policy = _policy(request, payload.policy)
    enterprise = get_object_or_404(enterprise_scope(request.user), pk=payload.enterprise)
    application = services.application_submit(
        actor=request.user,
        policy=policy,
        enterprise=enterprise,
        year=payload.year,
        statement=payload.statement,
        requested_amount=payload.requested_amount,
    )
    return Status(201, selectors.application_get(request.user, application.pk))


class StepIn(Schema):
    action: Literal["review", "approve", "reject", "disburse", "withdraw"]
    version: int
    amount: Decimal | None = None
    reason: str = ""
    on: dt.date | None = None


class ConflictOut(Schema):
    detail: str


@router.post(
    "/applications/{int:pk}/steps",
    response={200: ApplicationDetailOut, 409: ConflictOut},
    summary="Take the next step of an application at the version you saw",
)
def application_step(request, pk: int, payload: StepIn):
    application = selectors.application_get(request.user, pk)
    user, seen = request.user, payload.version
    try:
        if payload.action == "review":
            services.application_review(actor=user, application=application, seen=seen)
        elif payload.action in ("approve", "reject"):
            services.application_decide(
                actor=user,
                application=application,
                seen=seen,
                approve=payload.action == "approve",
                amount=payload.amount,
                reason=payload.reason,
            )
        elif payload.action == "disburse":
            services.application_disburse(
                actor=user,
                application=application,
                seen=seen,
                amount=payload.amount,
                on=payload.on or timezone.localdate(),
            )
        else:
            services.application_withdraw(actor=user, application=application, seen=seen)
    except services.Conflict as conflict:
        return Status(409, {"detail": conflict.messages[0]})
    return selectors.application_get(request.user, pk)


class SumsOut(Schema):
    key: str | None
    name: str | None
    applications: int
    approved: int
    rejected: int
    pending: int
    approved_amount: Decimal | None
    disbursed_amount: Decimal | None


class StatisticsOut(Schema):
    year: int
    totals: dict
    by_policy: list[SumsOut]
    by_chain: list[SumsOut]
    by_district: list[SumsOut]
    by_enterprise: list[SumsOut]


def _sums(rows, key: str, name: str) -> list[dict]:
    return [
        {**r, "key": str(r[key]) if r[key] is not None else None, "name": r[name]} for r in rows
    ]


@router.get("/statistics", response=StatisticsOut, summary="Applications and amounts of a year")
def statistics(request, year: int | None = None):
    selectors.officials_only(request.user)
    stats = selectors.application_statistics(request.user, year or timezone.localdate().year)
    return {
        "year": stats.year,
        "totals": stats.totals,
        "by_policy": _sums(stats.by_policy, "policy_id", "policy__title"),
        "by_chain": _sums(stats.by_chain, "policy__chains__code", "policy__chains__name"),
        "by_district": _sums(
            stats.by_district, "enterprise__district__code", "enterprise__district__name"
        ),
        "by_enterprise": _sums(stats.by_enterprise, "enterprise_id", "enterprise__name"),
    }


# The ladder and cultivation plans -------------------------------------------------------


class RungOut(Schema):
    tier: str
    label: str
    rule_text: str | None
    rule: str
    holders: int
    candidates: int
    plans: int

    @staticmethod
    def resolve_rule_text(rung) -> str | None:
        return rung.rule.rule_text if rung.rule else None

    @staticmethod
    def resolve_rule(rung) -> str:
        return rung.description


@router.get("/ladder", response=list[RungOut], summary="The cultivation ladder in your scope")
def ladder(request):
    selectors.officials_only(request.user)
    return selectors.ladder(request.user)


class CandidateOut(Schema):
    enterprise: int
    enterprise_name: str
    revenue: Decimal | None
    revenue_growth: Decimal | None
    rd_ratio: Decimal | None
    employees: int | None

    @staticmethod
    def resolve_enterprise(fact) -> int:
        return fact.enterprise_id

    @staticmethod
    def resolve_enterprise_name(fact) -> str:
        return fact.enterprise.name


@router.get("/ladder/{tier}/candidates", response=list[CandidateOut], summary="A rung's candidates")
@paginate(PageNumberPagination, page_size=100)
def candidates(request, tier: str):
    selectors.officials_only(request.user)
    if tier not in Tier.values:
        raise ValidationError({"tier": [f"Unknown rung {tier}; one of {', '.join(Tier.values)}."]})
    return selectors.tier_candidates(request.user, tier)


class PlanItemOut(Schema):
    id: int
    kind: str
    text: str
    responsible: str
    due_on: dt.date | None
    status: str
    done_on: dt.date | None


class PlanOut(Schema):
    id: int
    enterprise: int
    tier: str
    goal: str
    official: str | None
    start_year: int
    target_year: int
    status: str
    achieved_on: dt.date | None
    items: list[PlanItemOut]

    @staticmethod
    def resolve_enterprise(plan) -> int:
        return plan.enterprise_id

    @staticmethod
    def resolve_official(plan) -> str | None:
        return plan.official.username if plan.official_id else None

    @staticmethod
    def resolve_items(plan) -> list:
        return list(plan.items.all())


def _plans(request):
    selectors.officials_only(request.user)
    return (
        CultivationPlan.objects.filter(enterprise__in=enterprise_scope(request.user))
        .select_related("official")
        .prefetch_related("items")
        .order_by("-start_year", "pk")
    )


@router.get("/plans", response=list[PlanOut], summary="Cultivation plans in your scope")
@paginate(PageNumberPagination, page_size=50)
def plan_list(request, tier: str = "", enterprise: int | None = None):
    qs = _plans(request)
    if tier:
        qs = qs.filter(tier=tier)
    if enterprise:
        qs = qs.filter(enterprise_id=enterprise)
    return qs


class PlanIn(Schema):
    enterprise: int
    tier: str
    goal: str
    official: str | None = None
    start_year: int
    target_year: int
    status: Literal["active", "achieved", "dropped"] = "active"
    achieved_on: dt.date | None = None


@router.post("/plans", response={201: PlanOut}, summary="Create a cultivation plan")
def plan_create(request, payload: PlanIn):
    from gongxin.core.models import User

    enterprise = get_object_or_404(enterprise_scope(request.user), pk=payload.enterprise)
    data = payload.dict()
    data.pop("enterprise")
    username = data.pop("official")
    data["official"] = User.objects.filter(username=username).first() if username else None
    if username and data["official"] is None:
        raise ValidationError({"official": [f"Unknown user {username}."]})
    plan = cultivation_plan_save(actor=request.user, enterprise=enterprise, plan=None, data=data)
    return Status(201, _plans(request).get(pk=plan.pk))


class PlanItemIn(Schema):
    kind: Literal["measure", "milestone"]
    text: str
    responsible: str = ""
    due_on: dt.date | None = None
    status: Literal["planned", "under_way", "done"] = "planned"
    done_on: dt.date | None = None


@router.post("/plans/{int:pk}/items", response={201: PlanOut}, summary="Add a measure")
def plan_item_create(request, pk: int, payload: PlanItemIn):
    plan = get_object_or_404(_plans(request), pk=pk)
    plan_item_save(actor=request.user, plan=plan, item=None, data=payload.dict())
    return Status(201, _plans(request).get(pk=pk))
