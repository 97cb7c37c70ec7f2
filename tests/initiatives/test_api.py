"""The portfolio through the API: listing (filters, health, stale flag), one initiative in full,
creating (with the PHI guard), editing with stale-edit protection, the stage action (the table,
reasons, gates, 409), milestones, status updates, the benefit plan (locked forecast and
variance) and linking requests, which then follow the initiative."""

import datetime
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from rest_framework import serializers
from rest_framework.test import APIClient

from governance.models import GovernanceBody
from informatics.choices import Role
from informatics.exceptions import PHI_RESEND
from informatics.models import AuditEvent, Facility, PhiConfirmation, StrategicPriority, User
from initiatives import services
from initiatives.choices import GATE_STAGES, Stage
from initiatives.models import BenefitLine, Initiative, Milestone, StageChange, StatusUpdate
from intake import services as intake_services
from intake.choices import RequestStatus
from intake.models import IntakeRequest
from tests.conftest import ApiAs
from tests.factories import FacilityFactory, PriorityFactory
from tests.initiatives.factories import (
    MilestoneFactory,
    StatusUpdateFactory,
    create_initiative,
    decide,
    initiative_of,
)
from tests.intake.factories import scored_request, submit

URL = "/api/v1/initiatives/"
NOW = datetime.datetime(2026, 3, 2, 15, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]
TODAY = datetime.date(2026, 3, 2)
G = Stage
S = RequestStatus


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def iso(moment: datetime.datetime | None) -> str | None:
    """A date and time as the API writes it."""
    return None if moment is None else serializers.DateTimeField().to_representation(moment)


def person(user: User, *, viewer: User | None = None) -> dict[str, Any]:
    """A person as the API names them to `viewer`: the e-mail only for themself or an admin."""
    shown = viewer is not None and (viewer.pk == user.pk or viewer.has_role(Role.ADMIN))
    return {"id": user.pk, "full_name": user.full_name, "email": user.email if shown else None}


def priority_ref(priority: StrategicPriority) -> dict[str, Any]:
    return {"id": priority.pk, "code": priority.code, "title": priority.title}


@pytest.fixture
def cmio(users: dict[str, User]) -> User:
    return users[Role.CMIO]


@pytest.fixture
def cmo(users: dict[str, User]) -> User:
    return users[Role.CMO]


@pytest.fixture
def lead(users: dict[str, User]) -> User:
    return users[Role.INFORMATICIST]


@pytest.fixture
def zero_harm(db: None) -> StrategicPriority:
    priority: StrategicPriority = PriorityFactory.create(
        code="zero-harm", title="Zero Harm", rank=1
    )
    return priority


@pytest.fixture
def joy(db: None) -> StrategicPriority:
    priority: StrategicPriority = PriorityFactory.create(
        code="joy-in-practice", title="Restore joy in practice", rank=2
    )
    return priority


@pytest.fixture
def icu(db: None) -> Facility:
    facility: Facility = FacilityFactory.create(code="rmc-micu", name="RMC Medical ICU")
    return facility


def advance(actor: User, initiative: Initiative, to_stage: str, **fields: Any) -> Initiative:
    """Move it as `actor`; approve, defer and stop as a decision of the steering body (`decide`)."""
    if to_stage in GATE_STAGES:
        return decide(actor, initiative, to_stage, **fields)
    initiative.refresh_from_db()
    return services.initiative_advance(
        actor=actor, initiative=initiative, version=initiative.version, to_stage=to_stage, **fields
    )


def approved(cmio: User, cmo: User, **overrides: Any) -> Initiative:
    """An initiative the CMIO logged and the CMO approved."""
    initiative = create_initiative(cmio, **overrides)
    return advance(cmo, initiative, G.APPROVED, reason="Worth it.")


# --- Reading --------------------------------------------------------------------------------


def test_a_list_row_names_alignment_people_health_and_flags(
    users: dict[str, User],
    cmio: User,
    cmo: User,
    lead: User,
    zero_harm: StrategicPriority,
    joy: StrategicPriority,
    icu: Facility,
    api_as: ApiAs,
) -> None:
    row = create_initiative(
        cmio,
        title="CLABSI prevention bundle",
        type="documentation",
        executive_sponsor=cmo,
        cmio_owner=cmio,
        informaticist_lead=lead,
        facilities=[icu],
        priorities={joy: "weak", zero_harm: "strong"},
        start_date=datetime.date(2026, 1, 5),
        target_date=datetime.date(2026, 9, 30),
        requests=[scored_request(cmio, users[Role.CHAMPION])],
    )
    # 31 days without an update (the default stale-after is 30): stale; one milestone overdue.
    update = StatusUpdateFactory.create(
        initiative=row, author=lead, adoption="at_risk", at=NOW - datetime.timedelta(days=31)
    )
    MilestoneFactory.create(initiative=row, due_date=TODAY - datetime.timedelta(days=1))
    MilestoneFactory.create(initiative=row, due_date=TODAY)
    row.refresh_from_db()

    body = api_as(users[Role.EXECUTIVE]).get(URL).json()

    assert body["count"] == 1
    assert body["results"] == [
        {
            "id": row.pk,
            "title": "CLABSI prevention bundle",
            "type": "documentation",
            "stage": "proposed",
            "stage_changed_at": iso(row.stage_changed_at),
            "priorities": [
                {"priority": priority_ref(zero_harm), "alignment": "strong"},
                {"priority": priority_ref(joy), "alignment": "weak"},
            ],
            "executive_sponsor": person(cmo),
            "cmio_owner": person(cmio),
            "informaticist_lead": person(lead),
            "facilities": [{"id": icu.pk, "code": "rmc-micu", "name": "RMC Medical ICU"}],
            "start_date": "2026-01-05",
            "target_date": "2026-09-30",
            "go_live_date": None,
            "health": "at_risk",
            "last_update_at": iso(update.at),
            "is_stale": True,
            "overdue_milestones": 1,
            "linked_requests": 1,
            "version": 1,
            "created_at": iso(row.created_at),
            "updated_at": iso(row.updated_at),
        }
    ]


