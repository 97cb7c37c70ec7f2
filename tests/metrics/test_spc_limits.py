"""Chart limits of the SPC engine (metrics/spc/limits.py) against published and hand-computed
values.

Every expected number below is copied from the cited source or worked by hand in the comment
beside it; none is produced by the engine.
"""

import math

import pytest

from metrics.spc import (
    MIN_POINTS_FOR_RELIABLE_LIMITS,
    ChartType,
    LimitPoint,
    Point,
    compute_limits,
    segment_bounds,
)

TIGHT = 1e-9

# NIST/SEMATECH e-Handbook of Statistical Methods, §6.3.2.2 "Individuals Control Charts",
# flow-rate example (https://www.itl.nist.gov/div898/handbook/pmc/section3/pmc322.htm).
NIST_FLOW = [49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1]
NIST_MEAN = 50.81  # handbook: x̄ = 50.81
NIST_MR_BAR = 1.8778  # handbook: MR̄ = 1.8778 (16.9 / 9, printed to 4 decimals)
# The handbook prints UCL = 50.81 + 3·1.8778/1.128 = 55.8041, LCL = 45.8159 (σ = MR̄/1.128);
# with the engine's 2.66 constant the limits are 50.81 ± 2.66·1.8778 = 45.8151–55.8049
# (DOMAIN.md §3 quotes both). The two constants differ by 0.0008 here.
NIST_LIMITS_3_OVER_D2 = (45.8159, 55.8041)
NIST_LIMITS_2_66 = (45.8151, 55.8049)
NIST_MR_UCL = 3.267 * 1.8778  # handbook: MR chart UCL = D4·MR̄ = 3.267·1.8778 = 6.1348


def values(xs: list[float]) -> list[Point]:
    return [Point(x) for x in xs]


def rates(numerators: list[float], denominators: list[float]) -> list[Point]:
    return [
        Point(d / n, numerator=d, denominator=n)
        for d, n in zip(numerators, denominators, strict=True)
    ]


def bounds(limits: list[LimitPoint]) -> list[tuple[float | None, float | None]]:
    return [(lp.lower, lp.upper) for lp in limits]


# --- XmR ------------------------------------------------------------------------------------


def test_xmr_reproduces_nist_flow_rate_example() -> None:
    limits = compute_limits(ChartType.XMR, values(NIST_FLOW))
    assert len(limits) == len(NIST_FLOW)
    for lp in limits:
        assert lp.centre == pytest.approx(NIST_MEAN, abs=1e-9)
        assert lp.mr_centre == pytest.approx(NIST_MR_BAR, abs=5e-5)  # printed to 4 decimals
        # 2.66 is the engine's constant: match the handbook's 2.66 limits to their 4 decimals.
        assert lp.lower == pytest.approx(NIST_LIMITS_2_66[0], abs=1e-4)
        assert lp.upper == pytest.approx(NIST_LIMITS_2_66[1], abs=1e-4)
        # Against the handbook's 3/1.128 limits the tolerance is the constants' gap
        # (|2.66 − 3/1.128|·MR̄ = 0.0036·1.8778 ≈ 0.0008) plus rounding.
        assert lp.lower == pytest.approx(NIST_LIMITS_3_OVER_D2[0], abs=1e-3)
        assert lp.upper == pytest.approx(NIST_LIMITS_3_OVER_D2[1], abs=1e-3)
        assert lp.mr_upper == pytest.approx(NIST_MR_UCL, abs=2e-4)
        assert lp.segment == 0
        assert lp.baseline_size == 10
        assert lp.insufficient_data is True  # 10 < 12 points, but limits are still returned


def test_xmr_sigma_is_a_third_of_the_half_width() -> None:
    # σ = 2.66·MR̄/3 = 2.66·(16.9/9)/3 = 1.664962…; the handbook's σ̂ = MR̄/1.128 = 1.66470.
    lp = compute_limits(ChartType.XMR, values(NIST_FLOW))[0]
    assert lp.sigma == pytest.approx(2.66 * (16.9 / 9) / 3, rel=TIGHT)
    assert lp.sigma == pytest.approx(1.8778 / 1.128, abs=5e-4)


