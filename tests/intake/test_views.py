"""Intake pages: submit (with similar-request suggestions and the PHI guard), a request's page
and the actions on it (comment, ask, answer, vote, triage, move, merge, edit, withdraw), My
requests, the triage queue with its service levels in words, the list with its filters and CSV
export, the rubric, and intake on the landing pages."""

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

from informatics.choices import Route
from informatics.models import AuditEvent, PhiConfirmation, User
from intake import services
from intake.choices import CommentKind, RequestKind, RequestStatus
from intake.models import IntakeRequest, RequestComment, RequestVote, Rubric
from intake.templatetags.intake import sla_words
from tests.factories import FacilityFactory, PriorityFactory
from tests.intake.factories import FULL_RATINGS, submit, triage_fully

S = RequestStatus
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]
PHI_PHONE = (
    "This looks like patient information (phone number: “555-201-3344”). "
    "Edit it out, or confirm it is not patient information."
)

SUBMISSION: dict[str, Any] = {
    "title": "Sepsis alert fires on every post-op tachycardia",
    "kind": RequestKind.PAIN_POINT,
    "story_today": "The sepsis alert fires for every post-op patient with a fast heart rate.",
    "story_wanted": "Quiet for a day after surgery unless the lactate is high.",
    "frequency": "several_daily",
    "minutes_lost": "3",
    "facility": "",
    "specialty": "Hospital medicine",
    "workflow_area": "Post-op care",
    "ehr_module": "Alerts",
    "suggested_priority": "",
}

SIMILAR_TITLES = (
    "Sepsis alert fires on every post-op tachycardia",
    "Sepsis order set lacks lactate timer",
    "Alert fatigue from duplicate allergy warnings",
    "Post-op order set duplicates VTE orders",
    "Inbox routing for normal labs",
)


def field_errors(response: Any, form: str = "form") -> dict[str, list[str]]:
    return {name: list(errors) for name, errors in response.context[form].errors.items()}


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def champion(users: dict[str, User]) -> User:
    return users["champion"]


@pytest.fixture
def cmio(users: dict[str, User]) -> User:
    return users["cmio"]


@pytest.fixture
def as_champion(client_for: Callable[[str], Client]) -> Client:
    return client_for("champion")


@pytest.fixture
def as_cmio(client_for: Callable[[str], Client]) -> Client:
    return client_for("cmio")


def detail_url(request: IntakeRequest) -> str:
    return reverse("intake:request-detail", args=[request.pk])


# --- Submit ---------------------------------------------------------------------------------


def test_the_submit_form_is_prefilled_from_the_profile_and_suggests_as_you_type(
    champion: User, as_champion: Client
) -> None:
    clinic = FacilityFactory.create(name="Riverside Family Medicine")
    champion.specialty = "Family medicine"
    champion.save(update_fields=["specialty"])
    champion.facilities.set([clinic])

    response = as_champion.get(reverse("intake:request-create"))

    assert response.status_code == 200
    form = response.context["form"]
    assert (form["specialty"].value(), form["facility"].value()) == ("Family medicine", clinic.pk)
    assert 'hx-get="/requests/similar/"' in response.text
    assert 'hx-trigger="keyup changed delay:300ms"' in response.text
    assert 'hx-target="#similar-requests"' in response.text
    assert "screenshots of the EHR carry patient data" in response.text
    assert 'type="file"' not in response.text
    # The confirmation box appears only once the PHI guard has flagged something.
    assert 'name="phi_confirmed"' not in response.text


