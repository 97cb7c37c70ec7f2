"""analyse() of the SPC engine: rebasing, frozen baselines, screening, direction, assurance,
progress, incomplete points, survey waves and cumulative charts.

Expected values are worked by hand in the comments (or copied from the limits tests, which cite
their sources); none is produced by the engine.
"""

import math

import pytest

from metrics.spc import (
    AnalysedPoint,
    Analysis,
    Assurance,
    ChartType,
    Direction,
    Point,
    Rule,
    RulePreset,
    Variation,
    analyse,
)

TIGHT = 1e-9
NIST_FLOW = [49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1]  # e-Handbook §6.3.2.2


def values(xs: list[float], *, incomplete: int = 0) -> list[Point]:
    """Points for xs; the last ``incomplete`` of them are not complete."""
    return [Point(x, complete=i < len(xs) - incomplete) for i, x in enumerate(xs)]


def rates(numerators: list[float], denominators: list[float]) -> list[Point]:
    return [
        Point(d / n, numerator=d, denominator=n)
        for d, n in zip(numerators, denominators, strict=True)
    ]


def rules_on(point: AnalysedPoint) -> set[Rule]:
    return {s.rule for s in point.signals}


# --- Display units --------------------------------------------------------------------------


def test_attribute_charts_are_shown_as_rate_times_multiplier() -> None:
    # d = 10, 40, 8, 2 of n = 100, 400, 75, 25: p̄ = 0.1 (see test_spc_limits) → 10 per 100.
    # Values 10, 10, 800/75 = 10.6667, 8; limits 10 ± 9 → 1 … 19; 10 ± 4.5 → 5.5 … 14.5;
    # 10 ± 300·√0.0012 = 10 ± 10.3923 → 0 … 20.3923; 10 ± 18 → 0 … 28.
    analysis = analyse(
        ChartType.P,
        rates([10, 40, 8, 2], [100, 400, 75, 25]),
        preset=RulePreset.MDC,
        direction=Direction.LOWER,
        multiplier=100,
    )
    assert [p.value for p in analysis.points] == [
        pytest.approx(10.0),
        pytest.approx(10.0),
        pytest.approx(800 / 75),
        pytest.approx(8.0),
    ]
    assert [(p.centre, p.lower, p.upper) for p in analysis.points] == [
        (pytest.approx(10.0), pytest.approx(1.0), pytest.approx(19.0)),
        (pytest.approx(10.0), pytest.approx(5.5), pytest.approx(14.5)),
        (pytest.approx(10.0), 0.0, pytest.approx(10 + 300 * math.sqrt(0.0012))),
        (pytest.approx(10.0), 0.0, pytest.approx(28.0)),
    ]


def test_stored_strings_are_accepted_for_chart_preset_and_direction() -> None:
    analysis = analyse("xmr", values(NIST_FLOW), preset="mdc", direction="higher")  # type: ignore[arg-type]
    assert analysis.chart is ChartType.XMR
    assert analysis.preset is RulePreset.MDC
    assert analysis.points[0].centre == pytest.approx(50.81)


# --- Rebasing, frozen baselines, screening (Done-when 3) -------------------------------------

REBASE_CASES: list[tuple[ChartType, list[Point]]] = [
    (ChartType.RUN, values([*NIST_FLOW, 60.0, 61.5, 59.0, 62.2, 60.4, 61.0, 59.5])),
    (ChartType.XMR, values([*NIST_FLOW, 60.0, 61.5, 59.0, 62.2, 60.4, 61.0, 59.5])),
    (ChartType.C, values([16, 20, 12, 16, 18, 15, 17, 14, 30, 34, 29, 31, 33, 28, 32, 30])),
    (
        ChartType.P,
        rates(
            [10, 40, 8, 2, 12, 9, 11, 30, 60, 20, 9, 25, 28, 31],
            [100, 400, 75, 25, 100, 90, 110, 100, 200, 70, 30, 80, 90, 100],
        ),
    ),
]