# Screening series: x = 10, 12, 10, 12, 10, 30, 10, 12, 10, 12 (Σx = 128, mean 12.8).
# MR = 2, 2, 2, 2, 20, 20, 2, 2, 2 → ΣMR = 54, MR̄ = 6.
# Off: 12.8 ± 2.66·6 = 12.8 ± 15.96 → −3.16 … 28.76; MR UCL = 3.267·6 = 19.602.
# On: threshold 3.267·6 = 19.602 drops both 20s; the seven 2s give MR̄ = 2;
#     12.8 ± 2.66·2 = 12.8 ± 5.32 → 7.48 … 18.12; MR UCL = 3.267·2 = 6.534.
SCREEN_SERIES = [10.0, 12.0, 10.0, 12.0, 10.0, 30.0, 10.0, 12.0, 10.0, 12.0]


def test_xmr_without_screening_keeps_every_moving_range() -> None:
    lp = compute_limits(ChartType.XMR, values(SCREEN_SERIES))[0]
    assert lp.centre == pytest.approx(12.8, rel=TIGHT)
    assert lp.mr_centre == pytest.approx(6.0, rel=TIGHT)
    assert lp.lower == pytest.approx(-3.16, rel=TIGHT)
    assert lp.upper == pytest.approx(28.76, rel=TIGHT)
    assert lp.mr_upper == pytest.approx(19.602, rel=TIGHT)


def test_xmr_screening_drops_large_moving_ranges_once() -> None:
    lp = compute_limits(ChartType.XMR, values(SCREEN_SERIES), screen_outliers=True)[0]
    assert lp.centre == pytest.approx(12.8, rel=TIGHT)  # screening never moves the mean
    assert lp.mr_centre == pytest.approx(2.0, rel=TIGHT)
    assert lp.lower == pytest.approx(7.48, rel=TIGHT)
    assert lp.upper == pytest.approx(18.12, rel=TIGHT)
    assert lp.mr_upper == pytest.approx(6.534, rel=TIGHT)


def test_screening_does_nothing_when_no_moving_range_is_large() -> None:
    on = compute_limits(ChartType.XMR, values(NIST_FLOW), screen_outliers=True)
    off = compute_limits(ChartType.XMR, values(NIST_FLOW))
    assert on == off  # largest MR 3.5 < 3.267·1.8778 = 6.13


def test_xmr_two_points_give_limits_and_one_point_gives_none() -> None:
    # x = 4, 6: mean 5, MR̄ = 2 → 5 ± 5.32 → −0.32 … 10.32.
    two = compute_limits(ChartType.XMR, values([4.0, 6.0]))
    assert (
        bounds(two)
        == [
            (pytest.approx(-0.32, rel=TIGHT), pytest.approx(10.32, rel=TIGHT)),
        ]
        * 2
    )
    one = compute_limits(ChartType.XMR, values([4.0]))
    assert one == [LimitPoint(centre=4.0, lower=None, upper=None, segment=0, baseline_size=1)]
    assert compute_limits(ChartType.XMR, []) == []


# --- Run chart ------------------------------------------------------------------------------


def test_run_chart_centre_is_the_median_with_no_limits() -> None:
    # Sorted NIST flow: 47.6 47.8 49.6 49.9 51.2 | 51.3 52.1 52.4 52.6 53.6 → (51.2 + 51.3)/2.
    limits = compute_limits(ChartType.RUN, values(NIST_FLOW))
    for lp in limits:
        assert lp.centre == pytest.approx(51.25, rel=TIGHT)
        assert lp.lower is None
        assert lp.upper is None
        assert lp.sigma is None


# --- p chart --------------------------------------------------------------------------------


def test_p_chart_limits_vary_with_subgroup_size_and_clip_at_zero() -> None:
    # d = 10, 40, 8, 2; n = 100, 400, 75, 25 → p̄ = 60/600 = 0.1, p̄(1 − p̄) = 0.09.
    # n = 100: σ = √(0.09/100) = 0.03     → 0.1 ± 0.09      = 0.01 … 0.19
    # n = 400: σ = √(0.09/400) = 0.015    → 0.1 ± 0.045     = 0.055 … 0.145
    # n = 75:  σ = √(0.0012) = 0.0346410  → 0.1 ± 0.1039230 = −0.0039230 → 0 … 0.2039230
    # n = 25:  σ = √(0.09/25) = 0.06      → 0.1 ± 0.18      = −0.08 → 0 … 0.28
    limits = compute_limits(ChartType.P, rates([10, 40, 8, 2], [100, 400, 75, 25]))
    assert [lp.centre for lp in limits] == [pytest.approx(0.1, rel=TIGHT)] * 4
    assert bounds(limits) == [
        (pytest.approx(0.01, rel=TIGHT), pytest.approx(0.19, rel=TIGHT)),
        (pytest.approx(0.055, rel=TIGHT), pytest.approx(0.145, rel=TIGHT)),
        (0.0, pytest.approx(0.1 + 3 * math.sqrt(0.0012), rel=TIGHT)),
        (0.0, pytest.approx(0.28, rel=TIGHT)),
    ]
    assert limits[2].upper == pytest.approx(0.2039230, abs=1e-7)
    assert limits[3].sigma == pytest.approx(0.06, rel=TIGHT)  # σ is reported before clipping


