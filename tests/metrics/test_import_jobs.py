"""The import job: claimed once (a duplicate delivery does nothing), a fault marks the batch and
the job failed with nothing written, the stored error list is capped and says how many more
there were, and the job's result keeps its counts and memory figures."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from informatics.choices import JobStatus, Role
from informatics.models import JobRun, User
from metrics.choices import ImportStatus
from metrics.imports import ERRORS_KEPT
from metrics.imports.rows import NOT_A_NUMBER
from metrics.models import ImportBatch, Measurement
from metrics.services.imports import import_run, import_upload
from tests.metrics import test_import_helpers as helpers
from tests.metrics.test_import_helpers import Upload, csv_bytes, readmission_rows

pytestmark = pytest.mark.django_db

# Fixtures shared by the import tests (assigned, so that pytest finds them here).
_media = helpers._media
catalogue = helpers.catalogue
upload = helpers.upload


def queued(user: User, name: str, content: bytes, capture: Any) -> ImportBatch:
    """Upload without running the job (its delivery is what the test does)."""
    with capture(execute=False):
        return import_upload(actor=user, upload=SimpleUploadedFile(name, content))


def test_a_second_delivery_of_the_job_does_nothing(
    users: dict[str, User], catalogue: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    batch = queued(
        users[Role.CMIO],
        "q1.csv",
        csv_bytes(readmission_rows(3)),
        django_capture_on_commit_callbacks,
    )
    assert batch.job is not None

    import_run(job_id=batch.job.pk)
    batch.refresh_from_db()
    first = (batch.status, batch.rows_inserted, batch.finished_at)
    import_run(job_id=batch.job.pk)

    batch.refresh_from_db()
    job = JobRun.objects.get(pk=batch.job.pk)
    assert (batch.status, batch.rows_inserted, batch.finished_at) == first
    assert (job.status, job.attempts) == (JobStatus.DONE, 1)
    assert Measurement.objects.count() == 3


def test_the_job_result_keeps_counts_time_and_memory(
    users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    batch = upload(users[Role.INFORMATICIST], "q1.csv", csv_bytes(readmission_rows(4)))

    assert batch.job is not None
    result = batch.job.result
    assert {name: result[name] for name in ("rows_total", "rows_inserted", "status", "errors")} == {
        "rows_total": 4,
        "rows_inserted": 4,
        "status": "done",
        "errors": 0,
    }
    assert result["peak_rss_kib_after"] >= result["peak_rss_kib_before"] > 0
    assert result["seconds"] >= 0


def test_a_fault_fails_the_batch_and_the_job_and_writes_nothing(
    users: dict[str, User], catalogue: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    batch = queued(
        users[Role.CMIO],
        "q1.csv",
        csv_bytes(readmission_rows(3)),
        django_capture_on_commit_callbacks,
    )
    batch.file.storage.delete(str(batch.file.name))  # the stored file is gone
    assert batch.job is not None

    import_run(job_id=batch.job.pk)

    batch.refresh_from_db()
    job = JobRun.objects.get(pk=batch.job.pk)
    assert batch.status == ImportStatus.FAILED
    assert batch.errors == [
        {
            "row": None,
            "column": None,
            "message": "The import failed unexpectedly (FileNotFoundError); nothing was "
            "imported. Try again, or tell an administrator.",
        }
    ]
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("FileNotFoundError: ")
    assert Measurement.objects.count() == 0


def test_the_stored_errors_stop_at_the_cap_and_say_how_many_more(
    users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    rows = readmission_rows(1200)
    for row in rows:
        row["value"] = "x"

    batch = upload(users[Role.INFORMATICIST], "bad.csv", csv_bytes(rows))

    assert batch.status == ImportStatus.REJECTED
    assert len(batch.errors) == ERRORS_KEPT + 1 == 1001
    assert batch.errors[0] == {"row": 2, "column": "value", "message": NOT_A_NUMBER}
    assert batch.errors[ERRORS_KEPT - 1]["row"] == 1001
    assert batch.errors[-1] == {
        "row": None,
        "column": None,
        "message": "… and 200 more errors not listed.",
    }
    assert (batch.rows_total, batch.rows_rejected) == (1200, 1200)
    assert batch.job is not None
    assert batch.job.result["errors"] == 1200
