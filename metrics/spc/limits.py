"""Centre lines and control limits (DOMAIN.md §3): ``compute_limits`` for run, XmR, p, u,
c and Laney p′/u′ charts, from a baseline that can freeze after k points, with rebasing at
recorded process changes.

Conventions
-----------
* ``compute_limits`` returns one ``LimitPoint`` per input point, in order; it ignores
  ``Point.complete`` (``analyse`` keeps incomplete points out of baselines).
* Segments: ``rebase_at`` lists the indices at which a new segment starts (index ``i`` means
  point ``i`` is the first point of the new segment). Each segment is computed exactly as if it
  were the whole series; ``LimitPoint.segment`` numbers segments from 0.
* Baseline: with ``baseline_points=k`` the centre and the spread of each segment are estimated
  from that segment's first ``k`` points only and applied to every point of the segment, so
  points arriving later never move the limits. Without it every point of the segment is used.
* Limits are returned when the baseline has two or more points; with a single point the centre
  is that point and the limits are ``None``. ``insufficient_data`` is a separate flag, set when
  the baseline has fewer than ``MIN_POINTS_FOR_RELIABLE_LIMITS`` (12) points.
* Attribute charts (p, u, Laney p′/u′) read ``numerator`` and ``denominator`` and work in
  proportion/rate units (numerator ÷ denominator, no multiplier); ``value`` is ignored for them.
  Run, XmR and c charts read ``value``.
* ``sigma`` is the one-sigma width of the point's limits before clipping (the limits are
  ``centre ± 3·sigma``), for zone rules; it is ``None`` for run charts and when limits are ``None``.

Constants
---------
XmR limits use **2.66** (``XMR_LIMIT_FACTOR``), the NHS "Making Data Count" constant; it is
3/d₂ rounded, with d₂ = 1.128 the bias-correction constant for moving ranges of two points
(3/1.128 = 2.6596). The moving-range chart's upper limit uses **3.267** (``MR_UCL_FACTOR``,
D₄ for n = 2), which is also the outlier-screening threshold. Laney's σz divides the mean
moving range of the z-scores by d₂ = 1.128 (``D2``).

"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import NamedTuple

D2 = 1.128
"""d₂ for subgroups of two: the mean moving range divided by d₂ estimates σ."""

XMR_LIMIT_FACTOR = 2.66
"""XmR natural process limits: mean ± 2.66·mean(MR) (2.66 ≈ 3/1.128 = 2.6596)."""

MR_UCL_FACTOR = 3.267
"""D₄ for n = 2: the moving-range chart's UCL and the outlier-screening threshold."""

SIGMA_MULTIPLIER = 3.0
"""Shewhart limits sit three sigma either side of the centre."""

MIN_POINTS_FOR_LIMITS = 2
"""Limits are returned for a baseline of this many points or more."""

MIN_POINTS_FOR_RELIABLE_LIMITS = 12
"""Below this many baseline points a chart is labelled "insufficient data"."""


class ChartType(StrEnum):
    RUN = "run"
    XMR = "xmr"
    P = "p"
    U = "u"
    C = "c"
    LANEY_P = "laney_p"
    LANEY_U = "laney_u"
    SURVEY = "survey"
    CUMULATIVE = "cumulative"


type _SigmaFunction = Callable[[float, float], float]
"""σᵢ of a subgroup from the centre and the subgroup size."""

ATTRIBUTE_CHARTS = frozenset({ChartType.P, ChartType.U, ChartType.LANEY_P, ChartType.LANEY_U})
PROPORTION_CHARTS = frozenset({ChartType.P, ChartType.LANEY_P})
"""Attribute charts whose numerator counts a subset of the denominator (at most 1 as a rate)."""


class Point(NamedTuple):
    """One observation: ``value`` for run/XmR/c charts, numerator/denominator for p/u/Laney.
    A named tuple, as `AnalysedPoint`: a roll-up makes one per period of every series, and
    a tuple is the cheapest immutable record to make."""

    value: float
    numerator: float | None = None
    denominator: float | None = None
    complete: bool = True
    """False for a period whose data are still arriving; such points must be trailing."""


