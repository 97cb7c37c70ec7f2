"""Roll-ups refreshed on PostgreSQL outside a transaction: batches run in threads, each on a
connection of its own, and store exactly what the batches store one after the other inside a
transaction; the results come back in the batches' order."""

import datetime
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from metrics.choices import ChartType
from metrics.models import RollupPoint, RollupSeries
from metrics.services import rollups
from metrics.services.rollups import rollup_refresh
from tests.metrics.factories import MetricFactory, facility_tree, monthly_series

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.time_machine(NOW),
]

TODAY = NOW.date()


# Every column of a series but those that differ from one refresh to the next.
SERIES = [
    field.attname
    for field in RollupSeries._meta.concrete_fields
    if field.attname not in ("id", "computed_at", "variation_changed_at")
]


def stored() -> list[list[Any]]:
    """The stored series and points in key order (threads may create them in any order)."""
    points = ("series__metric_id", "series__facility_id", "period_start", *rollups.POINT_FIELDS)
    return [
        list(RollupSeries.objects.order_by("metric_id", "facility_id").values_list(*SERIES)),
        list(RollupPoint.objects.order_by(*points[:3]).values_list(*points)),
    ]


def test_threads_store_what_one_transaction_stores(monkeypatch: pytest.MonkeyPatch) -> None:
    tree = facility_tree()
    xmr = MetricFactory.create(code="X1")
    p_chart = MetricFactory.create(code="P1", chart_type=ChartType.P, multiplier=Decimal(100))
    broken = MetricFactory.create(code="P2", chart_type=ChartType.P, multiplier=Decimal(100))
    counted = MetricFactory.create(code="C1", chart_type=ChartType.C)
    for k, facility in enumerate((tree["south"], tree["icu"])):
        monthly_series(xmr, facility, [10 + (i * 7 + k) % 5 for i in range(30)])
        monthly_series(p_chart, facility, [(5 + (i + k) % 4, 40 + i) for i in range(30)])
        monthly_series(counted, facility, [(i + k) % 6 for i in range(30)])
    monthly_series(broken, tree["south"], [(5, 4)])  # numerator over denominator
    ids = [xmr.pk, p_chart.pk, broken.pk, counted.pk]
    monkeypatch.setattr(rollups, "METRICS_PER_THREADED_BATCH", 1)  # four batches
    threads: list[str] = []
    refresh_locked = rollups._refresh_locked

    def recorded(batch: list[int], **kwargs: Any) -> rollups.RollupResult:
        threads.append(threading.current_thread().name)
        return refresh_locked(batch, **kwargs)

    monkeypatch.setattr(rollups, "_refresh_locked", recorded)

    in_threads = rollup_refresh(metric_ids=ids, today=TODAY)
    threaded = stored()
    RollupSeries.objects.all().delete()
    threads_used = list(threads)
    threads.clear()
    with transaction.atomic():
        one_by_one = rollup_refresh(metric_ids=ids, today=TODAY)

    assert len(threads_used) == 4
    assert all(name.startswith("rollup") for name in threads_used)
    assert threads == [threading.current_thread().name]  # one batch of METRICS_PER_BATCH
    assert in_threads == one_by_one
    # X1, P1, C1 at south, icu, north and the system (X1's parents without figures); P2 fails
    # at south and at the system, in the order of its batch
    assert (in_threads.series_written, in_threads.points_written) == (12, 2 * 30 + 8 * 30)
    assert in_threads.errors == [
        f"P2 at facility #{tree[name].pk}: point 0: a proportion's numerator exceeds its "
        "denominator"
        for name in ("south", "system")
    ]
    assert stored() == threaded
    assert len(threaded[0]) == 12
    assert len(threaded[1]) == 300
