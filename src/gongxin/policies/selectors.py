"""Reads of policies: the enterprise facts the rule language speaks of, computed in the
database (and kept in `Fact`), and a rule compiled to one SQL boolean expression over
them — with SQL's own three-valued logic (a comparison with a missing figure is NULL,
AND/OR/NOT keep it unknown exactly as `rules.evaluate` does), so a whole archive is
matched in one query."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    FilteredRelation,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Least, NullIf
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    In,
    LessThan,
    LessThanOrEqual,
    StartsWith,
)
from django.utils import timezone

from gongxin.chains.choices import LinkStatus
from gongxin.chains.models import EnterpriseNode
from gongxin.core.choices import Role
from gongxin.core.models import User
from gongxin.core.selectors import user_edits_everything, user_reads_everything
from gongxin.enterprises.choices import PlanStatus, Tier
from gongxin.enterprises.models import AnnualFigure, CultivationPlan, Enterprise
from gongxin.enterprises.selectors import enterprise_scope, valid_qualifications
from gongxin.policies import rules
from gongxin.policies.benefits import Benefit
from gongxin.policies.choices import (
    OPEN_APPLICATION,
    AmountMethod,
    ApplicationStatus,
    MatchResult,
    PolicyStatus,
)
from gongxin.policies.models import Application, Fact, Match, Policy, TierRule
from gongxin.projects.choices import ProjectType
from gongxin.projects.models import Project

NUMBER = DecimalField(max_digits=20, decimal_places=2)
#: The facts of an enterprise from its file, one column each (`fact_<field>`).
_COLUMNS = {
    "district": F("district__code"),
    "park": F("park__code"),
    "industry": F("industry__code"),
    "size_class": NullIf(F("size_class"), Value("")),
    "above_scale": F("above_scale"),
    "established": F("established_on"),
}
#: Those from last year's annual figures.
_ANNUAL = ("revenue", "main_business_revenue", "tax", "employees", "rd_expense")
#: Projects whose investment counts as upgrading (技改, 数字化改造, 5G+智慧工厂).
UPGRADE_TYPES = (ProjectType.TECH_UPGRADE, ProjectType.DIGITAL, ProjectType.SMART_FACTORY)


def enterprise_facts(on: dt.date, queryset: QuerySet[Enterprise] | None = None):
    """The enterprises with every field of the rule language as `fact_<field>`, as of
    the day `on`: figures are last year's annual figures (joined once, with the year
    before), growth against the year before, ratios in percent rounded to two decimals;
    NULL where data are missing. Investment is 0 here: `project_investments` sums it
    for the few enterprises with projects (a query per enterprise would cost more than
    all the rest)."""
    year = on.year - 1
    qs = (queryset if queryset is not None else Enterprise.objects.all()).order_by()
    qs = qs.annotate(
        _last=FilteredRelation("annual_figures", condition=Q(annual_figures__year=year)),
        _before=FilteredRelation("annual_figures", condition=Q(annual_figures__year=year - 1)),
    )
    zero = Cast(Value(0), NUMBER)  # typed: a table made of these rows holds amounts
    return qs.annotate(
        **{f"fact_{name}": expression for name, expression in _COLUMNS.items()},
        **{f"fact_{name}": F(f"_last__{name}") for name in _ANNUAL},
        fact_upgrade_investment=zero,
        fact_project_investment=zero,
        fact_revenue_growth=Percent(
            F("_last__revenue") - F("_before__revenue"), F("_before__revenue")
        ),
        fact_rd_ratio=Percent(F("_last__rd_expense"), F("_last__revenue")),
    )


def project_investments(enterprise_ids: Iterable[int] | None = None):
    """What the projects of each enterprise with any (of `enterprise_ids`) completed:
    rows of (owner, upgrade_investment, project_investment), `owner` the enterprise."""
    projects = Project.objects.filter(completed_investment__isnull=False)
    if enterprise_ids is not None:
        projects = projects.filter(enterprise_id__in=enterprise_ids)
    return (
        projects.order_by()
        .values(owner=F("enterprise"))
        .annotate(
            upgrade_investment=Coalesce(
                Sum("completed_investment", filter=Q(project_type__in=UPGRADE_TYPES)),
                Value(Decimal(0), output_field=NUMBER),
            ),
            project_investment=Sum("completed_investment"),
        )
        .values_list("owner", "upgrade_investment", "project_investment")
    )


class _Rounded(Func):
    """A formula of two figures rounded to two decimals: in decimals on PostgreSQL; on
    SQLite, which keeps whole figures as integers and would divide them as such (dropping
    the cents), in floating point. `formula` names them {a} and {b}."""

    output_field = NUMBER
    formula = ""

    def as_sql(self, compiler, connection, **extra):
        (a, a_params), (b, b_params) = (compiler.compile(e) for e in self.source_expressions)
        if connection.vendor == "sqlite":
            a, b = f"CAST({a} AS REAL)", f"CAST({b} AS REAL)"
        return f"ROUND({self.formula.format(a=a, b=b)}, 2)", [*a_params, *b_params]


class Percent(_Rounded):
    """part × 100 ÷ whole; NULL when either is missing or the whole is zero."""

    formula = "({a}) * 100.0 / NULLIF({b}, 0)"


class Share(_Rounded):
    """whole × percent ÷ 100: an amount from a rate."""

    formula = "({a}) * ({b}) / 100.0"


class _Bool(Func):
    output_field = BooleanField()


def _all(items):
    return _Bool(*items, template="(%(expressions)s)", arg_joiner=" AND ")


def _any(items):
    return _Bool(*items, template="(%(expressions)s)", arg_joiner=" OR ")


def _not(item):
    return _Bool(item, template="(NOT %(expressions)s)")


_LOOKUPS = {
    "=": Exact,
    ">": GreaterThan,
    ">=": GreaterThanOrEqual,
    "<": LessThan,
    "<=": LessThanOrEqual,
}


def _literal(spec: rules.Field, value: rules.Value):
    if spec.kind in rules.UNITS:
        return Value(value.value * rules.UNITS[spec.kind][value.unit], output_field=NUMBER)
    return Value(value.value)


class _Figure(Cast):
    """A figure compared with a number: cast on SQLite, which may hold it as an integer,
    text or real; on PostgreSQL the column is numeric already (a cast per row is waste)."""

    def as_postgresql(self, compiler, connection, **extra):
        return compiler.compile(self.source_expressions[0])


def _column(name: str, spec: rules.Field):
    column = F(name)
    return _Figure(column, NUMBER) if spec.kind in rules.UNITS else column


def compile_rule(rule, on: dt.date):
    """The rule as an SQL boolean expression over `Fact`, on the day `on`: TRUE, FALSE,
    or NULL when data it needs are missing."""
    if isinstance(rule, rules.AllOf):
        return _all([compile_rule(i, on) for i in rule.items])
    if isinstance(rule, rules.AnyOf):
        return _any([compile_rule(i, on) for i in rule.items])
    if isinstance(rule, rules.Not):
        return _not(compile_rule(rule.item, on))
    if isinstance(rule, rules.Call):
        # IN (subquery), not EXISTS: PostgreSQL hashes the subquery once for the archive
        if rule.function == "holds":
            held = valid_qualifications(on).filter(kind=rule.argument)
        else:
            held = EnterpriseNode.objects.filter(
                status=LinkStatus.CONFIRMED, node__chain__code=rule.argument
            )
        return In(F("enterprise_id"), held.order_by().values("enterprise_id"))
    spec = rules.FIELDS[rule.field]
    column = _column(rule.field, spec)
    if isinstance(rule, rules.Compare):
        value = _literal(spec, rule.value)
        if rule.op == "!=":
            return _not(Exact(column, value))
        return _LOOKUPS[rule.op](column, value)
    if isinstance(rule, rules.Between):
        return _all(
            [
                GreaterThanOrEqual(column, _literal(spec, rule.low)),
                LessThanOrEqual(column, _literal(spec, rule.high)),
            ]
        )
    if isinstance(rule, rules.Member):
        return In(column, [_literal(spec, v).value for v in rule.values])
    if isinstance(rule, rules.Starts):
        return StartsWith(column, rule.prefix)
    raise TypeError(rule)


def benefit_expression(benefit: Benefit):
    """The amount due as an SQL expression over `Fact` (None when the policy has none);
    NULL where the figure it is computed from is missing, as `Benefit.compute`."""
    if benefit.method == AmountMethod.FIXED:
        return Value(benefit.amount, output_field=NUMBER)
    if benefit.method not in (AmountMethod.RATE, AmountMethod.TIERS):
        return None
    base = Cast(F(benefit.base), NUMBER)
    missing = When(Q(**{f"{benefit.base}__isnull": True}), then=Value(None))
    if benefit.method == AmountMethod.RATE:
        amount = Share(base, Value(benefit.rate, output_field=NUMBER))
        if benefit.cap is None:
            return amount
        # PostgreSQL's LEAST ignores a NULL: a missing figure must not yield the cap
        return Case(
            missing,
            default=Least(amount, Value(benefit.cap, output_field=NUMBER), output_field=NUMBER),
            output_field=NUMBER,
        )
    steps = [
        When(GreaterThanOrEqual(base, Value(t, output_field=NUMBER)), then=Value(a))
        for t, a in reversed(benefit.tiers)
    ]
    return Case(missing, *steps, default=Value(Decimal(0)), output_field=NUMBER)


def rule_outcomes(rule, on: dt.date, queryset: QuerySet[Fact] | None = None):
    """The facts of every enterprise (of `queryset`) with `eligible`: True, False or None."""
    qs = queryset if queryset is not None else Fact.objects.all()
    return qs.annotate(eligible=compile_rule(rule, on))


FACT_FIELDS = (
    "operating",
    *_COLUMNS,
    *_ANNUAL,
    "revenue_growth",
    "rd_ratio",
    "upgrade_investment",
    "project_investment",
)


def facts_rows(on: dt.date, queryset: QuerySet[Enterprise] | None = None):
    """`enterprise_facts` as the rows of `Fact` (its columns, in `FACT_FIELDS` order after
    the enterprise and the year)."""
    return (
        enterprise_facts(on, queryset)
        .annotate(
            fact_operating=Exact(F("status"), Value("operating")),
            fact_year=Value(on.year - 1),
        )
        .order_by()
        .values_list("pk", "fact_year", *(f"fact_{name}" for name in FACT_FIELDS))
    )


def facts_of(enterprise: Enterprise, on: dt.date) -> dict:
    """One enterprise's facts for `rules.evaluate`, read from its file in Python (the
    in-memory side the database's evaluation is checked against)."""
    figures = {f.year: f for f in enterprise.annual_figures.all()}
    last, before = figures.get(on.year - 1), figures.get(on.year - 2)

    def ratio(part, whole):
        if part is None or not whole:
            return None
        return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)

    revenue = last.revenue if last else None

    def invested(types):
        amounts = [
            p.completed_investment
            for p in Project.objects.filter(enterprise=enterprise)
            if p.completed_investment is not None and (types is None or p.project_type in types)
        ]
        return sum(amounts, Decimal(0))

    return {
        "district": enterprise.district.code if enterprise.district_id else None,
        "park": enterprise.park.code if enterprise.park_id else None,
        "industry": enterprise.industry.code if enterprise.industry_id else None,
        "size_class": enterprise.size_class or None,
        "above_scale": enterprise.above_scale,
        "established": enterprise.established_on,
        "revenue": revenue,
        "main_business_revenue": last.main_business_revenue if last else None,
        "tax": last.tax if last else None,
        "employees": last.employees if last else None,
        "rd_expense": last.rd_expense if last else None,
        "upgrade_investment": invested(UPGRADE_TYPES),
        "project_investment": invested(None),
        "revenue_growth": ratio(
            None
            if revenue is None or before is None or before.revenue is None
            else revenue - before.revenue,
            before.revenue if before else None,
        ),
        "rd_ratio": ratio(last.rd_expense if last else None, revenue),
        "qualifications": set(
            valid_qualifications(on).filter(enterprise=enterprise).values_list("kind", flat=True)
        ),
        "chains": set(
            EnterpriseNode.objects.filter(
                enterprise=enterprise, status=LinkStatus.CONFIRMED
            ).values_list("node__chain__code", flat=True)
        ),
    }


