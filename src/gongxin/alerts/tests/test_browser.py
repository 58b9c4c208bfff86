"""End-to-end: the leadership opens the cockpit and finds its charts drawn, goes to a
district's version and to the large screen; a service officer finds a warning on their
list, starts a visit from it and records it — the warning then shows the visit. Headless
Chromium (Debian's package, through Playwright), no JavaScript errors."""

import datetime as dt
from decimal import Decimal

import pytest

from gongxin.alerts.models import Alert
from gongxin.alerts.services import alerts_sweep
from gongxin.core.choices import Role
from gongxin.core.tests.clock import TODAY
from gongxin.core.tests.factories import UserFactory
from gongxin.core.tests.test_browser import _login, page  # noqa: F401  (fixture)
from gongxin.demands.models import Visit
from gongxin.enterprises.models import MonthlyFigure
from gongxin.enterprises.tests.factories import EnterpriseFactory
from gongxin.indicators.rollup import rollup_rebuild

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = Decimal


def _world(city):
    officer = UserFactory(
        username="bgd", role=Role.OFFICER, password="Officer-pass-2026", display_name="包联干部甲"
    )
    UserFactory(username="ld", role=Role.LEADER, password="Leader-pass-2026")
    falling = EnterpriseFactory(
        name="青云谱精密铸造有限公司",
        district=city.regions["360104"],
        above_scale=True,
        service_officer=officer,
    )
    steady = EnterpriseFactory(
        name="新建区电子材料有限公司", district=city.regions["360112"], above_scale=True
    )
    today = TODAY.replace(day=1)
    last = (today - dt.timedelta(days=1)).replace(day=1)
    for year in (last.year - 1, last.year):
        for m in range(1, last.month + 1):
            period = dt.date(year, m, 1)
            down = year == last.year and m == last.month
            MonthlyFigure.objects.create(
                enterprise=falling,
                period=period,
                output_value=D(5_000_000 if down else 9_000_000),
                electricity=D(100_000),
            )
            MonthlyFigure.objects.create(
                enterprise=steady, period=period, output_value=D(20_000_000)
            )
    rollup_rebuild()
    alerts_sweep(tell=False)
    return falling


def test_the_cockpit_and_a_warning_followed_up_by_a_visit(city, page, live_server):  # noqa: F811
    falling = _world(city)
    alert = Alert.objects.get(rule="output_drop")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    _login(page, live_server, "ld", "Leader-pass-2026")
    page.click("nav.menu >> text=驾驶舱")
    page.wait_for_selector("#cockpit-trend[data-rendered]")
    assert page.get_attribute("#cockpit-trend", "data-rendered") == "2"
    assert page.get_attribute("#cockpit-districts", "data-rendered") == "2"
    assert "产值同比下降超20%" in page.inner_text("main")
    page.click("main table a >> text=青云谱区")
    page.wait_for_selector("h1:has-text('青云谱区')")
    page.click("text=大屏模式")
    page.wait_for_selector("#cockpit-alerts[data-rendered]")
    assert page.get_attribute("#cockpit-alerts", "data-rendered") == "5"
    page.click("text=退出大屏")
    page.click("form.inline button.link")  # log out

    _login(page, live_server, "bgd", "Officer-pass-2026")
    page.click("nav.menu >> text=运行预警")
    assert "青云谱精密铸造有限公司" in page.inner_text("main table")
    page.click("main table >> text=发起走访")
    assert "跟进预警" in page.inner_text("main")
    page.fill("textarea[name=seen]", "订单下滑，一条产线停产检修。")
    page.click("main form button.primary")
    page.wait_for_selector("text=走访已记录")
    visit = Visit.objects.get(enterprise=falling)
    alert.refresh_from_db()
    assert alert.visit == visit
    page.click("nav.menu >> text=运行预警")
    assert visit.visited_on.isoformat() in page.inner_text("main table")
    assert errors == []
