"""Intake's reads: who sees which requests, the triage queue's order and SLA state, the
needs-me items, and query counts that stay the same at 2 and at 200 requests."""

import datetime
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from informatics.choices import Route
from informatics.models import User
from informatics.permissions import ActionDenied
from informatics.services import site_settings_get
from intake import selectors as intake_selectors
from intake import services
from intake.choices import RequestKind, RequestStatus
from intake.models import IntakeRequest
from tests.factories import FacilityFactory, PriorityFactory, UserFactory
from tests.intake.factories import (
    IntakeRequestFactory,
    RequestCommentFactory,
    RequestScoreFactory,
    RequestStatusChangeFactory,
    RequestVoteFactory,
    submit,
)

S = RequestStatus
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]


def at(hours: float) -> datetime.datetime:
    return NOW + datetime.timedelta(hours=hours)


# --- request_list ---------------------------------------------------------------------------


def test_a_champion_reads_their_own_and_everything_not_private(
    users: dict[str, User], make_user: Callable[..., User]
) -> None:
    champion = users["champion"]
    other = make_user("champion")
    mine_private = IntakeRequestFactory.create(submitted_by=champion, is_private=True)
    theirs_public = IntakeRequestFactory.create(submitted_by=other)
    theirs_private = IntakeRequestFactory.create(submitted_by=other, is_private=True)

    seen = set(intake_selectors.request_list(user=champion))
    seen_by_cmo = set(intake_selectors.request_list(user=users["cmo"]))

    assert seen == {mine_private, theirs_public}
    assert seen_by_cmo == {mine_private, theirs_public, theirs_private}


def test_request_list_counts_votes_and_filters(users: dict[str, User]) -> None:
    facility = FacilityFactory.create()
    priority = PriorityFactory.create()
    sepsis = IntakeRequestFactory.create(
        title="Sepsis alert noise", facility=facility, specialty="Hospital medicine"
    )
    sepsis.priorities.add(priority)
    RequestVoteFactory.create_batch(3, request=sepsis)
    score = RequestScoreFactory.create(request=sepsis, value=Decimal("61.00"))
    IntakeRequest.objects.filter(pk=sepsis.pk).update(current_score=score, status=S.SCORED)
    inbox = IntakeRequestFactory.create(title="Inbox routing", kind=RequestKind.ENHANCEMENT)
    IntakeRequestFactory.create(title="Old one", status=S.WITHDRAWN)
    cmo = users["cmo"]

    def titles(**filters: str) -> list[str]:
        return [r.title for r in intake_selectors.request_list(user=cmo, filters=filters)]

    rows: list[Any] = list(intake_selectors.request_list(user=cmo))
    counts = {r.title: r.vote_count for r in rows}
    assert counts == {"Sepsis alert noise": 3, "Inbox routing": 0, "Old one": 0}
    assert titles(q="sepsis") == ["Sepsis alert noise"]
    assert titles(q=f"#{inbox.pk}") == ["Inbox routing"]
    assert titles(status="scored") == ["Sepsis alert noise"]
    assert titles(state="open") == ["Inbox routing", "Sepsis alert noise"]
    assert titles(state="closed") == ["Old one"]
    assert titles(kind="enhancement") == ["Inbox routing"]
    assert titles(facility=str(facility.pk)) == ["Sepsis alert noise"]
    assert titles(specialty="hospital medicine") == ["Sepsis alert noise"]
    assert titles(priority=str(priority.pk)) == ["Sepsis alert noise"]
    assert titles(min_score="60") == ["Sepsis alert noise"]
    assert titles(min_score="62") == []


def test_my_requests_are_those_the_user_raised_or_added_a_plus_one_to(
    users: dict[str, User],
) -> None:
    champion = users["champion"]
    mine = IntakeRequestFactory.create(submitted_by=champion)
    supported = IntakeRequestFactory.create()
    RequestVoteFactory.create(request=supported, voter=champion)
    RequestVoteFactory.create(request=supported)
    IntakeRequestFactory.create()

    assert list(intake_selectors.my_requests(user=champion)) == [supported, mine]


# --- triage_queue ---------------------------------------------------------------------------


