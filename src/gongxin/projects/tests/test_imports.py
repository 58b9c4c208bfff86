"""Monthly progress import of key projects: a good file writes the months, the stage and
the project's header figures; the same file again changes nothing; every kind of bad row
is named by row and column and nothing at all is written; a dry run writes nothing.

Months and dates are counted back from today (the rules compare with today's month).
Projects: `pa` in district A (青山湖), owned by an enterprise that `officer` serves, who
is also the project's responsible official; `pc`, the same enterprise's project in
district A without a responsible official; `pb` in district B (进贤)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from gongxin.core.choices import AuditAction, Role
from gongxin.core.models import AuditEntry
from gongxin.core.tabular.importing import ImportResult, run_import
from gongxin.core.tests.clock import TODAY
from gongxin.core.tests.factories import UserFactory
from gongxin.enterprises.tests.factories import EnterpriseFactory
from gongxin.enterprises.tests.tabular_files import city_for_module, csv_bytes, xlsx_bytes
from gongxin.projects.choices import ProjectStage
from gongxin.projects.imports import (
    NOTES,
    PROGRESS_COLUMNS,
    ProgressImporter,
    progress_can_import,
    progress_template,
)
from gongxin.projects.models import Project, ProjectMonth, ProjectStep
from gongxin.projects.progress import previous_month
from gongxin.projects.services import project_save

HEADERS = {c.key: c.header for c in PROGRESS_COLUMNS}
THIS_MONTH = TODAY.replace(day=1)
LAST = previous_month(THIS_MONTH)  # last month
EARLIER = previous_month(LAST)  # the month before
NEXT = (THIS_MONTH + dt.timedelta(days=32)).replace(day=1)
PA, PB, PC = "XM2026-0001", "XM2026-0002", "XM2026-0003"
PA_NAME = "青山湖航空零部件智能工厂项目"


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def _module_city(django_db_setup, django_db_blocker):
    yield from city_for_module(django_db_blocker)


@pytest.fixture
def world(_module_city, db):
    regions = _module_city.regions
    officer = UserFactory(username="officer", role=Role.OFFICER)
    officer2 = UserFactory(username="officer2", role=Role.OFFICER)
    ea = EnterpriseFactory(
        name="青山湖航空零部件有限公司", district=regions["360111"], service_officer=officer
    )
    pa = project_save(
        actor=None,
        project=None,
        data={
            "code": PA,
            "name": PA_NAME,
            "project_type": "new",
            "enterprise": ea,
            "district": regions["360111"],
            "planned_investment": Decimal("200000000"),
            "official": officer,
        },
        # 立项 reached; 开工 planned, not reached yet
        steps={
            ProjectStage.APPROVED: (ago(100), ago(90)),
            ProjectStage.STARTED: (ago(30), None),
        },
    )
    pb = project_save(
        actor=None,
        project=None,
        data={
            "code": PB,
            "name": "进贤医疗器械产业园项目",
            "project_type": "expansion",
            "district": regions["360124"],
            "planned_investment": Decimal("50000000"),
        },
    )
    project_save(
        actor=None,
        project=None,
        data={
            "code": PC,
            "name": "青山湖航空零部件检测中心项目",
            "project_type": "tech_upgrade",
            "enterprise": ea,
            "district": regions["360111"],
        },
    )
    users = {
        "staff": UserFactory(username="staff", role=Role.STAFF),
        "admin": UserFactory(username="admin", role=Role.ADMIN),
        "leader": UserFactory(username="leader", role=Role.LEADER),
        "department": UserFactory(
            username="department", role=Role.DEPARTMENT, department=_module_city.departments["rsj"]
        ),
        "district_a": UserFactory(
            username="district_a", role=Role.DISTRICT, region=regions["360111"]
        ),
        "district_b": UserFactory(
            username="district_b", role=Role.DISTRICT, region=regions["360124"]
        ),
        "officer": officer,
        "officer2": officer2,
        "enterprise": UserFactory(username="enterprise", role=Role.ENTERPRISE, enterprise=ea),
    }
    return SimpleNamespace(pa=pa, pb=pb, users=users)


# Files and runs -----------------------------------------------------------------------------


def progress_row(code: str = PA, **values) -> dict[str, object]:
    """A row as a district writes it: money in 万元, the month as text."""
    row = {
        "code": code,
        "name": "",
        "month": f"{LAST:%Y-%m}",
        "planned": "500",
        "completed": "320.5",
        "equipment": "120",
        "progress": "主体结构封顶",
        "stage": "",
        "reached_on": "",
    }
    row.update(values)
    return row


def lines(rows: list[dict], headers: dict[str, str] = HEADERS) -> list[list]:
    keys = list(rows[0])
    return [[headers[k] for k in keys]] + [[r.get(k, "") for k in keys] for r in rows]


def run(
    data: bytes,
    name: str = "进度.csv",
    *,
    actor=None,
    dry_run: bool = False,
    chunk_size: int | None = None,
) -> ImportResult:
    importer = ProgressImporter(actor=actor)
    if chunk_size:
        importer.chunk_size = chunk_size
    return run_import(importer, io.BytesIO(data), name=name, dry_run=dry_run)


def import_rows(rows, *, fmt: str = "utf-8", **kwargs) -> ImportResult:
    if fmt == "xlsx":
        return run(xlsx_bytes(lines(rows)), "进度.xlsx", **kwargs)
    return run(csv_bytes(lines(rows), encoding=fmt), **kwargs)


def good_rows() -> list[dict]:
    return [
        progress_row(stage="已开工", reached_on=ago(5).isoformat()),
        progress_row(
            month=f"{EARLIER:%Y-%m}",
            planned="400",
            completed="300",
            equipment="",
            progress="桩基施工",
        ),
        progress_row(PB, name="进贤医疗器械产业园项目", planned="", completed="80", equipment="0"),
    ]


def db_state():
    """Every row the import may write, value by value."""
    return (
        list(ProjectMonth.objects.order_by("pk").values()),
        list(ProjectStep.objects.order_by("pk").values()),
        list(Project.objects.order_by("pk").values()),
        AuditEntry.objects.count(),
    )


def only_error(result: ImportResult):
    assert not result.ok
    assert not result.committed
    assert result.error_count == 1, [str(e) for e in result.errors]
    assert (result.created, result.updated, result.unchanged, result.changes) == (0, 0, 0, [])
    return result.errors[0]


def assert_error(result, *, row, column, reason):
    error = only_error(result)
    assert (error.row, error.column) == (row, column), str(error)
    assert reason in error.reason, error.reason
    assert str(error).startswith(f"row {row}, column “{column}”" if column else f"row {row}")
    return error


def month_of(code: str, month: dt.date) -> ProjectMonth:
    return ProjectMonth.objects.get(project__code=code, month=month)


# A good file --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["gbk", "utf-8-sig", "xlsx"])
def test_good_file_writes_months_stage_and_project(world, fmt):
    staff = world.users["staff"]
    result = import_rows(good_rows(), fmt=fmt, actor=staff)
    assert result.ok, [str(e) for e in result.errors]
    assert result.committed
    assert (result.rows, result.created, result.updated, result.unchanged) == (3, 3, 0, 0)
    assert result.format == ("xlsx" if fmt == "xlsx" else "csv")
    if fmt == "gbk":
        assert result.encoding == "gb18030"

    last = month_of(PA, LAST)
    assert (last.planned, last.completed, last.equipment) == (
        Decimal("5000000.00"),
        Decimal("3205000.00"),
        Decimal("1200000.00"),
    )
    assert last.progress == "主体结构封顶"
    assert last.reported_by == staff
    earlier = month_of(PA, EARLIER)
    assert (earlier.planned, earlier.completed, earlier.equipment) == (
        Decimal("4000000.00"),
        Decimal("3000000.00"),
        None,
    )
    assert earlier.progress == "桩基施工"
    pb_month = month_of(PB, LAST)
    assert (pb_month.planned, pb_month.completed, pb_month.equipment) == (
        None,
        Decimal("800000.00"),
        Decimal("0.00"),
    )

    pa = Project.objects.get(code=PA)
    assert pa.completed_investment == Decimal("6205000.00")
    assert pa.equipment_completed == Decimal("1200000.00")
    assert pa.stage == ProjectStage.STARTED
    assert pa.started_on == ago(5)
    assert pa.start_planned == ago(30)  # the planned date is kept
    started = ProjectStep.objects.get(project=pa, stage=ProjectStage.STARTED)
    assert (started.planned_on, started.reached_on) == (ago(30), ago(5))
    approved = ProjectStep.objects.get(project=pa, stage=ProjectStage.APPROVED)
    assert (approved.planned_on, approved.reached_on) == (ago(100), ago(90))
    assert Project.objects.get(code=PB).completed_investment == Decimal("800000.00")

    first = result.changes[0]
    assert (first.row, first.action) == (2, "create")
    assert first.label == f"{PA} {PA_NAME} {LAST:%Y-%m}"
    assert first.changes == {
        "planned": [None, "5000000"],
        "completed": [None, "3205000"],
        "equipment": [None, "1200000"],
        "progress": [None, "主体结构封顶"],
        "stage:started": [None, ago(5).isoformat()],
    }
    entry = AuditEntry.objects.get(action=AuditAction.IMPORT, object_type="import.project_progress")
    assert entry.changes == {"rows": 3, "created": 3, "updated": 0, "unchanged": 0}
    assert entry.actor == staff


def test_same_file_again_changes_nothing(world):
    staff = world.users["staff"]
    data = csv_bytes(lines(good_rows()), encoding="gbk")
    assert run(data, actor=staff).created == 3
    before = db_state()
    again = run(data, actor=staff)
    assert again.ok, [str(e) for e in again.errors]
    assert (again.rows, again.created, again.updated, again.unchanged) == (3, 0, 0, 3)
    assert again.changes == []
    months, steps, projects, audit_count = db_state()
    assert (months, steps, projects) == before[:3]  # reported_at included: nothing rewritten
    assert audit_count == before[3] + 1  # the import's own entry only


def test_a_changed_row_is_an_update_and_absent_columns_are_kept(world):
    staff = world.users["staff"]
    assert import_rows(good_rows(), actor=staff).created == 3
    rows = [
        {"code": PA, "month": f"{LAST:%Y-%m}", "completed": "350", "progress": ""},
        {"code": PA, "month": f"{EARLIER:%Y-%m}", "completed": "300", "progress": "桩基施工"},
    ]
    result = import_rows(rows, actor=staff)
    assert result.ok, [str(e) for e in result.errors]
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert [(c.row, c.action) for c in result.changes] == [(2, "update")]
    assert result.changes[0].changes == {
        "completed": ["3205000", "3500000"],
        "progress": ["主体结构封顶", ""],  # a blank cell of a given column clears it
    }
    last = month_of(PA, LAST)
    # planned and equipment: no such column in the file, kept as stored
    assert (last.planned, last.completed, last.equipment) == (
        Decimal("5000000.00"),
        Decimal("3500000.00"),
        Decimal("1200000.00"),
    )
    assert Project.objects.get(code=PA).completed_investment == Decimal("6500000.00")
    entry = AuditEntry.objects.filter(object_id=str(world.pa.pk)).latest("pk")
    assert entry.changes[f"completed:{LAST:%Y-%m}"] == ["3205000", "3500000"]


def test_header_aliases_and_month_formats(world):
    earlier2 = previous_month(EARLIER)
    data = xlsx_bytes(
        [
            [
                "项目代码",
                "项目名称",
                "月份",
                "本月完成投资",
                "其中：设备投资（万元）",
                "当前阶段",
                "达到日期",
            ],
            [PA, f" {PA_NAME} ", f"{LAST:%Y}年{LAST.month}月", "10", "2", "开工", ago(3)],
            [PA, "", f"{EARLIER:%Y}/{EARLIER.month}", "1,200.25", "", "", ""],
            [PA, "", dt.datetime(earlier2.year, earlier2.month, 15), "0.0001", "", "", ""],
        ]
    )
    result = run(data, "进度.xlsx", actor=world.users["district_a"])
    assert result.ok, [str(e) for e in result.errors]
    assert result.created == 3
    assert month_of(PA, LAST).completed == Decimal("100000.00")
    assert month_of(PA, LAST).equipment == Decimal("20000.00")
    assert month_of(PA, EARLIER).completed == Decimal("12002500.00")
    assert month_of(PA, earlier2).completed == Decimal("1.00")
    assert Project.objects.get(code=PA).started_on == ago(3)


def test_stages_of_several_rows_follow_each_other_across_chunks(world):
    rows = [
        progress_row(month=f"{EARLIER:%Y-%m}", stage="开工", reached_on=ago(20).isoformat()),
        progress_row(stage="竣工", reached_on=ago(2).isoformat()),
    ]
    result = import_rows(rows, actor=world.users["officer"], chunk_size=1)
    assert result.ok, [str(e) for e in result.errors]
    pa = Project.objects.get(code=PA)
    assert (pa.stage, pa.started_on, pa.completed_on) == (ProjectStage.COMPLETED, ago(20), ago(2))
    assert pa.start_planned == ago(30)


# Bad rows: named, and nothing written ------------------------------------------------------


BAD_ROWS = {
    "unknown number": (
        {"code": "XM2099-9999"},
        "项目编号",
        "No key project has this number.",
    ),
    "name of another project": (
        {"name": "进贤医疗器械产业园项目"},
        "项目名称",
        f"Project {PA} is “{PA_NAME}”: check the project number.",
    ),
    "outside the district": ({"code": PB}, "项目编号", "outside your area"),
    "equipment above completed": (
        {"equipment": "400"},
        "其中设备投资（万元）",
        "Equipment investment (400 万元) is part of the completed investment (320.5 万元)",
    ),
    "future month": ({"month": f"{NEXT:%Y-%m}"}, "月份", "is still to come"),
    "bad month": ({"month": "2026-13"}, "月份", "“2026-13” is not a month"),
    "negative money": ({"completed": "-5"}, "本月完成投资（万元）", "Cannot be negative."),
    "blank completed": ({"completed": ""}, "本月完成投资（万元）", "Required; the cell is empty."),
    "unknown stage": ({"stage": "施工中", "reached_on": ago(1)}, "当前阶段", "is not one of"),
    "stage without date": ({"stage": "开工"}, "阶段达到日期", "Required when the stage"),
    "date without stage": ({"reached_on": ago(1)}, "当前阶段", "Give the stage reached"),
    "stage reached in the future": (
        {"stage": "开工", "reached_on": TODAY + dt.timedelta(days=1)},
        "阶段达到日期",
        "A stage cannot be reached in the future.",
    ),
    "stage before the stage before it": (
        {"stage": "开工", "reached_on": ago(200)},
        "阶段达到日期",
        f"Construction started cannot come before Approved ({ago(90).isoformat()}).",
    ),
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
@pytest.mark.parametrize("fmt", ["utf-8", "xlsx"])
def test_a_bad_row_is_named_and_nothing_is_written(world, case, fmt):
    values, column, reason = BAD_ROWS[case]
    values = {
        k: v.isoformat() if isinstance(v, dt.date) and fmt != "xlsx" else v
        for k, v in values.items()
    }
    rows = [progress_row(month=f"{EARLIER:%Y-%m}"), progress_row(**values)]
    before = db_state()
    result = import_rows(rows, fmt=fmt, actor=world.users["district_a"])
    assert_error(result, row=3, column=column, reason=reason)
    assert db_state() == before


def test_a_repeated_row_names_the_first(world):
    rows = [progress_row(), progress_row(month=f"{EARLIER:%Y-%m}"), progress_row(completed="400")]
    before = db_state()
    result = import_rows(rows, actor=world.users["staff"], chunk_size=2)  # across chunks
    assert_error(
        result,
        row=4,
        column="项目编号",
        reason="Repeats row 2: the same record appears twice in the file.",
    )
    assert db_state() == before


def test_a_stage_out_of_order_within_the_file_is_refused(world):
    rows = [
        progress_row(stage="开工", reached_on=ago(5).isoformat()),
        progress_row(month=f"{EARLIER:%Y-%m}", stage="竣工", reached_on=ago(10).isoformat()),
    ]
    before = db_state()
    result = import_rows(rows, actor=world.users["staff"], chunk_size=1)
    assert_error(
        result,
        row=3,
        column="阶段达到日期",
        reason=f"Construction completed cannot come before Construction started "
        f"({ago(5).isoformat()}).",
    )
    assert db_state() == before


def test_stored_equipment_above_a_lower_completed_is_refused(world):
    assert import_rows([progress_row()], actor=world.users["staff"]).created == 1
    rows = [{"code": PA, "month": f"{LAST:%Y-%m}", "completed": "100"}]  # no equipment column
    before = db_state()
    result = import_rows(rows, actor=world.users["staff"])
    assert_error(
        result,
        row=2,
        column="其中设备投资（万元）",
        reason="The equipment investment recorded for this month (120 万元) is more than",
    )
    assert db_state() == before
    assert month_of(PA, LAST).completed == Decimal("3205000.00")


def test_a_missing_required_column_rejects_the_file(world):
    rows = [{"code": PA, "month": f"{LAST:%Y-%m}", "planned": "500"}]
    before = db_state()
    result = import_rows(rows, actor=world.users["staff"])
    assert_error(
        result, row=1, column="", reason="Required column “本月完成投资（万元）” is missing."
    )
    assert db_state() == before


def test_a_column_in_yuan_is_refused(world):
    data = csv_bytes([["项目编号", "月份", "本月完成投资（元）"], [PA, f"{LAST:%Y-%m}", "3205000"]])
    result = run(data, actor=world.users["staff"])
    assert not result.ok
    assert any("this import expects 万元" in e.reason for e in result.errors)
    assert not ProjectMonth.objects.exists()


def test_every_bad_row_is_listed_and_good_rows_are_not_written(world):
    rows = [
        progress_row(month=f"{EARLIER:%Y-%m}"),
        progress_row(code="XM2099-9999"),
        progress_row(PB, month="2026年13月"),
        progress_row(equipment="999"),
    ]
    before = db_state()
    result = import_rows(rows, actor=world.users["staff"])
    assert {(e.row, e.column) for e in result.errors} == {
        (3, "项目编号"),
        (4, "月份"),
        (5, "其中设备投资（万元）"),
    }
    assert db_state() == before


# Who may ---------------------------------------------------------------------------------


def test_an_officer_imports_only_the_projects_they_are_responsible_for(world):
    officer = world.users["officer"]
    result = import_rows([progress_row()], actor=officer)
    assert result.ok, [str(e) for e in result.errors]
    assert month_of(PA, LAST).reported_by == officer

    before = db_state()
    # pc is the served enterprise's project, so the officer sees it, but is not its official
    result = import_rows([progress_row(month=f"{EARLIER:%Y-%m}"), progress_row(PC)], actor=officer)
    assert_error(result, row=3, column="项目编号", reason="You may not report on this project.")
    assert db_state() == before
    # an officer who serves none of the enterprises sees none of the projects
    result = import_rows([progress_row()], actor=world.users["officer2"])
    assert_error(result, row=2, column="项目编号", reason="outside your area")
    assert db_state() == before


def test_a_district_imports_only_its_projects(world):
    result = import_rows([progress_row(PB)], actor=world.users["district_b"])
    assert result.ok, [str(e) for e in result.errors]
    assert month_of(PB, LAST).completed == Decimal("3205000.00")
    result = import_rows([progress_row(PA)], actor=world.users["district_b"])
    assert_error(result, row=2, column="项目编号", reason="outside your area")


def test_the_command_line_imports_every_project(world):
    result = import_rows([progress_row(PA), progress_row(PB)])
    assert result.ok, [str(e) for e in result.errors]
    assert result.created == 2
    assert month_of(PA, LAST).reported_by is None


@pytest.mark.parametrize(
    "user, allowed",
    [
        ("staff", True),
        ("admin", True),
        ("district_a", True),
        ("officer", True),
        ("leader", False),
        ("department", False),
        ("enterprise", False),
    ],
)
def test_who_may_import(world, user, allowed):
    assert progress_can_import(world.users[user]) is allowed


def test_anonymous_and_inactive_users_may_not_import(world):
    assert progress_can_import(AnonymousUser()) is False
    assert progress_can_import(UserFactory(role=Role.STAFF, is_active=False)) is False


# Dry run and template ------------------------------------------------------------------------


def test_a_dry_run_writes_nothing(world):
    before = db_state()
    result = import_rows(good_rows(), actor=world.users["staff"], dry_run=True)
    assert result.ok, [str(e) for e in result.errors]
    assert not result.committed
    assert (result.rows, result.created, result.updated, result.unchanged) == (3, 3, 0, 0)
    assert result.summary().startswith("Dry run: 3 rows; 3 would be created")
    assert [c.row for c in result.changes] == [2, 3, 4]
    assert db_state() == before


def test_the_template_imports_back(world):
    buf = io.BytesIO()
    progress_template(buf)
    book = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    sheet, instructions = book.worksheets
    headers = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert headers == [c.header for c in PROGRESS_COLUMNS]
    notes = [row[2] for row in instructions.iter_rows(min_row=2, values_only=True)]
    assert set(NOTES) <= set(notes)
    # the template's header row with one row typed under it imports as it is
    sheet.append([PA, PA_NAME, f"{LAST:%Y-%m}", 500, 320.5, 120, "主体结构封顶", "开工", ago(5)])
    filled = io.BytesIO()
    book.save(filled)
    result = run(filled.getvalue(), "模板.xlsx", actor=world.users["staff"])
    assert result.ok, [str(e) for e in result.errors]
    assert month_of(PA, LAST).completed == Decimal("3205000.00")
