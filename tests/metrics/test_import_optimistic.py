"""The PostgreSQL path's one-pass write and its fallback give the same answers: each file goes
through the optimistic path (RAW typed, checked and written by one statement, then the checks
across rows on what was written), through the staged path alone, and through the plain path,
each inside a transaction rolled back afterwards; all three must agree on every error, count,
stored row and audit record. The SQL each ran shows which way the optimistic path went: a
sound file never builds the staging table; any doubt (a bad row, a repeated key, an overlap,
text the PHI guard flags) rolls the write back and stages the file as before."""

import datetime
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from informatics.choices import Role
from informatics.models import AuditEvent, User
from metrics.choices import ImportFormat
from metrics.imports import Outcome, import_file
from metrics.imports.postgres.sql import OVERLAPPING, STAGING
from metrics.models import ImportBatch
from metrics.services.imports import _record
from tests.metrics import test_import_helpers as helpers
from tests.metrics.factories import MeasurementFactory
from tests.metrics.test_import_helpers import csv_bytes, month_row, readmission_rows, xlsx_bytes
from tests.metrics.test_import_paths import batch_of, decided, stored_rows

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.postgres, pytest.mark.django_db, pytest.mark.time_machine(NOW)]

# Fixtures shared by the import tests (assigned, so that pytest finds them here).
_media = helpers._media
catalogue = helpers.catalogue

JAN = datetime.date(2024, 1, 1)
FEB = datetime.date(2024, 2, 1)
STAGED = f"CREATE TEMP TABLE {STAGING}"


class _RolledBack(Exception):
    pass


def run(batch: ImportBatch, path: str, *, optimistic: bool = True) -> dict[str, Any]:
    """Import with `path`, recording the outcome on the batch with its audit as the job does;
    return everything decided and written, and whether STAGING was built; then roll it back."""
    seen: dict[str, Any] = {}

    def record(outcome: Outcome) -> None:
        _record(batch, outcome)
        seen["outcome"] = decided(outcome)

    progress: list[tuple[int, int | None]] = []
    try:
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            import_file(
                batch=batch,
                report=lambda done, total: progress.append((done, total)),
                record=record,
                path=path,
                optimistic=optimistic,
            )
            seen["stored"] = stored_rows()
            seen["batch"] = ImportBatch.objects.filter(pk=batch.pk).values(
                "status", "rows_total", "rows_inserted", "rows_updated", "rows_unchanged",
                "rows_rejected", "errors",
            ).get()  # fmt: skip
            seen["audit"] = list(
                AuditEvent.objects.filter(object_id=str(batch.pk))
                .order_by("pk")
                .values_list("action", "changes", "note")
            )
            staged = any(query["sql"].lstrip().startswith(STAGED) for query in queries)
            read = any(query["sql"].strip() == OVERLAPPING.strip() for query in queries)
            raise _RolledBack
    except _RolledBack:
        pass
    seen["last_progress"] = progress[-1]
    return seen | {"staged": staged, "read_written_periods": read}


def three_ways(
    user: User, name: str, content: bytes, format: str = ImportFormat.CSV
) -> tuple[dict[str, Any], bool]:
    """The file through the optimistic, the staged and the plain path: the one result they
    share, and whether the optimistic path staged the file (fell back)."""
    batch = batch_of(user, name, content, format)
    optimistic = run(batch, "postgres")
    staged = run(batch, "postgres", optimistic=False)
    plain = run(batch, "plain")
    assert staged["staged"] is True
    fell_back = optimistic.pop("staged")
    for result in (optimistic, staged, plain):
        result.pop("read_written_periods")
    del staged["staged"], plain["staged"]
    assert optimistic == staged
    assert optimistic == plain
    return optimistic, fell_back


def messages(result: dict[str, Any]) -> list[tuple[int, str, str]]:
    return [(error["row"], error["column"], error["message"]) for error in result["outcome"][0]]


