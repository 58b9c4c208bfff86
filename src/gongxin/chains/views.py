"""Chain pages: the list of chains and each chain's page with its chain map (产业链图)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from gongxin.chains import selectors, services
from gongxin.chains.choices import Segment
from gongxin.chains.loading import chain_structure_dump
from gongxin.chains.models import Chain, EnterpriseNode
from gongxin.core.views import attachment


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


class ChainDetailView(LoginRequiredMixin, View):
    def get(self, request, code):
        chain = _chain(request.user, code)
        chain_map = selectors.chain_map(chain)
        segments = {str(value): str(label) for value, label in Segment.choices}
        data = {
            "year": chain_map.year,
            "segments": segments,
            "nodes": [
                {**vars(n), "id": n.pk, "revenue": float(n.revenue)} for n in chain_map.nodes
            ],
            "links": chain_map.links,
        }
        context = {
            "chain": chain,
            "chain_map": chain_map,
            "map_data": data,
            "segments": segments,
            "subchains": selectors.chain_scope(request.user).filter(parent=chain),
            "leaders": chain.leaders.all(),
            "lead_departments": chain.lead_departments.all(),
            "masters": chain.masters.order_by("name"),
            "targets": chain.targets.order_by("-year")[:3],
            "can_change": selectors.chain_can_change(request.user, chain),
            "gaps": [g for g in selectors.chain_gaps(chain, chain_map.year) if g.rank],
            "suggestions": selectors.chain_suggestions(chain),
            "suggestion_count": selectors.chain_suggestions(chain, limit=None).count(),
            "thresholds": selectors.gap_thresholds(),
        }
        return render(request, "chains/chain_detail.html", context)


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
