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
"""

import datetime
import hashlib
import json
import logging
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from celery import Task
from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from informatics.jobs import run_claimed
from informatics.models import Facility, JobRun, User
from informatics.services import (
    jobrun_create,
    jobrun_fail,
    jobrun_finish,
    jobrun_progress,
    site_today,
)
from metrics import spc
from metrics.choices import AnnotationKind
from metrics.models import Annotation, Measurement, Metric, RollupPoint, RollupSeries, Target
from metrics.services.bulk import insert_rows, update_instances
from metrics.targets import applicable_target
from metrics.tasks import ROLLUP_KIND, rollup_run_task

logger = logging.getLogger(__name__)

# Part of every fingerprint: bump it when the way series are computed changes, so the next
# refresh rewrites every series once.
ROLLUP_VERSION = 2
# Charts whose parent figure is the sum of the children's values.
SUMMED_VALUE_CHARTS = frozenset({spc.ChartType.C, spc.ChartType.CUMULATIVE})
POINT_FIELDS = (
    "period_end",
    "value",
    "numerator",
    "denominator",
    "centre",
    "lower",
    "upper",
    "segment",
    "signals",
    "complete",
)


@dataclass
class RollupResult:
    """What a refresh wrote: series created or changed, point rows inserted (every point of a
    new or changed series), point rows deleted (the replaced points of changed series; those
    of deleted series go with them and are not counted); unchanged series are counted apart,
    and series that could not be computed are listed in `errors` (the rest are written)."""

    series_written: int = 0
    points_written: int = 0
    points_deleted: int = 0
    series_unchanged: int = 0
    series_deleted: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: "RollupResult") -> None:
        self.series_written += other.series_written
        self.points_written += other.points_written
        self.points_deleted += other.points_deleted
        self.series_unchanged += other.series_unchanged
        self.series_deleted += other.series_deleted
        self.errors.extend(other.errors)


class Figure(NamedTuple):
    """One period's aggregate at one facility, as stored (Decimal, exact). A named tuple:
    a roll-up makes one per measurement and per summed period, and a tuple is the cheapest
    immutable record to make."""

    period_start: datetime.date
    period_end: datetime.date
    value: Decimal
    numerator: Decimal | None
    denominator: Decimal | None


# --- Jobs -----------------------------------------------------------------------------------


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


# --- Refresh --------------------------------------------------------------------------------

# Metrics refreshed together: one transaction, one lock statement, one read of their
# measurements, annotations, targets and stored series, and bulk writes for all of them.
METRICS_PER_BATCH = 25
# Rows per bulk statement (well under every backend's parameter limit).
ROWS_PER_STATEMENT = 2000


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


@dataclass
class _Plan:
    """The writes of one batch, made in bulk once every series has been computed."""

    created: list[tuple[RollupSeries, list[tuple[datetime.date, tuple[Any, ...]]]]] = field(
        default_factory=list
    )
    changed: list[tuple[RollupSeries, list[tuple[datetime.date, tuple[Any, ...]]]]] = field(
        default_factory=list
    )
    vanished: list[int] = field(default_factory=list)


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
        plan = _plan_batch(metrics, parents=parents, today=today, result=result)
    _write(plan, result=result)


def _plan_batch(
    metrics: list[Metric],
    *,
    parents: dict[int, int | None],
    today: datetime.date,
    result: RollupResult,
) -> "_Plan":
    ids = [metric.pk for metric in metrics]
    own: dict[int, dict[int, dict[datetime.date, Figure]]] = {pk: defaultdict(dict) for pk in ids}
    measured = Measurement.objects.filter(metric_id__in=ids).values_list(
        "metric_id",
        "facility_id",
        "period_start",
        "period_end",
        "value",
        "numerator",
        "denominator",
    )
    for metric_id, facility_id, start, end, value, numerator, denominator in measured.iterator(
        5000
    ):
        own[metric_id][facility_id][start] = Figure(start, end, value, numerator, denominator)
    rebases: dict[int, list[tuple[int | None, datetime.date]]] = defaultdict(list)
    for metric_id, facility_id, day in Annotation.objects.filter(
        metric_id__in=ids, kind=AnnotationKind.REBASE
    ).values_list("metric_id", "facility_id", "date"):
        rebases[metric_id].append((facility_id, day))
    targets: dict[int, list[Target]] = defaultdict(list)
    for target in Target.objects.filter(metric_id__in=ids).only(
        "id", "metric_id", "facility_id", "value", "due_date"
    ):
        targets[target.metric_id].append(target)
    existing: dict[int, dict[int, RollupSeries]] = defaultdict(dict)
    for series in RollupSeries.objects.filter(metric_id__in=ids):
        existing[series.metric_id][series.facility_id] = series
    plan = _Plan()
    now = timezone.now()
    for metric in metrics:
        chart = spc.ChartType(metric.chart_type)
        figures = facility_figures(
            own[metric.pk], parents=parents, chart=chart, multiplier=metric.multiplier
        )
        stored = existing[metric.pk]
        context = _MetricContext(metric, today=today, now=now)
        for facility_id, by_period in figures.items():
            series_figures = [by_period[start] for start in sorted(by_period)]
            if chart in spc.ATTRIBUTE_CHARTS:
                series_figures = [
                    f
                    for f in series_figures
                    if f.numerator is not None and f.denominator is not None
                ]
            try:
                _plan_series(
                    context,
                    facility_id=facility_id,
                    figures=series_figures,
                    rebase_dates=[
                        day for fid, day in rebases[metric.pk] if fid in (None, facility_id)
                    ],
                    target=_target_value(targets[metric.pk], facility_id=facility_id, today=today),
                    current=stored.get(facility_id),
                    plan=plan,
                    result=result,
                )
            except ValueError as exc:  # the engine refused the figures (numerator > denominator…)
                result.errors.append(f"{metric.code} at facility #{facility_id}: {exc}")
        plan.vanished.extend(series.pk for pk, series in stored.items() if pk not in figures)
    return plan


def facility_figures(
    own: dict[int, dict[datetime.date, Figure]],
    *,
    parents: dict[int, int | None],
    chart: spc.ChartType,
    multiplier: Decimal,
) -> dict[int, dict[datetime.date, Figure]]:
    """The figures of every facility with measurements and of every ancestor: its own
    measurement for a period when it has one, else its children's figures summed (see the
    module docstring). Computed bottom-up, so a hospital's units feed the hospital, and the
    hospitals the system."""
    involved: set[int] = set()
    for facility_id in own:
        current: int | None = facility_id
        while current is not None and current not in involved:
            involved.add(current)
            current = parents.get(current)
    children: dict[int, list[int]] = defaultdict(list)
    for facility_id in involved:
        parent = parents.get(facility_id)
        if parent is not None:
            children[parent].append(facility_id)

    def depth(facility_id: int) -> int:
        steps, current = 0, parents.get(facility_id)
        while current is not None:
            steps, current = steps + 1, parents.get(current)
        return steps

    figures: dict[int, dict[datetime.date, Figure]] = {}
    for facility_id in sorted(involved, key=lambda pk: (-depth(pk), pk)):
        by_period: dict[datetime.date, list[Figure]] = defaultdict(list)
        for child in children.get(facility_id, ()):
            for start, figure in figures[child].items():
                by_period[start].append(figure)
        mine = dict(own.get(facility_id, {}))
        for start, parts in by_period.items():
            if start not in mine:
                summed = _sum(parts, chart=chart, multiplier=multiplier)
                if summed is not None:
                    mine[start] = summed
        figures[facility_id] = mine
    return figures


def _sum(parts: Sequence[Figure], *, chart: spc.ChartType, multiplier: Decimal) -> Figure | None:
    start = parts[0].period_start
    end = parts[0].period_end
    value = numerator = denominator = Decimal(0)
    summed = chart in SUMMED_VALUE_CHARTS
    has_ratio = True
    for part in parts:  # one pass: a roll-up sums every period of every parent facility
        if part.period_end > end:
            end = part.period_end
        if summed:
            value += part.value
        if part.numerator is None or part.denominator is None:
            has_ratio = False
        elif has_ratio:
            numerator += part.numerator
            denominator += part.denominator
    if summed:
        return Figure(
            start, end, value, numerator if has_ratio else None, denominator if has_ratio else None
        )
    if not has_ratio or denominator <= 0:
        return None
    return Figure(start, end, numerator / denominator * multiplier, numerator, denominator)


def _target_value(
    targets: list[Target], *, facility_id: int, today: datetime.date
) -> Decimal | None:
    target = applicable_target(targets, facility_id=facility_id, today=today)
    return target.value if target is not None else None


def rebase_indices(starts: Sequence[datetime.date], dates: Iterable[datetime.date]) -> list[int]:
    """The index of the first period starting on or after each rebase date (a rebase before
    the first period or after the last starts nothing)."""
    indices: set[int] = set()
    for day in dates:
        index = next((i for i, start in enumerate(starts) if start >= day), None)
        if index is not None and 0 < index < len(starts):
            indices.add(index)
    return sorted(indices)


def _number(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _metric_payload(metric: Metric) -> str:
    """The part of every fingerprint that describes how the metric is charted."""
    payload = {
        "version": ROLLUP_VERSION,
        "chart": metric.chart_type,
        "preset": metric.rule_preset,
        "direction": metric.direction,
        "multiplier": _number(metric.multiplier),
        "baseline_points": metric.baseline_points,
        "screen_outliers": metric.screen_outliers,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"))


def series_fingerprint(
    metric: Metric | str,
    *,
    figures: Sequence[Figure],
    complete: Sequence[bool],
    rebase_at: Sequence[int],
    target: Decimal | None,
) -> str:
    """sha256 of every input of a series: how the metric is charted (`metric`, or its
    `_metric_payload`), every figure with its completeness, the rebases and the target.
    Figures are written as read (dates as day numbers, numbers as `str` gives them): a stored
    number keeps its column's scale, so equal inputs always give equal text."""
    head = metric if isinstance(metric, str) else _metric_payload(metric)
    digest = hashlib.sha256(head.encode())
    lines = [
        f"{f.period_start.toordinal()}|{f.period_end.toordinal()}|{f.value!s}|{f.numerator!s}"
        f"|{f.denominator!s}|{done:d}"
        for f, done in zip(figures, complete, strict=True)
    ]
    lines.append(f"rebase:{','.join(map(str, rebase_at))}|target:{_number(target)}")
    digest.update("\n".join(lines).encode())
    return digest.hexdigest()


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


