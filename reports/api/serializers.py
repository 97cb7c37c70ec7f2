"""API input and output serializers of this app."""

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from informatics import rest
from informatics.choices import JobStatus
from informatics.models import StrategicPriority
from reports.choices import FileKind, ReportState


class ReportFileOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FileKind.choices)
    sha256 = rest.CharField()
    size = serializers.IntegerField()
    rendered_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, row: Any) -> str:
        return reverse("api:report-download", args=[row.report_id, row.kind])


class ValueReportOutput(serializers.Serializer):
    """A report in a list: its month, scope, revision, state and payload hash."""

    id = serializers.IntegerField()
    month = serializers.DateField()
    priority = serializers.SerializerMethodField()
    revision = serializers.IntegerField()
    state = serializers.ChoiceField(choices=ReportState.choices)
    payload_sha256 = rest.CharField()
    reviewed_at = serializers.DateTimeField(allow_null=True)
    issued_at = serializers.DateTimeField(allow_null=True)
    url = serializers.SerializerMethodField()

    @extend_schema_field(rest.PriorityRefOutput(allow_null=True))
    def get_priority(self, row: Any) -> dict[str, Any] | None:
        return rest.nested_or_none(rest.PriorityRefOutput, row.priority)

    def get_url(self, row: Any) -> str:
        return reverse("reports:report-detail", args=[row.pk])


class ValueReportDetailOutput(ValueReportOutput):
    """One report: with its narrative, every figure (the payload) and its files."""

    narrative = rest.CharField()
    data_through = serializers.JSONField()
    payload = serializers.JSONField()
    files = ReportFileOutput(many=True, source="files.all")


class DraftRequestInput(serializers.Serializer):
    month = serializers.DateField(help_text="Any day of the month the report covers.")
    priority = rest.RecordField(
        queryset=StrategicPriority.objects.all(),
        required=False,
        allow_null=True,
        help_text="A strategic priority's id, for a report of that priority alone.",
    )


class NarrativeInput(serializers.Serializer):
    narrative = rest.CharField()
    phi_confirmed = rest.phi_confirmed_field()


class JobOutput(serializers.Serializer):
    """A report build's progress (a JobRun)."""

    id = serializers.IntegerField()
    kind = rest.CharField()
    status = serializers.ChoiceField(choices=JobStatus.choices)
    scope = serializers.JSONField()
    progress_done = serializers.IntegerField()
    progress_total = serializers.IntegerField(allow_null=True)
    error = rest.CharField()
    result = serializers.JSONField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    status_url = serializers.SerializerMethodField()

    def get_status_url(self, row: Any) -> str:
        return reverse("api:report-job", args=[row.pk])
