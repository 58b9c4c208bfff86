"""A plan's tasks with owners, deadlines and latest progress: as XLSX (one row per task,
headings included) and as the progress report officials circulate (工作落实情况通报,
DOCX). Both read the same rows as the plan page, in the acting user's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone, translation

from gongxin.core.models import User
from gongxin.core.selectors import bureau_name
from gongxin.core.tabular.writing import XlsxWriter
from gongxin.core.wordfile import HEADING_FONT, TITLE_FONT, new_document, paragraph, table
from gongxin.plans import schedule, selectors
from gongxin.plans.choices import Colour, State
from gongxin.plans.models import Plan, Report

COLOUR_WORDS = {Colour.GREEN: "绿", Colour.YELLOW: "黄", Colour.RED: "红"}
CN_SECTION = "一二三四五六七八九十"


@dataclass
class Row:
    path: str  # 二.（一）.3
    row: selectors.TreeRow
    latest: Report | None


def rows_of(user: User, plan: Plan, today: dt.date) -> list[Row]:
    """The plan's tasks in order, each with its numbering path and latest report."""
    tree = selectors.plan_tree(user, plan, today)
    latest: dict[int, Report] = {}
    for report in (
        Report.objects.filter(task__in=selectors.task_scope(user), task__plan=plan)
        .order_by("task", "-period")
        .only("task_id", "period", "text", "problems", "next_steps", "reported_at", "late")
    ):
        latest.setdefault(report.task_id, report)
    rows: list[Row] = []

    def visit(items, prefix: str) -> None:
        for item in items:
            mark = item.task.marker.rstrip("、.．") or item.task.number
            path = f"{prefix}{mark}" if not prefix else f"{prefix}.{mark}"
            rows.append(Row(path, item, latest.get(item.task.pk)))
            visit(item.children, path)

    visit(tree, "")
    return rows


def _owners(task) -> tuple[str, str]:
    lead = task.lead.name if task.lead else ""
    others = [d.name for d in task.partners.all()]
    if task.owners_text:
        if lead:
            others.append(task.owners_text)
        else:
            lead = task.owners_text
    return lead, "、".join(others)


def _deadline(task) -> str:
    if task.ongoing:
        return "长期坚持"
    return f"{task.deadline:%Y-%m-%d}" if task.deadline else ""


def _state(row: selectors.TreeRow) -> str:
    if row.task.is_leaf:
        return (
            row.task.get_status_display() if row.task.state != State.LATE else str(State.LATE.label)
        )
    return f"完成{row.done}/{row.leaves}项"


XLSX_HEADERS = [
    "序号",
    "任务",
    "责任单位",
    "配合单位",
    "责任人",
    "完成时限",
    "状态",
    "红黄绿",
    "进度(%)",
    "最新进展",
    "存在问题",
    "下步计划",
    "报送期",
    "报送时间",
    "任务内容",
]


def plan_xlsx(user: User, plan: Plan, target, *, today: dt.date) -> None:
    with translation.override("zh-hans"):
        writer = XlsxWriter()
        sheet = writer.sheet(
            "任务落实情况",
            XLSX_HEADERS,
            widths=[12, 36, 24, 30, 10, 12, 10, 8, 8, 48, 30, 30, 10, 18, 60],
            caption=f"{plan.title}　任务落实情况（截至{today:%Y年%m月%d日}）",
        )
        for item in rows_of(user, plan, today):
            task, latest = item.row.task, item.latest
            lead, partners = _owners(task)
            sheet.append(
                [
                    item.path,
                    task.title,
                    lead,
                    partners,
                    str(task.official or ""),
                    _deadline(task),
                    _state(item.row),
                    COLOUR_WORDS.get(item.row.colour, ""),
                    round(item.row.progress) if not task.is_leaf else task.progress,
                    latest.text if latest else "",
                    latest.problems if latest else "",
                    latest.next_steps if latest else "",
                    latest.period_label if latest else "",
                    timezone.localtime(latest.reported_at).strftime("%Y-%m-%d %H:%M")
                    if latest
                    else "",
                    task.text,
                ]
            )
        writer.save(target)


@dataclass
class Summary:
    tasks: int
    done: int
    done_on_time: int
    in_progress: int
    not_started: int
    late: int
    missing: int
    due_label: str

    @property
    def completion(self) -> str:
        return f"{self.done * 100 / self.tasks:.1f}" if self.tasks else "0"


def summary_of(plan: Plan, rows: list[Row], today: dt.date) -> Summary:
    leaves = [r.row for r in rows if r.row.task.is_leaf]
    done = [r for r in leaves if r.task.state == State.DONE]
    on_time = [
        r
        for r in done
        if r.task.deadline is None
        or (r.task.completed_on and r.task.completed_on <= r.task.deadline)
    ]
    due = schedule.due_period(today, plan.report_every)
    return Summary(
        tasks=len(leaves),
        done=len(done),
        done_on_time=len(on_time),
        in_progress=sum(1 for r in leaves if r.task.state == State.IN_PROGRESS),
        not_started=sum(1 for r in leaves if r.task.state == State.NOT_STARTED),
        late=sum(1 for r in leaves if r.task.state == State.LATE),
        missing=sum(1 for r in leaves if r.task.report_missing),
        due_label=schedule.period_label(due, plan.report_every),
    )


