"""Who may open which portfolio page and take which action, for every role (DESIGN.md's
table): everyone reads the portfolio, the list, its export and every initiative; the CMIO and
informaticists create initiatives; the CMIO edits every initiative, and an informaticist those
they lead — with their milestones, status updates, benefit plan and linked requests; approve,
defer and stop are governance decisions, never plain moves: the CMO, who holds the gate, is sent to
the decision form. Each refused write answers 403 and changes
nothing: rows, fields, version, history and stage timeline stay as they were."""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from informatics.choices import Role, ValueCategory
from informatics.models import AuditEvent, Notification, PhiConfirmation, User
from initiatives import services
from initiatives.choices import Stage
from initiatives.models import (
    BenefitLine,
    Initiative,
    InitiativePriority,
    LinkedRequest,
    Milestone,
    StageChange,
    StatusUpdate,
)
from intake.models import IntakeRequest
from tests.conftest import snapshot
from tests.factories import PriorityFactory
from tests.initiatives.factories import create_initiative, decide
from tests.intake.factories import scored_request

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

ROLES = Role.values
EDITORS = {Role.CMIO, Role.INFORMATICIST}  # the informaticist leads the initiative below
GATEKEEPERS = {Role.CMO}

PAGES_FOR_EVERYONE = [
    "initiatives:portfolio",
    "initiatives:initiative-list",
    "initiatives:initiative-export",
]


class World:
    """An initiative led by users["informaticist"], with a milestone and a benefit line, and a
    scored request not linked yet."""

    def __init__(self, users: dict[str, User], *, stage: str = Stage.PROPOSED) -> None:
        cmio = users[Role.CMIO]
        self.priority = PriorityFactory.create(title="Patient safety")
        self.initiative = create_initiative(
            cmio,
            title="Sepsis alert tuning",
            priorities={self.priority: "strong"},
            informaticist_lead=users[Role.INFORMATICIST],
        )
        self.milestone = services.milestone_add(
            actor=cmio,
            initiative=self.initiative,
            title="Build complete",
            due_date=datetime.date(2026, 6, 1),
        )
        self.benefit = services.benefit_add(
            actor=cmio,
            initiative=self.initiative,
            value_category=ValueCategory.ENGAGEMENT,
            description="After-hours EHR time",
            unit="min/day",
            baseline=Decimal("86"),
            target=Decimal("60"),
            horizon=datetime.date(2027, 6, 30),
        )
        self.request = scored_request(cmio, users[Role.CHAMPION])
        if stage != Stage.PROPOSED:
            decide(users[Role.CMO], self.initiative, Stage.APPROVED)
        self.initiative.refresh_from_db()


@pytest.fixture
def world(users: dict[str, User]) -> World:
    return World(users)


@pytest.fixture
def approved(users: dict[str, User]) -> World:
    return World(users, stage=Stage.APPROVED)


# Everything a refused write could have changed (compared whole with `snapshot`).
TABLES = (
    Initiative,
    InitiativePriority,
    Initiative.champions.through,
    Initiative.facilities.through,
    StageChange,
    StatusUpdate,
    Milestone,
    BenefitLine,
    IntakeRequest,
    LinkedRequest,
    AuditEvent,
    Notification,
    PhiConfirmation,
)


# --- Reading ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", PAGES_FOR_EVERYONE)
def test_every_role_opens_the_portfolio_pages(
    client_for: Callable[[str], Client], world: World, role: str, name: str
) -> None:
    response = client_for(role).get(reverse(name))

    assert response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_an_initiative(
    client_for: Callable[[str], Client], world: World, role: str
) -> None:
    response = client_for(role).get(
        reverse("initiatives:initiative-detail", args=[world.initiative.pk])
    )

    assert response.status_code == 200
    assert response.context["can_edit"] == (role in EDITORS)
    assert (response.context["status_form"] is not None) == (role in EDITORS)


@pytest.mark.parametrize("role", ROLES)
def test_the_new_initiative_button_and_page_are_for_the_cmio_and_informaticists(
    client_for: Callable[[str], Client], world: World, role: str
) -> None:
    client = client_for(role)

    page = client.get(reverse("initiatives:initiative-create"))
    portfolio = client.get(reverse("initiatives:portfolio"))

    assert page.status_code == (200 if role in EDITORS else 403)
    assert ('href="/initiatives/new/"' in portfolio.text) == (role in EDITORS)


