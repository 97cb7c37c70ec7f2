"""Portfolio pages: the priority × stage grid, the list with its filters and CSV export, the
create and edit forms (with the stale-edit conflict), an initiative's page and the actions on
it (stage, status update, milestones, benefits, linked requests), the request page's initiative
box, and the portfolio on the CMO's landing page."""

import csv
import datetime
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from governance.models import Decision, GovernanceBody
from informatics.choices import ValueCategory
from informatics.models import AuditEvent, PhiConfirmation, StrategicPriority, User
from initiatives import services
from initiatives.choices import GATE_STAGES, Health, Stage
from initiatives.models import (
    BenefitLine,
    Initiative,
    InitiativePriority,
    Milestone,
    StageChange,
    StatusUpdate,
)
from intake.choices import RequestStatus
from tests.factories import FacilityFactory, PriorityFactory
from tests.initiatives.factories import (
    StatusUpdateFactory,
    create_initiative,
    decide,
    initiative_of,
)
from tests.intake.factories import scored_request

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]
PHI_PHONE = (
    "This looks like patient information (phone number: “555-201-3344”). "
    "Edit it out, or confirm it is not patient information."
)


def field_errors(response: Any, form: str = "form") -> dict[str, list[str]]:
    return {name: list(errors) for name, errors in response.context[form].errors.items()}


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def stage_options(response: Any) -> list[str]:
    form = response.context["stage_form"]
    if form is None:
        return []
    return [value for value, _ in form.fields["to_stage"].widget.choices if value]


@pytest.fixture
def cmio(users: dict[str, User]) -> User:
    return users["cmio"]


@pytest.fixture
def priorities() -> list[StrategicPriority]:
    return [
        PriorityFactory.create(code="safety", title="Patient safety", rank=1),
        PriorityFactory.create(code="burnout", title="Clinician burnout", rank=2),
        PriorityFactory.create(code="access", title="Access", rank=3),
    ]


@pytest.fixture
def initiative(
    cmio: User, users: dict[str, User], priorities: list[StrategicPriority]
) -> Initiative:
    return create_initiative(
        cmio,
        title="Sepsis alert tuning",
        priorities={priorities[0]: "strong", priorities[1]: "weak"},
        informaticist_lead=users["informaticist"],
    )


def detail_url(initiative: Initiative) -> str:
    return reverse("initiatives:initiative-detail", args=[initiative.pk])


def advance(actor: User, initiative: Initiative, to_stage: str, **fields: Any) -> Initiative:
    """Move it as `actor`; approve, defer and stop as a decision of the steering body (`decide`)."""
    if to_stage in GATE_STAGES:
        return decide(actor, initiative, to_stage, **fields)
    initiative.refresh_from_db()
    return services.initiative_advance(
        actor=actor, initiative=initiative, version=initiative.version, to_stage=to_stage, **fields
    )


# --- Create -------------------------------------------------------------------------------------


def creation(priorities: list[StrategicPriority], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Sepsis alert tuning",
        "type": "cds",
        "summary": "Quieter sepsis alert after surgery.",
        "problem_statement": "The alert fires on every post-op tachycardia.",
        "executive_sponsor": "",
        "cmio_owner": "",
        "informaticist_lead": "",
        "start_date": "2026-04-01",
        "target_date": "2026-09-30",
        "effort_hours": "120",
        "cost_estimate": "25000",
        "requests": "",
        f"alignment_{priorities[0].pk}": "strong",
        f"alignment_{priorities[1].pk}": "moderate",
        f"alignment_{priorities[2].pk}": "",
    }
    data.update(overrides)
    return data


def test_the_cmio_creates_an_initiative_linked_to_two_priorities_and_a_request(
    client_for: Callable[[str], Client],
    users: dict[str, User],
    cmio: User,
    priorities: list[StrategicPriority],
) -> None:
    request = scored_request(cmio, users["champion"], title="Sepsis alert fires post-op")
    facility = FacilityFactory.create(name="Riverside Medical Center")
    data = creation(
        priorities,
        informaticist_lead=str(users["informaticist"].pk),
        executive_sponsor=str(users["executive"].pk),
        cmio_owner=str(cmio.pk),
        champions=[str(users["champion"].pk)],
        facilities=[str(facility.pk)],
        requests=f"#{request.pk}",
    )

    client = client_for("cmio")
    response = client.post(reverse("initiatives:initiative-create"), data)

    initiative = Initiative.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(initiative)
    assert initiative.stage == Stage.PROPOSED
    assert (initiative.type, initiative.effort_hours, initiative.cost_estimate) == (
        "cds",
        120,
        Decimal("25000.00"),
    )
    assert initiative.start_date == datetime.date(2026, 4, 1)
    assert initiative.informaticist_lead == users["informaticist"]
    assert initiative.executive_sponsor == users["executive"]
    assert list(initiative.champions.all()) == [users["champion"]]
    assert list(initiative.facilities.all()) == [facility]
    assert list(
        InitiativePriority.objects.filter(initiative=initiative)
        .order_by("priority__rank")
        .values_list("priority__code", "alignment")
    ) == [("safety", "strong"), ("burnout", "moderate")]
    request.refresh_from_db()
    assert initiative_of(request) == initiative
    page = client.get(response["Location"])
    assert messages_of(page) == [
        f"Logged “Sepsis alert tuning” as initiative #{initiative.pk}: proposed."
    ]