# Reads for pages, API and exports (each takes the acting user and applies the scope) ------


def policy_scope(user: User) -> QuerySet[Policy]:
    """Published policies for everyone signed in (in force or not); drafts and withdrawn
    ones also for those who keep the library and for leadership."""
    qs = Policy.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return qs.none()
    if user_edits_everything(user) or user.role == Role.LEADER:
        return qs
    return qs.filter(status=PolicyStatus.PUBLISHED)


def officials_only(user: User) -> None:
    """The ladder, plans, statistics, grants and exports are the bureau's working pages:
    not for enterprise users, who see their own policies in the library and on their file."""
    if user.role == Role.ENTERPRISE:
        raise PermissionDenied


def policy_get(user: User, pk: int) -> Policy:
    return policy_scope(user).select_related("department").get(pk=pk)


def _in_scope(user: User, matches: QuerySet) -> QuerySet:
    if user_reads_everything(user):
        return matches
    return matches.filter(enterprise__in=enterprise_scope(user))


def policy_list(user: User, filters: Mapping[str, Any] | None = None):
    """Policies in scope, filtered, each with the number of enterprises in the user's
    scope that are eligible and that need information (an enterprise user: its own
    outcome), in a fixed number of queries."""
    from gongxin.policies.filters import PolicyFilterSet

    qs = policy_scope(user).select_related("department").prefetch_related("chains")
    if filters is not None:
        filterset = PolicyFilterSet(filters, queryset=qs, user=user)
        qs = filterset.qs if filterset.is_valid() else qs.none()
    counted = _in_scope(user, Match.objects.filter(policy=OuterRef("pk"))).order_by()
    for name, result in (("eligible_count", "eligible"), ("unknown_count", "unknown")):
        qs = qs.annotate(
            **{
                name: Coalesce(
                    Subquery(
                        counted.filter(result=result)
                        .values("policy")
                        .annotate(n=Count("pk"))
                        .values("n")
                    ),
                    0,
                )
            }
        )
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        qs = qs.annotate(
            mine=Subquery(
                Match.objects.filter(
                    policy=OuterRef("pk"), enterprise_id=user.enterprise_id
                ).values("result")[:1]
            )
        )
    return qs


