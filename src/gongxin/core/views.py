"""Shared views: sign-in, the home page, the audit log, and the generic list view."""

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from django_filters.views import FilterView

from gongxin.core import imports, notify
from gongxin.core.audit import change_lines, with_change_lines
from gongxin.core.choices import Role
from gongxin.core.filters import AuditEntryFilterSet
from gongxin.core.models import AuditEntry, ImportJob, Notification

PAGE_SIZES = (20, 50, 100)


def page_size(request, default: int) -> int:
    """The page size asked for (?per_page=), if it is one of PAGE_SIZES; else `default`."""
    try:
        size = int(request.GET.get("per_page", default))
    except ValueError:
        return default
    return size if size in PAGE_SIZES else default


def page_of(request, rows, default: int = 50):
    """The page of `rows` the request asks for (?page=, ?per_page=)."""
    return Paginator(rows, page_size(request, default)).get_page(request.GET.get("page"))


def year_of(value, default: int | None = None) -> int:
    """A year from a query parameter, or this year."""
    fallback = default or timezone.localdate().year
    try:
        year = int(value)
    except (TypeError, ValueError):
        return fallback
    return year if 2000 <= year <= 2100 else fallback


def query_string(request) -> str:
    """The request's query without its page, for the pager's links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


class PagedFilterView(LoginRequiredMixin, FilterView):
    """A filtered, sortable, paginated list. Subclasses give `get_queryset` (from a
    selector, so scope applies) and `filterset_class`."""

    paginate_by = 20
    strict = False

    def get_paginate_by(self, queryset):
        return page_size(self.request, self.paginate_by)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["query_string"] = query_string(self.request)
        context["page_sizes"] = PAGE_SIZES
        return context


class AdminRequiredMixin(UserPassesTestMixin):
    def test_func(self):
        user = self.request.user
        return user.is_authenticated and user.is_admin


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


class HomeView(LoginRequiredMixin, TemplateView):
    """The overview of the user's scope; an enterprise user goes straight to its own file."""

    template_name = "core/home.html"

    def get(self, request, *args, **kwargs):
        if request.user.role == Role.ENTERPRISE and request.user.enterprise_id:
            return redirect("enterprises:enterprise_detail", pk=request.user.enterprise_id)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        from gongxin.enterprises.choices import SizeClass
        from gongxin.enterprises.selectors import enterprise_overview

        context = super().get_context_data(**kwargs)
        context["overview"] = enterprise_overview(user=self.request.user)
        context["size_choices"] = SizeClass.choices
        return context


class ReferenceView(LoginRequiredMixin, TemplateView):
    """The city's regions (with their GB/T 2260 codes), zones and parks, and the
    departments — what officials write in the 所属区县 / 所属园区 columns of an import."""

    template_name = "core/reference.html"

    def get_context_data(self, **kwargs):
        from gongxin.core.selectors import department_list, region_list

        context = super().get_context_data(**kwargs)
        context["regions"] = region_list()
        context["departments"] = department_list()
        return context


class AuditEntryListView(AdminRequiredMixin, PagedFilterView):
    template_name = "core/auditentry_list.html"
    filterset_class = AuditEntryFilterSet
    paginate_by = 50

    def get_queryset(self):
        return AuditEntry.objects.select_related("actor").order_by("-created_at", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object_list"] = with_change_lines(context["object_list"])
        return context


# Imports (one set of views for every registered import) -----------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or XLSX)"))
    dry_run = forms.BooleanField(
        label=_("Check only (dry run): show what would change, write nothing"),
        required=False,
        initial=True,
    )


def _spec_or_404(kind, user):
    try:
        return imports.import_spec(kind, user)
    except LookupError:
        raise Http404 from None


class ImportView(LoginRequiredMixin, View):
    template_name = "core/import_form.html"

    def get(self, request, kind):
        spec = _spec_or_404(kind, request.user)
        recent = ImportJob.objects.filter(actor=request.user, kind=kind)[:10]
        return render(
            request, self.template_name, {"spec": spec, "form": ImportForm(), "recent": recent}
        )

    def post(self, request, kind):
        spec = _spec_or_404(kind, request.user)
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, {"spec": spec, "form": form}, status=400)
        try:
            job = imports.import_job_start(
                actor=request.user,
                kind=kind,
                upload=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except PermissionDenied as exc:
            form.add_error("file", str(exc))
            return render(request, self.template_name, {"spec": spec, "form": form}, status=400)
        return redirect("import_job", job_id=job.pk)


class ImportTemplateView(LoginRequiredMixin, View):
    def get(self, request, kind):
        spec = _spec_or_404(kind, request.user)
        response = HttpResponse(
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        spec.write_template(response)
        response["Content-Disposition"] = attachment(spec.template_name)
        return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def attachment(filename: str) -> str:
    """Content-Disposition for a download with a Chinese file name."""
    return f"attachment; filename*=UTF-8''{quote(filename)}"


def _own_job(request, job_id) -> ImportJob:
    job = get_object_or_404(ImportJob, pk=job_id)
    if job.actor_id != request.user.pk and not request.user.is_admin:
        raise Http404
    return job


class ImportJobView(LoginRequiredMixin, View):
    def get(self, request, job_id):
        job = _own_job(request, job_id)
        spec = imports.IMPORTS.get(job.kind)
        context = {"job": job, "spec": spec, "progress": imports.job_progress(job)}
        changes = (job.result or {}).get("changes") or []
        model = spec.importer.model if spec is not None else None
        for change, lines in zip(
            changes, change_lines((model, c["changes"]) for c in changes), strict=True
        ):
            change["lines"] = lines
        template = "core/import_job.html"
        if request.headers.get("HX-Request"):
            template = "core/partials/import_job_status.html"
        return render(request, template, context)


class ImportJobCommitView(LoginRequiredMixin, View):
    def post(self, request, job_id):
        job = _own_job(request, job_id)
        new = imports.import_job_commit(actor=request.user, job=job)
        return redirect("import_job", job_id=new.pk)


class ImportJobErrorsView(LoginRequiredMixin, View):
    def get(self, request, job_id):
        job = _own_job(request, job_id)
        path = imports.job_error_report(job)
        if not path.exists():
            raise Http404
        stem = job.original_name.rsplit(".", 1)[0]
        return FileResponse(open(path, "rb"), as_attachment=True, filename=f"{stem}_错误报告.xlsx")


class NotificationListView(LoginRequiredMixin, View):
    """My messages (deadlines, steps of demands, decisions): unread first."""

    def get(self, request):
        page = Paginator(notify.notification_list(request.user), 30).get_page(
            request.GET.get("page")
        )
        return render(request, "core/notification_list.html", {"page_obj": page})

    def post(self, request):
        count = notify.notifications_read_all(user=request.user)
        messages.success(request, _("%(n)d messages marked read.") % {"n": count})
        return redirect("notification_list")


class NotificationOpenView(LoginRequiredMixin, View):
    """Open a message: marked read, then on to what it is about."""

    def post(self, request, pk):
        try:
            notification = notify.notification_open(user=request.user, pk=pk)
        except Notification.DoesNotExist:
            raise Http404 from None
        target = notification.url
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(target)
        return redirect("notification_list")
