"""Intake through the API, every role against every write (DESIGN.md's table): allowed ones
succeed, refused ones get 403 (404 for a private request the caller may not read) and change
nothing — no row, field, version, timeline entry, score, vote, comment or audit event."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from rest_framework.test import APIClient

from informatics.choices import Role
from informatics.models import AuditEvent, Notification, PhiConfirmation, User
from intake import services
from intake.models import (
    IntakeRequest,
    RequestComment,
    RequestScore,
    RequestStatusChange,
    RequestVote,
    Rubric,
)
from tests.conftest import ApiAs, snapshot
from tests.intake.factories import FULL_RATINGS, submit

pytestmark = pytest.mark.django_db

URL = "/api/v1/requests/"
EVERYONE = frozenset(Role.values)
TRIAGERS = frozenset({Role.INFORMATICIST, Role.CMIO})
OWN_EDITORS = frozenset({Role.CHAMPION, Role.EXECUTIVE})
NOBODY: frozenset[str] = frozenset()


# Every intake row (and linked priorities), the rubric versions, the PHI confirmations,
# notifications and audit events (compared whole with `snapshot`).
TABLES = (
    IntakeRequest,
    IntakeRequest.priorities.through,
    RequestVote,
    RequestComment,
    RequestScore,
    RequestStatusChange,
    Rubric,
    PhiConfirmation,
    Notification,
    AuditEvent,
)


@dataclass
class World:
    """The people and requests a case acts on."""

    other: User  # a champion whose requests are not the actor's
    asker: User  # the CMIO, who asks questions
    target: IntakeRequest | None = None
    survivor: IntakeRequest | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        assert self.target is not None
        return f"{URL}{self.target.pk}/"

    def fresh(self) -> IntakeRequest:
        assert self.target is not None
        return IntakeRequest.objects.get(pk=self.target.pk)


@pytest.fixture
def world(users: dict[str, User], make_user: Callable[..., User]) -> World:
    return World(other=make_user(Role.CHAMPION, full_name="Other Champion"), asker=users["cmio"])


# --- Setups ---------------------------------------------------------------------------------


def nothing(world: World, user: User) -> None:
    return None


def own(world: World, user: User) -> None:
    world.target = submit(user, title="My request")


def others(world: World, user: User) -> None:
    world.target = submit(world.other, title="Their request")


def own_in_triage(world: World, user: User) -> None:
    world.target = submit(user, title="My request")
    services.request_transition(actor=world.asker, request=world.target, to_status="triage")


def own_asked(world: World, user: User) -> None:
    world.target = submit(user, title="My request")
    services.request_ask(actor=world.asker, request=world.target, question="Which unit?")


def others_asked(world: World, user: User) -> None:
    others(world, user)
    assert world.target is not None
    services.request_ask(actor=world.asker, request=world.target, question="Which unit?")


def two_of_others(world: World, user: User) -> None:
    world.target = submit(world.other, title="Sepsis BPA after surgery")
    world.survivor = submit(world.other, title="Sepsis alert on post-op tachycardia")


# --- Cases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One write: who may take it, how to send it, and what success leaves behind."""

    name: str
    allowed: frozenset[str]
    setup: Callable[[World, User], None]
    send: Callable[[APIClient, World], Any]
    succeeded: Callable[[Any, World, User], None]
    refusal: str  # the permission named in the 403
    success_status: int = 200


def _created(response: Any, world: World, user: User) -> None:
    row = IntakeRequest.objects.get(pk=response.json()["id"])
    assert (row.title, row.submitted_by, row.status) == ("New pain point", user, "submitted")


def _edited(response: Any, world: World, user: User) -> None:
    row = world.fresh()
    assert (row.title, row.version) == ("Edited title", 2)


def _voted(response: Any, world: World, user: User) -> None:
    vote = RequestVote.objects.get()
    assert (vote.request_id, vote.voter, vote.frequency) == (world.fresh().pk, user, "weekly")


def _commented(response: Any, world: World, user: User) -> None:
    comment = RequestComment.objects.get()
    assert (comment.author, comment.kind, comment.body) == (user, "comment", "Same here.")


def _asked(response: Any, world: World, user: User) -> None:
    assert world.fresh().status == "needs_info"
    assert RequestComment.objects.get().author == user


def _answered(response: Any, world: World, user: User) -> None:
    assert world.fresh().status == "triage"
    answer = RequestComment.objects.get(kind="answer")
    assert RequestComment.objects.get(kind="question").answered_by == answer


def _triaged(response: Any, world: World, user: User) -> None:
    row = world.fresh()
    assert (row.status, row.route, row.build_hours) == ("scored", "workgroup", 20)
    assert row.current_score is not None
    assert row.current_score.created_by == user


