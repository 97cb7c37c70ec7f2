"""Statistical process control (pure Python, no Django): limits, rules and classification.

The SPC engine of DOMAIN.md §3. ``compute_limits`` gives the centre line and control limits of
a run chart, an XmR chart, p, u and c charts and Laney's p′ and u′ charts, from a baseline that
can freeze after k points and with rebasing at recorded process changes. ``analyse`` adds the
rule presets (IHI, Anhøj, Western Electric, NHS Making Data Count), per-point signals, the
classification of the latest complete point, assurance against a target and progress, and
handles survey waves (confidence intervals) and cumulative charts (running totals).

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

Analysis (``analyse``)
----------------------
* Display units: ``AnalysedPoint.value``, centre and limits are rate × ``multiplier`` for p, u,
  p′ and u′ charts and the point's ``value`` for run, XmR and c charts.
* Incomplete points (``Point.complete`` False) must trail the series. They take the last
  segment's centre and limits (a p or u chart still uses their own denominator), never enter
  a baseline or a rule, carry no signals and are never classified. A rebase index that falls
  on an incomplete point is ignored until that point is complete.
* Rules run per segment over its complete points, against that segment's centre: the median
  on a run chart, the mean (or p̄, ū) otherwise; zone rules use ``LimitPoint.sigma`` of each
  point. Comparisons are strict: a point exactly on the centre is on neither side (it neither
  counts towards nor breaks a run, for every preset), a point exactly on a limit or a zone
  boundary is not beyond it. In a trend, equal neighbours count once (for every preset).
* Which points a rule flags: ``beyond_limits`` and ``astronomical`` the point itself; run rules
  (``shift``, ``longest_run``, ``eight_side``, ``seven_side``) every counted point of the run
  (not the points on the centre inside it); trend rules (``trend``, ``seven_trend``) every
  point of the rising or falling stretch, equal neighbours included; zone rules
  (``two_of_three``, ``four_of_five``) the points of the window beyond the zone on the
  window's side; whole-segment rules (``runs``, ``crossings``) every complete point of the
  segment, with no side. Sides: "up" above the centre or rising, "down" below or falling.
* Presets (``PRESET_RULES``); a chart with limits also gets ``beyond_limits`` under every
  preset (as qicharts2 shows Anhøj rules plus points outside the limits):
  - IHI (Provost & Murray, The Health Care Data Guide; Perla, Provost & Murray, BMJ Qual Saf
    2011;20:46–51): ``shift`` 6+ points on one side of the median; ``trend`` 5+ points rising
    or falling; ``runs`` too few or too many runs for the useful points (not on the centre),
    from the exact distribution of the number of runs given the counts above and below (Swed
    & Eisenhart, Ann. Math. Statist. 1943;14:66–87) at a two-sided 5% level (``runs_limits``),
    defined for every number and split of useful points (reprinted look-up tables for this rule
    can differ from the exact test by one run at some n: for 16 points split 8/8 the exact
    range is 5…13 runs, a commonly reprinted table gives 5…12);
    ``astronomical`` (run charts only): a point outside the natural process limits that an XmR
    chart of the same segment's baseline would draw with outlier screening on (mean ±
    2.66·MR̄, moving ranges above 3.267·MR̄ dropped), i.e. blatantly outside the process's
    own point-to-point variation.
  - Anhøj (qicharts2): ``longest_run`` a run longer than round(log₂ n + 3); ``crossings`` fewer
    crossings than the 5th percentile of Binomial(n − 1, ½); n = useful points.
  - Western Electric: ``beyond_limits``; ``two_of_three`` beyond 2σ on one side;
    ``four_of_five`` beyond 1σ on one side; ``eight_side`` 8 in a row on one side.
  - NHS Making Data Count: ``beyond_limits``; ``seven_side``; ``seven_trend``; ``two_of_three``.
  On a run chart (no σ) only the run and trend rules of a preset apply.
* Variation of the latest complete point: common cause without signals; with signals, neutral
  when the metric has no better direction or no signal has a side, otherwise concern when any
  signal is on the bad side, else improvement.
* Assurance from the latest complete point's limits against the target: the whole process on
  the good side of the target (higher is better and target < lower limit; lower is better and
  target > upper limit) → pass; wholly on the bad side → fail; a target between the limits (or
  on one) → hit and miss. None without a target, limits or a better direction.
* progress = (current − baseline) ÷ (target − baseline): baseline = the first segment's centre,
  current = the latest complete value. ``insufficient_data``: the latest segment's baseline has
  fewer than 12 complete points.
* Survey waves: no centre, limits or rules; lower/upper are the 95% confidence interval —
  Wilson's score interval for numerator ÷ denominator (× multiplier), or for a net score given
  without a numerator value ± 1.96·multiplier·√((1 − s²)/n), s = value ÷ multiplier,
  n = denominator (the conservative normal approximation, assuming no neutral answers).
  Baseline for progress: the first wave's value. Variation, assurance None.
* Cumulative: value = running total over the whole series (rebases do not restart it); no
  centre, limits or rules; baseline for progress 0 (a running total starts from nothing).
"""

