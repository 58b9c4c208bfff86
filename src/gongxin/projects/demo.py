"""Demo key projects (重点项目) over the demo city's chains, as of `today`.

About 230 projects: new builds, expansions, technical upgrades (机器换人, 设备换芯,
生产换线), digital transformations, 5G+智慧工厂 demonstrations and attracted investment
(招商引资) of the enterprises placed on each chain — more on the main chains — and the
parks' 订单式标准厂房 built ahead of their tenants. Each has a planned schedule through
签约 → 立项 → 开工 → 竣工 → 投产 → 达产 placed so that the list holds projects at every
stage, and an actual schedule that keeps to it or slips: most keep to it, some slip a
little, about a fifth are stuck at a stage well past its date or short of money. The
months from signing to last month carry the planned investment along an S-curve over the
planned build and the completed along the same curve over the actual build, with noise;
a few projects under way have not reported last month. Two to four milestones each
(环评批复, 施工许可, 设备进场, 5G专网开通…), late ones with their reason.

Stages, months and milestones are written first; the header figures (stage, dates,
completed investment, health) are then derived by the services' own derivation, so the
pages, the statistics and the 红黄绿 judgement agree. Deterministic: only
``random.Random(seed)`` and querysets in a fixed order, so the same seed and day build
the same rows. Enterprises and investors are invented; districts, parks and chains real.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from gongxin.chains.choices import LinkStatus
from gongxin.chains.models import Chain, ChainNode, EnterpriseNode
from gongxin.core.choices import DISTRICT_KINDS, Role
from gongxin.core.models import Region, User
from gongxin.enterprises.choices import EnterpriseStatus
from gongxin.enterprises.demo import enterprise_short_name
from gongxin.enterprises.models import Enterprise
from gongxin.projects import services
from gongxin.projects.choices import STAGE_ORDER, ProjectLevel, ProjectType
from gongxin.projects.models import Milestone, Project, ProjectMonth, ProjectStep

T = ProjectType
WAN = Decimal(10_000)  # 万元: figures are whole 万元
SIGNED, APPROVED, STARTED, COMPLETED, PRODUCING, AT_CAPACITY = range(6)

#: Projects per chain (main chains carry more); other chains: 10 main, 4 sub.
QUOTAS = {
    "electronics": 22,
    "mobile-terminal": 12,
    "vr": 10,
    "led": 9,
    "automotive": 18,
    "nev": 12,
    "health": 14,
    "tcm": 9,
    "medical-devices": 9,
    "new-energy": 12,
    "energy-storage": 9,
    "new-materials": 20,
    "green-food": 18,
    "textiles": 12,
    "knitwear": 8,
    "aviation": 10,
    "aviation-equipment": 7,
}
#: At most this many projects of one enterprise.
PER_ENTERPRISE = 2

#: 订单式标准厂房 built by the parks: (park, theme, chain, phases).
STANDARD_BUILDINGS = [
    ("xlq", "汽车零部件", "automotive", 2),
    ("xlq", "生物医药", "health", 1),
    ("jkq", "智能终端", "mobile-terminal", 2),
    ("jkq", "新能源", "new-energy", 1),
    ("gxq", "光电信息", "led", 2),
    ("gxq", "生物医药", "health", 1),
    ("hkc", "航空配套", "aviation", 2),
    ("vrkcc", "VR", "vr", 1),
    ("lkq", "电子信息", "electronics", 1),
    ("jxq", "医疗器械", "medical-devices", 2),
    ("qshq", "针织服装", "knitwear", 2),
    ("ayq", "铝基新材料", "new-materials", 1),
    ("shq", "新材料", "new-materials", 1),
]
PHASES = "一二三四"


@dataclass(frozen=True)
class Kind:
    """What a type of project is like: planned investment (万元, log-uniform), equipment
    share of it, build months, share invested before the start (land, design) and in the
    months after completion (尾款, 设备)."""

    investment: tuple[int, int]
    equipment: tuple[float, float]
    build: tuple[int, int]
    before: tuple[float, float]
    after: tuple[float, float]
    construction: bool  # builds halls (rather than changing equipment in existing ones)


KINDS = {
    T.NEW: Kind((20_000, 300_000), (0.3, 0.5), (15, 30), (0.08, 0.18), (0.03, 0.07), True),
    T.EXPANSION: Kind((8_000, 150_000), (0.35, 0.55), (10, 20), (0.03, 0.1), (0.03, 0.07), True),
    T.TECH_UPGRADE: Kind((2_000, 30_000), (0.6, 0.85), (5, 12), (0, 0.05), (0.05, 0.12), False),
    T.DIGITAL: Kind((1_000, 15_000), (0.55, 0.8), (5, 10), (0, 0.05), (0.05, 0.12), False),
    T.SMART_FACTORY: Kind((3_000, 40_000), (0.5, 0.75), (8, 15), (0, 0.05), (0.05, 0.1), False),
    T.ATTRACTION: Kind((20_000, 500_000), (0.3, 0.5), (15, 30), (0.08, 0.18), (0.03, 0.07), True),
    T.STANDARD_BUILDING: Kind((10_000, 80_000), (0, 0), (10, 18), (0.08, 0.15), (0.02, 0.05), True),
}
#: Type weights for (above-scale or chain master, others); 招商引资 only for enterprises
#: established in the last years (the company set up for the attracted project).
TYPE_WEIGHTS = {
    T.NEW: (2.4, 0.6),
    T.EXPANSION: (2.3, 1.1),
    T.TECH_UPGRADE: (2.5, 2.2),
    T.DIGITAL: (1.6, 1.1),
    T.SMART_FACTORY: (1.7, 0.2),
    T.ATTRACTION: (8.0, 5.0),
}
ATTRACTED_YEARS = 7
TECH_VARIANTS = ["机器换人", "设备换芯", "生产换线"]

#: Days between planned stages, by (construction, upgrade): 签约→立项, 立项→开工,
#: 竣工→投产, 投产→达产 (开工→竣工 is the build).
GAPS = {
    True: ((45, 150), (45, 180), (30, 120), (240, 540)),
    False: ((20, 75), (20, 90), (15, 60), (90, 240)),
}
#: Where today falls in the planned schedule: weights of the stages (签约 … 达产).
POSITION_WEIGHTS = [6, 9, 45, 6, 20, 14]
AFTER_DAYS = 120  # the months after completion that still take investment (尾款, 设备)
#: How projects keep to their plan: (profile, weight).
PROFILES = [("on_track", 64), ("slipping", 15), ("stuck", 15), ("short", 6)]
SILENT_SHARE = 0.14  # of the projects under way and on track: last month not reported

REASONS = {
    APPROVED: ["用地报批手续未办结", "能评审查意见待批复", "项目规划方案调整"],
    STARTED: ["施工许可办理滞后", "土地征拆尚未完成", "设计方案调整"],
    COMPLETED: ["资金到位滞后", "设备供货延迟", "施工队伍力量不足", "连续降雨天气"],
    PRODUCING: ["设备调试周期延长", "环保验收未完成", "关键岗位人员未到位"],
    AT_CAPACITY: ["市场订单不足", "产品良率爬坡较慢", "下游客户认证周期长"],
}
SHORT_REASONS = ["资金到位滞后", "融资未到位", "企业资金周转紧张"]

EQUIPMENT = {
    "electronics": ["SMT贴片机", "AOI光学检测设备", "全自动点胶机", "激光切割机", "真空镀膜机"],
    "mobile-terminal": ["SMT贴片机", "全自动组装线", "AOI光学检测设备", "整机测试设备"],
    "led": ["MOCVD外延设备", "全自动固晶机", "分光编带机", "光刻机"],
    "vr": ["光学镀膜机", "精密贴合设备", "光学检测设备", "自动组装线"],
    "automotive": ["冲压生产线", "焊装机器人", "五轴加工中心", "涂装线", "总装线"],
    "nev": ["电驱总成测试台架", "焊装机器人", "自动涂胶设备", "电池包装配线"],
    "aviation": ["五轴数控加工中心", "热压罐", "自动钻铆系统", "三坐标测量机"],
    "aviation-equipment": ["五轴数控加工中心", "蒙皮拉伸机", "自动钻铆系统", "热压罐"],
    "new-energy": ["涂布机", "卷绕机", "化成分容设备", "激光焊接设备", "PECVD设备"],
    "energy-storage": ["涂布机", "叠片机", "化成分容设备", "储能柜自动装配线"],
    "new-materials": ["铝挤压机", "熔铸炉", "冷轧机", "反应釜", "双螺杆挤出机"],
    "health": ["冻干机", "高速压片机", "无菌灌装生产线", "提取浓缩设备"],
    "tcm": ["多功能提取罐", "喷雾干燥塔", "干法制粒机", "自动包装线"],
    "medical-devices": ["精密注塑机", "全自动组装机", "环氧乙烷灭菌柜", "洁净车间设备"],
    "green-food": ["全自动灌装线", "超高温杀菌设备", "速冻隧道", "自动包装生产线"],
    "textiles": ["自动裁床", "智能吊挂系统", "电脑绣花机", "智能印染设备"],
    "knitwear": ["电脑横机", "高速圆机", "智能吊挂系统", "自动裁床"],
}
GENERIC_EQUIPMENT = ["数控加工中心", "自动化生产线", "在线检测设备"]

#: Product words with the unit of a yearly capacity: (words, unit, low, high, step).
CAPACITIES = [
    ("电芯 动力电池 钠离子电池 电池模组", "GWh", 2, 20, 1),
    ("消费类电池", "亿只", 1, 5, 1),
    ("光伏组件 光伏电池片", "GW", 2, 10, 1),
    ("面料 印染", "万米", 1_000, 8_000, 500),
    ("服装 T恤 童装 毛衫 内衣 运动休闲", "万件", 300, 3_000, 100),
    (
        "铝型材 铝锭 铝板带箔 铜箔 铜线材 正极 负极 石墨 塑料 树脂 有机硅",
        "吨",
        5_000,
        100_000,
        5_000,
    ),
    ("稻米 米粉 速冻 焙烤 肉制品 乳 饮料 啤酒 白酒 酱油", "吨", 10_000, 200_000, 10_000),
    ("乘用车 轻型卡车 轻型商用车 纯电动汽车", "辆", 20_000, 150_000, 10_000),
    ("智能手机 整机代工 VR一体机 智能手表", "万台", 200, 3_000, 100),
    ("显示面板 显示模组 摄像头模组 触控显示", "万片", 500, 5_000, 100),
    ("饮片 配方颗粒 提取物", "吨", 1_000, 20_000, 1_000),
    ("输液器 注射器 留置针", "亿支", 1, 10, 1),
]
INVESTORS = [
    ("广东深圳", "恒拓"), ("广东东莞", "睿川"), ("广东佛山", "华岳"), ("广东广州", "嘉瑞"),
    ("广东惠州", "泰铭"), ("浙江宁波", "博纳"), ("江苏苏州", "联创"), ("上海", "弘晟"),
    ("福建厦门", "科迈"), ("湖南长沙", "永达"), ("北京", "中科睿"), ("广东珠海", "华曜"),
]  # fmt: skip

#: What was done in a month (形象进度), by phase; the build by share of it done.
BEFORE_APPROVAL = {
    True: ["完成项目备案", "编制可行性研究报告", "办理用地预审及规划选址", "开展环评、能评编制"],
    False: ["完成技术改造项目备案", "编制技术改造方案", "设备选型及询价"],
}
BEFORE_START = {
    True: ["完成施工图设计及审查", "办理施工许可", "场地平整，施工单位进场"],
    False: ["设备采购招标", "签订设备采购合同", "车间腾挪及基础改造"],
}
BUILD = {
    "construction": [
        (0.12, "场地平整及桩基施工"),
        (0.25, "基础及地下室施工"),
        (0.55, "主体结构施工"),
        (0.65, "主体结构封顶，屋面及幕墙施工"),
        (0.80, "二次结构及机电安装"),
        (0.90, "室内装修，设备进场"),
        (1.01, "设备安装调试"),
    ],
    "standard": [
        (0.12, "场地平整及桩基施工"),
        (0.30, "基础施工"),
        (0.65, "主体结构施工"),
        (0.75, "主体结构封顶，屋面及外立面施工"),
        (0.90, "外立面及消防工程施工"),
        (1.01, "室外管网及道路配套施工"),
    ],
    "机器换人": [
        (0.15, "旧设备拆除及基础改造"),
        (0.35, "工业机器人及自动化设备采购"),
        (0.75, "工业机器人进场安装调试"),
        (1.01, "自动化产线联调及试运行"),
    ],
    "设备换芯": [
        (0.15, "老旧设备拆除"),
        (0.35, "数控化设备采购"),
        (0.75, "设备进场安装调试"),
        (1.01, "在线检测系统联调及试运行"),
    ],
    "生产换线": [
        (0.20, "原有产线拆除"),
        (0.35, "新产线设备采购"),
        (0.80, "新产线设备进场安装调试"),
        (1.01, "柔性产线试生产"),
    ],
    T.DIGITAL: [
        (0.20, "数字化方案设计及招标"),
        (0.45, "网络及数据采集终端部署"),
        (0.75, "MES系统实施"),
        (1.01, "系统联调联试及上线试运行"),
    ],
    T.SMART_FACTORY: [
        (0.25, "5G专网规划及基站建设"),
        (0.45, "5G专网建设调试"),
        (0.80, "5G应用场景部署"),
        (1.01, "场景联调及数字孪生平台上线"),
    ],
}
#: Milestones: (title, stage, share of the way to the next stage), by what is built.
MILESTONES = {
    "construction": [
        ("取得建设用地不动产权证", APPROVED, 0.4),
        ("环评批复", APPROVED, 0.6),
        ("施工许可证核发", APPROVED, 0.9),
        ("主体结构封顶", STARTED, 0.55),
        ("设备进场", STARTED, 0.8),
        ("消防验收", STARTED, 0.97),
    ],
    "standard": [
        ("施工许可证核发", APPROVED, 0.85),
        ("主体结构封顶", STARTED, 0.65),
        ("入驻企业签约", STARTED, 0.8),
        ("竣工验收备案", COMPLETED, 0.3),
    ],
    "upgrade": [
        ("设备采购合同签订", APPROVED, 0.5),
        ("设备进场", STARTED, 0.35),
        ("生产线调试完成", STARTED, 0.9),
        ("申报省级技改专项资金", COMPLETED, 0.5),
    ],
    T.DIGITAL: [
        ("数字化改造方案评审", APPROVED, 0.4),
        ("数据采集平台部署", STARTED, 0.45),
        ("MES系统上线运行", STARTED, 0.8),
        ("两化融合管理体系贯标评定", PRODUCING, 0.5),
    ],
    T.SMART_FACTORY: [
        ("5G专网建设方案评审", APPROVED, 0.5),
        ("5G专网开通", STARTED, 0.45),
        ("5G应用场景上线", STARTED, 0.8),
        ("智能制造能力成熟度评估", PRODUCING, 0.5),
    ],
}


@dataclass
class Draft:
    """One project being planned, before it is written."""

    kind: str
    chain: Chain
    enterprise: Enterprise | None = None
    node: ChainNode | None = None
    park: Region | None = None
    theme: str = ""
    phase: int = 0
    variant: str = ""  # 机器换人, 设备换芯, 生产换线 of a technical upgrade
    planned: Decimal = Decimal(0)  # yuan
    equipment: Decimal = Decimal(0)
    before: float = 0.0
    after: float = 0.0
    plan: list[dt.date] = field(default_factory=list)  # planned date of each stage
    actual: list[dt.date] = field(default_factory=list)  # reached (or expected) dates
    profile: str = "on_track"
    pace: float = 1.0  # completed investment against the actual schedule's
    reason: str = ""
    silent: bool = False
    held: bool = False  # held back at a stage: the investment follows the actual schedule
    build_size: float = 0.0  # where its investment lies in its type's range, 0 to 1
    code: str = ""
    project: Project | None = None

    @property
    def family(self) -> str:
        if self.kind == T.STANDARD_BUILDING:
            return "standard"
        if self.kind == T.TECH_UPGRADE:
            return self.variant
        if self.kind in (T.DIGITAL, T.SMART_FACTORY):
            return self.kind
        return "construction"


def projects_build(
    *, seed: int, chains: list[Chain], today: dt.date | None = None
) -> list[Project]:
    """Build the demo's key projects on `chains` as of `today` (default: today) with their
    stages, months and milestones, and derive their header figures and health as the
    services do; returns the projects. Needs the demo enterprises placed on the chains
    and the service officers (`core.demo`)."""
    today = today or timezone.localdate()
    rng = random.Random(seed * 31 + 5)
    officers = list(User.objects.filter(role=Role.OFFICER).order_by("pk"))
    drafts = _allocate(rng, chains, today) + _standard_buildings(chains)
    for d in drafts:
        _figures(rng, d)
        _schedule(rng, d, today)
    _numbered(drafts)
    projects = []
    for d in drafts:
        d.project = _project(rng, d, officers)
        projects.append(d.project)
    Project.objects.bulk_create(projects, batch_size=500)
    steps, months, milestones = [], [], []
    for d in drafts:
        steps += _steps(d, today)
        months += _months(rng, d, today)
        milestones += _milestones(rng, d, today)
    ProjectStep.objects.bulk_create(steps, batch_size=2000)
    ProjectMonth.objects.bulk_create(months, batch_size=2000)
    Milestone.objects.bulk_create(milestones, batch_size=2000)
    return _derived([p.pk for p in projects], today)


# Which projects -----------------------------------------------------------------------------


def _allocate(rng: random.Random, chains: list[Chain], today: dt.date) -> list[Draft]:
    """Each chain's quota of projects of the operating enterprises confirmed on it, larger
    enterprises and chain masters first, at most `PER_ENTERPRISE` per enterprise and one
    per enterprise and chain, of types their size and age suit."""
    places: dict[int, list[EnterpriseNode]] = defaultdict(list)
    for place in (
        EnterpriseNode.objects.filter(
            node__chain__in=chains,
            status=LinkStatus.CONFIRMED,
            enterprise__status=EnterpriseStatus.OPERATING,
        )
        .select_related("enterprise", "node")
        .order_by("node__chain_id", "enterprise_id", "node__position", "pk")
    ):
        places[place.node.chain_id].append(place)
    masters = set(
        Chain.masters.through.objects.filter(chain__in=chains).values_list(
            "enterprise_id", flat=True
        )
    )
    # young: set up in the years before the newest enterprise was (not by the clock, so
    # that the same enterprises carry projects whatever the day)
    newest = max(
        (
            p.enterprise.established_on
            for v in places.values()
            for p in v
            if p.enterprise.established_on
        ),
        default=today,
    )
    recent = dt.date(newest.year - ATTRACTED_YEARS, 1, 1)
    taken: dict[int, list[str]] = defaultdict(list)  # enterprise id -> its project types
    drafts = []
    for chain in sorted(chains, key=lambda c: (c.parent_id is not None, c.sort_order, c.pk)):
        quota = QUOTAS.get(chain.code, 4 if chain.parent_id else 10)
        pool = list(places.get(chain.pk, []))
        seen: set[int] = set()
        for _ in range(quota):
            pool = [
                p
                for p in pool
                if p.enterprise_id not in seen and len(taken[p.enterprise_id]) < PER_ENTERPRISE
            ]
            if not pool:
                break
            weights = [
                (4.0 if p.enterprise_id in masters else 2.5 if p.enterprise.above_scale else 1.0)
                / (1 + 2 * len(taken[p.enterprise_id]))
                for p in pool
            ]
            place = rng.choices(pool, weights=weights)[0]
            enterprise = place.enterprise
            big = enterprise.above_scale or enterprise.pk in masters
            young = enterprise.established_on is not None and enterprise.established_on >= recent
            kinds = [k for k in TYPE_WEIGHTS if k not in taken[enterprise.pk]]
            if not young:
                kinds = [k for k in kinds if k != T.ATTRACTION]
            kind = rng.choices(kinds, weights=[TYPE_WEIGHTS[k][0 if big else 1] for k in kinds])[0]
            seen.add(enterprise.pk)
            taken[enterprise.pk].append(kind)
            drafts.append(
                Draft(
                    kind=kind,
                    chain=chain,
                    enterprise=enterprise,
                    node=place.node,
                    variant=rng.choice(TECH_VARIANTS) if kind == T.TECH_UPGRADE else "",
                )
            )
    return drafts


def _standard_buildings(chains: list[Chain]) -> list[Draft]:
    """The parks' 订单式标准厂房, one project a phase, on the chain they are built for."""
    by_code = {c.code: c for c in chains}
    parks = {
        r.code: r
        for r in Region.objects.filter(code__in=[s[0] for s in STANDARD_BUILDINGS]).select_related(
            "parent__parent"
        )
    }
    drafts = []
    for park, theme, chain, phases in STANDARD_BUILDINGS:
        if park not in parks or chain not in by_code:
            continue
        for phase in range(phases):
            drafts.append(
                Draft(
                    kind=T.STANDARD_BUILDING,
                    chain=by_code[chain],
                    park=parks[park],
                    theme=theme,
                    phase=phase,
                )
            )
    return drafts


