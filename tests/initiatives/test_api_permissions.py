"""The portfolio through the API, every role against every write (DESIGN.md's table: the CMIO
creates and edits every initiative, its milestones and status updates, an informaticist those
they lead; approve, defer and stop are governance decisions, refused here; everyone reads). Allowed
ones succeed; refused ones get 403 and change nothing — no row, field, version, stage change, linked
request, notification or audit event."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from informatics.choices import Role
from informatics.models import AuditEvent, Notification, PhiConfirmation, User
from initiatives.choices import Stage
from initiatives.models import (
    BenefitLine,
    Initiative,
    InitiativePriority,
    Milestone,
    StageChange,
    StatusUpdate,
)
from intake.choices import RequestStatus
from intake.models import IntakeRequest, RequestStatusChange
from tests.conftest import ApiAs, snapshot
from tests.initiatives.factories import (
    BenefitLineFactory,
    InitiativeFactory,
    MilestoneFactory,
    initiative_of,
)
from tests.intake.factories import IntakeRequestFactory

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

URL = "/api/v1/initiatives/"
EDITORS = frozenset({Role.INFORMATICIST, Role.CMIO})  # of an initiative the actor leads
CMIO_ONLY = frozenset({Role.CMIO})  # of an initiative someone else leads
EDIT = "initiative.edit"


# Every portfolio row (and the initiatives' people and facilities), the requests and their
# status changes, notifications, PHI confirmations and audit events (compared whole with
# `snapshot`).
TABLES = (
    Initiative,
    Initiative.champions.through,
    Initiative.facilities.through,
    InitiativePriority,
    StageChange,
    BenefitLine,
    Milestone,
    StatusUpdate,
    IntakeRequest,
    RequestStatusChange,
    Notification,
    PhiConfirmation,
    AuditEvent,
)


@dataclass
class World:
    """What a case acts on: the initiative, and a milestone, benefit line and request of it."""

    other_lead: User
    target: Initiative | None = None
    milestone: Milestone | None = None
    benefit: BenefitLine | None = None
    request: IntakeRequest | None = None

    @property
    def url(self) -> str:
        assert self.target is not None
        return f"{URL}{self.target.pk}/"

    def fresh(self) -> Initiative:
        assert self.target is not None
        return Initiative.objects.get(pk=self.target.pk)


@pytest.fixture
def world(make_user: Callable[..., User]) -> World:
    return World(other_lead=make_user(Role.INFORMATICIST, full_name="Other Lead"))


# --- Setups: `mine` — the actor leads the initiative; `theirs` — another informaticist does --


def _initiative(world: World, lead: User, stage: str) -> None:
    world.target = InitiativeFactory.create(informaticist_lead=lead, stage=stage)
    world.milestone = MilestoneFactory.create(initiative=world.target)
    world.benefit = BenefitLineFactory.create(initiative=world.target)
    world.request = IntakeRequestFactory.create(status=RequestStatus.SCORED)


def nothing(world: World, user: User, lead: str) -> None:
    return None


def proposed(world: World, user: User, lead: str) -> None:
    _initiative(world, user if lead == "mine" else world.other_lead, Stage.PROPOSED)


def approved(world: World, user: User, lead: str) -> None:
    _initiative(world, user if lead == "mine" else world.other_lead, Stage.APPROVED)


def in_build(world: World, user: User, lead: str) -> None:
    _initiative(world, user if lead == "mine" else world.other_lead, Stage.IN_BUILD)


# --- What success leaves behind -------------------------------------------------------------


def _created(response: Any, world: World, user: User) -> None:
    row = Initiative.objects.get(pk=response.json()["id"])
    assert (row.title, row.stage) == ("New initiative", "proposed")
    # An informaticist leads what they create; the CMIO may leave the lead open.
    expected_lead = user if user.has_role(Role.INFORMATICIST) else None
    assert row.informaticist_lead == expected_lead


def _edited(response: Any, world: World, user: User) -> None:
    assert (world.fresh().title, world.fresh().version) == ("Edited title", 2)


def _into_build(response: Any, world: World, user: User) -> None:
    assert world.fresh().stage == "in_build"
    assert StageChange.objects.get(to_stage="in_build").actor == user


def _linked(response: Any, world: World, user: User) -> None:
    assert world.request is not None
    world.request.refresh_from_db()
    assert (initiative_of(world.request), world.request.status) == (world.fresh(), "scored")


def _milestone_added(response: Any, world: World, user: User) -> None:
    assert world.fresh().milestones.filter(title="Go-live").exists()


def _milestone_done(response: Any, world: World, user: User) -> None:
    assert world.milestone is not None
    world.milestone.refresh_from_db()
    assert (world.milestone.done_by, world.milestone.done_at is not None) == (user, True)


def _status_posted(response: Any, world: World, user: User) -> None:
    update = StatusUpdate.objects.get()
    assert (update.initiative, update.author, update.schedule) == (world.fresh(), user, "at_risk")


def _benefit_added(response: Any, world: World, user: User) -> None:
    assert world.fresh().benefits.filter(description="Fewer duplicate orders").exists()


def _benefit_edited(response: Any, world: World, user: User) -> None:
    assert world.benefit is not None
    world.benefit.refresh_from_db()
    assert str(world.benefit.target) == "50.00"


# --- Cases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One write: who may take it (on an initiative they lead, and on another's), how to
    send it, and what success leaves behind."""

    name: str
    allowed_mine: frozenset[str]
    allowed_theirs: frozenset[str]
    setup: Callable[[World, User, str], None]
    send: Callable[[APIClient, World], Any]
    succeeded: Callable[[Any, World, User], None]
    refusal: str  # the permission named in the 403
    success_status: int = 200