@pytest.mark.parametrize(("chart", "points"), REBASE_CASES, ids=[c for c, _ in REBASE_CASES])
@pytest.mark.parametrize("preset", list(RulePreset))
@pytest.mark.parametrize("baseline", [None, 4])
def test_each_segment_equals_the_analysis_of_that_segment_alone(
    chart: ChartType, points: list[Point], preset: RulePreset, baseline: int | None
) -> None:
    cut = 7 if chart in (ChartType.P, ChartType.C) else 10
    # The last point is incomplete: it belongs to the last segment alone as well.
    points = [*points[:-1], points[-1]._replace(complete=False)]
    whole = analyse(
        chart,
        points,
        preset=preset,
        direction=Direction.HIGHER,
        rebase_at=[cut],
        baseline_points=baseline,
    )
    first = analyse(
        chart, points[:cut], preset=preset, direction=Direction.HIGHER, baseline_points=baseline
    )
    second = analyse(
        chart, points[cut:], preset=preset, direction=Direction.HIGHER, baseline_points=baseline
    )
    assert whole.points[:cut] == first.points
    assert whole.points[cut:] == tuple(p._replace(segment=1) for p in second.points)
    assert whole.points[0].centre != whole.points[cut].centre  # the rebase changed something
    assert whole.variation == second.variation
    assert whole.insufficient_data == second.insufficient_data


def test_rebased_xmr_segments_have_their_own_centre_and_limits() -> None:
    # Segment 0 = NIST flow: 50.81 ± 2.66·(16.9/9) → 45.8151 … 55.8049 (handbook, 2.66).
    # Segment 1 = 60.0, 61.5, 59.0, 62.2, 60.4: mean 60.62; MR̄ = 9.0/4 = 2.25 → 54.635 … 66.605.
    analysis = analyse(
        ChartType.XMR,
        values([*NIST_FLOW, 60.0, 61.5, 59.0, 62.2, 60.4]),
        preset=RulePreset.MDC,
        direction=Direction.HIGHER,
        rebase_at=[10],
    )
    assert [p.segment for p in analysis.points] == [0] * 10 + [1] * 5
    assert analysis.points[0].lower == pytest.approx(45.8151, abs=1e-4)
    assert analysis.points[0].upper == pytest.approx(55.8049, abs=1e-4)
    assert analysis.points[10].centre == pytest.approx(60.62, rel=TIGHT)
    assert analysis.points[10].lower == pytest.approx(54.635, rel=TIGHT)
    assert analysis.points[10].upper == pytest.approx(66.605, rel=TIGHT)
    # progress's baseline is the first segment's centre.
    assert analysis.baseline_value == pytest.approx(50.81, rel=TIGHT)
    assert analysis.current_value == 60.4


def test_frozen_baseline_does_not_move_when_later_points_arrive() -> None:
    # Baseline = the first 5 NIST points: mean 49.24, MR̄ 2.3 → 49.24 ± 6.118 → 43.122 … 55.358.
    short = analyse(
        ChartType.XMR,
        values(NIST_FLOW[:8]),
        preset=RulePreset.WESTERN_ELECTRIC,
        direction=Direction.HIGHER,
        baseline_points=5,
    )
    longer = analyse(
        ChartType.XMR,
        values([*NIST_FLOW, 80.0, 20.0, 95.0]),
        preset=RulePreset.WESTERN_ELECTRIC,
        direction=Direction.HIGHER,
        baseline_points=5,
    )
    limits = [(p.centre, p.lower, p.upper) for p in longer.points]
    assert limits[:8] == [(p.centre, p.lower, p.upper) for p in short.points]
    assert limits == [(pytest.approx(49.24), pytest.approx(43.122), pytest.approx(55.358))] * 13
    # The late points are judged against the frozen limits: 80 and 95 above, 20 below.
    assert [rules_on(p) >= {Rule.BEYOND_LIMITS} for p in longer.points[10:]] == [True] * 3


