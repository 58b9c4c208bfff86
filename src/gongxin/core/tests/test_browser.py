"""End-to-end: a person signs in, searches the archive, opens a file with its charts,
imports a bad file and a good one, and switches the language — in headless Chromium.

Drives Debian's chromium through Playwright's executable_path (no browser download)."""

import datetime as dt
import os
import shutil
from decimal import Decimal

import pytest

from gongxin.core.choices import Role
from gongxin.core.tests.factories import UserFactory
from gongxin.enterprises.tests.factories import EnterpriseFactory, MonthlyFigureFactory, make_uscc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
# itself (building data) are synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture
def page(live_server):
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is needed for browser tests: apt-get install -y chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()
        # ORM calls made while Playwright's loop runs get connections of their own context;
        # close them here, or the test database could not be dropped at the end.
        from django.db import connections

        connections.close_all()


@pytest.fixture
def archive(city):
    staff = UserFactory(username="clerk", role=Role.STAFF, password="Clerk-pass-2026")
    battery = EnterpriseFactory(
        name="江西赣澜新能源科技有限公司（演示）",
        main_products="锂电池用隔膜材料、储能电芯",
        business_scope="锂离子电池及隔膜材料的研发、生产和销售",
    )
    EnterpriseFactory(name="南昌示例针纺服饰有限公司（演示）", main_products="针织运动服")
    for year in (2024, 2025):
        for month in range(1, 13):
            MonthlyFigureFactory(
                enterprise=battery,
                period=dt.date(year, month, 1),
                output_value=Decimal(4_000_000 + month * 100_000 + (year - 2024) * 500_000),
            )
    return staff, battery


def _login(page, live_server, username, password):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_sign_in_search_and_open_a_file(archive, page, live_server, tmp_path):
    staff, battery = archive
    _login(page, live_server, "clerk", "Clerk-pass-2026")
    assert "企业" in page.inner_text("main")

    page.click("nav.menu >> text=企业档案")
    page.fill("input[name=q]", "锂电池 隔膜")
    page.click("#filters button.primary")
    rows = page.locator("main table tbody tr")
    assert rows.count() == 1
    assert battery.name in rows.first.inner_text()

    rows.first.locator("a").first.click()
    page.wait_for_selector("#trend-chart canvas")
    assert battery.uscc in page.inner_text("main")
    assert page.locator("#figure-tabs button").count() == 6
    page.screenshot(path=str(tmp_path / "enterprise.png"), full_page=True)


def test_import_a_bad_file_then_a_good_one(archive, page, live_server, tmp_path):
    _login(page, live_server, "clerk", "Clerk-pass-2026")
    header = "统一社会信用代码,企业名称,所属区县,行业代码\n"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        (
            header
            + f"{make_uscc(900)},甲公司（演示）,南昌县,3670\n91360100MA3500001X,乙,南昌县,3670\n"
        ).encode("gbk")
    )
    page.goto(f"{live_server.url}/imports/enterprises/")
    page.set_input_files("input[type=file]", str(bad))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=错误")
    text = page.inner_text("main")
    assert "3" in text and "统一社会信用代码" in text and "校验" in text
    assert page.locator("a[href$='errors.xlsx']").count() == 1

    good = tmp_path / "good.csv"
    good.write_bytes(
        (header + f"{make_uscc(901)},丙公司（演示）,南昌县,3670\n").encode("utf-8-sig")
    )
    page.goto(f"{live_server.url}/imports/enterprises/")
    page.set_input_files("input[type=file]", str(good))
    page.click("main button[type=submit]")
    page.click("text=立即导入")
    page.wait_for_selector("text=1 行已导入")
    from gongxin.enterprises.models import Enterprise

    assert Enterprise.objects.filter(uscc=make_uscc(901)).exists()


def test_switch_to_english(archive, page, live_server):
    _login(page, live_server, "clerk", "Clerk-pass-2026")
    with page.expect_navigation():
        page.select_option("header select[name=language]", "en")
    assert "Enterprises" in page.inner_text("nav.menu")
