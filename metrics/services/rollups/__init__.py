"""Stored roll-ups: per metric × facility × period, the aggregate figures, the limits and
signals of the metric's rule preset, and the classification of the latest complete point.
Pages, the API, governance and reports read these rows, so a latest point is classified in
one place (`metrics.spc.analyse`, called here only).

Which series exist: every facility with measurements of the metric, and every ancestor of
such a facility. A facility's figure for a period is its own measurement when it has one;
otherwise its children's figures (their own, or theirs summed, bottom-up) are summed:
numerators and denominators, the value being Σnumerator ÷ Σdenominator × multiplier — never an
average of rates. c and cumulative charts sum the values. Any other chart gets no parent
figure for a period in which a contributing child lacks a numerator or denominator.
Attribute charts (p, u, Laney p′/u′) chart only figures that have both.

A period is complete once the metric's data lag has passed after it ends
(period_end + data_lag_days < today, in the site's time zone); incomplete periods are stored
and shown but never signalled or classified. Rebases come from the metric's REBASE
annotations (for every facility, or for this one): a new segment starts at the first period
starting on or after the annotation's date. Go-lives never rebase.

Every series carries the sha256 of all its inputs; a refresh whose inputs did not change
writes nothing at all, and a changed series' points are replaced.

The jobs and the refresh are here; `figures` sums a series' figures, `plan` plans and writes a
batch.
"""

import datetime
import logging
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from celery import Task
from django.conf import settings
from django.db import connection, connections, transaction

from informatics.jobs import run_claimed
from informatics.models import Facility, JobRun, User
from informatics.services import (
    jobrun_create,
    jobrun_fail,
    jobrun_finish,
    jobrun_progress,
    site_today,
)
from metrics.models import Metric
from metrics.services.rollups.figures import rebase_indices
from metrics.services.rollups.plan import POINT_FIELDS, RollupResult, plan_batch, write
from metrics.tasks import ROLLUP_KIND, rollup_run_task

__all__ = [
    "POINT_FIELDS",
    "RollupResult",
    "rebase_indices",
    "rollup_enqueue",
    "rollup_enqueue_split",
    "rollup_refresh",
    "rollup_run",
]

logger = logging.getLogger(__name__)


def rollup_enqueue(*, metric_ids: list[int] | None, actor: User | None = None) -> JobRun:
    """Create a roll-up job for `metric_ids` (every metric when None) and run it after the
    current transaction commits."""
    ids = None if metric_ids is None else sorted({int(pk) for pk in metric_ids})
    job = jobrun_create(kind=ROLLUP_KIND, scope={"metric_ids": ids}, created_by=actor)
    transaction.on_commit(lambda: rollup_run_task.delay(job.pk))
    return job


def rollup_enqueue_split(
    *, metric_ids: list[int] | None, actor: User | None = None
) -> list[JobRun]:
    """Roll-ups of many metrics (an import's, the nightly refresh of all): split into at most
    settings.ROLLUP_JOBS jobs over disjoint metrics, which the workers' processes run side by
    side (each metric's series are computed by one job, under its lock). A scope too small to
    keep two jobs busy, or ROLLUP_JOBS 1, is one job, as `rollup_enqueue` makes it."""
    parts = settings.ROLLUP_JOBS
    every = Metric.objects.values_list("pk", flat=True) if metric_ids is None else metric_ids
    ids = sorted({int(pk) for pk in every}) if parts > 1 else []
    if len(ids) < parts * METRICS_PER_THREADED_BATCH:
        return [rollup_enqueue(metric_ids=metric_ids, actor=actor)]
    # Every n-th metric to each job: metrics made together (alike in size) are spread out.
    return [rollup_enqueue(metric_ids=ids[part::parts], actor=actor) for part in range(parts)]


def rollup_run(*, job_id: int, task: Task[Any, Any] | None = None) -> None:
    """Run one roll-up job: claim it (a duplicate delivery does nothing), refresh the metrics
    in its scope, and finish it with the counts — or fail it naming the series that could not
    be computed (the others are written). Run by `task`, a transient error is retried
    (informatics.jobs.run_claimed)."""
    run_claimed(job_id, _rollup_body, task=task)


def _rollup_body(job_id: int) -> None:
    job = JobRun.objects.get(pk=job_id)
    metric_ids = job.scope.get("metric_ids")
    result = rollup_refresh(metric_ids=metric_ids, job_id=job_id)
    counts = {
        "series_written": result.series_written,
        "series_unchanged": result.series_unchanged,
        "series_deleted": result.series_deleted,
        "points_written": result.points_written,
        "points_deleted": result.points_deleted,
    }
    if result.errors:
        jobrun_fail(job_id=job_id, error="\n".join(result.errors))
    else:
        jobrun_finish(job_id=job_id, result=counts)


