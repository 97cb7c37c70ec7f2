"""Canonical CSV imports (Done when 5): all or nothing with every error by row and column, a
corrected file upserting every row, the same file again changing nothing, and each check of a
row and across the file. Runs on SQLite (the plain path) and on PostgreSQL (COPY path)."""

import datetime
from decimal import Decimal
from typing import Any

import pytest

from informatics.choices import AuditAction, JobStatus, Role
from informatics.models import AuditEvent, JobRun, User
from metrics.choices import ChartType, ImportFormat, ImportStatus
from metrics.imports.rows import NOT_A_NUMBER
from metrics.models import ImportBatch, Measurement
from metrics.tasks import ROLLUP_KIND
from tests.metrics import test_import_helpers as helpers
from tests.metrics.factories import MeasurementFactory, MetricFactory
from tests.metrics.test_import_helpers import (
    Upload,
    csv_bytes,
    month_row,
    readmission_rows,
    stored,
)

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

# Fixtures shared by the import tests (assigned, so that pytest finds them here).
_media = helpers._media
catalogue = helpers.catalogue
upload = helpers.upload

JAN = datetime.date(2024, 1, 1)


def errors_of(batch: ImportBatch) -> list[tuple[Any, Any, str]]:
    return [(error["row"], error["column"], error["message"]) for error in batch.errors]