from __future__ import annotations

import functools
import itertools
import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

__all__ = [
    "D2",
    "MIN_POINTS_FOR_LIMITS",
    "MIN_POINTS_FOR_RELIABLE_LIMITS",
    "MR_UCL_FACTOR",
    "PRESET_RULES",
    "RULE_LABELS",
    "XMR_LIMIT_FACTOR",
    "AnalysedPoint",
    "Analysis",
    "Assurance",
    "ChartType",
    "Direction",
    "LimitPoint",
    "Point",
    "Rule",
    "RulePreset",
    "Signal",
    "Variation",
    "analyse",
    "anhoj_crossings_limit",
    "anhoj_longest_run_limit",
    "compute_limits",
    "moving_ranges",
    "net_score_interval",
    "runs_limits",
    "segment_bounds",
    "wilson_interval",
]

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
    _validate(chart, points)
    result: list[LimitPoint] = []
    for segment, (start, stop) in enumerate(segment_bounds(len(points), rebase_at)):
        seg = points[start:stop]
        k = len(seg) if baseline_points is None else min(baseline_points, len(seg))
        result.extend(_segment_limits(chart, seg, seg[:k], segment, screen_outliers))
    return result


def _validate(chart: ChartType, points: Sequence[Point]) -> None:
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


def _segment_limits(
    chart: ChartType,
    segment_points: Sequence[Point],
    baseline: Sequence[Point],
    segment: int,
    screen_outliers: bool,
) -> list[LimitPoint]:
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


# --- Rules, classification and analysis ------------------------------------------------------

Z_95 = 1.96
"""Two-sided 95% normal quantile, for survey confidence intervals."""

UP = "up"
DOWN = "down"

IHI_SHIFT_LENGTH = 6
IHI_TREND_LENGTH = 5
RUNS_ALPHA = 0.05
"""Two-sided level of the IHI too-few/too-many-runs test (α/2 in each tail)."""
ANHOJ_CROSSINGS_QUANTILE = 0.05
WE_RUN_LENGTH = 8
MDC_RUN_LENGTH = 7
MDC_TREND_LENGTH = 7


class RulePreset(StrEnum):
    IHI = "ihi"
    ANHOJ = "anhoj"
    WESTERN_ELECTRIC = "western_electric"
    MDC = "mdc"


