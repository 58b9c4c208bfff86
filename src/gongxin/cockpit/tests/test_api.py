"""The indicators and cockpit API: the same numbers as `cockpit_build` and the indicators'
readings, the area a user reads, malformed months (422) and scopes not theirs (403)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gongxin.cockpit.selectors import cockpit_build
from gongxin.indicators.tests.factories import MARCH, MILLION, MULTIPLIER

from .conftest import login

pytestmark = pytest.mark.django_db

D = Decimal
COCKPIT = "/api/v1/cockpit"
INDICATORS = "/api/v1/indicators"


def money(value) -> Decimal | None:
    return None if value is None else D(value)


def rate(value) -> Decimal | None:
    return None if value is None else D(value).quantize(D("0.01"))


def test_the_cockpit_api_gives_the_cockpits_numbers(
    client, world, projects, demands, alerts, users
):
    login(client, users["leader"])
    response = client.get(COCKPIT, {"month": "2025-03"})
    assert response.status_code == 200
    data = response.json()
    cockpit = cockpit_build(users["leader"], MARCH, None)

    assert (data["month"], data["area"]) == ("2025-03-01", "city")
    assert [i["code"] for i in data["indicators"]] == [r.indicator.code for r in cockpit.readings]
    for item, r in zip(data["indicators"], cockpit.readings, strict=True):
        assert money(item["to_date"]) == r.to_date
        assert money(item["month_value"]) == r.month_value
        assert money(item["to_date_growth"]) == rate(r.to_date_growth)
        assert (item["months"], item["months_before"]) == (r.months, r.months_before)
    output = data["indicators"][0]
    assert (D(output["to_date"]), D(output["to_date_growth"])) == (1215 * MILLION, D("12.50"))
    assert (output["unit"], D(output["divisor"])) == ("亿元", D(100_000_000))

    assert [
        (d["code"], money(d["output_to_date"]), money(d["output_before"]), money(d["growth"]))
        for d in data["districts"]
    ] == [
        (d["region"].code, d["to_date"], d["before"], rate(d["growth"])) for d in cockpit.districts
    ]
    assert data["districts"][0]["code"] == "360112"
    [chain] = data["chains"]
    [row] = cockpit.chains
    assert (chain["code"], money(chain["revenue_to_date"])) == ("ev", row.to_date)
    assert money(chain["revenue_to_date"]) == 960 * MULTIPLIER["revenue"]
    assert money(chain["growth"]) == rate(row.growth) == D("10.34")
    assert (chain["enterprises"], chain["gaps"], chain["target"]) == (2, 0, None)

    p = data["projects"]
    assert (p["projects"], p["red"], p["yellow"], p["green"]) == (4, 2, 1, 1)
    assert (money(p["planned"]), money(p["completed"])) == (
        cockpit.projects.total["planned"],
        cockpit.projects.total["completed"],
    )
    assert (money(p["year_planned"]), money(p["year_completed"])) == (
        D(85_000_000),
        D(64_000_000),
    )
    assert money(p["share"]) == rate(cockpit.projects.total["share"]) == D("33.85")
    assert p["by_stage"] == {"signed": 1, "approved": 1, "started": 2}

    d = data["demands"]
    assert (d["received"], d["resolved"], d["open"], d["overdue"]) == (3, 1, 2, 2)
    assert d["closure_rate"] == cockpit.demands.closure_rate == 33.3
    assert data["plans"] == {
        "plans": 0,
        "achieved": 0,
        "items": 0,
        "items_done": 0,
        "items_late": 0,
    }
    assert (
        data["alerts"]
        == cockpit.alerts
        == {
            "output_drop": 1,
            "electricity_drop": 1,
            "project_behind": 1,
            "qualification_expiring": 1,
        }
    )


def test_the_cockpit_api_reads_the_area_asked_for_or_the_users_own(client, world, users):
    login(client, users["leader"])
    data = client.get(COCKPIT, {"month": "2025-03", "region": "360112"}).json()
    assert data["area"] == "360112"
    assert D(data["indicators"][0]["to_date"]) == 630 * MILLION
    assert data["districts"] == []
    assert D(data["chains"][0]["revenue_to_date"]) == 630 * MULTIPLIER["revenue"]

    assert client.get(COCKPIT, {"region": "nowhere"}).json()["area"] == "city"
    assert client.get(COCKPIT).json()["month"] == "2025-03-01"  # the latest reported

    login(client, users["district"])
    data = client.get(COCKPIT, {"month": "2025-03", "region": "360112"}).json()
    assert data["area"] == "360111"
    assert D(data["indicators"][0]["to_date"]) == 585 * MILLION


@pytest.mark.parametrize("value", ["2025-13", "March", "2025/03", "202503"])
def test_a_malformed_month_is_422(client, world, users, value):
    login(client, users["leader"])
    for url in (COCKPIT, INDICATORS):
        response = client.get(url, {"month": value})
        assert response.status_code == 422
        assert response.json()["detail"] == {"month": ["Give the month as YYYY-MM."]}


@pytest.mark.parametrize("who", ["officer", "enterprise"])
def test_officers_and_enterprises_may_not_read_the_cockpit(client, world, users, who):
    login(client, users[who])
    assert client.get(COCKPIT, {"month": "2025-03"}).status_code == 403


def test_anonymous_callers_are_refused(client):
    assert client.get(COCKPIT).status_code == 401
    assert client.get(INDICATORS).status_code == 401


def test_the_indicators_api_reads_a_scope(client, world, users, indicators):
    login(client, users["leader"])
    data = client.get(INDICATORS, {"scope": "city", "month": "2025-03"}).json()
    assert (data["scope"], data["month"]) == ("city", "2025-03-01")
    found = {item["code"]: item for item in data["readings"]}
    assert len(found) == 7
    assert D(found["output_value"]["to_date"]) == 1215 * MILLION
    assert D(found["employees"]["to_date"]) == D(405)  # the monthly average
    assert found["profit_margin"]["aggregation"] == "ratio"

    chain = client.get(INDICATORS, {"scope": "chain:ev", "month": "2025-03"}).json()
    revenue = next(i for i in chain["readings"] if i["code"] == "revenue")
    assert D(revenue["to_date"]) == 960 * MULTIPLIER["revenue"]
    february = client.get(INDICATORS, {"scope": "360112", "month": "2025-02"}).json()
    output = next(i for i in february["readings"] if i["code"] == "output_value")
    assert D(output["to_date"]) == (200 + 210) * MILLION
    assert D(output["month_value"]) == 210 * MILLION


def test_the_indicators_api_refuses_a_scope_not_read(client, world, users):
    login(client, users["district"])
    assert client.get(INDICATORS, {"scope": "360111", "month": "2025-03"}).status_code == 200
    assert client.get(INDICATORS, {"scope": "gxq", "month": "2025-03"}).status_code == 200
    for scope in ("city", "360112", "chain:ev", "nowhere"):
        assert client.get(INDICATORS, {"scope": scope}).status_code == 403
    login(client, users["enterprise"])
    assert client.get(INDICATORS, {"scope": "city"}).status_code == 403
    login(client, users["officer"])  # officers read indicators, not the cockpit
    assert client.get(INDICATORS, {"scope": "city", "month": "2025-03"}).status_code == 200


TARGETS = "/api/v1/indicators/targets"
PROVINCE = "/api/v1/indicators/province"


def test_staff_set_a_target_and_the_province_figure_through_the_api(client, world, users):
    from gongxin.indicators.models import ProvinceFigure, Target

    login(client, users["staff"])
    body = {"indicator": "output_value", "year": 2025, "scope": "chain:ev", "level": "5e8"}
    first = client.put(TARGETS, body, content_type="application/json")
    assert first.status_code == 200, first.content
    assert first.json()["created"] is True and first.json()["scope"] == "chain:ev"
    again = client.put(TARGETS, body, content_type="application/json")
    assert again.json()["created"] is False
    assert Target.objects.get(scope="chain:ev").level == Decimal(500_000_000)

    figure = {"indicator": "output_value", "month": "2025-03", "to_date": "4000000000"}
    response = client.put(PROVINCE, figure, content_type="application/json")
    assert response.status_code == 200 and response.json()["month"] == "2025-03-01"
    assert ProvinceFigure.objects.get().to_date == Decimal(4_000_000_000)
    readings = client.get("/api/v1/indicators", {"scope": "city", "month": "2025-03"}).json()
    output = next(r for r in readings["readings"] if r["code"] == "output_value")
    assert Decimal(output["province_to_date"]) == Decimal(4_000_000_000)
    assert Decimal(output["province_share"]) == Decimal("30.38")  # 1215 million of 4,000


@pytest.mark.parametrize(
    "body, field",
    [
        ({"indicator": "nothing", "year": 2025, "growth": "1"}, "indicator"),
        ({"indicator": "tax", "year": 2025, "scope": "nowhere", "growth": "1"}, "scope"),
        ({"indicator": "employees", "year": 2025, "level": "5"}, "level"),
    ],
)
def test_a_bad_target_is_a_422_naming_the_field(client, world, users, body, field):
    login(client, users["staff"])
    response = client.put(TARGETS, body, content_type="application/json")
    assert response.status_code == 422
    assert field in response.content.decode()


def test_only_division_staff_set_targets(client, world, users):
    login(client, users["leader"])
    body = {"indicator": "tax", "year": 2025, "growth": "7"}
    assert client.put(TARGETS, body, content_type="application/json").status_code == 403
    figure = {"indicator": "tax", "month": "2025-03", "to_date": "1"}
    assert client.put(PROVINCE, figure, content_type="application/json").status_code == 403
