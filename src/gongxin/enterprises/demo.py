"""The demo enterprises of the demo city (Nanchang), built deterministically.

Every enterprise is invented and its name ends in “（演示）”. They spread over the city's
key chains and parks with realistic GB/T 4754-2017 classes, products and business scopes,
valid USCCs, qualifications with validity, contacts, service officers, 36 months of monthly
figures (Spring Festival dip, March rebound, year-end push, growth trends, a few sharp
drops for early warnings) and three years of annual figures consistent with them.
Only ``random.Random(seed)`` is used: the same seed builds the same database content.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db import transaction
from stdnum.cn import uscc as stdnum_uscc

from gongxin.core.choices import DISTRICT_KINDS, RegionKind
from gongxin.core.demo import SURNAMES
from gongxin.core.models import Industry, Region, User
from gongxin.enterprises import sizing
from gongxin.enterprises.choices import EnterpriseStatus, SizeClass
from gongxin.enterprises.choices import QualificationKind as Kind
from gongxin.enterprises.choices import QualificationLevel as Level
from gongxin.enterprises.models import (
    AnnualFigure,
    Contact,
    Enterprise,
    MonthlyFigure,
    Qualification,
)

#: The last month with figures; fixed so that the demo never depends on the clock.
DEMO_LAST_MONTH = date(2026, 10, 1)
FIRST_STORED_MONTH = date(2023, 11, 1)
#: Months are generated from January 2023 so that 2023 has full-year totals.
MONTHS = [date(2023 + k // 12, k % 12 + 1, 1) for k in range(46)]
_STORED_FROM = MONTHS.index(FIRST_STORED_MONTH)
YEARS = {2023: range(0, 12), 2024: range(12, 24), 2025: range(24, 36)}
SPRING_FESTIVAL = {
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
}
#: A month of figures: (output_value, revenue, profit, tax, employees, electricity).
_MONTH_FIELDS = ("output_value", "revenue", "profit", "tax", "employees", "electricity")
#: Certificates expiring before this day and renewed at once are recorded as renewed.
_RENEWED_BEFORE = date(2026, 11, 1)
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_DISTRICTS = "360121:5 360112:4 360124:3 360123:2 360111:3 360104:3 360113:1 360102:.5 360103:.5"


class Sub(NamedTuple):
    """A sub-chain or trade: what its enterprises make and where they sit."""

    chain: str  # key chain (重点产业链); "" for general manufacturing
    name: str
    weight: float  # share of the demo enterprises
    industries: str  # GB/T 4754-2017 "code:weight", in groups separated by "|"
    parks: str  # "region code:weight"
    words: str  # industry words of company names: one group per industry group, or one
    products: str  # main products, grouped like the words
    scope: str  # items of the business scope (一般项目), grouped like the words
    licensed: str = ""  # 许可项目
    kwh: float = 0.05  # electricity per yuan of output
    per_head: float = 100  # operating revenue per employee, 万元 a year
    margin: float = 0.05
    big: float = 1.0  # how much more often large and medium enterprises are in it
    tech: float = 1.0  # propensity to innovation qualifications
    grow: float = 0.0  # added to the yearly growth of its enterprises
    tax: float = 1.0  # multiplier of the tax rate
    outside: float = 0.10  # share outside any park
    districts: str = _DISTRICTS  # where those outside parks sit


_PARKS = "xlq:3 jkq:3 xjq:3 shq:2 jxq:3 ayq:2 qshq:2 gxq:1 lkq:1"

# fmt: off
SUBCHAINS = [
    Sub("电子信息", "虚拟现实", 3.5, "3961:4 3969:2 3953:1 3976:2 3913:1", "vrkcc:6 gxq:3",
        "虚拟现实科技 VR科技 光学科技 数字视觉科技 智能显示科技",
        "VR一体机 AR智能眼镜 MR头显 光学模组 近眼显示模组 全景摄像机 体感交互设备",
        "虚拟现实设备制造 可穿戴智能设备制造 智能家庭消费设备制造 光学仪器制造 "
        "电子产品销售 软件开发 数字内容制作服务（不含出版发行）",
        kwh=.03, per_head=90, big=.6, tech=2, districts="360113:4 360102:1 360103:1"),
    Sub("电子信息", "移动智能终端", 6, "3922:4 3912:1 3962:1 | 3982:3 3984:2 3981:2 3974:1",
        "jkq:5 gxq:3 lkq:2", "智能科技 通讯科技 电子科技 智能终端 | 电子 精密电子 电子科技",
        "智能手机 平板电脑 智能手表 车载智能终端 TWS耳机 笔记本电脑主板 | "
        "柔性电路板 微型扬声器 触控显示模组 摄像头模组 片式电感",
        "通信设备制造 移动终端设备制造 电子元器件制造 电子专用材料制造 电子产品销售 "
        "计算机软硬件及外围设备制造 智能车载设备制造 电子元器件批发",
        kwh=.025, per_head=70, margin=.035, big=1.5, tech=1.4),
    Sub("电子信息", "LED及光电通信", 5, "3975:3 3976:3 3972:1 3983:2 | 3872:2 3874:1 | 3921:2",
        "gxq:6 qshq:1 jkq:1", "光电 半导体 光电科技 | 照明 照明科技 光电 | 通信科技 光通信",
        "LED外延片 LED芯片 LED封装器件 MiniLED背光模组 功率半导体器件 MEMS传感器 | "
        "智能照明灯具 LED路灯 LED面板灯 植物照明灯 | 光通信模块 光纤连接器 5G小基站",
        "半导体照明器件制造 光电子器件制造 敏感元件及传感器制造 半导体分立器件制造 "
        "半导体照明器件销售 | 照明器具制造 照明器具销售 半导体照明器件销售 城市照明工程 | "
        "光通信设备制造 通信设备制造 通信设备销售 光纤制造",
        kwh=.05, per_head=80, tech=1.8),
    Sub("航空", "航空装备", 2.5, "3741:1 3744:5 3749:1 3743:1 | 3963:1", "hkc:6 gxq:2 lkq:2",
        "航空科技 航空装备 航空部件 精密机械 | 无人机科技 无人机 智能装备",
        "教练机机体部件 航空发动机零部件 航空复合材料构件 机载电子设备 航空标准件 "
        "航空钣金件 飞机地面保障设备 | 工业无人机 植保无人机 无人机飞控系统",
        "智能无人飞行器制造 航空运输设备销售 通用零部件制造 机械零件、零部件加工 "
        "金属表面处理及热处理加工 复合材料制品制造 技术进出口",
        licensed="民用航空器零部件设计和生产", kwh=.02, per_head=70, big=1.5, tech=2),
    Sub("汽车及装备", "新能源汽车", 1.5, "3612:3 3611:1 | 3630:3 3660:3 | 3620:1", "xlq:5 jkq:3",
        "汽车 新能源汽车 汽车科技 | 专用车 汽车 车业 | 动力 汽车动力",
        "纯电动乘用车 插电混动SUV 轻型客车 | 新能源物流车 专用作业车 汽车车身 挂车 冷藏车 | "
        "汽车发动机 增程器",
        "汽车零部件及配件制造 新能源汽车整车销售 汽车零部件研发 改装汽车制造 "
        "汽车新车销售 机动车改装服务",
        licensed="道路机动车辆生产", kwh=.02, per_head=150, margin=.03, big=5, tech=1.3),
    Sub("汽车及装备", "汽车零部件", 8, "3670:1", "xlq:6 jkq:3 xjq:1",
        "汽车零部件 汽车部件 机械 汽配 精工 汽车电子",
        "制动系统总成 汽车座椅 转向节 汽车线束 铝合金轮毂 车桥总成 汽车空调管路 "
        "减震器 汽车内饰件 电机控制器",
        "汽车零部件及配件制造 汽车零配件批发 机械零件、零部件加工 模具制造 "
        "金属表面处理及热处理加工 橡胶制品制造 塑料制品制造",
        kwh=.05, per_head=90, margin=.045, tech=1.1, districts="360121:4 360104:3 360112:2"),
    Sub("新能源", "新型储能", 3, "3849:3 | 3824:3 3829:2 | 3825:1", "jkq:3 xlq:3 jxq:2 gxq:2",
        "储能科技 新能源科技 能源科技 | 电气 电力科技 | 光伏科技 新能源科技",
        "储能电池系统 液冷储能柜 预制舱式储能电站 | 储能变流器 电池管理系统 充电桩 | "
        "光伏组件 光伏逆变器",
        "储能技术服务 电池制造 电池销售 输配电及控制设备制造 光伏设备及元器件制造 "
        "电力电子元器件制造 充电桩销售 新兴能源技术研发",
        kwh=.04, per_head=110, margin=.04, tech=1.6, grow=.08),
    Sub("新能源", "锂电池", 3, "3841:5 3849:1", "jkq:3 xlq:3 jxq:3 ayq:1",
        "锂电 新能源 电池 锂能科技 动力电池",
        "磷酸铁锂电池 三元动力电池 锂电池模组 储能电芯 两轮车锂电池 电池Pack",
        "电池制造 电池零配件生产 电池销售 新材料技术研发 石墨及碳素制品制造 "
        "电子专用材料制造 储能技术服务",
        kwh=.07, per_head=130, margin=.03, big=1.8, tech=1.4, grow=.06),
    Sub("新材料", "铝型材", 3.5, "3252:6 | 3216:1", "ayq:8 jkq:1",
        "铝业 铝材 门窗 金属材料 | 铝业 金属材料",
        "建筑铝型材 工业铝型材 系统门窗 铝合金模板 铝单板 光伏边框 电池托盘 | "
        "铝棒 铝锭 铝合金锭",
        "有色金属压延加工 有色金属合金制造 金属材料销售 建筑装饰材料销售 "
        "门窗制造加工 金属表面处理及热处理加工 金属门窗工程施工",
        kwh=.06, per_head=180, margin=.03, big=1.2, tech=.8, districts="360123:1"),
    Sub("新材料", "电子材料", 2.5, "3985:4 | 2661:2 2669:1 | 3251:2", "gxq:3 jkq:2 xjq:1 xlq:1",
        "新材料 电子材料 材料科技 | 化学 化工新材料 新材料 | 铜业 铜材",
        "覆铜板 导热界面材料 电子浆料 电子级铜箔 | 高纯电子化学品 湿电子化学品 "
        "光刻胶配套试剂 | 锂电铜箔 漆包线 铜排 铜带",
        "电子专用材料制造 电子专用材料研发 电子专用材料销售 新材料技术研发 | "
        "化工产品生产（不含许可类化工产品） 专用化学产品制造（不含危险化学品） "
        "电子专用材料销售 | 有色金属压延加工 有色金属合金销售 电线、电缆制造",
        kwh=.08, per_head=150, margin=.06, tech=1.6),
    Sub("新材料", "碳素及高分子材料", 2, "3091:3 | 2651:2", "xjq:2 shq:2 jxq:1 xlq:1",
        "碳素 石墨 新材料 | 高分子材料 新材料 化工",
        "等静压石墨 石墨电极 碳纤维复合材料 | 改性塑料粒子 工程塑料 特种树脂",
        "石墨及碳素制品制造 石墨及碳素制品销售 新材料技术推广服务 | "
        "合成材料制造（不含危险化学品） 工程塑料及合成树脂制造 塑料制品销售",
        kwh=.3, per_head=160, margin=.04),
    Sub("医药健康", "医疗器械", 4, "3584:4 3589:2 3581:1 3583:1 3586:1 | 2770:4",
        "jxq:8 gxq:2 xlq:1", "医疗器械 医疗科技 生物医疗 | 卫生材料 医用材料 医疗用品",
        "一次性使用输液器 一次性注射器 医用导管 留置针 血液透析管路 康复辅具 | "
        "医用口罩 医用敷料 医用棉签 麻醉包 医用胶带",
        "第一类医疗器械生产 第一类医疗器械销售 第二类医疗器械销售 医用口罩生产 "
        "卫生用品和一次性使用医疗用品生产 康复辅具适配服务",
        licensed="第二类医疗器械生产 第三类医疗器械生产", kwh=.04, per_head=50, margin=.08,
        tech=1.4, districts="360124:1"),
    Sub("医药健康", "中医药", 3, "2740:3 | 2730:2", "gxq:2 xlq:2 jkq:1 shq:1",
        "药业 制药 中药 | 中药饮片 本草科技 药业",
        "中成药颗粒剂 口服液 胶囊剂 片剂 | 中药饮片 中药配方颗粒 植物提取物",
        "中草药种植 中草药收购 地产中草药（不含中药饮片）购销 医学研究和试验发展 "
        "化妆品批发 日用化学产品销售",
        licensed="药品生产 药品批发", kwh=.03, per_head=80, margin=.1, tech=1.2),
    Sub("医药健康", "生物医药", 2, "2761:3 2762:1 | 2710:1 2720:1", "xlq:3 jkq:2 gxq:2",
        "生物制药 生物科技 生物工程 | 药业 制药 医药科技",
        "重组蛋白药物 单克隆抗体 人用疫苗 血液制品 | 原料药 医药中间体 片剂 注射剂",
        "生物基材料技术研发 细胞技术研发和应用 医学研究和试验发展 "
        "专用化学产品制造（不含危险化学品） 第二类医疗器械销售",
        licensed="药品生产 药品委托生产", kwh=.05, per_head=100, margin=.12, big=.8, tech=1.8),
    Sub("绿色食品", "粮油肉制品", 4, "1311:3 1431:2 1411:1 | 1351:1 1353:2",
        "xlq:4 xjq:2 jxq:1 shq:1 ayq:1", "米业 粮油 食品 农业开发 | 肉类食品 食品 农牧",
        "大米 米粉 速冻米面制品 糕点 挂面 | 鲜冻猪肉 卤味熟食 腊味制品 分割禽肉",
        "粮食收购 食用农产品初加工 食用农产品批发 农副产品销售 畜禽收购 "
        "食品销售（仅销售预包装食品）",
        licensed="食品生产 食品销售", kwh=.04, per_head=90, margin=.05, tech=.4, outside=.3,
        districts="360121:5 360112:4 360124:2 360123:1 360102:.5 360103:.5"),
    Sub("绿色食品", "乳品饮料", 2, "1440:2 | 1523:2 1524:2", "xlq:4 xjq:2 jxq:1",
        "乳业 乳品 | 饮品 饮料 果业 食品",
        "巴氏杀菌乳 酸奶 乳粉 | 果蔬汁饮料 复合果汁 植物蛋白饮料 核桃乳",
        "食品销售（仅销售预包装食品） 农副产品销售 食品进出口 包装材料及制品销售",
        licensed="食品生产", kwh=.05, per_head=110, margin=.06, tech=.4, outside=.3,
        districts="360121:5 360112:4 360124:2 360123:1"),
    Sub("绿色食品", "酒及调味品", 2, "1512:2 | 1513:1 | 1462:2", "xlq:3 xjq:2 jxq:1",
        "酒业 酿造 | 啤酒 酒业 | 调味品 酱业 酿造 食品",
        "浓香型白酒 米香型白酒 白酒 | 啤酒 精酿啤酒 | 酱油 食醋 辣椒酱 豆豉 腐乳",
        "食品销售（仅销售预包装食品） 农副产品销售 食品添加剂销售 日用百货销售",
        licensed="食品生产 酒类经营", kwh=.04, per_head=100, margin=.1, tech=.4, tax=2.5,
        outside=.3, districts="360121:5 360112:4 360124:3 360123:2"),
    Sub("轻工纺织", "现代针纺", 7, "1761:3 1762:1 1712:1 | 1763:2 1821:3 1829:2 | 1811:1 1819:2",
        "qshq:6 jkq:1 xjq:1", "针织 纺织 针纺 | 针织 服饰 制衣 | 服饰 服装 制衣",
        "针织面料 棉纱 印染面料 | 针织T恤 运动休闲服 针织内衣 家居服 童装 | "
        "衬衫 职业装 户外功能服装 夹克",
        "针纺织品及原料销售 服装制造 服饰制造 面料纺织加工 服装服饰批发 "
        "针织或钩针编织物及其制品制造 服装辅料销售",
        kwh=.08, per_head=30, margin=.04, big=.7, tech=.5, outside=.3,
        districts="360111:6 360121:1 360112:1"),
    Sub("", "金属制品", 5, "33:1", _PARKS, "金属制品 钢结构 五金 机械 建材",
        "钢结构件 五金工具 金属门窗 不锈钢制品 紧固件 金属包装容器 锻件",
        "金属结构制造 五金产品制造 金属制品销售 锻件及粉末冶金制品制造 金属切削加工服务",
        kwh=.07, per_head=80, margin=.04, tech=.6, outside=.18),
    Sub("", "通用设备", 4, "34:1", _PARKS, "机械 机电 设备 泵业 动力科技",
        "工业泵 阀门 减速机 空气压缩机 轴承 液压件 起重机械 风机",
        "通用设备制造（不含特种设备制造） 泵及真空设备制造 液压动力机械及元件制造 "
        "机械零件、零部件加工 特种设备销售",
        kwh=.035, per_head=70, tech=1.1, outside=.18),
    Sub("", "专用设备", 3, "35:1", _PARKS, "智能装备 机械 自动化 装备科技",
        "食品机械 环保设备 工业机器人 农业机械 包装机械 锂电生产设备",
        "专用设备制造（不含许可类专业设备制造） 工业机器人制造 环境保护专用设备制造 "
        "农业机械制造 智能基础制造装备制造",
        kwh=.03, per_head=70, tech=1.3, outside=.18),
    Sub("", "电气机械", 2.5, "38:1", _PARKS, "电气 电器 电缆 电机",
        "电线电缆 低压开关柜 变压器 电动机 家用小电器 配电箱",
        "电线、电缆制造 配电开关控制设备制造 变压器、整流器和电感器制造 电机制造 "
        "家用电器制造",
        kwh=.04, per_head=110, margin=.04, tech=1.1, outside=.18),
    Sub("", "橡胶塑料", 4, "29:1", _PARKS, "塑业 塑胶 橡胶 包装 管业",
        "PE给水管 PVC管材 塑料包装袋 注塑件 橡胶密封件 塑料薄膜",
        "塑料制品制造 塑料制品销售 橡胶制品制造 塑料包装箱及容器制造 合成材料销售",
        kwh=.1, per_head=70, margin=.04, tech=.6, outside=.18),
    Sub("", "非金属矿物", 3, "30:1", _PARKS, "建材 新型建材 混凝土 陶瓷 玻璃",
        "商品混凝土 预制构件 加气混凝土砌块 瓷砖 玻璃制品 保温材料",
        "水泥制品制造 砼结构构件制造 建筑材料销售 轻质建筑材料制造 隔热和隔音材料制造",
        kwh=.15, per_head=90, margin=.05, tech=.5, outside=.18),
    Sub("", "化学制品", 2, "26:1", _PARKS, "化工 化学 涂料 新材料",
        "水性涂料 胶粘剂 日化洗涤用品 化学助剂 水处理剂 有机肥料",
        "化工产品生产（不含许可类化工产品） 涂料制造（不含危险化学品） "
        "专用化学产品制造（不含危险化学品） 日用化学产品制造",
        kwh=.12, per_head=120, margin=.06, outside=.18),
    Sub("", "造纸包装", 1.5, "22:1", _PARKS, "纸业 包装 纸品",
        "瓦楞纸箱 彩印包装盒 生活用纸 纸管 蜂窝纸板",
        "纸制品制造 纸和纸板容器制造 包装材料及制品销售 纸制品销售",
        kwh=.1, per_head=70, margin=.04, tech=.5, outside=.18),
    Sub("", "印刷", 1, "23:1", _PARKS, "印务 印刷 彩印",
        "书刊印刷品 商业票据 包装装潢印刷品 不干胶标签 画册",
        "图文设计制作 平面设计 办公用品销售 包装材料及制品销售",
        licensed="包装装潢印刷品印刷 出版物印刷", kwh=.05, per_head=50, tech=.5, outside=.5,
        districts="360102:2 360103:2 360104:2 360111:2 360121:2"),
    Sub("", "家具", 1, "21:1", _PARKS, "家具 家居 木业",
        "办公家具 定制衣柜 实木床 校用课桌椅 软体沙发",
        "家具制造 家具销售 家居用品制造 家具零配件生产 木制容器制造",
        kwh=.05, per_head=50, tech=.4, outside=.18),
    Sub("", "文教用品", 1, "24:1", "jxq:4 xjq:1", "文化用品 笔业 工艺品 体育用品",
        "毛笔 书画用品 文具 健身器材 工艺礼品",
        "文具制造 文具用品批发 体育用品制造 工艺美术品及礼仪用品制造（象牙及其制品除外）",
        kwh=.04, per_head=40, tech=.4, outside=.3, districts="360124:1"),
    Sub("", "仪器仪表", 1.2, "40:1", "gxq:3 jkq:2 qshq:1", "仪器 仪表 测控科技 检测设备",
        "智能水表 电能表 环境监测仪 光学仪器 工业自动化仪表 实验分析仪器",
        "仪器仪表制造 智能仪器仪表制造 电子测量仪器制造 环境监测专用仪器仪表制造",
        kwh=.03, per_head=70, margin=.07, tech=1.6),
    Sub("", "资源综合利用", 1, "42:1", _PARKS, "再生资源 环保科技 资源循环",
        "再生铝锭 再生塑料颗粒 废旧电池回收料 再生铜",
        "再生资源回收（除生产性废旧金属） 再生资源加工 再生资源销售 资源再生利用技术研发",
        kwh=.1, per_head=150, margin=.03, tech=.8, outside=.18),
    Sub("", "设备修理", .5, "43:1", _PARKS, "机电设备 设备维修 工程机械",
        "机电设备维修 工程机械修理 电力设备检修",
        "通用设备修理 专用设备修理 电气设备修理 仪器仪表修理",
        kwh=.03, per_head=50, tech=.5, outside=.3),
    Sub("", "钢材加工", .5, "31:1", "jkq:1 xjq:1 shq:1", "钢业 特钢 金属材料",
        "热轧带钢 冷轧板 钢筋 焊管", "钢压延加工 金属材料制造 金属材料销售",
        kwh=.25, per_head=300, margin=.02, big=1.5, tech=.5),
    Sub("", "皮革制鞋", .5, "19:1", _PARKS, "鞋业 皮具 皮革",
        "运动鞋 皮鞋 箱包 皮革制品", "鞋制造 箱包制造 皮革制品制造 制鞋原辅材料制造",
        kwh=.04, per_head=30, tech=.3, outside=.18),
    Sub("", "木材加工", .5, "20:1", _PARKS, "木业 竹木 人造板",
        "胶合板 竹木地板 木门 生态板", "木材加工 人造板制造 竹制品制造 地板制造",
        kwh=.06, per_head=50, tech=.3, outside=.18),
]

_TRADE_FIRST = ("赣澜瑞鸿昌豫翰澄璟岚骏锦睿泓晟曜沣熠琮珩湛钧启朗崇昕霖宸灏瀚瑾铖"
                "彦晖禾嘉煜钰峻逸卓润聚立弘众亿景浩信致博恒凌宏安康誉瀛昊轩奕")
_TRADE_SECOND = ("澜川越泰宇辰达远凯跃图盛创合丰祥裕新峰鑫诚邦拓航腾驰铭赫岳琪翔"
                 "源晨科域勤德力英迈康和昇烁玮瀚骐策衡嵘璞瓴麟沐霆炜")
#: Well-known real trade names, never used (华 and 天 start too many to be first at all).
_FAMOUS = {"恒瑞", "恒力", "众泰", "立讯", "信达", "康泰", "瑞康", "博腾", "安泰", "宏达",
           "恒达", "卓越", "启明", "致远", "恒泰", "润和", "嘉和", "鸿达", "宏源", "亿航",
           "恒康", "安康", "信和", "博德", "宏图", "众合", "聚力", "安盛", "安科", "康力",
           "景德", "景泰", "博创", "信泰", "立达", "恒腾", "博源", "康德"}
_GIVEN_FIRST = "建志国文晓海明伟俊春秀丽小新立永学家子思佳雨欣宇浩振冬红玉金少长天德"
_GIVEN_SECOND = ("华明强军平林峰芳燕红涛勇斌杰辉玲敏静婷磊超刚波鹏宇浩凯琳娟霞云龙飞"
                 "亮东梅萍兰英丹洁琴瑶")
_ROAD_STEMS = ["兴业", "瑞丰", "聚贤", "锦程", "昌泰", "云湖", "桂苑", "青岚", "嘉禾", "明德",
               "汇智", "长荣", "宏业", "澄湖", "翠岭", "松涛", "鼎新", "和畅", "金穗", "凤栖",
               "望岳", "汇源", "晨光", "润泽", "启航", "腾飞", "科创", "智造", "振兴", "富民"]
_ROAD_SUFFIXES = ["路", "路", "大道", "大道", "大街", "一路", "二路", "三路", "东路", "西路",
                  "南路", "北路"]
_PHONE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                   "152", "155", "156", "157", "158", "159", "180", "181", "182", "183", "185",
                   "186", "187", "188", "189"]
_SCOPE_COMMON = ["货物进出口", "技术进出口", "非居住房地产租赁", "机械设备租赁", "国内贸易代理",
                 "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广",
                 "普通货物仓储服务（不含危险化学品等需许可审批的项目）"]
_SCOPE_GENERAL_END = "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
_SCOPE_LICENSED_END = "（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
_FIRST_TITLES = ("总经理", "办公室主任", "行政经理", "综合部部长")
_OTHER_TITLES = ("财务总监", "财务经理", "副总经理", "办公室主任", "人力资源经理", "生产厂长")
#: Classes only large or medium enterprises are in (vehicle and aircraft makers).
_BIG_ONLY = {"3611", "3612", "3620", "3741"}

# Size classes of the population and, for small enterprises, the share that is 规上
# (main business revenue ≥ 20 million yuan): about 42 % 规上 in all.
SIZE_SHARES = ((SizeClass.LARGE, .03), (SizeClass.MEDIUM, .12), (SizeClass.SMALL, .50))
SMALL_ABOVE_SCALE_SHARE = .55
#: Exponent of Sub.big in the chance of a sub-chain, by size class.
_SIZE_BIAS = {SizeClass.LARGE: 1, SizeClass.MEDIUM: .5, SizeClass.SMALL: 0, SizeClass.MICRO: -.5}
_NOISE = {SizeClass.LARGE: .04, SizeClass.MEDIUM: .06, SizeClass.SMALL: .08, SizeClass.MICRO: .12}
_BASE_SEASON = (.97, .97, 1.07, .99, 1.01, 1.06, .96, .97, 1.04, .97, 1.02, 1.14)
_POWER_SEASON = (1.04, 1.0, .98, .97, 1.0, 1.03, 1.08, 1.08, 1.02, .98, .99, 1.03)

# Qualification batches (invented dates). Current certificates rotate over the batches, so
# some expire in Dec 2026 – Feb 2027; "renewed" batches also record the certificate before.
_CERTIFICATE = {Kind.HIGH_TECH: "GR{y}36{n:06d}", Kind.INNOVATIVE_SME: "CXZX{y}36{n:04d}",
                Kind.SPECIALIZED_SME: "ZJTX{y}36{n:04d}", Kind.LITTLE_GIANT: "XJR{y}{n:04d}",
                Kind.SINGLE_CHAMPION: "DXGJ{y}{n:03d}", Kind.CHAIN_MASTER: "NCLZ{y}{n:03d}",
                Kind.TECH_CENTER: "QYJSZX{y}{n:04d}", Kind.GREEN_FACTORY: "LSGC{y}{n:04d}",
                Kind.SMART_FACTORY: "ZNZZ{y}{n:04d}"}
_HIGH_TECH = (Kind.HIGH_TECH, Level.NATIONAL, ((2023, 12, 8), (2024, 12, 6), (2025, 11, 28),
              (2023, 11, 22), (2024, 12, 6), (2025, 11, 28)))
_INNOVATIVE = (Kind.INNOVATIVE_SME, Level.PROVINCIAL, ((2024, 1, 18), (2024, 9, 20),
               (2025, 8, 15), (2026, 6, 30), (2025, 8, 15)))
_SPECIALIZED = (Kind.SPECIALIZED_SME, Level.PROVINCIAL, ((2023, 12, 15), (2024, 12, 27),
                (2025, 12, 19), (2024, 12, 27), (2025, 12, 19)))
_LITTLE_GIANT = (Kind.LITTLE_GIANT, Level.NATIONAL, ((2023, 7, 28), (2024, 8, 9), (2025, 7, 30)))
_CHAMPION = (Kind.SINGLE_CHAMPION, Level.NATIONAL, ((2024, 11, 26), (2023, 12, 20),
             (2024, 11, 30)))
#: When each programme began: no certificate is older.
_SINCE = {Kind.HIGH_TECH: date(2008, 1, 1), Kind.INNOVATIVE_SME: date(2022, 6, 1),
          Kind.SPECIALIZED_SME: date(2013, 1, 1), Kind.LITTLE_GIANT: date(2019, 5, 1),
          Kind.SINGLE_CHAMPION: date(2016, 1, 1)}
_LAPSED = {Kind.HIGH_TECH: ((2021, 12, 15), (2022, 12, 14)),
           Kind.INNOVATIVE_SME: ((2022, 10, 28), (2023, 6, 30)),
           Kind.SPECIALIZED_SME: ((2022, 12, 30),)}
#: (kind, level, share of all enterprises, also below 规上, first year) — no expiry.
_RECOGNITIONS = ((Kind.TECH_CENTER, Level.NATIONAL, .006, False, 2012),
                 (Kind.TECH_CENTER, Level.PROVINCIAL, .03, False, 2014),
                 (Kind.TECH_CENTER, Level.MUNICIPAL, .04, True, 2016),
                 (Kind.GREEN_FACTORY, Level.NATIONAL, .005, False, 2018),
                 (Kind.GREEN_FACTORY, Level.PROVINCIAL, .02, False, 2019),
                 (Kind.SMART_FACTORY, Level.PROVINCIAL, .015, False, 2021))
_SME_WEIGHT = {SizeClass.MEDIUM: 1.5, SizeClass.SMALL: 1.2, SizeClass.MICRO: .4}
# fmt: on


def _pairs(text: str) -> tuple[list[str], list[float]]:
    """Keys and weights of a table like "a:1 b:2.5"."""
    pairs = [item.split(":") for item in text.replace("|", " ").split()]
    return [key for key, _ in pairs], [float(weight) for _, weight in pairs]


def _group(text: str, g: int) -> list[str]:
    """The words of the g-th "|"-separated group of a text (its last if it has fewer)."""
    groups = text.split("|")
    return groups[min(g, len(groups) - 1)].split()


def _pick(rng: random.Random, text: str) -> str:
    return rng.choices(*_pairs(text))[0]


def _money(value: float) -> Decimal:
    return Decimal(round(value * 100)).scaleb(-2)


def _nice(value: float) -> Decimal:
    """Two significant digits, as registered capital is written."""
    step = 10 ** max(0, int(math.log10(value)) - 1)
    return _money(round(value / step) * step)


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _season(month: date, festive: bool) -> float:
    """Seasonal factor: Spring Festival dip (a week before to two weeks after the festival),
    March rebound, December push; festive trades sell more the month before the holiday."""
    festival = SPRING_FESTIVAL[month.year]
    end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    first = max(month, festival - timedelta(days=7))
    last = min(end, festival + timedelta(days=14))
    lost = max(0, (last - first).days + 1) / end.day
    factor = _BASE_SEASON[month.month - 1] * (1 - 0.55 * lost)
    before = festival - timedelta(days=20)
    if festive and (before.year, before.month) == (month.year, month.month):
        factor *= 1.15
    return factor


_SEASONS = {festive: [_season(m, festive) for m in MONTHS] for festive in (False, True)}


def _weighted_sample(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """k items without replacement, heavier ones more likely (Efraimidis–Spirakis)."""
    keyed = sorted(((rng.random() ** (1 / w), i) for i, w in enumerate(weights) if w > 0))
    return [items[i] for _, i in reversed(keyed[-k:])] if k > 0 else []


@dataclass
class _Draft:
    """One enterprise being built, with what is not stored on the enterprise itself."""

    index: int
    sub: Sub
    size: str  # the size class aimed at; the figures are drawn well inside its bounds
    above: bool
    status: str
    warning: bool  # a sharp drop in the last months (early-warning case)
    revenue: float = 0.0  # operating revenue of 2025, yuan
    employees: int = 0
    enterprise: Enterprise | None = None
    months: list = field(default_factory=list)  # a _MONTH_FIELDS tuple or None, per month
    stored: list = field(default_factory=list)  # whether the month has a MonthlyFigure
    ratios: tuple = ()  # main business share of revenue, assets per revenue, asset growth
    quals: list = field(default_factory=list)  # (kind, level, issued_on, expires_on)


def _plan(rng: random.Random, count: int) -> list[_Draft]:
    """Size class, 规上 target, status and early warning of each enterprise."""
    sizes = []
    for size, share in SIZE_SHARES:
        sizes += [size] * round(share * count)
    sizes = (sizes + [SizeClass.MICRO] * count)[:count]
    rng.shuffle(sizes)
    above = [s != SizeClass.MICRO and rng.random() < SMALL_ABOVE_SCALE_SHARE for s in sizes]
    above = [a or sizes[i] in (SizeClass.LARGE, SizeClass.MEDIUM) for i, a in enumerate(above)]
    status = [EnterpriseStatus.OPERATING] * count
    for j, i in enumerate(rng.sample(range(count), round(0.03 * count))):
        status[i] = EnterpriseStatus.SUSPENDED if j % 3 else EnterpriseStatus.MOVED_OUT
    candidates = [i for i in range(count) if above[i] and status[i] == EnterpriseStatus.OPERATING]
    warned = set(rng.sample(candidates, min(len(candidates), max(2, count // 250))))
    drafts = []
    for i in range(count):
        weights = [s.weight * s.big ** _SIZE_BIAS[sizes[i]] for s in SUBCHAINS]
        sub = rng.choices(SUBCHAINS, weights)[0]
        drafts.append(_Draft(i, sub, sizes[i], above[i], status[i], i in warned))
    return drafts


def _targets(rng: random.Random, d: _Draft) -> None:
    """2025 operating revenue and employees, well inside the bounds of the size class."""
    u = rng.random()
    if d.size == SizeClass.LARGE:
        revenue, band = 4.6e8 * 30 ** (u**2.2), (1100, 30000)
    elif d.size == SizeClass.MEDIUM:
        revenue, band = 2.6e7 * 14 ** (u**1.3), (330, 920)
    elif d.size == SizeClass.SMALL:
        revenue = 2.4e7 * 6 ** (u**1.8) if d.above else 3.6e6 * 5.2**u
        band = (24, 285)
    elif rng.random() < 0.8:
        revenue, band = 3e5 * 45**u, (3, 17)
    else:  # micro by revenue: a workshop with a few dozen people
        revenue, band = 5e5 * 5.4**u, (22, 60)
    heads = revenue / (d.sub.per_head * 1e4 * rng.lognormvariate(0, 0.35))
    low, high = band
    if not low <= heads <= high:  # outside the class: somewhere near the nearer bound
        near = (high / low) ** (0.5 * rng.random() ** 1.5)
        heads = low * near if heads < low else high / near
    d.revenue, d.employees = revenue, int(heads)


def _trade_names(rng: random.Random) -> list[str]:
    names = [a + b for a in _TRADE_FIRST for b in _TRADE_SECOND if a != b]
    names = [n for n in names if n not in _FAMOUS]
    rng.shuffle(names)
    return names


def _name(rng: random.Random, trade: str, d: _Draft, words: list[str], taken: set[str]) -> str:
    forms = ["有限公司"] * 3
    if d.size in (SizeClass.LARGE, SizeClass.MEDIUM):
        forms += ["股份有限公司"] * (3 if d.size == SizeClass.LARGE else 1)
    if d.size == SizeClass.LARGE:
        forms.append("集团有限公司")
    start = rng.randrange(len(words))
    for attempt in range(len(words) * 4):
        word, form, r = words[(start + attempt) % len(words)], rng.choice(forms), rng.random()
        if r < 0.08:  # investors from elsewhere put the city after the trade name
            name = f"{trade}（南昌）{word}{form}（演示）"
        else:
            name = f"{'江西' if r < 0.55 else '南昌'}{trade}{word}{form}（演示）"
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError(f"no free name for the trade name {trade}")


def _person(rng: random.Random) -> str:
    surname = SURNAMES[int(len(SURNAMES) * rng.random() ** 2)]  # common surnames more often
    given = rng.choice(_GIVEN_SECOND)
    return surname + (rng.choice(_GIVEN_FIRST) + given if rng.random() < 0.7 else given)


def _uscc(rng: random.Random, district: Region, established: date, taken: set[str]) -> str:
    """A unique USCC: 91 (an enterprise), the district's GB/T 2260 code, a GB 11714
    organisation code with its check digit, and the GB 32100 check digit."""
    while True:
        if established.year >= 2016:  # organisation codes issued since the USCC reform
            body = "MA3" + "".join(rng.choice(_USCC_ALPHABET) for _ in range(5))
        else:
            body = rng.choice("1567") + "".join(rng.choice("0123456789") for _ in range(7))
        total = sum(int(c, 36) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
        check = (11 - total % 11) % 11
        base = "91" + district.code + body + ("X" if check == 10 else str(check))
        code = base + stdnum_uscc.calc_check_digit(base)
        if code not in taken:
            taken.add(code)
            return code


def _location(rng: random.Random, d: _Draft, regions: dict[str, Region]):
    """(district, park or None): large plants sit in parks more often than others."""
    if rng.random() < d.sub.outside * (0.3 if d.size == SizeClass.LARGE else 1):
        return regions[_pick(rng, d.sub.districts)], None
    park = district = regions[_pick(rng, d.sub.parks)]
    while district.kind not in DISTRICT_KINDS:
        district = district.parent
    return district, park


def _address(rng: random.Random, district: Region, park: Region | None) -> str:
    place = district.name if park is None or district.kind == RegionKind.COUNTY else ""
    if park is not None:
        place += park.name.removeprefix("南昌").removeprefix("江西")
    road = rng.choice(_ROAD_STEMS) + rng.choice(_ROAD_SUFFIXES)
    building = f"{rng.randint(1, 12)}栋" if rng.random() < 0.25 else ""
    return f"江西省南昌市{place}{road}{rng.randint(1, 2999)}号{building}"


def _scope(rng: random.Random, sub: Sub, g: int) -> str:
    """经营范围 as the business licence writes it, at most 200 characters."""
    own = _group(sub.scope, g)
    items = rng.sample(own, min(len(own), rng.randint(3, 5)))
    items += rng.sample(_SCOPE_COMMON, rng.randint(1, 3))
    head = ""
    if sub.licensed:
        head = f"许可项目：{'，'.join(sub.licensed.split())}{_SCOPE_LICENSED_END}"
    while len(text := f"{head}一般项目：{'，'.join(items)}{_SCOPE_GENERAL_END}") > 200:
        items.pop()
    return text


def _enterprise(rng, d: _Draft, trade: str, regions, industries, names, usccs) -> Enterprise:
    district, park = _location(rng, d, regions)
    classes = [
        (code, weight, g)
        for g, group in enumerate(d.sub.industries.split("|"))
        for code, weight in zip(*_pairs(group), strict=True)
        if d.size in (SizeClass.LARGE, SizeClass.MEDIUM) or code not in _BIG_ONLY
    ]
    code, _, g = rng.choices(classes, [c[1] for c in classes])[0]
    first = {SizeClass.LARGE: 1995, SizeClass.MEDIUM: 1995, SizeClass.SMALL: 1998}.get(d.size, 2004)
    year = rng.randint(first, 2016 if d.size == SizeClass.LARGE else 2024)
    established = date(year, rng.randint(1, 11 if year == 2024 else 12), rng.randint(1, 28))
    low, high = {SizeClass.LARGE: (1e8, 3e9), SizeClass.MEDIUM: (1e7, 3e8)}.get(d.size, (1e5, 5e7))
    capital = min(max(d.revenue * rng.uniform(0.05, 0.5), low), high)
    products = _group(d.sub.products, g)
    return Enterprise(
        uscc=_uscc(rng, district, established, usccs),
        name=_name(rng, trade, d, _group(d.sub.words, g), names),
        legal_representative=_person(rng),
        established_on=established,
        registered_capital=_nice(capital),
        address=_address(rng, district, park),
        district=district,
        park=park,
        industry=industries[code],
        status=d.status,
        main_products="、".join(rng.sample(products, rng.randint(1, min(3, len(products))))),
        business_scope=_scope(rng, d.sub, g),
    )


def _growth(rng: random.Random, d: _Draft, young: bool) -> float:
    """Yearly growth: most +3…+15 %, some fast, some declining; new plants grow fast."""
    r = rng.random()
    if young:
        return rng.uniform(0.2, 0.5)
    if r < 0.15:
        return rng.uniform(-0.15, -0.01)
    return d.sub.grow + (rng.uniform(0.15, 0.3) if r < 0.27 else rng.uniform(0.03, 0.15))


def _levels(rng, d: _Draft, start: int, stop: int, growth: float, drop_from: int) -> list:
    """Relative monthly activity: trend × season × noise, ramp-up, early-warning drop."""
    seasons, noise = _SEASONS[d.sub.chain == "绿色食品"], _NOISE[d.size]
    drop = rng.uniform(0.55, 0.7)
    levels = [0.0] * len(MONTHS)
    for k in range(start, stop):
        level = (1 + growth) ** ((k - 29.5) / 12) * seasons[k] * max(0.3, rng.gauss(1, noise))
        if start > 0:  # a new plant ramps up over half a year
            level *= min(1, 0.35 + 0.65 * (k - start) / 6)
        if d.warning and k >= drop_from:  # orders collapse
            level *= drop * 0.92 ** (k - drop_from)
        if stop < len(MONTHS) and k == stop - 1:  # winding down before stopping or moving
            level *= 0.5
        levels[k] = level
    return levels


def _figures(rng: random.Random, d: _Draft) -> None:
    """The 46 months from January 2023; 2025 revenue sums to the target (to the cent)."""
    n, established = len(MONTHS), d.enterprise.established_on
    start = max(0, (established.year - 2023) * 12 + established.month)  # the month after
    stop = n
    if d.status == EnterpriseStatus.MOVED_OUT:
        stop = rng.randint(37, 44)
    elif d.status == EnterpriseStatus.SUSPENDED:
        stop = rng.randint(40, 45)
    growth, drop_from = _growth(rng, d, young=start > 0), rng.randint(41, 43)
    levels = _levels(rng, d, start, stop, growth, drop_from)
    scale = d.revenue / sum(levels[24:36])
    margin = d.sub.margin + rng.gauss(0, 0.03)
    if rng.random() < 0.08:
        margin = -rng.uniform(0.01, 0.08)
    out_ratio, tax_rate = rng.uniform(0.98, 1.06), rng.uniform(0.02, 0.05) * d.sub.tax
    kwh, micro = d.sub.kwh * rng.uniform(0.7, 1.3), d.size == SizeClass.MICRO
    skip = {SizeClass.SMALL: 0.02, SizeClass.MICRO: 0.06}.get(d.size, 0)
    reports = not (micro and rng.random() < 0.3)  # some micro firms file no monthly report
    d.months, d.stored = [None] * n, [False] * n
    for k in range(start, stop):
        t, revenue = (k - 29.5) / 12, scale * levels[k]
        output = revenue * out_ratio * rng.gauss(1, 0.02)
        profit = revenue * (margin + rng.gauss(0, 0.04 if micro else 0.02))
        tax = revenue * tax_rate * max(0.0, rng.gauss(1, 0.2))
        heads = d.employees * (1 + growth * 0.4) ** t * rng.gauss(1, 0.01)
        heads *= 0.93 if d.warning and k >= drop_from else 1
        base = scale * (1 + growth) ** t * out_ratio  # the plant's load when running normally
        power = kwh * (0.8 * output + 0.2 * base) * _POWER_SEASON[MONTHS[k].month - 1]
        power = Decimal(round(power * rng.gauss(1, 0.03) * 10)).scaleb(-1)
        money = (_money(output), _money(revenue), _money(profit), _money(tax))
        d.months[k] = (*money, max(1, round(heads)), power)
        d.stored[k] = k >= _STORED_FROM and reports and rng.random() >= skip
    assets = rng.uniform(0.6, 1.6) * (1.5 if d.sub.kwh > 0.1 else 1)
    d.ratios = (rng.uniform(0.95, 1.0), assets, growth * 0.7)


def _annual_totals(d: _Draft, year: int) -> dict | None:
    """A year's totals: the sum of its months (stored or not), average employees."""
    months = [d.months[k] for k in YEARS[year] if d.months[k] is not None]
    if not months:
        return None
    totals = {f: sum(m[i] for m in months) for i, f in enumerate(_MONTH_FIELDS) if i != 4}
    del totals["electricity"]
    totals["main_business_revenue"] = _money(float(totals["revenue"]) * d.ratios[0])
    totals["employees"] = round(sum(m[4] for m in months) / len(months))
    return totals


