"""The demo city, Nanchang (南昌): its districts and counties (GB/T 2260), development
zones and parks, the bureau's divisions and the departments that handle enterprise
matters, and the demo accounts. Invented people; real places."""

from __future__ import annotations

from django.db import transaction

from gongxin.core.choices import DepartmentKind, RegionKind, Role
from gongxin.core.models import Department, Region, User

CITY = ("360100", "南昌市", "南昌")

# (GB/T 2260 code, name, short name, kind)
DISTRICTS = [
    ("360102", "东湖区", "东湖", RegionKind.DISTRICT),
    ("360103", "西湖区", "西湖", RegionKind.DISTRICT),
    ("360104", "青云谱区", "青云谱", RegionKind.DISTRICT),
    ("360111", "青山湖区", "青山湖", RegionKind.DISTRICT),
    ("360112", "新建区", "新建", RegionKind.DISTRICT),
    ("360113", "红谷滩区", "红谷滩", RegionKind.DISTRICT),
    ("360121", "南昌县", "南昌县", RegionKind.COUNTY),
    ("360123", "安义县", "安义", RegionKind.COUNTY),
    ("360124", "进贤县", "进贤", RegionKind.COUNTY),
]

# (code, name, short name, kind, district code or parent zone code)
PARKS = [
    ("gxq", "南昌高新技术产业开发区", "南昌高新区", RegionKind.NATIONAL_ZONE, "360111"),
    ("jkq", "南昌经济技术开发区", "南昌经开区", RegionKind.NATIONAL_ZONE, "360112"),
    ("xlq", "南昌小蓝经济技术开发区", "小蓝经开区", RegionKind.NATIONAL_ZONE, "360121"),
    ("shq", "江西桑海经济技术开发区", "桑海经开区", RegionKind.PROVINCIAL_ZONE, "360112"),
    ("xjq", "江西新建经济开发区", "新建经开区", RegionKind.PROVINCIAL_ZONE, "360112"),
    ("qshq", "南昌青山湖高新技术产业园区", "青山湖高新区", RegionKind.PROVINCIAL_ZONE, "360111"),
    ("jxq", "江西进贤经济开发区", "进贤经开区", RegionKind.PROVINCIAL_ZONE, "360124"),
    ("ayq", "江西安义经济开发区", "安义经开区", RegionKind.PROVINCIAL_ZONE, "360123"),
    ("lkq", "南昌临空经济区", "临空经济区", RegionKind.PROVINCIAL_ZONE, "360112"),
    ("vrkcc", "南昌VR科创城", "VR科创城", RegionKind.PARK, "360113"),
    ("hkc", "南昌航空城", "航空城", RegionKind.PARK, "gxq"),
]

# (code, name, short name, kind)
DEPARTMENTS = [
    ("bgs", "市工信局办公室", "办公室", DepartmentKind.DIVISION),
    ("ghc", "市工信局综合规划处", "综合规划处", DepartmentKind.DIVISION),
    ("yxc", "市工信局运行监测协调处", "运行监测协调处", DepartmentKind.DIVISION),
    ("jgc", "市工信局投资与技术改造处", "技术改造处", DepartmentKind.DIVISION),
    ("zxqyc", "市工信局中小企业发展处", "中小企业处", DepartmentKind.DIVISION),
    ("dzxxc", "市工信局电子信息产业处", "电子信息处", DepartmentKind.DIVISION),
    ("zbc", "市工信局装备工业处", "装备工业处", DepartmentKind.DIVISION),
    ("xfpc", "市工信局消费品工业处", "消费品工业处", DepartmentKind.DIVISION),
    ("yclc", "市工信局原材料工业处", "原材料工业处", DepartmentKind.DIVISION),
    ("jnc", "市工信局节能与综合利用处", "节能处", DepartmentKind.DIVISION),
    ("xxhc", "市工信局信息化推进处", "信息化处", DepartmentKind.DIVISION),
    ("fgw", "南昌市发展和改革委员会", "市发改委", DepartmentKind.MUNICIPAL),
    ("kjj", "南昌市科学技术局", "市科技局", DepartmentKind.MUNICIPAL),
    ("czj", "南昌市财政局", "市财政局", DepartmentKind.MUNICIPAL),
    ("rsj", "南昌市人力资源和社会保障局", "市人社局", DepartmentKind.MUNICIPAL),
    ("zrzyj", "南昌市自然资源和规划局", "市自然资源局", DepartmentKind.MUNICIPAL),
    ("sthjj", "南昌市生态环境局", "市生态环境局", DepartmentKind.MUNICIPAL),
    ("zjj", "南昌市住房和城乡建设局", "市住建局", DepartmentKind.MUNICIPAL),
    ("jtj", "南昌市交通运输局", "市交通运输局", DepartmentKind.MUNICIPAL),
    ("swj", "南昌市商务局", "市商务局", DepartmentKind.MUNICIPAL),
    ("scjgj", "南昌市市场监督管理局", "市市场监管局", DepartmentKind.MUNICIPAL),
    ("jrj", "南昌市地方金融监督管理局", "市金融局", DepartmentKind.MUNICIPAL),
    ("xzspj", "南昌市行政审批局", "市行政审批局", DepartmentKind.MUNICIPAL),
    ("tzcj", "南昌市投资促进局", "市投促局", DepartmentKind.MUNICIPAL),
    ("gdgs", "国网南昌供电公司", "南昌供电公司", DepartmentKind.MUNICIPAL),
]

