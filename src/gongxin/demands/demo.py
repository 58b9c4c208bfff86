"""Demo visits and demands (大走访, 企业诉求) over the two years before a day.

Visit plans of the desk and of two counties with their tasks; visits by service officers
and district and park staff (what was seen, what was found, the demands raised); and about
three demands for every five operating enterprises, from the portal, the phone, the 12345
hotline and visits, moved through the closed loop by the roles that act on them, in
Chinese working days: most on time, some late, some returned and re-dispatched, reopened
after an unsatisfied rating, extended, merged as duplicates or recategorised by the desk.
This month's demands speak of 招工难, 满负荷, 交货期 and 电费, last month's did not (the
hot topics). Every text is invented.

The demo's clock stops at 09:00 of `today`: what would happen later is left undone, so
the recent weeks hold demands at every status, some past their deadline (the 督办 list).

Older history is written in bulk (a few seconds for a city's two years) exactly as the
services would have written it (statuses, deadlines, versions, events, extensions;
`Sim` follows the services step by step and the tests compare the two); the demands and
visits of the last week, and every demand merged or merged into, go through the services
(their notifications included). Deterministic: only ``random.Random(seed)`` and
querysets in a fixed order, so the same seed and day build the same rows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import chinese_calendar
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from gongxin.chains.choices import LinkStatus
from gongxin.chains.models import Chain, EnterpriseNode
from gongxin.core import workdays
from gongxin.core.audit import audit_record
from gongxin.core.choices import AuditAction, Role
from gongxin.core.models import Department, Notification, Region, User
from gongxin.demands import services, statistics
from gongxin.demands.categorize import suggest_category
from gongxin.demands.choices import (
    FACTOR_CATEGORY,
    FACTOR_UNITS,
    Action,
    Category,
    ExtensionStatus,
    FactorKind,
    FactorUnit,
    Frequency,
    Rating,
    Source,
    Status,
    Urgency,
    VisitKind,
    VisitTarget,
)
from gongxin.demands.models import (
    Demand,
    DemandEvent,
    DemandExtension,
    FactorRequest,
    Visit,
    VisitPlan,
    VisitTask,
)
from gongxin.demands.selectors import (
    DUPLICATE_LIKENESS,
    DUPLICATE_WINDOW,
    KEY_QUALIFICATIONS,
    is_desk,
)
from gongxin.demands.services.visits import RaisedDemand, periods, plan_enterprises
from gongxin.demands.topics import demand_terms
from gongxin.enterprises.choices import EnterpriseStatus
from gongxin.enterprises.models import Enterprise, Qualification
from gongxin.projects.models import Project

#: The desk (运行监测协调处) account that registers, dispatches, rates by phone and follows up.
DESK_USERNAME = "staff"
#: The demo's clock stops at this time of `today`.
CLOCK = dt.time(9, 0)
#: Visits and demands of the last days go through the services (most of the rest in bulk).
LIVE_VISIT_DAYS = 7
LIVE_DEMAND_DAYS = 7
#: Demands for each operating enterprise over the two years.
DEMANDS_PER_ENTERPRISE = 0.6
#: Share of the demands raised at visits.
VISIT_SHARE = 0.33
#: Words that this month's demands use and last month's do not (the hot topics): words of
#: three characters or more, or of short texts, as `topics.demand_terms` keeps the longest.
RISING = ("招工难", "满负荷", "交货期", "加班加点", "电费")

# Texts ---------------------------------------------------------------------------------


FESTIVAL = (0,)


@dataclass(frozen=True)
class Ask:
    """A kind of demand: its category, the departments that handle it (the first most
    often) and ways an enterprise words it. Slots in braces are filled per demand."""

    category: str
    leads: tuple[str, ...]
    titles: tuple[str, ...]
    bodies: tuple[str, ...]
    factor: str = ""
    co: tuple[str, ...] = ()
    #: Departments the desk may first send it to by mistake (they return it).
    wrong: tuple[str, ...] = ()
    urgent: float = 0.04
    #: Slow by nature (land, approvals): resolved late more often, extensions asked.
    slow: bool = False
    #: How often it is chosen among its category's asks.
    weight: float = 1.0
    #: The months it is asked in (all when empty); FESTIVAL: the weeks after the Spring
    #: Festival only.
    months: tuple[int, ...] = ()


C = Category
# fmt: off
ASKS: tuple[Ask, ...] = (
    # labour 用工
    Ask(C.LABOUR, ("rsj",), ("急需招聘一线普工{n}名", "普工缺口{n}人，请求协助招工"), (
        "我司{product}订单已排产到{month}月，生产线满负荷运转，招工难问题突出，目前用工缺口约{n}人，"
        "主要是一线普工和包装工。公司已在招聘网站和周边乡镇张贴招聘信息，到岗人数不足三成，恳请协助"
        "对接劳务输出县区，组织专场招聘会。",
        "受季节性因素影响，我司一线普工流失较多，{product}车间缺工约{n}人，部分工位只能由管理人员"
        "临时顶岗。希望人社部门帮助对接劳务协作基地和职业院校，组织定向招工。",
    ), factor=FactorKind.LABOUR, co=("zxqyc",), wrong=("zxqyc",)),
    Ask(C.LABOUR, ("rsj",), ("节后返岗率低，普工招聘困难", "春节后缺工{n}人"), (
        "春节后员工返岗率只有{pct}%左右，{product}生产线有{k}条因缺工无法满负荷开工，普工缺口{n}人。"
        "请协调组织节后专场招聘和“点对点”返岗服务，帮助企业尽快恢复产能。",
        "节后招人比往年更难，我司缺工约{n}人，以装配和质检岗位为主。希望组织县乡两级摸排富余"
        "劳动力，定向推荐到企业务工。",
    ), factor=FactorKind.LABOUR, months=FESTIVAL),
    Ask(C.LABOUR, ("rsj",), ("年底赶工用工缺口大", "临近年底用工缺口约{n}人"), (
        "临近年底，客户追加订单较多，交货期紧，我司需在{date}前新增普工{n}人、技工{m}人，招工难、"
        "用工缺口较大。请协助发布招聘信息，并对接周边县区富余劳动力。",
        "年底订单集中交付，{product}车间加班加点仍忙不过来，用工缺口约{n}人。希望帮助对接劳务派遣"
        "机构和职业院校实习生，缓解招工难。",
    ), factor=FactorKind.LABOUR, co=("zxqyc",), months=(10, 11, 12, 1)),
    Ask(C.LABOUR, ("rsj",), ("数控技工招不到人", "急需焊工、数控车工等技术工人"), (
        "企业新上{k}台数控加工中心，急需数控车工、焊工等技术工人{m}名，本地技工储备不足，外地招来的"
        "工人住宿难以解决。希望协调技工院校联合培养，帮助对接技能工人招聘。",
    ), factor=FactorKind.LABOUR, co=("jgc",)),
    Ask(C.LABOUR, ("rsj",), ("新招员工社保参保登记受阻",), (
        "我司新招录员工{n}人，办理社保参保登记时系统提示信息不一致，无法按时参保，影响员工稳定。"
        "请人社部门协助核实处理。",
    )),
    # talent 人才
    Ask(C.TALENT, ("rsj", "kjj"), ("引进研发工程师{t}名", "急需高层次技术人才"), (
        "公司正在建设{product}研发中心，急需引进结构设计、嵌入式软件方向的工程师{t}名，本地高校"
        "毕业生留昌意愿不高。希望协助对接省内高校和人才招聘活动，并落实人才公寓、落户等配套。",
        "企业技术团队规模偏小，急需引进工艺工程师和质量工程师{t}名。希望将企业岗位纳入人才招聘"
        "专场，并在人才公寓申请上给予支持。",
    ), factor=FactorKind.TALENT, wrong=("zxqyc",)),
    Ask(C.TALENT, ("rsj",), ("引进人才子女入学和住房问题",), (
        "我司引进的{k}名博士和高级工程师反映子女入学、人才公寓申请等问题尚未落实，影响人才稳定。"
        "请协调相关部门帮助解决。",
    ), co=("zjj",)),
    Ask(C.TALENT, ("rsj", "kjj"), ("人才项目申报辅导",), (
        "公司技术负责人拟申报市级高层次人才项目，对人才认定条件和材料要求不够清楚，希望组织专人"
        "上门辅导。",
    )),
    # finance 融资
    Ask(C.FINANCE, ("jrj",), ("流动资金贷款需求{amount}万元", "申请流动资金贷款"), (
        "受原材料价格上涨和回款周期拉长影响，企业流动资金紧张，需流动资金贷款约{amount}万元，期限"
        "{term}个月。现有合作银行授信额度已用满，希望帮助对接银行，争取信用贷款支持。",
        "企业{product}产销两旺，备料资金需求增加，希望新增银行授信{amount}万元，期限{term}个月，"
        "并协调降低担保费率。",
    ), factor=FactorKind.FUNDS, co=("czj",), wrong=("czj",)),
    Ask(C.FINANCE, ("jrj",), ("贷款到期续贷困难", "{amount}万元贷款即将到期，申请续贷"), (
        "我司在合作银行的{amount}万元贷款将于{date}到期，银行要求先还后贷，企业短期内难以筹措过桥"
        "资金。请协调银行办理无还本续贷，或通过应急转贷资金给予支持。",
    ), co=("zxqyc",), urgent=0.3),
    Ask(C.FINANCE, ("jrj", "jgc"), ("技改项目融资缺口{amount}万元",), (
        "企业{product}生产线改造项目总投资约{big}万元，设备采购款缺口{amount}万元，希望对接中长期"
        "项目贷款和融资租赁，并争取贷款贴息。",
    ), factor=FactorKind.FUNDS, co=("jgc",)),
    Ask(C.FINANCE, ("jrj",), ("应收账款回款慢，资金周转困难",), (
        "下游客户回款周期由60天延长至{days}天，企业应收账款约{amount}万元，资金周转困难。希望推荐"
        "开展应收账款质押融资，缓解资金压力。",
    ), co=("swj",)),
    # land 用地
    Ask(C.LAND, ("zrzyj",), ("扩产项目新增用地{mu}亩", "二期项目用地指标未落实"), (
        "随着订单增长，现有厂房已不能满足生产需要，公司计划投资{big}万元建设二期项目，需新增工业"
        "用地约{mu}亩，希望在{park}内协调落实用地指标。",
        "公司拟投资{big}万元扩大{product}产能，需新增工业用地约{mu}亩，目前选址地块尚未完成征收，"
        "希望加快土地报批和挂牌出让。",
    ), factor=FactorKind.LAND, co=("fgw",), wrong=("zjj",), slow=True),
    Ask(C.LAND, ("zrzyj",), ("厂房土地证办理遇到历史遗留问题",), (
        "企业{year}年建成的厂房至今未办理不动产权证，原因是当时用地手续不完善，影响企业抵押融资。"
        "请协助理清历史遗留问题，加快办证。",
    ), co=("zjj",), slow=True),
    Ask(C.LAND, ("zrzyj", "tzcj"), ("需租用标准厂房约{area}平方米",), (
        "公司新接{product}项目，需要租用标准厂房约{area}平方米，希望协调可用的标准厂房，"
        "并在租金上给予优惠。",
    ), co=("tzcj",)),
    Ask(C.LAND, ("zrzyj",), ("项目用地红线内规划道路调整",), (
        "二期项目用地红线内有一条规划道路，影响厂区整体布局，申请调整控制性详细规划。",
    ), slow=True),
    # energy 用能
    Ask(C.ENERGY, ("gdgs",), ("申请专用变压器增容", "新增生产线用电增容"), (
        "企业新增{k}条生产线投产后，用电负荷将增加约{kva}千伏安，现有变压器容量不足，申请办理"
        "增容。希望供电公司开辟绿色通道，{date}前完成接电。",
    ), factor=FactorKind.ENERGY, wrong=("fgw",)),
    Ask(C.ENERGY, ("gdgs", "fgw"), ("电费负担较重，希望降低用电成本", "电费上涨明显"), (
        "今年以来企业月均电费约{fee}万元，较去年同期增加{pct}%，峰谷电价调整后夜班生产成本上升"
        "明显。希望帮助了解市场化交易购电和分布式光伏，降低用电成本。",
        "企业{product}生产线用电量大，电费占生产成本的比重已超过{pct}%。希望供电部门上门做用电"
        "诊断，指导企业错峰生产、降低电费支出。",
    ), co=("jnc",)),
    Ask(C.ENERGY, ("fgw",), ("冬季天然气供应不稳定",), (
        "冬季天然气供应紧张，企业{product}窑炉需要稳定供气，日用气量约{gas}立方米。往年冬季曾被"
        "要求压减用气，影响交货。请协调燃气公司保障供气。",
    ), factor=FactorKind.ENERGY, co=("jnc",), months=(10, 11, 12, 1, 2)),
    Ask(C.ENERGY, ("fgw",), ("扩产项目能耗指标不足",), (
        "企业扩产项目需新增综合能耗约{tce}吨标准煤，节能审查时能耗指标不足，请协助争取能耗指标。",
    ), factor=FactorKind.ENERGY, co=("jnc",), slow=True),
    Ask(C.ENERGY, ("gdgs",), ("线路检修频繁，突发停电影响生产",), (
        "近期园区线路检修频繁，上周突发停电{h}小时，造成{product}生产线停产，严重影响企业正常用电。"
        "请供电部门提前告知检修计划，并尽快完成线路改造。",
    ), urgent=0.4),
    # logistics 物流
    Ask(C.LOGISTICS, ("jtj",), ("货车通行证配额不够用",), (
        "企业厂区位于城区限行范围内，原材料和成品运输需要办理货车通行证，目前通行证数量不够用。"
        "请交通部门增加通行证配额。",
    ), wrong=("scjgj",)),
    Ask(C.LOGISTICS, ("jtj",), ("厂区门口道路破损严重",), (
        "厂区门口{road}路面破损严重，大型货运车辆进出困难，雨天积水，影响原材料运输和员工出行。"
        "请尽快安排维修。",
    ), co=("zjj",)),
    Ask(C.LOGISTICS, ("swj", "jtj"), ("出口物流成本高，希望开通铁海联运班列",), (
        "企业产品主要出口东南亚，近期海运价格上涨，物流成本明显增加。希望协调铁海联运班列舱位，"
        "并提供通关便利。",
    )),
    # approval 审批
    Ask(C.APPROVAL, ("sthjj",), ("扩建项目环评审批进度慢",), (
        "公司{product}扩建项目环评报告已报送{weeks}周，尚未取得批复，影响项目开工。请生态环境部门"
        "加快审批。",
    ), wrong=("xzspj",), slow=True),
    Ask(C.APPROVAL, ("zjj", "xzspj"), ("施工许可证办理材料多、时间长",), (
        "项目前期手续已基本完成，施工许可证办理中要求补充的材料较多，希望住建部门提前介入指导，"
        "压缩办理时间。",
    ), slow=True),
    Ask(C.APPROVAL, ("zjj",), ("新厂房消防验收和竣工验收迟迟未完成",), (
        "新厂房已完工，消防验收和竣工验收备案迟迟未完成，无法投入使用。请协调联合验收。",
    ), co=("xzspj",), slow=True),
    Ask(C.APPROVAL, ("scjgj",), ("工业产品生产许可证办理",), (
        "企业新上{product}产品需要办理工业产品生产许可证，现场审查排期较长，请市场监管部门加快安排。",
    )),
    Ask(C.APPROVAL, ("xzspj", "fgw"), ("项目备案变更办理指导",), (
        "项目投资额调整后需要办理备案变更，企业对网上办理流程不熟悉，请审批局安排专人指导。",
    )),
    # policy 政策兑现
    Ask(C.POLICY, ("jgc",), ("技改奖补资金尚未兑现",), (
        "我司{year}年实施的设备更新项目已通过验收，按政策应享受设备投资奖补约{amount}万元，至今"
        "尚未到位，请协助加快兑现。",
    ), co=("czj",), wrong=("czj",)),
    Ask(C.POLICY, ("zxqyc",), ("专精特新申报辅导", "申报专精特新中小企业"), (
        "企业拟申报省级专精特新中小企业，对申报指标和佐证材料把握不准，希望中小企业处组织上门辅导。",
    )),
    Ask(C.POLICY, ("rsj",), ("稳岗返还补贴未到账",), (
        "我司符合失业保险稳岗返还政策条件，但补贴至今未到账，请协助查询办理进度。",
    )),
    Ask(C.POLICY, ("zbc", "jgc"), ("首台套保险补偿申报咨询",), (
        "公司研制的成套生产装备入选首台（套）重大技术装备推广目录，想申请保险补偿，希望协助了解"
        "申报流程和奖补标准。",
    )),
    Ask(C.POLICY, ("czj",), ("奖励资金已公示未拨付",), (
        "去年申报的{policy}奖励{amount}万元已公示，迟迟未拨付，请财政部门协助加快兑现。",
    ), co=("zxqyc",)),
    Ask(C.POLICY, ("zxqyc",), ("小升规奖励申报",), (
        "企业今年首次纳入规上工业企业统计，希望了解小升规奖励的申报条件和兑现时间。",
    )),
    # market 市场
    Ask(C.MARKET, ("swj", "zxqyc"), ("订单不足，希望对接市场", "订单下滑，请求产销对接"), (
        "受行业需求下滑影响，我司{product}订单同比减少约{pct}%，产能利用率不足六成。希望组织产销"
        "对接活动，帮助对接本地整机和链主企业采购需求。",
    )),
    Ask(C.MARKET, ("swj",), ("参加境外展会开拓市场",), (
        "企业计划参加广交会和东盟博览会开拓海外市场和客户，希望了解参展补助并协助报名。",
    )),
    Ask(C.MARKET, ("zbc", "dzxxc"), ("希望扩大本地整机企业采购",), (
        "我司{product}已通过多家主机厂认证，但本地整机企业采购比例很低，希望链长办帮助搭建供需"
        "对接平台，扩大本地配套。",
    ), wrong=("swj",)),
    Ask(C.MARKET, ("swj",), ("出口退税到账慢",), (
        "企业出口业务增长较快，出口退税到账时间较长，影响企业周转，希望协调加快办理，并帮助拓展"
        "海外客户。",
    )),
    Ask(C.MARKET, ("swj", "zxqyc"), ("新增订单交付压力大，希望对接外协", "订单激增急需外协加工"), (
        "近期新增订单较多，{product}交货期压力大，生产线已满负荷，希望帮助对接本地有富余产能的外协"
        "加工企业。",
    )),
    # innovation 创新
    Ask(C.INNOVATION, ("xxhc",), ("5G+智慧工厂建设指导",), (
        "企业计划建设5G+智慧工厂，对5G专网建设方案和数字化车间技术改造路径还不清楚，希望信息化处"
        "推荐服务商并上门指导。",
    ), co=("gdgs",)),
    Ask(C.INNOVATION, ("kjj",), ("新产品检测排队时间长",), (
        "企业新产品研发需要做可靠性检测，省内检测机构排队时间长，希望协调共享重点实验室的检测设备。",
    )),
    Ask(C.INNOVATION, ("scjgj",), ("发明专利被仿冒，请求维权",), (
        "我司核心产品的{k}项发明专利被外地企业仿冒，影响企业研发投入的积极性，希望协助开展知识产权维权。",
    )),
    Ask(C.INNOVATION, ("jgc",), ("技改项目申报把关", "生产线技改项目申报"), (
        "企业{product}生产线技改项目拟申报省级技术改造专项，希望技术改造处帮助把关申报材料。",
    )),
    Ask(C.INNOVATION, ("kjj",), ("希望对接高校开展技术攻关",), (
        "企业希望与省内高校开展{product}关键技术联合攻关，请帮助牵线对接研发团队。",
    )),
    # park 园区配套
    Ask(C.PARK, ("jtj",), ("园区公交班次少，员工通勤不便",), (
        "园区员工上下班通勤不便，现有公交班次少，希望增开园区公交线路或定制通勤班车。",
    )),
    Ask(C.PARK, ("zjj",), ("园区员工宿舍紧张",), (
        "园区配套的员工宿舍数量不足，新招员工只能在外租房，流失率较高。希望增加园区宿舍供给。",
    )),
    Ask(C.PARK, ("sthjj",), ("园区污水管网尚未接通",), (
        "园区{road}一带污水管网尚未接通，企业生产废水只能拉运处理，成本较高。请尽快完善污水管网配套。",
    ), co=("zjj",)),
    Ask(C.PARK, ("zjj",), ("园区路灯不亮、食堂供餐不足",), (
        "园区道路夜间路灯不亮，夜班员工出行不安全；园区食堂供餐品种少。希望改善园区配套设施。",
    )),
    # other, and asks whose words suggest no category: the desk sets it
    Ask(C.OTHER, ("scjgj",), ("企业更名后证照变更咨询",), (
        "企业已完成名称变更，希望了解各类证照同步变更的流程，减少企业跑腿。",
    )),
    Ask(C.ENERGY, ("gdgs",), ("电费太高，请帮忙想想办法",), (
        "近几个月电费涨得厉害，每月比去年多出{fee}万元，企业利润被挤压，请帮忙想想办法。",
    ), weight=0.3),
    Ask(C.LABOUR, ("rsj",), ("夜班人手不够", "车间人手严重不足"), (
        "{product}车间夜班人手严重不足，现有员工连续加班，身体吃不消，请帮忙找些人手。",
    ), weight=0.2),
)
# fmt: on
del C

CHANNEL = {
    Source.PORTAL: ("",),
    Source.PHONE: ("企业来电反映：", "企业负责人来电：", "企业办公室来电反映："),
    Source.HOTLINE: ("12345热线转办：企业负责人来电反映，", "12345热线工单：来电人称，"),
    Source.VISIT: ("走访中企业负责人反映：", "走访时企业反映：", ""),
}
REPEAT_OPENERS = ("此前已反映过，至今仍未解决：", "再次反映：", "前期反映的问题没有进展，")

PRODUCT_FALLBACK = "主导产品"
ROADS = ("兴业大道", "创新二路", "富山一路", "科技大街", "瑞丰路", "昌泰东路", "聚贤路", "锦程大道")
POLICIES = ("小升规", "数字化转型", "技术改造", "专精特新", "绿色工厂", "首台（套）")

INTERIM = {
    Category.LABOUR: (
        "已与企业人力资源负责人对接，梳理岗位需求{n}个，招聘信息已推送至县区人力资源市场和劳务"
        "协作基地，下周组织专场招聘会。",
        "已将企业纳入重点企业用工服务清单，安排专员驻企服务，正在对接职业院校和劳务派遣机构。",
    ),
    Category.TALENT: (
        "已将企业人才需求纳入本月高校毕业生招聘专场，正在协调人才公寓房源。",
        "已联系两所省内高校就业指导中心，近期安排校园专场宣讲。",
    ),
    Category.FINANCE: (
        "已将企业融资需求推送至合作银行，银行已安排客户经理上门对接，正在开展授信调查。",
        "已组织银企对接，两家银行有合作意向，正在审批中。",
    ),
    Category.LAND: (
        "已会同属地自然资源部门现场踏勘，正在核实土地利用规划和用地指标情况。",
        "已召开专题协调会，明确了报批时间节点，正在组卷报批。",
    ),
    Category.ENERGY: (
        "已安排客户经理现场勘查，正在编制供电方案。",
        "已与企业对接用能需求，正在与燃气、电力企业研究保障方案。",
    ),
    Category.LOGISTICS: ("已现场查看，正在与属地交通部门研究处理方案。",),
    Category.APPROVAL: (
        "已安排专人对接，指导企业补充材料，目前正在审查中。",
        "已开通绿色通道，容缺受理，正在组织专家审查。",
    ),
    Category.POLICY: (
        "已核实企业申报材料，资金拨付已进入财政审核流程。",
        "已安排专人对接，近期上门辅导企业准备申报材料。",
    ),
    Category.MARKET: ("已将企业产品纳入本月产销对接活动推介清单。",),
    Category.INNOVATION: ("已与企业技术负责人沟通，正在联系相关服务机构和高校团队。",),
    Category.PARK: ("已会同园区管委会现场查看，正在制定整改方案。",),
    Category.OTHER: ("已了解情况，正在协调处理。",),
}
RESOLVED = {
    Category.LABOUR: (
        "已组织专场招聘会{k}场，帮助企业招录普工{a}名、技工{b}名；剩余岗位已纳入人力资源市场持续推送。",
        "已协调劳务协作基地定向输送务工人员{a}名，企业已安排岗前培训上岗。",
    ),
    Category.TALENT: (
        "已推荐求职人员{k}名，企业录用{b}名；人才公寓已安排{b}套。",
        "已上门辅导，企业申报材料已按要求完善并提交。",
    ),
    Category.FINANCE: (
        "经对接，合作银行已为企业新增授信{amount}万元，首笔贷款已放款，执行优惠利率。",
        "已协调银行办理无还本续贷，企业贷款已顺利接续。",
    ),
    Category.LAND: (
        "用地需求已纳入年度供地计划，拟于下季度挂牌出让；过渡期间可先租用园区标准厂房。",
        "已召开专题会议研究，历史遗留问题已明确处理意见，企业可按程序办理。",
        "已协调园区提供标准厂房备选{k}处，企业已实地查看并确定租用意向。",
    ),
    Category.ENERGY: (
        "增容方案已批复，工程已完工并送电。",
        "已指导企业参与电力市场化交易，并完成用电诊断，预计年节约电费约{save}万元。",
        "已协调燃气公司将企业列入冬季保供名单，保障生产用气。",
    ),
    Category.LOGISTICS: (
        "已协调完成道路修复。",
        "已增发货车通行证{k}张。",
        "已协调物流企业优先保障舱位。",
    ),
    Category.APPROVAL: (
        "已于近日出具批复文件，企业已领取。",
        "已组织联合验收，企业已取得相关证照。",
    ),
    Category.POLICY: ("奖补资金已拨付到企业账户。", "已上门辅导，企业已按期完成申报。"),
    Category.MARKET: ("已组织企业参加产销对接会，与{k}家企业达成合作意向。",),
    Category.INNOVATION: ("已推荐{k}家服务机构与企业对接，企业已选定合作方案。",),
    Category.PARK: ("已纳入园区基础设施改造计划，施工已完成。", "已协调增开通勤班车线路。"),
    Category.OTHER: ("已协调处理完毕，并告知企业办理结果。",),
}
#: Resolutions of a factor request, saying how much of it was met ({got} {unit}).
FACTOR_RESOLVED = {
    FactorKind.LABOUR: (
        "已组织专场招聘会{k}场，帮助企业招录{detail}{got}名，剩余岗位已纳入人力资源市场持续推送。",
        "已协调劳务协作基地定向输送{detail}{got}名，企业已安排岗前培训上岗。",
    ),
    FactorKind.TALENT: ("已推荐{detail}候选人{k}名，企业已录用{got}名，人才公寓已同步安排。",),
    FactorKind.FUNDS: (
        "经对接，合作银行已为企业发放贷款{got}万元，用于{detail}，期限{term}个月，执行优惠利率。",
    ),
    FactorKind.LAND: (
        "已落实工业用地{got}亩，纳入年度供地计划挂牌出让，企业已竞得。",
        "首期{got}亩用地已完成挂牌出让，余下部分纳入下一批次供地计划。",
    ),
    FactorKind.ENERGY: ("供能方案已批复实施，可保障企业{detail}需求约{got}{unit}。",),
}
UNIT_WORDS = {
    FactorUnit.KWH: "千瓦时/年",
    FactorUnit.M3: "立方米/年",
    FactorUnit.TONNE: "吨/年",
}
REOPENED = (
    "问题没有实质解决，希望继续协调。",
    "答复内容与企业实际需求不符，请重新办理。",
    "到位情况与承诺差距较大，请继续跟进。",
)
RETURNED = (
    "该事项不属于我单位职责范围，建议改派{right}办理。",
    "经核实，该诉求主要涉及{right}职能，请重新派发。",
)
DISPATCH_NOTES = ("", "", "请按时限答复企业。", "请牵头办理，及时与企业沟通。")
RATED = {
    Rating.SATISFIED: ("", "", "办理及时，非常感谢！", "问题已解决，感谢相关部门。"),
    Rating.FAIRLY: ("问题基本解决，希望后续继续关注。", "", "办理时间稍长。"),
}
FOLLOWED = (
    "电话回访企业负责人，确认问题已解决，诉求办结。",
    "上门回访，企业对办理结果表示满意，诉求办结。",
    "回访确认办理结果已落实，诉求办结。",
    "电话回访，企业表示认可，办结。",
)
EXTENSION_REASONS = (
    "涉及用地规划调整，需提请专题会议研究。",
    "需等待省级部门批复。",
    "银行授信审批流程较长，需延期办理。",
    "需多部门联合现场核查，时间较紧。",
)

EXTENSION_APPROVED = "同意延期，请在延期内办结并及时告知企业。"
EXTENSION_REFUSED = "该事项时限内可以办结，请按原时限办理。"

SEEN_OPENERS = {
    VisitKind.ON_SITE: (
        "实地查看了{product}生产车间，",
        "走访企业生产一线和仓库，",
        "与企业负责人座谈，并查看了生产现场，",
    ),
    VisitKind.PHONE: ("电话联系企业负责人了解情况，",),
    VisitKind.VIDEO: ("视频连线企业负责人，查看了车间实时画面，",),
}
#: What a visit sees, by theme (a visit speaks of two or three themes).
SEEN_TOPICS = (
    (
        "{k}条生产线正常运转，设备开机率约{pct}%。",
        "新建的{product}自动化产线已进入试生产，良品率逐步爬坡。",
        "企业生产经营正常，车间整洁有序，安全生产措施落实到位。",
    ),
    (
        "企业在手订单约{amount}万元，排产已到{month}月。",
        "今年以来订单同比增长约{pct}%，主要来自长三角和珠三角客户。",
        "受下游需求影响，订单较去年同期有所下降，企业正积极开拓新客户。",
    ),
    (
        "现有员工{emp}人，其中一线普工约占六成，流动性较大。",
        "企业用工总体稳定，技术工人仍需补充。",
    ),
    (
        "企业反映应收账款回款周期偏长，流动资金较为紧张。",
        "企业与{k}家银行保持合作，融资渠道总体畅通。",
    ),
    (
        "正在实施{product}生产线智能化技术改造，部分设备已完成安装调试。",
        "企业今年计划投入技改资金约{amount}万元，重点更新焊接和检测设备。",
    ),
    (
        "车间已部署5G专网，AGV小车和视觉检测设备联网运行。",
        "企业正推进5G+智慧工厂建设，生产数据已接入MES系统。",
    ),
    (
        "企业月均用电约{kwh}万千瓦时，夏季用电高峰期负荷偏紧。",
        "屋顶分布式光伏已并网发电，年发电量约{kwh}万千瓦时。",
    ),
    (
        "原材料主要从长三角采购，物流成本约占营收的{pct}%。",
        "成品主要通过公路运输发往省外，厂区周边道路通行条件一般。",
    ),
    ("园区道路、供水、污水管网等配套基本完善，员工宿舍和食堂尚有缺口。",),
)
FINDINGS_QUIET = (
    "企业生产经营总体平稳，暂无需要协调解决的问题。",
    "企业发展态势良好。已宣传解读最新惠企政策，提醒企业按时报送统计数据。",
    "企业对包联服务表示满意，暂无新增诉求。已提醒企业关注{policy}奖励申报。",
    "已向企业宣讲“免申即享”政策清单和安全生产要求，企业暂无诉求。",
    "企业经营稳中有进，下一步跟踪其新产品投产进度。",
)
FINDINGS_RAISED = (
    "企业反映“{title}”，已现场登记诉求，转交相关部门办理，下次走访跟踪办理情况。",
    "发现问题：{title}。已登记为企业诉求，按程序派发办理。",
)

# Plans -----------------------------------------------------------------------------------

PLAN_NOTE_ABOVE_SCALE = (
    "按照“大走访大帮扶”工作要求，包联干部每季度至少走访所包联的规上工业企业一次，"
    "了解生产经营情况，现场登记企业诉求。"
)
PLAN_NOTE_CHAINS = "链长制重点企业“一月一走访”，先在小蓝经开区试点。"
PLAN_NOTE_COUNTY = "全县工业企业每季度走访全覆盖，县工信部门与包联干部共同开展。"
PLAN_NOTE_SPRING = "春节后重点了解企业返岗复工、用工缺口和订单情况。"
PLAN_NOTE_CHAIN = "链长走访专项行动：摸清链上企业配套需求和堵点。"


# The world the demo acts in --------------------------------------------------------------


@dataclass
class World:
    """What the demo acts on, loaded once: its day and clock, the accounts by user name,
    the departments by code, the operating enterprises and what decides their demands'
    flags (key qualifications, key projects, chains)."""

    today: dt.date
    now: dt.datetime
    start: dt.date
    desk: User
    users: dict[str, User]
    departments: dict[str, Department]
    enterprises: list[Enterprise]
    accounts: dict[int, User]
    projects: dict[int, list[Project]]
    key_periods: dict[int, list[tuple[dt.date, dt.date | None]]]
    officers: dict[int, User]
    #: the chains each enterprise is confirmed on (as `selectors.enterprise_chains`)
    chains: dict[int, list[int]]

    @classmethod
    def load(cls, today: dt.date) -> World:
        users = {u.username: u for u in User.objects.filter(is_active=True).order_by("pk")}
        desk = users.get(DESK_USERNAME)
        if desk is None or not is_desk(desk):
            raise RuntimeError(f"The demo needs the desk account “{DESK_USERNAME}”.")
        enterprises = list(
            Enterprise.objects.filter(status=EnterpriseStatus.OPERATING)
            .select_related("district", "park")
            .order_by("pk")
        )
        accounts: dict[int, User] = {}
        for user in users.values():
            if user.role == Role.ENTERPRISE and user.enterprise_id:
                accounts.setdefault(user.enterprise_id, user)
        projects: dict[int, list[Project]] = {}
        for project in Project.objects.order_by("pk"):
            projects.setdefault(project.enterprise_id, []).append(project)
        key_periods: dict[int, list] = {}
        for eid, issued, expires in (
            Qualification.objects.filter(kind__in=KEY_QUALIFICATIONS)
            .order_by("pk")
            .values_list("enterprise_id", "issued_on", "expires_on")
        ):
            key_periods.setdefault(eid, []).append((issued, expires))
        chains: dict[int, list[int]] = {}
        for eid, chain_id in (
            EnterpriseNode.objects.filter(status=LinkStatus.CONFIRMED)
            .values_list("enterprise_id", "node__chain_id")
            .distinct()
            .order_by("enterprise_id", "node__chain_id")
        ):
            chains.setdefault(eid, []).append(chain_id)
        return cls(
            today=today,
            now=_moment(today, CLOCK),
            start=_years_before(today, 2),
            desk=desk,
            users=users,
            departments={d.code: d for d in Department.objects.order_by("pk")},
            enterprises=enterprises,
            accounts=accounts,
            projects=projects,
            key_periods=key_periods,
            officers={u.pk: u for u in users.values() if u.role == Role.OFFICER},
            chains=chains,
        )

    def dept_user(self, code: str) -> User:
        return self.users[f"dept-{code}"]

    def district_user(self, enterprise: Enterprise) -> User | None:
        return self.users.get(f"district-{enterprise.district.code}")

    def park_user(self, enterprise: Enterprise) -> User | None:
        return self.users.get(f"park-{enterprise.park.code}") if enterprise.park_id else None

    def officer(self, enterprise: Enterprise) -> User | None:
        return self.officers.get(enterprise.service_officer_id)

    def is_key(self, enterprise: Enterprise, day: dt.date) -> bool:
        """Mirrors `selectors.is_key_enterprise` without a query."""
        return any(
            issued <= day and (expires is None or expires >= day)
            for issued, expires in self.key_periods.get(enterprise.pk, ())
        )


# Time ------------------------------------------------------------------------------------


class Stop(Exception):
    """The next step would happen after the demo's clock."""


