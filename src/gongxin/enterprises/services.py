"""Writes to the enterprise archive. Each checks scope, runs in a transaction and audits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongxin.core.audit import audit_record, diff, snapshot
from gongxin.core.choices import AuditAction, Role
from gongxin.core.models import User
from gongxin.core.tabular.columns import normalize_newlines
from gongxin.enterprises.choices import ItemStatus, PlanStatus
from gongxin.enterprises.models import (
    AnnualFigure,
    Contact,
    CultivationPlan,
    Enterprise,
    MonthlyFigure,
    PlanItem,
    Qualification,
)
from gongxin.enterprises.selectors import (
    enterprise_can_create,
    enterprise_can_delete,
    enterprise_fields_editable,
    enterprise_scope,
)
from gongxin.enterprises.signals import announce

ENTERPRISE_FIELDS = (
    "uscc",
    "name",
    "legal_representative",
    "established_on",
    "registered_capital",
    "address",
    "district",
    "park",
    "industry",
    "size_class",
    "above_scale",
    "status",
    "main_products",
    "business_scope",
    "service_officer",
)
CONTACT_FIELDS = ("name", "title", "phone", "email", "is_primary")
QUALIFICATION_FIELDS = ("kind", "level", "certificate_no", "issued_on", "expires_on")
MONTHLY_FIELDS = ("output_value", "revenue", "profit", "tax", "employees", "electricity")
ANNUAL_FIELDS = (
    "output_value",
    "revenue",
    "main_business_revenue",
    "profit",
    "tax",
    "rd_expense",
    "total_assets",
    "employees",
)


def _clean_text(data: dict[str, Any]) -> dict[str, Any]:
    """Line breaks stored as LF, so a file saved from a browser (CRLF) round-trips through
    XLSX (LF) without showing as changed."""
    return {k: normalize_newlines(v) if isinstance(v, str) else v for k, v in data.items()}


def _ensure_in_scope(actor: User | None, enterprise: Enterprise, *, fields: bool = True) -> None:
    """Raise PermissionDenied unless `actor` may edit this enterprise (None = a system job)."""
    if actor is None:
        return
    if not enterprise_scope(actor, for_change=True).filter(pk=enterprise.pk).exists():
        raise PermissionDenied(_("You may not change this enterprise."))
    if fields and not enterprise_fields_editable(actor):
        raise PermissionDenied(_("Enterprise users may change only their contacts."))


def _ensure_location_in_scope(actor: User | None, enterprise: Enterprise) -> None:
    """District and park staff may only place enterprises inside their own region."""
    if actor is None or actor.role != Role.DISTRICT:
        return
    region = actor.region
    if region.is_park:
        from gongxin.core.selectors import host_district, region_with_descendants

        if enterprise.park_id not in region_with_descendants(region):
            raise ValidationError(
                {"park": _("You may only add enterprises in %(r)s.") % {"r": region}}
            )
        host = host_district(region)
        if host is not None and enterprise.district_id != host.pk:
            raise ValidationError(
                {"district": _("%(p)s lies in %(d)s.") % {"p": region, "d": host}}
            )
    elif enterprise.district_id != region.pk:
        raise ValidationError(
            {"district": _("You may only add enterprises in %(r)s.") % {"r": region}}
        )


@transaction.atomic
def enterprise_create(*, actor: User | None, data: dict[str, Any]) -> Enterprise:
    """Create an enterprise file. The USCC is validated with its check digit."""
    if actor is not None and not enterprise_can_create(actor):
        raise PermissionDenied(_("You may not add enterprises."))
    data = _clean_text(data)
    enterprise = Enterprise(**{k: v for k, v in data.items() if k in ENTERPRISE_FIELDS})
    enterprise.full_clean()
    _ensure_location_in_scope(actor, enterprise)
    enterprise.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=enterprise,
        changes=diff({}, snapshot(enterprise, ENTERPRISE_FIELDS)),
    )
    announce([enterprise.pk])
    return enterprise


@transaction.atomic
def enterprise_update(
    *, actor: User | None, enterprise: Enterprise, data: dict[str, Any]
) -> Enterprise:
    """Change fields of an enterprise file; only changed fields are saved and audited."""
    _ensure_in_scope(actor, enterprise)
    before = snapshot(enterprise, ENTERPRISE_FIELDS)
    for key, value in _clean_text(data).items():
        if key in ENTERPRISE_FIELDS:
            setattr(enterprise, key, value)
    changes = diff(before, snapshot(enterprise, ENTERPRISE_FIELDS))
    if not changes:
        return enterprise
    enterprise.full_clean()
    _ensure_location_in_scope(actor, enterprise)
    enterprise.save(update_fields=[*changes, "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=enterprise, changes=changes)
    announce([enterprise.pk])
    return enterprise


@transaction.atomic
def enterprise_delete(*, actor: User | None, enterprise: Enterprise) -> None:
    """Delete an enterprise file with its contacts, qualifications and figures."""
    if actor is not None and not (
        enterprise_can_delete(actor)
        and enterprise_scope(actor, for_change=True).filter(pk=enterprise.pk).exists()
    ):
        raise PermissionDenied(_("You may not delete enterprises."))
    before = snapshot(enterprise, ENTERPRISE_FIELDS)
    audit_record(actor=actor, action=AuditAction.DELETE, obj=enterprise, changes=diff(before, {}))
    announce([enterprise.pk])  # (before delete() clears the pk) its figures leave the totals
    enterprise.delete()


# Records of an enterprise: contacts, qualifications, figures ------------------------------


def _record_save(
    *,
    actor: User | None,
    enterprise: Enterprise,
    record,
    creating: bool,
    fields: tuple[str, ...],
    data: dict[str, Any],
    message: str,
    before_save=None,
):
    """Set `fields` of a record of `enterprise` from `data`; if anything changed, validate,
    save only what changed and audit it on the enterprise's history (with `message`, or
    the record's kind and name)."""
    before = {} if creating else snapshot(record, fields)
    for key in fields:
        if key in data:
            setattr(record, key, data[key])
    changes = diff(before, snapshot(record, fields))
    if not changes:
        return record
    record.full_clean()
    if before_save is not None:
        before_save(record)
    record.save(**({} if creating else {"update_fields": list(changes)}))
    _audit_on_enterprise(
        actor,
        AuditAction.CREATE if creating else AuditAction.UPDATE,
        enterprise,
        changes,
        message or f"{record._meta.verbose_name}：{record}",
    )
    return record


