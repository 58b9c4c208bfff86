"""Every write to plans: import a document (draft → checked → plan), correct the draft,
assign and confirm tasks, issue and close a plan, file progress reports.

Each service checks the actor may do it, runs in one transaction and writes its audit
entry; notifications go out when the transaction commits."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongxin.core.attachments import check_upload
from gongxin.core.audit import audit_record, diff, snapshot
from gongxin.core.choices import AuditAction, Role
from gongxin.core.models import Department, User
from gongxin.core.notify import Message, notify
from gongxin.plans import parser, proposals, reading, schedule, tree
from gongxin.plans.choices import PLAN_TRANSITIONS, LinkKind, PlanStatus, TaskStatus
from gongxin.plans.models import (
    Plan,
    PlanDraft,
    Report,
    ReportAttachment,
    Task,
    TaskLink,
    TaskTarget,
)
from gongxin.plans.selectors import plans_can_edit, task_can_report, vocabulary

PLAN_FIELDS = ("title", "number", "author", "issued_on", "year", "report_every", "status")
TASK_FIELDS = (
    "title",
    "lead",
    "owners_text",
    "official",
    "deadline",
    "ongoing",
    "deadline_phrase",
    "confirmed",
)


def _require_editor(actor: User | None) -> None:
    """Staff and administrators; None is the command line (recorded as "system")."""
    if actor is not None and not plans_can_edit(actor):
        raise PermissionDenied(_("Only division staff and administrators manage plans."))


# ---------------------------------------------------------------------------------------
# Import: a document becomes a draft


def document_parse(fileobj: IO[bytes], *, name: str = "") -> parser.ParsedPlan:
    """Read and split a document (no database). DocumentError when it cannot be read."""
    return parser.parse(reading.read(fileobj, name=name))


def plan_json(
    plan: parser.ParsedPlan, *, vocab: proposals.Vocabulary | None, year: int | None = None
) -> dict:
    """The parsed plan as the CLI and API give it: each task with the owners and the
    deadline its text proposes."""
    year = year or (plan.date.year if plan.date else timezone.localdate().year)
    vocab = vocab or proposals.Vocabulary()

    def node(task: parser.Node) -> dict:
        proposal = proposals.propose(task.text, vocabulary=vocab, year=year)
        deadline = proposal.deadline
        return {
            "number": task.number,
            "marker": task.marker,
            "title": task.title,
            "text": task.text,
            # every owner named, the lead first; then who leads and who co-operates
            "owners": list(dict.fromkeys([*proposal.owners, *proposal.co_owners])),
            "lead": proposal.owners[0] if proposal.owners else None,
            "co_owners": proposal.co_owners,
            "deadline": deadline.date.isoformat() if deadline and deadline.date else None,
            "ongoing": bool(deadline and deadline.ongoing),
            "deadline_text": deadline.phrase if deadline else "",
            "targets": [
                {
                    "label": t.label,
                    "value": str(t.value),
                    "unit": t.unit,
                    "qualifier": t.qualifier,
                }
                for t in proposal.targets
            ],
            "links": proposal.links,
            "children": [node(child) for child in task.children],
        }

    data = plan.as_dict()
    data["tasks"] = [node(task) for task in plan.tasks]
    return data


def _propose_all(tree_data: dict, vocab: proposals.Vocabulary) -> None:
    year = int(tree_data.get("year") or timezone.localdate().year)
    for node in tree.walk(tree_data):
        node["proposal"] = proposals.propose(
            node.get("text", ""), vocabulary=vocab, year=year
        ).as_dict()


def _draft_tree(actor: User | None, fileobj: IO[bytes], name: str) -> tuple[dict, str]:
    """The parsed document as a tree to correct: ids and proposals on every node."""
    try:
        parsed = document_parse(fileobj, name=name)
    except reading.DocumentError as exc:
        raise ValidationError(str(exc), code="document") from None
    data = parsed.as_dict()
    data["year"] = (parsed.date or timezone.localdate()).year
    tree.number_ids(data)
    _propose_all(data, vocabulary(actor))
    return data, parsed.format


def _safe_name(name: str) -> str:
    return os.path.basename(name or "plan")[-200:] or "plan"


@transaction.atomic
def draft_create(*, actor: User, fileobj: IO[bytes], name: str) -> PlanDraft:
    """Parse an uploaded document into a draft to check. A file that cannot be read at
    all is a ValidationError naming the file and the reason; nothing is kept then."""
    _require_editor(actor)
    data, fmt = _draft_tree(actor, fileobj, name)
    fileobj.seek(0)
    draft = PlanDraft(created_by=actor, source_name=_safe_name(name), source_format=fmt, tree=data)
    draft.save()
    draft.source.save(draft.source_name, ContentFile(fileobj.read()), save=False)
    draft.save(update_fields=["source"])
    return draft


@transaction.atomic
def plan_import(*, actor: User | None, fileobj: IO[bytes], name: str) -> Plan:
    """Parse a document and save it as a draft plan at once (the command line): the
    tasks carry their proposals, unconfirmed, for staff to check on the plan's page."""
    _require_editor(actor)
    data, _fmt = _draft_tree(actor, fileobj, name)
    fileobj.seek(0)
    return _plan_create(actor, data, _safe_name(name), fileobj.read())


