from ninja import Router, Schema

from gongxin.core.selectors import department_list, region_list

router = Router(tags=["reference"])


class RegionOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    parent_id: int | None


class DepartmentOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str


@router.get("/regions", response=list[RegionOut], summary="Regions: city, districts, zones, parks")
def regions(request):
    return list(region_list())


@router.get(
    "/departments", response=list[DepartmentOut], summary="Bureau divisions and departments"
)
def departments(request):
    return list(department_list())
