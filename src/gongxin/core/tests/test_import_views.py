"""The web import: upload → job page → summary; dry run then commit; the error workbook;
the template; who may import. Jobs run inline in tests (GONGXIN_IMPORT_SYNC)."""

import io
import re
from urllib.parse import unquote

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.test import Client

from gongxin.core.choices import AuditAction, Role
from gongxin.core.models import AuditEntry, ImportJob
from gongxin.core.tests.factories import UserFactory
from gongxin.enterprises.columns import ENTERPRISE_COLUMNS, FIGURE_COLUMNS
from gongxin.enterprises.models import Enterprise, MonthlyFigure
from gongxin.enterprises.tests.factories import EnterpriseFactory
from gongxin.enterprises.tests.tabular_files import (
    FIGURE_HEADERS,
    HEADERS,
    city_for_module,
    csv_bytes,
    enterprise_row,
    figure_row,
    table,
    xlsx_bytes,
)

JOB_URL = re.compile(r"^/import-jobs/([0-9a-f-]{36})/$")


@pytest.fixture(scope="module")
def _module_city(django_db_setup, django_db_blocker):
    yield from city_for_module(django_db_blocker)


@pytest.fixture
def city(_module_city, db):
    return _module_city


def client_for(user) -> Client:
    """A browser whose user picked English in the language switcher (stable messages)."""
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def admin(city):
    return UserFactory(username="admin1", role=Role.ADMIN)


@pytest.fixture
def web(admin):
    return client_for(admin)


def upload(client, data: bytes, name: str, *, kind="enterprises", dry_run=False):
    file = io.BytesIO(data)
    file.name = name
    payload = {"file": file}
    if dry_run:
        payload["dry_run"] = "on"
    return client.post(f"/imports/{kind}/", payload)


def job_of(response) -> ImportJob:
    assert response.status_code == 302, response.content[:500]
    match = JOB_URL.match(response["Location"])
    assert match, response["Location"]
    return ImportJob.objects.get(pk=match.group(1))


def good_file() -> bytes:
    return csv_bytes(table([enterprise_row(n) for n in (1, 2, 3)]), encoding="gbk")