def summary_sentences(plan: Plan, s: Summary) -> list[str]:
    first = (
        f"《{plan.title}》共分解任务{s.tasks}项。截至目前，已完成{s.done}项"
        f"（其中按期完成{s.done_on_time}项），推进中{s.in_progress}项，未启动{s.not_started}项，"
        f"滞后{s.late}项，任务完成率{s.completion}%。"
    )
    second = (
        f"{s.due_label}进展情况应报送{s.tasks - s.done}项，"
        + (f"缺报{s.missing}项。" if s.missing else "均已按时报送。")
        if s.tasks > s.done
        else "全部任务已完成。"
    )
    return [first, second]


def next_steps(s: Summary) -> list[str]:
    steps = []
    if s.late:
        steps.append(
            f"对滞后的{s.late}项任务实行督办，责任单位要分析原因、明确措施和完成时限，逐项销号。"
        )
    if s.missing:
        steps.append(f"缺报进展的{s.missing}项任务，请责任单位于5个工作日内补报。")
    if s.not_started:
        steps.append(f"尚未启动的{s.not_started}项任务，请责任单位尽快制定推进计划并启动实施。")
    if not steps:
        steps.append("各项任务按计划推进，请各责任单位继续按月报送进展，确保按期完成。")
    return steps


def plan_docx(user: User, plan: Plan, target, *, today: dt.date) -> None:
    """The progress report (工作落实情况通报): overall figures, each department's
    record, the late tasks, every task's latest progress, next steps."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    center = WD_ALIGN_PARAGRAPH.CENTER
    with translation.override("zh-hans"):
        rows = rows_of(user, plan, today)
        summary = summary_of(plan, rows, today)
        doc = new_document()
        paragraph(
            doc,
            f"《{plan.title}》",
            font=TITLE_FONT,
            size=22,
            bold=True,
            align=center,
            indent=False,
        )
        paragraph(
            doc, "工作落实情况通报", font=TITLE_FONT, size=22, bold=True, align=center, indent=False
        )
        paragraph(doc, f"（截至{today:%Y年%m月%d日}）", size=14, align=center, indent=False)
        paragraph(
            doc, f"{bureau_name()}　　{today:%Y年%m月%d日}", size=14, align=center, indent=False
        )
        section = iter(CN_SECTION)

        paragraph(doc, f"{next(section)}、总体情况", font=HEADING_FONT, size=16)
        for sentence in summary_sentences(plan, summary):
            paragraph(doc, sentence)

        record = selectors.department_record(user, plan=plan, today=today)
        if record:
            paragraph(doc, f"{next(section)}、各责任单位落实情况", font=HEADING_FONT, size=16)
            table(
                doc,
                ["责任单位", "任务数", "已完成", "按期完成", "滞后", "缺报", "平均进度(%)"],
                [
                    [
                        r.department.name if r.department else "其他责任主体",
                        r.tasks,
                        r.done,
                        r.done_on_time,
                        r.late,
                        r.missing,
                        f"{r.progress:.0f}",
                    ]
                    for r in record
                ],
            )

        late = [r for r in rows if r.row.task.is_leaf and r.row.task.state == State.LATE]
        paragraph(doc, f"{next(section)}、滞后任务", font=HEADING_FONT, size=16)
        if not late:
            paragraph(doc, "目前无滞后任务。")
        for index, item in enumerate(late, start=1):
            task = item.row.task
            lead, _partners = _owners(task)
            progress = item.latest.text if item.latest else "未报送进展"
            paragraph(
                doc,
                f"{index}. {item.path} {task.title}。责任单位：{lead or '未明确'}；"
                f"完成时限：{_deadline(task) or '未明确'}；进度{task.progress}%；"
                f"最新进展：{progress}",
            )

        paragraph(doc, f"{next(section)}、任务推进明细", font=HEADING_FONT, size=16)
        table(
            doc,
            ["序号", "任务", "责任单位", "完成时限", "状态", "进度(%)", "最新进展"],
            [
                [
                    item.path,
                    item.row.task.title,
                    _owners(item.row.task)[0],
                    _deadline(item.row.task),
                    _state(item.row),
                    str(item.row.task.progress),
                    item.latest.text if item.latest else "",
                ]
                for item in rows
                if item.row.task.is_leaf
            ],
            numeric_from=None,
        )

        paragraph(doc, f"{next(section)}、下一步工作", font=HEADING_FONT, size=16)
        for step in next_steps(summary):
            paragraph(doc, step)
        doc.save(target)
