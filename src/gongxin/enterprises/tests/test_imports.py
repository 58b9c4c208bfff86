"""Enterprise and monthly-figure imports: every file format, every kind of bad row, all or
nothing, idempotency, the audit trail, scope, and export → import round trips.

Files are built here from rows (deterministic, small), in the encodings and formats
officials send: CSV in UTF-8, UTF-8 with BOM, GBK/GB18030, tab-separated text, and XLSX.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation
from django.utils.translation import gettext

from gongxin.core.audit import diff, snapshot
from gongxin.core.choices import AuditAction, Role
from gongxin.core.models import AuditEntry
from gongxin.core.tabular.importing import ImportResult, run_import
from gongxin.core.tests.factories import UserFactory
from gongxin.enterprises import services
from gongxin.enterprises.columns import EnterpriseImporter, MonthlyFigureImporter
from gongxin.enterprises.exports import enterprise_export, monthly_figure_export
from gongxin.enterprises.models import Enterprise, MonthlyFigure, Qualification
from gongxin.enterprises.services import ENTERPRISE_FIELDS, MONTHLY_FIELDS
from gongxin.enterprises.tests.factories import (
    EnterpriseFactory,
    MonthlyFigureFactory,
    QualificationFactory,
    make_uscc,
)
from gongxin.enterprises.tests.tabular_files import (
    FIGURE_HEADERS,
    HEADERS,
    city_for_module,
    csv_bytes,
    encode,
    enterprise_row,
    figure_row,
    table,
    xlsx_bytes,
)

FORMATS = ["utf-8", "utf-8-sig", "gbk", "gb18030", "tsv", "xlsx"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def _module_city(django_db_setup, django_db_blocker):
    yield from city_for_module(django_db_blocker)


@pytest.fixture
def city(_module_city, db):
    """The demo city, loaded once for the module (each test still runs in a savepoint)."""
    return _module_city


@pytest.fixture
def officer(city):
    return UserFactory(username="officer_wang", display_name="王建华", role=Role.OFFICER)


# Running imports ------------------------------------------------------------------------------


def run(
    data: bytes,
    name: str = "企业.csv",
    *,
    importer=EnterpriseImporter,
    actor=None,
    dry_run: bool = False,
    chunk_size: int | None = None,
) -> ImportResult:
    instance = importer(actor=actor)
    if chunk_size:
        instance.chunk_size = chunk_size
    return run_import(instance, io.BytesIO(data), name=name, dry_run=dry_run)


def import_rows(rows, fmt="utf-8", **kwargs) -> ImportResult:
    return run(*encode(table(rows), fmt), **kwargs)


def import_figures(rows, fmt="utf-8", **kwargs) -> ImportResult:
    return run(*encode(table(rows, FIGURE_HEADERS), fmt), importer=MonthlyFigureImporter, **kwargs)


# The database before and after ---------------------------------------------------------------


def db_state():
    """Every row an import may write, so that 'nothing written' is checked value by value."""
    return (
        list(Enterprise.objects.order_by("pk").values(*ENTERPRISE_FIELDS, "pk", "updated_at")),
        list(MonthlyFigure.objects.order_by("pk").values()),
        AuditEntry.objects.count(),
        Qualification.objects.count(),
    )


def only_error(result: ImportResult):
    assert not result.ok
    assert not result.committed
    assert result.error_count == 1, [str(e) for e in result.errors]
    # counts of chunks rolled back are not reported as imported
    assert (result.created, result.updated, result.unchanged, result.changes) == (0, 0, 0, [])
    assert "nothing was imported" in result.summary()
    return result.errors[0]


def assert_error(result, *, row, column, reason, value=None):
    error = only_error(result)
    assert error.row == row
    assert error.column == column
    assert reason in error.reason
    if value is not None:
        assert error.value == value
    text = str(error)
    assert text.startswith(f"row {row}, column “{column}”" if column else f"row {row}")
    return error


def import_entries():
    return AuditEntry.objects.filter(action=AuditAction.IMPORT)


# Enterprises: formats ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_enterprises_in_every_format(city, officer, fmt):
    rows = [
        enterprise_row(1, service_officer="王建华"),
        enterprise_row(
            2,
            name="江西洪都（南昌）航空配件有限公司",
            park="",
            district="青山湖",
            industry="3961",
            registered_capital="",
            established_on="2020年1月2日",
            size_class="小型",
            above_scale="否",
            status="停产",
            service_officer="officer_wang",
        ),
        enterprise_row(3, name="刘䶮精密机械有限公司", district="360124", park="进贤经开区"),
    ]
    if fmt == "gbk":
        rows[2]["name"] = "刘氏精密机械有限公司"  # 䶮 is not in GBK
    before = AuditEntry.objects.count()
    result = import_rows(rows, fmt)
    assert result.ok, [str(e) for e in result.errors]
    assert result.committed
    assert (result.rows, result.created, result.updated, result.unchanged) == (3, 3, 0, 0)
    assert result.format == ("xlsx" if fmt == "xlsx" else "csv")
    detected = {"gbk": "gb18030", "tsv": "utf-8", "xlsx": ""}.get(fmt, fmt)
    assert result.encoding == detected
    assert result.summary() == "3 rows imported: 3 created, 0 changed, 0 unchanged."

    first = Enterprise.objects.get(uscc=rows[0]["uscc"])
    assert first.name == "南昌测试1号精密制造有限公司"
    assert first.legal_representative == "李晓明"
    assert first.established_on == dt.date(2015, 6, 1)
    assert first.registered_capital == Decimal("12345678.00")
    assert first.district == city.regions["360121"]
    assert first.park == city.regions["xlq"]
    assert first.industry.code == "3670"
    assert first.size_class == "medium"
    assert first.above_scale is True
    assert first.status == "operating"
    assert first.service_officer == officer

    second = Enterprise.objects.get(uscc=rows[1]["uscc"])
    assert second.name == "江西洪都（南昌）航空配件有限公司"
    assert second.district == city.regions["360111"]
    assert second.park is None
    assert second.registered_capital is None
    assert second.established_on == dt.date(2020, 1, 2)
    assert (second.size_class, second.above_scale, second.status) == ("small", False, "suspended")
    assert second.service_officer == officer

    third = Enterprise.objects.get(uscc=rows[2]["uscc"])
    assert third.name == rows[2]["name"]
    assert third.district == city.regions["360124"]
    assert third.service_officer is None

    # one audit entry per enterprise created, and one for the import
    created = AuditEntry.objects.filter(
        action=AuditAction.CREATE, object_type="enterprises.enterprise"
    )
    assert created.count() == 3
    entry = created.get(object_id=str(first.pk))
    assert entry.changes["name"] == [None, first.name]
    assert entry.message == "Import"
    assert import_entries().get().changes == {
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
    }
    assert AuditEntry.objects.count() == before + 4


def test_headers_as_officials_write_them(city):
    lines = [
        ["*社会信用代码", "单位名称", "区县", "注册资本(万元)", "法人代表：", "规上"],
        [make_uscc(7).lower(), " 南昌某某有限公司 ", "东湖", "100", "张三", "√"],
    ]
    result = run(csv_bytes(lines))
    assert result.ok, [str(e) for e in result.errors]
    enterprise = Enterprise.objects.get()
    assert enterprise.uscc == make_uscc(7)
    assert enterprise.name == "南昌某某有限公司"
    assert enterprise.district == city.regions["360102"]
    assert enterprise.registered_capital == Decimal("1000000.00")
    assert enterprise.legal_representative == "张三"
    assert enterprise.above_scale is True


def test_only_the_required_columns(city):
    rows = [{"uscc": make_uscc(8), "name": "南昌最简有限公司", "district": "南昌县"}]
    assert import_rows(rows).ok
    enterprise = Enterprise.objects.get()
    assert enterprise.status == "operating"
    assert enterprise.above_scale is False
    assert enterprise.park is None
    assert enterprise.registered_capital is None


def test_blank_rows_are_skipped_and_rows_keep_their_numbers(city):
    lines = table([enterprise_row(1), enterprise_row(2)])
    lines.insert(2, [""] * len(lines[0]))  # row 3 is blank
    lines.append([""] * len(lines[0]))
    lines.append(table([enterprise_row(5, district="火星区")])[1])  # row 6
    result = run(csv_bytes(lines))
    assert_error(result, row=6, column="所属区县", reason="is not a district", value="火星区")


# Enterprises: what is written ---------------------------------------------------------------


def test_dry_run_writes_nothing_but_counts(city):
    existing = [EnterpriseFactory(uscc=enterprise_row(n)["uscc"]) for n in (1, 2)]
    import_rows([enterprise_row(2)])  # enterprise 2 now as in the file
    state = db_state()
    rows = [enterprise_row(1), enterprise_row(2), *(enterprise_row(n) for n in (3, 4, 5))]
    result = import_rows(rows, dry_run=True)
    assert result.ok
    assert result.dry_run
    assert not result.committed
    assert (result.rows, result.created, result.updated, result.unchanged) == (5, 3, 1, 1)
    assert result.summary() == "Dry run: 5 rows; 3 would be created, 1 changed, 1 unchanged."
    update = next(ch for ch in result.changes if ch.action == "update")
    assert update.row == 2
    assert update.changes["name"] == [existing[0].name, enterprise_row(1)["name"]]
    assert db_state() == state


def test_the_preview_describes_what_the_audit_trail_records(city, monkeypatch):
    """The changes listed after an import are those of the audit entries, row by row,
    across chunks, up to the number kept."""
    monkeypatch.setattr("gongxin.core.tabular.importing.MAX_CHANGES_KEPT", 5)
    import_rows([enterprise_row(n) for n in (2, 4, 6)])
    renamed = {n: f"南昌改名{n}号精密制造有限公司" for n in (2, 4, 6, 8)}
    rows = [
        enterprise_row(n, name=renamed[n]) if n in renamed else enterprise_row(n)
        for n in range(1, 9)
    ]
    result = import_rows(rows, chunk_size=3)
    assert (result.created, result.updated, result.unchanged) == (5, 3, 0)
    assert [(ch.row, ch.action) for ch in result.changes] == [
        (2, "create"),
        (3, "update"),
        (4, "create"),
        (5, "update"),
        (6, "create"),
    ]
    codes = {ch.row: rows[ch.row - 2]["uscc"] for ch in result.changes}
    ids = dict(Enterprise.objects.filter(uscc__in=codes.values()).values_list("uscc", "pk"))
    entries = {
        entry.object_id: entry.changes
        for entry in AuditEntry.objects.filter(object_type="enterprises.enterprise")
        .exclude(action=AuditAction.IMPORT)
        .order_by("id")
    }
    for change in result.changes:
        assert change.changes == entries[str(ids[codes[change.row]])]
    assert result.changes[1].changes["name"] == [enterprise_row(2)["name"], renamed[2]]


def test_importing_the_same_file_twice(city):
    rows = [enterprise_row(n) for n in range(1, 6)]
    data = csv_bytes(table(rows))
    first = run(data)
    assert (first.created, first.updated, first.unchanged) == (5, 0, 0)
    state = db_state()
    second = run(data)
    assert second.ok
    assert (second.rows, second.created, second.updated, second.unchanged) == (5, 0, 0, 5)
    assert second.changes == []
    enterprises, figures, audit_count, _ = db_state()
    assert (enterprises, figures) == state[:2]  # not even updated_at moved
    assert audit_count == state[2] + 1  # only the import summary
    latest = AuditEntry.objects.order_by("-id").first()
    assert latest.action == AuditAction.IMPORT
    assert latest.object_type == "import.enterprises"
    assert latest.object_repr == "企业.csv"
    assert latest.changes == {"rows": 5, "created": 0, "updated": 0, "unchanged": 5}


def test_changed_cells_are_updated_and_audited(city):
    rows = [enterprise_row(n) for n in (1, 2, 3)]
    import_rows(rows)
    target = Enterprise.objects.get(uscc=rows[1]["uscc"])
    old_updated_at = target.updated_at
    audit_before = AuditEntry.objects.count()
    rows[1] = enterprise_row(
        2, name="南昌测试2号精密制造股份有限公司", registered_capital="2000.01", park=""
    )
    result = import_rows(rows)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    target.refresh_from_db()
    assert target.name == "南昌测试2号精密制造股份有限公司"
    assert target.registered_capital == Decimal("20000100.00")
    assert target.park is None
    assert target.updated_at > old_updated_at
    assert AuditEntry.objects.count() == audit_before + 2
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_id=str(target.pk))
    assert set(entry.changes) == {"name", "registered_capital", "park"}
    assert entry.changes["name"] == [
        "南昌测试2号精密制造有限公司",
        "南昌测试2号精密制造股份有限公司",
    ]
    capital_before, capital_after = entry.changes["registered_capital"]
    assert Decimal(capital_before) == Decimal("12345678")
    assert Decimal(capital_after) == Decimal("20000100")
    assert entry.changes["park"] == [city.regions["xlq"].pk, None]
    assert [(ch.row, ch.action) for ch in result.changes] == [(3, "update")]


def created_changes(instance, fields) -> dict:
    """What the service layer's audit says of a new record: every field given."""
    return {k: [None, v] for k, v in snapshot(instance, fields).items() if v not in (None, "")}


