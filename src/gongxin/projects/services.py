"""Every write to key projects: the project itself, its stages, its months and its
milestones; each checks who may, validates, writes in one transaction and is audited.
Whatever they change, the project's header figures (stage, dates, completed investment,
health) are recomputed from the stages and months (`project_recompute`), and the owner
enterprise is announced as changed (its projects' investment is a fact policies read)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongxin.core.audit import audit_record, diff, snapshot
from gongxin.core.choices import AuditAction, Role
from gongxin.core.models import User
from gongxin.core.selectors import user_edits_everything
from gongxin.enterprises.signals import announce
from gongxin.projects import progress
from gongxin.projects.choices import STAGE_ORDER, ProjectStage
from gongxin.projects.models import Milestone, Project, ProjectMonth, ProjectStep, next_code
from gongxin.projects.selectors import project_scope

PROJECT_FIELDS = (
    "code",
    "name",
    "project_type",
    "level",
    "content",
    "enterprise",
    "chain",
    "node",
    "district",
    "park",
    "planned_investment",
    "equipment_planned",
    "official",
)
MONTH_FIELDS = ("planned", "completed", "equipment", "progress")
MILESTONE_FIELDS = ("title", "due_on", "done_on", "note")


# Who may ------------------------------------------------------------------------------------


def project_can_create(user: User) -> bool:
    """Division staff for the city; district and park staff for their own area."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user_edits_everything(user) or (user.role == Role.DISTRICT and bool(user.region_id))


def project_can_edit(user: User, project: Project) -> bool:
    """Change the project itself: division staff; district and park staff for projects
    in their area."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user_edits_everything(user):
        return True
    return user.role == Role.DISTRICT and project_scope(user).filter(pk=project.pk).exists()


def project_can_report(user: User, project: Project) -> bool:
    """Report progress (stages reached, months, milestones): whoever may change the
    project, its responsible official and the owner enterprise's users."""
    if not (user.is_authenticated and user.is_active):
        return False
    if project_can_edit(user, project):
        return True
    if project.official_id and project.official_id == user.pk:
        return True
    return (
        user.role == Role.ENTERPRISE
        and user.enterprise_id is not None
        and user.enterprise_id == project.enterprise_id
    )


def _check(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


# The project --------------------------------------------------------------------------------


@transaction.atomic
def project_save(
    *,
    actor: User | None,
    project: Project | None,
    data: Mapping[str, Any],
    steps: Mapping[str, tuple[dt.date | None, dt.date | None]] | None = None,
) -> Project:
    """Create or change a project (and, with `steps`, its stages' planned and reached
    dates). A new project without a number gets the next one of the year (see
    `Project.save`)."""
    creating = project is None
    if actor is not None:
        if creating:
            _check(project_can_create(actor), _("You may not register key projects."))
        else:
            _check(project_can_edit(actor, project), _("You may not change this project."))
    record = project or Project()
    before = {} if creating else snapshot(record, PROJECT_FIELDS)
    owner_before = None if creating else record.enterprise_id
    for key in PROJECT_FIELDS:
        if key in data:
            setattr(record, key, data[key])
    if not record.code:
        record.code = next_code(timezone.localdate().year)
    if record.enterprise_id and not record.district_id:
        record.district_id = record.enterprise.district_id
        record.park_id = record.park_id or record.enterprise.park_id
    if record.node_id and record.chain_id is None:
        record.chain_id = record.node.chain_id
    _check_place(actor, record)
    changes = diff(before, snapshot(record, PROJECT_FIELDS))
    record.full_clean()
    if changes:
        record.save()
    if steps is not None:
        changes |= _steps_write(record, steps)
    if not changes:
        return record
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if creating else AuditAction.UPDATE,
        obj=record,
        changes=changes,
    )
    if owner_before and owner_before != record.enterprise_id:
        announce([owner_before])  # its projects' investment is no longer what it was
    return project_recompute(record, announce_owner=True)


def _check_place(actor: User | None, record: Project) -> None:
    errors = {}
    planned, equipment = record.planned_investment, record.equipment_planned
    if planned is not None and equipment is not None and equipment > planned:
        errors["equipment_planned"] = [_("Equipment is part of the planned investment: no more.")]
    if record.node_id and record.chain_id and record.node.chain_id != record.chain_id:
        errors["node"] = [_("This node is on another chain.")]
    if (
        actor is not None
        and actor.role == Role.DISTRICT
        and not user_edits_everything(actor)
        and not _in_area(actor, record)
    ):
        errors["district"] = [_("A district or park registers projects in its own area.")]
    if errors:
        raise ValidationError(errors)


def _in_area(user: User, record: Project) -> bool:
    from gongxin.core.choices import PARK_KINDS
    from gongxin.core.selectors import region_with_descendants

    if user.region.kind in PARK_KINDS:
        return record.park_id in set(region_with_descendants(user.region))
    return record.district_id == user.region_id


