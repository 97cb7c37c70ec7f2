"""Job safety, in-process: the claim, bounded retries with backoff on transient errors, a job
that keeps failing ends failed with its error shown, the reconciler re-enqueues jobs whose
delivery was lost (once), and the registry of job tasks. The same with a real worker:
tests/ops/test_jobs_worker.py."""

import datetime
from typing import Any

import pytest
import time_machine
from celery import Task
from celery.schedules import crontab
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.urls import reverse

from informatics import services
from informatics.celery import app as celery_app
from informatics.choices import JobStatus, Role
from informatics.jobs import JOB_PROBE_KIND, is_transient, retry_countdown, run_claimed
from informatics.models import JobRun, User
from informatics.tasks import job_probe_task
from metrics.choices import ImportStatus
from metrics.models import ImportBatch, Measurement
from metrics.services.imports import import_upload
from metrics.tasks import import_run_task
from tests.conftest import snapshot
from tests.metrics import test_import_helpers as helpers
from tests.metrics.test_import_helpers import csv_bytes, readmission_rows

pytestmark = pytest.mark.django_db

_media = helpers._media
catalogue = helpers.catalogue

NOW = datetime.datetime(2026, 11, 30, 15, 0, tzinfo=datetime.UTC)


def probe(**scope: Any) -> JobRun:
    return services.jobrun_create(kind=JOB_PROBE_KIND, scope=scope)


# --- Retries and failures -------------------------------------------------------------------


def test_a_transient_error_is_retried_and_the_job_then_succeeds() -> None:
    job = probe(steps=2, transient_failures=1)

    job_probe_task.apply(args=(job.pk,))

    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (JobStatus.DONE, 2, "")
    assert job.result["steps"] == 2
    assert job.result["attempt"] == 2
    assert (job.progress_done, job.progress_total) == (2, 2)


def test_a_job_failing_three_times_ends_failed_with_its_error() -> None:
    job = probe(transient_failures=5)

    job_probe_task.apply(args=(job.pk,))

    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.FAILED, 3)
    assert job.error == "OperationalError: probe: transient failure on attempt 3"
    assert job.finished_at is not None
    # Nothing claims it again.
    before = snapshot(JobRun)
    job_probe_task.apply(args=(job.pk,))
    assert snapshot(JobRun) == before


def test_a_non_transient_error_fails_the_job_at_once() -> None:
    job = probe(error="the scope asked for it")

    job_probe_task.apply(args=(job.pk,))

    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (
        JobStatus.FAILED,
        1,
        "ValueError: the scope asked for it",
    )


def test_a_duplicate_delivery_does_nothing() -> None:
    job = probe(steps=1)
    job_probe_task.apply(args=(job.pk,))
    before = snapshot(JobRun)

    for _ in range(9):
        job_probe_task.apply(args=(job.pk,))

    assert snapshot(JobRun) == before
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.DONE, 1)


class FakeTask:
    """Records the retry a task would schedule instead of scheduling it (as a worker would)."""

    class request:
        is_eager = False

    def __init__(self) -> None:
        self.retries: list[dict[str, Any]] = []

    def retry(self, **options: Any) -> Exception:
        self.retries.append(options)
        return RuntimeError("retry scheduled")


def test_a_transient_failure_puts_the_job_back_to_pending_and_schedules_a_retry_with_backoff(
    settings: Any,
) -> None:
    settings.JOB_RETRY_BACKOFF_SECONDS = 30
    job = probe()
    task = FakeTask()
    error = OperationalError("connection lost")

    def body(job_id: int) -> None:
        raise error

    with pytest.raises(RuntimeError, match="retry scheduled"):
        run_claimed(job.pk, body, task=task)  # type: ignore[arg-type]
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (
        JobStatus.PENDING,
        1,
        "OperationalError: connection lost",
    )
    assert task.retries == [{"exc": error, "countdown": 30, "max_retries": None}]

    with pytest.raises(RuntimeError, match="retry scheduled"):
        run_claimed(job.pk, body, task=task)  # type: ignore[arg-type]
    assert task.retries[-1]["countdown"] == 60
    run_claimed(job.pk, body, task=task)  # type: ignore[arg-type]  # the third: no retry

    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (
        JobStatus.FAILED,
        3,
        "OperationalError: connection lost",
    )
    assert len(task.retries) == 2