class _MetricContext:
    """What every series of one metric shares while a batch is planned."""

    __slots__ = ("chart", "complete_before", "head", "metric", "now", "spc_options")

    def __init__(self, metric: Metric, *, today: datetime.date, now: datetime.datetime) -> None:
        self.metric = metric
        self.chart = spc.ChartType(metric.chart_type)
        self.head = _metric_payload(metric)
        self.now = now
        # is_complete(end, lag, today) <=> end + lag < today <=> end < today - lag
        self.complete_before = today - datetime.timedelta(days=metric.data_lag_days)
        self.spc_options: dict[str, Any] = {
            "preset": spc.RulePreset(metric.rule_preset),
            "direction": spc.Direction(metric.direction),
            "multiplier": float(metric.multiplier),
            "baseline_points": metric.baseline_points,
            "screen_outliers": metric.screen_outliers,
        }


def _plan_series(
    context: _MetricContext,
    *,
    facility_id: int,
    figures: Sequence[Figure],
    rebase_dates: Sequence[datetime.date],
    target: Decimal | None,
    current: RollupSeries | None,
    plan: _Plan,
    result: RollupResult,
) -> None:
    """Compute one series; add it to `plan` unless its fingerprint is the stored one."""
    metric = context.metric
    # Once a period is incomplete, every later one is too.
    done_count = len(figures)
    for i, figure in enumerate(figures):
        if not figure.period_end < context.complete_before:
            done_count = i
            break
    complete = [True] * done_count + [False] * (len(figures) - done_count)
    rebase_at = (
        rebase_indices([f.period_start for f in figures], rebase_dates) if rebase_dates else []
    )
    fingerprint = series_fingerprint(
        context.head, figures=figures, complete=complete, rebase_at=rebase_at, target=target
    )
    if current is not None and current.fingerprint == fingerprint:
        result.series_unchanged += 1
        return
    # Each figure as floats, converted once: the engine's input, and stored beside its result.
    points = [
        spc.Point(
            float(f.value),
            None if f.numerator is None else float(f.numerator),
            None if f.denominator is None else float(f.denominator),
            done,
        )
        for f, done in zip(figures, complete, strict=True)
    ]
    analysis = None
    if points:
        analysis = spc.analyse(
            context.chart,
            points,
            target=_float(target),
            rebase_at=rebase_at,
            **context.spc_options,
        )
    # Per point: its period's start and the values of POINT_FIELDS, in order.
    wanted: list[tuple[datetime.date, tuple[Any, ...]]] = [
        (
            f.period_start,
            (
                f.period_end,
                a.value,
                p.numerator,
                p.denominator,
                a.centre,
                a.lower,
                a.upper,
                a.segment,
                [signal.as_dict() for signal in a.signals] if a.signals else [],
                a.complete,
            ),
        )
        for f, p, a in zip(figures, points, analysis.points if analysis else (), strict=True)
    ]
    latest = done_count - 1 if done_count else None
    variation = str(analysis.variation) if analysis and analysis.variation else ""
    now = context.now
    series = current or RollupSeries(
        metric=metric,
        facility_id=facility_id,
        variation_changed_at=now if variation else None,
    )
    if current is not None and current.variation != variation:
        series.variation_changed_at = now
    series.chart_type = metric.chart_type
    series.rule_preset = metric.rule_preset
    series.points = len(wanted)
    series.data_through = figures[latest].period_end if latest is not None else None
    series.latest_period = figures[latest].period_start if latest is not None else None
    series.latest_value = wanted[latest][1][1] if latest is not None else None
    series.variation = variation
    series.assurance = str(analysis.assurance) if analysis and analysis.assurance else ""
    series.target_value = _float(target)
    series.progress = analysis.progress if analysis else None
    series.insufficient_data = analysis.insufficient_data if analysis else True
    series.fingerprint = fingerprint
    series.computed_at = now
    (plan.changed if current is not None else plan.created).append((series, wanted))
    result.series_written += 1


