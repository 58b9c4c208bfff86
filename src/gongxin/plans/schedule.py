"""When reports are due and how a task stands: 未启动 / 推进中 / 已完成 / 滞后, coloured
green / yellow / red. Plain Python (no queries); `selectors` computes the same in SQL
for lists, and tests hold the two together.

- A report covers a period (a month, or a quarter for quarterly plans) and is due by
  the REPORT_WORKDAYS-th working day after the period ends.
- Red (滞后): the deadline has passed and the task is not completed.
- Yellow: the report for the latest period now due is missing, or the deadline is
  within DUE_SOON_DAYS and the task is not completed.
- Green: otherwise, and always once completed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gongxin.core import workdays
from gongxin.plans.choices import Colour, ReportEvery, State, TaskStatus

#: Working days after a period ends by which its report is due.
REPORT_WORKDAYS = 5
#: A deadline this close (calendar days) turns an unfinished task yellow.
DUE_SOON_DAYS = 30


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_of(day: dt.date, every: str) -> dt.date:
    """The first day of the period `day` falls in."""
    start = month_start(day)
    if every == ReportEvery.QUARTER:
        return start.replace(month=(start.month - 1) // 3 * 3 + 1)
    return start


def period_length(every: str) -> int:
    return 3 if every == ReportEvery.QUARTER else 1


def period_end(period: dt.date, every: str) -> dt.date:
    return add_months(period, period_length(every)) - dt.timedelta(days=1)


def report_due(period: dt.date, every: str) -> dt.date:
    """The last day a report for `period` is on time."""
    return workdays.add_workdays(period_end(period, every), REPORT_WORKDAYS).date()


def due_period(today: dt.date, every: str) -> dt.date:
    """The latest period whose report is due by today (its deadline has passed)."""
    period = add_months(period_of(today, every), -period_length(every))
    while report_due(period, every) >= today:
        period = add_months(period, -period_length(every))
    return period


def period_label(period: dt.date, every: str) -> str:
    if every == ReportEvery.QUARTER:
        return f"{period.year}年第{(period.month - 1) // 3 + 1}季度"
    return f"{period.year}年{period.month}月"


@dataclass(frozen=True)
class Standing:
    state: str
    colour: str
    report_missing: bool


def standing(
    *,
    status: str,
    deadline: dt.date | None,
    last_period: dt.date | None,
    issued_on: dt.date | None,
    every: str,
    reported: bool,
    today: dt.date,
) -> Standing:
    """How a task stands today. `issued_on` is the day its plan was issued (None while a
    draft: no reports are due then); `reported` says whether the task is one that
    reports (a leaf)."""
    if status == TaskStatus.DONE:
        return Standing(State.DONE, Colour.GREEN, False)
    late = deadline is not None and deadline < today
    due = due_period(today, every)
    missing = (
        reported
        and issued_on is not None
        and period_of(issued_on, every) <= due
        and (last_period is None or last_period < due)
    )
    state = State.LATE if late else State(status)
    if late:
        colour = Colour.RED
    elif missing or (deadline is not None and deadline <= today + dt.timedelta(DUE_SOON_DAYS)):
        colour = Colour.YELLOW
    else:
        colour = Colour.GREEN
    return Standing(state, colour, missing)
