"""A roll-up point always belongs to a stored series. The points' table has no per-row
foreign-key check (a roll-up writes millions of points); on PostgreSQL statement-level
triggers refuse a point naming no series and delete a deleted series' points, however the
series is deleted. Through the ORM, deleting a series deletes its points on every database."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from metrics.choices import ChartType
from metrics.models import RollupPoint, RollupSeries
from metrics.services.rollups import rollup_refresh
from tests.metrics.factories import MetricFactory, facility_tree, monthly_series

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)

START, END = datetime.date(2025, 1, 1), datetime.date(2025, 1, 31)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]


@pytest.fixture
def series() -> RollupSeries:
    tree = facility_tree()
    metric = MetricFactory.create(code="C1", chart_type=ChartType.C)  # the system sums it
    monthly_series(metric, tree["south"], [10, 12, 11, 13])
    rollup_refresh(metric_ids=[metric.pk], today=NOW.date())
    return RollupSeries.objects.get(metric=metric, facility=tree["south"])


def test_deleting_a_series_through_the_orm_deletes_its_points(series: RollupSeries) -> None:
    other = RollupSeries.objects.exclude(pk=series.pk).get()  # the system's
    assert RollupPoint.objects.filter(series=series).count() == 4

    series.delete()

    assert RollupPoint.objects.filter(series_id=series.pk).count() == 0
    assert RollupPoint.objects.filter(series=other).count() == 4


@pytest.mark.postgres
def test_a_point_naming_no_series_is_refused(series: RollupSeries) -> None:
    missing = RollupSeries.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1

    with (
        pytest.raises(IntegrityError, match="names a series that does not exist"),
        transaction.atomic(),
    ):
        RollupPoint.objects.bulk_create(
            [
                RollupPoint(series=series, period_start=START, period_end=END, value=1),
                RollupPoint(series_id=missing, period_start=START, period_end=END, value=1),
            ]
        )
    with (
        pytest.raises(IntegrityError, match="names a series that does not exist"),
        transaction.atomic(),
    ):
        RollupPoint.objects.filter(series=series).update(series_id=missing)

    assert RollupPoint.objects.filter(series=series).count() == 4
    assert RollupPoint.objects.filter(series_id=missing).count() == 0


@pytest.mark.postgres
def test_deleting_a_series_in_sql_deletes_its_points(series: RollupSeries) -> None:
    other = RollupSeries.objects.exclude(pk=series.pk).get()

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM metrics_rollupseries WHERE id = %s", [series.pk])

    assert RollupPoint.objects.filter(series_id=series.pk).count() == 0
    assert RollupPoint.objects.filter(series=other).count() == 4
