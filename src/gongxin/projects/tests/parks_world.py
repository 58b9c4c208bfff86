"""The parks world shared by the parks tests (pages, services) and the parks API tests:
zone gxq (hosted by 360111) holds park hkc and a second park, axh; jxq lies in 360124.

    park  land (mu, year's end)  buildings                         enterprises
    hkc   500 / 400 / 250        1号 occupied by e1, 2号 vacant,     e1 (e2 suspended)
                                 3号 planned, allocated to e1
    axh   300 / 200 / 150        A栋 allocated to e3                 e3
    jxq   —                      —                                  e4
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gongxin.core.choices import RegionKind, Role
from gongxin.core.models import Region
from gongxin.core.tests.clock import TODAY
from gongxin.core.tests.factories import UserFactory
from gongxin.enterprises.models import AnnualFigure
from gongxin.enterprises.tests.factories import EnterpriseFactory
from gongxin.projects import services
from gongxin.projects.models import Building, ParkLand
from gongxin.projects.parks import building_save, land_save

D = Decimal
YEAR = TODAY.year - 1  # the list's default year: the last full one
LAND_TYPE = "projects.parkland"
BUILDING_TYPE = "projects.building"
WITHIN_MESSAGE = "Occupied land is part of the developed land, developed of the planned."
OCCUPANT_MESSAGE = "An allocated or occupied building names its enterprise; a vacant one none."
BUILT_MESSAGE = "Only a built building can be occupied."


def month(year: int, m: int) -> dt.date:
    return dt.date(year, m, 1)


def land(park, on, planned, developed, occupied) -> ParkLand:
    return land_save(
        actor=None,
        park=park,
        month=on,
        data={"planned_mu": D(planned), "developed_mu": D(developed), "occupied_mu": D(occupied)},
    )


def building(park, name, area, *, status="built", occupancy="vacant", occupant=None) -> Building:
    return building_save(
        actor=None,
        park=park,
        building=None,
        data={
            "name": name,
            "area": D(area),
            "load": D("5.0"),
            "status": status,
            "occupancy": occupancy,
            "occupant": occupant,
        },
    )


def project(name, *, district, park):
    return services.project_save(
        actor=None,
        project=None,
        data={
            "name": name,
            "project_type": "new",
            "district": district,
            "park": park,
            "planned_investment": D("10000000"),
        },
    )


def figures(enterprise, year, output, tax) -> AnnualFigure:
    return AnnualFigure.objects.create(
        enterprise=enterprise, year=year, output_value=D(output), tax=D(tax)
    )


def build_world(city) -> dict:
    """Zone gxq (hosted by 360111) holds park hkc and a second park, axh; jxq lies in
    360124. Land is reported by the parks, not by the zone."""
    regions = city.regions
    gxq, hkc, jxq = regions["gxq"], regions["hkc"], regions["jxq"]
    axh = Region.objects.create(
        code="axh", name="南昌高新区艾溪湖园", kind=RegionKind.PARK, parent=gxq, sort_order=200
    )
    # hkc: a row in June, the year-end one in December, and a later one (not counted)
    land(hkc, month(YEAR, 6), "500", "300", "200")
    land(hkc, month(YEAR, 12), "500", "400", "250")
    land(hkc, month(YEAR + 1, 1), "600", "500", "400")
    land(axh, month(YEAR, 3), "300", "200", "150")

    e1 = EnterpriseFactory(name="航空城飞机部件有限公司", district=regions["360111"], park=hkc)
    e2 = EnterpriseFactory(
        name="航空城停产企业有限公司", district=regions["360111"], park=hkc, status="suspended"
    )
    e3 = EnterpriseFactory(name="艾溪湖光电有限公司", district=regions["360111"], park=axh)
    e4 = EnterpriseFactory(name="进贤医疗器械有限公司", district=regions["360124"], park=jxq)
    figures(e1, YEAR, "12345678.90", "1000000.00")
    figures(e1, YEAR - 1, "99999999.00", "9999999.00")  # another year: not counted
    figures(e3, YEAR, "5000000.00", "333333.33")
    figures(e4, YEAR, "8000000.00", "400000.00")

    b1 = building(hkc, "1号厂房", "2000", occupancy="occupied", occupant=e1)
    b2 = building(hkc, "2号厂房", "1000")
    b3 = building(hkc, "3号厂房", "3000", status="planned", occupancy="allocated", occupant=e1)
    b4 = building(axh, "A栋", "1000", occupancy="allocated", occupant=e3)

    p1 = project("航空城配套项目", district=regions["360111"], park=hkc)
    project("艾溪湖光电项目", district=regions["360111"], park=axh)
    project("进贤医疗项目", district=regions["360124"], park=jxq)

    users = {
        "staff": UserFactory(username="staff", role=Role.STAFF),
        "leader": UserFactory(username="leader", role=Role.LEADER),
        "district_111": UserFactory(
            username="district_111", role=Role.DISTRICT, region=regions["360111"]
        ),
        "district_124": UserFactory(
            username="district_124", role=Role.DISTRICT, region=regions["360124"]
        ),
        "park_gxq": UserFactory(username="park_gxq", role=Role.DISTRICT, region=gxq),
        "park_hkc": UserFactory(username="park_hkc", role=Role.DISTRICT, region=hkc),
        "enterprise": UserFactory(username="enterprise", role=Role.ENTERPRISE, enterprise=e1),
    }
    return {
        "regions": regions,
        "gxq": gxq,
        "hkc": hkc,
        "axh": axh,
        "jxq": jxq,
        "enterprises": (e1, e2, e3, e4),
        "buildings": (b1, b2, b3, b4),
        "project": p1,
        "users": users,
    }
