"""End-to-end: a chain office opens its chain's page and finds the chain map drawn, with
no JavaScript errors, in headless Chromium (Debian's package, through Playwright)."""

import pytest

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
