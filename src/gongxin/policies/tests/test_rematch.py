"""Matches kept up to date: an enterprise's file edited through the archive's services
re-decides that enterprise once the change commits; a policy saved re-decides the policy
(new rule versions, withdrawal, expiry); the in-memory and the database paths agree; the
enterprises newly eligible are told once; an import re-decides everything; `match_all`
and `gongxin match` decide the archive on a day; malformed rules are refused with their
line and column and nothing is written."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from gongxin.core.choices import AuditAction, Role
from gongxin.core.models import AuditEntry, Notification
from gongxin.core.tabular.importing import run_import
from gongxin.core.tests.factories import UserFactory
from gongxin.enterprises import services as archive
from gongxin.enterprises.columns import EnterpriseImporter
from gongxin.enterprises.models import Enterprise
from gongxin.enterprises.tests.factories import EnterpriseFactory, QualificationFactory, make_uscc
from gongxin.enterprises.tests.tabular_files import (
    city_for_module,
    csv_bytes,
    enterprise_row,
    table,
)
from gongxin.policies import services
from gongxin.policies.choices import AmountMethod, MatchResult, PolicyStatus
from gongxin.policies.models import Fact, Match, Policy, RuleVersion
from gongxin.policies.services import matching
from gongxin.policies.tests.helpers import (
    figures_save,
    last_year,
    policy_data,
    policy_make,
    stored,
)

pytestmark = pytest.mark.django_db

D = Decimal
E, U = MatchResult.ELIGIBLE, MatchResult.UNKNOWN
SMALL = 'size_class in ("small", "micro") and above_scale = false'


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def _module_city(django_db_setup, django_db_blocker):
    yield from city_for_module(django_db_blocker)


@pytest.fixture
def city(_module_city, db):
    return _module_city


@pytest.fixture
def staff(city):
    return UserFactory(username="staff_li", role=Role.STAFF)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the block leaves for the commit (the rematch, then the notifications)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def today() -> dt.date:
    return timezone.localdate()


def enterprise(**values) -> Enterprise:
    """An enterprise with its facts as of today (as the archive's services leave it)."""
    made = EnterpriseFactory(**values)
    services.facts_refresh(enterprise_ids=[made.pk])
    return made


def keys(policy) -> set[int]:
    return set(Match.objects.filter(policy=policy).values_list("enterprise_id", flat=True))


def told(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user).order_by("pk"))


# An enterprise's file changes --------------------------------------------------------------


def test_an_edit_rematches_the_enterprise_once_it_commits(
    staff, django_capture_on_commit_callbacks
):
    a = enterprise(size_class="medium", above_scale=True)
    other = enterprise(size_class="small", above_scale=False)
    policy = policy_make(rule_text=SMALL, amount_method=AmountMethod.FIXED, amount=D("50000"))
    assert stored(policy=policy) == {(policy.pk, other.pk): (E, D("50000"), 1)}
    before = Match.objects.get(enterprise=other)

    with django_capture_on_commit_callbacks() as callbacks:
        archive.enterprise_update(
            actor=staff, enterprise=a, data={"size_class": "small", "above_scale": False}
        )
        assert keys(policy) == {other.pk}  # not before the commit
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()

    assert stored(policy=policy) == {
        (policy.pk, other.pk): (E, D("50000"), 1),
        (policy.pk, a.pk): (E, D("50000"), 1),
    }
    assert Fact.objects.get(enterprise=a).size_class == "small"
    untouched = Match.objects.get(enterprise=other)
    assert (untouched.pk, untouched.matched_at) == (before.pk, before.matched_at)


def test_size_class_and_scale_changes_are_followed(staff, committed):
    a = enterprise(size_class="medium", above_scale=True)
    small = policy_make(rule_text=SMALL)
    above = policy_make(rule_text="above_scale = true")
    assert stored(enterprise=a) == {(above.pk, a.pk): (E, None, 1)}

    with committed():
        archive.enterprise_update(actor=staff, enterprise=a, data={"above_scale": False})
    assert stored(enterprise=a) == {}
    with committed():
        archive.enterprise_update(actor=staff, enterprise=a, data={"size_class": "micro"})
    assert stored(enterprise=a) == {(small.pk, a.pk): (E, None, 1)}
    with committed():
        archive.enterprise_update(actor=staff, enterprise=a, data={"size_class": ""})
    assert stored(enterprise=a) == {(small.pk, a.pk): (U, None, 1)}  # size unknown


