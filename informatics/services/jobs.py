"""Background job rows (JobRun): created, claimed once, progressed, finished or failed."""

import datetime
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from informatics.choices import JobStatus
from informatics.models import JobRun, User

# A running job whose worker has not reported for this long may be claimed again.
JOB_LEASE = datetime.timedelta(minutes=10)


def jobrun_create(
    *, kind: str, scope: dict[str, Any] | None = None, created_by: User | None = None
) -> JobRun:
    return JobRun.objects.create(kind=kind, scope=scope or {}, created_by=created_by)


def jobrun_claim(*, job_id: int) -> bool:
    """Take a job for this worker. False when another delivery already has it or it is done:
    the caller must then do nothing."""
    now = timezone.now()
    claimable = Q(status=JobStatus.PENDING) | Q(
        status=JobStatus.RUNNING, heartbeat_at__lt=now - JOB_LEASE
    )
    updated = JobRun.objects.filter(claimable, pk=job_id).update(
        status=JobStatus.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        error="",
    )
    return updated == 1


def jobrun_progress(*, job_id: int, done: int, total: int | None = None) -> None:
    fields: dict[str, Any] = {"progress_done": done, "heartbeat_at": timezone.now()}
    if total is not None:
        fields["progress_total"] = total
    JobRun.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(**fields)


def jobrun_finish(*, job_id: int, result: dict[str, Any] | None = None) -> None:
    JobRun.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        status=JobStatus.DONE, result=result or {}, finished_at=timezone.now()
    )


def jobrun_fail(*, job_id: int, error: str) -> None:
    JobRun.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        status=JobStatus.FAILED, error=error[:5000], finished_at=timezone.now()
    )