def test_without_a_task_a_transient_error_fails_the_job_at_once() -> None:
    job = probe(transient_failures=1)

    run_claimed(job.pk, lambda job_id: (_ for _ in ()).throw(OperationalError("gone")))

    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (JobStatus.FAILED, 1, "OperationalError: gone")


def test_which_errors_are_transient() -> None:
    import redis.exceptions
    from django.db import InterfaceError

    assert is_transient(OperationalError())
    assert is_transient(InterfaceError())
    assert is_transient(redis.exceptions.ConnectionError())
    assert is_transient(ConnectionResetError())
    assert is_transient(TimeoutError())
    assert not is_transient(FileNotFoundError())
    assert not is_transient(PermissionError())
    assert not is_transient(ValueError())


def test_the_backoff_doubles(settings: Any) -> None:
    settings.JOB_RETRY_BACKOFF_SECONDS = 30
    assert [retry_countdown(attempts) for attempts in (1, 2, 3)] == [30, 60, 120]


def test_an_import_that_keeps_failing_transiently_fails_its_batch_and_its_page_says_so(
    users: dict[str, User],
    catalogue: dict[str, Any],
    client_for: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        batch = import_upload(
            actor=users[Role.INFORMATICIST],
            upload=SimpleUploadedFile("q1.csv", csv_bytes(readmission_rows(3))),
        )
    calls: list[int] = []

    def broken(**kwargs: Any) -> None:
        calls.append(1)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("metrics.services.imports.import_file", broken)

    import_run_task.apply(args=(batch.job_id,))

    batch.refresh_from_db()
    job = JobRun.objects.get(import_batch=batch)
    assert len(calls) == 3
    assert (job.status, job.attempts) == (JobStatus.FAILED, 3)
    assert job.error == "OperationalError: server closed the connection unexpectedly"
    assert batch.status == ImportStatus.FAILED
    message = (
        "The import failed unexpectedly (OperationalError); nothing was imported. "
        "Try again, or tell an administrator."
    )
    assert batch.errors == [{"row": None, "column": None, "message": message}]
    assert Measurement.objects.count() == 0
    page = client_for(Role.INFORMATICIST).get(reverse("metrics:import-detail", args=[batch.pk]))
    assert page.status_code == 200
    assert message in page.content.decode()


def test_an_import_retried_after_a_transient_error_imports_once(
    users: dict[str, User],
    catalogue: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from metrics.services import imports

    with django_capture_on_commit_callbacks(execute=False):
        batch = import_upload(
            actor=users[Role.INFORMATICIST],
            upload=SimpleUploadedFile("q1.csv", csv_bytes(readmission_rows(3))),
        )
    real = imports.import_file
    calls: list[int] = []

    def flaky(**kwargs: Any) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("could not connect to server")
        real(**kwargs)

    monkeypatch.setattr("metrics.services.imports.import_file", flaky)

    with django_capture_on_commit_callbacks(execute=False):
        import_run_task.apply(args=(batch.job_id,))

    batch = ImportBatch.objects.get(pk=batch.pk)
    job = JobRun.objects.get(import_batch=batch)
    assert (job.status, job.attempts, job.error) == (JobStatus.DONE, 2, "")
    assert (batch.status, batch.rows_inserted) == (ImportStatus.DONE, 3)
    assert Measurement.objects.count() == 3


# --- The reconciler -------------------------------------------------------------------------


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[Any, ...], dict[str, Any]]]:
    """The tasks the reconciler sends, recorded instead of published."""
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def apply_async(task: Task[Any, Any], args: tuple[Any, ...] = (), **options: Any) -> None:
        calls.append((task.name, tuple(args), options))

    monkeypatch.setattr(Task, "apply_async", apply_async)
    return calls


def reconcile(capture: Any, now: datetime.datetime) -> dict[str, int]:
    with capture(execute=True):
        return services.jobs_reconcile(now=now)


