"""Parks and standard factory buildings: who reads and keeps them, the list's figures
rolled up from the parks inside a zone (land at the year's end, buildings, operating
enterprises, projects, output and taxes per mu), the services that keep land and
buildings (refusals, audit), and the pages with their query counts pinned."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from gongxin.core.choices import AuditAction, RegionKind, Role
from gongxin.core.models import AuditEntry, Region
from gongxin.core.tests.clock import NANCHANG
from gongxin.core.tests.factories import UserFactory
from gongxin.enterprises.tests.factories import EnterpriseFactory
from gongxin.projects.choices import BuildingStatus, Occupancy
from gongxin.projects.models import Building, ParkLand
from gongxin.projects.parks import (
    building_save,
    land_save,
    park_can_edit,
    park_detail,
    park_rows,
    parks_can_read,
)
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


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def row_of(rows, code):
    return next(r for r in rows if r["park"].code == code)


def login(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def world(city):
    return build_world(city)


# Roll-ups ------------------------------------------------------------------------------------


def test_a_park_row_has_its_land_at_the_years_end_and_its_figures(world):
    hkc = row_of(park_rows(world["users"]["staff"], YEAR), "hkc")
    assert hkc["year"] == YEAR
    # December's row, not June's nor January's of the next year
    assert (hkc["planned_mu"], hkc["developed_mu"], hkc["occupied_mu"]) == (
        D("500"),
        D("400"),
        D("250"),
    )
    assert hkc["available_mu"] == D("150")  # developed − occupied
    assert hkc["buildings_count"] == 3
    assert hkc["buildings_area"] == D("6000")
    assert hkc["buildings_built_area"] == D("3000")
    assert hkc["buildings_taken_area"] == D("2000")  # the planned building is not built
    assert hkc["buildings_taken_share"] == D(2000) * 100 / D(3000)
    assert hkc["enterprises"] == 1  # the suspended one is not counted
    assert hkc["projects"] == 1
    assert hkc["output"] == D("12345678.90")
    assert hkc["tax"] == D("1000000.00")
    # 12345678.90 / 250 = 49382.7156; 1000000 / 250 = 4000
    assert hkc["output_per_mu"] == D("49382.72")
    assert hkc["tax_per_mu"] == D("4000.00")
    assert isinstance(hkc["output_per_mu"], Decimal)


def test_the_land_of_another_year_is_that_years_end(world):
    hkc = row_of(park_rows(world["users"]["staff"], YEAR + 1), "hkc")
    assert hkc["occupied_mu"] == D("400")  # January of the next year
    assert hkc["output_per_mu"] == D("0.00")  # no figures for that year
    earlier = row_of(park_rows(world["users"]["staff"], YEAR - 1), "hkc")
    assert earlier["planned_mu"] is None and earlier["available_mu"] is None
    assert earlier["output"] == D("99999999.00")
    assert earlier["output_per_mu"] is None  # nothing known to be occupied


def test_a_zone_without_land_of_its_own_adds_up_its_parks(world):
    rows = park_rows(world["users"]["leader"], YEAR)
    zone, hkc, axh = row_of(rows, "gxq"), row_of(rows, "hkc"), row_of(rows, "axh")
    for key in (
        "planned_mu",
        "developed_mu",
        "occupied_mu",
        "available_mu",
        "buildings_count",
        "buildings_area",
        "buildings_built_area",
        "buildings_taken_area",
        "enterprises",
        "projects",
        "output",
        "tax",
    ):
        assert zone[key] == hkc[key] + axh[key], key
    assert (zone["planned_mu"], zone["developed_mu"], zone["occupied_mu"]) == (
        D("800"),
        D("600"),
        D("400"),
    )
    assert zone["available_mu"] == D("200")
    assert zone["buildings_count"] == 4
    assert zone["buildings_taken_share"] == D(75)  # 3000 of 4000 m² built
    assert zone["enterprises"] == 2
    assert zone["projects"] == 2
    # 17345678.90 / 400 = 43364.19725; 1333333.33 / 400 = 3333.333325
    assert zone["output_per_mu"] == D("43364.20")
    assert zone["tax_per_mu"] == D("3333.33")
    # the zone's output per mu is its total over its total, not the sum of its parks'
    assert zone["output_per_mu"] == (
        (hkc["output"] + axh["output"]) / (hkc["occupied_mu"] + axh["occupied_mu"])
    ).quantize(D("0.01"))


def test_a_zone_with_land_of_its_own_reports_that(world):
    land(world["gxq"], month(YEAR, 9), "2000", "1500", "1000")
    rows = park_rows(world["users"]["staff"], YEAR)
    zone = row_of(rows, "gxq")
    assert (zone["planned_mu"], zone["developed_mu"], zone["occupied_mu"]) == (
        D("2000"),
        D("1500"),
        D("1000"),
    )
    assert zone["available_mu"] == D("500")
    # the enterprises' output of the whole zone over the zone's own occupied land
    assert zone["output_per_mu"] == D("17345.68")  # 17345678.90 / 1000
    assert zone["tax_per_mu"] == D("1333.33")
    assert zone["buildings_count"] == 4 and zone["enterprises"] == 2  # still its parks'
    assert row_of(rows, "hkc")["occupied_mu"] == D("250")  # the parks are unchanged


def test_a_zones_own_land_reported_only_after_the_year_does_not_count(world):
    land(world["gxq"], month(YEAR + 1, 1), "2000", "1500", "1000")
    zone = row_of(park_rows(world["users"]["staff"], YEAR), "gxq")
    assert zone["occupied_mu"] == D("400")  # its parks' at the year's end
    assert zone["output_per_mu"] == D("43364.20")


def test_output_per_mu_is_none_when_nothing_is_occupied(world):
    land(world["jxq"], month(YEAR, 12), "100", "50", "0")
    rows = park_rows(world["users"]["staff"], YEAR)
    jxq = row_of(rows, "jxq")
    assert jxq["occupied_mu"] == D("0") and jxq["available_mu"] == D("50")
    assert jxq["output"] == D("8000000.00")
    assert jxq["output_per_mu"] is None and jxq["tax_per_mu"] is None
    bare = row_of(rows, "vrkcc")  # no land, no buildings, nobody
    assert bare["planned_mu"] is None and bare["occupied_mu"] is None
    assert bare["available_mu"] is None
    assert bare["output_per_mu"] is None and bare["tax_per_mu"] is None
    assert bare["buildings_count"] == 0 and bare["buildings_taken_share"] is None
    assert bare["enterprises"] == 0 and bare["projects"] == 0


def test_only_operating_enterprises_are_counted(world):
    e1, e2, e3, _ = world["enterprises"]
    for enterprise, status in ((e1, "moved_out"), (e3, "deregistered")):
        enterprise.status = status
        enterprise.save(update_fields=["status"])
    rows = park_rows(world["users"]["staff"], YEAR)
    assert row_of(rows, "hkc")["enterprises"] == 0
    assert row_of(rows, "gxq")["enterprises"] == 0
    e2.status = "operating"
    e2.save(update_fields=["status"])
    rows = park_rows(world["users"]["staff"], YEAR)
    assert row_of(rows, "hkc")["enterprises"] == 1
    assert row_of(rows, "gxq")["enterprises"] == 1


def test_the_list_takes_six_queries_whatever_the_number_of_parks(world, django_assert_num_queries):
    staff = world["users"]["staff"]
    with django_assert_num_queries(6):
        park_rows(staff, YEAR)
    for i in range(5):
        park = Region.objects.create(
            code=f"p{i}", name=f"测试园区{i}", kind=RegionKind.PARK, parent=world["gxq"]
        )
        land(park, month(YEAR, 10), "100", "80", "60")
        building(park, "1号", "500", occupancy="occupied", occupant=world["enterprises"][0])
        enterprise = EnterpriseFactory(park=park)
        figures(enterprise, YEAR, "600000", "6000")
        project(f"项目{i}", district=world["regions"]["360111"], park=park)
    staff = type(staff).objects.get(pk=staff.pk)
    with django_assert_num_queries(6):
        rows = park_rows(staff, YEAR)
    assert row_of(rows, "gxq")["occupied_mu"] == D("700")  # 250 + 150 + 5 × 60
    assert row_of(rows, "p3")["output_per_mu"] == D("10000.00")


def test_the_detail_has_the_row_land_buildings_projects_and_enterprises(world):
    detail = park_detail(world["users"]["staff"], world["gxq"], YEAR)
    row = row_of(park_rows(world["users"]["staff"], YEAR), "gxq")
    for key in ("occupied_mu", "output_per_mu", "buildings_count", "enterprises"):
        assert detail[key] == row[key]
    assert {b.name for b in detail["buildings"]} == {"1号厂房", "2号厂房", "3号厂房", "A栋"}
    assert {p.name for p in detail["project_list"]} == {"航空城配套项目", "艾溪湖光电项目"}
    # the operating enterprises, largest output first
    assert [e.name for e in detail["top_enterprises"]] == [
        "航空城飞机部件有限公司",
        "艾溪湖光电有限公司",
    ]
    assert detail["top_enterprises"][0].output == D("12345678.90")
    hkc = park_detail(world["users"]["staff"], world["hkc"], YEAR)
    assert [r["month"] for r in hkc["land"]] == [
        month(YEAR, 6),
        month(YEAR, 12),
        month(YEAR + 1, 1),
    ]
    assert hkc["land"][1]["occupied_mu"] == D("250")


def test_a_zones_land_over_time_agrees_with_its_year_end_figures(world):
    detail = park_detail(world["users"]["staff"], world["gxq"], YEAR)
    december = next(r for r in detail["land"] if r["month"] == month(YEAR, 12))
    assert december["planned_mu"] == detail["planned_mu"] == D("800")
    assert december["occupied_mu"] == detail["occupied_mu"] == D("400")


def test_a_non_park_has_no_park_page(world):
    with pytest.raises(Region.DoesNotExist):
        park_detail(world["users"]["staff"], world["regions"]["360111"], YEAR)


# land_save -----------------------------------------------------------------------------------


def test_land_save_writes_the_first_day_and_an_audit_entry(world):
    staff, jxq = world["users"]["staff"], world["jxq"]
    record = land_save(
        actor=staff,
        park=jxq,
        month=dt.date(YEAR, 5, 17),
        data={"planned_mu": D("100"), "developed_mu": D("80"), "occupied_mu": D("60.5")},
    )
    stored = ParkLand.objects.get(park=jxq)
    assert stored.pk == record.pk and stored.month == month(YEAR, 5)
    assert stored.available_mu == D("19.5")
    entry = AuditEntry.objects.get(object_type=LAND_TYPE, object_id=str(record.pk))
    assert entry.action == AuditAction.CREATE and entry.actor == staff
    assert entry.changes == {
        "planned_mu": [None, "100"],
        "developed_mu": [None, "80"],
        "occupied_mu": [None, "60.5"],
    }

    land_save(
        actor=staff,
        park=jxq,
        month=month(YEAR, 5),
        data={"planned_mu": D("100.00"), "developed_mu": D("90"), "occupied_mu": D("60.50")},
    )
    assert ParkLand.objects.filter(park=jxq).count() == 1
    entries = AuditEntry.objects.filter(object_type=LAND_TYPE, object_id=str(record.pk))
    assert entries.count() == 2
    update = entries.get(action=AuditAction.UPDATE)
    assert update.changes == {"developed_mu": ["80", "90"]}  # only what changed


def test_land_save_twice_with_the_same_data_writes_nothing(world):
    jxq = world["jxq"]
    data = {"planned_mu": D("100"), "developed_mu": D("80"), "occupied_mu": D("60")}
    land_save(actor=None, park=jxq, month=month(YEAR, 5), data=data)
    assert AuditEntry.objects.filter(object_type=LAND_TYPE).count() == 5  # 4 of the world
    same = {"planned_mu": D("100.00"), "developed_mu": D("80.0"), "occupied_mu": D("60")}
    land_save(actor=None, park=jxq, month=month(YEAR, 5), data=same)
    assert AuditEntry.objects.filter(object_type=LAND_TYPE).count() == 5
    assert ParkLand.objects.filter(park=jxq).count() == 1


def test_land_save_refuses_a_month_to_come(world):
    next_month = (TODAY.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    with pytest.raises(ValidationError) as refused:
        land(world["jxq"], next_month, "100", "80", "60")
    assert refused.value.message_dict == {"month": ["Land is recorded for a month that has begun."]}
    assert not ParkLand.objects.filter(park=world["jxq"]).exists()
    # this month has begun
    land(world["jxq"], TODAY, "100", "80", "60")
    assert ParkLand.objects.get(park=world["jxq"]).month == TODAY.replace(day=1)


def test_land_save_takes_the_month_begun_at_midnight_in_nanchang(world, time_machine):
    # 00:30 on 1 December in Nanchang is still November in UTC
    time_machine.move_to(dt.datetime(2026, 12, 1, 0, 30, tzinfo=NANCHANG), tick=False)
    land(world["jxq"], dt.date(2026, 12, 1), "100", "80", "60")
    assert ParkLand.objects.get(park=world["jxq"]).month == dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    "planned, developed, occupied",
    [("100", "80", "90"), ("100", "120", "60"), ("100", "80", "-1")],
    ids=["occupied-over-developed", "developed-over-planned", "negative"],
)
def test_land_save_refuses_land_outside_what_contains_it(world, planned, developed, occupied):
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        land(world["jxq"], month(YEAR, 5), planned, developed, occupied)
    assert WITHIN_MESSAGE in refused.value.messages
    assert not ParkLand.objects.filter(park=world["jxq"]).exists()
    assert AuditEntry.objects.count() == entries


def test_land_save_refuses_a_change_that_breaks_the_constraint_and_keeps_the_row(world):
    hkc = world["hkc"]
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        land_save(
            actor=world["users"]["staff"],
            park=hkc,
            month=month(YEAR, 12),
            data={"occupied_mu": D("450")},
        )
    assert refused.value.messages == [WITHIN_MESSAGE]
    assert ParkLand.objects.get(park=hkc, month=month(YEAR, 12)).occupied_mu == D("250")
    assert AuditEntry.objects.count() == entries


# building_save -------------------------------------------------------------------------------


def test_building_save_registers_a_building_and_its_audit_entry(world):
    staff, hkc, e1 = world["users"]["staff"], world["hkc"], world["enterprises"][0]
    record = building_save(
        actor=staff,
        park=hkc,
        building=None,
        data={
            "name": "5号厂房",
            "area": D("1500"),
            "floors": 3,
            "load": D("8.0"),
            "status": BuildingStatus.BUILT,
            "occupancy": Occupancy.OCCUPIED,
            "occupant": e1,
            "ordered_by": e1,
        },
    )
    stored = Building.objects.get(pk=record.pk)
    assert stored.park == hkc and stored.occupant == e1 and stored.ordered_by == e1
    assert stored.completed_on == TODAY  # built without a date: today
    assert stored.occupied_since == TODAY  # occupied without a date: today
    entry = AuditEntry.objects.get(object_type=BUILDING_TYPE, object_id=str(record.pk))
    assert entry.action == AuditAction.CREATE and entry.actor == staff
    assert entry.changes["occupant"] == [None, e1.pk]
    assert entry.changes["area"] == [None, "1500"]
    # the same again writes nothing
    building_save(actor=staff, park=hkc, building=stored, data={"area": D("1500.00")})
    assert (
        AuditEntry.objects.filter(object_type=BUILDING_TYPE, object_id=str(record.pk)).count() == 1
    )


def test_a_vacant_building_has_no_occupant(world):
    b1 = world["buildings"][0]
    assert b1.occupied_since == TODAY
    record = building_save(
        actor=None, park=world["hkc"], building=b1, data={"occupancy": Occupancy.VACANT}
    )
    stored = Building.objects.get(pk=record.pk)
    assert stored.occupant is None and stored.occupied_since is None
    entry = AuditEntry.objects.get(
        object_type=BUILDING_TYPE, object_id=str(b1.pk), action=AuditAction.UPDATE
    )
    assert entry.changes == {
        "occupancy": ["occupied", "vacant"],
        "occupant": [world["enterprises"][0].pk, None],
        "occupied_since": [TODAY.isoformat(), None],
    }
    # naming an occupant for a vacant building does not stick either
    building_save(
        actor=None,
        park=world["hkc"],
        building=stored,
        data={"occupant": world["enterprises"][2]},
    )
    assert Building.objects.get(pk=b1.pk).occupant is None


def test_a_building_becoming_occupied_is_dated(world):
    b2, e3 = world["buildings"][1], world["enterprises"][2]
    assert b2.occupied_since is None
    building_save(
        actor=None,
        park=world["hkc"],
        building=b2,
        data={"occupancy": Occupancy.ALLOCATED, "occupant": e3},
    )
    assert Building.objects.get(pk=b2.pk).occupied_since is None  # allocated: not yet in
    building_save(
        actor=None, park=world["hkc"], building=b2, data={"occupancy": Occupancy.OCCUPIED}
    )
    assert Building.objects.get(pk=b2.pk).occupied_since == TODAY
    # a date given is kept
    since = dt.date(YEAR, 3, 1)
    building_save(actor=None, park=world["hkc"], building=b2, data={"occupied_since": since})
    assert Building.objects.get(pk=b2.pk).occupied_since == since


def test_a_new_occupant_of_an_occupied_building_is_dated_anew(world):
    b1, e3 = world["buildings"][0], world["enterprises"][2]
    since = dt.date(YEAR, 2, 1)
    building_save(actor=None, park=world["hkc"], building=b1, data={"occupied_since": since})
    building_save(actor=None, park=world["hkc"], building=b1, data={"occupant": e3})
    stored = Building.objects.get(pk=b1.pk)
    assert stored.occupant == e3
    assert stored.occupied_since == TODAY


def test_an_occupied_building_names_its_occupant(world):
    entries = AuditEntry.objects.count()
    for occupancy in (Occupancy.OCCUPIED, Occupancy.ALLOCATED):
        with pytest.raises(ValidationError) as refused:
            building(world["jxq"], "无主厂房", "800", occupancy=occupancy)
        assert refused.value.messages == [OCCUPANT_MESSAGE]
    assert not Building.objects.filter(park=world["jxq"]).exists()
    assert AuditEntry.objects.count() == entries


def test_only_a_built_building_is_occupied(world):
    e4 = world["enterprises"][3]
    for status in (BuildingStatus.PLANNED, BuildingStatus.BUILDING):
        with pytest.raises(ValidationError) as refused:
            building(
                world["jxq"], "在建厂房", "800", status=status, occupancy="occupied", occupant=e4
            )
        assert refused.value.messages == [BUILT_MESSAGE]
    assert not Building.objects.filter(park=world["jxq"]).exists()
    # allocated before it is built (订单式) is fine
    ordered = building(
        world["jxq"], "订单厂房", "800", status="building", occupancy="allocated", occupant=e4
    )
    assert ordered.completed_on is None and ordered.occupied_since is None


def test_a_building_of_another_park_is_refused(world):
    b4 = world["buildings"][3]  # in axh
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        building_save(
            actor=world["users"]["staff"], park=world["hkc"], building=b4, data={"name": "改名"}
        )
    assert refused.value.messages == ["This building is in another park."]
    assert Building.objects.get(pk=b4.pk).name == "A栋"
    assert AuditEntry.objects.count() == entries


def test_a_buildings_name_is_unique_within_its_park(world):
    with pytest.raises(ValidationError):
        building(world["hkc"], "1号厂房", "100")
    assert building(world["axh"], "1号厂房", "100").park == world["axh"]


# Permissions ---------------------------------------------------------------------------------


EDITS = {
    # user: the parks (of gxq, hkc, axh, jxq, vrkcc) they keep
    "staff": {"gxq", "hkc", "axh", "jxq", "vrkcc"},
    "leader": set(),
    "district_111": {"gxq", "hkc", "axh"},
    "district_124": {"jxq"},
    "park_gxq": {"gxq", "hkc", "axh"},
    "park_hkc": {"hkc"},
    "enterprise": set(),
}


@pytest.mark.parametrize("who", sorted(EDITS))
def test_who_keeps_which_park(world, who):
    user = world["users"][who]
    assert parks_can_read(user) is (who != "enterprise")
    for code in ("gxq", "hkc", "axh", "jxq", "vrkcc"):
        park = world["regions"].get(code) or world[code]
        assert park_can_edit(user, park) is (code in EDITS[who]), code


def test_an_admin_and_a_superuser_keep_every_park(world):
    admin = UserFactory(role=Role.ADMIN)
    superuser = UserFactory(role=Role.OFFICER, is_superuser=True)
    assert park_can_edit(admin, world["jxq"]) and park_can_edit(superuser, world["hkc"])
    inactive = UserFactory(role=Role.STAFF, is_active=False)
    assert not parks_can_read(inactive) and not park_can_edit(inactive, world["jxq"])


@pytest.mark.parametrize("who", ["leader", "district_124", "park_hkc", "enterprise"])
def test_the_services_refuse_who_may_not(world, who):
    user, gxq = world["users"][who], world["gxq"]
    entries = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        land_save(
            actor=user,
            park=gxq,
            month=month(YEAR, 12),
            data={"planned_mu": D("1"), "developed_mu": D("1"), "occupied_mu": D("1")},
        )
    with pytest.raises(PermissionDenied):
        building_save(
            actor=user,
            park=gxq,
            building=None,
            data={"name": "x", "area": D("1"), "load": D("1")},
        )
    assert not ParkLand.objects.filter(park=gxq).exists()
    assert not Building.objects.filter(park=gxq).exists()
    assert AuditEntry.objects.count() == entries


def test_the_parks_staff_keep_the_parks_within(world):
    user = world["users"]["park_gxq"]
    record = land(world["axh"], month(YEAR, 12), "300", "250", "200")
    land_save(actor=user, park=world["axh"], month=month(YEAR, 12), data={"occupied_mu": D("210")})
    assert ParkLand.objects.get(pk=record.pk).occupied_mu == D("210")
    b1 = world["buildings"][0]
    building_save(actor=user, park=world["hkc"], building=b1, data={"floors": 4})
    assert Building.objects.get(pk=b1.pk).floors == 4
    with pytest.raises(PermissionDenied):
        land_save(
            actor=user,
            park=world["jxq"],
            month=month(YEAR, 11),
            data={"planned_mu": D("1"), "developed_mu": D("1"), "occupied_mu": D("1")},
        )
    with pytest.raises(PermissionDenied):
        building_save(actor=user, park=world["jxq"], building=None, data={"name": "x"})


def test_an_enterprise_user_reads_no_parks(world):
    user = world["users"]["enterprise"]
    assert park_rows(user, YEAR) == []
    with pytest.raises(Region.DoesNotExist):
        park_detail(user, world["hkc"], YEAR)


# Pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["staff", "leader", "district_111", "district_124", "park_hkc"])
def test_the_list_shows_every_park_with_its_figures(client, world, who):
    login(client, world["users"][who])
    response = client.get(reverse("projects:park_list"))
    assert response.status_code == 200
    assert response.context["year"] == YEAR
    rows = response.context["rows"]
    assert {r["park"].code for r in rows} >= {"gxq", "hkc", "axh", "jxq", "vrkcc"}
    assert row_of(rows, "gxq")["occupied_mu"] == D("400")
    text = response.content.decode()
    for name in (
        "南昌高新技术产业开发区",
        "南昌航空城",
        "南昌高新区艾溪湖园",
        "江西进贤经济开发区",
    ):
        assert name in text
    assert reverse("projects:park_detail", args=["hkc"]) in text
    assert "800.00" in text and "400.00" in text  # the zone's planned and occupied land
    assert "4.34" in text  # 43364.20 yuan per mu, in 万元
    assert "75%" in text  # of the zone's built area taken


def test_the_list_of_another_year(client, world):
    login(client, world["users"]["leader"])
    response = client.get(reverse("projects:park_list"), {"year": YEAR + 1})
    assert response.context["year"] == YEAR + 1
    assert row_of(response.context["rows"], "hkc")["occupied_mu"] == D("400")


def test_the_list_does_not_grow_its_queries_with_the_parks(client, world):
    login(client, world["users"]["leader"])
    url = reverse("projects:park_list")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
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
        response = client.get(url)
    assert "新园区5" in response.content.decode()
    assert row_of(response.context["rows"], "hkc")["buildings_count"] == 3 + 6 * 3
    # session and user, the six of park_rows, the unread notifications, the session's
    # update (savepoint, update, release)
    assert len(many) == len(few) == 12


@pytest.mark.parametrize("who", ["staff", "leader", "district_111", "district_124"])
def test_the_detail_shows_the_figures(client, world, who):
    login(client, world["users"][who])
    response = client.get(reverse("projects:park_detail", args=["hkc"]))
    assert response.status_code == 200
    text = response.content.decode()
    d = response.context["d"]
    assert d["occupied_mu"] == D("250") and d["output_per_mu"] == D("49382.72")
    assert "250.00" in text and "150.00" in text  # occupied, available
    assert "4.94" in text  # 49382.72 yuan per mu in 万元
    assert "1号厂房" in text and "航空城飞机部件有限公司" in text
    assert "3 buildings, 6000 m²." in text
    assert response.context["chart"]["months"] == [
        f"{YEAR}-06",
        f"{YEAR}-12",
        f"{YEAR + 1}-01",
    ]
    can_edit = who in ("staff", "district_111")
    assert response.context["can_edit"] is can_edit
    assert (response.context["land_form"] is not None) is can_edit
    assert (reverse("projects:building_create", args=["hkc"]) in text) is can_edit
    assert (reverse("projects:land_save", args=["hkc"]) in text) is can_edit


def test_a_region_that_is_no_park_has_no_page(client, world):
    login(client, world["users"]["staff"])
    assert client.get(reverse("projects:park_detail", args=["360111"])).status_code == 404
    assert client.get(reverse("projects:park_detail", args=["nowhere"])).status_code == 404


def test_the_park_pages_are_closed_to_enterprise_users(client, world):
    login(client, world["users"]["enterprise"])
    assert client.get(reverse("projects:park_list")).status_code == 403
    for name in ("park_detail", "building_create"):
        assert client.get(reverse(f"projects:{name}", args=["hkc"])).status_code == 403
    b1 = world["buildings"][0]
    assert client.get(reverse("projects:building_edit", args=["hkc", b1.pk])).status_code == 403
    response = client.post(
        reverse("projects:land_save", args=["hkc"]),
        {"month": f"{YEAR}-12", "planned_mu": "1", "developed_mu": "1", "occupied_mu": "1"},
    )
    assert response.status_code == 403
    assert ParkLand.objects.get(park=world["hkc"], month=month(YEAR, 12)).occupied_mu == D("250")


def test_the_park_pages_ask_an_anonymous_visitor_to_log_in(client, world):
    for url in (
        reverse("projects:park_list"),
        reverse("projects:park_detail", args=["hkc"]),
        reverse("projects:building_create", args=["hkc"]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("who", ["leader", "district_124", "park_hkc"])
def test_the_forms_are_closed_to_who_may_not_keep_the_park(client, world, who):
    login(client, world["users"][who])
    gxq = world["gxq"]
    assert client.get(reverse("projects:building_create", args=["gxq"])).status_code == 403
    response = client.post(
        reverse("projects:land_save", args=["gxq"]),
        {"month": f"{YEAR}-12", "planned_mu": "9", "developed_mu": "9", "occupied_mu": "9"},
    )
    assert response.status_code == 403
    response = client.post(
        reverse("projects:building_create", args=["gxq"]),
        {"name": "x", "area": "1", "floors": "1", "load": "1", "status": "planned"},
    )
    assert response.status_code == 403
    assert not ParkLand.objects.filter(park=gxq).exists()
    assert not Building.objects.filter(park=gxq).exists()


def test_the_land_form_saves_land(client, world):
    login(client, world["users"]["district_124"])
    url = reverse("projects:land_save", args=["jxq"])
    data = {"month": f"{YEAR}-12", "planned_mu": "120", "developed_mu": "90", "occupied_mu": "45.5"}
    response = client.post(url, data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("projects:park_detail", args=["jxq"])
    assert "Land saved." in response.content.decode()
    stored = ParkLand.objects.get(park=world["jxq"])
    assert stored.month == month(YEAR, 12) and stored.occupied_mu == D("45.5")
    assert response.context["d"]["available_mu"] == D("44.5")
    entry = AuditEntry.objects.get(object_type=LAND_TYPE, object_id=str(stored.pk))
    assert entry.actor == world["users"]["district_124"]


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {"month": f"{YEAR}-12", "planned_mu": "100", "developed_mu": "80", "occupied_mu": "90"},
            WITHIN_MESSAGE,
        ),
        (
            {"month": "2999-01", "planned_mu": "100", "developed_mu": "80", "occupied_mu": "60"},
            "Land is recorded for a month that has begun.",
        ),
        (
            {"month": f"{YEAR}-12", "developed_mu": "80", "occupied_mu": "60"},
            "Planned (mu)：This field is required.",
        ),
        (
            {"month": "12/2024", "planned_mu": "100", "developed_mu": "80", "occupied_mu": "60"},
            "Month：Enter a valid date.",
        ),
    ],
    ids=["outside", "future", "missing", "bad-month"],
)
def test_the_land_form_shows_why_it_refuses(client, world, data, message):
    login(client, world["users"]["staff"])
    response = client.post(reverse("projects:land_save", args=["jxq"]), data, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Land saved." not in response.content.decode()
    assert not ParkLand.objects.filter(park=world["jxq"]).exists()


def test_the_building_form_creates_a_building(client, world):
    user = world["users"]["park_hkc"]
    login(client, user)
    url = reverse("projects:building_create", args=["hkc"])
    response = client.get(url)
    assert response.status_code == 200
    assert 'name="occupant_name"' in response.content.decode()
    e3 = world["enterprises"][2]
    response = client.post(
        url,
        {
            "name": "6号厂房",
            "area": "2400",
            "floors": "2",
            "load": "10.0",
            "status": "built",
            "occupancy": "occupied",
            "occupant_name": e3.uscc,
            "ordered_by_name": e3.name,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:park_detail", args=["hkc"])
    stored = Building.objects.get(park=world["hkc"], name="6号厂房")
    assert stored.occupant == e3 and stored.ordered_by == e3
    assert stored.completed_on == TODAY and stored.occupied_since == TODAY
    entry = AuditEntry.objects.get(object_type=BUILDING_TYPE, object_id=str(stored.pk))
    assert entry.actor == user and entry.action == AuditAction.CREATE


def test_the_building_form_edits_a_building(client, world):
    login(client, world["users"]["district_111"])
    b1, e1 = world["buildings"][0], world["enterprises"][0]
    url = reverse("projects:building_edit", args=["hkc", b1.pk])
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["occupant_name"].value() == e1.uscc and form["name"].value() == "1号厂房"
    response = client.post(
        url,
        {
            "name": "1号厂房",
            "area": "2000",
            "floors": "1",
            "load": "5.0",
            "status": "built",
            "occupancy": "vacant",
            "occupant_name": e1.uscc,
            "completed_on": TODAY.isoformat(),
            "occupied_since": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302
    stored = Building.objects.get(pk=b1.pk)
    assert stored.occupancy == Occupancy.VACANT
    assert stored.occupant is None and stored.occupied_since is None


@pytest.mark.parametrize(
    "change, message",
    [
        ({"occupancy": "occupied"}, OCCUPANT_MESSAGE),
        (
            {
                "status": "planned",
                "occupancy": "occupied",
                "occupant_name": "航空城飞机部件有限公司",
            },
            BUILT_MESSAGE,
        ),
        (
            {"occupancy": "occupied", "occupant_name": "没有这家公司"},
            "No enterprise of the archive has this name or credit code.",
        ),
        ({"area": "0"}, "Area and load are more than zero."),
        ({"name": "2号厂房"}, "already exists"),
    ],
    ids=["no-occupant", "not-built", "unknown-occupant", "no-area", "name-taken"],
)
def test_the_building_form_shows_why_it_refuses(client, world, change, message):
    login(client, world["users"]["staff"])
    entries = AuditEntry.objects.count()
    data = {
        "name": "7号厂房",
        "area": "900",
        "floors": "1",
        "load": "5.0",
        "status": "built",
        "occupancy": "vacant",
        **change,
    }
    response = client.post(reverse("projects:building_create", args=["hkc"]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["form"].errors
    assert Building.objects.filter(park=world["hkc"]).count() == 3
    assert AuditEntry.objects.count() == entries


def test_a_building_of_another_park_has_no_form_under_this_one(client, world):
    login(client, world["users"]["staff"])
    b4 = world["buildings"][3]  # in axh
    assert client.get(reverse("projects:building_edit", args=["hkc", b4.pk])).status_code == 404
    response = client.post(
        reverse("projects:building_edit", args=["hkc", b4.pk]),
        {"name": "改名", "area": "1", "floors": "1", "load": "1", "status": "built"},
    )
    assert response.status_code == 404
    assert Building.objects.get(pk=b4.pk).name == "A栋"
    assert client.get(reverse("projects:building_edit", args=["axh", b4.pk])).status_code == 200


def test_the_zones_page_links_its_parks_buildings_to_forms_that_open(client, world):
    login(client, world["users"]["staff"])
    text = client.get(reverse("projects:park_detail", args=["gxq"])).content.decode()
    links = re.findall(r'href="(/projects/parks/[^"]+/buildings/\d+/)"', text)
    assert len(links) == 4
    for link in links:
        assert client.get(link).status_code == 200, link
