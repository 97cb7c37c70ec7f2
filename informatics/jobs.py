"""One way to run a background job's body safely, for every app's job tasks.

A job task takes a JobRun id and calls `run_claimed(job_id, body, task=self)`:

- the job is claimed first (a conditional update): a duplicate delivery, or one arriving after
  the job finished, does nothing;
- a *transient* error (the database or the broker dropped the connection, an I/O error) puts
  the job back to pending and retries the task after JOB_RETRY_BACKOFF_SECONDS, doubling each
  time; attempts are counted on the row;
- after JOB_MAX_ATTEMPTS attempts, or at once on any other error, the job ends failed with its
  error (`on_failed` may record it where the job's pages show it) and the worker moves on;
- the body's progress reports (`jobrun_progress`) are its heartbeat: a job silent for longer
  than its lease is taken to be lost and may be claimed again, by a redelivery (the broker's
  visibility timeout, `acks_late`) or by the reconciler (`jobs_reconcile`).

Tasks are declared with `base=JobTask` and listed by their app in `job_tasks` (AppConfig) so
that the reconciler can find them by kind. They are enqueued after commit.
"""

import logging
import socket
import time
from collections.abc import Callable
from typing import Any

import redis.exceptions
from celery import Task
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection

from informatics.models import JobRun
from informatics.services.jobs import (
    jobrun_claim,
    jobrun_fail,
    jobrun_finish,
    jobrun_progress,
    jobrun_release,
)

logger = logging.getLogger(__name__)

TRANSIENT: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    OSError,
)
# OSErrors that will not go away by trying again.
PERMANENT: tuple[type[BaseException], ...] = (
    FileNotFoundError,
    IsADirectoryError,
    NotADirectoryError,
    PermissionError,
)

Body = Callable[[int], None]
OnFailed = Callable[[int, BaseException], str]


class JobTask(Task[Any, Any]):
    """The base of every job task: acknowledged when it ends (a worker killed mid-job leaves the
    message for another), retried by `run_claimed` only (its attempts are counted on the job
    row), and stopped by the worker after JOB_TIME_LIMIT_SECONDS unless it says otherwise."""

    acks_late = True
    reject_on_worker_lost = True
    max_retries = None
    time_limit = settings.JOB_TIME_LIMIT_SECONDS


def is_transient(error: BaseException) -> bool:
    """Whether trying again later may succeed."""
    return isinstance(error, TRANSIENT) and not isinstance(error, PERMANENT)


def retry_countdown(attempts: int) -> int:
    """Seconds before the retry that follows failed attempt number `attempts` (1, 2, …)."""
    return int(settings.JOB_RETRY_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0))


def run_claimed(
    job_id: int,
    body: Body,
    *,
    task: Task[Any, Any] | None = None,
    on_failed: OnFailed | None = None,
) -> None:
    """Claim the job, run `body(job_id)`, and handle its failure (see the module's text).
    The body finishes the job itself (`jobrun_finish`, or `jobrun_fail` for an outcome it
    chose); an exception it raises is retried when transient and `task` can retry it, and
    otherwise fails the job with `on_failed(job_id, error)`'s text (default: the error's type
    and message). Without a task (a direct call) nothing is retried."""
    if not jobrun_claim(job_id=job_id):
        return
    try:
        body(job_id)
    except Exception as error:
        if not connection.in_atomic_block:  # a lost connection: the next query reopens it
            connection.close_if_unusable_or_obsolete()
        text = f"{type(error).__name__}: {error}"
        attempts = JobRun.objects.filter(pk=job_id).values_list("attempts", flat=True).first()
        if task is not None and is_transient(error) and (attempts or 0) < settings.JOB_MAX_ATTEMPTS:
            if not jobrun_release(job_id=job_id, error=text):
                return
            logger.warning("job %s: attempt %s failed (%s); retrying", job_id, attempts, text)
            if getattr(task.request, "is_eager", False):
                # Run in-process (no broker): try again at once, in this call.
                return run_claimed(job_id, body, task=task, on_failed=on_failed)
            countdown = retry_countdown(attempts or 1)
            raise task.retry(exc=error, countdown=countdown, max_retries=None) from error
        logger.exception("job %s failed after %s attempts", job_id, attempts)
        jobrun_fail(job_id=job_id, error=on_failed(job_id, error) if on_failed else text)


# --- The probe job --------------------------------------------------------------------------

JOB_PROBE_KIND = "informatics.job_probe"


def job_probe_body(job_id: int, *, hostname: str = "") -> None:
    """A job that does nothing but wait, in steps, reporting progress (its heartbeat) after
    each: for operators proving a deployment's job handling, and for the tests that kill its
    worker. Its scope says how:
    `{"steps": 10, "step_seconds": 0.1, "transient_failures": 0, "error": ""}` —
    `transient_failures`: attempts up to this number raise OperationalError before any step
    (the count is the row's attempts, so it holds across workers); `error`: raise ValueError
    with this text. The result names the worker and the attempt that finished."""
    job = JobRun.objects.get(pk=job_id)
    scope = job.scope
    if job.attempts <= int(scope.get("transient_failures", 0)):
        raise OperationalError(f"probe: transient failure on attempt {job.attempts}")
    if scope.get("error"):
        raise ValueError(str(scope["error"]))
    steps = int(scope.get("steps", 1))
    jobrun_progress(job_id=job_id, done=0, total=steps)
    for done in range(1, steps + 1):
        time.sleep(float(scope.get("step_seconds", 0)))
        jobrun_progress(job_id=job_id, done=done)
    worker = hostname or socket.gethostname()
    jobrun_finish(
        job_id=job_id, result={"steps": steps, "attempt": job.attempts, "hostname": worker}
    )
