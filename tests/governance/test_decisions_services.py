"""Recording decisions: the effect through the owning app, the evidence kept as it was, the
checks of each outcome, superseding, and who may record."""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from governance import services
from governance.models import Decision
from informatics.models import Notification, User
from informatics.permissions import ActionDenied
from initiatives.choices import Stage
from initiatives.models import BenefitLine, Initiative, StageChange
from intake.choices import RequestStatus
from intake.models import RequestScore
from tests.conftest import snapshot
from tests.governance.decisions_world import (
    TABLES,
    in_review,
    ready_initiative,
    steering,
)
from tests.initiatives.factories import InitiativeFactory, StatusUpdateFactory

NOW = datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


def test_approving_an_initiative_at_its_gate_advances_it_and_locks_its_forecast(
    users: dict[str, User],
) -> None:
    body = steering()
    initiative = ready_initiative(users["informaticist"])

    decision = services.decision_record(
        actor=users["cmo"],
        body=body,
        initiative=initiative,
        outcome="approve",
        rationale="Strong case for the ED.",
    )

    initiative.refresh_from_db()
    assert (initiative.stage, initiative.version, initiative.forecast_locked_at) == (
        Stage.APPROVED,
        2,
        NOW,
    )
    gate = StageChange.objects.get(initiative=initiative, to_stage=Stage.APPROVED)
    assert (gate.actor, gate.reason) == (users["cmo"], "Strong case for the ED.")
    assert BenefitLine.objects.get(initiative=initiative).locked_target == Decimal("60.00")
    assert (decision.outcome, decision.decided_by, decision.decided_at, decision.waiver) == (
        "approve",
        users["cmo"],
        NOW,
        "",
    )
    assert decision.evidence == {
        "subject": "initiative",
        "number": initiative.pk,
        "stage": "proposed",
        "stage_label": "Proposed",
        "health": None,
        "is_stale": False,
        "lead": users["informaticist"].get_full_name(),
        "benefits": [
            {
                "category": "engagement",
                "category_label": "Physician engagement",
                "baseline": "86.00",
                "target": "60.00",
                "unit": "min/day",
                "horizon": "2027-06-15",
            }
        ],
        "taken_at": NOW.isoformat(),
    }


def test_approval_without_a_lead_or_benefit_plan_is_refused_and_changes_nothing(
    users: dict[str, User],
) -> None:
    body = steering()
    initiative = InitiativeFactory.create(title="Bare idea")
    before = snapshot(*TABLES)

    with pytest.raises(ValidationError) as refused:
        services.decision_record(
            actor=users["cmo"], body=body, initiative=initiative, outcome="approve", rationale="Go."
        )

    assert refused.value.message_dict == {
        "waiver": [
            "The initiative has no informaticist lead and no benefit line: add them before "
            "approving, or give the reason to approve without them as a waiver."
        ]
    }
    assert snapshot(*TABLES) == before


def test_approval_with_a_waiver_advances_it_and_keeps_the_waiver(users: dict[str, User]) -> None:
    body = steering()
    initiative = InitiativeFactory.create(title="Urgent regulatory build")

    decision = services.decision_record(
        actor=users["cmio"],
        body=body,
        initiative=initiative,
        outcome="approve",
        rationale="Regulatory deadline.",
        waiver="Mandated by the state; the benefit plan follows in July.",
    )

    initiative.refresh_from_db()
    assert initiative.stage == Stage.APPROVED
    assert Decision.objects.get(pk=decision.pk).waiver == (
        "Mandated by the state; the benefit plan follows in July."
    )


def test_declining_a_request_with_a_reason_closes_it_and_tells_its_submitter(
    users: dict[str, User],
) -> None:
    body = steering()
    request = in_review(users["cmio"], users["champion"])

    decision = services.decision_record(
        actor=users["cmo"],
        body=body,
        request=request,
        outcome="decline",
        decline_reason="low_value",
        rationale="Few people affected.",
    )

    request.refresh_from_db()
    assert (request.status, request.decline_reason) == (RequestStatus.DECLINED, "low_value")
    assert decision.decline_reason == "low_value"
    told = Notification.objects.filter(recipient=users["champion"]).order_by("pk").last()
    assert told is not None
    assert told.subject == f"Your request #{request.pk} is now Declined"
    assert "Reason: Low value." in told.body


