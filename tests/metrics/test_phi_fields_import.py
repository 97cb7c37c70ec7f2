"""An imported row's source system and definition version go through the PHI guard: a file
cannot confirm a warning, so the row is rejected, naming the row and column, never the text."""

import datetime
from typing import Any

import pytest

from informatics.choices import Role
from informatics.models import User
from metrics.choices import ImportStatus
from metrics.models import ImportBatch, Measurement
from tests.metrics import test_import_helpers as helpers
from tests.metrics.test_import_helpers import Upload, csv_bytes, readmission_rows

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

_media = helpers._media
catalogue = helpers.catalogue
upload = helpers.upload


@pytest.mark.parametrize("column", ["source_system", "definition_version"])
def test_an_identifier_in_a_rows_text_rejects_the_file_without_quoting_it(
    users: dict[str, User], catalogue: dict[str, Any], upload: Upload, column: str
) -> None:
    rows = readmission_rows(3)
    rows[1][column] = "MRN 4412897"  # the second data row: row 3 with the header as row 1
    batch: ImportBatch = upload(users[Role.INFORMATICIST], "readmissions.csv", csv_bytes(rows))

    assert batch.status == ImportStatus.REJECTED
    assert [(error["row"], error["column"], error["message"]) for error in batch.errors] == [
        (
            3,
            column,
            "Looks like patient information (medical record number): remove it from the file.",
        )
    ]
    assert "4412897" not in str(batch.errors)
    assert Measurement.objects.count() == 0
