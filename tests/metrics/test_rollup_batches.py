"""Roll-ups refreshed in batches of metrics: the number of queries does not grow with the
number of series or metrics, a batch computes exactly what one metric at a time computes, and
the bulk writes keep every value (JSON signals, missing figures) exactly."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from informatics.choices import FacilityKind
from informatics.models import Facility
from metrics.choices import AnnotationKind, ChartType, Direction
from metrics.models import Measurement, Metric, RollupPoint, RollupSeries
from metrics.services import rollups
from metrics.services.bulk import insert_rows, update_rows
from metrics.services.rollups import rollup_refresh
from tests.conftest import snapshot
from tests.factories import FacilityFactory
from tests.metrics.factories import (
    AnnotationFactory,
    MeasurementFactory,
    MetricFactory,
    facility_tree,
    monthly_series,
)

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

TODAY = NOW.date()
WRITES = ("INSERT", "UPDATE", "DELETE")


def units(count: int) -> list[Facility]:
    """A system with `count` units under it."""
    system = FacilityFactory.create(code="sys", kind=FacilityKind.SYSTEM)
    return [
        FacilityFactory.create(code=f"u{i}", kind=FacilityKind.UNIT, parent=system)
        for i in range(count)
    ]


def world(series: int) -> list[int]:
    """Two metrics (an XmR and a p chart) reporting 24 months at `series` // 2 - 1 units each
    (plus the system's series); returns the metric ids."""
    leaves = units(series // 2 - 1)
    xmr = MetricFactory.create(code="X1")
    p_chart = MetricFactory.create(
        code="P1", chart_type=ChartType.P, multiplier=Decimal(100), direction=Direction.LOWER
    )
    for i, leaf in enumerate(leaves):
        monthly_series(xmr, leaf, [(10 + (i + k) % 5, 50 + k) for k in range(24)])
        monthly_series(p_chart, leaf, [(5 + (i + k) % 4, 100 + k) for k in range(24)])
    return [xmr.pk, p_chart.pk]


def counted(metric_ids: list[int]) -> tuple[int, int, int]:
    """Queries of a first refresh, of a refresh after every series changed, and of a rerun."""
    with CaptureQueriesContext(connection) as first:
        rollup_refresh(metric_ids=metric_ids, today=TODAY)
    latest = Measurement.objects.order_by("-period_start").values_list("period_start")[:1]
    Measurement.objects.filter(period_start__in=latest).update(denominator=Decimal(1000))
    with CaptureQueriesContext(connection) as changed:
        result = rollup_refresh(metric_ids=metric_ids, today=TODAY)
    assert result.series_unchanged == 0
    with CaptureQueriesContext(connection) as rerun:
        result = rollup_refresh(metric_ids=metric_ids, today=TODAY)
    assert result.series_written == 0
    assert not [q for q in rerun.captured_queries if q["sql"].lstrip().startswith(WRITES)]
    return len(first.captured_queries), len(changed.captured_queries), len(rerun.captured_queries)


@pytest.mark.parametrize("series", [4, 40])
def test_the_queries_of_a_refresh_do_not_grow_with_the_number_of_series(series: int) -> None:
    metric_ids = world(series)

    queries = counted(metric_ids)

    assert RollupSeries.objects.count() == series
    # The same for 4 and for 40 series: ids, facilities, savepoint, lock, measurements,
    # annotations, targets, series, release; a first run adds the series and points
    # INSERTs; a change updates the series, deletes their points and inserts the new ones.
    assert queries == (11, 12, 9)


def test_the_queries_of_a_refresh_do_not_grow_with_the_number_of_metrics_in_a_batch() -> None:
    leaf = units(1)[0]
    few = [MetricFactory.create(code=f"A{i}").pk for i in range(2)]
    many = [MetricFactory.create(code=f"B{i}").pk for i in range(12)]
    for pk in few + many:
        monthly_series(Metric.objects.get(pk=pk), leaf, [1, 2, 3, 4])

    with CaptureQueriesContext(connection) as two:
        rollup_refresh(metric_ids=few, today=TODAY)
    with CaptureQueriesContext(connection) as twelve:
        rollup_refresh(metric_ids=many, today=TODAY)

    assert len(two.captured_queries) == len(twelve.captured_queries)


def test_batches_store_exactly_what_one_metric_at_a_time_stores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tree = facility_tree()
    p_chart = MetricFactory.create(
        code="P1", chart_type=ChartType.P, multiplier=Decimal(100), direction=Direction.LOWER
    )
    monthly_series(p_chart, tree["icu"], [(10 + k % 3, 200 + k) for k in range(14)])
    monthly_series(p_chart, tree["south"], [(5 + k % 4, 100 + k) for k in range(14)])
    # The north hospital's own March figure wins over its unit's.
    MeasurementFactory.create(
        metric=p_chart,
        facility=tree["north"],
        period_start=datetime.date(2024, 3, 1),
        value=Decimal(4),
        numerator=Decimal(20),
        denominator=Decimal(500),
    )
    # An XmR chart: a unit without numerator and denominator gives its parents nothing.
    xmr = MetricFactory.create(code="X1")
    monthly_series(xmr, tree["icu"], [(3, 30 + k) for k in range(14)])
    monthly_series(xmr, tree["south"], [7 + k % 3 for k in range(14)])
    # A c chart sums the values; a rebase starts new limits at the system.
    counts = MetricFactory.create(code="C1", chart_type=ChartType.C)
    monthly_series(counts, tree["icu"], [k % 5 for k in range(14)])
    monthly_series(counts, tree["south"], [k % 3 for k in range(14)])
    AnnotationFactory.create(
        metric=counts,
        kind=AnnotationKind.REBASE,
        date=datetime.date(2024, 7, 1),
        reason="Counting changed",
    )
    # Incomplete periods: a data lag past the last month's end.
    lagging = MetricFactory.create(code="L1", data_lag_days=900)
    monthly_series(lagging, tree["south"], [1, 2, 3, 4, 5])
    ids = [p_chart.pk, xmr.pk, counts.pk, lagging.pk]

    for pk in ids:
        rollup_refresh(metric_ids=[pk], today=TODAY)
    one_by_one = snapshot(
        RollupSeries.objects.values_list(
            "metric_id",
            "facility_id",
            "points",
            "data_through",
            "latest_value",
            "variation",
            "insufficient_data",
            "fingerprint",
        ),
        RollupPoint.objects.values_list(
            "series__metric_id",
            "series__facility_id",
            *rollups.POINT_FIELDS,
        ),
    )
    RollupSeries.objects.all().delete()
    monkeypatch.setattr(rollups, "METRICS_PER_BATCH", 3)  # a batch of 3, then one of 1

    result = rollup_refresh(metric_ids=ids, today=TODAY)

    assert result.errors == []
    assert (
        snapshot(
            RollupSeries.objects.values_list(
                "metric_id",
                "facility_id",
                "points",
                "data_through",
                "latest_value",
                "variation",
                "insufficient_data",
                "fingerprint",
            ),
            RollupPoint.objects.values_list(
                "series__metric_id",
                "series__facility_id",
                *rollups.POINT_FIELDS,
            ),
        )
        == one_by_one
    )
    lag_points = RollupPoint.objects.filter(series__metric=lagging, series__facility=tree["south"])
    assert [p.complete for p in lag_points.order_by("period_start")] == [False] * 5
    assert not RollupSeries.objects.filter(metric=xmr, facility=tree["system"], points__gt=0)


def test_a_batch_writes_changed_series_and_deletes_vanished_ones_together() -> None:
    tree = facility_tree()
    first = MetricFactory.create(code="M1")
    second = MetricFactory.create(code="M2")
    monthly_series(first, tree["south"], [1, 2, 3])
    icu_rows = monthly_series(first, tree["icu"], [4, 5, 6])
    second_rows = monthly_series(second, tree["south"], [10, 11, 12])
    rollup_refresh(metric_ids=[first.pk, second.pk], today=TODAY)
    Measurement.objects.filter(pk__in=[row.pk for row in icu_rows]).delete()
    Measurement.objects.filter(pk=second_rows[2].pk).delete()

    result = rollup_refresh(metric_ids=[first.pk, second.pk], today=TODAY)

    # M1: the ICU and the north hospital (which only held it) vanish (their points go with
    # them, uncounted); M2 loses a period, so its south series' 3 points are replaced by 2.
    # (Plain XmR values give the system no figure: its series are empty.)
    assert (result.series_deleted, result.points_deleted, result.points_written) == (2, 3, 2)
    assert set(RollupSeries.objects.values_list("metric__code", "facility__code", "points")) == {
        ("M1", "rh", 0),
        ("M1", "rh-south", 3),
        ("M2", "rh", 0),
        ("M2", "rh-south", 2),
    }


def test_a_refused_series_in_a_batch_leaves_the_other_metrics_written() -> None:
    tree = facility_tree()
    broken = MetricFactory.create(code="Q6", chart_type=ChartType.P, multiplier=Decimal(100))
    MeasurementFactory.create(
        metric=broken, facility=tree["south"], value=150, numerator=3, denominator=2
    )
    fine = MetricFactory.create(code="Q7")
    monthly_series(fine, tree["south"], [1, 2, 3])

    result = rollup_refresh(metric_ids=[broken.pk, fine.pk], today=TODAY)

    assert [error.split(":")[0] for error in result.errors] == [
        f"Q6 at facility #{tree['south'].pk}",
        f"Q6 at facility #{tree['system'].pk}",
    ]
    assert set(RollupSeries.objects.values_list("metric__code", "facility__code")) == {
        ("Q7", "rh"),
        ("Q7", "rh-south"),
    }


def test_bulk_rows_keep_every_value_exactly() -> None:
    metric = MetricFactory.create()
    facility = FacilityFactory.create()
    series = RollupSeries.objects.create(
        metric=metric, facility=facility, chart_type=ChartType.XMR, rule_preset="ihi"
    )
    awkward = [{"rule": 'say "hi"', "side": None}, {"rule": "back\\slash, {comma}", "side": "up"}]
    fields = ("series_id", "period_start", "period_end", "value", "numerator", "signals")
    rows = [
        (series.pk, datetime.date(2024, 1, 1), datetime.date(2024, 1, 31), 0.1, None, []),
        (series.pk, datetime.date(2024, 2, 1), datetime.date(2024, 2, 29), 1e-300, 2.5, awkward),
    ]
    insert_rows(RollupPoint, (*fields, "segment", "complete"), [(*r, 0, True) for r in rows])
    stored = list(RollupPoint.objects.order_by("period_start"))
    assert [(r.value, r.numerator, r.signals) for r in stored] == [
        (0.1, None, []),
        (1e-300, 2.5, awkward),
    ]

    update_rows(
        RollupPoint,
        ("value", "numerator", "signals", "complete"),
        [(stored[0].pk, 1 / 3, 7.0, awkward, False), (stored[1].pk, -2.0, None, [], True)],
    )

    assert list(
        RollupPoint.objects.order_by("period_start").values_list(
            "value", "numerator", "signals", "complete"
        )
    ) == [(1 / 3, 7.0, awkward, False), (-2.0, None, [], True)]
