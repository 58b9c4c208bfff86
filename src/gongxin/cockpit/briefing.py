"""The monthly briefing (工业经济运行简报): a Word document for any month, for the city or
a district, with its XLSX annexes. Written from `cockpit_build` — the cockpit's own data
— so the briefing and the cockpit never disagree; always in Chinese, as it is sent on.

The document: the masthead (title, issue, issuer, date); 一、总体运行 (the headline
sentence, the indicators table, the output chart, the districts); 二、重点产业链;
三、重点项目 (with the projects behind plan); 四、企业诉求办理; 五、一企一策培育;
六、运行预警; 七、下一步工作 — next steps written from what the figures show (growth below
target, projects behind, demands overdue, warnings open), not boilerplate."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone, translation

from gongxin.alerts.choices import Rule
from gongxin.cockpit.selectors import (
    Cockpit,
    cockpit_alerts,
    cockpit_late_projects,
)
from gongxin.core.models import Region, User
from gongxin.core.selectors import bureau_name
from gongxin.core.tabular.writing import XlsxWriter
from gongxin.core.units import YI, to_wan
from gongxin.core.wordfile import HEADING_FONT, TITLE_FONT, new_document
from gongxin.core.wordfile import paragraph as _paragraph
from gongxin.core.wordfile import table as _table
from gongxin.projects.services import judgement_of

TITLE = "工业经济运行简报"


# Numbers in words --------------------------------------------------------------------------


def yi(value) -> str:
    """Yuan in 亿元, two decimals ("—" when missing): as the tables and the text show it."""
    return "—" if value is None else f"{Decimal(value) / YI:,.2f}"


def shown(value) -> str:
    """A reading in its indicator's unit, two decimals."""
    return "—" if value is None else f"{value:,.2f}"


def pct(value, places: int = 1) -> str:
    return "—" if value is None else f"{value:.{places}f}%"


def signed(value) -> str:
    return "—" if value is None else f"{value:+.1f}%"


def change(growth) -> str:
    """同比增长 5.6% / 同比下降 3.1% / 同比持平 / 无可比数据."""
    if growth is None:
        return "无上年同期可比数据"
    if round(growth, 1) == 0:
        return "同比持平"
    return f"同比{'增长' if growth > 0 else '下降'}{abs(growth):.1f}%"


def months_label(month) -> str:
    return f"{month.month}月" if month.month == 1 else f"1—{month.month}月"


def place_name(cockpit: Cockpit) -> str:
    if cockpit.region is not None:
        return cockpit.region.name
    city = Region.objects.filter(kind="city").first()
    return city.name if city else "全市"


def issuer(cockpit: Cockpit) -> str:
    return bureau_name()


def filename(cockpit: Cockpit, suffix: str) -> str:
    return f"{place_name(cockpit)}{TITLE}-{cockpit.month:%Y%m}{suffix}"


# The document's sentences -------------------------------------------------------------------


def headline_sentences(cockpit: Cockpit) -> list[str]:
    """一、总体运行's opening: each headline indicator's year to date, its growth and its
    distance from the target growth."""
    where = "全市" if cockpit.region is None else cockpit.region.name
    parts = []
    for r in cockpit.headline:
        value = f"{shown(r.to_date_shown)}{r.indicator.unit}"
        text = f"{r.indicator.name}{value}，{change(r.to_date_growth)}"
        if r.growth_gap is not None:
            side = "高于" if r.growth_gap >= 0 else "低于"
            gap = f"{abs(r.growth_gap):.1f}个百分点"
            text += f"，{side}年度目标（{r.target_growth:.1f}%）{gap}"
        if r.progress is not None:
            text += f"，完成年度目标的{r.progress:.1f}%"
        if r.province_share is not None:
            text += f"，占全省比重{r.province_share:.1f}%"
        parts.append(text)
    if all(r.to_date is None for r in cockpit.headline):
        return [f"{months_label(cockpit.month)}，{where}尚无企业报送月度数据。"]
    return [f"{months_label(cockpit.month)}，{where}" + "；".join(parts) + "。"]