def test_the_create_form_names_each_missing_field_and_an_unknown_request(
    client_for: Callable[[str], Client], priorities: list[StrategicPriority]
) -> None:
    data = creation(priorities, title="", type="", summary="", requests="12, 999")

    response = client_for("cmio").post(reverse("initiatives:initiative-create"), data)

    assert response.status_code == 200
    assert field_errors(response) == {
        "title": ["Give the initiative a title."],
        "type": ["Choose the type of initiative."],
        "summary": ["Give a short summary."],
        "requests": ["There is no request #12, #999."],
    }
    assert Initiative.objects.count() == 0


def test_the_create_form_puts_a_service_error_beside_its_field(
    client_for: Callable[[str], Client], priorities: list[StrategicPriority]
) -> None:
    data = creation(priorities, start_date="2026-09-30", target_date="2026-04-01")

    response = client_for("cmio").post(reverse("initiatives:initiative-create"), data)

    assert field_errors(response) == {
        "target_date": ["The target date cannot be before the start date."]
    }
    assert Initiative.objects.count() == 0


def test_the_phi_guard_flags_a_phone_number_in_the_summary_until_confirmed(
    client_for: Callable[[str], Client], priorities: list[StrategicPriority]
) -> None:
    client = client_for("cmio")
    data = creation(priorities, summary="Nights call 555-201-3344 for the alert.")

    flagged = client.post(reverse("initiatives:initiative-create"), data)

    assert field_errors(flagged) == {"summary": [PHI_PHONE]}
    assert '<mark class="phi" title="Looks like a phone number">555-201-3344</mark>' in flagged.text
    assert "This is not patient information" in flagged.text
    assert Initiative.objects.count() == 0

    confirmed = client.post(
        reverse("initiatives:initiative-create"), {**data, "phi_confirmed": "on"}
    )

    assert confirmed.status_code == 302
    initiative = Initiative.objects.get()
    assert PhiConfirmation.objects.filter(object_id=initiative.pk, field="summary").count() == 1


# --- Portfolio and list -------------------------------------------------------------------------


def test_the_portfolio_groups_initiatives_by_priority_and_stage_with_health_and_stale_flags(
    client_for: Callable[[str], Client], cmio: User, priorities: list[StrategicPriority]
) -> None:
    safety, burnout, _ = priorities
    with time_machine.travel(NOW - datetime.timedelta(days=60), tick=False):
        create_initiative(cmio, title="Quiet one", priorities={safety: "strong"})
    both = create_initiative(
        cmio, title="Both priorities", priorities={safety: "strong", burnout: "moderate"}
    )
    StatusUpdateFactory.create(initiative=both, budget=Health.AT_RISK)
    unaligned = create_initiative(cmio, title="No priority")
    StatusUpdateFactory.create(initiative=unaligned, adoption=Health.OFF_TRACK)

    with time_machine.travel(NOW, tick=False):
        response = client_for("cmo").get(reverse("initiatives:portfolio"))

    summary = response.context["summary"]
    proposed = next(cell for cell in summary.totals if cell.stage == Stage.PROPOSED)
    assert (summary.total, summary.stale, summary.at_risk, summary.off_track) == (3, 1, 1, 1)
    assert proposed.count == 3
    rows = {row.priority.title if row.priority else None: row for row in summary.rows}
    assert [cell.count for cell in rows["Patient safety"].cells][:2] == [2, 0]
    assert rows["Clinician burnout"].total == 1
    assert rows[None].total == 1
    html = response.text
    link = f'href="/initiatives/?priority={safety.pk}&amp;stage=proposed"'
    assert link in html
    assert (
        '<span class="badge badge--warn"><span class="visually-hidden">Worst health: '
        "</span>At risk</span>" in html
    )
    assert '<span class="badge badge--muted">1 stale</span>' in html
    # Needs attention: worst first.
    assert [initiative.title for initiative in response.context["attention"]] == [
        "No priority",
        "Both priorities",
        "Quiet one",
    ]


def test_the_portfolio_says_when_there_are_no_initiatives(
    client_for: Callable[[str], Client],
) -> None:
    response = client_for("cmio").get(reverse("initiatives:portfolio"))

    assert "No initiatives yet" in response.text
    assert 'href="/initiatives/new/">Log the first initiative</a>' in response.text


def test_the_list_filters_by_stage_and_priority(
    client_for: Callable[[str], Client],
    cmio: User,
    cmo_user: User,
    priorities: list[StrategicPriority],
) -> None:
    safety, burnout, _ = priorities
    approved = create_initiative(cmio, title="Approved one", priorities={safety: "strong"})
    advance(cmo_user, approved, Stage.APPROVED)
    create_initiative(cmio, title="Proposed one", priorities={safety: "strong"})
    create_initiative(cmio, title="Other priority", priorities={burnout: "weak"})

    response = client_for("cmio").get(
        reverse("initiatives:initiative-list"), {"priority": str(safety.pk), "stage": "proposed"}
    )

    assert [row.title for row in response.context["rows"]] == ["Proposed one"]
    assert response.context["is_filtered"] is True
    assert "1 initiative</h2>" in response.text