def test_dry_run_then_commit(web, admin, city):
    audit_before = AuditEntry.objects.count()
    job = job_of(upload(web, good_file(), "企业名单.csv", dry_run=True))
    assert job.dry_run
    assert job.status == ImportJob.Status.DONE
    assert (job.rows, job.created, job.error_count, job.committed) == (3, 3, 0, False)
    assert Enterprise.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before

    page = web.get(f"/import-jobs/{job.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Dry run: 3 rows; 3 would be created, 0 changed, 0 unchanged." in html
    assert "GB18030" in html  # the encoding that was detected
    assert f'action="/import-jobs/{job.pk}/commit/"' in html
    assert "南昌测试1号精密制造有限公司" in html  # what would change
    # each change named as the user reads it: the field's name, a district by its name
    district = Enterprise._meta.get_field("district")
    assert f"District: — → {city.regions['360121'].name}" in html
    assert "district:" not in html and district.attname + ":" not in html

    committed = job_of(web.post(f"/import-jobs/{job.pk}/commit/"))
    assert committed.pk != job.pk
    assert not committed.dry_run
    assert committed.committed
    assert (committed.created, committed.original_name) == (3, "企业名单.csv")
    assert Enterprise.objects.count() == 3
    entry = AuditEntry.objects.get(action=AuditAction.IMPORT)
    assert entry.actor == admin
    assert entry.object_repr == "企业名单.csv"
    html = web.get(f"/import-jobs/{committed.pk}/").content.decode()
    assert "3 rows imported: 3 created, 0 changed, 0 unchanged." in html
    assert "/commit/" not in html

    # committing the same check twice (a double click) imports nothing more
    again = job_of(web.post(f"/import-jobs/{job.pk}/commit/"))
    assert (again.created, again.unchanged) == (0, 3)
    assert Enterprise.objects.count() == 3


def test_import_without_dry_run(web):
    job = job_of(upload(web, xlsx_bytes(table([enterprise_row(1)])), "企业.xlsx"))
    assert job.committed
    assert job.result["format"] == "xlsx"
    assert Enterprise.objects.get().uscc == enterprise_row(1)["uscc"]
    # the htmx poll gets the status fragment only
    fragment = web.get(f"/import-jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="job-status"')
    assert "1 rows imported: 1 created" in fragment


def test_errors_are_listed_and_downloadable(web):
    rows = [enterprise_row(1), enterprise_row(2, district="东山区"), enterprise_row(3)]
    rows[2]["name"] = '=HYPERLINK("http://example.com")'
    rows.append(enterprise_row(4, address="路" * 40_000))
    job = job_of(upload(web, csv_bytes(table(rows)), "企业名单.csv"))
    assert job.status == ImportJob.Status.DONE
    assert (job.error_count, job.committed, job.created) == (2, False, 0)
    assert Enterprise.objects.count() == 0
    assert [(e["row"], e["column"]) for e in job.result["errors"]] == [
        (3, "所属区县"),
        (5, "注册地址"),
    ]

    html = web.get(f"/import-jobs/{job.pk}/").content.decode()
    assert "2 error(s); nothing was imported." in html
    assert "“东山区” is not a district or county of the city." in html
    assert f"/import-jobs/{job.pk}/errors.xlsx" in html
    assert "/commit/" not in html

    response = web.get(f"/import-jobs/{job.pk}/errors.xlsx")
    assert response.status_code == 200
    disposition = unquote(response["Content-Disposition"])
    assert "企业名单_错误报告.xlsx" in disposition
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    rows_read = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows_read[0] == ["Row", *HEADERS.values(), "Errors"]
    assert [r[0] for r in rows_read[1:]] == [3, 5]
    third = rows_read[1]
    assert third[1] == enterprise_row(2)["uscc"]
    assert third[-1] == "所属区县：“东山区” is not a district or county of the city."
    assert rows_read[2][-1].startswith("注册地址：The cell has 40000 characters")
    # a failed check cannot be committed
    assert web.post(f"/import-jobs/{job.pk}/commit/").status_code == 403
    assert ImportJob.objects.count() == 1


def test_error_report_of_a_row_with_control_characters(web):
    rows = [enterprise_row(1, name="南昌\x07公司"), enterprise_row(2)]
    job = job_of(upload(web, csv_bytes(table(rows)), "企业.csv"))
    assert job.status == ImportJob.Status.DONE  # not FAILED: the report could be written
    assert job.error_count == 1
    response = web.get(f"/import-jobs/{job.pk}/errors.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["C2"].value == "南昌\ufffd公司"
    assert "U+0007" in sheet.cell(row=2, column=sheet.max_column).value


def test_file_that_cannot_be_read(web):
    job = job_of(upload(web, good_file(), "企业.xlsx"))
    assert job.error_count == 1
    html = web.get(f"/import-jobs/{job.pk}/").content.decode()
    assert "企业.xlsx is named as an Excel workbook but its content is not an XLSX file." in html
    book = openpyxl.load_workbook(
        io.BytesIO(b"".join(web.get(f"/import-jobs/{job.pk}/errors.xlsx").streaming_content))
    )
    assert book.active["B1"].value == "Errors"
    assert "is named as an Excel workbook" in book.active["B2"].value


def test_figures_upload(web):
    enterprise = EnterpriseFactory(uscc=enterprise_row(1)["uscc"])
    data = csv_bytes(table([figure_row(enterprise.uscc)], FIGURE_HEADERS), encoding="utf-8-sig")
    job = job_of(upload(web, data, "月报.csv", kind="figures"))
    assert job.committed
    assert job.result["encoding"] == "utf-8-sig"
    assert MonthlyFigure.objects.get().enterprise == enterprise


@pytest.mark.parametrize(
    ("kind", "columns", "filename"),
    [
        ("enterprises", ENTERPRISE_COLUMNS, "企业信息导入模板.xlsx"),
        ("figures", FIGURE_COLUMNS, "企业月度数据导入模板.xlsx"),
    ],
)
def test_template_download(web, kind, columns, filename):
    response = web.get(f"/imports/{kind}/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert filename in unquote(response["Content-Disposition"])
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    data_sheet, help_sheet = book.worksheets
    assert [cell.value for cell in data_sheet[1]] == [c.header for c in columns]
    assert data_sheet.max_row == 1
    assert help_sheet.title == "Instructions"
    assert [row[0].value for row in help_sheet.iter_rows(min_row=2)][: len(columns)] == [
        c.header for c in columns
    ]


def test_the_form_page(web):
    response = web.get("/imports/enterprises/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert "/imports/enterprises/template.xlsx" in html


def test_upload_without_a_file_or_too_large(web, settings):
    assert web.post("/imports/enterprises/", {}).status_code == 400
    settings.GONGXIN_IMPORT_MAX_BYTES = 100
    response = upload(web, good_file(), "企业.csv")
    assert response.status_code == 400
    assert "the limit is" in response.content.decode()
    assert ImportJob.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "kind", "allowed"),
    [
        (Role.STAFF, "enterprises", True),
        (Role.LEADER, "enterprises", False),
        (Role.LEADER, "figures", False),
        (Role.OFFICER, "enterprises", False),
        (Role.OFFICER, "figures", True),
        (Role.DEPARTMENT, "enterprises", False),
    ],
)
def test_who_may_import(city, settings, role, kind, allowed):
    extra = {"department": city.departments["fgw"]} if role == Role.DEPARTMENT else {}
    client = client_for(UserFactory(username=f"u_{role}", role=role, **extra))
    expected = 200 if allowed else 403
    assert client.get(f"/imports/{kind}/").status_code == expected
    assert client.get(f"/imports/{kind}/template.xlsx").status_code == expected
    response = upload(client, good_file(), "企业.csv", kind=kind, dry_run=True)
    assert response.status_code == (302 if allowed else 403)
    assert ImportJob.objects.count() == (1 if allowed else 0)
    stored = (
        list(settings.GONGXIN_IMPORT_DIR.glob("*")) if settings.GONGXIN_IMPORT_DIR.exists() else []
    )
    assert bool(stored) == allowed  # a refused upload is not kept
    assert Enterprise.objects.count() == 0


def test_anonymous_and_unknown_kind(web, city):
    anonymous = client_for(None)
    response = anonymous.get("/imports/enterprises/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert upload(anonymous, good_file(), "企业.csv").status_code == 302
    assert ImportJob.objects.count() == 0
    assert web.get("/imports/companies/").status_code == 404
    assert web.get("/imports/companies/template.xlsx").status_code == 404


def test_jobs_of_other_users_are_hidden(web, city):
    bad = csv_bytes(table([enterprise_row(1, district="东山区")]))
    job = job_of(upload(web, bad, "企业.csv"))
    checked = job_of(upload(web, good_file(), "企业.csv", dry_run=True))
    other = client_for(UserFactory(username="staff2", role=Role.STAFF))
    assert other.get(f"/import-jobs/{job.pk}/").status_code == 404
    assert other.get(f"/import-jobs/{job.pk}/errors.xlsx").status_code == 404
    assert other.post(f"/import-jobs/{checked.pk}/commit/").status_code == 404
    assert Enterprise.objects.count() == 0
    # an administrator sees every job but commits only their own
    other_admin = client_for(UserFactory(username="admin2", role=Role.ADMIN))
    assert other_admin.get(f"/import-jobs/{job.pk}/").status_code == 200
    assert other_admin.post(f"/import-jobs/{checked.pk}/commit/").status_code == 403
    assert Enterprise.objects.count() == 0
