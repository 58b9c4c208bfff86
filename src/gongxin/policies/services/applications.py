"""Applications under policies and their disbursement: an enterprise applies → the
policy's handlers review → approve (with the amount) or reject (with the reason) →
disburse (amount and date). A 免申即享 policy pays its eligible enterprises without an
application: the handlers grant the year's list in one step. Every step is an event;
`version` keeps two people from deciding one application at once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongxin.core.audit import audit_record
from gongxin.core.choices import AuditAction, Role
from gongxin.core.models import User
from gongxin.core.notify import Message, notify
from gongxin.core.selectors import user_edits_everything
from gongxin.enterprises.models import Enterprise
from gongxin.enterprises.selectors import enterprise_scope
from gongxin.policies.benefits import money
from gongxin.policies.choices import (
    OPEN_APPLICATION,
    AmountMethod,
    ApplicationSource,
    ApplicationStatus,
    MatchResult,
)
from gongxin.policies.models import Application, ApplicationEvent, Match, Policy

S = ApplicationStatus


class Conflict(ValidationError):
    """Someone else moved the application on first."""


def application_can_handle(user: User, policy: Policy) -> bool:
    """Division staff and administrators handle every policy's applications; a handling
    department those of the policies it handles."""
    return user_edits_everything(user) or (
        user.is_authenticated
        and user.role in (Role.DEPARTMENT, Role.STAFF)
        and policy.department_id is not None
        and user.department_id == policy.department_id
    )


def application_can_submit(user: User, enterprise: Enterprise) -> bool:
    """An enterprise's own user, and officials who may edit its file, apply for it."""
    return enterprise_scope(user, for_change=True).filter(pk=enterprise.pk).exists() or (
        user.is_authenticated
        and user.role == Role.ENTERPRISE
        and user.enterprise_id == enterprise.pk
    )


def _event(application, status, actor, *, text="", amount=None, at=None) -> None:
    ApplicationEvent.objects.create(
        application=application,
        status=status,
        actor=actor if actor is not None and actor.pk else None,
        at=at or timezone.now(),
        text=text,
        amount=amount,
    )


def _advance(application: Application, *, seen: int, status: str, changes: dict) -> None:
    """Write `changes` if the application is still at version `seen` and `status`."""
    updated = Application.objects.filter(pk=application.pk, version=seen, status=status).update(
        version=F("version") + 1, **changes
    )
    if not updated:
        current = (
            Application.objects.filter(pk=application.pk).values_list("status", flat=True).first()
        )
        label = S(current).label if current else "—"
        raise Conflict(
            _(
                "Someone else has just acted on this application: it is now %(status)s. "
                "Reload it; nothing of yours was saved."
            )
            % {"status": label},
            code="conflict",
        )
    for key, value in changes.items():
        setattr(application, key, value)
    application.version = seen + 1


def _tell_enterprise(application: Application, title: str, body: str = "") -> None:
    _tell_enterprises([application], title, lambda a: body)


def _tell_enterprises(applications: list[Application], title: str, body) -> None:
    """Tell the users of each application's enterprise, once the transaction commits: one
    query for all of them; `body(application)` is each message's text."""

    def send():
        users: dict[int, list[User]] = {}
        for user in User.objects.filter(
            role=Role.ENTERPRISE,
            is_active=True,
            enterprise_id__in={a.enterprise_id for a in applications},
        ):
            users.setdefault(user.enterprise_id, []).append(user)
        notify(
            Message(
                u,
                f"{title}：{a.policy.title}",
                body(a),
                reverse("policies:application_detail", args=[a.pk]),
            )
            for a in applications
            for u in users.get(a.enterprise_id, [])
        )

    transaction.on_commit(send)


@transaction.atomic
def application_submit(
    *,
    actor: User,
    policy: Policy,
    enterprise: Enterprise,
    year: int,
    statement: str = "",
    requested_amount: Decimal | None = None,
) -> Application:
    """Apply under a policy in force for a year (one open application per year)."""
    if not application_can_submit(actor, enterprise):
        raise PermissionDenied(_("You may not apply for this enterprise."))
    today = timezone.localdate()
    if not policy.in_force(today):
        raise ValidationError(_("This policy is not in force: applications are closed."))
    if policy.without_application:
        raise ValidationError(
            _("This policy pays eligible enterprises without an application (免申即享).")
        )
    if requested_amount is not None and requested_amount < 0:
        raise ValidationError({"requested_amount": _("The amount cannot be negative.")})
    application = Application(
        policy=policy,
        enterprise=enterprise,
        year=year,
        statement=statement.strip(),
        requested_amount=requested_amount,
        submitted_by=actor if actor.pk else None,
        submitted_at=timezone.now(),
    )
    application.full_clean(exclude=["submitted_by"])
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        raise ValidationError(
            _("This enterprise already has an application under this policy for %(year)d.")
            % {"year": year},
            code="duplicate",
        ) from None
    _event(application, S.SUBMITTED, actor, text=application.statement, amount=requested_amount)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=application, message=str(application))
    return application


def _handler(actor: User, application: Application) -> None:
    if not application_can_handle(actor, application.policy):
        raise PermissionDenied(_("You do not handle applications under this policy."))


