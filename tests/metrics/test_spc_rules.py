"""Rule presets of the SPC engine (metrics/spc/rules.py): boundaries and the points each rule
flags.

Every series is built by hand; its centre, σ and runs are worked out in the comments, and the
expected flags follow from the rule definitions in DOMAIN.md §3, never from the engine.
"""

from collections.abc import Sequence

import pytest

from metrics.spc import (
    PRESET_RULES,
    RULE_LABELS,
    Analysis,
    ChartType,
    Direction,
    Point,
    Rule,
    RulePreset,
    Signal,
    analyse,
    anhoj_crossings_limit,
    anhoj_longest_run_limit,
    runs_limits,
)

UP, DOWN = "up", "down"


def run_chart(xs: Sequence[float], preset: RulePreset) -> Analysis:
    return analyse(ChartType.RUN, [Point(x) for x in xs], preset=preset, direction=Direction.NONE)


def flagged(analysis: Analysis, rule: Rule) -> dict[int, str | None]:
    """Index → side of every point carrying ``rule``."""
    return {
        i: signal.side
        for i, point in enumerate(analysis.points)
        for signal in point.signals
        if signal.rule is rule
    }


def all_signals(analysis: Analysis) -> dict[int, set[tuple[Rule, str | None]]]:
    return {
        i: {(s.rule, s.side) for s in point.signals}
        for i, point in enumerate(analysis.points)
        if point.signals
    }


# --- IHI run chart rules --------------------------------------------------------------------
# Values 1 (below) and 9 (above) in equal numbers put the median at (1 + 9)/2 = 5; an odd series
# with one 5 and equal numbers of 1s and 9s has its median at that 5. Only two distinct values
# (plus 5) never make a trend of 5.

# 8 × 9 and 8 × 1 → median 5. Longest run above: indices 3–7 (five 9s); below: 13–15 (three).
SHIFT_OF_5 = [1, 9, 1, 9, 9, 9, 9, 9, 1, 9, 1, 1, 9, 1, 1, 1]
# 8 × 9 and 8 × 1 → median 5. Indices 3–8 are six 9s in a row.
SHIFT_OF_6 = [1, 9, 1, 9, 9, 9, 9, 9, 9, 1, 1, 9, 1, 1, 1, 1]


def test_ihi_shift_of_five_points_is_not_flagged() -> None:
    analysis = run_chart(SHIFT_OF_5, RulePreset.IHI)
    assert analysis.points[0].centre == 5.0
    assert flagged(analysis, Rule.SHIFT) == {}


def test_ihi_shift_of_six_points_flags_all_six() -> None:
    analysis = run_chart(SHIFT_OF_6, RulePreset.IHI)
    assert analysis.points[0].centre == 5.0
    assert flagged(analysis, Rule.SHIFT) == dict.fromkeys(range(3, 9), UP)


def test_ihi_shift_below_the_median_is_flagged_down() -> None:
    mirrored = [10 - x for x in SHIFT_OF_6]  # 9 ↔ 1: indices 3–8 are six 1s below the median 5
    assert flagged(run_chart(mirrored, RulePreset.IHI), Rule.SHIFT) == dict.fromkeys(
        range(3, 9), DOWN
    )


def test_points_on_the_median_do_not_break_a_shift() -> None:
    # 8 × 9, 8 × 1 and one 5 (17 points) → median 5. Indices 3, 4, 5, [6 = 5], 7, 8, 9: six
    # points above with one on the median inside the run → still a shift of six. The point on
    # the median carries no signal.
    series = [1, 9, 1, 9, 9, 9, 5, 9, 9, 9, 1, 1, 9, 1, 1, 1, 1]
    analysis = run_chart(series, RulePreset.IHI)
    assert analysis.points[0].centre == 5.0
    assert flagged(analysis, Rule.SHIFT) == dict.fromkeys([3, 4, 5, 7, 8, 9], UP)


def test_points_on_the_median_do_not_count_towards_a_shift() -> None:
    # 8 × 9, 8 × 1 and one 5 → median 5. Indices 3, 4, [5 = 5], 6, 7, 8: six points in a row
    # not below the median, but only five of them above it → no shift.
    series = [1, 9, 1, 9, 9, 5, 9, 9, 9, 1, 9, 1, 1, 9, 1, 1, 1]
    analysis = run_chart(series, RulePreset.IHI)
    assert analysis.points[0].centre == 5.0
    assert flagged(analysis, Rule.SHIFT) == {}


