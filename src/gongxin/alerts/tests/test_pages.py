"""The early-warning list page (/alerts/): who may open it, what it shows by default, its
filters and counts by rule, the link that starts a visit, a number of queries that does
not grow with the warnings; and the visit form started from a warning, which records the
visit and links it to the warning in one transaction."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongxin.alerts.choices import AlertStatus, Rule
from gongxin.alerts.models import Alert
from gongxin.alerts.tests.factories import (
    RAISED,
    AlertFactory,
    project_make,
)
from gongxin.core.choices import Role
from gongxin.core.models import AuditEntry
from gongxin.core.tests.factories import UserFactory
from gongxin.demands.models import Demand, Visit
from gongxin.enterprises.tests.factories import (
    EnterpriseFactory,
    QualificationFactory,
    make_uscc,
)
from gongxin.enterprises.tests.helpers import DISTRICT_A, DISTRICT_B

pytestmark = pytest.mark.django_db

URL = reverse("alerts:alert_list")
VISITED_ON = dt.date(2026, 3, 12)


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def browser(world, name):
    return english(world.client(name))


def visit_make(enterprise, by) -> Visit:
    """A visit already recorded (written directly: the visit service refuses days after
    today, and these tests keep to fixed days)."""
    return Visit.objects.create(
        enterprise=enterprise,
        visited_on=VISITED_ON,
        seen="产线正常运转",
        recorded_by=by,
        recorded_at=RAISED,
    )


@pytest.fixture
def listed(world):
    """Warnings of a (district A, served by `officer`) and of b (district B, `officer_b`):

    name        rule                     about                      status  official
    drop_a      output_drop              a                          open    officer
    behind      project_behind           a's project                open    official
    visited     electricity_drop         a, visited                 open    officer
    missing_b   no_figures               b                          open    officer_b
    expiring_b  qualification_expiring  b's certificate            open    officer_b
    cleared_b   output_drop              b                          closed  officer_b
    """
    a, b = world.a, world.b
    project = project_make("航空零部件扩产项目", enterprise=a, official=world.users["official"])
    qualification = QualificationFactory(
        enterprise=b,
        kind="specialized_sme",
        issued_on=dt.date(2023, 5, 1),
        expires_on=dt.date(2026, 4, 30),
    )
    return SimpleNamespace(
        project=project,
        drop_a=AlertFactory(enterprise=a),
        behind=AlertFactory(
            rule=Rule.PROJECT_BEHIND,
            enterprise=a,
            project=project,
            value="700000",
            before="2000000",
            measure="35.0",
        ),
        visited=AlertFactory(
            rule=Rule.ELECTRICITY_DROP,
            enterprise=a,
            value="300000",
            before="420000",
            measure="-28.6",
            visit=visit_make(a, world.users["officer"]),
        ),
        missing_b=AlertFactory(
            rule=Rule.NO_FIGURES, enterprise=b, value=None, before=None, measure=None
        ),
        expiring_b=AlertFactory(
            rule=Rule.QUALIFICATION_EXPIRING,
            enterprise=b,
            qualification=qualification,
            period=qualification.expires_on,
            value=None,
            before=None,
            measure="51",
        ),
        cleared_b=AlertFactory(
            enterprise=b, status=AlertStatus.CLOSED, closed_at=RAISED + dt.timedelta(days=1)
        ),
    )


def shown(response, listed) -> set[str]:
    names = {alert.pk: name for name, alert in vars(listed).items() if isinstance(alert, Alert)}
    assert response.status_code == 200
    return {names[a.pk] for a in response.context["object_list"]}


OPEN = {"drop_a", "behind", "visited", "missing_b", "expiring_b"}


# Who may open it -------------------------------------------------------------------------


def test_an_enterprise_user_may_not_open_the_list(world, listed):
    assert browser(world, "enterprise").get(URL).status_code == 403


def test_anonymous_users_are_sent_to_sign_in(world):
    response = world.client("anonymous").get(URL)
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize(
    "user, expected",
    [
        ("staff", OPEN),
        ("leader", OPEN),
        ("district_a", {"drop_a", "behind", "visited"}),
        ("district_b", {"missing_b", "expiring_b"}),
        ("officer", {"drop_a", "behind", "visited"}),
        ("official", {"behind"}),
    ],
)
def test_the_list_shows_the_open_warnings_in_scope_at_first(world, listed, user, expected):
    assert shown(browser(world, user).get(URL), listed) == expected


# Filters ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, expected",
    [
        ("status=open", OPEN),
        ("status=closed", {"cleared_b"}),
        ("status=", OPEN | {"cleared_b"}),  # both, once the form is used
        ("rule=output_drop", {"drop_a", "cleared_b"}),
        ("rule=output_drop&status=open", {"drop_a"}),
        ("rule=qualification_expiring", {"expiring_b"}),
        ("rule=project_behind", {"behind"}),
        (f"district={DISTRICT_A}", {"drop_a", "behind", "visited"}),
        (f"district={DISTRICT_B}&status=open", {"missing_b", "expiring_b"}),
        ("visited=1", {"visited"}),
        ("visited=0&status=open", OPEN - {"visited"}),
        ("q=航空零部件", {"drop_a", "behind", "visited"}),  # a's name, the project's too
        ("q=扩产", {"behind"}),  # the project's name only
        (f"q={make_uscc(2002)}", {"missing_b", "expiring_b", "cleared_b"}),  # b's credit code
        ("q=无此企业", set()),
        ("sort=measure&rule=output_drop", {"drop_a", "cleared_b"}),
    ],
)
def test_the_filters(world, listed, query, expected):
    assert shown(browser(world, "staff").get(f"{URL}?{query}"), listed) == expected


def test_the_project_code_finds_its_warning(world, listed):
    response = browser(world, "staff").get(f"{URL}?q={listed.project.code}")
    assert shown(response, listed) == {"behind"}


@pytest.mark.parametrize(
    "user, query, expected",
    [
        ("officer", "mine=1", {"drop_a", "visited"}),
        ("officer", "mine=0", {"behind"}),  # a's project, `official` responsible
        ("official", "mine=1", {"behind"}),
        ("officer_b", "mine=1", {"missing_b", "expiring_b", "cleared_b"}),
        ("officer_b", "mine=1&status=open", {"missing_b", "expiring_b"}),
        ("staff", "mine=1", set()),
        ("staff", "mine=0&status=open", OPEN),
    ],
)
def test_my_list(world, listed, user, query, expected):
    assert shown(browser(world, user).get(f"{URL}?{query}"), listed) == expected


def test_the_counts_are_of_open_warnings_in_scope_by_rule(world, listed):
    response = browser(world, "staff").get(URL)
    assert response.context["counts"] == {
        Rule.OUTPUT_DROP: 1,  # the cleared one not counted
        Rule.ELECTRICITY_DROP: 1,
        Rule.NO_FIGURES: 1,
        Rule.PROJECT_BEHIND: 1,
        Rule.QUALIFICATION_EXPIRING: 1,
    }
    html = response.content.decode()
    assert '<a class="stat" href="?rule=no_figures&amp;status=open"><b>1</b>' in html
    district_b = browser(world, "district_b").get(f"{URL}?status=closed")
    assert district_b.context["counts"] == {Rule.NO_FIGURES: 1, Rule.QUALIFICATION_EXPIRING: 1}
    html = district_b.content.decode()
    assert '<a class="stat" href="?rule=output_drop&amp;status=open"><b>0</b>' in html
    assert '<a class="stat" href="?rule=qualification_expiring&amp;status=open"><b>1</b>' in html


def test_each_warning_is_shown_with_its_words(world, listed):
    html = browser(world, "staff").get(f"{URL}?status=").content.decode()
    for text in (
        "2026-02 output value 390.00 (10k yuan), -22.0% on the 500.00 of a year before",
        "Investment to 2026-02: 70.00 of 200.00 planned (10k yuan), 35.0%",
        "2026-02 electricity 30.00 (10k kWh), -28.6% on the 42.00 of a year before",
        "No figures for 2026-02; the month before was reported",
        "Specialised and sophisticated SME expires on 2026-04-30, in 51 days",
        world.a.name,
        world.b.name,
        listed.project.code,
        world.users["official"].display_name,
    ):
        assert text in html, text


# Starting a visit ------------------------------------------------------------------------


def start_link(alert) -> str:
    return (
        f'href="{reverse("visits:visit_create")}'
        f'?enterprise={alert.enterprise_id}&amp;alert={alert.pk}">Start a visit</a>'
    )


def test_an_open_warning_not_yet_visited_offers_to_start_a_visit(world, listed):
    html = browser(world, "staff").get(f"{URL}?status=").content.decode()
    for name in ("drop_a", "behind", "missing_b", "expiring_b"):
        assert start_link(getattr(listed, name)) in html, name
    assert html.count(">Start a visit</a>") == 4  # not for the cleared or the visited one
    detail = reverse("visits:visit_detail", args=[listed.visited.visit_id])
    assert f'<a href="{detail}">2026-03-12</a>' in html


def test_who_may_not_record_visits_is_not_offered_to(world, listed):
    html = browser(world, "leader").get(URL).content.decode()
    assert listed.drop_a.enterprise.name in html
    assert "Start a visit" not in html


# Queries -------------------------------------------------------------------------------


def rows_add(world, start: int, count: int) -> None:
    """`count` warnings of every rule, each of its own enterprise with its own service
    officer, in districts A and B by turns; projects with a responsible official,
    certificates, visits, cleared ones."""
    regions = world.city.regions
    for i in range(start, start + count):
        officer = UserFactory(username=f"qc-officer-{i}", role=Role.OFFICER)
        enterprise = EnterpriseFactory(
            name=f"预警测试企业{i:03d}",
            district=regions[DISTRICT_A if i % 2 else DISTRICT_B],
            service_officer=officer,
        )
        kind = i % 5
        if kind == 0:
            AlertFactory(enterprise=enterprise)
        elif kind == 1:
            AlertFactory(enterprise=enterprise, rule=Rule.NO_FIGURES, status=AlertStatus.CLOSED)
        elif kind == 2:
            project = project_make(
                f"预警测试项目{i:03d}",
                enterprise=enterprise,
                official=UserFactory(username=f"qc-official-{i}", role=Role.OFFICER),
            )
            AlertFactory(rule=Rule.PROJECT_BEHIND, enterprise=enterprise, project=project)
        elif kind == 3:
            qualification = QualificationFactory(
                enterprise=enterprise, expires_on=dt.date(2026, 4, 30)
            )
            AlertFactory(
                rule=Rule.QUALIFICATION_EXPIRING,
                enterprise=enterprise,
                qualification=qualification,
                period=qualification.expires_on,
                measure="51",
            )
        else:
            AlertFactory(
                rule=Rule.ELECTRICITY_DROP,
                enterprise=enterprise,
                visit=visit_make(enterprise, officer),
            )


def queries(client, url) -> tuple[int, int]:
    """(queries run, warnings listed) for the page at `url`."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), len(response.context["object_list"])


