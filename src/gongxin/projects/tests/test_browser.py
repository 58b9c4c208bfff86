"""End-to-end: division staff open the key projects from the menu, filter the late ones,
open one and find its investment chart drawn, record a month's progress, then look at the
timeline (Gantt), the statistics and a park's land chart — with no JavaScript errors, in
headless Chromium (Debian's package, through Playwright)."""

from decimal import Decimal

import pytest

from gongxin.core.choices import Role
from gongxin.core.tests.factories import UserFactory
from gongxin.core.tests.test_browser import _login, page  # noqa: F401  (fixture)
from gongxin.enterprises.tests.factories import EnterpriseFactory
from gongxin.projects import services
from gongxin.projects.models import ProjectMonth
from gongxin.projects.tests.parks_world import land, month
from gongxin.projects.tests.test_pages import months_ago

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = Decimal


def test_staff_follow_a_late_project_and_its_park(city, page, live_server):  # noqa: F811
    regions = city.regions
    UserFactory(username="jgc", role=Role.STAFF, password="Staff-pass-2026")
    owner = EnterpriseFactory(name="小蓝汽车零部件有限公司", district=regions["360121"])
    late = services.project_save(
        actor=None,
        project=None,
        data={
            "name": "汽车零部件智能化技术改造项目",
            "project_type": "tech_upgrade",
            "enterprise": owner,
            "park": regions["xlq"],
            "planned_investment": D("60000000"),
        },
        steps={"signed": (months_ago(9), months_ago(9)), "started": (months_ago(4), None)},
    )
    for n in (3, 2):
        services.month_save(
            actor=None,
            project=late,
            month=months_ago(n),
            data={"planned": D("5000000"), "completed": D("1000000")},
        )
    land(regions["xlq"], month(months_ago(13).year, 12), "30000", "24000", "20000")
    land(regions["xlq"], months_ago(1), "30000", "25000", "21000")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _login(page, live_server, "jgc", "Staff-pass-2026")

    page.click("nav.menu >> text=重点项目")
    page.select_option("select[name=health]", "red")
    page.click("form#filters button")
    assert "汽车零部件智能化技术改造项目" in page.inner_text("main table")
    assert "开工计划于" in page.inner_text("main table")  # why it is red
    page.click("text=汽车零部件智能化技术改造项目")
    page.wait_for_selector("#investment-chart[data-rendered]")
    assert page.get_attribute("#investment-chart", "data-rendered") == "2"

    # the last month's progress, as the responsible staff report it
    page.fill("#months input[name=month]", f"{months_ago(1):%Y-%m}")
    page.fill("#months input[name=planned_wan]", "500")
    page.fill("#months input[name=completed_wan]", "450")
    page.fill("#months input[name=equipment_wan]", "200")
    page.fill("#months input[name=progress]", "设备安装调试")
    page.click("#months button")
    page.wait_for_selector("text=月度进度已保存")
    stored = ProjectMonth.objects.get(project=late, month=months_ago(1))
    assert (stored.completed, stored.equipment) == (D("4500000"), D("2000000"))

    page.click("nav.tabs >> text=进度甘特图")
    page.wait_for_selector("#timeline-chart[data-rendered]")
    assert page.get_attribute("#timeline-chart", "data-rendered") == "1"
    page.click("nav.tabs >> text=统计")
    page.wait_for_selector("#statistics-chart[data-rendered]")
    page.click("nav.tabs >> text=园区与标准厂房")
    page.click("text=南昌小蓝经济技术开发区")
    page.wait_for_selector("#land-chart[data-rendered]")
    assert page.get_attribute("#land-chart", "data-rendered") == "2"
    assert errors == []