def test_a_champion_submits_a_pain_point(champion: User, as_champion: Client) -> None:
    clinic = FacilityFactory.create()
    priority = PriorityFactory.create()
    data = {
        **SUBMISSION,
        "facility": clinic.pk,
        "suggested_priority": priority.pk,
        "is_safety_concern": "on",
    }

    response = as_champion.post(reverse("intake:request-create"), data)

    created = IntakeRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(created)
    assert (created.title, created.kind, created.frequency, created.minutes_lost) == (
        "Sepsis alert fires on every post-op tachycardia",
        "pain_point",
        "several_daily",
        3,
    )
    assert (created.specialty, created.workflow_area, created.ehr_module) == (
        "Hospital medicine",
        "Post-op care",
        "Alerts",
    )
    assert (created.facility, created.suggested_priority) == (clinic, priority)
    assert (created.is_safety_concern, created.is_regulatory, created.is_private) == (
        True,
        False,
        False,
    )
    assert (created.status, created.route, created.submitted_by) == (
        S.SUBMITTED,
        Route.FAST_TRACK,
        champion,
    )
    assert PhiConfirmation.objects.count() == 0
    page = as_champion.get(response["Location"])
    assert messages_of(page) == [
        f"Thank you: “Sepsis alert fires on every post-op tachycardia” is request #{created.pk}. "
        "You will hear from the informatics team at each step."
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Give your request a short title."),
        ({"kind": ""}, "kind", "Choose the kind of request closest to yours."),
        ({"story_today": "  "}, "story_today", "Say what happens today."),
        ({"story_wanted": ""}, "story_wanted", "Say what should happen instead."),
        ({"frequency": ""}, "frequency", "Say how often it happens."),
        ({"minutes_lost": "a few"}, "minutes_lost", "Enter the minutes as a whole number, e.g. 5."),
        ({"minutes_lost": "-2"}, "minutes_lost", "Minutes lost cannot be negative."),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    as_champion: Client, changes: dict[str, str], field: str, message: str
) -> None:
    response = as_champion.post(reverse("intake:request-create"), {**SUBMISSION, **changes})

    assert response.status_code == 200
    assert field_errors(response) == {field: [message]}
    assert IntakeRequest.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_phi_in_the_story_is_highlighted_and_nothing_is_saved(as_champion: Client) -> None:
    data = {**SUBMISSION, "story_today": "Call the family on 555-201-3344 when it fires."}

    response = as_champion.post(reverse("intake:request-create"), data)

    assert response.status_code == 200
    assert field_errors(response) == {"story_today": [PHI_PHONE]}
    assert 'class="field field--error"' in response.text
    assert (
        '<mark class="phi" title="Looks like a phone number">555-201-3344</mark>' in response.text
    )
    assert "This is not patient information" in response.text
    assert 'name="phi_confirmed"' in response.text
    assert IntakeRequest.objects.count() == 0
    assert PhiConfirmation.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_each_flagged_field_gets_its_own_message(as_champion: Client) -> None:
    data = {
        **SUBMISSION,
        "title": "Wrong allergy on MRN 4412897",
        "story_wanted": "Ask jane.doe@example.org, born 03/04/1961.",
    }

    response = as_champion.post(reverse("intake:request-create"), data)

    assert field_errors(response) == {
        "title": [
            "This looks like patient information (medical record number: “MRN 4412897”). "
            "Edit it out, or confirm it is not patient information."
        ],
        "story_wanted": [
            "This looks like patient information (e-mail address: “jane.doe@example.org”; "
            "date of birth: “born 03/04/1961”). Edit it out, or confirm it is not patient "
            "information."
        ],
    }
    assert IntakeRequest.objects.count() == 0


def test_confirming_it_is_not_patient_information_saves_and_records_the_confirmation(
    champion: User, as_champion: Client
) -> None:
    data = {
        **SUBMISSION,
        "story_today": "The help desk line 555-201-3344 never answers at night.",
        "phi_confirmed": "on",
    }

    response = as_champion.post(reverse("intake:request-create"), data)

    created = IntakeRequest.objects.get()
    assert response.status_code == 302
    assert created.story_today == "The help desk line 555-201-3344 never answers at night."
    confirmation = PhiConfirmation.objects.get()
    assert (confirmation.object_id, confirmation.field, confirmation.kinds) == (
        str(created.pk),
        "story_today",
        ["phone"],
    )
    assert confirmation.confirmed_by == champion


def test_editing_the_flagged_text_out_saves_without_a_confirmation(as_champion: Client) -> None:
    flagged = {**SUBMISSION, "story_today": "Call 555-201-3344 when it fires."}
    as_champion.post(reverse("intake:request-create"), flagged)

    edited = {**SUBMISSION, "story_today": "Call the ward when it fires."}
    response = as_champion.post(reverse("intake:request-create"), edited)

    assert response.status_code == 302
    assert IntakeRequest.objects.get().story_today == "Call the ward when it fires."
    assert PhiConfirmation.objects.count() == 0


def test_ordinary_clinical_text_is_not_flagged(as_champion: Client) -> None:
    data = {
        **SUBMISSION,
        "story_today": "20 a day, 5 mg, Q4 2024, room 12, version 2.3.1, since the 3/4 upgrade, "
        "ticket INC0012345.",
    }

    response = as_champion.post(reverse("intake:request-create"), data)

    assert response.status_code == 302
    assert PhiConfirmation.objects.count() == 0


# --- Similar requests and "+1 instead" ------------------------------------------------------