QUALIFICATIONS = "?status=open&rule=qualification_expiring&q=预警"


@pytest.mark.parametrize(
    "user, query",
    [
        ("staff", ""),
        ("staff", "?status="),
        ("staff", QUALIFICATIONS),
        ("district_a", ""),
        ("district_a", "?status="),
        ("district_a", QUALIFICATIONS),
        ("officer", ""),  # a's warnings only
        ("officer", "?status=&sort=-measure"),
    ],
)
def test_the_list_does_not_grow_its_queries_with_the_warnings(world, user, query):
    client = browser(world, user)
    rows_add(world, 0, 5)
    AlertFactory(enterprise=world.a)
    few, rows_before = queries(client, URL + query)
    rows_add(world, 5, 30)
    AlertFactory(enterprise=world.a, rule=Rule.NO_FIGURES)
    many, rows_after = queries(client, URL + query)
    assert 0 < rows_before < rows_after
    assert many == few


def test_the_number_of_queries_of_a_full_page(world, django_assert_num_queries):
    """The session and the user, the count, the counts by rule, the districts of the
    filter, the rows (with what each shows): as many with 3 warnings as with 33."""
    client = browser(world, "staff")
    rows_add(world, 0, 3)
    few, rows = queries(client, f"{URL}?status=")
    assert rows == 3
    rows_add(world, 3, 30)
    with django_assert_num_queries(few):
        response = client.get(f"{URL}?status=")
    assert len(response.context["object_list"]) == 33
    assert few <= 12


