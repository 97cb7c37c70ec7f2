"""Stored roll-ups: parent facilities sum their children's numerators and denominators (never
average rates), a facility's own measurement wins, incomplete periods are never signalled or
classified, rebases come from REBASE annotations only (go-lives never rebase), a second run
with the same data changes nothing, and a changed series writes only the rows that differ."""

import datetime
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from informatics.choices import JobStatus
from informatics.models import Facility, JobRun
from initiatives.choices import Stage
from metrics.choices import AnnotationKind, ChartType, Direction, Variation
from metrics.models import Measurement, Metric, RollupPoint, RollupSeries
from metrics.services.rollups import (
    POINT_FIELDS,
    rebase_indices,
    rollup_enqueue,
    rollup_enqueue_split,
    rollup_refresh,
    rollup_run,
)
from metrics.tasks import ROLLUP_KIND
from tests.conftest import snapshot
from tests.factories import FacilityFactory
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

TODAY = datetime.date(2026, 6, 15)  # every 2024–2025 month is complete (no lag)
ICU = [(10 + i % 3, 200 + 10 * i) for i in range(12)]
SOUTH = [(5 + i % 4, 100 + 5 * i) for i in range(12)]


def points_of(metric: Metric, facility: Facility) -> list[RollupPoint]:
    return list(
        RollupPoint.objects.filter(series__metric=metric, series__facility=facility).order_by(
            "period_start"
        )
    )


# Every stored roll-up row (compared whole with `snapshot`).
ROLLUPS = (RollupSeries, RollupPoint)


