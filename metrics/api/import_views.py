"""API views of imports: upload a file (202: it is imported by a job), list the batches, and
read one with its progress, counts and errors. Uploading and listing are for those who load
measurements (informaticists and the CMIO; others get 403 and nothing changes); one batch is
readable by its uploader, informaticists, the CMIO and admins (others get 403)."""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from informatics import rest
from informatics.permissions import Action
from metrics.api import import_serializers as s
from metrics.imports import selectors
from metrics.models import ImportBatch
from metrics.services.imports import import_require_read, import_upload

NOT_FOUND = OpenApiResponse(description="No such import batch.")


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
        return selectors.import_list()

    def shown(self, record: ImportBatch) -> ImportBatch:
        return selectors.import_detail(batch_id=record.pk)

    @extend_schema(
        summary="One import batch",
        description="Status, progress (poll it while the job runs: progress_done only rises "
        "and ends at rows_total), the rows inserted, updated, left unchanged and rejected, and "
        "every error by row and column.",
        responses={200: s.ImportDetailOutput, 403: rest.REFUSED, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        batch = selectors.import_detail(batch_id=int(pk))
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


router = SimpleRouter()
router.register("imports", ImportViewSet, basename="import")

urlpatterns = router.urls
