"""What each early-warning rule finds in the data on a day: a few queries per rule, each
over the whole archive, whatever its size.

- output and electricity: an enterprise's figure of the latest month reported, down more
  than `DROP` on the same month a year before;
- no figures: an enterprise above designated size that reported the month before the
  latest month reported and has not reported that month;
- project behind: a key project under way whose investment completed in the months before
  this one is under `progress.BEHIND_RED` of what was planned for them (more than 30 %
  behind plan, the project's red line);
- qualification expiring: a qualification that expires within `EXPIRY_DAYS` days and has
  not been renewed (no later certificate of the same kind expiring later or not at all)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, Subquery, Sum

from gongxin.alerts.choices import Rule
from gongxin.enterprises.choices import EnterpriseStatus
from gongxin.enterprises.models import MonthlyFigure, Qualification
from gongxin.projects import progress
from gongxin.projects.choices import ProjectStage
from gongxin.projects.models import Project, ProjectMonth

#: Down more than this share on the year before (20 %).
DROP = Decimal("0.2")
EXPIRY_DAYS = 90
_SLACK = Decimal("0.000001")


@dataclass(frozen=True)
class Found:
    rule: str
    subject: str
    period: dt.date
    enterprise_id: int | None = None
    project_id: int | None = None
    qualification_id: int | None = None
    district_id: int | None = None
    official_id: int | None = None
    value: Decimal | None = None
    before: Decimal | None = None
    measure: Decimal | None = None


def latest_month(on: dt.date) -> dt.date | None:
    """The latest month any enterprise reported figures for, up to the month of `on`."""
    return (
        MonthlyFigure.objects.filter(period__lte=on.replace(day=1))
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )


def month_before(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.1"))


def figure_drops(rule: str, figure: str, on: dt.date) -> list[Found]:
    """Enterprises whose `figure` of the latest month fell more than `DROP` year on year."""
    month = latest_month(on)
    if month is None:
        return []
    year_before = MonthlyFigure.objects.filter(
        enterprise=OuterRef("enterprise"), period=month.replace(year=month.year - 1)
    ).values(figure)[:1]
    rows = (
        MonthlyFigure.objects.filter(period=month, **{f"{figure}__isnull": False})
        .annotate(before=Subquery(year_before))
        # a hair loose in SQL (SQLite multiplies in floating point), exact below
        .filter(before__gt=0, **{f"{figure}__lt": F("before") * (1 - DROP + _SLACK)})
        .values_list(
            "enterprise_id",
            "enterprise__district_id",
            "enterprise__service_officer_id",
            figure,
            "before",
        )
    )
    rows = [
        (enterprise, district, officer, Decimal(value), Decimal(before))
        for enterprise, district, officer, value, before in rows
        if Decimal(value) < Decimal(before) * (1 - DROP)
    ]
    return [
        Found(
            rule=rule,
            subject=f"enterprise:{enterprise}",
            period=month,
            enterprise_id=enterprise,
            district_id=district,
            official_id=officer,
            value=value,
            before=before,
            measure=_percent(value - before, before),
        )
        for enterprise, district, officer, value, before in rows
    ]


def figures_missing(on: dt.date) -> list[Found]:
    """Enterprises above designated size, operating, that reported the month before the
    latest month reported and not that month."""
    month = latest_month(on)
    if month is None:
        return []
    reported = MonthlyFigure.objects.filter(enterprise=OuterRef("enterprise"), period=month)
    rows = (
        MonthlyFigure.objects.filter(
            period=month_before(month),
            enterprise__above_scale=True,
            enterprise__status=EnterpriseStatus.OPERATING,
        )
        .exclude(Exists(reported))
        .values_list("enterprise_id", "enterprise__district_id", "enterprise__service_officer_id")
    )
    return [
        Found(
            rule=Rule.NO_FIGURES,
            subject=f"enterprise:{enterprise}",
            period=month,
            enterprise_id=enterprise,
            district_id=district,
            official_id=officer,
        )
        for enterprise, district, officer in rows
    ]


def projects_behind(on: dt.date) -> list[Found]:
    """Projects under way (not yet at full capacity) more than 30 % behind their investment
    plan to date: the months before this one, as `progress.investment_to_date` counts."""
    this_month = on.replace(day=1)
    rows = (
        ProjectMonth.objects.filter(month__lt=this_month)
        .exclude(project__stage=ProjectStage.AT_CAPACITY)
        .values("project_id")
        .annotate(planned=Sum("planned"), completed=Sum("completed"))
        .filter(planned__gt=0)
        .filter(Q(completed__lt=F("planned") * progress.BEHIND_RED) | Q(completed__isnull=True))
        .order_by()
    )
    behind = {row["project_id"]: row for row in rows}
    projects = Project.objects.filter(pk__in=list(behind)).values_list(
        "pk", "enterprise_id", "district_id", "official_id", "enterprise__service_officer_id"
    )
    last = month_before(this_month)
    found = []
    for pk, enterprise, district, official, officer in projects:
        planned, completed = behind[pk]["planned"], behind[pk]["completed"] or Decimal(0)
        found.append(
            Found(
                rule=Rule.PROJECT_BEHIND,
                subject=f"project:{pk}",
                period=last,
                enterprise_id=enterprise,
                project_id=pk,
                district_id=district,
                official_id=official or officer,
                value=completed,
                before=planned,
                measure=_percent(completed, planned),
            )
        )
    return found


def qualifications_expiring(on: dt.date) -> list[Found]:
    """Qualifications of operating enterprises that expire within `EXPIRY_DAYS` days of
    `on` (on the day included) with no later certificate of the same kind."""
    # renewed: a later certificate of the same kind, expiring later or not at all
    renewed = Qualification.objects.filter(
        Q(expires_on__gt=OuterRef("expires_on"))
        | Q(expires_on__isnull=True, issued_on__gt=OuterRef("issued_on")),
        enterprise=OuterRef("enterprise"),
        kind=OuterRef("kind"),
    )
    rows = (
        Qualification.objects.filter(
            expires_on__gte=on,
            expires_on__lte=on + dt.timedelta(days=EXPIRY_DAYS),
            enterprise__status=EnterpriseStatus.OPERATING,
        )
        .exclude(Exists(renewed))
        .values_list(
            "pk",
            "enterprise_id",
            "enterprise__district_id",
            "enterprise__service_officer_id",
            "expires_on",
        )
    )
    return [
        Found(
            rule=Rule.QUALIFICATION_EXPIRING,
            subject=f"qualification:{pk}",
            period=expires,
            enterprise_id=enterprise,
            qualification_id=pk,
            district_id=district,
            official_id=officer,
            measure=Decimal((expires - on).days),
        )
        for pk, enterprise, district, officer, expires in rows
    ]


def find_all(on: dt.date) -> list[Found]:
    """Everything every rule finds on `on`."""
    return [
        *figure_drops(Rule.OUTPUT_DROP, "output_value", on),
        *figure_drops(Rule.ELECTRICITY_DROP, "electricity", on),
        *figures_missing(on),
        *projects_behind(on),
        *qualifications_expiring(on),
    ]