def test_ihi_trend_of_four_points_is_not_flagged() -> None:
    # Rising stretch 1, 2, 3, 4 (indices 1–4): four points. Other stretches are two or three
    # distinct values long (4 → 2, 2 → 4, …, 4 → 3 → 3 → 1).
    series = [3, 1, 2, 3, 4, 2, 4, 2, 4, 3, 3, 1]
    assert flagged(run_chart(series, RulePreset.IHI), Rule.TREND) == {}


def test_ihi_trend_of_five_points_flags_all_five() -> None:
    # Rising stretch 1, 2, 3, 4, 5 at indices 1–5.
    series = [3, 1, 2, 3, 4, 5, 2, 4, 2, 4, 3, 3]
    assert flagged(run_chart(series, RulePreset.IHI), Rule.TREND) == dict.fromkeys(range(1, 6), UP)


def test_ihi_falling_trend_is_flagged_down() -> None:
    # Falling stretch 6, 5, 4, 3, 2 at indices 1–5.
    series = [3, 6, 5, 4, 3, 2, 4, 2, 4, 3, 4, 3]
    assert flagged(run_chart(series, RulePreset.IHI), Rule.TREND) == dict.fromkeys(
        range(1, 6), DOWN
    )


def test_equal_neighbours_count_once_in_a_trend() -> None:
    # 1, 2, 2, 3, 4 (indices 1–5) is five points but only four distinct steps → no trend.
    four = [3, 1, 2, 2, 3, 4, 2, 4, 2, 4, 3, 3]
    assert flagged(run_chart(four, RulePreset.IHI), Rule.TREND) == {}
    # 1, 2, 2, 3, 4, 5 (indices 1–6) counts five → a trend, and both 2s belong to it.
    five = [3, 1, 2, 2, 3, 4, 5, 2, 4, 2, 4, 3]
    assert flagged(run_chart(five, RulePreset.IHI), Rule.TREND) == dict.fromkeys(range(1, 7), UP)


def test_runs_limits_come_from_the_exact_distribution_of_runs() -> None:
    # 5 above and 5 below: C(10, 5) = 252 arrangements. P(R = 2) = 2/252; P(R = 3) = 8/252
    # (C(4,1)·C(4,0) twice), so P(R ≤ 2) = 0.008 ≤ 0.025 but P(R ≤ 3) = 0.040 → fewest 3.
    # P(R = 10) = 2/252, P(R = 9) = 8/252 → P(R ≥ 10) ≤ 0.025 < P(R ≥ 9) → most 9.
    assert runs_limits(5, 5) == (3, 9)
    assert runs_limits(12, 0) is None  # every useful point on one side: the shift rule's job


def test_ihi_too_few_runs_flags_every_point_of_the_segment_without_a_side() -> None:
    # Five 1s then five 9s: median 5, two runs < 3 (the fewest for 5 + 5, above).
    analysis = run_chart([1] * 5 + [9] * 5, RulePreset.IHI)
    assert flagged(analysis, Rule.RUNS) == dict.fromkeys(range(10), None)
    # Alternating 1, 9 × 5: ten runs > 9 (the most) → too many runs.
    analysis = run_chart([1, 9] * 5, RulePreset.IHI)
    assert flagged(analysis, Rule.RUNS) == dict.fromkeys(range(10), None)
    # 1 1 9 9 1 9 1 1 9 9: runs 11|99|1|9|11|99 = 6 runs, inside 3…9 → nothing.
    analysis = run_chart([1, 1, 9, 9, 1, 9, 1, 1, 9, 9], RulePreset.IHI)
    assert flagged(analysis, Rule.RUNS) == {}


def test_ihi_astronomical_point_on_a_run_chart() -> None:
    # Criterion: outside the segment's XmR limits with screened moving ranges.
    # x = 10, 11 × 6, 40, 10, 11: mean = (7·10 + 7·11 + 40)/15 = 187/15 = 12.4667.
    # MR = 1 (×11), 29, 30, 1 → MR̄ = 71/14 = 5.0714; screening at 3.267·5.0714 = 16.57 drops
    # 29 and 30 → MR̄ = 1 → limits 12.4667 ± 2.66 = 9.8067 … 15.1267: only 40 is outside.
    series = [10, 11] * 6 + [40] + [10, 11]
    analysis = run_chart(series, RulePreset.IHI)
    assert flagged(analysis, Rule.ASTRONOMICAL) == {12: UP}


# --- Anhøj rules ----------------------------------------------------------------------------

