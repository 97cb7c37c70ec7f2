"""Query budgets of the intake pages: the request list, the triage queue, My requests, a
request's page and the landing pages' intake lists each cost the same number of queries with 2
requests as with 200 (and a request's page the same with 2 or 200 votes, comments and steps).
Each budget lists its queries."""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from informatics.choices import Role, Route
from informatics.models import User
from informatics.services import site_settings_get
from intake.choices import RequestStatus
from intake.models import IntakeRequest
from tests.factories import FacilityFactory, PriorityFactory
from tests.intake.factories import (
    IntakeRequestFactory,
    RequestCommentFactory,
    RequestScoreFactory,
    RequestStatusChangeFactory,
    RequestVoteFactory,
)

pytestmark = pytest.mark.django_db

# Every page begins with 1 the session, 2 the user, and ends by saving the session again
# (savepoint, UPDATE, release: SESSION_SAVE_EVERY_REQUEST restarts the idle clock).
SESSION = 2
SESSION_SAVE = 3


def people(count: int) -> list[User]:
    """Many champions, fast: bulk rows with an unusable password (no hashing)."""
    group, _ = Group.objects.get_or_create(name=Role.CHAMPION)
    made = User.objects.bulk_create(
        User(email=f"voter{n}@riverside.example", full_name=f"Voter {n}", password="!")
        for n in range(count)
    )
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=person.pk, group_id=group.pk) for person in made
    )
    return made


def scored_requests(count: int, *, submitted_by: User, voter: User, **fields: Any) -> None:
    """`count` requests with a facility, a +1 and a current score each."""
    facility = FacilityFactory.create()
    for request in IntakeRequestFactory.create_batch(
        count, submitted_by=submitted_by, facility=facility, **fields
    ):
        RequestVoteFactory.create(request=request, voter=voter)
        request.current_score = RequestScoreFactory.create(request=request)
        request.save(update_fields=["current_score"])


def warm(client: Client, url: str) -> None:
    """Fill the caches a first request fills (site settings, content types)."""
    site_settings_get()
    ContentType.objects.get_for_model(IntakeRequest)
    client.get(url)


@pytest.mark.parametrize("count", [2, 200])
def test_the_request_list_costs_the_same_at_2_and_200_requests(
    users: dict[str, User],
    client_for: Callable[[str], Client],
    count: int,
    django_assert_num_queries: Any,
) -> None:
    scored_requests(count, submitted_by=users["champion"], voter=users["executive"])
    client = client_for("cmio")
    url = reverse("intake:request-list")
    warm(client, url)

    # session, user; 3 the user's roles; 4 the count for the pager; 5 the page of requests
    # with submitter, facility, current score, +1 count and the user's own +1; 6 the user's
    # saved views; 7 facilities and 8 priorities of the filter form; then saving the session
    with django_assert_num_queries(SESSION + 6 + SESSION_SAVE):
        response = client.get(url)
    assert len(response.context["rows"]) == min(count, 50)


@pytest.mark.parametrize("sort", ["votes", "score", "priority", "age", "sla"])
@pytest.mark.parametrize("count", [2, 200])
def test_each_sort_of_the_request_list_costs_the_same_at_2_and_200_requests(
    users: dict[str, User],
    client_for: Callable[[str], Client],
    count: int,
    sort: str,
    django_assert_num_queries: Any,
) -> None:
    scored_requests(count, submitted_by=users["champion"], voter=users["executive"])
    client = client_for("cmio")
    url = reverse("intake:request-list") + f"?sort={sort}&state=open"
    warm(client, url)

    # As unsorted: the order is the page query's ORDER BY, under the same LIMIT.
    with django_assert_num_queries(SESSION + 6 + SESSION_SAVE):
        response = client.get(url)
    assert len(response.context["rows"]) == min(count, 50)


@pytest.mark.parametrize("count", [2, 200])
def test_the_export_costs_the_same_at_2_and_200_requests(
    users: dict[str, User],
    client_for: Callable[[str], Client],
    count: int,
    django_assert_num_queries: Any,
) -> None:
    scored_requests(count, submitted_by=users["champion"], voter=users["executive"])
    client = client_for("cmio")
    url = reverse("intake:request-export")
    warm(client, url)

    # session, user; 3 the user's roles; 4 the filtered requests' COUNT (at most
    # EXPORT_INLINE_MAX_ROWS: streamed); 5 the requests with submitter, facility, current score
    # and +1 count; then saving the session
    with django_assert_num_queries(SESSION + 3 + SESSION_SAVE):
        response = client.get(url)
        lines = b"".join(response.streaming_content).count(b"\r\n")  # type: ignore[attr-defined]
    assert lines == count + 1


