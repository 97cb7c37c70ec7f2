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
writes nothing at all, and a changed series writes only the rows that differ.
"""

import datetime
import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from celery import Task
from django.db import transaction
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
from metrics.periods import is_complete
from metrics.targets import applicable_target
from metrics.tasks import ROLLUP_KIND, rollup_run_task

logger = logging.getLogger(__name__)

# Part of every fingerprint: bump it when the way series are computed changes, so the next
# refresh rewrites every series once.
ROLLUP_VERSION = 1
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
    """What a refresh wrote: series created or changed, point rows created or updated, point
    rows deleted; unchanged series are counted apart, and series that could not be computed
    are listed in `errors` (the rest are still written)."""

    series_written: int = 0
    points_written: int = 0
    points_deleted: int = 0
    series_unchanged: int = 0
    series_deleted: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Figure:
    """One period's aggregate at one facility, as stored (Decimal, exact)."""

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


def rollup_refresh(
    *,
    metric_ids: list[int] | None = None,
    today: datetime.date | None = None,
    job_id: int | None = None,
) -> RollupResult:
    """Recompute the stored roll-ups of `metric_ids` (every metric when None) as of `today`
    (the site's today by default). Each metric is refreshed in its own transaction, under a
    lock on its row, so two jobs on one metric take turns."""
    today = today or site_today()
    rows = Metric.objects.order_by("pk")
    if metric_ids is not None:
        rows = rows.filter(pk__in=metric_ids)
    ids = list(rows.values_list("pk", flat=True))
    parents: dict[int, int | None] = dict(Facility.objects.values_list("pk", "parent_id"))
    result = RollupResult()
    if job_id is not None:
        jobrun_progress(job_id=job_id, done=0, total=len(ids))
    for done, metric_id in enumerate(ids, start=1):
        with transaction.atomic():
            metric = Metric.objects.select_for_update().filter(pk=metric_id).first()
            if metric is not None:
                _refresh_metric(metric, parents=parents, today=today, result=result)
        if job_id is not None:
            jobrun_progress(job_id=job_id, done=done)
    return result


def _refresh_metric(
    metric: Metric, *, parents: dict[int, int | None], today: datetime.date, result: RollupResult
) -> None:
    """Every series of one metric: compute, compare fingerprints, write what differs."""
    chart = spc.ChartType(metric.chart_type)
    own: dict[int, dict[datetime.date, Figure]] = defaultdict(dict)
    measured = Measurement.objects.filter(metric=metric).values_list(
        "facility_id", "period_start", "period_end", "value", "numerator", "denominator"
    )
    for facility_id, start, end, value, numerator, denominator in measured.iterator(5000):
        own[facility_id][start] = Figure(start, end, value, numerator, denominator)
    figures = facility_figures(own, parents=parents, chart=chart, multiplier=metric.multiplier)
    rebases = list(
        Annotation.objects.filter(metric=metric, kind=AnnotationKind.REBASE).values_list(
            "facility_id", "date"
        )
    )
    targets = list(
        Target.objects.filter(metric=metric).only("id", "facility_id", "value", "due_date")
    )
    existing = {series.facility_id: series for series in RollupSeries.objects.filter(metric=metric)}
    for facility_id, by_period in figures.items():
        series_figures = [by_period[start] for start in sorted(by_period)]
        if chart in spc.ATTRIBUTE_CHARTS:
            series_figures = [
                f for f in series_figures if f.numerator is not None and f.denominator is not None
            ]
        try:
            _refresh_series(
                metric,
                facility_id=facility_id,
                figures=series_figures,
                rebase_dates=[day for fid, day in rebases if fid in (None, facility_id)],
                target=_target_value(targets, facility_id=facility_id, today=today),
                today=today,
                current=existing.get(facility_id),
                result=result,
            )
        except ValueError as exc:  # the engine refused the figures (e.g. numerator > denominator)
            result.errors.append(f"{metric.code} at facility #{facility_id}: {exc}")
    vanished = [series.pk for pk, series in existing.items() if pk not in figures]
    if vanished:
        RollupSeries.objects.filter(pk__in=vanished).delete()
        result.series_deleted += len(vanished)


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
    end = max(part.period_end for part in parts)
    has_ratio = all(p.numerator is not None and p.denominator is not None for p in parts)
    numerator = sum((p.numerator or Decimal(0) for p in parts), Decimal(0)) if has_ratio else None
    denominator = (
        sum((p.denominator or Decimal(0) for p in parts), Decimal(0)) if has_ratio else None
    )
    if chart in SUMMED_VALUE_CHARTS:
        return Figure(start, end, sum((p.value for p in parts), Decimal(0)), numerator, denominator)
    if numerator is None or denominator is None or denominator <= 0:
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