# Critical values copied from the qicharts2 vignette "qicharts2: Quality Improvement Charts for
# R", Appendix 2 "Critical values for longest run and number of crossings" (J. Anhøj; table of
# round(log2(n) + 3) and qbinom(0.05, n − 1, 0.5) for n useful observations).
ANHOJ_TABLE = {
    # n: (upper limit for longest run, lower limit for number of crossings)
    10: (6, 2), 11: (6, 2), 12: (7, 3), 13: (7, 3), 14: (7, 4), 15: (7, 4), 16: (7, 4),
    17: (7, 5), 18: (7, 5), 19: (7, 6), 20: (7, 6), 21: (7, 6), 22: (7, 7), 23: (8, 7),
    24: (8, 8), 25: (8, 8), 26: (8, 8), 27: (8, 9), 28: (8, 9), 29: (8, 10), 30: (8, 10),
    31: (8, 11), 32: (8, 11), 33: (8, 11), 34: (8, 12), 35: (8, 12), 36: (8, 13), 37: (8, 13),
    38: (8, 14), 39: (8, 14), 40: (8, 14), 41: (8, 15), 42: (8, 15), 43: (8, 16), 44: (8, 16),
    45: (8, 17), 46: (9, 17), 47: (9, 17), 48: (9, 18), 49: (9, 18), 50: (9, 19), 51: (9, 19),
    52: (9, 20), 53: (9, 20), 54: (9, 21), 55: (9, 21), 56: (9, 21), 57: (9, 22), 58: (9, 22),
    59: (9, 23), 60: (9, 23), 61: (9, 24), 62: (9, 24), 63: (9, 25), 64: (9, 25), 65: (9, 25),
    66: (9, 26), 67: (9, 26), 68: (9, 27), 69: (9, 27), 70: (9, 28),
}  # fmt: skip


@pytest.mark.parametrize(("useful", "limits"), ANHOJ_TABLE.items())
def test_anhoj_critical_values_match_the_published_table(
    useful: int, limits: tuple[int, int]
) -> None:
    assert (anhoj_longest_run_limit(useful), anhoj_crossings_limit(useful)) == limits


def sides_to_values(pattern: str) -> list[float]:
    """'+' → 9 (above), '-' → 1 (below); equal numbers of each put the median at 5."""
    return [9.0 if c == "+" else 1.0 for c in pattern]


# 24 useful points, 12 above and 12 below (median 5). Critical values for n = 24 (table above):
# a run longer than 8 signals; fewer than 8 crossings signal.
LONGEST_9 = "--" + "+" * 9 + "---" + "+" + "--" + "+" + "---" + "+" + "--"  # 9 runs, 8 crossings
LONGEST_8 = "--" + "+" * 8 + "---" + "++" + "--" + "+" + "---" + "+" + "--"  # 9 runs, 8 crossings
CROSSINGS_7 = "+++---" * 4  # runs of three: 8 runs → 7 crossings
CROSSINGS_8 = "+++---+++---++---++---++"  # 9 runs → 8 crossings, longest run 3


@pytest.mark.parametrize("pattern", [LONGEST_9, LONGEST_8, CROSSINGS_7, CROSSINGS_8])
def test_anhoj_series_have_24_useful_points_around_a_median_of_5(pattern: str) -> None:
    assert len(pattern) == 24
    assert pattern.count("+") == pattern.count("-") == 12
    assert run_chart(sides_to_values(pattern), RulePreset.ANHOJ).points[0].centre == 5.0


def test_anhoj_longest_run_of_nine_is_flagged_at_24_points() -> None:
    analysis = run_chart(sides_to_values(LONGEST_9), RulePreset.ANHOJ)
    assert flagged(analysis, Rule.LONGEST_RUN) == dict.fromkeys(range(2, 11), UP)
    assert flagged(analysis, Rule.CROSSINGS) == {}


def test_anhoj_longest_run_of_eight_is_not_flagged_at_24_points() -> None:
    assert all_signals(run_chart(sides_to_values(LONGEST_8), RulePreset.ANHOJ)) == {}


def test_anhoj_seven_crossings_are_flagged_at_24_points() -> None:
    analysis = run_chart(sides_to_values(CROSSINGS_7), RulePreset.ANHOJ)
    assert flagged(analysis, Rule.CROSSINGS) == dict.fromkeys(range(24), None)
    assert flagged(analysis, Rule.LONGEST_RUN) == {}


def test_anhoj_eight_crossings_are_not_flagged_at_24_points() -> None:
    assert all_signals(run_chart(sides_to_values(CROSSINGS_8), RulePreset.ANHOJ)) == {}