def test_annual_figures_make_an_unknown_enterprise_eligible_then_not(staff, committed):
    a = enterprise()
    policy = policy_make(
        rule_text="revenue >= 2000万元 and revenue_growth > 0%",
        amount_method=AmountMethod.TIERS,
        base="revenue",
        tiers=[["20000000", "200000"], ["50000000", "500000"]],
    )
    assert stored(policy=policy) == {(policy.pk, a.pk): (U, None, 1)}  # no figures yet

    with committed():
        archive.annual_figure_save(
            actor=staff, enterprise=a, year=last_year() - 1, data={"revenue": D("40000000")}
        )
    assert stored(policy=policy) == {(policy.pk, a.pk): (U, None, 1)}  # last year still missing
    with committed():
        archive.annual_figure_save(
            actor=staff, enterprise=a, year=last_year(), data={"revenue": D("52000000")}
        )
    assert stored(policy=policy) == {(policy.pk, a.pk): (E, D("500000"), 1)}
    with committed():
        archive.annual_figure_save(
            actor=staff, enterprise=a, year=last_year(), data={"revenue": D("35000000")}
        )
    assert stored(policy=policy) == {}  # revenue fell: growth below zero
    with committed():
        archive.annual_figure_save(
            actor=staff, enterprise=a, year=last_year() - 1, data={"revenue": D("30000000")}
        )
    assert stored(policy=policy) == {(policy.pk, a.pk): (E, D("200000"), 1)}


def test_qualifications_saved_and_deleted_are_followed(staff, committed):
    a = enterprise()
    policy = policy_make(rule_text='holds("specialized_sme")')
    assert keys(policy) == set()

    with committed():
        qualification = archive.qualification_save(
            actor=staff,
            enterprise=a,
            qualification=None,
            data={
                "kind": "specialized_sme",
                "level": "provincial",
                "issued_on": today() - dt.timedelta(days=30),
                "expires_on": today() + dt.timedelta(days=365),
            },
        )
    assert stored(policy=policy) == {(policy.pk, a.pk): (E, None, 1)}
    with committed():
        archive.qualification_save(
            actor=staff,
            enterprise=a,
            qualification=qualification,
            data={"expires_on": today() - dt.timedelta(days=1)},
        )
    assert keys(policy) == set()  # expired yesterday
    with committed():
        archive.qualification_save(
            actor=staff, enterprise=a, qualification=qualification, data={"expires_on": None}
        )
    assert keys(policy) == {a.pk}
    with committed():
        archive.qualification_delete(actor=staff, qualification=qualification)
    assert keys(policy) == set()


def test_only_operating_enterprises_match(staff, committed):
    a = enterprise()
    closed = enterprise(status="moved_out")
    policy = policy_make(rule_text="above_scale = true")
    assert keys(policy) == {a.pk}
    assert services.decide(policy, services.facts_in_memory([closed.pk], today())[closed.pk]) == (
        MatchResult.INELIGIBLE,
        None,
    )
    services.match_enterprises([a.pk, closed.pk], tell=False)
    assert keys(policy) == {a.pk}

    with committed():
        archive.enterprise_update(actor=staff, enterprise=a, data={"status": "suspended"})
    assert keys(policy) == set()
    with committed():
        archive.enterprise_update(actor=staff, enterprise=a, data={"status": "operating"})
    assert keys(policy) == {a.pk}


def test_extreme_figures_of_one_enterprise_do_not_stop_the_facts(city):
    odd = EnterpriseFactory()
    figures_save(odd, last_year() - 1, revenue=D("0.01"))
    figures_save(odd, last_year(), revenue=D("10000000000"))
    services.facts_refresh()
    facts = services.facts_in_memory([odd.pk], today())
    assert facts[odd.pk]["revenue_growth"] == D("99999999999900.00")


