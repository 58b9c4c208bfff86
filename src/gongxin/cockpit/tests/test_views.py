"""The cockpit page, the large screen and the briefing downloads: who reads which area,
the figures and the links behind them, the files' types and names, and query counts that
do not grow with the enterprises, projects and warnings."""

from __future__ import annotations

import io
from decimal import Decimal

import docx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from gongxin.alerts.choices import Rule
from gongxin.chains.models import ChainNode, EnterpriseNode
from gongxin.core.views import DOCX, XLSX, attachment
from gongxin.indicators.rollup import rollup_rebuild
from gongxin.indicators.tests.factories import (
    MARCH,
    enterprise_make,
    figure_add,
    figures_of,
)

from .conftest import alert_add, login, month, plan_add, project_add

pytestmark = pytest.mark.django_db

D = Decimal
PAGE = reverse("cockpit:cockpit")
SCREEN = reverse("cockpit:screen")
BRIEFING = reverse("cockpit:briefing")
URLS = [PAGE, SCREEN, BRIEFING, f"{BRIEFING}?annex=1"]


# --- who reads which area --------------------------------------------------------------------


def test_a_leader_reads_the_city_and_picks_a_district(client, world, users, city):
    login(client, users["leader"])

    response = client.get(PAGE, {"month": "2025-03"})
    assert response.status_code == 200
    cockpit = response.context["cockpit"]
    assert cockpit.region is None and cockpit.month == MARCH
    assert [d.code for d in response.context["districts"]][:3] == ["360102", "360103", "360104"]

    response = client.get(PAGE, {"month": "2025-03", "region": "360112"})
    assert response.context["cockpit"].region == city.regions["360112"]
    assert response.context["region_code"] == "360112"
    assert response.context["cockpit"].reading("output_value").to_date == 630_000_000
    # an unknown area is the city
    assert client.get(PAGE, {"region": "nowhere"}).context["cockpit"].region is None


@pytest.mark.parametrize("url", [PAGE, SCREEN])
def test_a_district_user_reads_their_own_district_whatever_they_ask(
    client, world, users, city, url
):
    login(client, users["district"])
    for region in ("", "360112", "nowhere"):
        response = client.get(url, {"month": "2025-03", "region": region})
        assert response.status_code == 200
        cockpit = response.context["cockpit"]
        assert cockpit.region == city.regions["360111"]
        assert cockpit.reading("output_value").to_date == 585_000_000
    assert response.context["districts"] == []  # no area to pick


@pytest.mark.parametrize("who", ["officer", "enterprise"])
@pytest.mark.parametrize("url", URLS)
def test_officers_and_enterprises_are_refused(client, world, users, who, url):
    login(client, users[who])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", URLS)
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- the page and the large screen -----------------------------------------------------------


@pytest.fixture
def full(world, projects, alerts, users):
    """The world with its projects (2 red) and open warnings (4)."""
    return world


def test_the_page_shows_the_figures_and_the_lists_behind_them(client, full, users):
    login(client, users["leader"])
    response = client.get(PAGE, {"month": "2025-03"})
    text = response.content.decode()

    assert response.status_code == 200
    assert "<b>12.15</b>" in text  # output value to date, 亿元
    assert "<b>9.72</b>" in text  # revenue
    assert "+12.5%" in text
    assert 'href="/indicators/?scope=city&amp;month=2025-03&amp;indicator=output_value"' in text
    assert f'href="{reverse("projects:project_list")}?health=red"' in text
    assert f'href="{reverse("alerts:alert_list")}?rule=output_drop&amp;status=open"' in text
    assert f'href="{reverse("chains:chain_detail", args=["ev"])}"' in text
    assert f'href="{BRIEFING}?month=2025-03"' in text
    assert f'href="{BRIEFING}?month=2025-03&amp;annex=1"' in text
    assert f'href="{SCREEN}?month=2025-03"' in text
    assert "?region=360112&amp;month=2025-03" in text  # the districts' table
    chart = response.context["chart"]
    assert chart["health"] == {"green": 1, "yellow": 1, "red": 2}
    assert chart["chains"] == [{"name": "新能源汽车", "value": 7.68, "growth": 10.3}]
    assert chart["districts"] == [
        {"name": "新建区", "value": 6.3},
        {"name": "青山湖区", "value": 5.85},
    ]
    assert chart["trend"][1] == {"year": 2025, "values": [3.8, 4.05, 4.3] + [None] * 9}
    assert {a["value"] for a in chart["alerts"]} == {0, 1}
    assert sum(a["value"] for a in chart["alerts"]) == 4


