"""Reads of metrics, shaped for pages and the API: the catalogue with each metric's
system-level roll-up, one metric in full, a facility's stored series with its timeline marks
and target, the SPC analysis read from the stored roll-ups (or recomputed from their
aggregates under another rule preset), measurements, and what waits on whom.

Every read makes a fixed number of queries, whatever the number of metrics or points.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from informatics.choices import FacilityKind, Role
from informatics.models import Facility, User
from informatics.selectors import NEEDS_ME_LIMIT, NeedsMe, NeedsMeItem
from informatics.services import site_today
from initiatives.models import Initiative
from metrics import spc
from metrics.choices import AnnotationKind, Variation
from metrics.models import (
    Annotation,
    Measurement,
    Metric,
    MetricInitiative,
    RollupPoint,
    RollupSeries,
    Target,
    ValueBasis,
)
from metrics.periods import due_period_end, next_period_end
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


def metric_url(metric: Metric) -> str:
    return reverse("metrics:metric-detail", args=[metric.pk])


def initiative_url(initiative_id: int) -> str:
    return reverse("initiatives:initiative-detail", args=[initiative_id])


# --- Catalogue ------------------------------------------------------------------------------


def _system_rollups() -> Prefetch:
    """The roll-up at the top of the facility tree (the whole system), as `system_rollups`
    (a list of at most one)."""
    return Prefetch(
        "rollups",
        queryset=RollupSeries.objects.filter(facility__parent__isnull=True)
        .select_related("facility")
        .order_by("facility_id"),
        to_attr="system_rollups",
    )


def system_rollup(metric: Metric) -> RollupSeries | None:
    """The system-level roll-up prefetched by `metric_list` or `metric_detail`."""
    rows: list[RollupSeries] = getattr(metric, "system_rollups", [])
    return rows[0] if rows else None


def metric_list(
    *, user: User | None = None, params: Mapping[str, Any] | None = None
) -> QuerySet[Metric]:
    """The catalogue by code, with owners, priorities and each metric's system-level roll-up
    (`system_rollup(metric)`), narrowed by `params` (query parameters of MetricFilter; "mine"
    reads `user`). Three queries whatever the number of metrics: the metrics with their
    owners, their system roll-ups, their priorities."""
    from metrics.filters import MetricFilter

    rows = (
        Metric.objects.select_related("owner")
        .prefetch_related(_system_rollups(), "priorities")
        .order_by("code", "id")
    )
    if params:
        rows = MetricFilter(data=params, queryset=rows, user=user).qs
    return rows


def value_basis_of(metric: Metric) -> ValueBasis | None:
    """The metric's value basis, if it has one (joined by `metric_detail`: no query)."""
    try:
        return metric.value_basis
    except ObjectDoesNotExist:
        return None


def metric_detail(*, metric_id: int) -> Metric:
    """One metric with its owner, value basis, priorities, attribution links (their initiatives and
    benefit lines), balancing metrics, targets and annotations (with facilities and authors)
    and system-level roll-up. Http404 when there is none."""
    metric = (
        Metric.objects.filter(pk=metric_id)
        .select_related("owner", "value_basis")
        .prefetch_related(
            _system_rollups(),
            "priorities",
            Prefetch(
                "links",
                queryset=MetricInitiative.objects.select_related(
                    "initiative", "benefit_line"
                ).order_by("-share", "initiative_id"),
            ),
            Prefetch("balancing_metrics", queryset=Metric.objects.order_by("code")),
            Prefetch(
                "targets",
                queryset=Target.objects.select_related("facility").order_by("due_date", "id"),
            ),
            Prefetch(
                "annotations",
                queryset=Annotation.objects.select_related("facility", "created_by").order_by(
                    "date", "id"
                ),
            ),
        )
        .first()
    )
    if metric is None:
        raise Http404("No such metric.")
    return metric


def system_facility() -> Facility | None:
    """The health system at the top of the facility tree (the first, should there be more)."""
    return (
        Facility.objects.filter(parent__isnull=True, kind=FacilityKind.SYSTEM)
        .order_by("pk")
        .first()
    )


# --- Series ---------------------------------------------------------------------------------


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


# --- Measurements ---------------------------------------------------------------------------


def measurement_list(
    *, user: User | None = None, params: Mapping[str, Any] | None = None
) -> QuerySet[Measurement]:
    """Measurements by metric, facility and period, with their import batch and who entered
    them, narrowed by `params` (query parameters of MeasurementFilter). One query whatever
    the number of rows. Every signed-in user reads every measurement (`user` is for callers
    that narrow by reader in the future)."""
    from metrics.filters import MeasurementFilter

    rows = Measurement.objects.select_related("metric", "facility", "batch", "entered_by").order_by(
        "metric__code", "facility__code", "period_start", "id"
    )
    if params:
        rows = MeasurementFilter(data=params, queryset=rows).qs
    return rows


