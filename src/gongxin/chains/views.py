"""Chain pages: the list of chains; each chain's page with its maps (四图 and the
attraction map), local supply, gap analysis and suggested places; its lists (五清单 and
the attraction list), filtered and exported."""

from __future__ import annotations

import json
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from gongxin.chains import attraction, selectors, services
from gongxin.chains import forms as forms_
from gongxin.chains.choices import NodeKind, ProspectStage, Segment
from gongxin.chains.forms import (
    NodeCreateForm,
    NodeDeleteForm,
    NodeForm,
    NodeMergeForm,
    NodeMoveForm,
    SupplyLinkForm,
)
from gongxin.chains.gaps import coverage
from gongxin.chains.imports import supplier_can_import
from gongxin.chains.lists import LISTS, filter_errors, list_export, list_rows
from gongxin.chains.loading import chain_structure_dump, chain_structure_load
from gongxin.chains.models import (
    Chain,
    ChainNode,
    EnterpriseNode,
    Prospect,
    SupplyLink,
)
from gongxin.chains.workbook import (
    chain_workbook_read,
    chain_workbook_template,
    chain_workbook_write,
)
from gongxin.core.views import PAGE_SIZES, XLSX, attachment, page_of
from gongxin.enterprises.choices import SizeClass
from gongxin.enterprises.selectors import enterprise_scope


def _chain(user, code: str) -> Chain:
    try:
        return selectors.chain_scope(user).select_related("parent", "office").get(code=code)
    except Chain.DoesNotExist:
        raise Http404 from None


class ChainListView(LoginRequiredMixin, View):
    def get(self, request):
        context = {
            "chains": selectors.chain_list(request.user),
            "can_create": selectors.chain_can_create(request.user),
        }
        return render(request, "chains/chain_list.html", context)


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
        # The heavy figures, stored while the archive does not change.
        figures = selectors.chain_figures(chain)
        year = figures.year
        chain_map = selectors.chain_map(chain, year, figures.nodes)
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
            "application": figures.application,
            "regional": figures.regional,
        }
        analysed = selectors.chain_gaps(chain, year, figures.nodes)
        gaps = [g for g in analysed if g.rank]
        maps["attraction"] = _attraction_data(selectors.attraction_map(chain, ranked=gaps))
        recommended = {g["node_id"]: g["prospects"] for g in maps["attraction"]["gaps"]}
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
            "can_import_suppliers": supplier_can_import(request.user),
            "gaps": gaps,
            "coverage": coverage(analysed),
            "suggestions": selectors.chain_suggestions(chain),
            "suggestion_count": selectors.chain_suggestions(chain, limit=None).count(),
            "thresholds": selectors.gap_thresholds(),
            "lists": LISTS.values(),
        }
        return render(request, "chains/chain_detail.html", context)