def test_import_audit_says_what_the_services_say(city, officer):
    """The audit entries an import writes in the database read exactly as the ones the
    services write from Python (`snapshot`/`diff`): decimals, dates, ids, flags, blanks."""
    rows = [
        enterprise_row(
            1, registered_capital="0.012345", service_officer="王建华", above_scale="否"
        ),
        enterprise_row(2, registered_capital="", park="", established_on="", address=""),
        enterprise_row(3, registered_capital="0.01505"),  # 150.50 yuan: "150.5"
    ]
    assert import_rows(rows).created == 3
    for row in rows:
        enterprise = Enterprise.objects.get(uscc=row["uscc"])
        entry = AuditEntry.objects.get(action=AuditAction.CREATE, object_id=str(enterprise.pk))
        assert entry.changes == created_changes(enterprise, ENTERPRISE_FIELDS)
        assert (entry.object_type, entry.object_repr) == ("enterprises.enterprise", row["name"])
    first = Enterprise.objects.get(uscc=rows[0]["uscc"])
    assert first.registered_capital == Decimal("123.45")
    assert AuditEntry.objects.get(object_id=str(first.pk)).changes["registered_capital"] == [
        None,
        "123.45",
    ]

    before = snapshot(first, ENTERPRISE_FIELDS)
    rows[0] = enterprise_row(
        1, registered_capital="0.5", park="", above_scale="是", established_on="2016-01-02"
    )
    rows[2] = enterprise_row(3, registered_capital="0.01234")  # 123.40 yuan: "123.4"
    third = Enterprise.objects.get(uscc=rows[2]["uscc"])
    third_before = snapshot(third, ENTERPRISE_FIELDS)
    assert third_before["registered_capital"] == "150.5"
    assert import_rows(rows).updated == 2  # the officer cell is empty now, too
    first.refresh_from_db()
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_id=str(first.pk))
    assert entry.changes == diff(before, snapshot(first, ENTERPRISE_FIELDS))
    assert entry.changes["registered_capital"] == ["123.45", "5000"]
    assert entry.changes["above_scale"] == [False, True]
    assert entry.changes["established_on"] == ["2015-06-01", "2016-01-02"]
    assert entry.changes["service_officer"] == [officer.pk, None]
    third.refresh_from_db()
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_id=str(third.pk))
    assert entry.changes == diff(third_before, snapshot(third, ENTERPRISE_FIELDS))
    assert entry.changes == {"registered_capital": ["150.5", "123.4"]}


