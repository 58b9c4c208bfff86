"""Builders for early-warning tests: monthly figures, key projects with their months,
and warnings made directly (for the pages), all on fixed days.

The sweeps judge as of `ON` (2026-03-10): the latest month reported is `LATEST`
(2026-02) when someone reported it, compared with `YEAR_BEFORE` (2025-02); the month before
it is `PREVIOUS` (2026-01). Investment is counted over the months before March 2026."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from gongxin.alerts.choices import AlertStatus, Rule
from gongxin.alerts.models import Alert
from gongxin.enterprises.models import Enterprise, MonthlyFigure
from gongxin.enterprises.tests.factories import EnterpriseFactory, MonthlyFigureFactory
from gongxin.projects import services as project_services
from gongxin.projects.models import Project, ProjectMonth

D = Decimal

ON = dt.date(2026, 3, 10)
THIS_MONTH = dt.date(2026, 3, 1)
LATEST = dt.date(2026, 2, 1)
PREVIOUS = dt.date(2026, 1, 1)
YEAR_BEFORE = dt.date(2025, 2, 1)
#: When the warnings made directly were raised and last found.
RAISED = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)


def money(value) -> Decimal | None:
    return None if value is None else D(value)


def figure(
    enterprise: Enterprise, period: dt.date, *, output=None, electricity=None
) -> MonthlyFigure:
    """One month's figures with the output value and electricity given (None: not
    reported); the other figures are the factory's."""
    return MonthlyFigureFactory(
        enterprise=enterprise,
        period=period,
        output_value=money(output),
        electricity=money(electricity),
    )


def figure_correct(enterprise: Enterprise, period: dt.date, **values) -> None:
    """Correct a month's figures (output_value=…, electricity=…) as an import would."""
    updated = MonthlyFigure.objects.filter(enterprise=enterprise, period=period).update(
        **{k: money(v) for k, v in values.items()}
    )
    assert updated == 1


def project_make(
    name: str,
    *,
    enterprise: Enterprise | None = None,
    official=None,
    district=None,
    at_capacity: bool = False,
) -> Project:
    """A key project registered through the service (district from the enterprise unless
    given); `at_capacity` records the last stage reached in 2025."""
    data = {
        "name": name,
        "project_type": "expansion",
        "enterprise": enterprise,
        "official": official,
        "planned_investment": D("50000000"),
    }
    if district is not None:
        data["district"] = district
    steps = {"at_capacity": (None, dt.date(2025, 12, 1))} if at_capacity else None
    return project_services.project_save(actor=None, project=None, data=data, steps=steps)


def months_set(project: Project, months: dict[dt.date, tuple]) -> None:
    """The project's investment, {month: (planned, completed)} in yuan (None: not
    reported). Written directly: `projects.services.month_save` judges "a month still to
    come" by today's date, and these tests judge as of fixed days."""
    for month, (planned, completed) in months.items():
        ProjectMonth.objects.update_or_create(
            project=project,
            month=month,
            defaults={"planned": money(planned), "completed": money(completed)},
        )


def _subject(alert: Alert) -> str:
    if alert.rule == Rule.QUALIFICATION_EXPIRING:
        return f"qualification:{alert.qualification.pk}"
    if alert.project is not None:
        return f"project:{alert.project.pk}"
    return f"enterprise:{alert.enterprise.pk}"


class AlertFactory(factory.django.DjangoModelFactory):
    """A warning as the sweep would store it (an output drop of a new enterprise unless
    told otherwise); for the pages, which do not care how it was found."""

    class Meta:
        model = Alert

    rule = Rule.OUTPUT_DROP
    enterprise = factory.SubFactory(EnterpriseFactory)
    project = None
    qualification = None
    subject = factory.LazyAttribute(_subject)
    district = factory.LazyAttribute(
        lambda a: a.project.district if a.project is not None else a.enterprise.district
    )
    official = factory.LazyAttribute(
        lambda a: (
            (a.project.official if a.project is not None else None)
            or (a.enterprise.service_officer if a.enterprise is not None else None)
        )
    )
    period = LATEST
    value = D("3900000.00")
    before = D("5000000.00")
    measure = D("-22.0")
    status = AlertStatus.OPEN
    opened_at = RAISED
    seen_at = RAISED
