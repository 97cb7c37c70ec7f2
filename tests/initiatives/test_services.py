"""The portfolio services: the one stage table and its reasons, the forecast locked at
approval with edits shown as variance, optimistic locking, the audit of every change (the
stage action included), field-named validation and the PHI guard."""

import datetime
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from informatics.choices import AuditAction, ValueCategory
from informatics.exceptions import StaleEdit
from informatics.models import AuditEvent, PhiConfirmation, StrategicPriority, User
from informatics.phi import PhiFlagged
from informatics.selectors import audit_history
from initiatives import health, selectors, services
from initiatives.choices import GATE_STAGES, STAGE_TRANSITIONS, Alignment, Health, Stage
from initiatives.models import (
    BenefitLine,
    Initiative,
    InitiativePriority,
    LinkedRequest,
    Milestone,
    StageChange,
    StatusUpdate,
)
from tests.conftest import snapshot
from tests.factories import FacilityFactory, PriorityFactory
from tests.initiatives.factories import (
    InitiativeFactory,
    create_initiative,
    initiative_of,
    request_in,
)

G = Stage
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]
TODAY = datetime.date(2026, 3, 2)
EDGES = [(a, b) for a, steps in STAGE_TRANSITIONS.items() for b in steps]
NON_EDGES = [(a, b) for a in G.values for b in G.values if b not in STAGE_TRANSITIONS[a]]
# What each move needs besides the stage.
NEEDS: dict[str, dict[str, Any]] = {
    G.DEFERRED: {"reason": "Later.", "revisit_date": datetime.date(2026, 9, 1)},
    G.STOPPED: {"reason": "No longer needed."},
    G.ON_HOLD: {"reason": "Waiting for the vendor."},
}


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cmio(users: dict[str, User]) -> User:
    return users["cmio"]


@pytest.fixture
def cmo(users: dict[str, User]) -> User:
    return users["cmo"]


def in_stage(stage: str, **fields: Any) -> Initiative:
    if stage == G.DEFERRED:
        fields.setdefault("revisit_date", datetime.date(2026, 9, 1))
    initiative: Initiative = InitiativeFactory.create(stage=stage, **fields)
    return initiative


# The initiatives with their people, facilities, priorities and requests, the stage changes,
# the audit trail and the benefit lines (compared whole with `snapshot`).
TABLES = (
    Initiative,
    Initiative.champions.through,
    Initiative.facilities.through,
    InitiativePriority,
    LinkedRequest,
    StageChange,
    AuditEvent,
    BenefitLine,
)


def advance(actor: User, initiative: Initiative, to_stage: str, **fields: Any) -> Initiative:
    """Move it as `actor`; a gate move (approve, defer, stop) as the decision service takes it, with
    `via="governance"` (the decision tests record the decisions themselves)."""
    initiative.refresh_from_db()
    if to_stage in GATE_STAGES:
        fields.setdefault("via", "governance")
    return services.initiative_advance(
        actor=actor, initiative=initiative, version=initiative.version, to_stage=to_stage, **fields
    )


# --- The stage table ------------------------------------------------------------------------


def actor_for(users: dict[str, User], to_stage: str) -> User:
    """The CMO at a gate (approve, defer, stop), else the CMIO."""
    return users["cmo"] if to_stage in GATE_STAGES else users["cmio"]


@pytest.mark.parametrize(("from_stage", "to_stage"), EDGES)
def test_every_move_of_the_table_is_accepted_and_timed(
    users: dict[str, User], from_stage: str, to_stage: str
) -> None:
    initiative = in_stage(from_stage)

    advance(actor_for(users, to_stage), initiative, to_stage, **NEEDS.get(to_stage, {}))

    initiative.refresh_from_db()
    assert (initiative.stage, initiative.stage_changed_at, initiative.version) == (
        to_stage,
        NOW,
        2,
    )
    change = StageChange.objects.get(initiative=initiative)
    assert (change.from_stage, change.to_stage, change.at) == (from_stage, to_stage, NOW)


@pytest.mark.parametrize(("from_stage", "to_stage"), NON_EDGES)
def test_a_move_outside_the_table_is_refused_and_changes_nothing(
    users: dict[str, User], from_stage: str, to_stage: str
) -> None:
    initiative = in_stage(from_stage)
    before = snapshot(*TABLES)
    actor = actor_for(users, to_stage)

    with pytest.raises(ValidationError) as raised:
        advance(actor, initiative, to_stage, **NEEDS.get(to_stage, {}))

    assert list(raised.value.message_dict) == ["to_stage"]
    assert raised.value.message_dict["to_stage"][0].startswith(
        f"Cannot move an initiative from {G(from_stage).label} to {G(to_stage).label}: "
    )
    assert snapshot(*TABLES) == before


