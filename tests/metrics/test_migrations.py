"""Migrations of metrics that change data: duplicate targets are removed, keeping the most
recently updated, before targets become unique per metric, facility (or none) and due date."""

import datetime
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from informatics.models import Facility
from metrics.models import Target
from tests.factories import FacilityFactory
from tests.metrics.factories import MetricFactory

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.time_machine(NOW)]

BEFORE = [("metrics", "0001_initial")]
DUE = datetime.date(2026, 12, 31)


def migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.fixture
def before_unique_targets() -> Iterator[None]:
    migrate(BEFORE)
    try:
        yield
    finally:  # whatever happened, leave the database at the latest migration
        leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
        migrate(leaves)


def target(facility: Facility | None, value: int, updated: int, metric_id: int) -> int:
    row = Target.objects.create(
        metric_id=metric_id,
        facility=facility,
        value=Decimal(value),
        due_date=DUE,
        updated_at=NOW - datetime.timedelta(days=updated),
    )
    return row.pk


def test_duplicate_targets_are_removed_keeping_the_most_recently_updated(
    before_unique_targets: None,
) -> None:
    metric = MetricFactory.create()
    hospital = FacilityFactory.create()
    kept_system = target(None, 1, updated=0, metric_id=metric.pk)  # the oldest id, updated last
    target(None, 2, updated=5, metric_id=metric.pk)
    target(hospital, 3, updated=9, metric_id=metric.pk)
    kept_own = target(hospital, 4, updated=1, metric_id=metric.pk)
    other_date = Target.objects.create(
        metric=metric, value=Decimal(5), due_date=DUE - datetime.timedelta(days=1)
    ).pk

    migrate([("metrics", "0003_target_unique")])

    assert list(Target.objects.order_by("pk").values_list("pk", "value")) == [
        (kept_system, Decimal(1)),
        (kept_own, Decimal(4)),
        (other_date, Decimal(5)),
    ]
