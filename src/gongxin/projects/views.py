"""Key project pages: the list (filtered, exportable), each project with its stages,
investment by month, milestones, issues raised and why it is red or yellow; the forms
that keep them; the timeline (Gantt) and the statistics by type, chain and district."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views import View

from gongxin.core.choices import Role
from gongxin.core.forms import form_errors_from
from gongxin.core.models import Region
from gongxin.core.views import (
    PAGE_SIZES,
    XLSX,
    PagedFilterView,
    attachment,
    page_of,
    query_string,
    year_of,
)
from gongxin.projects import exports, parks, selectors, services
from gongxin.projects.choices import STAGE_ORDER, Health, ProjectStage
from gongxin.projects.filters import ProjectFilterSet
from gongxin.projects.forms import (
    BuildingForm,
    LandForm,
    MilestoneForm,
    MonthForm,
    ProjectForm,
    wan,
)
from gongxin.projects.models import Building, Milestone, Project

BY = ("type", "chain", "district", "health", "stage")


def _project(user, pk) -> Project:
    try:
        return selectors.project_get(user, pk)
    except Project.DoesNotExist:
        raise Http404 from None


def _filtered(request):
    filterset = ProjectFilterSet(
        request.GET or None, queryset=selectors.project_rows(request.user), user=request.user
    )
    return filterset, filterset.qs if filterset.is_bound and filterset.is_valid() else (
        filterset.queryset
    )


def _judged(projects, today):
    """(project, judgement) for a page of projects with prefetched stages and months."""
    return [(p, services.judgement_of(p, today)) for p in projects]


class ProjectListView(PagedFilterView):
    template_name = "projects/project_list.html"
    filterset_class = ProjectFilterSet
    paginate_by = 20

    def get_queryset(self):
        return selectors.project_rows(self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        context["rows"] = _judged(context["object_list"], today)
        context["can_create"] = services.project_can_create(self.request.user)
        context["can_import"] = self.request.user.role != Role.ENTERPRISE
        context["today"] = today
        return context


class ProjectExportView(LoginRequiredMixin, View):
    """The filtered list as XLSX (Chinese, as it is handed on)."""

    def get(self, request):
        if request.user.role == Role.ENTERPRISE:
            raise PermissionDenied
        _, projects = _filtered(request)
        response = HttpResponse(content_type=XLSX)
        with translation.override("zh-hans"):
            exports.list_write(response, projects)
        response["Content-Disposition"] = attachment(exports.list_filename())
        return response


class ProjectDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        user = request.user
        project = _project(user, pk)
        today = timezone.localdate()
        judged = services.judgement_of(project, today)
        steps = {s.stage: s for s in project.steps.all()}
        stage_rows = []
        for stage, label in ProjectStage.choices:
            step = steps.get(stage)
            late = None
            if step and step.planned_on:
                end = step.reached_on or today
                late = (end - step.planned_on).days if end > step.planned_on else None
            stage_rows.append({"stage": stage, "label": label, "step": step, "late": late})
        months = selectors.investment_by_month(project)
        chart = {
            "months": [f"{m['month']:%Y-%m}" for m in months],
            "planned": [_float(wan(m["planned"])) for m in months],
            "completed": [_float(wan(m["completed"])) for m in months],
            "equipment": [_float(wan(m["equipment"])) for m in months],
            "planned_total": [_float(wan(m["planned_total"])) for m in months],
            "completed_total": [_float(wan(m["completed_total"])) for m in months],
            "labels": {
                "planned": _("Planned this month"),
                "completed": _("Completed this month"),
                "equipment": _("Of which equipment"),
                "planned_total": _("Planned to date"),
                "completed_total": _("Completed to date"),
            },
        }
        can_report = services.project_can_report(user, project)
        context = {
            "project": project,
            "judgement": judged,
            "stage_rows": stage_rows,
            "stage_index": STAGE_ORDER.index(project.stage),
            "months": list(reversed(months)),
            "chart": chart,
            "milestones": list(project.milestones.all()),
            "demands": list(project.demands.all()),
            "can_edit": services.project_can_edit(user, project),
            "can_report": can_report,
            "month_form": MonthForm(initial={"month": _last_month(today)}) if can_report else None,
            "milestone_form": MilestoneForm() if can_report else None,
            "today": today,
            "share": project.investment_progress,
        }
        return render(request, "projects/project_detail.html", context)


def _iso(day):
    return day.isoformat() if day else None


def _float(value):
    return None if value is None else float(value)


def _last_month(today):
    return (today.replace(day=1) - timezone.timedelta(days=1)).replace(day=1)


class ProjectFormView(LoginRequiredMixin, View):
    """Register a project or change one, with its stages' planned and reached dates."""

    def _setup(self, request, pk):
        if pk is None:
            if not services.project_can_create(request.user):
                raise PermissionDenied
            return None
        project = _project(request.user, pk)
        if not services.project_can_edit(request.user, project):
            raise PermissionDenied
        return project

    def _render(self, request, form, project):
        return render(request, "projects/project_form.html", {"form": form, "project": project})

    def get(self, request, pk=None):
        project = self._setup(request, pk)
        initial = {}
        if project is None and request.user.role == Role.DISTRICT and request.user.region_id:
            region = request.user.region
            initial = {"district": region} if region.kind == "district" else {"park": region}
        return self._render(
            request, ProjectForm(instance=project, user=request.user, initial=initial), project
        )

    def post(self, request, pk=None):
        project = self._setup(request, pk)
        # the form writes into its instance: the services compare with the project as stored
        instance = Project.objects.get(pk=project.pk) if project else Project()
        form = ProjectForm(request.POST, instance=instance, user=request.user)
        if form.is_valid():
            try:
                saved = services.project_save(
                    actor=request.user,
                    project=project,
                    data=form.service_data(),
                    steps=form.steps(),
                )
            except ValidationError as exc:
                form_errors_from(exc, form, aliases=_STEP_ALIASES)
            else:
                messages.success(request, _("Project saved."))
                return redirect("projects:project_detail", pk=saved.pk)
        return self._render(request, form, project)