def test_figure_import_audit_says_what_the_services_say(companies):
    a, _ = companies
    rows = [figure_row(a.uscc, electricity="1.23456", profit="-12.25", employees="0")]
    assert import_figures(rows).created == 1
    figure = MonthlyFigure.objects.get(enterprise=a)
    entry = AuditEntry.objects.get(action=AuditAction.CREATE, object_id=str(a.pk))
    assert entry.changes == created_changes(figure, MONTHLY_FIELDS)
    assert entry.changes["electricity"] == [None, "12345.6"]
    assert entry.changes["profit"] == [None, "-122500"]
    assert entry.changes["employees"] == [None, 0]
    assert (entry.object_repr, entry.message) == (a.name, "Monthly figures 2024-03 (import)")

    before = snapshot(figure, MONTHLY_FIELDS)
    rows = [figure_row(a.uscc, electricity="", profit="-0.000101", employees="0")]
    assert import_figures(rows).updated == 1
    figure.refresh_from_db()
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_id=str(a.pk))
    assert entry.changes == diff(before, snapshot(figure, MONTHLY_FIELDS))
    assert entry.changes["profit"] == ["-122500", "-1.01"]
    assert entry.changes["electricity"] == ["12345.6", None]


def test_new_rows_never_take_the_id_of_a_deleted_one(city):
    """Ids of new rows are drawn before they are written; an id given once (the enterprise
    was deleted since) is not given again, so old audit entries never point at it."""
    gone = EnterpriseFactory(uscc=make_uscc(77))
    gone_pk = gone.pk
    services.enterprise_delete(actor=None, enterprise=gone)
    result = import_rows([enterprise_row(1), enterprise_row(2)])
    assert result.created == 2
    for n in (1, 2):
        enterprise = Enterprise.objects.get(uscc=make_uscc(1000 + n))
        assert enterprise.pk > gone_pk
        entry = AuditEntry.objects.get(action=AuditAction.CREATE, object_id=str(enterprise.pk))
        assert entry.object_repr == enterprise.name