# A policy changes --------------------------------------------------------------------------


def test_a_new_rule_is_a_new_version_and_replaces_the_matches(staff):
    small = enterprise(size_class="small", above_scale=False)
    large = enterprise(size_class="large", above_scale=True)
    policy = policy_make(actor=staff, rule_text=SMALL)
    assert stored(policy=policy) == {(policy.pk, small.pk): (E, None, 1)}
    AuditEntry.objects.all().delete()

    services.policy_save(
        actor=staff, policy=policy, data={"rule_text": "  above_scale = true\n", "title": "新"}
    )

    policy.refresh_from_db()
    assert (policy.rule_text, policy.rule_version, policy.version) == ("above_scale = true", 2, 2)
    assert list(policy.rule_versions.values_list("number", "text", "saved_by")) == [
        (2, "above_scale = true", staff.pk),
        (1, SMALL, staff.pk),
    ]
    assert stored(policy=policy) == {(policy.pk, large.pk): (E, None, 2)}
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_type, entry.object_id) == (
        AuditAction.UPDATE,
        "policies.policy",
        str(policy.pk),
    )
    assert entry.changes["rule_text"] == [SMALL, "above_scale = true"]
    assert entry.changes["title"] == ["测试政策", "新"]


def test_the_same_rule_written_again_is_no_new_version(staff):
    a = enterprise()
    policy = policy_make(rule_text="above_scale = true")
    match = Match.objects.get(policy=policy)

    saved = services.policy_save(
        actor=staff, policy=policy, data={"rule_text": "\n above_scale = true  "}
    )
    assert saved.version == 1 and saved.rule_version == 1
    assert RuleVersion.objects.filter(policy=policy).count() == 1

    services.policy_save(actor=staff, policy=policy, data={"summary": "对规上企业给予奖励"})
    policy.refresh_from_db()
    assert (policy.version, policy.rule_version) == (2, 1)
    kept = Match.objects.get(policy=policy, enterprise=a)
    assert (kept.pk, kept.matched_at) == (match.pk, match.matched_at)  # not matched again


def test_a_new_amount_rematches_with_the_same_rule_version(staff):
    a = enterprise()
    policy = policy_make(rule_text="above_scale = true")
    services.policy_save(
        actor=staff,
        policy=policy,
        data={"amount_method": AmountMethod.FIXED, "amount": D("80000")},
    )
    assert stored(policy=policy) == {(policy.pk, a.pk): (E, D("80000"), 1)}


def test_a_withdrawn_policy_loses_its_matches_and_regains_them_when_republished(staff):
    a = enterprise()
    policy = policy_make(rule_text="above_scale = true")
    assert keys(policy) == {a.pk}
    services.policy_save(actor=staff, policy=policy, data={"status": PolicyStatus.WITHDRAWN})
    assert keys(policy) == set()
    assert not services.policies_in_force(today()).filter(pk=policy.pk).exists()
    services.policy_save(actor=staff, policy=policy, data={"status": PolicyStatus.PUBLISHED})
    assert keys(policy) == {a.pk}


@pytest.mark.parametrize(
    "values",
    [
        {"effective_until": dt.date(2020, 12, 31)},  # ended
        {"effective_from": dt.date(2100, 1, 1)},  # not yet in force
        {"status": PolicyStatus.DRAFT},
    ],
    ids=["ended", "not yet", "draft"],
)
def test_a_policy_not_in_force_has_no_matches(staff, values):
    enterprise()
    policy = policy_make(rule_text="above_scale = true", **values)
    assert not policy.in_force(today())
    assert keys(policy) == set()
    assert Policy.objects.get(pk=policy.pk).matched_on == today()


def test_a_policy_that_ends_loses_its_matches(staff):
    a = enterprise()
    policy = policy_make(rule_text="above_scale = true")
    assert keys(policy) == {a.pk}
    services.policy_save(
        actor=staff, policy=policy, data={"effective_until": today() - dt.timedelta(days=1)}
    )
    assert keys(policy) == set()


