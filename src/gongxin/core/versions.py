"""Versions of the data that stored summaries are computed from.

A write calls `changed()`, which moves the version on inside the write's transaction (a
rolled-back transaction takes its move back with it). Long transactions (imports) call it
just before they commit, so the counter's row is not held while they run. A summary
records the version it was computed at and is recomputed when the version is another
(`current()`).
"""

from __future__ import annotations

from django.db.models import F

from gongxin.core.models import DataVersion

ARCHIVE = "archive"


def current() -> int:
    return DataVersion.objects.filter(name=ARCHIVE).values_list("version", flat=True).first() or 0


def changed() -> None:
    """The archive changes: move its version on."""
    if not DataVersion.objects.filter(name=ARCHIVE).update(version=F("version") + 1):
        DataVersion.objects.get_or_create(name=ARCHIVE, defaults={"version": 1})