@pytest.fixture
def cmo_user(users: dict[str, User]) -> User:
    return users["cmo"]


def test_the_export_has_a_header_and_a_row_per_initiative(
    client_for: Callable[[str], Client],
    users: dict[str, User],
    cmio: User,
    priorities: list[StrategicPriority],
) -> None:
    request = scored_request(cmio, users["champion"])
    with time_machine.travel(NOW, tick=False):
        initiative = create_initiative(
            cmio,
            title="=Sepsis alert tuning",
            priorities={priorities[0]: "strong", priorities[1]: "weak"},
            informaticist_lead=users["informaticist"],
            target_date=datetime.date(2026, 9, 30),
            effort_hours=120,
            cost_estimate=Decimal("25000.00"),
            requests=[request],
        )
        StatusUpdateFactory.create(initiative=initiative, scope=Health.AT_RISK)

        response = client_for("executive").get(reverse("initiatives:initiative-export"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="initiatives-2026-03-02.csv"'
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(body)))
    assert rows == [
        [
            "Number",
            "Title",
            "Type",
            "Stage",
            "Stage since",
            "Health",
            "Stale",
            "Priorities",
            "Executive sponsor",
            "CMIO owner",
            "Informaticist lead",
            "Start date",
            "Target date",
            "Go-live date",
            "Effort (hours)",
            "Cost estimate",
            "Linked requests",
        ],
        [
            str(initiative.pk),
            "'=Sepsis alert tuning",
            "Order set",
            "Proposed",
            "2026-03-02",
            "At risk",
            "no",
            "Patient safety (strong); Clinician burnout (weak)",
            "",
            "",
            "Demo INFORMATICIST",
            "",
            "2026-09-30",
            "",
            "120",
            "25000.00",
            "1",
        ],
    ]


def test_the_export_follows_the_lists_filters(
    client_for: Callable[[str], Client], cmio: User
) -> None:
    create_initiative(cmio, title="Order set clean-up")
    create_initiative(cmio, title="Inbox triage")

    response = client_for("cmio").get(reverse("initiatives:initiative-export"), {"q": "inbox"})

    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert [row[1] for row in csv.reader(io.StringIO(body))] == ["Title", "Inbox triage"]


# --- An initiative's page and its stage action --------------------------------------------------


def test_the_page_shows_the_timeline_priorities_and_history(
    client_for: Callable[[str], Client], initiative: Initiative
) -> None:
    response = client_for("champion").get(detail_url(initiative))

    assert response.status_code == 200
    assert [c.to_stage for c in response.context["timeline"]] == [Stage.PROPOSED]
    assert [(a.priority.title, a.alignment) for a in response.context["alignments"]] == [
        ("Patient safety", "strong"),
        ("Clinician burnout", "weak"),
    ]
    assert [event.action for event in response.context["events"]] == ["create"]
    assert response.context["health"] is None
    assert "No update yet" in response.text


def test_the_stage_form_offers_only_the_next_stages_the_user_may_take(
    client_for: Callable[[str], Client], initiative: Initiative
) -> None:
    # Proposed → Approved, Deferred, Stopped: all three are gates, decisions never in the
    # list (no stage form at all); those who record decisions in any body get links to the
    # decision form.
    for role in ("cmio", "cmo", "informaticist", "champion"):
        page = client_for(role).get(detail_url(initiative))
        assert (role, stage_options(page), page.context["stage_form"]) == (role, [], None)
    form = f"/governance/decisions/new/?initiative={initiative.pk}&amp;outcome="
    for role in ("cmo", "cmio"):
        page = client_for(role).get(detail_url(initiative))
        assert page.context["gate_decisions"] == [
            ("approve", "Approve…"),
            ("defer", "Defer…"),
            ("stop", "Stop…"),
        ]
        for outcome in ("approve", "defer", "stop"):
            assert f'href="{form}{outcome}"' in page.text
    informaticist_page = client_for("informaticist").get(detail_url(initiative))
    assert informaticist_page.context["gate_decisions"] == []
    assert "Approved, Deferred and Stopped: decided by a governance body" in informaticist_page.text


def test_the_stage_list_no_longer_offers_deferred(
    client_for: Callable[[str], Client], initiative: Initiative, cmo_user: User, cmio: User
) -> None:
    # Approved → In build, On hold, Deferred (gate), Stopped (gate); On hold → Approved (gate),
    # In build, Pilot, Deferred (gate), Stopped (gate): the list keeps the plain moves.
    advance(cmo_user, initiative, Stage.APPROVED)
    approved = {role: client_for(role).get(detail_url(initiative)) for role in ("cmio", "cmo")}
    advance(cmio, initiative, Stage.ON_HOLD, reason="Vendor delay.")
    on_hold = client_for("informaticist").get(detail_url(initiative))

    assert stage_options(approved["cmio"]) == ["in_build", "on_hold"]
    assert stage_options(approved["cmo"]) == []
    assert approved["cmio"].context["gate_decisions"] == [("defer", "Defer…"), ("stop", "Stop…")]
    assert stage_options(on_hold) == ["in_build", "pilot"]
    assert on_hold.context["gate_decisions"] == []
    assert "Approved, Deferred and Stopped: decided by a governance body" in on_hold.text
    assert 'value="deferred"' not in approved["cmio"].text + on_hold.text