# Figures and schedules ----------------------------------------------------------------------


def _figures(rng: random.Random, d: Draft) -> None:
    kind = KINDS[d.kind]
    low, high = (math.log(v) for v in kind.investment)
    small = d.enterprise is not None and not d.enterprise.above_scale
    u = rng.uniform(0, 0.55) if small else rng.random() ** 1.4
    wan = math.exp(low + (high - low) * u)
    step = 100 if wan >= 10_000 else 10
    d.planned = Decimal(max(step, round(wan / step) * step)) * WAN
    share = rng.uniform(*kind.equipment)
    d.equipment = (d.planned * Decimal(share) / WAN).quantize(Decimal(1)) * WAN
    d.before = rng.uniform(*kind.before)
    d.after = rng.uniform(*kind.after)
    d.build_size = u  # larger projects take longer to build


def _schedule(rng: random.Random, d: Draft, today: dt.date) -> None:
    """The planned dates of the stages, placed so that today falls at a chosen stage, and
    the actual dates, which keep to them or slip as the project's profile says."""
    kind = KINDS[d.kind]
    approve, start, produce, capacity = GAPS[kind.construction]
    low, high = kind.build
    months = low + (high - low) * (0.6 * d.build_size + 0.4 * rng.random())
    gaps = [
        rng.randint(*approve),
        rng.randint(*start),
        round(months * 30.44),
        rng.randint(*produce),
        rng.randint(*capacity),
    ]
    if d.kind == T.STANDARD_BUILDING:  # 投产: the first tenants move in; 达产: all of them
        gaps[3], gaps[4] = rng.randint(60, 180), rng.randint(120, 360)
    offsets = [0]
    for gap in gaps:
        offsets.append(offsets[-1] + gap)
    stage = rng.choices(range(6), weights=POSITION_WEIGHTS)[0]
    span = gaps[stage] if stage < AT_CAPACITY else 270
    position = min(offsets[stage] + rng.randint(0, span), 5 * 365)
    signed = today - dt.timedelta(days=max(position, 20))
    d.plan = [signed + dt.timedelta(days=o) for o in offsets]
    d.actual = [signed]
    for gap in gaps:
        d.actual.append(
            d.actual[-1]
            + dt.timedelta(days=max(1, round(gap * rng.uniform(0.94, 1.04)) + rng.randint(-6, 6)))
        )
    d.profile = rng.choices([p for p, _ in PROFILES], weights=[w for _, w in PROFILES])[0]
    d.pace = rng.uniform(0.96, 1.05)
    if d.profile == "stuck":
        _stuck(rng, d, today)
    elif d.profile == "slipping":
        _slipping(rng, d, today)
    elif d.profile == "short":
        _short(rng, d, today)
    under_way = d.actual[STARTED] < today <= d.actual[AT_CAPACITY]
    d.silent = under_way and d.profile == "on_track" and rng.random() < SILENT_SHARE