#: A stage's errors from the services land on its reached date.
_STEP_ALIASES = {stage: f"reached_{stage}" for stage in STAGE_ORDER} | {
    "enterprise": "owner",
    "planned_investment": "planned_wan",
    "equipment_planned": "equipment_wan",
}


class ProjectDeleteView(LoginRequiredMixin, View):
    def post(self, request, pk):
        project = _project(request.user, pk)
        services.project_delete(actor=request.user, project=project)
        messages.success(request, _("Project deleted."))
        return redirect("projects:project_list")


class MonthView(LoginRequiredMixin, View):
    """Record a month's investment and progress."""

    def post(self, request, pk):
        project = _project(request.user, pk)
        if not services.project_can_report(request.user, project):
            raise PermissionDenied
        form = MonthForm(request.POST)
        if form.is_valid():
            try:
                services.month_save(
                    actor=request.user,
                    project=project,
                    month=form.cleaned_data["month"],
                    data=form.service_data(),
                )
            except ValidationError as exc:
                form_errors_from(
                    exc,
                    form,
                    aliases={
                        "planned": "planned_wan",
                        "completed": "completed_wan",
                        "equipment": "equipment_wan",
                    },
                )
            else:
                messages.success(request, _("Monthly progress saved."))
                return redirect(reverse("projects:project_detail", args=[pk]) + "#months")
        for field, errors in form.errors.items():
            for error in errors:
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, f"{label}：{error}" if label else error)
        return redirect(reverse("projects:project_detail", args=[pk]) + "#months")