def test_p_chart_upper_limit_clips_at_one() -> None:
    # d = 1, 0; n = 2, 2 → p̄ = 1/4 = 0.25; σ = √(0.25·0.75/2) = √0.09375 = 0.3061862
    # → 0.25 ± 0.9185587 = −0.669 → 0 … 1.169 → 1.
    limits = compute_limits(ChartType.P, rates([1, 0], [2, 2]))
    assert bounds(limits) == [(0.0, 1.0), (0.0, 1.0)]


# --- u chart --------------------------------------------------------------------------------


def test_u_chart_with_varying_subgroup_sizes() -> None:
    # c = 3, 20, 31, 66; n = 1, 4, 9, 16 → ū = 120/30 = 4.
    # n = 1:  σ = √(4/1) = 2    → 4 ± 6   = −2 → 0 … 10
    # n = 4:  σ = √(4/4) = 1    → 4 ± 3   = 1 … 7
    # n = 9:  σ = √(4/9) = 2/3  → 4 ± 2   = 2 … 6
    # n = 16: σ = √(4/16) = 0.5 → 4 ± 1.5 = 2.5 … 5.5
    limits = compute_limits(ChartType.U, rates([3, 20, 31, 66], [1, 4, 9, 16]))
    assert [lp.centre for lp in limits] == [pytest.approx(4.0, rel=TIGHT)] * 4
    assert bounds(limits) == [
        (0.0, pytest.approx(10.0, rel=TIGHT)),
        (pytest.approx(1.0, rel=TIGHT), pytest.approx(7.0, rel=TIGHT)),
        (pytest.approx(2.0, rel=TIGHT), pytest.approx(6.0, rel=TIGHT)),
        (pytest.approx(2.5, rel=TIGHT), pytest.approx(5.5, rel=TIGHT)),
    ]


# --- c chart --------------------------------------------------------------------------------


def test_c_chart_limits() -> None:
    # c = 16, 20, 12, 16 → c̄ = 64/4 = 16; √16 = 4 → 16 ± 12 = 4 … 28.
    limits = compute_limits(ChartType.C, values([16, 20, 12, 16]))
    assert bounds(limits) == [(pytest.approx(4.0), pytest.approx(28.0))] * 4
    assert limits[0].centre == pytest.approx(16.0, rel=TIGHT)


def test_c_chart_lower_limit_clips_at_zero() -> None:
    # c = 2, 6, 4, 4 → c̄ = 4; √4 = 2 → 4 ± 6 = −2 → 0 … 10.
    limits = compute_limits(ChartType.C, values([2, 6, 4, 4]))
    assert bounds(limits) == [(0.0, pytest.approx(10.0, rel=TIGHT))] * 4


# --- Laney p′ and u′ ------------------------------------------------------------------------


def test_laney_p_prime_scales_limits_by_sigma_z() -> None:
    # d = 988, 1012, 988, 1012; n = 10000 each → p̄ = 4000/40000 = 0.1.
    # σᵢ = √(0.1·0.9/10000) = 0.003; zᵢ = (0.0988 − 0.1)/0.003 = −0.4, then +0.4, −0.4, +0.4.
    # |Δz| = 0.8, 0.8, 0.8 → mean 0.8; σz = 0.8/1.128 = 0.7092199.
    # Limits 0.1 ± 3·0.003·0.7092199 = 0.1 ± 0.0063830 → 0.0936170 … 0.1063830.
    # (The plain p chart on the same data: 0.1 ± 0.009 = 0.091 … 0.109.)
    points = rates([988, 1012, 988, 1012], [10000] * 4)
    laney = compute_limits(ChartType.LANEY_P, points)
    for lp in laney:
        assert lp.centre == pytest.approx(0.1, rel=TIGHT)
        assert lp.lower == pytest.approx(0.1 - 0.009 * 0.8 / 1.128, rel=TIGHT)
        assert lp.upper == pytest.approx(0.1 + 0.009 * 0.8 / 1.128, rel=TIGHT)
        assert lp.lower == pytest.approx(0.0936170, abs=1e-7)
        assert lp.upper == pytest.approx(0.1063830, abs=1e-7)
    plain = compute_limits(ChartType.P, points)
    assert bounds(plain) == [(pytest.approx(0.091), pytest.approx(0.109))] * 4


