"""Import of key projects' monthly progress (重点项目月度进度): the file districts send the
bureau each month, one row per project and month — its planned, completed and equipment
investment in 万元, what was done (形象进度) and, optionally, the stage it has reached.

Each row is written by the services (`month_save`, `steps_save`), so it is checked, audited
and the project's header figures are recomputed exactly as when the month is entered on
the project's page. The project is found by its number (项目编号); a name given in the
file must be the project's, which catches a mistyped number. Whole file or nothing, and
the same file imported again changes nothing."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gongxin.core.audit import diff, snapshot
from gongxin.core.choices import Role
from gongxin.core.models import User
from gongxin.core.selectors import user_edits_everything
from gongxin.core.tabular import columns as c
from gongxin.core.tabular.columns import Column
from gongxin.core.tabular.importing import Change, ChunkOutcome, Importer, ImportRow, RowRejected
from gongxin.core.units import WAN
from gongxin.projects.choices import ProjectStage
from gongxin.projects.models import Project, ProjectMonth, ProjectStep
from gongxin.projects.selectors import project_scope
from gongxin.projects.services import (
    MONTH_FIELDS,
    month_save,
    project_can_report,
    steps_problems,
    steps_save,
)

#: The stages as the progress statistics name them.
STAGE_LABELS = {
    "签约": ProjectStage.SIGNED,
    "立项": ProjectStage.APPROVED,
    "开工": ProjectStage.STARTED,
    "竣工": ProjectStage.COMPLETED,
    "投产": ProjectStage.PRODUCING,
    "达产": ProjectStage.AT_CAPACITY,
}
STAGE_NAMES = {value: label for label, value in STAGE_LABELS.items()}
_stage_choice = c.choice(STAGE_LABELS)


def _stage(cell: object) -> Any:
    """A stage by its label; “已开工” as reports often write it is “开工”."""
    if isinstance(cell, str) and cell.strip().startswith("已"):
        cell = cell.strip()[1:]
    return _stage_choice(cell)


def _money(key: str, header: str, *, required: bool = False, aliases=(), help: str = ""):
    return Column(
        key,
        header,
        c.decimal(scale=WAN),
        required=required,
        aliases=aliases,
        render=c.render_scaled(WAN),
        help=help,
    )


PROGRESS_COLUMNS = [
    Column(
        "code",
        "项目编号",
        c.text(40),
        required=True,
        aliases=("项目代码", "编号"),
        help="项目库中的项目编号，如 XM2026-0001",
        example="XM2026-0001",
    ),
    Column(
        "name",
        "项目名称",
        c.text(200),
        aliases=("名称",),
        help="可不填；填写时须与项目库中的名称一致，用于核对项目编号",
    ),
    Column(
        "month",
        "月份",
        c.month,
        required=True,
        aliases=("年月", "统计月份", "填报月份"),
        render=lambda d: d.strftime("%Y-%m"),
        help="如 2026-10、2026年10月、2026/10",
        example="2026-10",
    ),
    _money(
        "planned",
        "本月计划投资（万元）",
        aliases=("本月计划投资", "计划投资"),
        help="单位：万元",
    ),
    _money(
        "completed",
        "本月完成投资（万元）",
        required=True,
        aliases=("本月完成投资", "完成投资"),
        help="单位：万元；本月之后的月份不能填报",
    ),
    _money(
        "equipment",
        "其中设备投资（万元）",
        aliases=("其中设备投资", "设备投资"),
        help="单位：万元；是本月完成投资的一部分，不能大于它",
    ),
    Column(
        "progress",
        "形象进度",
        c.text(500),
        aliases=("本月形象进度", "进展情况"),
        help="本月完成的主要工作，500 字以内",
    ),
    Column(
        "stage",
        "当前阶段",
        _stage,
        aliases=("项目阶段", "所处阶段"),
        render=lambda v: STAGE_NAMES.get(v, ""),
        help="签约、立项、开工、竣工、投产、达产之一；可不填",
    ),
    Column(
        "reached_on",
        "阶段达到日期",
        c.date,
        aliases=("达到日期",),
        help="当前阶段达到的日期，填写当前阶段时必填，不能晚于今天",
    ),
]
NOTES = (
    "每行是一个重点项目一个月的进度；同一项目同一月份在文件中只能出现一次。",
    "金额单位为万元，可带小数，导入后按元保存。",
    "月份可写 2026-10、2026年10月、2026/10 或日期；本月之后的月份不能填报完成投资。",
    "项目名称可不填；填写时须与项目库中的名称一致，以免项目编号填错。",
    "当前阶段与阶段达到日期一起填写；该阶段的计划日期保持项目库中的不变。",
    "计划投资、设备投资、形象进度各列：文件中有该列而单元格为空时清空原有数据；"
    "文件中没有该列时原有数据保持不变。",
    "只能导入您有权填报进度的项目。同一文件可重复导入，没有变化的行保持不变。",
    "导入为全部成功或全部不导入：任何一行有错，整个文件都不会写入。",
)


def progress_can_import(user: User) -> bool:
    """Officials who report progress on some projects: division staff and administrators,
    district and park staff, service officers (for the projects they are responsible for).
    Not leadership, not enterprise users."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user_edits_everything(user):
        return True
    return (user.role == Role.DISTRICT and bool(user.region_id)) or user.role == Role.OFFICER