def test_errors_speak_the_language_of_the_importing_user(city):
    """Rows are parsed in a thread of their own: it speaks the caller's language."""
    with translation.override("zh-hans"):
        result = import_rows([enterprise_row(1, established_on="2024-13-01")])
    reason = only_error(result).reason
    with translation.override("zh-hans"):
        assert reason == gettext("“%(value)s” is not a date (write 2024-03-15).") % {
            "value": "2024-13-01"
        }
    assert "日期" in reason


def test_columns_absent_from_the_file_keep_their_values(city, officer):
    enterprise = EnterpriseFactory(
        uscc=make_uscc(50),
        park=city.regions["xlq"],
        service_officer=officer,
        registered_capital=Decimal("8888.88"),
        status="suspended",
    )
    QualificationFactory(enterprise=enterprise)
    before = Enterprise.objects.filter(pk=enterprise.pk).values().get()
    rows = [{"uscc": make_uscc(50), "name": "改名后的公司", "district": "南昌县"}]
    result = import_rows(rows)
    assert (result.updated, result.unchanged) == (1, 0)
    after = Enterprise.objects.filter(pk=enterprise.pk).values().get()
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"name", "updated_at"}
    assert enterprise.qualifications.count() == 1
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE)
    assert entry.changes == {"name": [enterprise.name, "改名后的公司"]}


def test_blank_cell_of_a_present_column_clears_it(city):
    enterprise = EnterpriseFactory(uscc=make_uscc(51), park=city.regions["xlq"])
    rows = [{"uscc": make_uscc(51), "name": enterprise.name, "district": "南昌县", "park": ""}]
    assert import_rows(rows).updated == 1
    enterprise.refresh_from_db()
    assert enterprise.park is None


# Enterprises: rejected rows ----------------------------------------------------------------

BAD_CELLS = [
    ("uscc", make_uscc(3)[:-1] + ("0" if make_uscc(3)[-1] != "0" else "1"), "check digit"),
    ("uscc", make_uscc(3)[:17], "has 18 characters"),
    ("uscc", make_uscc(3)[:9] + "O" + make_uscc(3)[10:], "cannot have"),
    ("uscc", "", "Required; the cell is empty."),
    ("name", "", "Required; the cell is empty."),
    ("name", "南" * 201, "Too long: 201 characters, at most 200."),
    ("name", "南昌\x0b公司", "invisible control character (U+000B)"),
    ("district", "", "Required; the cell is empty."),
    ("district", "东山区", "“东山区” is not a district or county of the city."),
    ("district", "南昌高新区", "is not a district or county"),  # a park is not a district
    ("park", "月亮湾科技园", "“月亮湾科技园” is not a known development zone or park."),
    ("industry", "9999", "Industry code 9999 is not in the classification"),
    ("industry", "汽车", "is not a GB/T 4754-2017 industry code"),
    ("established_on", "2024-02-30", "“2024-02-30” is not a date"),
    ("established_on", "去年", "is not a date"),
    ("registered_capital", "-5", "Cannot be negative."),
    ("registered_capital", "一百万", "“一百万” is not a number."),
    ("registered_capital", "1.2345678", "more decimal places"),
    ("size_class", "巨型", "“巨型” is not one of: 大型、中型、小型、微型"),
    ("status", "倒闭", "“倒闭” is not one of: 在营、存续、停产、迁出、注销."),
    ("above_scale", "也许", "must be 是 or 否"),
    ("service_officer", "赵无名", "No service officer 赵无名."),
    ("business_scope", "经" * 5_000, "Too long: 5000 characters, at most 4000."),
    ("business_scope", "经" * 40_000, "The cell has 40000 characters, more than a cell may hold"),
    ("address", "路" * 200_000, "The cell has 200000 characters, more than a cell may hold"),
]


@pytest.mark.parametrize("fmt", ["utf-8", "gbk", "xlsx"])
def test_bad_cells(city, officer, fmt):
    """One file, one bad cell per row between good rows: each is reported with its row
    (as a spreadsheet numbers it), its column's header, the cell and the reason."""
    cases = [
        (key, value, reason)
        for key, value, reason in BAD_CELLS
        if not (fmt == "xlsx" and (len(value) > 32_767 or "\x0b" in value))  # cannot be saved
    ]
    EnterpriseFactory(uscc=enterprise_row(1)["uscc"])
    rows = [enterprise_row(1, name="改名")]  # an update, done then rolled back
    rows += [enterprise_row(10 + i, **{key: value}) for i, (key, value, _) in enumerate(cases)]
    rows.append(enterprise_row(2))
    state = db_state()
    result = import_rows(rows, fmt)
    assert not result.ok and not result.committed
    assert (result.created, result.updated, result.unchanged, result.changes) == (0, 0, 0, [])
    assert result.error_count == len(cases)
    for row, error, (key, value, reason) in zip(
        range(3, 3 + len(cases)), result.errors, cases, strict=True
    ):
        assert (error.row, error.column, error.value) == (row, HEADERS[key], value[:200])
        assert reason in error.reason, (key, error.reason)
        assert str(error).startswith(f"row {row}, column “{HEADERS[key]}”")
    assert [number for number, _, _ in result.error_rows] == list(range(3, 3 + len(cases)))
    assert result.error_rows[0][2] == [f"{HEADERS[cases[0][0]]}：{result.errors[0].reason}"]
    assert db_state() == state


def test_a_single_bad_row_is_the_only_error(city):
    rows = [enterprise_row(1), enterprise_row(2, district="东山区"), enterprise_row(3)]
    state = db_state()
    result = import_rows(rows)
    error = assert_error(
        result,
        row=3,
        column="所属区县",
        reason="“东山区” is not a district or county of the city.",
        value="东山区",
    )
    assert str(error) == (
        "row 3, column “所属区县” [东山区]: “东山区” is not a district or county of the city."
    )
    assert db_state() == state


def test_several_errors_in_a_row_and_in_a_file(city):
    rows = [
        enterprise_row(1, uscc="123", established_on="昨天"),
        enterprise_row(2),
        enterprise_row(3, registered_capital="-1"),
        enterprise_row(4, district="东山区", park="西山园"),
    ]
    state = db_state()
    result = import_rows(rows)
    assert result.error_count == 5
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "统一社会信用代码"),
        (2, "成立日期"),
        (4, "注册资本（万元）"),
        (5, "所属区县"),
        (5, "所属园区"),
    ]
    assert [number for number, _, _ in result.error_rows] == [2, 4, 5]
    assert len(result.error_rows[0][2]) == 2
    assert len(result.error_rows[2][2]) == 2
    assert db_state() == state


