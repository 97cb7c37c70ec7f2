"""API views of metrics: each parses its input, authorises, calls one service or selector and
renders an output serializer. Refusals come from informatics.permissions (403, nothing
changed); stale edits from the services' optimistic locking (409); bad input is a 400 naming
the field (or the query parameter). Imports: upload a file (202: it is imported by a job), list
the batches (those who load measurements), read one with its progress, counts and errors (its
uploader, informaticists, the CMIO and admins; others get 403)."""

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import mixins, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import ValidationError as BadInput

from informatics import rest
from informatics.permissions import Action
from metrics import selectors, services
from metrics.api import serializers as s
from metrics.api.pagination import MeasurementCursorPagination
from metrics.choices import RulePreset
from metrics.filters import MeasurementFilter, MetricFilter
from metrics.imports.selectors import import_detail, import_list
from metrics.models import ImportBatch, Measurement, Metric
from metrics.services.imports import import_require_read, import_upload

NOT_FOUND = OpenApiResponse(description="No such metric.")

# What each operation needs of DESIGN.md's table before any input is parsed; the services
# check again.
NEEDS: dict[str, Action] = {
    "list": Action.PORTFOLIO_READ,
    "retrieve": Action.PORTFOLIO_READ,
    "spc": Action.PORTFOLIO_READ,
    "create": Action.METRIC_EDIT,
    "partial_update": Action.METRIC_EDIT,
}


