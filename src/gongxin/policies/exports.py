"""XLSX files of policies, as officials hand them on: the enterprises a policy finds with
the reasons, the 免申即享 list with amounts, the statistics, the ladder's candidates."""

from __future__ import annotations

from django.utils import timezone

from gongxin.core.tabular.writing import XlsxWriter
from gongxin.core.units import to_wan
from gongxin.enterprises.choices import Tier
from gongxin.policies.choices import MatchResult
from gongxin.policies.selectors import match_reasons

_CHUNK = 2000


def reasons_text(outcomes) -> str:
    """What held, what failed and what is missing, as one cell."""
    failed = [o.text for o in outcomes if o.result is False]
    missing = [o.text for o in outcomes if o.result is None]
    parts = []
    if failed:
        parts.append("不满足：" + "；".join(failed))
    if missing:
        parts.append("缺少数据：" + "；".join(missing))
    return "。".join(parts) or "全部条件满足"


def matches_filename(policy) -> str:
    return f"政策匹配企业-{policy.pk}-{timezone.localdate():%Y%m%d}.xlsx"


def matches_write(target, policy, matches) -> int:
    book = XlsxWriter()
    headers = [
        "统一社会信用代码",
        "企业名称",
        "区县",
        "园区",
        "行业代码",
        "匹配结果",
        "可享金额（万元）",
        "依据",
    ]
    sheet = book.sheet(
        "匹配企业",
        headers,
        widths=[22, 36, 12, 20, 10, 12, 16, 80],
        caption=f"{policy.title}（{policy.document_number or '无文号'}）匹配企业清单 · "
        f"{timezone.localdate():%Y-%m-%d}",
    )
    count = 0
    rows = list(matches)
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start : start + _CHUNK]
        reasons = match_reasons(policy, [m.enterprise_id for m in chunk])
        for m in chunk:
            e = m.enterprise
            sheet.append(
                [
                    e.uscc,
                    e.name,
                    e.district.name if e.district_id else "",
                    e.park.name if e.park_id else "",
                    e.industry.code if e.industry_id else "",
                    str(MatchResult(m.result).label),
                    to_wan(m.benefit),
                    reasons_text(reasons.get(m.enterprise_id, [])),
                ]
            )
            count += 1
    book.save(target)
    return count


def due_write(target, rows, year: int) -> int:
    book = XlsxWriter()
    sheet = book.sheet(
        "免申即享",
        ["政策", "文号", "统一社会信用代码", "企业名称", "区县", "可享金额（万元）"],
        widths=[40, 22, 22, 36, 12, 16],
        caption=f"{year}年免申即享兑现清单（待兑现）· {timezone.localdate():%Y-%m-%d}",
    )
    count = 0
    for m in rows:
        sheet.append(
            [
                m.policy.title,
                m.policy.document_number,
                m.enterprise.uscc,
                m.enterprise.name,
                m.enterprise.district.name if m.enterprise.district_id else "",
                to_wan(m.benefit),
            ]
        )
        count += 1
    book.save(target)
    return count


_SUMS = ["申报/兑现笔数", "批准", "驳回", "待审", "批准金额（万元）", "已兑现金额（万元）"]


def _sums(row) -> list:
    return [
        row["applications"],
        row["approved"],
        row["rejected"],
        row["pending"],
        to_wan(row["approved_amount"]),
        to_wan(row["disbursed_amount"]),
    ]


def statistics_write(target, stats) -> None:
    book = XlsxWriter()
    caption = f"{stats.year}年政策申报与兑现统计 · {timezone.localdate():%Y-%m-%d}"
    for title, key, label, rows in (
        ("按政策", "policy__title", "政策", stats.by_policy),
        ("按产业链", "policy__chains__name", "产业链", stats.by_chain),
        ("按区县", "enterprise__district__name", "区县", stats.by_district),
        ("按企业", "enterprise__name", "企业", stats.by_enterprise),
    ):
        sheet = book.sheet(
            title, [label, *_SUMS], widths=[40, 12, 8, 8, 8, 16, 16], caption=caption
        )
        for row in rows:
            sheet.append([row[key] or "—", *_sums(row)])
    book.save(target)


def candidates_write(target, tier: str, facts) -> int:
    book = XlsxWriter()
    sheet = book.sheet(
        "候选企业",
        [
            "统一社会信用代码",
            "企业名称",
            "区县",
            "上年营业收入（万元）",
            "营收增长（%）",
            "研发投入占比（%）",
            "从业人员",
        ],
        widths=[22, 36, 12, 18, 14, 16, 10],
        caption=f"{Tier(tier).label}候选企业 · {timezone.localdate():%Y-%m-%d}",
    )
    count = 0
    for f in facts:
        e = f.enterprise
        sheet.append(
            [
                e.uscc,
                e.name,
                e.district.name if e.district_id else "",
                to_wan(f.revenue),
                f.revenue_growth,
                f.rd_ratio,
                f.employees,
            ]
        )
        count += 1
    book.save(target)
    return count