def test_triage_queue_puts_fast_track_first_then_oldest(users: dict[str, User]) -> None:
    def make(title: str, hours: float, **fields: Any) -> IntakeRequest:
        request: IntakeRequest = IntakeRequestFactory.create(title=title, **fields)
        IntakeRequest.objects.filter(pk=request.pk).update(created_at=at(hours))
        return request

    make("Old pain point", -50)
    make("New safety flag", -1, is_safety_concern=True)
    make("Needs info", -40, status=S.NEEDS_INFO)
    make("Fast-track route", -5, route=Route.FAST_TRACK)
    make("Safety kind", -3, kind=RequestKind.SAFETY, status=S.TRIAGE)
    make("Scored already", -60, status=S.SCORED)
    make("Withdrawn", -70, status=S.WITHDRAWN)

    queue: list[Any] = list(intake_selectors.triage_queue())

    assert [(r.title, r.is_fast_track) for r in queue] == [
        ("Fast-track route", True),
        ("Safety kind", True),
        ("New safety flag", True),
        ("Old pain point", False),
        ("Needs info", False),
    ]


def test_triage_queue_sla_state(users: dict[str, User]) -> None:
    IntakeRequestFactory.create(title="Unrouted")
    IntakeRequestFactory.create(title="Due", route=Route.TRAINING, sla_due_at=at(5))
    IntakeRequestFactory.create(title="Overdue", route=Route.TRAINING, sla_due_at=at(-1))

    with time_machine.travel(NOW, tick=False):
        rows: list[Any] = list(intake_selectors.triage_queue())
    states = {r.title: r.sla_state for r in rows}

    assert states == {"Unrouted": "none", "Due": "due", "Overdue": "overdue"}


# --- request_detail -------------------------------------------------------------------------


def test_request_detail_refuses_a_private_request_of_someone_else(
    users: dict[str, User], make_user: Callable[..., User]
) -> None:
    private = IntakeRequestFactory.create(is_private=True)

    with pytest.raises(ActionDenied):
        intake_selectors.request_detail(user=users["champion"], pk=private.pk)
    with pytest.raises(Http404):
        intake_selectors.request_detail(user=users["cmio"], pk=private.pk + 1000)
    assert intake_selectors.request_detail(user=users["informaticist"], pk=private.pk) == private


# --- needs_me_for ---------------------------------------------------------------------------


def test_needs_me_for_triage_and_overdue_slas(users: dict[str, User]) -> None:
    def make(title: str, hours: float, **fields: Any) -> IntakeRequest:
        request: IntakeRequest = IntakeRequestFactory.create(title=title, **fields)
        IntakeRequest.objects.filter(pk=request.pk).update(created_at=at(hours))
        return request

    waiting = make("Waiting", -10)
    late = make("Late in review", -100, status=S.IN_REVIEW, route="steering", sla_due_at=at(-2))
    make("On time in review", -90, status=S.IN_REVIEW, route="steering", sla_due_at=at(2))
    make("Decided late", -95, status=S.DECIDED, route="steering", sla_due_at=at(-2))

    with time_machine.travel(NOW, tick=False):
        for_cmio = intake_selectors.needs_me_for(users["cmio"])
        for_informaticist = intake_selectors.needs_me_for(users["informaticist"])
        for_cmo = intake_selectors.needs_me_for(users["cmo"])

    assert [(i.kind, i.title, i.url, i.since, i.due) for i in for_cmio] == [
        ("Overdue SLA", f"#{late.pk} Late in review", f"/requests/{late.pk}/", at(-100), at(-2)),
        ("Triage", f"#{waiting.pk} Waiting", f"/requests/{waiting.pk}/", at(-10), None),
    ]
    assert for_cmio[0].detail == "In review · Steering committee"
    assert for_informaticist == for_cmio
    assert for_cmo == []

    # The "Overdue SLA" count links to the request list filtered to exactly those requests.
    assert for_cmio.links["Overdue SLA"] == "/requests/?sla=overdue"
    with time_machine.travel(NOW, tick=False):
        listed = intake_selectors.request_list(user=users["cmio"], filters={"sla": "overdue"})
        within = intake_selectors.request_list(user=users["cmio"], filters={"sla": "due"})
        assert [r.title for r in listed] == ["Late in review"]
        assert [r.title for r in within] == ["On time in review"]


def test_needs_me_for_a_question_waiting_for_the_submitter(users: dict[str, User]) -> None:
    champion = users["champion"]
    request = submit(champion)
    with time_machine.travel(NOW, tick=False):
        services.request_ask(actor=users["cmio"], request=request, question="Which unit?")

    items = intake_selectors.needs_me_for(champion)
    services.request_answer(actor=champion, request=request, body="4 West")
    after = intake_selectors.needs_me_for(champion)

    assert [(i.kind, i.title, i.since, i.detail) for i in items] == [
        ("Question for you", f"#{request.pk} Med rec screen loses home meds", NOW, "Which unit?")
    ]
    assert after == []


