"""The baselines of the demand benchmark: each measured read and the sweep written the
obvious way, as one would first write them, run in the same process on the same data.

- `naive_sweep`: a Python loop over the open demands checking each deadline, and for each
  one due `DemandAlert.objects.get_or_create` (the key makes it send once), then the
  recipients looked up and the messages stored (`core.notify`) per alert.
- `naive_inbox`: a department's inbox as a view (mounted by `bench_urls.py` next to
  gongxin's own URLs, so it runs through the same middleware and renders the same
  template): the demands it leads and those it co-handles read whole, the tab's filter and
  order applied in Python, then one query per row of the page for its enterprise and one
  for its lead (the template follows the foreign keys).
- `naive_statistics`: every demand of the period loaded (with its enterprise for the
  districts, with its chains for the chains) and the figures summed in a Python loop.

None is made slow on purpose: each reads every row it needs once, and only the sweep and
the inbox page make queries per alert or per row. The rules are the project's own
(`sweep.PHASES`, the 督办 conditions of `selectors.overdue`, the figures of
`statistics`); `compare_*` check that both ways arrive at the same result: when gongxin's
definitions change, this file has to follow.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import transaction
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

OPEN = ("registered", "dispatched", "accepted", "in_progress")
RESOLVED = ("resolved", "rated", "closed")
PAGE_SIZE = 30


def is_overdue(demand, now) -> bool:
    """The 督办 rule of `selectors.overdue`, for one demand."""
    s = demand.status
    return (
        (s == "registered" and demand.dispatch_due < now)
        or (
            s in ("dispatched", "accepted")
            and demand.reply_due is not None
            and demand.reply_due < now
        )
        or (s in OPEN[1:] and demand.resolve_due is not None and demand.resolve_due < now)
    )


# The sweep ------------------------------------------------------------------------------


@transaction.atomic
def naive_sweep(now: dt.datetime) -> tuple[dict, int]:
    """NAIVE: one get_or_create per deadline due, recipients and messages per alert."""
    from gongxin.core import workdays
    from gongxin.core.choices import Role
    from gongxin.core.models import User
    from gongxin.core.notify import Message, notify
    from gongxin.demands.models import Demand, DemandAlert
    from gongxin.demands.selectors import desk_users
    from gongxin.demands.sweep import PHASES, RED, YELLOW, _alert_title

    warn_until = workdays.add_workdays(now, 1)
    desk = desk_users()
    alerts: Counter = Counter()
    sent = 0
    for demand in Demand.objects.filter(status__in=OPEN):
        for phase, (field, statuses) in PHASES.items():
            due = getattr(demand, field)
            if demand.status not in statuses or due is None:
                continue
            if due < now:
                level = RED
            elif due <= warn_until:
                level = YELLOW
            else:
                continue
            _alert, created = DemandAlert.objects.get_or_create(
                demand=demand, phase=phase, level=level, due=due, defaults={"at": now}
            )
            if not created:
                continue
            alerts[(phase, level)] += 1
            if phase == "dispatch":
                recipients = list(desk)
            else:
                recipients = list(
                    User.objects.filter(
                        is_active=True,
                        department_id=demand.lead_id,
                        role__in=(Role.DEPARTMENT, Role.STAFF),
                    )
                )
            if level == RED:
                recipients += desk
                if demand.lead_id and demand.lead.head_id:
                    recipients.append(demand.lead.head)
            title = _alert_title(phase, level, demand, due)
            body = _("%(enterprise)s: %(title)s") % {
                "enterprise": demand.enterprise.name,
                "title": demand.title,
            }
            url = reverse("demands:demand_detail", args=[demand.pk])
            sent += notify(
                [Message(u, title, body, url) for u in {u.pk: u for u in recipients}.values()]
            )
    return dict(alerts), sent


def sweep_snapshot() -> dict:
    """What a sweep left: its alerts' keys and its messages (user, title, link)."""
    from gongxin.core.models import Notification
    from gongxin.demands.models import DemandAlert

    return {
        "alerts": set(DemandAlert.objects.values_list("demand_id", "phase", "level", "due")),
        "messages": Counter(Notification.objects.values_list("user_id", "title", "url")),
    }