def test_same_code_twice_in_a_file(city):
    code = make_uscc(77)
    spaced = " ".join([code[:8], code[8:]]).lower()
    rows = [enterprise_row(1, uscc=code), enterprise_row(2), enterprise_row(3, uscc=spaced)]
    state = db_state()
    result = import_rows(rows)
    error = assert_error(result, row=4, column="统一社会信用代码", reason="Repeats row 2")
    assert "appears twice" in error.reason
    assert db_state() == state


def test_same_code_twice_in_different_chunks(city):
    rows = [enterprise_row(n) for n in range(1, 8)] + [enterprise_row(1, name="另一家")]
    state = db_state()
    result = import_rows(rows, chunk_size=2)
    assert_error(result, row=9, column="统一社会信用代码", reason="Repeats row 2")
    assert db_state() == state


def test_formula_cells(city):
    lines = table([enterprise_row(1), enterprise_row(2)])
    lines[2][1] = '=A3&"有限公司"'
    lines[2][4] = "=100*2"
    state = db_state()
    result = run(xlsx_bytes(lines), "企业.xlsx")
    assert result.error_count == 2
    name, capital = result.errors
    assert (name.row, name.column) == (3, "企业名称")
    assert 'holds a formula (=A3&"有限公司")' in name.reason
    assert "paste it as values" in name.reason
    assert (capital.row, capital.column, capital.value) == (3, "注册资本（万元）", "=100*2")
    assert db_state() == state


def test_cell_outside_the_header(city):
    lines = table([enterprise_row(1), enterprise_row(2)])
    lines[2] += ["", "多出来的"]
    result = run(csv_bytes(lines))
    letter = openpyxl.utils.get_column_letter(len(HEADERS) + 2)
    assert_error(
        result, row=3, column="", reason=f"Cell {letter}3 is outside the columns of the header row"
    )


@pytest.mark.parametrize(
    ("header", "column", "value", "reason"),
    [
        (
            ["统一社会信用代码", "企业名称", "所属区县", "联系电话"],
            "D",
            "联系电话",
            "Unknown column",
        ),
        (["统一社会信用代码", "企业名称", "所属区县", "名称"], "D", "名称", "appears twice"),
        (["统一社会信用代码", "企业名称"], "", "", "Required column “所属区县” is missing."),
    ],
)
def test_wrong_headers(city, header, column, value, reason):
    data = csv_bytes([header, [make_uscc(1), "南昌某公司", "南昌县", "x"][: len(header)]])
    state = db_state()
    result = run(data)
    error = assert_error(result, row=1, column=column, reason=reason)
    assert error.value == value
    assert result.rows == 0
    assert db_state() == state


def test_file_of_another_import(city):
    data = csv_bytes(table([figure_row(make_uscc(1))], FIGURE_HEADERS))
    result = run(data)
    reasons = [e.reason for e in result.errors]
    assert any("Unknown column “年月”" in r for r in reasons)
    assert "Required column “所属区县” is missing." in reasons
    assert Enterprise.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"", "企业.csv", "The file 企业.csv is empty."),
        (b"\r\n\r\n", "企业.csv", "The file 企业.csv is empty."),
        (xlsx_bytes([]), "企业.xlsx", "The file 企业.xlsx has no rows."),
        (b"\xef\xbb\xbf", "企业.csv", "The file 企业.csv has no rows."),
        (
            csv_bytes([list(HEADERS.values())]),
            "企业.csv",
            "The file 企业.csv has a header row but no data.",
        ),
        (
            xlsx_bytes([list(HEADERS.values()), [None] * len(HEADERS)]),
            "企业.xlsx",
            "The file 企业.xlsx has a header row but no data.",
        ),
        (
            csv_bytes(table([enterprise_row(1)])),
            "企业.xlsx",
            "企业.xlsx is named as an Excel workbook but its content is not an XLSX file.",
        ),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "企业.xls", "old Excel (.xls) file"),
        (b"PK\x03\x04" + bytes(100), "企业.xlsx", "cannot be opened as an XLSX workbook"),
        (bytes(range(256)) * 4, "企业.csv", "binary data"),
        (
            csv_bytes(table([enterprise_row(1)])) + b"x" * 70_000 + "南昌".encode("gbk"),
            "企业.csv",
            "is not valid UTF-8",
        ),
        (
            csv_bytes(table([enterprise_row(1, address="x" * 2_000_000)])),
            "企业.csv",
            "row 2: the CSV cannot be read",
        ),
    ],
    ids=[
        "empty",
        "blank-lines",
        "empty-xlsx",
        "bom-only",
        "header-only",
        "header-only-xlsx",
        "text-named-xlsx",
        "xls",
        "damaged-zip",
        "binary",
        "mixed-encodings",
        "cell-over-a-megabyte",
    ],
)
def test_files_that_cannot_be_imported(city, data, name, reason):
    EnterpriseFactory()
    state = db_state()
    result = run(data, name)
    error = only_error(result)
    assert error.row is None
    assert error.column == ""
    assert reason in error.reason
    assert str(error).startswith("file: ")
    assert db_state() == state


def test_bad_row_at_the_end_of_a_long_file_rolls_back_earlier_chunks(city):
    """2,500 good rows (three chunks of 1,000, the first two written before the last row
    is read), then one bad row: nothing of the file may remain."""
    existing = [EnterpriseFactory(uscc=make_uscc(1000 + n)) for n in (1, 500, 999)]
    rows = [enterprise_row(n) for n in range(1, 2501)]
    rows.append(enterprise_row(2501, established_on="2024-13-01"))
    state = db_state()
    result = import_rows(rows, chunk_size=1000)
    assert_error(result, row=2502, column="成立日期", reason="is not a date")
    assert result.rows == 2501
    assert db_state() == state
    for enterprise in existing:  # the updates of the first chunk were rolled back too
        assert Enterprise.objects.get(pk=enterprise.pk).name == enterprise.name