def _milestone_url(world: World) -> str:
    assert world.milestone is not None
    return f"{world.url}milestones/{world.milestone.pk}/done/"


def _benefit_url(world: World) -> str:
    assert world.benefit is not None
    return f"{world.url}benefits/{world.benefit.pk}/"


def _request_id(world: World) -> int:
    assert world.request is not None
    return world.request.pk


STATUS = {
    "schedule": "at_risk",
    "scope": "on_track",
    "budget": "on_track",
    "adoption": "on_track",
    "narrative": "Two weeks behind.",
}
BENEFIT = {
    "value_category": "safety_quality",
    "description": "Fewer duplicate orders",
    "unit": "orders a month",
    "baseline": "9",
    "target": "0",
    "horizon": "2027-06-30",
}

CASES = [
    Case(
        "create",
        EDITORS,
        EDITORS,
        nothing,
        lambda c, w: c.post(
            URL, {"title": "New initiative", "type": "cds", "summary": "A plan."}, format="json"
        ),
        _created,
        EDIT,
        201,
    ),
    Case(
        "edit",
        EDITORS,
        CMIO_ONLY,
        proposed,
        lambda c, w: c.patch(w.url, {"version": 1, "title": "Edited title"}, format="json"),
        _edited,
        EDIT,
    ),
    Case(
        "move into build",
        EDITORS,
        CMIO_ONLY,
        approved,
        lambda c, w: c.post(
            f"{w.url}stage/", {"to_stage": "in_build", "version": 1}, format="json"
        ),
        _into_build,
        EDIT,
    ),
    Case(
        "link requests",
        EDITORS,
        CMIO_ONLY,
        proposed,
        lambda c, w: c.post(
            f"{w.url}link-requests/", {"requests": [_request_id(w)]}, format="json"
        ),
        _linked,
        EDIT,
    ),
    Case(
        "add a milestone",
        EDITORS,
        CMIO_ONLY,
        proposed,
        lambda c, w: c.post(
            f"{w.url}milestones/", {"title": "Go-live", "due_date": "2026-09-01"}, format="json"
        ),
        _milestone_added,
        EDIT,
        201,
    ),
    Case(
        "mark a milestone done",
        EDITORS,
        CMIO_ONLY,
        proposed,
        lambda c, w: c.post(_milestone_url(w)),
        _milestone_done,
        EDIT,
    ),
    Case(
        "post a status update",
        EDITORS,
        CMIO_ONLY,
        in_build,
        lambda c, w: c.post(f"{w.url}status-updates/", STATUS, format="json"),
        _status_posted,
        EDIT,
        201,
    ),
    Case(
        "add a benefit line",
        EDITORS,
        CMIO_ONLY,
        proposed,
        lambda c, w: c.post(f"{w.url}benefits/", BENEFIT, format="json"),
        _benefit_added,
        EDIT,
        201,
    ),
    Case(
        "edit a benefit line",
        EDITORS,
        CMIO_ONLY,
        approved,
        lambda c, w: c.patch(_benefit_url(w), {"target": "50"}, format="json"),
        _benefit_edited,
        EDIT,
    ),
]


@pytest.mark.parametrize("lead", ["mine", "theirs"])
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
@pytest.mark.parametrize("role", Role.values)
def test_each_role_takes_only_the_portfolio_actions_the_table_gives_it(
    users: dict[str, User], world: World, role: str, case: Case, lead: str, api_as: ApiAs
) -> None:
    user = users[role]
    case.setup(world, user, lead)
    client = api_as(user)
    before = snapshot(*TABLES)

    response = case.send(client, world)

    allowed = case.allowed_mine if lead == "mine" else case.allowed_theirs
    if role in allowed:
        assert response.status_code == case.success_status, response.content
        case.succeeded(response, world, user)
    else:
        assert response.status_code == 403, response.content
        assert response.json() == {"detail": f"You may not do this ({case.refusal})."}
        assert snapshot(*TABLES) == before


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_the_service_refuses_even_when_the_view_lets_a_request_through(
    users: dict[str, User], world: World, case: Case, monkeypatch: pytest.MonkeyPatch, api_as: ApiAs
) -> None:
    def anything(user: Any, action: Any, obj: Any = None) -> bool:
        return True

    monkeypatch.setattr("informatics.rest.viewsets.can", anything)
    monkeypatch.setattr("initiatives.api.views.can", anything)
    user = users[Role.CHAMPION]  # reads the portfolio, and takes none of these actions
    case.setup(world, user, "theirs")
    before = snapshot(*TABLES)

    response = case.send(api_as(user), world)

    assert response.status_code == 403, response.content
    assert response.json() == {"detail": f"You may not do this ({case.refusal})."}
    assert snapshot(*TABLES) == before