def _delay(d: Draft, stage: int, until: dt.date) -> None:
    """Hold `stage` (and those after it) back to `until`."""
    shift = until - d.actual[stage]
    if shift.days <= 0:
        return
    d.held = True
    for k in range(stage, len(d.actual)):
        d.actual[k] += shift


def _stuck(rng: random.Random, d: Draft, today: dt.date) -> None:
    """A stage planned 45 to 300 days ago not reached yet (red), or — where no stage
    fits — money short."""
    late = [k for k in range(1, 6) if 45 <= (today - d.plan[k]).days <= 300]
    if not late:
        _short(rng, d, today)
        return
    stage = late[-1] if len(late) == 1 or rng.random() < 0.7 else late[-2]
    _delay(d, stage, today + dt.timedelta(days=rng.randint(15, 200)))
    d.reason = rng.choice(REASONS[stage])
    if stage in (STARTED, COMPLETED) and rng.random() < 0.5:
        d.pace = rng.uniform(0.75, 0.95)


def _slipping(rng: random.Random, d: Draft, today: dt.date) -> None:
    """A stage a few days to a month late (yellow), or investment somewhat behind."""
    late = [k for k in range(1, 6) if 4 <= (today - d.plan[k]).days <= 28]
    if late and rng.random() < 0.6:
        stage = late[-1]
        _delay(d, stage, today + dt.timedelta(days=rng.randint(5, 60)))
        d.reason = rng.choice(REASONS[stage])
    elif d.actual[PRODUCING] > today:
        d.pace = rng.uniform(0.72, 0.86)
        d.reason = rng.choice(SHORT_REASONS)
    else:
        d.profile = "on_track"