def _record_delete(*, actor: User | None, record, fields: tuple[str, ...]) -> None:
    enterprise = record.enterprise
    _audit_on_enterprise(
        actor,
        AuditAction.DELETE,
        enterprise,
        diff(snapshot(record, fields), {}),
        f"{record._meta.verbose_name}：{record}",
    )
    record.delete()


def _audit_on_enterprise(actor, action, enterprise: Enterprise, changes, message: str) -> None:
    """Audit a change of one of the enterprise's records on its history, and announce it."""
    announce([enterprise.pk])
    audit_record(
        actor=actor,
        action=action,
        object_type="enterprises.enterprise",
        object_id=str(enterprise.pk),
        object_repr=str(enterprise),
        changes=changes,
        message=message,
    )


@transaction.atomic
def contact_save(
    *, actor: User | None, enterprise: Enterprise, contact: Contact | None, data: dict[str, Any]
) -> Contact:
    """Add or change a contact (enterprise users may do this for their own enterprise).
    One contact at most is primary."""
    _ensure_in_scope(actor, enterprise, fields=False)
    if contact is not None and contact.enterprise_id != enterprise.pk:
        raise PermissionDenied(_("The contact belongs to another enterprise."))

    def one_primary(record: Contact) -> None:
        if record.is_primary:
            enterprise.contacts.exclude(pk=record.pk).filter(is_primary=True).update(
                is_primary=False
            )

    record = contact or Contact(enterprise=enterprise)
    return _record_save(
        actor=actor,
        enterprise=enterprise,
        record=record,
        creating=contact is None,
        fields=CONTACT_FIELDS,
        data=data,
        message="",
        before_save=one_primary,
    )