def policy_matches(user: User, policy: Policy, result: str | None = None) -> QuerySet[Match]:
    """The enterprises in scope that the policy finds eligible or that need information."""
    qs = _in_scope(user, Match.objects.filter(policy=policy))
    if result:
        qs = qs.filter(result=result)
    return qs.select_related(
        "enterprise", "enterprise__district", "enterprise__park", "enterprise__industry"
    ).order_by("result", "-benefit", "enterprise__name", "enterprise_id")


def code_names(parsed_rules) -> dict[str, str]:
    """The names of the chains, regions and industries these rules name by code, for
    `rules.describe` and `rules.evaluate` (a query per kind named, none when none is)."""
    from gongxin.chains.models import Chain
    from gongxin.core.models import Industry, Region

    wanted = set().union(*(rules.codes(r) for r in parsed_rules)) if parsed_rules else set()
    by_kind: dict[str, set[str]] = {}
    for kind, code in wanted:
        by_kind.setdefault(kind, set()).add(code)
    names: dict[str, str] = {}
    if "chain" in by_kind:
        for code, name in Chain.objects.filter(code__in=by_kind["chain"]).values_list(
            "code", "name"
        ):
            names[f"chain:{code}"] = name if name.endswith("链") else f"{name}产业链"
    places = by_kind.get("district", set()) | by_kind.get("park", set())
    if places:
        for code, name in Region.objects.filter(code__in=places).values_list("code", "name"):
            names[f"district:{code}"] = names[f"park:{code}"] = name
    if "industry" in by_kind:
        for code, name in Industry.objects.filter(code__in=by_kind["industry"]).values_list(
            "code", "name"
        ):
            names[f"industry:{code}"] = name
    return names