def test_the_list_takes_the_initiative_filters(
    cmio: User, cmo: User, lead: User, zero_harm: StrategicPriority, icu: Facility, api_as: ApiAs
) -> None:
    sepsis = create_initiative(
        cmio,
        title="Sepsis early-warning redesign",
        type="cds",
        priorities={zero_harm: "strong"},
        facilities=[icu],
    )
    StatusUpdateFactory.create(initiative=sepsis, author=lead, schedule="off_track")
    inbox = approved(cmio, cmo, title="Inbox burden reduction", type="inbox")
    Initiative.objects.filter(pk=inbox.pk).update(created_at=NOW - datetime.timedelta(days=90))
    StageChange.objects.filter(initiative=inbox).update(at=NOW - datetime.timedelta(days=90))
    Initiative.objects.filter(pk=inbox.pk).update(
        forecast_locked_at=NOW - datetime.timedelta(days=40)
    )
    client = api_as(cmo)

    def titles(**params: Any) -> list[str]:
        response = client.get(URL, params)
        assert response.status_code == 200, response.content
        return [row["title"] for row in response.json()["results"]]

    assert titles() == ["Inbox burden reduction", "Sepsis early-warning redesign"]
    assert titles(stage="approved") == ["Inbox burden reduction"]
    assert titles(type="cds") == ["Sepsis early-warning redesign"]
    assert titles(priority=zero_harm.pk) == ["Sepsis early-warning redesign"]
    assert titles(facility=icu.pk) == ["Sepsis early-warning redesign"]
    assert titles(health="off_track") == ["Sepsis early-warning redesign"]
    assert titles(health="none") == ["Inbox burden reduction"]
    assert titles(stale="true") == ["Inbox burden reduction"]
    assert titles(stale="false") == ["Sepsis early-warning redesign"]
    assert titles(q="inbox") == ["Inbox burden reduction"]
    assert titles(q=f"#{sepsis.pk}") == ["Sepsis early-warning redesign"]
    bad = client.get(URL, {"stage": "flying"})
    assert bad.status_code == 400
    assert list(bad.json()) == ["stage"]


