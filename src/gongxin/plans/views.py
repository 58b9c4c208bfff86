"""The plan pages: the list, importing a document (upload → check and correct the split
→ save), a plan with its task tree, a task with its owners and reports, the tasks list
(a department's own), the departments' record, and the XLSX and DOCX exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from gongxin.core.forms import form_errors_from
from gongxin.core.views import DOCX, XLSX, attachment, page_of
from gongxin.plans import exports, schedule, selectors, services, tree
from gongxin.plans.choices import Colour, PlanStatus, State
from gongxin.plans.forms import (
    DraftDescribeForm,
    PlanFilterForm,
    PlanForm,
    PlanImportForm,
    ReportForm,
    TaskAssignForm,
    TaskFilterForm,
)
from gongxin.plans.models import ReportAttachment


class ReaderMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.plans_can_read(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class EditorMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.plans_can_edit(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class PlanListView(ReaderMixin, View):
    def get(self, request):
        form = PlanFilterForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        plans = selectors.plan_list(request.user, filters)
        return render(
            request,
            "plans/plan_list.html",
            {
                "form": form,
                "page_obj": page_of(request, plans, 20),
                "drafts": selectors.draft_list(request.user),
                "can_edit": selectors.plans_can_edit(request.user),
            },
        )


class PlanImportView(EditorMixin, View):
    template_name = "plans/plan_import.html"

    def get(self, request):
        return render(request, self.template_name, {"form": PlanImportForm()})

    def post(self, request):
        form = PlanImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["document"]
            try:
                draft = services.draft_create(actor=request.user, fileobj=upload, name=upload.name)
            except ValidationError as exc:
                form.add_error("document", exc.messages)
            else:
                return redirect(draft.get_absolute_url())
        return render(request, self.template_name, {"form": form}, status=400)


def _draft_context(draft, *, describe_form=None, error: str = "") -> dict:
    data = draft.tree
    nodes = []

    def visit(items, depth):
        for item in items:
            nodes.append(
                {
                    "node": item,
                    "depth": depth,
                    "indent": depth * 24,
                    "sentences": tree.sentences(item.get("text", "")),
                    "leaf": not item.get("children"),
                }
            )
            visit(item.get("children", []), depth + 1)

    visit(data.get("tasks", []), 0)
    describe_form = describe_form or DraftDescribeForm(
        initial={
            "title": data.get("title"),
            "number": data.get("number"),
            "author": data.get("author"),
            "date": data.get("date"),
            "year": data.get("year"),
        }
    )
    return {
        "draft": draft,
        "data": data,
        "nodes": nodes,
        "leaves": sum(1 for n in nodes if n["leaf"]),
        "describe_form": describe_form,
        "error": error,
    }


class DraftDetailView(EditorMixin, View):
    """The preview: the document as it was split, to correct before saving."""

    def get(self, request, pk):
        draft = selectors.draft_get(request.user, pk)
        return render(request, "plans/draft_detail.html", _draft_context(draft))

    def post(self, request, pk):
        draft = selectors.draft_get(request.user, pk)
        action = request.POST.get("action", "")
        if action == "describe":
            form = DraftDescribeForm(request.POST)
            if form.is_valid():
                try:
                    services.draft_describe(actor=request.user, draft=draft, **form.cleaned_data)
                except ValidationError as exc:
                    form_errors_from(exc, form)
                else:
                    return redirect(draft.get_absolute_url())
            return render(
                request,
                "plans/draft_detail.html",
                _draft_context(draft, describe_form=form),
                status=400,
            )
        if action == "commit":
            try:
                plan = services.draft_commit(actor=request.user, draft=draft)
            except ValidationError as exc:
                return render(
                    request,
                    "plans/draft_detail.html",
                    _draft_context(draft, error=" ".join(exc.messages)),
                    status=400,
                )
            messages.success(
                request,
                _("The plan is saved. Check each task's owners and deadline, then issue it."),
            )
            return redirect(plan.get_absolute_url())
        if action == "discard":
            services.draft_discard(actor=request.user, draft=draft)
            messages.info(request, _("The imported document was discarded."))
            return redirect("plans:plan_list")
        error = ""
        try:
            draft = services.draft_edit(
                actor=request.user,
                draft=draft,
                action=action,
                node_id=request.POST.get("node", ""),
                value=request.POST.get("value", ""),
            )
        except tree.TreeError as exc:
            error = str(exc)
        template = (
            "plans/partials/draft_tree.html"
            if request.headers.get("HX-Request")
            else "plans/draft_detail.html"
        )
        return render(
            request, template, _draft_context(draft, error=error), status=400 if error else 200
        )


class PlanDetailView(ReaderMixin, View):
    def get(self, request, pk):
        plan = selectors.plan_get(request.user, pk)
        rows = selectors.flatten(selectors.plan_tree(request.user, plan))
        leaves = [row for row in rows if row.task.is_leaf]
        counts = {
            "tasks": len(leaves),
            "done": sum(1 for r in leaves if r.task.state == State.DONE),
            "late": sum(1 for r in leaves if r.task.state == State.LATE),
            "red": sum(1 for r in leaves if r.task.colour == Colour.RED),
            "yellow": sum(1 for r in leaves if r.task.colour == Colour.YELLOW),
            "missing": sum(1 for r in leaves if r.task.report_missing),
            "unconfirmed": sum(1 for r in rows if not r.task.confirmed),
        }
        counts["completion"] = (
            round(counts["done"] * 100 / counts["tasks"]) if counts["tasks"] else 0
        )
        return render(
            request,
            "plans/plan_detail.html",
            {
                "plan": plan,
                "rows": rows,
                "counts": counts,
                "record": selectors.department_record(request.user, plan=plan),
                "can_edit": selectors.plans_can_edit(request.user),
                "due_period": schedule.period_label(
                    schedule.due_period(timezone.localdate(), plan.report_every), plan.report_every
                ),
            },
        )


class PlanActionView(EditorMixin, View):
    """Confirm all proposals, issue, close, reopen or delete a plan."""

    ACTIONS = {
        "confirm": services.tasks_confirm,
        "issue": services.plan_issue,
        "close": services.plan_close,
        "reopen": services.plan_reopen,
        "delete": services.plan_delete,
    }

    def post(self, request, pk):
        plan = selectors.plan_get(request.user, pk)
        action = request.POST.get("action")
        if action not in self.ACTIONS:
            raise Http404
        try:
            self.ACTIONS[action](actor=request.user, plan=plan)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(plan.get_absolute_url())
        if action == "delete":
            messages.info(request, _("The draft plan was deleted."))
            return redirect("plans:plan_list")
        done = {
            "confirm": _("The proposals of the tasks are confirmed."),
            "issue": _("The plan is issued; the lead departments have been told."),
            "close": _("The plan is closed."),
            "reopen": _("The plan is open again."),
        }
        messages.success(request, done[action])
        return redirect(plan.get_absolute_url())


class PlanEditView(EditorMixin, View):
    def get(self, request, pk):
        plan = selectors.plan_get(request.user, pk)
        return render(
            request, "plans/plan_form.html", {"plan": plan, "form": PlanForm(instance=plan)}
        )

    def post(self, request, pk):
        plan = selectors.plan_get(request.user, pk)
        form = PlanForm(request.POST, instance=selectors.plan_get(request.user, pk))
        if form.is_valid():
            try:
                services.plan_update(actor=request.user, plan=plan, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                return redirect(plan.get_absolute_url())
        return render(request, "plans/plan_form.html", {"plan": plan, "form": form}, status=400)


class PlanSourceView(ReaderMixin, View):
    """The document the plan was imported from."""

    def get(self, request, pk):
        plan = selectors.plan_get(request.user, pk)
        if not plan.source:
            raise Http404
        return FileResponse(plan.source.open("rb"), as_attachment=True, filename=plan.source_name)


class PlanExportView(ReaderMixin, View):
    """The plan's tasks with owners, deadlines and latest progress, as XLSX or as the
    progress report (工作落实情况通报) in Word."""

    def get(self, request, pk, fmt):
        plan = selectors.plan_get(request.user, pk)
        today = timezone.localdate()
        if fmt == "xlsx":
            response = HttpResponse(content_type=XLSX)
            exports.plan_xlsx(request.user, plan, response, today=today)
            name = f"plans_tasks_{today:%Y%m%d}.xlsx"
        elif fmt == "docx":
            response = HttpResponse(content_type=DOCX)
            exports.plan_docx(request.user, plan, response, today=today)
            name = f"{plan.title}_工作落实情况通报_{today:%Y%m%d}.docx"
        else:
            raise Http404
        response["Content-Disposition"] = attachment(name)
        return response


class TaskListView(ReaderMixin, View):
    def get(self, request):
        plans = selectors.plan_scope(request.user).exclude(status=PlanStatus.DRAFT)
        form = TaskFilterForm(request.GET or None, plans=plans)
        filters = form.cleaned_data if form.is_valid() else {}
        tasks = selectors.task_list(request.user, filters)
        return render(
            request,
            "plans/task_list.html",
            {"form": form, "page_obj": page_of(request, tasks, 50)},
        )


class TaskDetailView(ReaderMixin, View):
    def get(self, request, pk, *, assign_form=None, report_form=None, status=200):
        task = selectors.task_get(request.user, pk)
        can_edit = selectors.plans_can_edit(request.user)
        can_report = selectors.task_can_report(request.user, task)
        if can_edit and assign_form is None:
            assign_form = TaskAssignForm(
                initial={
                    "title": task.title,
                    "lead": task.lead_id,
                    "partners": list(task.partners.all()),
                    "owners_text": task.owners_text,
                    "official": task.official_id,
                    "deadline": task.deadline,
                    "ongoing": task.ongoing,
                }
            )
        if can_report and report_form is None:
            due = schedule.due_period(timezone.localdate(), task.plan.report_every)
            report_form = ReportForm(
                period=max(due, task.last_period or due),
                initial={"status": task.status, "progress": task.progress},
            )
        return render(
            request,
            "plans/task_detail.html",
            {
                "task": task,
                "plan": task.plan,
                "children": task.children.order_by("position"),
                "targets": task.targets.select_related("indicator"),
                "links": task.links.select_related("chain"),
                "reports": selectors.report_list(request.user, task),
                "can_edit": can_edit,
                "can_report": can_report,
                "assign_form": assign_form,
                "report_form": report_form,
                "proposal": task.proposal or {},
            },
            status=status,
        )


class TaskAssignView(EditorMixin, View):
    def post(self, request, pk):
        task = selectors.task_get(request.user, pk)
        form = TaskAssignForm(request.POST)
        if form.is_valid():
            try:
                services.task_assign(actor=request.user, task=task, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("The task's owners and deadline are saved."))
                return redirect(task.get_absolute_url())
        return TaskDetailView().get(request, pk, assign_form=form, status=400)


class ReportCreateView(ReaderMixin, View):
    def post(self, request, pk):
        task = selectors.task_get(request.user, pk)
        if not selectors.task_can_report(request.user, task):
            raise PermissionDenied(_("Only the lead department reports on this task."))
        form = ReportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.report_file(
                    actor=request.user,
                    task=task,
                    period=form.cleaned_data["period"],
                    status=form.cleaned_data["status"],
                    progress=form.cleaned_data["progress"],
                    text=form.cleaned_data["text"],
                    problems=form.cleaned_data["problems"],
                    next_steps=form.cleaned_data["next_steps"],
                    files=form.cleaned_data["files"],
                )
            except (ValidationError, PermissionDenied) as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("The progress report is filed."))
                return redirect(task.get_absolute_url())
        view = TaskDetailView()
        view.request = request
        return view.get(request, pk, report_form=form, status=400)


class EvidenceView(ReaderMixin, View):
    """A report's evidence file, for those who see its task."""

    def get(self, request, pk):
        evidence = get_object_or_404(
            ReportAttachment.objects.select_related("report"),
            pk=pk,
            report__task__in=selectors.task_scope(request.user),
        )
        return FileResponse(
            evidence.file.open("rb"),
            as_attachment=True,
            filename=evidence.name,
            content_type=evidence.content_type,
        )


class DepartmentRecordView(ReaderMixin, View):
    """Each lead department's record on the tasks of the issued plans."""

    def get(self, request):
        return render(
            request,
            "plans/department_record.html",
            {"record": selectors.department_record(request.user)},
        )
