"""API views of this app: one per operation, each calling one service or selector.

Executives see issued reports only; the CMIO, the CMO and informaticists see drafts too. The
CMIO asks for a draft (202, with the build job to follow), writes the narrative and marks it
reviewed; the CMO issues it. An issued report never changes."""

from collections.abc import Callable

from django.db.models import QuerySet
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from informatics import rest
from informatics.models import JobRun
from informatics.permissions import Action
from reports import selectors, services
from reports.api import serializers as s
from reports.choices import FileKind
from reports.models import ValueReport
from reports.tasks import BUILD_KIND
from reports.views import file_response

NOT_FOUND = OpenApiResponse(description="No such report, or not one you may read.")
REFUSED_STATE = OpenApiResponse(
    description="Bad input, or the report is not in the state this step needs (e.g. issuing a "
    "draft, or any change to an issued report); nothing was changed."
)


@extend_schema_view(
    list=extend_schema(
        operation_id="reports_list",
        summary="List value reports",
        description="Newest month first. Executives and champions see issued reports only; the "
        "CMIO, the CMO and informaticists see drafts and reviewed ones too.",
    ),
)
class ReportViewSet(mixins.ListModelMixin, rest.ApiViewSet[ValueReport]):
    """The monthly value reports: each revision's figures (payload, with a source for every
    figure), its hash, its files and their sha256, and its sign-off."""

    serializer_class = s.ValueReportOutput
    detail_output = s.ValueReportDetailOutput
    lookup_value_regex = "[0-9]+"
    needs = {
        "create": Action.REPORT_DRAFT,
        "narrative": Action.REPORT_DRAFT,
        "review": Action.REPORT_DRAFT,
        "issue": Action.REPORT_ISSUE,
    }
    needs_otherwise = Action.PORTFOLIO_READ

    def get_queryset(self) -> QuerySet[ValueReport]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return ValueReport.objects.none()
        return selectors.report_list(user=rest.actor(self.request))

    def _report(self, pk: int | str) -> ValueReport:
        return selectors.report_detail(user=rest.actor(self.request), pk=int(pk))

    def shown(self, record: ValueReport) -> ValueReport:
        return self._report(record.pk)

    def _sign_off(self, pk: str, step: Callable[..., object]) -> Response:
        """A sign-off step: `step` (a service) given the report; the answer, the report."""
        report = self._report(pk)
        step(actor=rest.actor(self.request), report=report)
        return self.respond(report)

    @extend_schema(
        operation_id="reports_retrieve",
        summary="One value report",
        description="With its narrative, its payload (every figure, each with its sources) and "
        "its files, each with its sha256 and download URL.",
        responses={200: s.ValueReportDetailOutput, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        return rest.render(self.detail_output, self._report(pk))

    @extend_schema(
        operation_id="reports_create",
        summary="Request a draft",
        description="The CMIO asks for a month's draft (for the organisation, or one priority). "
        "The build runs in the background: the answer is its job, to follow at `status_url`. "
        "Unchanged data makes no new revision.",
        request=s.DraftRequestInput,
        responses=rest.answers(s.JobOutput, code=202),
    )
    def create(self, request: Request) -> Response:
        job = rest.call(services.report_draft_request, request, s.DraftRequestInput)
        return rest.render(s.JobOutput, job, status.HTTP_202_ACCEPTED)

    @extend_schema(
        operation_id="reports_narrative",
        summary="Write a draft's narrative",
        description="The CMIO, on a draft only; the files are rendered again with it.",
        request=s.NarrativeInput,
        responses=rest.answers(
            s.ValueReportDetailOutput, bad=rest.PHI_FLAGGED, not_found=NOT_FOUND
        ),
    )
    @action(detail=True, methods=["post"], url_path="narrative", url_name="narrative")
    def narrative(self, request: Request, pk: str) -> Response:
        data = rest.parse(s.NarrativeInput, request)
        report = self._report(pk)
        services.report_narrative_set(actor=rest.actor(request), report=report, **data)
        return self.respond(report)

    @extend_schema(
        operation_id="reports_review",
        summary="Mark a draft reviewed",
        description="The CMIO, once the narrative is written.",
        request=None,
        responses=rest.answers(s.ValueReportDetailOutput, bad=REFUSED_STATE, not_found=NOT_FOUND),
    )
    @action(detail=True, methods=["post"], url_path="review", url_name="review")
    def review(self, request: Request, pk: str) -> Response:
        return self._sign_off(pk, services.report_mark_reviewed)

    @extend_schema(
        operation_id="reports_issue",
        summary="Issue a reviewed report",
        description="The CMO. Executives can read it from then on, and subscribers are e-mailed.",
        request=None,
        responses=rest.answers(s.ValueReportDetailOutput, bad=REFUSED_STATE, not_found=NOT_FOUND),
    )
    @action(detail=True, methods=["post"], url_path="issue", url_name="issue")
    def issue(self, request: Request, pk: str) -> Response:
        return self._sign_off(pk, services.report_issue)

    @extend_schema(
        operation_id="reports_download",
        summary="Download a report's file",
        description="`kind` is pdf, xlsx or csv (a zip of one CSV per section). The file's "
        "sha256 is in the `X-Content-SHA256` header.",
        parameters=[
            # The path's own pattern would read "^pdf|xlsx|csv$": pdf at the start, or csv at
            # the end, or xlsx anywhere.
            OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=FileKind.values),
        ],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(description="The file."),
            404: NOT_FOUND,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=f"download/(?P<kind>{'|'.join(FileKind.values)})",
        url_name="download",
    )
    def download(self, request: Request, pk: str, kind: str) -> FileResponse:
        report = self._report(pk)
        found = get_object_or_404(report.files.all(), kind=kind)
        return file_response(found)


class ReportJobApi(rest.ApiView):
    """A report build's status and progress."""

    needs = Action.REPORT_DRAFT_READ

    @extend_schema(
        operation_id="reports_job",
        summary="A report build's status",
        description="Pending, running (with progress done of total), done (the result names "
        "the report and whether a new revision was made) or failed (with its error).",
        responses={200: s.JobOutput, 404: OpenApiResponse(description="No such build.")},
    )
    def get(self, request: Request, pk: int) -> Response:
        return rest.render(s.JobOutput, get_object_or_404(JobRun, pk=pk, kind=BUILD_KIND))