def series_fingerprint(
    metric: Metric,
    *,
    figures: Sequence[Figure],
    complete: Sequence[bool],
    rebase_at: Sequence[int],
    target: Decimal | None,
) -> str:
    """sha256 of every input of a series: how the metric is charted, every figure with its
    completeness, the rebases and the target."""
    payload: dict[str, Any] = {
        "version": ROLLUP_VERSION,
        "chart": metric.chart_type,
        "preset": metric.rule_preset,
        "direction": metric.direction,
        "multiplier": _number(metric.multiplier),
        "baseline_points": metric.baseline_points,
        "screen_outliers": metric.screen_outliers,
        "figures": [
            [
                f.period_start.isoformat(),
                f.period_end.isoformat(),
                _number(f.value),
                _number(f.numerator),
                _number(f.denominator),
                done,
            ]
            for f, done in zip(figures, complete, strict=True)
        ],
        "rebase_at": list(rebase_at),
        "target": _number(target),
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _refresh_series(
    metric: Metric,
    *,
    facility_id: int,
    figures: Sequence[Figure],
    rebase_dates: Sequence[datetime.date],
    target: Decimal | None,
    today: datetime.date,
    current: RollupSeries | None,
    result: RollupResult,
) -> None:
    complete: list[bool] = []
    for figure in figures:  # once a period is incomplete, every later one is too
        done = is_complete(figure.period_end, metric.data_lag_days, today)
        complete.append(done and (not complete or complete[-1]))
    rebase_at = rebase_indices([f.period_start for f in figures], rebase_dates)
    fingerprint = series_fingerprint(
        metric, figures=figures, complete=complete, rebase_at=rebase_at, target=target
    )
    if current is not None and current.fingerprint == fingerprint:
        result.series_unchanged += 1
        return
    chart = spc.ChartType(metric.chart_type)
    analysis = None
    if figures:
        analysis = spc.analyse(
            chart,
            [
                spc.Point(
                    value=float(f.value),
                    numerator=_float(f.numerator),
                    denominator=_float(f.denominator),
                    complete=done,
                )
                for f, done in zip(figures, complete, strict=True)
            ],
            preset=spc.RulePreset(metric.rule_preset),
            direction=spc.Direction(metric.direction),
            multiplier=float(metric.multiplier),
            target=_float(target),
            baseline_points=metric.baseline_points,
            rebase_at=rebase_at,
            screen_outliers=metric.screen_outliers,
        )
    wanted = [
        RollupPoint(
            period_start=f.period_start,
            period_end=f.period_end,
            value=p.value,
            numerator=_float(f.numerator),
            denominator=_float(f.denominator),
            centre=p.centre,
            lower=p.lower,
            upper=p.upper,
            segment=p.segment,
            signals=[signal.as_dict() for signal in p.signals],
            complete=p.complete,
        )
        for f, p in zip(figures, analysis.points if analysis else (), strict=True)
    ]
    latest = max((i for i, done in enumerate(complete) if done), default=None)
    variation = str(analysis.variation) if analysis and analysis.variation else ""
    now = timezone.now()
    fields: dict[str, Any] = {
        "chart_type": metric.chart_type,
        "rule_preset": metric.rule_preset,
        "points": len(wanted),
        "data_through": figures[latest].period_end if latest is not None else None,
        "latest_period": figures[latest].period_start if latest is not None else None,
        "latest_value": wanted[latest].value if latest is not None else None,
        "variation": variation,
        "assurance": str(analysis.assurance) if analysis and analysis.assurance else "",
        "target_value": _float(target),
        "progress": analysis.progress if analysis else None,
        "insufficient_data": analysis.insufficient_data if analysis else True,
        "fingerprint": fingerprint,
        "computed_at": now,
    }
    if current is None:
        series = RollupSeries.objects.create(
            metric=metric,
            facility_id=facility_id,
            variation_changed_at=now if variation else None,
            **fields,
        )
    else:
        series = current
        if current.variation != variation:
            fields["variation_changed_at"] = now
        RollupSeries.objects.filter(pk=current.pk).update(**fields)
    result.series_written += 1
    _write_points(series, wanted, fresh=current is None, result=result)


def _write_points(
    series: RollupSeries, wanted: Sequence[RollupPoint], *, fresh: bool, result: RollupResult
) -> None:
    """Make the series' stored rows equal `wanted` in at most four queries: read the stored
    rows, insert the new, update the changed, delete the vanished."""
    stored = (
        {}
        if fresh
        else {row.period_start: row for row in RollupPoint.objects.filter(series=series)}
    )
    created: list[RollupPoint] = []
    changed: list[RollupPoint] = []
    for row in wanted:
        old = stored.pop(row.period_start, None)
        if old is None:
            row.series = series
            created.append(row)
        elif any(getattr(old, name) != getattr(row, name) for name in POINT_FIELDS):
            for name in POINT_FIELDS:
                setattr(old, name, getattr(row, name))
            changed.append(old)
    if created:
        RollupPoint.objects.bulk_create(created)
    if changed:
        RollupPoint.objects.bulk_update(changed, POINT_FIELDS)
    if stored:
        RollupPoint.objects.filter(pk__in=[row.pk for row in stored.values()]).delete()
    result.points_written += len(created) + len(changed)
    result.points_deleted += len(stored)
