"""The data of the maps beside the chain map, on small chains built here: the technology
roadmap, the application fields, the regional distribution."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from gongxin.chains import selectors
from gongxin.chains.models import (
    ApplicationField,
    Chain,
    ChainNode,
    EnterpriseNode,
    Platform,
    TechTarget,
    TechTask,
)
from gongxin.enterprises.models import AnnualFigure
from gongxin.enterprises.tests.factories import EnterpriseFactory
from gongxin.projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(city):
    chain = Chain.objects.create(code="map", name="地图链")
    node = {}
    for position, (name, parent) in enumerate(
        [("下游", None), ("终端", "下游"), ("手机", "终端"), ("平板", "终端"), ("汽车电子", "下游")]
    ):
        node[name] = ChainNode.objects.create(
            chain=chain,
            name=name,
            parent=node.get(parent),
            segment="downstream",
            kind="product",
            position=position,
        )
    chain.node = node
    return chain


def place(chain, node: str, revenue: int | None, **enterprise):
    e = enterprise.pop("enterprise", None) or EnterpriseFactory(**enterprise)
    EnterpriseNode.objects.create(enterprise=e, node=chain.node[node])
    if revenue is not None and not AnnualFigure.objects.filter(enterprise=e).exists():
        AnnualFigure.objects.create(enterprise=e, year=2025, revenue=D(revenue))
    return e


def test_application_fields_count_each_enterprise_once_and_name_the_largest(chain):
    a = place(chain, "手机", 300, name="甲")
    place(chain, "平板", 100, enterprise=a)  # a on two nodes of the same market
    place(chain, "平板", 200, name="乙")
    place(chain, "平板", None, name="丙")  # no revenue reported: last
    place(chain, "汽车电子", 900, name="丁")
    EnterpriseNode.objects.create(  # suggested only: not counted
        enterprise=EnterpriseFactory(name="戊"), node=chain.node["手机"], status="suggested"
    )
    consumer = ApplicationField.objects.create(chain=chain, name="消费电子", position=0)
    consumer.nodes.set([chain.node["终端"]])  # and what is below it
    cars = ApplicationField.objects.create(chain=chain, name="汽车", position=1)
    cars.nodes.set([chain.node["汽车电子"], chain.node["平板"]])
    data = selectors.application_map(chain, 2025, top=2)
    assert data["year"] == 2025
    fields = {f["name"]: f for f in data["fields"]}
    # 终端 holds 手机 (甲) and 平板 (甲, 乙, 丙): 4 places, 3 enterprises.
    assert fields["消费电子"]["nodes"] == [
        {"id": chain.node["终端"].pk, "name": "终端", "enterprises": 4}
    ]
    assert fields["消费电子"]["count"] == 3
    assert [e["name"] for e in fields["消费电子"]["enterprises"]] == ["甲", "乙"]
    # in the order of the structure
    assert [(n["name"], n["enterprises"]) for n in fields["汽车"]["nodes"]] == [
        ("平板", 3),
        ("汽车电子", 1),
    ]
    assert fields["汽车"]["count"] == 4
    assert [(e["name"], e["revenue"]) for e in fields["汽车"]["enterprises"]] == [
        ("丁", 900.0),
        ("甲", 300.0),
    ]


def test_the_roadmap_rows_follow_the_structure(chain, city):
    late = TechTask.objects.create(
        chain=chain,
        node=chain.node["平板"],
        name="柔性屏",
        kind="key",
        deadline=dt.date(2028, 1, 1),
        status="under_way",
    )
    TechTarget.objects.create(task=late, year=2027, target="样机")
    early = TechTask.objects.create(
        chain=chain,
        node=chain.node["手机"],
        name="快充",
        kind="common",
        deadline=dt.date(2026, 6, 1),
    )
    TechTarget.objects.create(task=early, year=2026, target="量产")
    Platform.objects.create(
        chain=chain,
        node=chain.node["手机"],
        name="测试中心",
        kind="tech_centre",
        level="provincial",
        host="某研究院",
        recognised_in=2019,
    )
    Platform.objects.create(chain=chain, name="全链平台", kind="public_service", level="municipal")
    Project.objects.create(
        name="智能产线技改",
        project_type="tech_upgrade",
        chain=chain,
        node=chain.node["汽车电子"],
        district=city.regions["360111"],
        start_planned=dt.date(2028, 3, 1),
        planned_investment=D(50_000_000),
        stage="approved",
    )
    Project.objects.create(  # no start date: not on the roadmap
        name="未排期", project_type="new", chain=chain, district=city.regions["360111"]
    )
    data = selectors.tech_roadmap(chain)
    assert data["years"] == [2019, 2026, 2027, 2028]
    assert data["rows"][2]["node"] == "汽车电子"
    assert data["rows"][2]["projects"] == [
        {
            "name": "智能产线技改",
            "type": "技改",
            "stage": "立项",
            "year": 2028,
            "investment": 50_000_000.0,
        }
    ]
    data["rows"].pop(2)
    assert [r["node"] for r in data["rows"]] == ["手机", "平板", ""]
    phone = data["rows"][0]
    assert [(t["name"], t["targets"]) for t in phone["tasks"]] == [("快充", [(2026, "量产")])]
    assert [(p["name"], p["year"], p["host"]) for p in phone["platforms"]] == [
        ("测试中心", 2019, "某研究院")
    ]
    assert data["rows"][2]["platforms"][0]["year"] is None


def test_the_regional_distribution_counts_enterprises_once(chain, city):
    qsh, jx = city.regions["360111"], city.regions["360124"]
    park = city.regions["gxq"]
    a = place(chain, "手机", 300, district=qsh, park=park, above_scale=True)
    place(chain, "平板", 100, enterprise=a)  # twice on the chain: once here
    place(chain, "平板", 50, district=qsh, park=None, above_scale=False)
    place(chain, "汽车电子", None, district=jx, park=None, above_scale=True)
    EnterpriseFactory(district=jx)  # not on the chain
    Project.objects.create(
        name="扩产",
        project_type="expansion",
        chain=chain,
        district=jx,
        planned_investment=D(1_000_000),
    )
    data = selectors.regional_distribution(chain, 2025)
    districts = {
        r["name"]: (
            r["enterprises"],
            r["above_scale"],
            r["revenue"],
            r["projects"],
            r["investment"],
        )
        for r in data["districts"]
    }
    assert districts == {
        qsh.short_name or qsh.name: (2, 1, 350.0, 0, 0.0),
        jx.short_name or jx.name: (1, 1, 0.0, 1, 1_000_000.0),
    }
    assert [(r["enterprises"], r["revenue"]) for r in data["parks"]] == [(1, 300.0)]