# --- Query counts: the same at 2 and at 200 requests ----------------------------------------


def make_requests(count: int) -> None:
    facility = FacilityFactory.create()
    submitter = UserFactory.create(roles=["champion"])
    rows = IntakeRequestFactory.create_batch(
        count, facility=facility, submitted_by=submitter, route=Route.TRAINING, sla_due_at=NOW
    )
    for row in rows[:2]:
        RequestVoteFactory.create(request=row)
        score = RequestScoreFactory.create(request=row)
        IntakeRequest.objects.filter(pk=row.pk).update(current_score=score)


def queries(read: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        read()
    return len(captured.captured_queries)


def render_list(rows: Any) -> list[tuple[Any, ...]]:
    """What a list page shows of each row."""
    return [
        (
            row.submitted_by.full_name,
            row.facility and row.facility.name,
            row.vote_count,
            row.current_score and row.current_score.value,
            row.sla_state,
        )
        for row in rows
    ]


@pytest.mark.parametrize("count", [2, 200])
def test_request_list_query_count(users: dict[str, User], count: int) -> None:
    make_requests(count)
    cmo = users["cmo"]
    assert cmo.roles == ("cmo",)  # roles are read once per user

    # 1 query: requests joined to submitter, facility and current score, with vote counts.
    assert queries(lambda: render_list(intake_selectors.request_list(user=cmo))) == 1


@pytest.mark.parametrize("count", [2, 200])
def test_triage_queue_query_count(count: int) -> None:
    make_requests(count)

    # 1 query: the queue, joined and annotated like the list.
    assert queries(lambda: render_list(intake_selectors.triage_queue())) == 1


@pytest.mark.parametrize("count", [2, 200])
def test_needs_me_query_count(users: dict[str, User], count: int) -> None:
    make_requests(count)
    champion = users["champion"]
    for row in IntakeRequestFactory.create_batch(count, submitted_by=champion, status=S.NEEDS_INFO):
        RequestCommentFactory.create_batch(2, request=row, kind="question")
    readers = [users["cmio"], champion]
    assert [user.roles for user in readers] == [("cmio",), ("champion",)]
    site_settings_get()  # cached, as on every page after the first

    # 1 query each: the requests waiting on the user, with their oldest open question (the
    # portfolio's items are initiatives.selectors.needs_me_for's, composed by reports).
    with time_machine.travel(NOW, tick=False):
        assert [queries(partial(intake_selectors.needs_me_for, user)) for user in readers] == [1, 1]
        mine, cmio = (intake_selectors.needs_me_for(user) for user in (champion, users["cmio"]))
    # At most NEEDS_ME_LIMIT (10) items of each kind, the oldest; the totals counted in SQL.
    assert [len(mine), mine.total("Question for you")] == [min(count, 10), count]
    assert {item.kind for item in cmio} == {"Triage"}
    assert [len(cmio), cmio.total("Triage")] == [min(2 * count, 10), 2 * count]
    assert cmio.links["Triage"] == "/requests/triage/"


@pytest.mark.parametrize("count", [2, 200])
def test_request_detail_query_count(users: dict[str, User], count: int) -> None:
    request = IntakeRequestFactory.create()
    request.priorities.add(*PriorityFactory.create_batch(min(count, 5)))
    RequestVoteFactory.create_batch(count, request=request)
    RequestCommentFactory.create_batch(count, request=request)
    RequestStatusChangeFactory.create_batch(count, request=request)
    RequestScoreFactory.create_batch(count, request=request)
    cmio = users["cmio"]
    assert cmio.roles == ("cmio",)

    def read() -> list[Any]:
        detail = intake_selectors.request_detail(user=cmio, pk=request.pk)
        return [
            [change.actor for change in detail.status_changes.all()],
            [comment.author.full_name for comment in detail.comments.all()],
            [(v.voter.full_name, v.facility, v.merged_from) for v in detail.votes.all()],
            [(s.rubric.version, s.created_by, s.ordered_breakdown) for s in detail.scores.all()],
            list(detail.priorities.all()),
            list(detail.duplicates.all()),
        ]

    # 7 queries: the request (joined), then timeline, comments, votes, scores, priorities and
    # duplicates, each with its own joins.
    assert queries(read) == 7