@transaction.atomic
def contact_delete(*, actor: User | None, contact: Contact) -> None:
    _ensure_in_scope(actor, contact.enterprise, fields=False)
    _record_delete(actor=actor, record=contact, fields=CONTACT_FIELDS)


@transaction.atomic
def qualification_save(
    *,
    actor: User | None,
    enterprise: Enterprise,
    qualification: Qualification | None,
    data: dict[str, Any],
) -> Qualification:
    """Add or change a qualification with its issue and expiry dates."""
    _ensure_in_scope(actor, enterprise)
    if qualification is not None and qualification.enterprise_id != enterprise.pk:
        raise PermissionDenied(_("The qualification belongs to another enterprise."))
    record = qualification or Qualification(enterprise=enterprise)
    saved = _record_save(
        actor=actor,
        enterprise=enterprise,
        record=record,
        creating=qualification is None,
        fields=QUALIFICATION_FIELDS,
        data=data,
        message="",
    )
    return saved


@transaction.atomic
def qualification_delete(*, actor: User | None, qualification: Qualification) -> None:
    _ensure_in_scope(actor, qualification.enterprise)
    _record_delete(actor=actor, record=qualification, fields=QUALIFICATION_FIELDS)


@transaction.atomic
def monthly_figure_save(
    *, actor: User | None, enterprise: Enterprise, period: dt.date, data: dict[str, Any]
) -> MonthlyFigure:
    """Record (or correct) one month's figures; the month is normalised to its first day."""
    _ensure_in_scope(actor, enterprise)
    period = period.replace(day=1)
    figure = MonthlyFigure.objects.filter(enterprise=enterprise, period=period).first()
    return _record_save(
        actor=actor,
        enterprise=enterprise,
        record=figure or MonthlyFigure(enterprise=enterprise, period=period),
        creating=figure is None,
        fields=MONTHLY_FIELDS,
        data=data,
        message=_("Monthly figures %(period)s") % {"period": f"{period:%Y-%m}"},
    )


@transaction.atomic
def annual_figure_save(
    *, actor: User | None, enterprise: Enterprise, year: int, data: dict[str, Any]
) -> AnnualFigure:
    """Record (or correct) a year's figures, R&D expenditure included."""
    _ensure_in_scope(actor, enterprise)
    figure = AnnualFigure.objects.filter(enterprise=enterprise, year=year).first()
    return _record_save(
        actor=actor,
        enterprise=enterprise,
        record=figure or AnnualFigure(enterprise=enterprise, year=year),
        creating=figure is None,
        fields=ANNUAL_FIELDS,
        data=data,
        message=_("Annual figures %(year)d") % {"year": year},
    )


# Imports and exports ----------------------------------------------------------------------


def enterprise_import(*, actor: User | None, fileobj, name: str, dry_run: bool, progress=None):
    """Import an enterprise file (CSV or XLSX) all or nothing; see `run_import`."""
    from gongxin.core.tabular.importing import run_import
    from gongxin.enterprises.columns import EnterpriseImporter

    if actor is not None and not enterprise_can_create(actor):
        raise PermissionDenied(_("You may not import enterprises."))
    return run_import(
        EnterpriseImporter(actor=actor), fileobj, name=name, dry_run=dry_run, progress=progress
    )