SERIES_FIELDS = (
    "chart_type",
    "rule_preset",
    "points",
    "data_through",
    "latest_period",
    "latest_value",
    "variation",
    "assurance",
    "target_value",
    "progress",
    "insufficient_data",
    "fingerprint",
    "variation_changed_at",
    "computed_at",
)


def _write(plan: _Plan, *, result: RollupResult) -> None:
    """Make the stored rows equal the plan in a number of statements that depends on the
    number of rows written, never on the number of series: delete the vanished series,
    insert the new series, update the changed ones and delete their points, then insert the
    points of every new and changed series. (Replacing a changed series' points is cheaper
    than reading them back to write only the ones that differ: a series' points are few,
    and most of them move when a figure does.)"""
    for chunk in _chunks(plan.vanished):
        RollupSeries.objects.filter(pk__in=chunk).delete()
    result.series_deleted += len(plan.vanished)
    if plan.created:
        RollupSeries.objects.bulk_create(
            [series for series, _ in plan.created], batch_size=ROWS_PER_STATEMENT
        )
    if plan.changed:
        update_instances(RollupSeries, [series for series, _ in plan.changed], SERIES_FIELDS)
        for chunk in _chunks([series.pk for series, _ in plan.changed]):
            deleted, _ = RollupPoint.objects.filter(series_id__in=chunk).delete()
            result.points_deleted += deleted
    points = [
        (pk, start, *values)
        for pk, wanted in ((series.pk, wanted) for series, wanted in (*plan.created, *plan.changed))
        for start, values in wanted
    ]
    insert_rows(RollupPoint, ("series_id", "period_start", *POINT_FIELDS), points)
    result.points_written += len(points)


def _chunks[T](items: Sequence[T]) -> Iterable[Sequence[T]]:
    for offset in range(0, len(items), ROWS_PER_STATEMENT):
        yield items[offset : offset + ROWS_PER_STATEMENT]
