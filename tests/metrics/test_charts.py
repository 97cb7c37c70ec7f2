"""Charts (metrics/charts/): the Vega-Lite spec built from a stored roll-up — one point per
period coloured by its signal, step lines for the centre and limits of each segment, the
target, the timeline marks — and its SVG, rendered by vl-convert, read back here: one symbol
per point, lines at the computed centre and limits, nothing a strict CSP would block, every
label escaped, and the cache keyed by the spec's fingerprint."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache

from informatics.choices import FacilityKind
from informatics.models import Facility
from initiatives.choices import Stage
from metrics import charts, selectors
from metrics.choices import AnnotationKind, ChartType, Direction, MetricFrequency, RulePreset
from metrics.models import Metric, RollupPoint
from metrics.services.rollups import rollup_refresh
from tests.factories import FacilityFactory
from tests.initiatives.factories import InitiativeFactory
from tests.metrics import svg as read
from tests.metrics.factories import (
    AnnotationFactory,
    MetricFactory,
    TargetFactory,
    link,
    monthly_series,
)

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

TODAY = datetime.date(2026, 6, 15)
START = datetime.date(2024, 1, 1)
# Twelve steady months around 10.5, then a shift up: under Making Data Count, with the limits
# frozen after 12 points, the last nine (the twelfth, 11, is above 10.5 too) are a run of 7+
# above the centre.
VALUES = [10, 12, 11, 9, 10, 11, 12, 10, 9, 11, 10, 11, 14, 15, 14, 16, 15, 14, 15, 16]
STEADY = ["Common cause"] * 11
SHIFTED = 9


@pytest.fixture
def system() -> Facility:
    return FacilityFactory.create(code="rh", name="Riverside Health", kind=FacilityKind.SYSTEM)


def charted(
    facility: Facility,
    values: list = VALUES,
    start: datetime.date = START,
    **fields: object,
) -> selectors.SeriesView:
    fields = {"baseline_points": 12, **fields}
    metric: Metric = MetricFactory.create(**fields)
    monthly_series(metric, facility, values, start=start)
    return refreshed(metric, facility)


def refreshed(metric: Metric, facility: Facility) -> selectors.SeriesView:
    rollup_refresh(metric_ids=[metric.pk], today=TODAY)
    return selectors.series_view(metric=metric, facility=facility)


def layer(spec: dict, name: str) -> dict:
    return next(item for item in spec["layer"] if item.get("name") == name)


def states(spec: dict) -> list[str]:
    return [row["state"] for row in layer(spec, "points")["data"]["values"]]


# --- The spec -------------------------------------------------------------------------------


def test_the_spec_has_one_point_per_period_and_step_lines_for_centre_and_limits(
    system: Facility,
) -> None:
    view = charted(system)

    spec = charts.chart_spec(view)

    assert spec["$schema"] == "https://vega.github.io/schema/vega-lite/v5.json"
    assert [item["name"] for item in spec["layer"]] == [
        "centre",
        "lower",
        "upper",
        "series",
        "points",
    ]
    points = layer(spec, "points")["data"]["values"]
    assert [row["value"] for row in points] == [float(v) for v in VALUES]
    assert points[0]["period"] == "2024-01-01"
    assert points[-1]["period"] == "2025-08-01"
    centre = layer(spec, "centre")
    assert centre["mark"]["interpolate"] == "step"
    assert {row["y"] for row in centre["data"]["values"]} == {10.5}  # mean of the first 12
    stored = list(RollupPoint.objects.filter(series=view.series).order_by("period_start"))
    assert [row["y"] for row in layer(spec, "upper")["data"]["values"]] == [p.upper for p in stored]
    assert [row["y"] for row in layer(spec, "lower")["data"]["values"]] == [p.lower for p in stored]


@pytest.mark.parametrize(
    ("direction", "shifted"),
    [
        (Direction.HIGHER, "Improvement"),
        (Direction.LOWER, "Concern"),
        (Direction.NONE, "Special cause (no better direction)"),
    ],
)
def test_signal_points_take_the_colour_of_their_classification(
    system: Facility, direction: str, shifted: str
) -> None:
    view = charted(system, direction=direction)

    spec = charts.chart_spec(view)

    assert states(spec) == [*STEADY, *[shifted] * SHIFTED]
    scale = layer(spec, "points")["encoding"]["color"]["scale"]
    colours = dict(zip(scale["domain"], scale["range"], strict=True))
    assert colours == {
        "Improvement": "#289de0",
        "Concern": "#fab428",
        "Special cause (no better direction)": "#361475",
        "Common cause": "#7b7d7d",
    }


@pytest.mark.parametrize(
    ("signals", "direction", "complete", "state"),
    [
        ([], Direction.HIGHER, True, "common_cause"),
        ([{"rule": "shift", "side": "up"}], Direction.HIGHER, True, "improvement"),
        ([{"rule": "shift", "side": "up"}], Direction.LOWER, True, "concern"),
        ([{"rule": "trend", "side": "down"}], Direction.LOWER, True, "improvement"),
        ([{"rule": "shift", "side": "up"}], Direction.NONE, True, "neutral"),
        ([{"rule": "runs", "side": None}], Direction.HIGHER, True, "neutral"),
        (
            [{"rule": "beyond_limits", "side": "up"}, {"rule": "trend", "side": "down"}],
            Direction.HIGHER,
            True,
            "concern",
        ),
        ([{"rule": "shift", "side": "up"}], Direction.HIGHER, False, "common_cause"),
    ],
)
def test_a_point_is_classified_as_the_engine_classifies_the_latest(
    signals: list, direction: str, complete: bool, state: str
) -> None:
    assert charts.point_state(signals, direction=direction, complete=complete) == state


def test_an_incomplete_period_is_hollow_and_never_a_signal(system: Facility) -> None:
    # Twenty months to May 2026; with a 30-day lag May is not complete on 15 June.
    view = charted(system, start=datetime.date(2024, 10, 1), data_lag_days=30)

    spec = charts.chart_spec(view)
    svg = charts.chart_svg(view)

    rows = layer(spec, "points")["data"]["values"]
    assert [row["complete"] for row in rows] == [True] * 19 + [False]
    assert rows[-1]["state"] == "Common cause"
    assert rows[-1]["description"] == "May 2026: 16 events; incomplete period"
    fills = [symbol.fill for symbol in read.symbols(svg)]
    assert fills[-1] == "#ffffff"
    assert "#ffffff" not in fills[:-1]
    assert spec["title"]["text"].startswith("Hollow points")


def test_the_target_is_a_dashed_rule_and_the_marks_in_range_are_labelled_rules(
    system: Facility,
) -> None:
    view = charted(system)
    metric = view.metric
    TargetFactory.create(metric=metric, value=Decimal("13.5"), due_date=datetime.date(2030, 1, 1))
    went_live = InitiativeFactory.create(
        title="Sepsis order set", stage=Stage.LIVE, go_live_date=datetime.date(2024, 12, 20)
    )
    link(metric, went_live, 40)
    AnnotationFactory.create(
        metric=metric,
        kind=AnnotationKind.REBASE,
        date=datetime.date(2025, 1, 1),
        label="Order set everywhere",
        reason="A new process from January",
    )
    AnnotationFactory.create(
        metric=metric,
        kind=AnnotationKind.PDSA,
        date=datetime.date(2024, 3, 5),
        label="Pilot on 4 West",
    )
    AnnotationFactory.create(  # after the last period: not on the chart
        metric=metric, kind=AnnotationKind.NOTE, date=datetime.date(2026, 1, 1), label="Later"
    )

    spec = charts.chart_spec(refreshed(metric, system))

    target = layer(spec, "target")
    assert target["data"]["values"] == [{"y": 13.5, "label": "Target 13.5"}]
    assert target["layer"][0]["mark"]["strokeDash"] == [8, 5]
    marks = layer(spec, "annotations")["data"]["values"]
    assert [(m["date"], m["kind"], m["label"]) for m in marks] == [
        ("2024-03-05", "pdsa", "PDSA: Pilot on 4 West"),
        ("2024-12-20", "go_live", "Go-live: Sepsis order set"),
        ("2025-01-01", "rebase", "Rebase: Order set everywhere"),
    ]
    assert [m["leftward"] for m in marks] == [False, True, True]


def test_a_rebase_starts_new_lines_at_its_segment(system: Facility) -> None:
    view = charted(system)
    AnnotationFactory.create(
        metric=view.metric,
        kind=AnnotationKind.REBASE,
        date=datetime.date(2025, 1, 1),
        label="New process",
        reason="The order set went live everywhere",
    )

    view = refreshed(view.metric, system)
    spec = charts.chart_spec(view)
    svg = charts.chart_svg(view)

    centre = layer(spec, "centre")["data"]["values"]
    assert [row["segment"] for row in centre] == [0] * 12 + [1] * 8
    assert [row["y"] for row in centre] == [10.5] * 12 + [14.875] * 8
    paths = read.line_ys(svg, "centre")
    assert len(paths) == 2
    assert len(set(paths[0])) == 1
    assert len(set(paths[1])) == 1
    assert paths[0][0] > paths[1][0]  # the new centre is higher, so nearer the top


def test_another_presets_analysis_replaces_the_stored_signals(system: Facility) -> None:
    view = charted(system, chart_type=ChartType.RUN, rule_preset=RulePreset.MDC)
    analysis = selectors.spc_analysis(
        metric=view.metric, facility=system, preset=RulePreset.IHI, view=view
    )

    stored = states(charts.chart_spec(view))
    recomputed = states(charts.chart_spec(view, analysis))

    # Making Data Count: 7 in a row; IHI: 6 in a row (a shift) and 5 rising (a trend).
    assert stored == [*STEADY, *["Improvement"] * SHIFTED]
    assert recomputed == [
        ("Improvement" if point.signals else "Common cause") for point in analysis.points
    ]
    assert recomputed[12:] == ["Improvement"] * 8
    assert any(signal.rule == "shift" for point in analysis.points for signal in point.signals)


def test_survey_waves_show_their_confidence_intervals_and_no_limits(system: Facility) -> None:
    view = charted(
        system,
        values=[(301, 640), (317, 700), (303, 720), (293, 760)],
        chart_type=ChartType.SURVEY,
        frequency=MetricFrequency.WAVE,
        multiplier=Decimal("100"),
        direction=Direction.LOWER,
        baseline_points=None,
    )

    spec = charts.chart_spec(view)

    assert [item["name"] for item in spec["layer"]] == ["interval", "points"]
    stored = list(RollupPoint.objects.filter(series=view.series).order_by("period_start"))
    assert layer(spec, "interval")["data"]["values"] == [
        {"period": p.period_start.isoformat(), "lower": p.lower, "upper": p.upper} for p in stored
    ]
    assert layer(spec, "points")["encoding"]["color"]["legend"] is None


def test_a_cumulative_chart_draws_the_running_total_without_limits(system: Facility) -> None:
    view = charted(
        system, values=[0, 0, 100, 250, 300], chart_type=ChartType.CUMULATIVE, baseline_points=None
    )

    spec = charts.chart_spec(view)

    assert [item["name"] for item in spec["layer"]] == ["series", "points"]
    assert [row["value"] for row in layer(spec, "points")["data"]["values"]] == [
        0.0,
        0.0,
        100.0,
        350.0,
        650.0,
    ]


# --- The SVG --------------------------------------------------------------------------------


def test_the_svg_has_a_symbol_per_point_and_lines_at_the_computed_centre_and_limits(
    system: Facility,
) -> None:
    view = charted(system)
    TargetFactory.create(
        metric=view.metric, value=Decimal("17"), due_date=datetime.date(2030, 1, 1)
    )
    view = refreshed(view.metric, system)
    stored = view.points

    svg = charts.chart_svg(view)

    points = read.symbols(svg)
    assert len(points) == len(stored) == 20
    assert [p.label.split(":")[0] for p in points[:2]] == ["Jan 2024", "Feb 2024"]
    assert points == sorted(points, key=lambda p: p.x)
    a, b = read.scale(points, [p.value for p in stored])
    for symbol, point in zip(points, stored, strict=True):
        assert symbol.y == pytest.approx(a * point.value + b, abs=0.01)
    first = stored[0]
    assert first.centre is not None
    assert first.lower is not None
    assert first.upper is not None
    for name, value in (("centre", first.centre), ("upper", first.upper)):
        (ys,) = read.line_ys(svg, name)
        assert ys == [pytest.approx(a * value + b, abs=0.01)] * len(ys)
    (lower,) = read.line_ys(svg, "lower")
    assert lower[0] == pytest.approx(a * first.lower + b, abs=0.01)
    assert read.rule_ys(svg, "target_layer_0") == [pytest.approx(a * 17 + b, abs=0.01)]


def test_the_svg_is_safe_to_inline_under_the_strict_csp(system: Facility) -> None:
    view = charted(system)
    AnnotationFactory.create(
        metric=view.metric,
        kind=AnnotationKind.NOTE,
        date=datetime.date(2024, 6, 1),
        label='<script>alert("x")</script>',
    )

    svg = charts.chart_svg(refreshed(view.metric, system))

    assert svg.startswith("<svg")
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    assert "<style" not in svg
    assert "style=" not in svg
    assert "href" not in svg
    assert "<foreignObject" not in svg


def test_the_svg_is_cached_under_the_fingerprint_of_its_spec(system: Facility) -> None:
    view = charted(system)
    spec = charts.chart_spec(view)
    key = charts.CACHE_PREFIX + charts.spec_fingerprint(spec)
    cache.set(key, "<svg>from the cache</svg>")

    assert charts.chart_svg(view) == "<svg>from the cache</svg>"

    cache.delete(key)
    rendered = charts.chart_svg(view)
    assert rendered.startswith("<svg")
    assert cache.get(key) == rendered


def test_a_changed_figure_or_target_changes_the_fingerprint(system: Facility) -> None:
    view = charted(system)
    before = charts.spec_fingerprint(charts.chart_spec(view))
    same = charts.spec_fingerprint(
        charts.chart_spec(selectors.series_view(metric=view.metric, facility=system))
    )
    TargetFactory.create(
        metric=view.metric, value=Decimal("12"), due_date=datetime.date(2030, 1, 1)
    )
    with_target = charts.spec_fingerprint(charts.chart_spec(refreshed(view.metric, system)))

    assert same == before
    assert with_target != before