def test_a_districts_page_links_to_the_districts_lists(client, full, users):
    login(client, users["leader"])
    text = client.get(PAGE, {"month": "2025-03", "region": "360111"}).content.decode()

    assert f'href="{reverse("projects:project_list")}?health=red&amp;district=360111"' in text
    assert (
        f'href="{reverse("alerts:alert_list")}?rule=project_behind&amp;status=open'
        '&amp;district=360111"'
    ) in text
    assert f'href="{BRIEFING}?month=2025-03&amp;region=360111"' in text
    assert "scope=360111&amp;month=2025-03&amp;indicator=output_value" in text
    assert "<b>5.85</b>" in text


def test_a_zones_page_links_to_the_zones_projects(client, full, users):
    login(client, users["park"])
    response = client.get(PAGE, {"month": "2025-03"})
    text = response.content.decode()
    assert response.context["project_area"] == "park=gxq"
    assert response.context["alert_area"] == ""
    assert f'href="{reverse("projects:project_list")}?health=red&amp;park=gxq"' in text


def test_the_large_screen(client, full, users):
    login(client, users["leader"])
    response = client.get(SCREEN, {"month": "2025-03"})
    text = response.content.decode()

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "cockpit/screen.html"
    assert '<meta http-equiv="refresh" content="300">' in text
    assert "<b>12.15</b>" in text
    assert "<b>4</b>" in text  # projects and open warnings
    assert f'href="{reverse("alerts:alert_list")}?status=open"' in text
    assert f'href="{reverse("projects:project_list")}"' in text
    assert f'href="{PAGE}?month=2025-03"' in text  # back to the page
    assert 'id="cockpit-data"' in text


def test_a_malformed_month_shows_the_latest_reported(client, world, users):
    login(client, users["leader"])
    for value in ("2025-13", "March", ""):
        assert client.get(PAGE, {"month": value}).context["cockpit"].month == MARCH


# --- the downloads ---------------------------------------------------------------------------


def test_the_briefing_downloads_as_a_word_document(client, full, users):
    login(client, users["leader"])
    response = client.get(BRIEFING, {"month": "2025-03"})

    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    assert response["Content-Disposition"] == attachment("南昌市工业经济运行简报-202503.docx")
    assert response["Content-Disposition"] == (
        "attachment; filename*=UTF-8''"
        "%E5%8D%97%E6%98%8C%E5%B8%82%E5%B7%A5%E4%B8%9A%E7%BB%8F%E6%B5%8E"
        "%E8%BF%90%E8%A1%8C%E7%AE%80%E6%8A%A5-202503.docx"
    )
    document = docx.Document(io.BytesIO(response.content))
    assert document.paragraphs[1].text == "2025年第3期"


def test_a_districts_briefing_is_named_after_it(client, full, users):
    login(client, users["district_d"])
    response = client.get(BRIEFING, {"month": "2025-02", "region": "360111"})
    assert response["Content-Disposition"] == attachment("新建区工业经济运行简报-202502.docx")
    document = docx.Document(io.BytesIO(response.content))
    assert document.paragraphs[0].text == "新建区工业经济运行简报"
    assert document.paragraphs[1].text == "2025年第2期"


