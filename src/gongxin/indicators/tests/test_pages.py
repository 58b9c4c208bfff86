"""Who reads indicators and for which scopes (selectors), and the indicators page: the
catalogue with its values, the chart, the districts' shares, scope fall-backs, and a query
count that does not grow with the enterprises and their monthly figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongxin.chains.models import Chain, ChainNode, EnterpriseNode
from gongxin.core.choices import Role
from gongxin.core.tests.clock import TODAY
from gongxin.core.tests.factories import UserFactory
from gongxin.indicators import selectors
from gongxin.indicators.models import Target
from gongxin.indicators.tests.factories import enterprise_make, figure_add, figures_of, month

pytestmark = pytest.mark.django_db

D = Decimal
URL = reverse("indicators:overview")

DISTRICT_CODES = ["360102", "360103", "360104", "360111", "360112", "360113", "360121"]
DISTRICT_CODES += ["360123", "360124"]
PARK_CODES = ["gxq", "jkq", "xlq", "shq", "xjq", "qshq", "jxq", "ayq", "lkq", "vrkcc", "hkc"]


def login(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def users(city):
    regions = city.regions
    e = enterprise_make(regions, "360121")
    return {
        "leader": UserFactory(role=Role.LEADER),
        "staff": UserFactory(role=Role.STAFF),
        "officer": UserFactory(role=Role.OFFICER),
        "district": UserFactory(role=Role.DISTRICT, region=regions["360111"]),
        "zone": UserFactory(role=Role.DISTRICT, region=regions["gxq"]),
        "park": UserFactory(role=Role.DISTRICT, region=regions["vrkcc"]),
        "enterprise": UserFactory(role=Role.ENTERPRISE, enterprise=e),
    }


def keys(scopes) -> list[str]:
    return [s.key for s in scopes]


# --- selectors ---------------------------------------------------------------------------


def test_officials_read_indicators_and_enterprises_do_not(users):
    assert all(
        selectors.indicators_can_read(users[name])
        for name in ("leader", "staff", "officer", "district", "park")
    )
    assert not selectors.indicators_can_read(users["enterprise"])
    users["staff"].is_active = False
    assert not selectors.indicators_can_read(users["staff"])
    assert selectors.scopes_for(users["enterprise"]) == []
    with pytest.raises(PermissionDenied):
        selectors.scope_for(users["enterprise"], "city")


def test_staff_read_the_city_each_district_park_and_top_level_chain(users):
    ev = Chain.objects.create(code="ev", name="新能源汽车")
    Chain.objects.create(code="battery", name="动力电池", parent=ev)  # a sub-chain
    Chain.objects.create(code="vr", name="虚拟现实")
    for name in ("leader", "staff", "officer"):
        scopes = selectors.scopes_for(users[name])
        assert keys(scopes) == ["city", *DISTRICT_CODES, *PARK_CODES, "chain:ev", "chain:vr"]
    staff = users["staff"]
    assert selectors.scope_for(staff, None).key == "city"
    assert selectors.scope_for(staff, "chain:vr").chain.name == "虚拟现实"
    assert selectors.scope_for(staff, "hkc").region.name == "南昌航空城"
    assert selectors.scope_for(staff, "chain:battery").key == "city"  # not offered
    assert selectors.scope_for(staff, "nowhere").key == "city"


def test_a_district_user_reads_its_district_and_its_parks_only(users):
    user = users["district"]
    scopes = keys(selectors.scopes_for(user))
    assert scopes[0] == "360111"
    assert sorted(scopes[1:]) == ["gxq", "hkc", "qshq"]  # 航空城 lies in 高新区
    assert selectors.scope_for(user, "qshq").key == "qshq"
    for outside in ("city", "360112", "jkq", "chain:ev", None):
        assert selectors.scope_for(user, outside).key == "360111"


def test_a_park_user_reads_its_park_and_the_parks_inside_it(users):
    assert keys(selectors.scopes_for(users["zone"])) == ["gxq", "hkc"]
    assert selectors.scope_for(users["zone"], "360111").key == "gxq"
    assert keys(selectors.scopes_for(users["park"])) == ["vrkcc"]
    assert selectors.scope_for(users["park"], "city").key == "vrkcc"


# --- the page ----------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_log_in(client, city):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_enterprise_users_are_refused(client, users):
    assert login(client, users["enterprise"]).get(URL).status_code == 403


def test_the_page_shows_the_catalogue_with_the_citys_values(client, users, world, indicators):
    Target.objects.create(
        indicator=indicators["output_value"], year=2025, level=D(4_860_000_000), growth=D(10)
    )
    response = login(client, users["staff"]).get(URL)
    assert response.status_code == 200
    context = response.context
    assert context["month"] == dt.date(2025, 3, 1)  # the latest month reported
    assert context["scope"].key == "city"
    assert context["chosen"].code == "output_value"
    rows = {
        r.indicator.code: (r.month_shown, r.month_growth, r.to_date_shown, r.to_date_growth)
        for r in context["readings"]
    }
    assert rows == {
        "output_value": (D("4.3"), D("7.5"), D("12.15"), D("12.5")),
        "revenue": (D("3.44"), D("7.5"), D("9.72"), D("12.5")),
        "profit": (D("0.215"), D("7.5"), D("0.6075"), D("12.5")),
        "tax": (D("0.129"), D("7.5"), D("0.3645"), D("12.5")),
        "electricity": (D("0.043"), D("7.5"), D("0.1215"), D("12.5")),
        "employees": (D("0.043"), D("7.5"), D("0.0405"), D("12.5")),
        "profit_margin": (D("6.25"), D(0), D("6.25"), D(0)),
    }
    text = response.content.decode()
    for name in (
        "规上工业总产值",
        "规上工业营业收入",
        "规上工业利润总额",
        "规上工业税收",
        "规上工业用电量",
        "规上工业从业人员（月均）",
        "营业收入利润率",
    ):
        assert name in text
    assert "12.15" in text and "4.30" in text and "3 months" in text
    assert "48.60" in text and "growth 10.0%" in text  # the target
    assert "25.0%" in text and "+2.5 points" in text  # progress and gap
    assert 'value="2025-03"' in text

    # the chart: three years of months in 亿元
    chart = context["chart"]
    assert chart["unit"] == "亿元"
    assert chart["years"] == [
        {"year": 2023, "values": [None] * 12},
        {"year": 2024, "values": [3.2, 3.6, 4.0] + [None] * 9},
        {"year": 2025, "values": [3.8, 4.05, 4.3] + [None] * 9},
    ]
    assert 'id="indicator-data"' in text

    # the districts' years to date, which add up to the city's
    parts = [(p["region"].code, p["to_date"], p["growth"]) for p in context["parts"]]
    assert parts == [
        ("360111", 5.85, D(75) * 100 / D(510)),
        ("360112", 6.3, D(60) * 100 / D(570)),
    ]
    assert sum(D(str(p[1])) for p in parts) == D("12.15")
    assert "青山湖区" in text and "5.85" in text and "14.7" in text


def test_the_page_reads_a_chain_for_a_chosen_month_and_indicator(client, users, world):
    response = login(client, users["staff"]).get(
        URL, {"scope": "chain:ev", "month": "2025-02", "indicator": "profit_margin"}
    )
    assert response.status_code == 200
    context = response.context
    assert context["scope"].chain == world["chain"]
    assert context["month"] == dt.date(2025, 2, 1)
    assert context["chosen"].code == "profit_margin"
    assert context["parts"] == []  # shares are the city's only
    first = context["readings"][0]
    assert first.to_date_shown == D("6.2")  # A and D: 100 + 200 + 110 + 210 million
    assert context["chart"]["years"][2]["values"] == [6.25] * 3 + [None] * 9  # the whole year
    assert "新能源汽车" in response.content.decode()


def test_a_month_not_understood_falls_back_to_the_latest(client, users, world):
    response = login(client, users["staff"]).get(URL, {"month": "2025-13", "indicator": "x"})
    assert response.context["month"] == dt.date(2025, 3, 1)
    assert response.context["chosen"].code == "output_value"


def test_the_page_without_figures_shows_dashes(client, users):
    response = login(client, users["leader"]).get(URL)
    assert response.status_code == 200
    assert response.context["month"] == TODAY.replace(day=1)
    assert all(r.to_date is None for r in response.context["readings"])
    assert response.context["parts"] == []
    assert "—" in response.content.decode()


def test_a_district_user_sees_only_its_district(client, users, world):
    login(client, users["district"])
    response = client.get(URL, {"scope": "360112"})
    assert response.status_code == 200
    assert response.context["scope"].key == "360111"
    assert response.context["parts"] == []
    assert response.context["readings"][0].to_date_shown == D("5.85")
    text = response.content.decode()
    for shown in ("360111", "gxq", "qshq", "hkc"):
        assert f'<option value="{shown}"' in text
    for hidden in ("city", "360112", "jkq", "chain:ev"):
        assert f'<option value="{hidden}"' not in text
    zone = client.get(URL, {"scope": "gxq"})
    assert zone.context["readings"][0].to_date_shown == D("4.95")


def test_the_districts_shares_follow_the_rule_of_comparable_months(client, users, city):
    e = enterprise_make(city.regions, "360121")
    for m in (1, 2, 3):
        figure_add(e, month(2025, m), output_value=D(100_000_000))
    for m in (2, 3):  # January 2024 not reported
        figure_add(e, month(2024, m), output_value=D(100_000_000))
    response = login(client, users["staff"]).get(URL)
    assert response.context["readings"][0].to_date_growth is None  # the city: no growth
    (part,) = response.context["parts"]
    assert part["growth"] is None  # the view gives 50 (300 million against 200)


# --- query counts ------------------------------------------------------------------------


def small_world(regions) -> None:
    e = enterprise_make(regions, "360121", "xlq")
    figure_add(e, month(2025, 3), **figures_of(10))
    chain = Chain.objects.create(code="ev", name="新能源汽车")
    node = ChainNode.objects.create(chain=chain, name="电池", segment="midstream", kind="component")
    EnterpriseNode.objects.create(enterprise=e, node=node, status="confirmed")


def large_world(regions) -> None:
    node = ChainNode.objects.get(chain__code="ev")
    codes = ["360102", "360111", "360111", "360121", "360123"]
    parks = [None, "gxq", "hkc", "xlq", "ayq"]
    for n in range(20):
        e = enterprise_make(regions, codes[n % 5], parks[n % 5], above_scale=n % 7 != 0)
        for year in (2023, 2024, 2025):
            for m in range(1, 13 if year < 2025 else 4):
                figure_add(e, month(year, m), **figures_of(n + m))
        EnterpriseNode.objects.create(
            enterprise=e, node=node, status="confirmed" if n % 2 else "suggested"
        )
    Chain.objects.create(code="vr", name="虚拟现实")


#: The page's queries for the city: session and user (2), the latest month (1), the scopes
#: (3, and 3 again for the list), the targets (1), the province's figures (1, the city
#: only), the catalogue (1), one per indicator and
#: one more for the ratio (8), the chart (1), the districts' shares and their regions (2),
#: the notifications of the menu (1) and the session saved (3). A chain has no shares; a
#: zone looks up the parks inside it on each read (+9); a district user's second list of
#: scopes reuses its region (-1).
PINNED = {
    ("staff", ""): 27,
    ("staff", "chain:ev"): 24,
    ("district", "gxq"): 32,
}


@pytest.mark.parametrize(("who", "scope"), list(PINNED))
def test_the_query_count_does_not_grow_with_the_figures(client, users, city, who, scope):
    login(client, users[who])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"scope": scope, "month": "2025-03"})
        assert response.status_code == 200
        return len(queries)

    small_world(city.regions)
    few = count()
    large_world(city.regions)
    many = count()
    assert few == many
    assert many == PINNED[(who, scope)]
