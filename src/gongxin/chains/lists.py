"""The five lists (五清单) of a chain and its attraction list (招商目标清单): what each
shows, how it is filtered and how it is exported. Every list is a selector's queryset:
generated from the data, never typed as a list.

Each column gives the value written to the XLSX export; the web page shows the same
values (money in 万元, as the bureau's spreadsheets do).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gongxin.chains import filters, selectors
from gongxin.chains.choices import BottleneckStatus
from gongxin.core.tabular.writing import XlsxWriter
from gongxin.core.units import to_wan
from gongxin.enterprises.selectors import yoy_growth


def percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def joined(values) -> str:
    return "、".join(str(v) for v in values if v)


@dataclass(frozen=True)
class ListColumn:
    #: The field's name in the API.
    key: str
    header: str | Promise
    value: Callable[[Any], Any]
    num: bool = False
    #: The URL the cell links to on the web page (never in the export).
    link: Callable[[Any], str | None] | None = None
    width: int = 14


@dataclass(frozen=True)
class ChainList:
    key: str
    title: str | Promise
    #: rows(user, chain, year) -> queryset
    rows: Callable[..., Any]
    columns: tuple[ListColumn, ...]
    filterset: type[filters.ChainFilterSet]
    description: str | Promise = ""

    def caption(self, chain, on: dt.date | None = None) -> str:
        """The export's first line: the chain, the list and the date."""
        on = on or timezone.localdate()
        return _("%(chain)s chain · %(list)s (%(date)s)") % {
            "chain": chain.name,
            "list": self.title,
            "date": on.isoformat(),
        }

    def filename(self, chain, on: dt.date | None = None) -> str:
        on = on or timezone.localdate()
        return f"{chain.name}_{self.title}_{on:%Y%m%d}.xlsx"


def _yes(flag: bool) -> str:
    return str(_("Yes")) if flag else ""


def _display(obj, field: str) -> str:
    return str(getattr(obj, f"get_{field}_display")())


def _enterprise_url(enterprise) -> str | None:
    return enterprise.get_absolute_url() if enterprise else None


def _overdue(item) -> str:
    if item.status == BottleneckStatus.RESOLVED:
        return ""
    return str(_("Overdue")) if item.deadline < timezone.localdate() else ""


ENTERPRISES = ChainList(
    "enterprises",
    _("Key enterprises"),
    lambda user, chain, year: selectors.key_enterprises(user, chain, year),
    (
        ListColumn(
            "name",
            _("Enterprise"),
            lambda e: e.name,
            link=lambda e: e.get_absolute_url(),
            width=32,
        ),
        ListColumn("district", _("District"), lambda e: e.district.short_name or e.district.name),
        ListColumn(
            "park", _("Park"), lambda e: (e.park.short_name or e.park.name) if e.park else ""
        ),
        ListColumn(
            "nodes",
            _("Places on the chain"),
            lambda e: joined(p.node.name for p in e.places),
            width=28,
        ),
        ListColumn("chain_master", _("Chain master"), lambda e: _yes(e.is_master)),
        ListColumn("size", _("Size"), lambda e: e.get_size_class_display() if e.size_class else ""),
        ListColumn(
            "above_designated_size", _("Above designated size"), lambda e: _yes(e.above_scale)
        ),
        ListColumn(
            "qualifications",
            _("Qualifications"),
            lambda e: joined(dict.fromkeys(q.get_kind_display() for q in e.key_qualifications)),
            width=28,
        ),
        ListColumn(
            "operating_revenue",
            _("Operating revenue (10k yuan)"),
            lambda e: to_wan(e.revenue),
            num=True,
        ),
        ListColumn(
            "growth_pct",
            _("Growth (%)"),
            lambda e: yoy_growth(e.revenue, e.revenue_before),
            num=True,
        ),
        ListColumn("taxes_paid", _("Taxes paid (10k yuan)"), lambda e: to_wan(e.tax), num=True),
        ListColumn("employees", _("Employees"), lambda e: e.employees, num=True),
    ),
    filters.KeyEnterpriseFilterSet,
    _(
        "Enterprises confirmed on the chain that are its chain masters, above designated "
        "size, or hold a key qualification valid today (high-tech, specialised and "
        "sophisticated, little giant, single champion, chain master). Figures of the latest "
        "year with annual figures."
    ),
)