def rule_said(rule) -> str:
    """A parsed rule in plain Chinese, the codes it names said by name."""
    return rules.describe(rule, names=code_names([rule]))


def match_reasons(policy: Policy, enterprise_ids, on: dt.date | None = None) -> dict[int, list]:
    """Why: the outcome of each criterion of the policy's rule for these enterprises
    (`rules.Outcome`), from their stored facts — three queries for any number of them."""
    from gongxin.policies.services.matching import facts_in_memory, parsed

    on = on or timezone.localdate()
    rule = parsed(policy.rule_text)
    names = code_names([rule])
    reasons = {}
    for enterprise_id, facts in facts_in_memory(enterprise_ids, on).items():
        outcomes: list[rules.Outcome] = []
        rules.evaluate(rule, facts, outcomes, names)
        reasons[enterprise_id] = outcomes
    return reasons


@dataclass(frozen=True)
class PolicyOutcome:
    policy: Policy
    result: str
    benefit: Decimal | None
    reasons: list


def enterprise_policies(
    user: User, enterprise: Enterprise, on: dt.date | None = None, policy: Policy | None = None
):
    """Enterprise → policies: every policy in force decided for the enterprise, eligible
    first, then needing information, then the others, each with the reason for each
    criterion (in memory from its stored facts, as the rematch decides it); only `policy`
    when given."""
    from gongxin.policies.services.matching import decide, facts_in_memory, parsed

    on = on or timezone.localdate()
    facts = facts_in_memory([enterprise.pk], on).get(enterprise.pk)
    if facts is None:
        return []
    order = {MatchResult.ELIGIBLE: 0, MatchResult.UNKNOWN: 1, MatchResult.INELIGIBLE: 2}
    found = []
    in_force = (
        policy_scope(user)
        .filter(status=PolicyStatus.PUBLISHED, effective_from__lte=on)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=on))
        .prefetch_related("chains")
    )
    policies = list(in_force.filter(pk=policy.pk) if policy is not None else in_force)
    names = code_names([parsed(p.rule_text) for p in policies])
    for one in policies:
        outcomes: list[rules.Outcome] = []
        result, benefit = decide(one, facts, outcomes, names)
        found.append(PolicyOutcome(one, result, benefit, outcomes))
    found.sort(key=lambda o: (order[o.result], -(o.benefit or 0), o.policy.title))
    return found


