"""Chain pages: the list of chains; each chain's page with its maps (四图 and the
attraction map), local supply, gap analysis and suggested places; its lists (五清单 and
the attraction list), filtered and exported."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from gongxin.chains import attraction, selectors, services
from gongxin.chains.choices import ProspectStage, Segment
from gongxin.chains.lists import LISTS, list_export, list_rows
from gongxin.chains.loading import chain_structure_dump
from gongxin.chains.models import Chain, EnterpriseNode
from gongxin.core.views import PAGE_SIZES, attachment
from gongxin.enterprises.choices import SizeClass


def _chain(user, code: str) -> Chain:
    try:
        return selectors.chain_scope(user).select_related("parent", "office").get(code=code)
    except Chain.DoesNotExist:
        raise Http404 from None


class ChainListView(LoginRequiredMixin, View):
    def get(self, request):
        return render(
            request, "chains/chain_list.html", {"chains": selectors.chain_list(request.user)}
        )


def reason_text(reason: str, detail: str) -> str:
    """One reason a prospect is recommended, as officials read it."""
    if reason == attraction.ON_NODE:
        return _("on the node")
    if reason == attraction.KEYWORD:
        return _("makes %(word)s") % {"word": detail}
    if reason == attraction.SIZE:
        return str(SizeClass(detail).label)
    if reason == attraction.STAGE:
        return str(ProspectStage(detail).label)
    return _("in %(province)s, a partner province") % {"province": detail}


def _attraction_data(attraction_map: dict) -> dict:
    gaps = []
    for item in attraction_map["gaps"]:
        gap = item["gap"]
        prospects = []
        for rec in item["prospects"]:
            c = rec.candidate
            prospects.append(
                {
                    "name": c.name,
                    "city": c.city,
                    "stage": c.stage,
                    "stage_label": str(ProspectStage(c.stage).label),
                    "score": rec.score,
                    "reasons": "、".join(reason_text(*r) for r in rec.reasons),
                }
            )
        gaps.append(
            {
                "node": gap.node.name,
                "node_id": gap.node.pk,
                "kind": gap.kind,
                "kind_label": {"fill": _("fill"), "extend": _("extend")}.get(
                    gap.kind, _("strengthen")
                ),
                "rank": gap.rank,
                "score": gap.score,
                "prospects": prospects,
            }
        )
    return {"gaps": gaps}


class ChainDetailView(LoginRequiredMixin, View):
    def get(self, request, code):
        chain = _chain(request.user, code)
        chain_map = selectors.chain_map(chain)
        year = chain_map.year
        segments = {str(value): str(label) for value, label in Segment.choices}
        maps = {
            "chain": {
                "year": year,
                "segments": segments,
                "nodes": [
                    {**vars(n), "id": n.pk, "revenue": float(n.revenue)} for n in chain_map.nodes
                ],
                "links": chain_map.links,
            },
            "roadmap": selectors.tech_roadmap(chain),
            "application": selectors.application_map(chain, year),
            "regional": selectors.regional_distribution(request.user, chain, year),
            "attraction": _attraction_data(selectors.attraction_map(chain, year)),
        }
        recommended = {g["node_id"]: g["prospects"] for g in maps["attraction"]["gaps"]}
        gaps = [g for g in selectors.chain_gaps(chain, year) if g.rank]
        for gap in gaps:
            gap.prospects = recommended.get(gap.node.pk, [])[:3]
        context = {
            "chain": chain,
            "chain_map": chain_map,
            "maps": maps,
            "segments": segments,
            "subchains": selectors.chain_scope(request.user).filter(parent=chain),
            "leaders": chain.leaders.all(),
            "lead_departments": chain.lead_departments.all(),
            "masters": chain.masters.order_by("name"),
            "targets": chain.targets.order_by("-year")[:3],
            "local_supply": selectors.local_supply(chain),
            "can_change": selectors.chain_can_change(request.user, chain),
            "gaps": gaps,
            "suggestions": selectors.chain_suggestions(chain),
            "suggestion_count": selectors.chain_suggestions(chain, limit=None).count(),
            "thresholds": selectors.gap_thresholds(),
            "lists": LISTS.values(),
        }
        return render(request, "chains/chain_detail.html", context)


class ChainListPageView(LoginRequiredMixin, View):
    """One of the chain's lists, filtered, paginated, or exported to XLSX (?format=xlsx)."""

    per_page = 50

    def get(self, request, code, key):
        chain = _chain(request.user, code)
        spec = LISTS.get(key)
        if spec is None:
            raise Http404
        params = request.GET.copy()
        wants_xlsx = params.pop("format", [""])[0] == "xlsx"
        for name in ("page", "per_page"):
            params.pop(name, None)
        rows, filterset = list_rows(spec, user=request.user, chain=chain, params=params)
        if wants_xlsx:
            response = HttpResponse(
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
            list_export(response, spec, rows, chain=chain)
            response["Content-Disposition"] = attachment(spec.filename(chain))
            return response
        try:
            size = int(request.GET.get("per_page", self.per_page))
        except ValueError:
            size = self.per_page
        size = size if size in PAGE_SIZES else self.per_page
        page = Paginator(rows, size).get_page(request.GET.get("page"))
        table = [
            [
                (column.value(row), column.link(row) if column.link else None, column.num)
                for column in spec.columns
            ]
            for row in page
        ]
        context = {
            "chain": chain,
            "spec": spec,
            "lists": LISTS.values(),
            "filter": filterset,
            "page_obj": page,
            "table": table,
            "query_string": params.urlencode(),
            "page_sizes": PAGE_SIZES,
        }
        return render(request, "chains/chain_list_page.html", context)


class ChainStructureView(LoginRequiredMixin, View):
    """The chain's structure as the JSON document `chain_structure_load` reads."""

    def get(self, request, code):
        chain = _chain(request.user, code)
        body = json.dumps(chain_structure_dump(chain), ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = attachment(f"{chain.name}产业链结构.json")
        return response


def _chain_for_change(user, code: str) -> Chain:
    chain = _chain(user, code)
    if not selectors.chain_can_change(user, chain):
        raise PermissionDenied
    return chain


class ChainSuggestView(LoginRequiredMixin, View):
    """Suggest places on the chain for the enterprises not on it yet."""

    def post(self, request, code):
        chain = _chain_for_change(request.user, code)
        made = services.links_suggest(actor=request.user, chain=chain)
        messages.success(request, _("%(n)d places suggested.") % {"n": made})
        return redirect(reverse("chains:chain_detail", args=[code]) + "#suggestions")


class LinkDecideView(LoginRequiredMixin, View):
    """Confirm or reject one suggested place; answers htmx with the row as it now is."""

    def post(self, request, code, pk, decision):
        if decision not in ("confirm", "reject"):
            raise Http404
        chain = _chain_for_change(request.user, code)
        links = EnterpriseNode.objects.select_related("node__chain", "enterprise")
        link = get_object_or_404(links, pk=pk, node__chain=chain)
        services.link_decide(actor=request.user, link=link, confirm=decision == "confirm")
        if request.headers.get("HX-Request"):
            return render(request, "chains/suggestion_row.html", {"s": link, "chain": chain})
        return redirect(reverse("chains:chain_detail", args=[code]) + "#suggestions")