def progress_template(target) -> None:
    from gongxin.core.tabular.files import write_template

    write_template(target, title="重点项目月度进度", columns=PROGRESS_COLUMNS, notes=NOTES)


def _name_key(name: str) -> str:
    """Names compared without spaces and with brackets of either width."""
    return re.sub(r"\s", "", name).replace("（", "(").replace("）", ")")


def _wan(value: Decimal) -> str:
    """Yuan as the file wrote it, in 万元 (12345600 → “1234.56 万元”)."""
    return f"{format((value / WAN).normalize(), 'f')} 万元"


Steps = dict[str, tuple[dt.date | None, dt.date | None]]


class ProgressImporter(Importer):
    """Monthly progress by (项目编号, 月份). Columns absent from the file leave what is
    stored; a row identical to what is stored is neither written nor audited."""

    kind = "project_progress"
    model = ProjectMonth
    columns = PROGRESS_COLUMNS
    key_columns = ("code", "month")

    def prepare(self) -> None:
        self.today = timezone.localdate()
        self.this_month = self.today.replace(day=1)
        self.seen: dict[tuple[str, dt.date], int] = {}  # (number, month) -> first row
        self.projects: dict[str, Project] = {}  # by number: those the actor reports on
        self.refused: dict[str, str] = {}  # number -> why the actor may not import it
        #: Each project's stages as they will be once the rows checked so far are written.
        self.steps: dict[int, Steps] = {}
        self.months: dict[tuple[int, dt.date], ProjectMonth] = {}  # of the current chunk
        #: Row -> (stage, dates stored before the row, dates it writes).
        self.step_writes: dict[int, tuple[str, tuple, tuple]] = {}

    def check_row(self, values: dict[str, Any]) -> None:
        errors = []
        month, completed = values.get("month"), values.get("completed")
        equipment, reached = values.get("equipment"), values.get("reached_on")
        if month is not None and completed is not None and month > self.this_month:
            errors.append(
                (
                    "month",
                    _(
                        "%(month)s is still to come: no investment can be reported as "
                        "completed for it yet."
                    )
                    % {"month": f"{month:%Y-%m}"},
                )
            )
        if equipment is not None and completed is not None and equipment > completed:
            errors.append(
                (
                    "equipment",
                    _(
                        "Equipment investment (%(equipment)s) is part of the completed "
                        "investment (%(completed)s): it cannot be more."
                    )
                    % {"equipment": _wan(equipment), "completed": _wan(completed)},
                )
            )
        if reached is not None and reached > self.today:
            errors.append(("reached_on", _("A stage cannot be reached in the future.")))
        if errors:
            raise RowRejected(errors)

    def check_chunk(self, rows: list[ImportRow]) -> dict[int, list[tuple[str, str]]]:
        errors: dict[int, list[tuple[str, str]]] = {}

        def add(row: ImportRow, key: str, reason: str) -> None:
            errors.setdefault(row.number, []).append((key, reason))

        repeats = {}
        for row in rows:
            key = (row.values["code"], row.values["month"])
            first = self.seen.setdefault(key, row.number)
            if first != row.number:
                repeats[row.number] = first
        for number, found in self.repeated(repeats).items():
            errors.setdefault(number, []).extend(found)

        codes = {r.values["code"] for r in rows}
        self._projects_load(codes)
        pks = {self.projects[code].pk for code in codes if code in self.projects}
        self.months = {
            (m.project_id, m.month): m
            for m in ProjectMonth.objects.filter(
                project__in=pks, month__in={r.values["month"] for r in rows}
            )
        }
        new = pks - set(self.steps)
        for pk in new:
            self.steps[pk] = {}
        for step in ProjectStep.objects.filter(project__in=new):
            self.steps[step.project_id][step.stage] = (step.planned_on, step.reached_on)

        for row in rows:
            values = row.values
            project = self.projects.get(values["code"])
            if project is None:
                reason = self.refused.get(values["code"]) or _("No key project has this number.")
                add(row, "code", reason)
                continue
            if values.get("name") and _name_key(values["name"]) != _name_key(project.name):
                add(
                    row,
                    "name",
                    _("Project %(code)s is “%(name)s”: check the project number.")
                    % {"code": project.code, "name": project.name},
                )
            stored = self.months.get((project.pk, values["month"]))
            if (
                "equipment" not in values
                and stored is not None
                and stored.equipment is not None
                and stored.equipment > values["completed"]
            ):
                add(
                    row,
                    "equipment",
                    _(
                        "The equipment investment recorded for this month (%(equipment)s) "
                        "is more than the completed investment; give the equipment column."
                    )
                    % {"equipment": _wan(stored.equipment)},
                )
            stage, reached = values.get("stage"), values.get("reached_on")
            if stage and reached is None:
                add(row, "reached_on", _("Required when the stage is given."))
            elif reached is not None and not stage:
                add(row, "stage", _("Give the stage reached on this date."))
            elif stage:
                for reason in self._stage_check(project, stage, reached, row.number):
                    add(row, "reached_on", reason)
        return errors

    def _projects_load(self, codes: set[str]) -> None:
        """Find the projects of these numbers (one query; the scope in one more and the
        permission once per project): the actor's go to `projects`, the others to
        `refused` with the reason."""
        codes -= set(self.projects) | set(self.refused)
        if not codes:
            return
        found = list(Project.objects.filter(code__in=codes))
        visible = None
        if self.actor is not None:
            visible = set(
                project_scope(self.actor).filter(code__in=codes).values_list("pk", flat=True)
            )
        for project in found:
            if visible is not None and project.pk not in visible:
                self.refused[project.code] = _(
                    "This project is outside your area: you may import only the projects "
                    "you report on."
                )
            elif self.actor is not None and not project_can_report(self.actor, project):
                self.refused[project.code] = _("You may not report on this project.")
            else:
                self.projects[project.code] = project

    def _stage_check(self, project: Project, stage: str, reached: dt.date, number: int):
        """Reasons the stages would be refused once this row's stage is written (the same
        rules as `services.steps_save`: dates follow the order of the stages); otherwise
        record the write for `apply`."""
        steps = self.steps[project.pk]
        old = steps.get(stage, (None, None))
        new = (old[0], reached)  # the planned date stays as stored
        merged = {**steps, stage: new}
        reasons = [r for rs in steps_problems(merged, self.today).values() for r in rs]
        if not reasons:
            steps[stage] = new
            self.step_writes[number] = (stage, old, new)
        return reasons

    def apply(self, rows: list[ImportRow], *, sample: int) -> ChunkOutcome:
        outcome = ChunkOutcome()
        for row in rows:
            values = row.values
            project = self.projects[values["code"]]
            month = values["month"]
            stored = self.months.get((project.pk, month))
            before = snapshot(stored, MONTH_FIELDS) if stored is not None else {}
            data = {key: values[key] for key in MONTH_FIELDS if key in values}
            record = month_save(actor=self.actor, project=project, month=month, data=data)
            after = snapshot(record, MONTH_FIELDS)
            if stored is None:
                changes = {k: [None, v] for k, v in after.items() if v not in (None, "")}
            else:
                changes = diff(before, after)
            write = self.step_writes.pop(row.number, None)
            if write is not None and write[1] != write[2]:
                stage, old, new = write
                steps_save(actor=self.actor, project=project, steps={stage: new})
                changes[f"stage:{stage}"] = [
                    old[1] and old[1].isoformat(),
                    new[1].isoformat(),
                ]
            if stored is None:
                outcome.created += 1
            elif changes:
                outcome.updated += 1
            else:
                outcome.unchanged += 1
                continue
            if len(outcome.changes) < sample:
                outcome.changes.append(
                    Change(
                        row.number,
                        "create" if stored is None else "update",
                        f"{project.code} {project.name} {month:%Y-%m}",
                        changes,
                    )
                )
        return outcome
