"""Demo policies (一产一策, 用好用足用活政策), the ladder rules and cultivation plans (一企一策).

About forty policies modelled on the kinds of support a city's bureau and its partners
really offer — 技改 subsidies by equipment investment, 小升规 rewards, 专精特新 and 小巨人
rewards, 首台（套）, R&D expense support, labour and talent subsidies, loan interest
subsidies, 5G+智慧工厂 and 数字化改造, green factories — and two or three 一产一策
policies for each key chain; most published and in force on the demo day, two drafts, one
withdrawn, one expired. Each is matched against the archive once, as `gongxin match` does.

Then what enterprises did with them over the two years up to the demo day: applications
at every step (submitted, under review, approved, rejected with the reason, disbursed with
amount and date, withdrawn), each with its steps at office hours of Chinese working days
in the policy's yearly application window, and the 免申即享 grants paid without one. They
are written in bulk exactly as the services would have written them (statuses, amounts,
versions, events): the services check permissions per call and would be slow.

Last, the six rules of the cultivation ladder and some fifty cultivation plans for
candidates and holders of a rung, with their measures and milestones, some done, some late.

The demo's clock stops at 09:00 of `today` (as in `demands.demo`): what would happen
later is left undone. Deterministic: only ``random.Random(seed)`` and querysets in a fixed
order, so the same seed and day build the same rows. Every text is invented.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.utils import timezone
from django.utils.translation import gettext

from gongxin.chains.choices import LinkStatus
from gongxin.chains.models import Chain, EnterpriseNode
from gongxin.core import workdays
from gongxin.core.audit import audit_record
from gongxin.core.choices import AuditAction, Role
from gongxin.core.models import Department, User
from gongxin.core.units import WAN
from gongxin.enterprises.choices import EnterpriseStatus, ItemKind, ItemStatus, PlanStatus, Tier
from gongxin.enterprises.demo import enterprise_short_name
from gongxin.enterprises.models import CultivationPlan, Enterprise, PlanItem
from gongxin.enterprises.selectors import valid_qualifications
from gongxin.policies import rules
from gongxin.policies.benefits import Benefit, parse_tiers
from gongxin.policies.choices import (
    AmountMethod,
    ApplicationSource,
    ApplicationStatus,
    BenefitKind,
    MatchResult,
    PolicyStatus,
)
from gongxin.policies.models import (
    Application,
    ApplicationEvent,
    Fact,
    Match,
    Policy,
    RuleVersion,
    TierRule,
)
from gongxin.policies.selectors import TIER_QUALIFICATION, benefit_expression, rule_outcomes
from gongxin.policies.services import match_all, parsed

#: The desk account that keeps the policy library and the ladder rules.
STAFF_USERNAME = "staff"
#: The demo's clock stops at this time of `today`.
CLOCK = dt.time(9, 0)
S = ApplicationStatus

# The policies ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """A demo policy: what the library holds, and how enterprises use it each year.

    Amounts are in 万元; `tiers` as an official writes them (`benefits.parse_tiers`).
    `window` is the (month, day) the year's application window opens (the grant day of a
    免申即享 policy); `share` the part of the eligible enterprises that apply each year."""

    title: str
    issuer: str
    number: str
    department: str  # core.demo department code
    kind: str
    rule: str
    summary: str
    effective_from: str
    effective_until: str | None = None
    status: str = PolicyStatus.PUBLISHED
    chains: tuple[str, ...] = ()
    method: str = AmountMethod.FIXED
    amount: str | None = None
    rate: str | None = None
    base: str = ""
    cap: str | None = None
    tiers: str = ""
    without_application: bool = False
    window: tuple[int, int] = (4, 1)
    share: float = 0.3
    #: Withdrawn policies: the day it was withdrawn (no applications after it).
    withdrawn_on: str | None = None

    @property
    def once(self) -> bool:
        """A one-off reward (一次性奖励): no enterprise applies for it twice."""
        return self.method == AmountMethod.FIXED


BUREAU = "南昌市工业和信息化局"
BUREAU_FINANCE = "南昌市工业和信息化局、南昌市财政局"
CITY_OFFICE = "南昌市人民政府办公室"
PROVINCE = "江西省工业和信息化厅"
HRSS = "南昌市人力资源和社会保障局"
SCIENCE = "南昌市科学技术局"
FINANCE = "南昌市财政局"
BANKING = "南昌市地方金融监督管理局"
K = BenefitKind
M = AmountMethod

# fmt: off
POLICIES: tuple[Spec, ...] = (
    # 技改, 数字化, 智能制造, 绿色 --------------------------------------------------------
    Spec("南昌市工业企业技术改造设备投资补助实施细则", BUREAU_FINANCE, "洪工信字〔2025〕18号",
         "jgc", K.SUBSIDY,
         "above_scale = true and revenue >= 5000万元 and upgrade_investment >= 500万元",
         "支持规上工业企业实施“机器换人”“设备换芯”“生产换线”。对营业收入5000万元以上、上年度"
         "完成设备投资500万元以上的技术改造项目，按设备投资额的8%给予补助，单个企业最高500万元。",
         "2025-03-01", "2027-12-31", method=M.RATE, rate="8", base="upgrade_investment",
         cap="500", window=(4, 15), share=0.48),
    Spec("南昌市工业企业技术改造项目贷款贴息办法", FINANCE, "洪财企〔2024〕52号", "czj",
         K.INTEREST,
         "above_scale = true and revenue >= 1亿元 and upgrade_investment >= 1000万元 "
         "and revenue_growth >= 0%",
         "对使用银行贷款实施技术改造、上年度完成投资1000万元以上、营业收入1亿元以上的工业企业，按项目投资额的2%"
         "给予贷款贴息，贴息额不超过实际支付利息，单个企业最高200万元。",
         "2024-07-01", "2026-12-31", method=M.RATE, rate="2", base="upgrade_investment",
         cap="200", window=(9, 10), share=0.4),
    Spec("南昌市中小企业数字化转型改造补助办法", BUREAU, "洪工信字〔2025〕31号", "xxhc",
         K.SUBSIDY,
         'above_scale = true and size_class in ("small", "medium") and rd_ratio >= 2% '
         "and upgrade_investment >= 300万元",
         "支持中小企业开展数字化车间、工业互联网平台应用等数字化改造。对上年度完成数字化改造投资"
         "300万元以上、研发投入强度2%以上的规上中小企业，按投资额的10%给予补助，最高300万元。",
         "2025-05-01", "2027-12-31", method=M.RATE, rate="10", base="upgrade_investment",
         cap="300", window=(6, 16), share=0.48),
    Spec("南昌市“5G+智慧工厂”示范项目奖励办法", BUREAU, "洪工信字〔2024〕40号", "xxhc",
         K.REWARD,
         'above_scale = true and holds("smart_factory")',
         "推进5G与工业互联网融合应用。对认定为省级以上智能制造示范工厂、“5G+智慧工厂”的规上"
         "工业企业，给予一次性奖励100万元。",
         "2024-05-20", "2026-12-31", amount="100", window=(10, 9), share=0.28),
    Spec("南昌市绿色制造体系建设奖励办法", BUREAU, "洪工信字〔2025〕44号", "jnc", K.REWARD,
         'holds("green_factory") and above_scale = true',
         "对获评国家级、省级绿色工厂的工业企业给予一次性奖励50万元，支持企业开展节能降碳"
         "改造和资源综合利用。",
         "2025-06-01", None, amount="50", window=(7, 1), share=0.24),
    # 小升规, 专精特新, 小巨人, 单项冠军, 链主 ----------------------------------------------
    Spec("南昌市工业企业“小升规”奖励办法", BUREAU_FINANCE, "洪工信字〔2025〕9号", "zxqyc",
         K.REWARD,
         "above_scale = true and main_business_revenue between 2000万元 and 2500万元 "
         "and revenue_growth >= 20%",
         "对上年度首次纳入规模以上工业统计、主营业务收入2000万元至2500万元且增长20%以上的企业，"
         "给予一次性奖励20万元。依据统计部门入统名单直接兑付，企业无需申报（免申即享）。",
         "2025-02-15", "2027-12-31", amount="20", without_application=True, window=(5, 20)),
    Spec("南昌市创新型中小企业培育奖励办法", BUREAU, "洪工信字〔2024〕27号", "zxqyc",
         K.REWARD,
         'holds("innovative_sme") and not holds("specialized_sme") '
         'and size_class in ("medium", "small")',
         "对通过评价的创新型中小企业给予一次性奖励5万元，支持其向专精特新中小企业梯度成长。",
         "2024-04-01", "2026-12-31", amount="5", window=(8, 20), share=0.1),
    Spec("南昌市专精特新中小企业奖励办法", BUREAU_FINANCE, "洪工信字〔2024〕33号", "zxqyc",
         K.REWARD,
         'holds("specialized_sme") and not holds("little_giant")',
         "对新认定的省级专精特新中小企业给予一次性奖励30万元，用于研发投入和市场开拓。",
         "2024-04-01", "2026-12-31", amount="30", window=(3, 16), share=0.1),
    Spec("关于支持专精特新“小巨人”企业高质量发展的若干措施", PROVINCE,
         "赣工信企业字〔2024〕56号", "zxqyc", K.REWARD,
         'holds("little_giant")',
         "对新认定的国家级专精特新“小巨人”企业给予一次性奖励100万元（省、市各承担50%），"
         "优先支持其申报省级以上技术创新和技改项目。",
         "2024-09-01", "2027-08-31", amount="100", window=(10, 27), share=0.32),
    Spec("南昌市制造业单项冠军企业奖励办法", BUREAU_FINANCE, "洪工信字〔2025〕12号", "zxqyc",
         K.REWARD,
         'holds("single_champion")',
         "对获评国家级制造业单项冠军示范企业（产品）的企业给予一次性奖励200万元。",
         "2025-03-01", None, amount="200", window=(5, 6), share=0.64),
    Spec("南昌市产业链链主企业培育激励办法", BUREAU, "洪工信字〔2025〕26号", "ghc", K.REWARD,
         'holds("chain_master") and above_scale = true',
         "对认定为市级产业链链主、发布本地配套需求清单并带动本地配套的规上企业，给予一次性奖励"
         "100万元。",
         "2025-04-15", "2027-12-31", amount="100", window=(6, 2), share=0.48),
    # 首台套, 研发, 技术中心 ----------------------------------------------------------------
    Spec("南昌市首台（套）重大技术装备推广应用奖励办法", BUREAU_FINANCE, "洪工信字〔2024〕61号",
         "zbc", K.REWARD,
         '(industry starts_with "34" or industry starts_with "35" or industry starts_with "38" '
         'or industry starts_with "40") and above_scale = true and rd_ratio >= 4%',

         "对研制的装备产品经认定为省级以上首台（套）重大技术装备的规上企业，按首台（套）销售"
         "合同给予一次性奖励100万元。",
         "2024-08-01", "2027-07-31", amount="100", window=(9, 22), share=0.16),
    Spec("南昌市企业研发投入后补助实施办法", SCIENCE, "洪科字〔2025〕20号", "kjj", K.SUBSIDY,
         "above_scale = true and rd_expense >= 500万元 and rd_ratio >= 4%",
         "对上年度研发费用500万元以上、研发投入强度4%以上的规上企业，按研发费用的10%给予后补助，"
         "最高300万元。依据税务部门研发费用加计扣除数据直接兑付（免申即享）。",
         "2026-01-01", "2028-12-31", method=M.RATE, rate="10", base="rd_expense", cap="300",
         without_application=True, window=(11, 10)),
    Spec("南昌市企业技术中心建设奖励办法", BUREAU, "洪工信字〔2025〕37号", "ghc", K.REWARD,
         'holds("tech_center") and rd_ratio >= 3%',
         "对新认定的国家级、省级企业技术中心给予一次性奖励50万元，支持企业建设研发机构、"
         "购置研发设备。",
         "2025-05-10", None, amount="50", window=(11, 16), share=0.24),
    # 用工, 人才 --------------------------------------------------------------------------
    Spec("南昌市2026年失业保险稳岗返还实施方案", HRSS, "洪人社字〔2026〕11号", "rsj",
         K.SUBSIDY,
         'size_class in ("small", "medium") and above_scale = true and employees >= 300人 '
         "and revenue_growth >= 10%",
         "对不裁员或少裁员的参保中小企业，按上年度参保职工人数分档返还失业保险费。依据社保"
         "参保数据直接拨付至企业账户，企业无需申报（免申即享）。",
         "2026-03-01", "2026-12-31", method=M.TIERS, base="employees",
         tiers="300人: 8万元\n500人: 12万元\n800人: 20万元", without_application=True,
         window=(6, 18)),
    Spec("南昌市工业企业新招用员工就业补贴办法", HRSS, "洪人社字〔2025〕35号", "rsj",
         K.TALENT,
         "above_scale = true and employees >= 100人 and revenue_growth >= 15%",
         "对上年度新增用工、营业收入增长15%以上、从业人员100人以上的规上工业企业，按从业人员规模分档给予一次性"
         "就业补贴，用于岗前培训和稳岗留工。",
         "2025-03-20", "2027-12-31", method=M.TIERS, base="employees",
         tiers="100人: 5万元\n300人: 10万元\n600人: 20万元\n1000人: 30万元", window=(5, 12),
         share=0.1),
    Spec("南昌市企业引进高层次人才奖励办法", HRSS, "洪人社字〔2024〕58号", "rsj", K.TALENT,
         'rd_expense >= 1000万元 and (holds("high_tech") or holds("tech_center"))',
         "对引进高层次研发人才、上年度研发费用1000万元以上的高新技术企业或设有企业技术中心的"
         "企业，给予引才奖励50万元，用于人才安家和科研启动。",
         "2024-06-01", "2026-12-31", amount="50", window=(7, 15), share=0.36),
    # 融资 --------------------------------------------------------------------------------
    Spec("南昌市中小微企业流动资金贷款贴息办法", BANKING, "洪金融字〔2025〕9号", "jrj",
         K.INTEREST,
         'size_class in ("small", "micro") and revenue >= 2000万元 and tax >= 50万元 '
         "and revenue_growth >= 5%",
         "对按时还本付息、纳税信用良好的中小微企业，按实际支付流动资金贷款利息的50%给予贴息，"
         "单户每年最高50万元。贴息金额按企业提交的银行付息凭证核定。",
         "2025-01-01", "2026-12-31", method=M.NONE, window=(8, 3), share=0.03),
    # 一产一策: 电子信息 ---------------------------------------------------------------------
    Spec("南昌市加快VR产业发展若干政策", CITY_OFFICE, "洪府办发〔2024〕23号", "dzxxc",
         K.SUBSIDY,
         'on_chain("vr") and rd_ratio >= 3% and rd_expense >= 50万元',
         "聚焦VR终端、近眼显示和内容制作，对VR产业链企业上年度研发投入按10%给予补助，"
         "最高500万元；支持建设国家级VR制造业创新中心。",
         "2024-06-18", "2027-12-31", chains=("electronics", "vr"), method=M.RATE, rate="10",
         base="rd_expense", cap="500", window=(7, 8), share=0.24),
    Spec("南昌市移动智能终端产业链“一产一策”", CITY_OFFICE, "洪府办发〔2025〕7号", "dzxxc",
         K.REWARD,
         'on_chain("mobile-terminal") and above_scale = true and revenue_growth >= 15%',
         "支持移动智能终端整机及配套企业扩产增效：对上年度营业收入增长15%以上的规上企业，按主营"
         "业务收入规模分档给予奖励。",
         "2025-03-10", "2027-12-31", chains=("electronics", "mobile-terminal"), method=M.TIERS,
         base="main_business_revenue", tiers="2000万元: 10万元\n1亿元: 30万元\n10亿元: 100万元",
         window=(4, 8), share=0.24),
    Spec("南昌市LED及光电通信产业链技术攻关支持办法", BUREAU, "洪工信字〔2025〕22号", "dzxxc",
         K.SUBSIDY,
         'on_chain("led") and holds("high_tech") and rd_ratio >= 3%',
         "围绕硅衬底LED、MiniLED背光和光通信模块等关键技术，对承担技术攻关的高新技术企业给予"
         "一次性补助30万元。",
         "2025-04-01", "2027-12-31", chains=("electronics", "led"), amount="30",
         window=(9, 1), share=0.4),
    # 一产一策: 航空 -------------------------------------------------------------------------
    Spec("南昌市航空装备首台（套）及首架次奖励办法", CITY_OFFICE, "洪府办发〔2024〕31号", "zbc",
         K.REWARD,
         'on_chain("aviation") and above_scale = true',
         "对航空装备首台（套）、首架次产品实现销售的规上企业，按上年度主营业务收入规模分档给予"
         "奖励，最高200万元。",
         "2024-09-10", "2027-12-31", chains=("aviation", "aviation-equipment"), method=M.TIERS,
         base="main_business_revenue",
         tiers="2000万元: 30万元\n1亿元: 100万元\n5亿元: 200万元",
         window=(10, 13), share=0.48),
    Spec("南昌市航空产业配套项目扶持办法", BUREAU, "洪工信字〔2025〕29号", "zbc", K.SUBSIDY,
         'on_chain("aviation") and above_scale = true and project_investment >= 1000万元',
         "支持航空零部件、机载设备配套企业在航空城扩产落地：按项目已完成投资的5%给予补助，"
         "最高1000万元。",
         "2025-05-01", "2027-12-31", chains=("aviation",), method=M.RATE, rate="5",
         base="project_investment", cap="1000", window=(6, 25), share=0.56),
    # 一产一策: 汽车及装备 -------------------------------------------------------------------
    Spec("南昌市新能源汽车产业“一产一策”", CITY_OFFICE, "洪府办发〔2024〕18号", "zbc",
         K.REWARD,
         'on_chain("nev") and above_scale = true and revenue_growth >= 10%',
         "加强公共领域新能源汽车推广应用，支持整车及专用车企业扩产：对上年度营业收入增长10%以上"
         "的规上企业按主营业务收入分档奖励。",
         "2024-05-06", "2027-12-31", chains=("automotive", "nev"), method=M.TIERS,
         base="main_business_revenue", tiers="2000万元: 10万元\n5亿元: 50万元\n20亿元: 200万元",
         window=(10, 10), share=0.24),
    Spec("南昌市汽车零部件本地配套奖励办法", BUREAU, "洪工信字〔2025〕15号", "zbc", K.REWARD,
         'on_chain("automotive") and size_class in ("small", "medium") and above_scale = true '
         "and revenue_growth >= 10%",
         "对进入本地整车企业配套体系、上年度营业收入增长10%以上的规上中小零部件企业，给予一次性"
         "奖励20万元。",
         "2025-03-01", "2027-12-31", chains=("automotive",), amount="20", window=(5, 26),
         share=0.16),
    # 一产一策: 新能源 -----------------------------------------------------------------------
    Spec("南昌市新型储能产业发展支持政策", CITY_OFFICE, "洪府办发〔2025〕12号", "jnc",
         K.SUBSIDY,
         'on_chain("energy-storage") and above_scale = true and rd_ratio >= 2%',
         "支持储能电池、储能变流器和系统集成企业加大研发：按上年度研发费用的10%给予补助，"
         "最高200万元。",
         "2025-04-20", "2027-12-31", chains=("new-energy", "energy-storage"), method=M.RATE,
         rate="10", base="rd_expense", cap="200", window=(8, 12), share=0.4),
    Spec("南昌市新能源产业重大项目扶持办法", BUREAU, "洪工信字〔2024〕48号", "jnc", K.SUBSIDY,
         'on_chain("new-energy") and project_investment >= 5000万元',
         "对锂电池、光伏、储能等新能源重大项目，按项目已完成投资的3%给予补助，最高1000万元。",
         "2024-07-15", "2026-12-31", chains=("new-energy",), method=M.RATE, rate="3",
         base="project_investment", cap="1000", window=(9, 15), share=0.56),
    # 一产一策: 新材料 -----------------------------------------------------------------------
    Spec("南昌市新材料首批次应用保险补偿办法", BUREAU_FINANCE, "洪工信字〔2025〕24号", "yclc",
         K.SUBSIDY,
         'on_chain("new-materials") and holds("high_tech")',
         "对新材料首批次产品投保质量和责任保险的高新技术企业，给予保费补贴，每家每年最高50万元。",
         "2025-04-01", "2027-12-31", chains=("new-materials",), amount="50", window=(7, 22),
         share=0.24),
    Spec("南昌市铝型材产业绿色化改造支持办法", BUREAU, "洪工信字〔2025〕35号", "yclc",
         K.SUBSIDY,
         'on_chain("new-materials") and above_scale = true and upgrade_investment >= 300万元',
         "支持铝型材、电子材料企业实施熔铸炉节能、废铝再生等绿色化改造，按改造投资的10%给予"
         "补助，最高300万元。",
         "2025-05-15", "2027-12-31", chains=("new-materials",), method=M.RATE, rate="10",
         base="upgrade_investment", cap="300", window=(8, 26), share=0.48),
    # 一产一策: 医药健康 ---------------------------------------------------------------------
    Spec("南昌市医疗器械产业高质量发展若干措施", CITY_OFFICE, "洪府办发〔2025〕16号", "xfpc",
         K.REWARD,
         'on_chain("medical-devices") and above_scale = true and rd_ratio >= 2%',
         "加速医疗器械产业向价值链中高端转型：对取得第二类、第三类医疗器械注册证的规上企业"
         "给予一次性奖励30万元。",
         "2025-05-08", "2027-12-31", chains=("health", "medical-devices"), amount="30",
         window=(6, 10), share=0.32),
    Spec("南昌市中医药产业“一产一策”", CITY_OFFICE, "洪府办发〔2024〕27号", "xfpc", K.REWARD,
         'on_chain("tcm") and above_scale = true and revenue_growth >= 10%',
         "做实中医药科创城，支持中成药、中药饮片企业做大做强：对上年度营业收入增长10%以上的"
         "规上企业按主营业务收入分档奖励。",
         "2024-08-20", "2027-12-31", chains=("health", "tcm"), method=M.TIERS,
         base="main_business_revenue", tiers="2000万元: 10万元\n1亿元: 30万元\n5亿元: 80万元",
         window=(9, 8), share=0.2),
    # 一产一策: 绿色食品 ---------------------------------------------------------------------
    Spec("南昌市绿色食品产业链“一产一策”", CITY_OFFICE, "洪府办发〔2025〕10号", "xfpc",
         K.REWARD,
         'on_chain("green-food") and above_scale = true and revenue_growth >= 8%',
         "支持粮油、乳品、调味品等绿色食品企业创建品牌、扩大产能：对上年度营业收入增长8%以上的"
         "规上企业按营业收入分档奖励。",
         "2025-03-18", "2027-12-31", chains=("green-food",), method=M.TIERS, base="revenue",
         tiers="2000万元: 5万元\n1亿元: 20万元\n5亿元: 50万元", window=(5, 15), share=0.16),
    Spec("南昌市绿色食品企业技改升级补助办法", BUREAU, "洪工信字〔2025〕41号", "xfpc",
         K.SUBSIDY,
         'on_chain("green-food") and upgrade_investment >= 200万元',
         "支持绿色食品企业实施生产线自动化、冷链仓储等技改项目，按投资额的10%给予补助，"
         "最高200万元。",
         "2025-06-01", "2027-12-31", chains=("green-food",), method=M.RATE, rate="10",
         base="upgrade_investment", cap="200", window=(7, 28), share=0.56),
    # 一产一策: 轻工纺织 ---------------------------------------------------------------------
    Spec("南昌市现代针纺产业“一产一策”", CITY_OFFICE, "洪府办发〔2024〕29号", "xfpc",
         K.REWARD,
         'on_chain("knitwear") and above_scale = true and revenue_growth >= 5%',
         "推动现代针纺产业技改升级、创建品牌：对上年度营业收入增长5%以上的规上针纺服装企业按"
         "主营业务收入分档奖励。",
         "2024-08-28", "2027-12-31", chains=("textiles", "knitwear"), method=M.TIERS,
         base="main_business_revenue", tiers="2000万元: 5万元\n1亿元: 20万元\n3亿元: 50万元",
         window=(4, 22), share=0.2),
    Spec("南昌市纺织服装企业稳岗扩岗补贴办法", HRSS, "洪人社字〔2025〕42号", "rsj", K.TALENT,
         'on_chain("textiles") and above_scale = true and employees >= 100人',
         "针对纺织服装企业招工难、用工缺口大的问题，对吸纳就业100人以上的规上企业按从业人员"
         "规模分档给予稳岗扩岗补贴。",
         "2025-04-01", "2027-12-31", chains=("textiles",), method=M.TIERS, base="employees",
         tiers="100人: 5万元\n300人: 15万元\n1000人: 30万元", window=(10, 16), share=0.2),
    # Drafts, withdrawn, expired ----------------------------------------------------------------
    Spec("南昌市“人工智能+制造”行动支持措施（征求意见稿）", BUREAU, "", "xxhc", K.SUBSIDY,
         "above_scale = true and rd_ratio >= 2% and upgrade_investment >= 500万元",
         "支持企业建设智能工厂、应用工业大模型：按智能化改造投资的10%给予补助，最高500万元。"
         "征求意见中。",
         "2027-01-01", "2029-12-31", status=PolicyStatus.DRAFT, method=M.RATE, rate="10",
         base="upgrade_investment", cap="500"),
    Spec("南昌市工业设计中心认定奖励办法（草案）", BUREAU, "", "ghc", K.REWARD,
         'holds("tech_center") and revenue >= 5000万元',
         "对新认定的国家级、省级工业设计中心分别给予100万元、50万元奖励。草案，待局务会审议。",
         "2027-01-01", None, status=PolicyStatus.DRAFT, amount="50"),
    Spec("南昌市支持中小企业纾困发展若干措施", BUREAU_FINANCE, "洪工信字〔2023〕36号",
         "zxqyc", K.SUBSIDY,
         'size_class in ("small", "micro") and revenue_growth < 0% and employees >= 20人',
         "对营业收入下降但坚持稳岗的中小微企业给予一次性纾困补助2万元。已由《南昌市中小微企业"
         "流动资金贷款贴息办法》等政策替代，2026年3月废止。",
         "2023-06-01", "2026-12-31", status=PolicyStatus.WITHDRAWN, amount="2",
         window=(6, 5), share=0.1, withdrawn_on="2026-03-20"),
    Spec("南昌市2024—2025年度工业稳增长奖励办法", BUREAU_FINANCE, "洪工信字〔2024〕8号", "yxc",
         K.REWARD,
         "above_scale = true and revenue >= 5亿元 and revenue_growth >= 15%",
         "对营业收入5亿元以上、增长15%以上的规上工业企业按营业收入规模分档奖励，执行至2025年底。",
         "2024-02-01", "2025-12-31", method=M.TIERS, base="revenue",
         tiers="5亿元: 50万元\n10亿元: 100万元\n50亿元: 200万元", window=(3, 20), share=0.56),
)
# fmt: on

# The ladder ----------------------------------------------------------------------------------

_KEY_CHAINS = " or ".join(
    f'on_chain("{c}")'
    for c in (
        "electronics",
        "aviation",
        "automotive",
        "new-energy",
        "new-materials",
        "health",
        "green-food",
        "textiles",
    )
)
#: tier: (candidate rule, note).
TIER_RULES = {
    Tier.TO_SCALE: (
        "above_scale = false and main_business_revenue between 1500万元 and 2000万元 "
        "and revenue_growth > 0%",
        "小升规：主营业务收入1500万元至2000万元且保持增长的规下企业，纳入培育库。",
    ),
    Tier.INNOVATIVE: (
        'size_class in ("medium", "small", "micro") and not holds("innovative_sme") '
        'and not holds("specialized_sme") '
        'and (rd_ratio >= 3% or holds("high_tech") or holds("tech_sme"))',
        "创新型中小企业：研发投入强度3%以上或已是高新技术企业、科技型中小企业。",
    ),
    Tier.SPECIALIZED: (
        'holds("innovative_sme") and not holds("specialized_sme") and revenue >= 1000万元 '
        "and rd_ratio >= 3% and revenue_growth >= 5%",
        "专精特新：创新型中小企业中营业收入1000万元以上、研发投入强度3%以上、增长5%以上者。",
    ),
    Tier.LITTLE_GIANT: (
        'holds("specialized_sme") and not holds("little_giant") and revenue >= 5000万元 '
        "and rd_ratio >= 3%",
        "小巨人：省级专精特新中小企业中营业收入5000万元以上、研发投入强度3%以上者。",
    ),
    Tier.CHAMPION: (
        'not holds("single_champion") and main_business_revenue >= 4亿元 and rd_ratio >= 3% '
        'and (holds("little_giant") or holds("high_tech"))',
        "单项冠军：主营业务收入4亿元以上、研发投入强度3%以上的小巨人或高新技术企业。",
    ),
    Tier.CHAIN_MASTER: (
        f'not holds("chain_master") and size_class = "large" and revenue >= 20亿元 '
        f"and revenue_growth >= 5% and ({_KEY_CHAINS})",
        "链主：重点产业链上营业收入20亿元以上、保持增长的大型企业。",
    ),
}

# Texts of applications -----------------------------------------------------------------------

#: What an enterprise writes when it applies, by the figure the amount is computed from.
STATEMENTS = {
    "upgrade_investment": (
        "我司上年度实施{short}技术改造，完成设备投资{figure}，新增自动化生产线，现按办法申请补助。",
        "公司上年度完成技改设备投资{figure}，设备发票、合同和付款凭证齐全，特申请支持。",
    ),
    "project_investment": ("我司扩产项目上年度完成投资{figure}，已投产达效，申请项目扶持资金。",),
    "rd_expense": (
        "我司上年度研发费用{figure}，研发投入占营业收入{ratio}，已享受研发费用加计扣除，现申请支持。",
        "公司持续加大研发投入，上年度研发费用{figure}，申请研发补助。",
    ),
    "main_business_revenue": (
        "我司上年度主营业务收入{figure}，同比增长{growth}，符合奖励条件，特此申请。",
    ),
    "revenue": ("我司上年度营业收入{figure}，同比增长{growth}，申请奖励。",),
    "employees": (
        "我司现有从业人员{figure}，上年度新招用员工并开展岗前培训，申请补贴。",
        "公司坚持稳岗扩岗，从业人员{figure}，特申请补贴。",
    ),
    "": (
        "我司符合办法规定的条件，已按申报指南提交相关证明材料，特申请支持。",
        "公司已取得相关认定，申报材料齐全，请予审核。",
    ),
    "loan": ("我司上年度流动资金贷款{loan}，实际支付利息{interest}，按50%申请贴息。",),
}
REJECTIONS = (
    "经核查，申报项目设备发票与采购合同金额不一致，不予支持。",
    "企业上年度存在安全生产行政处罚记录，根据办法第七条，本年度不予支持。",
    "该项目已获得省级专项资金支持，不得重复申报。",
    "申报材料缺少研发费用专项审计报告，补正期限内未提交。",
    "企业纳税信用等级为C级，不符合申报条件。",
    "经第三方机构核查，申报投资额中含非生产性设备，核减后未达到申报门槛。",
    "企业已被列入经营异常名录，不予支持。",
)
REDUCED = "专项资金总额不足，按申报金额等比例核减。"


# The building --------------------------------------------------------------------------------


@dataclass
class World:
    """What the builder reads once: the day, the accounts, the chains and departments."""

    today: dt.date
    now: dt.datetime
    staff: User
    departments: dict[str, Department]
    handlers: dict[str, User]  # department code: its account
    district_users: dict[int, User]  # region pk: its account
    accounts: dict[int, User]  # enterprise pk: its enterprise account
    chains: dict[str, Chain]

    @classmethod
    def load(cls, today: dt.date) -> World:
        users = list(User.objects.order_by("pk"))
        staff = next(u for u in users if u.username == STAFF_USERNAME)
        departments = {d.code: d for d in Department.objects.order_by("pk")}
        by_department = {d.pk: d.code for d in departments.values()}
        handlers = {
            by_department[u.department_id]: u
            for u in users
            if u.role == Role.DEPARTMENT and u.department_id in by_department
        }
        accounts: dict[int, User] = {}
        for u in users:
            if u.role == Role.ENTERPRISE and u.enterprise_id and u.is_active:
                accounts.setdefault(u.enterprise_id, u)
        return cls(
            today=today,
            now=_moment(today, CLOCK),
            staff=staff,
            departments=departments,
            handlers=handlers,
            district_users={u.region_id: u for u in users if u.role == Role.DISTRICT},
            accounts=accounts,
            chains={c.code: c for c in Chain.objects.order_by("pk")},
        )


def policies_build(*, seed: int, today: dt.date | None = None) -> dict[str, int]:
    """Build the demo's policies, their matches, the applications and grants of the two
    years up to `today` (default: today), the ladder rules and the cultivation plans;
    returns counts. Needs the demo enterprises, chains and accounts (`core.demo`)."""
    today = today or timezone.localdate()
    rng = random.Random(seed)
    w = World.load(today)
    policies = policies_create(w)
    match = match_all(on=today, tell=False)
    applications = applications_build(rng, w, policies)
    tier_rules_create(w)
    plans = plans_build(rng, w)
    counts = {
        "policies": len(policies),
        "in_force": sum(p.in_force(today) for p in policies),
        "eligible": match.eligible,
        "unknown": match.unknown,
        "applications": applications,
        "granted": Application.objects.filter(source=ApplicationSource.AUTOMATIC).count(),
        "disbursed": Application.objects.filter(status=S.DISBURSED).count(),
        "plans": plans,
        "plan_items": PlanItem.objects.count(),
    }
    audit_record(
        actor=None,
        action=AuditAction.IMPORT,
        object_type="demo",
        object_repr="演示政策",
        message=(
            f"演示政策：{counts['policies']} 项政策，{counts['applications']} 件申报与兑现"
            f"（其中免申即享 {counts['granted']} 件），{counts['plans']} 个“一企一策”培育计划"
            f"（截至 {today:%Y-%m-%d}），随机种子 {seed}"
        ),
    )
    return counts


def policies_create(w: World) -> list[Policy]:
    """The library: every policy with its rule as version 1 (checked: a demo rule that
    does not parse is a bug here, not data to skip)."""
    policies = []
    for spec in POLICIES:
        rules.parse(spec.rule)
        start = dt.date.fromisoformat(spec.effective_from)
        policy = Policy.objects.create(
            title=spec.title,
            issuer=spec.issuer,
            document_number=spec.number,
            summary=spec.summary,
            effective_from=start,
            effective_until=_date(spec.effective_until),
            status=spec.status,
            department=w.departments.get(spec.department),
            benefit_kind=spec.kind,
            amount_method=spec.method,
            amount=_wan(spec.amount),
            rate=Decimal(spec.rate) if spec.rate else None,
            base=spec.base,
            cap=_wan(spec.cap),
            tiers=parse_tiers(spec.tiers) if spec.tiers else [],
            without_application=spec.without_application,
            rule_text=spec.rule,
            created_by=w.staff,
        )
        policy.chains.set([w.chains[c] for c in spec.chains if c in w.chains])
        saved = _moment(_workday(min(start, w.today) - dt.timedelta(days=10)), dt.time(16, 30))
        RuleVersion.objects.create(
            policy=policy, number=1, text=spec.rule, saved_by=w.staff, saved_at=saved
        )
        policies.append(policy)
    return policies


def tier_rules_create(w: World) -> list[TierRule]:
    for text, _note in TIER_RULES.values():
        rules.parse(text)
    return TierRule.objects.bulk_create(
        TierRule(tier=tier, rule_text=text, note=note, updated_by=w.staff)
        for tier, (text, note) in TIER_RULES.items()
    )


# Applications and grants -----------------------------------------------------------------------


@dataclass
class Step:
    status: str
    at: dt.datetime
    actor: User | None
    text: str = ""
    amount: Decimal | None = None


@dataclass
class Draft:
    """One application and its steps, as the services would have written them."""

    application: Application
    steps: list[Step]


def _eligible(w: World, policy: Policy, spec: Spec, on: dt.date) -> list[tuple[int, Decimal]]:
    """(enterprise, amount due) of the enterprises eligible under the policy: its stored
    matches when in force, else its rule decided in the database on `on` (the expired
    and the withdrawn policy, for the years they were open)."""
    if policy.in_force(w.today):
        rows = Match.objects.filter(policy=policy, result=MatchResult.ELIGIBLE).values_list(
            "enterprise_id", "benefit"
        )
    else:
        amount = benefit_expression(Benefit.of(policy))
        rows = (
            rule_outcomes(parsed(spec.rule), on, Fact.objects.filter(operating=True))
            .filter(eligible=True)
            .annotate(due=amount)
            .values_list("enterprise_id", "due")
        )
    due = []
    for enterprise_id, amount in rows.order_by("enterprise_id"):
        if spec.method == M.NONE:
            due.append((enterprise_id, None))
        elif amount is not None and amount > 0:
            due.append((enterprise_id, Decimal(amount).quantize(Decimal("0.01"))))
    return due


def applications_build(rng: random.Random, w: World, policies: list[Policy]) -> int:
    """Applications and 免申即享 grants under each policy for the two years up to today,
    bulk-written with their steps; returns how many."""
    enterprises = {
        e.pk: e
        for e in Enterprise.objects.filter(status=EnterpriseStatus.OPERATING)
        .select_related("service_officer")
        .order_by("pk")
    }
    facts = {f.enterprise_id: f for f in Fact.objects.order_by("enterprise_id")}
    drafts: list[Draft] = []
    for spec, policy in zip(POLICIES, policies, strict=True):
        if spec.status == PolicyStatus.DRAFT:
            continue
        handler = w.handlers.get(spec.department, w.staff)
        applied: set[int] = set()
        for year in (w.today.year - 1, w.today.year):
            opens = _workday(dt.date(year, *spec.window))
            if not _open_on(spec, opens) or opens >= w.today:
                continue
            due = [(e, a) for e, a in _eligible(w, policy, spec, opens) if e in enterprises]
            if spec.once:
                due = [(e, a) for e, a in due if e not in applied]
            if spec.without_application:
                granted = _grants(rng, w, policy, handler, year, opens, due)
                applied |= {d.application.enterprise_id for d in granted}
                drafts += granted
                continue
            for enterprise_id, amount in rng.sample(due, round(spec.share * len(due))):
                applied.add(enterprise_id)
                enterprise = enterprises[enterprise_id]
                fact = facts.get(enterprise_id)
                drafts.append(
                    _apply(rng, w, policy, spec, handler, enterprise, fact, year, opens, amount)
                )
    drafts = [d for d in drafts if d.steps]
    drafts.sort(key=lambda d: (d.steps[0].at, d.application.enterprise_id, d.application.policy_id))
    created = Application.objects.bulk_create([d.application for d in drafts], batch_size=1000)
    ApplicationEvent.objects.bulk_create(
        (
            ApplicationEvent(
                application=application,
                status=step.status,
                actor=step.actor,
                at=step.at,
                text=step.text,
                amount=step.amount,
            )
            for application, d in zip(created, drafts, strict=True)
            for step in d.steps
        ),
        batch_size=2000,
    )
    return len(created)


def _open_on(spec: Spec, day: dt.date) -> bool:
    """Whether the policy took applications on `day` (published then, in force)."""
    if day < dt.date.fromisoformat(spec.effective_from):
        return False
    if spec.effective_until and day > dt.date.fromisoformat(spec.effective_until):
        return False
    if spec.withdrawn_on:
        return day < dt.date.fromisoformat(spec.withdrawn_on)
    return spec.status == PolicyStatus.PUBLISHED


def _submitter(w: World, enterprise: Enterprise) -> User | None:
    """Who applies: the enterprise's own account, else its service officer, else the
    staff of its district (all three may apply for it)."""
    return (
        w.accounts.get(enterprise.pk)
        or enterprise.service_officer
        or w.district_users.get(enterprise.district_id)
    )


def _statement(rng: random.Random, spec: Spec, enterprise: Enterprise, fact, loan=None) -> str:
    if loan is not None:
        template = rng.choice(STATEMENTS["loan"])
    else:
        template = rng.choice(STATEMENTS.get(spec.base, STATEMENTS[""]))
    figure = getattr(fact, spec.base, None) if spec.base and fact else None
    if spec.base == "employees":
        figure_text = f"{figure}人" if figure is not None else "—"
    else:
        figure_text = _wan_text(figure)
    loan_amount, interest = loan or (None, None)
    return template.format(
        short=enterprise_short_name(enterprise.name),
        figure=figure_text,
        ratio=f"{fact.rd_ratio}%" if fact and fact.rd_ratio is not None else "—",
        growth=f"{fact.revenue_growth}%" if fact and fact.revenue_growth is not None else "—",
        loan=_wan_text(loan_amount),
        interest=_wan_text(interest),
    )


def _apply(
    rng: random.Random,
    w: World,
    policy: Policy,
    spec: Spec,
    handler: User,
    enterprise: Enterprise,
    fact,
    year: int,
    opens: dt.date,
    amount: Decimal | None,
) -> Draft:
    """One application through apply → review → approve or reject → disburse (or
    withdrawn before a decision), each step at a plausible time, stopped at the clock."""
    applicant = _submitter(w, enterprise)
    loan = None
    if amount is None:  # loan interest: the enterprise says what it paid
        principal = Decimal(rng.randrange(30, 300)) * 10 * WAN
        interest = _hundreds(principal * Decimal("0.0345") * Decimal(rng.uniform(0.6, 1.0)))
        amount, loan = min(_hundreds(interest / 2), 50 * WAN), (principal, interest)
    closes = min(opens + dt.timedelta(days=45), w.today - dt.timedelta(days=1))
    submitted = _office(rng, opens + dt.timedelta(days=rng.randint(0, (closes - opens).days)))
    if submitted > w.now:  # the window's last days fell on a weekend before the demo day
        return Draft(Application(), [])
    application = Application(
        policy=policy,
        enterprise=enterprise,
        year=year,
        source=ApplicationSource.APPLIED,
        status=S.SUBMITTED,
        statement=_statement(rng, spec, enterprise, fact, loan),
        requested_amount=amount,
        submitted_by=applicant,
        submitted_at=submitted,
        version=1,
    )
    steps = [Step(S.SUBMITTED, submitted, applicant, application.statement, amount)]
    fate = rng.random()
    reviewed = _after(rng, w, submitted, 1, 8)
    if fate < 0.06:  # withdrawn by the enterprise, before or during review
        withdrawn = _after(rng, w, submitted, 1, 6)
        if rng.random() < 0.5 and reviewed < withdrawn:
            _step(w, application, steps, Step(S.REVIEWING, reviewed, handler))
        _step(w, application, steps, Step(S.WITHDRAWN, withdrawn, applicant))
        return Draft(application, steps)
    if not _step(w, application, steps, Step(S.REVIEWING, reviewed, handler)):
        return Draft(application, steps)
    decided = _after(rng, w, reviewed, 8, 30)
    if fate < 0.2:
        reason = rng.choice(REJECTIONS)
        if _step(w, application, steps, Step(S.REJECTED, decided, handler, reason)):
            application.reason, application.decided_at = reason, decided
        return Draft(application, steps)
    approved, reason = amount, ""
    if rng.random() < 0.25 and amount >= 10 * WAN:
        approved = _thousands(amount * Decimal(rng.uniform(0.6, 0.95)))
        reason = REDUCED
    if not _step(w, application, steps, Step(S.APPROVED, decided, handler, reason, approved)):
        return Draft(application, steps)
    application.approved_amount, application.reason = approved, reason
    application.decided_at = decided
    paid = _after(rng, w, decided, 10, 40)
    if _step(w, application, steps, Step(S.DISBURSED, paid, handler, amount=approved)):
        application.disbursed_amount = approved
        application.disbursed_on = _local_date(paid)
    return Draft(application, steps)


def _step(w: World, application: Application, steps: list[Step], step: Step) -> bool:
    """Take the step if it happened before the clock stopped (as `_advance` would)."""
    if step.at > w.now:
        return False
    steps.append(step)
    application.status = step.status
    application.version += 1
    return True


def _grants(
    rng: random.Random,
    w: World,
    policy: Policy,
    handler: User,
    year: int,
    opens: dt.date,
    due: list[tuple[int, Decimal]],
) -> list[Draft]:
    """免申即享: the year's list approved in one step on the grant day, as
    `grant_without_application` writes it, then paid a few weeks later. Last year's list
    was shorter: not everyone eligible today was then."""
    granted = _moment(opens, dt.time(10, rng.randrange(0, 60)))
    if year < w.today.year:
        due = sorted(rng.sample(due, round(0.8 * len(due))))
    note = gettext("Granted without application (免申即享)")
    paid = _after(rng, w, granted, 10, 25)
    drafts = []
    for enterprise_id, amount in due:
        application = Application(
            policy=policy,
            enterprise_id=enterprise_id,
            year=year,
            source=ApplicationSource.AUTOMATIC,
            status=S.APPROVED,
            requested_amount=amount,
            approved_amount=amount,
            reason=note,
            submitted_by=handler,
            submitted_at=granted,
            decided_at=granted,
            version=1,
        )
        steps = [Step(S.APPROVED, granted, handler, note, amount)]
        if _step(w, application, steps, Step(S.DISBURSED, paid, handler, amount=amount)):
            application.disbursed_amount, application.disbursed_on = amount, _local_date(paid)
        drafts.append(Draft(application, steps))
    return drafts


# Cultivation plans -----------------------------------------------------------------------------

#: Plans under way towards each rung, for its candidates (fewer when there are fewer).
PLANS_PER_TIER = {
    Tier.TO_SCALE: 12,
    Tier.INNOVATIVE: 9,
    Tier.SPECIALIZED: 10,
    Tier.LITTLE_GIANT: 7,
    Tier.CHAMPION: 2,
    Tier.CHAIN_MASTER: 2,
}
#: Plans achieved: holders of a rung recognised in the last two years.
ACHIEVED = 8
#: rung: goal template.
GOALS = {
    Tier.TO_SCALE: "力争{target}年主营业务收入突破2000万元，纳入规模以上工业企业统计（小升规）。",
    Tier.INNOVATIVE: (
        "{target}年通过创新型中小企业评价，研发投入强度提高到3%以上，新增发明专利2件。"
    ),
    Tier.SPECIALIZED: "{target}年认定为省级专精特新中小企业，主导产品细分市场占有率进入省内前三。",
    Tier.LITTLE_GIANT: (
        "{target}年认定为国家级专精特新“小巨人”企业，营业收入突破{revenue}，建成省级企业技术中心。"
    ),
    Tier.CHAMPION: "{target}年入选国家级制造业单项冠军，主导产品国内市场占有率达到15%以上。",
    Tier.CHAIN_MASTER: (
        "{target}年营业收入突破{revenue}，带动本地配套企业15家以上，认定为市级产业链链主企业。"
    ),
}
#: rung: (kind, text, responsible) — "{area}" is the district's or park's office.
ITEMS = {
    Tier.TO_SCALE: (
        (
            ItemKind.MEASURE,
            "纳入小升规培育库，包联干部每季度上门走访一次",
            "市工信局中小企业发展处",
        ),
        (ItemKind.MEASURE, "对接银行开展“小升规”信用贷款，解决扩产流动资金", "市金融局"),
        (ItemKind.MEASURE, "协调租用标准厂房，支持新增生产线", "{area}"),
        (ItemKind.MEASURE, "指导企业规范财务核算和统计报表，做好入统准备", "市统计局"),
        (ItemKind.MILESTONE, "月均主营业务收入稳定在150万元以上", "企业"),
        (ItemKind.MILESTONE, "完成规上企业入统申报", "{area}"),
    ),
    Tier.INNOVATIVE: (
        (
            ItemKind.MEASURE,
            "开展创新型中小企业评价辅导，梳理知识产权和研发投入材料",
            "市工信局中小企业发展处",
        ),
        (ItemKind.MEASURE, "建立研发费用辅助账，落实研发费用加计扣除", "市税务局"),
        (ItemKind.MEASURE, "对接省内高校院所开展产学研合作", "市科技局"),
        (ItemKind.MILESTONE, "申请发明专利2件", "企业"),
        (ItemKind.MILESTONE, "提交创新型中小企业自评并通过评价", "市工信局中小企业发展处"),
    ),
    Tier.SPECIALIZED: (
        (
            ItemKind.MEASURE,
            "开展“专精特新”诊断服务，明确主导产品和细分市场",
            "市工信局中小企业发展处",
        ),
        (ItemKind.MEASURE, "参与制定行业或团体标准1项", "市市场监管局"),
        (ItemKind.MEASURE, "纳入专精特新企业专属金融产品白名单", "市金融局"),
        (ItemKind.MEASURE, "研发投入强度提高到3%以上", "企业"),
        (ItemKind.MILESTONE, "完成省级专精特新中小企业申报", "{area}"),
        (ItemKind.MILESTONE, "认定为省级专精特新中小企业", "市工信局中小企业发展处"),
    ),
    Tier.LITTLE_GIANT: (
        (ItemKind.MEASURE, "组建省级企业技术中心", "市工信局综合规划处"),
        (ItemKind.MEASURE, "进入产业链链主企业供应链体系", "{chain}"),
        (ItemKind.MEASURE, "引进高层次研发人才3名", "市人社局"),
        (ItemKind.MEASURE, "实施智能化技术改造，建设数字化车间", "市工信局投资与技术改造处"),
        (ItemKind.MILESTONE, "完成国家级专精特新“小巨人”企业申报", "市工信局中小企业发展处"),
        (ItemKind.MILESTONE, "通过工业和信息化部“小巨人”认定", "市工信局中小企业发展处"),
    ),
    Tier.CHAMPION: (
        (ItemKind.MEASURE, "梳理主导产品国内外市场占有率数据，委托第三方出具证明", "企业"),
        (ItemKind.MEASURE, "牵头组建创新联合体，攻关关键核心技术", "市科技局"),
        (ItemKind.MEASURE, "建设“5G+智慧工厂”", "市工信局信息化推进处"),
        (ItemKind.MILESTONE, "完成制造业单项冠军省级推荐", "市工信局中小企业发展处"),
        (ItemKind.MILESTONE, "入选国家级制造业单项冠军", "市工信局"),
    ),
    Tier.CHAIN_MASTER: (
        (ItemKind.MEASURE, "发布本地配套需求清单，组织产销对接会2场", "{chain}"),
        (ItemKind.MEASURE, "实施扩产项目，纳入市重点项目调度", "市发改委"),
        (ItemKind.MEASURE, "协调新增用地和能耗指标", "市自然资源局"),
        (ItemKind.MILESTONE, "本地配套企业达到15家", "{chain}"),
        (ItemKind.MILESTONE, "认定为市级产业链链主企业", "市工信局综合规划处"),
    ),
}
DROP_NOTES = (
    "企业停产，培育计划中止。",
    "企业营业收入连续下滑，经研究暂停培育。",
)


def plans_build(rng: random.Random, w: World) -> int:
    """一企一策: plans under way for candidates of each rung (by its rule), plans achieved
    by enterprises recognised in the last two years, and a couple dropped; 3–6 items each.
    Returns how many plans."""
    year = w.today.year
    chosen: list[tuple[int, str, int, int, dt.date | None, str]] = []
    taken: set[int] = set()
    for tier, count in PLANS_PER_TIER.items():
        candidates = [e for e in _candidates(w, tier) if e not in taken]
        for enterprise_id in sorted(rng.sample(candidates, min(count, len(candidates)))):
            taken.add(enterprise_id)
            start = year - (rng.random() < 0.5)
            target = max(year, start + rng.choice((1, 2, 2, 3)))
            chosen.append((enterprise_id, tier, start, target, None, PlanStatus.ACTIVE))
    for enterprise_id, tier, issued in _achievers(w, taken):
        taken.add(enterprise_id)
        chosen.append(
            (enterprise_id, tier, issued.year - 1, issued.year, issued, PlanStatus.ACHIEVED)
        )
    for enterprise_id in _droppers(rng, w, taken):
        taken.add(enterprise_id)
        chosen.append((enterprise_id, Tier.TO_SCALE, year - 1, year, None, PlanStatus.DROPPED))
    enterprises = Enterprise.objects.select_related(
        "district", "park", "service_officer", "fact"
    ).in_bulk(taken)
    offices = _chain_offices(taken)
    plans: list[tuple[CultivationPlan, list[PlanItem]]] = []
    dropped = 0
    for enterprise_id, tier, start, target, achieved_on, status in chosen:
        enterprise = enterprises[enterprise_id]
        plan, items = _plan(rng, w, enterprise, tier, start, target, offices.get(enterprise_id))
        plan.status, plan.achieved_on = status, achieved_on
        if status == PlanStatus.ACHIEVED:
            for item in items:
                item.status = ItemStatus.DONE
                item.done_on = min(item.done_on or item.due_on, achieved_on)
        elif status == PlanStatus.DROPPED:
            plan.goal += DROP_NOTES[dropped % len(DROP_NOTES)]
            dropped += 1
        plans.append((plan, items))
    created = CultivationPlan.objects.bulk_create([p for p, _ in plans])
    PlanItem.objects.bulk_create(
        item for plan, (_, items) in zip(created, plans, strict=True) for item in items
    )
    return len(created)


def _chain_offices(enterprise_ids: set[int]) -> dict[int, str]:
    """The chain office (链长办) of the first key chain each enterprise is confirmed on."""
    links = (
        EnterpriseNode.objects.filter(
            enterprise_id__in=enterprise_ids,
            status=LinkStatus.CONFIRMED,
            node__chain__parent__isnull=True,
        )
        .order_by("enterprise_id", "node__chain__sort_order", "node__chain_id")
        .values_list("enterprise_id", "node__chain__name")
    )
    offices: dict[int, str] = {}
    for enterprise_id, name in links:
        offices.setdefault(enterprise_id, f"{name}产业链链长办")
    return offices


def _candidates(w: World, tier: str) -> list[int]:
    """The operating enterprises the rung's rule finds, not on the rung yet (as
    `selectors.tier_candidates`, without a user's scope)."""
    text = TIER_RULES[tier][0]
    qs = rule_outcomes(parsed(text), w.today, Fact.objects.filter(operating=True)).filter(
        eligible=True
    )
    kind = TIER_QUALIFICATION[tier]
    if kind is None:
        qs = qs.filter(above_scale=False)
    else:
        held = valid_qualifications(w.today).filter(kind=kind).values("enterprise")
        qs = qs.exclude(enterprise__in=held)
    return list(qs.order_by("enterprise_id").values_list("enterprise_id", flat=True))


