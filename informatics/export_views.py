"""Pages of list exports (see informatics.exports): the download a list's "Download CSV" link
asks for (streamed when small, an offer to prepare the file when large, and the POST that
prepares it), the export job's page with its progress, and its file's download."""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from informatics.choices import JobStatus
from informatics.export import csv_stream
from informatics.exports import (
    CsvExport,
    export_filename,
    export_get,
    export_job,
    export_lines,
    export_params,
    export_queryset,
    export_request,
)
from informatics.models import ExportFile, JobRun
from informatics.permissions import require
from informatics.web import AuthedRequest, job_page


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


def _export_file(job: JobRun) -> ExportFile | None:
    try:
        return job.export_file
    except ExportFile.DoesNotExist:
        return None


@login_required
@require_GET
def export_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """An export job's page: its progress while it runs (htmx polls for the status block
    alone), then its file's link, or its error."""
    job = export_job(user=request.user, job_id=pk)
    export = export_get(str(job.scope.get("export", "")))
    return job_page(
        request,
        page="informatics/export_detail.html",
        status="informatics/export_status.html",
        running=job.status in (JobStatus.PENDING, JobStatus.RUNNING),
        context={"job": job, "export": export, "file": _export_file(job)},
    )


@login_required
@require_GET
def export_download(request: AuthedRequest, pk: int) -> FileResponse:
    """The job's file, for its creator or an admin, while its creator may still read the rows
    it holds; its sha256 in `X-Content-SHA256`."""
    job = export_job(user=request.user, job_id=pk)
    export = export_get(str(job.scope.get("export", "")))
    require(job.created_by, export.action)
    stored = _export_file(job)
    if stored is None or not stored.file:
        raise Http404("This file is not ready, or it has expired.")
    response = FileResponse(
        stored.file.open("rb"),
        as_attachment=True,
        filename=stored.filename,
        content_type="text/csv; charset=utf-8",
    )
    response["X-Content-SHA256"] = stored.sha256
    return response