class Direction(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"
    NONE = "none"


class Variation(StrEnum):
    COMMON_CAUSE = "common_cause"
    IMPROVEMENT = "improvement"
    CONCERN = "concern"
    NEUTRAL = "neutral"


class Assurance(StrEnum):
    PASS = "pass"  # noqa: S105 - an assurance code, not a password
    FAIL = "fail"
    HIT_AND_MISS = "hit_and_miss"


class Rule(StrEnum):
    BEYOND_LIMITS = "beyond_limits"
    ASTRONOMICAL = "astronomical"
    SHIFT = "shift"
    TREND = "trend"
    RUNS = "runs"
    LONGEST_RUN = "longest_run"
    CROSSINGS = "crossings"
    TWO_OF_THREE = "two_of_three"
    FOUR_OF_FIVE = "four_of_five"
    EIGHT_SIDE = "eight_side"
    SEVEN_SIDE = "seven_side"
    SEVEN_TREND = "seven_trend"


RULE_LABELS: dict[Rule, str] = {
    Rule.BEYOND_LIMITS: "Point outside the control limits",
    Rule.ASTRONOMICAL: "Astronomical point",
    Rule.SHIFT: "Shift: 6 or more points on one side of the median",
    Rule.TREND: "Trend: 5 or more points rising or falling",
    Rule.RUNS: "Too few or too many runs",
    Rule.LONGEST_RUN: "Unusually long run on one side of the centre line",
    Rule.CROSSINGS: "Too few crossings of the centre line",
    Rule.TWO_OF_THREE: "2 of 3 points beyond 2σ on the same side",
    Rule.FOUR_OF_FIVE: "4 of 5 points beyond 1σ on the same side",
    Rule.EIGHT_SIDE: "8 points in a row on one side of the centre line",
    Rule.SEVEN_SIDE: "7 points in a row on one side of the centre line",
    Rule.SEVEN_TREND: "7 points in a row rising or falling",
}

PRESET_RULES: dict[RulePreset, tuple[Rule, ...]] = {
    RulePreset.IHI: (Rule.SHIFT, Rule.TREND, Rule.RUNS, Rule.ASTRONOMICAL, Rule.BEYOND_LIMITS),
    RulePreset.ANHOJ: (Rule.LONGEST_RUN, Rule.CROSSINGS, Rule.BEYOND_LIMITS),
    RulePreset.WESTERN_ELECTRIC: (
        Rule.BEYOND_LIMITS,
        Rule.TWO_OF_THREE,
        Rule.FOUR_OF_FIVE,
        Rule.EIGHT_SIDE,
    ),
    RulePreset.MDC: (Rule.BEYOND_LIMITS, Rule.SEVEN_SIDE, Rule.SEVEN_TREND, Rule.TWO_OF_THREE),
}
"""The rules each preset can raise (ASTRONOMICAL on run charts, BEYOND_LIMITS on charts with
limits; zone rules only where the chart has a sigma)."""

_RULE_ORDER = {rule: number for number, rule in enumerate(Rule)}


@dataclass(frozen=True, slots=True)
class Signal:
    """One rule that fired on a point; ``side`` is "up", "down" or None (no side)."""

    rule: Rule
    side: str | None

    def as_dict(self) -> dict[str, str | None]:
        return {"rule": str(self.rule), "side": self.side}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Signal:
        side = data.get("side")
        if side is not None and side not in (UP, DOWN):
            raise ValueError(f"signal side must be 'up', 'down' or None, not {side!r}")
        return cls(rule=Rule(str(data["rule"])), side=str(side) if side is not None else None)


# Every possible signal, made once (they are immutable): rules flag many points.
_SIGNALS = {(rule, side): Signal(rule, side) for rule in Rule for side in (UP, DOWN, None)}


class AnalysedPoint(NamedTuple):
    """One point as shown: value, centre and limits in display units, and its signals."""

    value: float
    centre: float | None
    lower: float | None
    upper: float | None
    segment: int
    signals: tuple[Signal, ...]
    complete: bool


@dataclass(frozen=True, slots=True)
class Analysis:
    """A whole chart: per-point analysis plus the latest complete point's classification."""

    chart: ChartType
    preset: RulePreset
    points: tuple[AnalysedPoint, ...]
    variation: Variation | None
    assurance: Assurance | None
    progress: float | None
    baseline_value: float | None
    current_value: float | None
    insufficient_data: bool


def analyse(
    chart: ChartType,
    points: Sequence[Point],
    *,
    preset: RulePreset,
    direction: Direction,
    multiplier: float = 1.0,
    target: float | None = None,
    baseline_points: int | None = None,
    rebase_at: Sequence[int] = (),
    screen_outliers: bool = False,
) -> Analysis:
    """Limits, per-point signals, variation, assurance and progress of a series.

    See the module docstring ("Analysis") for the conventions.
    """
    chart = ChartType(chart)
    preset = RulePreset(preset)
    direction = Direction(direction)
    if baseline_points is not None and baseline_points < 1:
        raise ValueError("baseline_points must be at least 1")
    if not multiplier > 0:
        raise ValueError("multiplier must be positive")
    complete_count = _complete_count(points)
    segment_bounds(len(points), rebase_at)  # validates the rebase indices
    if chart is ChartType.SURVEY:
        return _analyse_survey(points, preset, multiplier, target, rebase_at, complete_count)
    if chart is ChartType.CUMULATIVE:
        return _analyse_cumulative(points, preset, target, rebase_at, complete_count)
    _validate(chart, points)

    scale = multiplier if chart in ATTRIBUTE_CHARTS else 1.0
    if chart in ATTRIBUTE_CHARTS:  # _rate, inline: validated above
        xs = [p.numerator / p.denominator for p in points]  # type: ignore[operator]
    else:
        xs = [p.value for p in points]
    limits = _analysis_limits(
        chart, points, complete_count, baseline_points, rebase_at, screen_outliers
    )
    signals: list[tuple[Signal, ...]] = [() for _ in points]
    if limits:
        for start, stop in _runs_of_segments(limits[:complete_count]):
            segment = points[start:stop]
            k = len(segment) if baseline_points is None else min(baseline_points, len(segment))
            astronomical = None
            if chart is ChartType.RUN and preset is RulePreset.IHI:
                astronomical = _segment_limits(ChartType.XMR, segment, segment[:k], 0, True)
            found = _segment_signals(preset, xs[start:stop], limits[start:stop], astronomical)
            signals[start:stop] = found

    # Built in one plain loop (positional arguments, no helper calls): a roll-up analyses
    # every point of thousands of series.
    built: list[AnalysedPoint] = []
    if limits:
        for x, lp, marks, point in zip(xs, limits, signals, points, strict=True):
            centre, lower, upper = lp.centre, lp.lower, lp.upper
            built.append(
                AnalysedPoint(
                    x * scale,
                    None if centre is None else centre * scale,
                    None if lower is None else lower * scale,
                    None if upper is None else upper * scale,
                    lp.segment,
                    marks,
                    point.complete,
                )
            )
    else:
        for x, marks, point in zip(xs, signals, points, strict=True):
            built.append(AnalysedPoint(x * scale, None, None, None, 0, marks, point.complete))
    analysed = tuple(built)
    latest = analysed[complete_count - 1] if complete_count else None
    baseline_value = analysed[0].centre if limits else None
    current_value = latest.value if latest else None
    return Analysis(
        chart=chart,
        preset=preset,
        points=analysed,
        variation=_variation(latest, direction),
        assurance=_assurance(latest, direction, target),
        progress=_progress(baseline_value, current_value, target),
        baseline_value=baseline_value,
        current_value=current_value,
        insufficient_data=limits[complete_count - 1].insufficient_data if limits else True,
    )


def _complete_count(points: Sequence[Point]) -> int:
    """Number of complete points; incomplete points must all come after them."""
    count = 0
    for i, point in enumerate(points):
        if point.complete:
            if count != i:
                raise ValueError(f"point {i}: a complete point follows an incomplete one")
            count += 1
    return count


def _analysis_limits(
    chart: ChartType,
    points: Sequence[Point],
    complete_count: int,
    baseline_points: int | None,
    rebase_at: Sequence[int],
    screen_outliers: bool,
) -> list[LimitPoint]:
    """compute_limits on the complete points; the incomplete tail joins the last segment.

    A rebase at an incomplete point is ignored until that point is complete (a segment needs at
    least one complete point to have a centre). Empty when no point is complete.
    """
    if not complete_count:
        return []
    cuts = [i for i in rebase_at if i < complete_count]
    bounds = segment_bounds(complete_count, cuts)
    result: list[LimitPoint] = []
    for number, (start, stop) in enumerate(bounds):
        complete = points[start:stop]
        shown = points[start:] if number == len(bounds) - 1 else complete
        k = len(complete) if baseline_points is None else min(baseline_points, len(complete))
        result.extend(_segment_limits(chart, shown, complete[:k], number, screen_outliers))
    return result


def _runs_of_segments(limits: Sequence[LimitPoint]) -> list[tuple[int, int]]:
    """Half-open index ranges of the consecutive points sharing a segment number."""
    ranges: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(limits) + 1):
        if i == len(limits) or limits[i].segment != limits[start].segment:
            ranges.append((start, i))
            start = i
    return ranges


