"""The demand pages: an enterprise registers through the portal; its text is shown
escaped; the desk dispatches from the page; a stale page gets the conflict message; the
inbox's query count does not grow with the demands."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongxin.demands import services
from gongxin.demands.choices import Action, Source
from gongxin.demands.models import Demand
from gongxin.demands.tests.test_loop import people  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_an_enterprise_registers_and_its_text_is_shown_escaped(client, people):  # noqa: F811
    client.force_login(people["enterprise"])
    response = client.post(
        reverse("demands:demand_create"),
        {
            "title": "招工<script>alert(1)</script>",
            "text": "需要普工50名\n<b>急</b>",
            "urgency": "normal",
            "category": "",
        },
    )
    demand = Demand.objects.get()
    assert response["Location"] == reverse("demands:demand_detail", args=[demand.pk])
    assert (demand.enterprise, demand.source, demand.category) == (
        people["_enterprise"],
        Source.PORTAL,
        "labour",
    )
    page = client.get(response["Location"]).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "&lt;b&gt;急&lt;/b&gt;" in page and "需要普工50名<br>" in page


def test_the_desk_dispatches_and_a_stale_page_is_told(client, people):  # noqa: F811
    demand = services.demand_register(
        actor=people["enterprise"],
        enterprise=people["_enterprise"],
        title="用地",
        text="扩建需用地30亩",
        source=Source.PORTAL,
    )
    client.force_login(people["desk"])
    url = reverse("demands:demand_detail", args=[demand.pk])
    page = client.get(url)
    assert [a for a, _label in page.context["actions"]] == [Action.DISPATCH]
    data = {"action": "dispatch", "version": demand.version, "lead": people["_rsj"].pk}
    assert client.post(url, data).status_code == 302
    stale = client.post(url, data)
    assert stale.status_code == 422
    assert "已派发" in stale.content.decode()
    missing = services.demand_register(
        actor=people["enterprise"],
        enterprise=people["_enterprise"],
        title="x",
        text="y",
        source=Source.PORTAL,
    )
    response = client.post(
        reverse("demands:demand_detail", args=[missing.pk]),
        {"action": "dispatch", "version": missing.version},
    )
    assert response.status_code == 422 and "牵头部门" in response.content.decode()


def test_out_of_scope_demands_are_not_found(client, people):  # noqa: F811
    demand = services.demand_register(
        actor=people["enterprise"],
        enterprise=people["_enterprise"],
        title="用电",
        text="增容",
        source=Source.PORTAL,
    )
    for role in ("other_enterprise", "other_district", "lead"):
        client.force_login(people[role])
        assert client.get(reverse("demands:demand_detail", args=[demand.pk])).status_code == 404


@pytest.mark.parametrize("tab", ["mine", "all", "overdue"])
def test_the_inbox_query_count_does_not_grow(client, people, tab):  # noqa: F811
    def add(n):
        for i in range(n):
            services.demand_register(
                actor=people["enterprise"],
                enterprise=people["_enterprise"],
                title=f"诉求{i}",
                text="融资贷款",
                source=Source.PORTAL,
                at=None,
            )

    client.force_login(people["desk"])
    url = reverse("demands:inbox") + f"?tab={tab}"
    add(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(20)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert len(many) == len(few)
    if tab != "overdue":
        assert len(page.context["rows"]) == 22
