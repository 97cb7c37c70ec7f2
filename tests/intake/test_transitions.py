"""The one transition table: every move in it is accepted, every other is refused with a clear
message and changes nothing; each move writes the timeline, the audit and one notification."""

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from informatics.celery import app as celery_app
from informatics.choices import AuditAction, NotificationPreference
from informatics.models import AuditEvent, Notification, User
from informatics.permissions import ActionDenied
from informatics.services import notification_digests_send
from intake import services
from intake.choices import TRANSITIONS, DeclineReason, RequestStatus
from intake.models import IntakeRequest, RequestStatusChange
from tests.conftest import snapshot
from tests.intake.factories import IntakeRequestFactory, RequestScoreFactory, submit

S = RequestStatus
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]
# Reached through their own services: a question (request_ask) and a merge (request_merge).
OWN_SERVICE = {S.NEEDS_INFO, S.MERGED}
EDGES = [(a, b) for a, steps in TRANSITIONS.items() for b in steps if b not in OWN_SERVICE]
NON_EDGES = [
    (a, b) for a in S.values for b in S.values if b not in TRANSITIONS[a] and b not in OWN_SERVICE
]


@pytest.fixture(autouse=True)
def _eager_tasks() -> Iterator[None]:
    """`.delay` runs the task in this process, whatever broker the environment names."""
    keys = ("task_always_eager", "task_eager_propagates")
    before = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(dict.fromkeys(keys, True))
    yield
    celery_app.conf.update(before)


@pytest.fixture
def cmio(users: dict[str, User]) -> User:
    return users["cmio"]


def in_status(status: str, **fields: Any) -> IntakeRequest:
    request: IntakeRequest = IntakeRequestFactory.create(status=status, **fields)
    score = RequestScoreFactory.create(request=request)
    IntakeRequest.objects.filter(pk=request.pk).update(current_score=score)
    request.refresh_from_db()
    return request


# The requests, their status changes, the audit trail and the notifications (compared whole
# with `snapshot`).
TABLES = (IntakeRequest, RequestStatusChange, AuditEvent, Notification)


def test_a_move_outside_the_table_is_refused_with_the_allowed_steps(cmio: User) -> None:
    request = in_status(S.SCORED)
    before = snapshot(*TABLES)

    with pytest.raises(ValidationError) as raised:
        services.request_transition(actor=cmio, request=request, to_status=S.RELEASED)

    assert raised.value.message_dict == {
        "to_status": [
            "Cannot move a request from Scored to Released: allowed next steps are In triage, "
            "In review, Scheduled, In build, Declined, Redirected, Withdrawn, Merged."
        ]
    }
    assert snapshot(*TABLES) == before


def test_a_closed_request_takes_no_more_steps(cmio: User) -> None:
    request = in_status(S.CLOSED)

    with pytest.raises(ValidationError) as raised:
        services.request_transition(actor=cmio, request=request, to_status=S.TRIAGE)

    assert raised.value.message_dict == {
        "to_status": [
            "Cannot move a request from Closed to In triage: it is Closed and takes no more steps."
        ]
    }


def test_an_unknown_status_is_refused(cmio: User) -> None:
    request = in_status(S.TRIAGE)

    with pytest.raises(ValidationError) as raised:
        services.request_transition(actor=cmio, request=request, to_status="done")

    assert raised.value.message_dict == {"to_status": ["'done' is not a request status."]}


@pytest.mark.parametrize(("from_status", "to_status"), EDGES)
def test_every_move_of_the_table_is_accepted(cmio: User, from_status: str, to_status: str) -> None:
    request = in_status(from_status)

    with time_machine.travel(NOW, tick=False):
        services.request_transition(
            actor=cmio,
            request=request,
            to_status=to_status,
            note="Reviewed.",
            decline_reason=DeclineReason.LOW_VALUE if to_status == S.DECLINED else "",
        )

    assert (request.status, request.status_changed_at, request.version) == (to_status, NOW, 2)
    change = RequestStatusChange.objects.get(request=request)
    assert (change.from_status, change.to_status, change.actor, change.note, change.at) == (
        from_status,
        to_status,
        cmio,
        "Reviewed.",
        NOW,
    )
    event = AuditEvent.objects.get(object_id=str(request.pk), action=AuditAction.UPDATE)
    assert event.changes["status"] == [from_status, to_status]
    assert event.actor == cmio