def test_a_sound_file_of_new_rows_is_written_in_one_pass(
    users: dict[str, User], catalogue: dict[str, Any]
) -> None:
    rows = readmission_rows(12) + readmission_rows(12, facility="rh-south")

    result, fell_back = three_ways(users[Role.INFORMATICIST], "new.csv", csv_bytes(rows))

    assert fell_back is False
    assert result["outcome"] == ([], 24, 24, 0, 0, 0, [catalogue["Q1"].pk])
    assert result["batch"]["status"] == "done"
    assert len(result["stored"]) == 24
    assert result["audit"] == [
        (
            "update",
            {
                "status": ["running", "done"],
                "rows_total": [0, 24],
                "rows_inserted": [0, 24],
            },
            "Imported.",
        )
    ]
    assert result["last_progress"] == (24, 24)


def test_a_sound_workbook_is_written_in_one_pass(
    users: dict[str, User], catalogue: dict[str, Any]
) -> None:
    header = ["metric_code", "facility_code", "period_start", "period_end", "value"]
    sheet = [
        ["E8", "rh", datetime.date(2024, month, 1), f"2024-{month:02d}-28", 10.5 + month]
        for month in range(1, 7)
    ]

    result, fell_back = three_ways(
        users[Role.INFORMATICIST], "new.xlsx", xlsx_bytes(sheet, header), ImportFormat.XLSX
    )

    assert fell_back is False
    assert result["outcome"] == ([], 6, 6, 0, 0, 0, [catalogue["E8"].pk])
    assert [str(row[4]) for row in result["stored"]] == [
        "11.500000", "12.500000", "13.500000", "14.500000", "15.500000", "16.500000",
    ]  # fmt: skip


def test_a_file_replacing_stored_rows_counts_updated_and_unchanged_alike(
    users: dict[str, User], catalogue: dict[str, Any]
) -> None:
    rows = readmission_rows(6)
    q1, north = catalogue["Q1"], catalogue["north"]
    for n, row in enumerate(rows[:4]):  # stored: 4 of the 6 months, 2 of them with other figures
        MeasurementFactory.create(
            metric=q1,
            facility=north,
            period_start=datetime.date.fromisoformat(row["period_start"]),
            period_end=datetime.date.fromisoformat(row["period_end"]),
            numerator=row["numerator"] + (n % 2),
            denominator=row["denominator"],
            value=(row["numerator"] + n % 2) / 2,
            source_system=row["source_system"],
            definition_version=row["definition_version"],
            extracted_at=datetime.datetime(2025, 1, 5, 6, tzinfo=datetime.UTC),
        )

    result, fell_back = three_ways(users[Role.INFORMATICIST], "replace.csv", csv_bytes(rows))

    assert fell_back is False
    assert result["outcome"] == ([], 6, 2, 2, 2, 0, [q1.pk])
    batches = [row[10] for row in result["stored"]]
    assert batches.count(None) == 2  # the unchanged rows keep their (factory's) batch


def test_one_bad_row_at_the_end_falls_back_with_its_error(
    users: dict[str, User], catalogue: dict[str, Any]
) -> None:
    rows = [*readmission_rows(9), month_row("Q1", "rh-south", JAN, value="1e400")]

    result, fell_back = three_ways(users[Role.INFORMATICIST], "bad.csv", csv_bytes(rows))

    assert fell_back is True
    assert messages(result) == [
        (11, "value", "is too large (at most 14 digits before the point)."),
    ]
    assert result["outcome"][1:] == (10, 0, 0, 0, 1, [])
    assert result["stored"] == []
    assert result["batch"]["status"] == "rejected"
    assert result["audit"][0][2] == "Rejected: 1 errors."