def test_the_stage_form_shows_the_reason_and_date_fields_where_needed(
    client_for: Callable[[str], Client], initiative: Initiative, cmo_user: User, cmio: User
) -> None:
    # Proposed offers no plain move; approved, only in build and on hold: no revisit date (a
    # deferral takes it on the decision form).
    assert client_for("cmio").get(detail_url(initiative)).context["stage_form"] is None
    advance(cmo_user, initiative, Stage.APPROVED)
    approved = client_for("cmio").get(detail_url(initiative)).context["stage_form"]
    assert list(approved.fields) == ["version", "to_stage", "reason", "phi_confirmed"]
    assert approved.fields["reason"].help_text == (
        "Needed to put it on hold; kept on the stage timeline."
    )

    advance(cmio, initiative, Stage.IN_BUILD)
    in_build = client_for("cmio").get(detail_url(initiative)).context["stage_form"]
    assert list(in_build.fields) == [
        "version",
        "to_stage",
        "reason",
        "go_live_date",
        "phi_confirmed",
    ]
    assert in_build.fields["reason"].help_text == (
        "Needed to put it on hold; kept on the stage timeline."
    )


def test_a_move_outside_the_stage_table_is_refused_with_a_clear_message(
    client_for: Callable[[str], Client], initiative: Initiative
) -> None:
    response = client_for("cmio").post(
        reverse("initiatives:initiative-stage", args=[initiative.pk]),
        {"version": initiative.version, "to_stage": "live"},
    )

    assert response.status_code == 200
    assert field_errors(response, "stage_form") == {
        "to_stage": [
            "Cannot move an initiative from Proposed to Live: allowed next stages are "
            "Approved, Deferred, Stopped."
        ]
    }
    assert "allowed next stages are Approved, Deferred, Stopped." in response.text
    initiative.refresh_from_db()
    assert (initiative.stage, initiative.version) == (Stage.PROPOSED, 1)
    assert StageChange.objects.filter(initiative=initiative).count() == 1


