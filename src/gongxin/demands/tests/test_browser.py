"""End-to-end in headless Chromium: an enterprise submits a demand with an attachment
through the portal, the desk dispatches it, the lead department resolves it, the
enterprise rates the answer; the board and the statistics chart show it; an officer
records a visit that raises a demand."""

import pytest
from django.utils import timezone

from gongxin.core.choices import Role
from gongxin.core.tests.factories import UserFactory
from gongxin.core.tests.test_browser import page  # noqa: F401  (fixture)
from gongxin.demands.models import Demand, Visit
from gongxin.enterprises.tests.factories import EnterpriseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Demo-pass-2026"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def cast(city, settings):
    settings.GONGXIN_DEMAND_DESK = "yxc"
    officer = UserFactory(username="officer", role=Role.OFFICER, password=PASSWORD)
    enterprise = EnterpriseFactory(name="南昌示例精密机械有限公司（演示）", service_officer=officer)
    return {
        "enterprise": enterprise,
        "ent": UserFactory(username="ent", role=Role.ENTERPRISE, enterprise=enterprise,
                           password=PASSWORD),
        "desk": UserFactory(username="desk", role=Role.STAFF, password=PASSWORD,
                            department=city.departments["yxc"]),
        "lead": UserFactory(username="rsj", role=Role.DEPARTMENT, password=PASSWORD,
                            department=city.departments["rsj"]),
        "officer": officer,
    }


def _as(page, live_server, username):  # noqa: F811
    """Sign in as `username` (an enterprise user lands on its own file, others at home)."""
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("header .who")


def test_a_demand_goes_round_the_loop_in_the_browser(
    cast, page, live_server, tmp_path  # noqa: F811
):
    url = live_server.url
    _as(page, live_server, "ent")
    page.goto(f"{url}/demands/new/")
    page.fill("input[name=title]", "数控技工招不到人")
    page.fill(
        "textarea[name=text]", "新上两台加工中心，急需数控车工12名，<b>请协助</b>对接职业院校。"
    )
    attachment = tmp_path / "用工需求表.pdf"
    attachment.write_bytes(PDF)
    page.set_input_files("input[name=attachments]", str(attachment))
    page.click("button.primary")
    page.wait_for_url(f"{url}/demands/*/")
    demand = Demand.objects.get()
    assert demand.category == "labour" and demand.attachments.count() == 1
    assert "<b>请协助</b>" in page.inner_text(".demand-text")  # shown as text, not markup
    link = page.locator(".card ul a", has_text="用工需求表.pdf")  # and in the history
    download = page.request.get(url + link.get_attribute("href"))
    assert download.ok and download.body() == PDF

    _as(page, live_server, "desk")
    page.goto(f"{url}/demands/")
    page.click("text=数控技工招不到人")
    page.select_option("select[name=lead]", str(cast["lead"].department_id))
    page.click("button[value=dispatch]")
    page.wait_for_selector(".messages")
    assert "已派发" in page.inner_text("h1")

    _as(page, live_server, "rsj")
    page.goto(f"{url}/demands/{demand.pk}/")
    page.click("button[value=accept]")
    page.wait_for_selector(".messages")
    page.fill("textarea[name=text]", "已对接市技师学院，推荐数控专业毕业生15名面试。")
    page.click("button[value=resolve]")
    page.wait_for_selector(".messages")
    demand.refresh_from_db()
    assert demand.status == "resolved"

    _as(page, live_server, "ent")
    page.goto(f"{url}/enterprises/{cast['enterprise'].pk}/")
    assert "待评价" in page.inner_text("body")
    page.click("text=数控技工招不到人")
    page.select_option("select[name=rating]", "satisfied")
    page.click("button[value=rate]")
    page.wait_for_selector(".messages")
    demand.refresh_from_db()
    assert (demand.status, demand.rating) == ("rated", "satisfied")

    _as(page, live_server, "desk")
    page.goto(f"{url}/demands/board/")
    assert "数控技工招不到人" in page.inner_text(".board")
    page.goto(f"{url}/demands/statistics/?by=category")
    page.wait_for_selector("#stats-chart canvas")
    assert "100.0%" in page.inner_text(".stats")  # closure and satisfaction


def test_an_officer_records_a_visit_that_raises_a_demand(cast, page, live_server):  # noqa: F811
    url = live_server.url
    _as(page, live_server, "officer")
    page.goto(f"{url}/visits/new/?enterprise={cast['enterprise'].pk}")
    assert page.input_value("input[name=enterprise]") == cast["enterprise"].name
    assert page.input_value("input[name=visited_on]") == timezone.localdate().isoformat()
    page.fill("textarea[name=seen]", "二期厂房已封顶，设备下月进场。")
    page.fill("input[name=demands-0-title]", "新厂房用电增容")
    page.fill("textarea[name=demands-0-text]", "二期投产需增容2000千伏安，希望供电公司提前介入。")
    page.click("details.factor >> nth=0")
    page.select_option("select[name=demands-0-factor_kind]", "energy")
    page.fill("input[name=demands-0-factor_detail]", "电力增容")
    page.fill("input[name=demands-0-factor_quantity]", "3000000")
    page.click("button.primary")
    page.wait_for_url(f"{url}/visits/*/")
    visit = Visit.objects.get()
    demand = Demand.objects.get(visit=visit)
    assert (demand.source, demand.category, demand.factor.kind) == ("visit", "energy", "energy")
    assert "新厂房用电增容" in page.inner_text("body")
