"""The two import paths give the same answers: on PostgreSQL the same files go through the COPY
path (SQL types and checks what it can vouch for, Python re-checks the rest) and through the
plain path (Python throughout), each inside a transaction rolled back afterwards, and must agree
on every error, every count and every stored figure. The files are built to hit the edges where
the SQL and the Python readings could part: exponents, odd dates and time zones, rounding at the
sixth decimal, figures at the column's limit, padded cells, typed XLSX cells."""

import datetime
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import transaction

from informatics.choices import Role
from informatics.models import User
from metrics.choices import ImportFormat
from metrics.imports import import_file
from metrics.imports.rows import NOT_A_NUMBER
from metrics.models import ImportBatch, Measurement
from tests.metrics import test_import_helpers as helpers
from tests.metrics.factories import MeasurementFactory
from tests.metrics.test_import_helpers import (
    bundle,
    csv_bytes,
    json_bytes,
    measure_report,
    month_row,
    xlsx_bytes,
)

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.postgres, pytest.mark.django_db, pytest.mark.time_machine(NOW)]

# Fixtures shared by the import tests (assigned, so that pytest finds them here).
_media = helpers._media
catalogue = helpers.catalogue

JAN = datetime.date(2024, 1, 1)


class _RolledBack(Exception):
    pass


def decided(outcome: Any) -> tuple[Any, ...]:
    """What an import decided, to compare two paths: errors, counts and the metrics changed."""
    return (
        outcome.errors.as_list(),
        outcome.rows_total,
        outcome.rows_inserted,
        outcome.rows_updated,
        outcome.rows_unchanged,
        outcome.rows_rejected,
        sorted(outcome.metric_ids),
    )


def stored_rows() -> list[tuple[Any, ...]]:
    """Every stored measurement, every column an import writes, in key order."""
    stored = Measurement.objects.order_by("metric_id", "facility_id", "period_start")
    return list(
        stored.values_list(
            "metric_id", "facility_id", "period_start", "period_end", "value", "numerator",
            "denominator", "source_system", "definition_version", "extracted_at", "batch_id",
            "entered_by_id",
        )
    )  # fmt: skip


def run(batch: ImportBatch, path: str) -> dict[str, Any]:
    """Import with `path` and return everything it decided and wrote; then roll it back."""
    seen: dict[str, Any] = {}

    def record(outcome: Any) -> None:
        seen["outcome"] = decided(outcome)

    progress: list[tuple[int, int | None]] = []
    try:
        with transaction.atomic():
            import_file(batch=batch, report=lambda d, t: progress.append((d, t)), record=record,
                        path=path)  # fmt: skip
            seen["stored"] = stored_rows()
            raise _RolledBack
    except _RolledBack:
        pass
    seen["last_progress"] = progress[-1]
    return seen


def batch_of(user: User, name: str, content: bytes, format: str) -> ImportBatch:
    batch = ImportBatch(filename=name, format=format, sha256="0" * 64, uploaded_by=user)
    batch.file.save(name, ContentFile(content), save=False)
    batch.save()
    return batch


def both(user: User, name: str, content: bytes, format: str = ImportFormat.CSV) -> dict[str, Any]:
    batch = batch_of(user, name, content, format)
    plain = run(batch, "plain")
    fast = run(batch, "postgres")
    assert fast == plain
    return plain


EDGE_ROWS = [
    month_row(" Q1 ", " rh-north ", JAN, numerator=" 57 ", denominator="400", value="14.3",
              unit=" % ", source_system="  Epic  "),
    month_row("Q1", "rh-north", datetime.date(2024, 2, 1), numerator="1", denominator="3",
              extracted_at="2024-02-05T06:00:00.123456+05:30"),
    month_row("Q1", "rh-north", datetime.date(2024, 3, 1), numerator="1", denominator="8",
              value="1.25e1", extracted_at="20240405T060000Z"),
    month_row("Q1", "rh-north", datetime.date(2024, 4, 1), numerator="2", denominator="3",
              value="66.6666666666", extracted_at="2024-04-05"),
    month_row("Q2", "rh-south", JAN, numerator="007", denominator="2000.0", value="+3.500",
              extracted_at="2024-02-05 06:00"),
    month_row("E8", "rh", JAN, value="-0.0000005", extracted_at="2024-02-05T06:00:00Z"),
    month_row("E8", "rh", datetime.date(2024, 2, 1), value="0.0000005",
              extracted_at="2024-02-05T06:00:00-14:00"),
    month_row("E8", "rh", datetime.date(2024, 3, 1), value="99999999999999.9999994"),
    month_row("E8", "rh-north", datetime.date(2024, 2, 1), value=".5",
              definition_version="v" * 40),
    {**month_row("E8", "rh-south", JAN, value="5."), "period_end": "2024-02-29"},
    {**month_row("E8", "rh-south", datetime.date(2024, 3, 1), value="1"),
     "period_start": "2024-03-01", "period_end": "2024-03-01"},
]  # fmt: skip