def _achievers(w: World, taken: set[int]) -> list[tuple[int, str, dt.date]]:
    """Enterprises that reached a rung in the last two years, (enterprise, rung, day),
    taken in turn from each rung, the highest first."""
    rungs = {kind: tier for tier, kind in TIER_QUALIFICATION.items() if kind}
    rows = (
        valid_qualifications(w.today)
        .filter(
            kind__in=rungs,
            issued_on__gte=dt.date(w.today.year - 1, 1, 1),
            enterprise__status=EnterpriseStatus.OPERATING,
        )
        .exclude(enterprise__in=taken)
        .order_by("-issued_on", "enterprise_id")
        .values_list("enterprise_id", "kind", "issued_on")
    )
    queues: dict[str, list] = {kind: [] for kind in reversed(list(rungs))}
    for row in rows:
        queues[row[1]].append(row)
    out, seen = [], set()
    while len(out) < ACHIEVED and any(queues.values()):
        for queue in queues.values():
            while queue:
                enterprise_id, kind, issued = queue.pop(0)
                if enterprise_id not in seen:
                    seen.add(enterprise_id)
                    out.append((enterprise_id, rungs[kind], issued))
                    break
    return out[:ACHIEVED]


def _droppers(rng: random.Random, w: World, taken: set[int]) -> list[int]:
    """A suspended enterprise and a shrinking one, whose 小升规 plans were dropped."""
    suspended = list(
        Enterprise.objects.filter(status=EnterpriseStatus.SUSPENDED, above_scale=False)
        .exclude(pk__in=taken)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    shrinking = list(
        Fact.objects.filter(
            operating=True,
            above_scale=False,
            revenue_growth__lt=-10,
            main_business_revenue__gte=8 * 10**6,
        )
        .exclude(enterprise__in=taken)
        .order_by("enterprise_id")
        .values_list("enterprise_id", flat=True)
    )
    return [rng.choice(pool) for pool in (suspended, shrinking) if pool]


def _plan(
    rng: random.Random,
    w: World,
    enterprise: Enterprise,
    tier: str,
    start: int,
    target: int,
    chain_office: str | None,
) -> tuple[CultivationPlan, list[PlanItem]]:
    fact = getattr(enterprise, "fact", None)
    revenue = fact.revenue if fact and fact.revenue else None
    goal_revenue = _round_yi(revenue * Decimal("1.5")) if revenue else "—"
    plan = CultivationPlan(
        enterprise=enterprise,
        tier=tier,
        goal=GOALS[tier].format(target=target, revenue=goal_revenue),
        official=enterprise.service_officer or w.staff,
        start_year=start,
        target_year=target,
        status=PlanStatus.ACTIVE,
    )
    chain_office = chain_office or "市工信局综合规划处"
    area = (
        f"{enterprise.park.name}管委会"
        if enterprise.park_id
        else f"{enterprise.district.name}工信部门"
    )
    templates = list(ITEMS[tier])
    measures = [t for t in templates if t[0] == ItemKind.MEASURE]
    milestones = [t for t in templates if t[0] == ItemKind.MILESTONE]
    # two to four measures, the final milestone, and the one before it in most plans
    chosen = rng.sample(measures, min(len(measures), rng.randint(2, 4)))
    chosen += [m for m in milestones[:-1] if rng.random() < 0.7] + milestones[-1:]
    first = dt.date(start, 3, 1)
    last = dt.date(target, 12, 31)
    span = (last - first).days
    items = []
    for k, (kind, text, responsible) in enumerate(chosen):
        if kind == ItemKind.MILESTONE and k == len(chosen) - 1:
            due = last - dt.timedelta(days=rng.randrange(0, 45))
        else:
            due = first + dt.timedelta(days=rng.randrange(30, max(31, span * 2 // 3)))
        due = _month_end(due)
        status, done_on = ItemStatus.PLANNED, None
        if due < w.today:
            if rng.random() < 0.75:
                status = ItemStatus.DONE
                done_on = min(due - dt.timedelta(days=rng.randrange(0, 40)), w.today)
            else:  # late: still under way past its day
                status = ItemStatus.UNDER_WAY
        elif rng.random() < 0.12:
            status, done_on = ItemStatus.DONE, w.today - dt.timedelta(days=rng.randrange(1, 60))
        elif (due - w.today).days < 240 and rng.random() < 0.6:
            status = ItemStatus.UNDER_WAY
        items.append(
            PlanItem(
                plan=plan,
                kind=kind,
                text=text,
                responsible=responsible.format(area=area, chain=chain_office),
                due_on=due,
                status=status,
                done_on=done_on,
            )
        )
    return plan, items


# Small helpers -----------------------------------------------------------------------------


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _wan(text: str | None) -> Decimal | None:
    return Decimal(text) * WAN if text else None


def _wan_text(value) -> str:
    if value is None:
        return "—"
    return f"{(Decimal(value) / WAN).quantize(Decimal('0.01')).normalize():f}万元"


def _round_yi(value: Decimal) -> str:
    yi = value / (WAN * WAN)
    if yi >= 1:
        return f"{yi.quantize(Decimal(1)):f}亿元"
    return f"{(value / WAN).quantize(Decimal(100)):f}万元"


def _hundreds(value: Decimal) -> Decimal:
    return (value / 100).to_integral_value(ROUND_DOWN) * 100


def _thousands(value: Decimal) -> Decimal:
    return (value / 1000).to_integral_value(ROUND_DOWN) * 1000


def _month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return following - dt.timedelta(days=1)


def _moment(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _workday(day: dt.date) -> dt.date:
    """`day` if it is a working day, else the next one."""
    while not workdays.is_workday(day):
        day += dt.timedelta(days=1)
    return day


def _office(rng: random.Random, day: dt.date) -> dt.datetime:
    """A moment of office hours (08:30–17:30) of the working day on or after `day`."""
    minute = rng.randrange(8 * 60 + 30, 17 * 60 + 30)
    return _moment(_workday(day), dt.time(minute // 60, minute % 60))


def _after(rng: random.Random, w: World, moment: dt.datetime, low: int, high: int) -> dt.datetime:
    """Office hours of a working day `low` to `high` working days after `moment`; past
    the demo day, some moment after the clock stopped (the days after it are not
    counted: next year's working days may not be published yet)."""
    day = _local_date(moment)
    for _ in range(rng.randint(low, high)):
        if day >= w.today:
            return w.now + dt.timedelta(days=1)
        day = _workday(day + dt.timedelta(days=1))
    return _office(rng, day)