def _classify(d: _Draft) -> None:
    """Size class and 规上 from the last full year's figures, as the statistics do."""
    totals, e = _annual_totals(d, 2025), d.enterprise
    e.size_class = sizing.size_class(employees=totals["employees"], revenue=totals["revenue"])
    e.above_scale = bool(sizing.is_above_scale(totals["main_business_revenue"]))


def _issue(d: _Draft, kind: str, level: str, on: date, *, expires: bool = True) -> bool:
    """Record a certificate if the enterprise was at least a year old then."""
    if on < _years_later(d.enterprise.established_on, 1):
        return False
    d.quals.append((kind, level, on, _years_later(on, 3) if expires else None))
    return True


def _award(rng, pool: list[_Draft], weights, k: int, kind: str, level: str, batches) -> list:
    """k holders; the j-th gets the j-th batch (rotating, or the next one it was old enough
    for); some renewed an earlier certificate, some renewed at expiry."""
    chosen = _weighted_sample(rng, pool, weights, k)
    for j, d in enumerate(chosen):
        for step in range(len(batches)):
            on = date(*batches[(j + step) % len(batches)])
            if _issue(d, kind, level, on):
                earlier, later = _years_later(on, -3), _years_later(on, 3)
                if earlier >= _SINCE[kind] and rng.random() < 0.6:
                    _issue(d, kind, level, earlier)
                if later < _RENEWED_BEFORE and rng.random() < 0.5:
                    _issue(d, kind, level, later)
                break
    return chosen


