"""How a key project stands (红黄绿), from its stages and its months alone: plain Python,
no database, so the services, the pages and the tests judge it the same way.

- Schedule: a stage whose planned date has passed without being reached is late: yellow
  up to `LATE_DAYS`, red beyond.
- Investment: what was completed in the months before this one against what was planned
  for them: below `BEHIND_YELLOW` of it yellow, below `BEHIND_RED` red (more than 30 %
  behind plan).
- Reporting: a project under way (started, not yet at capacity) that has not reported
  last month's investment is yellow.

The worst of the three is the project's health; each finding says why, in words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from gongxin.projects.choices import STAGE_ORDER, Health, ProjectStage

LATE_DAYS = 30
BEHIND_YELLOW = Decimal("0.9")
BEHIND_RED = Decimal("0.7")
_RANK = {Health.GREEN: 0, Health.YELLOW: 1, Health.RED: 2}


@dataclass(frozen=True)
class Step:
    stage: str
    planned_on: dt.date | None
    reached_on: dt.date | None


@dataclass(frozen=True)
class Month:
    month: dt.date  # first day
    planned: Decimal | None
    completed: Decimal | None


@dataclass(frozen=True)
class Finding:
    health: str
    reason: str


@dataclass(frozen=True)
class Judgement:
    health: str
    findings: tuple[Finding, ...]

    @property
    def reasons(self) -> list[str]:
        return [f.reason for f in self.findings]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def previous_month(day: dt.date) -> dt.date:
    first = month_start(day)
    return month_start(first - dt.timedelta(days=1))


def current_stage(steps: Iterable[Step]) -> str:
    """The furthest stage reached (签约 when none is)."""
    reached = [STAGE_ORDER.index(s.stage) for s in steps if s.reached_on is not None]
    return STAGE_ORDER[max(reached)] if reached else ProjectStage.SIGNED


def investment_to_date(months: Iterable[Month], on: dt.date) -> tuple[Decimal, Decimal]:
    """(planned, completed) summed over the months before the month of `on`."""
    this_month = month_start(on)
    planned = completed = Decimal(0)
    for m in months:
        if m.month < this_month:
            planned += m.planned or 0
            completed += m.completed or 0
    return planned, completed


def judge(steps: Iterable[Step], months: Iterable[Month], on: dt.date) -> Judgement:
    steps, months = list(steps), list(months)
    labels = dict(ProjectStage.choices)
    findings: list[Finding] = []

    for step in sorted(steps, key=lambda s: STAGE_ORDER.index(s.stage)):
        if step.planned_on is None or step.reached_on is not None or step.planned_on >= on:
            continue
        late = (on - step.planned_on).days
        findings.append(
            Finding(
                Health.RED if late > LATE_DAYS else Health.YELLOW,
                _("%(stage)s planned for %(day)s, %(late)d days late")
                % {"stage": labels[step.stage], "day": step.planned_on.isoformat(), "late": late},
            )
        )

    planned, completed = investment_to_date(months, on)
    if planned > 0:
        share = completed / planned
        if share < BEHIND_YELLOW:
            findings.append(
                Finding(
                    Health.RED if share < BEHIND_RED else Health.YELLOW,
                    # rounded down: 89.6 % reads 89 %, under the 90 % it falls short of
                    _("investment %(share)s%% of plan to date") % {"share": int(share * 100)},
                )
            )

    # under way since before this month (started, not yet at full capacity): it reports
    started = next(
        (s.reached_on for s in steps if s.stage == ProjectStage.STARTED and s.reached_on), None
    )
    stage = current_stage(steps)
    under_way = STAGE_ORDER.index(stage) >= STAGE_ORDER.index(ProjectStage.STARTED)
    if started is None and under_way:  # a later stage reached, the start not recorded
        started = min((s.reached_on for s in steps if s.reached_on), default=None)
    if (
        under_way
        and stage != ProjectStage.AT_CAPACITY
        and started is not None
        and started < month_start(on)
    ):
        last = previous_month(on)
        if not any(m.month == last and m.completed is not None for m in months):
            findings.append(
                Finding(
                    Health.YELLOW,
                    _("no investment reported for %(month)s") % {"month": f"{last:%Y-%m}"},
                )
            )

    health = max((f.health for f in findings), key=_RANK.__getitem__, default=Health.GREEN)
    return Judgement(health, tuple(findings))
