"""Job safety with real workers (`celery worker --pool solo`) on Redis and PostgreSQL, using the
kernel's probe job (`informatics.job_probe`: waits in steps with heartbeats, and fails as its
scope asks, counting on the row's attempts so that it holds across workers):

- a worker killed with SIGKILL in the middle of a job, then a new worker: exactly one finished
  run, on the second attempt (the broker's visibility timeout gave the unacknowledged message
  back; the claim accepted it because the job's lease had expired);
- ten duplicate enqueues of one job: one run;
- a transient database error on the first attempt: retried, and it succeeds;
- a job failing three times ends failed with its error while the next job runs to done.

The workers run with a short lease, visibility timeout and backoff (their environment)."""

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from informatics.choices import JobStatus
from informatics.jobs import JOB_PROBE_KIND
from informatics.models import JobRun
from informatics.services import jobrun_create
from informatics.tasks import job_probe_task
from tests.conftest import (
    SHORT_JOBS,
    SHORT_VISIBILITY_SECONDS,
    celery_worker,
    finished,
    job_queue,
    wait_for,
)

pytestmark = [
    pytest.mark.worker,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def worker(queue: str, name: str, log: Path) -> AbstractContextManager[subprocess.Popen[bytes]]:
    return celery_worker(queue, log, name=name, env=SHORT_JOBS)


@pytest.fixture
def queue() -> Iterator[str]:
    with job_queue("jobs-test") as name:
        yield name


def probe(**scope: Any) -> JobRun:
    return jobrun_create(kind=JOB_PROBE_KIND, scope=scope)


def send(queue: str, job: JobRun) -> None:
    job_probe_task.apply_async(args=(job.pk,), queue=queue)


def test_a_job_whose_worker_is_killed_is_finished_once_by_the_next_worker(
    queue: str, tmp_path: Path
) -> None:
    job = probe(steps=30, step_seconds=0.1)
    with worker(queue, "first", tmp_path / "first.log") as first:
        send(queue, job)
        wait_for(job, lambda job: job.progress_done >= 5)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.RUNNING, 1)
    assert 5 <= job.progress_done < 30
    time.sleep(SHORT_VISIBILITY_SECONDS)  # the unacknowledged message becomes visible again

    with worker(queue, "second", tmp_path / "second.log"):
        job = wait_for(job, finished)
        assert (job.status, job.attempts, job.error) == (JobStatus.DONE, 2, "")
        host = os.uname().nodename
        assert job.result == {"steps": 30, "attempt": 2, "hostname": f"second@{host}"}
        assert (job.progress_done, job.progress_total) == (30, 30)
        finished_at = job.finished_at
        # Anything else delivered for it is refused: a marker job behind it runs first.
        send(queue, job)
        marker = probe()
        send(queue, marker)
        assert wait_for(marker, finished).status == JobStatus.DONE

    job.refresh_from_db()
    assert (job.status, job.attempts, job.finished_at) == (JobStatus.DONE, 2, finished_at)
    assert JobRun.objects.count() == 2


def test_ten_duplicate_enqueues_of_one_job_give_one_run(queue: str, tmp_path: Path) -> None:
    job = probe(steps=3, step_seconds=0.05)
    with worker(queue, "worker", tmp_path / "worker.log"):
        for _ in range(10):
            send(queue, job)
        marker = probe()
        send(queue, marker)
        assert wait_for(marker, finished).status == JobStatus.DONE

    job.refresh_from_db()
    assert (job.status, job.attempts, job.result["attempt"]) == (JobStatus.DONE, 1, 1)


def test_a_transient_database_error_is_retried_and_succeeds(queue: str, tmp_path: Path) -> None:
    job = probe(steps=2, transient_failures=1)
    with worker(queue, "worker", tmp_path / "worker.log"):
        send(queue, job)
        job = wait_for(job, finished)

    assert (job.status, job.attempts, job.error) == (JobStatus.DONE, 2, "")
    assert job.result["attempt"] == 2


def test_a_job_failing_three_times_ends_failed_while_the_next_job_runs(
    queue: str, tmp_path: Path
) -> None:
    failing = probe(transient_failures=3)
    following = probe(steps=2)
    with worker(queue, "worker", tmp_path / "worker.log"):
        send(queue, failing)
        send(queue, following)
        failing = wait_for(failing, finished)
        following = wait_for(following, finished)

    assert (failing.status, failing.attempts) == (JobStatus.FAILED, 3)
    assert failing.error == "OperationalError: probe: transient failure on attempt 3"
    assert (following.status, following.attempts) == (JobStatus.DONE, 1)