def test_the_refusal_names_the_allowed_next_stages(cmio: User) -> None:
    initiative = in_stage(G.IN_BUILD)

    with pytest.raises(ValidationError) as raised:
        advance(cmio, initiative, G.CLOSED)

    assert raised.value.message_dict == {
        "to_stage": [
            "Cannot move an initiative from In build to Closed: allowed next stages are Pilot, "
            "Live, On hold, Stopped."
        ]
    }


def test_a_closed_initiative_takes_no_more_steps(cmio: User) -> None:
    initiative = in_stage(G.CLOSED)

    with pytest.raises(ValidationError) as raised:
        advance(cmio, initiative, G.LIVE)

    assert raised.value.message_dict == {
        "to_stage": [
            "Cannot move an initiative from Closed to Live: it is Closed and takes no more steps."
        ]
    }


def test_an_unknown_stage_is_named(cmio: User) -> None:
    with pytest.raises(ValidationError) as raised:
        advance(cmio, in_stage(G.PROPOSED), "launched")

    assert raised.value.message_dict == {"to_stage": ["'launched' is not a stage."]}


@pytest.mark.parametrize(
    ("to_stage", "fields", "errors"),
    [
        (
            G.DEFERRED,
            {},
            {
                "reason": ["Say why the initiative is deferred."],
                "revisit_date": ["Give the date to revisit it."],
            },
        ),
        (
            G.DEFERRED,
            {"reason": "After the upgrade."},
            {"revisit_date": ["Give the date to revisit it."]},
        ),
        (
            G.DEFERRED,
            {"reason": "After the upgrade.", "revisit_date": TODAY},
            {"revisit_date": ["Give a revisit date after today."]},
        ),
        (
            G.DEFERRED,
            {"reason": "  ", "revisit_date": datetime.date(2026, 9, 1)},
            {"reason": ["Say why the initiative is deferred."]},
        ),
        (G.STOPPED, {}, {"reason": ["Say why the initiative is stopped."]}),
        (
            G.APPROVED,
            {"revisit_date": datetime.date(2026, 9, 1)},
            {"revisit_date": ["Only a deferral takes a revisit date."]},
        ),
        (
            G.APPROVED,
            {"go_live_date": TODAY},
            {"go_live_date": ["Only a move to Live records a go-live date."]},
        ),
    ],
)
def test_deferred_and_stopped_need_their_reasons(
    users: dict[str, User], to_stage: str, fields: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    initiative = in_stage(G.PROPOSED)
    before = snapshot(*TABLES)

    with pytest.raises(ValidationError) as raised:
        advance(actor_for(users, to_stage), initiative, to_stage, **fields)

    assert raised.value.message_dict == errors
    assert snapshot(*TABLES) == before


def test_on_hold_needs_a_reason(cmio: User) -> None:
    initiative = in_stage(G.IN_BUILD)

    with pytest.raises(ValidationError) as raised:
        advance(cmio, initiative, G.ON_HOLD)

    assert raised.value.message_dict == {"reason": ["Say why the initiative is on hold."]}


def test_deferral_keeps_reason_and_revisit_date_and_leaving_it_clears_the_date(
    cmio: User,
) -> None:
    initiative = in_stage(G.PROPOSED)

    advance(
        cmio,
        initiative,
        G.DEFERRED,
        reason=" After the upgrade. ",
        revisit_date=datetime.date(2026, 9, 1),
    )
    assert (initiative.stage_reason, initiative.revisit_date) == (
        "After the upgrade.",
        datetime.date(2026, 9, 1),
    )
    advance(cmio, initiative, G.PROPOSED)

    assert (initiative.stage, initiative.stage_reason, initiative.revisit_date) == (
        G.PROPOSED,
        "After the upgrade.",
        None,
    )


def test_a_gate_records_who_decided_and_why(cmo: User) -> None:
    initiative = in_stage(G.PROPOSED)

    advance(cmo, initiative, G.APPROVED, reason="Serves the burden priority.")

    change = StageChange.objects.get(initiative=initiative)
    assert (change.actor, change.reason, change.from_stage, change.to_stage) == (
        cmo,
        "Serves the burden priority.",
        G.PROPOSED,
        G.APPROVED,
    )


# --- The forecast lock ----------------------------------------------------------------------


def add_benefit(actor: User, initiative: Initiative, **fields: Any) -> BenefitLine:
    values: dict[str, Any] = {
        "value_category": ValueCategory.ENGAGEMENT,
        "description": "Less after-hours EHR time",
        "unit": "min/day",
        "baseline": Decimal("86"),
        "target": Decimal("60"),
        "horizon": datetime.date(2027, 6, 30),
        **fields,
    }
    return services.benefit_add(actor=actor, initiative=initiative, **values)


def test_approval_locks_the_forecast_and_a_later_edit_shows_as_variance(
    cmio: User, cmo: User
) -> None:
    initiative = create_initiative(cmio)
    time = add_benefit(cmio, initiative)
    money = add_benefit(
        cmio,
        initiative,
        value_category=ValueCategory.FINANCIAL,
        description="Denied claims avoided",
        unit="USD/yr",
        baseline=Decimal("0"),
        target=Decimal("250000"),
    )
    assert (time.locked_target, time.locked_at) == (None, None)

    advance(cmo, initiative, G.APPROVED)

    initiative.refresh_from_db()
    assert initiative.forecast_locked_at == NOW
    time.refresh_from_db()
    money.refresh_from_db()
    assert (time.locked_baseline, time.locked_target, time.locked_horizon, time.locked_at) == (
        Decimal("86.00"),
        Decimal("60.00"),
        datetime.date(2027, 6, 30),
        NOW,
    )
    assert (money.locked_baseline, money.locked_target) == (Decimal("0.00"), Decimal("250000.00"))

    services.benefit_update(
        actor=cmio, benefit=time, target=Decimal("70"), horizon=datetime.date(2027, 12, 31)
    )

    time.refresh_from_db()
    assert (time.target, time.locked_target) == (Decimal("70.00"), Decimal("60.00"))
    assert (time.horizon, time.locked_horizon) == (
        datetime.date(2027, 12, 31),
        datetime.date(2027, 6, 30),
    )
    shown = {b.pk: b for b in selectors.initiative_detail(pk=initiative.pk).benefits.all()}
    assert shown[time.pk].variance == selectors.BenefitVariance(  # type: ignore[attr-defined]
        baseline=Decimal("0.00"), target=Decimal("10.00"), horizon_days=184
    )
    assert shown[money.pk].variance.changed is False  # type: ignore[attr-defined]
    # The history shows the edit, and the lock, as they happened.
    edit = audit_history(instance=time).first()
    assert edit is not None
    assert (edit.actor, edit.changes) == (
        cmio,
        {"target": ["60.00", "70.00"], "horizon": ["2027-06-30", "2027-12-31"]},
    )


def test_the_locked_forecast_cannot_be_edited(cmio: User, cmo: User) -> None:
    initiative = create_initiative(cmio)
    line = add_benefit(cmio, initiative)
    advance(cmo, initiative, G.APPROVED)
    line.refresh_from_db()
    before = list(BenefitLine.objects.values())

    with pytest.raises(ValidationError) as raised:
        services.benefit_update(actor=cmio, benefit=line, locked_target=Decimal("40"))

    assert raised.value.message_dict == {
        "locked_target": ["The locked forecast never changes; edit the current value instead."]
    }
    assert list(BenefitLine.objects.values()) == before


def test_a_line_added_after_approval_is_locked_as_added(cmio: User, cmo: User) -> None:
    initiative = create_initiative(cmio)
    advance(cmo, initiative, G.APPROVED)

    later = add_benefit(cmio, initiative, target=Decimal("50"))

    assert (later.locked_target, later.locked_at) == (Decimal("50.00"), NOW)
    created = audit_history(instance=later).get()
    assert created.note == "added after approval: locked as added"
    assert created.changes["locked_target"] == [None, "50.00"]


def test_approval_after_a_hold_keeps_the_first_lock(cmio: User, cmo: User) -> None:
    initiative = create_initiative(cmio)
    line = add_benefit(cmio, initiative)
    advance(cmo, initiative, G.APPROVED)
    services.benefit_update(actor=cmio, benefit=line, target=Decimal("55"))
    advance(cmio, initiative, G.ON_HOLD, reason="Vendor delay.")

    with time_machine.travel(NOW + datetime.timedelta(days=10), tick=False):
        advance(cmo, initiative, G.APPROVED)

    initiative.refresh_from_db()
    line.refresh_from_db()
    assert (initiative.forecast_locked_at, line.locked_at, line.locked_target) == (
        NOW,
        NOW,
        Decimal("60.00"),
    )


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"value_category": "happiness"},
            {"value_category": ["Value 'happiness' is not a valid choice."]},
        ),
        ({"description": " "}, {"description": ["This field cannot be blank."]}),
        ({"baseline": "lots"}, {"baseline": ["“lots” value must be a decimal number."]}),
        (
            {"target": Decimal("1.234")},
            {"target": ["Ensure that there are no more than 2 decimal places."]},
        ),
        (
            {"horizon": "2027"},
            {
                "horizon": [
                    "“2027” value has an invalid date format. It must be in YYYY-MM-DD format."
                ]
            },
        ),
    ],
)
def test_benefit_input_is_checked_field_by_field(
    cmio: User, fields: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    initiative = create_initiative(cmio)

    with pytest.raises(ValidationError) as raised:
        add_benefit(cmio, initiative, **fields)

    assert raised.value.message_dict == errors
    assert BenefitLine.objects.count() == 0


def test_a_benefit_given_as_text_is_stored_and_audited_as_the_model_converts_it(
    cmio: User,
) -> None:
    initiative = create_initiative(cmio)

    line = add_benefit(cmio, initiative, baseline="86", target="60.5", horizon="2027-06-30")

    assert (line.baseline, line.target, line.horizon) == (
        Decimal("86.00"),
        Decimal("60.50"),
        datetime.date(2027, 6, 30),
    )
    changes = audit_history(instance=line).get().changes
    assert (changes["baseline"], changes["target"], changes["horizon"]) == (
        [None, "86.00"],
        [None, "60.50"],
        [None, "2027-06-30"],
    )


# --- Optimistic locking ---------------------------------------------------------------------


def test_a_second_edit_from_the_old_version_is_refused_and_the_first_survives(
    cmio: User, users: dict[str, User]
) -> None:
    initiative = create_initiative(cmio)
    first = Initiative.objects.get(pk=initiative.pk)
    second = Initiative.objects.get(pk=initiative.pk)

    services.initiative_update(actor=cmio, initiative=first, version=1, title="Order sets, phase 1")
    with pytest.raises(StaleEdit) as raised:
        services.initiative_update(
            actor=users["cmio"], initiative=second, version=1, summary="Something else."
        )

    assert raised.value.current.version == 2
    assert str(raised.value) == (
        "Order sets, phase 1 was changed by someone else (version 2, you edited version 1). "
        "Reload and apply your change again."
    )
    initiative.refresh_from_db()
    assert (initiative.title, initiative.summary, initiative.version) == (
        "Order sets, phase 1",
        "Remove unused orders from the admission order sets.",
        2,
    )


def test_a_stage_move_from_an_old_version_is_refused(cmio: User) -> None:
    initiative = create_initiative(cmio)
    services.initiative_update(actor=cmio, initiative=initiative, version=1, title="Renamed")
    before = snapshot(*TABLES)

    with pytest.raises(StaleEdit):
        services.initiative_advance(
            actor=cmio,
            initiative=initiative,
            version=1,
            to_stage=G.DEFERRED,
            reason="Later.",
            revisit_date=datetime.date(2026, 9, 1),
            via="governance",
        )

    assert snapshot(*TABLES) == before
    assert initiative.title == "Renamed"


def test_an_edit_of_people_or_priorities_only_moves_the_version_on(cmio: User) -> None:
    initiative = create_initiative(cmio)
    priority = PriorityFactory.create()

    services.initiative_update(
        actor=cmio, initiative=initiative, version=1, priorities={priority: Alignment.WEAK}
    )

    assert initiative.version == 2
    with pytest.raises(StaleEdit):
        services.initiative_update(actor=cmio, initiative=initiative, version=1, priorities={})


# --- History --------------------------------------------------------------------------------


def test_history_shows_who_changed_which_field_and_when_including_stage_moves(
    cmio: User, cmo: User
) -> None:
    initiative = create_initiative(cmio, effort_hours=120)
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        services.initiative_update(
            actor=cmio, initiative=initiative, version=1, effort_hours=160, title="Order sets"
        )
    with time_machine.travel(NOW + datetime.timedelta(hours=2), tick=False):
        advance(cmo, initiative, G.APPROVED, reason="Fits the burden priority.")
    with time_machine.travel(NOW + datetime.timedelta(hours=3), tick=False):
        advance(cmio, initiative, G.IN_BUILD)
        advance(cmio, initiative, G.LIVE)
    with time_machine.travel(NOW + datetime.timedelta(hours=4), tick=False):
        advance(cmo, initiative, G.STOPPED, reason="Replaced by the vendor's content.")

    history = [
        (event.at, event.actor, event.action, event.changes, event.note)
        for event in audit_history(instance=initiative).order_by("at", "id")
    ]
    at = [NOW + datetime.timedelta(hours=h) for h in range(5)]
    assert history[0][:3] == (at[0], cmio, AuditAction.CREATE)
    assert history[0][3]["stage"] == [None, "proposed"]
    assert history[0][3]["effort_hours"] == [None, 120]
    assert history[1:] == [
        (
            at[1],
            cmio,
            AuditAction.UPDATE,
            {"title": ["Admission order set clean-up", "Order sets"], "effort_hours": [120, 160]},
            "",
        ),
        (
            at[2],
            cmo,
            AuditAction.UPDATE,
            {
                "stage": ["proposed", "approved"],
                "stage_changed_at": [str(at[0]), str(at[2])],
                "forecast_locked_at": [None, str(at[2])],
            },
            "Proposed → Approved",
        ),
        (
            at[3],
            cmio,
            AuditAction.UPDATE,
            {"stage": ["approved", "in_build"], "stage_changed_at": [str(at[2]), str(at[3])]},
            "Approved → In build",
        ),
        (
            at[3],
            cmio,
            AuditAction.UPDATE,
            {"stage": ["in_build", "live"], "go_live_date": [None, "2026-03-02"]},
            "In build → Live",
        ),
        (
            at[4],
            cmo,
            AuditAction.UPDATE,
            {
                "stage": ["live", "stopped"],
                "stage_changed_at": [str(at[3]), str(at[4])],
                "stage_reason": ["", "Replaced by the vendor's content."],
            },
            "Live → Stopped",
        ),
    ]


def test_a_deferral_is_audited_with_its_reason_and_revisit_date(cmio: User) -> None:
    initiative = create_initiative(cmio)  # at NOW, deferred at NOW: stage_changed_at stays

    advance(
        cmio,
        initiative,
        G.DEFERRED,
        reason="After the upgrade.",
        revisit_date=datetime.date(2026, 9, 1),
    )

    event = audit_history(instance=initiative).first()
    assert event is not None
    assert (event.actor, event.changes) == (
        cmio,
        {
            "stage": ["proposed", "deferred"],
            "stage_reason": ["", "After the upgrade."],
            "revisit_date": [None, "2026-09-01"],
        },
    )


def test_people_facilities_and_priorities_are_audited_by_name(
    cmio: User, make_user: Callable[..., User]
) -> None:
    burden = PriorityFactory.create(title="Reduce clinician burden")
    safety = PriorityFactory.create(title="Safer medication use")
    north = FacilityFactory.create(name="North Hospital")
    champion = make_user("champion", full_name="Dr Ames")
    initiative = create_initiative(cmio, priorities={burden: Alignment.STRONG})

    services.initiative_update(
        actor=cmio,
        initiative=initiative,
        version=1,
        priorities={burden: Alignment.MODERATE, safety: Alignment.WEAK},
        facilities=[north],
        champions=[champion],
    )

    event = audit_history(instance=initiative).first()
    assert event is not None
    assert event.changes == {
        "champions": [[], ["Dr Ames"]],
        "facilities": [[], ["North Hospital"]],
        "priorities": [
            ["Reduce clinician burden (strong)"],
            ["Reduce clinician burden (moderate)", "Safer medication use (weak)"],
        ],
    }
    assert sorted(
        InitiativePriority.objects.filter(initiative=initiative).values_list(
            "priority__title", "alignment"
        )
    ) == [("Reduce clinician burden", "moderate"), ("Safer medication use", "weak")]


# --- Input checks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"title": " "}, {"title": ["This field cannot be blank."]}),
        (
            {"title": "x" * 201},
            {"title": ["Ensure this value has at most 200 characters (it has 201)."]},
        ),
        ({"type": "moonshot"}, {"type": ["Value 'moonshot' is not a valid choice."]}),
        ({"summary": ""}, {"summary": ["This field cannot be blank."]}),
        (
            {"effort_hours": -1},
            {"effort_hours": ["Ensure this value is greater than or equal to 0."]},
        ),
        (
            {"cost_estimate": Decimal("-5")},
            {"cost_estimate": ["Give the cost as an amount of 0 or more, in cents at most."]},
        ),
        (
            {"cost_estimate": Decimal("10.005")},
            {"cost_estimate": ["Ensure that there are no more than 2 decimal places."]},
        ),
        (
            {"start_date": datetime.date(2026, 6, 1), "target_date": datetime.date(2026, 5, 1)},
            {"target_date": ["The target date cannot be before the start date."]},
        ),
    ],
)
def test_initiative_input_is_checked_field_by_field(
    cmio: User, fields: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    with pytest.raises(ValidationError) as raised:
        create_initiative(cmio, **fields)

    assert raised.value.message_dict == errors
    assert (Initiative.objects.count(), AuditEvent.objects.count()) == (0, 0)


def test_people_must_hold_the_role_they_fill(
    cmio: User, users: dict[str, User], make_user: Callable[..., User]
) -> None:
    retired = make_user("champion", is_active=False)
    retired_priority = PriorityFactory.create(is_active=False)

    with pytest.raises(ValidationError) as raised:
        create_initiative(
            cmio,
            cmio_owner=users["informaticist"],
            informaticist_lead=users["champion"],
            executive_sponsor=retired,
            priorities={retired_priority: Alignment.STRONG},
        )

    assert raised.value.message_dict == {
        "cmio_owner": ["Choose an active person who holds the CMIO role."],
        "informaticist_lead": ["Choose an active informaticist (or the CMIO) to lead it."],
        "executive_sponsor": ["Choose an active person as executive sponsor."],
        "priorities": ["Align the initiative to active strategic priorities only."],
    }


def test_an_unknown_alignment_is_refused(cmio: User) -> None:
    with pytest.raises(ValidationError) as raised:
        create_initiative(cmio, priorities={PriorityFactory.create(): "total"})

    assert raised.value.message_dict == {
        "priorities": ["Give each priority's alignment: strong, moderate or weak."]
    }


def test_a_retired_priority_already_aligned_survives_an_edit(cmio: User, cmo: User) -> None:
    priority = PriorityFactory.create()
    initiative = create_initiative(cmio, priorities={priority: Alignment.STRONG})
    StrategicPriority.objects.filter(pk=priority.pk).update(is_active=False)
    priority.refresh_from_db()

    services.initiative_update(
        actor=cmio, initiative=initiative, version=1, priorities={priority: Alignment.WEAK}
    )

    assert InitiativePriority.objects.get(initiative=initiative).alignment == Alignment.WEAK


def test_the_stage_and_unknown_fields_are_not_edited_here(cmio: User) -> None:
    initiative = create_initiative(cmio)

    with pytest.raises(ValidationError) as raised:
        services.initiative_update(actor=cmio, initiative=initiative, version=1, stage="live")
    assert raised.value.message_dict == {"stage": ["Move the stage with the stage action."]}
    with pytest.raises(ValidationError) as raised:
        services.initiative_update(
            actor=cmio, initiative=initiative, version=1, forecast_locked_at=NOW
        )
    assert raised.value.message_dict == {
        "forecast_locked_at": ["This field cannot be edited here."]
    }


def test_requests_closed_or_linked_elsewhere_are_refused_by_number(cmio: User) -> None:
    from tests.initiatives.factories import IntakeRequestFactory

    other = create_initiative(cmio, title="Other")
    taken = request_in(other, status="scored")
    withdrawn = IntakeRequestFactory.create(status="withdrawn")
    initiative = create_initiative(cmio)

    with pytest.raises(ValidationError) as raised:
        services.initiative_link_requests(
            actor=cmio, initiative=initiative, requests=[taken, withdrawn]
        )

    assert raised.value.message_dict == {
        "requests": [
            f"Cannot link: #{taken.pk} is linked to initiative #{other.pk}; "
            f"#{withdrawn.pk} is withdrawn."
        ]
    }
    taken.refresh_from_db()
    assert initiative_of(taken) == other


def test_unlinking_leaves_the_request_where_it_is(cmio: User) -> None:
    from tests.initiatives.factories import IntakeRequestFactory

    request = IntakeRequestFactory.create(status="scored")
    initiative = create_initiative(cmio, requests=[request])

    services.initiative_unlink_requests(actor=cmio, initiative=initiative, requests=[request])

    request.refresh_from_db()
    assert (initiative_of(request), request.status) == (None, "scored")
    assert audit_history(instance=initiative).first().changes == {  # type: ignore[union-attr]
        "requests": [[f"#{request.pk}"], []]
    }


# --- Milestones and status updates ----------------------------------------------------------


def test_milestones_are_added_redated_and_done(cmio: User, users: dict[str, User]) -> None:
    initiative = create_initiative(cmio, informaticist_lead=users["informaticist"])
    lead = users["informaticist"]

    milestone = services.milestone_add(
        actor=lead, initiative=initiative, title="Build in test", due_date=datetime.date(2026, 4, 1)
    )
    services.milestone_update(actor=lead, milestone=milestone, due_date=datetime.date(2026, 4, 15))
    services.milestone_done(actor=lead, milestone=milestone)

    milestone.refresh_from_db()
    assert (milestone.due_date, milestone.done_at, milestone.done_by) == (
        datetime.date(2026, 4, 15),
        NOW,
        lead,
    )
    assert [e.note for e in audit_history(instance=milestone)] == ["done", "", ""]
    with pytest.raises(ValidationError) as raised:
        services.milestone_done(actor=lead, milestone=milestone)
    assert raised.value.message_dict == {"done_at": ["This milestone is already done."]}


def test_a_milestone_needs_a_title_and_a_due_date(cmio: User) -> None:
    with pytest.raises(ValidationError) as raised:
        services.milestone_add(
            actor=cmio,
            initiative=create_initiative(cmio),
            title="",
            due_date="soon",  # type: ignore[arg-type]
        )

    assert raised.value.message_dict == {
        "title": ["This field cannot be blank."],
        "due_date": ["“soon” value has an invalid date format. It must be in YYYY-MM-DD format."],
    }
    assert Milestone.objects.count() == 0


def test_a_status_update_is_posted_and_audited(cmio: User) -> None:
    initiative = create_initiative(cmio)

    update = services.status_update_post(
        actor=cmio,
        initiative=initiative,
        schedule=Health.ON_TRACK,
        scope=Health.AT_RISK,
        budget=Health.ON_TRACK,
        adoption=Health.ON_TRACK,
        narrative=" Build half done. ",
        risks="Vendor patch late.",
    )

    assert (update.author, update.at, update.narrative) == (cmio, NOW, "Build half done.")
    assert health.initiative_health(initiative) == Health.AT_RISK
    assert audit_history(instance=update).get().changes["scope"] == [None, "at_risk"]


def test_a_status_update_checks_every_dimension_and_the_narrative(cmio: User) -> None:
    with pytest.raises(ValidationError) as raised:
        services.status_update_post(
            actor=cmio,
            initiative=create_initiative(cmio),
            schedule="green",
            scope=Health.ON_TRACK,
            budget="",
            adoption=Health.ON_TRACK,
            narrative=" ",
        )

    assert raised.value.message_dict == {
        "schedule": ["Value 'green' is not a valid choice."],
        "budget": ["This field cannot be blank."],
        "narrative": ["This field cannot be blank."],
    }
    assert StatusUpdate.objects.count() == 0


def test_patient_information_in_a_status_update_is_flagged_until_confirmed(cmio: User) -> None:
    initiative = create_initiative(cmio)
    fields: dict[str, Any] = {
        "actor": cmio,
        "initiative": initiative,
        "schedule": Health.ON_TRACK,
        "scope": Health.ON_TRACK,
        "budget": Health.ON_TRACK,
        "adoption": Health.ON_TRACK,
        "narrative": "Pilot went well.",
        "risks": "Call the pharmacist at 555-201-3344 about MRN 4412897.",
    }

    with pytest.raises(PhiFlagged) as raised:
        services.status_update_post(**fields)
    assert list(raised.value.message_dict) == ["risks"]
    assert StatusUpdate.objects.count() == 0

    update = services.status_update_post(**fields, phi_confirmed=True)
    confirmation = PhiConfirmation.objects.get()
    assert (confirmation.object_id, confirmation.field, confirmation.kinds) == (
        str(update.pk),
        "risks",
        ["mrn", "phone"],
    )


def test_patient_information_in_a_stop_reason_is_flagged(cmo: User) -> None:
    initiative = in_stage(G.PROPOSED)

    with pytest.raises(PhiFlagged) as raised:
        advance(cmo, initiative, G.STOPPED, reason="Patient DOB 03/04/1961 was harmed.")

    assert list(raised.value.message_dict) == ["reason"]
    initiative.refresh_from_db()
    assert initiative.stage == G.PROPOSED


def test_governance_may_move_it_on_the_callers_authority(users: dict[str, User]) -> None:
    initiative = in_stage(G.PROPOSED)

    advance(users["executive"], initiative, G.APPROVED, via="governance")

    assert initiative.stage == G.APPROVED
    with pytest.raises(ValidationError) as raised:
        advance(users["executive"], initiative, G.IN_BUILD, via="initiative")
    assert raised.value.message_dict == {
        "via": ["'initiative' is not a caller that moves initiatives."]
    }


# --- Gates are decisions --------------------------------------------------------------------

GATE_REFUSALS: dict[str, str] = {
    G.APPROVED: "Approval is a governance decision: record it on the decision form.",
    G.DEFERRED: "Deferral is a governance decision: record it on the decision form.",
    G.STOPPED: "Stopping is a governance decision: record it on the decision form.",
}
# What each gate move takes besides the reason.
GATE_FIELDS: dict[str, dict[str, Any]] = {
    G.APPROVED: {},
    G.DEFERRED: {"revisit_date": datetime.date(2026, 9, 1)},
    G.STOPPED: {},
}


@pytest.mark.parametrize("to_stage", [G.APPROVED, G.DEFERRED, G.STOPPED])
def test_the_cmo_cannot_take_a_gate_as_a_plain_move(cmio: User, cmo: User, to_stage: str) -> None:
    initiative = create_initiative(cmio)
    benefit = add_benefit(cmio, initiative)
    initiative.refresh_from_db()
    version = initiative.version
    changes, audits = StageChange.objects.count(), AuditEvent.objects.count()
    before = snapshot(*TABLES)

    with pytest.raises(ValidationError) as raised:
        services.initiative_advance(
            actor=cmo,
            initiative=initiative,
            version=version,
            to_stage=to_stage,
            reason="The board agreed.",
            **GATE_FIELDS[to_stage],
        )

    assert raised.value.message_dict == {"to_stage": [GATE_REFUSALS[to_stage]]}
    assert snapshot(*TABLES) == before
    initiative.refresh_from_db()
    benefit.refresh_from_db()
    assert (initiative.stage, initiative.version, initiative.forecast_locked_at) == (
        G.PROPOSED,
        version,
        None,
    )
    assert (benefit.locked_target, benefit.locked_at) == (None, None)
    assert (StageChange.objects.count(), AuditEvent.objects.count()) == (changes, audits)


@pytest.mark.parametrize("to_stage", [G.APPROVED, G.DEFERRED, G.STOPPED])
def test_a_gate_moves_when_the_decision_service_passes_governance(
    cmio: User, cmo: User, to_stage: str
) -> None:
    initiative = create_initiative(cmio)
    benefit = add_benefit(cmio, initiative)
    initiative.refresh_from_db()

    services.initiative_advance(
        actor=cmo,
        initiative=initiative,
        version=initiative.version,
        to_stage=to_stage,
        reason="The board agreed.",
        via="governance",
        **GATE_FIELDS[to_stage],
    )

    initiative.refresh_from_db()
    benefit.refresh_from_db()
    approved = to_stage == G.APPROVED
    assert (initiative.stage, initiative.forecast_locked_at, initiative.revisit_date) == (
        to_stage,
        NOW if approved else None,
        GATE_FIELDS[to_stage].get("revisit_date"),
    )
    assert benefit.locked_target == (Decimal("60.00") if approved else None)
    change = StageChange.objects.filter(initiative=initiative).latest("at", "pk")
    assert (change.actor, change.from_stage, change.to_stage, change.reason) == (
        cmo,
        G.PROPOSED,
        to_stage,
        "The board agreed.",
    )


def test_the_gate_predicate_still_names_the_cmo(cmo: User, cmio: User) -> None:
    # The page asks it: the CMO holds the gate, though the move itself is a decision.
    initiative = in_stage(G.PROPOSED)

    assert services.initiative_may_move(user=cmo, initiative=initiative, to_stage=G.APPROVED)
    assert not services.initiative_may_move(user=cmio, initiative=initiative, to_stage=G.STOPPED)
    assert services.initiative_may_move(user=cmo, initiative=initiative, to_stage=G.DEFERRED)
    assert not services.initiative_may_move(user=cmio, initiative=initiative, to_stage=G.DEFERRED)
