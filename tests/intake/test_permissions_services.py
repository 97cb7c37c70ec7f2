"""DESIGN.md's permission table for intake, at the services: every role against every intake
write. Each refused call raises ActionDenied and leaves everything as it was — rows, fields,
versions, the audit log and the outbox."""

from collections.abc import Callable
from typing import Any

import pytest
from django.forms.models import model_to_dict

from informatics.choices import Role, Route
from informatics.models import AuditEvent, Notification, PhiConfirmation, User
from informatics.permissions import ActionDenied
from intake import services
from intake.choices import RequestStatus
from intake.models import (
    IntakeRequest,
    RequestComment,
    RequestScore,
    RequestStatusChange,
    RequestVote,
    Rubric,
)
from tests.intake.factories import FULL_RATINGS, submit

pytestmark = pytest.mark.django_db

ROLES = list(Role.values)
TRIAGE_ROLES = {Role.CMIO, Role.INFORMATICIST}
EDIT_ROLES = {Role.CHAMPION, Role.EXECUTIVE}

RUBRIC: dict[str, Any] = {
    "criteria": [
        {"code": "safety_quality", "label": "Patient safety and quality", "weight": 40},
        {"code": "strategic_alignment", "label": "Strategic alignment", "weight": 20},
        {"code": "time_saved", "label": "Clinician time saved", "weight": 15},
        {"code": "reach", "label": "Reach", "weight": 15},
        {"code": "readiness", "label": "Readiness", "weight": 10},
    ],
    "gates": {"fast_track": ["safety"], "mandatory": ["regulatory"]},
    "effort_points": {"XS": 1, "S": 2, "M": 3, "L": 5, "XL": 8},
}


def state() -> tuple[Any, ...]:
    """Everything an intake service could change."""
    requests = [
        {**model_to_dict(r), "status_changed_at": r.status_changed_at, "updated_at": r.updated_at}
        for r in IntakeRequest.objects.order_by("pk")
    ]
    return (
        requests,
        [list(m.objects.order_by("pk").values()) for m in (RequestVote, RequestComment)],
        RequestScore.objects.count(),
        RequestStatusChange.objects.count(),
        list(Rubric.objects.values_list("version", "is_current")),
        AuditEvent.objects.count(),
        Notification.objects.count(),
        PhiConfirmation.objects.count(),
    )


@pytest.fixture
def owner(make_user: Callable[..., User]) -> User:
    """Someone else, whose requests the role under test acts on."""
    return make_user("champion", email="owner@riverside.example")


@pytest.fixture
def request_of_owner(owner: User) -> IntakeRequest:
    return submit(owner, title="Owner's request")


def attempt(allowed: bool, call: Callable[[], Any]) -> None:
    """Run `call`: it must succeed when allowed, and otherwise be refused changing nothing."""
    if allowed:
        call()
        return
    before = state()
    with pytest.raises(ActionDenied):
        call()
    assert state() == before


@pytest.mark.parametrize("role", ROLES)
def test_submit(users: dict[str, User], role: str) -> None:
    request = submit(users[role])
    assert request.submitted_by == users[role]


@pytest.mark.parametrize("role", ROLES)
def test_edit_own_request_while_submitted(users: dict[str, User], role: str) -> None:
    own = submit(users[role])

    attempt(
        role in EDIT_ROLES,
        lambda: services.request_update(actor=users[role], request=own, version=1, title="New"),
    )


@pytest.mark.parametrize("role", ROLES)
def test_nobody_edits_someone_elses_request(
    users: dict[str, User], request_of_owner: IntakeRequest, role: str
) -> None:
    attempt(
        False,
        lambda: services.request_update(
            actor=users[role], request=request_of_owner, version=1, title="Mine now"
        ),
    )


