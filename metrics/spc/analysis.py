"""``analyse``: a chart's limits and signals in display units, the classification of its
latest complete point, assurance against a target and progress (DOMAIN.md §3).

Analysis (``analyse``)
----------------------
* Display units: ``AnalysedPoint.value``, centre and limits are rate × ``multiplier`` for p, u,
  p′ and u′ charts and the point's ``value`` for run, XmR and c charts.
* Incomplete points (``Point.complete`` False) must trail the series. They take the last
  segment's centre and limits (a p or u chart still uses their own denominator), never enter
  a baseline or a rule, carry no signals and are never classified. A rebase index that falls
  on an incomplete point is ignored until that point is complete.
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

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from metrics.spc.limits import (
    ATTRIBUTE_CHARTS,
    ChartType,
    LimitPoint,
    Point,
    check_points,
    segment_bounds,
    segment_limits,
)
from metrics.spc.rules import DOWN, UP, RulePreset, Signal, segment_signals

Z_95 = 1.96
"""Two-sided 95% normal quantile, for survey confidence intervals."""


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
    check_points(chart, points)

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
                astronomical = segment_limits(ChartType.XMR, segment, segment[:k], 0, True)
            found = segment_signals(preset, xs[start:stop], limits[start:stop], astronomical)
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
        result.extend(segment_limits(chart, shown, complete[:k], number, screen_outliers))
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
