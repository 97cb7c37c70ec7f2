"""List exports (CSV) that stream when small and are built by a background job when large.

An app declares its exports on its AppConfig, by name, as dotted paths to a `CsvExport`
(`exports = {"requests": "intake.exports.REQUESTS"}`), the way it declares `job_tasks`: the
kernel finds them by name and imports no app. A `CsvExport` says which rows the reader may
have (its filtered queryset, built for the reader), the header, and the one function that turns
rows into cells; the download streamed in the request and the file built by the job both go
through `export_queryset` and `export_lines`, so they hold the same bytes for the same filters.
An app's "Download CSV" page is `csv_export_view(its export)`.

A download of at most EXPORT_INLINE_MAX_ROWS rows (one COUNT) streams at once. A larger one
answers a page offering to prepare the file; the POST creates an export job (kind
"informatics.export") or reuses the reader's identical one (same export, same filters) that is
still waiting or running, or was built within the last hour and has not expired. The job
writes the CSV into an `ExportFile`, reporting progress every EXPORT_PROGRESS_EVERY rows; only
its creator (and admins) may see it, and the download checks that the creator may still read
the rows. Files are deleted EXPORT_FILE_TTL_HOURS after they are built (`export_files_expire`,
hourly on the beat schedule).
"""

import dataclasses
import datetime
import hashlib
import json
import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files import File
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponseBase, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.views.decorators.http import require_http_methods

from informatics.choices import JobStatus
from informatics.export import csv_rows, csv_stream
from informatics.models import ExportFile, JobRun, Redaction, User
from informatics.permissions import Action, can, require
from informatics.services.files import stored_files_forget
from informatics.services.jobs import (
    job_enqueue,
    jobrun_create,
    jobrun_fail,
    jobrun_finish,
    jobrun_progress,
)
from informatics.web import AuthedRequest

logger = logging.getLogger(__name__)

EXPORT_KIND = "informatics.export"
# Rows read from the database at a time, and rows between two progress reports (heartbeats).
EXPORT_CHUNK_SIZE = 1000
EXPORT_PROGRESS_EVERY = 1000
# An identical export built this recently (and not expired) is offered again, not rebuilt.
EXPORT_REUSE_WITHIN = datetime.timedelta(hours=1)
# Query parameters that are not filters (the list's page number).
NOT_FILTERS = frozenset({"page"})

Params = dict[str, list[str]]


@dataclasses.dataclass(frozen=True)
class CsvExport:
    """One list's CSV: `queryset(user, params)` is the filtered rows `user` may read (params as
    a QueryDict, or None when unfiltered), `cells(rows)` turns each into the row's cells under
    `header`. `action` is the permission a reader needs; `stem` names the file
    (`<stem>-<date>.csv`); `noun` says what a row is, in the plural; `list_url` is the list's
    URL name."""

    name: str
    stem: str
    noun: str
    action: Action
    header: Sequence[str]
    queryset: Callable[[User, QueryDict | None], QuerySet[Any]]
    cells: Callable[[Iterable[Any]], Iterator[Sequence[Any]]]
    list_url: str
    # The redactable texts its cells copy, as "app_label.model.field": a redaction of one
    # deletes the stored files of this export (`export_files_redacted`).
    copies: frozenset[str] = frozenset()


def export_registry() -> dict[str, str]:
    """Every export the apps declare (`exports` on their AppConfig): name → dotted path."""
    registry: dict[str, str] = {}
    for config in apps.get_app_configs():
        registry.update(getattr(config, "exports", {}))
    return registry


def export_get(name: str) -> CsvExport:
    """The export declared under `name` (Http404 when no app declares it)."""
    path = export_registry().get(name)
    if path is None:
        raise Http404("No such export.")
    export = import_string(path)
    if not isinstance(export, CsvExport) or export.name != name:
        raise TypeError(f"{path} is not the CsvExport named {name!r}")
    return export


def export_params(query: Mapping[str, Any]) -> Params:
    """The filters of a query string, canonical: keys sorted, empty values and the page number
    dropped (they filter nothing), so the same filters always give the same params."""
    lists = query.lists() if isinstance(query, QueryDict) else query.items()
    params: Params = {}
    for key, values in sorted(lists):
        kept = [str(value) for value in values if str(value).strip()]
        if key not in NOT_FILTERS and kept:
            params[key] = kept
    return params


