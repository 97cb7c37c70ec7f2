"""Celery tasks of this app: thin, taking ids, enqueued after commit. A build claims its JobRun
first, so a duplicate delivery or a re-run after a killed worker does nothing twice."""

from typing import Any

from celery import Task, shared_task

from informatics.jobs import JobTask

BUILD_KIND = "reports.build"


@shared_task(bind=True, base=JobTask, name="reports.build")
def report_build_task(self: Task[Any, Any], job_id: int) -> None:
    """Build one month's value report (a JobRun of kind reports.build): a new draft revision
    unless the data gives the latest revision's payload hash. Transient errors are retried."""
    from reports.services import report_build

    report_build(job_id=job_id, task=self)


@shared_task(name="reports.month_close")
def reports_month_close_task() -> int | None:
    """At month close in the organisation's time zone (on the beat schedule, hourly): make
    sure the previous month's draft is built. Returns the new job's id, if one was made."""
    from reports.services import reports_month_close

    job = reports_month_close()
    return job.pk if job is not None else None


@shared_task(name="reports.reconcile")
def reports_reconcile_task() -> dict[str, int]:
    """Create any past month's missing report run (on the beat schedule, daily)."""
    from reports.services import reports_reconcile

    return reports_reconcile()