def _sides(xs: Sequence[float], centres: Sequence[float]) -> list[int]:
    """+1 above the centre, −1 below, 0 on it."""
    return [(x > c) - (x < c) for x, c in zip(xs, centres, strict=True)]


def _side_name(sign: int) -> str:
    return UP if sign > 0 else DOWN


def _side_runs(sides: Sequence[int]) -> list[tuple[int, list[int]]]:
    """Runs of useful points (side ≠ 0) on one side: (side, indices). Points on the centre
    neither count nor break a run."""
    runs: list[tuple[int, list[int]]] = []
    for i, side in enumerate(sides):
        if side == 0:
            continue
        if runs and runs[-1][0] == side:
            runs[-1][1].append(i)
        else:
            runs.append((side, [i]))
    return runs


def _monotone_runs(xs: Sequence[float], length: int) -> list[tuple[int, list[int]]]:
    """Maximal rising (+1) or falling (−1) stretches of at least ``length`` distinct values,
    as (direction, indices).

    Equal neighbours count once: they are merged into one step before counting, and every
    point of the merged step belongs to the stretch.
    """
    # Each step of equal neighbours as its value and the index just past it.
    values: list[float] = []
    ends: list[int] = []
    for i, x in enumerate(xs):
        if values and values[-1] == x:
            ends[-1] = i + 1
        else:
            values.append(x)
            ends.append(i + 1)
    stretches: list[tuple[int, list[int]]] = []
    start = 0
    last = len(values) - 1
    while start < last:
        direction = 1 if values[start + 1] > values[start] else -1
        stop = start + 1
        while stop < last and (values[stop + 1] - values[stop]) * direction > 0:
            stop += 1
        # The steps start..stop rise (or fall) strictly: each holds one distinct value.
        if stop - start + 1 >= length:
            first = ends[start - 1] if start else 0
            stretches.append((direction, list(range(first, ends[stop]))))
        start = stop
    return stretches


