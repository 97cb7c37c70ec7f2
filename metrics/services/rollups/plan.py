"""Planning and writing one batch of roll-ups: which series to compute again from their figures,
which points change, and the set-wise writes that store them."""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from metrics import spc
from metrics.choices import AnnotationKind
from metrics.models import Annotation, Measurement, Metric, RollupPoint, RollupSeries, Target
from metrics.services.bulk import insert_rows, update_instances
from metrics.services.rollups.figures import (
    Figure,
    as_float,
    facility_figures,
    metric_payload,
    rebase_indices,
    series_fingerprint,
    target_value,
)

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


# Rows per bulk statement (well under every backend's parameter limit).
ROWS_PER_STATEMENT = 2000


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


def plan_batch(
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
                    target=target_value(targets[metric.pk], facility_id=facility_id, today=today),
                    current=stored.get(facility_id),
                    plan=plan,
                    result=result,
                )
            except ValueError as exc:  # the engine refused the figures (numerator > denominator…)
                result.errors.append(f"{metric.code} at facility #{facility_id}: {exc}")
        plan.vanished.extend(series.pk for pk, series in stored.items() if pk not in figures)
    return plan


class _MetricContext:
    """What every series of one metric shares while a batch is planned."""

    __slots__ = ("chart", "complete_before", "head", "metric", "now", "spc_options")

    def __init__(self, metric: Metric, *, today: datetime.date, now: datetime.datetime) -> None:
        self.metric = metric
        self.chart = spc.ChartType(metric.chart_type)
        self.head = metric_payload(metric)
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
            target=as_float(target),
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
    series.target_value = as_float(target)
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


def write(plan: _Plan, *, result: RollupResult) -> None:
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