@pytest.mark.parametrize("count", [2, 200])
def test_the_triage_queue_costs_the_same_at_2_and_200_requests(
    users: dict[str, User],
    client_for: Callable[[str], Client],
    count: int,
    django_assert_num_queries: Any,
) -> None:
    scored_requests(
        count,
        submitted_by=users["champion"],
        voter=users["executive"],
        route=Route.INFORMATICS_TEAM,
    )
    client = client_for("cmio")
    url = reverse("intake:triage-queue")
    warm(client, url)

    # session, user; 3 the user's roles; 4 the queue's page with submitter, facility and SLA
    # state, and the queue's size (a window count on the same query); then saving the session
    with django_assert_num_queries(SESSION + 2 + SESSION_SAVE):
        response = client.get(url)
    assert len(response.context["rows"]) == min(count, 50)
    assert response.context["page"].paginator.count == count
    # Page 4: the same cost at 200 (rows 151-200); past the end (at 2 requests), a COUNT and
    # the last page's rows.
    with django_assert_num_queries(SESSION + 2 + SESSION_SAVE + (0 if count > 150 else 2)):
        fourth = client.get(url, {"page": 4})
    assert (fourth.context["page"].number, len(fourth.context["rows"])) == (
        (4, 50) if count > 150 else (1, count)
    )


@pytest.mark.parametrize("count", [2, 200])
def test_my_requests_costs_the_same_at_2_and_200_requests(
    users: dict[str, User],
    client_for: Callable[[str], Client],
    count: int,
    django_assert_num_queries: Any,
) -> None:
    scored_requests(count, submitted_by=users["champion"], voter=users["executive"])
    client = client_for("champion")
    url = reverse("intake:request-mine")
    warm(client, url)

    # session, user; 3 the user's roles; 4 their requests; then saving the session
    with django_assert_num_queries(SESSION + 2 + SESSION_SAVE):
        response = client.get(url)
    assert len(response.context["rows"]) == count


def busy_request(count: int, *, submitted_by: User) -> IntakeRequest:
    """A request with `count` +1s (each by its own person, with a facility), comments, status
    steps and linked priorities, and a current score."""
    facility = FacilityFactory.create()
    request = IntakeRequestFactory.create(
        submitted_by=submitted_by, facility=facility, status=RequestStatus.TRIAGE
    )
    for voter in people(count):
        RequestVoteFactory.create(request=request, voter=voter, facility=facility)
    RequestCommentFactory.create_batch(count, request=request)
    RequestStatusChangeFactory.create_batch(count, request=request)
    request.priorities.set(PriorityFactory.create_batch(count))
    request.current_score = RequestScoreFactory.create(request=request)
    request.save(update_fields=["current_score"])
    return request


@pytest.mark.parametrize("count", [2, 200])
def test_a_requests_page_for_triage_costs_the_same_at_2_and_200(
    users: dict[str, User],
    client_for: Callable[[str], Client],
    count: int,
    django_assert_num_queries: Any,
) -> None:
    request = busy_request(count, submitted_by=users["champion"])
    client = client_for("cmio")
    url = reverse("intake:request-detail", args=[request.pk])
    warm(client, url)

    # session, user; 3 the request with submitter, facility, suggested priority, duplicate
    # of, current score and its rubric; 4-9 its status steps, comments, +1s, scores,
    # priorities and duplicates; 10 the user's roles; 11 the current rubric; 12 the user's
    # first facility (the +1 form's default); 13 the request's history; 14 similar requests
    # (the merge form's hints); 15 active priorities (triage form); 16 active facilities
    # (+1 form); then saving the session
    with django_assert_num_queries(SESSION + 14 + SESSION_SAVE):
        response = client.get(url)
    assert len(response.context["votes"]) == count
    assert len(response.context["comments"]) == count