def _short(rng: random.Random, d: Draft, today: dt.date) -> None:
    """Money short: investment at about half the plan, completion pushed back (a
    project already in production is not)."""
    if d.actual[PRODUCING] <= today:
        d.profile = "on_track"
        return
    d.pace = rng.uniform(0.42, 0.64)
    d.reason = rng.choice(SHORT_REASONS)
    if d.actual[COMPLETED] > today - dt.timedelta(days=60):
        _delay(d, COMPLETED, d.actual[COMPLETED] + dt.timedelta(days=rng.randint(60, 180)))


def _numbered(drafts: list[Draft]) -> None:
    """项目编号 by signing year, in the order of signing: XM2025-0001, …; numbers other
    projects already hold are skipped."""
    taken = set(Project.objects.values_list("code", flat=True))
    counters: dict[int, int] = defaultdict(int)
    drafts.sort(key=lambda d: (d.plan[SIGNED], d.chain.pk, _name_key(d)))
    for d in drafts:
        year = d.plan[SIGNED].year
        while True:
            counters[year] += 1
            code = f"XM{year}-{counters[year]:04d}"
            if code not in taken:
                break
        d.code = code


def _name_key(d: Draft) -> tuple:
    return (d.enterprise.pk if d.enterprise else 0, d.park.pk if d.park else 0, d.phase, d.kind)


