"""Demand and visit pages: the inbox (what waits for me, everything in my scope, the 督办
list), the board, the statistics, a demand with its history and what I may do on it,
registering one; visits, visit plans and their coverage."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View

from gongxin.alerts.services import alert_visit_link
from gongxin.core import workdays
from gongxin.core.choices import Role
from gongxin.core.forms import form_errors_from
from gongxin.demands import coverage, selectors, services, statistics
from gongxin.demands.choices import STEP_VERBS, Action, Category, ExtensionStatus, Status
from gongxin.demands.forms import (
    DemandForm,
    ExtensionDecideForm,
    ExtensionRequestForm,
    MergeForm,
    RaisedDemandFormSet,
    RecategorizeForm,
    StepForm,
    VisitForm,
    VisitPlanForm,
)
from gongxin.demands.models import DemandAttachment, DemandEvent
from gongxin.demands.services.visits import RaisedDemand
from gongxin.enterprises.selectors import enterprise_scope
from gongxin.projects.selectors import project_scope

TABS = ("mine", "all", "overdue")


class CountedPaginator(Paginator):
    """A paginator told how to count (a cheaper count than the queryset's own)."""

    def __init__(self, object_list, per_page, count):
        super().__init__(object_list, per_page)
        self._count = count

    @cached_property
    def count(self) -> int:
        return self._count()


class DemandInboxView(LoginRequiredMixin, View):
    def get(self, request):
        tab = request.GET.get("tab", "mine")
        if tab not in TABS:
            raise Http404
        now = timezone.now()
        status = request.GET.get("status", "")
        category = request.GET.get("category", "")
        key = request.GET.get("key") == "1"
        filters = {
            "status": status if status in Status.values else "",
            "category": category if category in Category.values else "",
            "key": key,
        }
        user = request.user
        demands = selectors.demand_list(user, tab=tab, now=now, **filters)
        where = selectors.demand_filter(user, tab=tab, now=now, **filters)
        page = CountedPaginator(demands, 30, lambda: selectors.demand_count(user, where))
        page = page.get_page(request.GET.get("page"))
        soon = workdays.add_workdays(now, 1)
        rows = [(d, selectors.mark(d, now, soon)) for d in page]
        context = {
            "tab": tab,
            "rows": rows,
            "page_obj": page,
            "statuses": Status.choices,
            "status": status,
            "categories": Category.choices,
            "category": category,
            "key": key,
            "query_string": f"tab={tab}&status={status}&category={category}"
            + ("&key=1" if key else ""),
            "can_register": selectors.demand_can_register(request.user),
            "can_import": selectors.is_desk(request.user),
        }
        return render(request, "demands/inbox.html", context)


class DemandBoardView(LoginRequiredMixin, View):
    def get(self, request):
        now = timezone.now()
        soon = workdays.add_workdays(now, 1)
        columns = statistics.demand_board(request.user)
        for column in columns:
            column["cards"] = [(d, selectors.mark(d, now, soon)) for d in column["cards"]]
        return render(request, "demands/board.html", {"columns": columns})


def _month(value: str | None) -> dt.date | None:
    try:
        return dt.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return None


class DemandStatisticsView(LoginRequiredMixin, View):
    def get(self, request):
        if request.user.role == Role.ENTERPRISE:
            raise PermissionDenied
        by = request.GET.get("by", "department")
        if by not in statistics.DIMENSIONS:
            raise Http404
        start, end = _month(request.GET.get("from")), _month(request.GET.get("to"))
        if start and end and end < start:
            start, end = end, start
        stats = statistics.demand_statistics(request.user, dimension=by, start=start, end=end)
        chart = {
            "labels": [r.label for r in stats.rows],
            "received": [r.received for r in stats.rows],
            "resolved": [r.resolved for r in stats.rows],
            "satisfaction": [r.satisfaction_rate for r in stats.rows],
            "on_time": [r.on_time_rate for r in stats.rows],
        }
        context = {
            "stats": stats,
            "by": by,
            "dimensions": statistics.DIMENSIONS.items(),
            "chart": chart,
            "period": f"from={stats.start:%Y-%m}&to={stats.end:%Y-%m}",
        }
        return render(request, "demands/statistics.html", context)


class DemandDetailView(LoginRequiredMixin, View):
    def _demand(self, request, pk):
        return get_object_or_404(
            selectors.demand_scope(request.user).select_related(
                "enterprise",
                "lead",
                "registered_by",
                "visit",
                "merged_into",
                "duplicate_of",
                "factor__project",
            ),
            pk=pk,
        )

    def _render(self, request, demand, forms=None, status=200):
        forms = forms or {}
        user, now = request.user, timezone.now()
        actions = services.allowed_actions(user, demand)
        factor = getattr(demand, "factor", None)  # a demand without one: None
        step_fields = {"text", "attachments"}
        if Action.DISPATCH in actions:
            step_fields |= {"lead", "co_departments"}
        if Action.RATE in actions:
            step_fields.add("rating")
        if Action.RESOLVE in actions and factor is not None:
            step_fields.add("fulfilled")
        merged = list(demand.merged.order_by("pk"))
        events = (
            DemandEvent.objects.filter(demand_id__in=[demand.pk, *[m.pk for m in merged]])
            .select_related("actor", "department")
            .prefetch_related("attachments")
            .order_by("at", "pk")
        )
        desk = selectors.is_desk(user)
        live = demand.status not in (Status.CLOSED, Status.MERGED)
        extensions = list(demand.extensions.select_related("requested_by", "decided_by"))
        pending = next((e for e in extensions if e.status == ExtensionStatus.PENDING), None)
        handling = demand.status in (Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS)
        initial = {"version": demand.version}
        context = {
            "demand": demand,
            "factor": factor,
            "events": events,
            "merged": merged,
            "co_departments": demand.co_departments.all(),
            "attachments": demand.attachments.all(),
            "actions": [(a, STEP_VERBS[a]) for a in actions],
            "form": forms.get("step")
            or StepForm(initial=initial, fields=step_fields if actions else None),
            "mark": selectors.mark(demand, now, workdays.add_workdays(now, 1)),
            "extensions": extensions,
            "recategorize_form": (
                forms.get("recategorize")
                or RecategorizeForm(initial={**initial, "category": demand.category})
            )
            if desk and live
            else None,
            "merge_form": (
                forms.get("merge") or MergeForm(initial={**initial, "into": demand.duplicate_of_id})
            )
            if desk and live
            else None,
            "extend_form": (forms.get("extend") or ExtensionRequestForm(initial=initial))
            if handling and pending is None and selectors.is_lead(user, demand)
            else None,
            "decide_form": (
                forms.get("decide") or ExtensionDecideForm(initial={"extension": pending.pk})
            )
            if desk and pending is not None and handling
            else None,
            "pending": pending,
            "can_dismiss": desk and demand.duplicate_of_id and live,
        }
        return render(request, "demands/demand_detail.html", context, status=status)

    def get(self, request, pk):
        return self._render(request, self._demand(request, pk))

    def post(self, request, pk):
        demand = self._demand(request, pk)
        handler = {
            "recategorize": self._recategorize,
            "merge": self._merge,
            "not_dup": self._not_dup,
            "extend": self._extend,
            "decide": self._decide,
        }.get(request.POST.get("do", ""), self._step)
        name, form, run = handler(request, demand)
        if run is not None:
            try:
                done, target = run()
            except (PermissionDenied, ValidationError) as error:
                form_errors_from(error, form)
            else:
                messages.success(request, done)
                return redirect(reverse("demands:demand_detail", args=[target or pk]))
        demand.refresh_from_db()
        return self._render(request, demand, {name: form}, status=422)

    # Each handler: the form's name, the bound form, and what to run when it is valid
    # (the service call, returning the message and the demand to show next).

    def _step(self, request, demand):
        action = request.POST.get("action", "")
        form = StepForm(request.POST, request.FILES)
        if not form.is_valid():
            return "step", form, None
        data = form.cleaned_data

        def run():
            services.demand_step(
                actor=request.user,
                demand=demand,
                action=action,
                text=data["text"],
                version=data["version"],
                lead=data["lead"],
                co_departments=data["co_departments"],
                rating=data["rating"],
                fulfilled=data["fulfilled"],
                attachments=data["attachments"],
            )
            return _("Done: %(step)s.") % {"step": Action(action).label}, None

        return "step", form, run

    def _recategorize(self, request, demand):
        form = RecategorizeForm(request.POST)
        if not form.is_valid():
            return "recategorize", form, None

        def run():
            services.demand_recategorize(
                actor=request.user,
                demand=demand,
                category=form.cleaned_data["category"],
                version=form.cleaned_data["version"],
            )
            return _("Category changed."), None

        return "recategorize", form, run

    def _merge(self, request, demand):
        form = MergeForm(request.POST)
        if not form.is_valid():
            return "merge", form, None
        into = selectors.demand_scope(request.user).filter(pk=form.cleaned_data["into"]).first()
        if into is None:
            form.add_error("into", _("No demand with this number is in your scope."))
            return "merge", form, None

        def run():
            services.demand_merge(
                actor=request.user,
                duplicate=demand,
                into=into,
                version=form.cleaned_data["version"],
            )
            return _("Merged into No. %(pk)d.") % {"pk": into.pk}, into.pk

        return "merge", form, run

    def _not_dup(self, request, demand):
        # shown again, on failure, as the merge form with the suspected original
        version = request.POST.get("version", "")
        form = MergeForm({"version": version, "into": demand.duplicate_of_id or ""})
        form.is_valid()

        def run():
            seen = int(version) if version.isdigit() else -1
            services.duplicate_dismiss(actor=request.user, demand=demand, version=seen)
            return _("Marked as not a duplicate."), None

        return "merge", form, run

    def _extend(self, request, demand):
        form = ExtensionRequestForm(request.POST)
        if not form.is_valid():
            return "extend", form, None
        data = form.cleaned_data

        def run():
            services.extension_request(
                actor=request.user,
                demand=demand,
                days=data["days"],
                reason=data["reason"],
                phase=data["phase"],
                version=data["version"],
            )
            return _("Extension requested: the desk decides."), None

        return "extend", form, run

    def _decide(self, request, demand):
        form = ExtensionDecideForm(request.POST)
        if not form.is_valid():
            return "decide", form, None
        extension = demand.extensions.filter(pk=form.cleaned_data["extension"]).first()
        if extension is None:
            raise Http404
        approve = request.POST.get("decision") == "approve"

        def run():
            services.extension_decide(
                actor=request.user,
                extension=extension,
                approve=approve,
                note=form.cleaned_data["note"],
            )
            return (_("Extension approved.") if approve else _("Extension refused.")), None

        return "decide", form, run


class DemandAttachmentView(LoginRequiredMixin, View):
    """An attachment, to those who see its demand (never a public URL)."""

    def get(self, request, pk, attachment_pk):
        demand = get_object_or_404(selectors.demand_scope(request.user), pk=pk)
        attachment = get_object_or_404(DemandAttachment, pk=attachment_pk, demand=demand)
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.name,
            content_type=attachment.content_type,
        )


