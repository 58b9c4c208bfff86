"""Changes to a demand beside the steps of its loop: the desk's category, deadline
extensions (asked by the lead department with a reason, decided by the desk), merging a
duplicate into the demand it repeats (both histories kept), and attachments. Each passes
the same version gate as the steps (`loop.advance`)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from gongxin.core import attachments as files_check
from gongxin.core import workdays
from gongxin.core.audit import audit_record
from gongxin.core.choices import AuditAction
from gongxin.core.models import User
from gongxin.demands.choices import Action, Category, ExtensionStatus, Status
from gongxin.demands.models import (
    Demand,
    DemandAttachment,
    DemandEvent,
    DemandExtension,
    attachment_path,
)
from gongxin.demands.selectors import demand_scope, is_desk, is_lead
from gongxin.demands.services.loop import advance, extensions_withdraw
from gongxin.demands.services.tell import tell

#: The statuses in which a department works on a demand (its deadlines run).
HANDLING = (Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS)
#: The deadlines an extension may move, and the statuses in which each still runs.
EXTENDABLE = {
    "reply": ("reply_due", (Status.DISPATCHED, Status.ACCEPTED)),
    "resolve": ("resolve_due", HANDLING),
}
MAX_EXTENSION_DAYS = 30


def _in_scope(actor: User, demand: Demand) -> None:
    if not demand_scope(actor).filter(pk=demand.pk).exists():
        raise PermissionDenied(_("This demand is outside your part of the archive."))


def _desk_only(actor: User, demand: Demand) -> None:
    _in_scope(actor, demand)
    if not is_desk(actor):
        raise PermissionDenied(_("Only the desk does this."))


def _event(demand, action, actor, at, text, status=None) -> DemandEvent:
    return DemandEvent.objects.create(
        demand=demand,
        action=action,
        from_status=demand.status,
        to_status=status or demand.status,
        actor=actor,
        department=actor.department if actor else None,
        at=at,
        text=text,
    )


@transaction.atomic
def demand_recategorize(
    *,
    actor: User,
    demand: Demand,
    category: str,
    version: int | None = None,
    at=None,
) -> Demand:
    """The desk corrects the category the text suggested."""
    _desk_only(actor, demand)
    if category not in Category.values:
        raise ValidationError({"category": [_("Choose a category.")]})
    if demand.status in (Status.CLOSED, Status.MERGED):
        raise ValidationError(_("A closed demand keeps its category."))
    if category == demand.category:
        return demand
    before = demand.get_category_display()
    seen = demand.version if version is None else version
    advance(
        demand,
        seen=seen,
        status=demand.status,
        changes={"category": category, "category_evidence": ""},
    )
    now = at or timezone.now()
    text = f"{before} → {Category(category).label}"
    _event(demand, Action.RECATEGORIZE, actor, now, text)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=demand,
        changes={"category": [demand.category, category]},
        message=text,
    )
    demand.refresh_from_db()
    return demand


@transaction.atomic
def extension_request(
    *,
    actor: User,
    demand: Demand,
    days: int,
    reason: str,
    phase: str = "resolve",
    version: int | None = None,
    at=None,
) -> DemandExtension:
    """The lead department asks for `days` more working days on a deadline, saying why."""
    _in_scope(actor, demand)
    if not is_lead(actor, demand):
        raise PermissionDenied(_("Only the lead department asks for more time."))
    if phase not in EXTENDABLE:
        raise ValidationError({"phase": [_("Choose the interim reply or the resolution.")]})
    field, statuses = EXTENDABLE[phase]
    if demand.status not in statuses:
        raise ValidationError(
            _("That deadline no longer runs: the demand is %(status)s.")
            % {"status": demand.get_status_display()}
        )
    if not 1 <= int(days) <= MAX_EXTENSION_DAYS:
        raise ValidationError(
            {"days": [_("Ask for 1 to %(max)d working days.") % {"max": MAX_EXTENSION_DAYS}]}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why more time is needed.")]})
    if demand.extensions.filter(status=ExtensionStatus.PENDING).exists():
        raise ValidationError(_("An extension of this demand already awaits a decision."))
    seen = demand.version if version is None else version
    advance(demand, seen=seen, status=demand.status, changes={})
    now = at or timezone.now()
    due = getattr(demand, field)
    extension = DemandExtension.objects.create(
        demand=demand,
        phase=phase,
        days=days,
        reason=reason,
        requested_by=actor,
        requested_at=now,
        due_before=due,
        due_after=workdays.add_workdays(max(due, now), int(days)),
    )
    _event(
        demand,
        Action.EXTEND_ASK,
        actor,
        now,
        _("%(days)d working days more, to %(due)s: %(reason)s")
        % {
            "days": extension.days,
            "due": timezone.localtime(extension.due_after).strftime("%Y-%m-%d"),
            "reason": reason,
        },
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=extension, message=reason[:500])
    tell(Action.EXTEND_ASK, demand, text=reason)
    return extension


@transaction.atomic
def extension_decide(
    *,
    actor: User,
    extension: DemandExtension,
    approve: bool,
    note: str = "",
    at=None,
) -> DemandExtension:
    """The desk approves (the deadline moves) or refuses (with a note) an extension."""
    demand = Demand.objects.get(pk=extension.demand_id)
    _desk_only(actor, demand)
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": [_("Say why the extension is refused.")]})
    field, statuses = EXTENDABLE[extension.phase]
    if demand.status not in statuses:
        raise ValidationError(
            _("That deadline no longer runs: the demand is %(status)s.")
            % {"status": demand.get_status_display()}
        )
    now = at or timezone.now()
    decided = DemandExtension.objects.filter(
        pk=extension.pk, status=ExtensionStatus.PENDING
    ).update(
        status=ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED,
        decided_by=actor,
        decided_at=now,
        decision_note=note,
    )
    if not decided:
        raise ValidationError(_("This extension has already been decided."), code="conflict")
    changes = {field: extension.due_after} if approve else {}
    advance(demand, seen=demand.version, status=demand.status, changes=changes)
    action = Action.EXTEND_OK if approve else Action.EXTEND_NO
    _event(demand, action, actor, now, note)
    extension.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=extension,
        changes={"status": [ExtensionStatus.PENDING, extension.status]},
        message=note[:500],
    )
    tell(action, demand, text=note)
    return extension


@transaction.atomic
def demand_merge(
    *,
    actor: User,
    duplicate: Demand,
    into: Demand,
    version: int | None = None,
    at=None,
) -> Demand:
    """The desk merges `duplicate` into `into` (the demand it repeats, of the same
    enterprise): the duplicate is closed as merged and keeps its history; the kept demand
    records what it took in and shows both histories. Returns the kept demand."""
    _desk_only(actor, duplicate)
    _in_scope(actor, into)
    if duplicate.pk == into.pk:
        raise ValidationError(_("A demand cannot be merged into itself."))
    if duplicate.enterprise_id != into.enterprise_id:
        raise ValidationError(_("Only demands of the same enterprise are merged."))
    if into.status == Status.MERGED:
        raise ValidationError(_("The demand to keep has itself been merged into another."))
    if duplicate.status in (Status.CLOSED, Status.MERGED):
        raise ValidationError(
            _("A demand that is %(status)s is not merged.")
            % {"status": duplicate.get_status_display()}
        )
    now = at or timezone.now()
    seen = duplicate.version if version is None else version
    before = duplicate.status
    advance(
        duplicate,
        seen=seen,
        status=before,
        changes={
            "status": Status.MERGED,
            "merged_into": into,
            "duplicate_of": None,
            "closed_at": now,
        },
    )
    # what was merged into the duplicate now belongs to the kept demand
    Demand.objects.filter(merged_into=duplicate).update(merged_into=into)
    extensions_withdraw(duplicate, now)
    DemandEvent.objects.create(
        demand=duplicate,
        action=Action.MERGE,
        from_status=before,
        to_status=Status.MERGED,
        actor=actor,
        department=actor.department,
        at=now,
        text=f"#{into.pk} {into.title}",
    )
    advance(into, seen=into.version, status=into.status, changes={})
    if into.duplicate_of_id == duplicate.pk:
        Demand.objects.filter(pk=into.pk).update(duplicate_of=None)
    _event(into, Action.ABSORB, actor, now, f"#{duplicate.pk} {duplicate.title}")
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=duplicate,
        changes={"status": [before, Status.MERGED], "merged_into": [None, into.pk]},
        message=f"{Action.MERGE.label}：#{into.pk}",
    )
    tell(Action.MERGE, duplicate, text=f"#{into.pk} {into.title}")
    into.refresh_from_db()
    return into


@transaction.atomic
def duplicate_dismiss(
    *, actor: User, demand: Demand, version: int | None = None, at=None
) -> Demand:
    """The desk says a flagged demand is not a duplicate."""
    _desk_only(actor, demand)
    if demand.duplicate_of_id is None:
        return demand
    other = demand.duplicate_of_id
    seen = demand.version if version is None else version
    advance(demand, seen=seen, status=demand.status, changes={"duplicate_of": None})
    _event(demand, Action.NOT_DUP, actor, at or timezone.now(), f"#{other}")
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=demand,
        changes={"duplicate_of": [other, None]},
        message=Action.NOT_DUP.label,
    )
    demand.refresh_from_db()
    return demand


def attachments_check(files: Iterable, *, already: int = 0) -> list[tuple]:
    """(upload, name, content type) for each file, or one ValidationError listing every
    file that may not be attached and why."""
    files = [f for f in files if f]
    checked, errors = [], []
    if already + len(files) > files_check.max_files():
        errors.append(
            _("A demand has at most %(max)d attachments.") % {"max": files_check.max_files()}
        )
    for upload in files:
        try:
            checked.append((upload, *files_check.check_upload(upload)))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors, code="attachment")
    return checked


@transaction.atomic
def attachments_add(
    *, actor: User | None, demand: Demand, files: Iterable, event=None, at=None
) -> list[DemandAttachment]:
    """Attach files to a demand (with the step that sent them): all or none, and only by
    someone who sees the demand (None: the system, e.g. an import)."""
    if actor is not None:
        _in_scope(actor, demand)
    checked = attachments_check(files, already=demand.attachments.count())
    at = at or timezone.now()
    saved: list[str] = []
    created = []
    try:
        for upload, name, content_type in checked:
            attachment = DemandAttachment(
                demand=demand,
                event=event,
                name=name,
                content_type=content_type,
                size=upload.size,
                uploaded_by=actor,
                uploaded_at=at,
            )
            stored = default_storage.save(
                attachment_path(attachment, get_valid_filename(name) or "file"), upload
            )
            saved.append(stored)
            attachment.file.name = stored
            attachment.save()
            created.append(attachment)
    except Exception:
        for name in saved:
            default_storage.delete(name)
        raise
    return created