@pytest.mark.parametrize("fmt", ["utf-8", "xlsx"])
def test_rejected_row_in_a_later_chunk(city, fmt):
    EnterpriseFactory(uscc=make_uscc(1001), name="旧名")
    rows = [enterprise_row(n) for n in range(1, 8)]
    rows[6]["industry"] = "0000"
    state = db_state()
    result = import_rows(rows, fmt, chunk_size=2)
    assert_error(result, row=8, column="行业代码", reason="not in the classification")
    assert db_state() == state


# Enterprises: export → import -------------------------------------------------------------


@pytest.fixture
def archive(city, officer):
    """Enterprises with every kind of value an export writes."""
    # two officers of the same name: the export writes the account name
    li = UserFactory(username="officer_li", display_name="李晓燕", role=Role.OFFICER)
    UserFactory(username="officer_li2", display_name="李晓燕", role=Role.OFFICER)
    items = [
        EnterpriseFactory(
            uscc=make_uscc(1),
            name="=南昌公式科技有限公司",
            legal_representative="@王",
            registered_capital=Decimal("12345678.91"),
            address="-1号楼",
            park=city.regions["xlq"],
            main_products="+新能源汽车；=SUM(A1)",
            business_scope="第一行：汽车零部件制造\n第二行：=金属制品销售\t（依法须经批准）",
            service_officer=officer,
        ),
        EnterpriseFactory(
            uscc=make_uscc(2),
            name="江西洪都（南昌）航空配件有限公司",
            registered_capital=Decimal("0.01"),
            district=city.regions["360111"],
            park=city.regions["hkc"],
            industry=None,
            size_class="",
            above_scale=False,
            status="moved_out",
            established_on=None,
            service_officer=li,
        ),
        EnterpriseFactory(
            uscc=make_uscc(3),
            name="南昌小微电子有限公司",
            registered_capital=None,
            legal_representative="",
            address="",
            main_products="",
            business_scope="",
            size_class="micro",
            status="deregistered",
        ),
        EnterpriseFactory(
            uscc=make_uscc(4),
            name="南昌大型装备集团有限公司",
            registered_capital=Decimal("987654321098.70"),
            size_class="large",
            status="suspended",
        ),
    ]
    QualificationFactory(enterprise=items[0])
    QualificationFactory(enterprise=items[0], kind="specialized", level="provincial")
    return items


def export(user=None) -> bytes:
    buf = io.BytesIO()
    enterprise_export(buf, user=user)
    return buf.getvalue()


def test_export_then_import_changes_nothing(archive):
    data = export()
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    headers = [cell.value for cell in sheet[1]]
    assert headers == list(HEADERS.values())
    cells = {cell.value: cell for row in sheet.iter_rows(min_row=2) for cell in row}
    for text in ("=南昌公式科技有限公司", "+新能源汽车；=SUM(A1)", "@王", "-1号楼"):
        assert cells[text].data_type == "s"  # text, not a formula
    state = db_state()
    result = run(data, "企业_导出.xlsx")
    assert result.ok, [str(e) for e in result.errors]
    assert (result.rows, result.created, result.updated, result.unchanged) == (4, 0, 0, 4)
    enterprises, figures, audit_count, qualifications = db_state()
    assert (enterprises, figures, qualifications) == (state[0], state[1], state[3])
    assert audit_count == state[2] + 1
    assert _cells(export()) == _cells(data)


def _cells(data: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_export_of_a_district_imports_back_for_its_user(archive, city):
    user = UserFactory(username="qsh", role=Role.DISTRICT, region=city.regions["360111"])
    data = export(user)
    assert len(_cells(data)) == 2  # header and the one enterprise of 青山湖区
    result = services.enterprise_import(
        actor=user, fileobj=io.BytesIO(data), name="x.xlsx", dry_run=False
    )
    assert result.ok, [str(e) for e in result.errors]
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)


def test_line_breaks_from_the_web_form_survive_a_round_trip(city):
    enterprise = EnterpriseFactory(uscc=make_uscc(9))
    services.enterprise_update(
        actor=None, enterprise=enterprise, data={"business_scope": "第一行\r\n第二行"}
    )
    result = run(export(), "x.xlsx")
    assert (result.updated, result.unchanged) == (0, 1)


# Scope ----------------------------------------------------------------------------------------


@pytest.fixture
def district_user(city):
    return UserFactory(username="nanchangxian", role=Role.DISTRICT, region=city.regions["360121"])


def enterprise_import(user, rows, **kwargs):
    return services.enterprise_import(
        actor=user, fileobj=io.BytesIO(csv_bytes(table(rows))), name="企业.csv", **kwargs
    )


def test_district_user_imports_into_their_district(district_user, city):
    result = enterprise_import(district_user, [enterprise_row(1)], dry_run=False)
    assert result.ok
    enterprise = Enterprise.objects.get()
    assert enterprise.district == city.regions["360121"]
    assert AuditEntry.objects.filter(actor=district_user, action=AuditAction.CREATE).count() == 1
    assert import_entries().get().actor == district_user


def test_district_user_cannot_import_into_another_district(district_user):
    rows = [enterprise_row(1), enterprise_row(2, district="东湖区", park="")]
    state = db_state()
    result = enterprise_import(district_user, rows, dry_run=False)
    assert_error(
        result,
        row=3,
        column="所属区县",
        reason="Outside your district: you may import only 南昌县.",
        value="东湖区",
    )
    assert db_state() == state


def test_district_user_cannot_take_over_an_enterprise_of_another_district(district_user, city):
    other = EnterpriseFactory(uscc=make_uscc(1002), district=city.regions["360102"])
    rows = [enterprise_row(1), enterprise_row(2)]  # row 3 is `other`, now said to be 南昌县
    state = db_state()
    result = enterprise_import(district_user, rows, dry_run=False)
    assert_error(
        result,
        row=3,
        column="统一社会信用代码",
        reason="This enterprise is outside your scope.",
        value=other.uscc,
    )
    assert db_state() == state
    other.refresh_from_db()
    assert other.district == city.regions["360102"]