@pytest.fixture
def similar_requests(champion: User, make_user: Any) -> list[IntakeRequest]:
    author = make_user("champion")
    return [submit(author, title=title) for title in SIMILAR_TITLES]


def test_typing_a_title_suggests_similar_open_requests_best_first(
    as_champion: Client, similar_requests: list[IntakeRequest], cmio: User
) -> None:
    closed = submit(similar_requests[0].submitted_by, title=SIMILAR_TITLES[0])
    services.request_withdraw(actor=closed.submitted_by, request=closed)

    response = as_champion.get(
        reverse("intake:request-similar"),
        {"title": "sepsis alert post-op"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    found = response.context["similar"]
    assert found[0] == similar_requests[0]
    assert closed not in found
    assert len(found) <= 5
    vote_url = reverse("intake:request-vote", args=[similar_requests[0].pk])
    assert f'formaction="{vote_url}"' in response.text
    assert "+1 instead" in response.text
    assert "<html" not in response.text  # a partial, not a page


def test_a_short_title_suggests_nothing(
    as_champion: Client, similar_requests: list[IntakeRequest]
) -> None:
    response = as_champion.get(reverse("intake:request-similar"), {"title": "se"})

    assert response.status_code == 200
    assert response.context["similar"] == []
    assert response.text.strip() == ""


def test_plus_one_instead_records_a_vote_with_the_forms_context_and_submits_nothing(
    champion: User, as_champion: Client, similar_requests: list[IntakeRequest]
) -> None:
    clinic = FacilityFactory.create()
    target = similar_requests[0]
    vote_url = reverse("intake:request-vote", args=[target.pk])
    data = {**SUBMISSION, "facility": clinic.pk, "frequency": "daily"}

    response = as_champion.post(vote_url, data)

    assert response.status_code == 302
    assert response["Location"] == detail_url(target)
    vote = RequestVote.objects.get()
    assert (vote.request, vote.voter, vote.specialty, vote.facility, vote.frequency) == (
        target,
        champion,
        "Hospital medicine",
        clinic,
        "daily",
    )
    assert IntakeRequest.objects.count() == 5
    page = as_champion.get(response["Location"])
    assert messages_of(page) == [
        "Added your +1 to “Sepsis alert fires on every post-op tachycardia”. Its score now "
        "counts you too."
    ]
    assert page.context["vote_form"] is None  # one +1 per person


def test_a_second_plus_one_is_refused_with_a_message(
    champion: User, as_champion: Client, similar_requests: list[IntakeRequest]
) -> None:
    target = similar_requests[1]
    vote_url = reverse("intake:request-vote", args=[target.pk])
    as_champion.post(vote_url, {"specialty": "Hospital medicine"}, follow=True)

    response = as_champion.post(vote_url, {"specialty": "Cardiology"}, follow=True)

    assert messages_of(response) == ["You have already added your +1 to this request."]
    assert list(RequestVote.objects.values_list("specialty", flat=True)) == ["Hospital medicine"]


def test_the_vote_form_is_offered_exactly_when_the_service_would_take_the_vote(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    champion = users["champion"]
    open_request, closed = submit(champion), submit(champion, title="Never mind")
    services.request_withdraw(actor=champion, request=closed)
    services.request_vote(actor=users["executive"], request=open_request)

    def offered(role: str, request: IntakeRequest) -> bool:
        page = client_for(role).get(detail_url(request))
        return page.context["vote_form"] is not None

    assert offered("cmio", open_request) is True
    assert offered("champion", open_request) is False  # the submitter is already counted
    assert offered("executive", open_request) is False  # one +1 per person
    assert offered("cmio", closed) is False


# --- A request's page -------------------------------------------------------------------------


def test_the_submitter_sees_the_timeline_score_breakdown_votes_and_history(
    champion: User, cmio: User, make_user: Any, as_champion: Client
) -> None:
    priority = PriorityFactory.create(title="Zero Harm")
    with time_machine.travel(NOW, tick=False):
        request = submit(champion)
        voter = make_user("champion", full_name="Ana Ruiz", specialty="Cardiology")
        services.request_vote(actor=voter, request=request, specialty="Cardiology")
        triage_fully(cmio, request, build_hours=100, priorities=[priority])

    response = as_champion.get(detail_url(request))

    assert response.status_code == 200
    assert [(c.from_status, c.to_status) for c in response.context["timeline"]] == [
        ("", S.SUBMITTED),
        (S.SUBMITTED, S.TRIAGE),
        (S.TRIAGE, S.SCORED),
    ]
    score = response.context["score"]
    # 2 people → reach 1: 15 + 16 + 6 + 3 + 2 + 0 + 3 + 5 = 50; 100 h is M (3) → 16.67
    assert (score.value, score.effort_band, score.priority_index) == (
        Decimal("50.00"),
        "M",
        Decimal("16.67"),
    )
    text = response.text
    assert '<th scope="row">Patient safety and quality</th><td class="num">25</td>' in text
    assert "Rubric version 1" in text
    assert "2 people behind it (reach 1)" in text
    assert [v.voter for v in response.context["votes"]] == [voter]
    assert "Cardiology" in text
    assert response.context["priorities"] == [priority]
    assert len(response.context["events"]) >= 3
    # The submitter neither triages nor votes on their own request.
    assert response.context["triage_form"] is None
    assert response.context["transition_form"] is None
    assert response.context["vote_form"] is None


def test_triage_sees_only_the_tables_next_statuses(champion: User, as_cmio: Client) -> None:
    request = submit(champion)

    response = as_cmio.get(detail_url(request))

    assert response.status_code == 200
    assert response.context["triage_form"] is not None
    # Needs info comes from asking a question, Merged from merging: their own forms.
    offered = list(response.context["transition_form"].fields["to_status"].widget.choices)
    assert offered == [
        ("", "Choose the next step…"),
        ("triage", "In triage"),
        ("declined", "Declined"),
        ("redirected", "Redirected"),
        ("withdrawn", "Withdrawn"),
    ]
    assert response.context["ask_form"] is not None
    assert response.context["merge_form"] is not None


def test_a_transition_outside_the_table_is_refused_with_a_clear_message(
    champion: User, as_cmio: Client
) -> None:
    request = submit(champion)

    response = as_cmio.post(
        reverse("intake:request-transition", args=[request.pk]), {"to_status": "closed"}
    )

    assert response.status_code == 200
    message = (
        "Cannot move a request from Submitted to Closed: allowed next steps are In triage, "
        "Needs info, Declined, Redirected, Withdrawn, Merged."
    )
    assert field_errors(response, "transition_form") == {"to_status": [message]}
    assert message in response.text
    request.refresh_from_db()
    assert (request.status, request.version) == (S.SUBMITTED, 1)
    assert request.status_changes.count() == 1


def test_declining_needs_a_reason(champion: User, as_cmio: Client) -> None:
    request = submit(champion)
    url = reverse("intake:request-transition", args=[request.pk])

    refused = as_cmio.post(url, {"to_status": "declined"})
    assert field_errors(refused, "transition_form") == {
        "decline_reason": [
            "Give the reason for declining (conflicts with standard, low value, duplicate, not "
            "feasible, vendor limitation, policy change needed)."
        ]
    }
    request.refresh_from_db()
    assert request.status == S.SUBMITTED

    response = as_cmio.post(
        url, {"to_status": "declined", "decline_reason": "low_value", "note": "Rare case."}
    )

    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decline_reason) == (S.DECLINED, "low_value")
    assert request.status_changes.last().note == "Rare case."  # type: ignore[union-attr]


def test_triage_form_scores_the_request(champion: User, cmio: User, as_cmio: Client) -> None:
    priority = PriorityFactory.create()
    request = submit(champion)
    data: dict[str, Any] = {
        "version": 1,
        "kind": RequestKind.NEW_CDS,
        "route": Route.CDS_COMMITTEE,
        "priorities": [priority.pk],
        "reach_rating": "",
        "build_hours": "100",
    }
    data.update({f"rating_{code}": str(value) for code, value in FULL_RATINGS.items()})

    response = as_cmio.post(reverse("intake:request-triage", args=[request.pk]), data)

    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.kind, request.route, request.status) == ("new_cds", "cds_committee", "scored")
    assert request.ratings == FULL_RATINGS
    assert list(request.priorities.all()) == [priority]
    assert request.current_score is not None
    assert (request.current_score.value, request.current_score.priority_index) == (
        Decimal("47.00"),
        Decimal("15.67"),
    )


def test_a_stale_triage_saves_nothing(champion: User, cmio: User, as_cmio: Client) -> None:
    request = submit(champion)
    services.request_triage(actor=cmio, request=request, version=1, build_hours=10)
    request.refresh_from_db()

    response = as_cmio.post(
        reverse("intake:request-triage", args=[request.pk]),
        {"version": 1, "kind": "enhancement", "route": "", "build_hours": "900"},
        follow=True,
    )

    assert messages_of(response) == [
        "Someone changed this request while you were triaging it. Nothing of your triage was "
        "saved; the current values are shown below."
    ]
    request.refresh_from_db()
    assert (request.kind, request.build_hours) == ("pain_point", 10)


def test_ask_and_answer_in_the_thread(
    champion: User, cmio: User, as_cmio: Client, as_champion: Client
) -> None:
    request = submit(champion)

    asked = as_cmio.post(
        reverse("intake:request-ask", args=[request.pk]),
        {"question": "Which units see it most?"},
    )
    assert asked.status_code == 302
    request.refresh_from_db()
    assert request.status == S.NEEDS_INFO

    page = as_champion.get(detail_url(request))
    assert page.context["answer_form"] is not None
    answered = as_champion.post(
        reverse("intake:request-answer", args=[request.pk]), {"body": "4 West and PACU."}
    )

    assert answered.status_code == 302
    request.refresh_from_db()
    assert request.status == S.TRIAGE
    assert list(RequestComment.objects.values_list("kind", "body", "author")) == [
        (CommentKind.QUESTION, "Which units see it most?", cmio.pk),
        (CommentKind.ANSWER, "4 West and PACU.", champion.pk),
    ]


def test_a_comment_with_phi_is_held_until_confirmed(
    champion: User, cmio: User, as_cmio: Client
) -> None:
    request = submit(champion)
    url = reverse("intake:request-comment", args=[request.pk])

    flagged = as_cmio.post(url, {"body": "Pager 555-201-3344 covers it."})

    assert flagged.status_code == 200
    assert field_errors(flagged, "comment_form") == {"body": [PHI_PHONE]}
    assert flagged.context["phi_form"] == "comment"
    assert 'id="comment_phi_confirmed"' in flagged.text
    assert '<mark class="phi" title="Looks like a phone number">555-201-3344</mark>' in flagged.text
    assert RequestComment.objects.count() == 0

    confirmed = as_cmio.post(url, {"body": "Pager 555-201-3344 covers it.", "phi_confirmed": "on"})

    assert confirmed.status_code == 302
    comment = RequestComment.objects.get()
    assert (comment.body, comment.author) == ("Pager 555-201-3344 covers it.", cmio)
    confirmation = PhiConfirmation.objects.get()
    assert (confirmation.object_id, confirmation.field, confirmation.kinds) == (
        str(comment.pk),
        "body",
        ["phone"],
    )


def test_a_question_with_phi_is_held_and_the_request_does_not_move(
    champion: User, as_cmio: Client
) -> None:
    request = submit(champion)

    response = as_cmio.post(
        reverse("intake:request-ask", args=[request.pk]),
        {"question": "Was it MRN 4412897?"},
    )

    assert response.status_code == 200
    assert field_errors(response, "ask_form") == {
        "question": [
            "This looks like patient information (medical record number: “MRN 4412897”). "
            "Edit it out, or confirm it is not patient information."
        ]
    }
    request.refresh_from_db()
    assert request.status == S.SUBMITTED
    assert RequestComment.objects.count() == 0


def test_merge_moves_the_duplicate_into_the_survivor(
    champion: User, make_user: Any, as_cmio: Client
) -> None:
    survivor = submit(make_user("champion"), title="Sepsis order set lacks lactate timer")
    duplicate = submit(champion, title="No lactate timer in the sepsis order set")

    response = as_cmio.post(
        reverse("intake:request-merge", args=[duplicate.pk]), {"survivor": survivor.pk}
    )

    assert response.status_code == 302
    assert response["Location"] == detail_url(survivor)
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.duplicate_of) == (S.MERGED, survivor)
    assert list(survivor.votes.values_list("voter", flat=True)) == [champion.pk]