def _lapse(rng, pool: list[_Draft], k: int, kind: str, level: str) -> None:
    """k enterprises whose certificate expired and was not renewed."""
    pool = [d for d in pool if all(q[0] != kind for q in d.quals)]
    for j, d in enumerate(rng.sample(pool, min(k, len(pool)))):
        _issue(d, kind, level, date(*_LAPSED[kind][j % len(_LAPSED[kind])]))


def _qualifications(rng: random.Random, drafts: list[_Draft]) -> None:
    """高企 ~20 % of 规上, 创新型中小企业 ~12 %, 专精特新 ~8 %, 小巨人 ~1.5 %, a few
    单项冠军, ~12 链主, technology centres, green and smart factories."""
    n = len(drafts)
    above = [d for d in drafts if d.enterprise.above_scale]
    below = [d for d in drafts if not d.enterprise.above_scale]

    def has(d: _Draft, kind: str) -> bool:
        return any(q[0] == kind for q in d.quals)

    _award(rng, above, [d.sub.tech for d in above], round(0.2 * len(above)), *_HIGH_TECH)
    _award(rng, below, [d.sub.tech for d in below], round(0.04 * len(below)), *_HIGH_TECH)
    _lapse(rng, above, round(0.03 * len(above)), *_HIGH_TECH[:2])
    smes = [d for d in drafts if d.size != SizeClass.LARGE]
    weights = [d.sub.tech * _SME_WEIGHT[d.size] * (1 + 1.5 * has(d, Kind.HIGH_TECH)) for d in smes]
    _award(rng, smes, weights, round(0.12 * n), *_INNOVATIVE)
    _lapse(rng, smes, round(0.02 * n), *_INNOVATIVE[:2])
    smes = [d for d in smes if d.size != SizeClass.MICRO]
    weights = [
        d.sub.tech * (1 + 3 * has(d, Kind.INNOVATIVE_SME)) * (1 + has(d, Kind.HIGH_TECH))
        for d in smes
    ]
    specialized = _award(rng, smes, weights, round(0.08 * n), *_SPECIALIZED)
    _lapse(rng, smes, round(0.01 * n), *_SPECIALIZED[:2])
    giants = [d for d in specialized if d.enterprise.above_scale]
    _award(rng, giants, [d.sub.tech for d in giants], round(0.015 * n), *_LITTLE_GIANT)
    key = [d for d in above if d.sub.chain and d.status == EnterpriseStatus.OPERATING]
    big = [d for d in key if d.size in (SizeClass.LARGE, SizeClass.MEDIUM)]
    _award(rng, big, [d.revenue for d in big], max(1, min(4, round(n / 1000))), *_CHAMPION)
    _chain_masters(key, max(1, round(n * 12 / 3000)))
    _recognitions(rng, above, drafts, n)