def project_sentence(cockpit: Cockpit) -> str:
    t = cockpit.projects.total
    count = t.get("projects") or 0
    if not count:
        return "暂无纳入调度的重点项目。"
    return (
        f"纳入调度的重点项目{count}个，计划总投资{yi(t.get('planned'))}亿元，"
        f"累计完成投资{yi(t.get('completed'))}亿元（{pct(t.get('share'))}）；"
        f"{months_label(cockpit.month)}完成投资{yi(cockpit.projects.year_completed)}亿元，"
        f"为同期计划的{pct(cockpit.projects.year_share)}。"
        f"按进度评价，正常{t.get('green') or 0}个、预警{t.get('yellow') or 0}个、"
        f"滞后{t.get('red') or 0}个。"
    )


def demand_sentence(cockpit: Cockpit) -> str:
    d = cockpit.demands
    if not d.received:
        return f"{months_label(cockpit.month)}未受理企业诉求。"
    return (
        f"{months_label(cockpit.month)}共受理企业诉求{d.received}件，办结{d.resolved}件，"
        f"办结率{pct(d.closure_rate)}，按时办结率{pct(d.on_time_rate)}，"
        f"满意率{pct(d.satisfaction_rate)}；尚未办结{d.open}件，其中超期{d.overdue}件。"
    )


def plan_sentence(cockpit: Cockpit) -> str:
    p = cockpit.plans
    if not p.plans:
        return "暂无在培育的一企一策计划。"
    return (
        f"在培育企业{p.plans}家（已实现培育目标{p.achieved}家），"
        f"培育措施{p.items}项、已完成{p.items_done}项（{pct(p.done_share)}），"
        f"逾期未完成{p.items_late}项。"
    )


def practice_sentence(cockpit: Cockpit) -> str:
    """The issued plans' tasks (落实), city-wide; empty for a district's briefing."""
    p = cockpit.practice
    if p is None or not p.plans:
        return ""
    share = pct(Decimal(p.done * 100) / p.tasks) if p.tasks else "—"
    sentence = (
        f"重点工作落实方面，已下达计划{p.plans}个、分解任务{p.tasks}项，已完成{p.done}项"
        f"（{share}），滞后{p.late}项，需关注{p.attention}项"
    )
    if p.missing:
        sentence += f"，缺报进展{p.missing}项"
    return sentence + "。"


def alert_sentence(cockpit: Cockpit) -> str:
    if not cockpit.alerts_total:
        return "当前无未解除的运行预警。"
    parts = [
        f"{label}{cockpit.alerts[code]}条"
        for code, label in RULE_LABELS
        if cockpit.alerts.get(code)
    ]
    return f"当前未解除的运行预警{cockpit.alerts_total}条：" + "，".join(parts) + "。"


RULE_LABELS = [
    (Rule.OUTPUT_DROP, "产值同比下降超20%"),
    (Rule.ELECTRICITY_DROP, "用电量同比下降超20%"),
    (Rule.NO_FIGURES, "当月未报送数据"),
    (Rule.PROJECT_BEHIND, "项目投资滞后计划超30%"),
    (Rule.QUALIFICATION_EXPIRING, "资质90天内到期"),
]