def test_a_running_job_whose_lease_expired_is_re_enqueued_once(
    sent: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(NOW, tick=False) as clock:
        job = services.jobrun_create(kind="metrics.rollup", scope={"metric_ids": None})
        assert services.jobrun_claim(job_id=job.pk)
        fresh = probe()
        clock.move_to(NOW + services.JOB_LEASE - datetime.timedelta(seconds=5))
        assert services.jobrun_claim(job_id=fresh.pk)
        later = NOW + services.JOB_LEASE + datetime.timedelta(seconds=1)
        clock.move_to(later)

        assert reconcile(django_capture_on_commit_callbacks, later) == {"enqueued": 1, "failed": 0}
        assert sent == [("metrics.rollup_run", (job.pk,), {})]
        job.refresh_from_db()
        assert (job.status, job.attempts, job.heartbeat_at) == (JobStatus.PENDING, 1, later)
        fresh.refresh_from_db()
        assert (fresh.status, fresh.attempts) == (JobStatus.RUNNING, 1)

        # Run again at once: nothing more is sent and nothing changes.
        before = snapshot(JobRun)
        assert reconcile(django_capture_on_commit_callbacks, later) == {"enqueued": 0, "failed": 0}
        assert len(sent) == 1
        assert snapshot(JobRun) == before

        # The re-enqueued delivery claims it as a second attempt.
        assert services.jobrun_claim(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.RUNNING, 2)


def test_a_pending_job_never_started_is_re_enqueued_to_its_queue_and_a_fresh_one_is_not(
    sent: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(NOW, tick=False) as clock:
        lost = services.jobrun_create(kind="worker_probe", scope={"queue": "probes"})
        clock.move_to(NOW + services.JOB_PENDING_GRACE - datetime.timedelta(seconds=10))
        fresh = services.jobrun_create(kind="metrics.import")
        unknown = services.jobrun_create(kind="nobody.declares_this")
        later = NOW + services.JOB_PENDING_GRACE + datetime.timedelta(seconds=1)
        clock.move_to(later)
        untouched = snapshot(JobRun.objects.exclude(pk=lost.pk))

        assert reconcile(django_capture_on_commit_callbacks, later) == {"enqueued": 1, "failed": 0}
        assert sent == [("informatics.worker_probe", (lost.pk,), {"queue": "probes"})]
        assert snapshot(JobRun.objects.exclude(pk=lost.pk)) == untouched
        assert reconcile(django_capture_on_commit_callbacks, later) == {"enqueued": 0, "failed": 0}
        assert len(sent) == 1
    lost.refresh_from_db()
    assert (lost.status, lost.attempts, lost.heartbeat_at) == (JobStatus.PENDING, 0, later)
    assert {fresh.pk, unknown.pk} == set(
        JobRun.objects.filter(heartbeat_at__isnull=True).values_list("pk", flat=True)
    )


def test_a_job_whose_worker_was_lost_three_times_ends_failed(
    sent: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(NOW, tick=False) as clock:
        job = probe()
        JobRun.objects.filter(pk=job.pk).update(attempts=2)
        assert services.jobrun_claim(job_id=job.pk)  # the third attempt
        later = NOW + services.JOB_LEASE + datetime.timedelta(seconds=1)
        clock.move_to(later)

        assert reconcile(django_capture_on_commit_callbacks, later) == {"enqueued": 0, "failed": 1}
        assert services.jobrun_claim(job_id=job.pk) is False
    assert sent == []
    job.refresh_from_db()
    assert (job.status, job.attempts, job.finished_at) == (JobStatus.FAILED, 3, later)
    assert job.error == (
        "The worker running it stopped 3 times (its lease expired each time); not tried again."
    )


# --- Wiring ---------------------------------------------------------------------------------


def test_every_job_kind_names_a_registered_job_task_with_acks_late() -> None:
    registry = services.job_tasks()
    assert registry == {
        "worker_probe": "informatics.worker_probe",
        "informatics.job_probe": "informatics.job_probe",
        "informatics.export": "informatics.export_build",
        "metrics.import": "metrics.import_run",
        "metrics.rollup": "metrics.rollup_run",
    } | {kind: name for kind, name in registry.items() if kind.startswith("reports.")}
    for name in registry.values():
        task = celery_app.tasks[name]
        assert (task.acks_late, task.reject_on_worker_lost) == (True, True), name


def test_the_visibility_timeout_is_longer_than_every_job_task_time_limit(settings: Any) -> None:
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert timeout == settings.JOB_VISIBILITY_TIMEOUT_SECONDS
    for name in services.job_tasks().values():
        limit = celery_app.tasks[name].time_limit
        assert limit is not None, name
        assert limit < timeout, name


def test_the_reconciler_runs_every_five_minutes_from_the_one_schedule() -> None:
    entry = celery_app.conf.beat_schedule["jobs-reconcile"]
    assert entry["task"] == "informatics.jobs_reconcile"
    assert entry["schedule"] == crontab(minute="*/5")
    assert "informatics.jobs_reconcile" in celery_app.tasks
