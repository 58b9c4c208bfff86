"""XLSX files of key projects as officials hand them on: the filtered list with stages,
investment and health, and the statistics by type, chain and district."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from gongxin.core.tabular.writing import XlsxWriter
from gongxin.core.units import to_wan
from gongxin.projects.choices import Health, ProjectLevel, ProjectStage, ProjectType
from gongxin.projects.services import judgement_of

_CHUNK = 1000
BY_LABELS = {"type": "项目类型", "chain": "产业链", "district": "区县", "health": "进度状态"}


def _share(part, whole) -> Decimal | None:
    if not whole or part is None:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def list_filename() -> str:
    return f"重点项目清单-{timezone.localdate():%Y%m%d}.xlsx"


def list_write(target, projects) -> int:
    """Every project of `projects` (a queryset with its stages and months prefetched)."""
    book = XlsxWriter()
    headers = [
        "项目编号",
        "项目名称",
        "项目类型",
        "级别",
        "业主企业",
        "产业链",
        "区县",
        "园区",
        "计划总投资（万元）",
        "其中设备投资（万元）",
        "累计完成投资（万元）",
        "其中设备（万元）",
        "投资完成率（%）",
        "当前阶段",
        "计划开工",
        "实际开工",
        "计划竣工",
        "实际竣工",
        "进度状态",
        "原因",
        "责任人",
    ]
    sheet = book.sheet(
        "重点项目",
        headers,
        widths=[16, 40, 14, 12, 32, 14, 10, 18, 14, 14, 14, 12, 12, 12, 12, 12, 12, 12, 10, 50, 12],
        caption=f"重点项目清单 · {timezone.localdate():%Y-%m-%d}",
    )
    today = timezone.localdate()
    types, levels = dict(ProjectType.choices), dict(ProjectLevel.choices)
    stages, health = dict(ProjectStage.choices), dict(Health.choices)
    count = 0
    for p in projects.iterator(chunk_size=_CHUNK):
        judged = judgement_of(p, today)
        sheet.append(
            [
                p.code,
                p.name,
                str(types.get(p.project_type, p.project_type)),
                str(levels.get(p.level, p.level)),
                p.enterprise.name if p.enterprise_id else "",
                p.chain.name if p.chain_id else "",
                p.district.name if p.district_id else "",
                p.park.name if p.park_id else "",
                to_wan(p.planned_investment),
                to_wan(p.equipment_planned),
                to_wan(p.completed_investment),
                to_wan(p.equipment_completed),
                _share(p.completed_investment, p.planned_investment),
                str(stages.get(p.stage, p.stage)),
                p.start_planned,
                p.started_on,
                p.end_planned,
                p.completed_on,
                str(health[judged.health]),
                "；".join(judged.reasons),
                str(p.official) if p.official_id else "",
            ]
        )
        count += 1
    book.save(target)
    return count


def statistics_filename() -> str:
    return f"重点项目统计-{timezone.localdate():%Y%m%d}.xlsx"


def statistics_write(target, tables: dict[str, tuple[list[dict], dict]]) -> int:
    """One sheet per grouping: {by: (rows, total)} as `selectors.project_statistics`."""
    book = XlsxWriter()
    count = 0
    for by, (rows, total) in tables.items():
        title = BY_LABELS.get(by, by)
        sheet = book.sheet(
            f"按{title}",
            [
                title,
                "项目数",
                "计划总投资（万元）",
                "累计完成投资（万元）",
                "其中设备（万元）",
                "完成率（%）",
                "红",
                "黄",
                "绿",
            ],
            widths=[20, 10, 16, 16, 14, 12, 8, 8, 8],
            caption=f"重点项目统计（按{title}） · {timezone.localdate():%Y-%m-%d}",
        )
        for row in [*rows, {**total, "label": "合计"}]:
            sheet.append(
                [
                    str(row["label"]) if row.get("label") else "（未填）",
                    row["projects"],
                    to_wan(row["planned"]),
                    to_wan(row["completed"]),
                    to_wan(row["equipment"]),
                    None
                    if row["share"] is None
                    else Decimal(row["share"]).quantize(Decimal("0.1")),
                    row["red"],
                    row["yellow"],
                    row["green"],
                ]
            )
            count += 1
    book.save(target)
    return count