def test_detail_shows_alignment_timeline_milestones_status_benefits_and_requests(
    users: dict[str, User],
    make_user: Callable[..., User],
    cmio: User,
    cmo: User,
    lead: User,
    zero_harm: StrategicPriority,
    joy: StrategicPriority,
    icu: Facility,
    api_as: ApiAs,
) -> None:
    champion = users[Role.CHAMPION]
    mine = scored_request(lead, champion, title="Sepsis alert fires on every post-op tachycardia")
    private = scored_request(lead, make_user(Role.CHAMPION), title="Private one", is_private=True)
    initiative = create_initiative(
        cmio,
        title="Sepsis early-warning redesign",
        type="cds",
        summary="Rebuild the sepsis alert with a post-operative window.",
        problem_statement="71% of post-operative firings are dismissed.",
        executive_sponsor=cmo,
        cmio_owner=cmio,
        informaticist_lead=lead,
        champions=[champion],
        facilities=[icu],
        priorities={zero_harm: "strong", joy: "moderate"},
        start_date=datetime.date(2026, 2, 1),
        target_date=datetime.date(2026, 8, 31),
        effort_hours=480,
        cost_estimate=Decimal("85000.00"),
        requests=[mine, private],
    )
    benefit = services.benefit_add(
        actor=cmio,
        initiative=initiative,
        value_category="engagement",
        description="Sepsis alerts per 100 patient-days",
        unit="alerts",
        baseline=Decimal("38"),
        target=Decimal("12"),
        horizon=datetime.date(2026, 12, 31),
    )
    advance(cmo, initiative, G.APPROVED, reason="Approved with the CDS committee.")
    advance(cmio, initiative, G.IN_BUILD)
    services.benefit_update(actor=cmio, benefit=benefit, target=Decimal("15"))
    done = services.milestone_add(
        actor=lead, initiative=initiative, title="Design sign-off", due_date=TODAY
    )
    services.milestone_done(actor=lead, milestone=done)
    late = services.milestone_add(
        actor=lead,
        initiative=initiative,
        title="Silent-mode validation",
        due_date=datetime.date(2026, 3, 1),
    )
    services.status_update_post(
        actor=lead,
        initiative=initiative,
        schedule="on_track",
        scope="on_track",
        budget="on_track",
        adoption="on_track",
        narrative="Build started.",
    )
    latest = services.status_update_post(
        actor=lead,
        initiative=initiative,
        schedule="at_risk",
        scope="on_track",
        budget="on_track",
        adoption="on_track",
        narrative="Validation two weeks behind.",
        risks="Go-live slips.",
    )
    initiative.refresh_from_db()
    benefit.refresh_from_db()
    done.refresh_from_db()
    timeline = list(initiative.stage_changes.order_by("at", "id"))
    assert initiative.version == 3  # created, approved, into build

    body = api_as(champion).get(f"{URL}{initiative.pk}/").json()

    assert body == {
        "id": initiative.pk,
        "title": "Sepsis early-warning redesign",
        "type": "cds",
        "stage": "in_build",
        "stage_changed_at": iso(initiative.stage_changed_at),
        "priorities": [
            {"priority": priority_ref(zero_harm), "alignment": "strong"},
            {"priority": priority_ref(joy), "alignment": "moderate"},
        ],
        "executive_sponsor": person(cmo, viewer=champion),
        "cmio_owner": person(cmio, viewer=champion),
        "informaticist_lead": person(lead, viewer=champion),
        "facilities": [{"id": icu.pk, "code": "rmc-micu", "name": "RMC Medical ICU"}],
        "start_date": "2026-02-01",
        "target_date": "2026-08-31",
        "go_live_date": None,
        "health": "at_risk",
        "last_update_at": iso(latest.at),
        "is_stale": False,
        "overdue_milestones": 1,
        "linked_requests": 2,
        "version": 3,
        "created_at": iso(initiative.created_at),
        "updated_at": iso(initiative.updated_at),
        "summary": "Rebuild the sepsis alert with a post-operative window.",
        "problem_statement": "71% of post-operative firings are dismissed.",
        "champions": [person(champion, viewer=champion)],
        "effort_hours": 480,
        "cost_estimate": 85000.0,
        "revisit_date": None,
        "stage_reason": "",
        "forecast_locked_at": iso(initiative.forecast_locked_at),
        "timeline": [
            {
                "from_stage": "",
                "to_stage": "proposed",
                "is_gate": False,
                "actor": person(cmio),
                "reason": "",
                "at": iso(timeline[0].at),
            },
            {
                "from_stage": "proposed",
                "to_stage": "approved",
                "is_gate": True,
                "actor": person(cmo),
                "reason": "Approved with the CDS committee.",
                "at": iso(timeline[1].at),
            },
            {
                "from_stage": "approved",
                "to_stage": "in_build",
                "is_gate": False,
                "actor": person(cmio),
                "reason": "",
                "at": iso(timeline[2].at),
            },
        ],
        "milestones": [
            {
                "id": late.pk,
                "title": "Silent-mode validation",
                "due_date": "2026-03-01",
                "done_at": None,
                "done_by": None,
                "is_overdue": True,
            },
            {
                "id": done.pk,
                "title": "Design sign-off",
                "due_date": "2026-03-02",
                "done_at": iso(done.done_at),
                "done_by": person(lead),
                "is_overdue": False,
            },
        ],
        "latest_status_update": {
            "id": latest.pk,
            "author": person(lead),
            "at": iso(latest.at),
            "schedule": "at_risk",
            "scope": "on_track",
            "budget": "on_track",
            "adoption": "on_track",
            "health": "at_risk",
            "narrative": "Validation two weeks behind.",
            "risks": "Go-live slips.",
        },
        "benefits": [
            {
                "id": benefit.pk,
                "value_category": "engagement",
                "description": "Sepsis alerts per 100 patient-days",
                "unit": "alerts",
                "baseline": 38.0,
                "target": 15.0,
                "horizon": "2026-12-31",
                "locked_baseline": 38.0,
                "locked_target": 12.0,
                "locked_horizon": "2026-12-31",
                "locked_at": iso(benefit.locked_at),
                "variance": {"baseline": 0.0, "target": 3.0, "horizon_days": 0},
            }
        ],
        # The private request of another champion is not shown to this champion.
        "requests": [
            {
                "id": mine.pk,
                "title": "Sepsis alert fires on every post-op tachycardia",
                "status": "in_build",
            }
        ],
    }
    everything = api_as(cmio).get(f"{URL}{initiative.pk}/").json()
    assert [(row["id"], row["status"]) for row in everything["requests"]] == [
        (mine.pk, "in_build"),
        (private.pk, "in_build"),
    ]


def test_an_unknown_initiative_is_404(users: dict[str, User], api_as: ApiAs) -> None:
    assert api_as(users[Role.CHAMPION]).get(f"{URL}999999/").status_code == 404


def test_anonymous_callers_are_asked_to_sign_in(cmio: User) -> None:
    initiative = create_initiative(cmio)

    for url in (URL, f"{URL}{initiative.pk}/", f"{URL}{initiative.pk}/milestones/"):
        response = APIClient().get(url)
        assert response.status_code == 401, url
    assert APIClient().post(URL, {}, format="json").status_code == 401


# --- Creating -------------------------------------------------------------------------------