def test_only_editors_of_the_library_save_policies(city):
    district = UserFactory(role=Role.DISTRICT, region=city.regions["360121"])
    with pytest.raises(PermissionDenied):
        policy_make(actor=district)
    assert not Policy.objects.exists()


# The two ways of matching agree ------------------------------------------------------------

AGREEING = [
    {"rule_text": SMALL, "amount_method": AmountMethod.FIXED, "amount": D("50000")},
    {
        "rule_text": "revenue >= 1500万元 and revenue_growth > 0%",
        "amount_method": AmountMethod.RATE,
        "rate": D("1.5"),
        "base": "revenue",
        "cap": D("300000"),
    },
    {
        "rule_text": 'rd_ratio >= 3% or holds("high_tech")',
        "amount_method": AmountMethod.RATE,
        "rate": D("12.5"),
        "base": "rd_expense",
    },
    {
        "rule_text": "employees >= 0人",
        "amount_method": AmountMethod.TIERS,
        "base": "employees",
        "tiers": [["100", "10000"], ["300", "30000"]],
    },
    {"rule_text": 'not holds("little_giant") and tax > 50万元'},
    {"rule_text": 'district starts_with "3601" and established <= 2018-01-01'},
]


@pytest.fixture
def archive_of_six(city):
    """Six enterprises whose figures, qualifications and status differ."""
    year = last_year()
    rows = [
        # (size, above, revenue, revenue before, R&D, employees, tax, established)
        ("small", False, "18000000", "15000000", "700000", 120, "600000", 2012),
        ("medium", False, "19000000", "21000000", None, 320, "400000", 2016),
        ("small", False, None, "15000000", None, None, None, 2018),
        ("", False, "16000000", None, "100000", 80, "520000", 2020),
        ("large", True, "420000000", "380000000", "13000000", 1500, "9000000", 2008),
        ("micro", False, "0", "100", "0", 5, "0", 2010),
    ]
    made = []
    for size, above, revenue, before, rd, employees, tax, established in rows:
        e = EnterpriseFactory(
            size_class=size, above_scale=above, established_on=dt.date(established, 3, 1)
        )
        figures_save(
            e,
            year,
            revenue=revenue and D(revenue),
            rd_expense=rd and D(rd),
            employees=employees,
            tax=tax and D(tax),
        )
        if before:
            figures_save(e, year - 1, revenue=D(before))
        made.append(e)
    QualificationFactory(enterprise=made[1], kind="high_tech", expires_on=None)
    QualificationFactory(enterprise=made[4], kind="little_giant", expires_on=None)
    made.append(EnterpriseFactory(status="suspended"))
    services.facts_refresh()
    return made


def test_matching_in_memory_and_in_the_database_agree(archive_of_six):
    policies = [Policy.objects.create(**policy_data(**values)) for values in AGREEING]
    ids = [e.pk for e in archive_of_six]

    in_db = matching.Outcome()
    for policy in policies:
        services.match_policy(policy, tell=False, outcome=in_db)
    by_policy = stored()
    Match.objects.all().delete()
    in_memory = services.match_enterprises(ids, tell=False)
    assert stored() == by_policy
    assert (in_memory.eligible, in_memory.unknown) == (in_db.eligible, in_db.unknown)
    # every outcome occurs, and the suspended enterprise has none
    assert {result for result, _, _ in by_policy.values()} == {E, U}
    assert {amount for _, amount, _ in by_policy.values()} - {None}
    assert archive_of_six[-1].pk not in {pk for _, pk in by_policy}


def test_many_enterprises_are_rematched_policy_by_policy_with_the_same_result(
    archive_of_six, monkeypatch
):
    policies = [Policy.objects.create(**policy_data(**values)) for values in AGREEING]
    ids = [e.pk for e in archive_of_six]
    services.match_enterprises(ids, tell=False)
    one_by_one = stored()
    Match.objects.all().delete()
    monkeypatch.setattr(matching, "IN_MEMORY_LIMIT", 2)
    services.match_enterprises(ids, tell=False)
    assert stored() == one_by_one
    assert {p for p, _ in one_by_one} <= {p.pk for p in policies}