def test_laney_u_prime_with_varying_subgroup_sizes() -> None:
    # c = 18, 60, 18, 64; n = 4, 16, 4, 16 → ū = 160/40 = 4.
    # σᵢ = √(4/4) = 1 or √(4/16) = 0.5; uᵢ = 4.5, 3.75, 4.5, 4.0
    # zᵢ = 0.5/1, −0.25/0.5, 0.5/1, 0/0.5 = 0.5, −0.5, 0.5, 0.
    # |Δz| = 1, 1, 0.5 → mean 2.5/3 = 0.8333333; σz = 0.8333333/1.128 = 0.7387707.
    # n = 4:  4 ± 3·1·0.7387707   = 4 ± 2.2163121 → 1.7836879 … 6.2163121
    # n = 16: 4 ± 3·0.5·0.7387707 = 4 ± 1.1081560 → 2.8918440 … 5.1081560
    limits = compute_limits(ChartType.LANEY_U, rates([18, 60, 18, 64], [4, 16, 4, 16]))
    sigma_z = (2.5 / 3) / 1.128
    wide = (pytest.approx(4 - 3 * sigma_z, rel=TIGHT), pytest.approx(4 + 3 * sigma_z, rel=TIGHT))
    narrow = (
        pytest.approx(4 - 1.5 * sigma_z, rel=TIGHT),
        pytest.approx(4 + 1.5 * sigma_z, rel=TIGHT),
    )
    assert bounds(limits) == [wide, narrow, wide, narrow]
    assert limits[0].lower == pytest.approx(1.7836879, abs=1e-7)
    assert limits[1].upper == pytest.approx(5.1081560, abs=1e-7)


# --- Baseline, segments, insufficient data --------------------------------------------------


def test_frozen_baseline_limits_do_not_move_when_points_arrive() -> None:
    # Baseline = first 5 NIST points 49.6 47.6 49.9 51.3 47.8: mean 246.2/5 = 49.24;
    # MR = 2.0, 2.3, 1.4, 3.5 → MR̄ = 9.2/4 = 2.3 → 49.24 ± 2.66·2.3 = 49.24 ± 6.118.
    short = compute_limits(ChartType.XMR, values(NIST_FLOW[:8]), baseline_points=5)
    longer = compute_limits(
        ChartType.XMR, values([*NIST_FLOW, 80.0, 20.0, 95.0]), baseline_points=5
    )
    assert longer[:8] == short
    for lp in longer:
        assert lp.centre == pytest.approx(49.24, rel=TIGHT)
        assert lp.lower == pytest.approx(43.122, rel=TIGHT)
        assert lp.upper == pytest.approx(55.358, rel=TIGHT)
        assert lp.baseline_size == 5


def test_frozen_baseline_for_a_p_chart_keeps_p_bar_and_uses_each_points_n() -> None:
    # Baseline d = 10, 40 over n = 100, 400 → p̄ = 50/500 = 0.1; a later point (90 of 100)
    # does not move p̄, and its limits use its own n = 25: 0.1 ± 3·√(0.09/25) = 0 … 0.28.
    points = rates([10, 40, 90, 2], [100, 400, 100, 25])
    limits = compute_limits(ChartType.P, points, baseline_points=2)
    assert [lp.centre for lp in limits] == [pytest.approx(0.1, rel=TIGHT)] * 4
    assert bounds(limits)[3] == (0.0, pytest.approx(0.28, rel=TIGHT))
    assert compute_limits(ChartType.P, points[:3], baseline_points=2) == limits[:3]


