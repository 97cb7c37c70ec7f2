"""The monthly report's build with real workers (`celery worker --pool solo`) on Redis and
PostgreSQL (issue 13):

- a worker killed with SIGKILL in the middle of a report, then a new worker: exactly one
  finished run, on the second attempt, and one revision with its three files. "In the middle"
  is made deterministic: the test holds `LOCK TABLE reports_valuereport IN EXCLUSIVE MODE`,
  so the build computes its payload (plain reads still run) and then waits on the table, where
  it is killed; the lock is released only afterwards;
- ten duplicate enqueues of one build: one run, one revision.

The workers run with a short lease, visibility timeout and backoff (their environment), on
this test's media folder (the files they store are read back here)."""

import hashlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction

from informatics.choices import JobStatus
from informatics.models import JobRun
from informatics.services import jobrun_create
from reports.models import ReportFile, ValueReport
from reports.tasks import BUILD_KIND, report_build_task
from tests.conftest import (
    SHORT_JOBS,
    SHORT_VISIBILITY_SECONDS,
    celery_worker,
    finished,
    job_queue,
    wait_for,
)
from tests.reports.report_world import NOVEMBER, rolled_up_metric

pytestmark = [
    pytest.mark.worker,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

OCTOBER = NOVEMBER.replace(month=10)


def worker(
    queue: str, name: str, log: Path, media: Path
) -> AbstractContextManager[subprocess.Popen[bytes]]:
    """A worker storing its files in `media`, with short job settings."""
    return celery_worker(queue, log, name=name, env={**SHORT_JOBS, "MEDIA_ROOT": str(media)})


@pytest.fixture
def queue() -> Iterator[str]:
    with job_queue("report-jobs-test") as name:
        yield name


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """The workers' media folder, this process's too (to read their files back)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def build_job(month: Any = NOVEMBER) -> JobRun:
    """A build job of the organisation's report for `month`, as `reports.services` makes one."""
    return jobrun_create(kind=BUILD_KIND, scope={"month": month.isoformat(), "priority_id": None})


def send(queue: str, job: JobRun) -> None:
    report_build_task.apply_async(args=(job.pk,), queue=queue)


def test_a_report_whose_worker_is_killed_is_built_once_by_the_next_worker(
    queue: str, media: Path, tmp_path: Path
) -> None:
    rolled_up_metric()
    job = build_job()
    with (
        worker(queue, "first", tmp_path / "first.log", media) as first,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("LOCK TABLE reports_valuereport IN EXCLUSIVE MODE")
        send(queue, job)
        # The payload is built; the revision waits on the locked table.
        wait_for(job, lambda job: job.status == JobStatus.RUNNING and job.progress_done >= 1)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        transaction.set_rollback(True)  # releases the lock
    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress_done) == (JobStatus.RUNNING, 1, 1)
    assert ValueReport.objects.count() == 0
    time.sleep(SHORT_VISIBILITY_SECONDS)  # the unacknowledged message becomes visible again

    with worker(queue, "second", tmp_path / "second.log", media):
        job = wait_for(job, finished)

    assert (job.status, job.attempts, job.error) == (JobStatus.DONE, 2, "")
    [report] = ValueReport.objects.filter(month=NOVEMBER)
    assert job.result == {"report_id": report.pk, "revision": 1, "created": True}
    assert (report.revision, report.job_id) == (1, job.pk)
    files = list(ReportFile.objects.filter(report=report).order_by("kind"))
    assert [row.kind for row in files] == ["csv", "pdf", "xlsx"]
    for row in files:
        with row.file.open("rb") as handle:
            content = handle.read()
        assert (row.sha256, row.size) == (hashlib.sha256(content).hexdigest(), len(content))
    assert JobRun.objects.filter(kind=BUILD_KIND).count() == 1


def test_ten_duplicate_enqueues_of_one_report_give_one_run(
    queue: str, media: Path, tmp_path: Path
) -> None:
    rolled_up_metric()
    job = build_job()
    with worker(queue, "worker", tmp_path / "worker.log", media):
        for _ in range(10):
            send(queue, job)
        marker = build_job(OCTOBER)  # sent last: done means the ten were all taken
        send(queue, marker)
        assert wait_for(marker, finished).status == JobStatus.DONE

    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.DONE, 1)
    [report] = ValueReport.objects.filter(month=NOVEMBER)
    assert job.result == {"report_id": report.pk, "revision": 1, "created": True}
    assert ReportFile.objects.filter(report=report).count() == 3