def _moved_state(initiative: Initiative) -> tuple[Any, ...]:
    initiative.refresh_from_db()
    return (
        initiative.stage,
        initiative.version,
        initiative.revisit_date,
        initiative.stage_reason,
        StageChange.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("role", ["informaticist", "cmio"])
def test_the_lead_and_the_cmio_may_not_defer_on_the_stage_form(
    client_for: Callable[[str], Client], initiative: Initiative, role: str
) -> None:
    # Deferral is a gate: those who edit the initiative (its lead, the CMIO) do not hold it;
    # the CMIO defers through the decision form, as a decision of a body.
    before = _moved_state(initiative)

    response = client_for(role).post(
        reverse("initiatives:initiative-stage", args=[initiative.pk]),
        {
            "version": initiative.version,
            "to_stage": "deferred",
            "reason": "Later.",
            "revisit_date": "2026-10-01",
        },
    )

    assert response.status_code == 403
    assert _moved_state(initiative) == before == (Stage.PROPOSED, 1, None, "", 1, 1)


@pytest.mark.parametrize(
    ("to_stage", "message"),
    [
        ("approved", "Approval is a governance decision: record it on the decision form."),
        ("deferred", "Deferral is a governance decision: record it on the decision form."),
        ("stopped", "Stopping is a governance decision: record it on the decision form."),
    ],
)
def test_a_gate_posted_to_the_stage_form_moves_nothing_and_points_to_the_decision_form(
    client_for: Callable[[str], Client], initiative: Initiative, to_stage: str, message: str
) -> None:
    client = client_for("cmo")
    before = _moved_state(initiative)
    response = client.post(
        reverse("initiatives:initiative-stage", args=[initiative.pk]),
        {
            "version": initiative.version,
            "to_stage": to_stage,
            "reason": "Later.",
            "revisit_date": "2026-10-01",
        },
    )

    assert response.status_code == 302
    assert messages_of(client.get(detail_url(initiative))) == [message]
    assert _moved_state(initiative) == before == (Stage.PROPOSED, 1, None, "", 1, 1)


def test_deferring_on_the_decision_form_moves_it_with_the_revisit_date_and_the_reason(
    client_for: Callable[[str], Client], initiative: Initiative
) -> None:
    steering = GovernanceBody.objects.create(
        code="steering", name="Executive steering", kind="steering"
    )
    with time_machine.travel(NOW, tick=False):
        response = client_for("cmio").post(
            f"/governance/decisions/new/?initiative={initiative.pk}&outcome=defer",
            {
                "initiative": initiative.pk,
                "body": steering.pk,
                "outcome": "defer",
                "rationale": "Waiting for the EHR upgrade.",
                "revisit_on": "2026-10-01",
            },
        )

    assert response.status_code == 302, response.context and response.context["form"].errors
    decision = Decision.objects.get()
    assert (decision.outcome, decision.revisit_on, decision.decided_by.email) == (
        "defer",
        datetime.date(2026, 10, 1),
        "cmio@riverside.example",
    )
    change = StageChange.objects.filter(initiative=initiative).order_by("pk").last()
    assert change is not None
    assert (change.to_stage, change.actor, change.reason) == (
        Stage.DEFERRED,
        decision.decided_by,
        "Waiting for the EHR upgrade.",
    )
    initiative.refresh_from_db()
    assert (initiative.stage, initiative.revisit_date, initiative.stage_reason) == (
        Stage.DEFERRED,
        datetime.date(2026, 10, 1),
        "Waiting for the EHR upgrade.",
    )
    page = client_for("champion").get(detail_url(initiative))
    assert "<strong>Why:</strong> Waiting for the EHR upgrade." in page.text
    assert messages_of(client_for("cmio").get(detail_url(initiative))) == []


def test_the_cmo_approves_then_the_cmio_moves_it_to_build_and_the_request_follows(
    client_for: Callable[[str], Client],
    users: dict[str, User],
    cmio: User,
    priorities: list[StrategicPriority],
) -> None:
    request = scored_request(cmio, users["champion"])
    initiative = create_initiative(cmio, requests=[request])
    url = reverse("initiatives:initiative-stage", args=[initiative.pk])
    steering = GovernanceBody.objects.create(
        code="steering", name="Executive steering", kind="steering"
    )

    approved = client_for("cmo").post(
        f"/governance/decisions/new/?initiative={initiative.pk}",
        {
            "initiative": initiative.pk,
            "body": steering.pk,
            "outcome": "approve",
            "rationale": "Strong case.",
            "waiver": "The lead and benefit plan follow at kick-off.",
        },
    )
    assert approved.status_code == 302, approved.context and approved.context["form"].errors
    cmio_client = client_for("cmio")
    built = cmio_client.post(url, {"version": 2, "to_stage": "in_build"})

    assert built.status_code == 302
    initiative.refresh_from_db()
    request.refresh_from_db()
    assert (initiative.stage, initiative.version) == (Stage.IN_BUILD, 3)
    assert request.status == RequestStatus.IN_BUILD
    timeline = list(
        StageChange.objects.filter(initiative=initiative).values_list(
            "to_stage", "actor__email", "reason"
        )
    )
    assert timeline == [
        ("proposed", "cmio@riverside.example", ""),
        ("approved", "cmo@riverside.example", "Strong case."),
        ("in_build", "cmio@riverside.example", ""),
    ]
    page = cmio_client.get(detail_url(initiative))
    assert messages_of(page) == ["“Admission order set clean-up” is now in build."]
    # History shows the stage action's changes.
    stage_events = [e for e in page.context["events"] if "stage" in e.changes]
    assert [(e.action, e.changes["stage"]) for e in stage_events] == [
        ("update", ["approved", "in_build"]),
        ("update", ["proposed", "approved"]),
        ("create", [None, "proposed"]),
    ]


def test_a_stale_stage_move_moves_nothing_and_says_so(
    client_for: Callable[[str], Client], initiative: Initiative, cmo_user: User
) -> None:
    advance(cmo_user, initiative, Stage.APPROVED)

    response = client_for("cmio").post(
        reverse("initiatives:initiative-stage", args=[initiative.pk]),
        {"version": 1, "to_stage": "on_hold", "reason": "Vendor delay."},
        follow=True,
    )

    assert messages_of(response) == [
        "Someone changed this initiative while you were looking at it. Nothing was moved; its "
        "current stage is shown below."
    ]
    initiative.refresh_from_db()
    assert initiative.stage == Stage.APPROVED


# --- Status updates, milestones, benefits, linked requests -------------------------------------


def test_posting_a_status_update_shows_each_dimension_and_the_worst_as_health(
    client_for: Callable[[str], Client], initiative: Initiative
) -> None:
    client = client_for("informaticist")  # the lead

    response = client.post(
        reverse("initiatives:initiative-status-update", args=[initiative.pk]),
        {
            "schedule": "on_track",
            "scope": "at_risk",
            "budget": "off_track",
            "adoption": "on_track",
            "narrative": "Build finished; pilot slipped a week.",
            "risks": "Trainers are short.",
        },
    )

    assert response.status_code == 302
    update = StatusUpdate.objects.get()
    assert (update.schedule, update.scope, update.budget, update.adoption) == (
        "on_track",
        "at_risk",
        "off_track",
        "on_track",
    )
    page = client.get(detail_url(initiative))
    assert page.context["health"] == Health.OFF_TRACK
    assert '<span class="badge badge--danger">Health: Off track</span>' in page.text
    assert '<span class="badge badge--warn">Scope: At risk</span>' in page.text
    assert '<span class="badge badge--ok">Schedule: On track</span>' in page.text
    assert "<strong>Risks:</strong> Trainers are short." in page.text
    # The next update starts from the latest one's health.
    assert page.context["status_form"].initial == {
        "schedule": "on_track",
        "scope": "at_risk",
        "budget": "off_track",
        "adoption": "on_track",
    }


def test_a_status_update_without_a_narrative_or_with_a_phone_number_is_refused(
    client_for: Callable[[str], Client], initiative: Initiative
) -> None:
    url = reverse("initiatives:initiative-status-update", args=[initiative.pk])
    health = {"schedule": "on_track", "scope": "on_track", "budget": "on_track"}
    client = client_for("cmio")

    empty = client.post(url, {**health, "adoption": "sideways", "narrative": ""})
    phone = client.post(
        url, {**health, "adoption": "on_track", "narrative": "Call 555-201-3344 for access."}
    )

    assert field_errors(empty, "status_form") == {
        "adoption": ["Select a valid choice. sideways is not one of the available choices."],
        "narrative": ["Say what happened since the last update."],
    }
    assert field_errors(phone, "status_form") == {"narrative": [PHI_PHONE]}
    assert phone.context["phi_form"] == "status"
    assert StatusUpdate.objects.count() == 0


def test_milestones_are_added_and_marked_done(
    client_for: Callable[[str], Client], initiative: Initiative, cmio: User
) -> None:
    client = client_for("cmio")
    with time_machine.travel(NOW, tick=False):
        added = client.post(
            reverse("initiatives:initiative-milestone-add", args=[initiative.pk]),
            {"title": "Build complete", "due_date": "2026-02-01"},
        )
        page = client.get(detail_url(initiative))
        milestone = Milestone.objects.get()
        assert added.status_code == 302
        assert (milestone.title, milestone.due_date) == (
            "Build complete",
            datetime.date(2026, 2, 1),
        )
        assert [m.is_overdue for m in page.context["milestones"]] == [True]
        assert '<span class="badge badge--danger">Overdue</span>' in page.text

        done = client.post(
            reverse("initiatives:initiative-milestone-done", args=[initiative.pk, milestone.pk])
        )
        page = client.get(detail_url(initiative))

    assert done.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.done_at, milestone.done_by) == (NOW, cmio)
    assert '<span class="badge badge--ok">Done</span>' in page.text
    assert messages_of(page) == ["Marked “Build complete” done."]


