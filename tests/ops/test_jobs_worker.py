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
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from informatics.choices import JobStatus
from informatics.jobs import JOB_PROBE_KIND
from informatics.models import JobRun
from informatics.services import jobrun_create
from informatics.tasks import job_probe_task
from tests.conftest import (
    BROKER_URL,
    _database_url,
    forget_queue,
    port_open,
    require_service,
    through_broker,
)
from tests.ops.conftest import REPO, VENV_BIN, base_env

pytestmark = [
    pytest.mark.worker,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

LEASE_SECONDS = 2
VISIBILITY_SECONDS = 4


@contextmanager
def celery_worker(queue: str, name: str, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A worker on `queue`, started and ready; stopped (if still alive) on the way out."""
    env = base_env() | {
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_QUEUE": f"{queue}-later",
        "JOB_LEASE_SECONDS": str(LEASE_SECONDS),
        "JOB_VISIBILITY_TIMEOUT_SECONDS": str(VISIBILITY_SECONDS),
        "JOB_RETRY_BACKOFF_SECONDS": "1",
    }
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [
                str(VENV_BIN / "celery"), "-A", "informatics", "worker", "--pool", "solo",
                "-Q", queue, "--concurrency", "1", "--hostname", f"{name}@%h",
                "--without-gossip", "--without-mingle", "--loglevel", "INFO",
            ],
            cwd=REPO, env=env, stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while b" ready." not in log.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Celery worker did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def queue() -> Iterator[str]:
    require_service(port_open("127.0.0.1", 6379), "Redis on 127.0.0.1:6379")
    name = f"jobs-test-{uuid.uuid4().hex[:8]}"
    with through_broker():
        yield name
    forget_queue(name)


def probe(**scope: Any) -> JobRun:
    return jobrun_create(kind=JOB_PROBE_KIND, scope=scope)


def send(queue: str, job: JobRun) -> None:
    job_probe_task.apply_async(args=(job.pk,), queue=queue)


def wait_for(job: JobRun, until: Any, timeout: float = 30) -> JobRun:
    deadline = time.monotonic() + timeout
    while True:
        job.refresh_from_db()
        if until(job):
            return job
        assert time.monotonic() < deadline, f"gave up waiting: {job} {job.progress_done}"
        time.sleep(0.05)


def finished(job: JobRun) -> bool:
    return job.status in (JobStatus.DONE, JobStatus.FAILED)


def test_a_job_whose_worker_is_killed_is_finished_once_by_the_next_worker(
    queue: str, tmp_path: Path
) -> None:
    job = probe(steps=30, step_seconds=0.1)
    with celery_worker(queue, "first", tmp_path / "first.log") as first:
        send(queue, job)
        wait_for(job, lambda job: job.progress_done >= 5)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.RUNNING, 1)
    assert 5 <= job.progress_done < 30
    time.sleep(VISIBILITY_SECONDS)  # the unacknowledged message becomes visible again

    with celery_worker(queue, "second", tmp_path / "second.log"):
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
    with celery_worker(queue, "worker", tmp_path / "worker.log"):
        for _ in range(10):
            send(queue, job)
        marker = probe()
        send(queue, marker)
        assert wait_for(marker, finished).status == JobStatus.DONE

    job.refresh_from_db()
    assert (job.status, job.attempts, job.result["attempt"]) == (JobStatus.DONE, 1, 1)


def test_a_transient_database_error_is_retried_and_succeeds(queue: str, tmp_path: Path) -> None:
    job = probe(steps=2, transient_failures=1)
    with celery_worker(queue, "worker", tmp_path / "worker.log"):
        send(queue, job)
        job = wait_for(job, finished)

    assert (job.status, job.attempts, job.error) == (JobStatus.DONE, 2, "")
    assert job.result["attempt"] == 2


def test_a_job_failing_three_times_ends_failed_while_the_next_job_runs(
    queue: str, tmp_path: Path
) -> None:
    failing = probe(transient_failures=3)
    following = probe(steps=2)
    with celery_worker(queue, "worker", tmp_path / "worker.log"):
        send(queue, failing)
        send(queue, following)
        failing = wait_for(failing, finished)
        following = wait_for(following, finished)

    assert (failing.status, failing.attempts) == (JobStatus.FAILED, 3)
    assert failing.error == "OperationalError: probe: transient failure on attempt 3"
    assert (following.status, following.attempts) == (JobStatus.DONE, 1)