# --- Needs me -------------------------------------------------------------------------------


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def needs_me_links() -> dict[str, str]:
    """Where the full list of each metrics needs-me kind is (the catalogue, filtered)."""
    catalogue = reverse("metrics:metric-list")
    return {
        "Metric data overdue": f"{catalogue}?mine=true&is_active=true",
        "Special-cause concern": f"{catalogue}?variation={Variation.CONCERN}&is_active=true",
    }


def needs_me_for(user: User) -> NeedsMe:
    """What waits on `user` in metrics, oldest first, in one query for every signed-in user,
    at most NEEDS_ME_LIMIT items of each kind (the oldest), with each kind's total:

    - a metric's owner: "Metric data overdue" when the metric (active) has no data for the
      latest period that should be complete by now (its frequency plus its data lag; survey
      waves have no schedule), waiting since the first missing period's data became due (or
      since the metric was created, when it has no data at all);
    - the CMIO: "Special-cause concern" for each active metric whose system-level series'
      latest complete point is a special-cause concern, since the variation turned so (the
      oldest NEEDS_ME_LIMIT only are read, and the total is counted in the same query).

    Whether an owner's metric is overdue depends on its schedule, so the owner's metrics
    (a handful each: the catalogue's size at most) are read and their items counted here.
    """
    if not user.is_authenticated or not user.is_active or not user.roles:
        return NeedsMe()
    is_cmio = Role.CMIO in user.roles
    latest_end = (
        Measurement.objects.filter(metric=OuterRef("pk"))
        .order_by("-period_end")
        .values("period_end")[:1]
    )
    concern = RollupSeries.objects.filter(
        metric=OuterRef("pk"), facility__parent__isnull=True, variation=Variation.CONCERN
    ).order_by("facility_id")
    wanted = Q(owner=user)
    if is_cmio:
        wanted |= Q(Exists(concern))
    is_owned = Case(When(owner=user, then=Value(True)), default=Value(False))
    rows = (
        Metric.objects.filter(wanted, is_active=True)
        .annotate(
            latest_end=Subquery(latest_end),
            is_concern=Exists(concern),
            concern_since=Subquery(concern.values("variation_changed_at")[:1]),
            concern_period=Subquery(concern.values("latest_period")[:1]),
            is_owned=is_owned,
        )
        .annotate(
            concern_rank=Window(
                RowNumber(),
                partition_by=[F("is_concern")],
                order_by=[Coalesce("concern_since", "created_at").asc(), F("id").asc()],
            ),
            concern_total=Window(Count("pk"), partition_by=[F("is_concern")]),
            # Every owned metric is read (see above): owned ones rank first, up to their count.
            owned_rank=Window(RowNumber(), order_by=[F("is_owned").desc(), F("id").asc()]),
            owned_count=Window(Sum(Case(When(owner=user, then=1), default=0))),
        )
        .filter(Q(concern_rank__lte=NEEDS_ME_LIMIT) | Q(owned_rank__lte=F("owned_count")))
        .only("pk", "code", "name", "owner_id", "frequency", "data_lag_days", "created_at")
        .order_by("pk")
    )
    today = timezone.localdate()
    items: list[NeedsMeItem] = []
    totals: dict[str, int] = {}
    for row in rows:
        title, url = f"{row.code} {row.name}", metric_url(row)
        due_end = due_period_end(row.frequency, row.data_lag_days, today)
        latest: datetime.date | None = getattr(row, "latest_end", None)
        if row.owner_id == user.pk and due_end is not None and (latest is None or latest < due_end):
            if latest is None:
                since, detail = row.created_at, "No measurements yet."
            else:
                missing_end = next_period_end(row.frequency, latest) or due_end
                lag = datetime.timedelta(days=row.data_lag_days + 1)
                since = _midnight(missing_end + lag)
                detail = f"Data through {latest:%Y-%m-%d}; expected through {due_end:%Y-%m-%d}."
            items.append(
                NeedsMeItem(
                    kind="Metric data overdue",
                    title=title,
                    url=url,
                    since=since,
                    due=since,
                    detail=detail,
                )
            )
        if is_cmio and getattr(row, "is_concern", False):
            totals["Special-cause concern"] = row.concern_total
            if row.concern_rank > NEEDS_ME_LIMIT:
                continue
            period: datetime.date | None = getattr(row, "concern_period", None)
            detail = "The latest system-level point is a special-cause concern"
            detail += f" (period from {period:%Y-%m-%d})." if period else "."
            items.append(
                NeedsMeItem(
                    kind="Special-cause concern",
                    title=title,
                    url=url,
                    since=getattr(row, "concern_since", None) or row.created_at,
                    detail=detail,
                )
            )
    overdue = sorted(
        (item for item in items if item.kind == "Metric data overdue"), key=lambda i: i.since
    )
    totals["Metric data overdue"] = len(overdue)
    dropped = {id(item) for item in overdue[NEEDS_ME_LIMIT:]}
    kept = [item for item in items if id(item) not in dropped]
    return NeedsMe(sorted(kept, key=lambda item: item.since), totals=totals, links=needs_me_links())