def test_anhoj_counts_only_useful_points() -> None:
    # CROSSINGS_8 plus two points on the median (value 5): still 24 useful points, 8 crossings,
    # so nothing is flagged; the median stays 5 (12 below, 2 on it, 12 above).
    values = sides_to_values(CROSSINGS_8)
    with_median = [*values[:5], 5.0, *values[5:15], 5.0, *values[15:]]
    assert all_signals(run_chart(with_median, RulePreset.ANHOJ)) == {}


# --- Western Electric and Making Data Count (XmR, limits frozen on a baseline) ---------------
# Baseline 9, 11 × 5 (10 points, frozen): mean 10, every MR = 2 → MR̄ = 2,
# σ = 2.66·2/3 = 1.773333; limits 10 ± 5.32 → 4.68 … 15.32;
# 2σ zone beyond 13.546667 / below 6.453333; 1σ zone beyond 11.773333 / below 8.226667.
# The baseline itself alternates sides and stays inside 1σ, so it triggers nothing; it ends on
# 11 (above), so a pattern above the centre starts with a 9 (below) to isolate it.
BASE = [9.0, 11.0] * 5


def xmr(xs: Sequence[float], preset: RulePreset) -> Analysis:
    return analyse(
        ChartType.XMR,
        [Point(x) for x in xs],
        preset=preset,
        direction=Direction.NONE,
        baseline_points=len(BASE),
    )


def test_the_frozen_baseline_has_the_stated_limits() -> None:
    point = xmr([*BASE, 9.0], RulePreset.WESTERN_ELECTRIC).points[-1]
    assert point.centre == pytest.approx(10.0)
    assert (point.lower, point.upper) == (pytest.approx(4.68), pytest.approx(15.32))


# (name, preset, series, {index: {(rule, side)}}) — the full set of signals on the series.
TRIGGERS = [
    (
        "we_beyond_3_sigma",
        RulePreset.WESTERN_ELECTRIC,
        [*BASE, 9, 16, 9],  # 16 > 15.32
        {11: {(Rule.BEYOND_LIMITS, UP)}},
    ),
    (
        "we_beyond_3_sigma_below",
        RulePreset.WESTERN_ELECTRIC,
        [*BASE, 9, 4, 9],  # 4 < 4.68
        {11: {(Rule.BEYOND_LIMITS, DOWN)}},
    ),
    (
        "we_2_of_3_beyond_2_sigma",
        RulePreset.WESTERN_ELECTRIC,
        [*BASE, 9, 14, 10, 14, 9],  # 14 > 13.55 twice in the window 14, 10, 14
        {11: {(Rule.TWO_OF_THREE, UP)}, 13: {(Rule.TWO_OF_THREE, UP)}},
    ),
    (
        "we_4_of_5_beyond_1_sigma",
        RulePreset.WESTERN_ELECTRIC,
        [*BASE, 9, 12, 12, 10, 12, 12, 9],  # 12 > 11.77 four times in 12 12 10 12 12
        {i: {(Rule.FOUR_OF_FIVE, UP)} for i in (11, 12, 14, 15)},
    ),
    (
        "we_8_in_a_row",
        RulePreset.WESTERN_ELECTRIC,
        [*BASE, 9, *[10.5] * 8, 9],  # eight points above 10, all inside 1σ
        {i: {(Rule.EIGHT_SIDE, UP)} for i in range(11, 19)},
    ),
    (
        "we_8_in_a_row_across_a_point_on_the_centre",
        RulePreset.WESTERN_ELECTRIC,
        [*BASE, 9, *[10.5] * 4, 10, *[10.5] * 4, 9],  # the 10 neither counts nor breaks
        {i: {(Rule.EIGHT_SIDE, UP)} for i in (11, 12, 13, 14, 16, 17, 18, 19)},
    ),
    (
        "mdc_outside_limits",
        RulePreset.MDC,
        [*BASE, 9, 16, 9],
        {11: {(Rule.BEYOND_LIMITS, UP)}},
    ),
    (
        "mdc_7_in_a_row",
        RulePreset.MDC,
        [*BASE, *[9.5] * 7, 11],  # after the baseline's last 11: seven points below 10
        {i: {(Rule.SEVEN_SIDE, DOWN)} for i in range(10, 17)},
    ),
    (
        "mdc_7_rising",
        RulePreset.MDC,
        # 11 → 8.5 falls; 8.5 … 11.5 rises through seven distinct values; all inside 2σ, and no
        # run on one side is longer than three (8.5 9 9.5 below, 10 on the centre, 10.5 11 11.5).
        [*BASE, 8.5, 9, 9.5, 10, 10.5, 11, 11.5, 9],
        {i: {(Rule.SEVEN_TREND, UP)} for i in range(10, 17)},
    ),
    (
        "mdc_7_falling",
        RulePreset.MDC,
        [*BASE, 11.5, 11, 10.5, 10, 9.5, 9, 8.5, 11],
        {i: {(Rule.SEVEN_TREND, DOWN)} for i in range(10, 17)},
    ),
    (
        "mdc_2_of_3_beyond_2_sigma",
        RulePreset.MDC,
        [*BASE, 9, 6, 10, 6, 9],  # 6 < 6.45 twice in the window 6, 10, 6
        {11: {(Rule.TWO_OF_THREE, DOWN)}, 13: {(Rule.TWO_OF_THREE, DOWN)}},
    ),
]