class LimitPoint(NamedTuple):
    """Centre and limits that apply to one point of the series (a named tuple, as `Point`)."""

    centre: float
    lower: float | None
    upper: float | None
    segment: int
    sigma: float | None = None
    mr_centre: float | None = None
    """XmR only: the mean moving range (after screening when it is on)."""
    mr_upper: float | None = None
    """XmR only: the moving-range chart's UCL, 3.267·mean(MR)."""
    baseline_size: int = 0
    """How many points the centre and limits were estimated from."""
    insufficient_data: bool = True
    """True when the baseline has fewer than 12 points (limits are still returned from 2)."""


def moving_ranges(values: Sequence[float]) -> list[float]:
    """MRᵢ = |xᵢ − xᵢ₋₁| for i ≥ 1."""
    return [abs(b - a) for a, b in itertools.pairwise(values)]


def segment_bounds(length: int, rebase_at: Sequence[int] = ()) -> list[tuple[int, int]]:
    """Half-open (start, stop) ranges of the segments of a series of ``length`` points."""
    starts = sorted(set(rebase_at))
    for index in starts:
        if not 0 < index < length:
            raise ValueError(f"rebase index {index} is outside 1..{length - 1}")
    edges = [0, *starts, length]
    return [(edges[i], edges[i + 1]) for i in range(len(edges) - 1)] if length else []


def compute_limits(
    chart: ChartType,
    points: Sequence[Point],
    *,
    baseline_points: int | None = None,
    rebase_at: Sequence[int] = (),
    screen_outliers: bool = False,
) -> list[LimitPoint]:
    """Centre and limits for every point; see the module docstring for the conventions.

    ``screen_outliers`` applies to XmR charts only (other chart types ignore it): moving ranges
    above 3.267·mean(MR) are dropped once and the mean moving range is recomputed from the rest.
    """
    chart = ChartType(chart)
    if chart in (ChartType.SURVEY, ChartType.CUMULATIVE):
        raise ValueError(f"a {chart} chart has no control limits")
    if baseline_points is not None and baseline_points < 1:
        raise ValueError("baseline_points must be at least 1")
    check_points(chart, points)
    result: list[LimitPoint] = []
    for segment, (start, stop) in enumerate(segment_bounds(len(points), rebase_at)):
        seg = points[start:stop]
        k = len(seg) if baseline_points is None else min(baseline_points, len(seg))
        result.extend(segment_limits(chart, seg, seg[:k], segment, screen_outliers))
    return result


def check_points(chart: ChartType, points: Sequence[Point]) -> None:
    """Refuse, with a ValueError naming the point, what `chart` cannot read: an attribute chart's
    missing, negative or (for a proportion) inconsistent counts; a value that is not finite; a
    negative count on a c chart."""
    for i, point in enumerate(points):
        if chart in ATTRIBUTE_CHARTS:
            if point.numerator is None or point.denominator is None:
                raise ValueError(f"point {i}: a {chart} chart needs a numerator and denominator")
            if point.denominator <= 0:
                raise ValueError(f"point {i}: the denominator must be positive")
            if point.numerator < 0:
                raise ValueError(f"point {i}: the numerator must not be negative")
            if chart in PROPORTION_CHARTS and point.numerator > point.denominator:
                raise ValueError(f"point {i}: a proportion's numerator exceeds its denominator")
        elif not math.isfinite(point.value):
            raise ValueError(f"point {i}: the value must be a finite number")
        elif chart is ChartType.C and point.value < 0:
            raise ValueError(f"point {i}: a count must not be negative")


def _rate(point: Point) -> float:
    assert point.numerator is not None
    assert point.denominator is not None
    return point.numerator / point.denominator


def _denominator(point: Point) -> float:
    assert point.denominator is not None
    return point.denominator


def _pooled_rate(points: Sequence[Point]) -> float:
    """p̄ = Σd/Σn (or ū = Σc/Σn)."""
    return sum(p.numerator or 0.0 for p in points) / sum(_denominator(p) for p in points)


def _binomial_sigma(centre: float, n: float) -> float:
    return math.sqrt(centre * (1.0 - centre) / n)