def test_the_cmio_creates_an_initiative_linked_to_two_priorities_and_three_requests(
    users: dict[str, User],
    make_user: Callable[..., User],
    cmio: User,
    cmo: User,
    lead: User,
    zero_harm: StrategicPriority,
    joy: StrategicPriority,
    icu: Facility,
    api_as: ApiAs,
) -> None:
    requests = [scored_request(lead, title=f"Admission clicks, take {n}") for n in (1, 2, 3)]

    response = api_as(cmio).post(
        URL,
        {
            "title": "Admission order set clean-up",
            "type": "order_set",
            "summary": "Remove unused orders from the admission order sets.",
            "problem_statement": "Four extra clicks per admission.",
            "executive_sponsor": cmo.pk,
            "cmio_owner": cmio.pk,
            "informaticist_lead": lead.pk,
            "champions": [users[Role.CHAMPION].pk],
            "facilities": ["rmc-micu"],
            "priorities": [
                {"priority": zero_harm.pk, "alignment": "moderate"},
                {"priority": joy.pk, "alignment": "strong"},
            ],
            "start_date": "2026-04-01",
            "target_date": "2026-10-01",
            "effort_hours": 120,
            "cost_estimate": "15000.50",
            "requests": [row.pk for row in requests],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    row = Initiative.objects.get()
    body = response.json()
    assert body["id"] == row.pk
    assert (body["stage"], body["version"], body["cost_estimate"]) == ("proposed", 1, 15000.5)
    assert body["priorities"] == [
        {"priority": priority_ref(zero_harm), "alignment": "moderate"},
        {"priority": priority_ref(joy), "alignment": "strong"},
    ]
    assert [(r["id"], r["status"]) for r in body["requests"]] == [
        (r.pk, "scored") for r in requests
    ]
    assert [step["to_stage"] for step in body["timeline"]] == ["proposed"]
    assert (row.executive_sponsor, row.cmio_owner, row.informaticist_lead) == (cmo, cmio, lead)
    assert list(row.facilities.all()) == [icu]
    assert list(row.champions.all()) == [users[Role.CHAMPION]]
    assert set(IntakeRequest.objects.values_list("initiative_link__initiative", flat=True)) == {
        row.pk
    }
    event = AuditEvent.objects.filter(
        content_type__model="initiative", object_id=str(row.pk), action="create"
    ).get()
    assert event.actor == cmio


def test_an_informaticist_creates_one_they_lead(lead: User, api_as: ApiAs) -> None:
    response = api_as(lead).post(
        URL,
        {"title": "Falls order panel", "type": "order_set", "summary": "A panel."},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["informaticist_lead"] == person(lead, viewer=lead)
    assert Initiative.objects.get().informaticist_lead == lead


def test_bad_input_is_refused_naming_each_field_and_nothing_is_saved(
    cmio: User, zero_harm: StrategicPriority, users: dict[str, User], api_as: ApiAs
) -> None:
    closed = submit(users[Role.CHAMPION], title="Withdrawn one")
    intake_services.request_withdraw(actor=users[Role.CHAMPION], request=closed)
    client = api_as(cmio)

    by_serializer = client.post(
        URL,
        {
            "title": "",
            "type": "wishful",
            "summary": "A plan.",
            "priorities": [
                {"priority": zero_harm.pk, "alignment": "strong"},
                {"priority": zero_harm.pk, "alignment": "weak"},
            ],
            "facilities": ["nowhere"],
            "requests": [999999],
        },
        format="json",
    )
    by_service = client.post(
        URL,
        {
            "title": "Fine",
            "type": "cds",
            "summary": "A plan.",
            "cmio_owner": users[Role.CHAMPION].pk,
            "start_date": "2026-05-01",
            "target_date": "2026-04-01",
        },
        format="json",
    )
    closed_request = client.post(
        URL,
        {"title": "Fine", "type": "cds", "summary": "A plan.", "requests": [closed.pk]},
        format="json",
    )

    assert by_serializer.status_code == 400
    assert sorted(by_serializer.json()) == ["facilities", "priorities", "requests", "title", "type"]
    assert by_serializer.json()["requests"] == ["No request with id 999999."]
    assert by_serializer.json()["priorities"] == ["Name each priority once."]
    assert by_service.status_code == 400
    assert by_service.json() == {
        "cmio_owner": ["Choose an active person who holds the CMIO role."],
        "target_date": ["The target date cannot be before the start date."],
    }
    assert closed_request.status_code == 409  # the request's state refuses the link
    assert closed_request.json() == {"requests": [f"Cannot link: #{closed.pk} is withdrawn."]}
    assert Initiative.objects.count() == 0
    assert StageChange.objects.count() == 0


def test_text_that_looks_like_patient_information_is_refused_until_confirmed(
    cmio: User, api_as: ApiAs
) -> None:
    client = api_as(cmio)
    payload = {
        "title": "Readmission outreach",
        "type": "analytics",
        "summary": "Call back patients like MRN 4412897 within two days.",
    }

    refused = client.post(URL, payload, format="json")
    confirmed = client.post(URL, {**payload, "phi_confirmed": True}, format="json")

    assert refused.status_code == 400
    body = refused.json()
    assert body["phi_flagged"] == {"summary": ["mrn"]}
    assert body["phi_confirmed"] == [PHI_RESEND]
    assert "MRN 4412897" in body["summary"][0]
    assert confirmed.status_code == 201, confirmed.content
    initiative = Initiative.objects.get()
    confirmation = PhiConfirmation.objects.get()
    assert (confirmation.object_id, confirmation.field, confirmation.kinds) == (
        str(initiative.pk),
        "summary",
        ["mrn"],
    )


# --- Editing --------------------------------------------------------------------------------


def test_an_edit_with_the_current_version_saves_and_is_audited(
    cmio: User, cmo: User, zero_harm: StrategicPriority, joy: StrategicPriority, api_as: ApiAs
) -> None:
    initiative = create_initiative(cmio, priorities={zero_harm: "strong"})

    response = api_as(cmio).patch(
        f"{URL}{initiative.pk}/",
        {
            "version": 1,
            "title": "Admission order set redesign",
            "executive_sponsor": cmo.pk,
            "priorities": [{"priority": joy.pk, "alignment": "weak"}],
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["version"]) == ("Admission order set redesign", 2)
    assert body["executive_sponsor"] == person(cmo)
    assert body["priorities"] == [{"priority": priority_ref(joy), "alignment": "weak"}]
    changes = [
        event.changes
        for event in AuditEvent.objects.filter(
            content_type__model="initiative", action="update"
        ).order_by("id")
    ]
    assert changes[0]["title"] == ["Admission order set clean-up", "Admission order set redesign"]
    assert changes[0]["executive_sponsor"] == [None, str(cmo)]
    assert changes[1] == {
        "priorities": [["Zero Harm (strong)"], ["Restore joy in practice (weak)"]]
    }


def test_two_clients_edit_the_same_initiative_and_the_first_edit_survives(
    cmio: User, lead: User, api_as: ApiAs
) -> None:
    initiative = create_initiative(cmio, informaticist_lead=lead)
    url = f"{URL}{initiative.pk}/"
    first, second = api_as(cmio), api_as(lead)
    loaded = first.get(url).json()["version"]
    assert second.get(url).json()["version"] == loaded == 1

    saved = first.patch(url, {"version": loaded, "title": "First title"}, format="json")
    events = AuditEvent.objects.count()
    stale = second.patch(
        url, {"version": loaded, "title": "Second title", "effort_hours": 9}, format="json"
    )

    assert saved.status_code == 200, saved.content
    assert stale.status_code == 409
    assert stale.json() == {
        "detail": "First title was changed by someone else (version 2, you edited version 1). "
        "Reload and apply your change again.",
        "current_version": 2,
    }
    row = Initiative.objects.get()
    assert (row.title, row.effort_hours, row.version) == ("First title", None, 2)
    assert AuditEvent.objects.count() == events


def test_an_edit_needs_a_version_and_a_field_and_cannot_move_the_stage(
    cmio: User, api_as: ApiAs
) -> None:
    initiative = create_initiative(cmio)
    client = api_as(cmio)
    url = f"{URL}{initiative.pk}/"

    no_version = client.patch(url, {"title": "New"}, format="json")
    nothing = client.patch(url, {"version": 1}, format="json")
    stage = client.patch(url, {"version": 1, "stage": "live", "title": "New"}, format="json")

    assert no_version.status_code == 400
    assert list(no_version.json()) == ["version"]
    assert nothing.status_code == 400
    assert nothing.json() == {
        "non_field_errors": ["Give at least one field to change besides version."]
    }
    # Unknown fields are ignored by the input serializer: the stage moves through its action.
    assert stage.status_code == 200
    assert Initiative.objects.values_list("stage", "title").get() == ("proposed", "New")


# --- The stage action -----------------------------------------------------------------------


def test_the_cmo_approves_at_the_gate_by_a_decision_and_the_forecast_is_locked(
    cmio: User, cmo: User, api_as: ApiAs
) -> None:
    initiative = create_initiative(cmio)
    benefit = services.benefit_add(
        actor=cmio,
        initiative=initiative,
        value_category="financial",
        description="Staff hours saved",
        unit="hours a month",
        baseline=Decimal("1300"),
        target=Decimal("500"),
        horizon=datetime.date(2027, 3, 31),
    )

    GovernanceBody.objects.create(code="steering", name="Executive steering", kind="steering")

    decided = api_as(cmo).post(
        "/api/v1/decisions/",
        {
            "body": "steering",
            "initiative": initiative.pk,
            "outcome": "approve",
            "rationale": "Worth the build.",
            "waiver": "The lead is named at kick-off.",
        },
        format="json",
    )

    assert decided.status_code == 201, decided.content
    response = api_as(cmo).get(f"{URL}{initiative.pk}/")
    body = response.json()
    assert (body["stage"], body["version"]) == ("approved", 2)
    assert body["forecast_locked_at"] == iso(NOW)
    assert body["timeline"][-1] == {
        "from_stage": "proposed",
        "to_stage": "approved",
        "is_gate": True,
        "actor": person(cmo, viewer=cmo),
        "reason": "Worth the build.",
        "at": iso(NOW),
    }
    benefit.refresh_from_db()
    assert (benefit.locked_baseline, benefit.locked_target, benefit.locked_horizon) == (
        Decimal("1300.00"),
        Decimal("500.00"),
        datetime.date(2027, 3, 31),
    )


def test_a_move_outside_the_table_is_refused_naming_to_stage(cmio: User, api_as: ApiAs) -> None:
    initiative = create_initiative(cmio)

    response = api_as(cmio).post(
        f"{URL}{initiative.pk}/stage/", {"to_stage": "live", "version": 1}, format="json"
    )
    unknown = api_as(cmio).post(
        f"{URL}{initiative.pk}/stage/", {"to_stage": "flying", "version": 1}, format="json"
    )

    assert response.status_code == 409  # a stage, but not one the current stage moves to
    assert response.json() == {
        "to_stage": [
            "Cannot move an initiative from Proposed to Live: allowed next stages are "
            "Approved, Deferred, Stopped."
        ]
    }
    assert unknown.status_code == 400
    assert list(unknown.json()) == ["to_stage"]
    assert Initiative.objects.values_list("stage", "version").get() == ("proposed", 1)
    assert StageChange.objects.count() == 1


@pytest.mark.parametrize("to_stage", [{}, ["approved"], 5, None])
def test_a_to_stage_that_is_not_a_stage_name_is_a_400_naming_it(
    cmio: User, to_stage: Any, api_as: ApiAs
) -> None:
    initiative = create_initiative(cmio)

    response = api_as(cmio).post(
        f"{URL}{initiative.pk}/stage/", {"to_stage": to_stage, "version": 1}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["to_stage"]
    assert Initiative.objects.values_list("stage", "version").get() == ("proposed", 1)
    assert StageChange.objects.count() == 1


def test_a_to_stage_that_is_not_a_stage_name_is_refused_to_who_may_not_edit(
    users: dict[str, User], cmio: User, api_as: ApiAs
) -> None:
    initiative = create_initiative(cmio)

    response = api_as(users[Role.CHAMPION]).post(
        f"{URL}{initiative.pk}/stage/", {"to_stage": {}, "version": 1}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "You may not do this (initiative.edit)."}
    assert Initiative.objects.values_list("stage", "version").get() == ("proposed", 1)


def test_deferring_is_a_decision_that_needs_a_revisit_date(cmio: User, api_as: ApiAs) -> None:
    """The stage action refuses a deferral (tested with the permissions); the decisions API
    takes it, with its rationale and revisit date, and moves the initiative."""
    GovernanceBody.objects.create(code="steering", name="Executive steering", kind="steering")
    initiative = create_initiative(cmio)
    client = api_as(cmio)
    decision = {
        "body": "steering",
        "initiative": initiative.pk,
        "outcome": "defer",
        "rationale": "Waiting for the resource directory.",
    }

    refused = client.post("/api/v1/decisions/", decision, format="json")
    deferred = client.post(
        "/api/v1/decisions/", {**decision, "revisit_on": "2026-06-01"}, format="json"
    )

    assert refused.status_code == 400
    assert refused.json() == {"revisit_on": ["Give the date to revisit a deferred decision."]}
    assert deferred.status_code == 201, deferred.content
    assert (deferred.json()["outcome"], deferred.json()["revisit_on"]) == ("defer", "2026-06-01")
    body = client.get(f"{URL}{initiative.pk}/").json()
    assert (body["stage"], body["revisit_date"], body["stage_reason"], body["version"]) == (
        "deferred",
        "2026-06-01",
        "Waiting for the resource directory.",
        2,
    )


def test_a_gate_is_refused_to_the_cmio_and_a_build_move_to_the_cmo(
    cmio: User, cmo: User, api_as: ApiAs
) -> None:
    initiative = approved(cmio, cmo)
    proposed = create_initiative(cmio, title="Another")

    gate = api_as(cmio).post(
        f"{URL}{proposed.pk}/stage/", {"to_stage": "approved", "version": 1}, format="json"
    )
    stop = api_as(cmio).post(
        f"{URL}{initiative.pk}/stage/",
        {"to_stage": "stopped", "version": 2, "reason": "No."},
        format="json",
    )
    build = api_as(cmo).post(
        f"{URL}{initiative.pk}/stage/", {"to_stage": "in_build", "version": 2}, format="json"
    )

    assert (gate.status_code, gate.json()) == (
        403,
        {"detail": "You may not do this (initiative.gate)."},
    )
    assert (stop.status_code, stop.json()) == (
        403,
        {"detail": "You may not do this (initiative.gate)."},
    )
    assert (build.status_code, build.json()) == (
        403,
        {"detail": "You may not do this (initiative.edit)."},
    )
    assert sorted(Initiative.objects.values_list("stage", "version")) == [
        ("approved", 2),
        ("proposed", 1),
    ]


def test_a_stale_stage_move_is_409_and_the_first_move_survives(
    cmio: User, cmo: User, api_as: ApiAs
) -> None:
    initiative = approved(cmio, cmo)
    url = f"{URL}{initiative.pk}/stage/"

    first = api_as(cmio).post(url, {"to_stage": "in_build", "version": 2}, format="json")
    second = api_as(cmio).post(
        url, {"to_stage": "on_hold", "version": 2, "reason": "Pause."}, format="json"
    )

    assert first.status_code == 200, first.content
    assert second.status_code == 409
    assert second.json()["current_version"] == 3
    row = Initiative.objects.get()
    assert (row.stage, row.stage_reason, row.version) == ("in_build", "", 3)
    assert list(StageChange.objects.order_by("id").values_list("to_stage", flat=True)) == [
        "proposed",
        "approved",
        "in_build",
    ]


def test_going_live_records_the_date_and_linked_requests_follow(
    cmio: User, cmo: User, lead: User, api_as: ApiAs
) -> None:
    requests = [scored_request(lead, title=f"Take {n}") for n in (1, 2)]
    initiative = approved(cmio, cmo, requests=requests)
    client = api_as(cmio)
    url = f"{URL}{initiative.pk}/stage/"

    build = client.post(url, {"to_stage": "in_build", "version": 2}, format="json")
    live = client.post(
        url, {"to_stage": "live", "version": 3, "go_live_date": "2026-02-27"}, format="json"
    )

    assert build.status_code == 200, build.content
    assert [r["status"] for r in build.json()["requests"]] == ["in_build", "in_build"]
    assert live.status_code == 200, live.content
    assert live.json()["go_live_date"] == "2026-02-27"
    assert [r["status"] for r in live.json()["requests"]] == ["released", "released"]
    assert set(IntakeRequest.objects.values_list("status", flat=True)) == {S.RELEASED}


# --- Milestones -----------------------------------------------------------------------------


def test_milestones_are_added_listed_and_marked_done(cmio: User, lead: User, api_as: ApiAs) -> None:
    initiative = create_initiative(cmio, informaticist_lead=lead)
    client = api_as(lead)
    url = f"{URL}{initiative.pk}/milestones/"

    added = client.post(url, {"title": "Build complete", "due_date": "2026-03-01"}, format="json")
    milestone = Milestone.objects.get()
    done = client.post(f"{url}{milestone.pk}/done/")
    again = client.post(f"{url}{milestone.pk}/done/")
    listed = api_as(cmio).get(url)

    assert added.status_code == 201, added.content
    assert added.json() == {
        "id": milestone.pk,
        "title": "Build complete",
        "due_date": "2026-03-01",
        "done_at": None,
        "done_by": None,
        "is_overdue": True,
    }
    assert done.status_code == 200, done.content
    assert done.json() == {
        "id": milestone.pk,
        "title": "Build complete",
        "due_date": "2026-03-01",
        "done_at": iso(NOW),
        "done_by": person(lead, viewer=lead),
        "is_overdue": False,
    }
    assert again.status_code == 409
    assert again.json() == {"done_at": ["This milestone is already done."]}
    assert listed.status_code == 200
    assert listed.json() == [{**done.json(), "done_by": person(lead, viewer=cmio)}]


def test_a_milestone_of_another_initiative_is_404(cmio: User, api_as: ApiAs) -> None:
    mine, other = create_initiative(cmio), create_initiative(cmio, title="Other")
    milestone = MilestoneFactory.create(initiative=other)

    response = api_as(cmio).post(f"{URL}{mine.pk}/milestones/{milestone.pk}/done/")

    assert response.status_code == 404
    assert Milestone.objects.get().done_at is None


def test_a_milestone_needs_a_title_and_a_due_date(cmio: User, api_as: ApiAs) -> None:
    initiative = create_initiative(cmio)

    response = api_as(cmio).post(
        f"{URL}{initiative.pk}/milestones/", {"title": "", "due_date": "soon"}, format="json"
    )

    assert response.status_code == 400
    assert sorted(response.json()) == ["due_date", "title"]
    assert Milestone.objects.count() == 0


# --- Status updates -------------------------------------------------------------------------


def test_a_status_update_sets_health_and_lists_newest_first(
    users: dict[str, User], cmio: User, lead: User, api_as: ApiAs
) -> None:
    initiative = create_initiative(cmio, informaticist_lead=lead)
    older = StatusUpdateFactory.create(
        initiative=initiative, author=lead, at=NOW - datetime.timedelta(days=8)
    )
    url = f"{URL}{initiative.pk}/status-updates/"

    posted = api_as(lead).post(
        url,
        {
            "schedule": "on_track",
            "scope": "at_risk",
            "budget": "off_track",
            "adoption": "on_track",
            "narrative": "Licences cost more than planned.",
            "risks": "The vendor bills per seat.",
        },
        format="json",
    )
    listed = api_as(users[Role.CHAMPION]).get(url)
    detail = api_as(cmio).get(f"{URL}{initiative.pk}/").json()

    update = StatusUpdate.objects.exclude(pk=older.pk).get()
    assert posted.status_code == 201, posted.content
    assert posted.json() == {
        "id": update.pk,
        "author": person(lead, viewer=lead),
        "at": iso(NOW),
        "schedule": "on_track",
        "scope": "at_risk",
        "budget": "off_track",
        "adoption": "on_track",
        "health": "off_track",
        "narrative": "Licences cost more than planned.",
        "risks": "The vendor bills per seat.",
    }
    assert [row["id"] for row in listed.json()] == [update.pk, older.pk]
    assert (detail["health"], detail["latest_status_update"]["id"]) == ("off_track", update.pk)


def test_a_status_update_with_patient_information_gets_the_phi_answer(
    cmio: User, lead: User, api_as: ApiAs
) -> None:
    initiative = create_initiative(cmio, informaticist_lead=lead)
    url = f"{URL}{initiative.pk}/status-updates/"
    payload = {
        "schedule": "on_track",
        "scope": "on_track",
        "budget": "on_track",
        "adoption": "on_track",
        "narrative": "Went well.",
        "risks": "The patient at 555-201-3344 complained.",
    }

    refused = api_as(lead).post(url, payload, format="json")
    confirmed = api_as(lead).post(url, {**payload, "phi_confirmed": True}, format="json")

    assert refused.status_code == 400
    assert refused.json() == {
        "risks": [
            "This looks like patient information (phone number: “555-201-3344”). Edit it out, "
            "or confirm it is not patient information."
        ],
        "phi_flagged": {"risks": ["phone"]},
        "phi_confirmed": [PHI_RESEND],
    }
    assert confirmed.status_code == 201, confirmed.content
    update = StatusUpdate.objects.get()
    confirmation = PhiConfirmation.objects.get()
    assert (confirmation.object_id, confirmation.field, confirmation.kinds) == (
        str(update.pk),
        "risks",
        ["phone"],
    )


def test_a_status_update_names_each_bad_dimension(cmio: User, api_as: ApiAs) -> None:
    initiative = create_initiative(cmio)

    response = api_as(cmio).post(
        f"{URL}{initiative.pk}/status-updates/",
        {"schedule": "great", "scope": "on_track", "budget": "on_track", "narrative": ""},
        format="json",
    )

    assert response.status_code == 400
    assert sorted(response.json()) == ["adoption", "narrative", "schedule"]
    assert StatusUpdate.objects.count() == 0


# --- Benefit plan ---------------------------------------------------------------------------


def test_after_approval_an_edit_shows_as_variance_and_the_locked_value_stays(
    cmio: User, cmo: User, api_as: ApiAs
) -> None:
    initiative = create_initiative(cmio)
    client = api_as(cmio)
    url = f"{URL}{initiative.pk}/benefits/"
    added = client.post(
        url,
        {
            "value_category": "safety_quality",
            "description": "SEP-1 bundle compliance",
            "unit": "%",
            "baseline": "58",
            "target": "75",
            "horizon": "2026-12-31",
        },
        format="json",
    )
    benefit = BenefitLine.objects.get()
    assert added.status_code == 201, added.content
    assert (added.json()["locked_target"], added.json()["variance"]) == (None, None)
    advance(cmo, initiative, G.APPROVED, reason="Go.")

    edited = client.patch(
        f"{url}{benefit.pk}/", {"target": "80", "horizon": "2027-03-31"}, format="json"
    )
    locked_edit = client.patch(f"{url}{benefit.pk}/", {"locked_target": "90"}, format="json")
    listed = api_as(cmo).get(url)

    assert edited.status_code == 200, edited.content
    assert edited.json() == {
        "id": benefit.pk,
        "value_category": "safety_quality",
        "description": "SEP-1 bundle compliance",
        "unit": "%",
        "baseline": 58.0,
        "target": 80.0,
        "horizon": "2027-03-31",
        "locked_baseline": 58.0,
        "locked_target": 75.0,
        "locked_horizon": "2026-12-31",
        "locked_at": iso(NOW),
        "variance": {"baseline": 0.0, "target": 5.0, "horizon_days": 90},
    }
    # The locked forecast is not a field of the edit: nothing to change, nothing changed.
    assert locked_edit.status_code == 400
    assert listed.json() == [edited.json()]
    benefit.refresh_from_db()
    assert benefit.locked_target == Decimal("75.00")


def test_a_benefit_of_another_initiative_is_404(cmio: User, api_as: ApiAs) -> None:
    mine, other = create_initiative(cmio), create_initiative(cmio, title="Other")
    benefit = services.benefit_add(
        actor=cmio,
        initiative=other,
        value_category="equity",
        description="Screened",
        unit="%",
        baseline=Decimal(8),
        target=Decimal(90),
        horizon=datetime.date(2027, 1, 1),
    )

    response = api_as(cmio).patch(
        f"{URL}{mine.pk}/benefits/{benefit.pk}/", {"target": "95"}, format="json"
    )

    assert response.status_code == 404
    assert BenefitLine.objects.get().target == Decimal("90.00")


# --- Linking requests -----------------------------------------------------------------------


def test_linked_requests_follow_the_current_stage(
    users: dict[str, User], cmio: User, cmo: User, lead: User, api_as: ApiAs
) -> None:
    initiative = approved(cmio, cmo)
    advance(cmio, initiative, G.IN_BUILD)
    scored = scored_request(lead, title="Scored one")
    waiting = submit(users[Role.CHAMPION], title="Still waiting")
    url = f"{URL}{initiative.pk}/link-requests/"

    refused = api_as(cmio).post(url, {"requests": [scored.pk, waiting.pk]}, format="json")
    response = api_as(cmio).post(url, {"requests": [scored.pk]}, format="json")

    # A request still waiting for triage is refused, and nothing of the call is linked.
    assert refused.status_code == 409
    assert (
        f"Cannot link: #{waiting.pk} is waiting for triage (submitted): triage and score it first."
        in refused.content.decode()
    )
    assert response.status_code == 200, response.content
    # A scored request moves into build.
    assert response.json()["requests"] == [
        {"id": scored.pk, "title": "Scored one", "status": "in_build"},
    ]
    assert response.json()["linked_requests"] == 1


def test_linking_names_unknown_and_closed_requests(
    cmio: User, users: dict[str, User], api_as: ApiAs
) -> None:
    initiative = create_initiative(cmio)
    withdrawn = submit(users[Role.CHAMPION], title="Withdrawn")
    intake_services.request_withdraw(actor=users[Role.CHAMPION], request=withdrawn)
    url = f"{URL}{initiative.pk}/link-requests/"

    unknown = api_as(cmio).post(url, {"requests": [999999]}, format="json")
    closed = api_as(cmio).post(url, {"requests": [withdrawn.pk]}, format="json")
    empty = api_as(cmio).post(url, {"requests": []}, format="json")

    assert unknown.status_code == 404
    assert unknown.json() == {"requests": ["No request with id 999999."]}
    assert closed.status_code == 409
    assert closed.json() == {"requests": [f"Cannot link: #{withdrawn.pk} is withdrawn."]}
    assert empty.status_code == 400
    assert list(empty.json()) == ["requests"]
    assert initiative_of(IntakeRequest.objects.get()) is None


# --- Documentation --------------------------------------------------------------------------

OPERATIONS = {
    ("/api/v1/initiatives/", "get"): "initiatives_list",
    ("/api/v1/initiatives/", "post"): "initiatives_create",
    ("/api/v1/initiatives/{id}/", "get"): "initiatives_retrieve",
    ("/api/v1/initiatives/{id}/", "patch"): "initiatives_update",
    ("/api/v1/initiatives/{id}/stage/", "post"): "initiatives_stage",
    ("/api/v1/initiatives/{id}/link-requests/", "post"): "initiatives_link_requests",
    ("/api/v1/initiatives/{id}/milestones/", "get"): "initiatives_milestones_list",
    ("/api/v1/initiatives/{id}/milestones/", "post"): "initiatives_milestones_create",
    (
        "/api/v1/initiatives/{id}/milestones/{milestone_id}/done/",
        "post",
    ): "initiatives_milestone_done",
    ("/api/v1/initiatives/{id}/status-updates/", "get"): "initiatives_status_updates_list",
    ("/api/v1/initiatives/{id}/status-updates/", "post"): "initiatives_status_updates_create",
    ("/api/v1/initiatives/{id}/benefits/", "get"): "initiatives_benefits_list",
    ("/api/v1/initiatives/{id}/benefits/", "post"): "initiatives_benefits_create",
    ("/api/v1/initiatives/{id}/benefits/{benefit_id}/", "patch"): "initiatives_benefit_update",
}


def test_every_operation_is_documented_with_a_summary(cmio: User, api_as: ApiAs) -> None:
    schema = api_as(cmio).get("/api/schema/", {"format": "json"}).json()

    documented = {
        (path, method): operation
        for path, methods in schema["paths"].items()
        if path.startswith(URL)
        for method, operation in methods.items()
    }
    assert {key: op["operationId"] for key, op in documented.items()} == OPERATIONS
    for key, operation in documented.items():
        assert operation["summary"], key
        assert "403" in operation["responses"] or key[1] == "get", key
