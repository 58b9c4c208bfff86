"""The parks API at /api/v1/projects/parks: the list (park_rows' figures, area and money
as decimal strings), one park with its land month by month, buildings, projects and
largest enterprises; a month's land and the buildings written through the services. Every
endpoint for every role (401 anonymous, 403 enterprise users and who may not keep the
park, 404 a code that is no park or a building of another park, 422 a bad value naming
the field), and the list's query count pinned whatever the number of parks.

The world is test_parks.py's: the zone gxq (hosted by district 360111) holds the parks
hkc and axh; jxq lies in district 360124; vrkcc is another zone with nothing in it.

    park  land (mu, year's end)  buildings                         enterprises
    hkc   500 / 400 / 250        1号 occupied by e1, 2号 vacant,     e1 (e2 suspended)
                                 3号 planned, allocated to e1
    axh   300 / 200 / 150        A栋 allocated to e3                 e3
    jxq   —                      —                                  e4
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gongxin.core.choices import AuditAction, RegionKind
from gongxin.core.models import AuditEntry, Region
from gongxin.enterprises.tests.factories import EnterpriseFactory
from gongxin.projects.models import Building, ParkLand
from gongxin.projects.parks import building_save, park_rows
from gongxin.projects.tests.parks_world import (  # noqa: F401
    BUILDING_TYPE,
    BUILT_MESSAGE,
    LAND_TYPE,
    OCCUPANT_MESSAGE,
    TODAY,
    WITHIN_MESSAGE,
    YEAR,
    D,
    build_world,
    building,
    figures,
    land,
    month,
    project,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/projects/parks"
NEXT_MONTH = (TODAY.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


@pytest.fixture
def world(city):
    return build_world(city)


def api(world, who: str) -> Client:
    """A client signed in as `who`, answering in English."""
    client = Client()
    client.force_login(world["users"][who])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def send(client: Client, method: str, url: str, data=None):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, data=data, content_type="application/json")


def item(rows: list[dict], code: str) -> dict:
    return next(r for r in rows if r["code"] == code)


# Who may do what -----------------------------------------------------------------------------


ROLES = ("staff", "leader", "district_111", "district_124", "park_gxq", "park_hkc", "enterprise")

#: who keeps which of the parks (as park_can_edit says)
KEEPS = {
    "staff": {"gxq", "hkc", "axh", "jxq", "vrkcc"},
    "leader": set(),
    "district_111": {"gxq", "hkc", "axh"},
    "district_124": {"jxq"},
    "park_gxq": {"gxq", "hkc", "axh"},  # the zone and the parks inside
    "park_hkc": {"hkc"},
    "enterprise": set(),
}


def _land_body(world) -> dict:
    return {"planned_mu": "120", "developed_mu": "90", "occupied_mu": "45.5"}


def _building_body(world) -> dict:
    return {"name": "9号厂房", "area": "1200", "load": "8.0", "status": "built"}


def _building_url(code: str):
    def url(world) -> str:
        b = Building.objects.filter(park=world[code]).order_by("pk").first()
        if b is None:  # a park without buildings gets one to change
            b = building(world[code], "临时厂房", "100")
        return f"{API}/{code}/buildings/{b.pk}"

    return url


#: endpoint: (method, url, body, status when allowed), for each park
def _endpoints(code: str) -> dict:
    return {
        f"list@{code}": ("get", lambda w: API, None, 200),
        f"detail@{code}": ("get", lambda w: f"{API}/{code}", None, 200),
        f"land@{code}": ("put", lambda w: f"{API}/{code}/land/{YEAR}-12", _land_body, 200),
        f"create@{code}": ("post", lambda w: f"{API}/{code}/buildings", _building_body, 201),
        f"patch@{code}": ("patch", _building_url(code), lambda w: {"floors": 3}, 200),
    }


ENDPOINTS = {k: v for code in ("gxq", "hkc", "axh", "jxq") for k, v in _endpoints(code).items()}


def expected(endpoint: str, role: str) -> int:
    kind, code = endpoint.split("@")
    allowed = ENDPOINTS[endpoint][3]
    if role == "enterprise":
        return 403
    if kind in ("list", "detail"):
        return allowed
    return allowed if code in KEEPS[role] else 403


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_anonymous_callers_get_401(world, endpoint):
    method, url, body, _ = ENDPOINTS[endpoint]
    response = send(Client(), method, url(world), body(world) if body else None)
    assert response.status_code == 401


@pytest.mark.parametrize("endpoint, role", [(e, r) for e in sorted(ENDPOINTS) for r in ROLES])
def test_every_endpoint_for_every_role(world, endpoint, role):
    method, url, body, _ = ENDPOINTS[endpoint]
    client, target = api(world, role), url(world)
    lands, buildings = ParkLand.objects.count(), Building.objects.count()
    response = send(client, method, target, body(world) if body else None)
    status = expected(endpoint, role)
    assert response.status_code == status, (endpoint, role, response.content[:300])
    if status == 403:
        assert "may not" in response.json()["detail"]
        # a refused write writes nothing
        assert (ParkLand.objects.count(), Building.objects.count()) == (lands, buildings)


def test_the_parks_are_closed_to_enterprise_users_whatever_they_ask(world):
    client = api(world, "enterprise")
    assert client.get(API).json() == {"detail": "You may not read the parks."}
    assert client.get(f"{API}/nowhere").status_code == 403  # not even whether it exists


def test_the_schema_lists_the_park_endpoints(world):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    expected_paths = {
        API: {"get"},
        f"{API}/{{code}}": {"get"},
        f"{API}/{{code}}/land/{{month}}": {"put"},
        f"{API}/{{code}}/buildings": {"post"},
        f"{API}/{{code}}/buildings/{{building_pk}}": {"patch"},
        # the projects' own routes are still there beside them
        "/api/v1/projects/{pk}": {"get", "patch", "delete"},
    }
    for path, methods in expected_paths.items():
        assert methods <= set(paths[path]), path


def test_the_parks_routes_and_the_projects_routes_do_not_catch_each_other(world):
    client = api(world, "staff")
    assert isinstance(client.get(API).json(), list)  # not a project's page nor the list's
    assert client.get("/api/v1/projects").json()["count"] == 3
    pk = world["project"].pk
    assert client.get(f"/api/v1/projects/{pk}").json()["name"] == "航空城配套项目"


# The list ------------------------------------------------------------------------------------


def test_a_row_says_what_the_list_shows(world):
    rows = api(world, "leader").get(API).json()
    assert item(rows, "hkc") == {
        "code": "hkc",
        "name": world["hkc"].name,
        "kind": world["hkc"].kind,
        "kind_label": str(RegionKind(world["hkc"].kind).label),
        "parent": "gxq",
        "year": YEAR,
        "planned_mu": "500.00",  # December's land, not January's of the next year
        "developed_mu": "400.00",
        "occupied_mu": "250.00",
        "available_mu": "150.00",
        "buildings_count": 3,
        "buildings_area": "6000.00",
        "buildings_built_area": "3000.00",
        "buildings_taken_area": "2000.00",
        "buildings_taken_share": "66.7",
        "enterprises": 1,  # the suspended one is not counted
        "projects": 1,
        "output": "12345678.90",
        "tax": "1000000.00",
        "output_per_mu": "49382.72",
        "tax_per_mu": "4000.00",
    }
    zone = item(rows, "gxq")
    assert zone["parent"] == "360111"  # the district hosting the zone
    assert (zone["occupied_mu"], zone["buildings_count"], zone["buildings_taken_share"]) == (
        "400.00",
        4,
        "75.0",
    )
    assert zone["output_per_mu"] == "43364.20"
    bare = item(rows, "vrkcc")  # no land, no buildings, nobody
    assert (bare["planned_mu"], bare["available_mu"], bare["output_per_mu"]) == (None,) * 3
    assert (bare["buildings_area"], bare["buildings_taken_share"], bare["output"]) == (
        "0.00",
        None,
        "0.00",
    )


@pytest.mark.parametrize("year", [YEAR, YEAR + 1, YEAR - 1])
@pytest.mark.parametrize("who", ["staff", "leader", "district_124", "park_hkc"])
def test_the_figures_are_those_of_park_rows(world, who, year):
    rows = api(world, who).get(f"{API}?year={year}").json()
    expected_rows = park_rows(world["users"][who], year)
    assert [r["code"] for r in rows] == [r["park"].code for r in expected_rows]
    for got, row in zip(rows, expected_rows, strict=True):
        assert got["year"] == year
        for key, value in row.items():
            if key in ("park", "year"):
                continue
            if value is None or got[key] is None:
                assert got[key] is value is None, (row["park"].code, key)
            elif key == "buildings_taken_share":
                assert D(got[key]) == value.quantize(D("0.1")), (row["park"].code, key)
            else:
                assert D(got[key]) == value, (row["park"].code, key)


def test_the_list_of_another_year(world):
    rows = api(world, "staff").get(f"{API}?year={YEAR + 1}").json()
    hkc = item(rows, "hkc")
    assert (hkc["year"], hkc["occupied_mu"], hkc["output"]) == (YEAR + 1, "400.00", "0.00")


@pytest.mark.parametrize("year", ["1999", "2101", "last"])
def test_a_year_out_of_range_is_a_422_naming_it(world, year):
    client = api(world, "staff")
    for url in (f"{API}?year={year}", f"{API}/hkc?year={year}"):
        response = client.get(url)
        assert response.status_code == 422, url
        assert "year" in str(response.json()["detail"])


#: session and user, park_rows' six, the session written back (savepoint, update, release)
LIST_QUERIES = 11


@pytest.mark.parametrize("who", ["staff", "park_gxq"])
def test_the_list_does_not_grow_its_queries_with_the_parks(world, who):
    client = api(world, who)
    client.get(API)  # warm-up: per-process caches are not counted
    with CaptureQueriesContext(connection) as few:
        few_rows = client.get(API).json()
    for i in range(6):
        park = Region.objects.create(
            code=f"q{i}", name=f"新园区{i}", kind=RegionKind.PARK, parent=world["hkc"]
        )
        for m in (3, 6, 9, 12):
            land(park, month(YEAR, m), "100", "80", str(10 * m // 3))
        for n in range(3):
            tenant = EnterpriseFactory(park=park)
            figures(tenant, YEAR, "1000000", "10000")
            building(park, f"{n}号", "500", occupancy="occupied", occupant=tenant)
        project(f"新项目{i}", district=world["regions"]["360111"], park=park)
    with CaptureQueriesContext(connection) as many:
        many_rows = client.get(API).json()
    assert len(many_rows) == len(few_rows) + 6
    assert item(many_rows, "hkc")["buildings_count"] == 3 + 6 * 3
    assert len(few) == len(many) == LIST_QUERIES, [q["sql"] for q in many.captured_queries]


# One park ------------------------------------------------------------------------------------


def test_the_detail_has_the_row_land_buildings_projects_and_enterprises(world):
    client = api(world, "district_111")
    body = client.get(f"{API}/hkc").json()
    row = item(client.get(API).json(), "hkc")
    assert {k: v for k, v in body.items() if k in row} == row
    assert body["land"] == [
        {
            "month": f"{YEAR}-06",
            "planned_mu": "500.00",
            "developed_mu": "300.00",
            "occupied_mu": "200.00",
        },
        {
            "month": f"{YEAR}-12",
            "planned_mu": "500.00",
            "developed_mu": "400.00",
            "occupied_mu": "250.00",
        },
        {
            "month": f"{YEAR + 1}-01",
            "planned_mu": "600.00",
            "developed_mu": "500.00",
            "occupied_mu": "400.00",
        },
    ]
    e1 = world["enterprises"][0]
    b1 = world["buildings"][0]
    assert [b["name"] for b in body["buildings"]] == ["1号厂房", "2号厂房", "3号厂房"]
    assert body["buildings"][0] == {
        "id": b1.pk,
        "name": "1号厂房",
        "park": "hkc",
        "area": "2000.00",
        "floors": 1,
        "load": "5.0",
        "status": "built",
        "status_label": "Built",
        "occupancy": "occupied",
        "occupancy_label": "Occupied",
        "ordered_by": None,
        "occupant": {"id": e1.pk, "name": e1.name},
        "project": None,
        "completed_on": str(TODAY),
        "occupied_since": str(TODAY),
    }
    p1 = world["project"]
    assert body["key_projects"] == [
        {
            "id": p1.pk,
            "code": p1.code,
            "name": "航空城配套项目",
            "stage": p1.stage,
            "stage_label": str(p1.get_stage_display()),
            "health": p1.health,
            "health_label": str(p1.get_health_display()),
        }
    ]
    assert body["top_enterprises"] == [{"id": e1.pk, "name": e1.name, "output": "12345678.90"}]
    assert body["can_edit"] is True


def test_a_zones_detail_has_its_parks_land_and_buildings(world):
    body = api(world, "leader").get(f"{API}/gxq").json()
    assert body["can_edit"] is False
    assert {b["park"] for b in body["buildings"]} == {"hkc", "axh"}
    assert [e["name"] for e in body["top_enterprises"]] == [
        "航空城飞机部件有限公司",
        "艾溪湖光电有限公司",
    ]
    december = next(r for r in body["land"] if r["month"] == f"{YEAR}-12")
    assert december["occupied_mu"] == body["occupied_mu"] == "400.00"
    a = next(b for b in body["buildings"] if b["name"] == "A栋")
    assert a["occupancy_label"] == "Allocated" and a["occupied_since"] is None


@pytest.mark.parametrize("code", ["360111", "nowhere"])
def test_a_code_that_is_no_park_is_a_404(world, code):
    client = api(world, "staff")
    assert client.get(f"{API}/{code}").status_code == 404
    response = send(client, "put", f"{API}/{code}/land/{YEAR}-12", _land_body(world))
    assert response.status_code == 404


def test_the_detail_does_not_grow_its_queries_with_the_buildings(world):
    client = api(world, "staff")
    client.get(f"{API}/hkc")
    with CaptureQueriesContext(connection) as few:
        client.get(f"{API}/hkc")
    e3 = world["enterprises"][2]
    for n in range(8):
        b = building(world["hkc"], f"新{n}号", "300", occupancy="occupied", occupant=e3)
        building_save(actor=None, park=world["hkc"], building=b, data={"ordered_by": e3})
    with CaptureQueriesContext(connection) as many:
        body = client.get(f"{API}/hkc").json()
    assert len(body["buildings"]) == 11
    assert len(few) == len(many)


# Land ----------------------------------------------------------------------------------------


def test_land_is_saved_and_returned_as_stored(world):
    user = world["users"]["district_124"]
    url = f"{API}/jxq/land/{YEAR}-12"
    response = send(api(world, "district_124"), "put", url, _land_body(world))
    assert response.status_code == 200, response.content
    assert response.json() == {
        "park": "jxq",
        "month": f"{YEAR}-12",
        "planned_mu": "120.00",
        "developed_mu": "90.00",
        "occupied_mu": "45.50",
        "available_mu": "44.50",
    }
    stored = ParkLand.objects.get(park=world["jxq"])
    assert stored.month == month(YEAR, 12) and stored.occupied_mu == D("45.5")
    entry = AuditEntry.objects.get(object_type=LAND_TYPE, object_id=str(stored.pk))
    assert entry.action == AuditAction.CREATE and entry.actor == user
    # again, changed: the same row, an update
    body = {"planned_mu": "120", "developed_mu": "100", "occupied_mu": "45.5"}
    response = send(api(world, "staff"), "put", url, body)
    assert response.json()["available_mu"] == "54.50"
    assert ParkLand.objects.filter(park=world["jxq"]).count() == 1
    update = AuditEntry.objects.get(
        object_type=LAND_TYPE, object_id=str(stored.pk), action=AuditAction.UPDATE
    )
    assert update.changes == {"developed_mu": ["90", "100"]}
    # the year's end counts it in the list
    row = item(api(world, "staff").get(API).json(), "jxq")
    assert (row["occupied_mu"], row["output_per_mu"]) == ("45.50", "175824.18")


def test_the_same_land_twice_writes_nothing(world):
    url = f"{API}/hkc/land/{YEAR}-12"
    client = api(world, "park_hkc")  # signing in is audited
    entries = AuditEntry.objects.count()
    body = {"planned_mu": "500.0", "developed_mu": "400", "occupied_mu": "250.00"}
    response = send(client, "put", url, body)
    assert response.status_code == 200
    assert response.json()["occupied_mu"] == "250.00"
    assert AuditEntry.objects.count() == entries


@pytest.mark.parametrize(
    "body, url_month, field, says",
    [
        (
            {"planned_mu": "100", "developed_mu": "80", "occupied_mu": "90"},
            f"{YEAR}-12",
            "occupied_mu",
            WITHIN_MESSAGE,
        ),
        (
            {"planned_mu": "100", "developed_mu": "120", "occupied_mu": "60"},
            f"{YEAR}-12",
            "developed_mu",
            WITHIN_MESSAGE,
        ),
        (
            {"planned_mu": "100", "developed_mu": "80", "occupied_mu": "-1"},
            f"{YEAR}-12",
            "occupied_mu",
            "negative",
        ),
        (
            {"planned_mu": "100", "developed_mu": "80", "occupied_mu": "60.123"},
            f"{YEAR}-12",
            "occupied_mu",
            "2 decimal places",
        ),
        (
            {"planned_mu": "100", "developed_mu": "80", "occupied_mu": "60"},
            f"{NEXT_MONTH:%Y-%m}",
            "month",
            "a month that has begun",
        ),
        (
            {"planned_mu": "100", "developed_mu": "80", "occupied_mu": "60"},
            f"12-{YEAR}",
            "month",
            "YYYY-MM",
        ),
        (
            {"planned_mu": "100", "developed_mu": "80", "occupied_mu": "60"},
            f"{YEAR}-13",
            "month",
            "YYYY-MM",
        ),
    ],
    ids=["occupied-over-developed", "developed-over-planned", "negative", "digits", "future"]
    + ["bad-month", "no-such-month"],
)
def test_bad_land_is_a_422_naming_the_field(world, body, url_month, field, says):
    client = api(world, "staff")
    entries = AuditEntry.objects.count()
    response = send(client, "put", f"{API}/jxq/land/{url_month}", body)
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert list(detail) == [field], detail
    assert says in " ".join(detail[field])
    assert not ParkLand.objects.filter(park=world["jxq"]).exists()
    assert AuditEntry.objects.count() == entries


def test_a_change_that_breaks_the_rule_keeps_the_row(world):
    body = {"planned_mu": "500", "developed_mu": "400", "occupied_mu": "450"}
    response = send(api(world, "staff"), "put", f"{API}/hkc/land/{YEAR}-12", body)
    assert response.status_code == 422
    assert response.json()["detail"] == {"occupied_mu": [WITHIN_MESSAGE]}
    assert ParkLand.objects.get(park=world["hkc"], month=month(YEAR, 12)).occupied_mu == D("250")


def test_land_missing_a_figure_is_refused_by_the_schema(world):
    body = {"developed_mu": "80", "occupied_mu": "60"}
    response = send(api(world, "staff"), "put", f"{API}/jxq/land/{YEAR}-12", body)
    assert response.status_code == 422
    assert "planned_mu" in str(response.json()["detail"])


# Buildings -----------------------------------------------------------------------------------


def test_a_building_is_registered_with_its_enterprises_by_credit_code_id_or_name(world):
    e1, _, e3, _ = world["enterprises"]
    p1 = world["project"]
    body = _building_body(world) | {
        "floors": 3,
        "occupancy": "occupied",
        "occupant": e1.uscc.lower(),  # a credit code, in any case
        "ordered_by": e3.pk,
        "project": p1.code,
        "occupied_since": f"{YEAR}-05-01",
    }
    response = send(api(world, "park_hkc"), "post", f"{API}/hkc/buildings", body)
    assert response.status_code == 201, response.content
    got = response.json()
    stored = Building.objects.get(park=world["hkc"], name="9号厂房")
    assert got == {
        "id": stored.pk,
        "name": "9号厂房",
        "park": "hkc",
        "area": "1200.00",
        "floors": 3,
        "load": "8.0",
        "status": "built",
        "status_label": "Built",
        "occupancy": "occupied",
        "occupancy_label": "Occupied",
        "ordered_by": {"id": e3.pk, "name": e3.name},
        "occupant": {"id": e1.pk, "name": e1.name},
        "project": p1.code,
        "completed_on": str(TODAY),  # built without a date: today
        "occupied_since": f"{YEAR}-05-01",
    }
    entry = AuditEntry.objects.get(object_type=BUILDING_TYPE, object_id=str(stored.pk))
    assert entry.action == AuditAction.CREATE and entry.actor == world["users"]["park_hkc"]
    # by exact name; an enterprise of another district may move in
    body = _building_body(world) | {"name": "10号厂房", "occupancy": "allocated"}
    body["occupant"] = "进贤医疗器械有限公司"
    response = send(api(world, "staff"), "post", f"{API}/hkc/buildings", body)
    assert response.status_code == 201, response.content
    assert response.json()["occupant"]["id"] == world["enterprises"][3].pk
    # the list counts them
    row = item(api(world, "staff").get(API).json(), "hkc")
    assert (row["buildings_count"], row["buildings_taken_area"]) == (5, "4400.00")


def test_a_building_is_changed_and_only_what_is_named(world):
    b1, e3 = world["buildings"][0], world["enterprises"][2]
    client = api(world, "park_gxq")
    url = f"{API}/hkc/buildings/{b1.pk}"
    response = send(client, "patch", url, {"occupant": e3.name})
    assert response.status_code == 200, response.content
    got = response.json()
    assert got["occupant"] == {"id": e3.pk, "name": e3.name}
    assert got["occupied_since"] == str(TODAY)  # a new occupant moves in today
    assert (got["name"], got["area"], got["floors"]) == ("1号厂房", "2000.00", 1)
    response = send(client, "patch", url, {"occupancy": "vacant"})
    got = response.json()
    assert (got["occupancy"], got["occupant"], got["occupied_since"]) == ("vacant", None, None)
    update = AuditEntry.objects.filter(
        object_type=BUILDING_TYPE, object_id=str(b1.pk), action=AuditAction.UPDATE
    ).latest("pk")
    assert set(update.changes) == {"occupancy", "occupant", "occupied_since"}


@pytest.mark.parametrize(
    "body, field, says",
    [
        ({"occupancy": "occupied"}, "occupant", OCCUPANT_MESSAGE),
        ({"occupancy": "allocated"}, "occupant", OCCUPANT_MESSAGE),
        ({"occupancy": "occupied", "occupant": "无此企业"}, "occupant", "No enterprise"),
        ({"ordered_by": 999999}, "ordered_by", "No enterprise"),
        (
            {"status": "planned", "occupancy": "occupied", "occupant": "进贤医疗器械有限公司"},
            "occupancy",
            BUILT_MESSAGE,
        ),
        ({"name": "1号厂房"}, "name", "already exists"),
        ({"area": "0"}, "area", "more than zero"),
        ({"load": "-1"}, "load", "more than zero"),
        ({"status": "ruined"}, "status", "not a valid choice"),
        ({"project": "XM1999-0001"}, "project", "No key project"),
        ({"floors": -2}, "floors", "greater than or equal to 0"),
    ],
    ids=[
        "occupied-without-occupant",
        "allocated-without-occupant",
        "unknown-occupant",
        "unknown-orderer",
        "occupied-not-built",
        "name-taken",
        "no-area",
        "negative-load",
        "bad-status",
        "unknown-project",
        "negative-floors",
    ],
)
def test_a_bad_building_is_a_422_naming_the_field(world, body, field, says):
    client = api(world, "staff")
    entries, buildings = AuditEntry.objects.count(), Building.objects.count()
    data = _building_body(world) | body
    response = send(client, "post", f"{API}/hkc/buildings", data)
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert field in detail, detail
    assert says in " ".join(detail[field])
    assert (AuditEntry.objects.count(), Building.objects.count()) == (entries, buildings)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"occupant": None}, "occupant"),  # still occupied
        ({"status": "building"}, "occupancy"),  # occupied, so built
        ({"name": None}, "name"),
        ({"area": "-5"}, "area"),
    ],
)
def test_a_bad_change_is_a_422_naming_the_field_and_keeps_the_building(world, body, field):
    b1 = world["buildings"][0]
    response = send(api(world, "district_111"), "patch", f"{API}/hkc/buildings/{b1.pk}", body)
    assert response.status_code == 422, response.content
    assert field in response.json()["detail"]
    stored = Building.objects.get(pk=b1.pk)
    assert (stored.name, stored.status, stored.occupant_id) == ("1号厂房", "built", b1.occupant_id)


def test_a_building_of_another_park_is_a_404(world):
    b4 = world["buildings"][3]  # in axh
    client = api(world, "staff")
    for code in ("hkc", "gxq"):  # another park, and the zone that holds its park
        response = send(client, "patch", f"{API}/{code}/buildings/{b4.pk}", {"name": "改名"})
        assert response.status_code == 404, code
    assert send(client, "patch", f"{API}/axh/buildings/999999", {"name": "x"}).status_code == 404
    assert Building.objects.get(pk=b4.pk).name == "A栋"


def test_who_may_not_keep_the_park_gets_403_before_any_lookup(world):
    b1 = world["buildings"][0]
    client = api(world, "park_hkc")
    # an unknown enterprise for another park's building is a 403, not a 422
    response = send(
        client, "post", f"{API}/axh/buildings", _building_body(world) | {"occupant": "无此企业"}
    )
    assert response.status_code == 403
    response = send(client, "patch", f"{API}/axh/buildings/{b1.pk}", {"floors": 2})
    assert response.status_code == 403  # not a 404: the park itself is not theirs