def _shown(value):
    """A list cell as the page shows it: amounts with thousands separators."""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return value


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
        if wants_xlsx and filter_errors(filterset):
            return HttpResponseBadRequest(
                filter_errors(filterset), content_type="text/plain; charset=utf-8"
            )
        if wants_xlsx:
            response = HttpResponse(content_type=XLSX)
            list_export(response, spec, rows, chain=chain)
            response["Content-Disposition"] = attachment(spec.filename(chain))
            return response
        page = page_of(request, rows, self.per_page)
        can_change = selectors.chain_can_change(request.user, chain)
        editable = can_change and spec.key in ITEM_KINDS
        table = [
            [
                (_shown(column.value(row)), column.link(row) if column.link else None, column.num)
                for column in spec.columns
            ]
            + (
                [
                    (
                        _("Edit"),
                        reverse("chains:item_edit", args=[row.chain.code, key, row.pk]),
                        False,
                    )
                ]
                if editable
                else []
            )
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
            "can_change": can_change,
            "editable": editable,
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


# The structure editor (chain offices on their chains, division staff on all).


def _structure_context(request, chain, **forms_):
    return {
        "chain": chain,
        "lists": LISTS.values(),
        "chain_map": selectors.chain_map(chain),
        "segments": {str(value): str(label) for value, label in Segment.choices},
        "kinds": {str(value): str(label) for value, label in NodeKind.choices},
        "can_change": True,
        "links": SupplyLink.objects.filter(chain=chain)
        .select_related("supplier", "customer")
        .order_by("supplier__position", "customer__position"),
        "create_form": forms_.get("create_form") or NodeCreateForm(chain=chain),
        "link_form": forms_.get("link_form") or SupplyLinkForm(chain=chain),
    }


class StructureEditView(LoginRequiredMixin, View):
    """The tree with a form to add a node, and the supply links with a form to add one."""

    def get(self, request, code):
        chain = _chain_for_change(request.user, code)
        return render(request, "chains/structure_edit.html", _structure_context(request, chain))


class NodeCreateView(LoginRequiredMixin, View):
    def post(self, request, code):
        chain = _chain_for_change(request.user, code)
        form = NodeCreateForm(request.POST, chain=chain)
        if form.is_valid():
            data = dict(form.cleaned_data)
            parent = data.pop("parent")
            try:
                node = services.node_create(
                    actor=request.user, chain=chain, parent=parent, data=data
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Node %(node)s added.") % {"node": node})
                return redirect(reverse("chains:structure_edit", args=[code]) + f"#node-{node.pk}")
        context = _structure_context(request, chain, create_form=form)
        return render(request, "chains/structure_edit.html", context, status=422)


class SupplyLinkCreateView(LoginRequiredMixin, View):
    def post(self, request, code):
        chain = _chain_for_change(request.user, code)
        form = SupplyLinkForm(request.POST, chain=chain)
        if form.is_valid():
            try:
                link = services.supply_link_add(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Supply link %(link)s added.") % {"link": link})
                return redirect(reverse("chains:structure_edit", args=[code]) + "#links")
        context = _structure_context(request, chain, link_form=form)
        return render(request, "chains/structure_edit.html", context, status=422)


class SupplyLinkDeleteView(LoginRequiredMixin, View):
    def post(self, request, code, pk):
        chain = _chain_for_change(request.user, code)
        link = get_object_or_404(
            SupplyLink.objects.select_related("supplier", "customer", "chain"), pk=pk, chain=chain
        )
        services.supply_link_remove(actor=request.user, link=link)
        messages.success(request, _("Supply link %(link)s removed.") % {"link": link})
        return redirect(reverse("chains:structure_edit", args=[code]) + "#links")


def _form_errors(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


class NodeEditView(LoginRequiredMixin, View):
    """One node: rename it and change its flags, codes and keywords; move it; merge it into
    another; delete it (its enterprises moved to a node chosen here)."""

    actions = ("update", "move", "merge", "delete")

    def _node(self, request, code, pk):
        chain = _chain_for_change(request.user, code)
        node = get_object_or_404(
            ChainNode.objects.select_related("chain", "parent"), pk=pk, chain=chain
        )
        return chain, node

    def _forms(self, chain, node, data=None, action=None):
        initial = {f: getattr(node, f) for f in NodeForm.base_fields}
        bound = lambda name: data if action == name else None  # noqa: E731
        return {
            "update": NodeForm(bound("update"), initial=initial, prefix="update"),
            "move": NodeMoveForm(
                bound("move"), chain=chain, initial={"parent": node.parent_id}, prefix="move"
            ),
            "merge": NodeMergeForm(bound("merge"), chain=chain, prefix="merge"),
            "delete": NodeDeleteForm(bound("delete"), chain=chain, prefix="delete"),
        }

    def _render(self, request, chain, node, forms_, status=200):
        placed = EnterpriseNode.objects.filter(node=node).exclude(status="rejected").count()
        context = {
            "chain": chain,
            "node": node,
            "forms": forms_,
            "placed": placed,
            "lists": LISTS.values(),
            "can_change": True,
        }
        return render(request, "chains/node_edit.html", context, status=status)

    def get(self, request, code, pk):
        chain, node = self._node(request, code, pk)
        return self._render(request, chain, node, self._forms(chain, node))

    def post(self, request, code, pk):
        chain, node = self._node(request, code, pk)
        action = request.POST.get("action")
        if action not in self.actions:
            raise Http404
        forms_ = self._forms(chain, node, request.POST, action)
        form = forms_[action]
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "update":
                    services.node_update(actor=request.user, node=node, data=data)
                    done = _("Node %(node)s saved.")
                elif action == "move":
                    services.node_move(actor=request.user, node=node, parent=data["parent"])
                    done = _("Node %(node)s moved.")
                elif action == "merge":
                    services.node_merge(actor=request.user, source=node, target=data["target"])
                    done = _("Node %(node)s merged.")
                else:
                    services.node_delete(
                        actor=request.user, node=node, reassign_to=data["reassign_to"]
                    )
                    done = _("Node %(node)s deleted.")
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, done % {"node": node.name})
                if action in ("update", "move"):
                    return redirect(reverse("chains:node_edit", args=[code, node.pk]))
                return redirect(reverse("chains:structure_edit", args=[code]))
        return self._render(request, chain, node, forms_, status=422)


# The items of a chain's lists, kept by its office.

ITEM_TITLES = {
    "platforms": gettext_lazy("Innovation platform"),
    "technologies": gettext_lazy("Key technology task"),
    "bottlenecks": gettext_lazy("Bottleneck"),
    "fields": gettext_lazy("Application field"),
    "prospects": gettext_lazy("Prospect"),
}
ITEM_KINDS = {kind: (*forms_.ITEM_FORMS[kind], title) for kind, title in ITEM_TITLES.items()}


def _back(chain, kind: str) -> str:
    if kind == "fields":
        return reverse("chains:chain_detail", args=[chain.code]) + "#map-application"
    return reverse("chains:chain_list_page", args=[chain.code, kind])


class ChainItemView(LoginRequiredMixin, View):
    """Add (no pk) or change one item; prospects also show their pipeline and move on."""

    def _setup(self, request, code, kind, pk=None):
        if kind not in ITEM_KINDS:
            raise Http404
        chain = _chain_for_change(request.user, code)
        model, form_class, title = ITEM_KINDS[kind]
        item = get_object_or_404(model, pk=pk, chain=chain) if pk else model(chain=chain)
        return chain, model, form_class, title, item

    def _render(self, request, chain, kind, title, item, form, advance=None, status=200):
        context = {
            "chain": chain,
            "kind": kind,
            "title": title,
            "item": item,
            "form": form,
            "back": _back(chain, kind),
            "lists": LISTS.values(),
            "can_change": True,
        }
        if kind == "prospects" and item.pk:
            context["steps"] = item.steps.select_related("by").order_by("on", "pk")
            context["advance"] = advance or forms_.ProspectAdvanceForm(
                initial={"on": timezone.localdate()}
            )
        return render(request, "chains/item_form.html", context, status=status)

    def get(self, request, code, kind, pk=None):
        chain, model, form_class, title, item = self._setup(request, code, kind, pk)
        initial = {}
        if item.pk and "enterprise" in form_class.base_fields:
            initial["enterprise"] = item.enterprise
        form = form_class(instance=item, chain=chain, initial=initial)
        return self._render(request, chain, kind, title, item, form)

    def post(self, request, code, kind, pk=None):
        chain, model, form_class, title, item = self._setup(request, code, kind, pk)
        form = form_class(
            request.POST,
            instance=item,
            chain=chain,
            enterprises=enterprise_scope(request.user),
        )
        if form.is_valid():
            data = dict(form.cleaned_data)
            nodes = list(data.pop("nodes")) if "nodes" in data else None
            targets = data.pop("targets") if "targets" in data else None
            try:
                saved = services.chain_item_save(
                    actor=request.user, item=item, data=data, nodes=nodes, targets=targets
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("%(item)s saved.") % {"item": saved})
                if kind == "prospects" and pk is None:
                    return redirect(reverse("chains:item_edit", args=[code, kind, saved.pk]))
                return redirect(_back(chain, kind))
        return self._render(request, chain, kind, title, item, form, status=422)


class ChainItemDeleteView(LoginRequiredMixin, View):
    def post(self, request, code, kind, pk):
        if kind not in ITEM_KINDS:
            raise Http404
        chain = _chain_for_change(request.user, code)
        item = get_object_or_404(ITEM_KINDS[kind][0], pk=pk, chain=chain)
        services.chain_item_delete(actor=request.user, item=item)
        messages.success(request, _("%(item)s deleted.") % {"item": item})
        return redirect(_back(chain, kind))


class ProspectAdvanceView(LoginRequiredMixin, View):
    def post(self, request, code, pk):
        chain = _chain_for_change(request.user, code)
        prospect = get_object_or_404(Prospect, pk=pk, chain=chain)
        form = forms_.ProspectAdvanceForm(request.POST)
        form.fields["enterprise"].queryset = enterprise_scope(request.user)
        if form.is_valid():
            try:
                services.prospect_advance(
                    actor=request.user, prospect=prospect, **form.cleaned_data
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(prospect)s moved on to %(stage)s.")
                    % {"prospect": prospect, "stage": prospect.get_stage_display()},
                )
                return redirect(reverse("chains:item_edit", args=[code, "prospects", pk]))
        _model, form_class, title = ITEM_KINDS["prospects"]
        edit = form_class(instance=prospect, chain=chain)
        return ChainItemView()._render(
            request, chain, "prospects", title, prospect, edit, advance=form, status=422
        )


# A chain's structure as a file: exported to XLSX, imported from XLSX or JSON.


class ChainWorkbookView(LoginRequiredMixin, View):
    def get(self, request, code):
        chain = _chain(request.user, code)
        response = HttpResponse(content_type=XLSX)
        chain_workbook_write(response, chain)
        response["Content-Disposition"] = attachment(f"{chain.name}产业链结构.xlsx")
        return response


class ChainWorkbookTemplateView(LoginRequiredMixin, View):
    def get(self, request):
        response = HttpResponse(content_type=XLSX)
        chain_workbook_template(response)
        response["Content-Disposition"] = attachment("产业链结构模板.xlsx")
        return response


class ChainImportView(LoginRequiredMixin, View):
    """A new chain (or sub-chain) from a structure file: XLSX as exported, or JSON. Every
    fault is listed with its place; nothing is written unless the whole file is right."""

    def _allowed(self, request):
        if not selectors.chain_can_create(request.user):
            raise PermissionDenied

    def get(self, request):
        self._allowed(request)
        return render(request, "chains/chain_import.html", {"form": forms_.ChainFileForm()})

    def post(self, request):
        self._allowed(request)
        form = forms_.ChainFileForm(request.POST, request.FILES)
        errors: list[str] = []
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.name.lower().endswith(".json"):
                    document = forms_.json_document(upload)
                else:
                    document = chain_workbook_read(upload, name=upload.name)
                chain = chain_structure_load(document, actor=request.user)
            except ValidationError as error:
                errors = error.messages
            else:
                messages.success(
                    request,
                    _("Chain %(chain)s imported: %(n)d nodes.")
                    % {"chain": chain, "n": chain.nodes.count()},
                )
                return redirect(reverse("chains:chain_detail", args=[chain.code]))
        context = {"form": form, "errors": errors}
        return render(request, "chains/chain_import.html", context, status=422)
