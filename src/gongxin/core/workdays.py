"""Chinese working days: statutory holidays and the weekend days worked in exchange (调休),
from chinese-calendar, which covers the years the State Council has published.

For a year it does not cover yet (the next year's arrangement comes out in the autumn),
Monday to Friday are taken as working days; `uncovered_years` says which years of a
period that applies to, so deadlines computed across them can be shown with a warning.

A deadline of N working days after a moment falls at the end (23:59:59 local time) of the
Nth working day after that moment's date: a demand registered on 30 September 2026, the
day before the National Day holiday, to be dispatched within 1 working day, is due at the
end of 8 October.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import lru_cache

import chinese_calendar
from django.utils import timezone

log = logging.getLogger(__name__)

END_OF_DAY = dt.time(23, 59, 59)


@lru_cache(maxsize=1)
def covered() -> tuple[int, int]:
    """The first and last year chinese-calendar knows."""
    years = {day.year for day in chinese_calendar.holidays} | {
        day.year for day in chinese_calendar.workdays
    }
    return min(years), max(years)


def is_covered(year: int) -> bool:
    first, last = covered()
    return first <= year <= last


@lru_cache(maxsize=4096)
def is_workday(day: dt.date) -> bool:
    if is_covered(day.year):
        return chinese_calendar.is_workday(day)
    _warn(day.year)
    return day.weekday() < 5


@lru_cache(maxsize=64)
def _warn(year: int) -> None:
    log.warning(
        "No holiday arrangement for %s in chinese-calendar %s: Monday to Friday are taken "
        "as working days; update chinese-calendar once the State Council publishes it.",
        year,
        getattr(chinese_calendar, "__version__", "?"),
    )


def uncovered_years(start: dt.date, end: dt.date) -> list[int]:
    """The years from `start` to `end` whose working days are guessed (Monday to Friday)."""
    return [year for year in range(start.year, end.year + 1) if not is_covered(year)]


def add_workdays(start: dt.datetime | dt.date, days: int) -> dt.datetime:
    """The end of the `days`-th working day after `start`'s date (aware, local time)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start.date() if isinstance(start, dt.datetime) else start
    if isinstance(start, dt.datetime) and timezone.is_aware(start):
        day = timezone.localtime(start).date()
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        counted += is_workday(day)
    if days == 0 and not is_workday(day):  # due today, or the next working day
        while not is_workday(day):
            day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, END_OF_DAY))


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (negative when end is earlier)."""
    if end < start:
        return -workdays_between(end, start)
    return sum(is_workday(start + dt.timedelta(days=n)) for n in range(1, (end - start).days + 1))