def test_outlier_screening_on_and_off_give_the_documented_limits() -> None:
    # x = 10, 12, 10, 12, 10, 30, 10, 12, 10, 12: mean 12.8; MR = 2 ×7, 20 ×2 → MR̄ = 6.
    # Off: 12.8 ± 2.66·6 → −3.16 … 28.76. On: both 20s exceed 3.267·6 = 19.602 and are
    # dropped → MR̄ = 2 → 12.8 ± 5.32 → 7.48 … 18.12 (module docstring, XMR constants).
    series = values([10, 12, 10, 12, 10, 30, 10, 12, 10, 12])
    off = analyse(ChartType.XMR, series, preset=RulePreset.MDC, direction=Direction.LOWER)
    on = analyse(
        ChartType.XMR,
        series,
        preset=RulePreset.MDC,
        direction=Direction.LOWER,
        screen_outliers=True,
    )
    assert (off.points[0].lower, off.points[0].upper) == (
        pytest.approx(-3.16, rel=TIGHT),
        pytest.approx(28.76, rel=TIGHT),
    )
    assert (on.points[0].lower, on.points[0].upper) == (
        pytest.approx(7.48, rel=TIGHT),
        pytest.approx(18.12, rel=TIGHT),
    )
    assert off.points[0].centre == on.points[0].centre == pytest.approx(12.8)


# --- Direction, assurance and progress (Done-when 4) -----------------------------------------
# 19, 21 × 6 (12 points, frozen): mean 20, MR̄ 2 → σ = 1.773333, limits 14.68 … 25.32.
# Then seven points at 15: below the mean seven times (MDC "7 in a row", down) and 5 > 2σ =
# 3.5467 below it (MDC "2 of 3 beyond 2σ", down); 15 > 14.68 so not outside the limits.
DIR_BASE = [19.0, 21.0] * 6
FALLING = [*DIR_BASE, *[15.0] * 7]


def mdc(
    xs: list[float], direction: Direction, target: float | None = None, incomplete: int = 0
) -> Analysis:
    return analyse(
        ChartType.XMR,
        values(xs, incomplete=incomplete),
        preset=RulePreset.MDC,
        direction=direction,
        target=target,
        baseline_points=12,
    )


def test_falling_series_carries_the_expected_signals() -> None:
    latest = mdc(FALLING, Direction.LOWER).points[-1]
    assert {(s.rule, s.side) for s in latest.signals} == {
        (Rule.SEVEN_SIDE, "down"),
        (Rule.TWO_OF_THREE, "down"),
    }
    assert (latest.centre, latest.lower, latest.upper) == (
        pytest.approx(20.0),
        pytest.approx(14.68),
        pytest.approx(25.32),
    )


def test_lower_is_better_falling_toward_target_is_improvement_with_positive_progress() -> None:
    analysis = mdc(FALLING, Direction.LOWER, target=10.0)
    assert analysis.variation is Variation.IMPROVEMENT
    # (current − baseline) ÷ (target − baseline) = (15 − 20) ÷ (10 − 20) = 0.5
    assert analysis.baseline_value == pytest.approx(20.0)
    assert analysis.current_value == 15.0
    assert analysis.progress == pytest.approx(0.5)
    assert analysis.insufficient_data is False


def test_higher_is_better_falling_is_concern_with_negative_progress() -> None:
    analysis = mdc(FALLING, Direction.HIGHER, target=30.0)
    assert analysis.variation is Variation.CONCERN
    assert analysis.progress == pytest.approx((15 - 20) / (30 - 20))  # −0.5


def test_no_direction_gives_neutral_and_no_assurance() -> None:
    analysis = mdc(FALLING, Direction.NONE, target=10.0)
    assert analysis.variation is Variation.NEUTRAL
    assert analysis.assurance is None
    assert analysis.progress == pytest.approx(0.5)  # progress is direction-proof