def test_merge_into_a_missing_request_names_the_field(champion: User, as_cmio: Client) -> None:
    request = submit(champion)

    response = as_cmio.post(reverse("intake:request-merge", args=[request.pk]), {"survivor": 9999})

    assert field_errors(response, "merge_form") == {"survivor": ["There is no request #9999."]}
    request.refresh_from_db()
    assert request.status == S.SUBMITTED


def test_admins_see_a_redact_link_for_each_text(
    champion: User, cmio: User, client_for: Callable[[str], Client]
) -> None:
    request = submit(champion)
    comment = services.request_comment(actor=cmio, request=request, body="Seen it.")

    as_admin = client_for("admin").get(detail_url(request)).text
    as_cmio = client_for("cmio").get(detail_url(request)).text

    story_url = reverse(
        "informatics:text-redact",
        kwargs={
            "app_label": "intake",
            "model": "intakerequest",
            "object_id": request.pk,
            "field": "story_today",
        },
    )
    comment_url = reverse(
        "informatics:text-redact",
        kwargs={
            "app_label": "intake",
            "model": "requestcomment",
            "object_id": comment.pk,
            "field": "body",
        },
    )
    assert f'href="{story_url}?next=/requests/{request.pk}/"' in as_admin
    assert f'href="{comment_url}?next=/requests/{request.pk}/"' in as_admin
    assert "/redact/" not in as_cmio


