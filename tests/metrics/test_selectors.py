"""Reads of metrics: the catalogue with its system roll-ups, one metric in full, a facility's
stored series with its timeline marks (go-lives from initiatives, annotations) and target,
the SPC analysis read from the roll-ups or recomputed under another preset — each in a fixed
number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from informatics.choices import Role
from informatics.models import Facility, User
from informatics.services import site_today
from initiatives.choices import Stage
from metrics import selectors, spc
from metrics.choices import AnnotationKind, ChartType, Direction, RulePreset, Variation
from metrics.models import Metric, RollupSeries
from metrics.services.rollups import rollup_refresh
from tests.factories import FacilityFactory, PriorityFactory
from tests.initiatives.factories import InitiativeFactory
from tests.metrics.factories import (
    AnnotationFactory,
    MeasurementFactory,
    MetricFactory,
    TargetFactory,
    facility_tree,
    link,
    monthly_series,
)

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

TODAY = datetime.date(2026, 6, 15)
# Steady, then a shift up of 8 points: under Making Data Count 7 in a row above the mean.
VALUES = [10, 12, 11, 9, 10, 11, 12, 10, 9, 11, 10, 11, 14, 15, 14, 16, 15, 14, 15, 16]


@pytest.fixture
def tree() -> dict[str, Facility]:
    return facility_tree()


def shifted(facility: Facility, months: int = len(VALUES), **fields: object) -> Metric:
    metric: Metric = MetricFactory.create(**fields)
    values = [VALUES[i % len(VALUES)] for i in range(months)]
    monthly_series(metric, facility, values, start=datetime.date(2004, 1, 1))
    rollup_refresh(metric_ids=[metric.pk], today=TODAY)
    return metric


def count_queries(call: object) -> int:
    assert callable(call)
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


# --- Series and marks ----------------------------------------------------------------------


def test_series_view_has_the_points_marks_target_and_data_through(
    tree: dict[str, Facility],
) -> None:
    metric = MetricFactory.create(direction=Direction.LOWER)
    monthly_series(metric, tree["south"], [5, 6, 4])
    went_live = InitiativeFactory.create(
        title="Falls order panel", stage=Stage.LIVE, go_live_date=datetime.date(2024, 2, 10)
    )
    link(metric, went_live, 50)
    link(metric, InitiativeFactory.create(stage=Stage.IN_BUILD), 20)  # no go-live yet
    AnnotationFactory.create(
        metric=metric,
        kind=AnnotationKind.REBASE,
        date=datetime.date(2024, 2, 10),
        label="New panel",
        reason="Panel replaced",
    )
    AnnotationFactory.create(
        metric=metric, facility=tree["south"], kind=AnnotationKind.PDSA, label="PDSA 1"
    )
    AnnotationFactory.create(metric=metric, facility=tree["icu"], label="Not on this chart")
    TargetFactory.create(metric=metric, value=3, due_date=datetime.date(2025, 1, 1))
    TargetFactory.create(metric=metric, value=2, due_date=datetime.date(2099, 1, 1))
    mine = TargetFactory.create(
        metric=metric, facility=tree["south"], value=4, due_date=datetime.date(2099, 6, 1)
    )
    rollup_refresh(metric_ids=[metric.pk], today=TODAY)

    view = selectors.series_view(metric=metric, facility=tree["south"])

    assert [p.value for p in view.points] == [5.0, 6.0, 4.0]
    assert view.series is not None
    assert view.series.facility_id == tree["south"].pk
    assert view.data_through == datetime.date(2024, 3, 31)
    assert view.target == mine
    assert view.marks == [
        selectors.TimelineMark(
            date=datetime.date(2024, 2, 10),
            kind="go_live",
            label="Go-live: Falls order panel",
            url=f"/initiatives/{went_live.pk}/",
        ),
        selectors.TimelineMark(
            date=datetime.date(2024, 2, 10),
            kind="rebase",
            label="New panel (rebase: Panel replaced)",
            url="",
        ),
        selectors.TimelineMark(date=datetime.date(2024, 6, 1), kind="pdsa", label="PDSA 1", url=""),
    ]
    # The system has no target of its own: the nearest upcoming system-wide one.
    system = selectors.series_view(metric=metric, facility=tree["system"], with_marks=False)
    assert (system.target.value if system.target else None, system.marks) == (Decimal(2), [])


def test_a_facility_without_figures_has_an_empty_view(tree: dict[str, Facility]) -> None:
    metric = MetricFactory.create()

    view = selectors.series_view(metric=metric, facility=tree["north"])

    assert (view.series, view.points, view.data_through, view.target) == (None, [], None, None)
    analysis = selectors.spc_analysis(metric=metric, facility=tree["north"], view=view)
    assert (analysis.points, analysis.variation, analysis.insufficient_data) == ((), None, True)


@pytest.mark.parametrize("months", [24, 240])
def test_series_view_and_spc_analysis_query_counts_do_not_grow(months: int) -> None:
    facility = FacilityFactory.create(code="rh")
    metric = shifted(facility, months)
    link(metric, InitiativeFactory.create(go_live_date=datetime.date(2004, 6, 1)), 10)
    AnnotationFactory.create(metric=metric)
    TargetFactory.create(metric=metric)
    site_today()  # the site's settings, cached: every request's middleware has read them

    # The series, its points, the targets, the annotations, the go-lives.
    assert count_queries(lambda: selectors.series_view(metric=metric, facility=facility)) == 5
    # The series and its points; none when given the view.
    for preset in (None, RulePreset.ANHOJ):
        assert (
            count_queries(
                lambda p=preset: selectors.spc_analysis(metric=metric, facility=facility, preset=p)
            )
            == 2
        )
    view = selectors.series_view(metric=metric, facility=facility)
    assert (
        count_queries(lambda: selectors.spc_analysis(metric=metric, facility=facility, view=view))
        == 0
    )


# --- SPC analysis ---------------------------------------------------------------------------


def engine(metric: Metric, preset: str, target: float | None = None) -> spc.Analysis:
    """The engine run directly on the measurements (one facility, all complete)."""
    rows = metric.measurements.order_by("period_start")
    return spc.analyse(
        spc.ChartType(metric.chart_type),
        [
            spc.Point(
                value=float(m.value),
                numerator=None if m.numerator is None else float(m.numerator),
                denominator=None if m.denominator is None else float(m.denominator),
            )
            for m in rows
        ],
        preset=spc.RulePreset(preset),
        direction=spc.Direction(metric.direction),
        multiplier=float(metric.multiplier),
        target=target,
    )


def test_the_stored_analysis_is_the_engines(tree: dict[str, Facility]) -> None:
    metric = shifted(tree["south"], direction=Direction.HIGHER)

    analysis = selectors.spc_analysis(metric=metric, facility=tree["south"])

    assert analysis == engine(metric, RulePreset.MDC)
    assert analysis.variation == spc.Variation.IMPROVEMENT
    assert analysis.insufficient_data is False


def test_another_preset_is_recomputed_from_the_stored_aggregates(
    tree: dict[str, Facility],
) -> None:
    metric = shifted(tree["south"], chart_type=ChartType.RUN, rule_preset=RulePreset.MDC)
    TargetFactory.create(metric=metric, value=18)
    rollup_refresh(metric_ids=[metric.pk], today=TODAY)

    ihi = selectors.spc_analysis(metric=metric, facility=tree["south"], preset=RulePreset.IHI)

    assert ihi == engine(metric, RulePreset.IHI, target=18.0)
    assert ihi.preset == spc.RulePreset.IHI
    assert any(p.signals for p in ihi.points)  # the IHI shift rule flags the last points


def test_another_preset_keeps_the_stored_rebases(tree: dict[str, Facility]) -> None:
    metric = MetricFactory.create()
    monthly_series(metric, tree["south"], [10, 11, 9, 10, 12, 8, 20, 21, 19, 20, 22, 18])
    AnnotationFactory.create(
        metric=metric,
        kind=AnnotationKind.REBASE,
        date=datetime.date(2024, 7, 1),
        reason="Go-live of the new bundle",
    )
    rollup_refresh(metric_ids=[metric.pk], today=TODAY)

    anhoj = selectors.spc_analysis(metric=metric, facility=tree["south"], preset=RulePreset.ANHOJ)

    assert [p.segment for p in anhoj.points] == [0] * 6 + [1] * 6
    assert [p.centre for p in anhoj.points] == [10.0] * 6 + [20.0] * 6


def test_a_cumulative_chart_keeps_its_running_totals_under_any_preset(
    tree: dict[str, Facility],
) -> None:
    metric = MetricFactory.create(chart_type=ChartType.CUMULATIVE)
    monthly_series(metric, tree["south"], [100, 250, 50])
    rollup_refresh(metric_ids=[metric.pk], today=TODAY)

    analysis = selectors.spc_analysis(
        metric=metric, facility=tree["south"], preset=RulePreset.WESTERN_ELECTRIC
    )

    assert [p.value for p in analysis.points] == [100.0, 350.0, 400.0]
    assert (analysis.preset, analysis.current_value, analysis.baseline_value) == (
        spc.RulePreset.WESTERN_ELECTRIC,
        400.0,
        0.0,
    )


# --- Catalogue ------------------------------------------------------------------------------


def catalogue(count: int, facility: Facility, owner: User) -> None:
    priority = PriorityFactory.create()
    for n in range(count):
        metric = MetricFactory.create(code=f"x{n:03}", owner=owner if n % 2 else None)
        metric.priorities.add(priority)
        MeasurementFactory.create(metric=metric, facility=facility)
    rollup_refresh(today=TODAY)


@pytest.mark.parametrize("count", [2, 200])
def test_metric_list_makes_three_queries_whatever_the_number_of_metrics(
    count: int, users: dict[str, User]
) -> None:
    facility = FacilityFactory.create(code="rh")
    catalogue(count, facility, users[Role.CMIO])

    with CaptureQueriesContext(connection) as captured:
        rows = list(selectors.metric_list(user=users[Role.CMIO]))
        shown = [
            (m.owner, [p.code for p in m.priorities.all()], selectors.system_rollup(m))
            for m in rows
        ]

    # The metrics with their owners, their system roll-ups, their priorities.
    assert len(captured.captured_queries) == 3
    assert len(shown) == count
    assert all(rollup is not None and rollup.points == 1 for _, _, rollup in shown)


def test_metric_list_filters(users: dict[str, User]) -> None:
    facility = FacilityFactory.create(code="rh")
    catalogue(4, facility, users[Role.CMIO])
    concern = MetricFactory.create(code="q-concern", name="Sepsis bundle")
    RollupSeries.objects.create(
        metric=concern,
        facility=facility,
        chart_type=ChartType.XMR,
        rule_preset=RulePreset.MDC,
        variation=Variation.CONCERN,
        fingerprint="x",
    )

    def codes(**params: str) -> list[str]:
        return [m.code for m in selectors.metric_list(user=users[Role.CMIO], params=params)]

    assert codes(mine="true") == ["x001", "x003"]
    assert codes(variation=Variation.CONCERN) == ["q-concern"]
    assert codes(q="sepsis") == ["q-concern"]
    assert codes() == ["q-concern", "x000", "x001", "x002", "x003"]


def test_metric_detail_prefetches_everything_shown_and_404s(tree: dict[str, Facility]) -> None:
    metric = MetricFactory.create()
    link(metric, InitiativeFactory.create(), 30)
    TargetFactory.create(metric=metric, facility=tree["south"])
    AnnotationFactory.create(metric=metric, facility=tree["south"])
    metric.balancing_metrics.add(MetricFactory.create())

    with CaptureQueriesContext(connection) as captured:
        shown = selectors.metric_detail(metric_id=metric.pk)
        [(link_row.initiative.title, link_row.benefit_line) for link_row in shown.links.all()]
        [t.facility for t in shown.targets.all()]
        [(a.facility, a.created_by) for a in shown.annotations.all()]
        [m.code for m in shown.balancing_metrics.all()]
        [p.title for p in shown.priorities.all()]
        selectors.system_rollup(shown)

    # The metric and owner, then system roll-ups, priorities, links, balancing metrics,
    # targets, annotations.
    assert len(captured.captured_queries) == 7
    with pytest.raises(Http404):
        selectors.metric_detail(metric_id=metric.pk + 100)


def test_system_facility_is_the_root_of_the_tree(tree: dict[str, Facility]) -> None:
    assert selectors.system_facility() == tree["system"]


def test_measurement_list_filters_by_metric_facility_and_period(
    tree: dict[str, Facility],
) -> None:
    q1 = MetricFactory.create(code="Q1")
    q2 = MetricFactory.create(code="Q2")
    monthly_series(q1, tree["south"], [1, 2, 3, 4])
    monthly_series(q1, tree["icu"], [5, 6])
    monthly_series(q2, tree["south"], [7])

    def values(**params: str) -> list[float]:
        return [float(m.value) for m in selectors.measurement_list(params=params)]

    assert values(metric="Q1", facility="rh-south") == [1, 2, 3, 4]
    assert values(metric="Q1", period_from="2024-02-01", period_to="2024-03-01") == [6, 2, 3]
    assert values(facility="rh-south") == [1, 2, 3, 4, 7]