@functools.lru_cache(maxsize=4096)
def runs_limits(above: int, below: int, alpha: float = RUNS_ALPHA) -> tuple[int, int] | None:
    """Fewest and most runs expected about the centre line for ``above`` + ``below`` useful
    points, from the exact distribution of the number of runs (Swed & Eisenhart 1943).

    A run count below the first or above the second is a signal: P(R ≤ fewest − 1) ≤ α/2 and
    P(R ≥ most + 1) ≤ α/2. None when all useful points are on one side.
    """
    if above < 1 or below < 1:
        return None
    pmf = _runs_distribution(above, below)
    fewest = most = 0
    total = 0.0
    for r in sorted(pmf):
        total += pmf[r]
        if total > alpha / 2:
            fewest = r
            break
    total = 0.0
    for r in sorted(pmf, reverse=True):
        total += pmf[r]
        if total > alpha / 2:
            most = r
            break
    return fewest, most


def _runs_distribution(m: int, k: int) -> dict[int, float]:
    """P(R = r) for m points of one kind and k of the other in random order."""
    arrangements = math.comb(m + k, m)
    pmf: dict[int, float] = {}
    for r in range(2, m + k + 1):
        s, odd = divmod(r, 2)
        if odd:
            ways = math.comb(m - 1, s) * math.comb(k - 1, s - 1) + math.comb(
                m - 1, s - 1
            ) * math.comb(k - 1, s)
        else:
            ways = 2 * math.comb(m - 1, s - 1) * math.comb(k - 1, s - 1)
        if ways:
            pmf[r] = ways / arrangements
    return pmf


@functools.lru_cache(maxsize=4096)
def anhoj_longest_run_limit(useful: int) -> int:
    """Anhøj: a run longer than round(log₂ n + 3) signals (n = useful points)."""
    return round(math.log2(useful) + 3)


@functools.lru_cache(maxsize=4096)
def anhoj_crossings_limit(useful: int) -> int:
    """Anhøj: fewer crossings than the 5th percentile of Binomial(n − 1, ½) signal.

    The percentile is R's qbinom(0.05, n − 1, 0.5): the smallest x with P(X ≤ x) ≥ 0.05.
    """
    trials = useful - 1
    total = 0
    for x in range(trials + 1):
        total += math.comb(trials, x)
        if total / 2**trials >= ANHOJ_CROSSINGS_QUANTILE:
            return x
    return trials