def application_scope(user: User) -> QuerySet[Application]:
    """Applications a user sees: all for leadership, division staff, chain offices and
    administrators; a handling department those under the policies it handles; district,
    park and service officers those of their enterprises; an enterprise its own."""
    qs = Application.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return qs.none()
    if user.role == Role.DEPARTMENT:
        return qs.filter(policy__department_id=user.department_id)
    if user_reads_everything(user):
        return qs
    return qs.filter(enterprise__in=enterprise_scope(user))


def application_list(user: User, filters: Mapping[str, Any] | None = None):
    from gongxin.policies.filters import ApplicationFilterSet

    qs = application_scope(user).select_related("policy", "enterprise", "enterprise__district")
    if filters is not None:
        filterset = ApplicationFilterSet(filters, queryset=qs, user=user)
        qs = filterset.qs if filterset.is_valid() else qs.none()
    return qs


def application_get(user: User, pk: int) -> Application:
    return (
        application_scope(user)
        .select_related("policy", "policy__department", "enterprise", "enterprise__district")
        .get(pk=pk)
    )


def enterprise_policy_summary(user: User, enterprise: Enterprise) -> dict[str, Any]:
    """What the enterprise page shows of policies: outcomes, applications, plans."""
    outcomes = enterprise_policies(user, enterprise)
    return {
        "policy_outcomes": [o for o in outcomes if o.result != MatchResult.INELIGIBLE],
        "policy_others": [o for o in outcomes if o.result == MatchResult.INELIGIBLE],
        "applications": list(
            application_scope(user)
            .filter(enterprise=enterprise)
            .select_related("policy")
            .order_by("-submitted_at")[:20]
        ),
        "cultivation_plans": []
        if user.role == Role.ENTERPRISE
        else list(
            CultivationPlan.objects.filter(enterprise=enterprise)
            .select_related("official")
            .order_by("-start_year", "-pk")
        ),
    }


# Statistics -------------------------------------------------------------------------------

_GRANTED = (ApplicationStatus.APPROVED, ApplicationStatus.DISBURSED)


def _sums() -> dict[str, Any]:
    return {
        "applications": Count("pk"),
        "approved": Count("pk", filter=Q(status__in=_GRANTED)),
        "rejected": Count("pk", filter=Q(status=ApplicationStatus.REJECTED)),
        "pending": Count(
            "pk", filter=Q(status__in=(ApplicationStatus.SUBMITTED, ApplicationStatus.REVIEWING))
        ),
        "approved_amount": Sum("approved_amount", filter=Q(status__in=_GRANTED)),
        "disbursed_amount": Sum("disbursed_amount", filter=Q(status=ApplicationStatus.DISBURSED)),
    }


