"""Celery tasks of this app: thin, taking ids, enqueued after commit. Each claims its JobRun
first, so a duplicate delivery or a re-run after a killed worker does nothing twice."""

from celery import shared_task

IMPORT_KIND = "metrics.import"
ROLLUP_KIND = "metrics.rollup"


@shared_task(name="metrics.import_run")
def import_run_task(job_id: int) -> None:
    """Import one uploaded file (an ImportBatch) all-or-nothing, then refresh its roll-ups."""
    from metrics.services.imports import import_run

    import_run(job_id=job_id)


@shared_task(name="metrics.rollup_run")
def rollup_run_task(job_id: int) -> None:
    """Recompute the stored roll-ups of the metrics named in the job's scope (all when none)."""
    from metrics.services.rollups import rollup_run

    rollup_run(job_id=job_id)


@shared_task(name="metrics.rollup_nightly")
def rollup_nightly_task() -> int:
    """The nightly refresh (on the beat schedule): periods become complete as days pass, so
    every metric is recomputed; unchanged series are left untouched. Returns the job id."""
    from metrics.services.rollups import rollup_enqueue

    return rollup_enqueue(metric_ids=None).pk
