"""The audit trail: business writes (services, web forms, API), logins, lockout, the log page."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst

from gongxin.core.audit import audit_context, change_lines
from gongxin.core.auth import token_issue
from gongxin.core.choices import AuditAction, Role
from gongxin.core.models import AuditEntry, Industry
from gongxin.core.tests.factories import UserFactory
from gongxin.enterprises import services
from gongxin.enterprises.models import Enterprise
from gongxin.enterprises.tests.factories import EnterpriseFactory, make_uscc
from gongxin.enterprises.tests.helpers import World, world_build

PASSWORD = "pw-for-tests-1"  # UserFactory's
TYPE = "enterprises.enterprise"


@pytest.fixture
def world(city) -> World:
    return world_build(city)


def _entries(**filters) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(**filters).order_by("id"))


def _edit_form(e: Enterprise, **changes) -> dict:
    data = {
        "uscc": e.uscc,
        "name": e.name,
        "legal_representative": e.legal_representative,
        "established_on": e.established_on.isoformat() if e.established_on else "",
        "registered_capital_wan": ""
        if e.registered_capital is None
        else str((e.registered_capital / 10_000).normalize()),
        "address": e.address,
        "district": e.district_id,
        "park": e.park_id or "",
        "industry": e.industry_id or "",
        "size_class": e.size_class,
        "above_scale": "on" if e.above_scale else "",
        "status": e.status,
        "main_products": e.main_products,
        "business_scope": e.business_scope,
        "service_officer": e.service_officer_id or "",
    }
    data.update(changes)
    return data


# Services ---------------------------------------------------------------------------------


def test_services_audit_create_update_delete(city):
    staff = UserFactory(role=Role.STAFF)
    district = city.regions["360121"]
    enterprise = services.enterprise_create(
        actor=staff,
        data={"uscc": make_uscc(11), "name": "南昌县甲有限公司", "district": district},
    )
    (created,) = _entries(action=AuditAction.CREATE)
    assert created.actor == staff and created.actor_name == staff.username
    assert (created.object_type, created.object_id) == (TYPE, str(enterprise.pk))
    assert created.object_repr == "南昌县甲有限公司"
    assert created.changes["name"] == [None, "南昌县甲有限公司"]
    assert created.changes["district"] == [None, district.pk]
    assert created.changes["uscc"] == [None, make_uscc(11)]

    services.enterprise_update(
        actor=staff,
        enterprise=enterprise,
        data={"name": "南昌县乙有限公司", "district": district, "size_class": "small"},
    )
    (updated,) = _entries(action=AuditAction.UPDATE)
    assert updated.actor == staff and updated.object_id == str(enterprise.pk)
    assert updated.changes == {
        "name": ["南昌县甲有限公司", "南昌县乙有限公司"],
        "size_class": ["", "small"],
    }

    services.enterprise_update(
        actor=staff, enterprise=enterprise, data={"name": "南昌县乙有限公司", "district": district}
    )
    assert AuditEntry.objects.filter(action=AuditAction.UPDATE).count() == 1  # no-op: none

    pk = enterprise.pk
    services.enterprise_delete(actor=staff, enterprise=enterprise)
    (deleted,) = _entries(action=AuditAction.DELETE)
    assert deleted.actor == staff and deleted.object_id == str(pk)
    assert deleted.changes["name"] == ["南昌县乙有限公司", None]
    assert not Enterprise.objects.filter(pk=pk).exists()


def test_refused_write_leaves_no_entry(city):
    leader = UserFactory(role=Role.LEADER)
    enterprise = EnterpriseFactory()
    with pytest.raises(PermissionDenied):
        services.enterprise_update(actor=leader, enterprise=enterprise, data={"name": "x"})
    assert not AuditEntry.objects.exists()


def test_system_writes_are_audited_as_system(city):
    enterprise = EnterpriseFactory()
    services.enterprise_update(actor=None, enterprise=enterprise, data={"main_products": "钢材"})
    (entry,) = _entries()
    assert entry.actor is None and entry.actor_name == "system"


# Web forms --------------------------------------------------------------------------------


def test_web_forms_are_audited(world):
    staff = world.users["staff"]
    client = world.client("staff")
    regions = world.city.regions
    response = client.post(
        reverse("enterprises:enterprise_create"),
        {
            "uscc": make_uscc(12),
            "name": "红谷滩新建企业有限公司",
            "district": regions["360113"].pk,
            "status": "operating",
        },
    )
    assert response.status_code == 302
    enterprise = Enterprise.objects.get(uscc=make_uscc(12))
    (created,) = _entries(action=AuditAction.CREATE)
    assert created.actor == staff
    assert (created.object_type, created.object_id) == (TYPE, str(enterprise.pk))
    assert created.request_id == response["X-Request-ID"]
    assert created.ip_address == "127.0.0.1"

    url = reverse("enterprises:enterprise_edit", args=[enterprise.pk])
    response = client.post(url, _edit_form(enterprise, main_products="智能网联汽车"))
    assert response.status_code == 302
    (updated,) = _entries(action=AuditAction.UPDATE)
    assert updated.actor == staff and updated.object_id == str(enterprise.pk)
    assert updated.changes == {"main_products": ["", "智能网联汽车"]}

    enterprise.refresh_from_db()
    response = client.post(url, _edit_form(enterprise))  # the same values again
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action=AuditAction.UPDATE).count() == 1

    response = client.post(reverse("enterprises:enterprise_delete", args=[enterprise.pk]))
    assert response.status_code == 302
    (deleted,) = _entries(action=AuditAction.DELETE)
    assert deleted.actor == staff and deleted.object_id == str(enterprise.pk)
    assert deleted.changes["main_products"] == ["智能网联汽车", None]


def test_web_child_forms_are_audited_on_the_enterprise(world):
    """Contacts are audited on their enterprise; a changed contact records before/after."""
    user = world.users["enterprise"]
    client = world.client("enterprise")
    a = world.a
    response = client.post(
        reverse("enterprises:contact_create", args=[a.pk]), {"name": "王经理", "phone": "1"}
    )
    assert response.status_code == 302
    contact = a.contacts.get()
    (created,) = _entries(action=AuditAction.CREATE)
    assert (created.actor, created.object_type, created.object_id) == (user, TYPE, str(a.pk))
    assert created.changes["name"] == [None, "王经理"]
    assert "王经理" in created.message

    response = client.post(
        reverse("enterprises:contact_edit", args=[a.pk, contact.pk]),
        {"name": "王经理", "phone": "2"},
    )
    assert response.status_code == 302
    (updated,) = _entries(action=AuditAction.UPDATE)
    assert updated.changes == {"phone": ["1", "2"]}

    client.post(
        reverse("enterprises:contact_edit", args=[a.pk, contact.pk]),
        {"name": "王经理", "phone": "2"},
    )
    assert AuditEntry.objects.filter(action=AuditAction.UPDATE).count() == 1


# API --------------------------------------------------------------------------------------


def test_api_writes_are_audited(world):
    staff = world.users["staff"]
    client = Client(headers={"Authorization": f"Bearer {token_issue(user=staff)}"})
    response = client.post(
        "/api/v1/enterprises",
        {"uscc": make_uscc(13), "name": "接口新建有限公司", "district": "360124"},
        content_type="application/json",
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    (created,) = _entries(action=AuditAction.CREATE)
    assert (created.actor, created.object_type, created.object_id) == (staff, TYPE, str(pk))
    assert created.changes["name"] == [None, "接口新建有限公司"]
    assert created.request_id == response["X-Request-ID"]

    for _ in range(2):  # the second PATCH changes nothing and is not recorded
        response = client.patch(
            f"/api/v1/enterprises/{pk}", {"size_class": "micro"}, content_type="application/json"
        )
        assert response.status_code == 200
    (updated,) = _entries(action=AuditAction.UPDATE)
    assert updated.actor == staff and updated.changes == {"size_class": ["", "micro"]}

    assert client.delete(f"/api/v1/enterprises/{pk}").status_code == 204
    (deleted,) = _entries(action=AuditAction.DELETE)
    assert deleted.actor == staff and deleted.object_id == str(pk)
    assert deleted.changes["size_class"] == ["micro", None]


# Logins -----------------------------------------------------------------------------------


def _login(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_success_failure_and_logout(db):
    alice = UserFactory(username="alice")
    client = Client()

    response = _login(client, "alice", "wrong-password")
    assert response.status_code == 200  # the form again
    (failed,) = _entries(action=AuditAction.LOGIN_FAILED)
    assert failed.actor is None
    assert failed.actor_name == "alice"
    assert "alice" in failed.message
    assert (failed.object_type, failed.object_id) == ("core.user", str(alice.pk))

    response = _login(client, "nobody", "whatever")
    failed = _entries(action=AuditAction.LOGIN_FAILED)[-1]
    assert failed.actor_name == "nobody" and "nobody" in failed.message
    assert failed.object_id == ""

    response = _login(client, "alice", PASSWORD)
    assert response.status_code == 302
    (login,) = _entries(action=AuditAction.LOGIN)
    assert login.actor == alice and login.actor_name == "alice"
    assert login.request_id == response["X-Request-ID"]

    response = client.post(reverse("logout"))
    assert response.status_code == 302
    (logout,) = _entries(action=AuditAction.LOGOUT)
    assert logout.actor == alice


def test_lockout_after_five_failures(db):
    UserFactory(username="alice")
    UserFactory(username="bob")
    client = Client()
    statuses = [_login(client, "alice", "wrong-password").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks the account
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 5

    response = _login(client, "alice", PASSWORD)  # the right password, too late
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session
    assert not AuditEntry.objects.filter(action=AuditAction.LOGIN).exists()
    assert client.get(reverse("home")).status_code == 302

    response = _login(client, "bob", PASSWORD)  # the lock is per user name
    assert response.status_code == 302
    assert AuditEntry.objects.get(action=AuditAction.LOGIN).actor_name == "bob"


def test_four_failures_do_not_lock(db):
    UserFactory(username="alice")
    client = Client()
    for _ in range(4):
        _login(client, "alice", "wrong-password")
    assert _login(client, "alice", PASSWORD).status_code == 302


# The audit log page -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "user, status",
    [
        ("admin", 200),
        ("staff", 403),
        ("leader", 403),
        ("district_a", 403),
        ("park", 403),
        ("officer", 403),
        ("enterprise", 403),
        ("department", 403),
    ],
)
def test_audit_log_page_is_for_administrators(world, user, status):
    assert world.client(user).get(reverse("audit_log")).status_code == status


def test_audit_log_page_anonymous_goes_to_login(db):
    response = Client().get(reverse("audit_log"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_superuser_sees_the_audit_log(db):
    root = UserFactory(username="root", role=Role.STAFF, is_superuser=True)
    client = Client()
    client.force_login(root)
    assert client.get(reverse("audit_log")).status_code == 200


def test_audit_log_filters(world):
    staff = world.users["staff"]
    a, b = world.a, world.b
    services.enterprise_update(actor=staff, enterprise=a, data={"main_products": "航空座椅"})
    services.enterprise_update(actor=staff, enterprise=b, data={"main_products": "医用口罩"})
    _login(Client(), "leader", PASSWORD)
    _login(Client(), "leader", "wrong-password")
    client = world.client("admin")

    def listed(**params) -> set[int]:
        response = client.get(reverse("audit_log"), params)
        assert response.status_code == 200
        return {e.pk for e in response.context["object_list"]}

    def ids(**filters) -> set[int]:
        return set(AuditEntry.objects.filter(**filters).values_list("pk", flat=True))

    assert listed() == ids()
    assert listed(action="login") == ids(action=AuditAction.LOGIN) != set()
    assert listed(action="login_failed") == ids(action=AuditAction.LOGIN_FAILED) != set()
    assert listed(actor="leader") == ids(actor_name="leader")
    assert len(listed(actor="leader")) == 2  # the login and the failed attempt
    assert listed(actor=staff.username) == ids(actor=staff, action=AuditAction.UPDATE)
    by_object = listed(object_type=TYPE, object_id=str(a.pk))
    assert by_object == ids(object_type=TYPE, object_id=str(a.pk))
    assert len(by_object) == 1
    assert listed(q="进贤") == ids(object_type=TYPE, object_id=str(b.pk))
    assert listed(action="update", actor="leader") == set()


# Request ids ------------------------------------------------------------------------------


def test_one_request_one_request_id(world):
    """An import of two rows writes two entries in one request: both carry its id."""
    client = world.client("staff")
    csv = "统一社会信用代码,企业名称,所属区县\n{},导入甲有限公司,南昌县\n{},导入乙有限公司,进贤县\n"
    upload = SimpleUploadedFile(
        "企业.csv", csv.format(make_uscc(21), make_uscc(22)).encode(), "text/csv"
    )
    response = client.post(
        reverse("import", args=["enterprises"]),
        {"file": upload},
        HTTP_X_REQUEST_ID="req-from-the-proxy-1",
    )
    assert response.status_code == 302, response.content[:500]
    assert response["X-Request-ID"] == "req-from-the-proxy-1"
    created = _entries(action=AuditAction.CREATE)
    assert {e.object_repr for e in created} == {"导入甲有限公司", "导入乙有限公司"}
    assert {e.request_id for e in created} == {"req-from-the-proxy-1"}
    assert {e.actor_id for e in created} == {world.users["staff"].pk}

    response = client.post(
        reverse("enterprises:contact_create", args=[world.a.pk]), {"name": "李", "phone": "3"}
    )
    other = _entries(action=AuditAction.CREATE)[-1]
    assert other.request_id == response["X-Request-ID"]
    assert other.request_id not in ("", "req-from-the-proxy-1")


def test_audit_context_groups_service_writes(city):
    staff = UserFactory(role=Role.STAFF)
    enterprise = EnterpriseFactory()
    with audit_context() as request_id:
        services.enterprise_update(actor=staff, enterprise=enterprise, data={"name": "一"})
        services.enterprise_update(actor=staff, enterprise=enterprise, data={"name": "二"})
    services.enterprise_update(actor=staff, enterprise=enterprise, data={"name": "三"})
    first, second, third = _entries()
    assert first.request_id == second.request_id == request_id != ""
    assert third.request_id == ""


# Reading the changes ----------------------------------------------------------------------


CHANGES = {
    "name": ["甲", "乙"],
    "park": ["PARK", None],
    "district": ["DISTRICT", 999_999],  # a region deleted since
    "size_class": ["small", "medium"],
    "above_scale": [False, True],
    "revenue": ["12345678.9", "20000000"],  # a monthly figure, audited on its enterprise
    "stage:design": [None, "2024-03-01"],  # no field: shown as stored
    "registered_capital": [None, "150.5"],  # money: to the fen, with its unit
    "employees": [120, 1234],  # a number, not money
}


def _changes(city) -> dict:
    park, district = city.regions["xlq"], city.regions["360121"]
    swap = {"PARK": park.pk, "DISTRICT": district.pk}
    return {k: [swap.get(v, v) for v in pair] for k, pair in CHANGES.items()}


def test_changes_read_in_the_users_language(city):
    park, district = city.regions["xlq"].name, city.regions["360121"].name
    with translation.override("zh-hans"):
        [lines] = change_lines([(TYPE, _changes(city))])
    assert lines == [
        ("名称", "甲", "乙"),
        ("所属园区", park, "—"),
        ("所属区县", district, "#999999"),
        ("企业规模", "小型", "中型"),
        ("规上", "否", "是"),
        ("营业收入", "12,345,678.90 元", "20,000,000.00 元"),
        ("stage:design", "—", "2024-03-01"),
        ("注册资本（元）", "—", "150.50 元"),
        ("从业人员", "120", "1234"),
    ]
    with translation.override("en"):
        [lines] = change_lines([(Enterprise, _changes(city))])
    assert lines[1] == ("Park", park, "—")
    assert lines[4] == ("Above designated size", "No", "Yes")
    assert lines[5] == ("Operating revenue", "12,345,678.90 yuan", "20,000,000.00 yuan")
    assert change_lines([("no.such_model", {"x": [1, 2]}), (None, {})]) == [[("x", "1", "2")], []]


def test_related_records_are_read_once_per_model(city, django_assert_num_queries):
    industry = Industry.objects.first()
    items = [(TYPE, _changes(city)) for _ in range(20)]
    items += [(TYPE, {"industry": [None, industry.pk]}) for _ in range(20)]
    with django_assert_num_queries(2):  # the regions, the industries
        shown = change_lines(items)
    label = capfirst(Enterprise._meta.get_field("industry").verbose_name)
    assert shown[-1] == [(label, "—", str(industry))]


def test_enterprise_history_and_audit_log_show_names(world):
    staff = world.users["staff"]
    a = world.a
    park = a.park
    services.enterprise_update(actor=staff, enterprise=a, data={"park": None})
    client = world.client("admin")
    for url in (reverse("enterprises:enterprise_detail", args=[a.pk]), reverse("audit_log")):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert f"所属园区: {park.name} → —" in html
        assert "park:" not in html