@dataclass(frozen=True)
class ApplicationStatistics:
    year: int
    totals: dict
    by_policy: list
    by_chain: list
    by_district: list
    by_enterprise: list


def application_statistics(user: User, year: int, *, top: int = 50) -> ApplicationStatistics:
    """Applications of a year in scope (withdrawn ones left out): counts, amounts approved
    and disbursed by policy, by chain the policy serves, by district, and the enterprises
    that received most — six queries whatever the numbers."""
    qs = (
        application_scope(user)
        .filter(year=year)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .order_by()
    )
    paid_first = (
        F("disbursed_amount").desc(nulls_last=True),
        F("approved_amount").desc(nulls_last=True),
    )
    return ApplicationStatistics(
        year=year,
        totals=qs.aggregate(**_sums(), enterprises=Count("enterprise", distinct=True)),
        by_policy=list(
            qs.values("policy_id", "policy__title")
            .annotate(**_sums())
            .order_by(*paid_first, "policy__title")
        ),
        by_chain=list(
            qs.filter(policy__chains__isnull=False)
            .values("policy__chains__code", "policy__chains__name")
            .annotate(**_sums())
            .order_by(*paid_first, "policy__chains__name")
        ),
        by_district=list(
            qs.values("enterprise__district__code", "enterprise__district__name")
            .annotate(**_sums())
            .order_by(*paid_first, "enterprise__district__code")
        ),
        by_enterprise=list(
            qs.values("enterprise_id", "enterprise__name", "enterprise__district__name")
            .annotate(**_sums())
            .order_by(*paid_first, "enterprise__name")[:top]
        ),
    )


# The cultivation ladder -------------------------------------------------------------------

#: The qualification that marks each rung reached (小升规: the 规上 flag instead).
TIER_QUALIFICATION = {
    Tier.TO_SCALE: None,
    Tier.INNOVATIVE: "innovative_sme",
    Tier.SPECIALIZED: "specialized_sme",
    Tier.LITTLE_GIANT: "little_giant",
    Tier.CHAMPION: "single_champion",
    Tier.CHAIN_MASTER: "chain_master",
}


def _holders(user: User, tier: str, on: dt.date) -> QuerySet[Enterprise]:
    qs = enterprise_scope(user)
    kind = TIER_QUALIFICATION[tier]
    if kind is None:
        return qs.filter(above_scale=True)
    return qs.filter(pk__in=valid_qualifications(on).filter(kind=kind).values("enterprise"))


def tier_candidates(user: User, tier: str, on: dt.date | None = None) -> QuerySet[Fact]:
    """The operating enterprises in scope that the rung's rule finds candidates (and that
    do not stand on it yet), with their facts; none when the rung has no rule."""
    from gongxin.policies.services.matching import parsed

    on = on or timezone.localdate()
    rule = TierRule.objects.filter(tier=tier).first()
    if rule is None:
        return Fact.objects.none()
    qs = Fact.objects.filter(operating=True, enterprise__in=enterprise_scope(user)).exclude(
        enterprise__in=_holders(user, tier, on)
    )
    return (
        qs.alias(ok=compile_rule(parsed(rule.rule_text), on))
        .filter(ok=True)
        .select_related("enterprise", "enterprise__district")
        .order_by("-revenue", "enterprise__name")
    )


@dataclass(frozen=True)
class Rung:
    tier: str
    label: str
    rule: TierRule | None
    description: str
    holders: int
    candidates: int
    plans: int


def ladder(user: User, on: dt.date | None = None) -> list[Rung]:
    """Each rung of the ladder in scope: who stands on it, the candidates its rule finds,
    the cultivation plans under way towards it."""
    from gongxin.policies.services.matching import parsed

    on = on or timezone.localdate()
    tier_rules = {r.tier: r for r in TierRule.objects.all()}
    plans = dict(
        CultivationPlan.objects.filter(
            status=PlanStatus.ACTIVE, enterprise__in=enterprise_scope(user)
        )
        .order_by()
        .values("tier")
        .annotate(n=Count("pk"))
        .values_list("tier", "n")
    )
    rungs = []
    for tier, label in Tier.choices:
        rule = tier_rules.get(tier)
        rungs.append(
            Rung(
                tier=tier,
                label=str(label),
                rule=rule,
                description=rule_said(parsed(rule.rule_text)) if rule else "",
                holders=_holders(user, tier, on).count(),
                candidates=tier_candidates(user, tier, on).count() if rule else 0,
                plans=plans.get(tier, 0),
            )
        )
    return rungs


