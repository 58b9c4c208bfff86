"""What may be attached to a demand, a policy application or a progress report: the
type is read from the file's first bytes (the name's extension must agree with it), the
size is capped. Plain Python; the service stores what passes."""

from __future__ import annotations

import os

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: extension: the type the file's content must show (doc and xls are the old Office
#: format, which carries one signature for both).
ALLOWED = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword",
    "xls": "application/msword",
}
ALLOWED_NAMES = "PDF, JPG, PNG, DOC, DOCX, XLS, XLSX"


def max_bytes() -> int:
    return settings.GONGXIN_ATTACHMENT_MAX_MB * 1024 * 1024


def max_files() -> int:
    return settings.GONGXIN_ATTACHMENT_MAX_FILES


def check_upload(upload) -> tuple[str, str]:
    """The display name and the content type of an uploaded file, or a ValidationError
    naming the file and what is wrong with it."""
    name = os.path.basename(upload.name or "").strip()[-200:] or "attachment"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    limit = max_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("%(name)s: %(size).1f MB is more than the %(limit)d MB an attachment may have.")
            % {"name": name, "size": upload.size / 1024 / 1024, "limit": limit // 1024 // 1024},
            code="size",
        )
    if upload.size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": name}, code="empty")
    if extension not in ALLOWED:
        raise ValidationError(
            _("%(name)s: only %(types)s files may be attached.")
            % {"name": name, "types": ALLOWED_NAMES},
            code="type",
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else ""
    if extension in ("doc", "xls"):  # the old Office format: one container for both
        ok = head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
        mime = "application/msword" if extension == "doc" else "application/vnd.ms-excel"
    elif extension in ("docx", "xlsx"):  # Office Open XML: a zip filetype may not open
        ok = mime == ALLOWED[extension] or (
            head.startswith(b"PK\x03\x04") and (b"word/" if extension == "docx" else b"xl/") in head
        )
        mime = ALLOWED[extension]
    else:
        ok = mime == ALLOWED[extension]
    if not ok:
        raise ValidationError(
            _("%(name)s is not the %(type)s file its name says it is.")
            % {"name": name, "type": extension.upper()},
            code="content",
        )
    return name, mime