# The visit that follows a warning up ---------------------------------------------------------


def visit_url(enterprise, alert) -> str:
    return reverse("visits:visit_create") + f"?enterprise={enterprise.pk}&alert={alert.pk}"


def visit_data(enterprise, **changes) -> dict:
    data = {
        "enterprise": enterprise.uscc,
        "visited_on": VISITED_ON.isoformat(),
        "kind": "on_site",
        "seen": "订单减少，一条产线停产检修。",
        "findings": "产值下降主要因主要客户订单转移。",
        "demands-TOTAL_FORMS": "0",
        "demands-INITIAL_FORMS": "0",
        "demands-MIN_NUM_FORMS": "0",
        "demands-MAX_NUM_FORMS": "10",
    }
    return {**data, **changes}


def test_the_visit_form_started_from_a_warning_shows_it(world, listed):
    response = browser(world, "officer").get(visit_url(world.a, listed.drop_a))
    assert response.status_code == 200
    assert response.context["alert"] == listed.drop_a
    assert response.context["form"]["enterprise"].value() == world.a.name
    html = response.content.decode()
    assert "Following up the early warning “Output down year on year”:" in html
    assert "-22.0% on the 500.00 of a year before" in html


def test_a_warning_out_of_scope_is_not_shown_on_the_visit_form(world, listed):
    response = browser(world, "officer_b").get(visit_url(world.b, listed.drop_a))
    assert response.status_code == 200 and response.context["alert"] is None


