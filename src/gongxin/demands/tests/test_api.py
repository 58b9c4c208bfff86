"""The demands API: scope, registering, steps with their errors and the 409 conflict."""

from __future__ import annotations

import pytest

from gongxin.demands.models import Demand
from gongxin.demands.tests.test_loop import people  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
API = "/api/v1/demands"


def _post(client, url, data):
    return client.post(url, data=data, content_type="application/json")


def test_register_step_and_conflict(client, people):  # noqa: F811
    client.force_login(people["enterprise"])
    created = _post(client, API, {"title": "融资", "text": "需流动资金贷款2000万元"})
    assert created.status_code == 201
    body = created.json()
    assert (body["category"], body["source"], body["status"]) == ("finance", "portal", "registered")
    pk, version = body["id"], body["version"]
    assert [e["action"] for e in body["events"]] == ["register"]
    # Not the enterprise's step:
    refused = _post(client, f"{API}/{pk}/steps", {"action": "dispatch", "version": version})
    assert refused.status_code == 403
    client.force_login(people["desk"])
    assert (
        _post(client, f"{API}/{pk}/steps", {"action": "dispatch", "version": version}).status_code
        == 422
    )
    done = _post(
        client,
        f"{API}/{pk}/steps",
        {"action": "dispatch", "version": version, "lead": "jrj", "co_departments": ["rsj"]},
    )
    assert done.status_code == 200 and done.json()["lead"] == "jrj"
    again = _post(
        client, f"{API}/{pk}/steps", {"action": "dispatch", "version": version, "lead": "jrj"}
    )
    assert again.status_code == 422  # no longer registered
    client.force_login(people["co"])  # 市金融局 now leads
    stale = _post(client, f"{API}/{pk}/steps", {"action": "accept", "version": version})
    assert stale.status_code == 409 and "刷新" in stale.json()["detail"]
    accepted = _post(client, f"{API}/{pk}/steps", {"action": "accept", "version": version + 1})
    assert accepted.status_code == 200 and accepted.json()["allowed"] == ["interim", "resolve"]


def test_scope(client, people):  # noqa: F811
    client.force_login(people["enterprise"])
    pk = _post(client, API, {"title": "用电", "text": "增容"}).json()["id"]
    for role, sees in (
        ("other_enterprise", False),
        ("other_district", False),
        ("district", True),
        ("officer", True),
        ("leader", True),
        ("lead", False),
    ):
        client.force_login(people[role])
        assert (client.get(f"{API}/{pk}").status_code == 200) is sees, role
        listed = client.get(f"{API}?tab=all").json()["items"]
        assert (pk in [d["id"] for d in listed]) is sees, role
    assert Demand.objects.count() == 1
