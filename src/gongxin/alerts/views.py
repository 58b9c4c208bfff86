"""The early-warning list: the open warnings in the user's scope (a service officer's are
those of the enterprises they serve and the projects they answer for); "on my list"
narrows it to the warnings the user is responsible for, as the notification of new ones
links. Each warning links to its enterprise or project and starts a visit."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from gongxin.alerts import selectors
from gongxin.alerts.choices import Rule
from gongxin.alerts.filters import AlertFilterSet
from gongxin.core.views import PagedFilterView
from gongxin.demands.selectors import visit_can_record


class AlertListView(PagedFilterView):
    template_name = "alerts/alert_list.html"
    filterset_class = AlertFilterSet
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.alerts_can_read(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.alert_rows(self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        if not self.request.GET:  # first visit: what is open
            kwargs["data"] = {"status": "open"}
        return {**kwargs, "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["counts"] = selectors.alert_counts(self.request.user)
        context["rules"] = Rule.choices
        context["can_visit"] = visit_can_record(self.request.user)
        return context
