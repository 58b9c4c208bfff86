"""The policies API at /api/v1/policies: the library (list with the web list's filters,
detail, create, change, rule check), the enterprises a policy finds with the reasons, the
policies an enterprise qualifies for, 免申即享 grants, applications and their steps,
statistics, the ladder and its candidates, cultivation plans; scope per role (404 out of
scope, 403 for a step not yours, 422 for a bad value, 409 for a stale version); and the
query counts of the lists, pinned.

Clients sign in with the session (as the other API tests) and, where said, a bearer
token; they ask for English so that the messages asserted on are the source strings."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongxin.enterprises.models import CultivationPlan
from gongxin.policies.choices import ApplicationSource, ApplicationStatus, MatchResult
from gongxin.policies.models import Application, Match, Policy, RuleVersion
from gongxin.policies.tests import test_pages as pages
from gongxin.policies.tests.test_pages import (
    RD_CRITERIA,
    RD_RULE,
    TO_SCALE_RULE,
    N,
    Scene,
    browser,
    grow,
    plan_make,
    this_year,
)

# The page tests' world and scene (fixtures), shared.
_module_world = pages._module_world
world = pages.world
scene = pages.scene
cases = pages.cases
ladder = pages.ladder

API = "/api/v1/policies"


def api(scene: Scene, name: str, *, token: bool = False) -> Client:
    """An API client for `name`: the session, or a bearer token; answers in English."""
    client = scene.world.api_client(name) if token else scene.world.client(name)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def post(client: Client, url: str, data: dict):
    return client.post(url, data=data, content_type="application/json")


def patch(client: Client, url: str, data: dict):
    return client.patch(url, data=data, content_type="application/json")


def reasons(*outcomes: bool | None) -> list[dict]:
    return [
        {"criterion": text, "result": result}
        for text, result in zip(RD_CRITERIA, outcomes, strict=True)
    ]


# The library ------------------------------------------------------------------------------


def test_the_list_counts_what_each_policy_finds_in_the_users_scope(scene):
    body = api(scene, "staff").get(API).json()
    assert body["count"] == 3
    items = {p["title"]: p for p in body["items"]}
    rd = items[scene.rd.title]
    assert (rd["eligible_count"], rd["unknown_count"]) == (2, 1)
    assert rd["chains"] == [scene.chain.code] and rd["department"] == "rsj"
    assert (rd["amount_method"], Decimal(rd["rate"]), Decimal(rd["cap"])) == (
        "rate",
        Decimal("10"),
        Decimal("180000"),
    )
    assert rd["rule"] == "，且".join(RD_CRITERIA) + "。"
    assert rd["in_force"] is True and items[scene.draft.title]["in_force"] is False
    district = api(scene, "district_a").get(API).json()
    assert {p["title"] for p in district["items"]} == {scene.rd.title, scene.free.title}
    rd = next(p for p in district["items"] if p["id"] == scene.rd.pk)
    assert (rd["eligible_count"], rd["unknown_count"]) == (1, 1)  # a; c needs information
    free = next(p for p in district["items"] if p["id"] == scene.free.pk)
    assert (free["eligible_count"], free["unknown_count"]) == (2, 0)  # a and c
    # the enterprise counts itself only
    mine = api(scene, "enterprise", token=True).get(API).json()
    assert {p["id"]: p["eligible_count"] for p in mine["items"]} == {
        scene.rd.pk: 1,
        scene.free.pk: 1,
    }
    assert Client().get(API).status_code == 401


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=研发",
        "q=洪工信字",
        "benefit_kind=subsidy",
        "status=draft",
        "status=published",
        "in_force=1",
        "in_force=0",
        "without_application=1",
        "without_application=0",
        "chain=t-aviation",
        "chain=t-aviation&in_force=1&q=补助",
    ],
)
def test_the_list_filters_as_the_web_list(scene, query):
    client = api(scene, "staff")
    listed = {p["id"] for p in client.get(f"{API}?{query}").json()["items"]}
    page = browser(scene.world, "staff").get(f"{reverse('policies:policy_list')}?{query}")
    assert listed == {p.pk for p in page.context["object_list"]}
    expected = {
        "": {scene.rd, scene.free, scene.draft},
        "q=研发": {scene.rd},
        "q=洪工信字": {scene.rd},
        "benefit_kind=subsidy": {scene.rd},
        "status=draft": {scene.draft},
        "status=published": {scene.rd, scene.free},
        "in_force=1": {scene.rd, scene.free},
        "in_force=0": {scene.draft},
        "without_application=1": {scene.free},
        "without_application=0": {scene.rd, scene.draft},
        "chain=t-aviation": {scene.rd},
        "chain=t-aviation&in_force=1&q=补助": {scene.rd},
    }[query]
    assert listed == {p.pk for p in expected}


def test_a_bad_filter_value_is_refused(scene):
    client = api(scene, "staff")
    assert client.get(f"{API}?in_force=maybe").status_code == 422
    # an unknown chain finds nothing, as on the web list
    assert client.get(f"{API}?chain=nonexistent").json() == {"items": [], "count": 0}


def test_the_detail_keeps_drafts_to_those_who_keep_the_library(scene):
    body = api(scene, "district_a").get(f"{API}/{scene.rd.pk}").json()
    assert (body["title"], body["status"], body["rule_text"]) == (
        scene.rd.title,
        "published",
        RD_RULE,
    )
    assert (body["rule_version"], body["version"], body["tiers"]) == (1, 1, [])
    assert "eligible_count" not in body
    for name, status in (
        ("staff", 200),
        ("leader", 200),
        ("district_a", 404),
        ("officer", 404),
        ("department", 404),
        ("enterprise", 404),
    ):
        assert api(scene, name).get(f"{API}/{scene.draft.pk}").status_code == status, name
    assert api(scene, "staff").get(f"{API}/999999").status_code == 404


def _new_policy(**values) -> dict:
    data = {
        "title": "首台套装备奖励",
        "issuer": "南昌市工业和信息化局",
        "document_number": "洪工信字〔2026〕9号",
        "effective_from": "2020-01-01",
        "status": "published",
        "chains": ["t-aviation"],
        "department": "rsj",
        "benefit_kind": "reward",
        "amount_method": "tiers",
        "base": "revenue",
        "tiers": "2000万元: 20万元\n4000万元: 50万元",
        "rule_text": "revenue >= 2000万元",
    }
    data.update(values)
    return data


def test_a_policy_created_through_the_api_is_matched_at_once(scene):
    created = post(api(scene, "staff"), API, _new_policy())
    assert created.status_code == 201
    body = created.json()
    policy = Policy.objects.get(pk=body["id"])
    assert body["tiers"] == [["20000000", "200000"], ["40000000", "500000"]]
    assert (body["chains"], body["department"], body["rule_version"]) == (["t-aviation"], "rsj", 1)
    assert body["rule"] == "上年营业收入不低于2000万元。"
    assert policy.created_by == scene.user("staff")
    assert dict(policy.matches.values_list("enterprise_id", "benefit")) == {
        scene.a.pk: Decimal("500000"),
        scene.b.pk: Decimal("200000"),
        scene.c.pk: Decimal("200000"),
    }
    assert list(RuleVersion.objects.filter(policy=policy).values_list("number", "text")) == [
        (1, "revenue >= 2000万元")
    ]
    # tiers may be given as pairs of numbers too
    pairs = post(
        api(scene, "staff"),
        API,
        _new_policy(title="按人数奖励", base="employees", tiers=[[100, 10000], [250, 30000]]),
    )
    assert pairs.status_code == 201
    assert pairs.json()["tiers"] == [["100", "10000"], ["250", "30000"]]
    assert dict(
        Match.objects.filter(policy_id=pairs.json()["id"]).values_list("enterprise_id", "benefit")
    ) == {
        scene.a.pk: Decimal("30000"),  # 300 people
        scene.b.pk: Decimal("10000"),  # 200
        scene.c.pk: Decimal("0"),  # 80: below the first tier
    }


@pytest.mark.parametrize(
    "values, field, says",
    [
        (
            {"rule_text": "revenue >= 2000万元 and\nrevenu_growth > 0%"},
            "rule_text",
            "Line 2, column 1:",
        ),
        ({"rule_text": "above_scale = 1"}, "rule_text", "Line 1, column 15:"),
        ({"chains": ["t-aviation", "nope"]}, "chains", "Unknown chains: nope."),
        ({"department": "nope"}, "department", "Unknown department nope."),
        ({"base": "profit"}, "base", "Unknown base profit"),
        ({"benefit_kind": "gift"}, "benefit_kind", "gift"),
        ({"effective_until": "2019-12-31"}, "__all__", "cannot end before it starts"),
        ({"amount_method": "fixed", "tiers": ""}, "__all__", "A fixed amount needs the amount."),
    ],
)
def test_a_policy_with_a_bad_value_is_refused_with_422_and_nothing_is_saved(
    scene, values, field, says
):
    before = (Policy.objects.count(), RuleVersion.objects.count(), Match.objects.count())
    refused = post(api(scene, "staff"), API, _new_policy(**values))
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert field in detail, detail
    assert says in " ".join(detail[field])
    assert (Policy.objects.count(), RuleVersion.objects.count(), Match.objects.count()) == before


@pytest.mark.parametrize("tiers", ["2000万元 20万元", [[4000, 500000], [2000, 200000]]])
def test_tiers_that_cannot_be_read_are_refused_with_422(scene, tiers):
    refused = post(api(scene, "staff"), API, _new_policy(tiers=tiers))
    assert refused.status_code == 422
    assert "tiers" in refused.json()["detail"]


def test_only_those_who_keep_the_library_create_and_change_policies(scene):
    for name in ("leader", "district_a", "officer", "department", "enterprise"):
        client = api(scene, name)
        assert post(client, API, _new_policy()).status_code == 403, name
        assert patch(client, f"{API}/{scene.rd.pk}", {"title": "改"}).status_code == 403, name
    # a draft they cannot see is not found
    assert (
        patch(api(scene, "district_a"), f"{API}/{scene.draft.pk}", {"title": "改"}).status_code
        == 404
    )
    assert not Policy.objects.filter(title__in=["首台套装备奖励", "改"]).exists()
    scene.rd.refresh_from_db()
    assert scene.rd.version == 1


def test_a_changed_rule_is_a_new_version_and_matched_again(scene):
    client = api(scene, "staff")
    new_rule = "revenue >= 3000万元 and rd_ratio >= 3%"
    changed = patch(client, f"{API}/{scene.rd.pk}", {"rule_text": new_rule, "cap": "160000"})
    assert changed.status_code == 200
    body = changed.json()
    assert (body["rule_text"], body["rule_version"], body["version"]) == (new_rule, 2, 2)
    assert Decimal(body["cap"]) == Decimal("160000")
    assert list(scene.rd.rule_versions.values_list("number", "text")) == [
        (2, new_rule),
        (1, RD_RULE),
    ]
    # c's 2000万元 no longer qualifies; a gets the new cap
    assert {
        m.enterprise_id: (m.result, m.benefit, m.rule_version) for m in scene.rd.matches.all()
    } == {
        scene.a.pk: (MatchResult.ELIGIBLE, Decimal("160000.00"), 2),
        scene.b.pk: (MatchResult.ELIGIBLE, Decimal("150000.00"), 2),
    }
    # a change that does not touch eligibility keeps the rule version
    titled = patch(client, f"{API}/{scene.rd.pk}", {"summary": "对研发投入给予后补助"}).json()
    assert (titled["rule_version"], titled["version"]) == (2, 3)
    # withdrawn: no longer in force, nothing is found
    withdrawn = patch(client, f"{API}/{scene.rd.pk}", {"status": "withdrawn"})
    assert withdrawn.json()["in_force"] is False
    assert not scene.rd.matches.exists()
    # a bad rule changes nothing
    refused = patch(client, f"{API}/{scene.free.pk}", {"rule_text": "revenue >>"})
    assert refused.status_code == 422 and "rule_text" in refused.json()["detail"]
    scene.free.refresh_from_db()
    assert (scene.free.rule_version, scene.free.version) == (1, 1)


@pytest.mark.parametrize(
    "text, line, column, code",
    [
        ("revenu >= 1000万元", 1, 1, "unknown_field"),
        ("above_scale = true\nand revenu > 1", 2, 5, "unknown_field"),
        ("above_scale = 5", 1, 15, "type"),
        ("revenue >> 5", 1, 10, "syntax"),
        ("", 1, 1, "empty"),
    ],
)
def test_the_rule_check_gives_the_fault_and_its_position(scene, text, line, column, code):
    checked = post(api(scene, "staff"), f"{API}/rule-check", {"rule_text": text})
    assert checked.status_code == 200
    body = checked.json()
    assert (body["ok"], body["line"], body["column"], body["code"]) == (False, line, column, code)
    assert body["error"].startswith(f"Line {line}, column {column}:")
    assert body["rule"] == ""


def test_the_rule_check_reads_a_valid_rule(scene):
    checked = post(api(scene, "staff"), f"{API}/rule-check", {"rule_text": RD_RULE})
    assert checked.json() == {
        "ok": True,
        "rule": "，且".join(RD_CRITERIA) + "。",
        "error": "",
        "line": None,
        "column": None,
        "code": "",
    }
    assert Policy.objects.count() == 3


# What a policy finds, and what an enterprise qualifies for --------------------------------


def test_a_policys_enterprises_come_with_the_reason_per_criterion(scene):
    body = api(scene, "staff").get(f"{API}/{scene.rd.pk}/enterprises").json()
    assert body["count"] == 3
    rows = {r["enterprise"]: r for r in body["items"]}
    assert rows[scene.a.pk] == {
        "enterprise": scene.a.pk,
        "enterprise_name": scene.a.name,
        "uscc": scene.a.uscc,
        "district": "360111",
        "result": "eligible",
        "benefit": "180000.00",
        "reasons": reasons(True, True),
    }
    assert (rows[scene.c.pk]["result"], rows[scene.c.pk]["benefit"]) == ("unknown", None)
    assert rows[scene.c.pk]["reasons"] == reasons(True, None)
    unknown = api(scene, "staff").get(f"{API}/{scene.rd.pk}/enterprises?result=unknown").json()
    assert [r["enterprise"] for r in unknown["items"]] == [scene.c.pk]
    assert (
        api(scene, "staff").get(f"{API}/{scene.rd.pk}/enterprises?result=maybe").status_code == 422
    )


@pytest.mark.parametrize(
    "name, found",
    [
        ("staff", {"a", "b", "c"}),
        ("leader", {"a", "b", "c"}),
        ("department", {"a", "b", "c"}),
        ("district_a", {"a", "c"}),
        ("district_b", {"b"}),
        ("officer", {"a"}),
        ("enterprise", {"a"}),
    ],
)
def test_a_policys_enterprises_keep_to_the_users_scope(scene, name, found):
    ids = {"a": scene.a.pk, "b": scene.b.pk, "c": scene.c.pk}
    body = api(scene, name, token=True).get(f"{API}/{scene.rd.pk}/enterprises").json()
    assert {r["enterprise"] for r in body["items"]} == {ids[k] for k in found}
    assert body["count"] == len(found)


def test_the_policies_for_an_enterprise_with_reasons_and_scope(scene):
    narrow = Policy.objects.create(
        title="尚未匹配的政策",
        issuer="市工信局",
        effective_from=timezone.localdate(),
        status="published",
        benefit_kind="reward",
        rule_text="employees >= 1000人",
    )
    body = api(scene, "district_a").get(f"{API}/for-enterprise/{scene.c.pk}").json()
    assert [(p["policy"], p["result"], p["benefit"]) for p in body] == [
        (scene.free.pk, "eligible", "50000.00"),
        (scene.rd.pk, "unknown", None),
        (narrow.pk, "ineligible", None),
    ]
    rd = next(p for p in body if p["policy"] == scene.rd.pk)
    assert rd["reasons"] == reasons(True, None) and rd["without_application"] is False
    assert body[0]["without_application"] is True
    assert body[2]["reasons"] == [{"criterion": "从业人员不低于1000人", "result": False}]
    # out of scope: not found; the enterprise reads its own
    assert api(scene, "district_a").get(f"{API}/for-enterprise/{scene.b.pk}").status_code == 404
    assert api(scene, "officer").get(f"{API}/for-enterprise/{scene.c.pk}").status_code == 404
    assert api(scene, "enterprise").get(f"{API}/for-enterprise/{scene.b.pk}").status_code == 404
    own = api(scene, "enterprise").get(f"{API}/for-enterprise/{scene.a.pk}").json()
    assert [(p["policy"], p["benefit"]) for p in own][:2] == [
        (scene.rd.pk, "180000.00"),
        (scene.free.pk, "50000.00"),
    ]
    assert scene.draft.pk not in {p["policy"] for p in own}


def test_the_grant_pays_every_eligible_enterprise_once(scene):
    url = f"{API}/{scene.free.pk}/grant"
    for name in ("leader", "district_a", "officer", "enterprise"):
        assert post(api(scene, name), url, {"year": this_year()}).status_code == 403, name
    assert post(api(scene, "department"), url, {"year": this_year()}).json() == {"granted": 3}
    assert post(api(scene, "staff"), url, {"year": this_year()}).json() == {"granted": 0}
    assert (
        Application.objects.filter(
            policy=scene.free, source=ApplicationSource.AUTOMATIC, status="approved"
        ).count()
        == 3
    )
    refused = post(api(scene, "staff"), f"{API}/{scene.rd.pk}/grant", {"year": this_year()})
    assert refused.status_code == 422
    assert refused.json()["detail"] == {"__all__": ["This policy is paid on application only."]}
    assert post(api(scene, "staff"), url, {}).status_code == 422
    assert (
        post(api(scene, "district_a"), f"{API}/{scene.draft.pk}/grant", {"year": 2026}).status_code
        == 404
    )


# Applications -----------------------------------------------------------------------------


def _apply(client, scene, enterprise, **values):
    data = {"policy": scene.rd.pk, "enterprise": enterprise.pk, "year": this_year()}
    data.update(values)
    return post(client, f"{API}/applications", data)


def test_an_enterprise_applies_and_the_application_is_listed(scene):
    created = _apply(
        api(scene, "enterprise", token=True),
        scene,
        scene.a,
        statement="2025年研发费用200万元",
        requested_amount="180000",
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["policy"], body["policy_title"], body["enterprise"], body["status"]) == (
        scene.rd.pk,
        scene.rd.title,
        scene.a.pk,
        "submitted",
    )
    assert (body["source"], body["version"], Decimal(body["requested_amount"])) == (
        "applied",
        1,
        Decimal("180000"),
    )
    assert [(e["status"], e["text"]) for e in body["events"]] == [
        ("submitted", "2025年研发费用200万元")
    ]
    assert api(scene, "staff").get(f"{API}/applications/{body['id']}").json()["events"][0]["actor"]


@pytest.mark.parametrize(
    "name, target, values, status",
    [
        ("enterprise", "b", {}, 404),  # not its own enterprise
        ("district_a", "b", {}, 404),  # another district's
        ("leader", "a", {}, 403),  # reads it, may not apply for it
        ("department", "a", {}, 403),
        ("enterprise", "a", {"policy": "draft"}, 404),
        ("enterprise", "a", {"policy": "free"}, 422),  # paid without application
        ("enterprise", "a", {"requested_amount": "-1"}, 422),
        ("enterprise", "a", {"year": "soon"}, 422),
    ],
)
def test_an_application_that_may_not_be_made_is_refused(scene, name, target, values, status):
    if "policy" in values:
        values = {**values, "policy": getattr(scene, values["policy"]).pk}
    refused = _apply(api(scene, name), scene, getattr(scene, target), **values)
    assert refused.status_code == status, refused.content
    assert not Application.objects.exists()


def test_a_second_application_for_the_year_is_refused(scene):
    client = api(scene, "district_a")
    assert _apply(client, scene, scene.a).status_code == 201
    again = _apply(client, scene, scene.a)
    assert again.status_code == 422
    assert "already has an application under this policy" in again.json()["detail"]["__all__"][0]
    assert _apply(client, scene, scene.a, year=this_year() - 1).status_code == 201


def _step(client, application_id, action, version, **values):
    return post(
        client,
        f"{API}/applications/{application_id}/steps",
        {"action": action, "version": version, **values},
    )


def test_the_steps_of_an_application_through_the_api(scene, cases):
    pk = cases.app_a.pk
    handler = api(scene, "department", token=True)  # rsj handles the policy
    reviewed = _step(handler, pk, "review", 1)
    assert reviewed.status_code == 200
    assert (reviewed.json()["status"], reviewed.json()["version"]) == ("reviewing", 2)
    # someone acting on a page opened before: 409, nothing changes
    stale = _step(api(scene, "staff"), pk, "reject", 1, reason="材料不全")
    assert stale.status_code == 409
    assert stale.json()["detail"].startswith(
        "Someone else has just acted on this application: it is now Under review."
    )
    # bad values: 422
    assert _step(handler, pk, "approve", 2).status_code == 422  # no amount
    no_reason = _step(handler, pk, "reject", 2, reason=" ")
    assert no_reason.status_code == 422
    assert no_reason.json()["detail"] == {"reason": ["Say why the application is rejected."]}
    assert _step(handler, pk, "promote", 2).status_code == 422
    # a role that may not: 403
    assert _step(api(scene, "enterprise"), pk, "approve", 2, amount="180000").status_code == 403
    assert _step(api(scene, "leader"), pk, "approve", 2, amount="180000").status_code == 403
    assert _step(api(scene, "district_a"), pk, "review", 2).status_code == 403
    # out of scope: 404
    assert _step(api(scene, "district_b"), pk, "withdraw", 2).status_code == 404
    approved = _step(handler, pk, "approve", 2, amount="165000", reason="按审计报告核定")
    assert approved.status_code == 200
    assert (approved.json()["status"], Decimal(approved.json()["approved_amount"])) == (
        "approved",
        Decimal("165000"),
    )
    assert approved.json()["decided_at"]
    too_much = _step(handler, pk, "disburse", 3, amount="200000")
    assert too_much.status_code == 422 and "amount" in too_much.json()["detail"]
    future = _step(handler, pk, "disburse", 3, amount="165000", on="2999-01-01")
    assert future.status_code == 422 and "on" in future.json()["detail"]
    paid = _step(handler, pk, "disburse", 3, amount="165000")
    body = paid.json()
    assert (body["status"], body["disbursed_on"], Decimal(body["disbursed_amount"])) == (
        "disbursed",
        timezone.localdate().isoformat(),
        Decimal("165000"),
    )
    assert [e["status"] for e in body["events"]] == [
        "submitted",
        "reviewing",
        "approved",
        "disbursed",
    ]
    # a decided application is not withdrawn
    late = _step(api(scene, "enterprise"), pk, "withdraw", 4)
    assert late.status_code == 422


def test_the_applicant_withdraws_through_the_api(scene, cases):
    pk = cases.app_a.pk
    assert _step(api(scene, "department"), pk, "withdraw", 1).status_code == 403
    withdrawn = _step(api(scene, "enterprise"), pk, "withdraw", 1)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    cases.app_b.refresh_from_db()
    assert cases.app_b.status == ApplicationStatus.SUBMITTED


def test_the_applications_list_keeps_to_the_scope_and_filters(scene, cases):
    def listed(name, query="") -> set[int]:
        response = api(scene, name).get(f"{API}/applications?{query}")
        assert response.status_code == 200
        return {a["id"] for a in response.json()["items"]}

    both = {cases.app_a.pk, cases.app_b.pk}
    assert listed("staff") == both
    assert listed("department") == both
    assert listed("leader") == both
    assert listed("district_a") == {cases.app_a.pk}
    assert listed("officer") == {cases.app_a.pk}
    assert listed("enterprise") == {cases.app_a.pk}
    assert listed("district_b") == {cases.app_b.pk}
    assert listed("staff", f"q={scene.b.uscc}") == {cases.app_b.pk}
    assert listed("staff", f"policy={scene.rd.pk}&year={this_year()}&status=submitted") == both
    assert listed("staff", f"year={this_year() - 1}") == set()
    assert listed("staff", "source=automatic") == set()
    # an application out of scope is not found
    assert api(scene, "district_a").get(f"{API}/applications/{cases.app_b.pk}").status_code == 404
    assert api(scene, "enterprise").get(f"{API}/applications/{cases.app_b.pk}").status_code == 404
    item = api(scene, "staff").get(f"{API}/applications?q={scene.b.uscc}").json()["items"][0]
    assert (item["enterprise_name"], item["policy_title"]) == (scene.b.name, scene.rd.title)


# Statistics, the ladder, plans ------------------------------------------------------------


def test_the_statistics_of_a_year(scene, cases):
    pages._decided(scene, cases)
    body = api(scene, "staff").get(f"{API}/statistics?year={this_year()}").json()
    assert body["year"] == this_year()
    assert body["totals"]["applications"] == 5 and body["totals"]["enterprises"] == 3
    assert Decimal(str(body["totals"]["approved_amount"])) == Decimal("330000")
    by_policy = {r["key"]: r for r in body["by_policy"]}
    rd = by_policy[str(scene.rd.pk)]
    assert (rd["name"], rd["applications"], rd["approved"], rd["rejected"]) == (
        scene.rd.title,
        2,
        1,
        1,
    )
    assert Decimal(rd["disbursed_amount"]) == Decimal("100000")
    assert [(r["key"], r["name"], r["applications"]) for r in body["by_chain"]] == [
        (scene.chain.code, scene.chain.name, 2)
    ]
    assert {r["key"]: r["applications"] for r in body["by_district"]} == {"360111": 3, "360124": 2}
    assert body["by_enterprise"][0]["key"] == str(scene.a.pk)
    district = api(scene, "district_b").get(f"{API}/statistics").json()
    assert district["totals"]["applications"] == 2
    assert [r["key"] for r in district["by_enterprise"]] == [str(scene.b.pk)]
    assert (
        api(scene, "staff")
        .get(f"{API}/statistics?year={this_year() - 1}")
        .json()["totals"]["applications"]
        == 0
    )


def test_the_working_lists_keep_an_enterprise_user_to_its_own_enterprise(scene, cases, ladder):
    """The web refuses enterprise users the ladder, plans and statistics; the API answers
    them (or refuses them), and never with another enterprise's data."""
    client = api(scene, "enterprise")
    for url in (f"{API}/statistics", f"{API}/ladder", f"{API}/plans"):
        assert client.get(url).status_code in (200, 403), url
    stats = client.get(f"{API}/statistics")
    if stats.status_code == 200:
        assert [r["key"] for r in stats.json()["by_enterprise"]] == [str(scene.a.pk)]
        assert stats.json()["totals"]["applications"] == 1
    plans = client.get(f"{API}/plans")
    if plans.status_code == 200:
        assert {p["enterprise"] for p in plans.json()["items"]} == {scene.a.pk}
    rungs = client.get(f"{API}/ladder")
    if rungs.status_code == 200:
        # a alone: 规上, and a candidate for 专精特新 by its R&D ratio
        counts = {r["tier"]: (r["holders"], r["candidates"]) for r in rungs.json()}
        assert counts["to_scale"] == (1, 0) and counts["specialized_sme"] == (0, 1)
    candidates = client.get(f"{API}/ladder/to_scale/candidates")
    assert candidates.status_code == 403 or candidates.json() == {"items": [], "count": 0}


