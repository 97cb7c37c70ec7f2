"""DESIGN.md's permission table for the portfolio, at the services: every role against every
portfolio write. Create and edit initiatives, milestones, status updates, benefit plans, linked
requests and the non-gate stage moves: the CMIO for all, an informaticist for those they lead.
Approve, defer and stop (the gates) are governance decisions: the gate predicate is the CMO's, yet
`initiative_advance` takes a gate move only from the decision service (`via="governance"`,
tested with governance), refusing it to the CMO too, on `to_stage`. Each refused call raises
ActionDenied (or, for the CMO at a gate, a ValidationError) and leaves everything as it was —
rows, fields, versions, the stage timeline, the audit log, the outbox."""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.utils import timezone

from informatics.choices import Role, ValueCategory
from informatics.models import AuditEvent, Notification, PhiConfirmation, User
from informatics.permissions import Action, ActionDenied
from initiatives import services
from initiatives.choices import Health, Stage
from initiatives.models import (
    BenefitLine,
    Initiative,
    InitiativePriority,
    Milestone,
    StageChange,
    StatusUpdate,
)
from intake.models import IntakeRequest, RequestStatusChange
from tests.factories import PriorityFactory
from tests.initiatives.factories import (
    BenefitLineFactory,
    InitiativeFactory,
    MilestoneFactory,
    request_in,
)
from tests.intake.factories import IntakeRequestFactory

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

ROLES = list(Role.values)


def state() -> tuple[Any, ...]:
    """Everything a portfolio service could change."""
    return (
        [
            {**model_to_dict(i), "updated_at": i.updated_at, "stage_changed_at": i.stage_changed_at}
            for i in Initiative.objects.order_by("pk")
        ],
        [
            list(model.objects.order_by("pk").values())
            for model in (InitiativePriority, BenefitLine, Milestone, StatusUpdate)
        ],
        list(
            IntakeRequest.objects.order_by("pk").values(
                "status", "initiative_link__initiative", "version"
            )
        ),
        StageChange.objects.count(),
        RequestStatusChange.objects.count(),
        AuditEvent.objects.count(),
        Notification.objects.count(),
        PhiConfirmation.objects.count(),
    )


@pytest.fixture
def world(users: dict[str, User], make_user: Callable[..., User]) -> dict[str, Any]:
    """Two approved initiatives: one led by users["informaticist"], one by someone else; each
    with a benefit line, a milestone and a linked request in build; and a scored request to
    link."""
    other_lead = make_user("informaticist", email="other-lead@riverside.example")
    result: dict[str, Any] = {"free": IntakeRequestFactory.create(status="scored")}
    for name, lead in (("led", users["informaticist"]), ("other", other_lead)):
        initiative = InitiativeFactory.create(
            stage=Stage.APPROVED, informaticist_lead=lead, cmio_owner=users["cmio"]
        )
        request_in(initiative, status="in_review")
        result[name] = initiative
        result[f"{name}_benefit"] = BenefitLineFactory.create(initiative=initiative)
        result[f"{name}_milestone"] = MilestoneFactory.create(initiative=initiative)
    result["proposed"] = {
        name: InitiativeFactory.create(informaticist_lead=result[name].informaticist_lead)
        for name in ("led", "other")
    }
    return result


def _advance(actor: User, initiative: Initiative, to_stage: str, **fields: Any) -> None:
    services.initiative_advance(
        actor=actor, initiative=initiative, version=initiative.version, to_stage=to_stage, **fields
    )


# Each edit-like action: (name, call(actor, world, which)).
EDIT_ACTIONS: dict[str, Callable[[User, dict[str, Any], str], Any]] = {
    "edit": lambda actor, w, which: services.initiative_update(
        actor=actor, initiative=w[which], version=w[which].version, title="Renamed"
    ),
    "edit priorities": lambda actor, w, which: services.initiative_update(
        actor=actor,
        initiative=w[which],
        version=w[which].version,
        priorities={PriorityFactory.create(): "strong"},
    ),
    "link requests": lambda actor, w, which: services.initiative_link_requests(
        actor=actor, initiative=w[which], requests=[w["free"]]
    ),
    "unlink requests": lambda actor, w, which: services.initiative_unlink_requests(
        actor=actor, initiative=w[which], requests=list(w[which].requests.all())
    ),
    "milestone add": lambda actor, w, which: services.milestone_add(
        actor=actor, initiative=w[which], title="Go-live", due_date=datetime.date(2026, 6, 1)
    ),
    "milestone update": lambda actor, w, which: services.milestone_update(
        actor=actor, milestone=w[f"{which}_milestone"], title="Renamed"
    ),
    "milestone done": lambda actor, w, which: services.milestone_done(
        actor=actor, milestone=w[f"{which}_milestone"]
    ),
    "status update": lambda actor, w, which: services.status_update_post(
        actor=actor,
        initiative=w[which],
        schedule=Health.ON_TRACK,
        scope=Health.ON_TRACK,
        budget=Health.AT_RISK,
        adoption=Health.ON_TRACK,
        narrative="Build on plan.",
    ),
    "benefit add": lambda actor, w, which: services.benefit_add(
        actor=actor,
        initiative=w[which],
        value_category=ValueCategory.FINANCIAL,
        description="Denials avoided",
        unit="USD",
        baseline=Decimal("0"),
        target=Decimal("1000"),
        horizon=datetime.date(2027, 1, 1),
    ),
    "benefit update": lambda actor, w, which: services.benefit_update(
        actor=actor, benefit=w[f"{which}_benefit"], target=Decimal("50")
    ),
    "advance to in build": lambda actor, w, which: _advance(actor, w[which], Stage.IN_BUILD),
    "put on hold": lambda actor, w, which: _advance(
        actor, w[which], Stage.ON_HOLD, reason="Vendor delay."
    ),
}
GATE_ACTIONS: dict[str, Callable[[User, dict[str, Any], str], Any]] = {
    "approve": lambda actor, w, which: _advance(actor, w["proposed"][which], Stage.APPROVED),
    # Deferral is a gate too: the informaticist who leads it and the CMIO, who may edit it, are
    # refused a plain move to deferred as well.
    "defer": lambda actor, w, which: _advance(
        actor,
        w[which],
        Stage.DEFERRED,
        reason="Later.",
        revisit_date=timezone.localdate() + datetime.timedelta(days=90),  # must be ahead
    ),
    "stop": lambda actor, w, which: _advance(actor, w[which], Stage.STOPPED, reason="Replaced."),
}