def test_a_redaction_address_from_before_intake_had_its_own_app_still_leads_there(
    champion: User, client_for: Callable[[str], Client]
) -> None:
    request = submit(champion)
    old = f"/redact/initiatives/intakerequest/{request.pk}/title/?next=/requests/{request.pk}/"

    response = client_for("admin").get(old)

    assert (response.status_code, response["Location"]) == (
        301,
        f"/redact/intake/intakerequest/{request.pk}/title/?next=%2Frequests%2F{request.pk}%2F",
    )
    assert client_for("admin").get(response["Location"]).status_code == 200
    # The refusal comes first: a CMIO is refused at the old address as at the new one.
    assert client_for("cmio").get(old).status_code == 403


# --- Edit and withdraw -----------------------------------------------------------------------


def edit_data(request: IntakeRequest, **changes: Any) -> dict[str, Any]:
    data = {
        **SUBMISSION,
        "title": request.title,
        "kind": request.kind,
        "story_today": request.story_today,
        "story_wanted": request.story_wanted,
        "frequency": request.frequency,
        "minutes_lost": "",
        "specialty": request.specialty,
        "workflow_area": request.workflow_area,
        "ehr_module": request.ehr_module,
        "version": request.version,
    }
    data.update(changes)
    return data


def test_the_submitter_edits_their_submitted_request(champion: User, as_champion: Client) -> None:
    request = submit(champion)
    page = as_champion.get(reverse("intake:request-edit", args=[request.pk]))
    assert page.status_code == 200
    assert '<input type="hidden" name="version" value="1"' in page.text

    response = as_champion.post(
        reverse("intake:request-edit", args=[request.pk]),
        edit_data(request, title="Med rec loses home meds on transfer"),
    )

    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.title, request.version) == ("Med rec loses home meds on transfer", 2)