def test_the_ladder_and_a_rungs_candidates(scene, ladder):
    rungs = {r["tier"]: r for r in api(scene, "staff").get(f"{API}/ladder").json()}
    assert list(rungs) == [
        "to_scale",
        "innovative_sme",
        "specialized_sme",
        "little_giant",
        "single_champion",
        "chain_master",
    ]
    assert rungs["to_scale"] == {
        "tier": "to_scale",
        "label": rungs["to_scale"]["label"],
        "rule_text": TO_SCALE_RULE,
        "rule": "非规上企业，且上年营业收入在1500万元至2000万元之间。",
        "holders": 4,
        "candidates": 2,
        "plans": 1,
    }
    assert (rungs["innovative_sme"]["rule_text"], rungs["innovative_sme"]["candidates"]) == (
        None,
        0,
    )
    district = {r["tier"]: r for r in api(scene, "district_a").get(f"{API}/ladder").json()}
    assert (district["to_scale"]["holders"], district["to_scale"]["candidates"]) == (3, 1)
    staff = api(scene, "staff").get(f"{API}/ladder/to_scale/candidates").json()
    assert [c["enterprise"] for c in staff["items"]] == [ladder.e.pk, ladder.f.pk]
    first = staff["items"][0]
    assert (Decimal(first["revenue"]), Decimal(first["revenue_growth"])) == (
        Decimal("18000000"),
        Decimal("20"),
    )
    assert (Decimal(first["rd_ratio"]), first["employees"], first["enterprise_name"]) == (
        Decimal("1.11"),
        90,
        ladder.e.name,
    )
    district = api(scene, "district_a").get(f"{API}/ladder/to_scale/candidates").json()
    assert [c["enterprise"] for c in district["items"]] == [ladder.e.pk]
    none = api(scene, "staff").get(f"{API}/ladder/little_giant/candidates").json()
    assert none == {"items": [], "count": 0}


