"""A monthly feed appends periods: the roll-up after it stores exactly the series and points
that a roll-up from nothing stores for the same measurements — with limits from every point
and from a fixed baseline, a rebase, and signals that the new periods raise on earlier ones."""

import datetime
from decimal import Decimal
from typing import Any

import pytest

from metrics.choices import AnnotationKind, ChartType, RulePreset
from metrics.models import Measurement, RollupPoint, RollupSeries
from metrics.services import rollups
from metrics.services.rollups import rollup_refresh
from tests.metrics.factories import AnnotationFactory, MetricFactory, facility_tree, monthly_series

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

TODAY = NOW.date()
FEED_START = datetime.date(2025, 1, 1)  # the month after the 12 stored ones

# Every column of a series but its id and the moments it was written.
SERIES = [
    field.attname
    for field in RollupSeries._meta.concrete_fields
    if field.attname not in ("id", "computed_at", "variation_changed_at")
]
POINTS = ("series__metric_id", "series__facility_id", "period_start", *rollups.POINT_FIELDS)


def stored() -> list[list[Any]]:
    return [
        list(RollupSeries.objects.order_by("metric_id", "facility_id").values_list(*SERIES)),
        list(RollupPoint.objects.order_by(*POINTS[:3]).values_list(*POINTS)),
    ]


def test_a_roll_up_after_an_appended_feed_stores_what_a_full_recompute_stores() -> None:
    tree = facility_tree()
    xmr = MetricFactory.create(code="X1")
    fixed = MetricFactory.create(code="X2", baseline_points=6, rule_preset=RulePreset.IHI)
    p_chart = MetricFactory.create(code="P1", chart_type=ChartType.P, multiplier=Decimal(100))
    counted = MetricFactory.create(code="C1", chart_type=ChartType.C)
    AnnotationFactory.create(
        metric=xmr,
        kind=AnnotationKind.REBASE,
        date=datetime.date(2025, 4, 1),
        reason="New workflow",
    )
    metrics = [xmr, fixed, p_chart, counted]
    old, new = range(12), range(12, 20)
    for k, facility in enumerate((tree["south"], tree["icu"])):
        for months, start in ((old, datetime.date(2024, 1, 1)), (new, FEED_START)):
            monthly_series(xmr, facility, [10 + (i * 7 + k) % 5 for i in months], start)
            # Eight rising points after the baseline: a trend over stored and new periods.
            monthly_series(
                fixed, facility, [20 + i if i >= 9 else 20 + i % 3 for i in months], start
            )
            monthly_series(p_chart, facility, [(5 + (i + k) % 4, 40 + i) for i in months], start)
            monthly_series(counted, facility, [(i + k) % 6 for i in months], start)
    ids = [metric.pk for metric in metrics]
    # The stored roll-up of the first 12 months, as before the feed: the new rows set aside.
    appended = list(Measurement.objects.filter(period_start__gte=FEED_START))
    Measurement.objects.filter(period_start__gte=FEED_START).delete()
    rollup_refresh(metric_ids=ids, today=TODAY)
    before = stored()
    Measurement.objects.bulk_create(appended)

    result = rollup_refresh(metric_ids=ids, today=TODAY)
    after_feed = stored()
    RollupSeries.objects.all().delete()
    rollup_refresh(metric_ids=ids, today=TODAY)

    assert after_feed == stored()
    assert after_feed != before
    # The XmR charts' parents have no figure (their units give no numerator): unchanged.
    assert (result.series_written, result.series_unchanged, result.errors) == (12, 4, [])
    assert RollupPoint.objects.count() == 12 * 20
