"""The cockpit (驾驶舱): the page leadership opens, the large-screen mode for meeting
rooms (no menu, large type, refreshed every five minutes) and the district version (a
district user's own area; leadership picks a district). Every figure links to the list
behind it."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import pgettext
from django.views import View

from gongxin.cockpit import briefing
from gongxin.cockpit.selectors import (
    Cockpit,
    cockpit_build,
    cockpit_can_read,
    cockpit_month,
    cockpit_region,
)
from gongxin.core.choices import DISTRICT_KINDS
from gongxin.core.selectors import district_list, user_reads_everything
from gongxin.core.units import YI
from gongxin.core.views import DOCX, XLSX, attachment
from gongxin.projects.choices import Health


def month_of(text: str | None) -> dt.date | None:
    """The month of a `YYYY-MM` query parameter, None when absent or malformed."""
    try:
        return dt.datetime.strptime(text or "", "%Y-%m").date()
    except ValueError:
        return None


def _cockpit(request) -> Cockpit:
    """The cockpit the request asks for (`?month=YYYY-MM`, `?region=<code>`)."""
    user = request.user
    if not cockpit_can_read(user):
        raise PermissionDenied
    region = cockpit_region(user, request.GET.get("region"))
    month = cockpit_month(month_of(request.GET.get("month")))
    return cockpit_build(user, month, region)


class CockpitView(LoginRequiredMixin, View):
    screen = False

    def get(self, request):
        user = request.user
        cockpit = _cockpit(request)
        region = cockpit.region
        context = {
            "cockpit": cockpit,
            "chart": chart_data(cockpit),
            "districts": district_list() if user_reads_everything(user) else [],
            "region_code": region.code if region is not None else "",
            # the project list's filter for the area; the warnings' (districts only)
            "project_area": _area(region, "park"),
            "alert_area": _area(region, None),
        }
        template = "cockpit/screen.html" if self.screen else "cockpit/cockpit.html"
        return render(request, template, context)


def _area(region, park_param: str | None) -> str:
    """`district=<code>` (or `park=<code>` for a zone or park when `park_param` is given)
    for the lists behind the cockpit's figures; empty for the city."""
    if region is None:
        return ""
    if region.kind in DISTRICT_KINDS:
        return f"district={region.code}"
    return f"{park_param}={region.code}" if park_param else ""


def _yi(value):
    return None if value is None else round(float(value / YI), 2)


def chart_data(cockpit: Cockpit) -> dict:
    """What the cockpit's charts draw (ECharts, `cockpit_charts.js`), in 亿元."""
    months = [pgettext("a month of the year", "%(m)d") % {"m": m} for m in range(1, 13)]
    health = cockpit.projects.total
    return {
        "months": months,
        "trend": [
            {"year": year, "values": [_yi(v) for v in values]}
            for year, values in sorted(cockpit.trend.items())
        ],
        "districts": [
            {"name": d["region"].name, "value": _yi(d["to_date"])} for d in cockpit.districts
        ],
        "chains": [
            {
                "name": row.chain.name,
                "value": _yi(row.to_date),
                "growth": None if row.growth is None else round(float(row.growth), 1),
            }
            for row in cockpit.chains
        ],
        "health": {key: health.get(key) or 0 for key in Health.values},
        "health_labels": {key: str(label) for key, label in Health.choices},
        "alerts": [
            {"name": str(label), "value": cockpit.alerts.get(code, 0)}
            for code, label in cockpit.alert_labels
        ],
    }


class BriefingView(LoginRequiredMixin, View):
    """The monthly briefing of the cockpit asked for: the Word document, or
    (`?annex=1`) its XLSX annexes."""

    def get(self, request):
        cockpit = _cockpit(request)
        if request.GET.get("annex"):
            response = HttpResponse(content_type=XLSX)
            briefing.briefing_annex(cockpit, request.user, response)
            name = briefing.filename(cockpit, "附表.xlsx")
        else:
            response = HttpResponse(content_type=DOCX)
            briefing.briefing_docx(cockpit, request.user, response)
            name = briefing.filename(cockpit, ".docx")
        response["Content-Disposition"] = attachment(name)
        return response