def compare_sweeps(real: dict, naive: dict) -> str:
    """Empty when the sweep and the naive sweep sent the same alerts and messages."""
    problems = []
    if real["alerts"] != naive["alerts"]:
        problems.append(
            f"alerts: {len(real['alerts'] - naive['alerts'])} only from the sweep, "
            f"{len(naive['alerts'] - real['alerts'])} only from the naive one"
        )
    if real["messages"] != naive["messages"]:
        problems.append(
            f"messages: {sum(real['messages'].values()):,} from the sweep, "
            f"{sum(naive['messages'].values()):,} from the naive one"
        )
    return "; ".join(problems)


# The inbox -------------------------------------------------------------------------------


def inbox_rows(user, tab: str, now: dt.datetime) -> tuple[list, int]:
    """NAIVE: the department's demands read whole, filtered and ordered in Python; the
    first page and the number of rows."""
    from gongxin.demands.models import Demand

    department = user.department_id
    demands = {d.pk: d for d in Demand.objects.filter(lead_id=department)}
    for d in Demand.objects.filter(co_departments=department):
        demands.setdefault(d.pk, d)
    rows = list(demands.values())
    if tab == "mine":
        rows = [
            d
            for d in rows
            if d.lead_id == department and d.status in ("dispatched", "accepted", "in_progress")
        ]
    if tab == "overdue":
        rows = [d for d in rows if is_overdue(d, now)]
        rows.sort(key=lambda d: (d.dispatch_due, d.pk))
    else:
        rows.sort(key=lambda d: (d.registered_at, d.pk), reverse=True)
    return rows, len(rows)


def naive_inbox(request):
    """The inbox page of a department user, naive (see the module's docstring)."""
    from django.core.paginator import Paginator

    from gongxin.core import workdays
    from gongxin.demands import selectors
    from gongxin.demands.choices import Category, Status

    tab = request.GET.get("tab", "mine")
    now = timezone.now()
    rows, _count = inbox_rows(request.user, tab, now)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    soon = workdays.add_workdays(now, 1)
    context = {
        "tab": tab,
        "rows": [(d, selectors.mark(d, now, soon)) for d in page],
        "page_obj": page,
        "statuses": Status.choices,
        "status": "",
        "categories": Category.choices,
        "category": "",
        "key": False,
        "query_string": f"tab={tab}&status=&category=",
        "can_register": selectors.demand_can_register(request.user),
        "can_import": selectors.is_desk(request.user),
    }
    return render(request, "demands/inbox.html", context)


def compare_inbox(user, tab: str) -> str:
    """Empty when the naive inbox shows the page's first rows, marks and count."""
    from django.core.paginator import Paginator

    from gongxin.core import workdays
    from gongxin.demands import selectors

    now = timezone.now()
    soon = workdays.add_workdays(now, 1)
    page = Paginator(selectors.demand_list(user, tab=tab, now=now), PAGE_SIZE).get_page(1)
    theirs = [(d.pk, selectors.mark(d, now, soon)) for d in page]
    rows, count = inbox_rows(user, tab, now)
    mine = [(d.pk, selectors.mark(d, now, soon)) for d in rows[:PAGE_SIZE]]
    problems = []
    if page.paginator.count != count:
        problems.append(f"{page.paginator.count:,} rows in the inbox, {count:,} naive")
    if theirs != mine:
        problems.append("the first page differs")
    return "; ".join(problems)


# The statistics --------------------------------------------------------------------------

FIGURES = ("received", "resolved", "on_time", "rated", "satisfied", "open", "handling_seconds",
           "overdue")  # fmt: skip


