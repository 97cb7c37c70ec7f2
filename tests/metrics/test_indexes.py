"""The measurement table's indexes are the ones its plans need, and no more: a metric's latest
period reads `(metric, period_end)`; lookups by metric read the unique index, so the foreign
key has no index of its own to slow every import."""

import pytest
from django.db import connection

from metrics.models import Measurement

pytestmark = pytest.mark.django_db


def indexes(table: str) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {
        name: spec["columns"] for name, spec in found.items() if spec["index"] or spec["unique"]
    }


def test_measurements_are_indexed_by_metric_and_period_end_not_by_metric_alone() -> None:
    found = indexes(Measurement._meta.db_table)

    assert found["measurement_metric_end_idx"] == ["metric_id", "period_end"]
    assert ["metric_id", "facility_id", "period_start"] in found.values()  # the unique one
    assert ["metric_id"] not in found.values()