def test_park_user_imports_only_into_their_park(city):
    user = UserFactory(username="gxq", role=Role.DISTRICT, region=city.regions["gxq"])
    ok = [enterprise_row(1, district="青山湖区", park="航空城")]  # 航空城 lies in 南昌高新区
    assert enterprise_import(user, ok, dry_run=False).ok
    bad = [enterprise_row(2, district="青山湖区", park="")]
    state = db_state()
    result = enterprise_import(user, bad, dry_run=False)
    assert_error(result, row=2, column="所属园区", reason="Outside your park")
    assert db_state() == state


@pytest.mark.parametrize("role", [Role.LEADER, Role.OFFICER, Role.DEPARTMENT])
def test_users_without_import_rights(city, role):
    extra = {"department": city.departments["fgw"]} if role == Role.DEPARTMENT else {}
    user = UserFactory(username=f"u_{role}", role=role, **extra)
    with pytest.raises(PermissionDenied):
        enterprise_import(user, [enterprise_row(1)], dry_run=False)
    assert Enterprise.objects.count() == 0


# Monthly figures ----------------------------------------------------------------------------


@pytest.fixture
def companies(city):
    return [
        EnterpriseFactory(uscc=make_uscc(201), name="南昌甲（集团）有限公司"),
        EnterpriseFactory(uscc=make_uscc(202), name="南昌乙有限公司"),
    ]


@pytest.mark.parametrize("fmt", ["utf-8", "utf-8-sig", "gbk", "tsv", "xlsx"])
def test_figures_in_every_format(companies, fmt):
    a, b = companies
    rows = [
        figure_row(a.uscc, name="南昌甲(集团)有限公司"),
        figure_row(a.uscc, period="2024年4月", profit="", tax=""),
        figure_row(b.uscc.lower(), name=" 南昌乙有限公司 ", period="2024/3", employees="1,200"),
    ]
    result = import_figures(rows, fmt)
    assert result.ok, [str(e) for e in result.errors]
    assert (result.rows, result.created, result.updated, result.unchanged) == (3, 3, 0, 0)
    march = MonthlyFigure.objects.get(enterprise=a, period=dt.date(2024, 3, 1))
    assert march.output_value == Decimal("5000000.00")
    assert march.revenue == Decimal("4805000.00")
    assert march.profit == Decimal("-122500.00")
    assert march.tax == Decimal("150000.00")
    assert march.employees == 320
    assert march.electricity == Decimal("425000.0")
    april = MonthlyFigure.objects.get(enterprise=a, period=dt.date(2024, 4, 1))
    assert (april.profit, april.tax) == (None, None)
    assert MonthlyFigure.objects.get(enterprise=b).employees == 1200
    entries = AuditEntry.objects.filter(action=AuditAction.CREATE, object_id=str(a.pk))
    assert sorted(e.message for e in entries) == [
        "Monthly figures 2024-03 (import)",
        "Monthly figures 2024-04 (import)",
    ]
    assert import_entries().get().object_type == "import.figures"


def test_figure_period_formats(companies):
    formats = ["2024-03", "2024-3", "2024/03", "2024.3", "2024年3月", "202403", "2024-03-15"]
    formats += ["2024年3月1日", " 2024 年 03 月 "]
    for period in formats:
        result = import_figures([figure_row(companies[0].uscc, period=period)])
        assert result.created == 1, (period, [str(e) for e in result.errors])
        assert MonthlyFigure.objects.get().period == dt.date(2024, 3, 1)
        MonthlyFigure.objects.all().delete()


def test_figure_period_as_an_xlsx_date(companies):
    lines = table([figure_row(companies[0].uscc)], FIGURE_HEADERS)
    lines[1][2] = dt.datetime(2024, 3, 31)
    assert run(xlsx_bytes(lines), "f.xlsx", importer=MonthlyFigureImporter).ok
    assert MonthlyFigure.objects.get().period == dt.date(2024, 3, 1)


def test_same_month_twice_written_differently(companies):
    code = companies[0].uscc
    rows = [figure_row(code, period="2024-03"), figure_row(code, period="2024年3月")]
    result = import_figures(rows)
    assert_error(result, row=3, column="统一社会信用代码", reason="Repeats row 2")
    assert MonthlyFigure.objects.count() == 0


BAD_FIGURES = [
    ("uscc", make_uscc(999), "No enterprise with this code in your part of the archive"),
    ("uscc", "91360100", "has 18 characters"),
    ("name", "南昌丙有限公司", "The archive has this code as “南昌甲（集团）有限公司”."),
    ("period", "2024-13", "is not a month"),
    ("period", "", "Required; the cell is empty."),
    ("revenue", "-1", "Cannot be negative."),
    ("output_value", "五百", "is not a number"),
    ("employees", "320.5", "is not a whole number"),
    ("employees", "-3", "is outside 0–10000000"),
    ("electricity", "0.000001", "more decimal places"),
    ("electricity", "100000000000", "is too large"),  # would overflow numeric(16, 1)
    ("profit", "1e12", "is too large"),
]


@pytest.mark.parametrize("fmt", ["utf-8", "xlsx"])
def test_bad_figure_rows(companies, fmt):
    a, b = companies
    MonthlyFigureFactory(enterprise=b, period=dt.date(2024, 3, 1))
    rows = [figure_row(b.uscc, output_value="1")]  # would change b's figures
    rows += [
        figure_row(a.uscc, **{"period": f"2023-{i + 1:02d}", key: value})
        for i, (key, value, _) in enumerate(BAD_FIGURES)
    ]
    state = db_state()
    result = import_figures(rows, fmt)
    assert not result.ok
    assert result.error_count == len(BAD_FIGURES)
    for row, error, (key, value, reason) in zip(
        range(3, 3 + len(BAD_FIGURES)), result.errors, BAD_FIGURES, strict=True
    ):
        assert (error.row, error.column, error.value) == (row, FIGURE_HEADERS[key], value)
        assert reason in error.reason, (key, error.reason)
    assert db_state() == state