def ladder_years(user: User, years: list[int]) -> list[dict]:
    """How many enterprises in scope stood on each rung at the end of each year (规上: main
    business revenue of 2,000万元 or more that year; None for a year without annual
    figures): two queries per year."""
    scope = enterprise_scope(user)
    rows = []
    for year in years:
        end = dt.date(year, 12, 31)
        held = (
            valid_qualifications(end)
            .filter(enterprise__in=scope)
            .order_by()
            .aggregate(
                **{
                    tier: Count("enterprise", distinct=True, filter=Q(kind=kind))
                    for tier, kind in TIER_QUALIFICATION.items()
                    if kind
                }
            )
        )
        figures = AnnualFigure.objects.filter(enterprise__in=scope, year=year).aggregate(
            reported=Count("pk"),
            above=Count("pk", filter=Q(main_business_revenue__gte=20_000_000)),
        )
        # a year whose annual statistics are not in yet has no count, not a count of 0
        held[Tier.TO_SCALE] = figures["above"] if figures["reported"] else None
        rows.append({"year": year, "counts": [held[t] for t in Tier.values]})
    return rows


# 免申即享 -----------------------------------------------------------------------------------


def without_application_due(user: User, year: int, on: dt.date | None = None):
    """Matches of 免申即享 policies in force: eligible enterprises in scope whose amount is
    computed from complete data, not yet granted (no open application) for `year`."""
    on = on or timezone.localdate()
    policies = Policy.objects.filter(
        without_application=True, status=PolicyStatus.PUBLISHED, effective_from__lte=on
    ).filter(Q(effective_until__isnull=True) | Q(effective_until__gte=on))
    granted = Application.objects.filter(
        policy=OuterRef("policy"),
        enterprise=OuterRef("enterprise"),
        year=year,
        status__in=OPEN_APPLICATION,
    )
    qs = _in_scope(
        user,
        Match.objects.filter(policy__in=policies, result=MatchResult.ELIGIBLE).filter(
            Q(benefit__isnull=False) | Q(policy__amount_method=AmountMethod.NONE)
        ),
    )
    return (
        qs.exclude(Exists(granted))
        .select_related("policy", "enterprise", "enterprise__district")
        .order_by("policy__title", "-benefit", "enterprise__name")
    )


def without_application_total(user: User, year: int) -> dict:
    return without_application_due(user, year).aggregate(
        count=Count("pk"), amount=Sum("benefit"), enterprises=Count("enterprise", distinct=True)
    )


def enterprise_years(enterprise: Enterprise, years: int = 5) -> list[dict]:
    """An enterprise's way up the ladder: each recent year's revenue, growth, R&D ratio,
    whether it was 规上 by its main business revenue, and the rungs it held at year end."""
    figures = {f.year: f for f in AnnualFigure.objects.filter(enterprise=enterprise)}
    held = list(enterprise.qualifications.all())
    last = timezone.localdate().year
    rows = []
    for year in range(last - years + 1, last + 1):
        figure, before = figures.get(year), figures.get(year - 1)
        end = dt.date(year, 12, 31)
        rungs = [
            str(Tier(t).label)
            for t, kind in TIER_QUALIFICATION.items()
            if kind
            and any(
                q.kind == kind
                and q.issued_on <= end
                and (q.expires_on is None or q.expires_on >= end)
                for q in held
            )
        ]
        revenue = figure.revenue if figure else None
        growth = None
        if revenue is not None and before is not None and before.revenue:
            growth = ((revenue - before.revenue) * 100 / before.revenue).quantize(Decimal("0.1"))
        rd = None
        if figure and figure.rd_expense is not None and revenue:
            rd = (figure.rd_expense * 100 / revenue).quantize(Decimal("0.01"))
        mbr = figure.main_business_revenue if figure else None
        rows.append(
            {
                "year": year,
                "revenue": revenue,
                "growth": growth,
                "rd_ratio": rd,
                "above_scale": None if mbr is None else mbr >= 20_000_000,
                "rungs": rungs,
            }
        )
    return rows
