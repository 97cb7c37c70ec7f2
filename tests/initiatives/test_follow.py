"""The closed loop: the CMIO logs an initiative aligned to two priorities and linked to three
scored requests; the submitters see it and its stage on their requests, and their requests
follow it — in build, released, declined, scheduled — each move on the request's timeline and
told to its submitter, through the request transition table."""

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

from informatics.models import AuditEvent, Notification, StrategicPriority, User
from initiatives import services
from initiatives.choices import GATE_STAGES, Alignment, Stage
from initiatives.models import Initiative, InitiativePriority
from intake import selectors
from intake import services as intake_services
from intake.choices import DeclineReason, RequestStatus
from intake.models import IntakeRequest, RequestStatusChange
from tests.factories import PriorityFactory
from tests.initiatives.factories import decide, initiative_of
from tests.intake.factories import scored_request

S = RequestStatus
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def priorities() -> list[StrategicPriority]:
    return [
        PriorityFactory.create(title="Reduce clinician burden", rank=1),
        PriorityFactory.create(title="Safer medication use", rank=2),
    ]


@pytest.fixture
def submitters(make_user: Callable[..., User]) -> list[User]:
    return [
        make_user("champion", email=f"submitter{n}@riverside.example", full_name=f"Dr {name}")
        for n, name in enumerate(("Ames", "Bose", "Chen"))
    ]


@pytest.fixture
def requests(users: dict[str, User], submitters: list[User]) -> list[IntakeRequest]:
    """Three requests, scored through the intake services (submit, then triage fully)."""
    return [
        scored_request(users["informaticist"], person, title=f"Admission clicks, take {n}")
        for n, person in enumerate(submitters, start=1)
    ]


@pytest.fixture
def initiative(
    users: dict[str, User], priorities: list[StrategicPriority], requests: list[IntakeRequest]
) -> Initiative:
    return services.initiative_create(
        actor=users["cmio"],
        title="Admission order set clean-up",
        type="order_set",
        summary="Remove unused orders from the admission order sets.",
        cmio_owner=users["cmio"],
        informaticist_lead=users["informaticist"],
        priorities={priorities[0]: Alignment.STRONG, priorities[1]: Alignment.MODERATE},
        requests=requests,
    )


def advance(actor: User, initiative: Initiative, to_stage: str, **fields: Any) -> Initiative:
    """Move it as `actor`; approve, defer and stop as a decision of the steering body (`decide`)."""
    if to_stage in GATE_STAGES:
        return decide(actor, initiative, to_stage, **fields)
    initiative.refresh_from_db()
    return services.initiative_advance(
        actor=actor, initiative=initiative, version=initiative.version, to_stage=to_stage, **fields
    )


def statuses(requests: list[IntakeRequest]) -> list[str]:
    return [IntakeRequest.objects.get(pk=r.pk).status for r in requests]


def follow_moves(requests: list[IntakeRequest]) -> list[tuple[str, str, str, str]]:
    """Each request's timeline rows written by its initiative (after scoring)."""
    return [
        (change.from_status, change.to_status, getattr(change.actor, "email", ""), change.note)
        for request in requests
        for change in RequestStatusChange.objects.filter(request=request, note__startswith="Init")
        .select_related("actor")
        .order_by("at", "id")
    ]


def subjects(person: User) -> list[str]:
    return list(
        Notification.objects.filter(recipient=person)
        .order_by("id")
        .values_list("subject", flat=True)
    )


