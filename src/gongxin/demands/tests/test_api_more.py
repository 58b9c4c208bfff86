"""The demands and visits API beyond registering and stepping (test_api.py): the list's
filters; a demand's factor, attachments, extensions, merges and visit; registering with a
factor request; the desk's category, merging and "not a duplicate"; extensions asked and
decided; attachments uploaded and downloaded; the board and the statistics; visits, their
tasks, plans and coverage; and that no list grows its queries with its rows.

Each change is tried by the role it belongs to (done), by roles that see the demand but
may not do it (403), by roles that do not see it (404), at a stale version (409) and with
faulty input (422)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongxin.chains.models import Chain, ChainNode, EnterpriseNode
from gongxin.core.auth import token_issue
from gongxin.core.choices import Role
from gongxin.core.tests.factories import UserFactory
from gongxin.demands import services
from gongxin.demands.choices import ExtensionStatus, Source, Status
from gongxin.demands.models import (
    Demand,
    DemandAttachment,
    DemandEvent,
    DemandExtension,
    Visit,
    VisitPlan,
    VisitTask,
)
from gongxin.demands.services.visits import RaisedDemand
from gongxin.demands.tests.test_attachments import pdf_of_size
from gongxin.demands.tests.test_loop import walk
from gongxin.demands.tests.test_pages import PDF, PNG
from gongxin.enterprises.tests.factories import EnterpriseFactory
from gongxin.projects.models import Project

pytestmark = pytest.mark.django_db

API = "/api/v1/demands"
VISITS = "/api/v1/visits"
STALE = "刷新"  # the conflict's message: "Reload it and see whether your step is needed"


def _post(client, url, data):
    return client.post(url, data=data, content_type="application/json")


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["items"]]


def register(people, title="招工难", text="急需普工80名，请协助对接劳务资源。", **kwargs):
    kwargs.setdefault("actor", people["enterprise"])
    kwargs.setdefault("enterprise", people["_enterprise"])
    kwargs.setdefault("source", Source.PORTAL)
    return services.demand_register(title=title, text=text, **kwargs)


def similar(people, **kwargs) -> Demand:
    """A demand that repeats `register`'s (flagged as its possible duplicate)."""
    return register(people, title="招工难题", text="急需普工80名，请帮忙对接劳务资源", **kwargs)


def project_of(enterprise, name="年产10万套汽车零部件扩建项目") -> Project:
    return Project.objects.create(
        name=name,
        project_type="new",
        enterprise=enterprise,
        district=enterprise.district,
        planned_investment=Decimal(50_000_000),
    )


def _state() -> tuple:
    return (
        list(Demand.objects.order_by("pk").values_list("pk", "version", "status", "category")),
        DemandEvent.objects.count(),
        list(DemandExtension.objects.order_by("pk").values_list("pk", "status")),
    )


def refused(client, people, url, data, expected: dict[str, int]) -> None:
    """Each role gets its status code, and nothing is written."""
    before = _state()
    for role, code in expected.items():
        client.force_login(people[role])
        response = _post(client, url, data)
        assert response.status_code == code, (role, response.content)
        assert response.json()["detail"], role
    assert _state() == before


# The list's filters ------------------------------------------------------------------------


def test_the_list_filters_by_status_category_and_key(client, people):
    labour = register(people)
    finance = walk(
        people,
        register(people, title="融资难", text="流动资金贷款利率偏高，希望对接低息贷款"),
        Status.IN_PROGRESS,
    )
    energy = register(
        people,
        title="用电增容",
        text="新产线投产需增容2000千伏安",
        factor=services.FactorAsk(
            kind="energy",
            detail="电力增容",
            quantity=Decimal(2_000_000),
            project=project_of(people["_enterprise"]),
        ),
    )
    assert (labour.key, finance.key, energy.key) == (False, False, True)
    client.force_login(people["desk"])
    assert _ids(client.get(API)) == [energy.pk, finance.pk, labour.pk]  # the newest first
    assert _ids(client.get(f"{API}?status=registered")) == [energy.pk, labour.pk]
    assert _ids(client.get(f"{API}?status=in_progress")) == [finance.pk]
    assert _ids(client.get(f"{API}?status=closed")) == []
    assert _ids(client.get(f"{API}?category=finance")) == [finance.pk]
    assert _ids(client.get(f"{API}?category=energy&status=registered")) == [energy.pk]
    assert _ids(client.get(f"{API}?key=true")) == [energy.pk]
    assert _ids(client.get(f"{API}?key=false")) == [finance.pk, labour.pk]
    assert _ids(client.get(f"{API}?key=false&status=registered")) == [labour.pk]
    # the desk waits to dispatch the registered ones; the filters narrow the tab
    assert _ids(client.get(f"{API}?tab=mine&key=false")) == [labour.pk]
    listed = client.get(f"{API}?category=finance").json()
    assert listed["count"] == 1
    row = listed["items"][0]
    assert (row["status"], row["lead"], row["enterprise"]) == (
        "in_progress",
        "rsj",
        people["_enterprise"].pk,
    )
    assert row["text"] == finance.text and row["enterprise_name"] == people["_enterprise"].name
    # the filters never widen the scope
    client.force_login(people["other_enterprise"])
    assert _ids(client.get(f"{API}?status=registered")) == []
    client.force_login(people["lead"])
    assert _ids(client.get(f"{API}?key=false")) == [finance.pk]


def test_an_unknown_status_or_category_is_refused(client, people):
    register(people)
    client.force_login(people["desk"])
    status = client.get(f"{API}?status=lost")
    assert status.status_code == 422 and "lost" in status.json()["detail"]["status"][0]
    category = client.get(f"{API}?category=weather")
    assert category.status_code == 422 and "weather" in category.json()["detail"]["category"][0]
    assert client.get(f"{API}?tab=someday").status_code == 422
    assert client.get(f"{API}?key=perhaps").status_code == 422


# A demand's detail ---------------------------------------------------------------------------


