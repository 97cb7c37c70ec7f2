"""Intake through the API: reading, submitting (with the PHI guard), editing with stale-edit
protection, "+1"s, the thread, triage and scoring, the status table, withdrawal, merging,
similar titles and the rubric."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from rest_framework import serializers

from informatics.choices import Role
from informatics.exceptions import PHI_RESEND
from informatics.models import AuditEvent, Facility, PhiConfirmation, StrategicPriority, User
from intake import services
from intake.choices import RequestStatus
from intake.models import IntakeRequest, RequestComment, RequestVote, Rubric
from tests.conftest import ApiAs
from tests.factories import FacilityFactory, PriorityFactory
from tests.intake.factories import FULL_RATINGS, submit, triage_fully

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

URL = "/api/v1/requests/"
S = RequestStatus


def iso(moment: datetime.datetime | None) -> str | None:
    """A date and time as the API writes it."""
    return None if moment is None else serializers.DateTimeField().to_representation(moment)


def person(user: User, *, viewer: User | None = None) -> dict[str, Any]:
    """A person as the API names them to `viewer`: the e-mail only for themself or an admin."""
    shown = viewer is not None and (viewer.pk == user.pk or viewer.has_role(Role.ADMIN))
    return {"id": user.pk, "full_name": user.full_name, "email": user.email if shown else None}


@pytest.fixture
def ed(db: None) -> Facility:
    facility: Facility = FacilityFactory.create(code="rmc-ed", name="RMC Emergency Department")
    return facility


@pytest.fixture
def zero_harm(db: None) -> StrategicPriority:
    priority: StrategicPriority = PriorityFactory.create(code="zero-harm", title="Zero Harm")
    return priority


@pytest.fixture
def champion(users: dict[str, User]) -> User:
    return users[Role.CHAMPION]


@pytest.fixture
def cmio(users: dict[str, User]) -> User:
    return users[Role.CMIO]


GOOD: dict[str, Any] = {
    "kind": "pain_point",
    "title": "Sepsis alert fires on every post-op tachycardia",
    "story_today": "I dismiss 20 a day.",
    "story_wanted": "Hold it for 24 hours after surgery.",
    "frequency": "several_daily",
}

# The value of FULL_RATINGS under rubric v1 with one person behind the request (reach 0):
# 25×3/5 + 20×4/5 + 15×2/5 + 0 + 10×1/5 + 0 + 5×3/5 + 5×5/5 = 15 + 16 + 6 + 2 + 3 + 5 = 47.
BREAKDOWN_ONE_PERSON = [
    {"code": "safety_quality", "label": "Patient safety and quality", "weight": 25, "rating": 3,
     "points": 15.0},
    {"code": "strategic_alignment", "label": "Strategic alignment", "weight": 20, "rating": 4,
     "points": 16.0},
    {"code": "time_saved", "label": "Clinician time saved", "weight": 15, "rating": 2,
     "points": 6.0},
    {"code": "reach", "label": "Reach", "weight": 15, "rating": 0, "points": 0.0},
    {"code": "financial", "label": "Financial", "weight": 10, "rating": 1, "points": 2.0},
    {"code": "equity", "label": "Equity", "weight": 5, "rating": 0, "points": 0.0},
    {"code": "evidence", "label": "Evidence", "weight": 5, "rating": 3, "points": 3.0},
    {"code": "readiness", "label": "Readiness", "weight": 5, "rating": 5, "points": 5.0},
]  # fmt: skip


# --- Reading --------------------------------------------------------------------------------


def test_a_champion_lists_their_own_and_every_public_request(
    users: dict[str, User], make_user: Callable[..., User], api_as: ApiAs
) -> None:
    champion, other = users[Role.CHAMPION], make_user(Role.CHAMPION)
    mine_private = submit(champion, title="My private one", is_private=True)
    public = submit(other, title="Public one")
    submit(other, title="Their private one", is_private=True)

    seen = api_as(champion).get(URL).json()
    everything = api_as(users[Role.EXECUTIVE]).get(URL).json()

    assert [row["title"] for row in seen["results"]] == ["Public one", "My private one"]
    assert seen["count"] == 2
    assert [row["id"] for row in seen["results"]] == [public.pk, mine_private.pk]
    assert [row["title"] for row in everything["results"]] == [
        "Their private one",
        "Public one",
        "My private one",
    ]


def test_a_list_row_names_its_people_place_votes_and_score(
    champion: User, cmio: User, ed: Facility, make_user: Callable[..., User], api_as: ApiAs
) -> None:
    row = submit(champion, facility=ed, specialty="Emergency Medicine", minutes_lost=2)
    triage_fully(cmio, row, route="cds_committee")
    services.request_vote(actor=make_user(Role.CHAMPION), request=row)
    row.refresh_from_db()

    listed = api_as(champion).get(URL).json()["results"]

    assert listed == [
        {
            "id": row.pk,
            "kind": "pain_point",
            "title": "Med rec screen loses home meds",
            "status": "scored",
            "status_changed_at": iso(row.status_changed_at),
            "route": "cds_committee",
            "sla_due_at": iso(row.sla_due_at),
            "facility": {"id": ed.pk, "code": "rmc-ed", "name": "RMC Emergency Department"},
            "specialty": "Emergency Medicine",
            "frequency": "daily",
            "is_safety_concern": False,
            "is_regulatory": False,
            "is_private": False,
            "submitted_by": person(champion, viewer=champion),
            "votes": 1,
            # Two people: reach 1 adds 15 × 1/5 = 3 to the one-person value of 47.
            "score": {"value": 50.0, "effort_band": "S", "priority_index": 25.0},
            "version": row.version,
            "created_at": iso(row.created_at),
            "updated_at": iso(row.updated_at),
        }
    ]


def test_the_list_takes_the_request_filters(
    champion: User, cmio: User, ed: Facility, zero_harm: StrategicPriority, api_as: ApiAs
) -> None:
    scored = triage_fully(
        cmio, submit(champion, title="Scored", facility=ed), priorities=[zero_harm]
    )
    submit(champion, title="Waiting", kind="safety", is_safety_concern=True)
    client = api_as(champion)

    def titles(**params: Any) -> list[str]:
        response = client.get(URL, params)
        assert response.status_code == 200, response.content
        return [row["title"] for row in response.json()["results"]]

    assert titles(status="scored") == ["Scored"]
    assert titles(kind="safety") == ["Waiting"]
    assert titles(route="fast_track") == ["Waiting"]
    assert titles(facility=ed.pk) == ["Scored"]
    assert titles(priority=zero_harm.pk) == ["Scored"]
    assert titles(min_score="47") == ["Scored"]
    assert titles(min_score="48") == []
    assert titles(q="waiting") == ["Waiting"]
    assert titles(q=f"#{scored.pk}") == ["Scored"]
    assert titles(state="open") == ["Waiting", "Scored"]
    bad = client.get(URL, {"status": "flying"})
    assert bad.status_code == 400
    assert list(bad.json()) == ["status"]


def test_detail_shows_timeline_score_breakdown_votes_and_thread(
    champion: User, cmio: User, ed: Facility, zero_harm: StrategicPriority, api_as: ApiAs
) -> None:
    row = submit(
        champion,
        facility=ed,
        specialty="Emergency Medicine",
        suggested_priority=zero_harm,
        workflow_area="ED ordering",
        ehr_module="Orders",
    )
    triage_fully(cmio, row, route="informatics_team", priorities=[zero_harm])
    comment = services.request_comment(actor=cmio, request=row, body="We see it in the logs.")
    row.refresh_from_db()
    score = row.current_score
    assert score is not None
    timeline = list(row.status_changes.order_by("at", "id"))

    body = api_as(champion).get(f"{URL}{row.pk}/").json()

    assert body == {
        "id": row.pk,
        "kind": "pain_point",
        "title": "Med rec screen loses home meds",
        "status": "scored",
        "status_changed_at": iso(row.status_changed_at),
        "route": "informatics_team",
        "sla_due_at": iso(row.sla_due_at),
        "facility": {"id": ed.pk, "code": "rmc-ed", "name": "RMC Emergency Department"},
        "specialty": "Emergency Medicine",
        "frequency": "daily",
        "is_safety_concern": False,
        "is_regulatory": False,
        "is_private": False,
        "submitted_by": person(champion, viewer=champion),
        "votes": 0,
        "score": {"value": 47.0, "effort_band": "S", "priority_index": 23.5},
        "version": row.version,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "story_today": "Home medications vanish when the patient moves units.",
        "story_wanted": "They stay on the list until reconciled.",
        "workflow_area": "ED ordering",
        "ehr_module": "Orders",
        "minutes_lost": None,
        "suggested_priority": {"id": zero_harm.pk, "code": "zero-harm", "title": "Zero Harm"},
        "priorities": [{"id": zero_harm.pk, "code": "zero-harm", "title": "Zero Harm"}],
        "routed_at": iso(row.routed_at),
        "duplicate_of": None,
        "ratings": FULL_RATINGS,
        "reach_rating": None,
        "build_hours": 20,
        "decline_reason": "",
        "current_score": {
            "id": score.pk,
            "value": 47.0,
            "effort_band": "S",
            "priority_index": 23.5,
            "rubric_version": 1,
            "reason": "triage",
            "breakdown": BREAKDOWN_ONE_PERSON,
            "people": 1,
            "reach": 0,
            "effort_points": 2,
            "created_at": iso(score.created_at),
        },
        "timeline": [
            {
                "from_status": "",
                "to_status": "submitted",
                "actor": person(champion, viewer=champion),
                "note": "",
                "at": iso(timeline[0].at),
            },
            {
                "from_status": "submitted",
                "to_status": "triage",
                "actor": person(cmio, viewer=champion),
                "note": "",
                "at": iso(timeline[1].at),
            },
            {
                "from_status": "triage",
                "to_status": "scored",
                "actor": person(cmio),
                "note": "",
                "at": iso(timeline[2].at),
            },
        ],
        "comments": [
            {
                "id": comment.pk,
                "kind": "comment",
                "author": person(cmio),
                "body": "We see it in the logs.",
                "answered_by": None,
                "created_at": iso(comment.created_at),
            }
        ],
    }


def test_an_unknown_request_is_404(champion: User, api_as: ApiAs) -> None:
    assert api_as(champion).get(f"{URL}999999/").status_code == 404


# --- Submitting -----------------------------------------------------------------------------


def test_submitting_answers_201_with_the_request_as_submitted(
    champion: User, ed: Facility, zero_harm: StrategicPriority, api_as: ApiAs
) -> None:
    response = api_as(champion).post(
        URL,
        {
            **GOOD,
            "workflow_area": "Post-operative care",
            "ehr_module": "Clinical decision support",
            "facility": "rmc-ed",
            "specialty": "Hospital Medicine",
            "minutes_lost": 2,
            "is_safety_concern": False,
            "is_regulatory": False,
            "suggested_priority": zero_harm.pk,
            "is_private": True,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    row = IntakeRequest.objects.get()
    body = response.json()
    assert body["id"] == row.pk
    assert {key: body[key] for key in (*GOOD, "status", "route", "votes", "score", "version")} == {
        **GOOD,
        "status": "submitted",
        "route": "",
        "votes": 0,
        "score": None,
        "version": 1,
    }
    assert body["facility"]["code"] == "rmc-ed"
    assert body["suggested_priority"]["code"] == "zero-harm"
    assert body["is_private"] is True
    assert [(step["from_status"], step["to_status"]) for step in body["timeline"]] == [
        ("", "submitted")
    ]
    assert (row.submitted_by, row.facility, row.minutes_lost) == (champion, ed, 2)
    event = AuditEvent.objects.get(object_id=str(row.pk), content_type__model="intakerequest")
    assert (event.action, event.actor) == ("create", champion)
    assert PhiConfirmation.objects.count() == 0


def test_a_safety_concern_is_routed_to_the_fast_track_at_once(
    champion: User, api_as: ApiAs
) -> None:
    response = api_as(champion).post(
        URL, {**GOOD, "kind": "safety", "is_safety_concern": True}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["route"] == "fast_track"
    assert response.json()["sla_due_at"] is not None


@pytest.mark.parametrize(
    ("changes", "field", "status"),
    [
        ({"title": ""}, "title", 400),
        ({"title": "   "}, "title", 400),
        ({"kind": "wish"}, "kind", 400),
        ({"frequency": "sometimes"}, "frequency", 400),
        ({"story_today": ""}, "story_today", 400),
        ({"facility": "nowhere"}, "facility", 404),
        ({"suggested_priority": 999999}, "suggested_priority", 404),
        ({"minutes_lost": -1}, "minutes_lost", 400),
    ],
)
def test_bad_submissions_name_the_field_and_save_nothing(
    champion: User, changes: dict[str, Any], field: str, status: int, api_as: ApiAs
) -> None:
    response = api_as(champion).post(URL, {**GOOD, **changes}, format="json")

    assert response.status_code == status  # 404: a code or an id that names nothing
    assert list(response.json()) == [field]
    assert IntakeRequest.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_an_inactive_facility_gets_the_services_message(champion: User, api_as: ApiAs) -> None:
    FacilityFactory.create(code="old-clinic", is_active=False)

    response = api_as(champion).post(URL, {**GOOD, "facility": "old-clinic"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"facility": ["Choose an active facility."]}
    assert IntakeRequest.objects.count() == 0


# --- The PHI guard --------------------------------------------------------------------------

# The samples: each is flagged, with what the guard reports seeing.
PHI_SAMPLES = [
    ("MRN 4412897", "mrn", "medical record number: “MRN 4412897”"),
    ("DOB 3/4/61", "dob", "date of birth: “DOB 3/4/61”"),
    ("born 03/04/1961", "dob", "date of birth: “born 03/04/1961”"),
    ("555-201-3344", "phone", "phone number: “555-201-3344”"),
    ("123-45-6789", "ssn", "social security number: “123-45-6789”"),
    ("jane.doe@example.org", "email", "e-mail address: “jane.doe@example.org”"),
]
NOT_PHI = [
    "20 a day",
    "5 mg",
    "Q4 2024",
    "room 12",
    "version 2.3.1",
    "since the 3/4 upgrade",
    "ticket INC0012345",
]


def phi_message(seen: str) -> str:
    return (
        f"This looks like patient information ({seen}). Edit it out, or confirm it is not "
        "patient information."
    )


def flagged_body(field: str, kind: str, seen: str) -> dict[str, Any]:
    return {
        field: [phi_message(seen)],
        "phi_flagged": {field: [kind]},
        "phi_confirmed": [PHI_RESEND],
    }


@pytest.mark.parametrize(("sample", "kind", "seen"), PHI_SAMPLES, ids=[s[0] for s in PHI_SAMPLES])
def test_patient_information_is_flagged_and_nothing_saved(
    champion: User, sample: str, kind: str, seen: str, api_as: ApiAs
) -> None:
    response = api_as(champion).post(
        URL, {**GOOD, "story_today": f"The note said {sample} again."}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == flagged_body("story_today", kind, seen)
    assert 'send the same request again with "phi_confirmed": true' in PHI_RESEND
    assert IntakeRequest.objects.count() == 0
    assert AuditEvent.objects.count() == PhiConfirmation.objects.count() == 0


@pytest.mark.parametrize("sample", NOT_PHI)
def test_ordinary_clinical_text_is_not_flagged(champion: User, sample: str, api_as: ApiAs) -> None:
    response = api_as(champion).post(
        URL, {**GOOD, "story_today": f"It happens {sample}, see {sample}."}, format="json"
    )

    assert response.status_code == 201, response.content
    assert IntakeRequest.objects.get().story_today == f"It happens {sample}, see {sample}."
    assert PhiConfirmation.objects.count() == 0


@pytest.mark.parametrize(("sample", "kind", "seen"), PHI_SAMPLES, ids=[s[0] for s in PHI_SAMPLES])
def test_a_confirmed_submission_is_saved_and_the_confirmation_stored(
    champion: User, sample: str, kind: str, seen: str, api_as: ApiAs
) -> None:
    text = f"The note said {sample} again."
    response = api_as(champion).post(
        URL, {**GOOD, "story_wanted": text, "phi_confirmed": True}, format="json"
    )

    assert response.status_code == 201, response.content
    row = IntakeRequest.objects.get()
    assert row.story_wanted == text
    confirmation = PhiConfirmation.objects.get()
    assert (
        confirmation.content_type.model,
        confirmation.object_id,
        confirmation.field,
        confirmation.kinds,
        confirmation.confirmed_by,
    ) == ("intakerequest", str(row.pk), "story_wanted", [kind], champion)


def test_several_flagged_fields_are_each_named(champion: User, api_as: ApiAs) -> None:
    response = api_as(champion).post(
        URL,
        {**GOOD, "title": "Call 555-201-3344", "story_today": "MRN 4412897, jane.doe@example.org"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["phi_flagged"] == {"title": ["phone"], "story_today": ["mrn", "email"]}
    assert set(response.json()) == {"title", "story_today", "phi_flagged", "phi_confirmed"}


def test_comments_questions_answers_and_edits_are_guarded_too(
    champion: User, cmio: User, api_as: ApiAs
) -> None:
    row = submit(champion)
    champion_api, cmio_api = api_as(champion), api_as(cmio)
    phone = ("phone", "phone number: “555-201-3344”")

    comment = champion_api.post(
        f"{URL}{row.pk}/comments/", {"body": "Call me at 555-201-3344"}, format="json"
    )
    edit = champion_api.patch(
        f"{URL}{row.pk}/", {"version": 1, "story_today": "Ring 555-201-3344"}, format="json"
    )
    question = cmio_api.post(
        f"{URL}{row.pk}/question/", {"question": "Is 555-201-3344 the ward?"}, format="json"
    )

    assert (comment.status_code, edit.status_code, question.status_code) == (400, 400, 400)
    assert comment.json() == flagged_body("body", *phone)
    assert edit.json() == flagged_body("story_today", *phone)
    assert question.json() == flagged_body("question", *phone)
    assert RequestComment.objects.count() == 0
    row.refresh_from_db()
    assert (row.status, row.version) == ("submitted", 1)

    cmio_api.post(f"{URL}{row.pk}/question/", {"question": "Which ward?"}, format="json")
    answer = champion_api.post(
        f"{URL}{row.pk}/answer/", {"body": "The one on 555-201-3344"}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json() == flagged_body("body", *phone)

    confirmed = champion_api.post(
        f"{URL}{row.pk}/answer/",
        {"body": "The one on 555-201-3344", "phi_confirmed": True},
        format="json",
    )
    assert confirmed.status_code == 201, confirmed.content
    saved = RequestComment.objects.get(kind="answer")
    assert list(PhiConfirmation.objects.values_list("object_id", "field", "kinds")) == [
        (str(saved.pk), "body", ["phone"])
    ]


# --- Editing --------------------------------------------------------------------------------


def test_the_submitter_edits_while_submitted(champion: User, api_as: ApiAs) -> None:
    row = submit(champion)

    response = api_as(champion).patch(
        f"{URL}{row.pk}/", {"version": 1, "title": "Home meds vanish on transfer"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert (response.json()["title"], response.json()["version"]) == (
        "Home meds vanish on transfer",
        2,
    )
    row.refresh_from_db()
    assert (row.title, row.version) == ("Home meds vanish on transfer", 2)


def test_a_stale_edit_gets_409_and_the_first_edit_survives(champion: User, api_as: ApiAs) -> None:
    row = submit(champion)
    client = api_as(champion)

    first = client.patch(f"{URL}{row.pk}/", {"version": 1, "title": "First"}, format="json")
    events = AuditEvent.objects.count()
    second = client.patch(f"{URL}{row.pk}/", {"version": 1, "title": "Second"}, format="json")

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["current_version"] == 2
    assert "changed by someone else" in second.json()["detail"]
    row.refresh_from_db()
    assert (row.title, row.version) == ("First", 2)
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "No version"}, "version"),
        ({"version": 1}, "non_field_errors"),
        ({"version": 1, "phi_confirmed": True}, "non_field_errors"),
        ({"version": 1, "frequency": "often"}, "frequency"),
        ({"version": 1, "story_wanted": " "}, "story_wanted"),
    ],
)
def test_bad_edits_name_the_field_and_save_nothing(
    champion: User, body: dict[str, Any], field: str, api_as: ApiAs
) -> None:
    row = submit(champion)

    response = api_as(champion).patch(f"{URL}{row.pk}/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    row.refresh_from_db()
    assert row.version == 1


def test_put_is_not_offered(champion: User, api_as: ApiAs) -> None:
    row = submit(champion)

    assert api_as(champion).put(f"{URL}{row.pk}/", {**GOOD, "version": 1}).status_code == 405


# --- +1s and the thread ---------------------------------------------------------------------


def test_a_vote_records_the_voters_context_and_rescores(
    champion: User, cmio: User, ed: Facility, make_user: Callable[..., User], api_as: ApiAs
) -> None:
    row = triage_fully(cmio, submit(champion))
    voter = make_user(Role.CHAMPION, full_name="Omar Haddad")

    response = api_as(voter).post(
        f"{URL}{row.pk}/votes/",
        {"specialty": "Critical Care", "facility": "rmc-ed", "frequency": "weekly"},
        format="json",
    )

    assert response.status_code == 201, response.content
    vote = RequestVote.objects.get()
    assert response.json() == {
        "id": vote.pk,
        "voter": person(voter, viewer=voter),
        "specialty": "Critical Care",
        "facility": {"id": ed.pk, "code": "rmc-ed", "name": "RMC Emergency Department"},
        "frequency": "weekly",
        "created_at": iso(vote.created_at),
    }
    row.refresh_from_db()
    assert row.current_score is not None
    assert (row.current_score.reason, row.current_score.people, row.current_score.value) == (
        "vote",
        2,
        50,
    )


def test_a_second_vote_and_the_submitters_own_are_refused(
    champion: User, make_user: Callable[..., User], api_as: ApiAs
) -> None:
    row = submit(champion)
    voter = make_user(Role.CHAMPION)
    api_as(voter).post(f"{URL}{row.pk}/votes/", {}, format="json")

    again = api_as(voter).post(f"{URL}{row.pk}/votes/", {}, format="json")
    own = api_as(champion).post(f"{URL}{row.pk}/votes/", {}, format="json")

    assert again.json() == {"voter": ["You have already added your +1 to this request."]}
    assert own.json() == {"voter": ["You submitted this request: you are already counted."]}
    assert again.status_code == own.status_code == 409  # counted already
    assert RequestVote.objects.count() == 1


def test_the_thread_lists_comments_questions_and_answers_in_order(
    champion: User, cmio: User, api_as: ApiAs
) -> None:
    row = submit(champion)
    champion_api, cmio_api = api_as(champion), api_as(cmio)

    said = champion_api.post(
        f"{URL}{row.pk}/comments/", {"body": "Still happening."}, format="json"
    )
    asked = cmio_api.post(f"{URL}{row.pk}/question/", {"question": "Which unit?"}, format="json")
    row.refresh_from_db()
    waiting = row.status
    answered = champion_api.post(f"{URL}{row.pk}/answer/", {"body": "4 West."}, format="json")
    thread = cmio_api.get(f"{URL}{row.pk}/comments/")

    assert (said.status_code, asked.status_code, answered.status_code) == (201, 201, 201)
    assert waiting == "needs_info"
    row.refresh_from_db()
    assert row.status == "triage"
    assert thread.status_code == 200
    assert [(c["kind"], c["author"]["id"], c["body"]) for c in thread.json()] == [
        ("comment", champion.pk, "Still happening."),
        ("question", cmio.pk, "Which unit?"),
        ("answer", champion.pk, "4 West."),
    ]
    assert thread.json()[1]["answered_by"] == answered.json()["id"]


def test_only_the_submitter_answers_and_only_an_open_question(
    champion: User, cmio: User, make_user: Callable[..., User], api_as: ApiAs
) -> None:
    row = submit(champion)

    nothing_asked = api_as(champion).post(f"{URL}{row.pk}/answer/", {"body": "x"}, format="json")
    services.request_ask(actor=cmio, request=row, question="Which unit?")
    stranger = api_as(make_user(Role.CHAMPION)).post(
        f"{URL}{row.pk}/answer/", {"body": "Mine."}, format="json"
    )

    assert nothing_asked.status_code == 409
    assert nothing_asked.json() == {"body": ["No question is waiting for your answer."]}
    assert stranger.status_code == 403
    assert RequestComment.objects.filter(kind="answer").count() == 0


# --- Triage, scoring and the status table ---------------------------------------------------


def test_triage_routes_links_priorities_and_scores(
    champion: User, cmio: User, zero_harm: StrategicPriority, api_as: ApiAs
) -> None:
    row = submit(champion)

    response = api_as(cmio).post(
        f"{URL}{row.pk}/triage/",
        {
            "version": 1,
            "kind": "new_cds",
            "route": "cds_committee",
            "priorities": [zero_harm.pk],
            "ratings": FULL_RATINGS,
            "reach_rating": 2,
            "build_hours": 200,
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["kind"], body["route"]) == ("scored", "new_cds", "cds_committee")
    assert [p["code"] for p in body["priorities"]] == ["zero-harm"]
    # Reach 2 (rated by triage): 47 + 15 × 2/5 = 53; 200 h is L, 5 points: 53 / 5 = 10.6.
    score = body["current_score"]
    assert (score["value"], score["reach"], score["effort_band"], score["effort_points"]) == (
        53.0,
        2,
        "L",
        5,
    )
    assert score["priority_index"] == 10.6
    assert [step["to_status"] for step in body["timeline"]] == ["submitted", "triage", "scored"]
    row.refresh_from_db()
    assert row.routed_at is not None
    assert row.sla_due_at == row.routed_at + datetime.timedelta(hours=720)


def test_a_stale_triage_gets_409_and_changes_nothing(
    champion: User, cmio: User, api_as: ApiAs
) -> None:
    row = submit(champion)
    client = api_as(cmio)
    client.post(f"{URL}{row.pk}/triage/", {"version": 1, "route": "workgroup"}, format="json")
    events = AuditEvent.objects.count()

    stale = client.post(
        f"{URL}{row.pk}/triage/", {"version": 1, "route": "analytics"}, format="json"
    )

    assert stale.status_code == 409
    row.refresh_from_db()
    assert row.route == "workgroup"
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"ratings": {"reach": 3}}, "ratings", 400),
        ({"ratings": {"vibes": 3}}, "ratings", 400),
        ({"ratings": {"equity": 6}}, "ratings", 400),
        ({"route": "nowhere"}, "route", 400),
        ({"priorities": [999999]}, "priorities", 404),
        ({"build_hours": -4}, "build_hours", 400),
        ({"version": None}, "version", 400),
        ({"version": "one"}, "version", 400),
    ],
)
def test_bad_triage_names_the_field_and_saves_nothing(
    champion: User, cmio: User, body: dict[str, Any], field: str, status: int, api_as: ApiAs
) -> None:
    row = submit(champion)
    events = AuditEvent.objects.count()

    response = api_as(cmio).post(f"{URL}{row.pk}/triage/", {"version": 1, **body}, format="json")

    assert response.status_code == status  # 404: an id that names no active priority
    assert list(response.json()) == [field]
    row.refresh_from_db()
    assert (row.status, row.version, row.route) == ("submitted", 1, "")
    assert AuditEvent.objects.count() == events


def test_a_transition_along_the_table_is_recorded(
    champion: User, cmio: User, api_as: ApiAs
) -> None:
    row = submit(champion)

    response = api_as(cmio).post(
        f"{URL}{row.pk}/transition/",
        {"to_status": "triage", "note": "Looking at it this week."},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "triage"
    assert response.json()["timeline"][-1]["note"] == "Looking at it this week."


def test_a_transition_outside_the_table_is_refused_naming_to_status(
    champion: User, cmio: User, api_as: ApiAs
) -> None:
    row = submit(champion)
    events = AuditEvent.objects.count()

    response = api_as(cmio).post(
        f"{URL}{row.pk}/transition/", {"to_status": "released"}, format="json"
    )

    assert response.status_code == 409  # a status, but not one the current status moves to
    assert response.json() == {
        "to_status": [
            "Cannot move a request from Submitted to Released: allowed next steps are In triage, "
            "Needs info, Declined, Redirected, Withdrawn, Merged."
        ]
    }
    row.refresh_from_db()
    assert (row.status, row.version) == ("submitted", 1)
    assert row.status_changes.count() == 1
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"to_status": "flying"}, {"to_status": ['"flying" is not a valid choice.']}),
        ({}, {"to_status": ["This field is required."]}),
        (
            {"to_status": "needs_info"},
            {"to_status": ["Ask the submitter a question to move a request to Needs info."]},
        ),
        (
            {"to_status": "declined"},
            {
                "decline_reason": [
                    "Give the reason for declining (conflicts with standard, low value, "
                    "duplicate, not feasible, vendor limitation, policy change needed)."
                ]
            },
        ),
    ],
)
def test_bad_transitions_say_why_and_change_nothing(
    champion: User, cmio: User, body: dict[str, Any], expected: dict[str, Any], api_as: ApiAs
) -> None:
    row = submit(champion)

    response = api_as(cmio).post(f"{URL}{row.pk}/transition/", body, format="json")

    assert response.status_code == 400
    assert response.json() == expected
    row.refresh_from_db()
    assert (row.status, row.version) == ("submitted", 1)


def test_declining_with_a_reason(champion: User, cmio: User, api_as: ApiAs) -> None:
    row = submit(champion)

    response = api_as(cmio).post(
        f"{URL}{row.pk}/transition/",
        {"to_status": "declined", "decline_reason": "low_value", "note": "Rare."},
        format="json",
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["decline_reason"]) == (
        "declined",
        "low_value",
    )


def test_the_submitter_withdraws(champion: User, api_as: ApiAs) -> None:
    row = submit(champion)

    response = api_as(champion).post(f"{URL}{row.pk}/withdraw/")

    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    again = api_as(champion).post(f"{URL}{row.pk}/withdraw/")
    assert again.status_code == 409  # withdrawn already
    assert list(again.json()) == ["to_status"]


def test_merging_moves_the_people_to_the_survivor(
    champion: User, cmio: User, make_user: Callable[..., User], api_as: ApiAs
) -> None:
    survivor = triage_fully(cmio, submit(champion, title="Sepsis alert after surgery"))
    other = make_user(Role.CHAMPION)
    duplicate = submit(other, title="Sepsis BPA fires post-op")
    services.request_vote(actor=make_user(Role.CHAMPION), request=duplicate)

    response = api_as(cmio).post(
        f"{URL}{duplicate.pk}/merge/", {"survivor": survivor.pk}, format="json"
    )

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["duplicate_of"]) == ("merged", survivor.pk)
    survivor.refresh_from_db()
    assert survivor.votes.count() == 2
    assert survivor.current_score is not None
    assert (survivor.current_score.reason, survivor.current_score.people) == ("merge", 3)


def test_merging_into_an_unknown_or_the_same_request_is_refused(
    champion: User, cmio: User, api_as: ApiAs
) -> None:
    row = submit(champion)
    client = api_as(cmio)

    unknown = client.post(f"{URL}{row.pk}/merge/", {"survivor": 999999}, format="json")
    itself = client.post(f"{URL}{row.pk}/merge/", {"survivor": row.pk}, format="json")

    assert unknown.json() == {"survivor": ["No request with id 999999."]}
    assert itself.json() == {"survivor": ["A request cannot be merged into itself."]}
    row.refresh_from_db()
    assert (row.status, row.version) == ("submitted", 1)


# --- Similar titles -------------------------------------------------------------------------

SIMILAR_TITLES = [
    "Sepsis alert fires on every post-op tachycardia",
    "Sepsis order set lacks lactate timer",
    "Alert fatigue from duplicate allergy warnings",
    "Post-op order set duplicates VTE orders",
    "Inbox routing for normal labs",
]


def test_similar_suggests_open_requests_most_similar_first(
    champion: User, cmio: User, make_user: Callable[..., User], api_as: ApiAs
) -> None:
    other = make_user(Role.CHAMPION)
    rows = {title: submit(other, title=title) for title in SIMILAR_TITLES}
    closed = submit(other, title=SIMILAR_TITLES[0])
    services.request_withdraw(actor=other, request=closed)
    submit(other, title=SIMILAR_TITLES[0], is_private=True)

    response = api_as(champion).get(f"{URL}similar/", {"title": "sepsis alert post-op"})

    assert response.status_code == 200
    found = response.json()
    assert found[0]["id"] == rows[SIMILAR_TITLES[0]].pk
    assert found[0] == {
        "id": rows[SIMILAR_TITLES[0]].pk,
        "title": SIMILAR_TITLES[0],
        "kind": "pain_point",
        "status": "submitted",
        "votes": 0,
        "similarity": found[0]["similarity"],
    }
    assert 0 < found[0]["similarity"] <= 1
    assert closed.pk not in [row["id"] for row in found]
    assert [row["title"] for row in found].count(SIMILAR_TITLES[0]) == 1
    excluded = api_as(champion).get(
        f"{URL}similar/",
        {"title": "sepsis alert post-op", "exclude": str(rows[SIMILAR_TITLES[0]].pk)},
    )
    assert rows[SIMILAR_TITLES[0]].pk not in [row["id"] for row in excluded.json()]


def test_similar_needs_a_title(champion: User, api_as: ApiAs) -> None:
    missing = api_as(champion).get(f"{URL}similar/")
    short = api_as(champion).get(f"{URL}similar/", {"title": "se"})

    assert missing.status_code == 400
    assert list(missing.json()) == ["title"]
    assert (short.status_code, short.json()) == (200, [])


# --- Rubric ---------------------------------------------------------------------------------

NEW_CRITERIA = [
    {"code": "safety_quality", "label": "Patient safety and quality", "weight": 30},
    {"code": "strategic_alignment", "label": "Strategic alignment", "weight": 20},
    {"code": "time_saved", "label": "Clinician time saved", "weight": 15},
    {"code": "reach", "label": "Reach", "weight": 15},
    {"code": "financial", "label": "Financial", "weight": 5},
    {"code": "equity", "label": "Equity", "weight": 5},
    {"code": "evidence", "label": "Evidence", "weight": 5},
    {"code": "readiness", "label": "Readiness", "weight": 5},
]
GATES = {"fast_track": ["safety"], "mandatory": ["regulatory", "vendor_mandated"]}
EFFORT = {"XS": 1, "S": 2, "M": 3, "L": 5, "XL": 8}


def test_everyone_reads_the_rubric(champion: User, api_as: ApiAs) -> None:
    v1 = Rubric.objects.get()

    response = api_as(champion).get("/api/v1/rubric/")

    assert response.status_code == 200
    current: dict[str, Any] = {
        "version": 1,
        "criteria": v1.criteria,
        "gates": GATES,
        "effort_points": EFFORT,
        "is_current": True,
        "created_by": None,
        "created_at": iso(v1.created_at),
        "note": "Default rubric (DOMAIN.md §5)",
    }
    assert response.json() == {"current": current, "versions": [current]}
    assert [c["weight"] for c in current["criteria"]] == [25, 20, 15, 15, 10, 5, 5, 5]


def test_an_admin_edit_makes_version_2_and_leaves_scores_alone(
    users: dict[str, User], champion: User, cmio: User, api_as: ApiAs
) -> None:
    row = triage_fully(cmio, submit(champion))
    admin = users[Role.ADMIN]

    response = api_as(admin).post(
        "/api/v1/rubric/",
        {"criteria": NEW_CRITERIA, "gates": GATES, "effort_points": EFFORT, "note": "Safety up"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert {key: response.json()[key] for key in ("version", "is_current", "note")} == {
        "version": 2,
        "is_current": True,
        "note": "Safety up",
    }
    assert response.json()["created_by"] == person(admin, viewer=admin)
    listed = api_as(champion).get("/api/v1/rubric/").json()
    assert listed["current"]["version"] == 2
    assert [v["version"] for v in listed["versions"]] == [2, 1]
    detail = api_as(champion).get(f"{URL}{row.pk}/").json()
    assert (detail["current_score"]["rubric_version"], detail["current_score"]["value"]) == (
        1,
        47.0,
    )


def test_a_bad_rubric_names_the_field_and_saves_nothing(
    users: dict[str, User], api_as: ApiAs
) -> None:
    criteria = [{**c, "weight": 50 if c["code"] == "reach" else c["weight"]} for c in NEW_CRITERIA]

    response = api_as(users[Role.ADMIN]).post(
        "/api/v1/rubric/",
        {"criteria": criteria, "gates": GATES, "effort_points": EFFORT},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"criteria": ["The weights must add up to 100 (they add up to 135)."]}
    assert Rubric.objects.count() == 1


def test_requests_stay_dated_by_the_server(champion: User, api_as: ApiAs) -> None:
    before = timezone.now()

    response = api_as(champion).post(
        URL, {**GOOD, "created_at": "2001-01-01T00:00:00Z", "status": "released"}, format="json"
    )

    row = IntakeRequest.objects.get()
    assert response.status_code == 201
    assert row.created_at >= before
    assert row.status == "submitted"