class DemandCreateView(LoginRequiredMixin, View):
    def _form(self, request, data=None, files=None):
        own = request.user.enterprise if request.user.role == Role.ENTERPRISE else None
        scope = enterprise_scope(request.user)
        return DemandForm(
            data,
            files,
            initial={"enterprise": request.GET.get("enterprise", "")},
            enterprises=scope,
            own=own,
            projects=project_scope(request.user).filter(enterprise__in=scope),
        )

    def _allowed(self, request):
        if not selectors.demand_can_register(request.user):
            raise PermissionDenied

    def _project(self, request):
        """The key project the demand is about (?project=, from the project's page)."""
        pk = request.POST.get("project") or request.GET.get("project")
        if not pk or not str(pk).isdigit():
            return None
        return project_scope(request.user).filter(pk=pk).select_related("enterprise").first()

    def get(self, request):
        self._allowed(request)
        context = {"form": self._form(request), "project": self._project(request)}
        return render(request, "demands/demand_form.html", context)

    def post(self, request):
        self._allowed(request)
        form = self._form(request, request.POST, request.FILES)
        project = self._project(request)
        if form.is_valid():
            data = dict(form.cleaned_data)
            own = request.user.role == Role.ENTERPRISE
            enterprise = request.user.enterprise if own else data.pop("enterprise")
            try:
                demand = services.demand_register(
                    actor=request.user,
                    enterprise=enterprise,
                    title=data["title"],
                    text=data["text"],
                    category=data["category"],
                    urgency=data["urgency"],
                    source=data.get("source") or "portal",
                    reference=data.get("reference", ""),
                    factor=form.factor_ask(project=data.get("factor_project")),
                    project=project,
                    attachments=data["attachments"],
                )
            except (PermissionDenied, ValidationError) as error:
                form_errors_from(error, form)
            else:
                messages.success(request, _("Demand registered."))
                return redirect(reverse("demands:demand_detail", args=[demand.pk]))
        context = {"form": form, "project": project}
        return render(request, "demands/demand_form.html", context, status=422)