def test_a_milestone_without_a_date_names_the_field(
    client_for: Callable[[str], Client], initiative: Initiative
) -> None:
    response = client_for("cmio").post(
        reverse("initiatives:initiative-milestone-add", args=[initiative.pk]),
        {"title": "Build complete", "due_date": ""},
    )

    assert field_errors(response, "milestone_form") == {"due_date": ["Give the due date."]}
    assert Milestone.objects.count() == 0


def test_a_milestone_of_another_initiative_is_not_found(
    client_for: Callable[[str], Client], initiative: Initiative, cmio: User
) -> None:
    other = create_initiative(cmio, title="Other")
    milestone = services.milestone_add(
        actor=cmio, initiative=other, title="Elsewhere", due_date=datetime.date(2026, 5, 1)
    )

    response = client_for("cmio").post(
        reverse("initiatives:initiative-milestone-done", args=[initiative.pk, milestone.pk])
    )

    assert response.status_code == 404
    milestone.refresh_from_db()
    assert milestone.done_at is None


def test_the_forecast_is_locked_at_approval_and_a_later_edit_shows_as_variance(
    client_for: Callable[[str], Client], initiative: Initiative, cmo_user: User
) -> None:
    client = client_for("cmio")
    added = client.post(
        reverse("initiatives:initiative-benefit-add", args=[initiative.pk]),
        {
            "value_category": ValueCategory.ENGAGEMENT,
            "description": "After-hours EHR time",
            "unit": "min/day",
            "baseline": "86",
            "target": "60",
            "horizon": "2027-06-30",
        },
    )
    assert added.status_code == 302
    benefit = BenefitLine.objects.get()
    advance(cmo_user, initiative, Stage.APPROVED)

    edited = client.post(
        reverse("initiatives:initiative-benefit-edit", args=[initiative.pk, benefit.pk]),
        {
            "value_category": ValueCategory.ENGAGEMENT,
            "description": "After-hours EHR time",
            "unit": "min/day",
            "baseline": "86",
            "target": "65",
            "horizon": "2027-09-30",
        },
    )

    assert edited.status_code == 302
    benefit.refresh_from_db()
    assert (benefit.target, benefit.locked_target) == (Decimal("65.00"), Decimal("60.00"))
    assert benefit.locked_horizon == datetime.date(2027, 6, 30)
    page = client_for("executive").get(detail_url(initiative))
    variance = page.context["benefits"][0].variance
    assert (variance.baseline, variance.target, variance.horizon_days) == (
        Decimal("0.00"),
        Decimal("5.00"),
        92,
    )
    assert (
        '<div class="variance variance--changed">locked 60.00 · '
        '<span class="visually-hidden">variance </span>+5.00</div>' in page.text
    )
    assert '<div class="variance">locked 86.00</div>' in page.text
    assert "+92 days" in page.text


def test_the_benefit_edit_page_shows_the_locked_forecast(
    client_for: Callable[[str], Client], initiative: Initiative, cmio: User, cmo_user: User
) -> None:
    benefit = services.benefit_add(
        actor=cmio,
        initiative=initiative,
        value_category=ValueCategory.FINANCIAL,
        description="Fewer duplicate labs",
        unit="$",
        baseline=Decimal("100000"),
        target=Decimal("40000"),
        horizon=datetime.date(2027, 3, 31),
    )
    advance(cmo_user, initiative, Stage.APPROVED)

    response = client_for("cmio").get(
        reverse("initiatives:initiative-benefit-edit", args=[initiative.pk, benefit.pk])
    )

    assert response.status_code == 200
    assert "baseline 100000.00, target 40000.00" in response.text
    assert response.context["form"].initial["target"] == Decimal("40000.00")