def _steps_write(
    project: Project, steps: Mapping[str, tuple[dt.date | None, dt.date | None]]
) -> dict[str, list[Any]]:
    """Bring the project's stages to `steps` ({stage: (planned, reached)}); checks that
    dates follow the order of the stages and that nothing is reached in the future."""
    today = timezone.localdate()
    unknown = set(steps) - set(STAGE_ORDER)
    if unknown:
        raise ValidationError({"steps": [_("Unknown stage: %s") % ", ".join(sorted(unknown))]})
    stored = {s.stage: s for s in project.steps.all()}
    merged = {
        stage: steps.get(stage, (s.planned_on, s.reached_on) if (s := stored.get(stage)) else None)
        for stage in STAGE_ORDER
    }
    errors = steps_problems(merged, today)
    if errors:
        raise ValidationError(errors)
    changes: dict[str, list[Any]] = {}
    for stage, pair in steps.items():
        planned, reached = pair
        step = stored.get(stage)
        old = (step.planned_on, step.reached_on) if step else (None, None)
        if old == (planned, reached):
            continue
        changes[f"stage:{stage}"] = [
            [d and d.isoformat() for d in old],
            [d and d.isoformat() for d in (planned, reached)],
        ]
        if planned is None and reached is None:
            if step:
                step.delete()
            continue
        if step is None:
            step = ProjectStep(project=project, stage=stage)
        step.planned_on, step.reached_on = planned, reached
        step.save()
    return changes


def steps_problems(
    steps: Mapping[str, tuple[dt.date | None, dt.date | None] | None], today: dt.date
) -> dict[str, list[str]]:
    """What is wrong with a project's stages ({stage: (planned, reached)}), by stage:
    planned dates and reached dates each follow the order of the stages, and nothing is
    reached after `today`."""
    labels = dict(ProjectStage.choices)
    errors: dict[str, list[str]] = defaultdict(list)
    for index in (0, 1):  # planned dates, then reached dates
        last_stage, last_day = None, None
        for stage in STAGE_ORDER:
            day = steps[stage][index] if steps.get(stage) else None
            if day is None:
                continue
            if index == 1 and day > today:
                errors[stage].append(_("A stage cannot be reached in the future."))
            if last_day is not None and day < last_day:
                errors[stage].append(
                    _("%(stage)s cannot come before %(earlier)s (%(day)s).")
                    % {
                        "stage": labels[stage],
                        "earlier": labels[last_stage],
                        "day": last_day.isoformat(),
                    }
                )
            last_stage, last_day = stage, day
    return dict(errors)


@transaction.atomic
def steps_save(
    *,
    actor: User | None,
    project: Project,
    steps: Mapping[str, tuple[dt.date | None, dt.date | None]],
) -> Project:
    """Record stages planned and reached (progress: whoever reports on the project)."""
    if actor is not None:
        _check(project_can_report(actor, project), _("You may not report on this project."))
    changes = _steps_write(project, steps)
    if not changes:
        return project
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=project, changes=changes)
    return project_recompute(project)


@transaction.atomic
def project_delete(*, actor: User | None, project: Project) -> None:
    if actor is not None:
        _check(project_can_edit(actor, project), _("You may not change this project."))
    enterprise_id = project.enterprise_id
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=project,
        changes={k: [v, None] for k, v in snapshot(project, PROJECT_FIELDS).items()},
    )
    project.delete()
    if enterprise_id:
        announce([enterprise_id])


# Months and milestones ----------------------------------------------------------------------


@transaction.atomic
def month_save(
    *,
    actor: User | None,
    project: Project,
    month: dt.date,
    data: Mapping[str, Any],
) -> ProjectMonth:
    """Record a month's investment (planned, completed, of which equipment) and what was
    done. A month after the current one may be planned but not reported as completed."""
    if actor is not None:
        _check(project_can_report(actor, project), _("You may not report on this project."))
    month = month.replace(day=1)
    record = ProjectMonth.objects.filter(project=project, month=month).first()
    creating = record is None
    record = record or ProjectMonth(project=project, month=month)
    before = {} if creating else snapshot(record, MONTH_FIELDS)
    for key in MONTH_FIELDS:
        if key in data:
            setattr(record, key, data[key])
    errors = {}
    if record.completed is not None and month > timezone.localdate().replace(day=1):
        errors["completed"] = [_("A month still to come has no completed investment yet.")]
    if (
        record.equipment is not None
        and record.completed is not None
        and record.equipment > record.completed
    ):
        errors["equipment"] = [_("Equipment is part of the completed investment: no more.")]
    if errors:
        raise ValidationError(errors)
    changes = diff(before, snapshot(record, MONTH_FIELDS))
    if not changes:
        return record
    record.reported_at = timezone.now()
    record.reported_by = actor if actor and actor.pk else None
    record.full_clean()
    record.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=project,
        changes={f"{k}:{month:%Y-%m}": v for k, v in changes.items()},
    )
    project_recompute(project, announce_owner="completed" in changes)
    return record