def _query_dict(params: Params) -> QueryDict | None:
    if not params:
        return None  # unbound: the whole list, as a list page without filters
    query = QueryDict(mutable=True)
    for key, values in params.items():
        query.setlist(key, values)
    return query


def export_queryset(export: CsvExport, *, user: User, params: Params) -> QuerySet[Any]:
    """The rows of the export that `user` may read, narrowed by `params`."""
    return export.queryset(user, _query_dict(params))


def export_lines(export: CsvExport, rows: QuerySet[Any]) -> Iterator[str]:
    """The CSV's lines (header first), read from the database `EXPORT_CHUNK_SIZE` rows at a
    time: what the streamed download sends and the job writes, after a byte-order mark."""
    return csv_rows(
        header=export.header, rows=export.cells(rows.iterator(chunk_size=EXPORT_CHUNK_SIZE))
    )


def export_filename(export: CsvExport) -> str:
    return f"{export.stem}-{timezone.localdate().isoformat()}.csv"


def _fingerprint(name: str, params: Params) -> str:
    canonical = json.dumps({"export": name, "filters": params}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- The job ---------------------------------------------------------------------------------


def export_request(*, user: User, export: CsvExport, params: Params) -> tuple[JobRun, bool]:
    """The export job for `user`, `export` and `params`: their identical job that is waiting,
    running, or was built within EXPORT_REUSE_WITHIN and not expired; otherwise a new one,
    enqueued after commit. Returns the job and whether it was created. The caller has checked
    that `user` may read the rows."""
    fingerprint = _fingerprint(export.name, params)
    now = timezone.now()
    with transaction.atomic():
        # One request at a time per user: a double click makes one job.
        User.objects.select_for_update().filter(pk=user.pk).first()
        waiting = Q(status__in=(JobStatus.PENDING, JobStatus.RUNNING))
        built = Q(
            status=JobStatus.DONE,
            finished_at__gte=now - EXPORT_REUSE_WITHIN,
            export_file__expires_at__gt=now,
        ) & ~Q(export_file__file="")
        found = (
            JobRun.objects.filter(waiting | built, kind=EXPORT_KIND, created_by=user)
            .filter(scope__fingerprint=fingerprint)
            .order_by("-created_at", "-pk")
            .first()
        )
        if found is not None:
            return found, False
        job = jobrun_create(
            kind=EXPORT_KIND,
            scope={"export": export.name, "filters": params, "fingerprint": fingerprint},
            created_by=user,
        )
        # Registers the export task with Celery (the tasks module imports this one).
        from informatics.tasks import export_build_task  # noqa: F401

        job_enqueue(job=job)
    return job, True


def export_build(job_id: int) -> None:
    """The export job's body (run by `run_claimed`): write the CSV of the job's export and
    filters, as its creator may read them, into a temporary file while counting and hashing,
    then store it as the job's ExportFile and finish the job. Run again (a lost worker), it
    replaces the file it may have stored."""
    job = JobRun.objects.select_related("created_by").get(pk=job_id)
    export = export_get(str(job.scope.get("export", "")))
    user = job.created_by
    if user is None or not can(user, export.action):
        jobrun_fail(job_id=job_id, error="Its creator may no longer read these rows.")
        return
    params: Params = job.scope.get("filters") or {}
    rows = export_queryset(export, user=user, params=params)
    total = rows.count()
    jobrun_progress(job_id=job_id, done=0, total=total)
    digest = hashlib.sha256()
    written = 0
    with tempfile.TemporaryFile() as spool:
        chunks = ["\ufeff"]
        rows_written = 0
        for number, line in enumerate(export_lines(export, rows)):
            chunks.append(line)
            rows_written = number  # line 0 is the header
            if number % EXPORT_PROGRESS_EVERY == 0 and number:
                written += _write(spool, digest, chunks)
                jobrun_progress(job_id=job_id, done=number)
        written += _write(spool, digest, chunks)
        spool.seek(0)
        filename = export_filename(export)
        now = timezone.now()
        with transaction.atomic():
            for stale in ExportFile.objects.filter(job_id=job_id):
                stale.file.delete(save=False)
                stale.delete()
            stored = ExportFile(
                job_id=job_id,
                created_by=user,
                export=export.name,
                filename=filename,
                rows=rows_written,
                size=written,
                sha256=digest.hexdigest(),
                created_at=now,
                expires_at=now + datetime.timedelta(hours=settings.EXPORT_FILE_TTL_HOURS),
            )
            stored.file.save(filename, File(spool, name=filename), save=False)
            stored.save()
            jobrun_progress(job_id=job_id, done=rows_written, total=total)
            jobrun_finish(
                job_id=job_id,
                result={"rows": rows_written, "size": written, "sha256": stored.sha256},
            )


def _write(spool: Any, digest: Any, chunks: list[str]) -> int:
    data = "".join(chunks).encode("utf-8")
    chunks.clear()
    spool.write(data)
    digest.update(data)
    return len(data)


def export_files_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete the stored files of exports past their `expires_at` (hourly, on the beat
    schedule); the rows stay, with an empty file, as their jobs' record. Returns how many
    files were deleted; running it again deletes nothing more."""
    deleted = stored_files_forget(ExportFile.objects.filter(expires_at__lte=now or timezone.now()))
    if deleted:
        logger.info("deleted %s expired export files", deleted)
    return deleted


def export_files_redacted(*, redaction: Redaction, rewritten: Mapping[str, set[Any]]) -> int:
    """After a redaction (the kernel's `text_redact`, in its transaction; a
    `redaction_followups` entry): the stored files of every export that copies the redacted
    field may hold the text, and a CSV is not rewritten in place, so they end now, as if
    expired (the storage forgets them once the redaction commits); their readers prepare them
    again. Returns how many files were ended."""
    model = redaction.content_type.model_class()
    assert model is not None
    field = f"{model._meta.label_lower}.{redaction.field}"
    names = [name for name in export_registry() if field in export_get(name).copies]
    ended = list(
        ExportFile.objects.select_for_update()
        .filter(export__in=names)
        .exclude(file="")
        .order_by("pk")
    )
    if not ended:
        return 0
    ExportFile.objects.filter(pk__in=[row.pk for row in ended]).update(
        file="", expires_at=timezone.now()
    )
    files = [row.file for row in ended]

    def forget() -> None:
        for file in files:
            file.delete(save=False)  # a file already gone is no error

    transaction.on_commit(forget)
    logger.info("ended %s export files after redaction %s", len(ended), redaction.pk)
    return len(ended)


# --- Reading a job ---------------------------------------------------------------------------


def export_job(*, user: User, job_id: int) -> JobRun:
    """An export job with its file and creator, for its creator or an admin (Http404 for
    anyone else, as for a job that does not exist)."""
    found = (
        JobRun.objects.select_related("created_by", "export_file")
        .filter(pk=job_id, kind=EXPORT_KIND)
        .first()
    )
    if found is None or (found.created_by_id != user.pk and not can(user, Action.ADMINISTER)):
        raise Http404("No such export.")
    return found


# --- The page a list's "Download CSV" link asks for -----------------------------------------------


def csv_export(request: AuthedRequest, export: CsvExport) -> HttpResponseBase:
    """A list's CSV download, for the list's filters (its query string). GET: the CSV,
    streamed, when it holds at most EXPORT_INLINE_MAX_ROWS rows (one COUNT says); otherwise a
    page offering to prepare the file. POST: prepare it (an export job, or the reader's
    identical one) and go to the job's page. An app's view is `csv_export_view(its export)`."""
    require(request.user, export.action)
    params = export_params(request.GET)
    if request.method == "POST":
        job, _ = export_request(user=request.user, export=export, params=params)
        # 303 See Other: the browser follows with a GET, and a reload does not post again.
        response = HttpResponseRedirect(reverse("informatics:export-detail", args=[job.pk]))
        response.status_code = 303
        return response
    rows = export_queryset(export, user=request.user, params=params)
    count = rows.count()
    if count <= settings.EXPORT_INLINE_MAX_ROWS:
        return csv_stream(filename=export_filename(export), lines=export_lines(export, rows))
    return render(
        request,
        "informatics/export_offer.html",
        {"export": export, "count": count, "limit": settings.EXPORT_INLINE_MAX_ROWS},
    )


def csv_export_view(export: CsvExport) -> Callable[..., HttpResponseBase]:
    """The page a list's "Download CSV" link asks for: `csv_export` of `export`, for a signed-in
    user."""

    @login_required
    @require_http_methods(["GET", "HEAD", "POST"])
    def view(request: AuthedRequest) -> HttpResponseBase:
        return csv_export(request, export)

    return view
