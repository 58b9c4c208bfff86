"""Imports of the year's targets and of the province's figures (首位度): values in the
indicator's unit, scopes by name or code, each fault on its row and column, whole file or
nothing, the same file twice changes nothing; and the share of the province they give."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongxin.core.audit import AuditEntry
from gongxin.core.choices import Role
from gongxin.core.tabular.importing import run_import
from gongxin.core.tests.factories import UserFactory
from gongxin.enterprises.tests.factories import EnterpriseFactory
from gongxin.indicators.figures import Scope
from gongxin.indicators.imports import ProvinceImporter, TargetImporter, indicators_can_import
from gongxin.indicators.models import ProvinceFigure, Target
from gongxin.indicators.selectors import overview
from gongxin.indicators.services import province_figure_save, target_save
from gongxin.indicators.tests.factories import MARCH, base_total

D = Decimal
YI = D(100_000_000)


def run(importer, text: str, *, dry_run: bool = False, name: str = "file.csv"):
    return run_import(importer, io.BytesIO(text.encode()), name=name, dry_run=dry_run)


TARGETS = (
    "指标,年度,范围,目标值（亿元）,目标增速（%）\n"
    "规上工业总产值,2025,全市,30.5,9\n"
    "revenue,2025,青山湖区,,8.5\n"
    "规上工业总产值,2025,新能源汽车,4.2,12\n"
    "营业收入利润率,2025,南昌市,,-1.5\n"
)


def test_targets_import_in_the_indicators_unit_for_every_kind_of_scope(world, indicators, city):
    result = run(TargetImporter(actor=None), TARGETS)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (4, 0, 0)
    stored = {(t.indicator.code, t.scope): (t.level, t.growth) for t in Target.objects.all()}
    assert stored == {
        ("output_value", "city"): (D("3050000000.00"), D("9.00")),
        ("revenue", "360111"): (None, D("8.50")),
        ("output_value", "chain:ev"): (D("420000000.00"), D("12.00")),
        ("profit_margin", "city"): (None, D("-1.50")),
    }
    again = run(TargetImporter(actor=None), TARGETS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert AuditEntry.objects.filter(object_type="indicators.target").count() == 4


def test_a_dry_run_of_targets_writes_nothing(world, indicators):
    result = run(TargetImporter(actor=None), TARGETS, dry_run=True)
    assert result.ok and result.created == 4
    assert not Target.objects.exists()


def test_each_bad_target_row_is_named_and_nothing_is_written(world, indicators):
    text = (
        "指标,年度,范围,目标值（亿元）,目标增速（%）\n"
        "规上工业总产值,2025,全市,30,9\n"
        "营业收入利润率,2025,全市,5,\n"  # a ratio has no level
        "规上工业税收,2025,火星区,,7\n"  # no such scope
        "规上工业总产值,2025,全市,31,9\n"  # repeats row 2
        "产值,2025,全市,,1\n"  # no such indicator
        "规上工业税收,2025,全市,,\n"  # neither level nor growth
        "规上工业税收,1999,全市,,3\n"  # year out of range
    )
    result = run(TargetImporter(actor=None), text)
    assert not result.ok
    found = {(e.row, e.column) for e in result.errors}
    assert found == {
        (3, "目标值"),
        (4, "范围"),
        (5, "指标"),
        (6, "指标"),
        (7, "目标增速（%）"),
        (8, "年度"),
    }
    by_row = {e.row: e.reason for e in result.errors}
    assert "火星区" in by_row[4]
    assert "规上工业总产值" in by_row[6]  # the known indicators are listed
    assert not Target.objects.exists()


def test_a_changed_target_is_updated_and_audited(world, indicators):
    run(TargetImporter(actor=None), TARGETS)
    changed = TARGETS.replace("规上工业总产值,2025,全市,30.5,9", "规上工业总产值,2025,全市,31,9.5")
    result = run(TargetImporter(actor=None), changed)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 3)
    target = Target.objects.get(indicator__code="output_value", scope="city")
    assert (target.level, target.growth) == (D("3100000000.00"), D("9.50"))
    assert result.changes[0].changes == {
        "level": ["3050000000", "3100000000"],
        "growth": ["9", "9.5"],
    }


PROVINCE = (
    "指标,年月,全省累计值（亿元）,全省本月值（亿元）\n"
    "规上工业总产值,2025-03,40,13.5\n"
    "规上工业营业收入,2025-03,30,\n"
)


def test_province_figures_give_the_citys_share_of_the_province(world, indicators):
    result = run(ProvinceImporter(actor=None), PROVINCE)
    assert result.ok, result.errors
    assert ProvinceFigure.objects.get(indicator__code="output_value").to_date == 40 * YI
    readings = {r.indicator.code: r for r in overview(Scope(), MARCH)}
    city = base_total(["A", "B", "C", "D"], 2025) * D(1_000_000)
    assert readings["output_value"].province_to_date == 40 * YI
    assert readings["output_value"].province_share == city * 100 / (40 * YI)
    assert readings["tax"].province_share is None  # not imported
    assert readings["profit_margin"].province_share is None
    # only the city is a share of the province
    district = overview(Scope(region=world["A"].district), MARCH)
    assert all(r.province_share is None for r in district)
    again = run(ProvinceImporter(actor=None), PROVINCE)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_bad_province_rows(world, indicators):
    text = (
        "指标,年月,全省累计值（亿元）,全省本月值（亿元）\n"
        "营业收入利润率,2025-03,5,\n"  # a ratio
        "规上工业总产值,2025-03,10,12\n"  # the month above the year to date
        "规上工业总产值,2025-13,10,\n"  # no such month
        "规上工业税收,2025-03,,\n"  # year to date missing
    )
    result = run(ProvinceImporter(actor=None), text)
    assert {(e.row, e.column) for e in result.errors} == {
        (2, "指标"),
        (3, "全省本月值"),
        (4, "年月"),
        (5, "全省累计值"),
    }
    assert not ProvinceFigure.objects.exists()


@pytest.mark.parametrize(
    "role, allowed",
    [
        (Role.STAFF, True),
        (Role.ADMIN, True),
        (Role.LEADER, False),
        (Role.DISTRICT, False),
        (Role.OFFICER, False),
        (Role.ENTERPRISE, False),
    ],
)
def test_who_sets_targets(city, indicators, role, allowed):
    extra = {}
    if role == Role.DISTRICT:
        extra["region"] = city.regions["360111"]
    if role == Role.ENTERPRISE:
        extra["enterprise"] = EnterpriseFactory()
    user = UserFactory(role=role, **extra)
    assert indicators_can_import(user) is allowed
    if not allowed:
        with pytest.raises(PermissionDenied):
            target_save(actor=user, indicator=indicators["tax"], year=2025, growth=D(3))


def test_an_import_by_a_user_who_may_not_is_refused(client, city, indicators):
    user = UserFactory(role=Role.DISTRICT, region=city.regions["360111"])
    client.force_login(user)
    assert client.get("/imports/indicator_targets/").status_code == 403


def test_the_services_refuse_what_a_target_or_province_figure_cannot_be(db, indicators):
    with pytest.raises(ValidationError):
        target_save(actor=None, indicator=indicators["tax"], year=2025)
    with pytest.raises(ValidationError):
        target_save(actor=None, indicator=indicators["employees"], year=2025, level=D(5))
    with pytest.raises(ValidationError):
        province_figure_save(
            actor=None, indicator=indicators["profit_margin"], period=MARCH, to_date=D(1)
        )
    _, created, _ = province_figure_save(
        actor=None, indicator=indicators["tax"], period=MARCH.replace(day=15), to_date=D(7)
    )
    assert created and ProvinceFigure.objects.get().period == MARCH