# The project --------------------------------------------------------------------------------


def _equipment_words(rng: random.Random, d: Draft) -> str:
    words = EQUIPMENT.get(d.chain.code, GENERIC_EQUIPMENT)
    return "、".join(rng.sample(words, min(2, len(words))))


def _capacity(rng: random.Random, product: str) -> str | None:
    for words, unit, low, high, step in CAPACITIES:
        if any(w in product for w in words.split()):
            amount = rng.randrange(low, high + 1, step)
            if unit == "吨" and amount >= 10_000:
                return (
                    f"{amount // 10_000}万吨"
                    if amount % 10_000 == 0
                    else f"{amount / 10_000:g}万吨"
                )
            return f"{amount}{unit}"
    return None


def _project(rng: random.Random, d: Draft, officers: list[User]) -> Project:
    name, content = _texts(rng, d)
    enterprise = d.enterprise
    if enterprise is not None:
        district_id, park_id = enterprise.district_id, enterprise.park_id
        official_id = enterprise.service_officer_id
    else:
        district_id, park_id, official_id = _district_of(d.park), d.park.pk, None
    if official_id is None and officers:
        official_id = officers[rng.randrange(len(officers))].pk
    return Project(
        code=d.code,
        name=name,
        project_type=d.kind,
        level=_level(rng, d),
        content=content,
        enterprise=enterprise,
        chain=d.chain,
        node=d.node,
        district_id=district_id,
        park_id=park_id,
        planned_investment=d.planned,
        equipment_planned=d.equipment,
        official_id=official_id,
    )


def _district_of(region: Region) -> int:
    """The district or county a park lies in (parks may lie in parks)."""
    while region.kind not in DISTRICT_KINDS and region.parent_id:
        region = region.parent
    return region.pk


def _level(rng: random.Random, d: Draft) -> str:
    """省重点 for the largest, 市重点 for most, 区县重点 for the small ones."""
    wan = d.planned / WAN
    if wan >= 100_000:
        weights = (6, 4, 0)
    elif wan >= 20_000:
        weights = (1, 6.5, 2.5)
    elif wan >= 5_000 or d.kind == T.SMART_FACTORY:
        weights = (0, 4.5, 5.5)
    else:
        weights = (0, 1.5, 8.5)
    levels = [ProjectLevel.PROVINCE, ProjectLevel.CITY, ProjectLevel.DISTRICT]
    return rng.choices(levels, weights=weights)[0]