def test_a_rematch_writes_only_what_changed(archive_of_six):
    for values in AGREEING:
        services.match_policy(Policy.objects.create(**policy_data(**values)), tell=False)
    before = {m.pk: m.matched_at for m in Match.objects.all()}
    outcome = services.match_enterprises([e.pk for e in archive_of_six], tell=False)
    assert {m.pk: m.matched_at for m in Match.objects.all()} == before
    assert outcome.told == 0


def test_a_full_refresh_of_the_facts_writes_only_what_changed(archive_of_six):
    facts = {f.pk: f for f in Fact.objects.all()}
    assert set(facts) == {e.pk for e in archive_of_six}
    assert services.facts_refresh() == 0  # nothing changed: nothing written
    # one enterprise's revenue changed, one enterprise new, one row whose enterprise is gone
    changed = archive_of_six[0]
    figures_save(changed, revenue=D("25000000"))
    new = EnterpriseFactory()
    Fact.objects.create(enterprise_id=new.pk + 1000, year=last_year(), operating=True,
                        above_scale=False)  # fmt: skip
    assert services.facts_refresh() == 3
    after = {f.pk: f for f in Fact.objects.all()}
    assert set(after) == set(facts) | {new.pk}
    assert after[changed.pk].revenue == D("25000000")
    assert after[changed.pk].revenue_growth == D("66.67")  # on 15,000,000 the year before
    assert after[new.pk].operating and after[new.pk].revenue is None
    unchanged = [pk for pk in facts if pk != changed.pk]
    assert [
        (after[pk].revenue, after[pk].rd_ratio, after[pk].project_investment) for pk in unchanged
    ] == [(facts[pk].revenue, facts[pk].rd_ratio, facts[pk].project_investment) for pk in unchanged]
    assert services.facts_refresh() == 0


@pytest.mark.parametrize("batch", [1, 2, 100])
def test_a_full_match_in_batches_decides_as_policy_by_policy(archive_of_six, monkeypatch, batch):
    policies = [Policy.objects.create(**policy_data(**values)) for values in AGREEING]
    alone = matching.Outcome()
    for policy in policies:
        services.match_policy(policy, tell=False, outcome=alone)
    one_by_one = stored()
    Match.objects.all().delete()
    monkeypatch.setattr(matching, "BATCH", batch)
    first = services.match_all(tell=False)  # into the empty table
    assert stored() == one_by_one
    assert (first.eligible, first.unknown) == (alone.eligible, alone.unknown)
    # a daily run in batches puts back what each policy lost
    firsts = {(k[0], v[0]): k for k, v in reversed(one_by_one.items())}
    gone = list(firsts.values())  # of each policy, an eligible and an unknown enterprise
    assert {one_by_one[k][0] for k in gone} == {E, U}
    for policy_id, enterprise_id in gone:
        Match.objects.filter(policy_id=policy_id, enterprise_id=enterprise_id).delete()
    daily = services.match_all()
    assert stored() == one_by_one
    assert daily.newly == {
        policy_id: {enterprise_id}
        for policy_id, enterprise_id in gone
        if one_by_one[(policy_id, enterprise_id)][0] == E
    }


def test_a_full_match_into_an_empty_table_stores_what_a_daily_run_keeps(archive_of_six):
    policies = [Policy.objects.create(**policy_data(**values)) for values in AGREEING]
    table = Match._meta.db_table
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, table)

    first = services.match_all()  # a bulk load, its indexes built afterwards
    filled = stored()
    with connection.cursor() as cursor:
        assert connection.introspection.get_constraints(cursor, table) == indexes
    assert {result for result, _, _ in filled.values()} == {E, U}
    assert sum(len(ids) for ids in first.newly.values()) == first.eligible

    # the daily run puts back what went missing or wrong, and reports what became eligible
    (policy, enterprise_id), _ = next((k, v) for k, v in filled.items() if v[0] == E)
    Match.objects.filter(policy=policy, enterprise_id=enterprise_id).update(result=U)
    removed = next(k for k, v in filled.items() if v[0] == U)
    Match.objects.filter(policy_id=removed[0], enterprise_id=removed[1]).delete()
    extra = next(e.pk for e in archive_of_six if (policies[0].pk, e.pk) not in filled)
    Match.objects.create(
        policy=policies[0],
        enterprise_id=extra,
        result=E,
        rule_version=1,
        matched_at=timezone.now(),
    )
    daily = services.match_all()
    assert stored() == filled
    assert (daily.eligible, daily.unknown) == (first.eligible, first.unknown)
    assert daily.newly == {policy: {enterprise_id}}
    with pytest.raises(IntegrityError), transaction.atomic():  # still unique
        Match.objects.create(
            policy_id=removed[0],
            enterprise_id=removed[1],
            result=U,
            rule_version=1,
            matched_at=timezone.now(),
        )


