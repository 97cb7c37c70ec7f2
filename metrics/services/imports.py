"""Imports of measurement files: the upload (stored, fingerprinted, queued) and the job that
reads it all or nothing (`metrics.imports`), then refreshes the roll-ups of the metrics it
changed. The batch row is the audit of its measurements; an AuditEvent records the upload and
another the outcome."""

import datetime
import hashlib
import logging
import resource
from pathlib import PurePath
from typing import Any

from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from informatics.audit import audit_created, audit_record
from informatics.choices import AuditAction, PhiKind
from informatics.jobs import run_claimed
from informatics.models import User
from informatics.permissions import Action, can, require
from informatics.phi import PhiFlagged
from informatics.services import jobrun_create, jobrun_finish, jobrun_progress
from informatics.services.files import stored_files_forget
from informatics.services.records import guard_record_text
from metrics.choices import ImportFormat, ImportStatus
from metrics.imports import Outcome, import_file, limits
from metrics.models import ImportBatch
from metrics.tasks import IMPORT_KIND, import_run_task

logger = logging.getLogger(__name__)

EXTENSIONS: dict[str, ImportFormat] = {
    ".csv": ImportFormat.CSV,
    ".xlsx": ImportFormat.XLSX,
    ".json": ImportFormat.FHIR,
}
FILENAME_MAX = ImportBatch._meta.get_field("filename").max_length or 255
COUNTS = ("rows_total", "rows_inserted", "rows_updated", "rows_unchanged", "rows_rejected")


def import_upload(*, actor: User, upload: UploadedFile) -> ImportBatch:
    """Store an uploaded file (.csv, .xlsx, or FHIR .json) as a new import batch and queue its
    import, which runs after this transaction commits. The format comes from the extension;
    a file whose content is not what its extension says is rejected by the import with a
    clear error."""
    require(actor, Action.MEASUREMENT_LOAD)
    name = PurePath(upload.name or "").name
    format = EXTENSIONS.get(PurePath(name).suffix.lower())
    if format is None:
        raise ValidationError(
            {"file": "Upload a .csv or .xlsx file with the canonical columns, or a FHIR .json."}
        )
    if not upload.size:
        raise ValidationError({"file": "The file is empty."})
    too_large = limits.size_error(format, upload.size)
    if too_large:  # from the size the upload declares, before a byte of it is read
        raise ValidationError({"file": too_large})
    # A file's name is shown on its pages: the PHI guard reads it. An upload cannot be
    # confirmed past the guard, so the file is refused and the message says to rename it.
    try:
        guard_record_text(ImportBatch, {"filename": name}, confirmed=False)
    except PhiFlagged as flagged:
        kinds = sorted({str(PhiKind(f.kind).label) for f in flagged.findings["filename"]})
        raise ValidationError(
            {
                "file": f"The file's name looks like patient information ({', '.join(kinds)}): "
                "rename the file and upload it again."
            }
        ) from None
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        job = jobrun_create(kind=IMPORT_KIND, scope={"filename": name}, created_by=actor)
        batch = ImportBatch(
            filename=name[:FILENAME_MAX],
            format=format,
            sha256=digest.hexdigest(),
            size=upload.size,
            job=job,
            uploaded_by=actor,
        )
        batch.file.save(name, upload, save=False)
        batch.save()
        audit_created(instance=batch, actor=actor, fields=["filename", "format", "sha256", "size"])
        transaction.on_commit(lambda: import_run_task.delay(job.pk))
    return batch


def import_run(*, job_id: int, task: Task[Any, Any] | None = None) -> None:
    """The import job: claim it (a duplicate delivery does nothing), read the file, record the
    outcome on the batch and the job, then queue a roll-up of the metrics whose figures changed.
    Run by `task`, a transient error is retried (informatics.jobs.run_claimed); a job that
    fails for good fails its batch, with a message on the batch's page.

    The job's result also keeps the worker process's peak resident memory (ru_maxrss, in KiB)
    and its resident memory now, before and after the import: operational data, and how a test
    checks that a 100,000-row file streams rather than loads."""
    run_claimed(job_id, _import_body, task=task, on_failed=_import_failed)


