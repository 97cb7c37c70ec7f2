"""The report list, page and API, costs the same number of queries at 2 reports and at 20."""

import datetime
from collections.abc import Callable

import pytest
from django.test import Client

from informatics.choices import Role
from informatics.models import User
from reports.choices import ReportState
from reports.models import ValueReport
from tests.conftest import ApiAs
from tests.factories import PriorityFactory

NOW = datetime.datetime(2026, 12, 10, 15, 0, tzinfo=datetime.UTC)  # the clock these tests run on
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]
# The same for any number of reports: the session, the user and their roles; the count and the
# page of reports (with their priorities joined); the viewer's subscription; the shared page
# furniture. The CMIO's page adds the draft form's choice of priorities.
PAGE_QUERIES: dict[str, int] = {Role.CMIO: 10, Role.EXECUTIVE: 9}
# Token and user (1), roles (1), the count and the page (2).
API_QUERIES = 4


def _reports(count: int) -> None:
    priorities = PriorityFactory.create_batch(2)
    ValueReport.objects.bulk_create(
        ValueReport(
            month=datetime.date(2026 - n // 11, 11 - n % 11, 1),
            priority=priorities[n % 2] if n % 3 == 0 else None,
            revision=n + 1,
            state=ReportState.ISSUED if n % 2 else ReportState.DRAFT,
            payload={"schema": 1},
            payload_sha256=f"{n:064d}",
        )
        for n in range(count)
    )


@pytest.mark.parametrize("rows", [2, 20])
@pytest.mark.parametrize("role", [Role.CMIO, Role.EXECUTIVE])
def test_list_page_query_budget(
    client_as: Callable[..., Client],
    django_assert_num_queries: Callable[..., object],
    rows: int,
    role: str,
) -> None:
    _reports(rows)
    client = client_as(role)
    client.get("/reports/")

    with django_assert_num_queries(PAGE_QUERIES[role]):  # type: ignore[attr-defined]
        response = client.get("/reports/")

    shown = rows if role == Role.CMIO else rows // 2
    assert len(response.context["rows"]) == shown


@pytest.mark.parametrize("rows", [2, 20])
@pytest.mark.parametrize("role", [Role.CMIO, Role.EXECUTIVE])
def test_api_list_query_budget(
    api_as: ApiAs,
    make_user: Callable[..., User],
    django_assert_num_queries: Callable[..., object],
    rows: int,
    role: str,
) -> None:
    _reports(rows)
    client = api_as(make_user(role))
    client.get("/api/v1/reports/")

    with django_assert_num_queries(API_QUERIES):  # type: ignore[attr-defined]
        response = client.get("/api/v1/reports/")

    shown = rows if role == Role.CMIO else rows // 2
    assert response.json()["count"] == shown
