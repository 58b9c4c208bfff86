"""The JSON API of the enterprise archive: schema, docs, tokens, filters, writes, pages."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from gongxin.core.auth import token_issue
from gongxin.core.choices import AuditAction
from gongxin.core.models import ApiToken, AuditEntry, Industry
from gongxin.enterprises.models import Enterprise, MonthlyFigure
from gongxin.enterprises.tests.factories import (
    EnterpriseFactory,
    QualificationFactory,
    make_uscc,
)
from gongxin.enterprises.tests.helpers import api_usccs, page_usccs

API = "/api/v1/enterprises"


def _bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


# Schema and docs --------------------------------------------------------------------------


def test_openapi_schema_lists_the_enterprise_endpoints(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    expected = {
        "/api/v1/enterprises": {"get", "post"},
        "/api/v1/enterprises/{enterprise_id}": {"get", "patch", "delete"},
        "/api/v1/enterprises/{enterprise_id}/monthly-figures": {"get"},
        "/api/v1/enterprises/{enterprise_id}/monthly-figures/{period}": {"put"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
    listed = {p["name"] for p in paths["/api/v1/enterprises"]["get"]["parameters"]}
    assert {"q", "district", "park", "industry", "size_class", "above_scale"} <= listed
    assert {"qualification", "page", "page_size"} <= listed
    assert any(
        s.get("scheme") == "bearer" for s in schema["components"]["securitySchemes"].values()
    )


def test_docs_page_loads_swagger_from_our_static_files(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "openapi.json" in html
    for host in ("cdn", "unpkg", "jsdelivr", "cdnjs", "googleapis", "//"):
        assert host not in html.replace("://", ""), host
    assert "http://" not in html and "https://" not in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("swagger-ui.css") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not in our static files"


# Tokens -----------------------------------------------------------------------------------


def test_valid_token_authenticates_and_is_touched(world):
    user = world.users["district_a"]
    token = token_issue(user=user, name="数据对接")
    record = ApiToken.objects.get(user=user, name="数据对接")
    assert record.digest != token and token not in record.prefix + record.digest
    response = world.api_client("anonymous").get(API, **_bearer(token))
    assert response.status_code == 200
    assert api_usccs(response) == {world.a.uscc}
    record.refresh_from_db()
    assert record.last_used_at is not None
    assert AuditEntry.objects.filter(action=AuditAction.TOKEN, actor=user).exists()


@pytest.mark.parametrize("case", ["revoked", "wrong", "inactive_user", "empty", "no_header"])
def test_bad_tokens_are_refused(world, case):
    user = world.users["staff"]
    token = token_issue(user=user)
    if case == "revoked":
        ApiToken.objects.filter(user=user).update(revoked=True)
    elif case == "wrong":
        token = token[:-4] + "AAAA"
    elif case == "inactive_user":
        type(user).objects.filter(pk=user.pk).update(is_active=False)
    elif case == "empty":
        token = ""
    client = world.api_client("anonymous")
    headers = {} if case == "no_header" else _bearer(token)
    assert client.get(API, **headers).status_code == 401
    assert client.get(f"{API}/{world.a.pk}", **headers).status_code == 401
    response = client.patch(
        f"{API}/{world.a.pk}", {"name": "x"}, content_type="application/json", **headers
    )
    assert response.status_code == 401
    assert Enterprise.objects.get(pk=world.a.pk).name == world.a.name


# Filters: the API list and the web list agree -----------------------------------------------


@pytest.fixture
def catalogue(world):
    """Enterprises that differ in every filtered field, by key."""
    regions = world.city.regions
    industry = {code: Industry.objects.get(code=code) for code in ("3841", "3961", "2651")}
    rows = {
        "separator": EnterpriseFactory(
            name="江西新能隔膜科技有限公司",
            district=regions["360111"],
            park=regions["gxq"],
            industry=industry["3841"],
            size_class="small",
            above_scale=False,
            main_products="锂电池用隔膜材料",
            business_scope="电池隔膜研发、生产、销售",
        ),
        "cell": EnterpriseFactory(
            name="南昌动力电芯有限公司",
            district=regions["360121"],
            park=regions["xlq"],
            industry=industry["3841"],
            size_class="large",
            above_scale=True,
            main_products="动力锂电池",
            business_scope="隔膜及电解液采购；电池制造",
        ),
        "wearable": EnterpriseFactory(
            name="红谷智能穿戴有限公司",
            district=regions["360113"],
            park=regions["vrkcc"],
            industry=industry["3961"],
            size_class="micro",
            above_scale=False,
            main_products="智能手表",
            business_scope="可穿戴设备",
        ),
        "resin": EnterpriseFactory(
            name="安义树脂有限公司",
            district=regions["360123"],
            park=None,
            industry=industry["2651"],
            size_class="medium",
            above_scale=True,
            main_products="合成树脂",
            business_scope="化工原料（不含危险品）",
        ),
    }
    QualificationFactory(enterprise=rows["separator"], kind="specialized_sme")
    QualificationFactory(enterprise=rows["cell"], kind="high_tech")
    # expired: does not count
    QualificationFactory(
        enterprise=rows["wearable"],
        kind="high_tech",
        issued_on=dt.date(2018, 1, 1),
        expires_on=dt.date(2020, 12, 31),
    )
    rows["a"], rows["b"] = world.a, world.b
    return rows


def _filter_cases(world):
    regions = world.city.regions
    return [
        ({"district": regions["360111"].pk}, {"separator", "a"}),
        ({"park": regions["gxq"].pk}, {"separator", "a"}),  # hkc lies inside gxq
        ({"park": regions["hkc"].pk}, {"a"}),
        ({"industry": "38"}, {"separator", "cell"}),
        ({"industry": "C3841"}, {"separator", "cell"}),
        ({"industry": "396"}, {"wearable"}),
        ({"size_class": "small"}, {"separator"}),
        ({"above_scale": True}, {"cell", "resin", "a", "b"}),
        ({"above_scale": False}, {"separator", "wearable"}),
        ({"qualification": "high_tech"}, {"cell", "a"}),  # a has one from the world
        ({"qualification": "specialized_sme"}, {"separator"}),
        ({"q": "锂电池 隔膜"}, {"separator", "cell"}),
        ({"q": "锂电池隔膜"}, {"separator", "cell"}),
        ({"q": "树脂"}, {"resin"}),
        ({"q": "锂电池", "district": regions["360121"].pk}, {"cell"}),
        ({"q": "不存在的产品"}, set()),
    ]


def _web_value(value):
    return ("1" if value else "0") if isinstance(value, bool) else value


def _api_value(value):
    return ("true" if value else "false") if isinstance(value, bool) else value


def test_api_filters_match_the_web_list(world, catalogue):
    client = world.client("staff")
    for params, keys in _filter_cases(world):
        expected = {catalogue[k].uscc for k in keys}
        web = client.get(
            reverse("enterprises:enterprise_list"),
            {**{k: _web_value(v) for k, v in params.items()}, "per_page": 100},
        )
        api = client.get(API, {k: _api_value(v) for k, v in params.items()})
        assert web.status_code == api.status_code == 200
        assert page_usccs(web) == expected, params
        assert api_usccs(api) == expected, params
        assert api.json()["count"] == len(expected)


def test_api_filters_stay_inside_the_scope(world, catalogue):
    client = world.client("district_a")
    response = client.get(API, {"industry": "38"})
    assert api_usccs(response) == {catalogue["separator"].uscc}
    response = client.get(API, {"district": world.city.regions["360121"].pk})
    assert api_usccs(response) == set()


def test_api_sort(world, catalogue):
    client = world.client("staff")
    names = [e["name"] for e in client.get(API, {"sort": "-name"}).json()["items"]]
    assert len(names) == len(catalogue)
    assert names == sorted(names, reverse=True)
    codes = [e["uscc"] for e in client.get(API, {"sort": "uscc"}).json()["items"]]
    assert codes == sorted(codes)


def test_api_lists_valid_qualifications_only(world, catalogue):
    items = {e["uscc"]: e for e in world.client("staff").get(API).json()["items"]}
    assert [q["kind"] for q in items[catalogue["cell"].uscc]["qualifications"]] == ["high_tech"]
    assert items[catalogue["wearable"].uscc]["qualifications"] == []


# Writes -----------------------------------------------------------------------------------


def _payload(**changes):
    return {
        "uscc": make_uscc(424_242),
        "name": "南昌新材料有限公司",
        "district": "360111",
        "park": "gxq",
        "industry": "C3841",
        "registered_capital": "5000000.00",
        "size_class": "small",
        **changes,
    }


def test_create(world):
    response = world.client("staff").post(API, _payload(), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["district"]["code"] == "360111"
    assert body["park"]["code"] == "gxq"
    assert body["industry"]["code"] == "3841"
    assert Decimal(body["registered_capital"]) == Decimal("5000000")
    assert Enterprise.objects.get(uscc=make_uscc(424_242)).name == "南昌新材料有限公司"


def test_create_with_a_bad_check_digit_is_422(world):
    good = make_uscc(424_242)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = world.client("staff").post(API, _payload(uscc=bad), content_type="application/json")
    assert response.status_code == 422
    messages = response.json()["detail"]["uscc"]
    assert any("check digit" in m or "校验位" in m for m in messages), messages
    assert not Enterprise.objects.filter(uscc=bad).exists()


def test_create_with_unknown_references_is_422(world):
    response = world.client("staff").post(
        API, _payload(district="999999", industry="9999"), content_type="application/json"
    )
    assert response.status_code == 422
    assert set(response.json()["detail"]) == {"district", "industry"}


def test_create_with_a_duplicate_uscc_is_422(world):
    response = world.client("staff").post(
        API, _payload(uscc=world.a.uscc), content_type="application/json"
    )
    assert response.status_code == 422
    assert Enterprise.objects.filter(uscc=world.a.uscc).count() == 1


def test_patch_changes_only_the_given_fields(world):
    before = Enterprise.objects.get(pk=world.a.pk)
    response = world.client("staff").patch(
        f"{API}/{world.a.pk}", {"main_products": "航空座椅"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["main_products"] == "航空座椅"
    after = Enterprise.objects.get(pk=world.a.pk)
    assert after.main_products == "航空座椅"
    for field in ("name", "uscc", "district_id", "park_id", "industry_id", "size_class"):
        assert getattr(after, field) == getattr(before, field), field
    assert after.service_officer_id == before.service_officer_id
    assert after.registered_capital == before.registered_capital
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_id=str(world.a.pk))
    assert entry.changes == {"main_products": ["汽车零部件", "航空座椅"]}


def test_patch_can_clear_the_park(world):
    response = world.client("staff").patch(
        f"{API}/{world.a.pk}", {"park": None}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["park"] is None
    assert Enterprise.objects.get(pk=world.a.pk).district_id == world.a.district_id


def test_monthly_figures_put_upserts(world):
    client = world.client("district_a")
    url = f"{API}/{world.a.pk}/monthly-figures/2025-03"
    data = {"output_value": "12000000.00", "employees": 300}
    response = client.put(url, data, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["period"] == "2025-03"
    response = client.put(
        url, {**data, "output_value": "13000000.00"}, content_type="application/json"
    )
    assert response.status_code == 200
    figures = MonthlyFigure.objects.filter(enterprise=world.a)
    assert figures.count() == 1
    assert figures.get().period == dt.date(2025, 3, 1)
    assert figures.get().output_value == Decimal("13000000.00")
    listed = client.get(f"{API}/{world.a.pk}/monthly-figures").json()
    assert [(f["period"], Decimal(f["output_value"])) for f in listed] == [
        ("2025-03", Decimal("13000000"))
    ]
    actions = list(
        AuditEntry.objects.filter(object_id=str(world.a.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [AuditAction.CREATE, AuditAction.UPDATE]


@pytest.mark.parametrize("period", ["2025-13", "202503", "March", "2025-03-01"])
def test_monthly_figures_bad_period_is_422(world, period):
    response = world.client("staff").put(
        f"{API}/{world.a.pk}/monthly-figures/{period}",
        {"employees": 1},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "period" in response.json()["detail"]
    assert not MonthlyFigure.objects.exists()


def test_delete(world):
    response = world.client("admin").delete(f"{API}/{world.b.pk}")
    assert response.status_code == 204
    assert not Enterprise.objects.filter(pk=world.b.pk).exists()
    assert world.client("admin").get(f"{API}/{world.b.pk}").status_code == 404


# Pages ------------------------------------------------------------------------------------


def test_pagination(world):
    district = world.city.regions["360121"]
    Enterprise.objects.bulk_create(
        Enterprise(uscc=make_uscc(50_000 + i), name=f"批量企业{i:03d}", district=district)
        for i in range(53)
    )
    client = world.client("staff")
    first = client.get(API).json()
    assert set(first) == {"items", "count"}
    assert first["count"] == 55
    assert len(first["items"]) == 50  # the default page size
    second = client.get(API, {"page": 2}).json()
    assert len(second["items"]) == 5
    seen = [e["uscc"] for e in first["items"] + second["items"]]
    assert len(set(seen)) == 55
    small = [client.get(API, {"page": n, "page_size": 20}).json() for n in (1, 2, 3)]
    assert [len(p["items"]) for p in small] == [20, 20, 15]
    assert [e["uscc"] for p in small for e in p["items"]] == seen
    names = [e["name"] for e in first["items"]]
    assert names == sorted(names)  # default order: by name
    assert client.get(f"{API}?{urlencode({'page': 0})}").status_code == 422