NON_TRIGGERS = [
    ("we_inside_3_sigma", RulePreset.WESTERN_ELECTRIC, [*BASE, 9, 15, 9]),  # 15 < 15.32
    ("we_2_of_4_beyond_2_sigma", RulePreset.WESTERN_ELECTRIC, [*BASE, 9, 14, 10, 10, 14, 9]),
    ("we_2_beyond_2_sigma_opposite_sides", RulePreset.WESTERN_ELECTRIC, [*BASE, 9, 14, 10, 6, 9]),
    ("we_3_of_5_beyond_1_sigma", RulePreset.WESTERN_ELECTRIC, [*BASE, 9, 12, 12, 10, 9, 12, 12, 9]),
    ("we_7_in_a_row", RulePreset.WESTERN_ELECTRIC, [*BASE, 9, *[10.5] * 7, 9]),
    ("mdc_inside_limits", RulePreset.MDC, [*BASE, 9, 15, 9]),
    ("mdc_6_in_a_row", RulePreset.MDC, [*BASE, *[9.5] * 6, 11]),
    ("mdc_6_rising", RulePreset.MDC, [*BASE, 9, 9.5, 10, 10.5, 11, 11.5, 9]),
    ("mdc_6_rising_with_a_repeat", RulePreset.MDC, [*BASE, 9, 9.5, 10, 10, 10.5, 11, 11.5, 9]),
    ("mdc_2_of_4_beyond_2_sigma", RulePreset.MDC, [*BASE, 9, 6, 10, 10, 6, 9]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("preset", "series", "expected"),
    [case[1:] for case in TRIGGERS],
    ids=[case[0] for case in TRIGGERS],
)
def test_rule_flags_exactly_the_points_of_its_pattern(
    preset: RulePreset, series: list[float], expected: dict[int, set[tuple[Rule, str]]]
) -> None:
    assert all_signals(xmr(series, preset)) == expected


@pytest.mark.parametrize(
    ("preset", "series"),
    [case[1:] for case in NON_TRIGGERS],
    ids=[case[0] for case in NON_TRIGGERS],
)
def test_series_built_not_to_trigger_a_rule_has_no_signal(
    preset: RulePreset, series: list[float]
) -> None:
    assert all_signals(xmr(series, preset)) == {}


def test_the_same_pattern_differs_between_western_electric_and_mdc() -> None:
    # Seven in a row: a Making Data Count signal, not a Western Electric one (which needs 8).
    seven = [*BASE, 9, *[10.5] * 7, 9]
    assert flagged(xmr(seven, RulePreset.MDC), Rule.SEVEN_SIDE) == dict.fromkeys(range(11, 18), UP)
    assert all_signals(xmr(seven, RulePreset.WESTERN_ELECTRIC)) == {}


# --- Rule metadata --------------------------------------------------------------------------


def test_every_rule_has_a_label_and_every_preset_lists_its_rules() -> None:
    assert set(RULE_LABELS) == set(Rule)
    assert all(RULE_LABELS[rule] for rule in Rule)
    assert set(PRESET_RULES) == set(RulePreset)
    assert PRESET_RULES[RulePreset.WESTERN_ELECTRIC] == (
        Rule.BEYOND_LIMITS,
        Rule.TWO_OF_THREE,
        Rule.FOUR_OF_FIVE,
        Rule.EIGHT_SIDE,
    )


def test_signal_round_trips_through_a_dict() -> None:
    signal = Signal(Rule.SEVEN_SIDE, "down")
    assert signal.as_dict() == {"rule": "seven_side", "side": "down"}
    assert Signal.from_dict(signal.as_dict()) == signal
    assert Signal.from_dict({"rule": "crossings", "side": None}) == Signal(Rule.CROSSINGS, None)
    with pytest.raises(ValueError, match="side"):
        Signal.from_dict({"rule": "shift", "side": "sideways"})
    with pytest.raises(ValueError, match="no_such_rule"):
        Signal.from_dict({"rule": "no_such_rule", "side": None})
