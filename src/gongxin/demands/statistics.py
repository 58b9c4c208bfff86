"""Statistics of the closed loop, read by the statistics page, the board and the API,
scoped by the acting user like every read of demands.

For the demands registered in whole months (merged ones left out, counted in the one
they were merged into), by lead department, category, district, chain or month:

- received; resolved (办结: resolved, rated or closed);
- closure rate: resolved / received;
- on-time rate: resolved by the resolution deadline / resolved;
- satisfaction rate: ratings 满意 or 基本满意 / all ratings given (a demand reopened as
  不满意 and then rated 满意 counts one of each);
- average handling time: registration to resolution, in days;
- open, and overdue now (on the 督办 list).

The sums are kept per day in `DemandStat` (lead, category, district, and chain): a write
to a demand marks the day it was registered stale (`stats_touch`, called by the
services' one gate), and the next read recomputes the stale days from their demands (a
day's demands only), then sums the table. The desk, leadership and district users read
it; the narrower scopes (a department with what it co-handles, a park, an officer) are
summed from their own demands directly. Either way a fixed number of queries, whatever
the number of demands.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy

from gongxin.chains.models import Chain
from gongxin.core.choices import PARK_KINDS, Role
from gongxin.core.models import Department, Region, User
from gongxin.demands.choices import Category, Rating, Status
from gongxin.demands.models import Demand, DemandStat, DemandStatDay, DemandTerm
from gongxin.demands.selectors import demand_scope, demand_status_counts, is_desk, overdue

DIMENSIONS = {
    "department": gettext_lazy("Lead department"),
    "category": gettext_lazy("Category"),
    "district": gettext_lazy("District"),
    "chain": gettext_lazy("Chain"),
    "month": gettext_lazy("Month"),
}
RESOLVED = (Status.RESOLVED, Status.RATED, Status.CLOSED)
OPEN = (Status.REGISTERED, Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS)
SUMS = ("received", "resolved", "on_time", "rated", "satisfied", "open", "handling_seconds")
#: dimension: (the column of a demand, the column of DemandStat)
GROUP = {
    "department": ("lead_id", "lead_id"),
    "category": ("category", "category"),
    "district": ("enterprise__district_id", "district_id"),
    "chain": ("chains", "chain_id"),
    "month": ("month", "month"),
}


@dataclass
class Row:
    key: object
    label: str
    received: int = 0
    resolved: int = 0
    on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    open: int = 0
    handling_seconds: int = 0
    overdue: int = 0

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def closure_rate(self) -> float | None:
        return self._rate(self.resolved, self.received)

    @property
    def on_time_rate(self) -> float | None:
        return self._rate(self.on_time, self.resolved)

    @property
    def satisfaction_rate(self) -> float | None:
        return self._rate(self.satisfied, self.rated)

    @property
    def handling_days(self) -> float | None:
        return round(self.handling_seconds / self.resolved / 86400, 1) if self.resolved else None


@dataclass(frozen=True)
class HotTerm:
    term: str
    count: int
    before: int

    @property
    def rise(self) -> int:
        return self.count - self.before


@dataclass
class Statistics:
    dimension: str
    start: dt.date  # first day of the first month
    end: dt.date  # first day of the last month
    rows: list[Row]
    total: Row
    hot: list[HotTerm] = field(default_factory=list)


def day_of(at: dt.datetime) -> dt.date:
    """The day (in the city's time) a moment falls in."""
    return timezone.localtime(at).date()


def _month_end(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The moments from the start of day `first` to the end of day `last`."""
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(first, dt.time.min, tzinfo=tz),
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


# The stored sums ---------------------------------------------------------------------


def stats_touch(*moments: dt.datetime) -> None:
    """Mark the days of these registration moments stale (inside the writer's
    transaction: the mark commits with the write)."""
    for day in {day_of(m) for m in moments}:
        if not DemandStatDay.objects.filter(day=day).update(stale=True):
            DemandStatDay.objects.bulk_create(
                [DemandStatDay(day=day, stale=True)], ignore_conflicts=True
            )
            DemandStatDay.objects.filter(day=day).update(stale=True)


def stats_touch_all() -> int:
    """Mark every day with demands stale (after loading demands in bulk); returns how
    many days."""
    days = {
        d.date() if isinstance(d, dt.datetime) else d
        for d in Demand.objects.annotate(d=TruncDate("registered_at"))
        .values_list("d", flat=True)
        .distinct()
        .order_by()
    }
    DemandStatDay.objects.all().delete()
    DemandStatDay.objects.bulk_create(
        (DemandStatDay(day=d, stale=True) for d in days), batch_size=2000
    )
    return len(days)


def _sums() -> dict:
    """The sums of DemandStat, as aggregates over demands."""
    resolved = Q(status__in=RESOLVED)
    satisfied = Q(rating__in=(Rating.SATISFIED, Rating.FAIRLY))
    return {
        "received": Count("pk"),
        "resolved": Count("pk", filter=resolved),
        "on_time": Count("pk", filter=resolved & Q(resolved_at__lte=F("resolve_due"))),
        # every 不满意 reopened the demand, so the ratings given are its reopenings and
        # its last rating when that one was 满意 or 基本满意
        "rated": Coalesce(Sum("reopened"), 0) + Count("pk", filter=satisfied),
        "satisfied": Count("pk", filter=satisfied),
        "open": Count("pk", filter=Q(status__in=OPEN)),
        "handling": Sum(
            ExpressionWrapper(F("resolved_at") - F("registered_at"), output_field=DurationField()),
            filter=resolved,
        ),
    }


def _seconds(value) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.timedelta):
        return int(value.total_seconds())
    return int(value) // 1_000_000  # SQLite sums microseconds


#: DemandStat's columns, in the order the recompute selects them.
_STORED = ("day", "lead_id", "category", "district_id", "chain_id", *SUMS)


def _days_recompute(days: list[dt.date]) -> None:
    """Recompute the sums of these days from their demands inside the database: one
    INSERT … SELECT of the days' aggregate (and one per chain), whatever their number."""
    since, until = _bounds(min(days), max(days))
    demands = (
        Demand.objects.filter(registered_at__gte=since, registered_at__lt=until)
        .exclude(status=Status.MERGED)
        .annotate(reg_day=TruncDate("registered_at"))
        .filter(reg_day__in=days)
    )
    keys = {
        "s_day": F("reg_day"),
        "s_lead": F("lead_id"),
        "s_category": F("category"),
        "s_district": F("enterprise__district_id"),
    }
    if connection.vendor == "postgresql":
        seconds = "COALESCE(EXTRACT(EPOCH FROM s.handling), 0)::bigint"
    else:  # SQLite sums durations in microseconds
        seconds = "COALESCE(s.handling, 0) / 1000000"
    DemandStat.objects.filter(day__in=days).delete()
    for chain in (False, True):
        grouped = demands.filter(chains__isnull=False) if chain else demands
        columns = {**keys, "s_chain": F("chains")} if chain else keys
        select, params = (
            grouped.values(**columns).annotate(**_sums()).order_by().query.sql_with_params()
        )
        sums = ", ".join(f"s.{k}" for k in SUMS if k != "handling_seconds")
        sql = (
            f"INSERT INTO {DemandStat._meta.db_table} ({', '.join(_STORED)}) "
            f"SELECT s.s_day, s.s_lead, s.s_category, s.s_district, "
            f"{'s.s_chain' if chain else 'NULL'}, {sums}, {seconds} FROM ({select}) s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


@transaction.atomic
def stats_refresh(*, chunk: int = 62) -> int:
    """Recompute the stale days; returns how many. The stale days are claimed under a
    row lock (PostgreSQL; SQLite writes one at a time anyway): a refresh running at the
    same time waits and then finds them fresh, and a write meanwhile waits to mark its
    day stale again until this refresh has committed."""
    days = sorted(
        DemandStatDay.objects.select_for_update().filter(stale=True).values_list("day", flat=True)
    )
    if not days:
        return 0
    DemandStatDay.objects.filter(day__in=days).update(stale=False)
    for i in range(0, len(days), chunk):  # about two months at a time: bounded memory
        _days_recompute(days[i : i + chunk])
    return len(days)


# Reading ----------------------------------------------------------------------------------


def _stored_scope(user: User) -> Q | None:
    """The part of DemandStat that is `user`'s scope, or None when their scope is not a
    part of it (then their own demands are summed directly)."""
    if is_desk(user) or user.role == Role.LEADER:
        return Q()
    if user.role == Role.DISTRICT and user.region_id and user.region.kind not in PARK_KINDS:
        return Q(district_id=user.region_id)
    return None


def _labels(dimension: str, keys) -> dict:
    keys = [k for k in keys if k is not None]
    if dimension == "department":
        return dict(Department.objects.filter(pk__in=keys).values_list("pk", "name"))
    if dimension == "district":
        return dict(Region.objects.filter(pk__in=keys).values_list("pk", "name"))
    if dimension == "chain":
        return dict(Chain.objects.filter(pk__in=keys).values_list("pk", "name"))
    if dimension == "category":
        return {k: str(Category(k).label) for k in keys if k in Category.values}
    return {k: f"{k:%Y-%m}" for k in keys}


def _none_label(dimension: str) -> str:
    return str(
        {
            "department": gettext_lazy("Not dispatched yet"),
            "district": gettext_lazy("No district"),
        }.get(dimension, "—")
    )


def period_demands(user: User, start: dt.date, end: dt.date) -> QuerySet[Demand]:
    """The demands in `user`'s scope registered in the months from `start` to `end`,
    merged ones left out."""
    since, until = _bounds(start, _month_end(end))
    return (
        demand_scope(user)
        .filter(registered_at__gte=since, registered_at__lt=until)
        .exclude(status=Status.MERGED)
    )


def demand_statistics(
    user: User,
    *,
    dimension: str = "department",
    start: dt.date | None = None,
    end: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Statistics:
    """The statistics of the demands `user` sees, by `dimension`, for the months from
    `start` to `end` (default: this year to this month)."""
    if dimension not in GROUP:
        raise ValueError(dimension)
    now = now or timezone.now()
    today = timezone.localdate(now)
    start = (start or today.replace(month=1)).replace(day=1)
    end = (end or today).replace(day=1)
    demand_column, stat_column = GROUP[dimension]
    stored = _stored_scope(user)
    if stored is not None:
        stats_refresh()
        table = DemandStat.objects.filter(stored, day__gte=start, day__lte=_month_end(end))
        table = table.filter(chain__isnull=dimension != "chain")
        by = "day" if dimension == "month" else stat_column  # months summed from days
        values = list(table.values(by).annotate(**{k: Sum(k) for k in SUMS}).order_by())
        if dimension == "month":
            values = _by_month(values)
        group = stat_column
    else:
        demands = period_demands(user, start, end)
        if dimension == "month":
            demands = demands.annotate(month=TruncMonth("registered_at"))
        values = list(demands.values(demand_column).annotate(**_sums()).order_by())
        for v in values:
            v["handling_seconds"] = _seconds(v.pop("handling"))
        group = demand_column
    late = _overdue_by(user, dimension, demand_column, start, end, now)
    labels = _labels(dimension, [v[group] for v in values])
    rows = []
    for v in values:
        key = v[group]
        key = key.date() if isinstance(key, dt.datetime) else key
        label = labels.get(key, str(key)) if key is not None else _none_label(dimension)
        rows.append(Row(key, label, overdue=late.get(key, 0), **{k: v[k] or 0 for k in SUMS}))
    if dimension == "month":
        rows.sort(key=lambda r: r.key)
    else:
        rows.sort(key=lambda r: (r.key is None, -r.received, r.label))
    total = Row(None, str(gettext_lazy("Total")))
    if dimension != "chain":  # a demand counts once in the total, not once per chain
        for row in rows:
            for k in (*SUMS, "overdue"):
                setattr(total, k, getattr(total, k) + getattr(row, k))
    else:
        total = _total_of(user, start, end, now, stored)
    return Statistics(dimension, start, end, rows, total, hot_topics(today))


def _by_month(days: list[dict]) -> list[dict]:
    months: dict[dt.date, dict] = {}
    for v in days:
        month = v["day"].replace(day=1)
        into = months.setdefault(month, {"month": month, **dict.fromkeys(SUMS, 0)})
        for k in SUMS:
            into[k] += v[k] or 0
    return list(months.values())


def _total_of(user, start, end, now, stored) -> Row:
    """The totals when the rows overlap (by chain)."""
    if stored is not None:
        sums = DemandStat.objects.filter(
            stored, day__gte=start, day__lte=_month_end(end), chain__isnull=True
        ).aggregate(**{k: Sum(k) for k in SUMS})
    else:
        sums = period_demands(user, start, end).aggregate(**_sums())
        sums["handling_seconds"] = _seconds(sums.pop("handling"))
    late = _overdue_in(user, start, end, now).count()
    return Row(None, str(gettext_lazy("Total")), overdue=late, **{k: sums[k] or 0 for k in SUMS})


def demand_totals(
    user: User, start: dt.date, end: dt.date, *, where: Q, now: dt.datetime | None = None
) -> Row:
    """The total row of the demands `user` sees that match `where` (an area the daily
    table does not keep, e.g. a zone's enterprises), summed from the demands directly."""
    now = now or timezone.now()
    sums = period_demands(user, start, end).filter(where).aggregate(**_sums())
    sums["handling_seconds"] = _seconds(sums.pop("handling"))
    late = _overdue_in(user, start, end, now).filter(where).count()
    return Row(None, str(gettext_lazy("Total")), overdue=late, **{k: sums[k] or 0 for k in SUMS})


def _overdue_in(user, start, end, now) -> QuerySet[Demand]:
    """The demands of the period overdue now (the 督办 list: short, indexed by deadline)."""
    since, until = _bounds(start, _month_end(end))
    return overdue(user, now).filter(registered_at__gte=since, registered_at__lt=until)


def _overdue_by(user, dimension, column, start, end, now) -> Counter:
    """How many demands of the period are overdue now, per key of the dimension."""
    qs = _overdue_in(user, start, end, now)
    if dimension == "month":
        qs = qs.annotate(month=TruncMonth("registered_at"))
    counts = Counter()
    for key, n in qs.values_list(column).annotate(n=Count("pk", distinct=True)).order_by():
        counts[key.date() if isinstance(key, dt.datetime) else key] += n
    return counts


def hot_topics(today: dt.date, *, limit: int = 12) -> list[HotTerm]:
    """The words used in more of this month's demands than last month's (the whole
    city's: a word says nothing of any one enterprise), the steepest rise first; in one
    query over the two months' counts."""
    month = today.replace(day=1)
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    rows = (
        DemandTerm.objects.filter(month__in=(month, previous))
        .values("term")
        .annotate(
            now=Coalesce(Sum("count", filter=Q(month=month)), 0),
            before=Coalesce(Sum("count", filter=Q(month=previous)), 0),
        )
        .annotate(rise=F("now") - F("before"))
        .filter(now__gte=2, rise__gt=0)
        .order_by("-rise", "-now", "term")[:limit]
    )
    return [HotTerm(r["term"], r["now"], r["before"]) for r in rows]


def demand_board(user: User, *, per_column: int = 8) -> list[dict]:
    """The board: a column per status of the loop with its count and first cards (the
    nearest deadline first, key demands first among equals; the newest in the finished
    columns)."""
    scope = demand_scope(user)
    counts = demand_status_counts(user)
    columns = []
    for status in Status:
        if status == Status.MERGED:
            continue
        cards = (
            scope.filter(status=status)
            .select_related("enterprise", "lead")
            .order_by(*_board_order(status))[:per_column]
        )
        columns.append({"status": status, "count": counts.get(status.value, 0), "cards": cards})
    return columns


def _board_order(status: str) -> tuple[str, ...]:
    if status == Status.REGISTERED:
        return ("dispatch_due", "-key", "pk")
    if status in (Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS):
        return ("resolve_due", "-key", "pk")
    return ("-registered_at", "-pk")