TREE_ACTIONS = {
    "retitle": lambda data, node_id, value: tree.retitle(data, node_id, value),
    "merge": lambda data, node_id, value: tree.merge(data, node_id),
    "split": lambda data, node_id, value: tree.split(data, node_id, _int(value)),
    "indent": lambda data, node_id, value: tree.indent(data, node_id),
    "outdent": lambda data, node_id, value: tree.outdent(data, node_id),
    "remove": lambda data, node_id, value: tree.remove(data, node_id),
}


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise tree.TreeError(_("Choose the sentence the new item starts with.")) from None


@transaction.atomic
def draft_edit(
    *, actor: User, draft: PlanDraft, action: str, node_id: str, value: str = ""
) -> PlanDraft:
    """Apply one correction to the draft's tree (see `tree`); texts that changed get
    their proposals again. TreeError when the correction makes no sense."""
    _require_editor(actor)
    if action not in TREE_ACTIONS:
        raise tree.TreeError(_("Unknown correction %(action)r.") % {"action": action})
    draft = PlanDraft.objects.select_for_update().get(pk=draft.pk)
    data = draft.tree
    TREE_ACTIONS[action](data, node_id, value)
    if action in ("merge", "split"):
        _propose_all(data, vocabulary(actor))
    draft.tree = data
    draft.save(update_fields=["tree"])
    return draft


@transaction.atomic
def draft_describe(
    *,
    actor: User,
    draft: PlanDraft,
    title: str,
    number: str,
    author: str,
    date: dt.date | None,
    year: int,
) -> PlanDraft:
    """Correct the title, document number, author, date and year the parser read."""
    _require_editor(actor)
    if not title.strip():
        raise ValidationError({"title": _("A plan needs a title.")})
    if not 1990 <= year <= 2100:
        raise ValidationError({"year": _("The year of a plan lies between 1990 and 2100.")})
    draft = PlanDraft.objects.select_for_update().get(pk=draft.pk)
    data = draft.tree
    year_changed = int(data.get("year") or 0) != year
    data.update(
        title=title.strip(),
        number=number.strip(),
        author=author.strip(),
        date=date.isoformat() if date else None,
        year=year,
    )
    if year_changed:  # "6月底前" now falls in another year
        _propose_all(data, vocabulary(actor))
    draft.tree = data
    draft.save(update_fields=["tree"])
    return draft


def draft_discard(*, actor: User, draft: PlanDraft) -> None:
    _require_editor(actor)
    draft.source.delete(save=False)
    draft.delete()


@transaction.atomic
def draft_commit(*, actor: User, draft: PlanDraft) -> Plan:
    """Save the checked draft as a plan (a draft plan: its tasks still to be confirmed
    and assigned), with each task's proposals applied as unconfirmed values."""
    _require_editor(actor)
    draft = PlanDraft.objects.select_for_update().get(pk=draft.pk)
    content = None
    if draft.source:
        with draft.source.open("rb") as handle:
            content = handle.read()
    plan = _plan_create(actor, draft.tree, draft.source_name, content)
    draft.source.delete(save=False)
    draft.delete()
    return plan