def test_a_non_numeric_value_on_row_57_rejects_the_file_naming_row_and_column(
    users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    rows = readmission_rows(80)
    rows[55]["value"] = "n/a"  # the 56th data row: row 57 with the header as row 1
    batch = upload(users[Role.INFORMATICIST], "readmissions.csv", csv_bytes(rows))

    assert batch.status == ImportStatus.REJECTED
    assert errors_of(batch) == [(57, "value", NOT_A_NUMBER)]
    assert (batch.rows_total, batch.rows_rejected) == (80, 1)
    assert (batch.rows_inserted, batch.rows_updated, batch.rows_unchanged) == (0, 0, 0)
    assert Measurement.objects.count() == 0
    assert batch.job is not None
    assert batch.job.status == JobStatus.DONE
    assert (batch.job.progress_done, batch.job.progress_total) == (80, 80)
    assert not JobRun.objects.filter(kind=ROLLUP_KIND).exists()


def test_the_corrected_file_imports_every_row_and_again_changes_nothing(
    users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    rows = readmission_rows(80)
    content = csv_bytes(rows)

    first = upload(users[Role.INFORMATICIST], "readmissions.csv", content)

    assert first.status == ImportStatus.DONE
    assert first.errors == []
    assert (first.rows_total, first.rows_inserted, first.rows_updated) == (80, 80, 0)
    assert (first.rows_unchanged, first.rows_rejected) == (0, 0)
    assert first.format == ImportFormat.CSV
    north = catalogue["north"]
    figures = stored(catalogue["Q1"], north)
    assert len(figures) == 80
    assert figures[0] == ("2024-01-01", "5", "10", "200")
    assert figures[6] == ("2024-07-01", "8", "16", "200")
    assert figures[79] == ("2030-08-01", "6", "12", "200")
    assert set(Measurement.objects.values_list("batch_id", flat=True)) == {first.pk}
    one = Measurement.objects.get(metric=catalogue["Q1"], facility=north, period_start=JAN)
    assert one.period_end == datetime.date(2024, 1, 31)
    assert (one.source_system, one.definition_version) == ("Epic Clarity", "2024.1")
    assert one.extracted_at == datetime.datetime(2025, 1, 5, 6, tzinfo=datetime.UTC)
    rollup = JobRun.objects.get(kind=ROLLUP_KIND)
    assert rollup.scope == {"metric_ids": [catalogue["Q1"].pk]}

    second = upload(users[Role.INFORMATICIST], "readmissions.csv", content)

    assert second.status == ImportStatus.DONE
    assert (second.rows_total, second.rows_inserted, second.rows_updated) == (80, 0, 0)
    assert second.rows_unchanged == 80
    assert second.sha256 == first.sha256
    assert set(Measurement.objects.values_list("batch_id", flat=True)) == {first.pk}
    assert stored(catalogue["Q1"], north) == figures
    assert JobRun.objects.filter(kind=ROLLUP_KIND).count() == 1


def test_a_corrected_file_updates_changed_rows_and_leaves_the_rest_with_their_batch(
    users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    rows = readmission_rows(12)
    first = upload(users[Role.CMIO], "a.csv", csv_bytes(rows))
    rows[3].update(numerator=30, value="15.00")
    rows.append(month_row("Q1", "rh-south", JAN, numerator=1, denominator=4))

    second = upload(users[Role.CMIO], "b.csv", csv_bytes(rows))

    assert (second.rows_inserted, second.rows_updated, second.rows_unchanged) == (1, 1, 11)
    changed = Measurement.objects.get(
        facility=catalogue["north"], period_start=datetime.date(2024, 4, 1)
    )
    assert (changed.value, changed.numerator, changed.batch_id) == (
        Decimal("15"),
        Decimal("30"),
        second.pk,
    )
    south = Measurement.objects.get(facility=catalogue["south"])
    assert (south.value, south.batch_id) == (Decimal("25"), second.pk)
    assert Measurement.objects.filter(batch=first).count() == 11


def test_a_value_disagreeing_with_numerator_over_denominator_is_rejected_with_its_row(
    users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    rows = readmission_rows(5)
    rows[2].update(numerator=12, denominator=200, value="6.5")  # 12 ÷ 200 × 100 = 6
    rows[4].update(numerator=12, denominator=200, value="6.0")  # agrees

    batch = upload(users[Role.INFORMATICIST], "q1.csv", csv_bytes(rows))

    assert batch.status == ImportStatus.REJECTED
    assert errors_of(batch) == [
        (
            4,
            "value",
            "Does not equal numerator ÷ denominator × 100: expected that figure, to the "
            "decimals given.",
        )
    ]
    assert Measurement.objects.count() == 0


def test_figures_the_metrics_chart_refuses_reject_the_file_as_hand_entry_does(
    users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    MetricFactory.create(code="C1", unit="falls", chart_type=ChartType.C)
    rows = readmission_rows(3)
    rows[1].update(numerator=201, denominator=200, value="100.50")  # a p chart's proportion > 1
    rows[2].update(numerator=200, denominator=200, value="100.00")  # at 1: sound
    rows.append(month_row("C1", "rh-north", JAN, value="-1", unit="falls"))  # a negative count
    rows.append(month_row("C1", "rh-south", JAN, value="0", unit="falls"))

    batch = upload(users[Role.INFORMATICIST], "q1.csv", csv_bytes(rows))

    assert batch.status == ImportStatus.REJECTED
    assert errors_of(batch) == [
        (3, "numerator", "A proportion's numerator cannot exceed its denominator."),
        (5, "value", "A count cannot be negative."),
    ]
    assert (batch.rows_total, batch.rows_rejected) == (5, 2)
    assert Measurement.objects.count() == 0


def test_every_error_of_every_row_is_listed_in_row_and_column_order(
    users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    MeasurementFactory.create(
        metric=catalogue["Q2"],
        facility=catalogue["south"],
        period_start=datetime.date(2024, 3, 1),
        period_end=datetime.date(2024, 3, 31),
    )
    rows = [
        month_row("Q9", "nowhere", JAN, value="1"),  # row 2
        month_row("Q1", "rh-north", JAN, numerator=3),  # row 3
        {
            **month_row("Q1", "rh-north", JAN, value="2"),
            "period_start": "2024-02-01",
            "period_end": "31/01/2024",
        },  # row 4
        month_row("X9", "rh-north", JAN, value="x", unit="kg"),  # row 5
        month_row("Q1", "rh-south", JAN, value="3", unit="per cent"),  # row 6
        month_row("Q1", "rh-south", JAN, value="4"),  # row 7: repeats row 6's key
        {
            **month_row("Q1", "rh-south", JAN, value="5"),
            "period_start": "2024-01-15",
            "period_end": "2024-02-14",
        },  # row 8: overlaps row 6
        month_row("Q2", "rh-south", datetime.date(2024, 2, 1), numerator=1, denominator=0),
        {
            **month_row("Q2", "rh-south", datetime.date(2024, 2, 1), value="1"),
            "period_start": "2024-03-15",
            "period_end": "2024-02-01",
        },  # row 10
        {
            **month_row("Q2", "rh-south", datetime.date(2024, 3, 20), value="1"),
            "period_start": "2024-03-20",
            "period_end": "2024-04-10",
        },  # row 11: overlaps the stored March
        month_row("E8", "rh", JAN, value="-12.5", extracted_at="yesterday"),  # row 12
        month_row("", "", JAN, value="", source_system="s" * 61),  # row 13
    ]
    rows[11]["period_start"] = ""

    batch = upload(users[Role.INFORMATICIST], "bad.csv", csv_bytes(rows))

    assert batch.status == ImportStatus.REJECTED
    assert errors_of(batch) == [
        (2, "metric_code", "No metric has this code: expected a catalogue metric code."),
        (2, "facility_code", "No facility has this code: expected a facility code."),
        (3, "denominator", "A numerator needs a denominator."),
        (4, "period_end", "Not a date: expected YYYY-MM-DD."),
        (5, "metric_code", "Metric X9 is retired: it takes no new figures."),
        (5, "value", NOT_A_NUMBER),
        (5, "unit", "Not the metric's unit: expected “events” (X9)."),
        (6, "unit", "Not the metric's unit: expected “%” (Q1)."),
        (7, "period_start", "Same metric, facility and period_start as row 6."),
        (
            8,
            "period_start",
            "Overlaps row 6 (2024-01-01 to 2024-01-31) for the same metric and facility.",
        ),
        (9, "denominator", "Must be greater than zero."),
        (10, "period_end", "Is before period_start (2024-03-15)."),
        (
            11,
            "period_start",
            "Overlaps the stored period 2024-03-01 to 2024-03-31 for the same metric and facility.",
        ),
        (
            12,
            "extracted_at",
            "Not a date and time: expected ISO 8601, e.g. 2024-02-05T06:00:00Z.",
        ),
        (13, "metric_code", "Required."),
        (13, "facility_code", "Required."),
        (13, "period_start", "Required."),
        (13, "value", "Give a value, or a numerator and a denominator."),
        (13, "source_system", "At most 60 characters."),
    ]
    assert batch.rows_rejected == 12
    assert Measurement.objects.count() == 1


@pytest.mark.parametrize(
    ("header", "errors"),
    [
        (
            ["metric_code", "facility_code", "period_start", "value", "colour"],
            [
                (1, "period_end", "Missing required column."),
                (
                    1,
                    "E",
                    "Unknown column name: expected one of metric_code, facility_code, "
                    "period_start, period_end, numerator, denominator, value, unit, "
                    "source_system, definition_version, extracted_at.",
                ),
            ],
        ),
        (
            ["metric_code", "facility_code", "period_start", "period_end", "numerator"],
            [
                (
                    1,
                    "value",
                    "The header needs a value column, or numerator and denominator columns.",
                )
            ],
        ),
        (
            ["Metric_Code ", "facility_code", "period_start", "period_end", "value", "VALUE"],
            [(1, "value", "This column appears twice.")],
        ),
    ],
)
def test_a_bad_header_rejects_the_file_naming_each_column(
    users: dict[str, User],
    catalogue: dict[str, Any],
    upload: Upload,
    header: list[str],
    errors: list[tuple[int, str, str]],
) -> None:
    content = (",".join(header) + "\r\nQ1,rh-north,2024-01-01,2024-01-31,5\r\n").encode()

    batch = upload(users[Role.INFORMATICIST], "bad-header.csv", content)

    assert batch.status == ImportStatus.REJECTED
    assert errors_of(batch) == errors
    assert Measurement.objects.count() == 0


def test_header_case_spaces_order_and_blank_rows_are_forgiven(
    users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    content = (
        "\ufeff Value ,Period_End,period_start,FACILITY_CODE,metric_code,\r\n"
        "14.5,2024-01-31,2024-01-01,rh-north,Q1,\r\n"
        ",,,,,\r\n"
        "\r\n"
        '"15",2024-02-29,2024-02-01,rh-north,Q1,\r\n'
    ).encode()

    batch = upload(users[Role.INFORMATICIST], "forgiving.csv", content)

    assert batch.status == ImportStatus.DONE, batch.errors
    assert (batch.rows_total, batch.rows_inserted) == (2, 2)
    assert stored(catalogue["Q1"], catalogue["north"]) == [
        ("2024-01-01", "14.5", None, None),
        ("2024-02-01", "15", None, None),
    ]


def test_a_row_with_extra_cells_is_an_error_of_that_row(
    users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    content = (
        b"metric_code,facility_code,period_start,period_end,value\r\n"
        b"Q1,rh-north,2024-01-01,2024-01-31,5\r\n"
        b"Q1,rh-north,2024-02-01,2024-02-29,5,oops\r\n"
    )

    batch = upload(users[Role.INFORMATICIST], "extra.csv", content)

    assert errors_of(batch) == [(3, None, "Has 6 cells; the header has 5: remove the extra ones.")]


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"", None),
        (b"metric_code,facility_code,period_start,period_end,value\r\n", "no rows"),
        (
            b"metric_code,facility_code,period_start,period_end,value\r\nQ1,\xff\xfe,x,y,1\r\n",
            "utf8",
        ),
    ],
)
def test_an_empty_or_unreadable_csv_is_one_clear_error(
    users: dict[str, User],
    catalogue: dict[str, Any],
    upload: Upload,
    content: bytes,
    error: str | None,
) -> None:
    if error is None:
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError) as refused:
            upload(users[Role.INFORMATICIST], "empty.csv", content)
        assert refused.value.message_dict == {"file": ["The file is empty."]}
        assert ImportBatch.objects.count() == 0
        return
    batch = upload(users[Role.INFORMATICIST], "odd.csv", content)
    expected = {
        "no rows": "The file has no data rows.",
        "utf8": "The file is not UTF-8 text: save it as “CSV UTF-8” and upload it again.",
    }[error]
    assert errors_of(batch) == [(None, None, expected)]
    assert batch.status == ImportStatus.REJECTED
    assert Measurement.objects.count() == 0


def test_a_hand_entered_figure_overwritten_by_an_import_takes_the_batch(
    users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    hand = MeasurementFactory.create(
        metric=catalogue["E8"],
        facility=catalogue["system"],
        period_start=JAN,
        period_end=datetime.date(2024, 1, 31),
        value=Decimal("20"),
        entered_by=users[Role.CMIO],
    )
    content = csv_bytes([month_row("E8", "rh", JAN, value="23.4")])

    batch = upload(users[Role.INFORMATICIST], "nees.csv", content)

    hand.refresh_from_db()
    assert (hand.value, hand.batch_id, hand.entered_by_id) == (Decimal("23.4"), batch.pk, None)
    assert batch.rows_updated == 1


def test_the_batch_is_audited_at_upload_and_at_its_outcome(
    users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    batch = upload(users[Role.INFORMATICIST], "q1.csv", csv_bytes(readmission_rows(3)))

    events = AuditEvent.objects.filter(object_id=str(batch.pk)).order_by("pk")
    assert [(e.action, e.actor_id) for e in events] == [
        (AuditAction.CREATE, users[Role.INFORMATICIST].pk),
        (AuditAction.UPDATE, users[Role.INFORMATICIST].pk),
    ]
    assert events[0].changes == {
        "filename": [None, "q1.csv"],
        "format": [None, "csv"],
        "sha256": [None, batch.sha256],
        "size": [None, batch.size],
    }
    assert events[1].changes == {
        "status": ["running", "done"],
        "rows_total": [0, 3],
        "rows_inserted": [0, 3],
    }
    assert events[1].note == "Imported."