def writes(captured: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


@pytest.fixture
def tree() -> dict[str, Facility]:
    return facility_tree()


@pytest.fixture
def readmissions(tree: dict[str, Facility]) -> Metric:
    """A p chart in percent (lower is better), with the ICU (a unit of the north hospital)
    and the south hospital reporting 12 months of 2024."""
    metric: Metric = MetricFactory.create(
        code="Q1", chart_type=ChartType.P, multiplier=Decimal(100), direction=Direction.LOWER
    )
    monthly_series(metric, tree["icu"], ICU)
    monthly_series(metric, tree["south"], SOUTH)
    return metric


# --- Done when 8 and 9: sums of children, and a rerun that changes nothing --------------------


def test_parent_p_chart_figures_are_the_sums_of_its_childrens_numerators_and_denominators(
    tree: dict[str, Facility], readmissions: Metric
) -> None:
    rollup_refresh(metric_ids=[readmissions.pk], today=TODAY)

    system = points_of(readmissions, tree["system"])
    assert [(p.numerator, p.denominator) for p in system] == [
        (float(a + c), float(b + d)) for (a, b), (c, d) in zip(ICU, SOUTH, strict=True)
    ]
    # The north hospital has no figures of its own: its unit's are its own.
    assert [(p.numerator, p.denominator) for p in points_of(readmissions, tree["north"])] == [
        (float(a), float(b)) for a, b in ICU
    ]
    # The p chart of the system is the p chart of the summed figures (not of averaged rates):
    # p̄ = Σd ÷ Σn; limits p̄ ± 3√(p̄(1 − p̄)/nᵢ), in percent.
    d = [a + c for (a, _), (c, _) in zip(ICU, SOUTH, strict=True)]
    n = [b + e for (_, b), (_, e) in zip(ICU, SOUTH, strict=True)]
    p_bar = sum(d) / sum(n)
    for point, di, ni in zip(system, d, n, strict=True):
        sigma = math.sqrt(p_bar * (1 - p_bar) / ni)
        assert point.value == pytest.approx(di / ni * 100, rel=1e-12)
        assert point.centre == pytest.approx(p_bar * 100, rel=1e-12)
        assert point.lower == pytest.approx(max(0.0, p_bar - 3 * sigma) * 100, rel=1e-12)
        assert point.upper == pytest.approx(min(1.0, p_bar + 3 * sigma) * 100, rel=1e-12)


def test_a_rollup_equals_the_aggregate_computed_directly_from_the_measurements(
    tree: dict[str, Facility], readmissions: Metric
) -> None:
    # The north hospital reports March itself: its own figure wins over its unit's.
    MeasurementFactory.create(
        metric=readmissions,
        facility=tree["north"],
        period_start=datetime.date(2024, 3, 1),
        value=Decimal("4"),
        numerator=Decimal(20),
        denominator=Decimal(500),
    )
    rollup_refresh(metric_ids=[readmissions.pk], today=TODAY)

    # The system's children are the two hospitals; the north hospital's figure is its own
    # where it has one, else its ICU's.
    north_own = Measurement.objects.filter(metric=readmissions, facility=tree["north"])
    icu = Measurement.objects.filter(metric=readmissions, facility=tree["icu"]).exclude(
        period_start__in=north_own.values("period_start")
    )
    direct: dict[datetime.date, tuple[Decimal, Decimal]] = {}
    for rows in (
        north_own,
        icu,
        Measurement.objects.filter(metric=readmissions, facility=tree["south"]),
    ):
        for row in rows.values("period_start").annotate(d=Sum("numerator"), n=Sum("denominator")):
            num, den = direct.get(row["period_start"], (Decimal(0), Decimal(0)))
            direct[row["period_start"]] = (num + row["d"], den + row["n"])
    stored = points_of(readmissions, tree["system"])
    assert [p.period_start for p in stored] == sorted(direct)
    for point in stored:
        num, den = direct[point.period_start]
        assert (point.numerator, point.denominator) == (float(num), float(den))
        assert point.value == pytest.approx(float(num / den * 100), rel=1e-12)
    march = stored[2]
    assert (march.numerator, march.denominator) == (20.0 + 7, 500.0 + 110)
    # The ICU itself and the south hospital keep exactly their own figures.
    for facility, series in ((tree["icu"], ICU), (tree["south"], SOUTH)):
        assert [(p.numerator, p.denominator) for p in points_of(readmissions, facility)] == [
            (float(a), float(b)) for a, b in series
        ]


def test_a_second_run_with_the_same_data_changes_zero_rows(
    tree: dict[str, Facility], readmissions: Metric
) -> None:
    first = rollup_refresh(metric_ids=[readmissions.pk], today=TODAY)
    assert (first.series_written, first.points_written) == (4, 48)  # system, north, icu, south
    before = snapshot(*ROLLUPS)

    with CaptureQueriesContext(connection) as captured:
        second = rollup_refresh(metric_ids=[readmissions.pk], today=TODAY)

    assert (second.series_written, second.points_written, second.points_deleted) == (0, 0, 0)
    assert second.series_unchanged == 4
    assert snapshot(*ROLLUPS) == before
    # Nothing written at all; only the metric's row lock (SELECT … FOR UPDATE) and reads.
    assert writes(captured) == []


def test_a_changed_figure_replaces_the_points_of_its_series_only(
    tree: dict[str, Facility],
) -> None:
    # XmR limits frozen after 12 points: a later point's change moves only that point.
    metric = MetricFactory.create(baseline_points=12)
    values = [10, 12, 11, 13, 10, 12, 11, 12, 13, 11, 10, 12] * 2
    rows = monthly_series(metric, tree["south"], values)
    other = MetricFactory.create(code="E9")
    monthly_series(other, tree["icu"], values)
    rollup_refresh(metric_ids=[metric.pk, other.pk], today=TODAY)
    fields = ("series__metric_id", "series__facility_id", "period_start", *POINT_FIELDS)

    def stored() -> set[tuple[Any, ...]]:  # signals (a list) as text, to make rows hashable
        return {tuple(map(str, row)) for row in RollupPoint.objects.values_list("pk", *fields)}

    before = stored()
    Measurement.objects.filter(pk=rows[20].pk).update(value=Decimal("11.5"))

    result = rollup_refresh(metric_ids=[metric.pk, other.pk], today=TODAY)

    # The south hospital's series changed: its 24 points are replaced (deleted, then
    # inserted). The system's empty series (plain XmR values give it no figure) and the
    # other metric's three series are unchanged and not written.
    assert (result.series_written, result.points_written, result.points_deleted) == (1, 24, 24)
    assert result.series_unchanged == 4
    after = stored()
    assert {row for row in before if row[1] == str(other.pk)} == {
        row for row in after if row[1] == str(other.pk)
    }
    # Only the changed period's stored values differ.
    assert {row[1:] for row in after} - {row[1:] for row in before} == {
        row[1:] for row in after if row[1] == str(metric.pk) and row[3] == "2025-09-01"
    }
    assert [p.value for p in points_of(metric, tree["south"])][20] == 11.5


def test_vanished_periods_and_facilities_are_deleted(tree: dict[str, Facility]) -> None:
    metric = MetricFactory.create()
    monthly_series(metric, tree["south"], [1, 2, 3])
    icu_rows = monthly_series(metric, tree["icu"], [4, 5])
    rollup_refresh(metric_ids=[metric.pk], today=TODAY)
    Measurement.objects.filter(pk__in=[row.pk for row in icu_rows]).delete()
    Measurement.objects.filter(metric=metric, facility=tree["south"]).order_by(
        "-period_start"
    ).first().delete()  # type: ignore[union-attr]

    result = rollup_refresh(metric_ids=[metric.pk], today=TODAY)

    # The ICU and the north hospital (which only summed it) have no figures left.
    assert result.series_deleted == 2
    assert set(RollupSeries.objects.values_list("facility__code", flat=True)) == {"rh", "rh-south"}
    assert [p.value for p in points_of(metric, tree["south"])] == [1.0, 2.0]


# --- Which charts sum what ------------------------------------------------------------------


def test_c_chart_parents_sum_the_childrens_counts(tree: dict[str, Facility]) -> None:
    metric = MetricFactory.create(chart_type=ChartType.C)
    monthly_series(metric, tree["icu"], [3, 0, 2])
    monthly_series(metric, tree["south"], [1, 4, 2])

    rollup_refresh(metric_ids=[metric.pk], today=TODAY)

    assert [p.value for p in points_of(metric, tree["system"])] == [4.0, 4.0, 4.0]


def test_xmr_parents_sum_numerators_and_denominators_but_get_nothing_from_plain_values(
    tree: dict[str, Facility],
) -> None:
    # Length of stay: bed-days ÷ discharges, summed, never an average of averages.
    stay = MetricFactory.create(code="Q7")
    monthly_series(stay, tree["icu"], [(500, 100), (450, 100)])
    monthly_series(stay, tree["south"], [(300, 100), (300, 50)])
    plain = MetricFactory.create(code="E3")
    monthly_series(plain, tree["icu"], [80, 90])

    rollup_refresh(metric_ids=[stay.pk, plain.pk], today=TODAY)

    assert [p.value for p in points_of(stay, tree["system"])] == [4.0, 5.0]
    assert [p.value for p in points_of(plain, tree["north"])] == []
    system = RollupSeries.objects.get(metric=plain, facility=tree["system"])
    assert (system.points, system.variation, system.data_through) == (0, "", None)


def test_attribute_charts_leave_out_figures_without_numerator_and_denominator(
    tree: dict[str, Facility],
) -> None:
    metric = MetricFactory.create(chart_type=ChartType.U, multiplier=Decimal(1000))
    monthly_series(metric, tree["south"], [(2, 1000), (3, 1500)])
    MeasurementFactory.create(
        metric=metric, facility=tree["south"], period_start=datetime.date(2024, 3, 1), value=7
    )

    rollup_refresh(metric_ids=[metric.pk], today=TODAY)

    assert [p.value for p in points_of(metric, tree["south"])] == [2.0, 2.0]


# --- Completeness, rebases, go-lives, targets -----------------------------------------------


def test_incomplete_periods_are_stored_but_never_signalled_or_classified() -> None:
    system = FacilityFactory.create(code="rh")
    metric: Metric = MetricFactory.create(data_lag_days=75, direction=Direction.HIGHER)
    # Jan 2024 … Dec 2025: 20 steady months, then 4 collapsed ones (beyond the lower limit).
    monthly_series(metric, system, [50, 52, 51, 49, 50, 51, 52, 50, 49, 51] * 2 + [20] * 4)

    # On 2026-01-20 only periods ending before 2025-11-06 are complete: October 2025 is the
    # last; November and December are stored as incomplete.
    rollup_refresh(metric_ids=[metric.pk], today=datetime.date(2026, 1, 20))

    points = points_of(metric, system)
    assert [p.complete for p in points] == [True] * 22 + [False] * 2
    assert [p.signals for p in points[22:]] == [[], []]
    assert all(p.centre is not None and p.lower is not None for p in points[22:])
    assert {"rule": "beyond_limits", "side": "down"} in points[21].signals
    series = RollupSeries.objects.get(metric=metric)
    assert series.data_through == datetime.date(2025, 10, 31)
    assert series.latest_period == datetime.date(2025, 10, 1)
    assert series.latest_value == 20.0
    assert series.variation == Variation.CONCERN  # October (complete) is beyond the limit


def test_a_point_classified_once_complete_sets_variation_changed_at() -> None:
    system = FacilityFactory.create(code="rh")
    metric: Metric = MetricFactory.create(data_lag_days=45, direction=Direction.HIGHER)
    # Jan 2024 … Sep 2025, September collapsed.
    monthly_series(metric, system, [50, 52, 51, 49, 50, 51, 52, 50, 49, 51] * 2 + [20])
    # 2025-10-20: September's data is still incomplete → common cause.
    rollup_refresh(metric_ids=[metric.pk], today=datetime.date(2025, 10, 20))
    series = RollupSeries.objects.get(metric=metric)
    assert (series.variation, series.points) == (Variation.COMMON_CAUSE, 21)
    first_change = series.variation_changed_at
    assert first_change is not None

    # 2025-11-15 is the first day on which September (30th + 45 days) is complete.
    rollup_refresh(metric_ids=[metric.pk], today=datetime.date(2025, 11, 15))

    series.refresh_from_db()
    assert series.variation == Variation.CONCERN
    assert series.data_through == datetime.date(2025, 9, 30)
    assert series.variation_changed_at is not None
    assert series.variation_changed_at > first_change


def test_a_rebase_annotation_starts_new_limits_and_a_go_live_does_not(
    tree: dict[str, Facility],
) -> None:
    metric = MetricFactory.create()
    before, after = [10, 11, 9, 10, 12, 8] * 2, [20, 21, 19, 20, 22, 18] * 2
    monthly_series(metric, tree["south"], before + after)
    initiative = InitiativeFactory.create(stage=Stage.LIVE, go_live_date=datetime.date(2025, 1, 1))
    link(metric, initiative, 60)

    rollup_refresh(metric_ids=[metric.pk], today=TODAY)
    assert {p.segment for p in points_of(metric, tree["south"])} == {0}

    AnnotationFactory.create(
        metric=metric,
        kind=AnnotationKind.REBASE,
        date=datetime.date(2024, 12, 15),  # the first period from it: January 2025
        reason="Order set replaced",
    )
    AnnotationFactory.create(  # for another facility's chart only
        metric=metric,
        facility=tree["icu"],
        kind=AnnotationKind.REBASE,
        date=datetime.date(2024, 6, 1),
        reason="ICU pilot",
    )
    rollup_refresh(metric_ids=[metric.pk], today=TODAY)

    points = points_of(metric, tree["south"])
    assert [p.segment for p in points] == [0] * 12 + [1] * 12
    assert {p.centre for p in points[:12]} == {10.0}
    assert {p.centre for p in points[12:]} == {20.0}


def test_a_target_sets_assurance_and_progress(tree: dict[str, Facility]) -> None:
    metric = MetricFactory.create(direction=Direction.LOWER)
    # Mean 10, mean moving range 26/11: limits 10 ± 2.66 × 2.364 = 3.71 … 16.29.
    monthly_series(metric, tree["south"], [10, 11, 9, 10, 12, 8] * 2)
    TargetFactory.create(metric=metric, value=Decimal(20), due_date=datetime.date(2026, 12, 31))

    rollup_refresh(metric_ids=[metric.pk], today=TODAY)

    series = RollupSeries.objects.get(metric=metric, facility=tree["south"])
    # Lower is better and the target sits above the upper limit: it will consistently pass.
    assert (series.target_value, series.assurance) == (20.0, "pass")
    assert series.progress == pytest.approx((8 - 10) / (20 - 10))


def test_rebase_indices_start_at_the_first_period_from_each_date() -> None:
    starts = [datetime.date(2024, m, 1) for m in range(1, 7)]
    dates = [
        datetime.date(2024, 3, 1),
        datetime.date(2024, 2, 10),  # → March as well
        datetime.date(2023, 1, 1),  # before the first period: nothing
        datetime.date(2024, 9, 1),  # after the last: nothing
        datetime.date(2024, 6, 1),
    ]
    assert rebase_indices(starts, dates) == [2, 5]


# --- Jobs ----------------------------------------------------------------------------------


def test_rollup_enqueue_runs_the_job_after_commit(
    tree: dict[str, Facility],
    readmissions: Metric,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = rollup_enqueue(metric_ids=[readmissions.pk, readmissions.pk])

    assert len(callbacks) == 1
    job.refresh_from_db()
    assert (job.kind, job.scope, job.status) == (
        ROLLUP_KIND,
        {"metric_ids": [readmissions.pk]},
        JobStatus.DONE,
    )
    assert job.result == {
        "series_written": 4,
        "series_unchanged": 0,
        "series_deleted": 0,
        "points_written": 48,
        "points_deleted": 0,
    }
    assert (job.progress_done, job.progress_total) == (1, 1)
    assert RollupSeries.objects.filter(metric=readmissions).count() == 4


@pytest.mark.parametrize(
    ("metrics", "jobs", "expected"),
    [
        (20, 2, [list(range(0, 20, 2)), list(range(1, 20, 2))]),  # every other metric each
        (19, 2, [list(range(19))]),  # too few to keep two jobs busy
        (30, 3, [list(range(0, 30, 3)), list(range(1, 30, 3)), list(range(2, 30, 3))]),
        (30, 1, [list(range(30))]),
    ],
)
def test_a_roll_up_of_many_metrics_is_split_into_rollup_jobs_jobs(
    tree: dict[str, Facility],
    settings: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
    metrics: int,
    jobs: int,
    expected: list[list[int]],
) -> None:
    settings.ROLLUP_JOBS = jobs
    made = [MetricFactory.create(code=f"S{n}", chart_type=ChartType.XMR) for n in range(metrics)]
    for metric in made:
        monthly_series(metric, tree["south"], [1, 2, 3])
    ids = [metric.pk for metric in made]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enqueued = rollup_enqueue_split(metric_ids=list(reversed(ids)))

    assert len(callbacks) == len(expected)
    assert [job.scope["metric_ids"] for job in enqueued] == [
        [ids[i] for i in part] for part in expected
    ]
    assert list(JobRun.objects.filter(kind=ROLLUP_KIND).values_list("status", "progress_done")) == [
        (JobStatus.DONE, len(part)) for part in expected
    ]
    # Each metric's series (the south hospital's and the system's), by one job or another.
    assert RollupSeries.objects.filter(metric__in=made).count() == 2 * metrics


def test_the_nightly_roll_up_names_every_metric_only_when_it_splits(settings: Any) -> None:
    settings.ROLLUP_JOBS = 2
    few = [MetricFactory.create(code=f"N{n}").pk for n in range(3)]

    (one,) = rollup_enqueue_split(metric_ids=None)
    many = few + [MetricFactory.create(code=f"M{n}").pk for n in range(17)]
    split = rollup_enqueue_split(metric_ids=None)

    assert one.scope == {"metric_ids": None}  # every metric there is when it runs
    assert [job.scope["metric_ids"] for job in split] == [sorted(many)[0::2], sorted(many)[1::2]]


def test_a_duplicate_delivery_does_nothing(readmissions: Metric) -> None:
    job = rollup_enqueue(metric_ids=None)  # not committed: the task has not run
    rollup_run(job_id=job.pk)
    RollupSeries.objects.all().delete()

    rollup_run(job_id=job.pk)

    assert RollupSeries.objects.count() == 0
    assert JobRun.objects.get(pk=job.pk).attempts == 1


def test_a_series_the_engine_refuses_fails_the_job_naming_it_and_the_rest_is_written(
    tree: dict[str, Facility], readmissions: Metric
) -> None:
    broken = MetricFactory.create(code="Q6", chart_type=ChartType.P, multiplier=Decimal(100))
    MeasurementFactory.create(  # a proportion above 1 slipped in around the services
        metric=broken, facility=tree["south"], value=150, numerator=3, denominator=2
    )
    job = rollup_enqueue(metric_ids=None)

    rollup_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith(f"Q6 at facility #{tree['south'].pk}: point 0:")
    assert RollupSeries.objects.filter(metric=readmissions).count() == 4


# --- Query budget --------------------------------------------------------------------------


@pytest.mark.parametrize("months", [24, 240])
def test_the_refresh_makes_as_many_queries_for_240_points_as_for_24(months: int) -> None:
    facility = FacilityFactory.create(code="rh")
    metric = MetricFactory.create()
    monthly_series(
        metric, facility, [10 + (i % 5) for i in range(months)], start=datetime.date(2000, 1, 1)
    )

    with CaptureQueriesContext(connection) as first:
        rollup_refresh(metric_ids=[metric.pk], today=TODAY)
    with CaptureQueriesContext(connection) as second:
        rollup_refresh(metric_ids=[metric.pk], today=TODAY)

    # Per refresh: the metrics' ids, the facilities; per metric: savepoint, lock, measurements,
    # rebase annotations, targets, stored series, release; per written series: INSERT the
    # series, INSERT its points (one statement, however many points).
    assert len(first.captured_queries) == 11
    assert len(second.captured_queries) == 9