@pytest.mark.parametrize(("from_status", "to_status"), NON_EDGES)
def test_every_move_outside_the_table_is_refused(
    cmio: User, from_status: str, to_status: str
) -> None:
    request = in_status(from_status)
    before = snapshot(*TABLES)

    with pytest.raises(ValidationError) as raised:
        services.request_transition(
            actor=cmio, request=request, to_status=to_status, decline_reason="low_value"
        )

    assert list(raised.value.message_dict) == ["to_status"]
    assert raised.value.message_dict["to_status"][0].startswith("Cannot move a request from")
    assert snapshot(*TABLES) == before


@pytest.mark.parametrize(
    ("to_status", "message"),
    [
        (S.NEEDS_INFO, "Ask the submitter a question to move a request to Needs info."),
        (S.MERGED, "Merge the request into the surviving one to move it to Merged."),
    ],
)
def test_needs_info_and_merged_have_their_own_services(
    cmio: User, to_status: str, message: str
) -> None:
    request = in_status(S.TRIAGE)

    with pytest.raises(ValidationError) as raised:
        services.request_transition(actor=cmio, request=request, to_status=to_status)

    assert raised.value.message_dict == {"to_status": [message]}


def test_scored_needs_a_score(cmio: User) -> None:
    request: IntakeRequest = IntakeRequestFactory.create(status=S.TRIAGE)

    with pytest.raises(ValidationError) as raised:
        services.request_transition(actor=cmio, request=request, to_status=S.SCORED)

    assert raised.value.message_dict == {
        "to_status": ["Score the request before moving it to Scored."]
    }


def test_declining_needs_a_reason_and_leaving_declined_clears_it(cmio: User) -> None:
    request = in_status(S.IN_REVIEW)

    with pytest.raises(ValidationError) as raised:
        services.request_transition(actor=cmio, request=request, to_status=S.DECLINED)
    services.request_transition(
        actor=cmio, request=request, to_status=S.DECLINED, decline_reason=DeclineReason.DUPLICATE
    )
    declined_reason = request.decline_reason
    services.request_transition(actor=cmio, request=request, to_status=S.SCHEDULED)

    assert raised.value.message_dict == {
        "decline_reason": [
            "Give the reason for declining (conflicts with standard, low value, duplicate, "
            "not feasible, vendor limitation, policy change needed)."
        ]
    }
    assert declined_reason == DeclineReason.DUPLICATE
    assert (request.status, request.decline_reason) == (S.SCHEDULED, "")


@pytest.mark.parametrize("via", ["initiative", "governance"])
def test_a_calling_service_authorises_the_actor_but_not_the_move(
    users: dict[str, User], via: str
) -> None:
    request = in_status(S.DECIDED)
    executive = users["executive"]  # no triage role

    services.request_transition(actor=executive, request=request, to_status=S.IN_BUILD, via=via)
    with pytest.raises(ValidationError):
        services.request_transition(actor=executive, request=request, to_status=S.CLOSED, via=via)

    assert request.status == S.IN_BUILD


def test_an_unknown_caller_is_refused(users: dict[str, User]) -> None:
    request = in_status(S.DECIDED)

    with pytest.raises(ValidationError) as raised:
        services.request_transition(
            actor=users["cmio"], request=request, to_status=S.IN_BUILD, via="someone"
        )

    assert raised.value.message_dict == {"via": ["'someone' is not a caller that moves requests."]}