def test_a_decline_needs_its_reason_code_and_a_refused_move_saves_nothing(
    users: dict[str, User],
) -> None:
    body = steering()
    request = in_review(users["cmio"], users["champion"])
    before = snapshot(*TABLES)

    with pytest.raises(ValidationError) as no_reason:
        services.decision_record(
            actor=users["cmo"], body=body, request=request, outcome="decline", rationale="No."
        )
    request.status = RequestStatus.SUBMITTED  # not what the row says: the table still guards
    request.save(update_fields=["status"])
    before = snapshot(*TABLES)
    with pytest.raises(ValidationError) as wrong_status:
        services.decision_record(
            actor=users["cmo"], body=body, request=request, outcome="approve", rationale="Yes."
        )

    assert list(no_reason.value.message_dict) == ["decline_reason"]
    assert wrong_status.value.message_dict == {
        "to_status": [
            "Cannot move a request from Submitted to Decided: allowed next steps are In triage, "
            "Needs info, Declined, Redirected, Withdrawn, Merged."
        ]
    }
    assert snapshot(*TABLES) == before


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"outcome": "defer"}, {"revisit_on": ["Give the date to revisit a deferred decision."]}),
        (
            {"outcome": "defer", "revisit_on": datetime.date(2026, 6, 15)},
            {"revisit_on": ["Give a revisit date after today."]},
        ),
        (
            {"outcome": "redirect"},
            {"redirect_to": ["Say where the request goes instead (training, operations, vendor)."]},
        ),
        ({"outcome": "merge"}, {"merged_into": ["Give the request this one merges into."]}),
        (
            {"outcome": "stop"},
            {
                "outcome": [
                    "Stop does not fit a request: a request may be approve, approve with "
                    "changes, defer, decline, redirect, merge, escalate."
                ]
            },
        ),
        (
            {"outcome": "approve", "rationale": " "},
            {"rationale": ["Say why: the rationale is kept with the decision."]},
        ),
    ],
)
def test_each_outcome_needs_what_it_names(
    users: dict[str, User], fields: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    body = steering()
    request = in_review(users["cmio"], users["champion"])
    before = snapshot(*TABLES)

    with pytest.raises(ValidationError) as refused:
        services.decision_record(
            actor=users["cmo"], body=body, request=request, **{"rationale": "Why.", **fields}
        )

    assert refused.value.message_dict == errors
    assert snapshot(*TABLES) == before


def test_a_request_cannot_be_merged_into_itself(users: dict[str, User]) -> None:
    body = steering()
    request = in_review(users["cmio"], users["champion"])

    with pytest.raises(ValidationError) as refused:
        services.decision_record(
            actor=users["cmo"],
            body=body,
            request=request,
            outcome="merge",
            merged_into=request,
            rationale="Same.",
        )

    assert refused.value.message_dict == {
        "merged_into": ["A request cannot be merged into itself."]
    }


def test_the_evidence_stays_as_it_was_after_the_score_and_the_health_change(
    users: dict[str, User],
) -> None:
    body = steering()
    request = in_review(users["cmio"], users["champion"])
    about_request = services.decision_record(
        actor=users["cmo"], body=body, request=request, outcome="escalate", rationale="Board."
    )
    initiative = ready_initiative(users["informaticist"])
    StatusUpdateFactory.create(initiative=initiative, author=users["cmio"])
    about_initiative = services.decision_record(
        actor=users["cmo"], body=body, initiative=initiative, outcome="escalate", rationale="Board."
    )
    request_before = Decision.objects.get(pk=about_request.pk).evidence
    initiative_before = Decision.objects.get(pk=about_initiative.pk).evidence

    RequestScore.objects.filter(request=request).update(value=Decimal("1.00"))
    StatusUpdateFactory.create(
        initiative=initiative, author=users["cmio"], schedule="off_track", at=NOW
    )
    Initiative.objects.filter(pk=initiative.pk).update(informaticist_lead=None)
    BenefitLine.objects.filter(initiative=initiative).delete()

    assert request_before["score"]["value"] != "1.00"
    assert initiative_before["health"] == "on_track"
    assert Decision.objects.get(pk=about_request.pk).evidence == request_before
    assert Decision.objects.get(pk=about_initiative.pk).evidence == initiative_before
    assert services.decision_evidence(initiative=initiative)["health"] == "off_track"


def test_a_correction_supersedes_once_and_links_both_ways(users: dict[str, User]) -> None:
    body = steering()
    request = in_review(users["cmio"], users["champion"])
    first = services.decision_record(
        actor=users["cmo"], body=body, request=request, outcome="escalate", rationale="Board."
    )

    second = services.decision_record(
        actor=users["cmo"],
        body=body,
        request=request,
        outcome="approve",
        rationale="The board agreed.",
        supersedes=first,
    )
    before = snapshot(*TABLES)
    with pytest.raises(ValidationError) as again:
        services.decision_record(
            actor=users["cmo"],
            body=body,
            request=request,
            outcome="escalate",
            rationale="Again.",
            supersedes=first,
        )

    first.refresh_from_db()
    assert (second.supersedes, first.superseded_by) == (first, second)
    assert again.value.message_dict == {
        "supersedes": [
            f"Decision #{first.pk} is already superseded by #{second.pk}: correct #{second.pk} "
            "instead."
        ]
    }
    assert snapshot(*TABLES) == before


@pytest.mark.parametrize("role", ["champion", "executive", "informaticist", "admin"])
def test_a_non_member_is_refused_and_nothing_changes(users: dict[str, User], role: str) -> None:
    body = steering()
    initiative = ready_initiative(users["informaticist"])
    before = snapshot(*TABLES)

    with pytest.raises(ActionDenied):
        services.decision_record(
            actor=users[role], body=body, initiative=initiative, outcome="approve", rationale="Go."
        )

    assert snapshot(*TABLES) == before


@pytest.mark.parametrize("role", ["champion", "executive", "informaticist"])
def test_a_member_records_the_body_decisions(
    make_user: Callable[..., User], users: dict[str, User], role: str
) -> None:
    member = make_user(role)
    body = steering(member)
    initiative = ready_initiative(users["informaticist"])

    services.decision_record(
        actor=member, body=body, initiative=initiative, outcome="stop", rationale="No value."
    )

    initiative.refresh_from_db()
    assert (initiative.stage, initiative.stage_reason) == (Stage.STOPPED, "No value.")