def _moment(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _workday(day: dt.date, k: int = 0, until: dt.date | None = None) -> dt.date:
    """The k-th working day after `day` (k = 0: `day` itself if it is one, else the next).
    Past `until`, the demo's clock has stopped: raises Stop."""
    if k == 0:
        while not workdays.is_workday(day):
            day += dt.timedelta(days=1)
    counted = 0
    while counted < k:
        day += dt.timedelta(days=1)
        counted += workdays.is_workday(day)
        if until is not None and day > until:
            raise Stop
    if until is not None and day > until:
        raise Stop
    return day


def _office(
    rng: random.Random,
    day: dt.date,
    after: dt.datetime | None = None,
    until: dt.date | None = None,
) -> dt.datetime:
    """A moment of office hours (08:30–17:30) of working day `day`, ten minutes or more
    after `after` (within four hours of it on the same day); the next working day's when
    `day` has no time left."""
    day = _workday(day, until=until)
    low, high = 8 * 60 + 30, 17 * 60 + 30
    if after is not None:
        local = timezone.localtime(after)
        if local.date() > day:
            day = _workday(local.date(), until=until)
        if local.date() == day:
            low = max(low, local.hour * 60 + local.minute + 10)
            high = min(high, low + 240)
    if low > high - 5:
        return _office(rng, _workday(day, 1, until), until=until)
    minute = rng.randint(low, high)
    return _moment(day, dt.time(minute // 60, minute % 60))


def _later(rng: random.Random, after: dt.datetime, k: int, until: dt.date) -> dt.datetime:
    """Office hours of the k-th working day after `after` (k = 0: the same day if possible)."""
    return _office(rng, _workday(_local_date(after), k, until), after, until)


def _anytime(rng: random.Random, after: dt.datetime, days: int, until: dt.date) -> dt.datetime:
    """A moment between 08:00 and 22:00, `days` calendar days after `after` (later than it)."""
    day = _local_date(after) + dt.timedelta(days=days)
    low = 8 * 60
    if day == _local_date(after):
        local = timezone.localtime(after)
        low = max(low, local.hour * 60 + local.minute + 15)
    if low > 22 * 60 - 5:
        day, low = day + dt.timedelta(days=1), 8 * 60
    if day > until:
        raise Stop
    minute = rng.randint(low, 22 * 60)
    return _moment(day, dt.time(minute // 60, minute % 60))


def _random_workday(rng: random.Random, first: dt.date, last: dt.date) -> dt.date | None:
    span = (last - first).days
    if span < 0:
        return None
    for _ in range(12):
        day = first + dt.timedelta(days=rng.randint(0, span))
        if workdays.is_workday(day):
            return day
    return None


def _spring_festival(year: int) -> dt.date | None:
    """The first day of the Spring Festival holiday of `year` (None when not published)."""
    days = [
        day
        for day, name in chinese_calendar.holidays.items()
        if day.year == year and day.month <= 3 and "Spring" in str(name)
    ]
    return min(days) if days else None


# Visit plans and visits ------------------------------------------------------------------


@dataclass(eq=False)
class VisitDraft:
    index: int
    enterprise: Enterprise
    visited_on: dt.date
    kind: str
    recorder: User
    officials: list[User]
    recorded_at: dt.datetime
    raised: list[DemandDraft] = field(default_factory=list)
    #: visits from this day on are recorded through the services
    live_from: dt.date | None = None
    seen: str = ""
    findings: str = ""
    pk: int | None = None

    @property
    def live(self) -> bool:
        return self.live_from is not None and self.visited_on >= self.live_from


@dataclass
class PlanSpec:
    """A visit plan to make: by whom, when, with what (`services.visit_plan_create`)."""

    actor: User
    created: dt.date
    fields: dict[str, Any]

    def tasks(self) -> list[tuple[int, dt.date, dt.date]]:
        """(enterprise, period start, due) of the tasks the plan will have."""
        plan = VisitPlan(**self.fields)
        if self.actor.role == Role.DISTRICT and not is_desk(self.actor):
            plan.region = self.actor.region  # as the service decides
        spans = periods(plan.frequency, plan.starts_on, plan.ends_on)
        enterprises = plan_enterprises(plan).order_by("pk").values_list("pk", flat=True)
        return [(e, start, due) for e in enterprises for start, due in spans]


def _plan_specs(w: World) -> list[PlanSpec]:
    """The desk's quarterly plans over every 规上 enterprise for this year and last, a
    monthly pilot over the key chains' enterprises of one zone, a chain's campaign, a
    county's quarterly plan and another's visits after the Spring Festival."""
    specs: list[PlanSpec] = []
    year, previous = w.today.year, w.today.year - 1

    def make(actor: User | None, created: dt.date, **fields) -> None:
        if actor is not None and created <= w.today:
            specs.append(PlanSpec(actor, created, fields))

    for y in (previous, year):
        make(
            w.desk,
            dt.date(y, 1, 1) - dt.timedelta(days=12),
            name=f"{y}年规上工业企业季度走访",
            target=VisitTarget.ABOVE_SCALE,
            frequency=Frequency.QUARTERLY,
            starts_on=dt.date(y, 1, 1),
            ends_on=dt.date(y, 12, 31),
            note=PLAN_NOTE_ABOVE_SCALE,
        )
    first = w.today.replace(day=1)
    for _ in range(5):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    following = (w.today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    pilot = Region.objects.filter(code="xlq").first()
    if pilot is not None:
        make(
            w.desk,
            first - dt.timedelta(days=7),
            name=f"重点产业链企业每月走访（{pilot.short_name or pilot.name}试点）",
            target=VisitTarget.KEY_CHAINS,
            frequency=Frequency.MONTHLY,
            starts_on=first,
            ends_on=following - dt.timedelta(days=1),
            region=pilot,
            note=PLAN_NOTE_CHAINS,
        )
    make(
        w.users.get("district-360124"),
        dt.date(year, 1, 1) - dt.timedelta(days=20),
        name=f"{year}年进贤县工业企业走访全覆盖",
        target=VisitTarget.REGION,
        frequency=Frequency.QUARTERLY,
        starts_on=dt.date(year, 1, 1),
        ends_on=dt.date(year, 12, 31),
        note=PLAN_NOTE_COUNTY,
    )
    for y in (year, previous):
        festival = _spring_festival(y)
        if festival is None:
            continue
        back = _workday(festival + dt.timedelta(days=7))
        if back + dt.timedelta(days=30) < w.today:
            make(
                w.users.get("district-360123"),
                festival - dt.timedelta(days=10),
                name=f"{y}年安义县春节后企业复工复产走访",
                target=VisitTarget.REGION,
                frequency=Frequency.ONCE,
                starts_on=back,
                ends_on=back + dt.timedelta(days=30),
                note=PLAN_NOTE_SPRING,
            )
            break
    chain = Chain.objects.filter(code="aviation").first()
    if chain is not None:
        month = w.today.replace(day=1)
        for _ in range(4):
            month = (month - dt.timedelta(days=1)).replace(day=1)
        end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        make(
            w.desk,
            month - dt.timedelta(days=5),
            name=f"{chain.name}企业“链长走访”专项行动",
            target=VisitTarget.CHAIN,
            chain=chain,
            frequency=Frequency.ONCE,
            starts_on=month,
            ends_on=end,
            note=PLAN_NOTE_CHAIN,
        )
    return specs


def _plans_create(w: World, specs: list[PlanSpec]) -> list[VisitPlan]:
    """The plans, through the service (their tasks done by the visits already recorded),
    dated as if made before they began."""
    plans = []
    for spec in specs:
        plan = services.visit_plan_create(actor=spec.actor, **spec.fields)
        made = min(_office(random.Random(plan.name), spec.created), w.now)
        VisitPlan.objects.filter(pk=plan.pk).update(created_at=made)
        plans.append(plan)
    return plans


def _visits_plan(rng: random.Random, w: World, specs: list[PlanSpec]) -> list[VisitDraft]:
    """Visits that keep most tasks on time: each period's task is met in its period
    (most), a few weeks late (some) or not at all (a few); plus visits outside any plan."""
    tasks: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for spec in specs:
        for eid, start, due in spec.tasks():
            tasks.setdefault(eid, []).append((start, due))
    last = w.today - dt.timedelta(days=1)
    live_from = w.today - dt.timedelta(days=LIVE_VISIT_DAYS)
    drafts: list[VisitDraft] = []
    for enterprise in w.enterprises:
        days: list[dt.date] = []
        for start, due in sorted(tasks.get(enterprise.pk, ()), key=lambda t: (t[1], t[0])):
            if any(start <= d <= due for d in days):
                continue
            r = rng.random()
            if r < 0.88:
                day = _random_workday(rng, start, due)
            elif r < 0.95 and due < last:
                late = min(due + dt.timedelta(days=25), last)
                day = _random_workday(rng, due + dt.timedelta(days=1), late)
            else:
                day = None
            if day is not None and day <= last:
                days.append(day)
        extra = 0.5 if enterprise.above_scale else (0.2 if enterprise.pk in tasks else 0.5)
        while rng.random() < extra / (1 + extra):
            day = _random_workday(rng, w.start, last)
            if day is not None:
                days.append(day)
        for day in sorted(set(days)):
            drafts.append(_visit_draft(rng, w, enterprise, day, len(drafts), live_from))
    drafts.sort(key=lambda v: (v.recorded_at, v.index))
    return drafts


def _visit_draft(rng, w: World, enterprise: Enterprise, day: dt.date, index: int, live_from):
    officer = w.officer(enterprise)
    local = [u for u in (w.district_user(enterprise), w.park_user(enterprise)) if u is not None]
    if officer is not None and (rng.random() < 0.9 or not local):
        recorder = officer
        officials = [officer]
        if local and rng.random() < 0.12:
            officials.append(rng.choice(local))
    else:
        recorder = rng.choice(local) if local else w.desk
        officials = [recorder] + ([officer] if officer is not None else [])
    kind = rng.choices((VisitKind.ON_SITE, VisitKind.PHONE, VisitKind.VIDEO), weights=(88, 8, 4))[0]
    if rng.random() < 0.7:
        minute = rng.randint(16 * 60 + 30, 20 * 60 + 30)
        recorded = _moment(day, dt.time(minute // 60, minute % 60))
    else:
        recorded = _office(rng, _workday(day, 1))
    if recorded > w.now:
        recorded = _moment(day, dt.time(18, 0))
    return VisitDraft(
        index=index,
        enterprise=enterprise,
        visited_on=day,
        kind=kind,
        recorder=recorder,
        officials=officials,
        recorded_at=recorded,
        live_from=live_from,
    )


def _visit_texts(rng: random.Random, visit: VisitDraft) -> None:
    e = visit.enterprise
    size = SIZE.get(e.size_class, 1)
    slots = {
        "product": _product(rng, e),
        "k": rng.randint(2, 6),
        "pct": rng.randint(15, 40),
        "amount": max(50, round(rng.uniform(150, 1200) * size / 50) * 50),
        "month": (visit.visited_on + dt.timedelta(days=rng.randint(60, 120))).month,
        "emp": max(20, round(rng.uniform(60, 250) * size)),
        "kwh": max(5, round(rng.uniform(10, 80) * size)),
        "policy": rng.choice(POLICIES),
    }
    opener = rng.choice(SEEN_OPENERS[visit.kind])
    themes = rng.sample(SEEN_TOPICS, rng.randint(2, 3))
    visit.seen = (opener + "".join(rng.choice(t) for t in themes)).format(**slots)
    if visit.raised:
        findings = [rng.choice(FINDINGS_RAISED).format(title=d.title) for d in visit.raised]
        visit.findings = "".join(findings)
    else:
        visit.findings = rng.choice(FINDINGS_QUIET).format(**slots)


# Demands -------------------------------------------------------------------------------


@dataclass(eq=False)
class DemandDraft:
    index: int
    enterprise: Enterprise
    registered_at: dt.datetime
    source: str
    actor: User
    ask: Ask
    title: str = ""
    body: str = ""
    text: str = ""
    slots: dict[str, Any] = field(default_factory=dict)
    urgency: str = Urgency.NORMAL
    reference: str = ""
    visit: VisitDraft | None = None
    factor: services.FactorAsk | None = None
    #: the category the registration gives it, and the words that suggested it
    category: str = ""
    evidence: str = ""
    key: bool = False
    repeat_of: DemandDraft | None = None
    merge: bool = False
    returned: bool = False
    reopen: bool = False
    #: asks for more time: "approve" or "refuse" (what the desk decides), or ""
    extension: str = ""
    hard: bool = False
    #: the status it is left at (the clock stops before it moves on), or ""
    stall: str = ""
    #: the earlier demand `selectors.similar_demand` will flag it as repeating
    similar: DemandDraft | None = None
    sim: Sim | None = None
    #: written through the services (else in bulk)
    live: bool = False
    pk: int | None = None


#: How much bigger the numbers of an enterprise of each size class are.
SIZE = {"large": 4, "medium": 2.5, "small": 1.3, "micro": 0.6}


def _product(rng: random.Random, enterprise: Enterprise) -> str:
    products = [p.strip() for p in enterprise.main_products.replace("，", "、").split("、")]
    products = [p for p in products if p]
    return rng.choice(products) if products else PRODUCT_FALLBACK


def _slots(rng: random.Random, enterprise: Enterprise, day: dt.date) -> dict[str, Any]:
    size = SIZE.get(enterprise.size_class, 1)
    amount = max(50, round(rng.uniform(150, 1200) * size / 50) * 50)
    needed = day + dt.timedelta(days=rng.randint(25, 75))
    return {
        "product": _product(rng, enterprise),
        "n": max(8, round(rng.uniform(15, 60) * size)),
        "m": max(3, round(rng.uniform(4, 15) * size)),
        "t": rng.randint(3, 12),
        "amount": amount,
        "big": amount * rng.randint(3, 8),
        "term": rng.choice((12, 12, 24, 36)),
        "date": f"{needed.month}月{needed.day}日",
        "needed": needed,
        "month": (day + dt.timedelta(days=rng.randint(60, 120))).month,
        "mu": max(10, round(rng.uniform(10, 40) * size)),
        "pct": rng.randint(15, 40),
        "k": rng.randint(2, 6),
        "kva": round(rng.uniform(400, 1500) * size / 100) * 100,
        "fee": max(3, round(rng.uniform(5, 40) * size)),
        "gas": round(rng.uniform(1500, 8000) * size / 100) * 100,
        "tce": round(rng.uniform(1000, 5000) * size / 100) * 100,
        "days": rng.choice((90, 120, 150, 180)),
        "weeks": rng.randint(3, 8),
        "year": day.year - rng.randint(2, 8),
        "area": round(rng.uniform(2000, 8000) * size / 500) * 500,
        "road": rng.choice(ROADS),
        "park": (enterprise.park.short_name or enterprise.park.name)
        if enterprise.park_id
        else "园区",
        "h": rng.randint(2, 8),
        "policy": rng.choice(POLICIES),
        "emp": max(20, round(rng.uniform(60, 250) * size)),
        "kwh": max(5, round(rng.uniform(10, 80) * size)),
    }


def _hot(text: str) -> bool:
    return any(word in text for word in RISING)


def _category_weights(day: dt.date, festival: dt.date | None, this_month: bool) -> list[float]:
    base = {
        Category.LABOUR: 17, Category.TALENT: 5, Category.FINANCE: 15, Category.LAND: 7,
        Category.ENERGY: 8, Category.LOGISTICS: 5, Category.APPROVAL: 10, Category.POLICY: 12,
        Category.MARKET: 9, Category.INNOVATION: 7, Category.PARK: 4, Category.OTHER: 1,
    }  # fmt: skip
    if festival is not None and 0 <= (day - festival).days <= 45:
        base[Category.LABOUR] *= 2.2  # 节后用工
    if festival is not None and 0 <= (festival - day).days <= 30:
        base[Category.FINANCE] *= 1.5  # 年前资金周转
    if day.month in (7, 8, 12, 1):
        base[Category.ENERGY] *= 1.8  # 迎峰度夏、冬季保供
    if day.month in (3, 4, 5):
        base[Category.POLICY] *= 1.4  # 申报季
    if day.month in (10, 11, 12):
        base[Category.LABOUR] *= 1.3  # 年底赶订单
    if this_month:
        for category in (Category.LABOUR, Category.ENERGY, Category.MARKET):
            base[category] *= 1.7
    return [base[c] for c in Category.values]


ASKS_BY_CATEGORY: dict[str, list[Ask]] = {}
for _ask in ASKS:
    ASKS_BY_CATEGORY.setdefault(_ask.category, []).append(_ask)


def _fits(ask: Ask, mood: str) -> bool:
    """Whether an ask can be worded in a mood: "hot" (this month: with the rising words),
    "cool" (last month: without them) or "" (any other month)."""
    if mood == "cool":
        return any(not _hot(t) for t in ask.titles) and any(not _hot(b) for b in ask.bodies)
    if mood == "hot":
        return any(_hot(b) for b in ask.bodies)
    return True


def _compose(
    rng: random.Random, w: World, d: DemandDraft, mood: str, title: str | None = None
) -> None:
    """Title, text and structured ask of a demand, worded for its month's `mood`."""
    d.slots = _slots(rng, d.enterprise, _local_date(d.registered_at))
    titles, bodies = list(d.ask.titles), list(d.ask.bodies)
    if mood == "cool":
        titles = [t for t in titles if not _hot(t)] or titles
        bodies = [b for b in bodies if not _hot(b)] or bodies
    elif mood == "hot":
        bodies = [b for b in bodies if _hot(b)] or bodies
    d.title = title or rng.choice(titles).format(**d.slots).strip()
    d.body = rng.choice(bodies).format(**d.slots)
    opener = rng.choice(CHANNEL[d.source])
    if d.repeat_of is not None and d.merge:
        d.body = d.repeat_of.body
        opener += rng.choice(REPEAT_OPENERS)
    d.text = (opener + d.body).strip()
    projects = d.enterprise.pk in w.projects and d.ask.factor in PROJECT_FACTORS
    if d.ask.factor and d.repeat_of is None and (projects or rng.random() < 0.45):
        d.factor = _factor(rng, w, d)
    d.urgency = Urgency.URGENT if rng.random() < d.ask.urgent else Urgency.NORMAL
    suggested, evidence = suggest_category(f"{d.title}\n{d.text}")
    if d.factor is not None:  # as `services.demand_register` decides
        d.category = FACTOR_CATEGORY[d.factor.kind]
        d.evidence = evidence if d.category == suggested else ""
    else:
        d.category, d.evidence = suggested, evidence
    d.key = w.is_key(d.enterprise, _local_date(d.registered_at)) or bool(
        d.factor is not None and d.factor.project is not None
    )


#: What a key project asks for.
PROJECT_FACTORS = (FactorKind.LABOUR, FactorKind.FUNDS, FactorKind.LAND, FactorKind.ENERGY)


def _factor(rng: random.Random, w: World, d: DemandDraft) -> services.FactorAsk:
    s = d.slots
    projects = w.projects.get(d.enterprise.pk, [])
    project = rng.choice(projects) if projects and d.ask.factor in PROJECT_FACTORS else None
    kind = d.ask.factor
    if kind == FactorKind.LABOUR:
        skilled = "技工" in d.text and "普工" not in d.text
        return services.FactorAsk(
            kind=kind,
            detail="技工（数控车工、焊工）" if skilled else "普工",
            quantity=Decimal(s["m"] if skilled else s["n"]),
            needed_by=s["needed"],
            project=project,
        )
    if kind == FactorKind.TALENT:
        return services.FactorAsk(
            kind=kind,
            detail=rng.choice(("研发工程师", "工艺工程师", "嵌入式软件工程师")),
            quantity=Decimal(s["t"]),
            needed_by=s["needed"],
            project=project,
        )
    if kind == FactorKind.FUNDS:
        purpose = "设备购置" if "改造" in d.text else "流动资金周转"
        return services.FactorAsk(
            kind=kind,
            detail=purpose,
            quantity=Decimal(s["amount"]) * 10_000,
            term_months=s["term"],
            project=project,
        )
    if kind == FactorKind.LAND:
        return services.FactorAsk(
            kind=kind, detail="工业用地（新建厂房）", quantity=Decimal(s["mu"]), project=project
        )
    if "天然气" in d.text:
        detail, quantity, unit = "天然气", Decimal(s["gas"] * 300), FactorUnit.M3
    elif "能耗" in d.text:
        detail, quantity, unit = "综合能耗（标准煤）", Decimal(s["tce"]), FactorUnit.TONNE
    else:
        detail, quantity, unit = "用电（专变增容）", Decimal(s["kva"] * 3_000), FactorUnit.KWH
    return services.FactorAsk(
        kind=kind, detail=detail, quantity=quantity, unit=unit, project=project
    )


def _demand_days(rng: random.Random, w: World, count: int) -> list[dt.date]:
    """When `count` demands come in by portal, phone and hotline: more on working days and
    in recent months, fewer over the Spring Festival; this month has a few at least."""
    festivals = [
        f for f in (_spring_festival(y) for y in range(w.start.year, w.today.year + 1)) if f
    ]
    days, weights = [], []
    span = (w.today - w.start).days
    for offset in range(span + 1):
        day = w.start + dt.timedelta(days=offset)
        weight = 0.75 + 0.6 * offset / span
        weight *= 1.0 if workdays.is_workday(day) else 0.22
        if any(0 <= (day - f).days <= 7 for f in festivals):
            weight *= 0.5
        if day == w.today:
            weight *= 0.3  # the clock stops at nine
        days.append(day)
        weights.append(weight)
    total = sum(weights)
    out = []
    for day, weight in zip(days, weights, strict=True):
        expected = count * weight / total
        n = int(expected) + (rng.random() < expected - int(expected))
        out.extend([day] * n)
    month = w.today.replace(day=1)
    while sum(1 for d in out if d >= month) < 8:
        out.append(_random_workday(rng, month, w.today) or w.today)
    return sorted(out)


def _demands_plan(rng: random.Random, w: World, visits: list[VisitDraft]) -> list[DemandDraft]:
    operating = w.enterprises
    total = round(DEMANDS_PER_ENTERPRISE * len(operating))
    month = w.today.replace(day=1)
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    festivals = {y: _spring_festival(y) for y in range(w.start.year, w.today.year + 1)}

    def mood(day: dt.date) -> str:
        return "hot" if day >= month else ("cool" if day >= previous else "")

    def draft(enterprise, at, source, actor, visit=None) -> DemandDraft:
        day = _local_date(at)
        weights = _category_weights(day, festivals.get(day.year), day >= month)
        category = rng.choices(Category.values, weights=weights)[0]
        asks = ASKS_BY_CATEGORY[category]
        if enterprise.pk in w.projects and rng.random() < 0.25:  # what its key project needs
            asks = [a for a in ASKS if a.factor in PROJECT_FACTORS]
        festival = festivals.get(day.year)
        after = festival is not None and 0 <= (day - festival).days <= 45
        asks = [
            a
            for a in asks
            if not a.months or (a.months == FESTIVAL and after) or day.month in a.months
        ] or ASKS_BY_CATEGORY[Category.OTHER]
        asks = [a for a in asks if _fits(a, mood(day))] or asks
        d = DemandDraft(
            index=0,
            enterprise=enterprise,
            registered_at=at,
            source=source,
            actor=actor,
            ask=rng.choices(asks, weights=[a.weight for a in asks])[0],
            visit=visit,
        )
        _compose(rng, w, d, mood(day))
        return d

    drafts: list[DemandDraft] = []
    weight = {True: 1.5, False: 0.8}  # 规上 enterprises raise more
    mass = sum(weight[v.enterprise.above_scale] for v in visits) or 1
    chance = VISIT_SHARE * total / mass
    for visit in visits:
        if rng.random() < chance * weight[visit.enterprise.above_scale]:
            d = draft(visit.enterprise, visit.recorded_at, Source.VISIT, visit.recorder, visit)
            visit.raised.append(d)
            drafts.append(d)
    accounts = sorted(w.accounts)
    by_pk = {e.pk: e for e in operating}
    size = {"large": 6, "medium": 3, "small": 1.4, "micro": 0.5}
    weights = [size.get(e.size_class, 1) * (1.5 if e.above_scale else 1) for e in operating]
    for day in _demand_days(rng, w, total - len(drafts)):
        working = workdays.is_workday(day)
        if day == w.today:
            source = Source.PORTAL if accounts and rng.random() < 0.5 else Source.HOTLINE
        elif working:
            source = rng.choices(
                (Source.PORTAL, Source.PHONE, Source.HOTLINE), weights=(20, 42, 38)
            )[0]
        else:
            source = Source.PORTAL if rng.random() < 0.45 else Source.HOTLINE
        if source == Source.PORTAL and not accounts:
            source = Source.HOTLINE
        if source == Source.PORTAL:
            enterprise = by_pk[rng.choice(accounts)]
            actor = w.accounts[enterprise.pk]
            at = _clock_time(rng, day, 7 * 60 + 30, 23 * 60, w)
        else:
            enterprise = rng.choices(operating, weights=weights)[0]
            actor = w.desk
            if source == Source.PHONE:
                at = _clock_time(rng, day, 8 * 60 + 30, 17 * 60 + 30, w)
            else:
                at = _clock_time(rng, day, 7 * 60, 21 * 60, w)
        drafts.append(draft(enterprise, at, source, actor))
    # a few whose words suggest another category (or none): the desk sets it
    desk_sets = [a for a in ASKS if a.weight < 1]
    wrong = sum(1 for d in drafts if d.factor is None and d.category != d.ask.category)
    plain = [d for d in drafts if d.factor is None and _local_date(d.registered_at) < previous]
    for d in rng.sample(plain, min(len(plain), max(0, 3 - wrong))):
        d.ask = rng.choice(desk_sets)
        _compose(rng, w, d, "")
    drafts.extend(_repeats(rng, w, drafts))
    drafts.sort(key=lambda d: (d.registered_at, d.enterprise.pk, d.title))
    hotline: dict[int, int] = {}
    calls: dict[dt.date, int] = {}
    for index, d in enumerate(drafts):
        d.index = index
        day = _local_date(d.registered_at)
        if d.source == Source.HOTLINE:  # the hotline's ticket numbers run through its year
            hotline[day.year] = hotline.get(day.year, rng.randint(800, 2500)) + rng.randint(
                150, 2200
            )
            d.reference = f"12345-{day.year}-{hotline[day.year]:07d}"
        elif d.source == Source.PHONE:  # the desk's call log
            calls[day] = calls.get(day, 0) + 1
            d.reference = f"DH{day:%Y%m%d}-{calls[day]:02d}"
    return drafts


def _clock_time(rng, day: dt.date, low: int, high: int, w: World) -> dt.datetime:
    """A moment of `day` between minutes `low` and `high`; before the clock stops today."""
    if day == w.today:
        high = min(high, CLOCK.hour * 60 + CLOCK.minute - 1)
        low = min(low, high - 60)
    minute = rng.randint(low, high)
    return _moment(day, dt.time(minute // 60, minute % 60))


def _repeats(rng: random.Random, w: World, drafts: list[DemandDraft]) -> list[DemandDraft]:
    """Demands an enterprise raises again by another channel within days (2 %, six at
    least): the desk merges two in three into the first; the others ask something else
    under the same title (not duplicates)."""
    repeats = []
    month = w.today.replace(day=1)
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    firsts = [d for d in drafts if _local_date(d.registered_at) < w.today - dt.timedelta(days=16)]
    for first in rng.sample(firsts, min(len(firsts), max(6, len(drafts) // 50))):
        day = _local_date(first.registered_at) + dt.timedelta(days=rng.randint(2, 15))
        if day >= previous and _hot(first.title + first.text):
            continue
        account = w.accounts.get(first.enterprise.pk)
        if account is not None and first.source != Source.PORTAL:
            source, actor = Source.PORTAL, account
            at = _clock_time(rng, day, 7 * 60 + 30, 23 * 60, w)
        else:
            source = Source.HOTLINE if first.source != Source.HOTLINE else Source.PHONE
            actor = w.desk
            at = _office(rng, day)
        d = DemandDraft(
            index=0,
            enterprise=first.enterprise,
            registered_at=at,
            source=source,
            actor=actor,
            ask=first.ask,
            repeat_of=first,
            merge=len(repeats) % 3 != 2,
        )
        _compose(rng, w, d, "cool" if day >= previous else "", title=first.title)
        repeats.append(d)
    return repeats


def _flag_similar(drafts: list[DemandDraft]) -> None:
    """Find the demand `selectors.similar_demand` flags each as a possible duplicate of
    (so the desk dismisses the flag, or merges a repeat): the newest earlier one of the
    same enterprise within 30 days with the same title, else the most alike."""
    terms: dict[int, set[str]] = {}

    def of(d: DemandDraft) -> set[str]:
        if d.index not in terms:
            terms[d.index] = set(demand_terms(f"{d.title}\n{d.text}"))
        return terms[d.index]

    earlier: dict[int, list[DemandDraft]] = {}
    for d in drafts:
        mine = earlier.setdefault(d.enterprise.pk, [])
        since = d.registered_at - DUPLICATE_WINDOW
        candidates = [o for o in reversed(mine) if o.registered_at >= since and not o.merge][:50]
        best, score = None, DUPLICATE_LIKENESS
        for other in candidates:
            if other.title.strip() == d.title.strip():
                best = other
                break
            a, b = of(d), of(other)
            likeness = len(a & b) / len(a | b) if a and b else 0.0
            if likeness >= score:
                best, score = other, likeness
        d.similar = best
        mine.append(d)


def _scenarios(rng: random.Random, w: World, drafts: list[DemandDraft]) -> None:
    """Which demands are returned, reopened, extended or slow (a share of those old enough
    to have gone the whole way, two at least); and which recent ones the clock catches at
    each status (past their deadline where the status has one)."""
    n = len(drafts)
    settled = [d for d in drafts if not d.merge and d.registered_at < w.now - dt.timedelta(days=30)]

    def pick(pool: list[DemandDraft], k: int) -> list[DemandDraft]:
        return rng.sample(pool, min(k, len(pool)))

    for d in pick([d for d in settled if d.ask.wrong], max(2, n * 3 // 100)):
        d.returned = True
    for d in pick(settled, max(3, n * 5 // 100)):
        d.reopen = True
    slow = [d for d in settled if d.ask.slow]
    for d in pick(slow, max(2, n // 100)):
        d.hard = True
    for i, d in enumerate(pick(slow, max(4, n * 2 // 100))):
        d.extension = "refuse" if i % 4 == 3 else "approve"
    # the most recent demands (registered three days ago or before) the clock catches
    # stuck at each status: two or more each, within three weeks in a city's build
    last = w.today - dt.timedelta(days=3)
    per_status = max(2, len(drafts) // 500)
    stalled = (
        Status.REGISTERED,
        Status.DISPATCHED,
        Status.ACCEPTED,
        Status.IN_PROGRESS,
        Status.RESOLVED,
        Status.RATED,
    )
    recent = [
        d
        for d in reversed(drafts)
        if _local_date(d.registered_at) <= last
        and not (d.merge or d.similar or d.returned or d.reopen or d.extension or d.hard)
    ][: max(len(stalled) * per_status, len(drafts) // 40)]
    for status in stalled:
        for d in rng.sample(recent, min(per_status, len(recent))):
            d.stall = status
            recent.remove(d)


# The loop --------------------------------------------------------------------------------


@dataclass
class EventRow:
    action: str
    from_status: str
    to_status: str
    actor: User | None
    department_id: int | None
    at: dt.datetime
    text: str
    #: the demand whose number the text gives ("#<pk>", known once it is written)
    other: DemandDraft | None = None


@dataclass
class ExtensionRow:
    days: int
    reason: str
    requested_by: User
    requested_at: dt.datetime
    due_before: dt.datetime
    due_after: dt.datetime
    status: str = ExtensionStatus.PENDING
    decided_by: User | None = None
    decided_at: dt.datetime | None = None
    decision_note: str = ""


class Sim:
    """A demand's steps as the services take them (`services.demand_step`, the desk's
    changes and extensions in `services.changes`): the state and events they leave, for
    the bulk writer, and the steps themselves, for the services. Merging is left to the
    services (it changes two demands)."""

    def __init__(self, w: World, d: DemandDraft):
        self.w, self.d = w, d
        self.category = d.category
        self.evidence = d.evidence
        self.status = Status.REGISTERED
        self.lead: Department | None = None
        self.co: list[Department] = []
        self.dispatch_due = workdays.add_workdays(
            d.registered_at, services.sla(d.category, d.urgency)["dispatch"]
        )
        self.reply_due = self.resolve_due = self.resolved_at = self.closed_at = None
        self.rating = ""
        self.reopened = 0
        self.version = 0
        self.fulfilled: Decimal | None = None
        self.duplicate_of = d.similar
        self.merged = False
        self.extensions: list[ExtensionRow] = []
        self.last = d.registered_at
        self.events = [
            EventRow(Action.REGISTER, "", Status.REGISTERED, d.actor, None, d.registered_at, d.text)
        ]
        self.steps: list[tuple[str, dt.datetime, User, dict[str, Any]]] = []

    @property
    def pending(self) -> ExtensionRow | None:
        return next((e for e in self.extensions if e.status == ExtensionStatus.PENDING), None)

    def _at(self, at: dt.datetime) -> None:
        if at > self.w.now:
            raise Stop
        if at <= self.last:
            raise AssertionError(f"steps out of order: {at} after {self.last}")
        self.last = at

    def _event(self, action, actor, at, text, to=None, department=None, other=None) -> None:
        self.version += 1  # every change passes `loop.advance`
        department = actor.department_id if department is None else department
        to = to or self.status
        self.events.append(EventRow(action, self.status, to, actor, department, at, text, other))
        self.status = to

    def step(self, action: str, at: dt.datetime, actor: User, text: str = "", **extra) -> None:
        """`services.demand_step`."""
        self._at(at)
        self.steps.append(("step", at, actor, {"action": action, "text": text, **extra}))
        days = services.sla(self.category, self.d.urgency)
        department = None
        if action == Action.DISPATCH:
            lead = extra["lead"]
            self.lead, department = lead, lead.pk
            self.co = [c for c in extra.get("co_departments", ()) if c != lead]
            self.reply_due = workdays.add_workdays(at, days["reply"])
            self.resolve_due = workdays.add_workdays(at, days["resolve"])
            to = Status.DISPATCHED
        elif action == Action.RETURN:
            self.lead = None
            self.dispatch_due = workdays.add_workdays(at, days["dispatch"])
            to = Status.REGISTERED
        elif action == Action.ACCEPT:
            to = Status.ACCEPTED
        elif action == Action.INTERIM:
            to = Status.IN_PROGRESS
        elif action == Action.RESOLVE:
            self.resolved_at = at
            if extra.get("fulfilled") is not None:
                self.fulfilled = extra["fulfilled"]
            to = Status.RESOLVED
        elif action == Action.RATE:
            rating = extra["rating"]
            self.rating = rating
            to = Status.RATED
            if rating == Rating.UNSATISFIED:
                action, to = Action.REOPEN, Status.IN_PROGRESS
                self.reopened += 1
                self.resolved_at = None
                self.resolve_due = workdays.add_workdays(at, days["resolve"])
            text = str(Rating(rating).label) + (f"：{text}" if text else "")
        else:
            self.closed_at = at
            to = Status.CLOSED
        if action in (Action.RESOLVE, Action.RETURN) and self.pending is not None:
            self.pending.status, self.pending.decided_at = ExtensionStatus.WITHDRAWN, at
        self._event(action, actor, at, text, to=to, department=department)

    def recategorize(self, at: dt.datetime, actor: User, category: str) -> None:
        """`services.demand_recategorize`."""
        if category == self.category:
            return
        self._at(at)
        self.steps.append(("recategorize", at, actor, {"category": category}))
        text = f"{Category(self.category).label} → {Category(category).label}"
        self.category, self.evidence = category, ""
        self._event(Action.RECATEGORIZE, actor, at, text)

    def dismiss(self, at: dt.datetime, actor: User) -> None:
        """`services.duplicate_dismiss`."""
        if self.duplicate_of is None:
            return
        self._at(at)
        self.steps.append(("dismiss", at, actor, {}))
        self._event(Action.NOT_DUP, actor, at, "", other=self.duplicate_of)
        self.duplicate_of = None

    def extension_ask(self, at: dt.datetime, actor: User, days: int, reason: str) -> None:
        """`services.extension_request` of the resolution deadline."""
        if self.status not in (Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS):
            return
        self._at(at)
        self.steps.append(("ext_ask", at, actor, {"days": days, "reason": reason}))
        due = self.resolve_due
        ext = ExtensionRow(days, reason, actor, at, due, workdays.add_workdays(max(due, at), days))
        self.extensions.append(ext)
        # the service's own words (services.changes.extension_request)
        text = gettext("%(days)d working days more, to %(due)s: %(reason)s") % {
            "days": days,
            "due": timezone.localtime(ext.due_after).strftime("%Y-%m-%d"),
            "reason": reason,
        }
        self._event(Action.EXTEND_ASK, actor, at, text)

    def extension_decide(self, at: dt.datetime, actor: User, approve: bool, note: str) -> None:
        """`services.extension_decide`."""
        ext = self.pending
        if ext is None:
            return
        self._at(at)
        self.steps.append(("ext_decide", at, actor, {"approve": approve, "note": note}))
        ext.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
        ext.decided_by, ext.decided_at, ext.decision_note = actor, at, note
        if approve:
            self.resolve_due = ext.due_after
        self._event(Action.EXTEND_OK if approve else Action.EXTEND_NO, actor, at, note)

    def merge(self, at: dt.datetime, actor: User) -> None:
        """`services.demand_merge` into the demand it repeats (services only)."""
        self._at(at)
        self.steps.append(("merge", at, actor, {}))
        self.merged = True
        self.status = Status.MERGED


def _leads(rng: random.Random, w: World, d: DemandDraft) -> tuple[Department, list[Department]]:
    codes = [c for c in d.ask.leads if c in w.departments]
    lead = w.departments[rng.choices(codes, weights=[3] + [1] * (len(codes) - 1))[0]]
    co = []
    if d.ask.co and rng.random() < 0.2:
        code = rng.choice(d.ask.co)
        if code in w.departments and w.departments[code] != lead:
            co = [w.departments[code]]
    return lead, co


def _walk(rng: random.Random, w: World, d: DemandDraft) -> None:
    d.sim = Sim(w, d)
    with contextlib.suppress(Stop):
        _loop(rng, w, d, d.sim)


def _loop(rng: random.Random, w: World, d: DemandDraft, sim: Sim) -> None:
    desk, minute, end = w.desk, dt.timedelta(minutes=1), w.today
    s = d.slots
    if d.merge:
        sim.merge(_later(rng, d.registered_at, rng.choice((0, 1)), end), desk)
        return
    k = rng.choices((0, 1, 2, 3), weights=(45, 50, 3, 2))[0]
    if d.stall == Status.REGISTERED:
        k = 60
    t = _later(rng, d.registered_at, k, end)
    sim.dismiss(t - 6 * minute, desk)  # the flag first (a repeat that asks otherwise)
    if d.factor is None:  # a factor request's category is its kind's
        sim.recategorize(t - 3 * minute, desk, d.ask.category)
    lead, co = _leads(rng, w, d)
    note = rng.choice(DISPATCH_NOTES)
    if co:
        note = f"请{lead.short_name or lead.name}牵头办理，{co[0].short_name or co[0].name}配合。"
    if d.returned and d.ask.wrong:
        wrong = w.departments.get(rng.choice(d.ask.wrong))
        if wrong is not None and wrong != lead:
            sim.step(Action.DISPATCH, t, desk, note, lead=wrong, co_departments=[])
            t = _later(rng, t, rng.choice((0, 1)), end)
            reason = rng.choice(RETURNED).format(right=lead.short_name or lead.name)
            sim.step(Action.RETURN, t, w.dept_user(wrong.code), reason)
            t = _later(rng, t, rng.choice((0, 0, 1)), end)
    sim.step(Action.DISPATCH, t, desk, note, lead=lead, co_departments=co)
    dispatched = _local_date(t)
    handler = w.dept_user(lead.code)
    k = rng.choices((0, 1, 2, 3), weights=(60, 35, 3, 2))[0]
    if d.stall == Status.DISPATCHED:
        k = 60
    t = _later(rng, t, k, end)
    sim.step(Action.ACCEPT, t, handler)
    # handling, in working days after the dispatch
    if d.hard:
        resolve = rng.randint(18, 60)
    elif d.stall in (Status.ACCEPTED, Status.IN_PROGRESS):
        resolve = 80
    elif rng.random() < (0.25 if d.ask.slow else 0.1):
        resolve = rng.randint(6, 14)
    else:
        resolve = rng.choices((1, 2, 3, 4, 5), weights=(1, 3, 4, 3, 2))[0]
    plan: list[tuple[int, int, str]] = []  # (working day, order, what)
    if d.stall != Status.ACCEPTED and (resolve > 3 or rng.random() < 0.2) and resolve > 1:
        first = rng.randint(1, min(3, resolve - 1)) if rng.random() < 0.92 else min(5, resolve - 1)
        plan.append((first, 0, "interim"))
        at = first + rng.randint(8, 12)
        while at < resolve and d.hard:
            plan.append((at, 0, "interim"))
            at += rng.randint(8, 12)
    if d.extension and d.stall != Status.ACCEPTED:
        ask_on = rng.randint(3, 5)
        days = rng.choice((5, 10, 15))
        approve = d.extension == "approve"
        plan.append((ask_on, 1, f"ext_ask:{days}"))
        plan.append((ask_on + rng.choice((0, 1)), 2, "ext_ok" if approve else "ext_no"))
        if not d.hard:
            resolve = 5 + rng.randint(max(1, days - 5), days) if approve else rng.randint(6, 9)
        resolve = max(resolve, ask_on + 2)
    plan.append((resolve, 9, "resolve"))
    for day, _order, what in sorted(plan):
        t = _office(rng, _workday(dispatched, day, end), t, end)
        if what == "interim":
            sim.step(Action.INTERIM, t, handler, rng.choice(INTERIM[sim.category]).format(**s))
        elif what.startswith("ext_ask"):
            days = int(what.split(":")[1])
            sim.extension_ask(t, handler, days, rng.choice(EXTENSION_REASONS))
        elif what in ("ext_ok", "ext_no"):
            approve = what == "ext_ok"
            note = EXTENSION_APPROVED if approve else EXTENSION_REFUSED
            sim.extension_decide(t, desk, approve, note)
        else:
            _resolve(rng, d, sim, t, handler)
    # rating, reopening, follow-up
    account = w.accounts.get(d.enterprise.pk)
    for round_ in range(2):
        if d.stall == Status.RESOLVED:
            return
        if account is not None and rng.random() < 0.8:
            rater = account
            t = _anytime(rng, t, rng.choice((0, 0, 1, 1, 2, 3)), end)
        else:
            rater = desk
            t = _later(rng, t, rng.randint(1, 4), end)
        if d.reopen and round_ == 0:
            sim.step(Action.RATE, t, rater, rng.choice(REOPENED), rating=Rating.UNSATISFIED)
            if rng.random() < 0.5:
                t = _later(rng, t, rng.choice((0, 1)), end)
                sim.step(Action.INTERIM, t, handler, rng.choice(INTERIM[sim.category]).format(**s))
            t = _later(rng, t, rng.randint(1, 4), end)
            _resolve(rng, d, sim, t, handler, again=True)
            continue
        rating = Rating.SATISFIED if rng.random() < 0.78 else Rating.FAIRLY
        sim.step(Action.RATE, t, rater, rng.choice(RATED[rating]), rating=rating)
        break
    if d.stall == Status.RATED:
        return
    t = _later(rng, t, rng.randint(1, 5), end)
    sim.step(Action.FOLLOW_UP, t, _follower(rng, w, d.enterprise), rng.choice(FOLLOWED))


def _resolve(rng, d: DemandDraft, sim: Sim, t: dt.datetime, handler: User, again=False) -> None:
    s = {**d.slots, "save": rng.randint(5, 60)}
    s["a"] = max(1, s["n"] * rng.randint(5, 10) // 10)
    s["b"] = max(1, s["m"] // 2)
    fulfilled = None
    if d.factor is not None:
        share = Decimal(rng.choice(("1", "1", "0.8", "0.6", "0.5")) if not again else "1")
        fulfilled = (d.factor.quantity * share).quantize(Decimal("1"))
        got = fulfilled / 10_000 if d.factor.kind == FactorKind.FUNDS else fulfilled
        s.update(
            got=f"{got:.0f}",
            detail=d.factor.detail,
            unit=UNIT_WORDS.get(d.factor.unit or "", ""),
        )
        text = rng.choice(FACTOR_RESOLVED[d.factor.kind]).format(**s)
    else:
        text = rng.choice(RESOLVED[sim.category]).format(**s)
    if again:
        text = "经再次协调，" + text
    sim.step(Action.RESOLVE, t, handler, text, fulfilled=fulfilled)


def _follower(rng: random.Random, w: World, enterprise: Enterprise) -> User:
    """The desk, the district or park, or the enterprise's officer calls back."""
    options = [(w.desk, 45)]
    for user, weight in (
        (w.district_user(enterprise), 25),
        (w.park_user(enterprise), 10),
        (w.officer(enterprise), 20),
    ):
        if user is not None:
            options.append((user, weight))
    return rng.choices([u for u, _ in options], weights=[x for _, x in options])[0]


# Writing -------------------------------------------------------------------------------


def _visits_bulk(visits: list[VisitDraft]) -> None:
    rows = Visit.objects.bulk_create(
        [
            Visit(
                enterprise=v.enterprise,
                visited_on=v.visited_on,
                kind=v.kind,
                seen=v.seen,
                findings=v.findings,
                recorded_by=v.recorder,
                recorded_at=v.recorded_at,
            )
            for v in visits
        ],
        batch_size=2000,
    )
    through = Visit.officials.through
    links = []
    for v, row in zip(visits, rows, strict=True):
        v.pk = row.pk
        links.extend(through(visit_id=row.pk, user_id=u.pk) for u in v.officials)
    through.objects.bulk_create(links, batch_size=5000)


def demands_bulk(w: World, drafts: list[DemandDraft]) -> None:
    """Write demands (with their events, extensions, factor requests, co-departments and
    chains) as the services would have, from their simulated steps."""
    rows = []
    for d in drafts:
        sim = d.sim
        rows.append(
            Demand(
                enterprise=d.enterprise,
                title=d.title,
                text=d.text,
                category=sim.category,
                category_evidence=sim.evidence,
                urgency=d.urgency,
                source=d.source,
                reference=d.reference,
                status=sim.status,
                lead=sim.lead,
                registered_at=d.registered_at,
                registered_by=d.actor,
                dispatch_due=sim.dispatch_due,
                reply_due=sim.reply_due,
                resolve_due=sim.resolve_due,
                resolved_at=sim.resolved_at,
                closed_at=sim.closed_at,
                rating=sim.rating,
                reopened=sim.reopened,
                key=d.key,
                visit_id=d.visit.pk if d.visit is not None else None,
                # a factor request for a key project is about it (as demand_register)
                project=d.factor.project if d.factor is not None else None,
                version=sim.version,
            )
        )
    Demand.objects.bulk_create(rows, batch_size=1000)
    for d, row in zip(drafts, rows, strict=True):
        d.pk = row.pk
    for d in drafts:  # flags not looked at yet (a few recent demands)
        if d.sim.duplicate_of is not None:
            Demand.objects.filter(pk=d.pk).update(duplicate_of_id=d.sim.duplicate_of.pk)
    co, chains, factors, events, extensions = [], [], [], [], []
    through = Demand.co_departments.through
    on_chains = Demand.chains.through
    for d in drafts:
        co.extend(through(demand_id=d.pk, department_id=dep.pk) for dep in d.sim.co)
        chains.extend(
            on_chains(demand_id=d.pk, chain_id=c) for c in w.chains.get(d.enterprise.pk, ())
        )
        if d.factor is not None:
            f = d.factor
            factors.append(
                FactorRequest(
                    demand_id=d.pk,
                    kind=f.kind,
                    detail=f.detail.strip(),
                    quantity=f.quantity,
                    unit=f.unit or FACTOR_UNITS[f.kind][0],
                    needed_by=f.needed_by,
                    term_months=f.term_months,
                    project=f.project,
                    fulfilled=d.sim.fulfilled,
                )
            )
        events.extend(
            DemandEvent(
                demand_id=d.pk,
                action=e.action,
                from_status=e.from_status,
                to_status=e.to_status,
                actor=e.actor,
                department_id=e.department_id,
                at=e.at,
                text=f"#{e.other.pk}" if e.other is not None else e.text,
            )
            for e in d.sim.events
        )
        extensions.extend(
            DemandExtension(
                demand_id=d.pk,
                phase="resolve",
                days=x.days,
                reason=x.reason,
                status=x.status,
                requested_by=x.requested_by,
                requested_at=x.requested_at,
                due_before=x.due_before,
                due_after=x.due_after,
                decided_by=x.decided_by,
                decided_at=x.decided_at,
                decision_note=x.decision_note,
            )
            for x in d.sim.extensions
        )
    through.objects.bulk_create(co)
    on_chains.objects.bulk_create(chains, batch_size=5000)
    FactorRequest.objects.bulk_create(factors)
    DemandExtension.objects.bulk_create(extensions)
    DemandEvent.objects.bulk_create(events, batch_size=5000)


def _raised(d: DemandDraft) -> RaisedDemand:
    return RaisedDemand(title=d.title, text=d.text, urgency=d.urgency, factor=d.factor)


def demands_live(visits: list[VisitDraft], drafts: list[DemandDraft]) -> None:
    """Record the visits and take the demands' steps through the services, every
    registration and step of every demand in the order they happened (a demand is merged
    into another as that one stood then)."""
    items: list[tuple[dt.datetime, int, int, int, Any]] = [
        (v.recorded_at, 0, v.index, 0, v) for v in visits
    ]
    for d in drafts:
        if d.visit is None or not d.visit.live:
            items.append((d.registered_at, 1, d.index, 0, d))
        items.extend((step[1], 2, d.index, n, (d, step)) for n, step in enumerate(d.sim.steps, 1))
    items.sort(key=lambda item: item[:4])
    demands: dict[int, Demand] = {}  # by draft, as last written
    extensions: dict[int, Any] = {}
    for _at, kind, _index, _n, item in items:
        if kind == 0:
            visit = services.visit_record(
                actor=item.recorder,
                enterprise=item.enterprise,
                visited_on=item.visited_on,
                seen=item.seen,
                findings=item.findings,
                kind=item.kind,
                officials=item.officials,
                demands=[_raised(d) for d in item.raised],
                at=item.recorded_at,
            )
            item.pk = visit.pk
            for d, demand in zip(item.raised, visit.demands.order_by("pk"), strict=True):
                d.pk, demands[d.index] = demand.pk, demand
        elif kind == 1:
            demand = services.demand_register(
                actor=item.actor,
                enterprise=item.enterprise,
                title=item.title,
                text=item.text,
                source=item.source,
                urgency=item.urgency,
                reference=item.reference,
                visit=Visit(pk=item.visit.pk, enterprise_id=item.enterprise.pk)
                if item.visit is not None
                else None,
                factor=item.factor,
                at=item.registered_at,
            )
            item.pk, demands[item.index] = demand.pk, demand
        else:
            d, step = item
            demands[d.index] = _step(d, step, demands, extensions)


def _step(d: DemandDraft, step, demands: dict[int, Demand], extensions: dict) -> Demand:
    """One simulated step of a demand through its service."""
    kind, at, actor, extra = step
    demand = demands[d.index]
    if kind == "step":
        if extra["action"] == Action.DISPATCH and demand.duplicate_of_id:
            # a flag the simulation did not foresee: the desk looks at it first
            demand = services.duplicate_dismiss(
                actor=actor, demand=demand, at=at - dt.timedelta(minutes=1)
            )
        return services.demand_step(actor=actor, demand=demand, at=at, **extra)
    if kind == "recategorize":
        return services.demand_recategorize(
            actor=actor, demand=demand, category=extra["category"], at=at
        )
    if kind == "dismiss":
        return services.duplicate_dismiss(actor=actor, demand=demand, at=at)
    if kind == "merge":
        first = d.repeat_of
        into = demands.get(first.index) or Demand.objects.get(pk=first.pk)
        demands[first.index] = services.demand_merge(
            actor=actor, duplicate=demand, into=into, at=at
        )
    elif kind == "ext_ask":
        extensions[d.index] = services.extension_request(
            actor=actor, demand=demand, days=extra["days"], reason=extra["reason"], at=at
        )
    elif kind == "ext_decide":
        services.extension_decide(actor=actor, extension=extensions[d.index], at=at, **extra)
    demand.refresh_from_db()
    return demand


def demand_live(d: DemandDraft) -> None:
    """One demand through the services (its visit, if any, written already)."""
    demands_live([], [d])


# The build -------------------------------------------------------------------------------


def plan(rng: random.Random, w: World, specs: list[PlanSpec]):
    """Visits and demands planned in memory, each demand's loop simulated, each told
    whether it goes through the services (recent, merged, or referring to one that does)
    or in bulk."""
    visits = _visits_plan(rng, w, specs)
    drafts = _demands_plan(rng, w, visits)
    _flag_similar(drafts)
    _scenarios(rng, w, drafts)
    for d in drafts:
        _walk(rng, w, d)
    since = w.now - dt.timedelta(days=LIVE_DEMAND_DAYS)
    merged_into = {d.repeat_of.index for d in drafts if d.merge}
    for d in drafts:  # in the order registered: what a demand refers to is decided first
        refers = [e.other for e in d.sim.events if e.other is not None]
        if d.sim.duplicate_of is not None:
            refers.append(d.sim.duplicate_of)
        d.live = (
            d.merge  # the services merge it into the first, as that one stands then
            or d.index in merged_into
            or d.registered_at >= since
            or (d.visit is not None and d.visit.live)
            or any(o.live for o in refers)
        )
    for v in visits:
        _visit_texts(rng, v)
    return visits, drafts


def notifications_settle() -> int:
    """Mark read what the services told about demands finished long ago (merged or
    closed): the demo's inboxes hold what is still to do."""
    finished = Demand.objects.filter(status__in=(Status.CLOSED, Status.MERGED))
    urls = [
        reverse("demands:demand_detail", args=[pk]) for pk in finished.values_list("pk", flat=True)
    ]
    return Notification.objects.filter(read_at__isnull=True, url__in=urls).update(
        read_at=timezone.now()
    )


def live_examples(w: World) -> None:
    """What the desk finds waiting this morning beside the steps: an extension the lead
    department asked for, and a repeat of a recent demand flagged as a possible duplicate
    (through the services, at the demo's clock)."""
    handling = (
        Demand.objects.filter(status=Status.IN_PROGRESS, lead__isnull=False)
        .exclude(extensions__status="pending")
        .select_related("lead")
        .order_by("resolve_due", "pk")
        .first()
    )
    lead_user = w.users.get(f"dept-{handling.lead.code}") if handling else None
    if handling is not None and lead_user is not None:
        services.extension_request(
            actor=lead_user,
            demand=handling,
            days=5,
            reason="需会同相关部门现场核实并报市政府专题会议研究，预计还需一周。",
            at=w.now - dt.timedelta(minutes=5),
        )
    first = (
        Demand.objects.filter(status=Status.REGISTERED, duplicate_of__isnull=True, source="phone")
        .order_by("-registered_at", "pk")
        .first()
    )
    if first is not None:
        services.demand_register(
            actor=w.desk,
            enterprise=first.enterprise,
            title=first.title,
            text=f"企业再次来电反映：{first.text}",
            source="phone",
            at=first.registered_at + (w.now - first.registered_at) / 2,
        )


@transaction.atomic
def demands_build(*, seed: int, today: dt.date | None = None) -> dict[str, int]:
    """Build the demo's visit plans, visits and demands for the two years up to `today`
    (default: today) on the demo enterprises, accounts and departments; returns counts.
    Needs the desk account and the department accounts of `core.demo`."""
    today = today or timezone.localdate()
    rng = random.Random(seed)
    w = World.load(today)
    specs = _plan_specs(w)
    visits, drafts = plan(rng, w, specs)
    _visits_bulk([v for v in visits if not v.live])
    plans = _plans_create(w, specs)
    demands_bulk(w, [d for d in drafts if not d.live])
    demands_live([v for v in visits if v.live], [d for d in drafts if d.live])
    live_examples(w)
    services.terms_rebuild()
    statistics.stats_touch_all()  # the sums of the days written in bulk
    transaction.on_commit(notifications_settle)  # after the steps' own notifications
    counts = {
        "visit_plans": len(plans),
        "visit_tasks": VisitTask.objects.count(),
        "visits": Visit.objects.count(),
        "demands": Demand.objects.count(),
        "open": Demand.objects.exclude(status__in=(Status.CLOSED, Status.MERGED)).count(),
        "factor_requests": FactorRequest.objects.count(),
        "events": DemandEvent.objects.count(),
    }
    audit_record(
        actor=None,
        action=AuditAction.IMPORT,
        object_type="demo",
        object_repr="演示诉求与走访",
        message=(
            f"演示走访与诉求：{counts['visit_plans']} 个走访计划，{counts['visits']} 次走访，"
            f"{counts['demands']} 条诉求（截至 {today:%Y-%m-%d}），随机种子 {seed}"
        ),
    )
    return counts
