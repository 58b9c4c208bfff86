"""`gongxin import`, `gongxin export` and `gongxin token`, run as management commands.

`gongxin import` exits with status 0 when every row is valid (and committed), 1 when any
row is rejected, printing one line per error (file, row, column, cell, reason); nothing is
written then.
"""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from gongxin.core.choices import AuditAction, Role
from gongxin.core.models import ApiToken, AuditEntry
from gongxin.core.tabular.registry import IMPORTS
from gongxin.core.tests.factories import UserFactory
from gongxin.enterprises.columns import ENTERPRISE_COLUMNS, FIGURE_COLUMNS
from gongxin.enterprises.models import Enterprise, MonthlyFigure
from gongxin.enterprises.tests.factories import (
    EnterpriseFactory,
    MonthlyFigureFactory,
    QualificationFactory,
    make_uscc,
)
from gongxin.enterprises.tests.tabular_files import (
    FIGURE_HEADERS,
    city_for_module,
    csv_bytes,
    enterprise_row,
    figure_row,
    table,
    xlsx_bytes,
)


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


def gongxin(*args) -> tuple[int, list[str]]:
    """Run a command; (exit status, lines printed)."""
    out = io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=io.StringIO())
        status = 0
    except SystemExit as exc:
        status = exc.code
    return status, out.getvalue().splitlines()