def _texts(rng: random.Random, d: Draft) -> tuple[str, str]:
    """The project's name and 建设内容."""
    wan = float(d.planned / WAN)
    value = max(1, round(wan / 10_000 * rng.uniform(1.2, 2.5), 1))  # output value, 亿元
    tax = max(50, round(wan * rng.uniform(0.04, 0.09) / 10) * 10)  # 万元
    area = max(0.5, round(wan / rng.uniform(3_000, 6_000), 1))  # 万平方米
    mu = max(20, round(area * 10_000 / 666.7 / rng.uniform(0.9, 1.4) / 10) * 10)
    lines = rng.randint(2, 8)
    machines = rng.randint(20, 300)
    equipment = _equipment_words(rng, d)
    if d.kind == T.STANDARD_BUILDING:
        park = d.park.short_name or d.park.name
        name = f"{park}{d.theme}产业园订单式标准厂房（{PHASES[d.phase]}期）项目"
        content = (
            f"在{d.park.name}建设订单式标准厂房{rng.randint(6, 24)}栋，总建筑面积约{area}万平方米，"
            f"按{d.theme}企业需求定制层高与楼面荷载，配套建设道路、给排水、供配电、消防及污水处理"
            f"设施，建成后定向交付签约入驻企业，助推园区“满园扩园”。"
        )
        return name, content
    short = enterprise_short_name(d.enterprise.name)
    product = d.node.name
    capacity = _capacity(rng, product)
    if d.kind == T.NEW:
        name = rng.choice(
            [f"{short}{product}生产基地建设项目", f"{short}{product}产业化项目"]
            + ([f"{short}年产{capacity}{product}项目"] * 2 if capacity else [])
        )
        content = (
            f"项目总用地约{mu}亩，总建筑面积约{area}万平方米，新建生产厂房、研发中心及配套用房，"
            f"购置{equipment}等生产及检测设备{machines}台（套），建设{product}生产线{lines}条。"
            f"达产后预计年产值{value}亿元、年纳税{tax}万元。"
        )
    elif d.kind == T.EXPANSION:
        name = rng.choice(
            [f"{short}{product}扩产项目", f"{short}{product}二期扩建项目"]
            + ([f"{short}新增年产{capacity}{product}扩建项目"] if capacity else [])
        )
        content = (
            f"在现有厂区内新建厂房约{area}万平方米，新增{product}生产线{lines}条，购置{equipment}"
            f"等设备{machines}台（套）。项目建成后{product}产能提升约{rng.randint(30, 120)}%，"
            f"预计新增年产值{value}亿元。"
        )
    elif d.kind == T.TECH_UPGRADE and d.variant == "机器换人":
        name = f"{short}{product}“机器换人”智能化改造项目"
        content = (
            f"围绕{product}生产的焊接、装配、搬运、检测等关键工序实施“机器换人”，引进工业机器人"
            f"{rng.randint(10, 80)}台及自动上下料、AGV物流系统，改造生产线{lines}条。项目完成后"
            f"生产效率提升{rng.randint(20, 50)}%以上，一线用工减少{rng.randint(20, 45)}%。"
        )
    elif d.kind == T.TECH_UPGRADE and d.variant == "设备换芯":
        name = f"{short}{product}生产线“设备换芯”技术改造项目"
        content = (
            f"对{product}生产线实施“设备换芯”，淘汰老旧设备{rng.randint(20, 120)}台（套），"
            f"购置{equipment}等数控化、智能化设备{machines}台（套），配套建设在线检测系统。"
            f"项目完成后产品良率提升至{rng.randint(96, 99)}%以上，单位产品能耗下降"
            f"{rng.randint(8, 25)}%。"
        )
    elif d.kind == T.TECH_UPGRADE:
        name = f"{short}{product}“生产换线”柔性化改造项目"
        content = (
            f"实施“生产换线”改造，将原有生产线升级为{product}柔性智能生产线{lines}条，购置"
            f"{equipment}等设备{machines}台（套），实现多品种、小批量快速换产。项目完成后新增"
            f"年产值{value}亿元。"
        )
    elif d.kind == T.DIGITAL:
        name = rng.choice(
            [
                f"{short}{product}数字化车间建设项目",
                f"{short}智能制造数字化转型项目",
                f"{short}工业互联网平台应用项目",
            ]
        )
        content = (
            f"建设{product}数字化车间，部署MES制造执行系统、WMS仓储管理系统和设备数据采集平台，"
            f"实现生产全过程数据采集与可视化管理，打通研发、生产、仓储、销售数据。项目完成后生产"
            f"效率提升{rng.randint(15, 35)}%、运营成本降低{rng.randint(10, 25)}%。"
        )
    elif d.kind == T.SMART_FACTORY:
        name = rng.choice(
            [f"{short}5G+智慧工厂建设项目", f"{short}“5G+工业互联网”智慧工厂示范项目"]
        )
        content = (
            f"联合基础电信企业建设5G工业专网，部署5G+机器视觉质检、5G+AGV智能物流、5G+设备"
            f"远程运维等应用场景{rng.randint(5, 15)}个，建设数字孪生工厂平台，打造"
            f"{d.chain.name}产业“5G+智慧工厂”示范标杆。"
        )
    else:
        origin, word = INVESTORS[rng.randrange(len(INVESTORS))]
        name = rng.choice(
            [f"{short}{product}产业园项目", f"{short}{product}研发生产基地项目"]
            + ([f"{short}年产{capacity}{product}项目"] if capacity else [])
        )
        content = (
            f"由{origin}{word}集团投资设立，总用地约{mu}亩，建设{product}研发生产基地，主要建设"
            f"生产厂房、研发楼及配套设施约{area}万平方米。项目全部达产后预计年产值{value}亿元、"
            f"年纳税{tax}万元，带动上下游配套企业落户。"
        )
    return name, content


# Stages, months, milestones -----------------------------------------------------------------


def _steps(d: Draft, today: dt.date) -> list[ProjectStep]:
    return [
        ProjectStep(
            project=d.project,
            stage=stage,
            planned_on=d.plan[k],
            reached_on=d.actual[k] if d.actual[k] < today else None,
        )
        for k, stage in enumerate(STAGE_ORDER)
    ]


def _share(day: dt.date, d: Draft, dates: list[dt.date]) -> float:
    """How much of the investment is spent by `day` on the schedule `dates`: a little
    before the start, an S-curve over the build, the rest in the months after."""
    signed, started, completed = dates[SIGNED], dates[STARTED], dates[COMPLETED]
    if day <= signed:
        return 0.0
    if day < started:
        return d.before * (day - signed).days / max(1, (started - signed).days)
    if day < completed:
        x = (day - started).days / max(1, (completed - started).days)
        return d.before + (1 - d.before - d.after) * x * x * (3 - 2 * x)
    return 1 - d.after * max(0.0, 1 - (day - completed).days / AFTER_DAYS)


