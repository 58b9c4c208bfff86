"""End-to-end: a chain office opens its chain's page, switches through the maps (产业链图,
技术路线图, 应用领域图, 区域分布图, 招商图) and finds each drawn, with no JavaScript errors,
in headless Chromium (Debian's package, through Playwright)."""

import datetime as dt
from decimal import Decimal

import pytest

from gongxin.chains.models import (
    ApplicationField,
    Platform,
    Prospect,
    TechTarget,
    TechTask,
)
from gongxin.chains.tests.test_views import build_chain
from gongxin.core.choices import Role
from gongxin.core.tests.factories import UserFactory
from gongxin.core.tests.test_browser import _login, page  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chain_page_draws_the_chain_map(city, page, live_server):  # noqa: F811
    chain = build_chain("vr", leaves=3, placed=3)
    office = UserFactory(username="vr-office", role=Role.CHAIN_OFFICE, password="Office-pass-2026")
    chain.office_members.add(office)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _login(page, live_server, "vr-office", "Office-pass-2026")
    page.click("nav.menu >> text=产业链")
    page.click(f"text={chain.name}")
    page.wait_for_selector("#chain-map[data-rendered]")
    assert page.get_attribute("#chain-map", "data-rendered") == str(chain.nodes.count())
    assert page.locator("#chain-map canvas").count() == 1
    assert page.locator("text=产业链图").count() >= 1
    with page.expect_download() as download:
        page.click("#map-svg")
    assert download.value.suggested_filename.endswith(".svg")
    assert errors == []


MAPS = ("chain", "roadmap", "application", "regional", "attraction")


def test_switching_through_the_maps(city, page, live_server):  # noqa: F811
    chain = build_chain("vr", leaves=3, placed=3)
    leaves = list(chain.nodes.filter(parent__isnull=False).order_by("pk"))
    task = TechTask.objects.create(
        chain=chain, node=leaves[0], name="光波导量产", kind="key", deadline=dt.date(2027, 12, 31)
    )
    TechTarget.objects.create(task=task, year=2026, target="良率 60%")
    TechTarget.objects.create(task=task, year=2027, target="良率 80%")
    Platform.objects.create(
        chain=chain,
        node=leaves[0],
        name="测试光学研究院",
        kind="key_lab",
        level="provincial",
        host="测试光学研究院",
        recognised_in=2021,
    )
    field = ApplicationField.objects.create(chain=chain, name="消费电子")
    field.nodes.set([leaves[0], leaves[-1]])
    prospect = Prospect.objects.create(
        chain=chain,
        name="深圳测试光学有限公司",
        province="广东省",
        city="深圳市",
        size_class="large",
        revenue=Decimal(3_000_000_000),
        source="expo",
        stage="contact",
        stage_on=dt.date(2026, 5, 1),
    )
    prospect.nodes.set([leaves[1]])
    office = UserFactory(username="vr-maps", role=Role.CHAIN_OFFICE, password="Office-pass-2026")
    chain.office_members.add(office)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _login(page, live_server, "vr-maps", "Office-pass-2026")
    page.goto(f"{live_server.url}/chains/{chain.code}/")
    for name in MAPS:
        page.click(f'[data-show-map="{name}"]')
        holder = f'.chain-map[data-map="{name}"]'
        page.wait_for_selector(f"{holder}[data-rendered]")
        assert page.locator(f"{holder} canvas").count() == 1, name
        assert page.is_visible(holder), name
        assert page.get_attribute(f'[data-show-map="{name}"]', "aria-selected") == "true"
        with page.expect_download() as download:
            page.click("#map-png")
        assert download.value.suggested_filename.endswith(".png"), name
    # The other maps are hidden while one is shown.
    assert not page.is_visible('.chain-map[data-map="chain"]')
    assert errors == []
