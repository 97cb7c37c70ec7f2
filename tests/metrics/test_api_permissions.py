"""The metrics API, every role against every write (DESIGN.md's table: the CMIO, the CMO and
admins edit the catalogue; informaticists and the CMIO enter measurements; everyone signed in
reads). Allowed writes succeed; refused ones get 403 and change nothing. Anonymous callers
get 401 everywhere."""

import datetime
from typing import Any

import pytest
from rest_framework.test import APIClient

from informatics.choices import FacilityKind, Role
from informatics.models import AuditEvent, JobRun, User
from metrics.models import Measurement, Metric, MetricInitiative
from tests.conftest import ApiAs, snapshot
from tests.factories import FacilityFactory
from tests.metrics.factories import MetricFactory

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

URL = "/api/v1/metrics/"
CATALOGUE_EDITORS = frozenset({Role.CMIO, Role.CMO, Role.ADMIN})
LOADERS = frozenset({Role.INFORMATICIST, Role.CMIO})

WRITES: dict[str, tuple[str, str, dict[str, Any], frozenset[str], int]] = {
    "create a metric": (
        "post",
        URL,
        {
            "code": "Q3",
            "name": "CAUTI",
            "value_category": "safety_quality",
            "aim": "population_health",
            "unit": "per 1,000 catheter-days",
            "direction": "lower",
            "chart_type": "u",
            "multiplier": 1000,
        },
        CATALOGUE_EDITORS,
        201,
    ),
    "edit a metric": (
        "patch",
        f"{URL}{{pk}}/",
        {"version": 1, "name": "Readmits"},
        CATALOGUE_EDITORS,
        200,
    ),
    "enter a measurement": (
        "post",
        "/api/v1/measurements/",
        {
            "metric": "Q1",
            "facility": "rh",
            "period_start": "2025-03-01",
            "period_end": "2025-03-31",
            "value": "13.1",
        },
        LOADERS,
        201,
    ),
}


# Every metric (with its links) and measurement, the audit trail and the jobs (compared whole
# with `snapshot`).
TABLES = (
    Metric,
    Metric.priorities.through,
    Metric.balancing_metrics.through,
    MetricInitiative,
    Measurement,
    AuditEvent,
    JobRun,
)


@pytest.mark.parametrize(("write", "role"), [(w, r) for w in WRITES for r in Role.values])
def test_each_role_against_each_api_write(
    users: dict[str, User], write: str, role: str, api_as: ApiAs
) -> None:
    FacilityFactory.create(code="rh", kind=FacilityKind.SYSTEM)
    metric = MetricFactory.create(code="Q1")
    method, url, body, allowed, success = WRITES[write]
    before = snapshot(*TABLES)

    response = getattr(api_as(users[role]), method)(url.format(pk=metric.pk), body, format="json")

    if role in allowed:
        assert response.status_code == success, response.content
        assert snapshot(*TABLES) != before
    else:
        assert response.status_code == 403
        assert response.json()["detail"].startswith("You may not do this")
        assert snapshot(*TABLES) == before


@pytest.mark.parametrize("role", Role.values)
def test_every_role_reads(users: dict[str, User], role: str, api_as: ApiAs) -> None:
    FacilityFactory.create(code="rh", kind=FacilityKind.SYSTEM)
    metric = MetricFactory.create()
    client = api_as(users[role])

    for url in (URL, f"{URL}{metric.pk}/", f"{URL}{metric.pk}/spc/", "/api/v1/measurements/"):
        assert client.get(url).status_code == 200, url


def test_anonymous_callers_are_refused() -> None:
    metric = MetricFactory.create()
    client = APIClient()

    for url in (URL, f"{URL}{metric.pk}/", f"{URL}{metric.pk}/spc/", "/api/v1/measurements/"):
        assert client.get(url).status_code == 401, url
    assert client.post(URL, {}, format="json").status_code == 401
    assert Metric.objects.count() == 1