def _plan_create(actor: User | None, data: dict, source_name: str, content: bytes | None) -> Plan:
    if not data.get("tasks"):
        raise ValidationError(_("The plan has no tasks left to save."))
    date = _date(data.get("date"))
    plan = Plan(
        title=(data.get("title") or source_name)[:200],
        number=(data.get("number") or "")[:60],
        author=(data.get("author") or "")[:100],
        issued_on=date,
        year=int(data.get("year") or (date or timezone.localdate()).year),
        preamble=data.get("preamble") or "",
        source_name=source_name,
        warnings=list(data.get("warnings") or []),
        created_by=actor,
    )
    plan.full_clean(exclude=["source"])
    plan.save()
    if content is not None:
        plan.source.save(source_name, ContentFile(content), save=False)
        plan.save(update_fields=["source"])
    count = _tasks_create(plan, data["tasks"])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=plan,
        changes={name: [None, value] for name, value in snapshot(plan, PLAN_FIELDS).items()},
        message=ngettext(
            "Imported from %(file)s with %(n)d task",
            "Imported from %(file)s with %(n)d tasks",
            count,
        )
        % {"file": source_name, "n": count},
    )
    return plan


def _date(value) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _tasks_create(plan: Plan, nodes: list[dict]) -> int:
    """Create the tree depth first, with the proposals as unconfirmed values (a handful
    of queries per level, not per task)."""
    from gongxin.chains.models import Chain
    from gongxin.policies.models import Policy
    from gongxin.projects.models import Project

    flat: list[tuple[dict, int | None, int]] = []

    def visit(items: list[dict], parent: int | None, depth: int) -> None:
        for item in items:
            flat.append((item, parent, depth))
            visit(item.get("children", []), len(flat) - 1, depth + 1)

    visit(nodes, None, 0)
    departments = {str(pk) for pk in Department.objects.values_list("pk", flat=True)}
    tasks: list[Task] = []
    for position, (item, _parent, depth) in enumerate(flat, start=1):
        proposal = item.get("proposal") or {}
        deadline = proposal.get("deadline") or {}
        owner_refs = [ref for ref in proposal.get("owner_refs", []) if ref in departments]
        unknown = proposal.get("unknown", [])
        tasks.append(
            Task(
                plan=plan,
                position=position,
                depth=depth,
                is_leaf=not item.get("children"),
                number=str(item.get("number") or "")[:20],
                marker=str(item.get("marker") or "")[:20],
                style=str(item.get("style") or "")[:20],
                title=(item.get("title") or parser.title_of(item.get("text", "")) or "—")[:200],
                text=item.get("text") or "",
                lead_id=int(owner_refs[0]) if owner_refs else None,
                owners_text="、".join(unknown)[:300],
                deadline=_date(deadline.get("date")),
                ongoing=bool(deadline.get("ongoing")),
                deadline_phrase=(deadline.get("phrase") or "")[:60],
                proposal=proposal,
            )
        )
    Task.objects.bulk_create(tasks)
    # Parents, in a second pass now that every task has its id.
    for task, (_item, parent, _depth) in zip(tasks, flat, strict=True):
        if parent is not None:
            task.parent_id = tasks[parent].pk
    Task.objects.bulk_update([t for t in tasks if t.parent_id], ["parent"])
    partners, targets, links = [], [], []
    chains = set(Chain.objects.values_list("pk", flat=True))
    projects = set(Project.objects.values_list("pk", flat=True))
    policies = set(Policy.objects.values_list("pk", flat=True))
    for task, (item, _parent, _depth) in zip(tasks, flat, strict=True):
        proposal = item.get("proposal") or {}
        for ref in proposal.get("co_owner_refs", []):
            if ref in departments and int(ref) != task.lead_id:
                partners.append(Task.partners.through(task=task, department_id=int(ref)))
        for target in proposal.get("targets", []):
            targets.append(
                TaskTarget(
                    task=task,
                    label=target["label"][:200],
                    value=Decimal(str(target["value"])),
                    unit=target["unit"][:20],
                    qualifier=target.get("qualifier", "")[:10],
                    indicator_id=int(target["indicator"]) if target.get("indicator") else None,
                )
            )
        for link in proposal.get("links", []):
            made = _link(task, link, chains=chains, projects=projects, policies=policies)
            if made is not None:
                links.append(made)
    Task.partners.through.objects.bulk_create(partners, ignore_conflicts=True)
    TaskTarget.objects.bulk_create(targets)
    TaskLink.objects.bulk_create(links)
    return len(tasks)