def _month_after(day: dt.date) -> dt.date:
    """The first day of the month after `day`'s."""
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _months(rng: random.Random, d: Draft, today: dt.date) -> list[ProjectMonth]:
    """From the month after signing to last month (or the month it reached capacity)."""
    this_month = today.replace(day=1)
    first = _month_after(d.plan[SIGNED])
    end = min(this_month, _month_after(d.actual[AT_CAPACITY]))
    total = d.planned / WAN
    # small deviations from the plan do not show in the money; a stage held back does
    schedule = d.actual if d.held else d.plan
    equipment_share = float(d.equipment / d.planned) if d.planned else 0.0
    rows = []
    month = first
    planned_before = completed_before = Decimal(0)
    actual_before = 0.0
    while month < end:
        following = _month_after(month)
        planned_to = (total * Decimal(_share(following, d, d.plan))).quantize(Decimal(1))
        planned = planned_to - planned_before
        planned_before = planned_to
        actual_to = _share(following, d, schedule) * d.pace
        step = (actual_to - actual_before) * rng.uniform(0.75, 1.25)
        actual_before = actual_to
        completed = min(
            (total * Decimal(max(step, 0.0))).quantize(Decimal(1)), total - completed_before
        )
        completed_before += completed
        middle = month.replace(day=15)
        equipment = completed * Decimal(min(1.0, equipment_share * _equipment_weight(d, middle)))
        silent = d.silent and following == this_month
        rows.append(
            ProjectMonth(
                project=d.project,
                month=month,
                planned=planned * WAN,
                completed=None if silent else completed * WAN,
                equipment=None if silent else equipment.quantize(Decimal(1)) * WAN,
                progress="" if silent else _progress(d, middle, today),
                reported_at=None if silent else _reported(rng, following),
                reported_by_id=None if silent else d.project.official_id,
            )
        )
        month = following
    return rows


def _equipment_weight(d: Draft, day: dt.date) -> float:
    """Equipment comes late in a build (twice the average share at its end), and is most
    of what follows it; before the start there is none."""
    a = d.actual
    if day < a[STARTED]:
        return 0.0
    if day < a[COMPLETED]:
        return 2 * (day - a[STARTED]).days / max(1, (a[COMPLETED] - a[STARTED]).days)
    return 1.6


def _reported(rng: random.Random, following: dt.date) -> dt.datetime:
    """Reported in the last week of the month, in office hours."""
    day = following - dt.timedelta(days=rng.randint(1, 7))
    moment = dt.datetime.combine(day, dt.time(rng.randint(9, 17), rng.randrange(60)))
    return timezone.make_aware(moment)


def _progress(d: Draft, day: dt.date, today: dt.date) -> str:
    """形象进度: what the month saw, with the reason of a delay in the recent months."""
    a = d.actual
    construction = KINDS[d.kind].construction
    if day < a[APPROVED]:
        texts = BEFORE_APPROVAL[construction]
        text = texts[_phase_index(day, a[SIGNED], a[APPROVED], len(texts))]
    elif day < a[STARTED]:
        texts = BEFORE_START[construction]
        text = texts[_phase_index(day, a[APPROVED], a[STARTED], len(texts))]
    elif day < a[COMPLETED]:
        x = (day - a[STARTED]).days / max(1, (a[COMPLETED] - a[STARTED]).days)
        text = next(t for limit, t in BUILD[d.family] if x < limit)
        text += f"，完成形象进度约{max(5, round(x * 20) * 5)}%"
    elif day < a[PRODUCING]:
        text = "入驻企业装修及设备进场" if d.kind == T.STANDARD_BUILDING else "竣工验收，试生产"
    elif day < a[AT_CAPACITY]:
        x = (day - a[PRODUCING]).days / max(1, (a[AT_CAPACITY] - a[PRODUCING]).days)
        if d.kind == T.STANDARD_BUILDING:
            text = f"企业陆续入驻投产，厂房入驻率约{round(40 + 50 * x)}%"
        else:
            text = f"产能爬坡，产能利用率约{round(40 + 50 * x)}%"
    else:
        text = "全面达产运行"
    if d.reason and (today - day).days < 100 and d.profile != "on_track":
        text += f"；受{d.reason}影响，进度滞后于计划"
    return text


def _phase_index(day: dt.date, start: dt.date, end: dt.date, n: int) -> int:
    x = (day - start).days / max(1, (end - start).days)
    return min(n - 1, max(0, int(x * n)))


def _milestones(rng: random.Random, d: Draft, today: dt.date) -> list[Milestone]:
    pool = MILESTONES["upgrade" if d.kind == T.TECH_UPGRADE else d.family]
    count = min(len(pool), rng.randint(2, 4))
    chosen = sorted(rng.sample(range(len(pool)), count))
    rows = []
    for index in chosen:
        title, stage, share = pool[index]
        due = _between(d.plan, stage, share)
        expected = _between(d.actual, stage, share) + dt.timedelta(days=rng.randint(-8, 8))
        done = expected if expected < today else None
        note = ""
        if done is None and due < today:
            reason = d.reason or rng.choice(REASONS[min(stage + 1, AT_CAPACITY)])
            note = f"受{reason}影响，预计{expected.year}年{expected.month}月完成"
        elif done is not None and (done - due).days > 30:
            note = f"较计划延后{(done - due).days}天完成"
        rows.append(Milestone(project=d.project, title=title, due_on=due, done_on=done, note=note))
    return rows


def _between(dates: list[dt.date], stage: int, share: float) -> dt.date:
    return dates[stage] + dt.timedelta(days=round((dates[stage + 1] - dates[stage]).days * share))


# Derived figures ----------------------------------------------------------------------------