class MilestoneView(LoginRequiredMixin, View):
    """Add, change (done) or delete a milestone."""

    def post(self, request, pk, milestone_pk=None):
        project = _project(request.user, pk)
        if not services.project_can_report(request.user, project):
            raise PermissionDenied
        milestone = None
        if milestone_pk is not None:
            milestone = Milestone.objects.filter(project=project, pk=milestone_pk).first()
            if milestone is None:
                raise Http404
            if request.POST.get("delete"):
                services.milestone_delete(actor=request.user, milestone=milestone)
                messages.success(request, _("Milestone deleted."))
                return redirect(reverse("projects:project_detail", args=[pk]) + "#milestones")
        # the form writes into its instance: the services compare with the milestone as stored
        instance = (
            Milestone.objects.get(pk=milestone.pk) if milestone else Milestone(project=project)
        )
        form = MilestoneForm(request.POST, instance=instance)
        if form.is_valid():
            try:
                services.milestone_save(
                    actor=request.user,
                    project=project,
                    milestone=milestone,
                    data=form.cleaned_data,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("Milestone saved."))
        else:
            for field, errors in form.errors.items():
                for error in errors:
                    messages.error(request, f"{form.fields[field].label}：{error}")
        return redirect(reverse("projects:project_detail", args=[pk]) + "#milestones")


class TimelineView(LoginRequiredMixin, View):
    """The projects' stages on a time axis (Gantt): planned bar, reached stages, today."""

    def get(self, request):
        filterset, projects = _filtered(request)
        page = page_of(request, selectors.timeline(request.user, projects), default=20)
        today = timezone.localdate()
        labels = dict(ProjectStage.choices)
        bars = []
        for p in page:
            steps = {s.stage: s for s in p.steps.all()}
            planned = [s.planned_on for s in steps.values() if s.planned_on]
            reached = [s.reached_on for s in steps.values() if s.reached_on]
            if not planned and not reached:
                continue
            start = min(planned + reached)
            end = max(planned + reached)
            bars.append(
                {
                    "id": p.pk,
                    "name": f"{p.code} {p.name}",
                    "url": reverse("projects:project_detail", args=[p.pk]),
                    "health": p.health,
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                    "steps": [
                        {
                            "label": str(labels[stage]),
                            "planned": _iso(steps[stage].planned_on),
                            "reached": _iso(steps[stage].reached_on),
                        }
                        for stage in STAGE_ORDER
                        if stage in steps
                    ],
                    "milestones": [
                        {
                            "title": m.title,
                            "due": m.due_on.isoformat(),
                            "done": _iso(m.done_on),
                        }
                        for m in p.milestones.all()
                    ],
                }
            )
        chart = {
            "today": today.isoformat(),
            "bars": bars,
            "labels": {
                "planned": _("Planned"),
                "reached": _("Reached"),
                "today": _("Today"),
                "late": _("late"),
            },
        }
        context = {
            "filter": filterset,
            "page_obj": page,
            "paginator": page.paginator,
            "page_sizes": PAGE_SIZES,
            "chart": chart,
            "query_string": query_string(request),
        }
        return render(request, "projects/timeline.html", context)


class StatisticsView(LoginRequiredMixin, View):
    """Projects, investment and health by type, chain, district (and health, stage)."""

    def get(self, request):
        by = request.GET.get("by") if request.GET.get("by") in BY else "type"
        filterset, projects = _filtered(request)
        rows, total = selectors.project_statistics(request.user, by, projects)
        if request.GET.get("format") == "xlsx":
            if request.user.role == Role.ENTERPRISE:
                raise PermissionDenied
            tables = {
                key: selectors.project_statistics(request.user, key, projects)
                for key in ("type", "chain", "district", "health")
            }
            response = HttpResponse(content_type=XLSX)
            exports.statistics_write(response, tables)
            response["Content-Disposition"] = attachment(exports.statistics_filename())
            return response
        chart = {
            "labels": [str(r["label"] or _("(not given)")) for r in rows],
            "planned": [_float(wan(r["planned"])) for r in rows],
            "completed": [_float(wan(r["completed"])) for r in rows],
            "names": {"planned": _("Planned investment"), "completed": _("Completed investment")},
        }
        query = request.GET.copy()
        query.pop("by", None)
        query.pop("format", None)
        context = {
            "filter": filterset,
            "by": by,
            "filter_name": selectors.GROUP_FILTERS[by],
            "rows": rows,
            "total": total,
            "chart": chart,
            "health": Health,
            "query_string": query.urlencode(),
            "groupings": [
                ("type", _("Type")),
                ("chain", _("Chain")),
                ("district", _("District")),
                ("health", _("Health")),
                ("stage", _("Stage")),
            ],
        }
        return render(request, "projects/statistics.html", context)


