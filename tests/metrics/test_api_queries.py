"""The metrics API's query budget: the catalogue list and a metric's detail make as many
queries with 200 rows as with 2, the SPC read as many with 240 points as with 24 (under the
stored preset and under another one), and the measurement list as many with 200 rows as
with 2."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from informatics.choices import Role
from informatics.models import Facility, User
from metrics.models import Metric
from metrics.services.rollups import rollup_refresh
from tests.conftest import ApiAs
from tests.factories import PriorityFactory
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

URL = "/api/v1/metrics/"
TODAY = datetime.date(2026, 6, 15)
# Token authentication (the token with its user), the user's groups (roles, for the
# permission check).
AUTH = 2


def queries_for(client: APIClient, url: str, params: dict[str, str] | None = None) -> int:
    """How many queries a GET makes, once the site settings are cached."""
    assert client.get(url, params).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)


@pytest.fixture
def tree() -> dict[str, Facility]:
    return facility_tree()


def catalogue(count: int, tree: dict[str, Facility], owner: User) -> None:
    """`count` metrics with an owner, two priorities and one measurement each (a ratio, so
    the system sums it), rolled up."""
    priorities = [PriorityFactory.create(), PriorityFactory.create()]
    for n in range(count):
        metric = MetricFactory.create(code=f"m{n:03}", owner=owner)
        metric.priorities.add(*priorities)
        MeasurementFactory.create(
            metric=metric, facility=tree["south"], value="0.1", numerator=1, denominator=10
        )
    rollup_refresh(today=TODAY)


@pytest.mark.parametrize("count", [2, 200])
def test_the_metric_list_query_count_does_not_grow(
    count: int, tree: dict[str, Facility], users: dict[str, User], api_as: ApiAs
) -> None:
    catalogue(count, tree, users[Role.CMIO])
    client = api_as(users[Role.CHAMPION])

    # + the page's count, the metrics with their owners, their system roll-ups (with the
    # facility), their priorities.
    assert queries_for(client, URL) == AUTH + 4
    filters = {"variation": "common_cause", "q": "metric"}
    assert queries_for(client, URL, filters) == AUTH + 4
    assert client.get(URL, filters).json()["count"] == count


@pytest.mark.parametrize("count", [2, 200])
def test_a_metrics_detail_query_count_does_not_grow(
    count: int, tree: dict[str, Facility], users: dict[str, User], api_as: ApiAs
) -> None:
    metric = MetricFactory.create()
    for n in range(count):
        link(metric, InitiativeFactory.create(), "0.25")
        TargetFactory.create(
            metric=metric,
            facility=tree["south"],
            due_date=datetime.date(2030, 1, 1) + datetime.timedelta(days=n),
        )
        AnnotationFactory.create(metric=metric, facility=tree["icu"])
    metric.priorities.add(PriorityFactory.create())
    metric.balancing_metrics.add(MetricFactory.create())
    monthly_series(metric, tree["south"], [1, 2, 3])
    rollup_refresh(today=TODAY)

    # + the metric with its owner, its system roll-up, priorities, links with initiatives and
    # benefit lines, balancing metrics, targets, annotations.
    assert queries_for(api_as(users[Role.CHAMPION]), f"{URL}{metric.pk}/") == AUTH + 7


@pytest.mark.parametrize("months", [24, 240])
@pytest.mark.parametrize("preset", [None, "anhoj"])
def test_the_spc_read_makes_as_many_queries_for_240_points_as_for_24(
    months: int,
    preset: str | None,
    tree: dict[str, Facility],
    users: dict[str, User],
    api_as: ApiAs,
) -> None:
    metric: Metric = MetricFactory.create()
    monthly_series(
        metric,
        tree["south"],
        [10 + (i % 7) for i in range(months)],
        start=datetime.date(2000, 1, 1),
    )
    TargetFactory.create(metric=metric)
    rollup_refresh(today=TODAY)
    params = {"facility": "rh-south", **({"preset": preset} if preset else {})}

    # + the facility named, the metric, its stored series, the series' points, the targets.
    assert queries_for(api_as(users[Role.CHAMPION]), f"{URL}{metric.pk}/spc/", params) == AUTH + 5
    # The system by default: the root facility is looked up instead of named.
    assert queries_for(api_as(users[Role.CHAMPION]), f"{URL}{metric.pk}/spc/") == AUTH + 5


@pytest.mark.parametrize("count", [2, 200])
def test_the_measurement_list_query_count_does_not_grow(
    count: int, tree: dict[str, Facility], users: dict[str, User], api_as: ApiAs
) -> None:
    metric = MetricFactory.create(code="Q1")
    monthly_series(metric, tree["south"], [(1, 10)] * count, start=datetime.date(2000, 1, 1))
    client = api_as(users[Role.EXECUTIVE])

    # + the rows with metric, facility, batch and who entered them (the total was counted by
    # the first GET and is cached).
    assert queries_for(client, "/api/v1/measurements/") == AUTH + 1
    # + the metric and the facility named by the filters.
    assert (
        queries_for(client, "/api/v1/measurements/", {"metric": "Q1", "facility": "rh-south"})
        == AUTH + 3
    )


def test_a_deep_measurement_page_costs_what_the_first_does(
    tree: dict[str, Facility], users: dict[str, User], api_as: ApiAs
) -> None:
    metric = MetricFactory.create(code="Q1")
    monthly_series(metric, tree["south"], [(1, 10)] * 120, start=datetime.date(2000, 1, 1))
    client = api_as(users[Role.EXECUTIVE])
    client.get("/api/v1/measurements/")  # the site settings cached
    with CaptureQueriesContext(connection) as first:
        body = client.get("/api/v1/measurements/").json()
    with CaptureQueriesContext(connection) as deep:
        third = client.get(client.get(body["next"]).json()["next"]).json()

    # + the rows: the total counted once, each page read after the last id of the one before.
    assert (len(first.captured_queries), body["count"], len(body["results"])) == (AUTH + 1, 120, 50)
    assert (len(deep.captured_queries), third["count"], len(third["results"])) == (
        2 * (AUTH + 1),
        120,
        20,
    )
    assert third["next"] is None
    assert "OFFSET" not in deep.captured_queries[-1]["sql"].upper()