def _link(task: Task, link: dict, *, chains, projects, policies) -> TaskLink | None:
    kind, ref, label = link.get("kind"), str(link.get("ref", "")), str(link.get("label", ""))
    if kind == LinkKind.CHAIN and ref.isdigit() and int(ref) in chains:
        return TaskLink(task=task, kind=kind, chain_id=int(ref), label=label[:200])
    if kind == LinkKind.PROJECT and ref.isdigit() and int(ref) in projects:
        return TaskLink(task=task, kind=kind, project_id=int(ref), label=label[:200])
    if kind == LinkKind.POLICY and ref.isdigit() and int(ref) in policies:
        return TaskLink(task=task, kind=kind, policy_id=int(ref), label=label[:200])
    if kind == LinkKind.PROJECT_TYPE and ref:
        return TaskLink(task=task, kind=kind, project_type=ref[:30], label=label[:200])
    return None


# ---------------------------------------------------------------------------------------
# Plans and tasks


@transaction.atomic
def plan_update(*, actor: User, plan: Plan, **values) -> Plan:
    """Change a plan's description: title, number, author, date, year, reporting."""
    _require_editor(actor)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    before = snapshot(plan, PLAN_FIELDS)
    allowed = set(PLAN_FIELDS) - {"status"}
    for name, value in values.items():
        if name not in allowed:
            raise ValueError(name)
        setattr(plan, name, value)
    plan.full_clean(exclude=["source"])
    changes = diff(before, snapshot(plan, PLAN_FIELDS))
    if changes:
        plan.save(update_fields=list(changes))
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=plan, changes=changes)
    return plan


@transaction.atomic
def task_assign(
    *,
    actor: User,
    task: Task,
    title: str,
    lead: Department | None,
    partners: Sequence[Department],
    owners_text: str = "",
    official: User | None = None,
    deadline: dt.date | None = None,
    ongoing: bool = False,
) -> Task:
    """Decide a task's title, owners, official and deadline; the task is confirmed."""
    _require_editor(actor)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if ongoing and deadline is not None:
        raise ValidationError(
            {"deadline": _("An ongoing task (长期坚持) has no deadline; clear one of them.")}
        )
    if lead is not None and lead in partners:
        raise ValidationError(
            {"partners": _("%(name)s leads the task; it cannot also co-operate.") % {"name": lead}}
        )
    if official is not None and not official.is_active:
        raise ValidationError(
            {"official": _("%(name)s is not an active user.") % {"name": official}}
        )
    if official is not None and not _can_be_official(official, lead, partners):
        raise ValidationError(
            {
                "official": _(
                    "%(name)s cannot see this task: choose division staff or a user of "
                    "its lead or co-operating departments."
                )
                % {"name": official}
            }
        )
    before = snapshot(task, TASK_FIELDS)
    before["partners"] = sorted(task.partners.values_list("pk", flat=True))
    task.title = title.strip()[:200]
    task.lead = lead
    task.owners_text = owners_text.strip()[:300]
    task.official = official
    task.deadline = deadline
    task.ongoing = ongoing
    if deadline is None and not ongoing:
        task.deadline_phrase = ""
    task.confirmed = True
    task.full_clean(exclude=["plan", "parent"])
    after = snapshot(task, TASK_FIELDS)
    after["partners"] = sorted(p.pk for p in partners)
    changes = diff(before, after)
    task.save(update_fields=[*TASK_FIELDS])
    task.partners.set(partners)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=task, changes=changes)
    if task.plan.status == PlanStatus.ACTIVE and "lead" in changes and lead is not None:
        _tell_assigned(task.plan, [task])
    return task