# Parks and their factory buildings ----------------------------------------------------------


def _park(user, code) -> Region:
    if not parks.parks_can_read(user):
        raise PermissionDenied
    park = parks.parks(user).filter(code=code).first()
    if park is None:
        raise Http404
    return park


class ParkListView(LoginRequiredMixin, View):
    """The parks with land, buildings, enterprises, projects and output per mu."""

    def get(self, request):
        if not parks.parks_can_read(request.user):
            raise PermissionDenied
        year = year_of(request.GET.get("year"), timezone.localdate().year - 1)
        rows = parks.park_rows(request.user, year)
        return render(request, "projects/park_list.html", {"rows": rows, "year": year})


class ParkDetailView(LoginRequiredMixin, View):
    def get(self, request, code):
        park = _park(request.user, code)
        year = year_of(request.GET.get("year"), timezone.localdate().year - 1)
        detail = parks.park_detail(request.user, park, year)
        can_edit = parks.park_can_edit(request.user, park)
        chart = {
            "months": [f"{r['month']:%Y-%m}" for r in detail["land"]],
            "series": [
                {"name": str(label), "data": [_float(r.get(key)) for r in detail["land"]]}
                for key, label in (
                    ("planned_mu", _("Planned")),
                    ("developed_mu", _("Developed")),
                    ("occupied_mu", _("Occupied")),
                )
            ],
        }
        context = {
            "park": park,
            "d": detail,
            "chart": chart,
            "can_edit": can_edit,
            "land_form": LandForm(initial={"month": timezone.localdate().replace(day=1)})
            if can_edit
            else None,
        }
        return render(request, "projects/park_detail.html", context)


class LandView(LoginRequiredMixin, View):
    def post(self, request, code):
        park = _park(request.user, code)
        if not parks.park_can_edit(request.user, park):
            raise PermissionDenied
        form = LandForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                parks.land_save(actor=request.user, park=park, month=data.pop("month"), data=data)
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("Land saved."))
        else:
            for field, errors in form.errors.items():
                for error in errors:
                    messages.error(request, f"{form.fields[field].label}：{error}")
        return redirect("projects:park_detail", code=code)


class BuildingFormView(LoginRequiredMixin, View):
    def _setup(self, request, code, pk):
        park = _park(request.user, code)
        if not parks.park_can_edit(request.user, park):
            raise PermissionDenied
        building = None
        if pk is not None:
            building = Building.objects.filter(park=park, pk=pk).first()
            if building is None:
                raise Http404
        return park, building

    def _render(self, request, form, park, building):
        context = {"form": form, "park": park, "building": building}
        return render(request, "projects/building_form.html", context)

    def get(self, request, code, pk=None):
        park, building = self._setup(request, code, pk)
        form = BuildingForm(instance=building, user=request.user)
        return self._render(request, form, park, building)

    def post(self, request, code, pk=None):
        park, building = self._setup(request, code, pk)
        # the form writes into its instance: the services compare with the building as stored
        instance = Building.objects.get(pk=building.pk) if building else Building(park=park)
        form = BuildingForm(request.POST, instance=instance, user=request.user)
        if form.is_valid():
            try:
                parks.building_save(
                    actor=request.user, park=park, building=building, data=form.service_data()
                )
            except ValidationError as exc:
                form_errors_from(
                    exc,
                    form,
                    aliases={"occupant": "occupant_name", "ordered_by": "ordered_by_name"},
                )
            else:
                messages.success(request, _("Building saved."))
                return redirect("projects:park_detail", code=code)
        return self._render(request, form, park, building)