def test_a_visit_recorded_from_a_warning_follows_it_up(world, listed):
    client = browser(world, "officer")
    alert = listed.drop_a
    response = client.post(visit_url(world.a, alert), visit_data(world.a))
    visit = Visit.objects.exclude(pk=listed.visited.visit_id).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("visits:visit_detail", args=[visit.pk])
    assert (visit.enterprise, visit.visited_on) == (world.a, VISITED_ON)
    alert.refresh_from_db()
    assert alert.visit == visit and alert.status == AlertStatus.OPEN
    entry = AuditEntry.objects.get(object_type="alerts.alert", object_id=str(alert.pk))
    assert entry.actor == world.users["officer"]
    assert entry.changes == {"visit": [None, visit.pk]}
    # the list shows it visited, with no further offer to start one
    page = client.get(f"{URL}?visited=1")
    assert shown(page, listed) == {"drop_a", "visited"}
    assert start_link(alert) not in page.content.decode()


def test_a_visit_to_another_enterprise_than_the_warnings_records_nothing(world, listed):
    client = browser(world, "staff")
    alert = listed.drop_a  # a's warning
    visits = Visit.objects.count()
    response = client.post(
        visit_url(world.a, alert),
        visit_data(
            world.b,
            **{
                "demands-TOTAL_FORMS": "1",
                "demands-0-title": "订单对接",
                "demands-0-text": "希望协助对接新客户。",
                "demands-0-urgency": "normal",
            },
        ),
    )
    assert response.status_code == 422
    assert Visit.objects.count() == visits  # the visit rolled back with the refusal
    assert not Demand.objects.exists()
    alert.refresh_from_db()
    assert alert.visit is None
    assert not AuditEntry.objects.filter(object_type="alerts.alert").exists()
    form = response.context["form"]
    assert form.non_field_errors() == ["The visit is to another enterprise than the warning's."]
    assert "The visit is to another enterprise than the warning&#x27;s." in (
        response.content.decode()
    )
    assert response.context["alert"] == alert


def test_an_invalid_visit_form_started_from_a_warning_is_shown_again(world, listed):
    client = browser(world, "officer")
    response = client.post(visit_url(world.a, listed.drop_a), visit_data(world.a, seen=""))
    assert response.status_code == 422
    assert "seen" in response.context["form"].errors
    assert response.context["alert"] == listed.drop_a
    assert Visit.objects.count() == 1  # the visited warning's only


# The API ------------------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["staff", "district_a", "officer"])
def test_the_api_list_does_not_grow_its_queries_with_the_warnings(world, user):
    client = browser(world, user)
    rows_add(world, 0, 5)
    AlertFactory(enterprise=world.a)  # (the officer serves a)

    def api() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/v1/alerts?status=")
        assert response.status_code == 200
        return len(captured), response.json()["count"]

    few, count_before = api()
    rows_add(world, 5, 30)
    AlertFactory(enterprise=world.a, rule=Rule.NO_FIGURES)
    many, count_after = api()
    assert 0 < count_before < count_after
    assert many == few


def test_the_api_counts_and_its_refusals(world):
    client = browser(world, "staff")
    rows_add(world, 0, 4)
    counts = client.get("/api/v1/alerts/counts").json()
    assert set(counts) == set(Rule.values)
    assert sum(counts.values()) == Alert.objects.filter(status="open").count()
    assert client.get("/api/v1/alerts?rule=nothing").status_code == 422
    assert browser(world, "enterprise").get("/api/v1/alerts").status_code == 403
