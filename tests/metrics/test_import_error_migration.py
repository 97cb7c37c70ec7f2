"""The data migration that rewrites stored import errors quoting a cell into today's words:
row, column and what was expected, never the cell."""

import importlib
from typing import Any

import pytest
from django.apps import apps

from informatics.choices import Role
from informatics.models import User
from metrics.choices import ImportFormat, ImportStatus
from metrics.imports.rows import NOT_A_NUMBER
from metrics.models import ImportBatch

migration = importlib.import_module("metrics.migrations.0005_import_errors_without_cell_contents")

pytestmark = pytest.mark.django_db

OLD_AND_NEW = [
    ((57, "value", "“Jane Roe MRN 4412897” is not a number."), (57, "value", NOT_A_NUMBER)),
    (
        (5, "period_start", "“2024-01-01 09:30:00” has a time: give a date."),
        (5, "period_start", "Has a time: expected a date (YYYY-MM-DD)."),
    ),
    (
        (4, "period_end", "“31/01/2024” is not a date (YYYY-MM-DD)."),
        (4, "period_end", "Not a date: expected YYYY-MM-DD."),
    ),
    (
        (
            12,
            "extracted_at",
            "“yesterday” is not a date and time (ISO 8601, e.g. 2024-02-05T06:00:00Z).",
        ),
        (12, "extracted_at", "Not a date and time: expected ISO 8601, e.g. 2024-02-05T06:00:00Z."),
    ),
    (
        (2, "metric_code", "No metric with code “Pt Jane Roe”."),
        (2, "metric_code", "No metric has this code: expected a catalogue metric code."),
    ),
    (
        (2, "facility_code", "No facility with code “nowhere”."),
        (2, "facility_code", "No facility has this code: expected a facility code."),
    ),
    (
        (5, "unit", "Is “kg”: metric X9 is measured in “events”."),
        (5, "unit", "Not the metric's unit: expected “events” (X9)."),
    ),
    (
        (1, "colour", "Unknown column “colour”. The columns are: metric_code, facility_code."),
        (1, None, migration.UNKNOWN_COLUMN),
    ),
    (
        (4, "value", "6.5 disagrees with numerator ÷ denominator × 100 = 6."),
        (
            4,
            "value",
            "Does not equal numerator ÷ denominator × 100: expected that figure, to the "
            "decimals given.",
        ),
    ),
    (
        (6, "resourceType", "Entry 6 is a Patient: only MeasureReport entries are imported."),
        (
            6,
            "resourceType",
            "Entry 6 is another resource: only MeasureReport entries are imported.",
        ),
    ),
    (
        (8, "period_start", "Overlaps row 6 (2024-01-01 to 2024-01-31) for the same metric."),
        (8, "period_start", "Overlaps row 6 (2024-01-01 to 2024-01-31) for the same metric."),
    ),
]


def as_error(triple: tuple[Any, Any, str]) -> dict[str, Any]:
    return {"row": triple[0], "column": triple[1], "message": triple[2]}


def test_stored_errors_quoting_cells_are_rewritten_and_others_left_alone(
    users: dict[str, User],
) -> None:
    batch = ImportBatch.objects.create(
        file="",
        filename="old.csv",
        format=ImportFormat.CSV,
        sha256="0" * 64,
        status=ImportStatus.REJECTED,
        uploaded_by=users[Role.INFORMATICIST],
        errors=[as_error(old) for old, _ in OLD_AND_NEW],
    )

    migration.forwards(apps, None)
    batch.refresh_from_db()

    assert batch.errors == [as_error(new) for _, new in OLD_AND_NEW]
    assert "Jane Roe" not in str(batch.errors)