def test_linking_requests_from_the_page_makes_them_follow_and_names_a_bad_one(
    client_for: Callable[[str], Client], users: dict[str, User], cmio: User, cmo_user: User
) -> None:
    initiative = create_initiative(cmio)
    advance(cmo_user, initiative, Stage.APPROVED)
    advance(cmio, initiative, Stage.IN_BUILD)
    request = scored_request(cmio, users["champion"])
    url = reverse("initiatives:initiative-link-requests", args=[initiative.pk])

    client = client_for("cmio")
    unknown = client.post(url, {"requests": "abc"})
    linked = client.post(url, {"requests": f"#{request.pk}"})

    assert field_errors(unknown, "link_form") == {
        "requests": [
            "Not a request number: “abc”. Give request numbers separated by commas, e.g. 12, 15."
        ]
    }
    assert linked.status_code == 302
    request.refresh_from_db()
    assert (getattr(initiative_of(request), "pk", None), request.status) == (
        initiative.pk,
        RequestStatus.IN_BUILD,
    )
    page = client.get(detail_url(initiative))
    assert [r.pk for r in page.context["linked"]] == [request.pk]
    assert messages_of(page) == [
        f"Linked #{request.pk}: each follows this initiative's stage from now on."
    ]


# --- The request's page -------------------------------------------------------------------------


def test_the_submitter_sees_the_initiative_and_its_stage_on_their_request(
    client_for: Callable[[str], Client], users: dict[str, User], cmio: User, cmo_user: User
) -> None:
    request = scored_request(cmio, users["champion"])
    initiative = create_initiative(cmio, title="Sepsis alert tuning", requests=[request])
    advance(cmo_user, initiative, Stage.APPROVED)
    advance(cmio, initiative, Stage.IN_BUILD)

    response = client_for("champion").get(reverse("intake:request-detail", args=[request.pk]))

    html = response.text
    assert f'<a href="/initiatives/{initiative.pk}/">Sepsis alert tuning</a>' in html
    assert '<span class="muted">Stage:</span> <span class="badge">In build</span>' in html
    assert "Your request is part of this initiative" in html
    assert response.context["intake"].status == RequestStatus.IN_BUILD


def test_a_request_without_an_initiative_has_no_initiative_box(
    client_for: Callable[[str], Client], users: dict[str, User], cmio: User
) -> None:
    request = scored_request(cmio, users["champion"])

    response = client_for("champion").get(reverse("intake:request-detail", args=[request.pk]))

    assert 'id="initiative-heading"' not in response.text


# --- Edit and the stale-edit conflict -----------------------------------------------------------


def edit_data(response: Any, **changes: Any) -> dict[str, Any]:
    """The edit form's values as the browser would post them, with `changes`."""
    form = response.context["form"]
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            value = ""
        if isinstance(value, datetime.date):
            value = value.isoformat()
        data[name] = value
    data.update(changes)
    return data


def test_the_edit_form_saves_fields_people_and_alignments(
    client_for: Callable[[str], Client],
    initiative: Initiative,
    priorities: list[StrategicPriority],
) -> None:
    client = client_for("cmio")
    url = reverse("initiatives:initiative-edit", args=[initiative.pk])
    loaded = client.get(url)
    safety, burnout, access = priorities

    response = client.post(
        url,
        edit_data(
            loaded,
            title="Sepsis alert, tuned",
            **{
                f"alignment_{safety.pk}": "strong",
                f"alignment_{burnout.pk}": "",
                f"alignment_{access.pk}": "moderate",
            },
        ),
    )

    assert response.status_code == 302
    initiative.refresh_from_db()
    assert (initiative.title, initiative.version) == ("Sepsis alert, tuned", 2)
    assert list(
        initiative.alignments.order_by("priority__rank").values_list("priority__code", "alignment")
    ) == [("safety", "strong"), ("access", "moderate")]


def test_two_editors_save_and_the_second_gets_the_conflict_while_the_first_edit_survives(
    client_for: Callable[[str], Client], initiative: Initiative
) -> None:
    url = reverse("initiatives:initiative-edit", args=[initiative.pk])
    first, second = client_for("cmio"), client_for("informaticist")
    first_form, second_form = first.get(url), second.get(url)
    events_before = AuditEvent.objects.count()

    saved = first.post(url, edit_data(first_form, title="Sepsis alert, tuned"))
    stale = second.post(
        url, edit_data(second_form, title="Sepsis alert v2", summary="Something else.")
    )

    assert saved.status_code == 302
    assert stale.status_code == 409
    initiative.refresh_from_db()
    assert (initiative.title, initiative.summary, initiative.version) == (
        "Sepsis alert, tuned",
        "Remove unused orders from the admission order sets.",
        2,
    )
    assert AuditEvent.objects.count() == events_before + 1
    conflict = stale.context["conflict"]
    assert conflict["lead"].startswith("Demo CMIO saved “Sepsis alert, tuned” at ")
    assert [event.changes for event in conflict["events"]] == [
        {"title": ["Sepsis alert tuning", "Sepsis alert, tuned"]}
    ]
    html = stale.text
    assert "Someone else changed this initiative." in html
    assert "Nothing of your edit was saved; the form below shows the current values." in html
    assert (
        '<span class="history__old"><span class="visually-hidden">from </span>Sepsis alert '
        "tuning</span>" in html
    )
    # The form now holds the current values and version: nothing of the stale edit.
    form = stale.context["form"]
    assert form.initial["title"] == "Sepsis alert, tuned"
    assert form.initial["version"] == 2
    assert "Sepsis alert v2" not in html


