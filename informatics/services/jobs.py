"""Background job rows (JobRun): created, claimed once, progressed, released for a retry,
finished or failed; and the reconciler that re-enqueues jobs whose worker was lost."""

import datetime
import logging
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from informatics.choices import JobStatus
from informatics.models import JobRun, User

logger = logging.getLogger(__name__)

# A running job whose worker has not reported for this long may be claimed again.
JOB_LEASE = datetime.timedelta(seconds=settings.JOB_LEASE_SECONDS)
# A pending job older than this was probably never enqueued (the broker was down).
JOB_PENDING_GRACE = datetime.timedelta(seconds=settings.JOB_PENDING_GRACE_SECONDS)


def jobrun_create(
    *, kind: str, scope: dict[str, Any] | None = None, created_by: User | None = None
) -> JobRun:
    return JobRun.objects.create(kind=kind, scope=scope or {}, created_by=created_by)


def jobrun_claim(*, job_id: int) -> bool:
    """Take a job for this worker. False when another delivery already has it, it is done, or
    it has used all its attempts: the caller must then do nothing."""
    now = timezone.now()
    claimable = Q(status=JobStatus.PENDING) | Q(
        status=JobStatus.RUNNING, heartbeat_at__lt=now - JOB_LEASE
    )
    updated = JobRun.objects.filter(
        claimable, pk=job_id, attempts__lt=settings.JOB_MAX_ATTEMPTS
    ).update(
        status=JobStatus.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        error="",
    )
    return updated == 1


def jobrun_progress(*, job_id: int, done: int, total: int | None = None) -> None:
    """Record progress; it is also the job's heartbeat, which keeps its lease."""
    fields: dict[str, Any] = {"progress_done": done, "heartbeat_at": timezone.now()}
    if total is not None:
        fields["progress_total"] = total
    JobRun.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(**fields)


def jobrun_release(*, job_id: int, error: str) -> bool:
    """Put a running job back to pending after a transient failure, keeping its error and its
    attempts, for the retry to claim. False when it was not running (nothing to retry)."""
    updated = JobRun.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        status=JobStatus.PENDING, error=error[:5000], heartbeat_at=timezone.now()
    )
    return updated == 1


def jobrun_finish(*, job_id: int, result: dict[str, Any] | None = None) -> None:
    JobRun.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        status=JobStatus.DONE, result=result or {}, finished_at=timezone.now()
    )


def jobrun_fail(*, job_id: int, error: str) -> None:
    JobRun.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        status=JobStatus.FAILED, error=error[:5000], finished_at=timezone.now()
    )


def job_tasks() -> dict[str, str]:
    """Which Celery task runs each kind of job, as the apps declare it (`job_tasks` on their
    AppConfig): the kernel finds the apps' tasks by name and imports none of them."""
    registry: dict[str, str] = {}
    for config in apps.get_app_configs():
        registry.update(getattr(config, "job_tasks", {}))
    return registry


def job_enqueue(*, job: JobRun) -> None:
    """Send the job's task (by name, from `job_tasks`) once the current transaction commits,
    to the queue its scope names if any. Without a broker it runs in-process, as every task
    does (`apply_async` keeps CELERY_TASK_ALWAYS_EAGER; `send_task` would not)."""
    from informatics.celery import app  # the Celery app reads the settings: import on use

    name = job_tasks()[job.kind]
    queue = job.scope.get("queue") if isinstance(job.scope, dict) else None
    options: dict[str, Any] = {"queue": queue} if queue else {}
    job_id = job.pk
    transaction.on_commit(lambda: app.tasks[name].apply_async(args=(job_id,), **options))


def jobs_reconcile(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Re-enqueue the jobs whose delivery was lost (on the beat schedule, every 5 minutes):
    running ones whose lease expired (their worker died and the broker did not give the job to
    another) go back to pending, and pending ones never started within the grace period are
    sent again. Each is taken with a conditional update, so two reconcilers (or one run twice)
    enqueue it once; a job that has used all its attempts ends failed instead. Kinds no app
    declares a task for are left alone. Returns the counts."""
    now = now or timezone.now()
    registry = job_tasks()
    lease_expired = Q(status=JobStatus.RUNNING, heartbeat_at__lt=now - JOB_LEASE)
    grace = now - JOB_PENDING_GRACE
    never_started = Q(status=JobStatus.PENDING, created_at__lt=grace) & (
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=grace)
    )
    counts = {"enqueued": 0, "failed": 0}
    exhausted = JobRun.objects.filter(
        lease_expired, kind__in=registry, attempts__gte=settings.JOB_MAX_ATTEMPTS
    )
    counts["failed"] = exhausted.update(
        status=JobStatus.FAILED,
        error=f"The worker running it stopped {settings.JOB_MAX_ATTEMPTS} times "
        "(its lease expired each time); not tried again.",
        finished_at=now,
    )
    candidates = JobRun.objects.filter(lease_expired | never_started, kind__in=registry)
    for job in candidates.order_by("pk"):
        with transaction.atomic():
            # Taken again with the same condition: whoever updates it enqueues it.
            taken = JobRun.objects.filter((lease_expired | never_started), pk=job.pk).update(
                status=JobStatus.PENDING, heartbeat_at=now
            )
            if taken:
                logger.warning("re-enqueuing %s (its delivery was lost)", job)
                job_enqueue(job=job)
                counts["enqueued"] += 1
    return counts