PROJECTS = ChainList(
    "projects",
    _("Key projects"),
    lambda user, chain, year: selectors.key_projects(user, chain),
    (
        ListColumn("name", _("Project"), lambda p: p.name, width=32),
        ListColumn("type", _("Type"), lambda p: _display(p, "project_type")),
        ListColumn(
            "enterprise",
            _("Enterprise"),
            lambda p: p.enterprise.name if p.enterprise else "",
            link=lambda p: _enterprise_url(p.enterprise),
            width=28,
        ),
        ListColumn("chain", _("Chain"), lambda p: p.chain.name if p.chain else ""),
        ListColumn("node", _("Node"), lambda p: p.node.name if p.node else ""),
        ListColumn("district", _("District"), lambda p: p.district.short_name or p.district.name),
        ListColumn(
            "park", _("Park"), lambda p: (p.park.short_name or p.park.name) if p.park else ""
        ),
        ListColumn("stage", _("Stage"), lambda p: _display(p, "stage")),
        ListColumn(
            "planned_investment",
            _("Planned investment (10k yuan)"),
            lambda p: to_wan(p.planned_investment),
            num=True,
        ),
        ListColumn(
            "completed_investment",
            _("Completed investment (10k yuan)"),
            lambda p: to_wan(p.completed_investment),
            num=True,
        ),
        ListColumn(
            "investment_completed_pct",
            _("Investment completed (%)"),
            lambda p: percent(p.investment_progress),
            num=True,
        ),
        ListColumn("planned_start", _("Planned start"), lambda p: p.start_planned),
        ListColumn("planned_completion", _("Planned completion"), lambda p: p.end_planned),
        ListColumn(
            "responsible_official",
            _("Responsible official"),
            lambda p: str(p.official) if p.official else "",
        ),
    ),
    filters.ProjectFilterSet,
    _("Projects on the chain and its sub-chains, largest planned investment first."),
)

PLATFORMS = ChainList(
    "platforms",
    _("Key platforms"),
    lambda user, chain, year: selectors.key_platforms(chain),
    (
        ListColumn("name", _("Platform"), lambda p: p.name, width=36),
        ListColumn("kind", _("Kind"), lambda p: _display(p, "kind")),
        ListColumn("level", _("Level"), lambda p: _display(p, "level")),
        ListColumn(
            "host",
            _("Host"),
            lambda p: p.host_name,
            link=lambda p: _enterprise_url(p.enterprise),
            width=28,
        ),
        ListColumn("chain", _("Chain"), lambda p: p.chain.name),
        ListColumn("node", _("Node"), lambda p: p.node.name if p.node else ""),
        ListColumn("year_recognised", _("Year recognised"), lambda p: p.recognised_in, num=True),
    ),
    filters.PlatformFilterSet,
    _(
        "Laboratories, technology and engineering centres, innovation centres, industrial "
        "internet and public service platforms of the chain, national first."
    ),
)

TECHNOLOGIES = ChainList(
    "technologies",
    _("Key and common technologies"),
    lambda user, chain, year: selectors.key_technologies(chain),
    (
        ListColumn("name", _("Technology"), lambda t: t.name, width=30),
        ListColumn("kind", _("Kind"), lambda t: _display(t, "kind")),
        ListColumn("chain", _("Chain"), lambda t: t.chain.name),
        ListColumn("node", _("Node"), lambda t: t.node.name if t.node else ""),
        ListColumn(
            "owner", _("Owner"), lambda t: (t.owner.short_name or t.owner.name) if t.owner else ""
        ),
        ListColumn(
            "undertaking_enterprise",
            _("Undertaking enterprise"),
            lambda t: t.enterprise.name if t.enterprise else "",
            link=lambda t: _enterprise_url(t.enterprise),
        ),
        ListColumn("deadline", _("Deadline"), lambda t: t.deadline),
        ListColumn("status", _("Progress"), lambda t: _display(t, "status")),
        ListColumn(
            "targets_by_year",
            _("Targets by year"),
            lambda t: "；".join(f"{x.year}年：{x.target}" for x in t.targets.all()),
            width=60,
        ),
    ),
    filters.TechnologyFilterSet,
    _(
        "Technologies the chain must master, with the department that owns each, its "
        "deadline, status and targets by year."
    ),
)

