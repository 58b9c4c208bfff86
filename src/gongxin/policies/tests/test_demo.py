"""The demo's policies: some forty policies of the real kinds of support, several per key
chain, each rule valid and matched; applications at every step and 免申即享 grants written
as the services write them; the six ladder rules; cultivation plans with their items; and
the same for the same seed."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict

import pytest
from django.utils import timezone

from gongxin.chains.demo import CHAINS, chains_build
from gongxin.chains.models import Chain
from gongxin.core.choices import Role
from gongxin.core.demo import staff_accounts_create
from gongxin.core.models import User
from gongxin.core.tests.module_data import built_for_module
from gongxin.enterprises.choices import EnterpriseStatus, ItemStatus, PlanStatus, Tier
from gongxin.enterprises.demo import enterprise_accounts_pick, enterprises_build
from gongxin.enterprises.models import CultivationPlan, Enterprise, PlanItem
from gongxin.enterprises.selectors import valid_qualifications
from gongxin.policies import demo, rules, services
from gongxin.policies.choices import (
    AmountMethod,
    ApplicationSource,
    ApplicationStatus,
    BenefitKind,
    MatchResult,
    PolicyStatus,
)
from gongxin.policies.models import (
    Application,
    ApplicationEvent,
    Match,
    Policy,
    RuleVersion,
    TierRule,
)
from gongxin.policies.selectors import TIER_QUALIFICATION
from gongxin.projects.demo import projects_build

SEED = 7
TODAY = dt.date(2026, 11, 18)
S = ApplicationStatus


def _build() -> dict:
    from gongxin.core.tests.factories import city_load

    city = city_load()
    staff_accounts_create(regions=city.regions, departments=city.departments, password_hash="!")
    officers = list(User.objects.filter(role=Role.OFFICER).order_by("pk"))
    built = enterprises_build(seed=SEED, count=300, regions=city.regions, officers=officers)
    chains = chains_build(seed=SEED, password_hash="!")
    projects_build(seed=SEED, chains=chains, today=TODAY)
    User.objects.bulk_create(
        User(username=f"ent-{e.uscc}", password="!", role=Role.ENTERPRISE, enterprise=e)
        for e in enterprise_accounts_pick(built, n=8)
    )
    return demo.policies_build(seed=SEED, today=TODAY)


@pytest.fixture(scope="module")
def _module_counts(django_db_setup, django_db_blocker):
    yield from built_for_module(django_db_blocker, _build)


@pytest.fixture
def counts(_module_counts, db) -> dict:
    return _module_counts


def _now() -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(TODAY, demo.CLOCK))


def _in_force() -> list[Policy]:
    return [p for p in Policy.objects.order_by("pk") if p.in_force(TODAY)]


# The library ------------------------------------------------------------------------------


def test_policies_of_the_real_kinds(counts):
    policies = list(Policy.objects.order_by("pk"))
    assert counts["policies"] == len(policies) == len(demo.POLICIES)
    assert 32 <= len(policies) <= 40
    statuses = Counter(p.status for p in policies)
    assert statuses[PolicyStatus.DRAFT] >= 2 and statuses[PolicyStatus.WITHDRAWN] == 1
    expired = [p for p in policies if p.effective_until and p.effective_until < TODAY]
    assert [p.status for p in expired] == [PolicyStatus.PUBLISHED]
    assert counts["in_force"] == len(_in_force()) >= 0.8 * len(policies)

    def having(*words: str, **fields) -> list[Policy]:
        return [
            p
            for p in policies
            if all(w in p.title + p.rule_text for w in words)
            and all(getattr(p, k) == v for k, v in fields.items())
        ]

    # 技改: a rate of the upgrade investment, with a cap
    assert having("技术改造", amount_method=AmountMethod.RATE, base="upgrade_investment")
    assert all(p.cap for p in having(base="upgrade_investment"))
    assert having("小升规", "above_scale", amount_method=AmountMethod.FIXED)
    assert having('holds("specialized_sme")', amount_method=AmountMethod.FIXED)
    assert having('holds("little_giant")', amount_method=AmountMethod.FIXED)
    assert len(having("首台（套）")) >= 2
    assert having(amount_method=AmountMethod.RATE, base="rd_expense")
    assert all(p.cap for p in having(amount_method=AmountMethod.RATE, base="rd_expense"))
    assert len(having(amount_method=AmountMethod.TIERS, base="employees")) >= 2
    assert len(having(benefit_kind=BenefitKind.INTEREST)) >= 2
    assert having(benefit_kind=BenefitKind.TALENT)
    assert having("5G+智慧工厂") and having("数字化") and having('holds("green_factory")')
    assert len(having(without_application=True)) >= 2
    for policy in policies:
        assert policy.department is not None and policy.issuer and policy.summary
        if policy.status != PolicyStatus.DRAFT:
            assert re.fullmatch(r"\S+〔20\d\d〕\d+号", policy.document_number), policy
        if policy.amount_method == AmountMethod.TIERS:
            thresholds = [float(t) for t, _ in policy.tiers]
            assert thresholds == sorted(thresholds) and len(thresholds) >= 3


def test_several_policies_per_key_chain(counts):
    for code in CHAINS:
        chain = Chain.objects.get(code=code)
        family = {chain.code, *chain.subchains.values_list("code", flat=True)}
        policies = Policy.objects.filter(chains=chain).distinct()
        assert policies.count() >= 2, code
        for policy in policies:
            assert any(f'on_chain("{c}")' in policy.rule_text for c in family), policy


def test_every_rule_parses(counts):
    for policy in Policy.objects.all():
        rules.parse(policy.rule_text)
        assert list(policy.rule_versions.values_list("number", "text")) == [(1, policy.rule_text)]
        assert policy.rule_version == 1
    assert RuleVersion.objects.count() == Policy.objects.count()
    assert set(TierRule.objects.values_list("tier", flat=True)) == set(Tier.values)
    for tier_rule in TierRule.objects.all():
        assert rules.describe(rules.parse(tier_rule.rule_text))
        assert tier_rule.note


# Matching -----------------------------------------------------------------------------------


def test_each_policy_in_force_has_matches(counts):
    in_force = _in_force()
    with_eligible = 0
    for policy in in_force:
        results = Counter(policy.matches.values_list("result", flat=True))
        assert sum(results.values()) > 0, policy
        with_eligible += results[MatchResult.ELIGIBLE] > 0
        assert policy.matched_on == TODAY
    assert with_eligible >= 0.8 * len(in_force)
    assert not Match.objects.exclude(policy__in=[p.pk for p in in_force]).exists()
    assert counts["eligible"] == Match.objects.filter(result=MatchResult.ELIGIBLE).count()
    assert counts["unknown"] == Match.objects.filter(result=MatchResult.UNKNOWN).count() > 0


def test_matches_agree_with_the_rules_in_memory(counts):
    ids = sorted(Match.objects.values_list("enterprise_id", flat=True).distinct())[:40]
    facts = services.facts_in_memory(ids, TODAY)
    stored = {(m.policy_id, m.enterprise_id): m for m in Match.objects.filter(enterprise__in=ids)}
    for policy in _in_force():
        for enterprise_id, known in facts.items():
            result, amount = services.decide(policy, known)
            match = stored.get((policy.pk, enterprise_id))
            if result == MatchResult.INELIGIBLE:
                assert match is None
            else:
                assert match.result == result
                # within a yuan: on SQLite, selectors.benefit_expression divides a figure
                # stored as an integer by 100 as integers and drops the cents
                assert (match.benefit is None) == (amount is None)
                assert amount is None or abs(match.benefit - amount) < 1


# Applications ----------------------------------------------------------------------------------


def test_applications_at_every_step(counts):
    applications = Application.objects.select_related("policy")
    assert counts["applications"] == applications.count()
    operating = Enterprise.objects.filter(status=EnterpriseStatus.OPERATING).count()
    assert 0.1 * operating < counts["applications"] < operating
    assert set(applications.values_list("status", flat=True)) == set(S.values)
    assert set(applications.values_list("year", flat=True)) == {2025, 2026}
    assert not applications.filter(policy__status=PolicyStatus.DRAFT).exists()
    for application in applications.filter(status=S.DISBURSED):
        assert application.disbursed_amount > 0 and application.disbursed_on <= TODAY
        assert application.disbursed_amount <= application.approved_amount
        assert application.decided_at is not None
    for application in applications.filter(status=S.REJECTED):
        assert application.reason and application.decided_at is not None
    for application in applications.filter(status=S.APPROVED):
        assert application.approved_amount is not None and application.disbursed_on is None
    assert applications.filter(status=S.DISBURSED).count() == counts["disbursed"] > 0


def test_grants_without_application(counts):
    granted = Application.objects.filter(source=ApplicationSource.AUTOMATIC)
    assert counts["granted"] == granted.count() > 0
    assert set(granted.values_list("status", flat=True)) <= {S.APPROVED, S.DISBURSED}
    assert set(granted.values_list("policy__without_application", flat=True)) == {True}
    applied = Application.objects.filter(source=ApplicationSource.APPLIED)
    assert set(applied.values_list("policy__without_application", flat=True)) == {False}
    eligible = set(
        Match.objects.filter(result=MatchResult.ELIGIBLE).values_list("policy_id", "enterprise_id")
    )
    this_year = granted.filter(year=TODAY.year).values_list("policy_id", "enterprise_id")
    assert set(this_year) <= eligible


def test_steps_as_the_services_write_them(counts):
    events = defaultdict(list)
    for event in ApplicationEvent.objects.select_related("actor").order_by("at", "pk"):
        events[event.application_id].append(event)
    handled = {}
    for application in Application.objects.select_related("policy", "enterprise", "submitted_by"):
        steps = events[application.pk]
        statuses = [e.status for e in steps]
        assert statuses[-1] == application.status
        assert application.version == len(steps)
        assert all(e.at <= _now() for e in steps)
        assert steps[0].at == application.submitted_at
        if application.source == ApplicationSource.AUTOMATIC:
            assert statuses[0] == S.APPROVED
        else:
            assert statuses[0] == S.SUBMITTED
            assert statuses in (
                [S.SUBMITTED],
                [S.SUBMITTED, S.REVIEWING],
                [S.SUBMITTED, S.WITHDRAWN],
                [S.SUBMITTED, S.REVIEWING, S.WITHDRAWN],
                [S.SUBMITTED, S.REVIEWING, S.REJECTED],
                [S.SUBMITTED, S.REVIEWING, S.APPROVED],
                [S.SUBMITTED, S.REVIEWING, S.APPROVED, S.DISBURSED],
            ), statuses
            assert services.application_can_submit(application.submitted_by, application.enterprise)
        for event in steps:
            if event.status in (S.SUBMITTED, S.WITHDRAWN):
                assert event.actor == application.submitted_by
            else:
                key = (event.actor_id, application.policy_id)
                if key not in handled:
                    handled[key] = services.application_can_handle(event.actor, application.policy)
                assert handled[key], (event.actor, application.policy)
        if application.status == S.DISBURSED:
            assert steps[-1].amount == application.disbursed_amount
            assert timezone.localtime(steps[-1].at).date() == application.disbursed_on


# The ladder and the plans ---------------------------------------------------------------------


def test_cultivation_plans(counts):
    plans = list(CultivationPlan.objects.select_related("official", "enterprise"))
    assert counts["plans"] == len(plans) >= 20
    statuses = Counter(p.status for p in plans)
    assert statuses[PlanStatus.ACTIVE] > statuses[PlanStatus.ACHIEVED] > 0
    assert 1 <= statuses[PlanStatus.DROPPED] <= 2
    assert len({p.tier for p in plans}) >= 5
    for plan in plans:
        assert plan.goal and plan.official is not None
        assert plan.start_year <= plan.target_year
        assert 3 <= plan.items.count() <= 6
        if plan.status == PlanStatus.ACHIEVED:
            kind = TIER_QUALIFICATION[plan.tier]
            assert (
                valid_qualifications(TODAY)
                .filter(enterprise=plan.enterprise, kind=kind, issued_on=plan.achieved_on)
                .exists()
            )
            assert set(plan.items.values_list("status", flat=True)) == {ItemStatus.DONE}
    items = PlanItem.objects.all()
    assert counts["plan_items"] == items.count()
    assert not items.filter(status=ItemStatus.DONE, done_on__isnull=True).exists()
    assert not items.filter(done_on__gt=TODAY).exists()
    late = items.filter(due_on__lt=TODAY, plan__status=PlanStatus.ACTIVE).exclude(
        status=ItemStatus.DONE
    )
    assert late.exists()
    assert items.filter(status=ItemStatus.PLANNED, due_on__gt=TODAY).exists()
    assert set(items.values_list("kind", flat=True)) == {"measure", "milestone"}


# Determinism -----------------------------------------------------------------------------------


def _snapshot() -> dict:
    return {
        "policies": list(
            Policy.objects.order_by("title").values_list(
                "title", "status", "document_number", "rule_text", "amount_method", "amount",
                "rate", "cap", "tiers", "department__code", "effective_from", "effective_until",
            )
        ),
        "chains": sorted(Policy.objects.values_list("title", "chains__code")),
        "matches": sorted(
            Match.objects.values_list("policy__title", "enterprise__uscc", "result", "benefit")
        ),
        "applications": sorted(
            Application.objects.values_list(
                "policy__title", "enterprise__uscc", "year", "source", "status", "statement",
                "requested_amount", "approved_amount", "disbursed_amount", "disbursed_on",
                "reason", "submitted_by__username", "submitted_at", "decided_at", "version",
            )
        ),
        "events": sorted(
            ApplicationEvent.objects.values_list(
                "application__policy__title", "application__enterprise__uscc",
                "application__year", "status", "at", "actor__username", "text", "amount",
            )
        ),
        "tiers": sorted(TierRule.objects.values_list("tier", "rule_text", "note")),
        "plans": sorted(
            CultivationPlan.objects.values_list(
                "enterprise__uscc", "tier", "goal", "official__username", "start_year",
                "target_year", "status", "achieved_on",
            )
        ),
        "items": sorted(
            PlanItem.objects.values_list(
                "plan__enterprise__uscc", "plan__tier", "kind", "text", "responsible", "due_on",
                "status", "done_on",
            ),
            key=str,
        ),
    }  # fmt: skip


def _forget_policies() -> None:
    ApplicationEvent.objects.all().delete()
    Application.objects.all().delete()
    Policy.objects.all().delete()  # with their rule versions and matches
    TierRule.objects.all().delete()
    CultivationPlan.objects.all().delete()


def test_same_seed_same_demo(counts):
    first = _snapshot()
    _forget_policies()
    assert demo.policies_build(seed=SEED, today=TODAY) == counts
    assert _snapshot() == first