def attempt(allowed: bool, call: Callable[[], Any]) -> None:
    """Run `call`: it must succeed when allowed, and otherwise be refused changing nothing."""
    if allowed:
        call()
        return
    before = state()
    with pytest.raises(ActionDenied):
        call()
    assert state() == before


@pytest.mark.parametrize("which", ["led", "other"])
@pytest.mark.parametrize("action", list(EDIT_ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_edits_are_for_the_cmio_and_the_informaticist_who_leads_it(
    users: dict[str, User], world: dict[str, Any], role: str, action: str, which: str
) -> None:
    allowed = role == Role.CMIO or (role == Role.INFORMATICIST and which == "led")

    attempt(allowed, lambda: EDIT_ACTIONS[action](users[role], world, which))


GATE_REFUSALS = {
    "approve": "Approval is a governance decision: record it on the decision form.",
    "defer": "Deferral is a governance decision: record it on the decision form.",
    "stop": "Stopping is a governance decision: record it on the decision form.",
}


@pytest.mark.parametrize("which", ["led", "other"])
@pytest.mark.parametrize("action", list(GATE_ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_a_gate_is_no_plain_move_for_anyone_not_even_the_cmo(
    users: dict[str, User], world: dict[str, Any], role: str, action: str, which: str
) -> None:
    before = state()

    if role == Role.CMO:
        with pytest.raises(ValidationError) as raised:
            GATE_ACTIONS[action](users[role], world, which)
        assert raised.value.message_dict == {"to_stage": [GATE_REFUSALS[action]]}
    else:
        with pytest.raises(ActionDenied):
            GATE_ACTIONS[action](users[role], world, which)

    assert state() == before


@pytest.mark.parametrize("which", ["led", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_a_gate_stage_is_the_cmos_move_and_any_other_the_editors(
    users: dict[str, User], world: dict[str, Any], role: str, which: str
) -> None:
    # The one predicate the initiative's page and initiative_advance ask.
    user, initiative = users[role], world[which]
    editor = role == Role.CMIO or (role == Role.INFORMATICIST and which == "led")

    allowed = {
        stage: services.initiative_may_move(user=user, initiative=initiative, to_stage=stage)
        for stage in Stage.values
    }

    assert allowed == {
        stage: role == Role.CMO
        if stage in (Stage.APPROVED, Stage.DEFERRED, Stage.STOPPED)
        else editor
        for stage in Stage.values
    }


def test_only_approve_defer_and_stop_need_the_gate_whatever_else_is_sent() -> None:
    sent: list[object] = [*Stage.values, "flying", "", None, 5, {}, ["approved"]]

    needs = {repr(to_stage): services.stage_move_action(to_stage) for to_stage in sent}

    gate, edit = Action.INITIATIVE_GATE, Action.INITIATIVE_EDIT
    assert needs == {
        repr(to_stage): gate if to_stage in ("approved", "deferred", "stopped") else edit
        for to_stage in sent
    }


@pytest.mark.parametrize("role", ROLES)
def test_initiatives_are_created_by_the_cmio_and_informaticists(
    users: dict[str, User], role: str
) -> None:
    request = IntakeRequestFactory.create(status="scored")

    attempt(
        role in (Role.CMIO, Role.INFORMATICIST),
        lambda: services.initiative_create(
            actor=users[role],
            title="Order set clean-up",
            type="order_set",
            summary="Fewer unused orders.",
            priorities={PriorityFactory.create(): "strong"},
            requests=[request],
        ),
    )


def test_an_informaticist_creates_initiatives_they_lead(
    users: dict[str, User], make_user: Callable[..., User]
) -> None:
    informaticist = users["informaticist"]

    mine = services.initiative_create(
        actor=informaticist, title="Mine", type="cds", summary="Mine."
    )
    assert mine.informaticist_lead == informaticist

    attempt(
        False,
        lambda: services.initiative_create(
            actor=informaticist,
            title="Someone else's",
            type="cds",
            summary="Theirs.",
            informaticist_lead=make_user("informaticist"),
        ),
    )


def test_a_cmio_creating_one_names_any_lead_or_none(users: dict[str, User]) -> None:
    initiative = services.initiative_create(
        actor=users["cmio"], title="Unassigned", type="cds", summary="Later."
    )

    assert initiative.informaticist_lead is None