@transaction.atomic
def application_review(*, actor: User, application: Application, seen: int) -> Application:
    """Take a submitted application into review."""
    _handler(actor, application)
    _advance(application, seen=seen, status=S.SUBMITTED, changes={"status": S.REVIEWING})
    _event(application, S.REVIEWING, actor)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=application,
        changes={"status": [S.SUBMITTED, S.REVIEWING]},
    )
    return application


@transaction.atomic
def application_decide(
    *,
    actor: User,
    application: Application,
    seen: int,
    approve: bool,
    amount: Decimal | None = None,
    reason: str = "",
) -> Application:
    """Approve with the amount granted, or reject with the reason (told the enterprise)."""
    _handler(actor, application)
    reason = reason.strip()
    if approve:
        if amount is None or amount < 0:
            raise ValidationError({"amount": _("Give the amount approved.")})
        changes = {"status": S.APPROVED, "approved_amount": amount, "reason": reason}
    else:
        if not reason:
            raise ValidationError({"reason": _("Say why the application is rejected.")})
        changes = {"status": S.REJECTED, "reason": reason}
    if application.status not in (S.SUBMITTED, S.REVIEWING):
        raise ValidationError(_("Only a submitted application or one under review is decided."))
    changes["decided_at"] = timezone.now()
    before = application.status
    _advance(application, seen=seen, status=before, changes=changes)
    _event(application, changes["status"], actor, text=reason, amount=amount if approve else None)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=application,
        changes={"status": [before, changes["status"]]},
        message=reason,
    )
    if approve:
        _tell_enterprise(
            application, _("Application approved"), _("Amount: %(a)s") % {"a": money(amount)}
        )
    else:
        _tell_enterprise(application, _("Application rejected"), reason)
    return application


@transaction.atomic
def application_disburse(
    *, actor: User, application: Application, seen: int, amount: Decimal, on: dt.date
) -> Application:
    """Record the payment of an approved application."""
    _handler(actor, application)
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("Give the amount paid.")})
    if on > timezone.localdate():
        raise ValidationError({"on": _("A payment cannot be dated in the future.")})
    if application.approved_amount is not None and amount > application.approved_amount:
        raise ValidationError(
            {
                "amount": _("More than the %(a)s approved.")
                % {"a": money(application.approved_amount)}
            }
        )
    _advance(
        application,
        seen=seen,
        status=S.APPROVED,
        changes={"status": S.DISBURSED, "disbursed_amount": amount, "disbursed_on": on},
    )
    _event(application, S.DISBURSED, actor, amount=amount)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=application,
        changes={"status": [S.APPROVED, S.DISBURSED], "disbursed_amount": [None, str(amount)]},
    )
    _tell_enterprise(application, _("Funds disbursed"), money(amount))
    return application


@transaction.atomic
def application_withdraw(*, actor: User, application: Application, seen: int) -> Application:
    """The applicant withdraws before a decision."""
    if not application_can_submit(actor, application.enterprise):
        raise PermissionDenied(_("You may not withdraw this application."))
    if application.status not in (S.SUBMITTED, S.REVIEWING):
        raise ValidationError(_("A decided application cannot be withdrawn."))
    before = application.status
    _advance(application, seen=seen, status=before, changes={"status": S.WITHDRAWN})
    _event(application, S.WITHDRAWN, actor)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=application,
        changes={"status": [before, S.WITHDRAWN]},
    )
    return application


@transaction.atomic
def grant_without_application(*, actor: User, policy: Policy, year: int) -> int:
    """免申即享: approve, for `year`, every enterprise the policy finds eligible with the
    amount computed from complete data, that has no open application yet. Returns how
    many were granted; each enterprise is told."""
    if not application_can_handle(actor, policy):
        raise PermissionDenied(_("You do not handle applications under this policy."))
    if not policy.without_application:
        raise ValidationError(_("This policy is paid on application only."))
    if not policy.in_force(timezone.localdate()):
        raise ValidationError(_("This policy is not in force."))
    taken = Application.objects.filter(policy=policy, year=year, status__in=OPEN_APPLICATION)
    due = (
        Match.objects.filter(policy=policy, result=MatchResult.ELIGIBLE)
        .exclude(enterprise__in=taken.values("enterprise"))
        .order_by("enterprise_id")
    )
    if policy.amount_method != AmountMethod.NONE:
        due = due.filter(benefit__isnull=False)
    now = timezone.now()
    note = _("Granted without application (免申即享)")
    created = Application.objects.bulk_create(
        Application(
            policy=policy,
            enterprise_id=m.enterprise_id,
            year=year,
            source=ApplicationSource.AUTOMATIC,
            status=S.APPROVED,
            requested_amount=m.benefit,
            approved_amount=m.benefit,
            reason=note,
            submitted_by=actor if actor.pk else None,
            submitted_at=now,
            decided_at=now,
        )
        for m in due
    )
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(
            application=a,
            status=S.APPROVED,
            actor=actor if actor.pk else None,
            at=now,
            text=note,
            amount=a.approved_amount,
        )
        for a in created
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=policy,
        changes={"granted": [None, len(created)], "year": [None, year]},
        message=note,
    )
    for application in created:
        application.policy = policy
    _tell_enterprises(
        created,
        _("Support granted without application"),
        lambda a: money(a.approved_amount),
    )
    return len(created)