def _poisson_sigma(centre: float, n: float) -> float:
    return math.sqrt(centre / n)


def segment_limits(
    chart: ChartType,
    segment_points: Sequence[Point],
    baseline: Sequence[Point],
    segment: int,
    screen_outliers: bool,
) -> list[LimitPoint]:
    """The `LimitPoint`s of one segment's points (numbered `segment`), their centre and spread
    estimated from `baseline` (the segment's first k points, or all of them)."""
    size = len(baseline)
    insufficient = size < MIN_POINTS_FOR_RELIABLE_LIMITS
    has_limits = size >= MIN_POINTS_FOR_LIMITS

    def make(
        centre: float,
        sigma: float | None,
        *,
        floor: float | None = None,
        ceiling: float | None = None,
        mr_centre: float | None = None,
        mr_upper: float | None = None,
    ) -> LimitPoint:
        lower = upper = None
        if sigma is not None:
            lower = centre - SIGMA_MULTIPLIER * sigma
            upper = centre + SIGMA_MULTIPLIER * sigma
            if floor is not None:
                lower = max(lower, floor)
            if ceiling is not None:
                upper = min(upper, ceiling)
        return LimitPoint(
            centre=centre,
            lower=lower,
            upper=upper,
            segment=segment,
            sigma=sigma,
            mr_centre=mr_centre,
            mr_upper=mr_upper,
            baseline_size=size,
            insufficient_data=insufficient,
        )

    count = len(segment_points)
    # Every point of a run, XmR or c chart's segment shares one (immutable) LimitPoint.
    if chart is ChartType.RUN:
        median = statistics.median(p.value for p in baseline)
        return [make(median, None)] * count

    if chart is ChartType.XMR:
        mean = statistics.fmean(p.value for p in baseline)
        if not has_limits:
            return [make(mean, None)] * count
        mr_bar = _mean_moving_range([p.value for p in baseline], screen_outliers)
        sigma = XMR_LIMIT_FACTOR * mr_bar / SIGMA_MULTIPLIER
        mr_upper = MR_UCL_FACTOR * mr_bar
        return [make(mean, sigma, mr_centre=mr_bar, mr_upper=mr_upper)] * count

    if chart is ChartType.C:
        c_bar = statistics.fmean(p.value for p in baseline)
        sigma_c = math.sqrt(c_bar) if has_limits else None
        return [make(c_bar, sigma_c, floor=0.0)] * count

    # Attribute charts with a subgroup size per point.
    centre = _pooled_rate(baseline)
    proportion = chart in PROPORTION_CHARTS
    ceiling = 1.0 if proportion else None
    sigma_of = _binomial_sigma if proportion else _poisson_sigma
    if not has_limits:
        return [make(centre, None, floor=0.0, ceiling=ceiling)] * count

    sigma_z = 1.0
    if chart in (ChartType.LANEY_P, ChartType.LANEY_U):
        sigma_z = _laney_sigma_z(baseline, centre, sigma_of)
    return [
        make(
            centre,
            sigma_of(centre, _denominator(p)) * sigma_z,
            floor=0.0,
            ceiling=ceiling,
        )
        for p in segment_points
    ]


def _mean_moving_range(values: Sequence[float], screen_outliers: bool) -> float:
    ranges = moving_ranges(values)
    mr_bar = statistics.fmean(ranges)
    if screen_outliers:
        threshold = MR_UCL_FACTOR * mr_bar
        kept = [mr for mr in ranges if mr <= threshold]
        if kept:
            mr_bar = statistics.fmean(kept)
    return mr_bar


def _laney_sigma_z(
    baseline: Sequence[Point],
    centre: float,
    sigma_of: _SigmaFunction,
) -> float:
    """σz = mean|zᵢ − zᵢ₋₁| / 1.128 with zᵢ = (pᵢ − p̄)/σᵢ (z is 0 where σᵢ is 0)."""
    z_scores: list[float] = []
    for point in baseline:
        sigma_i = sigma_of(centre, _denominator(point))
        z_scores.append((_rate(point) - centre) / sigma_i if sigma_i > 0 else 0.0)
    return statistics.fmean(moving_ranges(z_scores)) / D2
