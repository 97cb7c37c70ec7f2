"""Choices (TextChoices) of this app."""

from django.db import models


class ReportState(models.TextChoices):
    """A value report's sign-off: drafted (by the month-close job or the CMIO), reviewed by the
    CMIO once the narrative is written, issued by the CMO. An issued revision never changes."""

    DRAFT = "draft", "Draft"
    REVIEWED = "reviewed", "Reviewed"
    ISSUED = "issued", "Issued"


class FileKind(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX"
    CSV = "csv", "CSV bundle (zip)"