def test_submitter_withdraws_their_own_open_request(users: dict[str, User]) -> None:
    champion = users["champion"]
    request = submit(champion)
    building = in_status(S.IN_BUILD, submitted_by=champion)

    services.request_withdraw(actor=champion, request=request)
    with pytest.raises(ValidationError) as raised:
        services.request_withdraw(actor=champion, request=building)

    assert request.status == S.WITHDRAWN
    assert raised.value.message_dict == {
        "to_status": [
            "Cannot move a request from In build to Withdrawn: allowed next steps are Released, "
            "Scheduled, Declined."
        ]
    }


def test_another_champion_cannot_withdraw(make_user: Callable[..., User]) -> None:
    request = submit(make_user("champion"))

    with pytest.raises(ActionDenied):
        services.request_withdraw(actor=make_user("champion"), request=request)

    request.refresh_from_db()
    assert request.status == S.SUBMITTED


# --- E-mail to the submitter ----------------------------------------------------------------


def submitter(make_user: Callable[..., User], preference: str) -> User:
    return make_user(
        "champion", email=f"{preference}@riverside.example", notification_preference=preference
    )


def test_each_status_change_sends_one_email_after_commit(
    make_user: Callable[..., User], cmio: User, django_capture_on_commit_callbacks: Any
) -> None:
    request = submit(submitter(make_user, NotificationPreference.IMMEDIATE))

    with django_capture_on_commit_callbacks(execute=False) as pending:
        services.request_transition(actor=cmio, request=request, to_status=S.TRIAGE)
    assert mail.outbox == []  # nothing before the transaction commits
    for callback in pending:
        callback()
    assert [m.subject for m in mail.outbox] == [f"Your request #{request.pk} is now In triage"]

    with django_capture_on_commit_callbacks(execute=True):
        services.request_ask(actor=cmio, request=request, question="Which unit?")
    with django_capture_on_commit_callbacks(execute=True):
        services.request_transition(
            actor=cmio, request=request, to_status=S.DECLINED, decline_reason="low_value"
        )

    assert [m.subject for m in mail.outbox] == [
        f"Your request #{request.pk} is now In triage",
        f"Your request #{request.pk} is now Needs info",
        f"Your request #{request.pk} is now Declined",
    ]
    assert mail.outbox[0].to == ["immediate@riverside.example"]
    assert f"Request #{request.pk} moved from Submitted to In triage." in mail.outbox[0].body
    assert f"/requests/{request.pk}/" in mail.outbox[0].body
    assert "Reason: Low value." in mail.outbox[2].body


def test_a_refused_move_sends_nothing(
    make_user: Callable[..., User], cmio: User, django_capture_on_commit_callbacks: Any
) -> None:
    request = submit(submitter(make_user, NotificationPreference.IMMEDIATE))

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.request_transition(actor=cmio, request=request, to_status=S.RELEASED)

    assert mail.outbox == []
    assert Notification.objects.count() == 0


def test_a_daily_submitter_gets_a_single_digest(
    make_user: Callable[..., User], cmio: User, django_capture_on_commit_callbacks: Any
) -> None:
    request = submit(submitter(make_user, NotificationPreference.DAILY))

    with django_capture_on_commit_callbacks(execute=True):
        services.request_transition(actor=cmio, request=request, to_status=S.TRIAGE)
        services.request_transition(
            actor=cmio, request=request, to_status=S.REDIRECTED, note="Training covers it."
        )
    assert mail.outbox == []

    assert notification_digests_send() == 1

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["daily@riverside.example"]
    body = mail.outbox[0].body
    assert f"Your request #{request.pk} is now In triage" in body
    assert f"Your request #{request.pk} is now Redirected" in body


def test_a_submitter_who_chose_none_gets_nothing(
    make_user: Callable[..., User], cmio: User, django_capture_on_commit_callbacks: Any
) -> None:
    request = submit(submitter(make_user, NotificationPreference.NONE))

    with django_capture_on_commit_callbacks(execute=True):
        services.request_transition(actor=cmio, request=request, to_status=S.TRIAGE)

    assert Notification.objects.count() == 0
    assert mail.outbox == []