def test_two_saves_within_one_second_are_shown_as_two_and_an_earlier_save_is_left_out(
    client_for: Callable[[str], Client],
    initiative: Initiative,
    cmio: User,
    priorities: list[StrategicPriority],
) -> None:
    # Given the CMIO saved once before the lead opened the edit form at version 2
    with time_machine.travel(NOW - datetime.timedelta(hours=1), tick=False):
        services.initiative_update(
            actor=cmio, initiative=initiative, version=1, summary="Seen by the lead."
        )
    client = client_for("informaticist")
    url = reverse("initiatives:initiative-edit", args=[initiative.pk])
    loaded = client.get(url)
    # when the CMIO saves twice within the same second (the second save only re-aligns)
    with time_machine.travel(NOW, tick=False):
        services.initiative_update(
            actor=cmio, initiative=initiative, version=2, title="Sepsis alert, tuned"
        )
        services.initiative_update(
            actor=cmio,
            initiative=initiative,
            version=3,
            priorities={priorities[0]: "strong", priorities[2]: "moderate"},
        )

    stale = client.post(url, edit_data(loaded, title="Renamed"))

    # then the conflict shows both saves, newest first, and not the one the lead had seen
    assert stale.status_code == 409
    events = stale.context["conflict"]["events"]
    assert [(event.version, event.changes) for event in events] == [
        (
            4,
            {
                "priorities": [
                    ["Clinician burnout (weak)", "Patient safety (strong)"],
                    ["Access (moderate)", "Patient safety (strong)"],
                ]
            },
        ),
        (3, {"title": ["Sepsis alert tuning", "Sepsis alert, tuned"]}),
    ]


def test_a_stage_move_since_loading_the_edit_form_is_shown_as_the_conflict(
    client_for: Callable[[str], Client], initiative: Initiative, cmo_user: User
) -> None:
    client = client_for("cmio")
    url = reverse("initiatives:initiative-edit", args=[initiative.pk])
    loaded = client.get(url)
    advance(cmo_user, initiative, Stage.APPROVED, reason="Strong case.")

    stale = client.post(url, edit_data(loaded, title="Renamed"))

    assert stale.status_code == 409
    assert stale.context["conflict"]["lead"].startswith("Demo CMO saved")
    changes = stale.context["conflict"]["events"][0].changes
    assert changes["stage"] == ["proposed", "approved"]
    initiative.refresh_from_db()
    assert initiative.title == "Sepsis alert tuning"


# --- Navigation and the CMO's landing -----------------------------------------------------------


def test_the_portfolio_entry_is_in_everyones_navigation_and_current_on_initiative_pages(
    client_for: Callable[[str], Client], initiative: Initiative
) -> None:
    html = client_for("champion").get(detail_url(initiative)).text

    assert '<a href="/portfolio/" aria-current="page">Portfolio</a>' in html


def test_the_cmo_landing_shows_the_portfolio_by_priority_and_stage(
    client_for: Callable[[str], Client], initiative: Initiative, priorities: list[StrategicPriority]
) -> None:
    response = client_for("cmo").get("/home/cmo/")

    portfolio = response.context["page"].portfolio
    assert portfolio.total == 1
    assert f'href="/initiatives/?priority={priorities[0].pk}&amp;stage=proposed"' in response.text
    assert "1 initiative: 0 off track, 0 at risk, 0 stale." in response.text
    assert [item.kind for item in response.context["page"].needs_me] == ["Awaiting approval"]


def test_the_cmio_landing_links_to_the_stale_initiatives(
    client_for: Callable[[str], Client], cmio: User
) -> None:
    with time_machine.travel(NOW - datetime.timedelta(days=60), tick=False):
        create_initiative(cmio, title="Quiet one")
    create_initiative(cmio, title="Fresh one")
    client = client_for("cmio")

    landing = client.get("/home/cmio/")
    stale = client.get("/initiatives/", {"stale": "true"})

    assert '<a href="/initiatives/?stale=true">Every stale initiative</a>' in landing.text
    # Both are proposed: each also waits on a decision the CMIO may record (governance).
    assert [(item.kind, item.title) for item in landing.context["page"].needs_me] == [
        ("Awaiting approval", "Quiet one"),
        ("Stale initiative", "Quiet one"),
        ("Awaiting approval", "Fresh one"),
    ]
    assert [row.title for row in stale.context["rows"]] == ["Quiet one"]