def test_cmio_creates_it_aligned_to_two_priorities_and_linked_to_three_requests(
    users: dict[str, User],
    priorities: list[StrategicPriority],
    requests: list[IntakeRequest],
    submitters: list[User],
    initiative: Initiative,
) -> None:
    assert initiative.stage == Stage.PROPOSED
    assert list(
        InitiativePriority.objects.filter(initiative=initiative)
        .order_by("priority__rank")
        .values_list("priority__title", "alignment")
    ) == [("Reduce clinician burden", "strong"), ("Safer medication use", "moderate")]
    # Each submitter sees the initiative and its stage on their request; nothing moved yet.
    for request, person in zip(requests, submitters, strict=True):
        shown = selectors.request_detail(user=person, pk=request.pk)
        assert shown.initiative_link.initiative == initiative
        assert shown.initiative_link.initiative is not None
        assert shown.initiative_link.initiative.get_stage_display() == "Proposed"
        assert shown.status == S.SCORED
        assert subjects(person)[-1] == f"Your request #{request.pk} is part of an initiative"
    assert follow_moves(requests) == []
    # The link is in the history of both sides.
    linked = AuditEvent.objects.filter(object_id=str(initiative.pk), note="requests linked").get()
    assert linked.changes == {"requests": [[], [f"#{r.pk}" for r in requests]]}
    assert AuditEvent.objects.filter(
        object_id=str(requests[0].pk), note=f"linked to initiative #{initiative.pk}"
    ).get().changes == {"initiative": [None, "Admission order set clean-up"]}


def test_entering_build_moves_the_requests_to_in_build(
    users: dict[str, User],
    requests: list[IntakeRequest],
    submitters: list[User],
    initiative: Initiative,
) -> None:
    advance(users["cmo"], initiative, Stage.APPROVED)
    assert statuses(requests) == [S.SCORED] * 3  # approval is not a request status

    advance(users["cmio"], initiative, Stage.IN_BUILD)

    assert statuses(requests) == [S.IN_BUILD] * 3
    note = f"Initiative #{initiative.pk} moved to In build."
    assert follow_moves(requests) == [(S.SCORED, S.IN_BUILD, users["cmio"].email, note)] * 3
    for request, person in zip(requests, submitters, strict=True):
        assert subjects(person)[-1] == f"Your request #{request.pk} is now In build"
        shown = selectors.request_detail(user=person, pk=request.pk)
        assert shown.initiative_link.initiative is not None
        assert shown.initiative_link.initiative.get_stage_display() == "In build"


def test_pilot_then_live_releases_the_requests_once(
    users: dict[str, User], requests: list[IntakeRequest], initiative: Initiative
) -> None:
    advance(users["cmo"], initiative, Stage.APPROVED)
    advance(users["cmio"], initiative, Stage.IN_BUILD)

    advance(users["cmio"], initiative, Stage.PILOT)
    assert statuses(requests) == [S.RELEASED] * 3
    live = advance(users["cmio"], initiative, Stage.LIVE)

    assert live.go_live_date == datetime.date(2026, 3, 2)
    assert statuses(requests) == [S.RELEASED] * 3
    cmio = users["cmio"].email
    assert (
        follow_moves(requests)
        == [
            (S.SCORED, S.IN_BUILD, cmio, f"Initiative #{initiative.pk} moved to In build."),
            (S.IN_BUILD, S.RELEASED, cmio, f"Initiative #{initiative.pk} moved to Pilot."),
        ]
        * 3
    )


def test_going_live_directly_releases_the_requests(
    users: dict[str, User],
    requests: list[IntakeRequest],
    submitters: list[User],
    initiative: Initiative,
) -> None:
    advance(users["cmo"], initiative, Stage.APPROVED)
    advance(users["cmio"], initiative, Stage.IN_BUILD)

    advance(users["cmio"], initiative, Stage.LIVE, go_live_date=datetime.date(2026, 3, 1))

    initiative.refresh_from_db()
    assert initiative.go_live_date == datetime.date(2026, 3, 1)
    assert statuses(requests) == [S.RELEASED] * 3
    assert (
        follow_moves(requests)[1::2]
        == [
            (
                S.IN_BUILD,
                S.RELEASED,
                users["cmio"].email,
                f"Initiative #{initiative.pk} moved to Live.",
            )
        ]
        * 3
    )
    for request, person in zip(requests, submitters, strict=True):
        assert subjects(person)[-1] == f"Your request #{request.pk} is now Released"