# Metrics refreshed together: one transaction, one lock statement, one read of their
# measurements, annotations, targets and stored series, and bulk writes for all of them.
METRICS_PER_BATCH = 25


def rollup_refresh(
    *,
    metric_ids: list[int] | None = None,
    today: datetime.date | None = None,
    job_id: int | None = None,
) -> RollupResult:
    """Recompute the stored roll-ups of `metric_ids` (every metric when None) as of `today`
    (the site's today by default). Metrics are refreshed in batches, each in its own
    transaction under a lock on its metrics' rows (taken in id order), so two jobs on one
    metric take turns; a batch makes the same queries for one series as for thousands (bulk
    statements split only every few thousand rows).

    On PostgreSQL, outside a transaction, smaller batches (`METRICS_PER_THREADED_BATCH`) are
    refreshed `PARALLEL_BATCHES` at a time, each by a thread on a connection of its own, one
    thread computing at a time: while one waits for the database (its writes, its commit's
    key checks), another computes. Inside a transaction the batches run one after the other
    in it (other connections could not see its rows)."""
    today = today or site_today()
    rows = Metric.objects.order_by("pk")
    if metric_ids is not None:
        rows = rows.filter(pk__in=metric_ids)
    ids = list(rows.values_list("pk", flat=True))
    parents: dict[int, int | None] = dict(Facility.objects.values_list("pk", "parent_id"))
    threaded = connection.vendor == "postgresql" and not connection.in_atomic_block
    size = METRICS_PER_THREADED_BATCH if threaded else METRICS_PER_BATCH
    batches = [ids[i : i + size] for i in range(0, len(ids), size)]
    result = RollupResult()
    if job_id is not None:
        jobrun_progress(job_id=job_id, done=0, total=len(ids))
    done = 0
    for batch, part in zip(
        batches,
        _batch_results(batches, parents=parents, today=today, threaded=threaded),
        strict=True,
    ):
        result.add(part)
        done += len(batch)
        if job_id is not None:
            jobrun_progress(job_id=job_id, done=done)
    return result


# Batches refreshed at once on PostgreSQL (see rollup_refresh), and their size: smaller than
# METRICS_PER_BATCH, so that the first batch's computing and the last one's writing, which
# nothing overlaps, are short.
PARALLEL_BATCHES = 2
METRICS_PER_THREADED_BATCH = 10


def _batch_results(
    batches: list[list[int]],
    *,
    parents: dict[int, int | None],
    today: datetime.date,
    threaded: bool,
) -> Iterator[RollupResult]:
    """Refresh each batch, in threads when `threaded`; yield their results in order."""
    if not threaded or len(batches) < 2:
        for batch in batches:
            yield _refresh_locked(batch, parents=parents, today=today)
        return
    # One thread computes at a time (Python computes in one thread at a time anyway): so
    # each computes while another writes, rather than all computing, then all writing.
    computing = threading.Lock()
    pool = ThreadPoolExecutor(PARALLEL_BATCHES, thread_name_prefix="rollup")
    try:
        futures = [
            pool.submit(
                _refresh_in_thread, batch, parents=parents, today=today, computing=computing
            )
            for batch in batches
        ]
        for future in futures:
            yield future.result()
    finally:  # after an error, batches not yet begun are not begun
        pool.shutdown(wait=True, cancel_futures=True)


def _refresh_in_thread(
    batch: list[int],
    *,
    parents: dict[int, int | None],
    today: datetime.date,
    computing: threading.Lock,
) -> RollupResult:
    try:
        return _refresh_locked(batch, parents=parents, today=today, computing=computing)
    finally:
        connections.close_all()  # this thread's connections only


def _refresh_locked(
    batch: list[int],
    *,
    parents: dict[int, int | None],
    today: datetime.date,
    computing: AbstractContextManager[Any] | None = None,
) -> RollupResult:
    result = RollupResult()
    with transaction.atomic():
        metrics = list(Metric.objects.select_for_update().filter(pk__in=batch).order_by("pk"))
        if metrics:
            _refresh_batch(
                metrics, parents=parents, today=today, result=result, computing=computing
            )
    return result


def _refresh_batch(
    metrics: list[Metric],
    *,
    parents: dict[int, int | None],
    today: datetime.date,
    result: RollupResult,
    computing: AbstractContextManager[Any] | None = None,
) -> None:
    """Every series of a batch of metrics: compute, compare fingerprints, write what differs
    (a constant number of statements, whatever the number of series). The reading and
    computing are done holding `computing`, the writing is not."""
    with computing or nullcontext():
        plan = plan_batch(metrics, parents=parents, today=today, result=result)
    write(plan, result=result)