def _chain_masters(key: list[_Draft], n: int) -> None:
    """链主: the largest enterprises of the key chains, one per chain before a second."""
    ranked, seen = [], {}
    for d in sorted(key, key=lambda d: (-d.revenue, d.index)):
        seen[d.sub.chain] = seen.get(d.sub.chain, 0) + 1
        ranked.append((seen[d.sub.chain], -d.revenue, d.index, d))
    for j, (*_, d) in enumerate(sorted(ranked, key=lambda r: r[:3])[:n]):
        d.quals.append((Kind.CHAIN_MASTER, Level.MUNICIPAL, date(2022 + j % 2, 3, 18), None))


def _recognitions(rng: random.Random, above: list[_Draft], drafts: list[_Draft], n: int) -> None:
    """Technology centres, green and smart factories: no expiry, issued on various dates."""
    taken: set[int] = set()
    for kind, level, share, everyone, first_year in _RECOGNITIONS:
        pool = [d for d in (drafts if everyone else above) if d.index not in taken]
        pool = [d for d in pool if d.size != SizeClass.MICRO]
        weights = [d.sub.tech * math.log10(d.revenue) ** 2 for d in pool]
        for d in _weighted_sample(rng, pool, weights, round(share * n)):
            on = date(rng.randint(first_year, 2025), rng.randint(1, 12), rng.randint(1, 28))
            if _issue(d, kind, level, on, expires=False):
                taken.add(d.index)


