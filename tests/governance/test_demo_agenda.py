"""The governance demo: bodies, route owners, the decisions behind the portfolio demo's gates,
two held reviews and the next one, whose proposed agenda holds at least one item of each kind
the portfolio proposes."""

import datetime
from collections import Counter
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from governance import selectors, services
from governance.choices import ActionStatus, AgendaKind, Outcome, ReviewStatus
from governance.models import ActionItem, Decision, GovernanceBody, Review, RouteOwner
from informatics.choices import Route
from informatics.models import AuditEvent, StrategicPriority, User
from initiatives import demo as initiatives_demo
from initiatives.choices import GATE_STAGES
from initiatives.models import Initiative, StageChange
from intake.models import IntakeRequest
from tests.conftest import data_for_module

NOW = datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with data_for_module(django_db_blocker):
        call_command("seed_demo", stdout=StringIO())
        yield


def test_the_demo_has_the_body_structure_and_every_route_an_owner(seeded: None) -> None:
    steering = GovernanceBody.objects.get(code="steering")
    assert steering.chair == User.objects.get(email="cmo@riverside.example")
    assert steering.is_member(User.objects.get(email="cmio@riverside.example"))
    assert GovernanceBody.objects.count() == 10
    assert set(RouteOwner.objects.values_list("route", flat=True)) == set(Route.values)


def test_two_held_reviews_with_a_done_and_an_overdue_action_and_a_planned_next(
    seeded: None,
) -> None:
    reviews = Review.objects.filter(body__code="steering").order_by("scheduled_for")
    assert [r.status for r in reviews] == [
        ReviewStatus.HELD,
        ReviewStatus.HELD,
        ReviewStatus.PLANNED,
    ]
    assert all(r.attendees.count() == 3 and r.minutes for r in reviews[:2])
    assert sorted(ActionItem.objects.values_list("status", flat=True)) == [
        ActionStatus.DONE,
        ActionStatus.OPEN,
    ]
    assert reviews[2].items.exists()


def priority(code: str) -> int:
    return StrategicPriority.objects.get(code=code).pk


def test_each_held_review_took_a_decision_dated_to_the_meeting_with_its_action(
    seeded: None,
) -> None:
    held = Review.objects.filter(body__code="steering", status=ReviewStatus.HELD)
    decisions = Decision.objects.filter(review__in=held).order_by("decided_at")
    assert [(d.priority_id, d.outcome, d.decided_by.email) for d in decisions] == [
        (priority("zero-harm"), Outcome.APPROVE_WITH_CHANGES, "cmo@riverside.example"),
        (priority("joy-in-practice"), Outcome.ESCALATE, "cmo@riverside.example"),
    ]
    assert [d.decided_at.date() for d in decisions] == [
        timezone.localtime(r.scheduled_for).date() for r in held.order_by("scheduled_for")
    ]
    assert [d.evidence["subject"] for d in decisions] == ["priority", "priority"]
    assert sorted(ActionItem.objects.values_list("decision_id", flat=True)) == sorted(
        d.pk for d in decisions
    )


def test_every_demo_gate_has_the_decision_that_explains_it(seeded: None) -> None:
    gates = StageChange.objects.filter(to_stage__in=GATE_STAGES).order_by("at", "pk")
    steps = [step for plan in initiatives_demo.INITIATIVES for step in plan.steps]
    # 21 approvals, 2 deferrals and 2 stops.
    assert gates.count() == len([s for s in steps if s.to_stage in GATE_STAGES]) == 25
    decisions = Decision.objects.filter(initiative__isnull=False)
    assert Counter(decisions.values_list("outcome", flat=True)) == {
        Outcome.APPROVE: 20,
        Outcome.APPROVE_WITH_CHANGES: 1,
        Outcome.DEFER: 2,
        Outcome.STOP: 2,
    }
    outcomes = {
        "approved": (Outcome.APPROVE, Outcome.APPROVE_WITH_CHANGES),
        "deferred": (Outcome.DEFER,),
        "stopped": (Outcome.STOP,),
    }
    for change in gates:
        decision = decisions.get(initiative=change.initiative, decided_at=change.at)
        assert decision.outcome in outcomes[change.to_stage]
        assert (decision.rationale, decision.decided_by.email) == (
            change.reason,
            "cmo@riverside.example",
        )
        # A deferral keeps the revisit date its move set (both demo deferrals are still
        # deferred); no other gate takes one, nor a waiver.
        deferred = change.to_stage == "deferred"
        assert decision.revisit_on == (change.initiative.revisit_date if deferred else None)
        if deferred:
            assert decision.revisit_on is not None
            assert decision.revisit_on > timezone.localdate()
            assert decision.waiver == ""
        assert decision.evidence["subject"] == "initiative"
        assert decision.evidence["stage"] == change.from_stage
        assert decision.evidence["taken_at"] == change.at.isoformat()
        assert AuditEvent.objects.filter(
            content_type__model="decision", object_id=str(decision.pk), action="create"
        ).exists()
    # Each approved, deferred or stopped initiative, and each one past approval, has its
    # decision.
    for row in Initiative.objects.exclude(stage="proposed"):
        assert row.decisions.exists(), row.title
    ambulatory = Decision.objects.get(rationale__contains="by the ambulatory council")
    assert (ambulatory.body.code, ambulatory.outcome) == (
        "pac-ambulatory",
        Outcome.APPROVE_WITH_CHANGES,
    )
    assert set(decisions.values_list("body__code", flat=True)) == {
        "steering",
        "pac-ambulatory",
    }


def test_a_new_steering_review_on_the_demo_proposes_every_kind(seeded: None) -> None:
    cmo = User.objects.get(email="cmo@riverside.example")
    review = services.review_schedule(
        actor=cmo,
        body=GovernanceBody.objects.get(code="steering"),
        scheduled_for=NOW + datetime.timedelta(days=21),
    )
    kinds = {item.kind for item in services.agenda_propose(review=review)}
    assert kinds == {
        AgendaKind.REQUEST,
        AgendaKind.GATE,
        AgendaKind.HEALTH,
        AgendaKind.METRIC,
        AgendaKind.ACTION,
    }


def test_seeding_again_adds_nothing(seeded: None) -> None:
    def counts() -> tuple[int, ...]:
        return tuple(
            model.objects.count() for model in (Review, ActionItem, GovernanceBody, Decision)
        )

    before = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == before


def test_triage_chose_the_hospital_medicine_workgroup_for_the_progress_note_request(
    seeded: None,
) -> None:
    request = IntakeRequest.objects.get(title="Progress note template pulls in three pages of labs")
    assert request.route == Route.WORKGROUP
    default = selectors.default_body_for(request=request)
    deciding = selectors.decision_body_for(request=request)
    assert (default and default.code, deciding and deciding.code) == ("wg-periop", "wg-hospmed")
    assert request.deciding_body.chosen_by.email == "cmio@riverside.example"