def test_an_unknown_rung_is_refused_with_422(scene):
    refused = api(scene, "staff").get(f"{API}/ladder/giant/candidates")
    assert refused.status_code == 422
    assert "Unknown rung giant" in refused.json()["detail"]["tier"][0]


def test_the_plans_list_keeps_to_the_scope(scene, cases):
    plan_make(scene, scene.c, tier="to_scale")

    def listed(name, query="") -> set[int]:
        response = api(scene, name).get(f"{API}/plans?{query}")
        assert response.status_code == 200
        return {p["enterprise"] for p in response.json()["items"]}

    assert listed("staff") == {scene.a.pk, scene.b.pk, scene.c.pk}
    assert listed("district_a") == {scene.a.pk, scene.c.pk}
    assert listed("officer") == {scene.a.pk}
    assert listed("district_b") == {scene.b.pk}
    # plans are the bureau's working papers: not listed for the enterprise itself
    assert api(scene, "enterprise").get(f"{API}/plans").status_code == 403
    assert listed("staff", "tier=to_scale") == {scene.c.pk}
    assert listed("staff", f"enterprise={scene.b.pk}") == {scene.b.pk}
    item = api(scene, "staff").get(f"{API}/plans?enterprise={scene.a.pk}").json()["items"][0]
    assert (item["tier"], item["official"], item["status"], item["items"]) == (
        "specialized_sme",
        "officer",
        "active",
        [],
    )