def _can_be_official(user: User, lead: Department | None, partners: Sequence[Department]) -> bool:
    if user.is_superuser or user.role in (Role.STAFF, Role.LEADER, Role.ADMIN):
        return True
    owners = {d.pk for d in partners} | ({lead.pk} if lead else set())
    return user.role == Role.DEPARTMENT and user.department_id in owners


@transaction.atomic
def tasks_confirm(*, actor: User, plan: Plan) -> int:
    """Take what each unconfirmed task's text proposed as decided (staff read them on
    the plan page first); returns how many were confirmed."""
    _require_editor(actor)
    count = Task.objects.filter(plan=plan, confirmed=False).update(confirmed=True)
    if count:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=plan,
            message=ngettext(
                "Confirmed the proposals of %(n)d task",
                "Confirmed the proposals of %(n)d tasks",
                count,
            )
            % {"n": count},
        )
    return count


def _transition(actor: User, plan: Plan, to: str) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if to not in PLAN_TRANSITIONS.get(plan.status, ()):
        raise ValidationError(
            _("A plan that is %(status)s cannot become %(to)s.")
            % {"status": plan.get_status_display(), "to": PlanStatus(to).label}
        )
    return plan


@transaction.atomic
def plan_issue(*, actor: User, plan: Plan) -> Plan:
    """Issue the plan to its owners (下达): every task confirmed and every reported-on
    task with a lead department or another owner named. The lead departments are told."""
    _require_editor(actor)
    plan = _transition(actor, plan, PlanStatus.ACTIVE)
    problems = []
    unconfirmed = plan.tasks.filter(confirmed=False).count()
    if unconfirmed:
        problems.append(
            ngettext(
                "%(n)d task is not confirmed yet.",
                "%(n)d tasks are not confirmed yet.",
                unconfirmed,
            )
            % {"n": unconfirmed}
        )
    ownerless = list(
        plan.tasks.filter(is_leaf=True, lead__isnull=True, owners_text="").values_list(
            "marker", "title"
        )[:5]
    )
    if ownerless:
        problems.append(
            _("Tasks without an owner: %(tasks)s.")
            % {"tasks": "；".join(f"{marker}{title}" for marker, title in ownerless)}
        )
    if problems:
        raise ValidationError(problems)
    before = plan.status
    plan.status = PlanStatus.ACTIVE
    plan.issued_at = plan.issued_at or timezone.now()
    plan.save(update_fields=["status", "issued_at"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=plan, changes={"status": [before, plan.status]}
    )
    _tell_assigned(plan, list(plan.tasks.filter(is_leaf=True, lead__isnull=False)))
    return plan


def _status_set(actor: User | None, plan: Plan, to: str) -> Plan:
    """Move a plan (locked, checked against the transition table) and audit it."""
    plan = _transition(actor, plan, to)
    before = plan.status
    plan.status = to
    plan.save(update_fields=["status"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=plan, changes={"status": [before, to]})
    return plan


@transaction.atomic
def plan_close(*, actor: User, plan: Plan) -> Plan:
    """Close an issued plan: no more reports are asked for, nothing is supervised."""
    _require_editor(actor)
    return _status_set(actor, plan, PlanStatus.CLOSED)


@transaction.atomic
def plan_reopen(*, actor: User, plan: Plan) -> Plan:
    """Open a closed plan again (a draft is issued, never reopened)."""
    _require_editor(actor)
    if plan.status != PlanStatus.CLOSED:
        raise ValidationError(_("Only a closed plan can be reopened."))
    return _status_set(actor, plan, PlanStatus.ACTIVE)


@transaction.atomic
def plan_delete(*, actor: User, plan: Plan) -> None:
    """Delete a plan still in draft (an issued plan is closed, never deleted)."""
    _require_editor(actor)
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("Only a draft plan can be deleted; close an issued plan instead."))
    count = plan.tasks.count()
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=plan,
        changes={name: [value, None] for name, value in snapshot(plan, PLAN_FIELDS).items()},
        message=ngettext("With %(n)d task", "With %(n)d tasks", count) % {"n": count},
    )
    plan.source.delete(save=False)
    plan.delete()


