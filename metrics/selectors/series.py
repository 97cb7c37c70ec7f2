"""Reads of a metric's series: a facility's stored roll-up with its timeline marks and target,
and the SPC analysis read from the stored roll-ups (or recomputed from their aggregates under
another rule preset). A fixed number of queries whatever the number of points."""

import datetime
from dataclasses import dataclass

from django.db.models import Q

from informatics.models import Facility
from informatics.services import site_today
from initiatives.models import Initiative
from metrics import spc
from metrics.choices import AnnotationKind
from metrics.models import Annotation, Metric, RollupPoint, RollupSeries, Target
from metrics.selectors.catalogue import initiative_url
from metrics.targets import applicable_target

# Kinds of TimelineMark: go-lives come from linked initiatives, the rest from annotations.
GO_LIVE = "go_live"
MARK_KINDS = (GO_LIVE, AnnotationKind.PDSA, AnnotationKind.REBASE, AnnotationKind.NOTE)
# Charts without rules: another preset changes nothing but the preset's name.
RULELESS_CHARTS = frozenset({spc.ChartType.SURVEY, spc.ChartType.CUMULATIVE})


@dataclass(frozen=True)
class TimelineMark:
    """A dated event on a metric's chart: an initiative's go-live (never a rebase by itself),
    a PDSA test, a rebase or a note."""

    date: datetime.date
    kind: str  # "go_live" | "pdsa" | "rebase" | "note"
    label: str
    url: str  # the initiative's page for a go-live; "" for annotations


@dataclass(frozen=True)
class SeriesView:
    """One metric at one facility, as stored by the roll-up job: the series (None until the
    facility has figures), its points by period, the timeline marks, the applicable target
    and the date its data is complete through."""

    metric: Metric
    facility: Facility
    series: RollupSeries | None
    points: list[RollupPoint]
    marks: list[TimelineMark]
    target: Target | None
    data_through: datetime.date | None


def timeline_marks(*, metric: Metric, facility: Facility) -> list[TimelineMark]:
    """Go-lives of the linked initiatives and the annotations for every facility or this one,
    by date: two queries."""
    marks = [
        TimelineMark(
            date=row.date,
            kind=row.kind,
            label=f"{row.label} (rebase: {row.reason})"
            if row.kind == AnnotationKind.REBASE
            else row.label,
            url="",
        )
        for row in Annotation.objects.filter(metric=metric)
        .filter(Q(facility__isnull=True) | Q(facility=facility))
        .order_by("date", "id")
    ]
    go_lives = (
        Initiative.objects.filter(metric_links__metric=metric, go_live_date__isnull=False)
        .order_by("go_live_date", "id")
        .values_list("pk", "title", "go_live_date")
    )
    marks += [
        TimelineMark(date=day, kind=GO_LIVE, label=f"Go-live: {title}", url=initiative_url(pk))
        for pk, title, day in go_lives
        if day is not None
    ]
    return sorted(marks, key=lambda mark: (mark.date, MARK_KINDS.index(mark.kind)))


def _stored(metric: Metric, facility: Facility) -> tuple[RollupSeries | None, list[RollupPoint]]:
    series = RollupSeries.objects.filter(metric=metric, facility=facility).first()
    if series is None:
        return None, []
    return series, list(RollupPoint.objects.filter(series=series).order_by("period_start"))


def series_view(*, metric: Metric, facility: Facility, with_marks: bool = True) -> SeriesView:
    """The stored series of `metric` at `facility` with its points, timeline marks (unless
    `with_marks` is False) and applicable target on the site's today (the roll-up job's rule
    and day: `metrics.targets.applicable_target`). Five queries whatever the number of points
    (three without marks): the series, its points, the targets, the annotations, the
    linked initiatives' go-lives."""
    series, points = _stored(metric, facility)
    targets = list(
        Target.objects.filter(metric=metric)
        .filter(Q(facility__isnull=True) | Q(facility=facility))
        .order_by("due_date", "id")
    )
    return SeriesView(
        metric=metric,
        facility=facility,
        series=series,
        points=points,
        marks=timeline_marks(metric=metric, facility=facility) if with_marks else [],
        target=applicable_target(targets, facility_id=facility.pk, today=site_today()),
        data_through=series.data_through if series else None,
    )