def test_the_annex_downloads_as_a_workbook(client, full, users):
    login(client, users["leader"])
    response = client.get(BRIEFING, {"month": "2025-03", "annex": "1"})

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == attachment("南昌市工业经济运行简报-202503附表.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "主要指标"
    assert len(book.sheetnames) == 6


# --- query counts ----------------------------------------------------------------------------


def more_of_everything(city, world, n: int = 6) -> None:
    """`n` more enterprises in each district of the world, with figures, on the chain, with
    projects (and their months), plans and open warnings; the totals rebuilt."""
    node = ChainNode.objects.filter(chain=world["chain"]).first()
    for i in range(n):
        for district in ("360111", "360112"):
            enterprise = enterprise_make(city.regions, district, name=f"扩展{district}企业{i}")
            for m in (1, 2, 3):
                figure_add(enterprise, month(2024, m), **figures_of(10 + i))
                figure_add(enterprise, month(2025, m), **figures_of(12 + i))
            EnterpriseNode.objects.create(enterprise=enterprise, node=node, status="confirmed")
            project = project_add(
                f"扩展项目{district}-{i}",
                city.regions[district],
                enterprise=enterprise,
                health=("red", "yellow", "green")[i % 3],
                stage=("signed", "started", "producing")[i % 3],
                completed=10_000_000,
                months={month(2025, 1): (5_000_000, 4_000_000)},
            )
            plan_add(enterprise, items=[("planned", month(2025, 1)), ("done", month(2025, 2))])
            alert_add(Rule.OUTPUT_DROP, enterprise=enterprise)
            alert_add(Rule.PROJECT_BEHIND, project=project)
    rollup_rebuild()


def count(client, url, params) -> int:
    client.get(url, params)  # the demands' daily sums are refreshed on the first read
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


#: The city page's queries: session and user (2); the targets, the province's figures and
#: the catalogue (3); one per indicator and one more for the ratio (8); the trend (1); the
#: districts and their regions (2); the chains' totals, targets, enterprises, rows and
#: leaders (5); the projects by stage, their total and their months (3); the demands' stale
#: days (3, in a savepoint), sums, overdue, labels and hot words (4); plans and their items
#: (2); warnings (1); the menu's notifications (1); the districts to pick (1); the session
#: saved (3). A district has no districts' table nor chain targets (-3), a district user no
#: districts to pick (-1), the large screen no menu.
PINNED = {
    ("leader", PAGE, ""): 41,  # two for the plans put into practice
    ("leader", PAGE, "360111"): 36,
    ("district", PAGE, ""): 35,
    ("leader", SCREEN, ""): 40,
}


@pytest.mark.parametrize(("who", "url", "region"), list(PINNED))
def test_the_query_count_does_not_grow_with_the_archive(
    client, city, full, demands, users, who, url, region
):
    login(client, users[who])
    params = {"month": "2025-03", "region": region}
    few = count(client, url, params)
    before = client.get(url, params).context["cockpit"]

    more_of_everything(city, full)
    many = count(client, url, params)
    after = client.get(url, params).context["cockpit"]

    assert after.projects.total["projects"] > before.projects.total["projects"]
    assert after.alerts_total > before.alerts_total
    assert after.reading("output_value").to_date > before.reading("output_value").to_date
    assert after.chains[0].enterprises > before.chains[0].enterprises
    assert many == few == PINNED[(who, url, region)]


def listed(client, href: str) -> int:
    response = client.get(href.replace("&amp;", "&"))
    assert response.status_code == 200
    return response.context["paginator"].count


def links(client, region) -> tuple[dict, dict]:
    """The cockpit's red projects and open warnings by rule, and as many in the lists its
    links lead to."""
    response = client.get(PAGE, {"month": "2025-03", "region": region})
    cockpit, context = response.context["cockpit"], response.context
    text = response.content.decode()
    project_area, alert_area = context["project_area"], context["alert_area"]
    hrefs = {"red": f"{reverse('projects:project_list')}?health=red"}
    hrefs["red"] += f"&amp;{project_area}" if project_area else ""
    for rule in Rule.values:
        hrefs[rule] = f"{reverse('alerts:alert_list')}?rule={rule}&amp;status=open"
        hrefs[rule] += f"&amp;{alert_area}" if alert_area else ""
    assert all(f'href="{href}"' in text for href in hrefs.values())
    shown = {"red": cockpit.projects.total["red"]}
    shown.update({rule: cockpit.alerts.get(rule, 0) for rule in Rule.values})
    return shown, {key: listed(client, href) for key, href in hrefs.items()}


@pytest.mark.parametrize(
    ("who", "region"), [("leader", ""), ("leader", "360111"), ("district", "")]
)
def test_the_figures_link_to_lists_of_as_many(client, full, users, who, region):
    login(client, users[who])
    shown, found = links(client, region)
    assert found == shown
    assert shown["red"] > 0 and shown["project_behind"] > 0


def test_a_zones_red_projects_link_to_a_list_of_as_many(client, full, users, city):
    regions = city.regions
    project_add("航空城项目", regions["360111"], park=regions["hkc"], health="red")  # in gxq
    project_add("高新区项目", regions["360111"], park=regions["gxq"], health="red")
    login(client, users["park"])
    shown, found = links(client, "")
    assert shown["red"] == 2
    assert found["red"] == shown["red"]