def _tell_assigned(plan: Plan, tasks: Iterable[Task]) -> None:
    by_department: dict[int, list[Task]] = {}
    for task in tasks:
        by_department.setdefault(task.lead_id, []).append(task)
    if not by_department:
        return
    users = User.objects.filter(
        is_active=True, role=Role.DEPARTMENT, department__in=list(by_department)
    )
    messages = [
        Message(
            user,
            ngettext(
                "%(n)d task of “%(plan)s” assigned to your department",
                "%(n)d tasks of “%(plan)s” assigned to your department",
                len(by_department[user.department_id]),
            )
            % {"n": len(by_department[user.department_id]), "plan": plan.title},
            "；".join(str(t) for t in by_department[user.department_id][:10]),
            plan.get_absolute_url(),
        )
        for user in users
    ]
    transaction.on_commit(lambda: notify(messages))


# ---------------------------------------------------------------------------------------
# Progress reports


@transaction.atomic
def report_file(
    *,
    actor: User,
    task: Task,
    period: dt.date,
    status: str,
    progress: int,
    text: str,
    problems: str = "",
    next_steps: str = "",
    files: Sequence = (),
    now: dt.datetime | None = None,
) -> Report:
    """File the progress report of a period (filing again for it replaces it) and bring
    the task's status, progress and last report up to date. Completed means 100%."""
    now = now or timezone.now()
    task = Task.objects.select_for_update().select_related("plan").get(pk=task.pk)
    if not task_can_report(actor, task):
        raise PermissionDenied(_("Only the lead department reports on this task."))
    every = task.plan.report_every
    period = schedule.period_of(period, every)
    today = timezone.localdate(now)
    errors = {}
    if period > schedule.period_of(today, every):
        errors["period"] = _("A report cannot be filed for a period that has not begun.")
    if status not in TaskStatus.values:
        errors["status"] = _("Choose a status.")
    if not 0 <= progress <= 100:
        errors["progress"] = _("Progress is a percentage, 0 to 100.")
    elif status == TaskStatus.DONE and progress != 100:
        errors["progress"] = _("A completed task has a progress of 100.")
    if not text.strip():
        errors["text"] = _("Say what was done in the period.")
    checked = []
    for upload in files:
        try:
            checked.append((upload, *check_upload(upload)))
        except ValidationError as exc:
            errors.setdefault("files", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    report, created = Report.objects.update_or_create(
        task=task,
        period=period,
        defaults={
            "status": status,
            "progress": progress,
            "text": text.strip(),
            "problems": problems.strip(),
            "next_steps": next_steps.strip(),
            "reported_by": actor,
            "reported_at": now,
            "late": today > schedule.report_due(period, every),
        },
    )
    for upload, name, mime in checked:
        attachment = ReportAttachment(
            report=report,
            name=name,
            content_type=mime,
            size=upload.size,
            uploaded_by=actor,
            uploaded_at=now,
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()
    before = snapshot(task, ("status", "progress", "completed_on", "last_period"))
    latest = task.reports.order_by("-period").first()
    task.status = latest.status
    task.progress = latest.progress
    # Completed within the period reported, or on the day it was reported if earlier (a
    # December report filed on 3 January says the work was done in December).
    done_by = min(timezone.localdate(latest.reported_at), schedule.period_end(latest.period, every))
    task.completed_on = (task.completed_on or done_by) if latest.status == TaskStatus.DONE else None
    task.last_period = latest.period
    task.last_report_at = now
    task.save(update_fields=["status", "progress", "completed_on", "last_period", "last_report_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=report,
        changes=diff(before, snapshot(task, ("status", "progress", "completed_on", "last_period"))),
        message=_("Progress report for %(period)s")
        % {"period": schedule.period_label(period, every)},
    )
    return report