@pytest.mark.parametrize(
    ("to_stage", "setup", "label"),
    [
        ("approved", "proposed", "Approved"),
        ("deferred", "proposed", "Deferred"),
        ("stopped", "in_build", "Stopped"),
    ],
)
def test_a_gate_through_the_stage_action_is_refused_even_for_the_cmo(
    users: dict[str, User], world: World, api_as: ApiAs, to_stage: str, setup: str, label: str
) -> None:
    """Approve, defer and stop are governance decisions (/api/v1/decisions/, tested with
    governance): the stage action refuses them, naming `to_stage`, and changes nothing."""
    {"proposed": proposed, "in_build": in_build}[setup](world, users[Role.CMIO], "theirs")
    before = snapshot(*TABLES)

    response = api_as(users[Role.CMO]).post(
        f"{world.url}stage/",
        {"to_stage": to_stage, "version": 1, "reason": "Worth it.", "revisit_date": "2026-09-01"},
        format="json",
    )

    assert response.status_code == 400, response.content
    assert response.json() == {
        "to_stage": [
            f"{label} is a governance decision: record it through /api/v1/decisions/ (with "
            "a rationale, for a deferral its revisit date, and for an approval the lead and "
            "benefit plan, or a waiver)."
        ]
    }
    assert snapshot(*TABLES) == before


def test_a_gate_is_not_passed_by_the_cmio_or_an_executive_through_the_stage_action(
    users: dict[str, User], world: World, api_as: ApiAs
) -> None:
    """The CMIO and executives, who pass a gate only by a decision of a body (as members, or
    the CMIO in any body), are refused the stage action's gates before anything is read."""
    proposed(world, users[Role.CMIO], "theirs")
    before = snapshot(*TABLES)

    for role in (Role.CMIO, Role.EXECUTIVE):
        response = api_as(users[role]).post(
            f"{world.url}stage/", {"to_stage": "approved", "version": 1, "reason": "Yes."}
        )
        assert response.status_code == 403, role
        assert response.json() == {"detail": "You may not do this (initiative.gate)."}
    assert snapshot(*TABLES) == before


@pytest.mark.parametrize("setup", [proposed, approved])
@pytest.mark.parametrize("role", [Role.INFORMATICIST, Role.CMIO])
def test_a_deferral_is_refused_to_the_lead_and_the_cmio_through_the_stage_action(
    users: dict[str, User], world: World, api_as: ApiAs, role: str, setup: Any
) -> None:
    """Deferring is a gate: the informaticist who leads the initiative and the CMIO, who may
    edit it, are refused the move (they defer through a decision, the CMIO in any body)."""
    setup(world, users[role], "mine")
    before = snapshot(*TABLES)

    response = api_as(users[role]).post(
        f"{world.url}stage/",
        {
            "to_stage": "deferred",
            "version": 1,
            "reason": "After the upgrade.",
            "revisit_date": "2026-09-01",
        },
        format="json",
    )

    assert response.status_code == 403, response.content
    assert response.json() == {"detail": "You may not do this (initiative.gate)."}
    assert snapshot(*TABLES) == before


@pytest.mark.parametrize("role", Role.values)
def test_everyone_reads_the_portfolio(
    users: dict[str, User], world: World, role: str, api_as: ApiAs
) -> None:
    in_build(world, users[Role.CMIO], "theirs")
    client = api_as(users[role])

    for path in ("", "milestones/", "status-updates/", "benefits/"):
        response = client.get(f"{world.url}{path}")
        assert response.status_code == 200, (path, response.content)
    listed = client.get(URL)
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [world.fresh().pk]


def test_an_informaticist_cannot_hand_a_new_initiative_to_someone_else(
    users: dict[str, User], world: World, api_as: ApiAs
) -> None:
    response = api_as(users[Role.INFORMATICIST]).post(
        URL,
        {
            "title": "New initiative",
            "type": "cds",
            "summary": "A plan.",
            "informaticist_lead": world.other_lead.pk,
        },
        format="json",
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "You may not do this (initiative.edit)."}
    assert Initiative.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_when_an_initiative_changes_lead_the_former_lead_can_no_longer_edit_it(
    users: dict[str, User], world: World, api_as: ApiAs
) -> None:
    informaticist = users[Role.INFORMATICIST]
    proposed(world, informaticist, "mine")
    handed = api_as(users[Role.CMIO]).patch(
        world.url, {"version": 1, "informaticist_lead": world.other_lead.pk}, format="json"
    )
    assert handed.status_code == 200, handed.content
    before = snapshot(*TABLES)

    response = api_as(informaticist).patch(
        world.url, {"version": 2, "title": "Edited title"}, format="json"
    )

    assert response.status_code == 403
    assert snapshot(*TABLES) == before
