"""Pages of a prepared list export (see informatics.exports, which also holds the page a list's
"Download CSV" link asks for): the export job's page with its progress, and its file's
download."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.views.decorators.http import require_GET

from informatics.choices import JobStatus
from informatics.exports import export_get, export_job
from informatics.models import ExportFile, JobRun
from informatics.permissions import require
from informatics.web import AuthedRequest, job_page


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
