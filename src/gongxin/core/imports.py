"""Import jobs for the web UI: store the upload, run it in the background with progress,
keep the outcome (and an error workbook) for the user who started it."""

from __future__ import annotations

import json
import os
import threading
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections
from django.utils import timezone
from django.utils.translation import gettext as _

from gongxin.core.audit import audit_context, current_request_id
from gongxin.core.models import ImportJob, User
from gongxin.core.tabular.files import write_error_report
from gongxin.core.tabular.importing import ImportResult, run_import
from gongxin.core.tabular.registry import IMPORTS, ImportSpec

MAX_ERRORS_SHOWN = 500


def _dir() -> Path:
    path = Path(settings.GONGXIN_IMPORT_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def job_file(job: ImportJob) -> Path:
    return _dir() / job.stored_name


def job_error_report(job: ImportJob) -> Path:
    return _dir() / f"{job.pk}.errors.xlsx"


def _progress_file(job_id) -> Path:
    return _dir() / f"{job_id}.progress.json"


def job_progress(job: ImportJob) -> dict[str, Any]:
    """How far a running job has got (read from the file its worker writes)."""
    try:
        return json.loads(_progress_file(job.pk).read_text())
    except (OSError, ValueError):
        return {"fraction": 0.0, "rows": 0}


def import_spec(kind: str, user: User) -> ImportSpec:
    spec = IMPORTS.get(kind)
    if spec is None:
        raise LookupError(kind)
    if not spec.can_import(user):
        raise PermissionDenied(_("You may not use this import."))
    return spec


def import_job_start(*, actor: User, kind: str, upload, dry_run: bool) -> ImportJob:
    """Keep the uploaded file and start checking (or importing) it in the background."""
    import_spec(kind, actor)
    limit = settings.GONGXIN_IMPORT_MAX_BYTES
    if upload.size > limit:
        raise PermissionDenied(
            _("The file is %(size)d MB; the limit is %(limit)d MB.")
            % {"size": upload.size // 2**20, "limit": limit // 2**20}
        )
    job_id = uuid.uuid4()
    suffix = Path(upload.name).suffix.lower()[:8]
    stored = f"{job_id}{suffix if suffix in ('.csv', '.xlsx', '.txt') else '.bin'}"
    with open(_dir() / stored, "wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    job = ImportJob.objects.create(
        id=job_id,
        kind=kind,
        actor=actor,
        original_name=upload.name[:255],
        stored_name=stored,
        dry_run=dry_run,
    )
    _launch(job)
    return job


def import_job_commit(*, actor: User, job: ImportJob) -> ImportJob:
    """Import for real a file whose dry run passed."""
    if (
        job.actor_id != actor.pk
        or not job.dry_run
        or job.error_count
        or job.status != job.Status.DONE
    ):
        raise PermissionDenied(_("Only a checked file without errors can be imported."))
    import_spec(job.kind, actor)
    new = ImportJob.objects.create(
        id=uuid.uuid4(),
        kind=job.kind,
        actor=actor,
        original_name=job.original_name,
        stored_name=job.stored_name,
        dry_run=False,
    )
    _launch(new)
    return new


def _launch(job: ImportJob) -> None:
    if getattr(settings, "GONGXIN_IMPORT_SYNC", False):
        import_job_run(job.pk, request_id=current_request_id(), in_thread=False)
        return
    thread = threading.Thread(
        target=import_job_run,
        args=(job.pk,),
        kwargs={"request_id": current_request_id(), "in_thread": True},
        name=f"import-{job.pk}",
        daemon=True,
    )
    thread.start()


def import_job_run(job_id, *, request_id: str = "", in_thread: bool = True) -> None:
    """Run one job (in a worker thread, or inline in tests). A worker thread has its own
    database connection, closed when the job ends."""
    if in_thread:
        close_old_connections()
    job = ImportJob.objects.select_related("actor", "actor__region").get(pk=job_id)
    spec = IMPORTS[job.kind]
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    progress_path = _progress_file(job.pk)

    def progress(fraction: float, rows: int) -> None:
        tmp = progress_path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"fraction": round(fraction, 3), "rows": rows}))
        os.replace(tmp, progress_path)

    try:
        with audit_context(request_id=request_id or None), open(job_file(job), "rb") as handle:
            result = run_import(
                spec.importer(actor=job.actor),
                handle,
                name=job.original_name,
                dry_run=job.dry_run,
                progress=progress,
            )
        if result.error_count:
            write_error_report(job_error_report(job), result)
        _finish(job, result)
    except Exception as exc:  # the user must see that it failed, whatever the cause
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            finished_at=timezone.now(),
            result={"summary": _("The import stopped: %(error)s") % {"error": exc}},
        )
        raise
    finally:
        progress_path.unlink(missing_ok=True)
        if in_thread:
            close_old_connections()


def _finish(job: ImportJob, result: ImportResult) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE,
        rows=result.rows,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        error_count=result.error_count,
        committed=result.committed,
        finished_at=timezone.now(),
        result={
            "summary": result.summary(),
            "format": result.format,
            "encoding": result.encoding,
            "errors": [
                {"row": e.row, "column": e.column, "value": e.value, "reason": e.reason}
                for e in result.errors[:MAX_ERRORS_SHOWN]
            ],
            "changes": [
                {"row": ch.row, "action": ch.action, "label": ch.label, "changes": ch.changes}
                for ch in result.changes
            ],
        },
    )
