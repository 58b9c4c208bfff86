"""Generate the enterprise file the import benchmark reads (CSV, UTF-8, and XLSX).

Rows look like what a district bureau sends in: valid and unique 统一社会信用代码 (USCC,
GB 32100-2015), Chinese names and addresses, districts and parks of the demo city as
`regions_load()` creates them, and GB/T 4754-2017 codes from the industry data migration.
The same seed gives the same file, so runs on different days read identical input.

Needs Django set up (it reads the column headers and the city's regions from gongxin), but
never touches a database; and bench/ on sys.path (the USCCs and names come from
bench/common.py, shared with the chain benchmark), as worker.py puts it.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from common import company_name, uscc_for

_ROADS = [
    "昌东大道", "紫阳大道", "艾溪湖北路", "高新大道", "京东大道", "火炬大街", "丰和中大道",
    "红谷中大道", "迎宾北大道", "小蓝中大道", "金沙大道", "长堎大道", "昌南大道", "双港大道",
    "青山南路", "解放西路", "洪都北大道", "庐山南大道", "学府大道", "枫林大街",
]  # fmt: skip
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国志红文斌辉荣新春海燕玲波"
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
_SCOPE = [
    "一般项目：{p}研发、制造、销售",
    "{p}及配件的生产与销售",
    "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广",
    "货物进出口",
    "技术进出口",
    "机械设备租赁",
    "软件开发",
    "信息系统集成服务",
    "新材料技术研发",
    "普通货物仓储服务（不含危险化学品等需许可审批的项目）",
    "工业设计服务",
    "销售代理",
    "国内贸易代理",
    "企业管理咨询",
    "非居住房地产租赁",
]
_SIZES = ["大型"] * 2 + ["中型"] * 10 + ["小型"] * 45 + ["微型"] * 43
_STATUSES = ["在营"] * 92 + ["停产"] * 4 + ["迁出"] * 2 + ["注销"] * 2


def headers() -> list[str]:
    from gongxin.enterprises.columns import ENTERPRISE_COLUMNS

    return [column.header for column in ENTERPRISE_COLUMNS]


def _places() -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """Districts as (code, name) and parks as (name, host district code, host district name)."""
    from gongxin.core.demo import DISTRICTS, PARKS

    districts = [(code, name) for code, name, _short, _kind in DISTRICTS]
    names = dict(districts)
    zone_district = {code: host for code, _n, _s, _k, host in PARKS if host in names}
    parks = []
    for _code, name, _short, _kind, host in PARKS:
        district = host if host in names else zone_district[host]
        parks.append((name, district, names[district]))
    return districts, parks


def _industries() -> list[tuple[str, str]]:
    """(code, name) of the classes (four digits) and divisions the data migration loads."""
    from gongxin.core.reference import industry_rows

    rows = industry_rows()
    classes = [(code, name) for code, name, level, _p in rows if level == 4]
    divisions = [(code, name) for code, name, level, _p in rows if level == 2 and code >= "13"]
    # Most files carry four-digit classes; a few carry only the division.
    return classes * 4 + divisions


def enterprise_rows(count: int, *, seed: int = 2026) -> Iterator[list[object]]:
    """`count` rows in ENTERPRISE_COLUMNS order: dates as date, money as Decimal (万元)."""
    from stdnum.cn.uscc import calc_check_digit

    rng = random.Random(seed)
    districts, parks = _places()
    industries = _industries()
    epoch = dt.date(1990, 1, 1).toordinal()
    span = dt.date(2025, 12, 31).toordinal() - epoch
    for index in range(count):
        if rng.random() < 0.45:
            park, district_code, district = rng.choice(parks)
        else:
            park = ""
            district_code, district = rng.choice(districts)
        code, industry_name = rng.choice(industries)
        product = industry_name.replace("制造", "").replace("加工", "")[:12]
        name = company_name(
            rng, product=product.split("、")[0], kinds=("科技", "实业", "", "制造", "工业")
        )
        capital = Decimal(round(rng.lognormvariate(6.2, 1.4), 2)).quantize(Decimal("0.01"))
        scope = (
            "；".join(part.format(p=product) for part in rng.sample(_SCOPE, rng.randint(3, 8)))
            + "（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
        )
        size = rng.choice(_SIZES)
        yield [
            uscc_for(
                index,
                region_code=district_code,
                check=calc_check_digit,
                entity_type="1" if rng.random() < 0.97 else "3",
            ),
            name,
            rng.choice(_SURNAMES) + "".join(rng.sample(_GIVEN, rng.choice((1, 2, 2)))),
            dt.date.fromordinal(epoch + rng.randrange(span)),
            capital,
            f"江西省南昌市{district}{rng.choice(_ROADS)}{rng.randint(1, 3999)}号",
            district,
            park,
            code,
            size,
            "是" if size in ("大型", "中型") or rng.random() < 0.15 else "否",
            rng.choice(_STATUSES),
            "、".join(rng.sample([product, product + "配件", product + "材料", "相关零部件"], 2)),
            scope,
            "",  # 包联干部: a fresh benchmark database has no service officers
        ]


def _csv_cell(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_csv(path: Path, count: int, *, seed: int = 2026) -> None:
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers())
        for row in enterprise_rows(count, seed=seed):
            writer.writerow([_csv_cell(v) for v in row])
    tmp.replace(path)


def write_xlsx(path: Path, count: int, *, seed: int = 2026) -> None:
    """Dates as date cells, capital as a number, codes as text (as Excel users keep them)."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("企业名录")
    sheet.append(headers())
    for row in enterprise_rows(count, seed=seed):
        row[4] = float(row[4])
        sheet.append(row)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    workbook.save(tmp)
    tmp.replace(path)