# Visits ---------------------------------------------------------------------------------


class VisitListView(LoginRequiredMixin, View):
    """Visits made, and the visits due: mine (an officer's), all in my scope, overdue."""

    def get(self, request):
        user = request.user
        if not selectors.visit_menu(user):
            raise PermissionDenied
        today = timezone.localdate()
        visits = (
            selectors.visit_scope(user)
            .select_related("enterprise", "recorded_by")
            .prefetch_related("officials")
            .annotate(raised=Count("demands"))
            .order_by("-visited_on", "-pk")
        )
        page = Paginator(visits, 20).get_page(request.GET.get("page"))
        context = {
            "page_obj": page,
            "open_tasks": coverage.open_tasks(user, mine=user.role == Role.OFFICER, on=today)[:20],
            "overdue_tasks": coverage.overdue_tasks(user, on=today)[:20],
            "can_record": selectors.visit_can_record(user),
            "can_plan": selectors.visit_plan_can_create(user),
            "query_string": "",
        }
        return render(request, "demands/visit_list.html", context)


class VisitCreateView(LoginRequiredMixin, View):
    def _allowed(self, request):
        if not selectors.visit_can_record(request.user):
            raise PermissionDenied

    def _forms(self, request, data=None, files=None):
        initial = {"visited_on": timezone.localdate()}
        enterprise = request.GET.get("enterprise")
        if enterprise and enterprise.isdigit():
            initial["enterprise"] = int(enterprise)
        form = VisitForm(data, initial=initial, enterprises=enterprise_scope(request.user))
        projects = project_scope(request.user).filter(enterprise__in=enterprise_scope(request.user))
        formset = RaisedDemandFormSet(
            data, files, prefix="demands", form_kwargs={"projects": projects}
        )
        return form, formset

    def _alert(self, request):
        """The early warning the visit follows up (`?alert=`), if the user reads it."""
        from gongxin.alerts.selectors import alert_scope

        pk = request.GET.get("alert", "")
        if not pk.isdigit():
            return None
        return alert_scope(request.user).select_related("enterprise").filter(pk=pk).first()

    def get(self, request):
        self._allowed(request)
        form, formset = self._forms(request)
        context = {"form": form, "formset": formset, "alert": self._alert(request)}
        return render(request, "demands/visit_form.html", context)

    def post(self, request):
        self._allowed(request)
        form, formset = self._forms(request, request.POST, request.FILES)
        alert = self._alert(request)
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            raised = [
                RaisedDemand(
                    title=f.cleaned_data["title"],
                    text=f.cleaned_data["text"],
                    category=f.cleaned_data.get("category") or "",
                    urgency=f.cleaned_data.get("urgency") or "normal",
                    factor=f.factor_ask(project=f.cleaned_data.get("factor_project")),
                )
                for f in formset
                if f.cleaned_data.get("title")
            ]
            try:
                with transaction.atomic():
                    visit = services.visit_record(
                        actor=request.user,
                        enterprise=data["enterprise"],
                        visited_on=data["visited_on"],
                        kind=data["kind"],
                        officials=data["officials"],
                        seen=data["seen"],
                        findings=data["findings"],
                        demands=raised,
                    )
                    if alert is not None:
                        alert_visit_link(actor=request.user, alert=alert, visit=visit)
            except (PermissionDenied, ValidationError) as error:
                form_errors_from(error, form)
            else:
                messages.success(
                    request,
                    _("Visit recorded, %(n)d demands registered.") % {"n": len(raised)},
                )
                return redirect(reverse("visits:visit_detail", args=[visit.pk]))
        context = {"form": form, "formset": formset, "alert": alert}
        return render(request, "demands/visit_form.html", context, status=422)


class VisitDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        visit = get_object_or_404(
            selectors.visit_scope(request.user).select_related("enterprise", "recorded_by"),
            pk=pk,
        )
        context = {
            "visit": visit,
            "officials": visit.officials.all(),
            "demands": selectors.demand_scope(request.user)
            .filter(visit=visit)
            .select_related("lead")
            .order_by("pk"),
            "tasks": visit.tasks.select_related("plan").order_by("due"),
        }
        return render(request, "demands/visit_detail.html", context)


class VisitPlanListView(LoginRequiredMixin, View):
    def get(self, request):
        user = request.user
        if not selectors.visit_menu(user):
            raise PermissionDenied
        covered = {r.key: r for r in coverage.visit_coverage(user, by="plan")}
        plans = selectors.visit_plan_scope(user).order_by("-starts_on", "-pk")
        context = {
            "rows": [
                (p, covered.get(p.pk) or coverage.CoverageRow(p.pk, p.name, 0, 0, 0, 0, 0, 0))
                for p in plans
            ],
            "can_plan": selectors.visit_plan_can_create(user),
        }
        return render(request, "demands/visit_plan_list.html", context)


class VisitPlanCreateView(LoginRequiredMixin, View):
    def _allowed(self, request):
        if not selectors.visit_plan_can_create(request.user):
            raise PermissionDenied

    def get(self, request):
        self._allowed(request)
        today = timezone.localdate()
        initial = {"starts_on": today.replace(day=1), "ends_on": today.replace(month=12, day=31)}
        return render(
            request, "demands/visit_plan_form.html", {"form": VisitPlanForm(initial=initial)}
        )

    def post(self, request):
        self._allowed(request)
        form = VisitPlanForm(request.POST)
        if form.is_valid():
            try:
                plan = services.visit_plan_create(actor=request.user, **form.cleaned_data)
            except (PermissionDenied, ValidationError) as error:
                form_errors_from(error, form)
            else:
                messages.success(
                    request,
                    _("Plan made: %(n)d visits to make.") % {"n": plan.tasks.count()},
                )
                return redirect(reverse("visits:visit_plan_detail", args=[plan.pk]))
        return render(request, "demands/visit_plan_form.html", {"form": form}, status=422)


class VisitPlanDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        user = request.user
        plan = get_object_or_404(
            selectors.visit_plan_scope(user).select_related("chain", "region"), pk=pk
        )
        by = request.GET.get("by", "official")
        if by not in coverage.BY or by == "plan":
            raise Http404
        context = {
            "plan": plan,
            "by": by,
            "by_label": coverage.BY[by][1],
            "rows": coverage.visit_coverage(user, by=by, plan=plan),
            "overdue_tasks": coverage.overdue_tasks(user, plan=plan)[:50],
        }
        return render(request, "demands/visit_plan_detail.html", context)