# Telling the enterprises -------------------------------------------------------------------


def test_newly_eligible_enterprises_are_told_once(staff, committed):
    a = enterprise(size_class="medium", above_scale=True)
    b = enterprise(size_class="small", above_scale=False)
    user = UserFactory(role=Role.ENTERPRISE, enterprise=a)
    left = UserFactory(role=Role.ENTERPRISE, enterprise=a, is_active=False)
    b_user = UserFactory(role=Role.ENTERPRISE, enterprise=b)
    with committed():
        policy = policy_make(
            rule_text=SMALL,
            title="小微企业奖励",
            amount_method=AmountMethod.FIXED,
            amount=D("50000"),
        )
    assert [n.title for n in told(b_user)] == ["A policy you qualify for: 小微企业奖励"]
    assert told(user) == []

    with committed():
        archive.enterprise_update(
            actor=staff, enterprise=a, data={"size_class": "small", "above_scale": False}
        )
    (notice,) = told(user)
    assert notice.title == "A policy you qualify for: 小微企业奖励"
    assert "Amount it provides: 5万元." in notice.body
    assert notice.url == reverse("policies:policy_detail", args=[policy.pk])
    assert told(left) == []
    assert len(told(b_user)) == 1  # b did not change

    with committed():  # unchanged outcome: nobody is told again
        archive.enterprise_update(actor=staff, enterprise=a, data={"address": "南昌市新址路8号"})
        services.match_all()
        services.policy_save(actor=staff, policy=policy, data={"summary": "再次保存"})
    assert (len(told(user)), len(told(b_user))) == (1, 1)


def test_enterprises_that_need_information_are_not_told(staff, committed):
    a = enterprise()
    user = UserFactory(role=Role.ENTERPRISE, enterprise=a)
    with committed():
        policy = policy_make(rule_text="revenue >= 2000万元")
    assert stored(policy=policy) == {(policy.pk, a.pk): (U, None, 1)}
    assert told(user) == []
    with committed():
        archive.annual_figure_save(
            actor=staff, enterprise=a, year=last_year(), data={"revenue": D("30000000")}
        )
    assert [n.title for n in told(user)] == ["A policy you qualify for: 测试政策"]
    assert "Amount" not in told(user)[0].body  # the policy names no amount


def test_nobody_is_told_when_told_not_to(staff, committed):
    a = enterprise()
    user = UserFactory(role=Role.ENTERPRISE, enterprise=a)
    Policy.objects.create(**policy_data())
    with committed():
        outcome = services.match_all(tell=False)
    assert (outcome.eligible, outcome.told) == (1, 0)
    assert told(user) == []


# Imports, match_all and the command ----------------------------------------------------------


def test_an_import_rematches_the_whole_archive(city, committed):
    outside = enterprise(size_class="medium")
    policy = policy_make(rule_text='size_class = "small"')
    # a change made outside gongxin (no rematch of its own)
    Enterprise.objects.filter(pk=outside.pk).update(size_class="small")
    assert keys(policy) == set()

    rows = [enterprise_row(1, size_class="小型"), enterprise_row(2, size_class="大型")]
    with committed():
        result = run_import(
            EnterpriseImporter(actor=None),
            io.BytesIO(csv_bytes(table(rows))),
            name="企业.csv",
            dry_run=False,
        )
    assert result.committed and result.created == 2
    imported = Enterprise.objects.get(uscc=make_uscc(1001))
    assert keys(policy) == {outside.pk, imported.pk}
    assert Fact.objects.count() == Enterprise.objects.count()