def test_figures_twice_and_then_changed(companies):
    a, b = companies
    rows = [figure_row(a.uscc), figure_row(b.uscc), figure_row(a.uscc, period="2024-04")]
    data = csv_bytes(table(rows, FIGURE_HEADERS))
    assert run(data, importer=MonthlyFigureImporter).created == 3
    state = db_state()
    again = run(data, importer=MonthlyFigureImporter)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert db_state()[:2] == state[:2]
    assert db_state()[2] == state[2] + 1

    rows[1] = figure_row(b.uscc, revenue="490", employees="")
    changed = import_figures(rows)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    figure = MonthlyFigure.objects.get(enterprise=b)
    assert figure.revenue == Decimal("4900000.00")
    assert figure.employees is None
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_id=str(b.pk))
    assert entry.message == "Monthly figures 2024-03 (import)"
    assert set(entry.changes) == {"revenue", "employees"}
    assert entry.changes["employees"] == [320, None]
    assert [Decimal(v) for v in entry.changes["revenue"]] == [Decimal(4805000), Decimal(4900000)]


def test_figure_columns_absent_keep_their_values(companies):
    figure = MonthlyFigureFactory(enterprise=companies[0], period=dt.date(2024, 3, 1))
    lines = [["统一社会信用代码", "月份", "营业收入"], [companies[0].uscc, "2024-03", "1"]]
    result = run(csv_bytes(lines), importer=MonthlyFigureImporter)
    assert result.updated == 1
    after = MonthlyFigure.objects.get(pk=figure.pk)
    assert after.revenue == Decimal("10000.00")
    for key in set(MONTHLY_FIELDS) - {"revenue"}:
        assert getattr(after, key) == getattr(figure, key)


def test_figures_of_keys_alone(companies):
    """A file of codes and months only: the months it names exist afterwards, with no
    figures; the ones already there are left as they are."""
    a, b = companies
    figure = MonthlyFigureFactory(enterprise=a, period=dt.date(2024, 3, 1))
    lines = [["统一社会信用代码", "月份"], [a.uscc, "2024-03"], [b.uscc, "2024-03"]]
    result = run(csv_bytes(lines), importer=MonthlyFigureImporter)
    assert (result.created, result.updated, result.unchanged) == (1, 0, 1)
    assert MonthlyFigure.objects.get(pk=figure.pk).revenue == figure.revenue
    added = MonthlyFigure.objects.get(enterprise=b, period=dt.date(2024, 3, 1))
    assert [getattr(added, key) for key in MONTHLY_FIELDS] == [None] * len(MONTHLY_FIELDS)
    assert run(csv_bytes(lines), importer=MonthlyFigureImporter).unchanged == 2


def test_figures_bad_row_in_a_later_chunk(companies):
    a, b = companies
    rows = [figure_row(a.uscc, period=f"2023-{m:02d}") for m in range(1, 13)]
    rows.append(figure_row(b.uscc, name="别的名字"))
    state = db_state()
    result = import_figures(rows, chunk_size=5)
    assert_error(result, row=14, column="企业名称", reason="The archive has this code as")
    assert db_state() == state


def test_figures_export_then_import(companies):
    for month in (1, 2, 3):
        MonthlyFigureFactory(
            enterprise=companies[0],
            period=dt.date(2024, month, 1),
            profit=Decimal("-12345.67"),
            electricity=Decimal("12345.6"),
        )
    MonthlyFigureFactory(enterprise=companies[1], tax=None, employees=None)
    buf = io.BytesIO()
    assert monthly_figure_export(buf, user=None) == 4
    state = db_state()
    result = run(buf.getvalue(), "f.xlsx", importer=MonthlyFigureImporter)
    assert result.ok, [str(e) for e in result.errors]
    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
    assert db_state()[:2] == state[:2]


def test_officer_imports_figures_of_their_enterprises_only(companies, officer):
    a, b = companies
    Enterprise.objects.filter(pk=a.pk).update(service_officer=officer)
    ok = services.monthly_figure_import(
        actor=officer,
        fileobj=io.BytesIO(csv_bytes(table([figure_row(a.uscc)], FIGURE_HEADERS))),
        name="f.csv",
        dry_run=False,
    )
    assert ok.ok
    data = csv_bytes(
        table([figure_row(a.uscc, period="2024-04"), figure_row(b.uscc)], FIGURE_HEADERS)
    )
    state = db_state()
    result = services.monthly_figure_import(
        actor=officer, fileobj=io.BytesIO(data), name="f.csv", dry_run=False
    )
    assert_error(result, row=3, column="统一社会信用代码", reason="No enterprise with this code")
    assert db_state() == state


def test_figures_import_needs_rights(companies, city):
    leader = UserFactory(username="leader", role=Role.LEADER)
    with pytest.raises(PermissionDenied):
        services.monthly_figure_import(
            actor=leader,
            fileobj=io.BytesIO(csv_bytes(table([figure_row(make_uscc(201))], FIGURE_HEADERS))),
            name="f.csv",
            dry_run=False,
        )
    assert MonthlyFigure.objects.count() == 0


def test_october_typed_as_a_number_is_not_read_as_january(companies):
    lines = table([figure_row(companies[0].uscc)], FIGURE_HEADERS)
    lines[1][2] = 2024.10
    result = run(xlsx_bytes(lines), "f.xlsx", importer=MonthlyFigureImporter)
    assert not result.ok or MonthlyFigure.objects.get().period == dt.date(2024, 10, 1)


def test_every_error_of_a_row_is_listed_at_once(city):
    """A bad date and an unknown district in one row: both are reported, not one per upload."""
    result = import_rows([enterprise_row(31, established_on="2020-13-01", district="火星区")])
    columns = {error.column for error in result.errors if error.row == 2}
    assert {"成立日期", "所属区县"} <= columns
    assert Enterprise.objects.count() == 0