@pytest.mark.parametrize("count", [2, 200])
def test_a_requests_page_for_its_submitter_costs_the_same_at_2_and_200(
    users: dict[str, User],
    client_for: Callable[[str], Client],
    count: int,
    django_assert_num_queries: Any,
) -> None:
    request = busy_request(count, submitted_by=users["champion"])
    client = client_for("champion")
    url = reverse("intake:request-detail", args=[request.pk])
    warm(client, url)

    # session, user; 3-9 the request and its prefetched lists (as above); 10 the user's
    # roles; 11 the current rubric; 12 the request's history; then saving the session
    with django_assert_num_queries(SESSION + 10 + SESSION_SAVE):
        response = client.get(url)
    assert len(response.context["timeline"]) == count


@pytest.mark.parametrize("count", [2, 200])
def test_the_cmio_landing_costs_the_same_at_2_and_200_requests(
    users: dict[str, User],
    client_for: Callable[[str], Client],
    count: int,
    django_assert_num_queries: Any,
) -> None:
    scored_requests(
        count, submitted_by=users["champion"], voter=users["executive"], route=Route.TRAINING
    )
    client = client_for("cmio")
    warm(client, "/home/cmio/")

    # session, user; 3 the user's roles; 4 what needs them (requests to triage, overdue, or
    # waiting on their answer); 5 the metrics' needs-me items (overdue data, special-cause
    # concerns); 6 the portfolio's needs-me items (stale initiatives, overdue milestones);
    # 7-8 governance's needs-me items (requests in review, initiatives at the gate, each
    # awaiting a decision); 9 reviews to prepare and overdue actions (one union); 10 the triage
    # queue; then saving the session
    with django_assert_num_queries(SESSION + 8 + SESSION_SAVE):
        response = client.get("/home/cmio/")
    assert response.context["triage_total"] == count
    assert len(response.context["triage_rows"]) == min(count, 5)
    # The needs-me list: the 10 oldest to triage, and a count of the rest linking to the queue.
    page = response.context["page"]
    assert [item.kind for item in page.needs_me] == ["Triage"] * min(count, 10)
    assert page.needs_me_total == count
    more = [(m.kind, m.count, m.total, m.url) for m in page.needs_me_more]
    assert more == ([("Triage", count - 10, count, "/requests/triage/")] if count > 10 else [])
    html = response.content.decode()
    assert html.count('class="needs-me__item"') == min(count, 10)
    assert (f'<a href="/requests/triage/">{count - 10} more: Triage</a>' in html) is (count > 10)


@pytest.mark.parametrize("count", [2, 200])
def test_the_champion_landing_costs_the_same_at_2_and_200_requests(
    users: dict[str, User],
    client_for: Callable[[str], Client],
    count: int,
    django_assert_num_queries: Any,
) -> None:
    scored_requests(count, submitted_by=users["champion"], voter=users["executive"])
    client = client_for("champion")
    warm(client, "/home/champion/")

    # session, user; 3 the user's roles; 4 what needs them (their requests waiting on an
    # answer); 5 the metrics' needs-me items (data overdue of metrics they own); 6 their
    # latest requests; 7 governance's needs-me (reviews to prepare, overdue actions, one
    # union); then saving the session
    with django_assert_num_queries(SESSION + 5 + SESSION_SAVE):
        response = client.get("/home/champion/")
    assert len(response.context["my_requests"]) == min(count, 10)


@pytest.mark.parametrize("count", [2, 200])
def test_the_triage_board_costs_the_same_at_2_and_200_requests(
    users: dict[str, User],
    client_for: Callable[[str], Client],
    count: int,
    django_assert_num_queries: Any,
) -> None:
    scored_requests(count, submitted_by=users["champion"], voter=users["executive"])
    client = client_for("cmio")
    url = reverse("intake:triage-board")
    warm(client, url)

    # session, user; 3 the user's roles; 4 the queue's page and its size (a window count);
    # 5 the open request with its joins, +1 count and hold, then its 6 timeline, 7 thread,
    # 8 +1s, 9 scores, 10 priorities and 11 duplicates; 12 the current rubric; then saving
    # the session
    with django_assert_num_queries(SESSION + 10 + SESSION_SAVE):
        response = client.get(url)
    assert len(response.context["rows"]) == min(count, 50)
    assert response.context["intake"].pk == response.context["rows"][0].pk