def _derived(pks: list[int], today: dt.date) -> list[Project]:
    """The header figures from the stages and months, exactly as `services` derives them
    (in bulk), then every project judged as of today."""
    projects = list(
        Project.objects.filter(pk__in=pks).prefetch_related("steps", "months").order_by("pk")
    )
    for project in projects:
        services._derive(project, today)
    Project.objects.bulk_update(projects, list(services.DERIVED), batch_size=500)
    services.health_refresh(on=today, projects=projects)
    return projects


# Parks: land and standard factory buildings ---------------------------------------------------

#: Industrial land of a park in 亩: planned (a range by kind), and at the start of the three
#: years shown the share of it developed and the share of that occupied (满园扩园: both grow).
LAND_PLANNED = {
    "national_zone": (25_000, 45_000),
    "provincial_zone": (8_000, 20_000),
    "park": (3_000, 8_000),
}
LAND_MONTHS = 36


def _theme(project: Project) -> str:
    """What the park's buildings of a project are for: the chain's name (汽车零部件 …)."""
    return project.chain.name if project.chain_id else ""


def _phase(name: str) -> str:
    """一期, 二期 … as the project's name says (标准厂房二期 …), else 新建."""
    found = re.search(r"([一二三四五六])期", name)
    return f"{found.group(1)}期" if found else "新建"


def parks_build(*, seed: int, today: dt.date) -> tuple[int, int]:
    """The parks' land month by month over three years (a zone holding parks reports for
    all of its land, its parks for theirs) and their standard factory buildings: those of
    the 标准厂房 projects, built as far as the project is, and older ones; built ones taken
    by the park's enterprises, some built to order (订单式). Returns (land rows, buildings)."""
    from gongxin.core.choices import PARK_KINDS
    from gongxin.projects.choices import BuildingStatus, Occupancy
    from gongxin.projects.models import Building, ParkLand

    rng = random.Random(seed * 47 + 11)
    parks = list(Region.objects.filter(kind__in=PARK_KINDS).order_by("sort_order", "code"))
    first = today.replace(day=1)
    months = []
    month = first
    for _ in range(LAND_MONTHS):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.append(month)
    months.reverse()
    planned_of = {}
    land = []
    for park in parks:
        low, high = LAND_PLANNED.get(park.kind, LAND_PLANNED["park"])
        planned = Decimal(rng.randrange(low, high, 100))
        parent = planned_of.get(park.parent_id)
        if parent is not None:  # a park inside a zone: a part of the zone's land
            planned = (parent * Decimal(rng.uniform(0.12, 0.25))).quantize(Decimal(100))
        planned_of[park.pk] = planned
        developed_share = rng.uniform(0.55, 0.8)
        occupied_share = rng.uniform(0.78, 0.9)
        for i, m in enumerate(months):
            growth = i / (LAND_MONTHS - 1)
            developed = planned * Decimal(min(0.97, developed_share + 0.12 * growth))
            occupied = developed * Decimal(min(0.97, occupied_share + 0.07 * growth))
            land.append(
                ParkLand(
                    park=park,
                    month=m,
                    planned_mu=planned,
                    developed_mu=developed.quantize(Decimal("0.01")),
                    occupied_mu=occupied.quantize(Decimal("0.01")),
                )
            )
    ParkLand.objects.bulk_create(land, batch_size=2000)

    tenants = defaultdict(list)
    for enterprise in Enterprise.objects.filter(
        park__isnull=False, status=EnterpriseStatus.OPERATING
    ).order_by("pk"):
        tenants[enterprise.park_id].append(enterprise)
    buildings = []

    def occupy(building, park_id, built_on):
        roll = rng.random()
        pool = tenants.get(park_id) or []
        if not pool or roll < 0.18:
            return  # vacant
        building.occupant = rng.choice(pool)
        if roll < 0.32:
            building.occupancy = Occupancy.ALLOCATED
        else:
            building.occupancy = Occupancy.OCCUPIED
            moved = built_on + dt.timedelta(days=rng.randrange(20, 240))
            building.occupied_since = min(moved, today)
        if rng.random() < 0.4:
            building.ordered_by = building.occupant  # 订单式: built for it

    standard = (
        Project.objects.filter(project_type=ProjectType.STANDARD_BUILDING, park__isnull=False)
        .select_related("chain")
        .order_by("code")
    )
    for project in standard:
        done = project.completed_on is not None
        status = (
            BuildingStatus.BUILT
            if done
            else BuildingStatus.BUILDING
            if project.started_on
            else BuildingStatus.PLANNED
        )
        for number in range(1, rng.randint(3, 6) + 1):
            floors = rng.choice((1, 1, 2, 3, 4))
            building = Building(
                park_id=project.park_id,
                name=f"{_theme(project)}{_phase(project.name)}{number}号厂房",
                area=Decimal(rng.randrange(3_000, 12_000, 100) * floors),
                floors=floors,
                load=Decimal(
                    rng.choice((15, 20, 25, 30)) if floors == 1 else rng.choice((8, 10, 12))
                ),
                status=status,
                project=project,
                completed_on=project.completed_on if done else None,
            )
            if done:
                occupy(building, project.park_id, project.completed_on)
            elif rng.random() < 0.3 and tenants.get(project.park_id):
                building.occupancy = Occupancy.ALLOCATED  # 订单式, taken before it is built
                building.occupant = building.ordered_by = rng.choice(tenants[project.park_id])
            buildings.append(building)
    for park in parks:  # the standard buildings built before the platform
        for number in range(1, rng.randint(4, 10) + 1):
            floors = rng.choice((1, 2, 3))
            built_on = dt.date(rng.randint(2012, 2022), rng.randint(1, 12), 1)
            building = Building(
                park=park,
                name=f"标准厂房{chr(64 + (number - 1) // 4 + 1)}{(number - 1) % 4 + 1}栋",
                area=Decimal(rng.randrange(2_000, 8_000, 100) * floors),
                floors=floors,
                load=Decimal(rng.choice((15, 20, 25)) if floors == 1 else rng.choice((8, 10))),
                status=BuildingStatus.BUILT,
                completed_on=built_on,
            )
            occupy(building, park.pk, built_on)
            buildings.append(building)
    Building.objects.bulk_create(buildings, batch_size=1000)
    return len(land), len(buildings)