def test_a_stale_edit_shows_a_conflict_and_saves_nothing(
    champion: User, as_champion: Client
) -> None:
    request = submit(champion)
    services.request_update(actor=champion, request=request, version=1, title="Edited elsewhere")

    response = as_champion.post(
        reverse("intake:request-edit", args=[request.pk]),
        edit_data(request, title="My late edit", version=1),
    )

    assert response.status_code == 409
    assert "Someone changed this request while you were editing it." in response.text
    assert response.context["form"]["title"].value() == "Edited elsewhere"
    request.refresh_from_db()
    assert (request.title, request.version) == ("Edited elsewhere", 2)


def test_an_edit_with_phi_needs_the_confirmation(champion: User, as_champion: Client) -> None:
    request = submit(champion)
    url = reverse("intake:request-edit", args=[request.pk])

    flagged = as_champion.post(url, edit_data(request, story_wanted="Text me: 555-201-3344"))
    assert field_errors(flagged) == {"story_wanted": [PHI_PHONE]}
    request.refresh_from_db()
    assert request.version == 1

    confirmed = as_champion.post(
        url, edit_data(request, story_wanted="Text me: 555-201-3344", phi_confirmed="on")
    )

    assert confirmed.status_code == 302
    request.refresh_from_db()
    assert (request.story_wanted, request.version) == ("Text me: 555-201-3344", 2)
    assert list(PhiConfirmation.objects.values_list("field", "kinds")) == [
        ("story_wanted", ["phone"])
    ]


def test_the_submitter_withdraws_their_request(champion: User, as_champion: Client) -> None:
    request = submit(champion)

    response = as_champion.post(reverse("intake:request-withdraw", args=[request.pk]))

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == S.WITHDRAWN


# --- My requests, triage queue ---------------------------------------------------------------


