"""The rule presets and the signals they raise on one segment of a chart (DOMAIN.md §3).

Rules (``segment_signals``)
---------------------------
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
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from metrics.spc.limits import LimitPoint

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


def segment_signals(
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
