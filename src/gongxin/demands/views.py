"""Demand pages: the inbox (what waits for me, everything in my scope, the 督办 list),
a demand with its history and the steps I may take, and registering one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from gongxin.core import workdays
from gongxin.core.choices import Role
from gongxin.demands import selectors, services
from gongxin.demands.choices import Action, Status
from gongxin.demands.forms import DemandForm, StepForm
from gongxin.enterprises.selectors import enterprise_scope

TABS = ("mine", "all", "overdue")


class DemandInboxView(LoginRequiredMixin, View):
    def get(self, request):
        tab = request.GET.get("tab", "mine")
        if tab not in TABS:
            raise Http404
        now = timezone.now()
        demands = selectors.demand_list(request.user, tab=tab, now=now)
        status = request.GET.get("status", "")
        if status in Status.values:
            demands = demands.filter(status=status)
        page = Paginator(demands, 30).get_page(request.GET.get("page"))
        soon = workdays.add_workdays(now, 1)
        rows = [(d, selectors.mark(d, now, soon)) for d in page]
        context = {
            "tab": tab,
            "rows": rows,
            "page_obj": page,
            "statuses": Status.choices,
            "status": status,
            "query_string": f"tab={tab}&status={status}",
            "can_register": selectors.demand_can_register(request.user),
            "can_import": selectors.is_desk(request.user),
        }
        return render(request, "demands/inbox.html", context)


class DemandDetailView(LoginRequiredMixin, View):
    def _demand(self, request, pk):
        return get_object_or_404(
            selectors.demand_scope(request.user).select_related(
                "enterprise", "lead", "registered_by"
            ),
            pk=pk,
        )

    def _render(self, request, demand, form=None, status=200):
        now = timezone.now()
        context = {
            "demand": demand,
            "events": demand.events.select_related("actor", "department").order_by("at", "pk"),
            "co_departments": demand.co_departments.all(),
            "actions": [
                (action, Action(action).label)
                for action in services.allowed_actions(request.user, demand)
            ],
            "form": form or StepForm(initial={"version": demand.version}),
            "mark": selectors.mark(demand, now, workdays.add_workdays(now, 1)),
        }
        return render(request, "demands/demand_detail.html", context, status=status)

    def get(self, request, pk):
        return self._render(request, self._demand(request, pk))

    def post(self, request, pk):
        demand = self._demand(request, pk)
        action = request.POST.get("action", "")
        form = StepForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.demand_step(
                    actor=request.user,
                    demand=demand,
                    action=action,
                    text=data["text"],
                    version=data["version"],
                    lead=data["lead"],
                    co_departments=data["co_departments"],
                    rating=data["rating"],
                )
            except PermissionDenied as denied:
                form.add_error(None, str(denied) or _("This step is not yours."))
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Done: %(step)s.") % {"step": Action(action).label})
                return redirect(reverse("demands:demand_detail", args=[pk]))
        demand.refresh_from_db()
        return self._render(request, demand, form, status=422)


class DemandCreateView(LoginRequiredMixin, View):
    def _form(self, request, data=None):
        own = request.user.enterprise if request.user.role == Role.ENTERPRISE else None
        return DemandForm(data, enterprises=enterprise_scope(request.user), own=own)

    def _allowed(self, request):
        if not selectors.demand_can_register(request.user):
            raise PermissionDenied

    def get(self, request):
        self._allowed(request)
        return render(request, "demands/demand_form.html", {"form": self._form(request)})

    def post(self, request):
        self._allowed(request)
        form = self._form(request, request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            own = request.user.role == Role.ENTERPRISE
            try:
                demand = services.demand_register(
                    actor=request.user,
                    enterprise=request.user.enterprise if own else data.pop("enterprise"),
                    title=data["title"],
                    text=data["text"],
                    category=data["category"],
                    urgency=data["urgency"],
                    source=data.get("source") or "portal",
                    reference=data.get("reference", ""),
                )
            except (PermissionDenied, ValidationError) as error:
                form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
            else:
                messages.success(request, _("Demand registered."))
                return redirect(reverse("demands:demand_detail", args=[demand.pk]))
        return render(request, "demands/demand_form.html", {"form": form}, status=422)
