"""Web UI of the enterprise archive. Views parse input, call a selector or service, render."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView

from gongxin.chains import selectors as chain_selectors
from gongxin.core.audit import with_change_lines
from gongxin.core.forms import form_errors_from
from gongxin.core.models import AuditEntry
from gongxin.core.tabular.files import export_filename
from gongxin.core.views import XLSX, PagedFilterView, attachment
from gongxin.demands import selectors as demand_selectors
from gongxin.enterprises import exports, selectors, services
from gongxin.enterprises.filters import EnterpriseFilterSet
from gongxin.enterprises.forms import (
    AnnualFigureForm,
    ContactForm,
    EnterpriseForm,
    MonthlyFigureForm,
    QualificationForm,
)
from gongxin.enterprises.models import Contact, Enterprise, Qualification
from gongxin.enterprises.sizing import is_above_scale, size_class
from gongxin.policies import selectors as policy_selectors
from gongxin.projects.selectors import project_scope


class EnterpriseListView(PagedFilterView):
    template_name = "enterprises/enterprise_list.html"
    filterset_class = EnterpriseFilterSet

    def get_queryset(self):
        return selectors.enterprise_list(user=self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_create"] = selectors.enterprise_can_create(user)
        context["can_import"] = selectors.enterprise_can_import(user)
        context["can_import_figures"] = selectors.figures_can_import(user)
        return context


class EnterpriseExportView(LoginRequiredMixin, View):
    """The filtered list as XLSX, in the import template's columns."""

    def get(self, request):
        response = HttpResponse(content_type=XLSX)
        exports.enterprise_export(response, user=request.user, filters=request.GET)
        response["Content-Disposition"] = attachment(export_filename("enterprises", "enterprises"))
        return response


class EnterpriseDetailView(LoginRequiredMixin, DetailView):
    template_name = "enterprises/enterprise_detail.html"
    context_object_name = "enterprise"

    def get_object(self, queryset=None):
        try:
            return selectors.enterprise_get(user=self.request.user, pk=self.kwargs["pk"])
        except Enterprise.DoesNotExist:
            raise Http404 from None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        enterprise, user = self.object, self.request.user
        figures = list(selectors.monthly_figures(enterprise=enterprise))
        annual = list(selectors.annual_figures(enterprise=enterprise))
        series = selectors.monthly_series(figures)
        editable = (
            selectors.enterprise_scope(user, for_change=True).filter(pk=enterprise.pk).exists()
        )
        latest_annual = annual[-1] if annual else None
        context.update(
            qualifications=enterprise.qualifications.all(),
            contacts=enterprise.contacts.all(),
            annual=annual,
            recent_figures=list(reversed(figures[-12:])),
            chart_data=[
                {
                    "key": s.key,
                    "label": str(s.label),
                    "unit": str(s.unit),
                    "periods": s.periods,
                    "values": s.values,
                    "yoy": s.yoy,
                }
                for s in series
            ],
            history=with_change_lines(
                AuditEntry.objects.filter(
                    object_type="enterprises.enterprise", object_id=str(enterprise.pk)
                ).order_by("-created_at", "-id")[:50]
            ),
            can_edit=editable and selectors.enterprise_fields_editable(user),
            can_edit_contacts=editable,
            can_delete=editable and selectors.enterprise_can_delete(user),
            computed_size=size_class(
                employees=latest_annual.employees, revenue=latest_annual.revenue
            )
            if latest_annual
            else None,
            computed_above_scale=is_above_scale(latest_annual.main_business_revenue)
            if latest_annual
            else None,
            latest_annual=latest_annual,
            chain_positions=chain_selectors.enterprise_positions(user, enterprise),
            **demand_selectors.enterprise_demand_history(user, enterprise),
            **policy_selectors.enterprise_policy_summary(user, enterprise),
            can_plan=services.plan_can_edit(user, enterprise),
            key_projects=list(
                project_scope(user)
                .filter(enterprise=enterprise)
                .select_related("chain")
                .order_by("-planned_investment", "pk")
            ),
        )
        return context


def _enterprise_for_change(user, pk) -> Enterprise:
    """The enterprise `pk` if `user` may change it: 403 when they may only read it, 404 when
    it is outside their scope (so its existence is never revealed)."""
    enterprise = selectors.enterprise_scope(user, for_change=True).filter(pk=pk).first()
    if enterprise is None:
        if selectors.enterprise_scope(user).filter(pk=pk).exists():
            raise PermissionDenied
        raise Http404
    return enterprise


class EnterpriseCreateView(LoginRequiredMixin, View):
    template_name = "enterprises/enterprise_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.enterprise_can_create(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        initial = {}
        if request.user.region_id and not request.user.region.is_park:
            initial["district"] = request.user.region_id
        return render(request, self.template_name, {"form": EnterpriseForm(initial=initial)})

    def post(self, request):
        form = EnterpriseForm(request.POST)
        if form.is_valid():
            try:
                enterprise = services.enterprise_create(
                    actor=request.user, data=form.service_data()
                )
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("Enterprise %(name)s added.") % {"name": enterprise})
                return redirect(enterprise)
        return render(request, self.template_name, {"form": form}, status=400)


