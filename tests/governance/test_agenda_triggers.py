"""Each signal that puts an item on a proposed agenda: a case just past its threshold is
proposed with its reason, one just short of it is not."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from governance import services
from governance.choices import ActionStatus, AgendaKind, BodyKind
from governance.models import AgendaSettings, Review
from informatics.choices import Route
from informatics.models import User
from initiatives.choices import Health, Stage
from metrics.choices import Assurance, Variation
from tests.governance.agenda_world import action, body, review_of, rollup, routed_request, steering
from tests.initiatives.factories import InitiativeFactory, StatusUpdateFactory
from tests.metrics.factories import MetricFactory

NOW = datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]


def proposed(review: Review) -> list[tuple[str, str, str]]:
    return [(i.kind, i.title, i.reason) for i in services.agenda_propose(review=review)]


@pytest.fixture
def cds(users: dict[str, User]) -> Review:
    return review_of(body("cds", BodyKind.CDS, users["cmio"]), users["cmio"])


def test_a_request_scored_at_the_threshold_is_proposed_and_one_just_below_is_not(
    cds: Review,
) -> None:
    at = routed_request(Route.CDS_COMMITTEE, cds.body, "60.00", title="Sepsis alert")
    routed_request(Route.CDS_COMMITTEE, cds.body, "59.99", title="Below")
    assert proposed(cds) == [
        (
            AgendaKind.REQUEST,
            f"#{at.pk} Sepsis alert",
            "Scored 60.0 (threshold 60.0), routed to CDS committee, awaiting decision",
        )
    ]


def test_the_threshold_comes_from_the_agenda_settings(cds: Review) -> None:
    services.agenda_settings()
    AgendaSettings.objects.update(request_min_score=Decimal("72.5"))
    at = routed_request(Route.CDS_COMMITTEE, cds.body, "72.50", title="At")
    routed_request(Route.CDS_COMMITTEE, cds.body, "72.49", title="Below")
    assert proposed(cds) == [
        (
            AgendaKind.REQUEST,
            f"#{at.pk} At",
            "Scored 72.5 (threshold 72.5), routed to CDS committee, awaiting decision",
        )
    ]


def test_requests_not_awaiting_a_decision_or_routed_elsewhere_are_not_proposed(
    cds: Review, users: dict[str, User]
) -> None:
    routed_request(Route.CDS_COMMITTEE, cds.body, "90.00", status="decided")
    other = body("ai", BodyKind.AI, users["cmio"])
    routed_request(Route.AI_GOVERNANCE, other, "90.00")
    assert proposed(cds) == []


def test_a_fast_tracked_request_is_proposed_whatever_its_score(cds: Review) -> None:
    fast = routed_request(
        Route.FAST_TRACK, cds.body, "10.00", title="Wrong dose", status="in_review"
    )
    assert proposed(cds) == [
        (
            AgendaKind.REQUEST,
            f"#{fast.pk} Wrong dose",
            "Fast-tracked, scored 10.0, routed to Fast track, in review, awaiting decision",
        )
    ]


@pytest.fixture
def board(users: dict[str, User]) -> Review:
    return review_of(steering(users["cmo"]), users["cmo"])


def test_initiatives_waiting_at_a_gate_are_proposed_to_steering_and_approved_ones_not(
    board: Review,
) -> None:
    since = NOW - datetime.timedelta(days=3)
    InitiativeFactory.create(title="Proposed one", stage=Stage.PROPOSED, stage_changed_at=since)
    InitiativeFactory.create(title="On hold", stage=Stage.ON_HOLD, stage_changed_at=since)
    approved = InitiativeFactory.create(title="Approved", stage=Stage.APPROVED)
    StatusUpdateFactory.create(initiative=approved)
    assert proposed(board) == [
        (
            AgendaKind.GATE,
            "Proposed one",
            "Proposed since 2026-06-12, waiting at the approval gate",
        ),
        (
            AgendaKind.GATE,
            "On hold",
            "On hold since 2026-06-12, on hold, waiting at the gate (resume, defer or stop)",
        ),
    ]


def test_gates_are_not_proposed_to_other_bodies(cds: Review) -> None:
    InitiativeFactory.create(stage=Stage.PROPOSED)
    assert proposed(cds) == []


def test_an_off_track_initiative_is_proposed_and_an_at_risk_one_is_not(board: Review) -> None:
    red = InitiativeFactory.create(title="Red", stage=Stage.IN_BUILD)
    StatusUpdateFactory.create(initiative=red, budget=Health.OFF_TRACK)
    amber = InitiativeFactory.create(title="Amber", stage=Stage.IN_BUILD)
    StatusUpdateFactory.create(initiative=amber, budget=Health.AT_RISK)
    assert proposed(board) == [
        (AgendaKind.HEALTH, "Red", "Latest status update (2026-06-15) is off track")
    ]


def test_an_initiative_stale_one_day_past_the_limit_is_proposed_and_one_at_it_is_not(
    board: Review,
) -> None:
    stale = InitiativeFactory.create(title="Stale", stage=Stage.IN_BUILD)
    StatusUpdateFactory.create(initiative=stale, at=NOW - datetime.timedelta(days=31))
    fresh = InitiativeFactory.create(title="Fresh", stage=Stage.IN_BUILD)
    just_short = NOW - datetime.timedelta(days=30) + datetime.timedelta(minutes=1)
    StatusUpdateFactory.create(initiative=fresh, at=just_short)
    assert proposed(board) == [
        (AgendaKind.HEALTH, "Stale", "No status update for 31 days (stale after 30)")
    ]


def test_a_metric_turned_special_cause_concern_is_proposed_and_common_cause_is_not(
    board: Review,
) -> None:
    concern = MetricFactory.create(code="falls", name="Falls")
    rollup(
        concern,
        variation=Variation.CONCERN,
        latest_value=14.25,
        latest_period=datetime.date(2026, 5, 1),
    )
    rollup(MetricFactory.create(code="calm"), variation=Variation.COMMON_CAUSE, latest_value=3.0)
    assert proposed(board) == [
        (
            AgendaKind.METRIC,
            "falls Falls",
            "Latest point (period from 2026-05-01) is a special-cause concern: 14.25",
        )
    ]


def test_a_metric_that_will_fail_its_target_is_proposed_and_hit_and_miss_is_not(
    board: Review,
) -> None:
    failing = MetricFactory.create(code="los", name="Length of stay")
    rollup(failing, assurance=Assurance.FAIL, latest_value=5.5, target_value=4.0)
    rollup(MetricFactory.create(code="ok"), assurance=Assurance.HIT_AND_MISS, latest_value=4.1)
    assert proposed(board) == [
        (
            AgendaKind.METRIC,
            "los Length of stay",
            "Target 4.0 will consistently fail (latest 5.5)",
        )
    ]


def test_an_action_one_day_past_the_allowance_is_proposed_and_one_on_it_is_not(
    cds: Review, users: dict[str, User]
) -> None:
    services.agenda_settings()
    AgendaSettings.objects.update(action_overdue_days=7)
    owner = users["informaticist"]
    today = datetime.date(2026, 6, 15)
    action(cds.body, owner, today - datetime.timedelta(days=8), title="Late")
    action(cds.body, owner, today - datetime.timedelta(days=7), title="On the line")
    action(
        cds.body, owner, today - datetime.timedelta(days=30), title="Done", status=ActionStatus.DONE
    )
    assert proposed(cds) == [
        (
            AgendaKind.ACTION,
            "Late",
            f"Due 2026-06-07, 8 days overdue (threshold 7 days), owner {owner}",
        )
    ]


def test_the_agenda_holds_at_most_max_items_most_urgent_first(
    board: Review, users: dict[str, User]
) -> None:
    services.agenda_settings()
    AgendaSettings.objects.update(max_items=3)
    routed_request(Route.STEERING, board.body, "80.00", title="Eighty")
    routed_request(Route.STEERING, board.body, "95.00", title="Ninety-five")
    action(board.body, users["cmio"], datetime.date(2026, 6, 1))
    rollup(
        MetricFactory.create(code="bad", name="Bad"), variation=Variation.CONCERN, latest_value=1.0
    )
    assert [(kind, title.split(" ", 1)[-1]) for kind, title, _ in proposed(board)] == [
        (AgendaKind.METRIC, "Bad"),
        (AgendaKind.REQUEST, "Ninety-five"),
        (AgendaKind.REQUEST, "Eighty"),
    ]


def test_building_the_agenda_writes_items_in_order_and_keeps_those_the_chair_added(
    board: Review, users: dict[str, User]
) -> None:
    InitiativeFactory.create(title="Gate", stage=Stage.PROPOSED, stage_changed_at=timezone.now())
    mine = services.agenda_item_add(actor=users["cmo"], review=board, title="Budget")
    services.agenda_build(actor=users["cmo"], review=board)
    services.agenda_build(actor=users["cmo"], review=board)
    assert [(i.position, i.kind, i.title) for i in board.items.order_by("position")] == [
        (1, AgendaKind.OTHER, "Budget"),
        (2, AgendaKind.GATE, "Gate"),
    ]
    assert board.items.get(pk=mine.pk).reason == f"Added by {users['cmo']}"
