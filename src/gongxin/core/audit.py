"""The audit trail: who changed what, when, with the values before and after.

Services call `audit_record` (imports: `tabular.upsert`, set-wise) inside their
transaction, so an entry exists exactly when the change it describes was committed.
The request id and client address come from the request being served, or from the
command being run (`audit_context`).
"""

import contextvars
import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext

from gongxin.core.models import AuditEntry, MoneyField, User

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_ip_address: contextvars.ContextVar[str | None] = contextvars.ContextVar("ip", default=None)


@contextmanager
def audit_context(*, request_id: str | None = None, ip_address: str | None = None) -> Iterator[str]:
    """Tag every audit entry written inside the block with one request id."""
    rid = request_id or str(uuid.uuid4())
    tokens = (_request_id.set(rid), _ip_address.set(ip_address))
    try:
        yield rid
    finally:
        _request_id.reset(tokens[0])
        _ip_address.reset(tokens[1])


def current_request_id() -> str:
    return _request_id.get()


def current_ip_address() -> str | None:
    return _ip_address.get()


def jsonable(value: Any) -> Any:
    """A value as it is kept in the audit log's JSON."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        # Plain notation (122500, not 1.225E+5) without trailing zeros, so that 150.50 and
        # 150.5 are the same amount
        return format(value.normalize(), "f")
    if isinstance(value, float):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The audited values of an instance; foreign keys by id (cheap, no query)."""
    data = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = field.attname if isinstance(field, models.ForeignKey) else name
        data[name] = jsonable(getattr(instance, attname))
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields whose value changed."""
    keys = list(dict.fromkeys([*before, *after]))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def object_type_of(obj: models.Model | type[models.Model]) -> str:
    return obj._meta.label_lower


def audit_entry(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
    message: str = "",
) -> AuditEntry:
    """An unsaved audit entry (for bulk creation)."""
    if obj is not None:
        object_type = object_type or object_type_of(obj)
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    return AuditEntry(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=(actor.get_username() if actor is not None else "system")[:150],
        request_id=current_request_id(),
        ip_address=_ip_address.get(),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        changes=changes or {},
        message=message[:500],
    )


def audit_record(**kwargs: Any) -> AuditEntry:
    """Write one audit entry now (call it inside the service's transaction)."""
    entry = audit_entry(**kwargs)
    entry.save()
    return entry


# Reading the changes --------------------------------------------------------------------------


def change_lines(
    items: Iterable[tuple[type[models.Model] | str | None, dict[str, Any]]],
) -> list[list[tuple[str, str, str]]]:
    """What officials read of {field: [before, after]} changes: for each (model or
    "app.model" label, changes), lines (field, before, after) with the field's name in the
    user's language and the values as they are shown elsewhere: the name of a related
    record, the label of a choice, yes or no. The related records of all the items are
    read at once, one query per model they belong to. A key that is no field of the model
    (nor of a model that refers to it: a monthly figure audited on its enterprise) is
    shown as it is stored."""
    items = list(items)
    resolved = []
    wanted: dict[type[models.Model], set[Any]] = {}
    for model, changes in items:
        model = _model_of(model)
        fields = {}
        for name, pair in (changes or {}).items():
            field = _field_named(model, name)
            fields[name] = field
            if isinstance(field, models.ForeignKey) and isinstance(pair, list | tuple):
                keys = wanted.setdefault(field.related_model, set())
                keys.update(v for v in pair if isinstance(v, int) and not isinstance(v, bool))
        resolved.append((changes or {}, fields))
    names = {
        related: {str(pk): str(obj) for pk, obj in related._default_manager.in_bulk(keys).items()}
        for related, keys in wanted.items()
    }
    lines = []
    for changes, fields in resolved:
        rows = []
        for name, pair in changes.items():
            field = fields[name]
            before, after = (
                pair if isinstance(pair, list | tuple) and len(pair) == 2 else (pair, None)
            )
            label = capfirst(str(field.verbose_name)) if field is not None else name
            rows.append((label, _shown(field, before, names), _shown(field, after, names)))
        lines.append(rows)
    return lines


def _model_of(model: type[models.Model] | str | None) -> type[models.Model] | None:
    if model is None or isinstance(model, type):
        return model
    from django.apps import apps

    try:
        return apps.get_model(model)
    except (LookupError, ValueError):
        return None


def _field_named(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    owners = [model] + [rel.related_model for rel in model._meta.related_objects if rel.one_to_many]
    for owner in owners:
        try:
            field = owner._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.concrete:
            return field
    return None


def _shown(field: models.Field | None, value: Any, names: dict) -> str:
    if value is None or value == "":
        return "—"
    if field is None:
        return str(value)
    if isinstance(field, models.ForeignKey):
        return names.get(field.related_model, {}).get(str(value), f"#{value}")
    if isinstance(field, models.BooleanField):
        return gettext("Yes") if value else gettext("No")
    if isinstance(field, MoneyField):  # to the fen: a record of what changed, not a summary
        try:
            return f"{intcomma(f'{Decimal(value):.2f}')} {gettext('yuan')}"
        except InvalidOperation:
            return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def with_change_lines(entries: Iterable[AuditEntry]) -> list[AuditEntry]:
    """The entries, each with `lines`: its changes as `change_lines` shows them."""
    entries = list(entries)
    shown = change_lines((entry.object_type, entry.changes) for entry in entries)
    for entry, lines in zip(entries, shown, strict=True):
        entry.lines = lines
    return entries