def test_a_trend_is_classified_by_its_own_direction() -> None:
    # After the baseline's last 21: 18.5 … 21.5 rising by 0.5 (seven distinct values, all
    # inside 2σ); the latest point carries only "7 rising" (up).
    analysis = mdc([*DIR_BASE, 18.5, 19, 19.5, 20, 20.5, 21, 21.5], Direction.LOWER)
    assert {(s.rule, s.side) for s in analysis.points[-1].signals} == {(Rule.SEVEN_TREND, "up")}
    assert analysis.variation is Variation.CONCERN
    assert mdc([*DIR_BASE, 18.5, 19, 19.5, 20, 20.5, 21, 21.5], Direction.HIGHER).variation is (
        Variation.IMPROVEMENT
    )


def test_common_cause_when_the_latest_point_has_no_signal() -> None:
    analysis = mdc([*DIR_BASE, 20.5, 19.5], Direction.HIGHER, target=22.0)
    assert analysis.points[-1].signals == ()
    assert analysis.variation is Variation.COMMON_CAUSE
    assert analysis.assurance is Assurance.HIT_AND_MISS


def test_a_signal_without_a_side_is_neutral_even_with_a_direction() -> None:
    # 24 points in runs of three around the median (+++--- × 4): 7 crossings < 8 → the Anhøj
    # crossings signal, which has no side, on every point.
    pattern = "+++---" * 4
    analysis = analyse(
        ChartType.RUN,
        [Point(9.0 if c == "+" else 1.0) for c in pattern],
        preset=RulePreset.ANHOJ,
        direction=Direction.HIGHER,
    )
    assert {(s.rule, s.side) for s in analysis.points[-1].signals} == {(Rule.CROSSINGS, None)}
    assert analysis.variation is Variation.NEUTRAL


@pytest.mark.parametrize(
    ("direction", "target", "expected"),
    [
        # Latest limits 14.68 … 25.32.
        (Direction.HIGHER, 12.0, Assurance.PASS),  # whole process above the target
        (Direction.HIGHER, 30.0, Assurance.FAIL),  # whole process below the target
        (Direction.HIGHER, 20.0, Assurance.HIT_AND_MISS),
        (Direction.LOWER, 30.0, Assurance.PASS),  # whole process below the target
        (Direction.LOWER, 12.0, Assurance.FAIL),  # whole process above the target
        (Direction.LOWER, 20.0, Assurance.HIT_AND_MISS),
        (Direction.NONE, 12.0, None),
        (Direction.HIGHER, None, None),
    ],
)
def test_assurance_against_the_target(
    direction: Direction, target: float | None, expected: Assurance | None
) -> None:
    assert mdc(FALLING, direction, target=target).assurance is expected


def test_progress_is_none_without_target_or_when_target_equals_baseline() -> None:
    assert mdc(FALLING, Direction.LOWER).progress is None
    assert mdc(FALLING, Direction.LOWER, target=20.0).progress is None


def test_run_chart_has_no_assurance() -> None:
    analysis = analyse(
        ChartType.RUN,
        values(NIST_FLOW),
        preset=RulePreset.IHI,
        direction=Direction.HIGHER,
        target=60.0,
    )
    assert analysis.assurance is None
    assert analysis.points[0].lower is None


# --- Incomplete points ----------------------------------------------------------------------


def test_incomplete_trailing_point_never_signals_and_is_not_in_the_baseline() -> None:
    # Complete: 19, 21 × 6, 20 → mean 260/13 = 20; MR = 2 ×11, 1 → MR̄ = 23/12 = 1.916667
    # → 20 ± 2.66·23/12 = 20 ± 5.098333 → 14.901667 … 25.098333. The incomplete 40 lies far
    # above but carries no signal, takes the same limits and does not enter the baseline.
    analysis = analyse(
        ChartType.XMR,
        values([*DIR_BASE, 20.0, 40.0], incomplete=1),
        preset=RulePreset.MDC,
        direction=Direction.HIGHER,
    )
    last = analysis.points[-1]
    assert last.complete is False
    assert last.signals == ()
    assert last.value == 40.0
    assert (last.centre, last.lower, last.upper) == (
        pytest.approx(20.0),
        pytest.approx(20 - 2.66 * 23 / 12),
        pytest.approx(20 + 2.66 * 23 / 12),
    )
    assert analysis.points[-2].complete is True
    assert analysis.variation is Variation.COMMON_CAUSE
    assert analysis.current_value == 20.0


