"""The portfolio API's query budget: the list (plain and filtered), an initiative's detail and
its milestones, status updates and benefit plan make as many queries with 200 rows as with 2."""

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from informatics.choices import Role
from informatics.models import Facility, StrategicPriority, User
from initiatives.choices import Health, Stage
from initiatives.models import Initiative
from intake.choices import RequestStatus
from tests.conftest import ApiAs
from tests.factories import FacilityFactory, PriorityFactory
from tests.initiatives.factories import (
    BenefitLineFactory,
    InitiativeFactory,
    InitiativePriorityFactory,
    MilestoneFactory,
    StageChangeFactory,
    StatusUpdateFactory,
    request_in,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/initiatives/"
FILTERS = {"stage": "in_build", "health": "on_track", "stale": "false", "q": "initiative"}


def queries_for(client: APIClient, url: str, params: dict[str, str] | None = None) -> int:
    """How many queries a GET makes, once the site settings are cached."""
    assert client.get(url, params).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)


def add_initiatives(
    count: int,
    people: list[User],
    priorities: list[StrategicPriority],
    facility: Facility,
) -> None:
    """`count` initiatives with their people, two alignments, a facility, a status update, a
    milestone and a linked request each, in varied stages."""
    stages = [Stage.IN_BUILD, Stage.PROPOSED, Stage.LIVE]
    for n in range(Initiative.objects.count(), Initiative.objects.count() + count):
        row = InitiativeFactory.create(
            stage=stages[n % len(stages)],
            executive_sponsor=people[0],
            cmio_owner=people[1],
            informaticist_lead=people[2],
        )
        row.facilities.add(facility)
        row.champions.add(people[3])
        for priority in priorities:
            InitiativePriorityFactory.create(initiative=row, priority=priority)
        StatusUpdateFactory.create(
            initiative=row, author=people[2], schedule=Health.AT_RISK if n % 2 else Health.ON_TRACK
        )
        MilestoneFactory.create(initiative=row)
        request_in(row, submitted_by=people[3], status=RequestStatus.IN_BUILD)


@pytest.mark.parametrize("role", [Role.CHAMPION, Role.CMIO])
def test_the_list_query_count_does_not_grow(
    users: dict[str, User], role: str, api_as: ApiAs
) -> None:
    people = [users[Role.CMO], users[Role.CMIO], users[Role.INFORMATICIST], users[Role.CHAMPION]]
    priorities = [PriorityFactory.create(), PriorityFactory.create()]
    facility = FacilityFactory.create(code="rmc")
    client = api_as(users[role])
    add_initiatives(2, people, priorities, facility)
    at_two = queries_for(client, URL)
    filtered_at_two = queries_for(client, URL, FILTERS)
    assert client.get(URL, FILTERS).json()["count"] == 1
    add_initiatives(198, people, priorities, facility)
    assert Initiative.objects.count() == 200
    at_two_hundred = queries_for(client, URL)
    filtered_at_two_hundred = queries_for(client, URL, FILTERS)

    # token + user; the user's groups (roles); count; the page with its people joined and
    # health, stale, overdue and linked-request subqueries; its alignments with priorities;
    # its facilities
    assert at_two == at_two_hundred == 6
    assert filtered_at_two == filtered_at_two_hundred == 6


def test_the_detail_query_count_does_not_grow_with_what_it_holds(
    users: dict[str, User], make_user: Callable[..., User], api_as: ApiAs
) -> None:
    client = api_as(users[Role.CHAMPION])
    row = InitiativeFactory.create(informaticist_lead=users[Role.INFORMATICIST])
    url = f"{URL}{row.pk}/"

    def grow(count: int) -> None:
        for _ in range(count):
            InitiativePriorityFactory.create(initiative=row)
            row.champions.add(make_user(Role.CHAMPION))
            row.facilities.add(FacilityFactory.create())
            StageChangeFactory.create(initiative=row, actor=users[Role.CMIO])
            StatusUpdateFactory.create(initiative=row, author=users[Role.INFORMATICIST])
            MilestoneFactory.create(initiative=row, done_by=users[Role.INFORMATICIST])
            BenefitLineFactory.create(initiative=row)
            request_in(row, status=RequestStatus.IN_BUILD)

    grow(2)
    small = {path: queries_for(client, f"{url}{path}") for path in DETAIL_PATHS}
    grow(48)
    large = {path: queries_for(client, f"{url}{path}") for path in DETAIL_PATHS}

    assert small == large == DETAIL_BUDGET


DETAIL_PATHS = ("", "milestones/", "status-updates/", "benefits/")
# Each: token + user; groups; then the detail selector: the initiative with its people and
# health subqueries, alignments with priorities, champions, facilities, stage timeline, status
# updates, milestones, benefits, financial entries and linked requests.
DETAIL_BUDGET = dict.fromkeys(DETAIL_PATHS, 2 + 10)
