"""Working-day arithmetic across Spring Festival and National Day with their 调休 working
weekends, worked out by hand from the State Council's 2026 arrangement, and the fallback
for a year chinese-calendar does not cover."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.utils import timezone

from gongxin.core import workdays

D = dt.date


def due(day: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(D.fromisoformat(day), dt.time(23, 59, 59)))


def at(moment: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(moment))


@pytest.mark.parametrize(
    "start, days, expected",
    [
        # An ordinary week: Monday + 1 → Tuesday; Friday + 1 → Monday.
        ("2026-03-02 10:00", 1, "2026-03-03"),
        ("2026-03-06 16:30", 1, "2026-03-09"),
        # The day before National Day (1–7 October off): + 1 → 8 October.
        ("2026-09-30 17:00", 1, "2026-10-08"),
        # + 3 from 30 September: 8, 9 and Saturday 10 October, a 调休 working day.
        ("2026-09-30 09:00", 3, "2026-10-10"),
        # + 5 from 30 September: 8, 9, 10, then Monday 12 and Tuesday 13 October.
        ("2026-09-30 09:00", 5, "2026-10-13"),
        # Spring Festival 2026 (15–23 February off; Saturday 14 Feb and 28 Feb worked):
        # Friday 13 Feb + 1 → Saturday 14 Feb; + 2 → Tuesday 24 Feb.
        ("2026-02-13 11:00", 1, "2026-02-14"),
        ("2026-02-13 11:00", 2, "2026-02-24"),
        # Registered on a holiday: counting starts with the next working day.
        ("2026-10-03 12:00", 1, "2026-10-08"),
        # 0 working days: due the same day if it is one, else the next working day.
        ("2026-10-02 12:00", 0, "2026-10-08"),
        ("2026-03-02 12:00", 0, "2026-03-02"),
    ],
)
def test_deadlines_worked_out_by_hand(start, days, expected):
    assert workdays.add_workdays(at(start), days) == due(expected)


def test_a_moment_late_at_night_counts_from_its_local_date():
    # 23:30 in Nanchang on Friday 6 March is 15:30 UTC: still Friday.
    start = dt.datetime(2026, 3, 6, 15, 30, tzinfo=dt.UTC)
    assert workdays.add_workdays(start, 1) == due("2026-03-09")


def test_workdays_between():
    assert workdays.workdays_between(D(2026, 9, 30), D(2026, 10, 13)) == 5
    assert workdays.workdays_between(D(2026, 10, 13), D(2026, 9, 30)) == -5
    assert workdays.workdays_between(D(2026, 10, 1), D(2026, 10, 7)) == 0


def test_a_year_without_an_arrangement_falls_back_to_weekdays_with_a_warning(caplog):
    first, last = workdays.covered()
    assert first <= 2026 <= last
    later = last + 1
    # 1 January of the next year is a holiday in truth, but the arrangement is not out:
    new_year = D(later, 1, 1)
    workdays._warn.cache_clear()
    workdays.is_workday.cache_clear()
    with caplog.at_level(logging.WARNING, logger="gongxin.core.workdays"):
        assert workdays.is_workday(new_year) is (new_year.weekday() < 5)
    assert str(later) in caplog.text
    assert workdays.uncovered_years(D(last, 12, 1), D(later, 1, 10)) == [later]
    assert workdays.uncovered_years(D(last, 1, 1), D(last, 12, 31)) == []