def test_a_dry_run_import_rematches_nothing(city, django_capture_on_commit_callbacks):
    policy = policy_make(rule_text='size_class = "small"')
    with django_capture_on_commit_callbacks() as callbacks:
        result = run_import(
            EnterpriseImporter(actor=None),
            io.BytesIO(csv_bytes(table([enterprise_row(1, size_class="小型")]))),
            name="企业.csv",
            dry_run=True,
        )
    assert result.ok and not result.committed
    assert callbacks == []
    assert keys(policy) == set()


def test_match_all_drops_the_matches_of_policies_no_longer_in_force(city):
    a = enterprise()
    ending = policy_make(rule_text="above_scale = true", effective_until=today())
    lasting = policy_make(rule_text="above_scale = true")
    held = policy_make(rule_text='holds("high_tech")')
    QualificationFactory(
        enterprise=a, issued_on=today() - dt.timedelta(days=400), expires_on=today()
    )
    services.match_all(tell=False)
    assert stored(enterprise=a) == {
        (ending.pk, a.pk): (E, None, 1),
        (lasting.pk, a.pk): (E, None, 1),
        (held.pk, a.pk): (E, None, 1),
    }
    # withdrawn behind the services' back: the daily run notices
    Policy.objects.filter(pk=lasting.pk).update(status=PolicyStatus.WITHDRAWN)
    services.match_all(tell=False)
    assert set(stored(enterprise=a)) == {(ending.pk, a.pk), (held.pk, a.pk)}

    tomorrow = today() + dt.timedelta(days=1)
    outcome = services.match_all(on=tomorrow, tell=False)
    assert stored(enterprise=a) == {}  # the policy ended and the qualification expired
    assert (outcome.eligible, outcome.unknown) == (0, 0)
    assert Policy.objects.get(pk=held.pk).matched_on == tomorrow


def _run_match(*args: str) -> str:
    out = io.StringIO()
    call_command("match", *args, stdout=out)
    return out.getvalue()


def test_the_match_command_prints_the_counts(city):
    a, b = enterprise(), enterprise()
    enterprise(above_scale=False)
    unknown = EnterpriseFactory()
    services.facts_refresh(enterprise_ids=[unknown.pk])
    UserFactory(role=Role.ENTERPRISE, enterprise=a)
    Policy.objects.create(**policy_data(rule_text="above_scale = true"))
    Policy.objects.create(**policy_data(rule_text="revenue > 0"))
    figures_save(a, revenue=D("100"))
    figures_save(b, revenue=D("0"))

    text = _run_match("--on", today().isoformat())
    # above_scale = true: a, b and the one without figures; revenue > 0: a, and two unknown
    assert re.match(r"4 eligible, 2 need information, 4 newly eligible; \d+\.\d s\.", text), text
    text = _run_match("--on", today().isoformat())
    assert text.startswith("4 eligible, 2 need information, 0 newly eligible;"), text


def test_the_match_command_can_keep_quiet(city):
    a = enterprise()
    user = UserFactory(role=Role.ENTERPRISE, enterprise=a)
    Policy.objects.create(**policy_data())
    text = _run_match("--quiet-enterprises")
    assert text.startswith("1 eligible, 0 need information, 0 newly eligible;"), text
    assert keys(Policy.objects.get()) == {a.pk}
    assert told(user) == []


@pytest.mark.parametrize("day", ["2026-13-01", "yesterday", "2026/06/01"])
def test_the_match_command_refuses_a_day_that_is_not_a_date(city, day):
    enterprise()
    policy = Policy.objects.create(**policy_data())
    with pytest.raises(CommandError) as error:
        _run_match("--on", day)
    assert str(error.value) == f"--on: “{day}” is not a date (YYYY-MM-DD)."
    assert keys(policy) == set()  # nothing matched


