"""A metric's page in one read, composed from the catalogue's and the series' reads: one
dataclass (the metric in full, the facilities it is charted for, the chosen facility's stored
series and analysis, and where each point's figures came from).

A fixed number of queries whatever the number of points, facilities, links, targets or
annotations (see `metric_page`).
"""

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.http import Http404

from informatics.models import Facility
from metrics import spc
from metrics.models import ImportBatch, Measurement, Metric, RollupPoint, RollupSeries
from metrics.selectors.catalogue import metric_detail
from metrics.selectors.series import SeriesView, series_view, spc_analysis


@dataclass(frozen=True)
class Source:
    """One origin of a point's figures: an import batch, a hand entry, or another source."""

    kind: str  # "batch" | "hand" | "other"
    count: int
    batch: ImportBatch | None = None
    label: str = ""  # who entered it by hand, or the source system


@dataclass(frozen=True)
class TableRow:
    """A point of the data table: the stored roll-up point and where its figures came from
    (the facility's own measurement, or its children's, summed)."""

    point: RollupPoint
    signals: tuple[spc.Signal, ...]
    sources: tuple[Source, ...]
    facilities: int  # how many facilities' measurements it sums (1: its own)


@dataclass(frozen=True)
class MetricPage:
    metric: Metric
    facility: Facility | None
    facilities: list[Facility]  # those the metric has a roll-up for, the system first
    view: SeriesView | None
    analysis: spc.Analysis | None
    preset: spc.RulePreset
    rows: list[TableRow] = field(default_factory=list)


def _facility_order(facility: Facility, parents: Mapping[int, int | None]) -> tuple[int, str]:
    depth, current = 0, parents.get(facility.pk)
    while current is not None:
        depth, current = depth + 1, parents.get(current)
    return depth, facility.name


def _descendants(root: int, parents: Mapping[int, int | None]) -> set[int]:
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent in parents.items():
        if parent is not None:
            children[parent].append(pk)
    found, stack = {root}, [root]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def _sources(measurements: list[Measurement]) -> tuple[Source, ...]:
    batches: dict[int, list[Measurement]] = defaultdict(list)
    by_hand: dict[str, int] = defaultdict(int)
    other: dict[str, int] = defaultdict(int)
    for row in measurements:
        if row.batch_id is not None:
            batches[row.batch_id].append(row)
        elif row.entered_by_id is not None:
            person = row.entered_by
            name = (person.full_name or person.email) if person is not None else ""
            by_hand[name] += 1
        else:
            other[row.source_system or "unknown source"] += 1
    sources = [
        Source("batch", len(rows), batch=rows[0].batch)
        for _, rows in sorted(batches.items(), key=lambda item: item[0])
    ]
    sources += [Source("hand", count, label=name) for name, count in sorted(by_hand.items())]
    sources += [Source("other", count, label=name) for name, count in sorted(other.items())]
    return tuple(sources)


def _table(
    metric: Metric, facility: Facility, points: list[RollupPoint], parents: Mapping[int, int | None]
) -> list[TableRow]:
    """Each point with the measurements behind it: the facility's own for the period, or,
    when it has none, those of every facility below it (as the roll-up summed them). One
    query."""
    if not points:
        return []
    starts = [point.period_start for point in points]
    scope = _descendants(facility.pk, parents)
    measured: dict[datetime.date, dict[int, Measurement]] = defaultdict(dict)
    for row in (
        Measurement.objects.filter(
            metric=metric, facility_id__in=scope, period_start__gte=min(starts)
        )
        .filter(period_start__lte=max(starts))
        .select_related("batch", "entered_by")
        .order_by("period_start", "facility_id")
    ):
        measured[row.period_start][row.facility_id] = row
    rows = []
    for point in points:
        by_facility = measured.get(point.period_start, {})
        own = by_facility.get(facility.pk)
        used = [own] if own is not None else list(by_facility.values())
        rows.append(
            TableRow(
                point=point,
                signals=tuple(spc.Signal.from_dict(s) for s in point.signals),
                sources=_sources(used),
                facilities=len(used),
            )
        )
    return rows


def metric_page(
    *, metric_id: int, facility_id: int | None = None, preset: str | None = None
) -> MetricPage:
    """A metric's page at `facility_id` (the whole system by default) under `preset` (the
    metric's own by default). Http404 for no such metric, or a facility the metric has no
    roll-up for.

    Queries, whatever the sizes: the metric and its 6 prefetches (system roll-up,
    priorities, links with initiatives and benefit lines, balancing metrics, targets,
    annotations); the facility tree; the facilities with a roll-up of the metric; the
    series, its points, its targets, its annotations and its go-lives (series_view); the
    measurements behind the points. A recomputed analysis under another preset queries
    nothing more."""
    metric = metric_detail(metric_id=metric_id)
    parents = dict(Facility.objects.values_list("pk", "parent_id"))
    charted = [
        series.facility
        for series in RollupSeries.objects.filter(metric=metric).select_related("facility")
    ]
    facilities = sorted(charted, key=lambda f: _facility_order(f, parents))
    wanted = spc.RulePreset(preset or metric.rule_preset)
    if facility_id is None:
        facility = facilities[0] if facilities else None
    else:
        facility = next((f for f in facilities if f.pk == facility_id), None)
        if facility is None:
            raise Http404("This metric has no figures for that facility.")
    if facility is None:
        return MetricPage(metric, None, [], None, None, wanted)
    view = series_view(metric=metric, facility=facility)
    analysis = spc_analysis(metric=metric, facility=facility, preset=wanted, view=view)
    rows = _table(metric, facility, view.points, parents)
    return MetricPage(metric, facility, facilities, view, analysis, wanted, rows)