def _segment_signals(
    preset: RulePreset,
    xs: Sequence[float],
    limits: Sequence[LimitPoint],
    astronomical: Sequence[LimitPoint] | None,
) -> list[tuple[Signal, ...]]:
    """Signals of one segment's complete points (internal units)."""
    found: list[set[Signal]] = [set() for _ in xs]
    centres = [lp.centre for lp in limits]
    sides = _sides(xs, centres)

    def flag(indices: Sequence[int], rule: Rule, side: str | None) -> None:
        for i in indices:
            found[i].add(_SIGNALS[rule, side])

    runs = _side_runs(sides)

    def side_runs(rule: Rule, length: int) -> None:
        for side, indices in runs:
            if len(indices) >= length:
                flag(indices, rule, _side_name(side))

    def trends(rule: Rule, length: int) -> None:
        for direction, indices in _monotone_runs(xs, length):
            flag(indices, rule, _side_name(direction))

    def beyond(rule: Rule, bounds: Sequence[LimitPoint]) -> None:
        for i, (x, lp) in enumerate(zip(xs, bounds, strict=True)):
            if lp.upper is not None and x > lp.upper:
                flag([i], rule, UP)
            elif lp.lower is not None and x < lp.lower:
                flag([i], rule, DOWN)

    def zone(rule: Rule, window: int, needed: int, sigmas: float) -> None:
        # Which points are beyond the zone on each side, tested once per point.
        beyond_zone: dict[int, list[bool]] = {1: [], -1: []}
        for x, centre, lp in zip(xs, centres, limits, strict=True):
            for sign in (1, -1):
                beyond_zone[sign].append(
                    lp.sigma is not None and sign * (x - centre) > sigmas * (lp.sigma or 0.0)
                )
        # Each window's count of such points kept as the window slides.
        for sign in (1, -1):
            flags = beyond_zone[sign]
            count = sum(flags[:window])
            for start in range(len(xs) - window + 1):
                if start:
                    count += flags[start + window - 1] - flags[start - 1]
                if count >= needed:
                    hits = [i for i in range(start, start + window) if flags[i]]
                    flag(hits, rule, _side_name(sign))

    has_limits = any(lp.upper is not None or lp.lower is not None for lp in limits)
    if has_limits:
        beyond(Rule.BEYOND_LIMITS, limits)
    useful = sum(len(indices) for _, indices in runs)
    if preset is RulePreset.IHI:
        side_runs(Rule.SHIFT, IHI_SHIFT_LENGTH)
        trends(Rule.TREND, IHI_TREND_LENGTH)
        expected = runs_limits(sides.count(1), sides.count(-1))
        if expected is not None and not expected[0] <= len(runs) <= expected[1]:
            flag(range(len(xs)), Rule.RUNS, None)
        if astronomical is not None:
            beyond(Rule.ASTRONOMICAL, astronomical)
    elif preset is RulePreset.ANHOJ:
        if useful:
            side_runs(Rule.LONGEST_RUN, anhoj_longest_run_limit(useful) + 1)
            if len(runs) - 1 < anhoj_crossings_limit(useful):
                flag(range(len(xs)), Rule.CROSSINGS, None)
    elif preset is RulePreset.WESTERN_ELECTRIC:
        zone(Rule.TWO_OF_THREE, 3, 2, 2.0)
        zone(Rule.FOUR_OF_FIVE, 5, 4, 1.0)
        side_runs(Rule.EIGHT_SIDE, WE_RUN_LENGTH)
    else:
        side_runs(Rule.SEVEN_SIDE, MDC_RUN_LENGTH)
        trends(Rule.SEVEN_TREND, MDC_TREND_LENGTH)
        zone(Rule.TWO_OF_THREE, 3, 2, 2.0)
    return [tuple(sorted(s, key=_signal_key)) if s else () for s in found]


def _signal_key(signal: Signal) -> tuple[int, str]:
    return _RULE_ORDER[signal.rule], signal.side or ""


def _variation(latest: AnalysedPoint | None, direction: Direction) -> Variation | None:
    if latest is None:
        return None
    if not latest.signals:
        return Variation.COMMON_CAUSE
    sides = {s.side for s in latest.signals if s.side is not None}
    if direction is Direction.NONE or not sides:
        return Variation.NEUTRAL
    bad = DOWN if direction is Direction.HIGHER else UP
    return Variation.CONCERN if bad in sides else Variation.IMPROVEMENT


