"""The policy pages: who sees which page and how the others are refused; the enterprises a
policy finds in each user's scope, with the reason per criterion; the rule editor's live
check; the policy form; the XLSX exports; applying and each step of an application;
免申即享 grants; the ladder and its candidates; cultivation plans and their items; the
policy section of the enterprise page; and the query counts of the lists, pinned.

Pages are read in English (the language cookie) so that the messages asserted on do not
depend on the state of the Chinese catalogue; what the product writes in Chinese (the rule
read aloud, the reasons, the XLSX headers) is Chinese in either language."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gongxin.chains.models import Chain, ChainNode, EnterpriseNode
from gongxin.core.choices import Role
from gongxin.core.models import User
from gongxin.core.tests.factories import UserFactory
from gongxin.core.tests.module_data import built_for_module
from gongxin.enterprises.models import CultivationPlan, Enterprise, PlanItem
from gongxin.enterprises.services import cultivation_plan_save, plan_item_save
from gongxin.enterprises.tests.factories import EnterpriseFactory, QualificationFactory, make_uscc
from gongxin.enterprises.tests.helpers import DISTRICT_A, DISTRICT_B, World, world_build
from gongxin.policies import services
from gongxin.policies.choices import ApplicationSource, ApplicationStatus, MatchResult
from gongxin.policies.models import Application, Policy, RuleVersion, TierRule
from gongxin.policies.tests.helpers import figures_save, last_year, policy_make

WAN = Decimal(10_000)
RD_RULE = "revenue >= 1000万元 and rd_ratio >= 3%"
RD_CRITERIA = ("上年营业收入不低于1000万元", "上年研发投入占营业收入比例不低于3%")
#: The roles of the brief, and district B as the out-of-scope district.
ROLES = ("staff", "leader", "district_a", "district_b", "officer", "department", "enterprise")


# The world and the scene -----------------------------------------------------------------


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker):
    from gongxin.core.tests.factories import city_load

    yield from built_for_module(django_db_blocker, lambda: world_build(city_load()))


@pytest.fixture
def world(_module_world, db) -> World:
    """Enterprise `a` in district A (park hkc, officer `officer`), `b` in district B, one user
    per role (`department` is 人社局, rsj; `enterprise` is a's user)."""
    return _module_world


def browser(world: World, name: str) -> Client:
    """A browser logged in as `name`, reading the pages in English."""
    client = world.client(name)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def this_year() -> int:
    return timezone.localdate().year


@dataclass
class Scene:
    world: World
    c: Enterprise  # district A, no R&D figure: needs information under `rd`
    d: Enterprise  # district A, revenue too small: eligible for nothing
    chain: Chain
    rd: Policy  # 10 % of R&D expenditure, at most 18万元; handled by rsj
    free: Policy  # 免申即享: 5万元 to every 规上 enterprise with 2000万元 revenue; rsj
    draft: Policy

    @property
    def a(self) -> Enterprise:
        return self.world.a

    @property
    def b(self) -> Enterprise:
        return self.world.b

    def user(self, name: str) -> User:
        return self.world.users[name]


def scene_build(world: World) -> Scene:
    regions = world.city.regions
    rsj = world.city.departments["rsj"]
    chain = Chain.objects.create(code="t-aviation", name="测试航空产业链")
    c = EnterpriseFactory(
        uscc=make_uscc(3003), name="青山湖缺研发数据科技有限公司", district=regions[DISTRICT_A]
    )
    d = EnterpriseFactory(
        uscc=make_uscc(4004), name="青山湖小微配件有限公司", district=regions[DISTRICT_A]
    )
    figures_save(
        world.a,
        revenue="50000000",
        main_business_revenue="48000000",
        rd_expense="2000000",
        employees=300,
        tax="1000000",
    )
    figures_save(world.a, year=last_year() - 1, revenue="40000000")
    figures_save(world.b, revenue="30000000", rd_expense="1500000", employees=200)
    figures_save(c, revenue="20000000", employees=80)
    figures_save(d, revenue="5000000", rd_expense="500000", employees=20)
    rd = policy_make(
        title="研发投入后补助",
        document_number="洪工信字〔2026〕1号",
        department=rsj,
        chains=[chain],
        benefit_kind="subsidy",
        amount_method="rate",
        rate=Decimal("10"),
        base="rd_expense",
        cap=Decimal("180000"),
        rule_text=RD_RULE,
    )
    free = policy_make(
        title="规上工业企业稳增长奖励",
        department=rsj,
        amount_method="fixed",
        amount=Decimal("50000"),
        without_application=True,
        rule_text="above_scale = true and revenue >= 2000万元",
    )
    draft = policy_make(
        title="起草中的数字化改造政策", status="draft", rule_text="above_scale = true"
    )
    services.match_all(tell=False)
    return Scene(world=world, c=c, d=d, chain=chain, rd=rd, free=free, draft=draft)


@pytest.fixture
def scene(world) -> Scene:
    return scene_build(world)


@dataclass
class Cases:
    """An application and a cultivation plan of `a` (district A) and of `b` (district B)."""

    app_a: Application
    app_b: Application
    plan_a: CultivationPlan
    plan_b: CultivationPlan


def submit(scene: Scene, enterprise: Enterprise, *, actor: str = "staff", amount="180000"):
    return services.application_submit(
        actor=scene.user(actor),
        policy=scene.rd,
        enterprise=enterprise,
        year=this_year(),
        statement="申请研发投入后补助",
        requested_amount=Decimal(amount),
    )


def plan_make(scene: Scene, enterprise: Enterprise, tier: str = "specialized_sme"):
    return cultivation_plan_save(
        actor=scene.user("staff"),
        enterprise=enterprise,
        plan=None,
        data={
            "tier": tier,
            "goal": "三年内获评专精特新中小企业",
            "official": scene.user("officer"),
            "start_year": this_year(),
            "target_year": this_year() + 2,
        },
    )


@pytest.fixture
def cases(scene) -> Cases:
    return Cases(
        app_a=submit(scene, scene.a, actor="enterprise"),
        app_b=submit(scene, scene.b),
        plan_a=plan_make(scene, scene.a),
        plan_b=plan_make(scene, scene.b),
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# Who sees which page ---------------------------------------------------------------------

OK, FOUND = 200, 302
OFFICIALS = {r: OK for r in ROLES if r != "enterprise"} | {"enterprise": 403}
EVERYONE = dict.fromkeys(ROLES, OK)
STAFF_ONLY = dict.fromkeys(ROLES, 403) | {"staff": OK}


def _pages(s: Scene, k: Cases) -> dict[str, tuple[str, str, dict | None]]:
    """name: (method, url, data)."""
    today = timezone.localdate()
    return {
        "policy_list": ("get", reverse("policies:policy_list"), None),
        "policy_detail": ("get", reverse("policies:policy_detail", args=[s.rd.pk]), None),
        "draft_detail": ("get", reverse("policies:policy_detail", args=[s.draft.pk]), None),
        "policy_create": ("get", reverse("policies:policy_create"), None),
        "policy_edit": ("get", reverse("policies:policy_edit", args=[s.rd.pk]), None),
        "rule_check": ("post", reverse("policies:rule_check"), {"rule_text": RD_RULE}),
        "policy_export": ("get", reverse("policies:policy_export", args=[s.rd.pk]), None),
        "draft_export": ("get", reverse("policies:policy_export", args=[s.draft.pk]), None),
        "without_application": ("get", reverse("policies:without_application"), None),
        "without_application_xlsx": (
            "get",
            reverse("policies:without_application") + "?format=xlsx",
            None,
        ),
        "application_list": ("get", reverse("policies:application_list"), None),
        "application_a": ("get", reverse("policies:application_detail", args=[k.app_a.pk]), None),
        "application_b": ("get", reverse("policies:application_detail", args=[k.app_b.pk]), None),
        "apply": ("get", reverse("policies:apply", args=[s.rd.pk]), None),
        "apply_draft": ("get", reverse("policies:apply", args=[s.draft.pk]), None),
        "statistics": ("get", reverse("policies:statistics"), None),
        "statistics_xlsx": ("get", reverse("policies:statistics") + "?format=xlsx", None),
        "ladder": ("get", reverse("policies:ladder"), None),
        "candidates": ("get", reverse("policies:candidates", args=["to_scale"]), None),
        "candidates_xlsx": (
            "get",
            reverse("policies:candidates", args=["to_scale"]) + "?format=xlsx",
            None,
        ),
        "candidates_unknown_rung": ("get", reverse("policies:candidates", args=["x"]), None),
        "tier_rule": ("get", reverse("policies:tier_rule", args=["to_scale"]), None),
        "plan_list": ("get", reverse("policies:plan_list"), None),
        "plan_create_a": ("get", reverse("policies:plan_create") + f"?enterprise={s.a.pk}", None),
        "plan_create_b": ("get", reverse("policies:plan_create") + f"?enterprise={s.b.pk}", None),
        "plan_a": ("get", reverse("policies:plan_detail", args=[k.plan_a.pk]), None),
        "plan_b": ("get", reverse("policies:plan_detail", args=[k.plan_b.pk]), None),
        "plan_edit_a": ("get", reverse("policies:plan_edit", args=[k.plan_a.pk]), None),
        "plan_edit_b": ("get", reverse("policies:plan_edit", args=[k.plan_b.pk]), None),
        "plan_item_b": (
            "post",
            reverse("policies:plan_item_create", args=[k.plan_b.pk]),
            {"kind": "measure", "text": "对接专精特新辅导机构", "status": "planned"},
        ),
        "grant": ("post", reverse("policies:grant", args=[s.free.pk]), {"year": today.year}),
    }


def _column(**values) -> dict[str, int | str]:
    return {r: values.get(r, values.get("others")) for r in ROLES}


#: What each role gets on each page (200, 302 after a POST that worked, 403, 404).
EXPECTED: dict[str, dict[str, int | str]] = {
    "policy_list": EVERYONE,
    "policy_detail": EVERYONE,
    # a draft is for those who keep the library, and for leadership
    "draft_detail": _column(staff=OK, leader=OK, others=404),
    "policy_create": STAFF_ONLY,
    "policy_edit": STAFF_ONLY,
    "rule_check": STAFF_ONLY,
    "policy_export": OFFICIALS,
    "draft_export": _column(staff=OK, leader=OK, enterprise=403, others=404),
    "without_application": OFFICIALS,
    "without_application_xlsx": OFFICIALS,
    "application_list": EVERYONE,
    # a's application: b's district does not see it; rsj handles the policy
    "application_a": _column(district_b=404, others=OK),
    "application_b": _column(district_a=404, officer=404, enterprise=404, others=OK),
    "apply": _column(leader=403, department=403, district_b=OK, others=OK),
    "apply_draft": _column(staff=OK, leader=403, others=404),
    "statistics": OFFICIALS,
    "statistics_xlsx": OFFICIALS,
    "ladder": OFFICIALS,
    "candidates": OFFICIALS,
    "candidates_xlsx": OFFICIALS,
    "candidates_unknown_rung": _column(enterprise=403, others=404),
    "tier_rule": STAFF_ONLY,
    "plan_list": OFFICIALS,
    # plans are kept by those who may edit the enterprise's file
    "plan_create_a": _column(staff=OK, district_a=OK, officer=OK, district_b=404, others=403),
    "plan_create_b": _column(staff=OK, district_b=OK, district_a=404, officer=404, others=403),
    "plan_a": _column(district_b=404, enterprise=403, others=OK),
    "plan_b": _column(district_a=404, officer=404, enterprise=403, others=OK),
    "plan_edit_a": _column(staff=OK, district_a=OK, officer=OK, district_b=404, others=403),
    "plan_edit_b": _column(staff=OK, district_b=OK, district_a=404, officer=404, others=403),
    "plan_item_b": _column(staff=FOUND, district_b=FOUND, district_a=404, officer=404, others=403),
    # 免申即享 grants: those who handle the policy (staff, and rsj which handles it)
    "grant": _column(staff=FOUND, department=FOUND, others=403),
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_each_page_or_is_refused(scene, cases, role):
    client = browser(scene.world, role)
    got = {}
    for name, (method, url, data) in _pages(scene, cases).items():
        response = getattr(client, method)(url, data or {})
        got[name] = response.status_code
    assert got == {name: EXPECTED[name][role] for name in got}


def test_anonymous_users_are_sent_to_sign_in(scene, cases):
    client = Client()
    for name, (method, url, data) in _pages(scene, cases).items():
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name
    assert not Application.objects.filter(source=ApplicationSource.AUTOMATIC).exists()


# A policy's page: the enterprises it finds, in scope, with reasons -----------------------


def _found(response) -> dict[str, list[tuple[str, bool | None]]]:
    """The enterprises listed on a policy's page: name: [(criterion, outcome), …]."""
    return {
        m.enterprise.name: [(o.text, o.result) for o in reasons]
        for m, reasons in response.context["rows"]
    }


def test_the_policy_page_lists_what_it_finds_with_the_reason_per_criterion(scene):
    client = browser(scene.world, "staff")
    url = reverse("policies:policy_detail", args=[scene.rd.pk])
    eligible = client.get(url)
    assert eligible.context["result"] == MatchResult.ELIGIBLE
    assert eligible.context["counts"] == {"eligible": 2, "unknown": 1}
    assert _found(eligible) == {
        scene.a.name: [(RD_CRITERIA[0], True), (RD_CRITERIA[1], True)],
        scene.b.name: [(RD_CRITERIA[0], True), (RD_CRITERIA[1], True)],
    }
    # highest amount first: a's 20万元 is capped at 18万元, b gets 10 % of 150万元
    assert [m.benefit for m, _r in eligible.context["rows"]] == [
        Decimal("180000"),
        Decimal("150000"),
    ]
    html = eligible.content.decode()
    assert "上年营业收入不低于1000万元，且上年研发投入占营业收入比例不低于3%。" in html
    assert "✔ 上年研发投入占营业收入比例不低于3%" in html
    assert "18.00" in html and "15.00" in html
    assert scene.c.name not in html and scene.d.name not in html
    unknown = client.get(url, {"result": "unknown"})
    assert _found(unknown) == {scene.c.name: [(RD_CRITERIA[0], True), (RD_CRITERIA[1], None)]}
    html = unknown.content.decode()
    assert "？ 上年研发投入占营业收入比例不低于3%" in html and "data missing" in html
    # an outcome that is not stored is not a tab: the page falls back to the eligible
    assert client.get(url, {"result": "ineligible"}).context["result"] == MatchResult.ELIGIBLE


@pytest.mark.parametrize(
    "role, eligible, unknown",
    [
        ("staff", {"a", "b"}, {"c"}),
        ("leader", {"a", "b"}, {"c"}),
        ("department", {"a", "b"}, {"c"}),
        ("district_a", {"a"}, {"c"}),
        ("district_b", {"b"}, set()),
        ("officer", {"a"}, set()),
    ],
)
def test_the_policy_page_lists_only_the_enterprises_in_the_users_scope(
    scene, role, eligible, unknown
):
    names = {"a": scene.a.name, "b": scene.b.name, "c": scene.c.name}
    client = browser(scene.world, role)
    url = reverse("policies:policy_detail", args=[scene.rd.pk])
    page = client.get(url)
    assert set(_found(page)) == {names[k] for k in eligible}
    assert page.context["counts"] == {"eligible": len(eligible), "unknown": len(unknown)}
    assert set(_found(client.get(url, {"result": "unknown"}))) == {names[k] for k in unknown}
    html = page.content.decode()
    for key in {"a", "b"} - eligible:
        assert names[key] not in html
    # the list of policies counts the same enterprises
    listed = {p.pk: p for p in client.get(reverse("policies:policy_list")).context["object_list"]}
    assert (listed[scene.rd.pk].eligible_count, listed[scene.rd.pk].unknown_count) == (
        len(eligible),
        len(unknown),
    )


def test_the_enterprise_user_sees_its_own_outcome_and_no_one_elses(scene):
    client = browser(scene.world, "enterprise")
    page = client.get(reverse("policies:policy_detail", args=[scene.rd.pk]))
    own = page.context["own"]
    assert (own.result, own.benefit) == (MatchResult.ELIGIBLE, Decimal("180000"))
    assert [(o.text, o.result) for o in own.reasons] == [
        (RD_CRITERIA[0], True),
        (RD_CRITERIA[1], True),
    ]
    html = page.content.decode()
    assert "Your enterprise" in html and "18.00 10k yuan" in html
    assert "Enterprises found" not in html
    assert scene.b.name not in html and scene.c.name not in html
    assert "Apply" in html
    # the library shows its own outcome per policy
    listed = {p.pk: p for p in client.get(reverse("policies:policy_list")).context["object_list"]}
    assert listed[scene.rd.pk].mine == MatchResult.ELIGIBLE
    assert listed[scene.free.pk].mine == MatchResult.ELIGIBLE
    assert scene.draft.pk not in listed


def test_the_enterprise_user_sees_what_is_missing_when_it_needs_information(scene):
    user = UserFactory(username="enterprise-c", role=Role.ENTERPRISE, enterprise=scene.c)
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("policies:policy_detail", args=[scene.rd.pk]))
    own = page.context["own"]
    assert (own.result, own.benefit) == (MatchResult.UNKNOWN, None)
    assert [(o.text, o.result) for o in own.reasons] == [
        (RD_CRITERIA[0], True),
        (RD_CRITERIA[1], None),
    ]
    assert "Needs information" in page.content.decode()


def test_the_library_filters_as_its_form_says(scene):
    client = browser(scene.world, "staff")

    def titles(**query) -> set[str]:
        page = client.get(reverse("policies:policy_list"), query)
        assert page.status_code == 200
        return {p.title for p in page.context["object_list"]}

    assert titles() == {scene.rd.title, scene.free.title, scene.draft.title}
    assert titles(q="研发") == {scene.rd.title}
    assert titles(q="洪工信字〔2026〕1号") == {scene.rd.title}
    assert titles(without_application="1") == {scene.free.title}
    assert titles(status="draft") == {scene.draft.title}
    assert titles(in_force="1") == {scene.rd.title, scene.free.title}
    assert titles(chain=scene.chain.code) == {scene.rd.title}
    assert titles(benefit_kind="subsidy") == {scene.rd.title}
    # a district user never sees the draft
    assert scene.draft.title not in {
        p.title
        for p in browser(scene.world, "district_a")
        .get(reverse("policies:policy_list"))
        .context["object_list"]
    }


# The rule editor's live check ------------------------------------------------------------


@pytest.mark.parametrize(
    "text, line, column, code, says",
    [
        ("revenu >= 1000万元", 1, 1, "unknown_field", "Unknown field revenu"),
        ("above_scale = true\nand revenu > 1", 2, 5, "unknown_field", "Unknown field revenu"),
        ("above_scale = 5", 1, 15, "type", "规上企业 takes true or false"),
        ('revenue >= 1000万元 and\n  rd_ratio >= "3"', 2, 15, "type", "takes a number"),
        ("employees > 5万元", 1, 13, "unit", "is not counted in 万元"),
        ("revenue >> 5", 1, 10, "syntax", "is not expected here"),
        ("revenue >= ", 1, 11, "syntax", "ends too early"),
    ],
)
def test_the_rule_check_gives_the_fault_with_its_line_and_column(
    scene, text, line, column, code, says
):
    response = browser(scene.world, "staff").post(
        reverse("policies:rule_check"), {"rule_text": text}
    )
    assert response.status_code == 200
    error = response.context["error"]
    assert (error.line, error.column, error.code) == (line, column, code)
    html = response.content.decode()
    assert f"Line {line}, column {column}:" in html
    assert says in html
    assert "Reads as" not in html


def test_the_rule_check_reads_a_valid_rule_in_chinese_with_todays_counts(scene):
    response = browser(scene.world, "staff").post(
        reverse("policies:rule_check"), {"rule_text": RD_RULE}
    )
    assert response.status_code == 200
    assert "error" not in response.context
    assert response.context["description"] == "，且".join(RD_CRITERIA) + "。"
    # a and b are eligible, c has no R&D figure; d's revenue is too small
    assert (response.context["eligible"], response.context["unknown"]) == (2, 1)
    html = response.content.decode()
    assert "Reads as:" in html
    assert "Today 2 enterprise(s) would be eligible and 1 would need information." in html
    assert not RuleVersion.objects.filter(text=RD_RULE).exclude(policy=scene.rd).exists()


# Creating and editing a policy through the form ------------------------------------------


def _policy_form(scene: Scene, **values) -> dict:
    data = {
        "title": "首台套装备奖励",
        "issuer": "南昌市工业和信息化局",
        "document_number": "洪工信字〔2026〕9号",
        "summary": "支持首台（套）重大技术装备推广应用。",
        "effective_from": "2020-01-01",
        "effective_until": "",
        "status": "published",
        "department": scene.world.city.departments["rsj"].pk,
        "chains": [scene.chain.pk],
        "benefit_kind": "reward",
        "amount_method": "tiers",
        "amount_wan": "",
        "rate": "",
        "base": "revenue",
        "cap_wan": "",
        "tiers_text": "2000万元: 20万元\n4000万元: 50万元",
        "rule_text": "revenue >= 2000万元",
    }
    data.update(values)
    return data


def test_a_policy_created_through_the_form_is_stored_in_yuan_and_matched(scene):
    client = browser(scene.world, "staff")
    response = client.post(reverse("policies:policy_create"), _policy_form(scene))
    policy = Policy.objects.get(title="首台套装备奖励")
    assert response.status_code == 302 and response["Location"] == policy.get_absolute_url()
    assert "Policy saved and matched." in messages_of(response)
    assert policy.tiers == [["20000000", "200000"], ["40000000", "500000"]]
    assert (policy.base, policy.amount, policy.cap) == ("revenue", None, None)
    assert list(policy.chains.all()) == [scene.chain]
    assert policy.department.code == "rsj"
    assert policy.created_by == scene.user("staff")
    assert (policy.rule_version, list(policy.rule_versions.values_list("number", "text"))) == (
        1,
        [(1, "revenue >= 2000万元")],
    )
    # matched at once: a (5000万元 → 50万元), b (3000万元 → 20万元), c (2000万元 → 20万元)
    assert dict(policy.matches.values_list("enterprise__name", "benefit")) == {
        scene.a.name: Decimal("500000"),
        scene.b.name: Decimal("200000"),
        scene.c.name: Decimal("200000"),
    }
    page = client.get(response["Location"])
    assert page.context["counts"] == {"eligible": 3, "unknown": 0}
    # the form shows the money back in 万元 and the tiers as written
    form = client.get(reverse("policies:policy_edit", args=[policy.pk])).context["form"]
    assert form["tiers_text"].value() == "2000万元: 20万元\n4000万元: 50万元"


def test_a_fixed_amount_and_a_cap_are_entered_in_wan_and_stored_in_yuan(scene):
    client = browser(scene.world, "staff")
    client.post(
        reverse("policies:policy_create"),
        _policy_form(
            scene,
            title="定额奖励",
            amount_method="fixed",
            amount_wan="12.5",
            tiers_text="",
            base="",
        ),
    )
    client.post(
        reverse("policies:policy_create"),
        _policy_form(
            scene,
            title="按比例补助",
            amount_method="rate",
            rate="5",
            base="rd_expense",
            cap_wan="8",
            tiers_text="",
        ),
    )
    fixed = Policy.objects.get(title="定额奖励")
    rate = Policy.objects.get(title="按比例补助")
    assert fixed.amount == Decimal("125000.00")
    assert (rate.rate, rate.cap) == (Decimal("5"), Decimal("80000.00"))
    # a: 5 % of 200万元 = 10万元, capped at 8万元; b: 5 % of 150万元 = 7.5万元
    assert dict(rate.matches.values_list("enterprise__name", "benefit")) == {
        scene.a.name: Decimal("80000.00"),
        scene.b.name: Decimal("75000.00"),
        scene.c.name: None,  # no R&D figure to compute from
    }
    form = client.get(reverse("policies:policy_edit", args=[fixed.pk])).context["form"]
    assert Decimal(form["amount_wan"].value()) == Decimal("12.5")


@pytest.mark.parametrize(
    "tiers, says",
    [
        ("2000万元 20万元", "Tiers, line 1: write the threshold, a colon and the amount."),
        ("2000万元: 20万元\n1000万元: 5万元", "Tiers, line 2: thresholds must rise"),
        ("2000万元: 二十万", "Tiers, line 1: “二十万” is not an amount."),
    ],
)
def test_a_bad_tier_line_is_shown_on_the_field_and_nothing_is_saved(scene, tiers, says):
    before = (Policy.objects.count(), RuleVersion.objects.count())
    response = browser(scene.world, "staff").post(
        reverse("policies:policy_create"), _policy_form(scene, tiers_text=tiers)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["tiers_text"]
    assert says in errors["tiers_text"][0]
    assert says in response.content.decode()
    assert (Policy.objects.count(), RuleVersion.objects.count()) == before


@pytest.mark.parametrize(
    "rule, position",
    [
        ("revenue >= 2000万元 and\nrevenu_growth > 0%", "Line 2, column 1:"),
        ("above_scale = 1", "Line 1, column 15:"),
        ("revenue >= 2000万元 and (", "Line 1, column 24:"),
    ],
)
def test_a_bad_rule_is_shown_on_the_rule_with_its_position_and_nothing_is_saved(
    scene, rule, position
):
    before = (Policy.objects.count(), RuleVersion.objects.count(), scene.rd.matches.count())
    client = browser(scene.world, "staff")
    created = client.post(reverse("policies:policy_create"), _policy_form(scene, rule_text=rule))
    assert created.status_code == 200
    assert list(created.context["form"].errors) == ["rule_text"]
    assert created.context["form"].errors["rule_text"][0].startswith(position)
    assert position in created.content.decode()
    edited = client.post(
        reverse("policies:policy_edit", args=[scene.rd.pk]),
        _policy_form(scene, title="研发投入后补助（修订）", rule_text=rule),
    )
    assert edited.status_code == 200
    assert edited.context["form"].errors["rule_text"][0].startswith(position)
    assert (Policy.objects.count(), RuleVersion.objects.count(), scene.rd.matches.count()) == before
    scene.rd.refresh_from_db()
    assert (scene.rd.title, scene.rd.rule_text, scene.rd.version) == ("研发投入后补助", RD_RULE, 1)


def _rd_form(scene: Scene, **values) -> dict:
    """The edit form of `rd` as the browser posts it, with `values` changed."""
    return _policy_form(
        scene,
        **{
            "title": "研发投入后补助",
            "document_number": "洪工信字〔2026〕1号",
            "summary": "",
            "effective_from": "2020-01-01",
            "benefit_kind": "subsidy",
            "amount_method": "rate",
            "rate": "10",
            "base": "rd_expense",
            "cap_wan": "18",
            "tiers_text": "",
            "rule_text": RD_RULE,
            **values,
        },
    )


def test_editing_the_amount_through_the_form_matches_again(scene):
    client = browser(scene.world, "staff")
    url = reverse("policies:policy_edit", args=[scene.rd.pk])
    form = client.get(url).context["form"]
    assert Decimal(form["cap_wan"].value()) == Decimal("18")
    response = client.post(url, _rd_form(scene, cap_wan="16"))
    assert response.status_code == 302
    scene.rd.refresh_from_db()
    assert (scene.rd.version, scene.rd.rule_version, scene.rd.cap) == (2, 1, Decimal("160000.00"))
    assert dict(scene.rd.matches.values_list("enterprise__name", "benefit")) == {
        scene.a.name: Decimal("160000.00"),  # the new cap
        scene.b.name: Decimal("150000.00"),
        scene.c.name: None,
    }


def test_editing_the_rule_through_the_form_saves_a_new_version_and_matches_again(scene):
    client = browser(scene.world, "staff")
    url = reverse("policies:policy_edit", args=[scene.rd.pk])
    new_rule = "revenue >= 3000万元 and rd_ratio >= 3%"
    response = client.post(url, _rd_form(scene, title="研发投入后补助（修订）", rule_text=new_rule))
    assert response.status_code == 302
    scene.rd.refresh_from_db()
    assert (scene.rd.title, scene.rd.rule_text) == ("研发投入后补助（修订）", new_rule)
    assert (scene.rd.version, scene.rd.rule_version) == (2, 2)
    assert list(scene.rd.rule_versions.values_list("number", "text")) == [
        (2, new_rule),
        (1, RD_RULE),
    ]
    # b's 3000万元 still qualifies; c's 2000万元 no longer does
    assert dict(scene.rd.matches.values_list("enterprise__name", "rule_version")) == {
        scene.a.name: 2,
        scene.b.name: 2,
    }


def test_the_full_text_is_checked_stored_and_given_to_those_who_see_the_policy(
    scene, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client = browser(scene.world, "staff")
    url = reverse("policies:policy_edit", args=[scene.rd.pk])
    fake = SimpleUploadedFile("全文.pdf", b"this is no PDF at all", content_type="application/pdf")
    refused = client.post(url, {**_rd_form(scene), "full_text": fake})
    assert refused.status_code == 200
    assert "全文.pdf" in refused.context["form"].errors["full_text"][0]
    scene.rd.refresh_from_db()
    assert not scene.rd.full_text
    pdf = SimpleUploadedFile("全文.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "application/pdf")
    assert client.post(url, {**_rd_form(scene), "full_text": pdf}).status_code == 302
    scene.rd.refresh_from_db()
    download = client.get(reverse("policies:full_text", args=[scene.rd.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-1.7")
    assert "attachment" in download["Content-Disposition"]
    # a draft policy's text is not given to those who do not see drafts
    scene.rd.status = "draft"
    scene.rd.save(update_fields=["status"])
    other = browser(scene.world, "district_a")
    assert other.get(reverse("policies:full_text", args=[scene.rd.pk])).status_code == 404


# Exports ----------------------------------------------------------------------------------


def xlsx_rows(response, sheet: int | str = 0) -> list[tuple]:
    """The rows of an exported sheet from its header on (the caption line dropped)."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    ws = book[sheet] if isinstance(sheet, str) else book.worksheets[sheet]
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)][1:]  # row 1 is the caption
    width = len(rows[0])  # empty cells at a row's end are not stored: pad them
    return [r + (None,) * (width - len(r)) for r in rows]


MATCH_HEADER = (
    "统一社会信用代码",
    "企业名称",
    "区县",
    "园区",
    "行业代码",
    "匹配结果",
    "可享金额（万元）",
    "依据",
)


def test_the_matches_export_has_the_enterprises_amounts_in_wan_and_reasons(scene):
    response = browser(scene.world, "staff").get(
        reverse("policies:policy_export", args=[scene.rd.pk])
    )
    rows = xlsx_rows(response)
    assert rows[0] == MATCH_HEADER
    district_a = scene.world.city.regions[DISTRICT_A].name
    district_b = scene.world.city.regions[DISTRICT_B].name
    by_code = {r[0]: r for r in rows[1:]}
    assert [r[0] for r in rows[1:]] == [scene.a.uscc, scene.b.uscc, scene.c.uscc]
    assert by_code[scene.a.uscc] == (
        scene.a.uscc,
        scene.a.name,
        district_a,
        scene.world.city.regions["hkc"].name,
        scene.a.industry.code,
        "Eligible",
        18,
        "全部条件满足",
    )
    assert by_code[scene.b.uscc][2] == district_b
    assert by_code[scene.b.uscc][5:] == ("Eligible", 15, "全部条件满足")
    assert by_code[scene.c.uscc][5:] == (
        "Needs information",
        None,
        "缺少数据：上年研发投入占营业收入比例不低于3%",
    )
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=UTF-8''")
    assert f"-{scene.rd.pk}-{timezone.localdate():%Y%m%d}.xlsx" in disposition


def test_the_matches_export_keeps_to_the_users_scope(scene):
    response = browser(scene.world, "district_a").get(
        reverse("policies:policy_export", args=[scene.rd.pk])
    )
    assert [r[0] for r in xlsx_rows(response)[1:]] == [scene.a.uscc, scene.c.uscc]


def test_the_without_application_list_and_its_export(scene):
    url = reverse("policies:without_application")
    staff = browser(scene.world, "staff").get(url)
    # (names sort by the database's collation: compared as a set)
    assert {(m.policy_id, m.enterprise.name, m.benefit) for m in staff.context["page_obj"]} == {
        (scene.free.pk, e.name, Decimal("50000")) for e in (scene.a, scene.b, scene.c)
    }
    assert staff.context["total"] == {"count": 3, "amount": Decimal("150000"), "enterprises": 3}
    assert staff.context["year"] == this_year()
    district = browser(scene.world, "district_a").get(url)
    assert {m.enterprise.name for m in district.context["page_obj"]} == {scene.a.name, scene.c.name}
    assert district.context["total"]["amount"] == Decimal("100000")
    assert scene.b.name not in district.content.decode()
    rows = xlsx_rows(browser(scene.world, "district_a").get(url, {"format": "xlsx"}))
    assert rows[0] == ("政策", "文号", "统一社会信用代码", "企业名称", "区县", "可享金额（万元）")
    assert sorted(r[2:] for r in rows[1:]) == sorted(
        [
            (scene.a.uscc, scene.a.name, scene.world.city.regions[DISTRICT_A].name, 5),
            (scene.c.uscc, scene.c.name, scene.world.city.regions[DISTRICT_A].name, 5),
        ]
    )
    # once granted for the year, nothing is due; another year is still due
    services.grant_without_application(
        actor=scene.user("staff"), policy=scene.free, year=this_year()
    )
    assert list(browser(scene.world, "staff").get(url).context["page_obj"]) == []
    last = browser(scene.world, "staff").get(url, {"year": this_year() - 1})
    assert len(last.context["page_obj"]) == 3


def _decided(scene: Scene, cases: Cases) -> None:
    """a's application approved at 18万元 and 10万元 paid; b's rejected; the 免申即享 policy
    granted to a, b and c (5万元 each)."""
    staff = scene.user("staff")
    app = cases.app_a
    services.application_review(actor=staff, application=app, seen=app.version)
    services.application_decide(
        actor=staff, application=app, seen=app.version, approve=True, amount=Decimal("180000")
    )
    services.application_disburse(
        actor=staff,
        application=app,
        seen=app.version,
        amount=Decimal("100000"),
        on=timezone.localdate(),
    )
    services.application_decide(
        actor=staff,
        application=cases.app_b,
        seen=cases.app_b.version,
        approve=False,
        reason="研发费用未经专项审计",
    )
    services.grant_without_application(actor=staff, policy=scene.free, year=this_year())


STATS_HEADER = ("申报/兑现笔数", "批准", "驳回", "待审", "批准金额（万元）", "已兑现金额（万元）")


def test_the_statistics_page_and_export(scene, cases):
    _decided(scene, cases)
    client = browser(scene.world, "staff")
    stats = client.get(reverse("policies:statistics")).context["stats"]
    assert stats.year == this_year()
    assert stats.totals == {
        "applications": 5,
        "approved": 4,
        "rejected": 1,
        "pending": 0,
        "approved_amount": Decimal("330000"),
        "disbursed_amount": Decimal("100000"),
        "enterprises": 3,
    }
    book = {
        name: xlsx_rows(
            client.get(reverse("policies:statistics"), {"format": "xlsx", "year": this_year()}),
            name,
        )
        for name in ("按政策", "按产业链", "按区县", "按企业")
    }
    assert book["按政策"] == [
        ("政策", *STATS_HEADER),
        (scene.rd.title, 2, 1, 1, 0, 18, 10),
        (scene.free.title, 3, 3, 0, 0, 15, None),
    ]
    assert book["按产业链"] == [("产业链", *STATS_HEADER), (scene.chain.name, 2, 1, 1, 0, 18, 10)]
    regions = scene.world.city.regions
    assert book["按区县"] == [
        ("区县", *STATS_HEADER),
        (regions[DISTRICT_A].name, 3, 3, 0, 0, 28, 10),
        (regions[DISTRICT_B].name, 2, 1, 1, 0, 5, None),
    ]
    assert book["按企业"][1] == (scene.a.name, 2, 2, 0, 0, 23, 10)
    # a district sees its own district's applications only
    district = browser(scene.world, "district_a").get(reverse("policies:statistics"))
    assert district.context["stats"].totals["applications"] == 3
    assert [r["enterprise__district__code"] for r in district.context["stats"].by_district] == [
        DISTRICT_A
    ]
    # another year has nothing
    empty = client.get(reverse("policies:statistics"), {"year": this_year() - 1})
    assert empty.context["stats"].totals["applications"] == 0


# Applying ---------------------------------------------------------------------------------


def test_the_enterprise_applies_for_itself(scene):
    client = browser(scene.world, "enterprise")
    url = reverse("policies:apply", args=[scene.rd.pk])
    form = client.get(url).context["form"]
    assert "enterprise" not in form.fields  # it applies for its own enterprise only
    assert form["year"].value() == this_year()
    response = client.post(
        url, {"year": this_year(), "requested_wan": "18", "statement": "2025年研发费用200万元"}
    )
    application = Application.objects.get(policy=scene.rd)
    assert response.status_code == 302
    assert response["Location"] == application.get_absolute_url()
    assert "Application submitted." in messages_of(response)
    assert (application.enterprise, application.year, application.status) == (
        scene.a,
        this_year(),
        ApplicationStatus.SUBMITTED,
    )
    assert (application.requested_amount, application.statement) == (
        Decimal("180000.00"),
        "2025年研发费用200万元",
    )
    assert application.submitted_by == scene.user("enterprise")
    assert list(application.events.values_list("status", "amount")) == [
        ("submitted", Decimal("180000.00"))
    ]
    # the same year again is refused, with the reason on the form
    again = client.post(url, {"year": this_year(), "requested_wan": "18"})
    assert again.status_code == 200
    assert "already has an application under this policy" in str(again.context["form"].errors)
    assert Application.objects.count() == 1


def test_a_district_applies_by_credit_code_for_an_enterprise_of_its_district(scene):
    client = browser(scene.world, "district_a")
    url = reverse("policies:apply", args=[scene.rd.pk])
    assert "enterprise" in client.get(url).context["form"].fields
    response = client.post(
        url, {"enterprise": f" {scene.a.uscc.lower()} ", "year": this_year(), "requested_wan": "18"}
    )
    assert response.status_code == 302
    application = Application.objects.get()
    assert (application.enterprise, application.submitted_by) == (scene.a, scene.user("district_a"))
    assert application.requested_amount == Decimal("180000.00")


def test_a_credit_code_outside_the_users_scope_is_refused_clearly(scene):
    client = browser(scene.world, "district_a")
    url = reverse("policies:apply", args=[scene.rd.pk])
    for code in (scene.b.uscc, make_uscc(999_999)):  # another district's; no one's
        response = client.post(url, {"enterprise": code, "year": this_year()})
        assert response.status_code == 200
        assert response.context["form"].errors == {
            "enterprise": ["No enterprise in your scope has this code."]
        }
        assert "No enterprise in your scope has this code." in response.content.decode()
    assert not Application.objects.exists()


def test_a_policy_paid_without_application_is_not_applied_for(scene):
    client = browser(scene.world, "enterprise")
    response = client.post(reverse("policies:apply", args=[scene.free.pk]), {"year": this_year()})
    assert response.status_code == 200
    assert "without an application" in str(response.context["form"].non_field_errors())
    assert not Application.objects.exists()
    page = client.get(reverse("policies:policy_detail", args=[scene.free.pk])).content.decode()
    assert reverse("policies:apply", args=[scene.free.pk]) not in page


# The steps of an application --------------------------------------------------------------


def _step(client, application, action, version=None, **data):
    return client.post(
        reverse("policies:application_detail", args=[application.pk]),
        {"action": action, "version": application.version if version is None else version, **data},
    )


def test_an_application_is_reviewed_approved_and_paid_through_its_page(scene, cases):
    application = cases.app_a
    handler = browser(scene.world, "department")  # rsj handles the policy
    page = handler.get(application.get_absolute_url())
    context = page.context
    assert (context["can_review"], context["can_decide"]) == (True, True)
    assert (context["can_disburse"], context["can_withdraw"]) == (False, False)
    assert Decimal(context["decide_form"]["amount_wan"].value()) == Decimal("18")
    reviewed = _step(handler, application, "review")
    assert reviewed.status_code == 302 and "Saved." in messages_of(reviewed)
    application.refresh_from_db()
    assert (application.status, application.version) == (ApplicationStatus.REVIEWING, 2)
    approved = _step(handler, application, "decide", approve="1", amount_wan="16.5", reason="")
    assert approved.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.approved_amount) == (
        ApplicationStatus.APPROVED,
        Decimal("165000.00"),
    )
    assert application.decided_at is not None
    context = handler.get(application.get_absolute_url()).context
    assert (context["can_decide"], context["can_disburse"]) == (False, True)
    # more than approved is refused on the form, nothing changes
    too_much = _step(
        handler, application, "disburse", amount_wan="20", on=timezone.localdate().isoformat()
    )
    assert too_much.status_code == 200
    assert "More than the 16.5万元 approved." in str(too_much.context["disburse_form"].errors)
    paid = _step(
        handler, application, "disburse", amount_wan="16.5", on=timezone.localdate().isoformat()
    )
    assert paid.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.disbursed_amount, application.disbursed_on) == (
        ApplicationStatus.DISBURSED,
        Decimal("165000.00"),
        timezone.localdate(),
    )
    assert list(application.events.values_list("status", flat=True)) == [
        "submitted",
        "reviewing",
        "approved",
        "disbursed",
    ]
    html = browser(scene.world, "enterprise").get(application.get_absolute_url()).content.decode()
    assert "16.50" in html and "Disbursed" in html


def test_a_rejection_needs_the_reason(scene, cases):
    application = cases.app_a
    handler = browser(scene.world, "staff")
    refused = _step(handler, application, "decide", approve="0", reason="  ")
    assert refused.status_code == 200
    assert refused.context["decide_form"].errors["reason"] == [
        "Say why the application is rejected."
    ]
    application.refresh_from_db()
    assert (application.status, application.version) == (ApplicationStatus.SUBMITTED, 1)
    rejected = _step(handler, application, "decide", approve="0", reason="研发费用未经专项审计")
    assert rejected.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.reason) == (
        ApplicationStatus.REJECTED,
        "研发费用未经专项审计",
    )
    page = browser(scene.world, "enterprise").get(application.get_absolute_url())
    assert "研发费用未经专项审计" in page.content.decode()
    assert not page.context["can_withdraw"]


def test_a_stale_version_shows_the_conflict_and_changes_nothing(scene, cases):
    application = cases.app_a
    staff, department = browser(scene.world, "staff"), browser(scene.world, "department")
    assert _step(staff, application, "review", version=1).status_code == 302
    # rsj's page was opened at version 1
    stale = _step(department, application, "review", version=1)
    assert stale.status_code == 302
    [message] = messages_of(stale)
    assert message.startswith("Someone else has just acted on this application: it is now ")
    assert "nothing of yours was saved" in message
    decided = _step(department, application, "decide", version=1, approve="0", reason="材料不全")
    assert decided.status_code == 200
    assert "Someone else has just acted on this application" in decided.content.decode()
    application.refresh_from_db()
    assert (application.status, application.version, application.reason) == (
        ApplicationStatus.REVIEWING,
        2,
        "",
    )


def test_the_applicant_withdraws_and_others_may_not_take_its_steps(scene, cases):
    application = cases.app_a
    enterprise = browser(scene.world, "enterprise")
    context = enterprise.get(application.get_absolute_url()).context
    assert (context["can_review"], context["can_decide"], context["can_withdraw"]) == (
        False,
        False,
        True,
    )
    assert _step(enterprise, application, "review").status_code == 403
    assert _step(enterprise, application, "decide", approve="1", amount_wan="18").status_code == 403
    assert _step(browser(scene.world, "department"), application, "withdraw").status_code == 403
    assert _step(browser(scene.world, "leader"), application, "review").status_code == 403
    assert _step(enterprise, application, "nonsense").status_code == 404
    assert _step(browser(scene.world, "district_b"), application, "withdraw").status_code == 404
    application.refresh_from_db()
    assert (application.status, application.version) == (ApplicationStatus.SUBMITTED, 1)
    withdrawn = _step(enterprise, application, "withdraw")
    assert withdrawn.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    # a withdrawn application frees the year: the enterprise may apply again
    again = enterprise.post(reverse("policies:apply", args=[scene.rd.pk]), {"year": this_year()})
    assert again.status_code == 302


def test_the_applications_list_keeps_to_the_scope_and_filters(scene, cases):
    def listed(name, **query) -> set[int]:
        page = browser(scene.world, name).get(reverse("policies:application_list"), query)
        assert page.status_code == 200
        return {a.pk for a in page.context["object_list"]}

    both = {cases.app_a.pk, cases.app_b.pk}
    assert listed("staff") == both
    assert listed("leader") == both
    assert listed("department") == both  # rsj handles the policy
    assert listed("district_a") == {cases.app_a.pk}
    assert listed("officer") == {cases.app_a.pk}
    assert listed("enterprise") == {cases.app_a.pk}
    assert listed("district_b") == {cases.app_b.pk}
    assert listed("staff", q=scene.b.uscc) == {cases.app_b.pk}
    assert listed("staff", status="submitted", policy=scene.rd.pk) == both
    assert listed("staff", status="approved") == set()
    assert listed("staff", district=scene.world.city.regions[DISTRICT_B].pk) == {cases.app_b.pk}
    # a handling department sees the applications under the policies it handles only
    unhandled = policy_make(title="无承办部门的政策", rule_text=RD_RULE)
    other = services.application_submit(
        actor=scene.user("staff"), policy=unhandled, enterprise=scene.a, year=this_year()
    )
    assert listed("department") == both
    assert listed("district_a") == {cases.app_a.pk, other.pk}
    department = browser(scene.world, "department")
    assert department.get(other.get_absolute_url()).status_code == 404
    page = browser(scene.world, "district_a").get(other.get_absolute_url())
    assert page.status_code == 200 and not page.context["can_review"]


def test_the_grant_button_pays_every_eligible_enterprise_once(scene):
    staff = browser(scene.world, "staff")
    page = staff.get(reverse("policies:policy_detail", args=[scene.free.pk])).content.decode()
    assert "Grant without application" in page
    district_page = browser(scene.world, "district_a").get(
        reverse("policies:policy_detail", args=[scene.free.pk])
    )
    assert "Grant without application" not in district_page.content.decode()
    url = reverse("policies:grant", args=[scene.free.pk])
    response = staff.post(url, {"year": this_year()})
    assert response.status_code == 302
    assert response["Location"] == reverse("policies:application_list") + f"?policy={scene.free.pk}"
    assert "3 enterprise(s) granted without application." in messages_of(response)
    granted = Application.objects.filter(policy=scene.free)
    assert {(a.enterprise_id, a.source, a.status, a.approved_amount) for a in granted} == {
        (e.pk, ApplicationSource.AUTOMATIC, ApplicationStatus.APPROVED, Decimal("50000"))
        for e in (scene.a, scene.b, scene.c)
    }
    listed = staff.get(response["Location"])
    assert {a.enterprise_id for a in listed.context["object_list"]} == {
        scene.a.pk,
        scene.b.pk,
        scene.c.pk,
    }
    assert "no application" in listed.content.decode()
    # a second press grants nobody twice
    assert "0 enterprise(s) granted without application." in messages_of(
        staff.post(url, {"year": this_year()})
    )
    assert granted.count() == 3
    # a policy paid on application is not granted; a missing year is asked for
    refused = staff.post(reverse("policies:grant", args=[scene.rd.pk]), {"year": this_year()})
    assert refused.status_code == 302
    assert "This policy is paid on application only." in messages_of(refused)
    assert "Give the year." in messages_of(staff.post(url, {"year": ""}))
    assert not Application.objects.filter(policy=scene.rd).exists()


# The ladder and its candidates ------------------------------------------------------------

TO_SCALE_RULE = "above_scale = false and revenue between 1500万元 and 2000万元"
SPECIALIZED_RULE = 'rd_ratio >= 3% and not holds("specialized_sme")'


@dataclass
class Ladder:
    e: Enterprise  # district A, below the size line, 1800万元: a 小升规 candidate
    f: Enterprise  # district B, likewise at 1600万元


@pytest.fixture
def ladder(scene) -> Ladder:
    regions = scene.world.city.regions
    e = EnterpriseFactory(
        uscc=make_uscc(5005),
        name="青山湖成长型电子有限公司",
        district=regions[DISTRICT_A],
        above_scale=False,
        size_class="small",
    )
    f = EnterpriseFactory(
        uscc=make_uscc(6006),
        name="进贤成长型食品有限公司",
        district=regions[DISTRICT_B],
        above_scale=False,
        size_class="small",
    )
    figures_save(e, revenue="18000000", rd_expense="200000", employees=90)
    figures_save(e, year=last_year() - 1, revenue="15000000")
    figures_save(f, revenue="16000000", employees=60)
    today = timezone.localdate()
    QualificationFactory(
        enterprise=scene.b,
        kind="specialized_sme",
        issued_on=today - dt.timedelta(days=300),
        expires_on=today + dt.timedelta(days=3 * 365),
    )
    TierRule.objects.create(tier="to_scale", rule_text=TO_SCALE_RULE, note="小升规")
    TierRule.objects.create(tier="specialized_sme", rule_text=SPECIALIZED_RULE)
    cultivation_plan_save(
        actor=None,
        enterprise=e,
        plan=None,
        data={
            "tier": "to_scale",
            "goal": "年内升规",
            "start_year": this_year(),
            "target_year": this_year(),
        },
    )
    services.match_all(tell=False)
    return Ladder(e=e, f=f)


def test_the_ladder_shows_holders_candidates_and_plans_per_rung(scene, ladder):
    rungs = {
        r.tier: r
        for r in browser(scene.world, "staff").get(reverse("policies:ladder")).context["rungs"]
    }
    assert list(rungs) == [
        "to_scale",
        "innovative_sme",
        "specialized_sme",
        "little_giant",
        "single_champion",
        "chain_master",
    ]
    # 规上: a, b, c and d; e and f are candidates; e has a plan
    assert (rungs["to_scale"].holders, rungs["to_scale"].candidates, rungs["to_scale"].plans) == (
        4,
        2,
        1,
    )
    assert rungs["to_scale"].description == "非规上企业，且上年营业收入在1500万元至2000万元之间。"
    # b holds 专精特新; a (4 %) and d (10 %) spend enough on R&D
    assert (rungs["specialized_sme"].holders, rungs["specialized_sme"].candidates) == (1, 2)
    assert (rungs["innovative_sme"].rule, rungs["innovative_sme"].candidates) == (None, 0)
    district = {
        r.tier: r
        for r in browser(scene.world, "district_a").get(reverse("policies:ladder")).context["rungs"]
    }
    assert (district["to_scale"].holders, district["to_scale"].candidates) == (3, 1)
    assert (district["specialized_sme"].holders, district["specialized_sme"].candidates) == (0, 2)
    page = browser(scene.world, "staff").get(reverse("policies:ladder"))
    history = {row["year"]: row["counts"] for row in page.context["history"]}
    assert list(history) == list(range(this_year() - 4, this_year() + 1))
    # at the end of last year: a was 规上 by its main business revenue (4800万元), b 专精特新
    assert history[last_year()][0] == 1
    assert history[this_year()][2] == 1
    # the rung rules are edited by those who keep the library
    rule_link = reverse("policies:tier_rule", args=["to_scale"])
    assert rule_link in page.content.decode()
    leader = browser(scene.world, "leader").get(reverse("policies:ladder"))
    assert rule_link not in leader.content.decode()


def test_the_candidates_page_and_its_export_keep_to_the_scope(scene, ladder):
    url = reverse("policies:candidates", args=["to_scale"])
    staff = browser(scene.world, "staff").get(url)
    assert [f.enterprise.name for f in staff.context["page_obj"]] == [ladder.e.name, ladder.f.name]
    assert staff.context["description"] == "非规上企业，且上年营业收入在1500万元至2000万元之间。"
    district = browser(scene.world, "district_a").get(url)
    assert [f.enterprise.name for f in district.context["page_obj"]] == [ladder.e.name]
    assert ladder.f.name not in district.content.decode()
    rows = xlsx_rows(browser(scene.world, "district_a").get(url, {"format": "xlsx"}))
    assert rows == [
        (
            "统一社会信用代码",
            "企业名称",
            "区县",
            "上年营业收入（万元）",
            "营收增长（%）",
            "研发投入占比（%）",
            "从业人员",
        ),
        (
            ladder.e.uscc,
            ladder.e.name,
            scene.world.city.regions[DISTRICT_A].name,
            1800,
            20,
            1.11,
            90,
        ),
    ]
    specialized = browser(scene.world, "staff").get(
        reverse("policies:candidates", args=["specialized_sme"])
    )
    assert [f.enterprise.name for f in specialized.context["page_obj"]] == [
        scene.a.name,
        scene.d.name,
    ]
    # a rung without a rule has no candidates, and says so
    none = browser(scene.world, "staff").get(reverse("policies:candidates", args=["little_giant"]))
    assert list(none.context["page_obj"]) == []
    assert "This rung has no candidate rule yet." in none.content.decode()


def test_a_bad_rung_rule_is_refused_with_its_position(scene, ladder):
    client = browser(scene.world, "staff")
    url = reverse("policies:tier_rule", args=["to_scale"])
    form = client.get(url).context["form"]
    assert (form["rule_text"].value(), form["note"].value()) == (TO_SCALE_RULE, "小升规")
    bad = client.post(url, {"rule_text": "above_scale = false and revenu > 1", "note": ""})
    assert bad.status_code == 200
    assert bad.context["form"].errors["rule_text"][0].startswith("Line 1, column 25:")
    assert TierRule.objects.get(tier="to_scale").rule_text == TO_SCALE_RULE
    assert client.get(reverse("policies:tier_rule", args=["nonsense"])).status_code == 404


def test_a_rung_rule_is_saved_and_finds_its_candidates(scene, ladder):
    client = browser(scene.world, "staff")
    for tier, text in (
        ("to_scale", "above_scale = false and revenue >= 1700万元"),  # changed
        ("innovative_sme", "rd_ratio >= 5%"),  # new
    ):
        saved = client.post(reverse("policies:tier_rule", args=[tier]), {"rule_text": text})
        assert saved.status_code == 302
        assert saved["Location"] == reverse("policies:candidates", args=[tier])
        assert TierRule.objects.get(tier=tier).rule_text == text
    page = client.get(reverse("policies:candidates", args=["to_scale"]))
    assert [f.enterprise.name for f in page.context["page_obj"]] == [ladder.e.name]
    page = client.get(reverse("policies:candidates", args=["innovative_sme"]))
    # b (5% of 3,000万元) and d (10%), the larger first; b's 专精特新 is another rung
    assert [f.enterprise.name for f in page.context["page_obj"]] == [scene.b.name, scene.d.name]


# Cultivation plans ------------------------------------------------------------------------


def _plan_form(scene: Scene, **values) -> dict:
    data = {
        "tier": "specialized_sme",
        "goal": "三年内获评省级专精特新中小企业",
        "official": scene.user("officer").pk,
        "start_year": this_year(),
        "target_year": this_year() + 2,
        "status": "active",
        "achieved_on": "",
    }
    data.update(values)
    return data


def test_a_district_makes_a_plan_for_its_enterprise(scene):
    client = browser(scene.world, "district_a")
    url = reverse("policies:plan_create") + f"?enterprise={scene.a.pk}&tier=specialized_sme"
    page = client.get(url)
    assert page.context["enterprise"] == scene.a
    assert page.context["form"]["tier"].value() == "specialized_sme"
    created = client.post(url, _plan_form(scene))
    plan = CultivationPlan.objects.get(enterprise=scene.a)
    assert created.status_code == 302 and created["Location"] == plan.get_absolute_url()
    assert "Plan saved." in messages_of(created)
    assert (plan.tier, plan.official, plan.status, plan.target_year) == (
        "specialized_sme",
        scene.user("officer"),
        "active",
        this_year() + 2,
    )
    # one plan under way per rung; years in order
    twice = client.post(url, _plan_form(scene, goal="另一份计划"))
    assert twice.status_code == 200
    assert "already has a plan under way for this rung" in str(twice.context["form"].errors)
    backwards = client.post(url, _plan_form(scene, tier="little_giant", start_year=this_year() + 3))
    assert backwards.status_code == 200
    assert "The target year cannot come before the first year." in str(
        backwards.context["form"].errors
    )
    assert CultivationPlan.objects.count() == 1
    detail = client.get(plan.get_absolute_url())
    assert detail.context["can_edit"] is True
    assert [row["year"] for row in detail.context["progress"]][-1] == this_year()
    assert "三年内获评省级专精特新中小企业" in detail.content.decode()


def test_a_plan_is_edited_through_its_form(scene, cases):
    plan = cases.plan_a
    client = browser(scene.world, "district_a")
    edit = reverse("policies:plan_edit", args=[plan.pk])
    assert client.get(edit).context["form"]["goal"].value() == plan.goal
    wrong = client.post(edit, _plan_form(scene, start_year=this_year() + 3))
    assert wrong.status_code == 200 and wrong.context["form"].errors
    achieved = client.post(edit, _plan_form(scene, status="achieved", goal="已获评专精特新"))
    assert achieved.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.goal, plan.achieved_on) == (
        "achieved",
        "已获评专精特新",
        timezone.localdate(),
    )


def _item_form(**values) -> dict:
    data = {
        "kind": "measure",
        "text": "申报省级企业技术中心",
        "responsible": "青山湖区工信局",
        "due_on": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
        "status": "planned",
    }
    data.update(values)
    return data


def test_plan_items_are_added_and_deleted(scene, cases):
    plan = cases.plan_a
    client = browser(scene.world, "officer")  # a's service officer
    added = client.post(reverse("policies:plan_item_create", args=[plan.pk]), _item_form())
    assert added.status_code == 302 and added["Location"] == plan.get_absolute_url()
    assert "Item saved." in messages_of(added)
    item = PlanItem.objects.get(plan=plan)
    assert (item.text, item.responsible, item.status) == (
        "申报省级企业技术中心",
        "青山湖区工信局",
        "planned",
    )
    page = client.get(plan.get_absolute_url())
    assert list(page.context["items"]) == [item]
    assert "late" in page.content.decode()  # due three days ago, not done
    # a bad item is refused with a message, nothing is added
    bad = client.post(
        reverse("policies:plan_item_create", args=[plan.pk]), {"kind": "wish", "text": ""}
    )
    assert bad.status_code == 302 and messages_of(bad)
    assert PlanItem.objects.filter(plan=plan).count() == 1
    # the leader reads the plan but does not keep it
    leader = browser(scene.world, "leader")
    assert leader.get(plan.get_absolute_url()).context["can_edit"] is False
    assert (
        leader.post(
            reverse("policies:plan_item_edit", args=[plan.pk, item.pk]), {"delete": "1"}
        ).status_code
        == 403
    )
    deleted = client.post(
        reverse("policies:plan_item_edit", args=[plan.pk, item.pk]), {"delete": "1"}
    )
    assert deleted.status_code == 302 and "Item deleted." in messages_of(deleted)
    assert not PlanItem.objects.filter(plan=plan).exists()
    # an item of another plan is not reachable through this one
    other = plan_item_save(
        actor=None, plan=cases.plan_b, item=None, data={"kind": "measure", "text": "外区措施"}
    )
    stray = browser(scene.world, "staff").post(
        reverse("policies:plan_item_edit", args=[plan.pk, other.pk]), {"delete": "1"}
    )
    assert stray.status_code == 404 and PlanItem.objects.filter(pk=other.pk).exists()


def test_a_plan_item_is_marked_done_with_the_pages_button(scene, cases):
    plan = cases.plan_a
    item = plan_item_save(actor=None, plan=plan, item=None, data=_item_form())
    client = browser(scene.world, "officer")
    # what the 'Done' button posts: the item's fields as hidden inputs, status done
    done = client.post(
        reverse("policies:plan_item_edit", args=[plan.pk, item.pk]), _item_form(status="done")
    )
    assert done.status_code == 302
    assert "Item saved." in messages_of(done)
    item.refresh_from_db()
    assert (item.status, item.done_on) == ("done", timezone.localdate())


def test_the_plans_list_keeps_to_the_scope_and_filters_by_rung(scene, cases):
    plan_make(scene, scene.c, tier="to_scale")

    def listed(name, **query):
        page = browser(scene.world, name).get(reverse("policies:plan_list"), query)
        return {p.enterprise.name for p in page.context["page_obj"]}

    assert listed("staff") == {scene.a.name, scene.b.name, scene.c.name}
    assert listed("district_a") == {scene.a.name, scene.c.name}
    assert listed("officer") == {scene.a.name}
    assert listed("district_b") == {scene.b.name}
    assert listed("staff", tier="to_scale") == {scene.c.name}
    assert listed("staff", tier="nonsense") == {scene.a.name, scene.b.name, scene.c.name}


# The enterprise page's policy section -----------------------------------------------------


def test_the_enterprise_page_shows_its_policies_applications_and_plans(scene, cases):
    narrow = policy_make(title="千人企业用工奖励", rule_text="employees >= 1000人")
    _decided(scene, cases)
    page = browser(scene.world, "district_a").get(
        reverse("enterprises:enterprise_detail", args=[scene.a.pk])
    )
    assert page.status_code == 200
    outcomes = [(o.policy, o.result, o.benefit) for o in page.context["policy_outcomes"]]
    assert outcomes == [
        (scene.rd, MatchResult.ELIGIBLE, Decimal("180000")),
        (scene.free, MatchResult.ELIGIBLE, Decimal("50000")),
    ]
    assert [o.policy for o in page.context["policy_others"]] == [narrow]
    assert {a.policy for a in page.context["applications"]} == {scene.rd, scene.free}
    assert list(page.context["cultivation_plans"]) == [cases.plan_a]
    html = page.content.decode()
    assert "Policies for this enterprise" in html
    assert "18.00 10k yuan" in html and "5.00 10k yuan" in html
    assert "✔ 上年研发投入占营业收入比例不低于3%" in html
    assert "1 other policy in force, not eligible" in html and "✘ 从业人员不低于1000人" in html
    assert "Applications and support received" in html
    assert "10.00" in html  # a's payment under rd, in 万元
    assert reverse("policies:plan_detail", args=[cases.plan_a.pk]) in html
    assert scene.draft.title not in html


def test_the_enterprise_page_says_what_information_is_missing(scene):
    page = browser(scene.world, "staff").get(
        reverse("enterprises:enterprise_detail", args=[scene.c.pk])
    )
    outcomes = {o.policy: (o.result, o.benefit) for o in page.context["policy_outcomes"]}
    assert outcomes == {
        scene.rd: (MatchResult.UNKNOWN, None),
        scene.free: (MatchResult.ELIGIBLE, Decimal("50000")),
    }
    html = page.content.decode()
    assert "Needs information" in html and "data missing" in html
    # the enterprise's own user reads the same section on its file
    own = browser(scene.world, "enterprise").get(
        reverse("enterprises:enterprise_detail", args=[scene.a.pk])
    )
    assert [o.policy for o in own.context["policy_outcomes"]] == [scene.rd, scene.free]


# Query counts -----------------------------------------------------------------------------
#
# Each list is measured with N rows and with 4 N (enterprises in both districts with their
# officers, parks, qualifications and chain links; policies each serving its own chain;
# applications decided and not; plans with items; the enterprise page's own policies,
# applications and plans): the two counts must be equal, and equal the pinned number.

N = 3


def grow(scene: Scene, start: int, count: int) -> None:
    """`count` more rows of everything the policy lists show."""
    regions = scene.world.city.regions
    rsj = scene.world.city.departments["rsj"]
    staff = scene.user("staff")
    node, _created = ChainNode.objects.get_or_create(
        chain=scene.chain, name="航空零部件", defaults={"segment": "midstream", "kind": "component"}
    )
    TierRule.objects.get_or_create(tier="innovative_sme", defaults={"rule_text": "rd_ratio >= 3%"})
    for i in range(start, start + count):
        officer = UserFactory(username=f"qc-officer-{i}", role=Role.OFFICER)
        enterprise = EnterpriseFactory(
            uscc=make_uscc(700_000 + i),
            name=f"查询计数测试企业{i:03d}",
            district=regions[DISTRICT_A if i % 3 else DISTRICT_B],
            park=regions["hkc"] if i % 2 else None,
            service_officer=officer,
            size_class=("small", "medium", "large")[i % 3],
        )
        figures_save(enterprise, revenue=str(25_000_000 + i), rd_expense="1000000", employees=100)
        figures_save(enterprise, year=last_year() - 1, revenue="20000000")
        QualificationFactory(enterprise=enterprise, kind=("high_tech", "tech_sme")[i % 2])
        EnterpriseNode.objects.create(enterprise=enterprise, node=node, status="confirmed")
        chain = Chain.objects.create(code=f"qc-chain-{i}", name=f"查询计数产业链{i:03d}")
        policy = policy_make(
            title=f"查询计数政策{i:03d}",
            department=rsj,
            chains=[chain],
            amount_method="fixed",
            amount=Decimal("10000"),
            rule_text=RD_RULE,
            without_application=bool(i % 2),
        )
        if not policy.without_application:
            for applicant in (enterprise, scene.a):
                application = services.application_submit(
                    actor=staff, policy=policy, enterprise=applicant, year=this_year()
                )
                if i % 4 == 0:
                    services.application_decide(
                        actor=staff,
                        application=application,
                        seen=application.version,
                        approve=True,
                        amount=Decimal("10000"),
                    )
        else:
            services.match_policy(policy, tell=False)
            services.grant_without_application(actor=staff, policy=policy, year=this_year() - 1)
        plan = CultivationPlan.objects.create(
            enterprise=enterprise,
            tier="specialized_sme",
            goal="培育计划",
            official=officer,
            start_year=this_year(),
            target_year=this_year() + 2,
        )
        PlanItem.objects.create(
            plan=plan, kind="measure", text="措施一", due_on=timezone.localdate()
        )
        PlanItem.objects.create(plan=plan, kind="milestone", text="节点一")
        CultivationPlan.objects.create(
            enterprise=scene.a,
            tier="little_giant",
            goal="往年计划",
            official=officer,
            start_year=this_year() - 3,
            target_year=this_year() - 1,
            status="dropped",
        )
    services.match_all(tell=False)


def count_queries(client: Client, url: str) -> tuple[int, str]:
    """The queries of one GET, and the page."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(queries), response.content.decode()


PAGES = {
    "policy_list": lambda s: reverse("policies:policy_list"),
    "policy_detail": lambda s: reverse("policies:policy_detail", args=[s.rd.pk]),
    "application_list": lambda s: reverse("policies:application_list"),
    "without_application": lambda s: reverse("policies:without_application"),
    "plan_list": lambda s: reverse("policies:plan_list"),
    "ladder": lambda s: reverse("policies:ladder"),
    "statistics": lambda s: reverse("policies:statistics"),
    "enterprise_detail": lambda s: reverse("enterprises:enterprise_detail", args=[s.a.pk]),
}
#: (page, user): the queries of one request, whatever the number of rows.
PINNED = {
    ("application_list", "district_a"): 10,
    ("application_list", "enterprise"): 10,
    ("application_list", "staff"): 9,
    ("enterprise_detail", "district_a"): 29,  # the key projects section: one query
    ("enterprise_detail", "enterprise"): 23,
    ("enterprise_detail", "staff"): 28,
    ("ladder", "district_a"): 27,
    ("ladder", "staff"): 26,
    ("plan_list", "district_a"): 9,
    ("plan_list", "staff"): 8,
    ("policy_detail", "district_a"): 17,
    ("policy_detail", "enterprise"): 22,
    ("policy_detail", "staff"): 16,
    ("policy_list", "district_a"): 11,
    ("policy_list", "enterprise"): 11,
    ("policy_list", "staff"): 10,
    ("statistics", "district_a"): 12,
    ("statistics", "staff"): 11,
    ("without_application", "district_a"): 10,
    ("without_application", "staff"): 9,
}


@pytest.mark.parametrize("page, user", sorted(PINNED))
def test_query_counts_do_not_grow_with_the_rows(scene, page, user):
    assert set(PAGES) == {p for p, _u in PINNED}
    client = browser(scene.world, user)
    url = PAGES[page](scene)
    client.get(url)  # warm-up: per-process caches (content types, parsed rules) not counted
    grow(scene, 0, N)
    few, few_page = count_queries(client, url)
    grow(scene, N, 3 * N)
    many, many_page = count_queries(client, url)
    assert few == many, f"{page} as {user}: {few} queries with {N} rows, {many} with {4 * N}"
    # the rows are on the page (the ladder shows counts; an enterprise its own outcome)
    if page != "ladder" and (page, user) != ("policy_detail", "enterprise"):
        assert many_page.count("查询计数") > few_page.count("查询计数") > 0
    assert many == PINNED[page, user], f"{page} as {user}: {many} queries"
