"""The worker probe: a JobRun claimed once and finished by a real Celery worker through Redis."""

import os
import time
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.test.utils import override_settings

from informatics.choices import JobStatus
from informatics.models import JobRun
from informatics.services import jobrun_create
from informatics.tasks import WORKER_PROBE_KIND, worker_probe_task
from tests.conftest import BROKER_URL, forget_queue, port_open, require_service, through_broker
from tests.ops.conftest import closed_port

# --- The task, run in-process (eager) ---------------------------------------------------------


@pytest.mark.django_db
def test_worker_probe_task_marks_the_job_done_with_the_worker_name() -> None:
    job = jobrun_create(kind=WORKER_PROBE_KIND)

    worker_probe_task.apply(args=(job.pk,))

    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.attempts == 1
    assert job.result["hostname"]
    assert job.finished_at is not None


@pytest.mark.django_db
def test_worker_probe_task_does_nothing_for_a_job_already_done() -> None:
    job = jobrun_create(kind=WORKER_PROBE_KIND)
    worker_probe_task.apply(args=(job.pk,))
    job.refresh_from_db()
    finished_at = job.finished_at

    worker_probe_task.apply(args=(job.pk,))

    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.attempts == 1
    assert job.finished_at == finished_at


@pytest.mark.django_db(transaction=True)
@override_settings(CELERY_BROKER_URL="")
def test_probe_worker_command_runs_the_probe_eagerly_without_a_broker(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("probe_worker", "--timeout", "5")

    job = JobRun.objects.get(kind=WORKER_PROBE_KIND)
    assert job.status == JobStatus.DONE
    assert job.attempts == 1
    out = capsys.readouterr().out
    assert f"finished probe job #{job.pk}" in out
    assert "no broker configured" in out


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_probe_worker_command_fails_clearly_when_no_worker_answers() -> None:
    # A broker that accepts the message, but a queue that no worker consumes.
    require_service(port_open("127.0.0.1", 6379), "Redis on 127.0.0.1:6379")
    queue = f"probe-nobody-{uuid.uuid4().hex[:8]}"
    with through_broker(), pytest.raises(CommandError) as raised:
        call_command("probe_worker", "--timeout", "1", "--queue", queue)
    forget_queue(queue)

    job = JobRun.objects.get(kind=WORKER_PROBE_KIND)
    assert str(raised.value) == (
        f"No worker finished probe job #{job.pk} within 1 s (status pending). Is a worker "
        f"running and consuming queue {queue!r} on {BROKER_URL}? "
        f"Start one with: celery -A informatics worker -Q {queue}"
    )
    assert job.status == JobStatus.PENDING
    assert job.attempts == 0


@pytest.mark.django_db(transaction=True)
def test_probe_worker_command_fails_clearly_when_the_broker_is_down() -> None:
    url = f"redis://127.0.0.1:{closed_port()}/0"
    with through_broker(url), pytest.raises(CommandError) as raised:
        call_command("probe_worker", "--timeout", "1")

    assert str(raised.value).startswith(
        f"Could not enqueue the probe on queue 'informatics' on {url}"
    )


# --- A real worker ----------------------------------------------------------------------------


def _wait_until_finished(job_id: int, timeout: float = 30) -> JobRun:
    deadline = time.monotonic() + timeout
    while True:
        job = JobRun.objects.get(pk=job_id)
        if job.status in (JobStatus.DONE, JobStatus.FAILED) or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_finishes_the_probe_once_through_redis(worker: str) -> None:
    job = jobrun_create(kind=WORKER_PROBE_KIND)

    with through_broker():
        worker_probe_task.apply_async(args=(job.pk,), queue=worker)
        job = _wait_until_finished(job.pk)

        assert job.status == JobStatus.DONE
        assert job.attempts == 1
        assert job.result == {"hostname": f"{worker}@{os.uname().nodename}"}
        finished_at = job.finished_at

        # A duplicate delivery of the same job, then a fresh job behind it on the same queue:
        # once the fresh one is done, the worker has taken the duplicate too.
        worker_probe_task.apply_async(args=(job.pk,), queue=worker)
        marker = jobrun_create(kind=WORKER_PROBE_KIND)
        worker_probe_task.apply_async(args=(marker.pk,), queue=worker)
        assert _wait_until_finished(marker.pk).status == JobStatus.DONE

    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.attempts == 1
    assert job.finished_at == finished_at


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_probe_worker_command_succeeds_with_a_real_worker(
    worker: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with through_broker():
        call_command("probe_worker", "--timeout", "30", "--queue", worker)

    job = JobRun.objects.get(kind=WORKER_PROBE_KIND)
    assert job.status == JobStatus.DONE
    assert job.result == {"hostname": f"{worker}@{os.uname().nodename}"}
    assert f"Worker {worker}@{os.uname().nodename} finished probe job #{job.pk}" in (
        capsys.readouterr().out
    )