def _assurance(
    latest: AnalysedPoint | None, direction: Direction, target: float | None
) -> Assurance | None:
    if latest is None or target is None or direction is Direction.NONE:
        return None
    if latest.lower is None or latest.upper is None:
        return None
    if target > latest.upper:
        return Assurance.FAIL if direction is Direction.HIGHER else Assurance.PASS
    if target < latest.lower:
        return Assurance.PASS if direction is Direction.HIGHER else Assurance.FAIL
    return Assurance.HIT_AND_MISS


def _progress(baseline: float | None, current: float | None, target: float | None) -> float | None:
    if baseline is None or current is None or target is None or target == baseline:
        return None
    return (current - baseline) / (target - baseline)


def wilson_interval(successes: float, trials: float, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for a proportion (Wilson 1927; Newcombe 1998, method 3)."""
    p = successes / trials
    z2 = z * z
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z / (1 + z2 / trials) * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials))
    return max(0.0, centre - half), min(1.0, centre + half)


def net_score_interval(value: float, respondents: float, multiplier: float) -> tuple[float, float]:
    """value ± 1.96·multiplier·√((1 − s²)/n) with s = value/multiplier.

    The conservative normal approximation for a net score (share positive minus share
    negative) when only the score and the number of respondents are known: it assumes nobody
    answered neutrally, which maximises the variance 1 − s² of a ±1 answer.
    """
    s = value / multiplier
    half = Z_95 * multiplier * math.sqrt(max(0.0, 1 - s * s) / respondents)
    return max(-multiplier, value - half), min(multiplier, value + half)


def _segment_numbers(length: int, rebase_at: Sequence[int]) -> list[int]:
    numbers: list[int] = []
    for number, (start, stop) in enumerate(segment_bounds(length, rebase_at)):
        numbers.extend([number] * (stop - start))
    return numbers


def _analyse_survey(
    points: Sequence[Point],
    preset: RulePreset,
    multiplier: float,
    target: float | None,
    rebase_at: Sequence[int],
    complete_count: int,
) -> Analysis:
    analysed: list[AnalysedPoint] = []
    for i, (point, segment) in enumerate(
        zip(points, _segment_numbers(len(points), rebase_at), strict=True)
    ):
        value = point.value
        lower = upper = None
        if point.denominator is not None:
            if point.denominator <= 0:
                raise ValueError(f"point {i}: the denominator must be positive")
            if point.numerator is not None:
                if not 0 <= point.numerator <= point.denominator:
                    raise ValueError(f"point {i}: the numerator must be 0 … denominator")
                value = point.numerator / point.denominator * multiplier
                low, high = wilson_interval(point.numerator, point.denominator)
                lower, upper = low * multiplier, high * multiplier
            else:
                lower, upper = net_score_interval(value, point.denominator, multiplier)
        elif not math.isfinite(value):
            raise ValueError(f"point {i}: the value must be a finite number")
        analysed.append(AnalysedPoint(value, None, lower, upper, segment, (), point.complete))
    return _plain_analysis(ChartType.SURVEY, preset, analysed, complete_count, target, None)


def _analyse_cumulative(
    points: Sequence[Point],
    preset: RulePreset,
    target: float | None,
    rebase_at: Sequence[int],
    complete_count: int,
) -> Analysis:
    analysed: list[AnalysedPoint] = []
    total = 0.0
    for i, (point, segment) in enumerate(
        zip(points, _segment_numbers(len(points), rebase_at), strict=True)
    ):
        if not math.isfinite(point.value):
            raise ValueError(f"point {i}: the value must be a finite number")
        total += point.value
        analysed.append(AnalysedPoint(total, None, None, None, segment, (), point.complete))
    return _plain_analysis(ChartType.CUMULATIVE, preset, analysed, complete_count, target, 0.0)


def _plain_analysis(
    chart: ChartType,
    preset: RulePreset,
    analysed: list[AnalysedPoint],
    complete_count: int,
    target: float | None,
    baseline: float | None,
) -> Analysis:
    """Survey and cumulative charts: no rules, no classification, no assurance."""
    current = analysed[complete_count - 1].value if complete_count else None
    if baseline is None and complete_count:
        baseline = analysed[0].value
    return Analysis(
        chart=chart,
        preset=preset,
        points=tuple(analysed),
        variation=None,
        assurance=None,
        progress=_progress(baseline, current, target),
        baseline_value=baseline,
        current_value=current,
        insufficient_data=False,
    )
