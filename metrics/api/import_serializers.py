"""API input and output serializers of imports: the upload (a file) and a batch with its job's
progress, counts and, in the detail, its errors by row and column."""

from rest_framework import serializers

from informatics import rest
from metrics.choices import ImportFormat, ImportStatus
from metrics.imports import ERRORS_KEPT
from metrics.models import ImportBatch


class ImportUploadInput(serializers.Serializer):
    file = serializers.FileField(
        help_text="A canonical .csv or .xlsx (see the import page for the columns), or a FHIR "
        "R4 MeasureReport or Bundle of them as .json.",
    )


class ImportErrorOutput(serializers.Serializer):
    """One problem of a rejected file. A file-wide problem has no row; a last entry without a
    row says how many errors were left out of the list."""

    row = serializers.IntegerField(
        allow_null=True,
        help_text="CSV and XLSX: the row a spreadsheet shows (the header is row 1). FHIR: the "
        "MeasureReport's position in the Bundle, from 1.",
    )
    column = rest.CharField(
        allow_null=True, help_text="The column's name, or for FHIR the element's path."
    )
    message = rest.CharField()


class ImportListOutput(serializers.Serializer):
    """An import batch: the file, where its job is, and what it wrote."""

    id = serializers.IntegerField()
    filename = rest.CharField()
    format = serializers.ChoiceField(ImportFormat.choices)
    size = serializers.IntegerField(help_text="Bytes.")
    sha256 = rest.CharField()
    status = serializers.ChoiceField(
        ImportStatus.choices,
        help_text="pending → running → done (written), rejected (nothing written: see the "
        "errors) or failed (nothing written: an unexpected fault).",
    )
    uploaded_by = rest.PersonRefOutput()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    progress_done = serializers.SerializerMethodField(
        help_text="Rows read so far; only rises, and ends at rows_total."
    )
    progress_total = serializers.SerializerMethodField(
        help_text="Rows expected: an estimate while running (null when unknown), the row count "
        "at the end."
    )
    rows_total = serializers.IntegerField()
    rows_inserted = serializers.IntegerField()
    rows_updated = serializers.IntegerField()
    rows_unchanged = serializers.IntegerField()
    rows_rejected = serializers.IntegerField(help_text="Rows with at least one error.")

    def get_progress_done(self, batch: ImportBatch) -> int:
        return batch.job.progress_done if batch.job else 0

    def get_progress_total(self, batch: ImportBatch) -> int | None:
        return batch.job.progress_total if batch.job else None


class ImportDetailOutput(ImportListOutput):
    # Named as the batch's column. DRF's metaclass moves declared fields off the class, so the
    # serializer's own `errors` property is untouched; only the type checker sees a clash.
    errors = ImportErrorOutput(  # type: ignore[assignment]
        many=True, help_text=f"Every error in row and column order (the first {ERRORS_KEPT})."
    )