def test_my_requests_lists_own_and_plus_oned_requests_with_status(
    champion: User, make_user: Any, cmio: User, as_champion: Client
) -> None:
    colleague = make_user("champion")
    with time_machine.travel(NOW, tick=False):
        mine = submit(champion, title="Discharge summary template is too long")
    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
        theirs = submit(colleague, title="Inbox routing for normal labs")
        services.request_vote(actor=champion, request=theirs)
        services.request_triage(actor=cmio, request=mine, version=1, build_hours=4)
    submit(colleague, title="Not mine")

    response = as_champion.get(reverse("intake:request-mine"))

    assert response.status_code == 200
    assert [(r.title, r.status) for r in response.context["rows"]] == [
        ("Inbox routing for normal labs", S.SUBMITTED),
        ("Discharge summary template is too long", S.TRIAGE),
    ]
    assert "You added a +1" in response.text
    assert "You raised it" in response.text
    assert '<span class="badge">In triage</span>' in response.text


def test_the_triage_queue_puts_safety_first_then_the_oldest_with_sla_in_words(
    champion: User, as_cmio: Client
) -> None:
    with time_machine.travel(NOW - datetime.timedelta(days=12), tick=False):
        oldest = submit(champion, title="Oldest", kind=RequestKind.REGULATORY)  # mandatory: 240 h
    with time_machine.travel(NOW - datetime.timedelta(days=2), tick=False):
        unrouted = submit(champion, title="Not routed yet")
    with time_machine.travel(NOW - datetime.timedelta(hours=67), tick=False):
        safety = submit(champion, title="Safety", is_safety_concern=True)  # fast track: 72 h
    done = submit(champion, title="Done")
    services.request_withdraw(actor=champion, request=done)

    with time_machine.travel(NOW, tick=False):
        response = as_cmio.get(reverse("intake:triage-queue"))

        assert response.status_code == 200
        assert [r.title for r in response.context["rows"]] == [
            safety.title,
            oldest.title,
            unrouted.title,
        ]
        text = response.text
        assert "due in 5 h" in text
        assert "overdue by 2 days" in text
        assert "not routed yet" in text


@pytest.mark.parametrize(
    ("hours", "words"),
    [
        (5, "due in 5 h"),
        (0.5, "due in 30 min"),
        (47, "due in 47 h"),
        (72, "due in 3 days"),
        (-0.25, "overdue by 15 min"),
        (-3, "overdue by 3 h"),
        (-48, "overdue by 2 days"),
        (-24 * 9 - 5, "overdue by 9 days"),
    ],
)
def test_sla_words(hours: float, words: str) -> None:
    assert sla_words(NOW + datetime.timedelta(hours=hours), now=NOW) == words


def test_sla_words_without_a_due_time() -> None:
    assert sla_words(None, now=NOW) == "no service level yet"


# --- List and export -------------------------------------------------------------------------


def test_the_list_filters_and_searches(champion: User, make_user: Any, as_cmio: Client) -> None:
    submit(champion, title="Sepsis alert fires on every post-op tachycardia")
    submit(champion, title="Inbox routing for normal labs", kind=RequestKind.ENHANCEMENT)
    submit(make_user("champion"), title="Sepsis order set lacks lactate timer")
    url = reverse("intake:request-list")

    def titles(**query: Any) -> list[str]:
        return [row.title for row in as_cmio.get(url, query).context["rows"]]

    assert titles() == [
        "Sepsis order set lacks lactate timer",
        "Inbox routing for normal labs",
        "Sepsis alert fires on every post-op tachycardia",
    ]
    assert titles(q="sepsis") == [
        "Sepsis order set lacks lactate timer",
        "Sepsis alert fires on every post-op tachycardia",
    ]
    assert titles(kind="enhancement") == ["Inbox routing for normal labs"]
    assert titles(status="declined") == []


def test_the_list_pages_by_fifty(champion: User, as_cmio: Client) -> None:
    for n in range(51):
        submit(champion, title=f"Request {n}")

    first = as_cmio.get(reverse("intake:request-list"))
    second = as_cmio.get(reverse("intake:request-list"), {"page": 2})

    assert len(first.context["rows"]) == 50
    assert [row.title for row in second.context["rows"]] == ["Request 0"]
    assert "Page 1 of 2" in first.text