SEGMENT_CASES: list[tuple[ChartType, list[Point]]] = [
    (ChartType.RUN, values([*NIST_FLOW, 60.0, 61.5, 59.0, 62.2, 60.4])),
    (ChartType.XMR, values([*NIST_FLOW, 60.0, 61.5, 59.0, 62.2, 60.4])),
    (ChartType.C, values([16, 20, 12, 16, 30, 34, 29, 31, 5, 7, 6])),
    (ChartType.P, rates([10, 40, 8, 2, 30, 60, 20, 9, 1, 3], [100, 400, 75, 25, 90] * 2)),
    (ChartType.U, rates([3, 20, 31, 66, 9, 50, 70, 12, 4], [1, 4, 9, 16, 2, 8, 10, 3, 1])),
    (
        ChartType.LANEY_P,
        rates([988, 1012, 980, 1010, 1150, 1120, 1090, 1160, 1300, 1320], [10000] * 10),
    ),
    (ChartType.LANEY_U, rates([18, 60, 18, 64, 30, 100, 35, 90], [4, 16, 4, 16] * 2)),
]


@pytest.mark.parametrize(("chart", "points"), SEGMENT_CASES, ids=[c for c, _ in SEGMENT_CASES])
@pytest.mark.parametrize("baseline", [None, 3])
def test_each_segment_equals_the_engine_run_on_that_segment_alone(
    chart: ChartType, points: list[Point], baseline: int | None
) -> None:
    cut = [4, len(points) - 3]
    limits = compute_limits(chart, points, rebase_at=cut, baseline_points=baseline)
    assert len(limits) == len(points)
    for number, (start, stop) in enumerate(segment_bounds(len(points), cut)):
        alone = compute_limits(chart, points[start:stop], baseline_points=baseline)
        assert limits[start:stop] == [lp._replace(segment=number) for lp in alone]
    # The rebase really changes something: the segments' centres differ.
    assert len({lp.centre for lp in limits}) == 3


def test_rebased_xmr_segment_values() -> None:
    # Segment 0 = NIST flow (mean 50.81, MR̄ 16.9/9); segment 1 = 60.0, 61.5, 59.0, 62.2, 60.4:
    # mean 303.1/5 = 60.62; MR = 1.5, 2.5, 3.2, 1.8 → MR̄ = 9.0/4 = 2.25
    # → 60.62 ± 2.66·2.25 = 60.62 ± 5.985 → 54.635 … 66.605.
    limits = compute_limits(
        ChartType.XMR, values([*NIST_FLOW, 60.0, 61.5, 59.0, 62.2, 60.4]), rebase_at=[10]
    )
    assert [lp.segment for lp in limits] == [0] * 10 + [1] * 5
    assert limits[0].upper == pytest.approx(NIST_LIMITS_2_66[1], abs=1e-4)
    assert limits[10].centre == pytest.approx(60.62, rel=TIGHT)
    assert limits[10].lower == pytest.approx(54.635, rel=TIGHT)
    assert limits[10].upper == pytest.approx(66.605, rel=TIGHT)


def test_insufficient_data_below_twelve_baseline_points() -> None:
    series = values([*NIST_FLOW, 50.0, 51.0, 49.0])  # 13 points
    assert MIN_POINTS_FOR_RELIABLE_LIMITS == 12
    assert all(not lp.insufficient_data for lp in compute_limits(ChartType.XMR, series[:12]))
    eleven = compute_limits(ChartType.XMR, series[:11])
    assert all(lp.insufficient_data and lp.upper is not None for lp in eleven)
    # A rebase leaves each segment judged on its own baseline.
    split = compute_limits(ChartType.XMR, series, rebase_at=[12])
    assert [lp.insufficient_data for lp in split] == [False] * 12 + [True]
    assert split[12].upper is None  # a one-point segment has a centre but no limits


@pytest.mark.parametrize("index", [0, 5, -1])
def test_rebase_index_must_fall_inside_the_series(index: int) -> None:
    with pytest.raises(ValueError, match="rebase index"):
        compute_limits(ChartType.XMR, values([1.0, 2.0, 3.0, 4.0, 5.0]), rebase_at=[index])


def test_attribute_charts_need_numerator_and_positive_denominator() -> None:
    with pytest.raises(ValueError, match="numerator and denominator"):
        compute_limits(ChartType.P, values([0.1, 0.2]))
    with pytest.raises(ValueError, match="denominator must be positive"):
        compute_limits(ChartType.U, [Point(0.0, numerator=0, denominator=0)])
    with pytest.raises(ValueError, match="exceeds"):
        compute_limits(ChartType.P, [Point(2.0, numerator=2, denominator=1)])
