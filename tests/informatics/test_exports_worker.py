"""A large export built by a real Celery worker through Redis, on PostgreSQL: the file it
stores is the CSV the request would have streamed, byte for byte."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from informatics.choices import JobStatus
from informatics.exports import EXPORT_KIND
from informatics.models import ExportFile, User
from informatics.services import job_enqueue, jobrun_create
from informatics.tasks import export_build_task
from tests.conftest import finished, through_broker, wait_for
from tests.intake.factories import submit

REQUESTS_URL = "/requests/export.csv"


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_the_file_the_request_would_have_streamed(
    worker: str,
    users: dict[str, User],
    client_for: Callable[[str], Client],
    settings: Any,
) -> None:
    for n in range(25):
        submit(users["champion"], title=f"=Request {n}", is_private=n % 5 == 0)
    submit(users["cmio"], title="Someone else's private request", is_private=True)
    client = client_for("champion")
    streamed = b"".join(client.get(REQUESTS_URL).streaming_content)  # type: ignore[attr-defined]
    settings.EXPORT_INLINE_MAX_ROWS = 10
    # The job the POST would make, sent to this test's worker (as the reconciler sends it).
    job = jobrun_create(
        kind=EXPORT_KIND,
        scope={"export": "requests", "filters": {}, "fingerprint": "worker", "queue": worker},
        created_by=users["champion"],
    )

    assert export_build_task.name == "informatics.export_build"  # registered with Celery
    with through_broker():
        job_enqueue(job=job)
        wait_for(job, finished)

    assert (job.status, job.progress_done, job.progress_total) == (JobStatus.DONE, 25, 25)
    stored = ExportFile.objects.get(job=job)
    assert stored.rows == 25
    assert (Path(settings.MEDIA_ROOT) / str(stored.file.name)).read_bytes() == streamed
    response = client.get(f"/exports/{job.pk}/download/")
    assert b"".join(response.streaming_content) == streamed  # type: ignore[attr-defined]
    assert streamed.count(b"\r\n") == 26