def test_a_sound_file_with_every_odd_form_is_read_alike(
    users: dict[str, User], catalogue: dict[str, Any]
) -> None:
    MeasurementFactory.create(
        metric=catalogue["Q2"],
        facility=catalogue["south"],
        period_start=datetime.date(2024, 2, 1),
        period_end=datetime.date(2024, 2, 29),
    )

    result = both(users[Role.INFORMATICIST], "edge.csv", csv_bytes(EDGE_ROWS))

    errors, total, inserted, updated, unchanged, rejected, _ = result["outcome"]
    assert errors == []
    assert (total, inserted, updated, unchanged, rejected) == (11, 11, 0, 0, 0)
    values = {(row[0], row[1], row[2]): row[4:7] for row in result["stored"]}
    q1, north = catalogue["Q1"].pk, catalogue["north"].pk
    assert str(values[(q1, north, JAN)][0]) == "14.300000"
    assert str(values[(q1, north, datetime.date(2024, 2, 1))][0]) == "33.333333"
    assert str(values[(q1, north, datetime.date(2024, 3, 1))][0]) == "12.500000"
    e8, system = catalogue["E8"].pk, catalogue["system"].pk
    assert str(values[(e8, system, JAN)][0]) == "-0.000001"
    assert str(values[(e8, system, datetime.date(2024, 2, 1))][0]) == "0.000001"
    assert str(values[(e8, system, datetime.date(2024, 3, 1))][0]) == "99999999999999.999999"
    assert result["last_progress"] == (11, 11)


BAD_ROWS = [
    month_row("Q1", "rh-north", JAN, numerator="57", denominator="400", value="14.1"),
    month_row("Q1", "rh-north", datetime.date(2024, 2, 1), numerator="1", denominator="3",
              value="33.3334"),
    {**month_row("Q1", "rh-north", JAN, value="1"), "period_start": "2023-02-29",
     "period_end": "0000-01-01"},
    month_row("Q1", "rh-south", JAN, value="1e400"),
    month_row("Q1", "rh-south", datetime.date(2024, 2, 1), value="99999999999999.9999995"),
    month_row("Q2", "rh-south", JAN, numerator="99999999999999", denominator="1"),
    month_row("Q2", "rh-south", datetime.date(2024, 2, 1), value="1",
              extracted_at="2024-02-05T24:00:00"),
    month_row("Q2", "rh-south", datetime.date(2024, 3, 1), value="1",
              extracted_at="2024-02-30T06:00:00"),
    month_row("Q2", "rh-south", datetime.date(2024, 4, 1), value="١٢"),
    month_row("Q2", "rh-south", datetime.date(2024, 5, 1), value="1", unit="per 1000"),
    month_row("E8", "rh", JAN, value="1", source_system="s" * 61),
    month_row("E8", "rh", JAN, value="2"),
    {**month_row("E8", "rh", JAN, value="3"), "period_start": "2024-01-15",
     "period_end": "2024-02-15"},
    month_row("X9", "rh", JAN, value="1"),
    month_row("E8", "rh-south", datetime.date(2024, 2, 1), value="4"),
]  # fmt: skip