# Malformed rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("revenue >> 1", "Line 1, column 10: "),
        ("revenue > 1\nand shape = 2", "Line 2, column 5: "),
        ("", "Line 1, column 1: "),
        ('size_class = "huge"', "Line 1, column 14: "),
    ],
)
def test_a_malformed_rule_is_refused_on_rule_text_with_line_and_column(text, where):
    with pytest.raises(ValidationError) as error:
        services.rule_check(text)
    (message,) = error.value.message_dict["rule_text"]
    assert message.startswith(where)
    assert set(error.value.message_dict) == {"rule_text"}


def test_rule_check_returns_the_rule_stripped_and_names_the_field_asked():
    assert services.rule_check("  revenue > 1万元 \n") == "revenue > 1万元"
    with pytest.raises(ValidationError) as error:
        services.rule_check("revenue >", field="candidate_rule")
    assert list(error.value.message_dict) == ["candidate_rule"]


def test_a_malformed_rule_keeps_its_error_code():
    with pytest.raises(ValidationError) as error:
        services.rule_check("revnue > 1")
    assert error.value.error_dict["rule_text"][0].code == "unknown_field"


def test_a_new_policy_with_a_malformed_rule_writes_nothing(staff):
    enterprise()
    with pytest.raises(ValidationError) as error:
        policy_make(actor=staff, rule_text="revenue > 1 and\nholds(high_tech)")
    assert error.value.message_dict["rule_text"][0].startswith("Line 2, column 7: ")
    assert not Policy.objects.exists()
    assert not RuleVersion.objects.exists()
    assert not Match.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_policy_changed_to_a_malformed_rule_is_left_as_it_was(staff):
    a = enterprise()
    policy = policy_make(actor=staff, rule_text="above_scale = true")
    entries = AuditEntry.objects.count()
    match = Match.objects.get(policy=policy)
    with pytest.raises(ValidationError) as error:
        services.policy_save(
            actor=staff, policy=policy, data={"rule_text": "above_scale = 1", "title": "改"}
        )
    assert "rule_text" in error.value.message_dict
    fresh = Policy.objects.get(pk=policy.pk)
    assert (fresh.rule_text, fresh.rule_version, fresh.version, fresh.title) == (
        "above_scale = true",
        1,
        1,
        "测试政策",
    )
    assert RuleVersion.objects.filter(policy=policy).count() == 1
    assert AuditEntry.objects.count() == entries
    kept = Match.objects.get(policy=policy, enterprise=a)
    assert (kept.pk, kept.matched_at) == (match.pk, match.matched_at)


def test_a_ladder_rule_is_checked_too(staff):
    from gongxin.policies.models import TierRule

    with pytest.raises(ValidationError) as error:
        services.tier_rule_save(actor=staff, tier="to_scale", rule_text="revenue between 1")
    assert "rule_text" in error.value.message_dict
    assert not TierRule.objects.exists()
    saved = services.tier_rule_save(
        actor=staff, tier="to_scale", rule_text=" revenue between 1500万元 and 2000万元 "
    )
    assert saved.rule_text == "revenue between 1500万元 and 2000万元"


def test_a_changed_policy_is_told_to_those_still_eligible_once(staff, committed):
    a = enterprise(size_class="small", above_scale=False)
    b = enterprise(size_class="medium", above_scale=False)
    a_user = UserFactory(role=Role.ENTERPRISE, enterprise=a)
    b_user = UserFactory(role=Role.ENTERPRISE, enterprise=b)
    with committed():
        policy = policy_make(
            rule_text=SMALL,
            title="小微企业奖励",
            amount_method=AmountMethod.FIXED,
            amount=D("50000"),
        )
    assert [n.title for n in told(a_user)] == ["A policy you qualify for: 小微企业奖励"]
    with committed():  # a higher amount and a wider rule: a hears of the change, b qualifies
        services.policy_save(
            actor=staff,
            policy=policy,
            data={"amount": D("80000"), "rule_text": 'size_class in ("small", "medium")'},
        )
    titles = [n.title for n in told(a_user)]
    assert titles.count("A policy you qualify for has changed: 小微企业奖励") == 1
    assert "Amount it provides: 8万元." in told(a_user)[-1].body
    assert [n.title for n in told(b_user)] == ["A policy you qualify for: 小微企业奖励"]
