"""Who may do what to which enterprise: a role × endpoint matrix over the web UI and the API.

The subject is enterprise `a` (district A = 青山湖区, park 航空城 inside 南昌高新区). Each
row of EXPECTED says, for one endpoint, what every user in USERS gets:

- 200/201/204/302: allowed (for writes, the change is then checked in the database);
- 404: out of scope (the enterprise's name must not appear in the answer);
- 403: in scope for reading, but not allowed to do this;
- 400/422: allowed to try, but the data is refused (district B placing a firm in district A);
- LOGIN: anonymous web request, redirected to the login page (the API answers 401);
- SEEN / HIDDEN: a listing (page, API list, export) answers 200 with / without enterprise `a`.

Adding an endpoint: one entry in ENDPOINTS and one row in EXPECTED. Adding a role: one entry in
helpers.USER_ROLES and one column here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from gongxin.enterprises.models import AnnualFigure, Enterprise, MonthlyFigure
from gongxin.enterprises.tests.factories import make_uscc
from gongxin.enterprises.tests.helpers import (
    DISTRICT_A,
    DISTRICT_B,
    USER_ROLES,
    World,
    api_usccs,
    page_usccs,
    xlsx_usccs,
)

LOGIN, SEEN, HIDDEN = "login", "seen", "hidden"
ALLOWED = {200, 201, 204, 302, SEEN}

NEW_USCC = make_uscc(777_777)
NEW_NAME = "改名后的航空零部件有限公司"
NEW_PRODUCTS = "航空发动机叶片"
CONTACT_NAME = "联系人甲"


def _enterprise_url(name: str) -> Callable[[World, Enterprise], str]:
    return lambda w, e: reverse(f"enterprises:{name}", args=[e.pk])


def _api_url(suffix: str = "") -> Callable[[World, Enterprise], str]:
    return lambda w, e: f"/api/v1/enterprises/{e.pk}{suffix}"


def _edit_form(w: World, e: Enterprise) -> dict[str, Any]:
    """The edit form as the browser posts it, with a new name."""
    return {
        "uscc": e.uscc,
        "name": NEW_NAME,
        "legal_representative": e.legal_representative,
        "established_on": e.established_on.isoformat(),
        "registered_capital_wan": "1000",
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


def _create_form(w: World, e: Enterprise) -> dict[str, Any]:
    regions = w.city.regions
    return {
        "uscc": NEW_USCC,
        "name": "新落户航空材料有限公司",
        "district": regions["360111"].pk,
        "park": regions["hkc"].pk,
        "size_class": "small",
        "status": "operating",
    }


@dataclass(frozen=True)
class Endpoint:
    method: str
    url: Callable[[World, Enterprise], str]
    api: bool = False
    data: Callable[[World, Enterprise], dict[str, Any]] | None = None
    #: for writes: has the change been made? (checked both when allowed and when refused)
    done: Callable[[Enterprise], bool] | None = None
    #: for listings: the credit codes in the answer
    listing: Callable[[Any], set[str]] | None = None
    #: False for endpoints that do not name an enterprise (list, create, import)
    per_object: bool = True


ENDPOINTS: dict[str, Endpoint] = {
    "list": Endpoint(
        "get",
        lambda w, e: reverse("enterprises:enterprise_list"),
        listing=page_usccs,
        per_object=False,
    ),
    "detail": Endpoint("get", _enterprise_url("enterprise_detail")),
    "edit_get": Endpoint("get", _enterprise_url("enterprise_edit")),
    "edit_post": Endpoint(
        "post",
        _enterprise_url("enterprise_edit"),
        data=_edit_form,
        done=lambda e: Enterprise.objects.filter(pk=e.pk, name=NEW_NAME).exists(),
    ),
    "create_get": Endpoint(
        "get", lambda w, e: reverse("enterprises:enterprise_create"), per_object=False
    ),
    "create_post": Endpoint(
        "post",
        lambda w, e: reverse("enterprises:enterprise_create"),
        data=_create_form,
        done=lambda e: Enterprise.objects.filter(uscc=NEW_USCC).exists(),
        per_object=False,
    ),
    "delete_post": Endpoint(
        "post",
        _enterprise_url("enterprise_delete"),
        data=lambda w, e: {},
        done=lambda e: not Enterprise.objects.filter(pk=e.pk).exists(),
    ),
    "contact_create": Endpoint(
        "post",
        _enterprise_url("contact_create"),
        data=lambda w, e: {"name": CONTACT_NAME, "title": "办公室主任", "phone": "13800138000"},
        done=lambda e: e.contacts.filter(name=CONTACT_NAME).exists(),
    ),
    "qualification_create": Endpoint(
        "post",
        _enterprise_url("qualification_create"),
        data=lambda w, e: {
            "kind": "specialized_sme",
            "level": "provincial",
            "issued_on": "2025-01-10",
            "expires_on": "2028-01-09",
        },
        done=lambda e: e.qualifications.filter(kind="specialized_sme").exists(),
    ),
    "monthly_figure_create": Endpoint(
        "post",
        _enterprise_url("monthly_figure_create"),
        data=lambda w, e: {"month": "2025-03", "output_value": "1250.5", "employees": "88"},
        done=lambda e: MonthlyFigure.objects.filter(
            enterprise=e, period=dt.date(2025, 3, 1), employees=88
        ).exists(),
    ),
    "annual_figure_create": Endpoint(
        "post",
        _enterprise_url("annual_figure_create"),
        data=lambda w, e: {"year": "2025", "revenue": "23500.5", "rd_expense": "812"},
        done=lambda e: AnnualFigure.objects.filter(
            enterprise=e, year=2025, revenue=Decimal("235005000.00"), rd_expense=8_120_000
        ).exists(),
    ),
    "export_xlsx": Endpoint(
        "get",
        lambda w, e: reverse("enterprises:enterprise_export"),
        listing=lambda r: xlsx_usccs(r.content),
        per_object=False,
    ),
    "import_page": Endpoint(
        "get", lambda w, e: reverse("import", args=["enterprises"]), per_object=False
    ),
    "api_list": Endpoint(
        "get", lambda w, e: "/api/v1/enterprises", api=True, listing=api_usccs, per_object=False
    ),
    "api_detail": Endpoint("get", _api_url(), api=True),
    "api_create": Endpoint(
        "post",
        lambda w, e: "/api/v1/enterprises",
        api=True,
        data=lambda w, e: {
            "uscc": NEW_USCC,
            "name": "新落户航空材料有限公司",
            "district": "360111",
            "park": "hkc",
            "industry": "3670",
        },
        done=lambda e: Enterprise.objects.filter(uscc=NEW_USCC).exists(),
        per_object=False,
    ),
    "api_patch": Endpoint(
        "patch",
        _api_url(),
        api=True,
        data=lambda w, e: {"main_products": NEW_PRODUCTS},
        done=lambda e: Enterprise.objects.filter(pk=e.pk, main_products=NEW_PRODUCTS).exists(),
    ),
    "api_delete": Endpoint(
        "delete",
        _api_url(),
        api=True,
        done=lambda e: not Enterprise.objects.filter(pk=e.pk).exists(),
    ),
    "api_figures_get": Endpoint("get", _api_url("/monthly-figures"), api=True),
    "api_figures_put": Endpoint(
        "put",
        _api_url("/monthly-figures/2025-03"),
        api=True,
        data=lambda w, e: {"output_value": "12505000", "employees": 88},
        done=lambda e: MonthlyFigure.objects.filter(
            enterprise=e, period=dt.date(2025, 3, 1), employees=88
        ).exists(),
    ),
}

USERS = (
    "anonymous",
    "leader",
    "staff",
    "district_a",
    "district_b",
    "park",
    "officer",
    "enterprise",
    "department",
    "admin",
)

# fmt: off
EXPECTED: dict[str, tuple] = {
    #                         anon   lead  staff distA distB   park  offcr ent   dept  admin
    "list":                  (LOGIN, SEEN, SEEN, SEEN, HIDDEN, SEEN, SEEN, SEEN, SEEN, SEEN),
    "detail":                (LOGIN, 200,  200,  200,  404,    200,  200,  200,  200,  200),
    "edit_get":              (LOGIN, 403,  200,  200,  404,    200,  200,  403,  403,  200),
    "edit_post":             (LOGIN, 403,  302,  302,  404,    302,  302,  403,  403,  302),
    "create_get":            (LOGIN, 403,  200,  200,  200,    200,  403,  403,  403,  200),
    "create_post":           (LOGIN, 403,  302,  302,  400,    302,  403,  403,  403,  302),
    "delete_post":           (LOGIN, 403,  302,  403,  404,    403,  403,  403,  403,  302),
    "contact_create":        (LOGIN, 403,  302,  302,  404,    302,  302,  302,  403,  302),
    "qualification_create":  (LOGIN, 403,  302,  302,  404,    302,  302,  403,  403,  302),
    "monthly_figure_create": (LOGIN, 403,  302,  302,  404,    302,  302,  403,  403,  302),
    "annual_figure_create":  (LOGIN, 403,  302,  302,  404,    302,  302,  403,  403,  302),
    "export_xlsx":           (LOGIN, SEEN, SEEN, SEEN, HIDDEN, SEEN, SEEN, SEEN, SEEN, SEEN),
    "import_page":           (LOGIN, 403,  200,  200,  200,    200,  403,  403,  403,  200),
    "api_list":              (401,   SEEN, SEEN, SEEN, HIDDEN, SEEN, SEEN, SEEN, SEEN, SEEN),
    "api_detail":            (401,   200,  200,  200,  404,    200,  200,  200,  200,  200),
    "api_create":            (401,   403,  201,  201,  422,    201,  403,  403,  403,  201),
    "api_patch":             (401,   403,  200,  200,  404,    200,  200,  403,  403,  200),
    "api_delete":            (401,   403,  204,  403,  404,    403,  403,  403,  403,  204),
    "api_figures_get":       (401,   200,  200,  200,  404,    200,  200,  200,  200,  200),
    "api_figures_put":       (401,   403,  200,  200,  404,    200,  200,  403,  403,  200),
}
# fmt: on

#: Users for whom enterprise `b` (district B, park jxq, no officer) is out of scope.
OUT_OF_SCOPE_FOR_B = ("district_a", "park", "officer", "enterprise")


def _call(world: World, user: str, endpoint: Endpoint, target: Enterprise):
    client = world.api_client(user) if endpoint.api else world.client(user)
    url = endpoint.url(world, target)
    data = endpoint.data(world, target) if endpoint.data else None
    if endpoint.api and data is not None:
        return getattr(client, endpoint.method)(url, data, content_type="application/json")
    if data is not None:
        return getattr(client, endpoint.method)(url, data)
    return getattr(client, endpoint.method)(url)


def _check(response, expected, endpoint: Endpoint, target: Enterprise) -> None:
    status = response.status_code
    if expected == LOGIN:
        assert status == 302 and response["Location"].startswith(reverse("login") + "?next=")
    elif expected in (SEEN, HIDDEN):
        assert status == 200, response.content[:300]
        assert (target.uscc in endpoint.listing(response)) == (expected == SEEN)
    else:
        assert status == expected, response.content[:500]
        if status == 302:
            assert not response["Location"].startswith(reverse("login"))
    if expected in (404, HIDDEN) and endpoint.listing is None:
        assert target.name not in response.content.decode(), "an out-of-scope name leaked"
    if endpoint.done is not None:
        assert endpoint.done(target) == (expected in ALLOWED)


def test_matrix_is_complete():
    assert tuple(USER_ROLES) == USERS
    assert set(EXPECTED) == set(ENDPOINTS)
    assert all(len(row) == len(USERS) for row in EXPECTED.values())


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_role_endpoint_matrix(world, endpoint, user):
    expected = EXPECTED[endpoint][USERS.index(user)]
    response = _call(world, user, ENDPOINTS[endpoint], world.a)
    _check(response, expected, ENDPOINTS[endpoint], world.a)


@pytest.mark.parametrize("user", OUT_OF_SCOPE_FOR_B)
@pytest.mark.parametrize("endpoint", [k for k, v in ENDPOINTS.items() if v.per_object])
def test_other_district_enterprise_is_not_found(world, endpoint, user):
    """District A, the high-tech zone, a's officer and a's own user: b does not exist."""
    response = _call(world, user, ENDPOINTS[endpoint], world.b)
    _check(response, 404, ENDPOINTS[endpoint], world.b)
    assert Enterprise.objects.filter(pk=world.b.pk, name=world.b.name).exists()


@pytest.mark.parametrize("user", OUT_OF_SCOPE_FOR_B)
@pytest.mark.parametrize("endpoint", ["list", "export_xlsx", "api_list"])
def test_other_district_enterprise_is_not_listed(world, endpoint, user):
    response = _call(world, user, ENDPOINTS[endpoint], world.b)
    assert response.status_code == 200
    assert ENDPOINTS[endpoint].listing(response) == {world.a.uscc}


@pytest.mark.parametrize(
    "user, visible",
    [
        ("district_a", {"a"}),
        ("district_b", {"b"}),
        ("park", {"a"}),
        ("officer", {"a"}),
        ("enterprise", {"a"}),
        ("leader", {"a", "b"}),
        ("department", {"a", "b"}),
    ],
)
def test_listings_agree_on_scope(world, user, visible):
    """The list page, the API list and the export show exactly the same enterprises."""
    expected = {getattr(world, key).uscc for key in visible}
    for name in ("list", "export_xlsx", "api_list"):
        response = _call(world, user, ENDPOINTS[name], world.a)
        assert ENDPOINTS[name].listing(response) == expected, name


def test_session_authenticates_the_api_with_the_same_scope(world):
    client = world.client("district_a")
    assert client.get(f"/api/v1/enterprises/{world.a.pk}").status_code == 200
    assert client.get(f"/api/v1/enterprises/{world.b.pk}").status_code == 404
    assert api_usccs(client.get("/api/v1/enterprises")) == {world.a.uscc}


def test_enterprise_user_keeps_contacts_but_not_the_file(world):
    client = world.client("enterprise")
    detail = client.get(reverse("enterprises:enterprise_detail", args=[world.a.pk]))
    assert detail.context["can_edit_contacts"] is True
    assert detail.context["can_edit"] is False
    assert detail.context["can_delete"] is False
    response = client.post(
        reverse("enterprises:contact_create", args=[world.a.pk]),
        {"name": CONTACT_NAME, "phone": "0791-88888888", "is_primary": "on"},
    )
    assert response.status_code == 302
    contact = world.a.contacts.get()
    response = client.post(
        reverse("enterprises:contact_edit", args=[world.a.pk, contact.pk]),
        {"name": CONTACT_NAME, "phone": "0791-66666666"},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.phone == "0791-66666666"
    response = client.post(
        reverse("enterprises:enterprise_edit", args=[world.a.pk]), _edit_form(world, world.a)
    )
    assert response.status_code == 403
    world.a.refresh_from_db()
    assert world.a.name != NEW_NAME


def test_contact_of_another_enterprise_is_not_found(world):
    """A contact id from enterprise b, reached through a's URL, is a 404, not a change."""
    other = world.b.contacts.create(name="乙联系人", phone="1")
    response = world.client("enterprise").post(
        reverse("enterprises:contact_edit", args=[world.a.pk, other.pk]),
        {"name": "改掉", "phone": "2"},
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.name == "乙联系人"


def test_park_staff_see_parks_inside_their_zone(world):
    """南昌高新区 staff see 航空城 (a park inside the zone) but not district A outside it."""
    from gongxin.enterprises.tests.factories import EnterpriseFactory

    outside_zone = EnterpriseFactory(district=world.city.regions["360111"], park=None)
    client = world.client("park")
    assert api_usccs(client.get("/api/v1/enterprises")) == {world.a.uscc}
    detail = reverse("enterprises:enterprise_detail", args=[outside_zone.pk])
    assert client.get(detail).status_code == 404
    assert world.client("district_a").get(detail).status_code == 200


def test_inactive_user_sees_nothing(world):
    user = world.users["staff"]
    client = world.client("staff")
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = client.get(reverse("enterprises:enterprise_detail", args=[world.a.pk]))
    assert response.status_code == 302  # the session no longer authenticates


def test_park_staff_place_new_enterprises_in_the_parks_district(world):
    """A park user (gxq lies in district A) cannot file an enterprise under district B."""
    from django.core.exceptions import ValidationError

    from gongxin.enterprises import services

    park_user = world.users["park"]
    regions = world.city.regions
    data = {
        "uscc": make_uscc(77_001),
        "name": "园区新落户企业（演示）",
        "district": regions[DISTRICT_B],
        "park": regions["hkc"],
    }
    with pytest.raises(ValidationError) as info:
        services.enterprise_create(actor=park_user, data=data)
    assert "district" in info.value.message_dict
    data["district"] = regions[DISTRICT_A]
    created = services.enterprise_create(actor=park_user, data=data)
    assert created.park == regions["hkc"]