@pytest.mark.parametrize("stored", [False, True], ids=["new", "replacing"])
def test_a_repeated_key_falls_back_with_its_error(
    users: dict[str, User], catalogue: dict[str, Any], stored: bool
) -> None:
    rows = readmission_rows(3)
    rows.append({**rows[1], "numerator": 99, "value": "49.50"})
    if stored:  # the file may replace stored rows: the upsert, then the check for repeats
        MeasurementFactory.create(
            metric=catalogue["Q1"],
            facility=catalogue["north"],
            period_start=JAN,
            period_end=datetime.date(2024, 1, 31),
            value=1,
        )

    result, fell_back = three_ways(users[Role.INFORMATICIST], "twice.csv", csv_bytes(rows))

    assert fell_back is True
    assert messages(result) == [
        (5, "period_start", "Same metric, facility and period_start as row 3."),
    ]
    assert result["outcome"][1:] == (4, 0, 0, 0, 1, [])
    assert len(result["stored"]) == int(stored)


def test_an_overlap_with_a_stored_period_falls_back_with_its_error(
    users: dict[str, User], catalogue: dict[str, Any]
) -> None:
    MeasurementFactory.create(
        metric=catalogue["Q1"],
        facility=catalogue["north"],
        period_start=datetime.date(2024, 3, 15),
        period_end=datetime.date(2024, 4, 14),
    )

    result, fell_back = three_ways(
        users[Role.INFORMATICIST], "overlap.csv", csv_bytes(readmission_rows(6))
    )

    assert fell_back is True
    overlap = (
        "Overlaps the stored period 2024-03-15 to 2024-04-14 for the same metric and facility."
    )
    assert messages(result) == [(4, "period_start", overlap), (5, "period_start", overlap)]
    assert result["outcome"][1:] == (6, 0, 0, 0, 2, [])
    assert len(result["stored"]) == 1


def test_an_overlap_within_the_file_falls_back_with_its_error(
    users: dict[str, User], catalogue: dict[str, Any]
) -> None:
    rows = [
        month_row("E8", "rh", JAN, value="1"),
        {**month_row("E8", "rh", JAN, value="2"), "period_start": "2024-01-20",
         "period_end": "2024-02-19"},
    ]  # fmt: skip

    result, fell_back = three_ways(users[Role.INFORMATICIST], "inner.csv", csv_bytes(rows))

    assert fell_back is True
    assert messages(result) == [
        (
            3,
            "period_start",
            "Overlaps row 2 (2024-01-01 to 2024-01-31) for the same metric and facility.",
        ),
    ]


def test_text_the_phi_guard_flags_falls_back_with_its_error(
    users: dict[str, User], catalogue: dict[str, Any]
) -> None:
    rows = readmission_rows(2)
    rows[1]["source_system"] = "MRN 12345678"

    result, fell_back = three_ways(users[Role.INFORMATICIST], "phi.csv", csv_bytes(rows))

    assert fell_back is True
    assert [(row, column) for row, column, _ in messages(result)] == [(3, "source_system")]


def test_stored_periods_overlapping_each_other_fall_back_and_are_accepted(
    users: dict[str, User], catalogue: dict[str, Any]
) -> None:
    for start, end in ((datetime.date(2024, 3, 1), datetime.date(2024, 3, 31)),
                       (datetime.date(2024, 3, 15), datetime.date(2024, 4, 14))):  # fmt: skip
        MeasurementFactory.create(
            metric=catalogue["Q1"], facility=catalogue["north"], period_start=start, period_end=end
        )

    result, fell_back = three_ways(
        users[Role.INFORMATICIST], "beside.csv", csv_bytes(readmission_rows(2))
    )

    assert fell_back is True  # the one-pass check cannot tell whose overlap it is
    assert result["outcome"] == ([], 2, 2, 0, 0, 0, [catalogue["Q1"].pk])
    assert len(result["stored"]) == 4