def test_incomplete_point_does_not_complete_a_run() -> None:
    # Six complete 18s below the mean 20 (inside 2σ) and a seventh, incomplete 18: no
    # "7 in a row" anywhere. Once the seventh is complete, all seven are flagged.
    series = [*DIR_BASE, *[18.0] * 7]
    pending = mdc(series, Direction.HIGHER, incomplete=1)
    assert all(p.signals == () for p in pending.points)
    assert pending.variation is Variation.COMMON_CAUSE
    done = mdc(series, Direction.HIGHER)
    assert [i for i, p in enumerate(done.points) if Rule.SEVEN_SIDE in rules_on(p)] == list(
        range(12, 19)
    )
    assert done.variation is Variation.CONCERN


def test_incomplete_point_gets_the_last_segments_limits_with_its_own_denominator() -> None:
    # p chart: complete d = 10, 40 of n = 100, 400 → p̄ = 0.1; the incomplete 5 of 25 does not
    # move p̄ and its limits use n = 25: 0.1 ± 3·√(0.09/25) = 0.1 ± 0.18 → 0 … 0.28.
    points = [*rates([10, 40], [100, 400]), Point(0.2, numerator=5, denominator=25, complete=False)]
    analysis = analyse(ChartType.P, points, preset=RulePreset.MDC, direction=Direction.LOWER)
    last = analysis.points[-1]
    assert (last.centre, last.lower, last.upper) == (pytest.approx(0.1), 0.0, pytest.approx(0.28))
    assert last.signals == ()


def test_a_rebase_at_an_incomplete_point_waits_until_it_is_complete() -> None:
    analysis = mdc([*DIR_BASE, 20.0, 30.0], Direction.HIGHER, incomplete=1)
    rebased = analyse(
        ChartType.XMR,
        values([*DIR_BASE, 20.0, 30.0], incomplete=1),
        preset=RulePreset.MDC,
        direction=Direction.HIGHER,
        baseline_points=12,
        rebase_at=[13],
    )
    assert rebased.points == analysis.points
    assert {p.segment for p in rebased.points} == {0}


def test_a_complete_point_after_an_incomplete_one_is_refused() -> None:
    points = [Point(1.0), Point(2.0, complete=False), Point(3.0)]
    with pytest.raises(ValueError, match="point 2: a complete point follows an incomplete"):
        analyse(ChartType.XMR, points, preset=RulePreset.MDC, direction=Direction.HIGHER)


def test_a_series_with_no_complete_point_has_no_limits_or_classification() -> None:
    analysis = analyse(
        ChartType.XMR,
        values([5.0, 6.0], incomplete=2),
        preset=RulePreset.MDC,
        direction=Direction.HIGHER,
        target=7.0,
    )
    assert [(p.centre, p.lower, p.upper, p.signals) for p in analysis.points] == [
        (None, None, None, ())
    ] * 2
    assert analysis.variation is None
    assert analysis.assurance is None
    assert analysis.progress is None
    assert analysis.insufficient_data is True