def _import_body(job_id: int) -> None:
    batch = ImportBatch.objects.select_related("uploaded_by").get(job_id=job_id)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING)
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss_before = _resident_kib()
    started = timezone.now()

    def report(done: int, total: int | None) -> None:
        jobrun_progress(job_id=job_id, done=done, total=total)

    def record(outcome: Outcome) -> None:
        """Inside the import's transaction: the batch, its audit, the job, the roll-up."""
        _record(batch, outcome)
        jobrun_finish(
            job_id=job_id,
            result={name: getattr(batch, name) for name in COUNTS}
            | {
                "status": batch.status,
                "errors": outcome.errors.total,
                "seconds": round((timezone.now() - started).total_seconds(), 3),
                "peak_rss_kib_before": peak_before,
                "peak_rss_kib_after": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "rss_kib_before": rss_before,
                "rss_kib_after": _resident_kib(),
            },
        )
        if outcome.metric_ids:
            from metrics.services.rollups import rollup_enqueue_split

            rollup_enqueue_split(metric_ids=sorted(outcome.metric_ids), actor=batch.uploaded_by)

    import_file(batch=batch, report=report, record=record)


def _import_failed(job_id: int, error: BaseException) -> str:
    """The import failed for good: fail its batch with a message for its page; the job's
    error is returned."""
    if _timed_out(error):
        limit = settings.IMPORT_TIME_LIMIT_SECONDS
        message = (
            f"The import took longer than {limit:,} seconds (IMPORT_TIME_LIMIT_SECONDS); "
            "nothing was imported. Split the file."
        )
        failure = f"time limit of {limit} seconds exceeded"
    else:
        message = (
            f"The import failed unexpectedly ({type(error).__name__}); nothing was "
            "imported. Try again, or tell an administrator."
        )
        failure = f"{type(error).__name__}: {error}"
    ImportBatch.objects.filter(job_id=job_id).update(
        status=ImportStatus.FAILED,
        finished_at=timezone.now(),
        errors=[{"row": None, "column": None, "message": message}],
    )
    return failure


def _timed_out(error: BaseException) -> bool:
    """Whether the worker's soft time limit stopped the import: the exception itself, or one it
    caused (PostgreSQL's COPY reports an exception raised while it read the file as a failed
    query whose message names it)."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, SoftTimeLimitExceeded) or "SoftTimeLimitExceeded" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def import_can_read(*, user: User, batch: ImportBatch) -> bool:
    """A batch (its file name, counts and errors) is read by its uploader, by those who load
    measurements (informaticists, the CMIO) and by admins: its errors locate rows of a file
    that may hold what the portal must not show to everyone."""
    return (
        batch.uploaded_by_id == user.pk
        or can(user, Action.MEASUREMENT_LOAD)
        or can(user, Action.ADMINISTER)
    )


def import_require_read(*, user: User, batch: ImportBatch) -> None:
    """PermissionDenied unless `user` may read the batch (`import_can_read`)."""
    if not import_can_read(user=user, batch=batch):
        raise PermissionDenied("Only the uploader, informaticists, the CMIO and admins.")


FINISHED = (ImportStatus.DONE, ImportStatus.REJECTED, ImportStatus.FAILED)


def import_files_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete the stored files of batches that finished (imported, rejected or failed) more
    than IMPORT_FILE_RETENTION_DAYS ago; the batch rows stay as the audit of their
    measurements, with an empty file. Returns how many files were deleted; running it again
    deletes nothing more."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.IMPORT_FILE_RETENTION_DAYS)
    deleted = stored_files_forget(
        ImportBatch.objects.filter(status__in=FINISHED, finished_at__lt=cutoff)
    )
    if deleted:
        logger.info("deleted %s expired import files", deleted)
    return deleted


def _resident_kib() -> int | None:
    """The process's resident set size now, in KiB (Linux; None elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * resource.getpagesize() // 1024


def _record(batch: ImportBatch, outcome: Outcome) -> None:
    """Write the outcome on the batch (inside the import's transaction) and audit it."""
    before = {"status": ImportStatus.RUNNING, **dict.fromkeys(COUNTS, 0)}
    batch.status = ImportStatus.DONE if outcome.accepted else ImportStatus.REJECTED
    batch.finished_at = timezone.now()
    for name in COUNTS:
        setattr(batch, name, getattr(outcome, name))
    batch.errors = outcome.errors.as_list()
    batch.save(update_fields=["status", "finished_at", "errors", *COUNTS])
    after = {"status": batch.status, **{name: getattr(batch, name) for name in COUNTS}}
    audit_record(
        instance=batch,
        actor=batch.uploaded_by,
        action=AuditAction.UPDATE,
        changes={
            name: [before[name], after[name]] for name in after if before[name] != after[name]
        },
        note="Imported." if outcome.accepted else f"Rejected: {outcome.errors.total} errors.",
    )
