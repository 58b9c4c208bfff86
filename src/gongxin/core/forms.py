"""What forms across the apps share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongxin.core import attachments


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


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files at once; each is checked by the service (type and size)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            gettext_lazy("%(types)s; at most %(size)d MB each")
            % {"types": attachments.ALLOWED_NAMES, "size": attachments.max_bytes() // 2**20},
        )
        super().__init__(widget=MultipleFileInput(attrs={"accept": _accept()}), **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _accept() -> str:
    return ",".join(f".{e}" for e in attachments.ALLOWED)
