"""Applications under policies: who applies, for which policies and how often; the
handlers' review, approval (with the amount), rejection (with the reason) and payment;
withdrawal; two people acting on one version; who handles; the steps, the audit trail and
what the enterprise is told; and 免申即享 grants without application."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from gongxin.core.choices import AuditAction, Role
from gongxin.core.models import AuditEntry, Notification
from gongxin.core.tests.factories import UserFactory
from gongxin.enterprises.tests.factories import EnterpriseFactory
from gongxin.enterprises.tests.tabular_files import city_for_module
from gongxin.policies import services
from gongxin.policies.choices import (
    AmountMethod,
    ApplicationSource,
    ApplicationStatus,
    PolicyStatus,
)
from gongxin.policies.models import Application, ApplicationEvent, Match
from gongxin.policies.services import Conflict
from gongxin.policies.tests.helpers import figures_save, policy_make

pytestmark = pytest.mark.django_db

D = Decimal
S = ApplicationStatus
YEAR = 2026
#: What the handlers approve and pay unless a test says otherwise.
GRANTED = D("80000")


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
def cast(city):
    """Enterprise a (district A) with its users, b (district B) with one, the handling
    department (人社局) of a policy in force and everyone else who might try."""
    regions, departments = city.regions, city.departments
    a = EnterpriseFactory(district=regions["360111"], name="青山湖精密制造有限公司")
    b = EnterpriseFactory(district=regions["360124"], name="进贤医疗器械有限公司")
    people = SimpleNamespace(
        a=a,
        b=b,
        a_user=UserFactory(username="a_user", role=Role.ENTERPRISE, enterprise=a),
        a_colleague=UserFactory(
            username="a_boss", role=Role.ENTERPRISE, enterprise=a, email="boss@a.example.cn"
        ),
        a_former=UserFactory(
            username="a_former", role=Role.ENTERPRISE, enterprise=a, is_active=False
        ),
        b_user=UserFactory(username="b_user", role=Role.ENTERPRISE, enterprise=b),
        staff=UserFactory(username="staff", role=Role.STAFF),
        admin=UserFactory(username="admin", role=Role.ADMIN),
        leader=UserFactory(username="leader", role=Role.LEADER),
        district_a=UserFactory(username="district_a", role=Role.DISTRICT, region=regions["360111"]),
        district_b=UserFactory(username="district_b", role=Role.DISTRICT, region=regions["360124"]),
        handler=UserFactory(username="rsj", role=Role.DEPARTMENT, department=departments["rsj"]),
        other_department=UserFactory(
            username="jrj", role=Role.DEPARTMENT, department=departments["jrj"]
        ),
        rsj=departments["rsj"],
    )
    people.policy = policy_make(
        title="稳岗补贴",
        department=people.rsj,
        amount_method=AmountMethod.FIXED,
        amount=D("100000"),
    )
    return people


def submit(cast, actor=None, *, policy=None, enterprise=None, year=YEAR, **kwargs) -> Application:
    return services.application_submit(
        actor=actor or cast.a_user,
        policy=policy or cast.policy,
        enterprise=enterprise or cast.a,
        year=year,
        **kwargs,
    )


def review(cast, application, actor=None) -> Application:
    return services.application_review(
        actor=actor or cast.handler, application=application, seen=application.version
    )


def approve(cast, application, amount=GRANTED, actor=None, **kwargs) -> Application:
    return services.application_decide(
        actor=actor or cast.handler,
        application=application,
        seen=application.version,
        approve=True,
        amount=amount,
        **kwargs,
    )


def reject(cast, application, reason="材料不全", actor=None) -> Application:
    return services.application_decide(
        actor=actor or cast.handler,
        application=application,
        seen=application.version,
        approve=False,
        reason=reason,
    )


def disburse(cast, application, amount=GRANTED, on=None, actor=None) -> Application:
    return services.application_disburse(
        actor=actor or cast.handler,
        application=application,
        seen=application.version,
        amount=amount,
        on=on or timezone.localdate(),
    )


def withdraw(cast, application, actor=None) -> Application:
    return services.application_withdraw(
        actor=actor or cast.a_user, application=application, seen=application.version
    )


def steps(application) -> list[tuple]:
    return [
        (e.status, e.actor_id, e.text, e.amount)
        for e in ApplicationEvent.objects.filter(application=application)
    ]


def in_db(application) -> Application:
    return Application.objects.get(pk=application.pk)


def notices(*users) -> list[tuple[str, str, str]]:
    """What these users were told, sorted by user name."""
    return sorted(
        (n.user.username, n.title, n.body)
        for n in Notification.objects.filter(user__in=users).select_related("user")
    )


def entries(obj) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk)
        ).order_by("pk")
    )


# Applying ----------------------------------------------------------------------------------


def test_the_enterprise_applies_for_itself(cast):
    application = submit(cast, statement="  申请2026年稳岗补贴 \n", requested_amount=D("80000"))
    saved = in_db(application)
    assert (saved.status, saved.source, saved.year, saved.version) == (
        S.SUBMITTED,
        ApplicationSource.APPLIED,
        YEAR,
        1,
    )
    assert (saved.statement, saved.requested_amount) == ("申请2026年稳岗补贴", D("80000"))
    assert saved.submitted_by == cast.a_user and saved.submitted_at is not None
    assert saved.decided_at is None and saved.approved_amount is None
    assert steps(application) == [(S.SUBMITTED, cast.a_user.pk, "申请2026年稳岗补贴", D("80000"))]
    (entry,) = entries(application)
    assert (entry.action, entry.actor, entry.object_repr) == (
        AuditAction.CREATE,
        cast.a_user,
        str(application),
    )


@pytest.mark.parametrize("who", ["staff", "admin", "district_a"])
def test_officials_who_edit_the_enterprise_apply_for_it(cast, who):
    application = submit(cast, getattr(cast, who))
    assert in_db(application).submitted_by == getattr(cast, who)
    assert services.application_can_submit(getattr(cast, who), cast.a)


@pytest.mark.parametrize("who", ["b_user", "district_b", "leader", "handler", "other_department"])
def test_nobody_else_applies_for_the_enterprise(cast, who):
    assert not services.application_can_submit(getattr(cast, who), cast.a)
    with pytest.raises(PermissionDenied):
        submit(cast, getattr(cast, who))
    assert not Application.objects.exists()
    assert not AuditEntry.objects.filter(object_type="policies.application").exists()


@pytest.mark.parametrize(
    "values",
    [
        {"status": PolicyStatus.DRAFT},
        {"status": PolicyStatus.WITHDRAWN},
        {"effective_until": dt.date(2020, 12, 31)},
        {"effective_from": dt.date(2100, 1, 1)},
    ],
    ids=["draft", "withdrawn", "ended", "not yet"],
)
def test_no_application_under_a_policy_not_in_force(cast, values):
    policy = policy_make(title="已停止的政策", **values)
    with pytest.raises(ValidationError, match="This policy is not in force"):
        submit(cast, policy=policy)
    assert not Application.objects.exists()


def test_no_application_under_a_policy_paid_without_one(cast):
    policy = policy_make(title="免申即享", without_application=True)
    with pytest.raises(ValidationError, match="without an application"):
        submit(cast, policy=policy)
    assert not Application.objects.exists()


def test_no_negative_amount_requested(cast):
    with pytest.raises(ValidationError) as error:
        submit(cast, requested_amount=D("-1"))
    assert list(error.value.message_dict) == ["requested_amount"]


def test_one_open_application_per_enterprise_policy_and_year(cast):
    first = submit(cast)
    with pytest.raises(ValidationError) as error:
        submit(cast, cast.staff)
    assert "already has an application under this policy for" in " ".join(error.value.messages)
    assert list(Application.objects.values_list("pk", flat=True)) == [first.pk]
    assert len(steps(first)) == 1
    # another year, or another enterprise, is another application
    submit(cast, year=YEAR + 1)
    submit(cast, cast.b_user, enterprise=cast.b)
    assert Application.objects.count() == 3


@pytest.mark.parametrize("close", [reject, withdraw], ids=["rejected", "withdrawn"])
def test_applying_again_once_the_first_was_rejected_or_withdrawn(cast, close):
    first = close(cast, submit(cast))
    second = submit(cast, statement="补充材料后再次申请")
    assert in_db(first).status in (S.REJECTED, S.WITHDRAWN)
    assert in_db(second).status == S.SUBMITTED


@pytest.mark.parametrize("step", ["approved", "disbursed"])
def test_no_second_application_once_the_first_was_approved(cast, step):
    application = approve(cast, submit(cast))
    if step == "disbursed":
        disburse(cast, application)
    with pytest.raises(ValidationError, match="already has an application"):
        submit(cast)
    assert Application.objects.count() == 1


# Deciding and paying -----------------------------------------------------------------------


def test_from_application_to_payment(cast):
    application = submit(cast, requested_amount=D("100000"))
    review(cast, application)
    assert (in_db(application).status, in_db(application).version) == (S.REVIEWING, 2)
    approve(cast, application, D("80000"), reason=" 符合条件，核减2万元 ")
    saved = in_db(application)
    assert (saved.status, saved.version, saved.approved_amount) == (S.APPROVED, 3, D("80000"))
    assert saved.reason == "符合条件，核减2万元" and saved.decided_at is not None
    paid_on = timezone.localdate() - dt.timedelta(days=3)
    disburse(cast, application, D("75000"), on=paid_on)
    saved = in_db(application)
    assert (saved.status, saved.version) == (S.DISBURSED, 4)
    assert (saved.disbursed_amount, saved.disbursed_on) == (D("75000"), paid_on)
    assert application.version == 4  # the caller's copy moved on too
    handler = cast.handler.pk
    assert steps(application) == [
        (S.SUBMITTED, cast.a_user.pk, "", D("100000")),
        (S.REVIEWING, handler, "", None),
        (S.APPROVED, handler, "符合条件，核减2万元", D("80000")),
        (S.DISBURSED, handler, "", D("75000")),
    ]


def test_an_application_is_approved_without_a_review(cast):
    application = approve(cast, submit(cast), D("100000"))
    assert in_db(application).status == S.APPROVED


@pytest.mark.parametrize("amount", [None, D("-100")])
def test_an_approval_needs_the_amount(cast, amount):
    application = submit(cast)
    with pytest.raises(ValidationError) as error:
        approve(cast, application, amount)
    assert list(error.value.message_dict) == ["amount"]
    assert (in_db(application).status, in_db(application).version) == (S.SUBMITTED, 1)
    assert len(steps(application)) == 1


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_a_rejection_needs_the_reason(cast, reason):
    application = review(cast, submit(cast))
    with pytest.raises(ValidationError) as error:
        reject(cast, application, reason)
    assert error.value.message_dict == {"reason": ["Say why the application is rejected."]}
    assert in_db(application).status == S.REVIEWING


def test_a_rejection_keeps_the_reason(cast):
    application = reject(cast, review(cast, submit(cast)), " 不属于支持范围 ")
    saved = in_db(application)
    assert (saved.status, saved.reason, saved.approved_amount) == (
        S.REJECTED,
        "不属于支持范围",
        None,
    )
    assert saved.decided_at is not None
    assert steps(application)[-1] == (S.REJECTED, cast.handler.pk, "不属于支持范围", None)


def test_a_decided_application_is_not_decided_again(cast):
    application = approve(cast, submit(cast))
    with pytest.raises(ValidationError, match="Only a submitted application"):
        reject(cast, application)
    with pytest.raises(ValidationError, match="Only a submitted application"):
        approve(cast, application, D("1"))
    assert in_db(application).approved_amount == D("80000")


def test_only_a_submitted_application_is_taken_into_review(cast):
    application = approve(cast, submit(cast))
    with pytest.raises(Conflict, match="it is now Approved"):
        review(cast, application)


def test_no_payment_beyond_the_approved_amount(cast):
    application = approve(cast, submit(cast), D("80000"))
    with pytest.raises(ValidationError) as error:
        disburse(cast, application, D("80000.01"))
    assert error.value.message_dict == {"amount": ["More than the 8万元 approved."]}
    assert in_db(application).status == S.APPROVED
    disburse(cast, application, D("80000"))
    assert in_db(application).disbursed_amount == D("80000")


@pytest.mark.parametrize("amount", [D("0"), D("-5")])
def test_a_payment_needs_an_amount(cast, amount):
    application = approve(cast, submit(cast))
    with pytest.raises(ValidationError) as error:
        disburse(cast, application, amount)
    assert error.value.message_dict == {"amount": ["Give the amount paid."]}


def test_no_payment_dated_in_the_future(cast):
    application = approve(cast, submit(cast))
    with pytest.raises(ValidationError) as error:
        disburse(cast, application, on=timezone.localdate() + dt.timedelta(days=1))
    assert error.value.message_dict == {"on": ["A payment cannot be dated in the future."]}
    assert in_db(application).status == S.APPROVED
    disburse(cast, application, on=timezone.localdate())  # today is fine
    assert in_db(application).status == S.DISBURSED


def test_only_an_approved_application_is_paid(cast):
    application = review(cast, submit(cast))
    with pytest.raises(Conflict):
        disburse(cast, application)
    assert in_db(application).status == S.REVIEWING
    assert not ApplicationEvent.objects.filter(status=S.DISBURSED).exists()


# Withdrawing -------------------------------------------------------------------------------


@pytest.mark.parametrize("reviewed", [False, True], ids=["submitted", "under review"])
def test_the_applicant_withdraws_before_a_decision(cast, reviewed):
    application = submit(cast)
    if reviewed:
        review(cast, application)
    withdraw(cast, application)
    assert in_db(application).status == S.WITHDRAWN
    assert steps(application)[-1] == (S.WITHDRAWN, cast.a_user.pk, "", None)


def test_a_decided_application_is_not_withdrawn(cast):
    application = approve(cast, submit(cast))
    with pytest.raises(ValidationError, match="A decided application cannot be withdrawn"):
        withdraw(cast, application)
    assert in_db(application).status == S.APPROVED


@pytest.mark.parametrize("who", ["b_user", "district_b", "handler"])
def test_only_those_who_apply_for_the_enterprise_withdraw(cast, who):
    application = submit(cast)
    with pytest.raises(PermissionDenied):
        withdraw(cast, application, getattr(cast, who))
    assert in_db(application).status == S.SUBMITTED


# Two people, one version -------------------------------------------------------------------


def test_two_people_acting_on_one_version(cast):
    submit(cast)
    mine = Application.objects.get()
    theirs = Application.objects.get()
    review(cast, mine, cast.staff)

    with pytest.raises(Conflict) as error:
        reject(cast, theirs, "重复申请")
    assert error.value.code == "conflict"
    assert "it is now Under review" in error.value.messages[0]
    assert "nothing of yours was saved" in error.value.messages[0]
    saved = in_db(mine)
    assert (saved.status, saved.version, saved.reason) == (S.REVIEWING, 2, "")
    assert [s[0] for s in steps(mine)] == [S.SUBMITTED, S.REVIEWING]

    # with the fresh version the decision goes through
    theirs.refresh_from_db()
    reject(cast, theirs, "重复申请")
    assert in_db(mine).status == S.REJECTED


def test_a_withdrawal_after_the_handler_decided_is_a_conflict(cast):
    submit(cast)
    enterprise_copy = Application.objects.get()
    approve(cast, Application.objects.get())
    with pytest.raises(Conflict, match="it is now Approved"):
        withdraw(cast, enterprise_copy)
    assert in_db(enterprise_copy).status == S.APPROVED


# Who handles -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "handles"),
    [
        ("staff", True),
        ("admin", True),
        ("handler", True),
        ("other_department", False),
        ("leader", False),
        ("district_a", False),
        ("a_user", False),
    ],
)
def test_who_handles_the_applications_of_a_policy(cast, who, handles):
    user = getattr(cast, who)
    assert services.application_can_handle(user, cast.policy) is handles
    application = submit(cast)
    if handles:
        review(cast, application, user)
        assert in_db(application).status == S.REVIEWING
    else:
        with pytest.raises(PermissionDenied):
            review(cast, application, user)
        for step in (approve, reject):
            with pytest.raises(PermissionDenied):
                step(cast, application, actor=user)
        assert in_db(application).status == S.SUBMITTED


def test_a_department_handles_only_the_policies_it_handles(cast):
    unassigned = policy_make(title="无承办部门的政策")
    assert not services.application_can_handle(cast.handler, unassigned)
    assert services.application_can_handle(cast.staff, unassigned)
    application = approve(cast, submit(cast))
    with pytest.raises(PermissionDenied):
        disburse(cast, application, actor=cast.other_department)
    assert in_db(application).status == S.APPROVED


def test_an_inactive_official_handles_nothing(cast):
    cast.staff.is_active = False
    assert not services.application_can_handle(cast.staff, cast.policy)


# What the enterprise is told; the audit trail ----------------------------------------------


def test_the_enterprise_is_told_of_each_decision_and_the_payment(
    cast, django_capture_on_commit_callbacks
):
    people = (cast.a_user, cast.a_colleague, cast.a_former, cast.b_user, cast.handler)
    with django_capture_on_commit_callbacks(execute=True):
        application = review(cast, submit(cast))
    assert notices(*people) == []  # applying and review tell nobody

    with django_capture_on_commit_callbacks() as callbacks:
        approve(cast, application, D("80000"))
        assert notices(*people) == []  # not before the commit
    for callback in callbacks:
        callback()
    approved = ("Application approved：稳岗补贴", "Amount: 8万元")
    assert notices(*people) == [("a_boss", *approved), ("a_user", *approved)]
    url = reverse("policies:application_detail", args=[application.pk])
    assert set(Notification.objects.values_list("url", flat=True)) == {url}
    assert [m.to for m in mail.outbox] == [["boss@a.example.cn"]]

    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        disburse(cast, application, D("80000"))
    paid = ("Funds disbursed：稳岗补贴", "8万元")
    assert notices(*people) == [("a_boss", *paid), ("a_user", *paid)]


def test_the_enterprise_is_told_why_it_was_rejected(cast, django_capture_on_commit_callbacks):
    application = submit(cast)
    with django_capture_on_commit_callbacks(execute=True):
        reject(cast, application, "上年度未缴纳社保")
    assert notices(cast.a_user, cast.b_user) == [
        ("a_user", "Application rejected：稳岗补贴", "上年度未缴纳社保")
    ]


def test_decisions_and_payments_are_audited(cast):
    application = submit(cast)
    approve(cast, application, D("80000"), reason="符合条件")
    disburse(cast, application, D("60000"))
    created, decided, paid = entries(application)
    assert (created.action, decided.action, paid.action) == (
        AuditAction.CREATE,
        AuditAction.UPDATE,
        AuditAction.UPDATE,
    )
    assert (decided.actor, decided.message) == (cast.handler, "符合条件")
    assert decided.changes["status"][1] == S.APPROVED
    assert paid.changes == {
        "status": [S.APPROVED, S.DISBURSED],
        "disbursed_amount": [None, "60000"],
    }


def test_a_decision_is_audited_with_the_status_before(cast):
    application = review(cast, submit(cast))
    reject(cast, application, "材料不全")
    assert entries(application)[-1].changes["status"] == [S.REVIEWING, S.REJECTED]


def test_review_and_withdrawal_are_audited(cast):
    application = review(cast, submit(cast))
    withdraw(cast, application)
    assert [e.action for e in entries(application)] == [
        AuditAction.CREATE,
        AuditAction.UPDATE,
        AuditAction.UPDATE,
    ]


# 免申即享: granted without application ------------------------------------------------------


@pytest.fixture
def free(cast):
    """A 免申即享 policy of 人社局 paying 1.5% of last year's revenue to enterprises above
    designated size: a (2000万元) and b (1000万元) are due an amount, c has no revenue
    figure (no amount can be computed), d is below designated size."""
    figures_save(cast.a, revenue=D("20000000"))
    figures_save(cast.b, revenue=D("10000000"))
    cast.c = EnterpriseFactory(name="没有数据的企业")
    cast.d = EnterpriseFactory(above_scale=False)
    services.facts_refresh()
    return policy_make(
        title="规上企业奖励",
        department=cast.rsj,
        without_application=True,
        amount_method=AmountMethod.RATE,
        rate=D("1.5"),
        base="revenue",
    )


def test_a_year_is_granted_to_the_eligible_enterprises_with_an_amount(
    cast, free, django_capture_on_commit_callbacks
):
    assert dict(Match.objects.filter(policy=free).values_list("enterprise_id", "benefit")) == {
        cast.a.pk: D("300000"),
        cast.b.pk: D("150000"),
        cast.c.pk: None,
    }
    with django_capture_on_commit_callbacks(execute=True):
        granted = services.grant_without_application(actor=cast.handler, policy=free, year=YEAR)
    assert granted == 2

    applications = Application.objects.filter(policy=free).order_by("enterprise_id")
    assert [
        (a.enterprise_id, a.status, a.source, a.year, a.requested_amount, a.approved_amount)
        for a in applications
    ] == [
        (cast.a.pk, S.APPROVED, ApplicationSource.AUTOMATIC, YEAR, D("300000"), D("300000")),
        (cast.b.pk, S.APPROVED, ApplicationSource.AUTOMATIC, YEAR, D("150000"), D("150000")),
    ]
    for application in applications:
        assert application.submitted_by == cast.handler
        assert application.decided_at is not None
        assert steps(application) == [
            (
                S.APPROVED,
                cast.handler.pk,
                "Granted without application (免申即享)",
                application.approved_amount,
            )
        ]
    (entry,) = entries(free)[-1:]
    assert (entry.action, entry.actor) == (AuditAction.CREATE, cast.handler)
    assert entry.changes == {"granted": [None, 2], "year": [None, YEAR]}
    told = ("Support granted without application：规上企业奖励", "30万元")
    assert notices(cast.a_user, cast.a_colleague, cast.b_user) == [
        ("a_boss", *told),
        ("a_user", *told),
        ("b_user", "Support granted without application：规上企业奖励", "15万元"),
    ]


def test_a_grant_skips_enterprises_with_an_open_application(cast, free):
    now = timezone.now()
    Application.objects.create(
        policy=free, enterprise=cast.a, year=YEAR, status=S.REJECTED, submitted_at=now
    )
    Application.objects.create(
        policy=free, enterprise=cast.b, year=YEAR, status=S.REVIEWING, submitted_at=now
    )
    assert services.grant_without_application(actor=cast.staff, policy=free, year=YEAR) == 1
    granted = Application.objects.get(source=ApplicationSource.AUTOMATIC)
    assert (granted.enterprise, granted.status) == (cast.a, S.APPROVED)

    # granted once a year: again the same year, nothing; the next year, both
    assert services.grant_without_application(actor=cast.staff, policy=free, year=YEAR) == 0
    assert services.grant_without_application(actor=cast.staff, policy=free, year=YEAR + 1) == 2
    assert Application.objects.filter(source=ApplicationSource.AUTOMATIC).count() == 3


def test_a_grant_without_an_amount_method_grants_every_eligible_enterprise(cast, free):
    policy = policy_make(
        title="优先推荐",
        department=cast.rsj,
        without_application=True,
        rule_text="above_scale = true",
    )
    assert services.grant_without_application(actor=cast.handler, policy=policy, year=YEAR) == 3
    assert set(
        Application.objects.filter(policy=policy).values_list("enterprise_id", "approved_amount")
    ) == {(cast.a.pk, None), (cast.b.pk, None), (cast.c.pk, None)}


def test_a_granted_application_is_paid_as_any_other(cast, free):
    services.grant_without_application(actor=cast.handler, policy=free, year=YEAR)
    application = Application.objects.get(enterprise=cast.a)
    with pytest.raises(ValidationError):
        disburse(cast, application, D("300000.01"))
    disburse(cast, application, D("300000"))
    assert in_db(application).status == S.DISBURSED


def test_a_grant_needs_a_policy_paid_without_application(cast, free):
    with pytest.raises(ValidationError, match="paid on application only"):
        services.grant_without_application(actor=cast.handler, policy=cast.policy, year=YEAR)
    free.status = PolicyStatus.WITHDRAWN
    with pytest.raises(ValidationError, match="not in force"):
        services.grant_without_application(actor=cast.handler, policy=free, year=YEAR)
    assert not Application.objects.exists()


@pytest.mark.parametrize("who", ["other_department", "a_user", "district_a", "leader"])
def test_only_the_handlers_grant(cast, free, who):
    with pytest.raises(PermissionDenied):
        services.grant_without_application(actor=getattr(cast, who), policy=free, year=YEAR)
    assert not Application.objects.exists()
    assert not entries(free)[1:]  # only the policy's creation
