"""A small world for scope, API and audit tests: two districts, a park, one user per role."""

from __future__ import annotations

import io
from dataclasses import dataclass
from types import SimpleNamespace

from django.test import Client
from openpyxl import load_workbook

from gongxin.core.auth import token_issue
from gongxin.core.choices import Role
from gongxin.core.models import User
from gongxin.core.tests.factories import UserFactory
from gongxin.enterprises.models import Enterprise
from gongxin.enterprises.tests.factories import EnterpriseFactory, QualificationFactory, make_uscc

#: District A hosts the national high-tech zone (gxq), which holds the aviation city (hkc).
DISTRICT_A, DISTRICT_B = "360111", "360124"

#: Web clients log in with the session; API clients send `Authorization: Bearer …`.
USER_ROLES: dict[str, dict | None] = {
    "anonymous": None,
    "leader": {"role": Role.LEADER},
    "staff": {"role": Role.STAFF},
    "district_a": {"role": Role.DISTRICT, "region": DISTRICT_A},
    "district_b": {"role": Role.DISTRICT, "region": DISTRICT_B},
    "park": {"role": Role.DISTRICT, "region": "gxq"},
    "officer": {"role": Role.OFFICER},
    "enterprise": {"role": Role.ENTERPRISE, "enterprise": "a"},
    "department": {"role": Role.DEPARTMENT, "department": "rsj"},
    "admin": {"role": Role.ADMIN},
}


@dataclass
class World:
    city: SimpleNamespace
    a: Enterprise  # district A, park hkc (inside gxq), served by `officer`
    b: Enterprise  # district B, park jxq
    users: dict[str, User | None]

    def client(self, name: str) -> Client:
        """A browser logged in as `name` (anonymous: not logged in)."""
        client = Client()
        if self.users[name] is not None:
            client.force_login(self.users[name])
        return client

    def api_client(self, name: str) -> Client:
        """An API client for `name` with a fresh bearer token (anonymous: no header)."""
        user = self.users[name]
        if user is None:
            return Client()
        return Client(headers={"Authorization": f"Bearer {token_issue(user=user)}"})


def world_build(city) -> World:
    regions = city.regions
    users: dict[str, User | None] = {}
    for name, spec in USER_ROLES.items():
        if spec is None or spec.get("enterprise"):
            continue
        fields = dict(spec)
        if "region" in fields:
            fields["region"] = regions[fields["region"]]
        if "department" in fields:
            fields["department"] = city.departments[fields["department"]]
        users[name] = UserFactory(username=name, **fields)
    a = EnterpriseFactory(
        uscc=make_uscc(1001),
        name="青山湖航空零部件制造有限公司",
        district=regions[DISTRICT_A],
        park=regions["hkc"],
        service_officer=users["officer"],
    )
    b = EnterpriseFactory(
        uscc=make_uscc(2002),
        name="进贤医疗器械制造有限公司",
        district=regions[DISTRICT_B],
        park=regions["jxq"],
        main_products="医用敷料",
    )
    QualificationFactory(enterprise=a)
    users["anonymous"] = None
    users["enterprise"] = UserFactory(username="enterprise", role=Role.ENTERPRISE, enterprise=a)
    return World(city=city, a=a, b=b, users={name: users[name] for name in USER_ROLES})


def xlsx_usccs(content: bytes) -> set[str]:
    """The credit codes in an exported workbook (first sheet, column headed 统一社会信用代码)."""
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    column = list(next(rows)).index("统一社会信用代码")
    return {row[column] for row in rows if row[column]}


def api_usccs(response) -> set[str]:
    return {item["uscc"] for item in response.json()["items"]}


def page_usccs(response) -> set[str]:
    return {e.uscc for e in response.context["object_list"]}