def next_steps(cockpit: Cockpit) -> list[str]:
    """下一步工作: one item for each thing the figures say needs doing."""
    steps = []
    below = [r for r in cockpit.headline if r.growth_gap is not None and r.growth_gap < 0]
    if below:
        names = "、".join(r.indicator.name for r in below)
        steps.append(
            f"加强运行调度。{names}增速低于年度目标，"
            "逐月跟踪重点企业生产经营，帮助企业稳产增产，力争全年目标完成。"
        )
    lagging = [c for c in cockpit.chains if c.growth is not None and c.growth < 0]
    if lagging:
        names = "、".join(c.chain.name for c in lagging)
        steps.append(f"聚焦重点产业链。{names}产业链营收同比下降，由链长办牵头分析原因、精准施策。")
    gaps = sum(c.gaps for c in cockpit.chains)
    if gaps:
        steps.append(f"强化补链延链。各产业链尚有{gaps}个缺链环节，围绕缺链环节开展精准招商。")
    red = cockpit.projects.total.get("red") or 0
    if red:
        steps.append(
            f"推进重点项目建设。对{red}个滞后项目实行挂图作战、逐一督办，"
            "协调解决要素保障问题，确保按计划推进。"
        )
    if cockpit.demands.overdue or cockpit.demands.open:
        steps.append(
            f"抓好诉求闭环办理。督促承办单位办结{cockpit.demands.open}件在办诉求，"
            f"其中{cockpit.demands.overdue}件已超期，纳入督办。"
        )
    drops = cockpit.alerts.get(Rule.OUTPUT_DROP, 0) + cockpit.alerts.get(Rule.ELECTRICITY_DROP, 0)
    if drops:
        steps.append(
            f"做好企业预警走访。对产值或用电量同比下降超20%的{drops}条预警，"
            "由包联干部逐户走访，摸清困难诉求。"
        )
    expiring = cockpit.alerts.get(Rule.QUALIFICATION_EXPIRING, 0)
    if expiring:
        steps.append(f"做好资质续期服务。提醒{expiring}项即将到期资质的企业及时办理复审。")
    if cockpit.practice is not None and cockpit.practice.late:
        steps.append(
            f"抓好重点工作落实。{cockpit.practice.late}项任务已超过完成时限，"
            "实行督办，责任单位限期完成。"
        )
    if cockpit.plans.items_late:
        steps.append(
            f"推进一企一策培育。{cockpit.plans.items_late}项培育措施逾期未完成，责任人限期推进。"
        )
    if not steps:
        steps.append("保持运行平稳。各项指标达到进度要求，继续做好运行监测和企业服务。")
    return steps


# The Word document ---------------------------------------------------------------------------


def indicator_rows(cockpit: Cockpit) -> list[list[str]]:
    return [
        [
            r.indicator.name,
            r.indicator.unit,
            shown(r.month_shown),
            signed(r.month_growth),
            shown(r.to_date_shown),
            signed(r.to_date_growth),
            "—" if r.target_growth is None else f"{r.target_growth:.1f}%",
            pct(r.progress),
            pct(r.province_share),
        ]
        for r in cockpit.readings
    ]


def chain_rows(cockpit: Cockpit) -> list[list[str]]:
    return [
        [
            c.chain.name,
            yi(c.to_date),
            signed(c.growth),
            yi(c.target),
            pct(c.progress),
            str(c.enterprises),
            str(c.gaps),
        ]
        for c in cockpit.chains
    ]


def _chart_png(cockpit: Cockpit) -> bytes | None:
    """Output value by month, this year's bars against last year's line (axis labels are
    month numbers, so no Chinese font is needed)."""
    if not cockpit.trend or not any(v for values in cockpit.trend.values() for v in values):
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    months = list(range(1, 13))
    years = sorted(cockpit.trend)
    fig, ax = plt.subplots(figsize=(7.5, 3.2), dpi=150)
    for year in years:
        values = [None if v is None else float(v / YI) for v in cockpit.trend[year]]
        if year == cockpit.month.year:
            ax.bar(months, [v or 0 for v in values], color="#3b73b9", label=str(year))
        else:
            ax.plot(months, values, color="#e0a100", marker="o", label=str(year))
    ax.set_xticks(months)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out.getvalue()