# Invented officials: (surname, given name) pairs, combined deterministically.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢"
    "蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵"
    "孟龙万段钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = [
    "建华",
    "晓明",
    "志强",
    "海燕",
    "丽娟",
    "文斌",
    "国栋",
    "红梅",
    "立新",
    "振宇",
    "雪莲",
    "伟东",
    "春生",
    "慧敏",
    "俊杰",
    "秀英",
    "永刚",
    "晓燕",
    "建平",
    "玉兰",
    "学军",
    "桂芳",
    "长青",
    "明辉",
    "思远",
    "若琳",
    "卫国",
    "子涵",
    "新民",
    "佳怡",
]

DEMO_PASSWORD = "Gongxin@2026"
OFFICER_COUNT = 40


def person_name(index: int) -> str:
    return SURNAMES[(index * 7) % len(SURNAMES)] + GIVEN[(index * 11) % len(GIVEN)]


@transaction.atomic
def regions_load() -> dict[str, Region]:
    """Create or update the city's regions; returns them by code."""
    regions: dict[str, Region] = {}
    city, _ = Region.objects.update_or_create(
        code=CITY[0],
        defaults={
            "name": CITY[1],
            "short_name": CITY[2],
            "kind": RegionKind.CITY,
            "parent": None,
            "sort_order": 0,
        },
    )
    regions[city.code] = city
    for order, (code, name, short, kind) in enumerate(DISTRICTS, start=1):
        regions[code], _ = Region.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "short_name": short,
                "kind": kind,
                "parent": city,
                "sort_order": order,
            },
        )
    for order, (code, name, short, kind, parent) in enumerate(PARKS, start=100):
        regions[code], _ = Region.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "short_name": short,
                "kind": kind,
                "parent": regions[parent],
                "sort_order": order,
            },
        )
    return regions


@transaction.atomic
def departments_load() -> dict[str, Department]:
    departments = {}
    for order, (code, name, short, kind) in enumerate(DEPARTMENTS):
        departments[code], _ = Department.objects.update_or_create(
            code=code,
            defaults={"name": name, "short_name": short, "kind": kind, "sort_order": order},
        )
    return departments


def _user(username: str, *, password_hash: str, **fields) -> User:
    user = User(username=username, password=password_hash, **fields)
    return user


def staff_accounts_create(
    *, regions: dict[str, Region], departments: dict[str, Department], password_hash: str
) -> list[User]:
    """admin, leader, staff, district-<code>, park-<code>, dept-<code>, officer-<n>."""
    users = [
        _user(
            "admin",
            password_hash=password_hash,
            role=Role.ADMIN,
            display_name="系统管理员",
            is_staff=True,
            is_superuser=True,
        ),
        _user(
            "leader", password_hash=password_hash, role=Role.LEADER, display_name="局领导（演示）"
        ),
        _user(
            "staff",
            password_hash=password_hash,
            role=Role.STAFF,
            display_name="处室工作人员（演示）",
            department=departments["yxc"],
        ),
    ]
    for code, name, _short, _kind in DISTRICTS:
        users.append(
            _user(
                f"district-{code}",
                password_hash=password_hash,
                role=Role.DISTRICT,
                display_name=f"{name}工信部门",
                region=regions[code],
            )
        )
    for code, name, *_rest in PARKS:
        users.append(
            _user(
                f"park-{code}",
                password_hash=password_hash,
                role=Role.DISTRICT,
                display_name=f"{name}管委会",
                region=regions[code],
            )
        )
    for code, name, _short, _kind in DEPARTMENTS:
        users.append(
            _user(
                f"dept-{code}",
                password_hash=password_hash,
                role=Role.DEPARTMENT,
                display_name=name,
                department=departments[code],
            )
        )
    for n in range(1, OFFICER_COUNT + 1):
        users.append(
            _user(
                f"officer-{n}",
                password_hash=password_hash,
                role=Role.OFFICER,
                display_name=person_name(n),
                phone=f"1387910{n:04d}",
            )
        )
    User.objects.bulk_create(users)
    return list(User.objects.order_by("pk"))