@pytest.mark.parametrize("role", ROLES)
def test_the_edit_page_is_for_the_cmio_and_the_lead(
    client_for: Callable[[str], Client], world: World, role: str
) -> None:
    response = client_for(role).get(
        reverse("initiatives:initiative-edit", args=[world.initiative.pk])
    )

    assert response.status_code == (200 if role in EDITORS else 403)


def test_an_informaticist_who_does_not_lead_it_may_not_open_its_edit_page(
    make_user: Callable[..., User], world: World
) -> None:
    client = Client()
    client.force_login(make_user(Role.INFORMATICIST))

    response = client.get(reverse("initiatives:initiative-edit", args=[world.initiative.pk]))

    assert response.status_code == 403


# --- Writing ------------------------------------------------------------------------------------


def _create(world: World) -> tuple[str, dict[str, Any]]:
    return reverse("initiatives:initiative-create"), {
        "title": "Inbox triage",
        "type": "inbox",
        "summary": "Route normal results away from the physician inbox.",
        f"alignment_{world.priority.pk}": "moderate",
        "requests": str(world.request.pk),
    }


def _edit(world: World) -> tuple[str, dict[str, Any]]:
    return reverse("initiatives:initiative-edit", args=[world.initiative.pk]), {
        "version": world.initiative.version,
        "title": "Sepsis alert, tuned",
        "type": world.initiative.type,
        "summary": "Quieter after surgery.",
        f"alignment_{world.priority.pk}": "strong",
    }


def _status(world: World) -> tuple[str, dict[str, Any]]:
    return reverse("initiatives:initiative-status-update", args=[world.initiative.pk]), {
        "schedule": "on_track",
        "scope": "on_track",
        "budget": "at_risk",
        "adoption": "on_track",
        "narrative": "Build under way.",
    }


def _milestone_add(world: World) -> tuple[str, dict[str, Any]]:
    return reverse("initiatives:initiative-milestone-add", args=[world.initiative.pk]), {
        "title": "Pilot on 4 West",
        "due_date": "2026-08-01",
    }


def _milestone_done(world: World) -> tuple[str, dict[str, Any]]:
    return (
        reverse(
            "initiatives:initiative-milestone-done",
            args=[world.initiative.pk, world.milestone.pk],
        ),
        {},
    )


def _benefit_add(world: World) -> tuple[str, dict[str, Any]]:
    return reverse("initiatives:initiative-benefit-add", args=[world.initiative.pk]), {
        "value_category": ValueCategory.SAFETY_QUALITY,
        "description": "Alert overrides",
        "unit": "%",
        "baseline": "92",
        "target": "60",
        "horizon": "2027-06-30",
    }


def _benefit_edit(world: World) -> tuple[str, dict[str, Any]]:
    return reverse(
        "initiatives:initiative-benefit-edit", args=[world.initiative.pk, world.benefit.pk]
    ), {
        "value_category": ValueCategory.ENGAGEMENT,
        "description": "After-hours EHR time",
        "unit": "min/day",
        "baseline": "86",
        "target": "55",
        "horizon": "2027-06-30",
    }


def _link(world: World) -> tuple[str, dict[str, Any]]:
    return reverse("initiatives:initiative-link-requests", args=[world.initiative.pk]), {
        "requests": str(world.request.pk)
    }


EDITOR_WRITES = {
    "create": _create,
    "edit": _edit,
    "status update": _status,
    "milestone add": _milestone_add,
    "milestone done": _milestone_done,
    "benefit add": _benefit_add,
    "benefit edit": _benefit_edit,
    "link requests": _link,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(EDITOR_WRITES))
def test_only_the_cmio_and_the_lead_write_an_initiative_and_a_refusal_changes_nothing(
    client_for: Callable[[str], Client], world: World, role: str, action: str
) -> None:
    url, data = EDITOR_WRITES[action](world)
    before = snapshot(*TABLES)

    response = client_for(role).post(url, data)

    if role in EDITORS:
        assert response.status_code == 302, response.content[:2000]
        assert snapshot(*TABLES) != before
    else:
        assert response.status_code == 403
        assert snapshot(*TABLES) == before