def _analysed(point: RollupPoint) -> spc.AnalysedPoint:
    return spc.AnalysedPoint(
        value=point.value,
        centre=point.centre,
        lower=point.lower,
        upper=point.upper,
        segment=point.segment,
        signals=tuple(spc.Signal.from_dict(signal) for signal in point.signals),
        complete=point.complete,
    )


def _stored_analysis(
    series: RollupSeries, points: list[RollupPoint], preset: spc.RulePreset
) -> spc.Analysis:
    """The analysis as the roll-up job stored it (the one place a latest point is
    classified); baseline and current values follow the engine's definitions."""
    chart = spc.ChartType(series.chart_type)
    analysed = tuple(_analysed(point) for point in points)
    complete = [point for point in analysed if point.complete]
    baseline: float | None = None
    if chart is spc.ChartType.CUMULATIVE:
        baseline = 0.0
    elif complete:
        baseline = complete[0].value if chart is spc.ChartType.SURVEY else analysed[0].centre
    return spc.Analysis(
        chart=chart,
        preset=preset,
        points=analysed,
        variation=spc.Variation(series.variation) if series.variation else None,
        assurance=spc.Assurance(series.assurance) if series.assurance else None,
        progress=series.progress,
        baseline_value=baseline,
        current_value=series.latest_value,
        insufficient_data=series.insufficient_data,
    )


def _recomputed(
    metric: Metric, series: RollupSeries, points: list[RollupPoint], preset: spc.RulePreset
) -> spc.Analysis:
    """The stored aggregates analysed under another preset. The segments stored are the
    rebases in effect, so no annotation is read again; the target is the stored one."""
    rebase_at = [i for i in range(1, len(points)) if points[i].segment != points[i - 1].segment]
    return spc.analyse(
        spc.ChartType(series.chart_type),
        [
            spc.Point(
                value=point.value,
                numerator=point.numerator,
                denominator=point.denominator,
                complete=point.complete,
            )
            for point in points
        ],
        preset=preset,
        direction=spc.Direction(metric.direction),
        multiplier=float(metric.multiplier),
        target=series.target_value,
        baseline_points=metric.baseline_points,
        rebase_at=rebase_at,
        screen_outliers=metric.screen_outliers,
    )


def spc_analysis(
    *,
    metric: Metric,
    facility: Facility,
    preset: str | None = None,
    view: SeriesView | None = None,
) -> spc.Analysis:
    """The SPC analysis of `metric` at `facility` under `preset` (the metric's own when
    None): read from the stored roll-up when it was computed under that preset, otherwise
    recomputed by the engine from the stored aggregates. Pass the `view` already read to
    make no query at all; otherwise two (the series, its points), whatever their number.

    Until the roll-up job has run after a change of chart type, the stored analysis is
    returned as it is."""
    wanted = spc.RulePreset(preset or metric.rule_preset)
    if view is not None:
        series, points = view.series, view.points
    else:
        series, points = _stored(metric, facility)
    if series is None or not points:
        return spc.Analysis(
            chart=spc.ChartType(metric.chart_type),
            preset=wanted,
            points=(),
            variation=None,
            assurance=None,
            progress=None,
            baseline_value=None,
            current_value=None,
            insufficient_data=True,
        )
    chart = spc.ChartType(series.chart_type)
    if (
        series.rule_preset == wanted
        or chart in RULELESS_CHARTS
        or series.chart_type != metric.chart_type
    ):
        return _stored_analysis(series, points, wanted)
    return _recomputed(metric, series, points, wanted)