def monthly_figure_import(*, actor: User | None, fileobj, name: str, dry_run: bool, progress=None):
    """Import monthly figures (CSV or XLSX) all or nothing; see `run_import`."""
    from gongxin.core.tabular.importing import run_import
    from gongxin.enterprises.columns import MonthlyFigureImporter

    if actor is not None and not enterprise_can_create(actor) and actor.role != Role.OFFICER:
        raise PermissionDenied(_("You may not import figures."))
    return run_import(
        MonthlyFigureImporter(actor=actor), fileobj, name=name, dry_run=dry_run, progress=progress
    )


# Cultivation plans (一企一策) -----------------------------------------------------------

PLAN_FIELDS = ("tier", "goal", "official", "start_year", "target_year", "status", "achieved_on")
PLAN_ITEM_FIELDS = ("kind", "text", "responsible", "due_on", "status", "done_on")


def plan_can_edit(user: User, enterprise: Enterprise) -> bool:
    """Officials who may edit the enterprise's file keep its plans (not the enterprise)."""
    return (
        user.is_authenticated
        and user.role != Role.ENTERPRISE
        and enterprise_scope(user, for_change=True).filter(pk=enterprise.pk).exists()
    )


def _ensure_plan_editor(actor: User | None, enterprise: Enterprise) -> None:
    if actor is not None and not plan_can_edit(actor, enterprise):
        raise PermissionDenied(_("You may not keep this enterprise's cultivation plans."))


@transaction.atomic
def cultivation_plan_save(
    *,
    actor: User | None,
    enterprise: Enterprise,
    plan: CultivationPlan | None,
    data: dict[str, Any],
) -> CultivationPlan:
    """Create or change a cultivation plan; one plan under way per rung."""
    _ensure_plan_editor(actor, enterprise)
    if plan is not None and plan.enterprise_id != enterprise.pk:
        raise PermissionDenied(_("The plan belongs to another enterprise."))
    record = plan or CultivationPlan(enterprise=enterprise)
    if data.get("status") == PlanStatus.ACHIEVED and not data.get("achieved_on"):
        data = {**data, "achieved_on": record.achieved_on or timezone.localdate()}
    if data.get("status") and data["status"] != PlanStatus.ACHIEVED:
        data = {**data, "achieved_on": None}
    return _record_save(
        actor=actor,
        enterprise=enterprise,
        record=record,
        creating=plan is None,
        fields=PLAN_FIELDS,
        data=data,
        message="",
    )


@transaction.atomic
def plan_item_save(
    *, actor: User | None, plan: CultivationPlan, item: PlanItem | None, data: dict[str, Any]
) -> PlanItem:
    """Add or change a measure or milestone of a plan; done items keep the day."""
    _ensure_plan_editor(actor, plan.enterprise)
    if item is not None and item.plan_id != plan.pk:
        raise PermissionDenied(_("The item belongs to another plan."))
    record = item or PlanItem(plan=plan)
    if data.get("status") == ItemStatus.DONE and not data.get("done_on"):
        data = {**data, "done_on": record.done_on or timezone.localdate()}
    if data.get("status") and data["status"] != ItemStatus.DONE:
        data = {**data, "done_on": None}
    saved = _record_save(
        actor=actor,
        enterprise=plan.enterprise,
        record=record,
        creating=item is None,
        fields=PLAN_ITEM_FIELDS,
        data=data,
        message=_("Cultivation plan item: %(text)s") % {"text": data.get("text") or record.text},
    )
    CultivationPlan.objects.filter(pk=plan.pk).update(updated_at=timezone.now())
    return saved


@transaction.atomic
def plan_item_delete(*, actor: User | None, item: PlanItem) -> None:
    _ensure_plan_editor(actor, item.plan.enterprise)
    enterprise = item.plan.enterprise
    _audit_on_enterprise(
        actor,
        AuditAction.DELETE,
        enterprise,
        diff(snapshot(item, PLAN_ITEM_FIELDS), {}),
        _("Cultivation plan item: %(text)s") % {"text": item.text},
    )
    item.delete()
