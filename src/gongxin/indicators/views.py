"""The indicators page: every indicator of a scope (the city, a district, a park, a chain)
for a month — the month, the year to date, each with its growth, the year's target and
the progress to it — and, for one indicator, its months over three years and the
districts' and parks' shares."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import pgettext
from django.views import View

from gongxin.core.models import Region
from gongxin.indicators import figures, selectors
from gongxin.indicators.choices import Aggregation
from gongxin.indicators.imports import indicators_can_import
from gongxin.indicators.models import Indicator


def _month(text: str | None, default: dt.date) -> dt.date:
    try:
        return dt.datetime.strptime(text or "", "%Y-%m").date()
    except ValueError:
        return default


class OverviewView(LoginRequiredMixin, View):
    def get(self, request):
        user = request.user
        if not selectors.indicators_can_read(user):
            raise PermissionDenied
        latest = figures.latest_month() or timezone.localdate().replace(day=1)
        month = _month(request.GET.get("month"), latest)
        scope = selectors.scope_for(user, request.GET.get("scope"))
        readings = selectors.overview(scope, month)
        chosen = next(
            (r.indicator for r in readings if r.indicator.code == request.GET.get("indicator")),
            readings[0].indicator if readings else None,
        )
        chart, parts = None, []
        if chosen is not None:
            start = dt.date(month.year - 2, 1, 1)
            series = figures.monthly(chosen, scope, start, month.replace(month=12))
            chart = {
                "unit": chosen.unit,
                "name": chosen.name,
                "years": [
                    {
                        "year": year,
                        "values": [
                            _shown(series.get(dt.date(year, m, 1)), chosen) for m in range(1, 13)
                        ],
                    }
                    for year in range(month.year - 2, month.year + 1)
                ],
                "months": [
                    pgettext("a month of the year", "%(m)d") % {"m": m} for m in range(1, 13)
                ],
            }
            if (
                chosen.aggregation == Aggregation.SUM
                and scope.region is None
                and scope.chain is None
            ):
                parts = self._parts(chosen, month)
        context = {
            "scopes": selectors.scopes_for(user),
            "scope": scope,
            "month": month,
            "readings": readings,
            "chosen": chosen,
            "chart": chart,
            "parts": parts,
            "can_import": indicators_can_import(user),
        }
        return render(request, "indicators/overview.html", context)

    def _parts(self, indicator: Indicator, month: dt.date) -> list[dict]:
        """The districts' years to date, which add up to the city's."""
        found = figures.by_region(indicator, month)
        regions = Region.objects.in_bulk(list(found))
        rows = [
            {
                "region": regions[pk],
                "to_date": _shown(v["to_date"], indicator),
                "growth": v["growth"],
            }
            for pk, v in found.items()
        ]
        return sorted(rows, key=lambda r: r["region"].sort_order)


def _shown(value, indicator: Indicator):
    return None if value is None else float(value / indicator.divisor)