def naive_statistics(user, dimension: str, now: dt.datetime | None = None) -> dict:
    """NAIVE: the statistics page's figures (this year to this month, by `dimension`) from
    a loop over every demand of the period; {key: [label, *FIGURES]} and the total."""
    from gongxin.chains.models import Chain
    from gongxin.core.models import Department, Region
    from gongxin.demands.choices import Category
    from gongxin.demands.selectors import demand_scope

    now = now or timezone.now()
    today = timezone.localdate(now)
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(today.replace(month=1, day=1), dt.time.min, tzinfo=tz)
    end = today.replace(day=1)
    until = dt.datetime.combine(
        (end.replace(day=28) + dt.timedelta(days=4)).replace(day=1), dt.time.min, tzinfo=tz
    )
    demands = (
        demand_scope(user)
        .filter(registered_at__gte=since, registered_at__lt=until)
        .exclude(status="merged")
    )
    # What the dimension needs of the demand's relations, read with it.
    if dimension == "district":
        demands = demands.select_related("enterprise")
    elif dimension == "chain":
        demands = demands.prefetch_related("chains")
    rows: dict = {}
    total = [0] * len(FIGURES)
    for d in demands.iterator(chunk_size=2000):
        resolved = d.status in RESOLVED
        figures = (
            1,
            resolved,
            resolved and d.resolve_due is not None and d.resolved_at <= d.resolve_due,
            # ratings given: each 不满意 reopened the demand, and its last rating if
            # that one was 满意 or 基本满意
            d.reopened + (d.rating in ("satisfied", "fairly")),
            d.rating in ("satisfied", "fairly"),
            d.status in OPEN,
            int((d.resolved_at - d.registered_at).total_seconds()) if resolved else 0,
            is_overdue(d, now),
        )
        if dimension == "department":
            keys = [d.lead_id]
        elif dimension == "category":
            keys = [d.category]
        elif dimension == "district":
            keys = [d.enterprise.district_id]
        elif dimension == "chain":
            keys = [c.pk for c in d.chains.all()]
        else:
            keys = [timezone.localtime(d.registered_at).date().replace(day=1)]
        for key in keys:
            row = rows.setdefault(key, [0] * len(FIGURES))
            for i, value in enumerate(figures):
                row[i] += value
        for i, value in enumerate(figures):
            total[i] += value
    labelled = {}
    for key, row in rows.items():
        if key is None:
            label = "—"
        elif dimension == "department":
            label = Department.objects.get(pk=key).name
        elif dimension == "district":
            label = Region.objects.get(pk=key).name
        elif dimension == "chain":
            label = Chain.objects.get(pk=key).name
        elif dimension == "category":
            label = str(Category(key).label)
        else:
            label = f"{key:%Y-%m}"
        labelled[key] = [label, *row]
    return {"rows": labelled, "total": total}


def compare_statistics(stats, naive: dict) -> str:
    """Empty when `demand_statistics`'s rows and total are the naive loop's."""
    problems = []
    theirs = {r.key: [getattr(r, f) for f in FIGURES] for r in stats.rows}
    mine = {k: v[1:] for k, v in naive["rows"].items()}
    for key in sorted(set(theirs) | set(mine), key=str):
        if theirs.get(key) != mine.get(key):
            problems.append(f"{key}: {theirs.get(key)} ≠ naive {mine.get(key)}")
    labels = {r.key: r.label for r in stats.rows if r.key is not None}
    for key, label in labels.items():
        if key in naive["rows"] and naive["rows"][key][0] != label:
            problems.append(f"label of {key}: {label} ≠ naive {naive['rows'][key][0]}")
    total = [getattr(stats.total, f) for f in FIGURES]
    if total != naive["total"]:
        problems.append(f"total {total} ≠ naive {naive['total']}")
    return "; ".join(problems[:5]) + (
        f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
    )
