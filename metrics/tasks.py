"""Celery tasks of this app: thin, taking ids, enqueued after commit. Each claims its JobRun
first, so a duplicate delivery or a re-run after a killed worker does nothing twice."""

from typing import Any

from celery import Task, shared_task
from django.conf import settings

from informatics.jobs import JobTask

IMPORT_KIND = "metrics.import"
ROLLUP_KIND = "metrics.rollup"


# A file within the upload limits imports in well under this; past it the worker stops the
# task (the soft limit lets the import record why; the hard one, 30 s later, ends the process).
@shared_task(
    bind=True,
    base=JobTask,
    name="metrics.import_run",
    soft_time_limit=settings.IMPORT_TIME_LIMIT_SECONDS,
    time_limit=settings.IMPORT_TIME_LIMIT_SECONDS + 30,
)
def import_run_task(self: Task[Any, Any], job_id: int) -> None:
    """Import one uploaded file (an ImportBatch) all-or-nothing, then refresh its roll-ups.
    A transient error is retried (informatics.jobs.run_claimed)."""
    from metrics.services.imports import import_run

    import_run(job_id=job_id, task=self)


@shared_task(bind=True, base=JobTask, name="metrics.rollup_run")
def rollup_run_task(self: Task[Any, Any], job_id: int) -> None:
    """Recompute the stored roll-ups of the metrics named in the job's scope (all when none).
    A transient error is retried (informatics.jobs.run_claimed)."""
    from metrics.services.rollups import rollup_run

    rollup_run(job_id=job_id, task=self)


@shared_task(name="metrics.rollup_nightly")
def rollup_nightly_task() -> list[int]:
    """The nightly refresh (on the beat schedule): periods become complete as days pass, so
    every metric is recomputed; unchanged series are left untouched. Returns the jobs' ids
    (ROLLUP_JOBS of them for a large catalogue)."""
    from metrics.services.rollups import rollup_enqueue_split

    return [job.pk for job in rollup_enqueue_split(metric_ids=None)]


@shared_task(name="metrics.import_files_expire")
def import_files_expire_task() -> int:
    """Delete the stored files of imports finished longer ago than the retention period (on
    the beat schedule). Returns how many were deleted."""
    from metrics.services.imports import import_files_expire

    return import_files_expire()