@rest.listing(
    "List metrics",
    "The catalogue by code, each with its system-level roll-up: the latest complete point's "
    "variation, assurance against the target, progress and the date the data is complete "
    "through. Filtered like the catalogue page.",
)
class MetricViewSet(mixins.ListModelMixin, rest.RecordViewSet[Metric]):
    """The metric catalogue: how each metric is defined, charted and judged, its system-level
    roll-up, and its SPC chart at any facility under any rule preset."""

    serializer_class = s.MetricListOutput
    detail_output = s.MetricDetailOutput
    filterset_class = MetricFilter
    lookup_value_regex = "[0-9]+"
    record_name = "metric"
    needs = NEEDS
    needs_otherwise = Action.PORTFOLIO_READ

    def get_queryset(self) -> QuerySet[Metric]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Metric.objects.none()
        if self.action == "list":
            return selectors.metric_list(user=rest.actor(self.request))
        return Metric.objects.all()  # one metric, which each operation reads as it needs

    def shown(self, record: Metric) -> Metric:
        return selectors.metric_detail(metric_id=record.pk)

    @extend_schema(
        summary="One metric",
        description="With its definition and source, how it is charted and judged, the "
        "initiatives it is attributed to (shares sum to at most 100%), balancing metrics, "
        "targets, annotations and system-level roll-up.",
        responses={200: s.MetricDetailOutput, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        return rest.render(self.detail_output, selectors.metric_detail(metric_id=int(pk)))

    @extend_schema(
        summary="Add a metric to the catalogue",
        description="The CMIO, the CMO or an admin. Text that looks like patient information "
        'is refused unless sent again with `"phi_confirmed": true`.',
        request=s.MetricCreateInput,
        responses=rest.answers(s.MetricDetailOutput, code=201, bad=rest.PHI_FLAGGED),
    )
    def create(self, request: Request) -> Response:
        return self.created(services.metric_create, s.MetricCreateInput)

    @extend_schema(
        operation_id="metrics_update",
        summary="Edit a metric",
        description="The CMIO, the CMO or an admin. Send the `version` you edited with the "
        "fields to change (priorities and balancing metrics are replaced as a whole); a stale "
        "version gets 409 and nothing is saved. The multiplier cannot change under stored "
        "measurements. A change to how the metric is charted or judged recomputes its "
        "roll-ups in the background.",
        request=s.MetricUpdateInput,
        responses=rest.answers(
            s.MetricDetailOutput, bad=rest.PHI_FLAGGED, not_found=NOT_FOUND, stale=True
        ),
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        return self.change(services.metric_update, s.MetricUpdateInput)

    @extend_schema(
        operation_id="metrics_spc",
        summary="A metric's SPC chart at one facility",
        description="Per period the value, centre line, limits (in display units: a rate × "
        "the metric's multiplier), segment and the signals of the rule preset, and whether "
        "the period is complete (incomplete periods are never signalled or classified); then "
        "the variation of the latest complete point, assurance against the applicable "
        "target, progress toward it, and the date the data is complete through. Read from "
        "the stored roll-ups; another `preset` is applied to the stored aggregates. A parent "
        "facility's figures sum its children's numerators and denominators.",
        parameters=[
            OpenApiParameter(
                "facility",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                pattern=r"^[-a-zA-Z0-9_]+$",  # a facility's code is a slug, never empty
                description="A facility's code; the whole system when left out.",
            ),
            OpenApiParameter(
                "preset",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                enum=RulePreset.values,
                description="The rule preset; the metric's own when left out.",
            ),
        ],
        responses={
            200: s.SpcOutput,
            400: OpenApiResponse(
                description="Unknown facility or preset: the body names the parameter."
            ),
            404: NOT_FOUND,
        },
    )
    @rest.unfiltered_action("spc", detail=True)
    def spc(self, request: Request, pk: str) -> Response:
        query = rest.parse_query(s.SpcQueryInput, request)
        metric = self.get_object()
        facility = query["facility"] or selectors.system_facility()
        if facility is None:
            raise BadInput({"facility": ["Give a facility code: there is no health system."]})
        view = selectors.series_view(metric=metric, facility=facility, with_marks=False)
        analysis = selectors.spc_analysis(
            metric=metric, facility=facility, preset=query["preset"], view=view
        )
        points = [
            {
                "period_start": row.period_start,
                "period_end": row.period_end,
                "value": point.value,
                "centre": point.centre,
                "lower": point.lower,
                "upper": point.upper,
                "segment": point.segment,
                "signals": [signal.as_dict() for signal in point.signals],
                "complete": point.complete,
            }
            for row, point in zip(view.points, analysis.points, strict=True)
        ]
        body = {
            "metric": metric,
            "facility": facility,
            "chart": str(analysis.chart),
            "preset": str(analysis.preset),
            "variation": str(analysis.variation) if analysis.variation else None,
            "assurance": str(analysis.assurance) if analysis.assurance else None,
            "progress": analysis.progress,
            "target": view.target,
            "baseline_value": analysis.baseline_value,
            "current_value": analysis.current_value,
            "insufficient_data": analysis.insufficient_data,
            "data_through": view.data_through,
            "points": points,
        }
        return Response(s.SpcOutput(body).data)


@rest.listing(
    "List measurements",
    "By metric, facility and period, each with the import batch that last wrote it or the "
    "person who entered it. Filter by `metric` and `facility` (codes) and `period_from` / "
    "`period_to` (period start, inclusive). In id order, 50 a page: follow `next` (an opaque "
    "`cursor`), so a deep page costs what the first does; `count` is the filtered total, "
    "recounted at most once a minute.",
)
class MeasurementViewSet(mixins.ListModelMixin, rest.ApiViewSet[Measurement]):
    """Measurements per metric, facility and period, with their provenance; informaticists
    and the CMIO enter small series by hand (files go through imports)."""

    serializer_class = s.MeasurementOutput
    detail_output = s.MeasurementOutput
    filterset_class = MeasurementFilter
    pagination_class = MeasurementCursorPagination
    needs = {"create": Action.MEASUREMENT_LOAD}
    needs_otherwise = Action.PORTFOLIO_READ

    def get_queryset(self) -> QuerySet[Measurement]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Measurement.objects.none()
        return selectors.measurement_list(user=rest.actor(self.request))

    def shown(self, record: Measurement) -> Measurement:
        return selectors.measurement_list().get(pk=record.pk)

    @extend_schema(
        summary="Enter a measurement by hand",
        description="Informaticists and the CMIO. A value, or a numerator and denominator, or "
        "all three (the value must equal numerator ÷ denominator × the metric's multiplier). "
        "The period must be one period of the metric's frequency and must not overlap "
        "another at the facility. Entering the same metric, facility and period again "
        "corrects it. The metric's roll-ups are recomputed in the background.",
        request=s.MeasurementInput,
        responses=rest.answers(s.MeasurementOutput, code=201),
    )
    def create(self, request: Request) -> Response:
        return self.created(services.measurement_enter, s.MeasurementInput)


# --- Imports --------------------------------------------------------------------------------------

NO_BATCH = OpenApiResponse(description="No such import batch.")


@rest.listing(
    "List import batches",
    "Newest first, with each job's progress and the rows written; the errors are in the detail.",
    responses={200: s.ImportListOutput(many=True), 403: rest.REFUSED},
)
class ImportViewSet(mixins.ListModelMixin, rest.ApiViewSet[ImportBatch]):
    """Measurement files: each upload is a batch, imported all or nothing by a background job
    whose progress, counts and errors are read here."""

    serializer_class = s.ImportListOutput
    parser_classes = [MultiPartParser]  # the upload: a file, field `file`
    detail_output = s.ImportDetailOutput
    lookup_value_regex = "[0-9]+"
    # One batch: signed-in readers, then `import_require_read` (its uploader, informaticists,
    # the CMIO, admins). The list and uploads are for those who load measurements.
    needs = {"retrieve": Action.PORTFOLIO_READ}
    needs_otherwise = Action.MEASUREMENT_LOAD

    def get_queryset(self) -> QuerySet[ImportBatch]:
        return import_list()

    def shown(self, record: ImportBatch) -> ImportBatch:
        return import_detail(batch_id=record.pk)

    @extend_schema(
        summary="One import batch",
        description="Status, progress (poll it while the job runs: progress_done only rises "
        "and ends at rows_total), the rows inserted, updated, left unchanged and rejected, and "
        "every error by row and column.",
        responses={200: s.ImportDetailOutput, 403: rest.REFUSED, 404: NO_BATCH},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        batch = import_detail(batch_id=int(pk))
        import_require_read(user=rest.actor(request), batch=batch)
        return rest.render(self.detail_output, batch)

    @extend_schema(
        summary="Upload a measurement file",
        description="Multipart, field `file`: a canonical .csv or .xlsx, or a FHIR R4 "
        "MeasureReport (summary) or Bundle of them as .json. The file is stored and imported by "
        "a background job: the answer is 202 with the batch, to poll. A file with any bad row "
        "is rejected whole, every error listed by row and column; a sound one is upserted on "
        "(metric, facility, period_start), and the same file again changes nothing.",
        request={"multipart/form-data": s.ImportUploadInput},
        responses=rest.answers(s.ImportDetailOutput, code=202),
    )
    def create(self, request: Request) -> Response:
        data = rest.parse(s.ImportUploadInput, request)
        batch = import_upload(actor=rest.actor(request), upload=data["file"])
        return self.respond(batch, status.HTTP_202_ACCEPTED)