def _new_plan(scene, enterprise, **values) -> dict:
    data = {
        "enterprise": enterprise.pk,
        "tier": "little_giant",
        "goal": "三年内获评国家级专精特新“小巨人”",
        "official": "officer",
        "start_year": this_year(),
        "target_year": this_year() + 3,
    }
    data.update(values)
    return data


def test_a_plan_and_its_items_are_made_through_the_api(scene):
    client = api(scene, "district_a")
    created = post(client, f"{API}/plans", _new_plan(scene, scene.a))
    assert created.status_code == 201
    body = created.json()
    plan = CultivationPlan.objects.get(pk=body["id"])
    assert (plan.enterprise, plan.tier, plan.official) == (
        scene.a,
        "little_giant",
        scene.user("officer"),
    )
    assert (body["status"], body["items"]) == ("active", [])
    added = post(
        client,
        f"{API}/plans/{plan.pk}/items",
        {"kind": "milestone", "text": "获评省级专精特新", "due_on": f"{this_year() + 1}-06-30"},
    )
    assert added.status_code == 201
    assert [(i["kind"], i["text"], i["status"]) for i in added.json()["items"]] == [
        ("milestone", "获评省级专精特新", "planned")
    ]
    done = post(
        client,
        f"{API}/plans/{plan.pk}/items",
        {"kind": "measure", "text": "研发费用加计扣除辅导", "status": "done"},
    )
    assert done.status_code == 201
    done_item = next(i for i in done.json()["items"] if i["kind"] == "measure")
    assert (done_item["status"], done_item["done_on"]) == ("done", timezone.localdate().isoformat())
    # refused: an enterprise out of scope (404), a role that reads only (403), bad values (422)
    assert post(client, f"{API}/plans", _new_plan(scene, scene.b)).status_code == 404
    assert (
        post(
            api(scene, "leader"), f"{API}/plans", _new_plan(scene, scene.a, tier="to_scale")
        ).status_code
        == 403
    )
    assert (
        post(
            api(scene, "enterprise"), f"{API}/plans", _new_plan(scene, scene.a, tier="to_scale")
        ).status_code
        == 403
    )
    again = post(client, f"{API}/plans", _new_plan(scene, scene.a))
    assert again.status_code == 422  # one plan under way per rung
    backwards = post(
        client,
        f"{API}/plans",
        _new_plan(scene, scene.a, tier="to_scale", target_year=this_year() - 1),
    )
    assert backwards.status_code == 422
    nobody = post(
        client, f"{API}/plans", _new_plan(scene, scene.a, tier="to_scale", official="nobody")
    )
    assert nobody.status_code == 422 and "official" in nobody.json()["detail"]
    assert (
        post(client, f"{API}/plans", _new_plan(scene, scene.a, tier="emperor")).status_code == 422
    )
    assert (
        post(client, f"{API}/plans/{plan.pk}/items", {"kind": "wish", "text": "x"}).status_code
        == 422
    )
    assert (
        post(
            api(scene, "district_b"),
            f"{API}/plans/{plan.pk}/items",
            {"kind": "measure", "text": "x"},
        ).status_code
        == 404
    )
    assert (
        post(
            api(scene, "leader"), f"{API}/plans/{plan.pk}/items", {"kind": "measure", "text": "x"}
        ).status_code
        == 403
    )
    assert CultivationPlan.objects.count() == 1 and plan.items.count() == 2