class EnterpriseEditView(LoginRequiredMixin, View):
    template_name = "enterprises/enterprise_form.html"

    def get_enterprise(self, request, pk):
        enterprise = _enterprise_for_change(request.user, pk)
        if not selectors.enterprise_fields_editable(request.user):
            raise PermissionDenied
        return enterprise

    def get(self, request, pk):
        enterprise = self.get_enterprise(request, pk)
        return render(
            request,
            self.template_name,
            {"form": EnterpriseForm(instance=enterprise), "enterprise": enterprise},
        )

    def post(self, request, pk):
        enterprise = self.get_enterprise(request, pk)
        form = EnterpriseForm(request.POST, instance=Enterprise.objects.get(pk=enterprise.pk))
        if form.is_valid():
            try:
                services.enterprise_update(
                    actor=request.user, enterprise=enterprise, data=form.service_data()
                )
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("Changes saved."))
                return redirect(enterprise)
        return render(
            request, self.template_name, {"form": form, "enterprise": enterprise}, status=400
        )


class EnterpriseDeleteView(LoginRequiredMixin, View):
    def post(self, request, pk):
        enterprise = _enterprise_for_change(request.user, pk)
        services.enterprise_delete(actor=request.user, enterprise=enterprise)
        messages.success(request, _("Enterprise %(name)s deleted.") % {"name": enterprise.name})
        return redirect("enterprises:enterprise_list")


class _ChildView(LoginRequiredMixin, View):
    """Add, change or delete a contact / qualification / month of an enterprise in scope."""

    template_name = "enterprises/child_form.html"
    form_class = None
    model = None
    title = ""

    def enterprise(self, request, pk):
        return _enterprise_for_change(request.user, pk)

    def child(self, enterprise, child_pk):
        if child_pk is None or self.model is None:
            return None
        return get_object_or_404(self.model, pk=child_pk, enterprise=enterprise)

    def render_form(self, request, enterprise, form, status=200):
        return render(
            request,
            self.template_name,
            {"form": form, "enterprise": enterprise, "title": self.title},
            status=status,
        )

    def get(self, request, pk, child_pk=None):
        enterprise = self.enterprise(request, pk)
        return self.render_form(
            request, enterprise, self.form_class(instance=self.child(enterprise, child_pk))
        )

    def post(self, request, pk, child_pk=None):
        enterprise = self.enterprise(request, pk)
        child = self.child(enterprise, child_pk)
        if request.POST.get("delete") and child is not None:
            self.delete(request.user, child)
            messages.success(request, _("Deleted."))
            return redirect(enterprise)
        # The form writes into its instance: give it a copy, so the service still sees
        # the values before the change (and saves and audits them).
        form = self.form_class(request.POST, instance=self.child(enterprise, child_pk))
        if form.is_valid():
            try:
                self.save(request.user, enterprise, child, form)
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("Saved."))
                return redirect(enterprise)
        return self.render_form(request, enterprise, form, status=400)


class ContactView(_ChildView):
    form_class, model, title = ContactForm, Contact, _("Contact")

    def save(self, actor, enterprise, child, form):
        services.contact_save(
            actor=actor, enterprise=enterprise, contact=child, data=form.cleaned_data
        )

    def delete(self, actor, child):
        services.contact_delete(actor=actor, contact=child)


class QualificationView(_ChildView):
    form_class, model, title = QualificationForm, Qualification, _("Qualification")

    def enterprise(self, request, pk):
        enterprise = super().enterprise(request, pk)  # 404 out of scope, before any 403
        if not selectors.enterprise_fields_editable(request.user):
            raise PermissionDenied
        return enterprise

    def save(self, actor, enterprise, child, form):
        services.qualification_save(
            actor=actor, enterprise=enterprise, qualification=child, data=form.cleaned_data
        )

    def delete(self, actor, child):
        services.qualification_delete(actor=actor, qualification=child)


class _FiguresView(_ChildView):
    """Enter the figures of a month or a year (existing ones are corrected in place)."""

    def enterprise(self, request, pk):
        enterprise = super().enterprise(request, pk)  # 404 out of scope, before any 403
        if not selectors.enterprise_fields_editable(request.user):
            raise PermissionDenied
        return enterprise


class AnnualFigureView(_FiguresView):
    form_class, title = AnnualFigureForm, _("Annual figures")

    def save(self, actor, enterprise, child, form):
        services.annual_figure_save(
            actor=actor,
            enterprise=enterprise,
            year=form.cleaned_data["year"],
            data=form.service_data(),
        )


class MonthlyFigureView(_FiguresView):
    form_class, title = MonthlyFigureForm, _("Monthly figures")

    def save(self, actor, enterprise, child, form):
        services.monthly_figure_save(
            actor=actor,
            enterprise=enterprise,
            period=form.cleaned_data["month"],
            data=form.service_data(),
        )