@pytest.mark.parametrize("role", sorted(EDIT_ROLES))
def test_nobody_edits_their_own_request_once_triaged(users: dict[str, User], role: str) -> None:
    own = submit(users[role])
    services.request_triage(actor=users["cmio"], request=own, version=1, route=Route.TRAINING)
    own.refresh_from_db()

    attempt(
        False,
        lambda: services.request_update(
            actor=users[role], request=own, version=own.version, title="Too late"
        ),
    )


@pytest.mark.parametrize("role", ROLES)
def test_vote(users: dict[str, User], request_of_owner: IntakeRequest, role: str) -> None:
    vote = services.request_vote(actor=users[role], request=request_of_owner)
    assert vote.voter == users[role]


@pytest.mark.parametrize("role", ROLES)
def test_comment(users: dict[str, User], request_of_owner: IntakeRequest, role: str) -> None:
    comment = services.request_comment(actor=users[role], request=request_of_owner, body="Same")
    assert comment.author == users[role]


@pytest.mark.parametrize("role", ROLES)
def test_a_private_request_of_someone_else(users: dict[str, User], owner: User, role: str) -> None:
    private = submit(owner, is_private=True)

    attempt(
        role != Role.CHAMPION,
        lambda: services.request_comment(actor=users[role], request=private, body="Seen it"),
    )
    attempt(
        role != Role.CHAMPION, lambda: services.request_vote(actor=users[role], request=private)
    )


@pytest.mark.parametrize("role", ROLES)
def test_triage_and_score(
    users: dict[str, User], request_of_owner: IntakeRequest, role: str
) -> None:
    attempt(
        role in TRIAGE_ROLES,
        lambda: services.request_triage(
            actor=users[role],
            request=request_of_owner,
            version=1,
            route=Route.WORKGROUP,
            ratings=FULL_RATINGS,
            build_hours=30,
        ),
    )


@pytest.mark.parametrize("role", ROLES)
def test_ask(users: dict[str, User], request_of_owner: IntakeRequest, role: str) -> None:
    attempt(
        role in TRIAGE_ROLES,
        lambda: services.request_ask(actor=users[role], request=request_of_owner, question="Why?"),
    )


@pytest.mark.parametrize("role", ROLES)
def test_transition(users: dict[str, User], request_of_owner: IntakeRequest, role: str) -> None:
    attempt(
        role in TRIAGE_ROLES,
        lambda: services.request_transition(
            actor=users[role], request=request_of_owner, to_status=RequestStatus.TRIAGE
        ),
    )


@pytest.mark.parametrize("role", ROLES)
def test_withdraw_someone_elses_request(
    users: dict[str, User], request_of_owner: IntakeRequest, role: str
) -> None:
    attempt(
        role in TRIAGE_ROLES,
        lambda: services.request_withdraw(actor=users[role], request=request_of_owner),
    )


@pytest.mark.parametrize("role", ROLES)
def test_merge(
    users: dict[str, User], owner: User, request_of_owner: IntakeRequest, role: str
) -> None:
    survivor = submit(owner, title="Survivor")
    services.request_vote(actor=users["executive"], request=request_of_owner)

    attempt(
        role in TRIAGE_ROLES,
        lambda: services.request_merge(
            actor=users[role], request=request_of_owner, survivor=survivor
        ),
    )


@pytest.mark.parametrize("role", ROLES)
def test_rubric_update(users: dict[str, User], role: str) -> None:
    attempt(role == Role.ADMIN, lambda: services.rubric_update(actor=users[role], **RUBRIC))


def test_a_deactivated_user_can_do_nothing(
    make_user: Callable[..., User], request_of_owner: IntakeRequest
) -> None:
    gone = make_user("cmio", "champion", is_active=False)

    attempt(False, lambda: submit(gone))
    attempt(False, lambda: services.request_vote(actor=gone, request=request_of_owner))
    attempt(
        False,
        lambda: services.request_triage(
            actor=gone, request=request_of_owner, version=1, route=Route.TRAINING
        ),
    )
