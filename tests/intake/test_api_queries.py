"""The request API's query budget: the list (plain and filtered) and a request's detail make
as many queries with 200 rows as with 2."""

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from informatics.choices import Role
from informatics.models import User
from intake.choices import RequestStatus
from intake.models import IntakeRequest
from tests.conftest import ApiAs
from tests.factories import FacilityFactory
from tests.intake.factories import (
    IntakeRequestFactory,
    RequestCommentFactory,
    RequestScoreFactory,
    RequestStatusChangeFactory,
    RequestVoteFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/requests/"


def queries_for(client: APIClient, url: str, params: dict[str, str] | None = None) -> int:
    """How many queries a GET makes, once the site settings are cached."""
    assert client.get(url, params).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)


def add_requests(count: int, submitters: list[User]) -> None:
    """`count` requests spread over the submitters, each with a facility, a +1 and a current
    score, a few of them private."""
    facility = FacilityFactory.create(code="rmc")
    for n in range(count):
        row = IntakeRequestFactory.create(
            submitted_by=submitters[n % len(submitters)],
            facility=facility,
            status=RequestStatus.TRIAGE if n % 2 else RequestStatus.SUBMITTED,
            is_private=n % 7 == 0,
        )
        RequestVoteFactory.create(request=row, voter=submitters[(n + 1) % len(submitters)])
        score = RequestScoreFactory.create(request=row)
        IntakeRequest.objects.filter(pk=row.pk).update(current_score=score)


@pytest.mark.parametrize("role", [Role.CHAMPION, Role.CMIO])
def test_the_list_query_count_does_not_grow(
    users: dict[str, User], make_user: Callable[..., User], role: str, api_as: ApiAs
) -> None:
    submitters = [users[Role.CHAMPION], make_user(Role.CHAMPION), make_user(Role.EXECUTIVE)]
    client = api_as(users[role])
    add_requests(2, submitters)
    at_two = queries_for(client, URL)
    filtered_at_two = queries_for(client, URL, {"status": "triage", "min_score": "10"})
    add_requests(198, submitters)
    assert IntakeRequest.objects.count() == 200
    at_two_hundred = queries_for(client, URL)
    filtered_at_two_hundred = queries_for(client, URL, {"status": "triage", "min_score": "10"})

    # token + user; the user's groups (roles); count; the page with its joins and vote count
    assert at_two == at_two_hundred == 4
    assert filtered_at_two == filtered_at_two_hundred == 4


def test_the_detail_query_count_does_not_grow_with_its_thread_and_votes(
    users: dict[str, User], make_user: Callable[..., User], api_as: ApiAs
) -> None:
    client = api_as(users[Role.CMIO])
    row = IntakeRequestFactory.create(submitted_by=users[Role.CHAMPION])
    url = f"{URL}{row.pk}/"

    def grow(count: int) -> None:
        for _ in range(count):
            RequestVoteFactory.create(request=row, voter=make_user(Role.CHAMPION))
            RequestCommentFactory.create(request=row, author=users[Role.INFORMATICIST])
            RequestStatusChangeFactory.create(request=row, actor=users[Role.CMIO])

    grow(2)
    small = queries_for(client, url)
    grow(48)
    large = queries_for(client, url)

    # token + user; groups; the readable row; the request with its joins; then one query each
    # for the timeline, thread, +1s, scores, priorities and duplicates
    assert small == large == 10


def test_the_list_counts_votes_per_row_of_the_page_without_grouping_every_request(
    users: dict[str, User], make_user: Callable[..., User], api_as: ApiAs
) -> None:
    submitters = [users[Role.CHAMPION], make_user(Role.CHAMPION), make_user(Role.EXECUTIVE)]
    add_requests(3, submitters)
    voted = IntakeRequest.objects.order_by("id").first()
    assert voted is not None
    RequestVoteFactory.create(request=voted, voter=users[Role.CMIO])
    client = api_as(users[Role.CMIO])
    client.get(URL)  # the site settings cached

    with CaptureQueriesContext(connection) as captured:
        body = client.get(URL).json()

    count_sql, page_sql = (query["sql"].upper() for query in captured.captured_queries[-2:])
    assert {row["id"]: row["votes"] for row in body["results"]} == {
        row.pk: 2 if row.pk == voted.pk else 1 for row in IntakeRequest.objects.all()
    }
    assert body["count"] == 3
    assert "GROUP BY" not in count_sql
    assert "GROUP BY" not in page_sql
    # The count reads the table alone; the page counts the votes of its own rows.
    assert count_sql == 'SELECT COUNT(*) AS "__COUNT" FROM "INTAKE_INTAKEREQUEST"'
    assert "LIMIT 3" in page_sql