@pytest.mark.parametrize("action", [action for action in EDITOR_WRITES if action != "create"])
def test_an_informaticist_who_does_not_lead_it_is_refused_and_nothing_changes(
    make_user: Callable[..., User], world: World, action: str
) -> None:
    client = Client()
    client.force_login(make_user(Role.INFORMATICIST))
    url, data = EDITOR_WRITES[action](world)
    before = snapshot(*TABLES)

    response = client.post(url, data)

    assert response.status_code == 403
    assert snapshot(*TABLES) == before


@pytest.mark.parametrize("role", ROLES)
def test_no_one_approves_through_the_stage_form_and_nothing_changes(
    client_for: Callable[[str], Client], world: World, role: str
) -> None:
    """Approving is a governance decision (the decision form, tested with governance): the
    CMO, who passes the gate, is sent back to the page; everyone else is refused."""
    url = reverse("initiatives:initiative-stage", args=[world.initiative.pk])
    before = snapshot(*TABLES)

    response = client_for(role).post(
        url, {"version": world.initiative.version, "to_stage": "approved", "reason": "Go."}
    )

    expected = 302 if role in GATEKEEPERS else 403
    assert response.status_code == expected
    assert snapshot(*TABLES) == before


@pytest.mark.parametrize("role", ROLES)
def test_no_one_stops_through_the_stage_form_and_nothing_changes(
    client_for: Callable[[str], Client], approved: World, role: str
) -> None:
    url = reverse("initiatives:initiative-stage", args=[approved.initiative.pk])
    before = snapshot(*TABLES)

    response = client_for(role).post(
        url,
        {"version": approved.initiative.version, "to_stage": "stopped", "reason": "No value."},
    )

    expected = 302 if role in GATEKEEPERS else 403
    assert response.status_code == expected
    assert snapshot(*TABLES) == before


@pytest.mark.parametrize("initial", ["proposed", "approved"])
@pytest.mark.parametrize("role", ROLES)
def test_no_one_defers_through_the_stage_form_and_nothing_changes(
    client_for: Callable[[str], Client], users: dict[str, User], role: str, initial: str
) -> None:
    """Deferring is a governance decision too: the lead and the CMIO, who edit the
    initiative, are refused the move; the CMO is sent back to the page."""
    world = World(users, stage=initial)
    url = reverse("initiatives:initiative-stage", args=[world.initiative.pk])
    before = snapshot(*TABLES)

    response = client_for(role).post(
        url,
        {
            "version": world.initiative.version,
            "to_stage": "deferred",
            "reason": "After the upgrade.",
            "revisit_date": "2099-01-01",
        },
    )

    expected = 302 if role in GATEKEEPERS else 403
    assert response.status_code == expected
    assert snapshot(*TABLES) == before
    world.initiative.refresh_from_db()
    assert world.initiative.stage == initial


@pytest.mark.parametrize("role", ROLES)
def test_only_the_cmio_and_the_lead_move_it_into_build_and_a_refusal_changes_nothing(
    client_for: Callable[[str], Client], approved: World, role: str
) -> None:
    url = reverse("initiatives:initiative-stage", args=[approved.initiative.pk])
    before = snapshot(*TABLES)

    response = client_for(role).post(
        url, {"version": approved.initiative.version, "to_stage": "in_build"}
    )

    if role in EDITORS:
        assert response.status_code == 302
        approved.initiative.refresh_from_db()
        assert approved.initiative.stage == Stage.IN_BUILD
    else:
        assert response.status_code == 403
        assert snapshot(*TABLES) == before


@pytest.mark.parametrize("role", ROLES)
def test_the_benefit_edit_page_is_for_the_cmio_and_the_lead(
    client_for: Callable[[str], Client], world: World, role: str
) -> None:
    url, _ = _benefit_edit(world)

    response = client_for(role).get(url)

    assert response.status_code == (200 if role in EDITORS else 403)


@pytest.mark.parametrize("method", ["put", "delete"])
def test_the_pages_answer_405_to_other_methods(
    client_for: Callable[[str], Client], world: World, method: str
) -> None:
    before = snapshot(*TABLES)

    response = getattr(client_for("cmio"), method)(
        reverse("initiatives:initiative-detail", args=[world.initiative.pk])
    )

    assert response.status_code == 405
    assert snapshot(*TABLES) == before