def _moved(response: Any, world: World, user: User) -> None:
    assert world.fresh().status == "triage"
    assert RequestStatusChange.objects.filter(to_status="triage").get().actor == user


def _withdrawn(response: Any, world: World, user: User) -> None:
    assert world.fresh().status == "withdrawn"


def _merged(response: Any, world: World, user: User) -> None:
    assert world.survivor is not None
    assert (world.fresh().status, world.fresh().duplicate_of_id) == ("merged", world.survivor.pk)


def _rubric_edited(response: Any, world: World, user: User) -> None:
    rubric = Rubric.objects.get(is_current=True)
    assert (rubric.version, rubric.created_by) == (2, user)


def _never(response: Any, world: World, user: User) -> None:
    raise AssertionError("nobody may do this")


RUBRIC = {
    "criteria": [
        {"code": "safety_quality", "label": "Patient safety and quality", "weight": 50},
        {"code": "reach", "label": "Reach", "weight": 50},
    ],
    "gates": {"fast_track": ["safety"], "mandatory": ["regulatory"]},
    "effort_points": {"XS": 1, "S": 2, "M": 3, "L": 5, "XL": 8},
}

CASES = [
    Case(
        "submit",
        EVERYONE,
        nothing,
        lambda c, w: c.post(
            URL,
            {
                "kind": "pain_point",
                "title": "New pain point",
                "story_today": "Four clicks.",
                "story_wanted": "One.",
                "frequency": "daily",
            },
            format="json",
        ),
        _created,
        "request.submit",
        201,
    ),
    Case(
        "edit own while submitted",
        OWN_EDITORS,
        own,
        lambda c, w: c.patch(w.url, {"version": 1, "title": "Edited title"}, format="json"),
        _edited,
        "request.edit",
    ),
    Case(
        "edit own after triage",
        NOBODY,
        own_in_triage,
        lambda c, w: c.patch(
            w.url, {"version": w.fresh().version, "title": "Edited title"}, format="json"
        ),
        _never,
        "request.edit",
    ),
    Case(
        "edit another's",
        NOBODY,
        others,
        lambda c, w: c.patch(w.url, {"version": 1, "title": "Edited title"}, format="json"),
        _never,
        "request.edit",
    ),
    Case(
        "vote",
        EVERYONE,
        others,
        lambda c, w: c.post(f"{w.url}votes/", {"frequency": "weekly"}, format="json"),
        _voted,
        "request.submit",
        201,
    ),
    Case(
        "comment",
        EVERYONE,
        others,
        lambda c, w: c.post(f"{w.url}comments/", {"body": "Same here."}, format="json"),
        _commented,
        "request.submit",
        201,
    ),
    Case(
        "ask a question",
        TRIAGERS,
        others,
        lambda c, w: c.post(f"{w.url}question/", {"question": "Which unit?"}, format="json"),
        _asked,
        "request.triage",
        201,
    ),
    Case(
        "answer own",
        EVERYONE,
        own_asked,
        lambda c, w: c.post(f"{w.url}answer/", {"body": "4 West."}, format="json"),
        _answered,
        "request.submit",
        201,
    ),
    Case(
        "answer another's",
        NOBODY,
        others_asked,
        lambda c, w: c.post(f"{w.url}answer/", {"body": "4 West."}, format="json"),
        _never,
        "request.edit",
    ),
    Case(
        "triage and score",
        TRIAGERS,
        others,
        lambda c, w: c.post(
            f"{w.url}triage/",
            {"version": 1, "route": "workgroup", "ratings": FULL_RATINGS, "build_hours": 20},
            format="json",
        ),
        _triaged,
        "request.triage",
    ),
    Case(
        "transition",
        TRIAGERS,
        others,
        lambda c, w: c.post(f"{w.url}transition/", {"to_status": "triage"}, format="json"),
        _moved,
        "request.triage",
    ),
    Case(
        "withdraw own",
        EVERYONE,
        own,
        lambda c, w: c.post(f"{w.url}withdraw/"),
        _withdrawn,
        "request.submit",
    ),
    Case(
        "withdraw another's",
        TRIAGERS,
        others,
        lambda c, w: c.post(f"{w.url}withdraw/"),
        _withdrawn,
        "request.triage",
    ),
    Case(
        "merge",
        TRIAGERS,
        two_of_others,
        lambda c, w: c.post(
            f"{w.url}merge/", {"survivor": w.survivor.pk if w.survivor else 0}, format="json"
        ),
        _merged,
        "request.triage",
    ),
    Case(
        "edit the rubric",
        frozenset({Role.ADMIN}),
        nothing,
        lambda c, w: c.post("/api/v1/rubric/", RUBRIC, format="json"),
        _rubric_edited,
        "administer",
        201,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
@pytest.mark.parametrize("role", Role.values)
def test_each_role_takes_only_the_intake_actions_the_table_gives_it(
    users: dict[str, User], world: World, role: str, case: Case, api_as: ApiAs
) -> None:
    user = users[role]
    case.setup(world, user)
    client = api_as(user)
    before = snapshot(*TABLES)

    response = case.send(client, world)

    if role in case.allowed:
        assert response.status_code == case.success_status, response.content
        case.succeeded(response, world, user)
    else:
        assert response.status_code == 403, response.content
        assert response.json() == {"detail": f"You may not do this ({case.refusal})."}
        assert snapshot(*TABLES) == before


# The view refuses first; each of these is refused again by the service behind it.
SERVICE_CHECKED = [
    case
    for case in CASES
    if case.name
    in {"edit own while submitted", "ask a question", "triage and score", "transition", "merge"}
    | {"edit the rubric"}
]


@pytest.mark.parametrize("case", SERVICE_CHECKED, ids=[case.name for case in SERVICE_CHECKED])
def test_the_service_refuses_even_when_the_view_lets_a_request_through(
    users: dict[str, User], world: World, case: Case, monkeypatch: pytest.MonkeyPatch, api_as: ApiAs
) -> None:
    monkeypatch.setattr("informatics.rest.viewsets.can", lambda user, action, obj=None: True)
    user = users[Role.CMO]  # may read everything, and takes none of these actions
    case.setup(world, user)
    before = snapshot(*TABLES)

    response = case.send(api_as(user), world)

    assert response.status_code == 403, response.content
    assert response.json() == {"detail": f"You may not do this ({case.refusal})."}
    assert snapshot(*TABLES) == before


# --- Private requests -----------------------------------------------------------------------


@pytest.fixture
def private(world: World) -> IntakeRequest:
    row = submit(world.other, title="Private pain point", is_private=True)
    services.request_ask(actor=world.asker, request=row, question="Which unit?")
    return row


def test_a_private_request_is_404_to_another_champion_whatever_they_try(
    users: dict[str, User], private: IntakeRequest, api_as: ApiAs
) -> None:
    client = api_as(users[Role.CHAMPION])
    url = f"{URL}{private.pk}/"
    before = snapshot(*TABLES)

    responses = {
        "read": client.get(url),
        "thread": client.get(f"{url}comments/"),
        "edit": client.patch(url, {"version": 1, "title": "Mine now"}, format="json"),
        "vote": client.post(f"{url}votes/", {}, format="json"),
        "comment": client.post(f"{url}comments/", {"body": "Hello"}, format="json"),
        "answer": client.post(f"{url}answer/", {"body": "4 West."}, format="json"),
        "withdraw": client.post(f"{url}withdraw/"),
    }

    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 404)
    # Triage actions are refused by role before the request is even looked up.
    assert client.post(f"{url}transition/", {"to_status": "triage"}).status_code == 403
    assert snapshot(*TABLES) == before
    listed = client.get(URL).json()
    assert private.pk not in [row["id"] for row in listed["results"]]
    similar = client.get(f"{URL}similar/", {"title": "Private pain point"}).json()
    assert private.pk not in [row["id"] for row in similar]


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.CHAMPION])
def test_every_other_role_reads_a_private_request(
    users: dict[str, User], private: IntakeRequest, role: str, api_as: ApiAs
) -> None:
    client = api_as(users[role])

    assert client.get(f"{URL}{private.pk}/").status_code == 200
    assert private.pk in [row["id"] for row in client.get(URL).json()["results"]]


def test_the_submitter_reads_and_answers_their_private_request(
    world: World, private: IntakeRequest, api_as: ApiAs
) -> None:
    client = api_as(world.other)

    assert client.get(f"{URL}{private.pk}/").status_code == 200
    response = client.post(f"{URL}{private.pk}/answer/", {"body": "4 West."}, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize(
    "send",
    [
        lambda c: c.get(URL),
        lambda c: c.post(URL, {}, format="json"),
        lambda c: c.get("/api/v1/rubric/"),
        lambda c: c.get(f"{URL}similar/", {"title": "sepsis"}),
    ],
    ids=["list", "submit", "rubric", "similar"],
)
def test_anonymous_gets_401(db: None, send: Callable[[APIClient], Any]) -> None:
    before = snapshot(*TABLES)

    assert send(APIClient()).status_code == 401
    assert snapshot(*TABLES) == before


def test_an_account_without_a_role_is_refused(
    make_user: Callable[..., User], api_as: ApiAs
) -> None:
    client = api_as(make_user())

    assert client.get(URL).status_code == 403
    assert client.post(URL, {}, format="json").status_code == 403
