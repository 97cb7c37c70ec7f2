"""Monthly value reports: one row per (month, scope, revision), with the payload of every figure
shown, its hash, the files rendered from it and their hashes; and who subscribes by e-mail."""

from typing import Any

from django.db import models
from django.utils import timezone

from informatics import limits
from informatics.models import (
    JobRun,
    Redaction,
    StrategicPriority,
    User,
    keyed_by,
    unique_with_optional,
)
from reports.choices import FileKind, ReportState


class ValueReport(models.Model):
    """One revision of a month's value report, for the organisation (priority blank) or one
    strategic priority. A build whose payload hash equals the latest revision's makes no new
    revision; an issued revision never changes (the services refuse every write to it)."""

    month = models.DateField(help_text="The first day of the report's month.")
    priority = models.ForeignKey(
        StrategicPriority,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="value_reports",
    )
    revision = models.PositiveIntegerField(default=1)
    state = models.CharField(max_length=10, choices=ReportState.choices, default=ReportState.DRAFT)
    narrative = limits.text(limits.NOTE, blank=True)
    narrative_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    narrative_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    payload: Any = models.JSONField(default=dict)
    payload_sha256 = models.CharField(max_length=64, db_index=True)
    data_through = models.JSONField(
        default=dict, blank=True, help_text="Each metric's data-through date (code → ISO date)."
    )
    job = models.ForeignKey(
        JobRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="value_reports"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month", "priority_id", "-revision"]
        constraints = unique_with_optional(
            ["month", "priority", "revision"],
            "priority",
            name="value_report_revision_once_per_priority",
            name_without="value_report_revision_once_organisation",
        )
        indexes = [models.Index(fields=["state", "-month"])]

    def __str__(self) -> str:
        scope = f" (priority {self.priority_id})" if self.priority_id else ""
        return f"Value report {self.month:%B %Y}{scope} rev. {self.revision}"


class ReportFile(models.Model):
    """One rendered file of a report revision, kept through Django's storage with its sha256."""

    report = models.ForeignKey(ValueReport, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=4, choices=FileKind.choices)
    file = models.FileField(upload_to="reports/")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(default=0)
    rendered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering, constraints = keyed_by("report", "kind", name="report_file_once_per_kind")

    def __str__(self) -> str:
        return f"{self.report} {self.kind}"


class ReportFileRedaction(models.Model):
    """A report file rendered again because a redaction rewrote a text it held (an issued
    report's too: redaction wins over immutability). Keeps the file's sha256 before and after,
    never the text."""

    report_file = models.ForeignKey(ReportFile, on_delete=models.CASCADE, related_name="redactions")
    redaction = models.ForeignKey(Redaction, on_delete=models.PROTECT, related_name="+")
    old_sha256 = models.CharField(max_length=64)
    new_sha256 = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_file} re-rendered after redaction {self.redaction_id}"


class ReportSubscription(models.Model):
    """Whether a person receives an e-mail when a report is issued; each edits their own."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="report_subscription")
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user_id} {'subscribed' if self.active else 'unsubscribed'}"