def test_insufficient_data_counts_complete_points_of_the_latest_segment() -> None:
    twelve = mdc([*DIR_BASE], Direction.HIGHER)
    assert twelve.insufficient_data is False
    eleven_and_pending = mdc([*DIR_BASE], Direction.HIGHER, incomplete=1)
    assert eleven_and_pending.insufficient_data is True
    assert eleven_and_pending.points[0].upper is not None  # limits are still given
    rebased = analyse(
        ChartType.XMR,
        values([*DIR_BASE, 20.0, 21.0]),
        preset=RulePreset.MDC,
        direction=Direction.HIGHER,
        rebase_at=[12],
    )
    assert rebased.insufficient_data is True  # the latest segment has 2 points


# --- Survey waves and cumulative charts -----------------------------------------------------


def test_survey_wave_with_numerator_gets_a_wilson_interval() -> None:
    # 50 of 100, z = 1.96: z² = 3.8416, centre = (0.5 + 3.8416/200)/(1 + 3.8416/100) = 0.5;
    # half = 1.96/1.038416 · √(0.25/100 + 3.8416/40000) = 1.887490 · 0.0509514 = 0.0961703
    # → 0.403830 … 0.596170, ×100.
    half = 1.96 / 1.038416 * math.sqrt(0.0025 + 3.8416 / 40000)
    analysis = analyse(
        ChartType.SURVEY,
        [Point(50.0, numerator=50, denominator=100)],
        preset=RulePreset.IHI,
        direction=Direction.LOWER,
        multiplier=100,
    )
    wave = analysis.points[0]
    assert wave.value == pytest.approx(50.0)
    assert wave.centre is None
    assert wave.lower == pytest.approx(100 * (0.5 - half))
    assert wave.upper == pytest.approx(100 * (0.5 + half))
    assert wave.lower == pytest.approx(40.3830, abs=1e-4)
    assert wave.upper == pytest.approx(59.6170, abs=1e-4)
    assert analysis.variation is None
    assert analysis.assurance is None


def test_net_score_wave_without_numerator_gets_the_conservative_normal_interval() -> None:
    # Net score 20 on −100…100 from 100 respondents: s = 0.2; 1.96·100·√((1 − 0.04)/100)
    # = 196·√0.0096 = 196·0.0979796 = 19.2040 → 0.7960 … 39.2040.
    analysis = analyse(
        ChartType.SURVEY,
        [Point(20.0, denominator=100), Point(30.0, denominator=100, complete=False)],
        preset=RulePreset.IHI,
        direction=Direction.HIGHER,
        multiplier=100,
        target=40.0,
    )
    wave = analysis.points[0]
    assert (wave.lower, wave.upper) == (
        pytest.approx(0.7960, abs=1e-4),
        pytest.approx(39.2040, abs=1e-4),
    )
    assert all(p.signals == () for p in analysis.points)
    # Survey progress: baseline = first wave, current = latest complete wave → (20−20)/(40−20)
    assert analysis.baseline_value == 20.0
    assert analysis.current_value == 20.0
    assert analysis.progress == 0.0
    assert analysis.insufficient_data is False


def test_survey_wave_without_denominator_has_no_interval() -> None:
    analysis = analyse(
        ChartType.SURVEY, [Point(23.4)], preset=RulePreset.IHI, direction=Direction.HIGHER
    )
    assert (analysis.points[0].lower, analysis.points[0].upper) == (None, None)


def test_cumulative_chart_is_a_running_total_without_limits() -> None:
    # 3, 4, then an incomplete 5 → 3, 7, 12; current = 7 (latest complete); baseline 0;
    # progress to a target of 14 = 7/14 = 0.5.
    analysis = analyse(
        ChartType.CUMULATIVE,
        values([3.0, 4.0, 5.0], incomplete=1),
        preset=RulePreset.MDC,
        direction=Direction.HIGHER,
        target=14.0,
    )
    assert [p.value for p in analysis.points] == [3.0, 7.0, 12.0]
    assert all(p.centre is None and p.lower is None and p.signals == () for p in analysis.points)
    assert (analysis.baseline_value, analysis.current_value) == (0.0, 7.0)
    assert analysis.progress == 0.5
    assert analysis.variation is None
    assert analysis.assurance is None
