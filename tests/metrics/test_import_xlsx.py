"""XLSX imports: the first sheet with the canonical header, typed cells (dates, numbers, a
numeric facility code) read as the user typed them, errors on the rows the sheet shows."""

import datetime
from decimal import Decimal
from typing import Any

import pytest

from informatics.choices import FacilityKind, Role
from informatics.models import User
from metrics.choices import ImportFormat, ImportStatus
from metrics.imports.rows import NOT_A_NUMBER
from metrics.models import Measurement
from tests.factories import FacilityFactory
from tests.metrics import test_import_helpers as helpers
from tests.metrics.test_import_helpers import (
    Upload,
    csv_bytes,
    xlsx_bytes,
)

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

# Fixtures shared by the import tests (assigned, so that pytest finds them here).
_media = helpers._media
catalogue = helpers.catalogue
upload = helpers.upload

JAN = datetime.date(2024, 1, 1)
JAN_END = datetime.date(2024, 1, 31)


def test_a_workbook_imports_with_typed_cells(
    users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    FacilityFactory.create(code="101", kind=FacilityKind.CLINIC, parent=catalogue["system"])
    content = xlsx_bytes(
        [
            ["Q1", "rh-north", JAN, JAN_END, 30, 200, 15, "%", "Epic", "v1",
             datetime.datetime(2024, 2, 3, 4, 5)],
            ["Q2", 101, datetime.datetime(2024, 1, 1), "2024-01-31", 3, 1500.0, 2.0],
            [],
            ["E8", "rh", JAN, JAN_END, None, None, 23.4],
        ]
    )  # fmt: skip

    batch = upload(users[Role.INFORMATICIST], "Figures.XLSX", content)

    assert batch.status == ImportStatus.DONE, batch.errors
    assert batch.format == ImportFormat.XLSX
    assert (batch.rows_total, batch.rows_inserted) == (3, 3)
    got = {
        m.metric.code: (m.facility.code, m.numerator, m.denominator, m.value)
        for m in Measurement.objects.select_related("metric", "facility")
    }
    assert got == {
        "Q1": ("rh-north", Decimal(30), Decimal(200), Decimal(15)),
        "Q2": ("101", Decimal(3), Decimal(1500), Decimal(2)),
        "E8": ("rh", None, None, Decimal("23.4")),
    }
    q1 = Measurement.objects.get(metric=catalogue["Q1"])
    assert (q1.source_system, q1.definition_version) == ("Epic", "v1")
    assert q1.extracted_at is not None
    assert q1.extracted_at.isoformat() == "2024-02-03T04:05:00+00:00"


def test_the_same_workbook_again_changes_nothing(
    users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    content = xlsx_bytes([["Q1", "rh-north", JAN, JAN_END, 1, 3, 33.33]])
    first = upload(users[Role.CMIO], "a.xlsx", content)

    second = upload(users[Role.CMIO], "a.xlsx", content)

    assert (first.rows_inserted, second.rows_unchanged, second.rows_updated) == (1, 1, 0)


def test_workbook_errors_are_on_the_rows_the_sheet_shows(
    users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    content = xlsx_bytes(
        [
            ["Q1", "rh-north", JAN, JAN_END, 30, 200, 15],
            [],
            [None, None, None, None, None, None, None],
            ["Q1", "rh-south", datetime.datetime(2024, 1, 1, 9, 30), JAN_END, "abc", 200],
            ["Q1", "rh-south", "2024-02-01", datetime.date(2024, 2, 29), 1, 4, True],
        ]
    )

    batch = upload(users[Role.INFORMATICIST], "bad.xlsx", content)

    assert batch.status == ImportStatus.REJECTED
    assert [(e["row"], e["column"], e["message"]) for e in batch.errors] == [
        (5, "period_start", "Has a time: expected a date (YYYY-MM-DD)."),
        (5, "numerator", NOT_A_NUMBER),
        (6, "value", NOT_A_NUMBER),
    ]
    assert (batch.rows_total, batch.rows_rejected) == (3, 2)
    assert Measurement.objects.count() == 0


def test_a_file_named_xlsx_that_is_not_a_workbook_is_one_clear_error(
    users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    batch = upload(users[Role.INFORMATICIST], "really-a.xlsx", csv_bytes([]))

    assert batch.status == ImportStatus.REJECTED
    assert batch.errors == [
        {
            "row": None,
            "column": None,
            "message": "The file is not an Excel workbook (.xlsx): save it as “Excel Workbook” "
            "and upload it again.",
        }
    ]


def test_a_workbook_without_a_header_is_one_clear_error(
    users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    batch = upload(users[Role.INFORMATICIST], "empty.xlsx", xlsx_bytes([], header=[]))

    assert batch.errors == [
        {"row": 1, "column": None, "message": "The first sheet has no header in row 1."}
    ]
