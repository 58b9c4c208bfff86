"""What forms across the apps share."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _


def form_errors_from(
    error: ValidationError | PermissionDenied, form, aliases: dict[str, str] | None = None
) -> None:
    """A service's refusal shown on the form: on the fields it names when the form has
    them (a model field the form enters under another name through `aliases`), on the
    form as a whole otherwise."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or _("This is not yours to do."))
    elif hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            field = (aliases or {}).get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