def test_the_detail_shows_factor_attachments_extensions_and_merges(
    client, people, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    project = project_of(people["_enterprise"])
    needed_by = timezone.localdate() + dt.timedelta(days=30)
    kept = register(
        people,
        factor=services.FactorAsk(
            kind="labour", detail="普工", quantity=Decimal(80), needed_by=needed_by,
            project=project,
        ),
        attachments=[SimpleUploadedFile("需求表.pdf", PDF)],
    )  # fmt: skip
    duplicate = similar(people)
    client.force_login(people["enterprise"])
    body = client.get(f"{API}/{duplicate.pk}").json()
    assert (body["duplicate_of"], body["merged_into"], body["key"]) == (kept.pk, None, False)
    assert (body["factor"], body["attachments"], body["extensions"], body["merged"]) == (
        None, [], [], []
    )  # fmt: skip

    kept = walk(people, kept, Status.IN_PROGRESS)
    extension = services.extension_request(
        actor=people["lead"], demand=kept, days=3, reason="需市级层面协调用工指标"
    )
    services.demand_merge(
        actor=people["desk"], duplicate=duplicate, into=Demand.objects.get(pk=kept.pk)
    )
    response = client.get(f"{API}/{kept.pk}")
    assert response.status_code == 200
    body = response.json()
    assert (body["key"], body["duplicate_of"], body["visit"], body["source"]) == (
        True, None, None, "portal"
    )  # fmt: skip
    factor = body["factor"]
    assert (factor["kind"], factor["detail"], Decimal(factor["quantity"]), factor["unit"]) == (
        "labour", "普工", Decimal(80), "person"
    )  # fmt: skip
    assert (factor["needed_by"], factor["project"], factor["fulfilled"]) == (
        needed_by.isoformat(), project.pk, None
    )  # fmt: skip
    [attachment] = body["attachments"]
    assert (attachment["name"], attachment["content_type"], attachment["size"]) == (
        "需求表.pdf", "application/pdf", len(PDF)
    )  # fmt: skip
    download = client.get(attachment["url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    [asked] = body["extensions"]
    assert (asked["id"], asked["phase"], asked["days"], asked["status"]) == (
        extension.pk, "resolve", 3, "pending"
    )  # fmt: skip
    assert asked["reason"] == "需市级层面协调用工指标" and asked["decided_at"] is None
    assert dt.datetime.fromisoformat(asked["due_before"]) == kept.resolve_due
    assert dt.datetime.fromisoformat(asked["due_after"]) == extension.due_after
    assert body["merged"] == [duplicate.pk]
    assert [e["action"] for e in body["events"]][-2:] == ["extend_ask", "absorb"]
    merged = client.get(f"{API}/{duplicate.pk}").json()
    assert (merged["status"], merged["merged_into"], merged["duplicate_of"]) == (
        "merged", kept.pk, None
    )  # fmt: skip
    assert merged["allowed"] == []
    # the file goes to those who see the demand only
    client.force_login(people["lead"])
    assert client.get(attachment["url"]).status_code == 200
    client.force_login(people["other_enterprise"])
    assert client.get(attachment["url"]).status_code == 404
    assert client.get(f"{API}/{kept.pk}").status_code == 404


def test_a_demand_raised_at_a_visit_points_to_it(client, people):
    visit = services.visit_record(
        actor=people["officer"],
        enterprise=people["_enterprise"],
        visited_on=timezone.localdate(),
        seen="新厂房在建",
        demands=[RaisedDemand(title="用地", text="扩建需新增工业用地50亩", category="land")],
    )
    demand = Demand.objects.get(visit=visit)
    client.force_login(people["district"])
    body = client.get(f"{API}/{demand.pk}").json()
    assert (body["visit"], body["source"], body["category"]) == (visit.pk, "visit", "land")
    assert body["factor"] is None
    assert client.get(f"{API}/999999").status_code == 404


# Registering with a factor request -------------------------------------------------------------


def test_registering_with_a_factor_request(client, people):
    enterprise = people["_enterprise"]
    own = project_of(enterprise)
    another = project_of(people["other_enterprise"].enterprise, name="另一家企业的项目")
    ask = {
        "enterprise": enterprise.uscc,
        "title": "流动资金贷款",
        "text": "原材料涨价，需流动资金贷款",
        "category": "other",
        "source": "phone",
        "factor": {"kind": "funds", "detail": "流动资金", "quantity": "5000000",
                   "term_months": 12},
    }  # fmt: skip
    client.force_login(people["desk"])
    created = _post(client, API, ask)
    assert created.status_code == 201, created.content
    body = created.json()
    # the factor's kind decides the category, whatever was given
    assert (body["category"], body["source"], body["key"]) == ("finance", "phone", False)
    factor = body["factor"]
    assert (factor["kind"], factor["unit"], factor["term_months"], factor["project"]) == (
        "funds", "yuan", 12, None
    )  # fmt: skip
    assert Decimal(factor["quantity"]) == Decimal(5_000_000)
    demand = Demand.objects.get(pk=body["id"])
    assert demand.factor.quantity == Decimal(5_000_000)

    with_project = dict(ask, title="扩建项目贷款", factor=dict(ask["factor"], project=own.pk))
    created = _post(client, API, with_project)
    assert created.status_code == 201
    assert (created.json()["key"], created.json()["factor"]["project"]) == (True, own.pk)

    count = Demand.objects.count()
    for project in (another.pk, 999999):
        response = _post(client, API, dict(ask, factor=dict(ask["factor"], project=project)))
        assert response.status_code == 422, project
        assert "project" in response.json()["detail"]
    wrong_unit = _post(client, API, dict(ask, factor=dict(ask["factor"], unit="mu")))
    assert wrong_unit.status_code == 422 and "unit" in wrong_unit.json()["detail"]
    wrong_kind = _post(client, API, dict(ask, factor=dict(ask["factor"], kind="water")))
    assert wrong_kind.status_code == 422
    assert Demand.objects.count() == count

    # an enterprise's own project, through its own portal
    client.force_login(people["enterprise"])
    own_ask = {"title": "招工", "text": "扩建项目投产需普工",
               "factor": {"kind": "labour", "detail": "普工", "quantity": "50",
                          "project": own.pk}}  # fmt: skip
    created = _post(client, API, own_ask)
    assert created.status_code == 201
    assert (created.json()["category"], created.json()["factor"]["unit"]) == ("labour", "person")
    client.force_login(people["other_enterprise"])
    assert _post(client, API, own_ask).status_code == 422  # not a project of its own


# The desk's changes ---------------------------------------------------------------------------


def test_the_desk_changes_the_category(client, people):
    demand = walk(people, register(people), Status.DISPATCHED)  # 人社局 leads, 金融局 co-handles
    url = f"{API}/{demand.pk}/category"
    change = {"category": "talent", "version": demand.version}
    refused(client, people, url, change, {
        "enterprise": 403, "lead": 403, "co": 403, "district": 403, "officer": 403,
        "leader": 403, "chain_office": 404,
        "other_enterprise": 404, "other_district": 404, "other_dept": 404,
    })  # fmt: skip
    assert Demand.objects.get(pk=demand.pk).category == "labour"
    client.force_login(people["desk"])
    wrong = _post(client, url, {"category": "weather", "version": demand.version})
    assert wrong.status_code == 422 and "category" in wrong.json()["detail"]
    assert _post(client, url, {"category": "talent"}).status_code == 422  # no version
    done = _post(client, url, change)
    assert done.status_code == 200
    body = done.json()
    assert (body["category"], body["version"]) == ("talent", demand.version + 1)
    assert body["events"][-1]["action"] == "recategorize"
    stale = _post(client, url, {"category": "finance", "version": demand.version})
    assert stale.status_code == 409 and STALE in stale.json()["detail"]
    assert Demand.objects.get(pk=demand.pk).category == "talent"
    # a closed demand keeps its category
    closed = walk(people, Demand.objects.get(pk=demand.pk), Status.CLOSED)
    kept = _post(client, url, {"category": "finance", "version": closed.version})
    assert kept.status_code == 422


def test_the_desk_merges_a_duplicate(client, people):
    kept = register(people)
    duplicate = similar(people)
    assert duplicate.duplicate_of_id == kept.pk
    elsewhere = register(
        people, title="用电增容", text="新产线投产需增容", actor=people["desk"],
        enterprise=EnterpriseFactory(), source=Source.PHONE,
    )  # fmt: skip
    url = f"{API}/{duplicate.pk}/merge"
    merge = {"into": kept.pk, "version": duplicate.version}
    refused(client, people, url, merge, {
        "enterprise": 403, "district": 403, "officer": 403, "leader": 403,
        "chain_office": 404, "other_enterprise": 404, "other_district": 404, "lead": 404,
    })  # fmt: skip
    client.force_login(people["desk"])
    for into, code in ((duplicate.pk, 422), (elsewhere.pk, 422), (999999, 404)):
        response = _post(client, url, {"into": into, "version": duplicate.version})
        assert response.status_code == code, into
    # the duplicate moved on meanwhile: the desk's merge at the old version is refused
    moved = services.demand_step(
        actor=people["desk"], demand=duplicate, action="dispatch", lead=people["_rsj"]
    )
    stale = _post(client, url, merge)
    assert stale.status_code == 409 and STALE in stale.json()["detail"]
    assert Demand.objects.get(pk=duplicate.pk).status == Status.DISPATCHED
    done = _post(client, url, {"into": kept.pk, "version": moved.version})
    assert done.status_code == 200
    body = done.json()
    assert (body["id"], body["status"], body["merged_into"], body["duplicate_of"]) == (
        duplicate.pk, "merged", kept.pk, None
    )  # fmt: skip
    assert body["events"][-1]["action"] == "merge"
    shown = client.get(f"{API}/{kept.pk}").json()
    assert shown["merged"] == [duplicate.pk] and shown["events"][-1]["action"] == "absorb"
    again = _post(client, url, {"into": kept.pk, "version": body["version"]})
    assert again.status_code == 422  # merged already


def test_not_a_duplicate_after_all(client, people):
    kept = register(people)
    duplicate = similar(people)
    url = f"{API}/{duplicate.pk}/not-duplicate"
    refused(client, people, url, {"version": duplicate.version}, {
        "enterprise": 403, "district": 403, "officer": 403, "leader": 403,
        "chain_office": 404, "other_enterprise": 404, "other_district": 404, "lead": 404,
    })  # fmt: skip
    client.force_login(people["desk"])
    assert _post(client, url, {}).status_code == 422
    assert _post(client, url, {"version": "latest"}).status_code == 422
    seen = duplicate.version
    moved = services.demand_recategorize(
        actor=people["desk"], demand=Demand.objects.get(pk=duplicate.pk), category="talent"
    )
    stale = _post(client, url, {"version": seen})
    assert stale.status_code == 409 and STALE in stale.json()["detail"]
    assert Demand.objects.get(pk=duplicate.pk).duplicate_of_id == kept.pk
    done = _post(client, url, {"version": moved.version})
    assert done.status_code == 200
    assert (done.json()["duplicate_of"], done.json()["events"][-1]["action"]) == (None, "not_dup")
    assert Demand.objects.get(pk=duplicate.pk).duplicate_of_id is None


# Extensions --------------------------------------------------------------------------------------


def test_the_lead_asks_for_more_time(client, people):
    demand = walk(people, register(people), Status.IN_PROGRESS)
    url = f"{API}/{demand.pk}/extensions"
    ask = {"phase": "resolve", "days": 3, "reason": "需市级层面协调用工指标",
           "version": demand.version}  # fmt: skip
    refused(client, people, url, ask, {
        "desk": 403, "co": 403, "enterprise": 403, "district": 403, "officer": 403,
        "leader": 403, "other_dept": 404, "other_enterprise": 404, "other_district": 404,
    })  # fmt: skip
    client.force_login(people["lead"])
    for wrong, field in (
        ({"days": 0}, "days"),
        ({"days": 31}, "days"),
        ({"reason": "  "}, "reason"),
        ({"phase": "reply"}, "__all__"),  # in progress: the interim reply is behind it
    ):
        response = _post(client, url, {**ask, **wrong})
        assert response.status_code == 422, wrong
        assert field in response.json()["detail"], wrong
    assert _post(client, url, {**ask, "phase": "someday"}).status_code == 422
    stale = _post(client, url, {**ask, "version": demand.version - 1})
    assert stale.status_code == 409 and STALE in stale.json()["detail"]
    assert not demand.extensions.exists()
    done = _post(client, url, ask)
    assert done.status_code == 200
    body = done.json()
    [extension] = body["extensions"]
    assert (extension["phase"], extension["days"], extension["status"]) == (
        "resolve", 3, "pending"
    )  # fmt: skip
    assert dt.datetime.fromisoformat(extension["due_before"]) == demand.resolve_due
    assert body["version"] == demand.version + 1
    assert body["events"][-1]["action"] == "extend_ask"
    again = _post(client, url, {**ask, "version": body["version"]})
    assert again.status_code == 422 and demand.extensions.count() == 1


def test_the_desk_decides_an_extension(client, people):
    demand = walk(people, register(people), Status.IN_PROGRESS)
    extension = services.extension_request(
        actor=people["lead"], demand=demand, days=3, reason="需市级层面协调用工指标"
    )
    url = f"{API}/{demand.pk}/extensions/{extension.pk}/decision"
    refused(client, people, url, {"approve": True}, {
        "lead": 403, "co": 403, "enterprise": 403, "district": 403, "leader": 403,
        "other_enterprise": 404, "other_dept": 404,
    })  # fmt: skip
    client.force_login(people["desk"])
    no_note = _post(client, url, {"approve": False, "note": " "})
    assert no_note.status_code == 422 and "note" in no_note.json()["detail"]
    assert _post(client, url, {"note": "同意"}).status_code == 422  # approve or not?
    other = walk(people, register(people, title="融资", text="需贷款500万元"), Status.IN_PROGRESS)
    assert _post(client, f"{API}/{other.pk}/extensions/{extension.pk}/decision",
                 {"approve": True}).status_code == 404  # fmt: skip
    assert _post(client, f"{API}/{demand.pk}/extensions/999999/decision",
                 {"approve": True}).status_code == 404  # fmt: skip
    done = _post(client, url, {"approve": True, "note": "同意延期"})
    assert done.status_code == 200
    body = done.json()
    [decided] = body["extensions"]
    assert (decided["status"], decided["decision_note"]) == ("approved", "同意延期")
    assert decided["decided_at"] is not None
    extension.refresh_from_db()
    assert dt.datetime.fromisoformat(body["resolve_due"]) == extension.due_after
    assert body["events"][-1]["action"] == "extend_ok"
    # someone else decided first: a conflict, the decision stands
    again = _post(client, url, {"approve": False, "note": "不同意"})
    assert again.status_code == 409 and again.json()["detail"]
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.APPROVED

    refusal = services.extension_request(
        actor=people["lead"], demand=Demand.objects.get(pk=demand.pk), days=2, reason="再延"
    )
    response = _post(client, f"{API}/{demand.pk}/extensions/{refusal.pk}/decision",
                     {"approve": False, "note": "已延期过一次"})  # fmt: skip
    assert response.status_code == 200
    refusal.refresh_from_db()
    assert (refusal.status, refusal.decision_note) == (ExtensionStatus.REFUSED, "已延期过一次")
    assert Demand.objects.get(pk=demand.pk).resolve_due == extension.due_after


# Attachments ---------------------------------------------------------------------------------


def test_attachments_uploaded_and_downloaded(client, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    demand = register(people)
    url = f"{API}/{demand.pk}/attachments"
    client.force_login(people["enterprise"])
    response = client.post(url, {"files": [SimpleUploadedFile("需求表.pdf", PDF),
                                           SimpleUploadedFile("现场.png", PNG)]})  # fmt: skip
    assert response.status_code == 201, response.content
    files = {f["name"]: f for f in response.json()}
    assert {n: (f["content_type"], f["size"]) for n, f in files.items()} == {
        "需求表.pdf": ("application/pdf", len(PDF)),
        "现场.png": ("image/png", len(PNG)),
    }
    for name, content in (("需求表.pdf", PDF), ("现场.png", PNG)):
        download = client.get(files[name]["url"])
        assert download.status_code == 200, name
        assert b"".join(download.streaming_content) == content
        assert download["Content-Type"] == files[name]["content_type"]
    assert [a["name"] for a in client.get(f"{API}/{demand.pk}").json()["attachments"]] == [
        "需求表.pdf", "现场.png"
    ]  # fmt: skip

    on_disk = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    bad = client.post(
        url,
        {
            "files": [
                SimpleUploadedFile("报价.pdf", PDF),
                SimpleUploadedFile("工具.exe", b"MZ\x90\x00" * 10),
            ]
        },
    )
    assert bad.status_code == 422 and "工具.exe" in str(bad.json()["detail"])
    liar = client.post(url, {"files": [SimpleUploadedFile("照片.png", PDF)]})
    assert liar.status_code == 422 and "照片.png" in str(liar.json()["detail"])
    assert client.post(url, {}).status_code == 422  # no file at all

    settings.GONGXIN_ATTACHMENT_MAX_MB = 1
    large = client.post(url, {"files": [SimpleUploadedFile("大.pdf", pdf_of_size(2**20 + 1))]})
    assert large.status_code == 422 and "大.pdf" in str(large.json()["detail"])
    assert DemandAttachment.objects.filter(demand=demand).count() == 2
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == on_disk
    exact = client.post(url, {"files": [SimpleUploadedFile("整.pdf", pdf_of_size(2**20))]})
    assert exact.status_code == 201  # the limit itself is allowed

    # out of scope: neither uploads nor downloads
    client.force_login(people["other_enterprise"])
    assert client.post(url, {"files": [SimpleUploadedFile("x.pdf", PDF)]}).status_code == 404
    assert client.get(files["需求表.pdf"]["url"]).status_code == 404
    # an attachment is reached through its own demand only
    client.force_login(people["desk"])
    other = register(people, title="融资", text="需贷款500万元")
    attachment = files["需求表.pdf"]["id"]
    assert client.get(f"{API}/{other.pk}/attachments/{attachment}").status_code == 404
    assert client.get(f"{API}/{demand.pk}/attachments/{attachment}").status_code == 200


# The board and the statistics ---------------------------------------------------------------


def test_the_board(client, people):
    walked = {
        to: walk(people, register(people, title=f"诉求{to}", text=f"第{i}件事"), to)
        for i, to in enumerate(
            (Status.REGISTERED, Status.DISPATCHED, Status.IN_PROGRESS, Status.CLOSED)
        )
    }
    key = register(people, title="用电", text="增容", factor=services.FactorAsk(
        kind="energy", detail="增容", quantity=Decimal(1000),
        project=project_of(people["_enterprise"])))  # fmt: skip
    merged = register(people, title="又一件", text="重复")
    services.demand_merge(actor=people["desk"], duplicate=merged, into=key)
    client.force_login(people["desk"])
    response = client.get(f"{API}/board")
    assert response.status_code == 200
    columns = response.json()
    loop = ["registered", "dispatched", "accepted", "in_progress", "resolved", "rated", "closed"]
    assert [c["status"] for c in columns] == loop  # no column for the merged
    by_status = {c["status"]: c for c in columns}
    assert {s: c["count"] for s, c in by_status.items()} == {
        "registered": 2, "dispatched": 1, "accepted": 0, "in_progress": 1,
        "resolved": 0, "rated": 0, "closed": 1,
    }  # fmt: skip
    # registered the same day, the two are due the same day: the key demand first
    assert [d["id"] for d in by_status["registered"]["demands"]] == [
        key.pk, walked[Status.REGISTERED].pk
    ]  # fmt: skip
    assert [d["id"] for d in by_status["closed"]["demands"]] == [walked[Status.CLOSED].pk]
    client.force_login(people["lead"])  # 人社局 sees what it leads
    counts = {c["status"]: c["count"] for c in client.get(f"{API}/board").json()}
    assert counts == {"registered": 0, "dispatched": 1, "accepted": 0, "in_progress": 1,
                      "resolved": 0, "rated": 0, "closed": 1}  # fmt: skip
    client.force_login(people["other_enterprise"])
    assert all(c["count"] == 0 and c["demands"] == [] for c in client.get(f"{API}/board").json())


def test_the_statistics(client, people):
    today = timezone.localdate()
    walk(people, register(people), Status.CLOSED)  # resolved on time, rated satisfied
    walk(
        people,
        register(people, title="融资难", text="流动资金贷款利率偏高，希望对接低息贷款"),
        Status.IN_PROGRESS,
    )
    long_ago = timezone.now() - dt.timedelta(days=400)  # last year: outside the default
    old = register(people, title="用地", text="扩建需新增工业用地", category="land", at=long_ago)
    client.force_login(people["desk"])
    body = client.get(f"{API}/statistics?by=category").json()
    assert (body["dimension"], body["start"], body["end"]) == (
        "category", today.replace(month=1, day=1).isoformat(), today.replace(day=1).isoformat()
    )  # fmt: skip
    rows = {r["key"]: r for r in body["rows"]}
    assert set(rows) == {"labour", "finance"}
    assert (rows["labour"]["received"], rows["labour"]["resolved"], rows["labour"]["on_time"],
            rows["labour"]["satisfied"], rows["labour"]["open"]) == (1, 1, 1, 1, 0)  # fmt: skip
    assert (rows["finance"]["received"], rows["finance"]["resolved"],
            rows["finance"]["open"]) == (1, 0, 1)  # fmt: skip
    total = body["total"]
    assert (total["key"], total["received"], total["resolved"], total["open"]) == (None, 2, 1, 1)
    assert (total["closure_rate"], total["on_time_rate"], total["satisfaction_rate"]) == (
        50.0, 100.0, 100.0
    )  # fmt: skip
    assert total["overdue"] == 0 and total["handling_days"] is not None

    by_lead = client.get(f"{API}/statistics?by=department").json()["rows"]
    assert [(r["key"], r["label"], r["received"]) for r in by_lead] == [
        (str(people["_rsj"].pk), people["_rsj"].name, 2)
    ]
    by_month = client.get(f"{API}/statistics?by=month").json()["rows"]
    assert [(r["key"], r["received"]) for r in by_month] == [(today.replace(day=1).isoformat(), 2)]
    district = people["_enterprise"].district
    by_district = client.get(f"{API}/statistics?by=district").json()["rows"]
    assert [(r["key"], r["label"], r["received"]) for r in by_district] == [
        (str(district.pk), district.name, 2)
    ]
    by_chain = client.get(f"{API}/statistics?by=chain").json()
    assert by_chain["rows"] == [] and by_chain["total"]["received"] == 2  # on no chain

    # start and end: the months from one to the other, whatever their day
    month = timezone.localtime(old.registered_at).date()
    then = client.get(f"{API}/statistics?by=category&start={month}&end={month}").json()
    assert (then["start"], then["end"]) == ((month.replace(day=1).isoformat(),) * 2)
    assert [(r["key"], r["received"], r["open"], r["overdue"]) for r in then["rows"]] == [
        ("land", 1, 1, 1)  # registered long ago, never dispatched: overdue now
    ]
    both = client.get(f"{API}/statistics?by=category&start={month}&end={today}").json()
    assert both["total"]["received"] == 3 and both["total"]["overdue"] == 1
    assert client.get(f"{API}/statistics?by=weather").status_code == 422
    assert client.get(f"{API}/statistics?start=yesterday").status_code == 422

    # the scope: a department counts what it handles; an enterprise reads no statistics
    client.force_login(people["lead"])
    assert client.get(f"{API}/statistics").json()["total"]["received"] == 2
    client.force_login(people["other_district"])
    assert client.get(f"{API}/statistics").json()["total"]["received"] == 0
    for role in ("enterprise", "other_enterprise"):
        client.force_login(people[role])
        assert client.get(f"{API}/statistics?by=category").status_code == 403, role


# Visits -----------------------------------------------------------------------------------------


def _visit_ids(client, url=VISITS) -> set[int]:
    return set(_ids(client.get(url)))


def test_who_sees_which_visits(client, people):
    today = timezone.localdate()
    ours = services.visit_record(
        actor=people["officer"], enterprise=people["_enterprise"], visited_on=today,
        seen="生产正常", demands=[RaisedDemand(title="融资", text="需贷款500万元")],
    )  # fmt: skip
    elsewhere = EnterpriseFactory(district=people["other_district"].region)
    theirs = services.visit_record(
        actor=people["desk"], enterprise=elsewhere, visited_on=today - dt.timedelta(days=3),
        seen="停产检修", officials=[people["other_district"], people["desk"]],
    )  # fmt: skip
    sees = {
        "desk": {ours.pk, theirs.pk},
        "leader": {ours.pk, theirs.pk},
        "district": {ours.pk},
        "other_district": {theirs.pk},
        "officer": {ours.pk},
        "lead": set(),
        "enterprise": set(),
        "chain_office": set(),
    }
    for role, visits in sees.items():
        client.force_login(people[role])
        assert _visit_ids(client) == visits, role
        for visit in (ours, theirs):
            code = client.get(f"{VISITS}/{visit.pk}").status_code
            assert code == (200 if visit.pk in visits else 404), (role, visit)
    client.force_login(people["desk"])
    assert _ids(client.get(VISITS)) == [ours.pk, theirs.pk]  # the newest first
    assert _ids(client.get(f"{VISITS}?enterprise={elsewhere.pk}")) == [theirs.pk]
    body = client.get(f"{VISITS}/{ours.pk}").json()
    assert (body["enterprise"], body["enterprise_name"], body["visited_on"], body["kind"]) == (
        people["_enterprise"].pk, people["_enterprise"].name, today.isoformat(), "on_site"
    )  # fmt: skip
    assert body["officials"] == [people["officer"].username]
    assert body["demands"] == [Demand.objects.get(visit=ours).pk] and body["seen"] == "生产正常"
    assert sorted(client.get(f"{VISITS}/{theirs.pk}").json()["officials"]) == sorted(
        [people["other_district"].username, people["desk"].username]
    )
    # another system, with a token: the same scope
    client.logout()
    assert client.get(VISITS).status_code == 401
    token = token_issue(user=people["district"], name="区平台")
    listed = client.get(VISITS, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert _ids(listed) == [ours.pk]


def test_recording_a_visit_with_the_demands_raised(client, people):
    today = timezone.localdate()
    enterprise = people["_enterprise"]
    visit = {
        "enterprise": enterprise.uscc,
        "visited_on": today.isoformat(),
        "seen": "新产线已投产，订单饱满。",
        "findings": "技术工人缺口约30人。",
        "officials": [people["officer"].username, people["district"].username],
        "demands": [
            {"title": "招聘技术工人", "text": "缺数控技工30名，希望对接职业院校"},
            {"title": "用电增容", "text": "新产线需增容", "urgency": "urgent",
             "factor": {"kind": "energy", "detail": "增容", "quantity": "2000000"}},
        ],
    }  # fmt: skip
    client.force_login(people["officer"])
    created = _post(client, VISITS, visit)
    assert created.status_code == 201, created.content
    body = created.json()
    recorded = Visit.objects.get(pk=body["id"])
    assert sorted(body["officials"]) == sorted(
        [people["officer"].username, people["district"].username]
    )
    assert (body["enterprise"], body["kind"], body["findings"]) == (
        enterprise.pk, "on_site", "技术工人缺口约30人。"
    )  # fmt: skip
    raised = list(Demand.objects.filter(visit=recorded).order_by("pk"))
    assert sorted(body["demands"]) == [d.pk for d in raised]
    assert [(d.title, d.source, d.category, d.urgency, d.registered_by) for d in raised] == [
        ("招聘技术工人", Source.VISIT, "labour", "normal", people["officer"]),
        ("用电增容", Source.VISIT, "energy", "urgent", people["officer"]),
    ]
    assert raised[1].factor.unit == "kwh"
    client.force_login(people["district"])  # the district sees them registered
    assert client.get(f"{API}/{raised[0].pk}").json()["visit"] == recorded.pk

    client.force_login(people["officer"])
    alone = _post(client, VISITS, dict(visit, officials=[], demands=[]))
    assert alone.status_code == 201 and alone.json()["officials"] == [people["officer"].username]

    visits, demands = Visit.objects.count(), Demand.objects.count()
    unknown = _post(client, VISITS, dict(visit, officials=["nobody-of-ours"]))
    assert unknown.status_code == 422
    assert "nobody-of-ours" in unknown.json()["detail"]["officials"][0]
    # an enterprise's own user did not go on the visit
    not_official = _post(client, VISITS, dict(visit, officials=[people["enterprise"].username]))
    assert not_official.status_code == 422
    future = _post(client, VISITS, dict(visit, visited_on=str(today + dt.timedelta(days=1))))
    assert future.status_code == 422 and "visited_on" in future.json()["detail"]
    no_project = dict(visit, demands=[dict(visit["demands"][1], factor=dict(
        visit["demands"][1]["factor"], project=999999))])  # fmt: skip
    assert _post(client, VISITS, no_project).status_code == 422
    assert _post(client, VISITS, dict(visit, kind="by_pigeon")).status_code == 422
    # an enterprise outside the recorder's part of the archive is not found in it (422);
    # those who see it but do not record visits are refused (403)
    for role, code in (
        ("other_district", 422),
        ("lead", 403),
        ("chain_office", 403),
        ("leader", 403),
        ("enterprise", 403),
        ("other_enterprise", 422),
    ):
        client.force_login(people[role])
        response = _post(client, VISITS, dict(visit, officials=[], demands=[]))
        assert response.status_code == code, (role, response.content)
    client.force_login(people["officer"])
    uscc = people["other_enterprise"].enterprise.uscc
    outside = _post(client, VISITS, dict(visit, enterprise=uscc))
    assert outside.status_code == 422 and uscc in str(outside.json()["detail"])
    assert (Visit.objects.count(), Demand.objects.count()) == (visits, demands)


# Visit tasks, plans and coverage ------------------------------------------------------------------


@pytest.fixture
def rounds(people):
    """Two plans of district 青山湖 (the people's enterprise `e1`, served by the officer;
    `e2`, by a second officer; `e3`, by the officer): last month's (once, due 30 days ago)
    and this month's (once, from today). e1 was visited late, e2 on time, e3 not at all."""
    today = timezone.localdate()
    district = people["_enterprise"].district
    officer2 = UserFactory(role=Role.OFFICER)
    e1 = people["_enterprise"]
    e2 = EnterpriseFactory(district=district, service_officer=officer2)
    e3 = EnterpriseFactory(district=district, service_officer=people["officer"])
    past = services.visit_plan_create(
        actor=people["desk"], name="上月走访", target="region", region=district,
        frequency="once", starts_on=today - dt.timedelta(days=60),
        ends_on=today - dt.timedelta(days=30),
    )  # fmt: skip
    current = services.visit_plan_create(
        actor=people["desk"], name="本月走访", target="region", region=district,
        frequency="once", starts_on=today, ends_on=today + dt.timedelta(days=30),
    )  # fmt: skip
    late = services.visit_record(
        actor=people["officer"],
        enterprise=e1,
        visited_on=today - dt.timedelta(days=10),
        seen="正常",
    )
    on_time = services.visit_record(
        actor=officer2, enterprise=e2, visited_on=today - dt.timedelta(days=45), seen="正常"
    )
    return {"e1": e1, "e2": e2, "e3": e3, "officer2": officer2, "past": past,
            "current": current, "late": late, "on_time": on_time}  # fmt: skip


def _tasks(client, query="") -> set[tuple[int, int]]:
    """(plan, enterprise) of the tasks listed."""
    response = client.get(f"{VISITS}/tasks{query}")
    assert response.status_code == 200, response.content
    return {(t["plan"], t["enterprise"]) for t in response.json()["items"]}


def test_visit_tasks_open_and_overdue(client, people, rounds):
    r = rounds
    past, current = r["past"].pk, r["current"].pk
    e1, e2, e3 = r["e1"].pk, r["e2"].pk, r["e3"].pk
    client.force_login(people["desk"])
    assert _tasks(client) == {(current, e1), (current, e2), (current, e3)}
    assert _tasks(client, "?state=open") == _tasks(client)
    assert _tasks(client, "?state=overdue") == {(past, e3)}  # e1 late and e2 on time: done
    assert _tasks(client, "?state=open&mine=true") == set()  # the desk visits nobody
    overdue = client.get(f"{VISITS}/tasks?state=overdue").json()["items"][0]
    assert (overdue["official"], overdue["enterprise_name"], overdue["visited_on"]) == (
        people["officer"].username, r["e3"].name, None
    )  # fmt: skip
    assert overdue["due"] == r["past"].ends_on.isoformat() and overdue["visit"] is None
    assert client.get(f"{VISITS}/tasks?state=someday").status_code == 422

    client.force_login(people["officer"])
    assert _tasks(client, "?state=open") == {(current, e1), (current, e3)}
    assert _tasks(client, "?state=open&mine=true") == {(current, e1), (current, e3)}
    assert _tasks(client, "?state=overdue&mine=true") == {(past, e3)}
    client.force_login(r["officer2"])
    assert _tasks(client, "?state=open&mine=1") == {(current, e2)}
    assert _tasks(client, "?state=overdue") == set()
    client.force_login(people["district"])
    assert _tasks(client) == {(current, e1), (current, e2), (current, e3)}
    assert _tasks(client, "?mine=true") == set()
    assert _tasks(client, "?state=overdue") == {(past, e3)}
    for role in ("other_district", "lead", "enterprise", "chain_office"):
        client.force_login(people[role])
        assert _tasks(client) == set() and _tasks(client, "?state=overdue") == set(), role


PLAN = {"name": "规上企业季度走访", "target": "above_scale", "frequency": "quarterly",
        "starts_on": "2026-01-01", "ends_on": "2026-12-31"}  # fmt: skip


def test_visit_plans_made_and_listed(client, people, rounds):
    district = people["_enterprise"].district
    elsewhere = EnterpriseFactory(district=people["other_district"].region)
    client.force_login(people["desk"])
    city_wide = _post(client, f"{VISITS}/plans", PLAN)
    assert city_wide.status_code == 201, city_wide.content
    body = city_wide.json()
    assert (body["name"], body["target"], body["frequency"], body["region"], body["chain"]) == (
        PLAN["name"], "above_scale", "quarterly", None, None
    )  # fmt: skip
    plan = VisitPlan.objects.get(pk=body["id"])
    assert VisitTask.objects.filter(plan=plan, enterprise=elsewhere).count() == 4  # quarters

    client.force_login(people["district"])
    own = _post(client, f"{VISITS}/plans", dict(PLAN, name="青山湖季度走访"))
    assert own.status_code == 201 and own.json()["region"] == district.code  # forced
    tasks = VisitTask.objects.filter(plan_id=own.json()["id"])
    assert elsewhere.pk not in set(tasks.values_list("enterprise_id", flat=True))
    assert set(tasks.values_list("enterprise__district", flat=True)) == {district.pk}
    named = _post(
        client,
        f"{VISITS}/plans",
        dict(PLAN, name="本区全部企业", target="region", region=district.code),
    )
    assert named.status_code == 201 and named.json()["region"] == district.code
    other = _post(
        client, f"{VISITS}/plans", dict(PLAN, region=people["other_district"].region.code)
    )
    assert other.status_code == 403

    count = VisitPlan.objects.count()
    client.force_login(people["desk"])
    for wrong, code in (
        ({"ends_on": "2025-12-31"}, 422),  # ends before it starts
        ({"target": "chain"}, 422),  # which chain?
        ({"target": "region"}, 422),  # which region?
        ({"target": "everyone"}, 422),
        ({"frequency": "daily"}, 422),
        ({"region": "999999"}, 404),
        ({"target": "chain", "chain": 999999}, 404),
    ):
        response = _post(client, f"{VISITS}/plans", {**PLAN, **wrong})
        assert response.status_code == code, (wrong, response.content)
    for role in ("officer", "leader", "lead", "enterprise", "chain_office"):
        client.force_login(people[role])
        assert _post(client, f"{VISITS}/plans", PLAN).status_code == 403, role
    assert VisitPlan.objects.count() == count

    def listed(role) -> set[int]:
        client.force_login(people[role])
        response = client.get(f"{VISITS}/plans")
        assert response.status_code == 200
        return {p["id"] for p in response.json()}

    r = rounds
    ours = {r["past"].pk, r["current"].pk, plan.pk, own.json()["id"], named.json()["id"]}
    assert listed("desk") == listed("leader") == ours
    assert listed("district") == ours
    assert listed("other_district") == {plan.pk}  # its enterprise is in the city's plan
    assert listed("officer") == ours  # e1 and e3 are in each
    for role in ("lead", "enterprise", "chain_office"):
        assert listed(role) == set(), role
    client.force_login(people["desk"])
    shown = {p["id"]: p for p in client.get(f"{VISITS}/plans").json()}
    assert (shown[r["past"].pk]["region"], shown[r["past"].pk]["frequency"]) == (
        district.code, "once"
    )  # fmt: skip


def test_visit_coverage(client, people, rounds):
    r = rounds
    chain = Chain.objects.create(code="ev", name="新能源汽车")
    node = ChainNode.objects.create(chain=chain, name="动力电池", segment="midstream",
                                    kind="component")  # fmt: skip
    EnterpriseNode.objects.create(enterprise=r["e1"], node=node)

    def rows(query):
        response = client.get(f"{VISITS}/coverage{query}")
        assert response.status_code == 200, response.content
        return [(row["key"], row["due"], row["on_time"], row["late"], row["overdue"],
                 row["open"], row["coverage"], row["on_time_rate"])
                for row in response.json()]  # fmt: skip

    client.force_login(people["desk"])
    assert rows("?by=plan") == [
        (r["current"].pk, 0, 0, 0, 0, 3, None, None),  # the plan made last first
        (r["past"].pk, 3, 1, 1, 1, 0, 66.7, 33.3),
    ]
    # the officer has e1 (late) and e3 (overdue); the second officer e2 (on time)
    assert rows("?by=official") == [
        (people["officer"].pk, 2, 0, 1, 1, 2, 50.0, 0.0),
        (r["officer2"].pk, 1, 1, 0, 0, 1, 100.0, 100.0),
    ]
    labels = {row["key"]: row["label"] for row in client.get(f"{VISITS}/coverage").json()}
    assert labels == {people["officer"].pk: str(people["officer"]),
                      r["officer2"].pk: str(r["officer2"])}  # fmt: skip
    district = people["_enterprise"].district
    assert rows("?by=district") == [(district.pk, 3, 1, 1, 1, 3, 66.7, 33.3)]
    assert rows("?by=chain") == [(chain.pk, 1, 0, 1, 0, 1, 100.0, 0.0)]
    assert rows(f"?by=official&plan={r['past'].pk}") == [
        (people["officer"].pk, 2, 0, 1, 1, 0, 50.0, 0.0),
        (r["officer2"].pk, 1, 1, 0, 0, 0, 100.0, 100.0),
    ]
    assert client.get(f"{VISITS}/coverage?plan=999999").status_code == 404
    assert client.get(f"{VISITS}/coverage?by=weather").status_code == 422

    client.force_login(people["officer"])
    assert rows("?by=official") == [(people["officer"].pk, 2, 0, 1, 1, 2, 50.0, 0.0)]
    client.force_login(people["district"])
    assert rows("?by=district") == [(district.pk, 3, 1, 1, 1, 3, 66.7, 33.3)]
    client.force_login(people["leader"])
    assert len(rows("?by=plan")) == 2
    client.force_login(people["other_district"])
    assert rows("?by=plan") == []
    for role in ("lead", "enterprise", "chain_office"):
        client.force_login(people[role])
        for by in ("plan", "official", "district", "chain"):
            assert client.get(f"{VISITS}/coverage?by={by}").status_code == 403, (role, by)


# Query counts ---------------------------------------------------------------------------------

LISTS = (
    f"{API}?tab=all",
    f"{API}?tab=mine",
    f"{API}?tab=overdue",
    f"{API}?status=registered&key=false",
    f"{API}/board",
    f"{API}/statistics?by=department",
    f"{API}/statistics?by=category",
    f"{API}/statistics?by=district",
    f"{API}/statistics?by=chain",
    f"{API}/statistics?by=month",
    VISITS,
    f"{VISITS}/tasks?state=open",
    f"{VISITS}/tasks?state=overdue",
    f"{VISITS}/tasks?state=open&mine=true",
    f"{VISITS}/plans",
    f"{VISITS}/coverage?by=plan",
    f"{VISITS}/coverage?by=official",
    f"{VISITS}/coverage?by=district",
    f"{VISITS}/coverage?by=chain",
)


def _rows_add(people, node, i: int) -> None:
    """One of each kind of row in the scope of the people's enterprise, district and officer:
    demands of the people's enterprise and of a new one of the district (closed, in
    progress, overdue, key with a factor request), a visit with two officials and a demand
    raised, enterprises on chains, and two plans with their tasks (one overdue, one open),
    some assigned to a new officer."""
    today = timezone.localdate()
    district = people["_enterprise"].district
    visited = EnterpriseFactory(district=district, service_officer=people["officer"])
    missed = EnterpriseFactory(district=district, service_officer=UserFactory(role=Role.OFFICER))
    EnterpriseNode.objects.create(enterprise=visited, node=node)
    chain = Chain.objects.create(code=f"chain-{i}", name=f"产业链{i}")
    EnterpriseNode.objects.create(enterprise=missed, node=ChainNode.objects.create(
        chain=chain, name=f"环节{i}", segment="upstream", kind="material"))  # fmt: skip
    walk(people, register(people, title=f"招工{i}", text=f"需普工{i}名"), Status.CLOSED)
    factor = services.FactorAsk(
        kind="funds",
        detail="流动资金",
        quantity=Decimal(i + 1),
        project=project_of(people["_enterprise"], name=f"项目{i}"),
    )
    walk(people, register(people, title=f"融资{i}", text=f"贷款{i}万元", factor=factor),
         Status.IN_PROGRESS)  # fmt: skip
    register(people, title=f"用地{i}", text=f"用地{i}亩",
             at=timezone.now() - dt.timedelta(days=20))  # overdue for dispatch  # fmt: skip
    walk(people, register(people, actor=people["desk"], enterprise=visited, source=Source.PHONE,
                          title=f"用电{i}", text=f"增容{i}"), Status.RESOLVED)  # fmt: skip
    services.visit_plan_create(
        actor=people["desk"], name=f"上月{i}", target="region", region=district,
        frequency="once", starts_on=today - dt.timedelta(days=60),
        ends_on=today - dt.timedelta(days=30),
    )  # fmt: skip
    services.visit_plan_create(
        actor=people["desk"], name=f"本月{i}", target="key_chains", frequency="monthly",
        starts_on=today, ends_on=today + dt.timedelta(days=60),
    )  # fmt: skip
    services.visit_record(
        actor=people["officer"], enterprise=visited, visited_on=today - dt.timedelta(days=40),
        seen="生产正常", officials=[people["officer"], UserFactory(role=Role.OFFICER)],
        demands=[RaisedDemand(title=f"技改{i}", text=f"技改补贴{i}")],
    )  # fmt: skip


def _size(body) -> int | None:
    """How many rows an answer holds (or sums up)."""
    if isinstance(body, dict):
        if "items" in body:
            return body["count"]
        return body["total"]["received"] if "total" in body else None  # statistics; or 403
    if body and "demands" in body[0]:  # the board
        return sum(column["count"] for column in body)
    if body and "due" in body[0]:  # coverage
        return sum(row["due"] + row["open"] for row in body)
    return len(body)


def _counts(client) -> dict[str, tuple[int, int, int | None]]:
    """(status, queries, rows) of each list."""
    counts = {}
    for url in LISTS:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        counts[url] = (response.status_code, len(queries), _size(response.json()))
    return counts


@pytest.mark.parametrize("role", ["desk", "district", "officer", "lead", "enterprise"])
def test_lists_do_not_grow_their_queries_with_the_rows(client, people, role):
    chain = Chain.objects.create(code="ev", name="新能源汽车")
    node = ChainNode.objects.create(chain=chain, name="动力电池", segment="midstream",
                                    kind="component")  # fmt: skip
    _rows_add(people, node, 0)
    client.force_login(people[role])
    one = _counts(client)
    for i in range(1, 5):
        _rows_add(people, node, i)
    many = _counts(client)
    for url in LISTS:
        (code, queries, rows), (code_after, queries_after, rows_after) = one[url], many[url]
        assert code == code_after and code in (200, 403), (url, code, code_after)
        assert queries_after == queries, (url, queries, queries_after)
        if rows:  # what the user saw with one row of each kind grew
            assert rows_after > rows, (url, rows, rows_after)
    shown = {"desk": 18, "district": 17, "officer": 18, "lead": 8, "enterprise": 4}[role]
    assert sum(bool(rows) for _c, _q, rows in one.values()) == shown  # lists with rows