def test_the_csv_export_has_the_filters_exact_header_and_neutralised_cells(
    champion: User, cmio: User, as_cmio: Client
) -> None:
    clinic = FacilityFactory.create(name="Riverside Medical Center")
    with time_machine.travel(NOW, tick=False):
        formula = submit(
            champion,
            title='=HYPERLINK("http://example.org","click")',
            facility=clinic,
            specialty="-Cardiology",
            is_safety_concern=True,
        )
        triage_fully(cmio, formula, build_hours=100)
        submit(champion, title="Inbox routing for normal labs", kind=RequestKind.ENHANCEMENT)

    response = as_cmio.get(reverse("intake:request-export"), {"kind": "pain_point"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="requests-')
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == [
        "Number",
        "Title",
        "Kind",
        "Status",
        "Route",
        "Facility",
        "Specialty",
        "Submitted by",
        "Submitted on",
        "Safety concern",
        "Votes (+1)",
        "Value",
        "Effort points",
        "Priority index",
        "Service level due",
    ]
    assert rows[1:] == [
        [
            str(formula.pk),
            '\'=HYPERLINK("http://example.org","click")',
            "Workflow pain point",
            "Scored",
            "Fast track",
            "Riverside Medical Center",
            "'-Cardiology",
            "Demo CHAMPION",
            "2026-03-02",
            "yes",
            "0",
            "47.00",
            "3",
            "15.67",
            "2026-03-05T09:00+00:00",
        ]
    ]


# --- Rubric ------------------------------------------------------------------------------------


def rubric_data(**changes: Any) -> dict[str, Any]:
    rubric = Rubric.objects.get(is_current=True)
    data: dict[str, Any] = {"note": ""}
    for criterion in rubric.criteria:
        data[f"label_{criterion['code']}"] = criterion["label"]
        data[f"weight_{criterion['code']}"] = criterion["weight"]
    for band, points in rubric.effort_points.items():
        data[f"effort_{band}"] = points
    data.update(changes)
    return data


def test_everyone_reads_the_rubric_and_only_admins_get_the_form(
    client_for: Callable[[str], Client],
) -> None:
    champion_page = client_for("champion").get(reverse("intake:rubric-edit"))
    admin_page = client_for("admin").get(reverse("intake:rubric-edit"))

    assert champion_page.status_code == admin_page.status_code == 200
    assert champion_page.context["form"] is None
    assert admin_page.context["form"] is not None
    assert [v.version for v in champion_page.context["versions"]] == [1]
    assert '<th scope="row">Clinician time saved</th><td class="num">15</td>' in (
        champion_page.text
    )


def test_an_admin_weight_edit_makes_version_2(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    data = rubric_data(weight_safety_quality=30, weight_financial=5, note="More weight on safety")

    response = client_for("admin").post(reverse("intake:rubric-edit"), data, follow=True)

    current = Rubric.objects.get(is_current=True)
    assert (current.version, current.note, current.created_by) == (
        2,
        "More weight on safety",
        users["admin"],
    )
    assert [c["weight"] for c in current.criteria] == [30, 20, 15, 15, 5, 5, 5, 5]
    assert messages_of(response) == [
        "Saved rubric version 2. New scores use it; earlier scores keep the version they were "
        "made with."
    ]
    assert [v.version for v in response.context["versions"]] == [2, 1]


def test_weights_that_do_not_add_up_are_refused(client_for: Callable[[str], Client]) -> None:
    response = client_for("admin").post(
        reverse("intake:rubric-edit"), rubric_data(weight_safety_quality=99)
    )

    assert response.status_code == 200
    assert field_errors(response) == {
        "__all__": ["The weights must add up to 100 (they add up to 174)."]
    }
    assert "The weights must add up to 100 (they add up to 174)." in response.text
    assert Rubric.objects.get(is_current=True).version == 1
    assert Rubric.objects.count() == 1


# --- Landing pages -----------------------------------------------------------------------------


def test_the_champion_landing_lists_their_requests_with_status(
    champion: User, as_champion: Client
) -> None:
    request = submit(champion, title="Discharge summary template is too long")

    response = as_champion.get("/home/champion/")

    assert [r.title for r in response.context["my_requests"]] == [request.title]
    assert f'<a href="{detail_url(request)}">{request.title}</a>' in response.text
    assert '<span class="badge">Submitted</span>' in response.text


def test_the_cmio_landing_shows_the_triage_queue_summary(champion: User, as_cmio: Client) -> None:
    with time_machine.travel(NOW - datetime.timedelta(days=4), tick=False):
        submit(champion, title="Overdue safety item", is_safety_concern=True)
    submit(champion, title="Fresh request")

    with time_machine.travel(NOW, tick=False):
        response = as_cmio.get("/home/cmio/")

    assert response.context["triage_total"] == 2
    assert response.context["triage_overdue"] == 1
    assert [r.title for r in response.context["triage_rows"]] == [
        "Overdue safety item",
        "Fresh request",
    ]
    assert '<span class="badge badge--warn">2 waiting</span>' in response.text
    assert '<span class="badge badge--danger">1 overdue</span>' in response.text
