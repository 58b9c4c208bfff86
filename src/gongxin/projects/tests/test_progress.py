"""How a key project stands (progress.judge), without a database: a late stage is yellow
from its first day late and red after 30; investment completed in the months before this
one is yellow below 90 % of plan and red below 70 %; a project under way that has not
reported last month is yellow; the worst finding wins and each says why, with its numbers.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from gongxin.projects import progress
from gongxin.projects.choices import Health, ProjectStage
from gongxin.projects.progress import Month, Step, judge

D = Decimal
GREEN, YELLOW, RED = Health.GREEN, Health.YELLOW, Health.RED
ON = dt.date(2026, 6, 15)
MAY = dt.date(2026, 5, 1)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def started(on: dt.date = dt.date(2026, 1, 10)) -> Step:
    return Step(ProjectStage.STARTED, dt.date(2026, 1, 10), on)


def reported(month: dt.date = MAY, planned="100", completed="100") -> Month:
    return Month(month, D(planned) if planned else None, D(completed) if completed else None)


# Schedule --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("late", "health"),
    [(-1, GREEN), (0, GREEN), (1, YELLOW), (30, YELLOW), (31, RED), (400, RED)],
)
def test_a_stage_not_reached_is_yellow_from_its_first_day_late_and_red_after_30(late, health):
    planned = ON - dt.timedelta(days=late)
    result = judge([Step(ProjectStage.APPROVED, planned, None)], [], ON)
    assert result.health == health
    if late > 0:
        (finding,) = result.findings
        assert finding.health == health
        assert finding.reason == f"Approved planned for {planned.isoformat()}, {late} days late"
    else:
        assert result.findings == ()


def test_a_stage_reached_late_or_without_a_plan_is_not_late():
    steps = [
        Step(ProjectStage.SIGNED, None, dt.date(2025, 1, 1)),
        Step(ProjectStage.APPROVED, dt.date(2025, 2, 1), dt.date(2025, 12, 1)),
        Step(ProjectStage.STARTED, None, None),
    ]
    assert judge(steps, [], ON) == progress.Judgement(GREEN, ())


def test_late_stages_are_listed_in_the_order_of_the_stages():
    steps = [
        Step(ProjectStage.COMPLETED, ON - dt.timedelta(days=5), None),
        Step(ProjectStage.APPROVED, ON - dt.timedelta(days=60), None),
    ]
    result = judge(steps, [], ON)
    assert [f.health for f in result.findings] == [RED, YELLOW]
    assert result.reasons == [
        "Approved planned for 2026-04-16, 60 days late",
        "Construction completed planned for 2026-06-10, 5 days late",
    ]
    assert result.health == RED


# Investment ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("completed", "health", "reason"),
    [
        ("100", GREEN, None),
        ("120", GREEN, None),
        ("90", GREEN, None),
        ("89", YELLOW, "investment 89% of plan to date"),
        ("70", YELLOW, "investment 70% of plan to date"),
        ("69", RED, "investment 69% of plan to date"),
        (None, RED, "investment 0% of plan to date"),
    ],
)
def test_investment_behind_plan_is_yellow_below_90_and_red_below_70_percent(
    completed, health, reason
):
    # two months before this one: 60 + 40 planned, the completed split over them
    months = [
        Month(dt.date(2026, 4, 1), D("60"), D(completed) / 2 if completed else None),
        Month(MAY, D("40"), D(completed) / 2 if completed else None),
    ]
    result = judge([], months, ON)
    assert result.health == health
    assert result.reasons == ([reason] if reason else [])


def test_the_current_month_and_later_ones_do_not_count():
    months = [
        reported(MAY, "100", "95"),
        reported(dt.date(2026, 6, 1), "500", None),  # this month: not due yet
        reported(dt.date(2026, 7, 1), "500", None),
    ]
    assert judge([], months, ON).health == GREEN
    # on the first of June, May is the month before: still only May counts
    assert judge([], months, dt.date(2026, 6, 1)).health == GREEN
    # on the last day of May, May itself does not count yet: nothing planned before it
    assert judge([], months, dt.date(2026, 5, 31)).findings == ()


def test_nothing_planned_to_date_is_no_finding():
    months = [reported(MAY, None, "0"), reported(dt.date(2026, 4, 1), "0", None)]
    assert judge([], months, ON) == progress.Judgement(GREEN, ())


def test_investment_to_date_sums_the_months_before_the_month_of_the_day():
    months = [
        reported(dt.date(2025, 11, 1), "10", "7"),
        reported(dt.date(2025, 12, 1), "20", None),
        reported(dt.date(2026, 1, 1), "40", "40"),
    ]
    assert progress.investment_to_date(months, dt.date(2026, 1, 31)) == (D("30"), D("7"))
    assert progress.investment_to_date(months, dt.date(2026, 2, 1)) == (D("70"), D("47"))
    assert progress.investment_to_date([], ON) == (D(0), D(0))


@pytest.mark.parametrize(("completed", "shown"), [("89.6", "89"), ("69.6", "69")])
def test_the_share_shown_never_reaches_the_threshold_it_is_below(completed, shown):
    result = judge([], [reported(MAY, "100", completed)], ON)
    assert result.reasons == [f"investment {shown}% of plan to date"]


# Reporting -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "health"),
    [
        (None, GREEN),
        (ProjectStage.SIGNED, GREEN),
        (ProjectStage.APPROVED, GREEN),
        (ProjectStage.STARTED, YELLOW),
        (ProjectStage.COMPLETED, YELLOW),
        (ProjectStage.PRODUCING, YELLOW),
        (ProjectStage.AT_CAPACITY, GREEN),
    ],
)
def test_a_project_under_way_without_last_months_report_is_yellow(stage, health):
    steps = [Step(stage, None, dt.date(2026, 1, 10))] if stage else []
    result = judge(steps, [], ON)
    assert result.health == health
    if health == YELLOW:
        assert result.reasons == ["no investment reported for 2026-05"]
    else:
        assert result.findings == ()


def test_last_months_report_is_a_completed_figure_even_zero():
    assert judge([started()], [reported(MAY, None, "0")], ON).health == GREEN
    # a plan for last month is no report of it; an older or a newer report neither
    for month in (
        reported(MAY, "0", None),
        reported(dt.date(2026, 4, 1), None, "5"),
        reported(dt.date(2026, 6, 1), None, "5"),
    ):
        result = judge([started()], [month], ON)
        assert result.reasons == ["no investment reported for 2026-05"]


def test_in_january_last_month_is_december_of_the_year_before():
    on = dt.date(2026, 1, 20)
    steps = [started(dt.date(2025, 3, 1))]
    assert judge(steps, [reported(dt.date(2025, 12, 1), None, "1")], on).health == GREEN
    result = judge(steps, [reported(dt.date(2026, 1, 1), None, "1")], on)
    assert result.reasons == ["no investment reported for 2025-12"]


# Month arithmetic and the current stage ----------------------------------------------------


@pytest.mark.parametrize(
    ("day", "previous"),
    [
        (dt.date(2026, 1, 1), dt.date(2025, 12, 1)),
        (dt.date(2026, 1, 31), dt.date(2025, 12, 1)),
        (dt.date(2026, 3, 31), dt.date(2026, 2, 1)),
        (dt.date(2024, 3, 1), dt.date(2024, 2, 1)),
        (dt.date(2026, 12, 31), dt.date(2026, 11, 1)),
    ],
)
def test_previous_month(day, previous):
    assert progress.previous_month(day) == previous
    assert progress.month_start(day) == day.replace(day=1)


def test_current_stage_is_the_furthest_reached():
    day = dt.date(2026, 1, 1)
    assert progress.current_stage([]) == ProjectStage.SIGNED
    assert progress.current_stage([Step(ProjectStage.PRODUCING, day, None)]) == "signed"
    steps = [
        Step(ProjectStage.COMPLETED, day, day),
        Step(ProjectStage.SIGNED, None, day),
        Step(ProjectStage.AT_CAPACITY, day, None),  # planned, not reached
        Step(ProjectStage.STARTED, None, None),
    ]
    assert progress.current_stage(steps) == ProjectStage.COMPLETED
    assert progress.current_stage(iter(steps)) == ProjectStage.COMPLETED


# All together ----------------------------------------------------------------------------


def test_the_worst_finding_wins_and_every_finding_says_why():
    steps = [started(), Step(ProjectStage.COMPLETED, ON - dt.timedelta(days=3), None)]
    months = [reported(dt.date(2026, 4, 1), "100", "60")]
    result = judge(steps, months, ON)
    assert result.health == RED
    assert result.reasons == [
        "Construction completed planned for 2026-06-12, 3 days late",
        "investment 60% of plan to date",
        "no investment reported for 2026-05",
    ]
    assert [f.health for f in result.findings] == [YELLOW, RED, YELLOW]

    # yellows alone stay yellow, however many
    months = [reported(dt.date(2026, 4, 1), "100", "80")]
    result = judge(steps, months, ON)
    assert result.health == YELLOW
    assert len(result.findings) == 3


def test_judge_takes_any_iterables():
    steps = (s for s in [started()])
    months = (m for m in [reported()])
    assert judge(steps, months, ON) == progress.Judgement(GREEN, ())