def write(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def state():
    return (
        list(Enterprise.objects.order_by("pk").values()),
        list(MonthlyFigure.objects.order_by("pk").values()),
        AuditEntry.objects.count(),
    )


# gongxin import -----------------------------------------------------------------------------


def test_import_enterprises(city, tmp_path):
    path = write(tmp_path, "企业.csv", csv_bytes(table([enterprise_row(n) for n in (1, 2, 3)])))
    status, lines = gongxin("import", "enterprises", path)
    assert status == 0
    assert lines == ["3 rows imported: 3 created, 0 changed, 0 unchanged."]
    assert Enterprise.objects.count() == 3
    entry = AuditEntry.objects.get(action=AuditAction.IMPORT)
    assert (entry.actor, entry.actor_name, entry.object_repr) == (None, "system", "企业.csv")
    # every entry of the run carries the same request id
    request_ids = set(AuditEntry.objects.values_list("request_id", flat=True))
    assert len(request_ids) == 1
    assert request_ids != {""}


def test_import_xlsx_twice(city, tmp_path):
    path = write(tmp_path, "企业.xlsx", xlsx_bytes(table([enterprise_row(n) for n in (1, 2)])))
    assert gongxin("import", "enterprises", path)[0] == 0
    before = state()
    status, lines = gongxin("import", "enterprises", path)
    assert status == 0
    assert lines == ["2 rows imported: 0 created, 0 changed, 2 unchanged."]
    assert state()[:2] == before[:2]
    assert state()[2] == before[2] + 1


def test_dry_run(city, tmp_path):
    EnterpriseFactory(uscc=enterprise_row(1)["uscc"])
    path = write(tmp_path, "企业.csv", csv_bytes(table([enterprise_row(n) for n in (1, 2, 3)])))
    before = state()
    status, lines = gongxin("import", "enterprises", path, "--dry-run")
    assert status == 0
    assert lines == ["Dry run: 3 rows; 2 would be created, 1 changed, 0 unchanged."]
    assert state() == before


@pytest.mark.parametrize("dry_run", [False, True])
def test_rejected_rows_exit_1_with_one_line_per_error(city, tmp_path, dry_run):
    rows = [
        enterprise_row(1),
        enterprise_row(2, district="东山区"),
        enterprise_row(3),
        enterprise_row(4, uscc=make_uscc(4)[:-1] + "I", registered_capital="-5"),
    ]
    path = write(tmp_path, "企业.csv", csv_bytes(table(rows)))
    before = state()
    status, lines = gongxin("import", "enterprises", path, *(["--dry-run"] if dry_run else []))
    assert status == 1
    bad_code = make_uscc(4)[:-1] + "I"
    assert lines == [
        "企业.csv: row 3, column “所属区县” [东山区]: "
        "“东山区” is not a district or county of the city.",
        f"企业.csv: row 5, column “统一社会信用代码” [{bad_code}]: “{bad_code}” contains "
        "characters a unified social credit code cannot have "
        "(only digits and capital letters except I, O, Z, S, V).",
        "企业.csv: row 5, column “注册资本（万元）” [-5]: Cannot be negative.",
        "3 error(s); nothing was imported.",
    ]
    assert state() == before


def test_file_that_cannot_be_read_exits_1(city, tmp_path):
    path = write(tmp_path, "企业.xlsx", b"not a workbook, just text\n")
    status, lines = gongxin("import", "enterprises", path)
    assert status == 1
    assert lines[0] == (
        "企业.xlsx: file: 企业.xlsx is named as an Excel workbook but its content is not an "
        "XLSX file."
    )
    assert Enterprise.objects.count() == 0


def test_many_errors_are_all_counted(city, tmp_path):
    rows = [enterprise_row(n, district="东山区") for n in range(1, 1101)]
    path = write(tmp_path, "企业.csv", csv_bytes(table(rows)))
    status, lines = gongxin("import", "enterprises", path)
    assert status == 1
    assert len(lines) == 1000 + 2  # the first 1,000 errors, the rest counted, the summary
    assert lines[-2] == "… 100 more errors"
    assert lines[-1] == "1100 error(s); nothing was imported."


def test_import_figures(city, tmp_path):
    a = EnterpriseFactory(uscc=make_uscc(201))
    rows = [figure_row(a.uscc), figure_row(a.uscc, period="2024-04")]
    path = write(tmp_path, "月报.csv", csv_bytes(table(rows, FIGURE_HEADERS), encoding="gbk"))
    status, lines = gongxin("import", "figures", path)
    assert status == 0
    assert lines == ["2 rows imported: 2 created, 0 changed, 0 unchanged."]
    assert MonthlyFigure.objects.filter(enterprise=a).count() == 2


def test_import_figures_of_an_unknown_enterprise(city, tmp_path):
    path = write(
        tmp_path, "月报.csv", csv_bytes(table([figure_row(make_uscc(999))], FIGURE_HEADERS))
    )
    status, lines = gongxin("import", "figures", path)
    assert status == 1
    assert lines[0].startswith(f"月报.csv: row 2, column “统一社会信用代码” [{make_uscc(999)}]: ")
    assert "No enterprise with this code" in lines[0]
    assert MonthlyFigure.objects.count() == 0


def test_import_as_a_user_applies_their_scope(city, tmp_path):
    UserFactory(username="dh", role=Role.DISTRICT, region=city.regions["360102"])
    path = write(tmp_path, "企业.csv", csv_bytes(table([enterprise_row(1)])))  # 南昌县
    status, lines = gongxin("import", "enterprises", path, "--user", "dh")
    assert status == 1
    assert "Outside your district: you may import only 东湖区." in lines[0]
    assert Enterprise.objects.count() == 0


def test_import_usage_errors(city, tmp_path):
    path = write(tmp_path, "企业.csv", csv_bytes(table([enterprise_row(1)])))
    with pytest.raises(CommandError, match="Unknown import 'companies'; choose from"):
        gongxin("import", "companies", path)
    with pytest.raises(CommandError, match="no such file"):
        gongxin("import", "enterprises", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="No active user 'nobody'"):
        gongxin("import", "enterprises", path, "--user", "nobody")
    assert Enterprise.objects.count() == 0


# gongxin export -----------------------------------------------------------------------------


def test_export_enterprises_and_import_back(city, tmp_path):
    officer = UserFactory(username="officer_wang", display_name="王建华", role=Role.OFFICER)
    items = [
        EnterpriseFactory(uscc=make_uscc(1), service_officer=officer, park=city.regions["xlq"]),
        EnterpriseFactory(uscc=make_uscc(2), name="=南昌（公式）有限公司", main_products="+汽车"),
        EnterpriseFactory(uscc=make_uscc(3), registered_capital=None, industry=None),
    ]
    QualificationFactory(enterprise=items[0])
    path = str(tmp_path / "out" / "企业.xlsx")
    status, lines = gongxin("export", "enterprises", path)
    assert status == 0
    assert lines == [f"3 rows written to {path}"]
    sheet = openpyxl.load_workbook(path).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == template_headers("enterprises") == [c.header for c in ENTERPRISE_COLUMNS]
    assert [r[0] for r in rows[1:]] == sorted(e.uscc for e in items)
    assert rows[2][1] == "=南昌（公式）有限公司"
    before = state()
    status, lines = gongxin("import", "enterprises", path)
    assert status == 0
    assert lines == ["3 rows imported: 0 created, 0 changed, 3 unchanged."]
    assert state()[:2] == before[:2]


def template_headers(kind: str) -> list[str]:
    """The headers of the import template the web UI offers for `kind`."""
    buf = io.BytesIO()
    IMPORTS[kind].write_template(buf)
    return [cell.value for cell in openpyxl.load_workbook(buf).active[1]]


def test_export_figures_and_import_back(city, tmp_path):
    MonthlyFigureFactory(enterprise=EnterpriseFactory(uscc=make_uscc(5)))
    path = str(tmp_path / "月报.xlsx")
    assert gongxin("export", "figures", path) == (0, [f"1 rows written to {path}"])
    headers = [c.value for c in openpyxl.load_workbook(path).active[1]]
    assert headers == template_headers("figures") == [c.header for c in FIGURE_COLUMNS]
    assert gongxin("import", "figures", path) == (
        0,
        ["1 rows imported: 0 created, 0 changed, 1 unchanged."],
    )


def test_export_as_a_user_writes_their_part(city, tmp_path):
    EnterpriseFactory(uscc=make_uscc(1), district=city.regions["360102"])
    EnterpriseFactory(uscc=make_uscc(2))
    UserFactory(username="dh", role=Role.DISTRICT, region=city.regions["360102"])
    path = str(tmp_path / "东湖.xlsx")
    assert gongxin("export", "enterprises", path, "--user", "dh")[0] == 0
    sheet = openpyxl.load_workbook(path).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == [make_uscc(1)]


def test_export_usage_errors(city, tmp_path):
    with pytest.raises(CommandError, match="must end in .xlsx"):
        gongxin("export", "enterprises", str(tmp_path / "企业.csv"))
    with pytest.raises(CommandError, match="Unknown export 'companies'"):
        gongxin("export", "companies", str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match="No active user"):
        gongxin("export", "enterprises", str(tmp_path / "x.xlsx"), "--user", "nobody")
    assert not list(tmp_path.glob("*.xlsx"))


# gongxin token ------------------------------------------------------------------------------


def test_token_authenticates_the_api(city):
    user = UserFactory(username="api_user", role=Role.STAFF)
    enterprise = EnterpriseFactory(uscc=make_uscc(1))
    status, lines = gongxin("token", "api_user", "--name", "数据中台")
    assert status == 0
    assert len(lines) == 1
    token = lines[0]
    assert token.startswith("gx_")
    stored = ApiToken.objects.get(user=user)
    assert stored.name == "数据中台"
    assert stored.digest == ApiToken.hash(token)
    assert token not in (stored.prefix, stored.digest)  # only a hash is kept
    assert AuditEntry.objects.filter(action=AuditAction.TOKEN, actor=user).count() == 1

    client = Client()
    response = client.get("/api/v1/enterprises", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert [item["uscc"] for item in response.json()["items"]] == [enterprise.uscc]
    assert client.get("/api/v1/enterprises").status_code == 401
    wrong = client.get("/api/v1/enterprises", HTTP_AUTHORIZATION=f"Bearer {token}x")
    assert wrong.status_code == 401


def test_token_for_an_unknown_or_inactive_user(city):
    UserFactory(username="gone", is_active=False)
    for username in ("nobody", "gone"):
        with pytest.raises(CommandError, match="No active user"):
            gongxin("token", username)
    assert ApiToken.objects.count() == 0