BOTTLENECKS = ChainList(
    "bottlenecks",
    _("Bottlenecks"),
    lambda user, chain, year: selectors.chain_bottlenecks(chain),
    (
        ListColumn("title", _("Bottleneck"), lambda b: b.title, width=30),
        ListColumn("kind", _("Kind"), lambda b: _display(b, "kind")),
        ListColumn("chain", _("Chain"), lambda b: b.chain.name),
        ListColumn("node", _("Node"), lambda b: b.node.name if b.node else ""),
        ListColumn("description", _("Description"), lambda b: b.description, width=50),
        ListColumn("owner", _("Owner"), lambda b: b.owner.short_name or b.owner.name),
        ListColumn("deadline", _("Deadline"), lambda b: b.deadline),
        ListColumn("status", _("Progress"), lambda b: _display(b, "status")),
        ListColumn("resolved_on", _("Resolved on"), lambda b: b.resolved_on),
        ListColumn("overdue", _("Overdue"), _overdue),
    ),
    filters.BottleneckFilterSet,
    _(
        "Blockages (堵点), breaks (断点) and choke points (卡点) with the department that "
        "owns each, its deadline and status; open ones first."
    ),
)

PROSPECTS = ChainList(
    "prospects",
    _("Attraction targets"),
    lambda user, chain, year: selectors.chain_prospects(chain),
    (
        ListColumn("name", _("Enterprise"), lambda p: p.name, width=32),
        ListColumn(
            "location",
            _("Location"),
            lambda p: p.province + (p.city if p.city != p.province else ""),
        ),
        ListColumn("chain", _("Chain"), lambda p: p.chain.name),
        ListColumn(
            "nodes", _("Nodes to fill"), lambda p: joined(n.name for n in p.nodes.all()), width=28
        ),
        ListColumn("size", _("Size"), lambda p: _display(p, "size_class")),
        ListColumn(
            "operating_revenue",
            _("Operating revenue (10k yuan)"),
            lambda p: to_wan(p.revenue),
            num=True,
        ),
        ListColumn("main_products", _("Main products"), lambda p: p.products, width=36),
        ListColumn("source", _("Source"), lambda p: _display(p, "source")),
        ListColumn("stage", _("Stage"), lambda p: _display(p, "stage")),
        ListColumn("stage_reached_on", _("Stage reached on"), lambda p: p.stage_on),
        ListColumn(
            "responsible_official",
            _("Responsible official"),
            lambda p: str(p.official) if p.official else "",
        ),
    ),
    filters.ProspectFilterSet,
    _(
        "External enterprises the chain means to attract, on the nodes they would fill, "
        "through the pipeline lead → contact → site visit → signed → landed."
    ),
)

LISTS: dict[str, ChainList] = {
    spec.key: spec
    for spec in (ENTERPRISES, PROJECTS, PLATFORMS, TECHNOLOGIES, BOTTLENECKS, PROSPECTS)
}


def list_rows(spec: ChainList, *, user, chain, params=None, year: int | None = None):
    """The list's rows for `user`, filtered by `params` (a GET mapping); (rows, filterset)."""
    qs = spec.rows(user, chain, year)
    filterset = spec.filterset(params or None, queryset=qs, family=selectors.chain_family(chain))
    if params:  # wrong filters find nothing (the form says what is wrong)
        qs = filterset.qs if filterset.is_valid() else qs.none()
    return qs, filterset


def filter_errors(filterset) -> str:
    """What is wrong with a list's filters, field by field, as one line ("" when fine)."""
    if not filterset.is_bound or filterset.is_valid():
        return ""
    form = filterset.form
    return "；".join(
        f"{form.fields[name].label if name in form.fields else name}：{'、'.join(errors)}"
        for name, errors in filterset.errors.items()
    )


def list_export(target, spec: ChainList, rows, *, chain) -> int:
    """The rows as an XLSX file: the caption with the chain and date, then the table."""
    book = XlsxWriter()
    sheet = book.sheet(
        str(spec.title),
        [str(c.header) for c in spec.columns],
        widths=[c.width for c in spec.columns],
        caption=spec.caption(chain),
    )
    count = 0
    for row in rows:
        sheet.append([c.value(row) for c in spec.columns])
        count += 1
    book.save(target)
    return count