# Query counts -----------------------------------------------------------------------------

LISTS = {
    "policies": lambda s: API,
    "policy_enterprises": lambda s: f"{API}/{s.rd.pk}/enterprises",
    "applications": lambda s: f"{API}/applications",
    "plans": lambda s: f"{API}/plans",
    "candidates": lambda s: f"{API}/ladder/innovative_sme/candidates",
}
#: (list, user): the queries of one request, whatever the number of rows.
PINNED = {
    ("applications", "district_a"): 8,
    ("applications", "enterprise"): 7,
    ("applications", "staff"): 7,
    ("candidates", "district_a"): 9,
    ("candidates", "staff"): 8,
    ("plans", "district_a"): 9,
    ("plans", "staff"): 8,
    ("policies", "district_a"): 9,
    ("policies", "enterprise"): 8,
    ("policies", "staff"): 8,
    ("policy_enterprises", "district_a"): 12,
    ("policy_enterprises", "staff"): 11,
}


def _count(client: Client, url: str) -> tuple[int, int]:
    """The queries of one GET, and the number of rows it says it has."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(queries), response.json()["count"]


@pytest.mark.parametrize("name, user", sorted(PINNED))
def test_api_lists_do_not_grow_their_queries_with_the_rows(scene, name, user):
    assert set(LISTS) == {n for n, _u in PINNED}
    client = api(scene, user)
    url = LISTS[name](scene)
    grow(scene, 0, 1)  # warm-up: per-process caches are not counted
    client.get(url)
    grow(scene, 1, N - 1)
    few, few_rows = _count(client, url)
    grow(scene, N, 3 * N)
    many, many_rows = _count(client, url)
    assert many_rows > few_rows > 0
    assert few == many, (
        f"{name} as {user}: {few} queries with {few_rows} rows, {many} with {many_rows}"
    )
    assert many == PINNED[name, user], f"{name} as {user}: {many} queries"