def test_a_feed_of_new_disjoint_periods_skips_the_read_of_what_it_wrote(
    users: dict[str, User], catalogue: dict[str, Any]
) -> None:
    rows = readmission_rows(12) + readmission_rows(12, facility="rh-south")
    batch = batch_of(users[Role.INFORMATICIST], "feed.csv", csv_bytes(rows), ImportFormat.CSV)

    result = run(batch, "postgres")

    assert (result["staged"], result["read_written_periods"]) == (False, False)
    assert result["outcome"] == ([], 24, 24, 0, 0, 0, [catalogue["Q1"].pk])


def test_periods_overlapping_across_pairs_only_are_read_and_accepted(
    users: dict[str, User], catalogue: dict[str, Any]
) -> None:
    """The file's distinct periods overlap (a month of one metric, a month from the 15th of
    another), but no two of one metric × facility pair do: the written rows are read, found
    sound, and kept."""
    rows = [
        month_row("Q1", "rh-north", JAN, numerator=10, denominator=200),
        {**month_row("E8", "rh", JAN, value="2"), "period_start": "2024-01-15",
         "period_end": "2024-02-14"},
    ]  # fmt: skip
    batch = batch_of(users[Role.INFORMATICIST], "beside.csv", csv_bytes(rows), ImportFormat.CSV)

    read = run(batch, "postgres")["read_written_periods"]
    result, fell_back = three_ways(users[Role.INFORMATICIST], "beside.csv", csv_bytes(rows))

    assert (read, fell_back) == (True, False)
    assert result["outcome"] == (
        [],
        2,
        2,
        0,
        0,
        0,
        sorted([catalogue["Q1"].pk, catalogue["E8"].pk]),
    )


def test_a_stored_row_after_the_files_earliest_period_has_what_was_written_read(
    users: dict[str, User], catalogue: dict[str, Any]
) -> None:
    """A stored row of the file's metric (another facility) ends after the file's earliest
    period: the written rows are read for overlaps, none is found, and the file is kept."""
    MeasurementFactory.create(
        metric=catalogue["Q1"],
        facility=catalogue["south"],
        period_start=datetime.date(2024, 3, 1),
        period_end=datetime.date(2024, 3, 31),
    )
    rows = readmission_rows(6)
    batch = batch_of(users[Role.INFORMATICIST], "lagging.csv", csv_bytes(rows), ImportFormat.CSV)

    read = run(batch, "postgres")["read_written_periods"]
    result, fell_back = three_ways(users[Role.INFORMATICIST], "lagging.csv", csv_bytes(rows))

    assert (read, fell_back) == (True, False)
    assert result["outcome"] == ([], 6, 6, 0, 0, 0, [catalogue["Q1"].pk])
    assert len(result["stored"]) == 7


ODD_CELLS = [
    ({"value": "1-2"}, True),  # a number's characters only, but no number: the cast fails
    ({"value": "+.5"}, False),
    ({"value": "7."}, False),
    ({"value": "1e2"}, True),
    ({"period_end": "2024-02-30"}, True),  # no such day
    ({"period_start": "2024-1-01"}, True),
    ({"source_system": "E" * 61}, True),  # longer than the column
    ({"definition_version": "v2\u00a0"}, True),  # an edge the checks would trim
    ({"source_system": "Épic"}, True),
]


@pytest.mark.parametrize(("cells", "falls_back"), ODD_CELLS)
def test_cells_the_one_pass_typing_does_not_vouch_for_are_read_as_the_plain_path_reads_them(
    users: dict[str, User], catalogue: dict[str, Any], cells: dict[str, str], falls_back: bool
) -> None:
    """The one-pass typing casts what `_optimistic` vouched for (each distinct period a real
    day, each distinct free text with plain edges and a length within its column) and lets a
    number's cast fail the statement: whatever it cannot vouch for takes the full path, and all
    three paths agree."""
    rows = [
        month_row("E8", "rh", JAN, value="3"),
        {**month_row("E8", "rh", FEB, value="4"), **cells},
    ]

    result, fell_back = three_ways(users[Role.INFORMATICIST], "odd.csv", csv_bytes(rows))

    assert fell_back is falls_back
    assert result["outcome"][1] == 2