@transaction.atomic
def milestone_save(
    *,
    actor: User | None,
    project: Project,
    milestone: Milestone | None,
    data: Mapping[str, Any],
) -> Milestone:
    if actor is not None:
        _check(project_can_report(actor, project), _("You may not report on this project."))
    record = milestone or Milestone(project=project)
    if record.project_id != project.pk:
        raise ValidationError(_("This milestone belongs to another project."))
    before = {} if milestone is None else snapshot(record, MILESTONE_FIELDS)
    for key in MILESTONE_FIELDS:
        if key in data:
            setattr(record, key, data[key])
    if record.done_on and record.done_on > timezone.localdate():
        raise ValidationError({"done_on": [_("A milestone cannot be done in the future.")]})
    changes = diff(before, snapshot(record, MILESTONE_FIELDS))
    if not changes:
        return record
    record.full_clean()
    record.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=project,
        changes={f"milestone:{k}": v for k, v in changes.items()},
        message=record.title,
    )
    return record


@transaction.atomic
def milestone_delete(*, actor: User | None, milestone: Milestone) -> None:
    project = milestone.project
    if actor is not None:
        _check(project_can_report(actor, project), _("You may not report on this project."))
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=project,
        changes={"milestone": [milestone.title, None]},
        message=milestone.title,
    )
    milestone.delete()


# Derived figures ----------------------------------------------------------------------------


def judgement_of(project: Project, on: dt.date | None = None) -> progress.Judgement:
    """How the project stands, from its stages and months (prefetched or read here)."""
    on = on or timezone.localdate()
    steps = [progress.Step(s.stage, s.planned_on, s.reached_on) for s in project.steps.all()]
    months = [progress.Month(m.month, m.planned, m.completed) for m in project.months.all()]
    return progress.judge(steps, months, on)


def _derive(project: Project, on: dt.date) -> None:
    steps = {s.stage: s for s in project.steps.all()}
    months = list(project.months.all())
    project.stage = progress.current_stage(
        progress.Step(s.stage, s.planned_on, s.reached_on) for s in steps.values()
    )
    started, completed = steps.get(ProjectStage.STARTED), steps.get(ProjectStage.COMPLETED)
    project.start_planned = started.planned_on if started else None
    project.started_on = started.reached_on if started else None
    project.end_planned = completed.planned_on if completed else None
    project.completed_on = completed.reached_on if completed else None
    if months:  # the months are the source; without any, what was there stays
        reported = [m for m in months if m.completed is not None]
        project.completed_investment = (
            sum((m.completed for m in reported), Decimal(0)) if reported else None
        )
        project.equipment_completed = (
            sum((m.equipment or 0 for m in reported), Decimal(0)) if reported else None
        )
    project.health = judgement_of(project, on).health
    project.health_on = on


DERIVED = (
    "stage",
    "start_planned",
    "started_on",
    "end_planned",
    "completed_on",
    "completed_investment",
    "equipment_completed",
    "health",
    "health_on",
)


def project_recompute(
    project: Project, *, on: dt.date | None = None, announce_owner: bool = False
) -> Project:
    """Recompute the project's header figures from its stages and months."""
    on = on or timezone.localdate()
    # read afresh: the caller's prefetched stages and months may be stale
    fresh = Project.objects.prefetch_related("steps", "months").get(pk=project.pk)
    before = fresh.completed_investment
    _derive(fresh, on)
    Project.objects.filter(pk=project.pk).update(**{f: getattr(fresh, f) for f in DERIVED})
    for name in DERIVED:
        setattr(project, name, getattr(fresh, name))
    if project.enterprise_id and (announce_owner or before != fresh.completed_investment):
        announce([project.enterprise_id])
    return project


@transaction.atomic
def health_refresh(
    *, on: dt.date | None = None, projects: Iterable[Project] | None = None
) -> dict[str, int]:
    """Judge every project (or these) again as of `on` — dates pass without anything
    being saved (`gongxin projects`, daily). Writes the health and the day it was judged;
    returns how many projects are of each colour."""
    on = on or timezone.localdate()
    qs = Project.objects.prefetch_related("steps", "months").order_by("pk")
    if projects is not None:
        qs = qs.filter(pk__in=[p.pk for p in projects])
    changed, counts = [], defaultdict(int)
    for project in qs.iterator(chunk_size=2000):
        health = judgement_of(project, on).health
        counts[health] += 1
        if health != project.health or project.health_on != on:
            project.health, project.health_on = health, on
            changed.append(project)
    Project.objects.bulk_update(changed, ["health", "health_on"], batch_size=1000)
    return dict(counts)