def briefing_docx(cockpit: Cockpit, user: User, target) -> None:
    """Write the briefing of `cockpit` (as `user` reads it) to `target` (a path or a
    binary file)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    with translation.override("zh-hans"):
        doc = new_document()
        center = WD_ALIGN_PARAGRAPH.CENTER
        _paragraph(
            doc,
            f"{place_name(cockpit)}{TITLE}",
            font=TITLE_FONT,
            size=22,
            bold=True,
            align=center,
            indent=False,
        )
        _paragraph(
            doc,
            f"{cockpit.month.year}年第{cockpit.month.month}期",
            size=14,
            align=center,
            indent=False,
        )
        _paragraph(
            doc,
            f"{issuer(cockpit)}　　{timezone.localdate():%Y年%m月%d日}",
            size=14,
            align=center,
            indent=False,
        )

        _paragraph(doc, "一、总体运行情况", font=HEADING_FONT, size=16)
        for sentence in headline_sentences(cockpit):
            _paragraph(doc, sentence)
        _table(
            doc,
            [
                "指标",
                "单位",
                f"{cockpit.month.month}月",
                "同比",
                "累计",
                "累计同比",
                "目标增速",
                "目标进度",
                "占全省",
            ],
            indicator_rows(cockpit),
        )
        chart = _chart_png(cockpit)
        if chart:
            _paragraph(
                doc,
                f"图1　规上工业总产值分月走势（亿元，柱为{cockpit.month.year}年）",
                size=12,
                align=center,
                indent=False,
            )
            doc.add_picture(io.BytesIO(chart), width=Cm(15.5))
        if cockpit.districts:
            _paragraph(doc, "分区县看，规上工业总产值累计如下：")
            _table(
                doc,
                ["区县", "累计（亿元）", "同比"],
                [
                    [d["region"].name, yi(d["to_date"]), signed(d["growth"])]
                    for d in cockpit.districts
                ],
            )

        _paragraph(doc, "二、重点产业链", font=HEADING_FONT, size=16)
        _paragraph(
            doc, f"{months_label(cockpit.month)}各重点产业链规上企业营业收入及补链情况如下。"
        )
        _table(
            doc,
            [
                "产业链",
                "营收累计（亿元）",
                "同比",
                "年度目标（亿元）",
                "目标进度",
                "链上企业",
                "缺链环节",
            ],
            chain_rows(cockpit),
        )

        _paragraph(doc, "三、重点项目", font=HEADING_FONT, size=16)
        _paragraph(doc, project_sentence(cockpit))
        late = cockpit_late_projects(user, cockpit.region, limit=10)
        if late:
            _paragraph(doc, "滞后项目（按计划总投资排序，前10个）：")
            _table(
                doc,
                ["项目", "业主企业", "区县", "计划总投资（亿元）", "滞后原因"],
                [
                    [
                        p.name,
                        p.enterprise.name if p.enterprise_id else "—",
                        p.district.name if p.district_id else "—",
                        yi(p.planned_investment),
                        "；".join(judgement_of(p).reasons) or "—",
                    ]
                    for p in late
                ],
            )

        _paragraph(doc, "四、企业诉求办理", font=HEADING_FONT, size=16)
        _paragraph(doc, demand_sentence(cockpit))
        _paragraph(doc, "五、一企一策培育", font=HEADING_FONT, size=16)
        _paragraph(doc, plan_sentence(cockpit))
        practice = practice_sentence(cockpit)
        numbers = iter("六七八")
        if practice:
            _paragraph(doc, f"{next(numbers)}、重点工作落实", font=HEADING_FONT, size=16)
            _paragraph(doc, practice)
        _paragraph(doc, f"{next(numbers)}、运行预警", font=HEADING_FONT, size=16)
        _paragraph(doc, alert_sentence(cockpit))
        _table(
            doc,
            ["预警规则", "未解除（条）"],
            [[label, str(cockpit.alerts.get(code, 0))] for code, label in RULE_LABELS],
        )
        _paragraph(doc, f"{next(numbers)}、下一步工作", font=HEADING_FONT, size=16)
        for n, step in enumerate(next_steps(cockpit), start=1):
            _paragraph(doc, f"（{_CN[n]}）{step}")
        _paragraph(doc, "附件：运行简报附表（XLSX）", size=12)
        doc.save(target)


_CN = dict(enumerate("〇一二三四五六七八九十", start=0))


# The XLSX annexes ----------------------------------------------------------------------------


def briefing_annex(cockpit: Cockpit, user: User, target) -> None:
    """The briefing's annexes: the indicators, the districts, the chains, the projects
    behind plan, the demands' closed loop and the open warnings, one sheet each."""
    with translation.override("zh-hans"):
        book = XlsxWriter()
        caption = f"{place_name(cockpit)}{TITLE}附表 · {cockpit.month:%Y-%m}"
        sheet = book.sheet(
            "主要指标",
            [
                "指标",
                "单位",
                "本月",
                "本月同比（%）",
                "累计",
                "累计同比（%）",
                "累计月数",
                "目标增速（%）",
                "年度目标",
                "目标进度（%）",
                "全省累计",
                "占全省比重（%）",
            ],
            widths=[26, 10, 12, 12, 12, 12, 10, 12, 12, 12, 12, 14],
            caption=caption,
        )
        for r in cockpit.readings:
            sheet.append(
                [
                    r.indicator.name,
                    r.indicator.unit,
                    _q(r.month_shown),
                    _q(r.month_growth, 1),
                    _q(r.to_date_shown),
                    _q(r.to_date_growth, 1),
                    r.months,
                    _q(r.target_growth, 1),
                    _q(r.target_shown),
                    _q(r.progress, 1),
                    _q(r.shown(r.province_to_date)),
                    _q(r.province_share, 1),
                ]
            )
        if cockpit.districts:
            sheet = book.sheet(
                "分区县",
                ["区县", "规上工业总产值累计（亿元）", "上年同期（亿元）", "同比（%）"],
                widths=[16, 20, 20, 12],
                caption=caption,
            )
            for d in cockpit.districts:
                sheet.append(
                    [d["region"].name, _yi(d["to_date"]), _yi(d["before"]), _q(d["growth"], 1)]
                )
        sheet = book.sheet(
            "重点产业链",
            [
                "产业链",
                "规上营收累计（亿元）",
                "同比（%）",
                "年度目标（亿元）",
                "目标进度（%）",
                "链上企业",
                "缺链环节",
            ],
            widths=[16, 18, 10, 16, 12, 10, 10],
            caption=caption,
        )
        for c in cockpit.chains:
            sheet.append(
                [
                    c.chain.name,
                    _yi(c.to_date),
                    _q(c.growth, 1),
                    _yi(c.target),
                    _q(c.progress, 1),
                    c.enterprises,
                    c.gaps,
                ]
            )
        sheet = book.sheet(
            "滞后项目",
            [
                "项目编号",
                "项目名称",
                "业主企业",
                "区县",
                "产业链",
                "计划总投资（万元）",
                "累计完成（万元）",
                "责任人",
                "滞后原因",
            ],
            widths=[16, 36, 30, 10, 14, 16, 16, 12, 50],
            caption=caption,
        )
        for p in cockpit_late_projects(user, cockpit.region, limit=None):
            sheet.append(
                [
                    p.code,
                    p.name,
                    p.enterprise.name if p.enterprise_id else "",
                    p.district.name if p.district_id else "",
                    p.chain.name if p.chain_id else "",
                    to_wan(p.planned_investment),
                    to_wan(p.completed_investment),
                    (p.official.display_name or p.official.username) if p.official_id else "",
                    "；".join(judgement_of(p).reasons),
                ]
            )
        d = cockpit.demands
        sheet = book.sheet("企业诉求", ["项目", "数值"], widths=[24, 14], caption=caption)
        for label, value in [
            ("受理（件）", d.received),
            ("办结（件）", d.resolved),
            ("办结率（%）", d.closure_rate),
            ("按时办结率（%）", d.on_time_rate),
            ("满意率（%）", d.satisfaction_rate),
            ("平均办理时长（天）", d.handling_days),
            ("在办（件）", d.open),
            ("超期（件）", d.overdue),
        ]:
            sheet.append([label, value])
        sheet = book.sheet(
            "运行预警",
            ["预警规则", "企业", "项目", "区县", "情况", "责任人", "发现日期"],
            widths=[22, 32, 30, 10, 60, 12, 12],
            caption=caption,
        )
        labels = dict(RULE_LABELS)
        alerts = (
            cockpit_alerts(user, cockpit.region)
            .select_related("enterprise", "project", "district", "official", "qualification")
            .order_by("rule", "-opened_at", "pk")
        )
        for a in alerts.iterator(chunk_size=2000):
            sheet.append(
                [
                    labels.get(a.rule, a.rule),
                    a.enterprise.name if a.enterprise_id else "",
                    a.project.name if a.project_id else "",
                    a.district.name if a.district_id else "",
                    a.description,
                    (a.official.display_name or a.official.username) if a.official_id else "",
                    timezone.localdate(a.opened_at),
                ]
            )
        book.save(target)


def _q(value, places: int = 2):
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-places))


def _yi(value):
    return None if value is None else (Decimal(value) / YI).quantize(Decimal("0.01"))