def _officers(rng: random.Random, drafts: list[_Draft], officers: list[User]) -> None:
    """Every 规上 enterprise and ~30 % of the others, in even blocks by district and park."""
    served = [d for d in drafts if rng.random() < 0.3 or d.enterprise.above_scale]
    served.sort(key=lambda d: (d.enterprise.district.code, d.enterprise.park_id or 0, d.index))
    for j, d in enumerate(served if officers else []):
        d.enterprise.service_officer = officers[j * len(officers) // len(served)]


def _contacts(rng: random.Random, d: _Draft) -> list[Contact]:
    counts = {SizeClass.LARGE: (0, 0, 1), SizeClass.MEDIUM: (0, 1, 1), SizeClass.SMALL: (3, 4, 2)}
    n = rng.choices((1, 2, 3), counts.get(d.size, (6, 4, 0)))[0]
    titles = [rng.choice(_FIRST_TITLES)]
    titles += rng.sample([t for t in _OTHER_TITLES if t != titles[0]], n - 1)
    return [
        Contact(
            enterprise=d.enterprise,
            name=_person(rng),
            title=title,
            phone=rng.choice(_PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}",
            is_primary=j == 0,
        )
        for j, title in enumerate(titles)
    ]


def _rows(rng: random.Random, d: _Draft, serials: dict) -> tuple[list, list, list]:
    """Qualification, monthly and annual rows of one enterprise (once its pk is set)."""
    e, quals, annual = d.enterprise, [], []
    for kind, level, issued, expires in sorted(d.quals, key=lambda q: (q[0], q[2])):
        serials[kind, issued.year] = serials.get((kind, issued.year), 0) + rng.randint(1, 9)
        number = _CERTIFICATE[kind].format(y=issued.year, n=serials[kind, issued.year])
        quals.append(
            Qualification(
                enterprise=e,
                kind=kind,
                level=level,
                certificate_no=number,
                issued_on=issued,
                expires_on=expires,
            )
        )
    monthly = [
        MonthlyFigure(enterprise=e, period=MONTHS[k], **dict(zip(_MONTH_FIELDS, m, strict=True)))
        for k, m in enumerate(d.months)
        if d.stored[k]
    ]
    held = [q[0] for q in d.quals if q[3] is None or q[3] > date(2025, 1, 1)]
    if Kind.SPECIALIZED_SME in held or Kind.LITTLE_GIANT in held:
        rd_share = rng.uniform(0.04, 0.08)
    elif Kind.HIGH_TECH in held:
        rd_share = rng.uniform(0.03, 0.06)
    else:
        rd_share = rng.uniform(0.003, 0.02)
    for year in YEARS:
        if (totals := _annual_totals(d, year)) is not None:
            assets = d.revenue * d.ratios[1] * (1 + d.ratios[2]) ** (year - 2025)
            share = min(0.08, max(0.003, rd_share * rng.uniform(0.9, 1.1)))  # 0.3 … 8 %
            rd = float(totals["revenue"]) * share
            # small firms with next to no R&D and no qualification often leave the R&D
            # line of the annual statistics empty: an archive has gaps (待补充信息)
            unreported = not held and d.size in ("small", "micro") and share < 0.0045
            annual.append(
                AnnualFigure(
                    enterprise=e,
                    year=year,
                    rd_expense=None if unreported else _money(rd),
                    total_assets=_money(assets),
                    **totals,
                )
            )
    return quals, monthly, annual


@transaction.atomic
def enterprises_build(
    *, seed: int, count: int, regions: dict[str, Region], officers: list[User]
) -> list[Enterprise]:
    """Create `count` demo enterprises with their qualifications, contacts and figures.

    Deterministic: the same seed (with the same regions, industries and officers) always
    gives the same rows. Returns the saved enterprises in creation order.
    """
    rng = random.Random(seed)
    codes = sorted({c for s in SUBCHAINS for c in _pairs(s.industries)[0]})
    industries = {i.code: i for i in Industry.objects.filter(code__in=codes)}
    trades, names, usccs = _trade_names(rng), set(), set()
    drafts = _plan(rng, count)
    for d in drafts:
        # past the pool of two-character trade names, a third character keeps names apart
        trade = trades[d.index % len(trades)] + _TRADE_SECOND[: d.index // len(trades)][-1:]
        _targets(rng, d)
        d.enterprise = _enterprise(rng, d, trade, regions, industries, names, usccs)
        _figures(rng, d)
        _classify(d)
    _qualifications(rng, drafts)
    _officers(rng, drafts, officers)
    enterprises = Enterprise.objects.bulk_create([d.enterprise for d in drafts], batch_size=500)
    contacts, quals, monthly, annual, serials = [], [], [], [], {}
    for d in drafts:
        contacts += _contacts(rng, d)
        q, m, a = _rows(rng, d, serials)
        quals.extend(q)
        monthly.extend(m)
        annual.extend(a)
    for model, rows in ((Contact, contacts), (Qualification, quals), (MonthlyFigure, monthly),
                        (AnnualFigure, annual)):  # fmt: skip
        model.objects.bulk_create(rows, batch_size=2000)
    return enterprises


_CHAIN_OF_INDUSTRY: dict[str, str] = {}
for _sub in SUBCHAINS:
    for _code in _pairs(_sub.industries)[0]:
        _CHAIN_OF_INDUSTRY.setdefault(_code, _sub.chain)


def enterprise_short_name(name: str) -> str:
    """A demo enterprise's name as projects and platforms are named after it: without the
    demo mark, its place and its company form (“南昌润霆汽车有限公司（演示）” → “润霆汽车”)."""
    name = name.removesuffix("（演示）")
    for prefix in ("南昌市", "南昌", "江西省", "江西"):
        name = name.removeprefix(prefix)
    for suffix in ("股份有限公司", "有限责任公司", "有限公司"):
        name = name.removesuffix(suffix)
    return name


def enterprise_chain(enterprise: Enterprise) -> str:
    """The key chain of a demo enterprise, from its industry class ("" for none)."""
    return _CHAIN_OF_INDUSTRY.get(enterprise.industry.code, "") if enterprise.industry_id else ""


def enterprise_accounts_pick(enterprises: list[Enterprise], n: int = 24) -> list[Enterprise]:
    """n operating enterprises for the demo enterprise accounts: large 规上 ones first, then
    medium, small and micro ones, each time one whose chain and district are least used."""
    pool = sorted(
        (e for e in enterprises if e.status == EnterpriseStatus.OPERATING), key=lambda e: e.uscc
    )
    quotas = {SizeClass.LARGE: max(1, n // 8), SizeClass.MEDIUM: n // 4, SizeClass.MICRO: n // 4}
    quotas[SizeClass.SMALL] = n - sum(quotas.values())
    picked, chains, districts = [], {}, {}

    def take(candidates: list[Enterprise]) -> bool:
        chosen = {e.pk for e in picked}
        candidates = [e for e in candidates if e.pk not in chosen]
        if not candidates:
            return False
        best = min(
            candidates,
            key=lambda e: (
                e.park_id is None,
                chains.get(enterprise_chain(e), 0),
                districts.get(e.district_id, 0),
                not e.above_scale,
            ),
        )
        picked.append(best)
        chains[enterprise_chain(best)] = chains.get(enterprise_chain(best), 0) + 1
        districts[best.district_id] = districts.get(best.district_id, 0) + 1
        return True

    for size in (SizeClass.LARGE, SizeClass.MEDIUM, SizeClass.SMALL, SizeClass.MICRO):
        for _ in range(quotas[size]):
            take([e for e in pool if e.size_class == size])
    while len(picked) < min(n, len(pool)) and take(pool):
        pass
    return picked