def test_stopping_declines_the_requests(
    users: dict[str, User],
    requests: list[IntakeRequest],
    submitters: list[User],
    initiative: Initiative,
) -> None:
    advance(users["cmo"], initiative, Stage.STOPPED, reason="The vendor retires the module.")

    assert statuses(requests) == [S.DECLINED] * 3
    assert [IntakeRequest.objects.get(pk=r.pk).decline_reason for r in requests] == [
        DeclineReason.NOT_FEASIBLE
    ] * 3
    assert (
        follow_moves(requests)
        == [
            (
                S.SCORED,
                S.DECLINED,
                users["cmo"].email,
                f"Initiative #{initiative.pk} moved to Stopped.",
            )
        ]
        * 3
    )
    for request, person in zip(requests, submitters, strict=True):
        assert subjects(person)[-1] == f"Your request #{request.pk} is now Declined"
        body = Notification.objects.filter(recipient=person).last().body  # type: ignore[union-attr]
        assert body == (
            f"Request #{request.pk} moved from Scored to Declined.\n"
            "Reason: Not feasible.\n\n"
            f"Initiative #{initiative.pk} moved to Stopped."
        )


def test_deferring_schedules_the_requests(
    users: dict[str, User],
    requests: list[IntakeRequest],
    submitters: list[User],
    initiative: Initiative,
) -> None:
    advance(
        users["cmio"],
        initiative,
        Stage.DEFERRED,
        reason="After the EHR upgrade.",
        revisit_date=datetime.date(2026, 9, 1),
    )

    assert statuses(requests) == [S.SCHEDULED] * 3
    assert (
        follow_moves(requests)
        == [
            (
                S.SCORED,
                S.SCHEDULED,
                users["cmio"].email,
                f"Initiative #{initiative.pk} moved to Deferred.",
            )
        ]
        * 3
    )
    for request, person in zip(requests, submitters, strict=True):
        assert subjects(person)[-1] == f"Your request #{request.pk} is now Scheduled"


def test_a_request_the_table_does_not_let_move_stays_put(
    users: dict[str, User], requests: list[IntakeRequest], initiative: Initiative
) -> None:
    """A request back in triage cannot go to In build (the request table allows it only
    from Scored, In review or later): it stays where it is, with nothing written, and follows
    later moves the table allows. (An untriaged request cannot be linked at all: it is sent
    back to triage after linking.)"""
    unscored = scored_request(users["cmio"], users["champion"], title="Back in triage")
    services.initiative_link_requests(
        actor=users["cmio"], initiative=initiative, requests=[unscored]
    )
    intake_services.request_transition(
        actor=users["cmio"], request=unscored, to_status=S.TRIAGE, note="Rescore it."
    )
    advance(users["cmo"], initiative, Stage.APPROVED)
    timeline = RequestStatusChange.objects.filter(request=unscored).count()
    told = Notification.objects.filter(recipient=users["champion"]).count()

    advance(users["cmio"], initiative, Stage.IN_BUILD)

    unscored.refresh_from_db()
    assert unscored.status == S.TRIAGE
    assert getattr(initiative_of(unscored), "pk", None) == initiative.pk
    assert RequestStatusChange.objects.filter(request=unscored).count() == timeline
    assert Notification.objects.filter(recipient=users["champion"]).count() == told
    assert statuses(requests) == [S.IN_BUILD] * 3


def test_a_request_linked_later_follows_the_current_stage(
    users: dict[str, User], initiative: Initiative
) -> None:
    advance(users["cmo"], initiative, Stage.APPROVED)
    advance(users["cmio"], initiative, Stage.IN_BUILD)
    late = scored_request(users["informaticist"], users["champion"], title="Late arrival")

    services.initiative_link_requests(actor=users["cmio"], initiative=initiative, requests=[late])

    late.refresh_from_db()
    assert (late.status, getattr(initiative_of(late), "pk", None)) == (S.IN_BUILD, initiative.pk)
    # Told once: the move's notification says it all.
    assert subjects(users["champion"])[-1] == f"Your request #{late.pk} is now In build"
    assert f"Your request #{late.pk} is part of an initiative" not in subjects(users["champion"])