def test_a_bad_file_gets_the_same_errors_from_both(
    users: dict[str, User], catalogue: dict[str, Any]
) -> None:
    MeasurementFactory.create(
        metric=catalogue["E8"],
        facility=catalogue["south"],
        period_start=datetime.date(2024, 1, 20),
        period_end=datetime.date(2024, 2, 10),
    )

    result = both(users[Role.INFORMATICIST], "bad.csv", csv_bytes(BAD_ROWS))

    errors, total, inserted, *_, rejected, metric_ids = result["outcome"]
    too_large = "is too large (at most 14 digits before the point)."
    not_a_moment = "Not a date and time: expected ISO 8601, e.g. 2024-02-05T06:00:00Z."
    not_equal = (
        "Does not equal numerator ÷ denominator × 100: expected that figure, to the decimals given."
    )
    assert [(error["row"], error["column"], error["message"]) for error in errors] == [
        (2, "value", not_equal),
        (3, "value", not_equal),
        # The format is right: the message names the part that is not, not the format.
        (4, "period_start", "No such day in that month."),
        (4, "period_end", "No such year: years start at 0001."),
        (5, "value", too_large),
        (6, "value", too_large),
        (7, "value", too_large),
        (8, "extracted_at", not_a_moment),
        (9, "extracted_at", not_a_moment),
        (10, "value", NOT_A_NUMBER),
        (11, "unit", "Not the metric's unit: expected “per 1,000 line-days” (Q2)."),
        (12, "source_system", "At most 60 characters."),
        (13, "period_start", "Same metric, facility and period_start as row 12."),
        (
            14,
            "period_start",
            "Overlaps row 12 (2024-01-01 to 2024-01-31) for the same metric and facility.",
        ),
        (15, "metric_code", "Metric X9 is retired: it takes no new figures."),
        (
            16,
            "period_start",
            "Overlaps the stored period 2024-01-20 to 2024-02-10 for the same metric and facility.",
        ),
    ]
    assert (total, inserted, rejected, metric_ids) == (15, 0, 15, [])
    assert result["stored"] == [
        (
            catalogue["E8"].pk, catalogue["south"].pk, datetime.date(2024, 1, 20),
            datetime.date(2024, 2, 10), 10, None, None, "", "", None, None, None,
        )
    ]  # fmt: skip


def test_a_workbook_with_typed_cells_is_read_alike(
    users: dict[str, User], catalogue: dict[str, Any]
) -> None:
    content = xlsx_bytes(
        [
            ["Q1", "rh-north", JAN, datetime.date(2024, 1, 31), 57, 400, 14.25, "%", 2024, 1.5,
             datetime.datetime(2024, 2, 3, 4, 5, 6, 789000)],
            ["Q1", "rh-north", datetime.datetime(2024, 2, 1), "2024-02-29", 1.0, 3.0, 33.33],
            ["E8", "rh", datetime.datetime(2024, 1, 1, 12), JAN, True, None, 1],
            ["E8", "rh", datetime.date(2024, 2, 1), datetime.date(2024, 2, 29), None, None,
             1e-7, None, None, None, datetime.date(2024, 3, 1)],
        ]
    )  # fmt: skip

    result = both(users[Role.CMIO], "typed.xlsx", content, ImportFormat.XLSX)

    errors = result["outcome"][0]
    assert [(error["row"], error["column"]) for error in errors] == [
        (4, "period_start"),
        (4, "numerator"),
    ]


def test_a_sound_workbook_is_stored_alike(
    users: dict[str, User], catalogue: dict[str, Any]
) -> None:
    content = xlsx_bytes(
        [
            ["Q1", "rh-north", JAN, datetime.date(2024, 1, 31), 57, 400, 14.25, "%", 2024, 1.5,
             datetime.datetime(2024, 2, 3, 4, 5, 6, 789000)],
            ["Q1", "rh-north", datetime.datetime(2024, 2, 1), "2024-02-29", 1.0, 3.0, 33.33],
            ["E8", "rh", datetime.date(2024, 2, 1), datetime.date(2024, 2, 29), None, None,
             1e-7, None, None, None, datetime.date(2024, 3, 1)],
        ]
    )  # fmt: skip

    result = both(users[Role.CMIO], "typed.xlsx", content, ImportFormat.XLSX)

    assert result["outcome"][0] == []
    assert result["outcome"][2] == 3
    assert [row[7:10] for row in result["stored"]] == [
        ("2024", "1.5", datetime.datetime(2024, 2, 3, 4, 5, 6, 789000, tzinfo=datetime.UTC)),
        ("", "", None),
        ("", "", datetime.datetime(2024, 3, 1, tzinfo=datetime.UTC)),
    ]


def test_fhir_is_read_alike(users: dict[str, User], catalogue: dict[str, Any]) -> None:
    content = json_bytes(
        bundle(
            measure_report(),
            measure_report(start="2024-02", end="2024-02", score={"value": 0.2}),
            measure_report(start="2024-01-15", end="2024-02-10"),
        )
    )

    result = both(users[Role.CMIO], "b.json", content, ImportFormat.FHIR)

    # entry 3 overlaps entry 1 (January); entry 2 (February) starts before entry 3 ends
    assert [(e["row"], e["column"]) for e in result["outcome"][0]] == [
        (2, "period.start"),
        (3, "period.start"),
    ]
