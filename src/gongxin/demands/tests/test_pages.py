"""The pages around the loop: who sees which page, the board, the statistics, a demand's
desk tools (category, merge, extensions), attachments through the pages, visits and
visit plans; and that their query counts do not grow with the data."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongxin.core.choices import Role
from gongxin.core.tests.factories import UserFactory
from gongxin.demands import services
from gongxin.demands.choices import ExtensionStatus, Rating, Source, Status
from gongxin.demands.models import Demand, DemandAttachment, Visit, VisitPlan, VisitTask
from gongxin.demands.tests.test_loop import walk
from gongxin.enterprises.tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def register(people, title="招工难", text="急需普工80名，请协助对接劳务资源。", **kwargs):
    kwargs.setdefault("actor", people["enterprise"])
    kwargs.setdefault("enterprise", people["_enterprise"])
    kwargs.setdefault("source", Source.PORTAL)
    return services.demand_register(title=title, text=text, **kwargs)


# Who sees which page ---------------------------------------------------------------------

PAGES = {
    "board": ("demands:board", {}),
    "statistics": ("demands:statistics", {}),
    "visits": ("visits:visit_list", {}),
    "visit_create": ("visits:visit_create", {}),
    "plans": ("visits:visit_plan_list", {}),
    "plan_create": ("visits:visit_plan_create", {}),
}
ALLOWED = {
    "desk": {"board", "statistics", "visits", "visit_create", "plans", "plan_create"},
    "leader": {"board", "statistics", "visits", "plans"},
    "lead": {"board", "statistics"},
    "district": {"board", "statistics", "visits", "visit_create", "plans", "plan_create"},
    "officer": {"board", "statistics", "visits", "visit_create", "plans"},
    "enterprise": {"board"},
    "chain_office": {"board", "statistics"},
}


@pytest.mark.parametrize("role", sorted(ALLOWED))
@pytest.mark.parametrize("page", sorted(PAGES))
def test_each_role_sees_its_pages(client, people, role, page):
    name, kwargs = PAGES[page]
    client.force_login(people[role])
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == (200 if page in ALLOWED[role] else 403)


def test_anonymous_users_are_sent_to_sign_in(client, people):
    for name, kwargs in PAGES.values():
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 302 and "/login" in response["Location"]


# The board and the statistics -------------------------------------------------------------


def test_the_board_shows_each_status_with_its_count(client, people):
    for to in (Status.REGISTERED, Status.DISPATCHED, Status.IN_PROGRESS, Status.CLOSED):
        walk(people, register(people, title=f"诉求{to}"), to)
    client.force_login(people["desk"])
    columns = {c["status"]: c for c in client.get(reverse("demands:board")).context["columns"]}
    assert Status.MERGED not in columns
    assert {s: columns[s]["count"] for s in columns} == {
        Status.REGISTERED: 1,
        Status.DISPATCHED: 1,
        Status.ACCEPTED: 0,
        Status.IN_PROGRESS: 1,
        Status.RESOLVED: 0,
        Status.RATED: 0,
        Status.CLOSED: 1,
    }
    client.force_login(people["other_enterprise"])
    page = client.get(reverse("demands:board"))
    assert all(c["count"] == 0 for c in page.context["columns"])


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url", ["/demands/board/", "/demands/statistics/?by=department",
            "/demands/statistics/?by=chain", "/demands/statistics/?by=month",
            "/demands/statistics/?by=district", "/demands/?tab=all"],
)
def test_pages_do_not_grow_their_queries_with_the_demands(client, people, url):
    client.force_login(people["desk"])
    walk(people, register(people), Status.CLOSED)
    one = _queries(client, url)
    for i in range(6):
        enterprise = EnterpriseFactory(district=people["_enterprise"].district)
        walk(people, register(people, title=f"用电{i}", actor=people["desk"],
                              enterprise=enterprise, source=Source.PHONE), Status.IN_PROGRESS)
    assert _queries(client, url) == one


def test_the_statistics_count_what_happened(client, people):
    today = timezone.localdate()
    first = register(people)
    walk(people, first, Status.CLOSED)  # resolved on time, rated satisfied by walk
    second = register(people, title="融资难", text="流动资金贷款利率偏高，希望对接低息贷款")
    walk(people, second, Status.IN_PROGRESS)
    client.force_login(people["desk"])
    page = client.get(reverse("demands:statistics") + "?by=category")
    stats = page.context["stats"]
    assert stats.start == today.replace(month=1, day=1) and stats.end == today.replace(day=1)
    assert stats.total.received == 2 and stats.total.resolved == 1
    assert stats.total.closure_rate == 50.0 and stats.total.satisfaction_rate == 100.0
    assert {r.key: r.received for r in stats.rows} == {"labour": 1, "finance": 1}
    # a step marks the month stale and the next view counts it
    walk(people, Demand.objects.get(pk=second.pk), Status.RESOLVED)
    stats = client.get(reverse("demands:statistics") + "?by=category").context["stats"]
    assert stats.total.resolved == 2
    by_lead = client.get(reverse("demands:statistics") + "?by=department").context["stats"]
    assert [(r.label, r.received) for r in by_lead.rows] == [(people["_rsj"].name, 2)]


def test_a_department_counts_what_it_leads_and_co_handles(client, people):
    walk(people, register(people), Status.DISPATCHED)  # lead 人社局, co 金融局 (see walk)
    register(people, title="另一个")  # not dispatched: not theirs
    client.force_login(people["co"])
    stats = client.get(reverse("demands:statistics")).context["stats"]
    assert stats.total.received == (
        1 if Demand.objects.filter(co_departments=people["_jrj"]).exists() else 0
    )
    client.force_login(people["lead"])
    assert client.get(reverse("demands:statistics")).context["stats"].total.received == 1


def test_hot_topics_rise_against_last_month(client, people):
    now = timezone.now()
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=3))
    past = timezone.make_aware(dt.datetime.combine(last_month, dt.time(10)))
    register(people, title="电费上涨", text="峰谷电价调整后电费明显上涨", at=past)
    for i in range(3):
        register(people, title=f"电费{i}", text="电费上涨影响生产成本，希望协调", at=now)
    client.force_login(people["desk"])
    hot = {h.term: h for h in client.get(reverse("demands:statistics")).context["stats"].hot}
    assert (hot["电费"].count, hot["电费"].before, hot["电费"].rise) == (3, 1, 2)
    assert "峰谷" not in hot  # last month's word only
    assert "希望" not in hot  # a word every demand uses


# A demand's page: the desk's tools, extensions, attachments ------------------------------


def test_the_desk_changes_the_category_on_the_page(client, people):
    demand = register(people)
    client.force_login(people["desk"])
    url = reverse("demands:demand_detail", args=[demand.pk])
    response = client.post(url, {"do": "recategorize", "version": demand.version,
                                 "category": "talent"})
    assert response.status_code == 302
    assert Demand.objects.get(pk=demand.pk).category == "talent"
    client.force_login(people["lead"])
    assert client.get(url).status_code == 404  # not dispatched to them yet


def test_a_duplicate_is_flagged_and_merged_on_the_page(client, people):
    kept = register(people)
    duplicate = register(people, title="招工难题", text="急需普工80名，请帮忙对接劳务资源")
    assert duplicate.duplicate_of_id == kept.pk
    client.force_login(people["desk"])
    inbox = client.get(reverse("demands:inbox") + "?tab=all").content.decode()
    assert "疑似重复" in inbox
    url = reverse("demands:demand_detail", args=[duplicate.pk])
    response = client.post(url, {"do": "merge", "version": duplicate.version, "into": kept.pk})
    assert response["Location"] == reverse("demands:demand_detail", args=[kept.pk])
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED and duplicate.merged_into_id == kept.pk
    page = client.get(response["Location"])
    assert [m.pk for m in page.context["merged"]] == [duplicate.pk]
    assert {e.demand_id for e in page.context["events"]} == {kept.pk, duplicate.pk}


def test_merging_into_a_demand_out_of_scope_or_unknown_is_refused(client, people):
    demand = register(people)
    client.force_login(people["desk"])
    url = reverse("demands:demand_detail", args=[demand.pk])
    response = client.post(url, {"do": "merge", "version": demand.version, "into": 999999})
    assert response.status_code == 422 and "没有" in response.content.decode()
    assert Demand.objects.get(pk=demand.pk).status == Status.REGISTERED


def test_an_extension_is_asked_and_approved_on_the_page(client, people):
    demand = walk(people, register(people), Status.IN_PROGRESS)
    url = reverse("demands:demand_detail", args=[demand.pk])
    client.force_login(people["lead"])
    assert client.get(url).context["extend_form"] is not None
    response = client.post(url, {"do": "extend", "version": demand.version, "phase": "resolve",
                                 "days": 3, "reason": "需市级层面协调用工指标"})
    assert response.status_code == 302
    extension = demand.extensions.get()
    assert client.get(url).context["extend_form"] is None  # one pending at a time
    client.force_login(people["desk"])
    page = client.get(url)
    assert page.context["pending"] == extension
    refused = client.post(url, {"do": "decide", "extension": extension.pk, "decision": "refuse"})
    assert refused.status_code == 422  # a refusal needs its note
    response = client.post(url, {"do": "decide", "extension": extension.pk,
                                 "decision": "approve", "note": ""})
    assert response.status_code == 302
    extension.refresh_from_db()
    demand.refresh_from_db()
    assert extension.status == ExtensionStatus.APPROVED
    assert demand.resolve_due == extension.due_after


def test_attachments_go_with_the_demand_and_only_to_those_who_see_it(client, people, settings,
                                                                      tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(people["enterprise"])
    response = client.post(reverse("demands:demand_create"), {
        "title": "用工",
        "text": "招工困难，附用工需求表",
        "urgency": "normal",
        "attachments": [SimpleUploadedFile("需求表.pdf", PDF), SimpleUploadedFile("现场.png", PNG)],
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    demand = Demand.objects.get()
    names = sorted(demand.attachments.values_list("name", flat=True))
    assert names == ["现场.png", "需求表.pdf"]
    attachment = demand.attachments.get(name="需求表.pdf")
    url = reverse("demands:attachment", args=[demand.pk, attachment.pk])
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    client.force_login(people["other_enterprise"])
    assert client.get(url).status_code == 404


def test_a_bad_attachment_is_refused_and_nothing_is_registered(client, people, settings,
                                                                tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(people["enterprise"])
    response = client.post(reverse("demands:demand_create"), {
        "title": "用工",
        "text": "招工困难",
        "urgency": "normal",
        "attachments": [SimpleUploadedFile("需求表.pdf", PDF),
                        SimpleUploadedFile("工具.exe", b"MZ\x90\x00" * 10)],
    })
    assert response.status_code == 422
    assert "工具.exe" in response.content.decode()
    assert not Demand.objects.exists() and not DemandAttachment.objects.exists()
    assert not any(tmp_path.rglob("*.pdf"))


def test_a_factor_request_through_the_page(client, people):
    client.force_login(people["desk"])
    response = client.post(reverse("demands:demand_create"), {
        "enterprise": people["_enterprise"].uscc,
        "title": "流动资金贷款",
        "text": "原材料涨价，需流动资金贷款",
        "urgency": "normal",
        "source": "phone",
        "factor_kind": "funds",
        "factor_detail": "流动资金",
        "factor_quantity": "5000000",
        "factor_term_months": "12",
    })
    assert response.status_code == 302
    demand = Demand.objects.get()
    assert demand.category == "finance"
    assert (demand.factor.quantity, demand.factor.unit) == (Decimal("5000000"), "yuan")
    page = client.get(response["Location"]).content.decode()
    assert "流动资金" in page and "5000000" in page
    missing = client.post(reverse("demands:demand_create"), {
        "enterprise": people["_enterprise"].uscc, "title": "用地", "text": "扩建用地",
        "urgency": "normal", "source": "phone", "factor_kind": "land",
    })
    assert missing.status_code == 422 and Demand.objects.count() == 1


# Visits and visit plans ---------------------------------------------------------------------


def test_a_plan_is_made_and_a_visit_on_the_page_raises_a_demand(client, people):
    today = timezone.localdate()
    people["_enterprise"].above_scale = True
    people["_enterprise"].save()
    client.force_login(people["desk"])
    response = client.post(reverse("visits:visit_plan_create"), {
        "name": "规上企业季度走访", "target": "above_scale", "frequency": "quarterly",
        "starts_on": today.replace(month=1, day=1), "ends_on": today.replace(month=12, day=31),
    })
    assert response.status_code == 302
    plan = VisitPlan.objects.get()
    tasks = VisitTask.objects.filter(plan=plan, enterprise=people["_enterprise"])
    assert tasks.count() == 4 and {t.official for t in tasks} == {people["officer"]}
    client.force_login(people["officer"])
    response = client.post(reverse("visits:visit_create"), {
        "enterprise": people["_enterprise"].uscc,
        "visited_on": today.isoformat(),
        "kind": "on_site",
        "seen": "新产线已投产，订单饱满。",
        "findings": "技术工人缺口约30人。",
        "demands-TOTAL_FORMS": "2", "demands-INITIAL_FORMS": "0",
        "demands-MIN_NUM_FORMS": "0", "demands-MAX_NUM_FORMS": "10",
        "demands-0-title": "招聘技术工人", "demands-0-text": "缺数控技工30名，希望对接职业院校",
        "demands-0-urgency": "normal",
        "demands-1-title": "", "demands-1-text": "", "demands-1-urgency": "normal",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    visit = Visit.objects.get()
    assert list(visit.officials.all()) == [people["officer"]]
    raised = Demand.objects.get(visit=visit)
    assert raised.source == Source.VISIT and raised.category == "labour"
    current = tasks.get(period_start__lte=today, due__gte=today)
    assert current.visit == visit
    page = client.get(reverse("visits:visit_plan_detail", args=[plan.pk]))
    row = page.context["rows"][0]
    assert row.label == str(people["officer"]) and row.open == 0
    assert client.get(response["Location"]).status_code == 200


def test_a_visit_form_with_a_half_filled_demand_records_nothing(client, people):
    client.force_login(people["officer"])
    response = client.post(reverse("visits:visit_create"), {
        "enterprise": people["_enterprise"].uscc,
        "visited_on": timezone.localdate().isoformat(), "kind": "on_site", "seen": "正常生产",
        "demands-TOTAL_FORMS": "1", "demands-INITIAL_FORMS": "0",
        "demands-MIN_NUM_FORMS": "0", "demands-MAX_NUM_FORMS": "10",
        "demands-0-title": "融资", "demands-0-text": "", "demands-0-urgency": "normal",
    })
    assert response.status_code == 422
    assert not Visit.objects.exists() and not Demand.objects.exists()


def test_an_officer_cannot_record_a_visit_to_an_enterprise_not_theirs(client, people):
    client.force_login(people["officer"])
    other = EnterpriseFactory()
    response = client.post(reverse("visits:visit_create"), {
        "enterprise": other.uscc, "visited_on": timezone.localdate().isoformat(),
        "kind": "on_site", "seen": "x",
        "demands-TOTAL_FORMS": "0", "demands-INITIAL_FORMS": "0",
        "demands-MIN_NUM_FORMS": "0", "demands-MAX_NUM_FORMS": "10",
    })
    assert response.status_code == 422 and not Visit.objects.exists()


def test_a_visit_of_another_district_is_not_found(client, people):
    visit = services.visit_record(
        actor=people["officer"], enterprise=people["_enterprise"],
        visited_on=timezone.localdate(), seen="生产正常",
    )
    client.force_login(people["other_district"])
    assert client.get(reverse("visits:visit_detail", args=[visit.pk])).status_code == 404
    client.force_login(people["district"])
    assert client.get(reverse("visits:visit_detail", args=[visit.pk])).status_code == 200


def test_visit_lists_do_not_grow_their_queries(client, people):
    client.force_login(people["desk"])
    today = timezone.localdate()
    services.visit_record(actor=people["officer"], enterprise=people["_enterprise"],
                          visited_on=today, seen="生产正常")
    services.visit_plan_create(actor=people["desk"], name="全区走访", target="region",
                               region=people["_enterprise"].district, frequency="once",
                               starts_on=today.replace(day=1), ends_on=today)
    one = [_queries(client, u) for u in ("/visits/", "/visits/plans/")]
    for _i in range(5):
        enterprise = EnterpriseFactory(service_officer=people["officer"], above_scale=True)
        services.visit_record(actor=people["desk"], enterprise=enterprise,
                              visited_on=timezone.localdate(), seen="生产正常",
                              officials=[people["officer"], UserFactory(role=Role.OFFICER)])
    services.visit_plan_create(actor=people["desk"], name="月度走访", target="above_scale",
                               frequency="monthly", starts_on=today.replace(day=1),
                               ends_on=today)
    assert [_queries(client, u) for u in ("/visits/", "/visits/plans/")] == [
        one[0], one[1]
    ]


def test_the_rating_on_the_page(client, people):
    demand = walk(people, register(people), Status.RESOLVED)
    client.force_login(people["enterprise"])
    url = reverse("demands:demand_detail", args=[demand.pk])
    response = client.post(url, {"action": "rate", "version": demand.version,
                                 "rating": Rating.SATISFIED})
    assert response.status_code == 302
    assert Demand.objects.get(pk=demand.pk).status == Status.RATED


_ = io


def test_the_enterprise_file_shows_its_demands_and_visits(client, people):
    demand = walk(people, register(people), Status.RESOLVED)
    services.visit_record(actor=people["officer"], enterprise=people["_enterprise"],
                          visited_on=timezone.localdate(), seen="新厂房主体完工",
                          findings="内部意见：资金链偏紧")
    url = reverse("enterprises:enterprise_detail", args=[people["_enterprise"].pk])
    client.force_login(people["enterprise"])
    page = client.get(url)
    assert list(page.context["demands"]) == [demand] and page.context["visit_count"] == 0
    html = page.content.decode()
    assert "待评价" in html and "资金链偏紧" not in html  # the officials' findings stay theirs
    client.force_login(people["officer"])
    page = client.get(url)
    assert page.context["visit_count"] == 1 and "新厂房主体完工" in page.content.decode()
    client.force_login(people["lead"])  # reads the archive, sees the demand it leads
    assert [d.pk for d in client.get(url).context["demands"]] == [demand.pk]


def test_the_enterprise_file_shows_a_demand_no_department_leads_yet(client, people):
    demand = register(people)
    assert demand.lead is None  # registered, not yet sent to a department
    url = reverse("enterprises:enterprise_detail", args=[people["_enterprise"].pk])
    for user in ("enterprise", "officer", "desk"):
        client.force_login(people[user])
        page = client.get(url)
        assert page.status_code == 200, user
        html = page.content.decode()
        row = html[html.index(demand.title) :].split("</tr>")[0]
        assert row.endswith("<td>—</td>"), (user, row)


def test_a_chain_office_sees_the_demands_of_its_chains_enterprises(client, people):
    from gongxin.chains.models import Chain, ChainNode, EnterpriseNode

    chain = Chain.objects.create(code="nev", name="新能源汽车")
    chain.office_members.add(people["chain_office"])
    other = Chain.objects.create(code="vr", name="虚拟现实")
    node = ChainNode.objects.create(chain=chain, name="动力电池")
    EnterpriseNode.objects.create(enterprise=people["_enterprise"], node=node, status="confirmed")
    mine = register(people)
    elsewhere = EnterpriseFactory()
    ChainNode.objects.create(chain=other, name="头显")
    not_mine = register(people, actor=people["desk"], enterprise=elsewhere, source=Source.PHONE)
    client.force_login(people["chain_office"])
    listed = {d.pk for d, _m in client.get("/demands/?tab=all").context["rows"]}
    assert listed == {mine.pk}
    detail = reverse("demands:demand_detail", args=[not_mine.pk])
    assert client.get(detail).status_code == 404


def test_an_unsatisfied_rating_counts_against_satisfaction(client, people):
    demand = walk(people, register(people), Status.RESOLVED)
    services.demand_step(actor=people["enterprise"], demand=demand, action="rate",
                         rating=Rating.UNSATISFIED, text="招工对接没有落实")
    client.force_login(people["desk"])
    total = client.get(reverse("demands:statistics")).context["stats"].total
    assert (total.rated, total.satisfied, total.satisfaction_rate) == (1, 0, 0.0)
    demand.refresh_from_db()
    walk(people, demand, Status.RATED)  # resolved again and rated 满意 this time
    total = client.get(reverse("demands:statistics")).context["stats"].total
    assert (total.rated, total.satisfied, total.satisfaction_rate) == (2, 1, 50.0)


def test_a_department_counts_what_it_leads_and_what_it_co_handles(client, people):
    led = [walk(people, register(people, title=f"招工{i}"), Status.DISPATCHED) for i in range(2)]
    client.force_login(people["co"])  # 金融局 co-handles what walk dispatches to 人社局
    page = client.get("/demands/?tab=all")
    co_rows = {d.pk for d, _m in page.context["rows"]}
    assert co_rows == {d.pk for d in led} == set(
        Demand.objects.filter(co_departments=people["_jrj"]).values_list("pk", flat=True)
    )
    assert page.context["page_obj"].paginator.count == 2
    services.demand_step(actor=people["desk"], demand=register(people, title="融资"),
                         action="dispatch", lead=people["_jrj"])
    page = client.get("/demands/?tab=all")
    assert page.context["page_obj"].paginator.count == 3
    for query, count in (("status=dispatched&category=labour", 3), ("category=finance", 0),
                         ("status=accepted", 0), ("key=1", 0)):
        filtered = client.get(f"/demands/?tab=all&{query}")
        assert filtered.context["page_obj"].paginator.count == count, query
        assert len(filtered.context["rows"]) == count, query
    board = {c["status"]: c["count"] for c in client.get("/demands/board/").context["columns"]}
    assert board[Status.DISPATCHED] == 3
