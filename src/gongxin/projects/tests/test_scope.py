"""Which projects each kind of user reads (project_scope).

District A (青山湖, 360111) hosts the high-tech zone gxq, which holds the aviation city hkc;
district B is 进贤 (360124) with its park jxq. Enterprise ea lies in district A (park hkc),
served by the officer; eb in district B (park jxq).

    project  enterprise  district  park
    pa       ea          A         hkc
    pb       eb          B         jxq
    pc       —           A         —
    pd       ea          B         —      (the enterprise's project in another district)
    pe       —           A         gxq
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from gongxin.chains.models import Chain
from gongxin.core.choices import Role
from gongxin.core.tests.factories import UserFactory
from gongxin.enterprises.tests.factories import EnterpriseFactory
from gongxin.projects.models import Project
from gongxin.projects.selectors import project_list, project_scope

ALL = {"pa", "pb", "pc", "pd", "pe"}


@pytest.fixture
def world(city):
    regions = city.regions
    officer = UserFactory(username="officer", role=Role.OFFICER)
    ea = EnterpriseFactory(
        name="青山湖航空零部件有限公司",
        district=regions["360111"],
        park=regions["hkc"],
        service_officer=officer,
    )
    eb = EnterpriseFactory(
        name="进贤医疗器械有限公司", district=regions["360124"], park=regions["jxq"]
    )
    rows = {
        "pa": (ea, "360111", "hkc"),
        "pb": (eb, "360124", "jxq"),
        "pc": (None, "360111", None),
        "pd": (ea, "360124", None),
        "pe": (None, "360111", "gxq"),
    }
    for name, (enterprise, district, park) in rows.items():
        Project.objects.create(
            name=name,
            project_type="new",
            enterprise=enterprise,
            district=regions[district],
            park=regions[park] if park else None,
            planned_investment=Decimal(1_000_000),
        )
    users = {
        "leader": UserFactory(role=Role.LEADER),
        "staff": UserFactory(role=Role.STAFF),
        "department": UserFactory(role=Role.DEPARTMENT, department=city.departments["rsj"]),
        "chain_office": UserFactory(role=Role.CHAIN_OFFICE),
        "admin": UserFactory(role=Role.ADMIN),
        "superuser": UserFactory(role=Role.OFFICER, is_superuser=True),
        "district_a": UserFactory(role=Role.DISTRICT, region=regions["360111"]),
        "district_b": UserFactory(role=Role.DISTRICT, region=regions["360124"]),
        "zone": UserFactory(role=Role.DISTRICT, region=regions["gxq"]),
        "park": UserFactory(role=Role.DISTRICT, region=regions["hkc"]),
        "officer": officer,
        "idle_officer": UserFactory(role=Role.OFFICER),
        "enterprise_a": UserFactory(role=Role.ENTERPRISE, enterprise=ea),
        "enterprise_b": UserFactory(role=Role.ENTERPRISE, enterprise=eb),
        "inactive": UserFactory(role=Role.LEADER, is_active=False),
    }
    return users


@pytest.mark.parametrize(
    "user, visible",
    [
        # read the whole archive: every project
        ("leader", ALL),
        ("staff", ALL),
        ("department", ALL),
        ("chain_office", ALL),
        ("admin", ALL),
        ("superuser", ALL),
        # district staff: the projects in their district, whoever's they are
        ("district_a", {"pa", "pc", "pe"}),
        ("district_b", {"pb", "pd"}),
        # park staff: the projects in their park and the parks inside it
        ("zone", {"pa", "pe"}),
        ("park", {"pa"}),
        # service officers: the projects of the enterprises they serve, wherever they are
        ("officer", {"pa", "pd"}),
        ("idle_officer", set()),
        # enterprise users: their enterprise's projects
        ("enterprise_a", {"pa", "pd"}),
        ("enterprise_b", {"pb"}),
        ("inactive", set()),
    ],
)
def test_project_scope_by_role(world, user, visible):
    assert set(project_scope(world[user]).values_list("name", flat=True)) == visible


def test_anonymous_users_read_no_projects(world):
    assert not project_scope(AnonymousUser()).exists()
    assert not project_scope(None).exists()


def test_project_list_keeps_the_scope_and_narrows_to_chains(world, city):
    chain = Chain.objects.create(code="ev", name="新能源汽车")
    other = Chain.objects.create(code="tx", name="现代针纺")
    Project.objects.filter(name__in=["pa", "pb"]).update(chain=chain)
    Project.objects.filter(name="pc").update(chain=other)
    leader, district_a = world["leader"], world["district_a"]
    assert {p.name for p in project_list(leader, chains=[chain.pk])} == {"pa", "pb"}
    assert {p.name for p in project_list(leader, chains=[chain.pk, other.pk])} == {
        "pa",
        "pb",
        "pc",
    }
    assert {p.name for p in project_list(district_a, chains=[chain.pk])} == {"pa"}
    assert {p.name for p in project_list(district_a)} == {"pa", "pc", "pe"}
