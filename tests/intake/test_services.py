"""Intake's write services, called directly: submission, editing, +1s, the thread, triage,
scoring, merging and the rubric. Expected scores are worked out by hand from DOMAIN.md §5:
value = Σ weight × rating ÷ 5, index = value ÷ effort points, reach from the people count."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from informatics.choices import AuditAction, Route
from informatics.exceptions import StaleEdit
from informatics.models import AuditEvent, Notification, PhiConfirmation, User
from informatics.permissions import ActionDenied
from informatics.phi import PhiFlagged
from informatics.services import site_settings_update
from intake import services
from intake.choices import CommentKind, RequestKind, RequestStatus, ScoreReason
from intake.models import (
    IntakeRequest,
    RequestComment,
    RequestScore,
    RequestStatusChange,
    RequestVote,
    Rubric,
)
from tests.factories import FacilityFactory, PriorityFactory
from tests.intake.factories import FULL_RATINGS, submit, triage_fully

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]
S = RequestStatus


def errors_of(raised: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return dict(raised.value.message_dict)


def statuses(request: IntakeRequest) -> list[tuple[str, str]]:
    return list(
        RequestStatusChange.objects.filter(request=request)
        .order_by("at", "id")
        .values_list("from_status", "to_status")
    )


def score_rows(request: IntakeRequest) -> list[tuple[Any, ...]]:
    return list(
        RequestScore.objects.filter(request=request)
        .order_by("id")
        .values_list("id", "rubric__version", "reason", "people", "reach", "value", "breakdown")
    )


@pytest.fixture
def champion(users: dict[str, User]) -> User:
    return users["champion"]


@pytest.fixture
def cmio(users: dict[str, User]) -> User:
    return users["cmio"]


@pytest.fixture
def admin(users: dict[str, User]) -> User:
    return users["admin"]


# --- Submission -----------------------------------------------------------------------------


def test_submit_records_the_request_its_timeline_and_its_audit(champion: User) -> None:
    facility = FacilityFactory.create()
    priority = PriorityFactory.create()

    with time_machine.travel(NOW, tick=False):
        request = services.request_submit(
            actor=champion,
            kind=RequestKind.PAIN_POINT,
            title="  Med rec screen loses home meds ",
            story_today="Home meds vanish on transfer.",
            story_wanted="They stay until reconciled.",
            frequency="daily",
            workflow_area="Admission",
            ehr_module="Med rec",
            facility=facility,
            specialty="Hospital medicine",
            minutes_lost=6,
            suggested_priority=priority,
        )

    request.refresh_from_db()
    assert request.title == "Med rec screen loses home meds"
    assert (request.status, request.status_changed_at, request.submitted_by) == (
        S.SUBMITTED,
        NOW,
        champion,
    )
    assert (request.route, request.routed_at, request.sla_due_at) == ("", None, None)
    assert (request.version, request.current_score) == (1, None)
    assert statuses(request) == [("", S.SUBMITTED)]
    event = AuditEvent.objects.get(object_id=str(request.pk), action=AuditAction.CREATE)
    assert event.changes["title"] == [None, "Med rec screen loses home meds"]
    assert event.changes["status"] == [None, "submitted"]
    assert Notification.objects.count() == 0  # a submission is not a status change


def test_submit_refuses_missing_fields_and_saves_nothing(champion: User) -> None:
    with pytest.raises(ValidationError) as raised:
        services.request_submit(
            actor=champion,
            kind="gripe",
            title=" ",
            story_today="",
            story_wanted="  ",
            frequency="hourly",
            minutes_lost=-3,
        )

    assert errors_of(raised) == {
        "kind": ["Value 'gripe' is not a valid choice."],
        "title": ["This field cannot be blank."],
        "story_today": ["This field cannot be blank."],
        "story_wanted": ["This field cannot be blank."],
        "frequency": ["Value 'hourly' is not a valid choice."],
        "minutes_lost": ["Ensure this value is greater than or equal to 0."],
    }
    assert IntakeRequest.objects.count() == 0


def test_a_safety_flagged_request_lands_in_the_fast_track(champion: User) -> None:
    with time_machine.travel(NOW, tick=False):
        request = submit(champion, title="Wrong-patient orders", is_safety_concern=True)

    # Fast track: SLA of 72 h by default (DEFAULT_SLA_HOURS), from submission.
    assert (request.route, request.routed_at, request.sla_due_at) == (
        Route.FAST_TRACK,
        NOW,
        NOW + datetime.timedelta(hours=72),
    )


@pytest.mark.parametrize(
    ("kind", "regulatory", "route"),
    [
        (RequestKind.SAFETY, False, Route.FAST_TRACK),
        (RequestKind.REGULATORY, False, Route.MANDATORY),
        (RequestKind.VENDOR_MANDATED, False, Route.MANDATORY),
        (RequestKind.ENHANCEMENT, True, Route.MANDATORY),
        (RequestKind.ENHANCEMENT, False, ""),
    ],
)
def test_gates_route_a_request_on_submission(
    champion: User, kind: str, regulatory: bool, route: str
) -> None:
    request = submit(champion, kind=kind, is_regulatory=regulatory)
    assert request.route == route


def test_phi_in_a_story_stops_the_submission(champion: User) -> None:
    with pytest.raises(PhiFlagged) as raised:
        submit(champion, story_today="Call the daughter on 555-201-3344 about MRN 4412897.")

    assert list(raised.value.findings) == ["story_today"]
    assert errors_of(raised) == {
        "story_today": [
            "This looks like patient information (phone number: “555-201-3344”; "
            "medical record number: “MRN 4412897”). Edit it out, or confirm it is not patient "
            "information."
        ]
    }
    assert IntakeRequest.objects.count() == 0
    assert PhiConfirmation.objects.count() == 0


def test_confirmed_phi_lookalike_is_saved_and_the_confirmation_recorded(champion: User) -> None:
    request = submit(
        champion, story_wanted="Page the unit at 555-201-3344 instead.", phi_confirmed=True
    )

    confirmation = PhiConfirmation.objects.get()
    assert (confirmation.object_id, confirmation.field, confirmation.kinds) == (
        str(request.pk),
        "story_wanted",
        ["phone"],
    )
    assert confirmation.confirmed_by == champion


# --- Editing --------------------------------------------------------------------------------


def test_submitter_edits_their_submitted_request(champion: User) -> None:
    request = submit(champion)

    services.request_update(
        actor=champion, request=request, version=1, title="Home meds vanish", minutes_lost=4
    )

    request.refresh_from_db()
    assert (request.title, request.minutes_lost, request.version) == ("Home meds vanish", 4, 2)
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE).get()
    assert event.changes == {
        "title": ["Med rec screen loses home meds", "Home meds vanish"],
        "minutes_lost": [None, 4],
    }


def test_an_edit_of_a_stale_version_is_refused(champion: User) -> None:
    request = submit(champion)
    services.request_update(actor=champion, request=request, version=1, title="Second")

    with pytest.raises(StaleEdit):
        services.request_update(actor=champion, request=request, version=1, title="Third")

    request.refresh_from_db()
    assert (request.title, request.version) == ("Second", 2)


def test_edit_refuses_fields_triage_owns(champion: User) -> None:
    request = submit(champion)

    with pytest.raises(ValidationError) as raised:
        services.request_update(actor=champion, request=request, version=1, route="steering")

    assert errors_of(raised) == {"route": ["This field cannot be edited here."]}


def test_edit_flagging_safety_moves_the_request_to_the_fast_track(champion: User) -> None:
    request = submit(champion)

    with time_machine.travel(NOW, tick=False):
        services.request_update(actor=champion, request=request, version=1, is_safety_concern=True)

    request.refresh_from_db()
    assert (request.route, request.sla_due_at) == (
        Route.FAST_TRACK,
        NOW + datetime.timedelta(hours=72),
    )


def test_edit_checks_only_changed_text_for_phi(champion: User) -> None:
    request = submit(
        champion, story_today="Call 555-201-3344 to reach pharmacy.", phi_confirmed=True
    )

    services.request_update(actor=champion, request=request, version=1, title="Pharmacy line")
    with pytest.raises(PhiFlagged):
        services.request_update(
            actor=champion, request=request, version=2, story_wanted="born 03/04/1961"
        )

    assert PhiConfirmation.objects.count() == 1


# --- Votes ----------------------------------------------------------------------------------


def test_a_vote_records_the_voters_context(champion: User, make_user: Any) -> None:
    request = submit(champion)
    voter = make_user("champion")
    facility = FacilityFactory.create()

    vote = services.request_vote(
        actor=voter, request=request, specialty="ED", facility=facility, frequency="weekly"
    )

    assert (vote.request, vote.voter, vote.specialty, vote.facility, vote.frequency) == (
        request,
        voter,
        "ED",
        facility,
        "weekly",
    )
    assert RequestScore.objects.count() == 0  # not scored yet: no score row


def test_one_vote_per_person_and_none_by_the_submitter(champion: User, make_user: Any) -> None:
    request = submit(champion)
    voter = make_user("champion")
    services.request_vote(actor=voter, request=request)

    with pytest.raises(ValidationError) as twice:
        services.request_vote(actor=voter, request=request)
    with pytest.raises(ValidationError) as own:
        services.request_vote(actor=champion, request=request)

    assert errors_of(twice) == {"voter": ["You have already added your +1 to this request."]}
    assert errors_of(own) == {"voter": ["You submitted this request: you are already counted."]}
    assert RequestVote.objects.count() == 1


def test_a_closed_request_takes_no_votes(champion: User, cmio: User, make_user: Any) -> None:
    request = submit(champion)
    services.request_withdraw(actor=champion, request=request)

    with pytest.raises(ValidationError) as raised:
        services.request_vote(actor=make_user("champion"), request=request)

    assert errors_of(raised) == {"request": ["This request is Withdrawn; it is closed."]}


def test_the_vote_refusal_says_why_a_person_may_not_add_a_plus_one(
    champion: User, cmio: User, make_user: Any
) -> None:
    request, survivor = submit(champion), submit(champion, title="The one that stays")
    voter, newcomer = make_user("champion"), make_user("executive")
    services.request_vote(actor=voter, request=request)
    merged = submit(make_user("champion"), title="Said twice")
    services.request_merge(actor=cmio, request=merged, survivor=survivor)
    withdrawn = submit(champion, title="Never mind")
    services.request_withdraw(actor=champion, request=withdrawn)

    def refusal(request: IntakeRequest, user: User) -> dict[str, str]:
        return services.request_vote_refusal(
            request=IntakeRequest.objects.get(pk=request.pk), user=user
        )

    assert refusal(request, newcomer) == {}
    assert refusal(request, champion) == {
        "voter": "You submitted this request: you are already counted."
    }
    assert refusal(request, voter) == {"voter": "You have already added your +1 to this request."}
    assert refusal(merged, newcomer) == {
        "request": f"This request was merged into #{survivor.pk}; add your +1 there."
    }
    assert refusal(withdrawn, newcomer) == {"request": "This request is Withdrawn; it is closed."}


def test_a_vote_on_a_scored_request_makes_a_new_score_row(
    champion: User, cmio: User, make_user: Any
) -> None:
    request = submit(champion)
    triage_fully(cmio, request)  # FULL_RATINGS, 20 h
    first = RequestScore.objects.get(request=request)

    services.request_vote(actor=make_user("executive"), request=request)

    request.refresh_from_db()
    rows = list(RequestScore.objects.filter(request=request).order_by("id"))
    assert [row.reason for row in rows] == [ScoreReason.TRIAGE, ScoreReason.VOTE]
    new = rows[1]
    assert request.current_score == new
    # 2 people → reach 1 → 15·1/5 = 3 points; 47 + 3 = 50; S (20 h) = 2 points → 25
    assert (new.people, new.reach, new.value, new.priority_index) == (
        2,
        1,
        Decimal("50.00"),
        Decimal("25.00"),
    )
    assert new.breakdown["reach"] == {"label": "Reach", "weight": 15, "rating": 1, "points": 3.0}
    first.refresh_from_db()
    assert (first.people, first.reach, first.value) == (1, 0, Decimal("47.00"))


# --- Thread ---------------------------------------------------------------------------------


def test_comment_by_triage_notifies_the_submitter(champion: User, cmio: User) -> None:
    request = submit(champion)

    comment = services.request_comment(actor=cmio, request=request, body=" Which unit? ")

    assert (comment.kind, comment.body, comment.author) == (
        CommentKind.COMMENT,
        "Which unit?",
        cmio,
    )
    notification = Notification.objects.get()
    assert (notification.recipient, notification.subject) == (
        champion,
        f"New comment on your request #{request.pk}",
    )


def test_empty_and_phi_comments_are_refused(champion: User) -> None:
    request = submit(champion)

    with pytest.raises(ValidationError) as empty:
        services.request_comment(actor=champion, request=request, body="  ")
    with pytest.raises(PhiFlagged):
        services.request_comment(actor=champion, request=request, body="jane.doe@example.org")

    assert errors_of(empty) == {"body": ["Write a comment."]}
    assert RequestComment.objects.count() == 0


def test_ask_and_answer_go_through_needs_info_and_back_to_triage(
    champion: User, cmio: User
) -> None:
    request = submit(champion)

    question = services.request_ask(actor=cmio, request=request, question="Which unit?")
    request.refresh_from_db()
    assert request.status == S.NEEDS_INFO
    assert question.kind == CommentKind.QUESTION

    answer = services.request_answer(actor=champion, request=request, body="4 West.")

    request.refresh_from_db()
    question.refresh_from_db()
    assert request.status == S.TRIAGE
    assert question.answered_by == answer
    assert statuses(request) == [
        ("", S.SUBMITTED),
        (S.SUBMITTED, S.NEEDS_INFO),
        (S.NEEDS_INFO, S.TRIAGE),
    ]


def test_only_the_submitter_answers_and_only_an_open_question(
    champion: User, cmio: User, make_user: Any
) -> None:
    request = submit(champion)

    with pytest.raises(ValidationError) as nothing_asked:
        services.request_answer(actor=champion, request=request, body="Here you go")
    services.request_ask(actor=cmio, request=request, question="Which unit?")
    with pytest.raises(ActionDenied):
        services.request_answer(actor=make_user("champion"), request=request, body="Mine")

    assert errors_of(nothing_asked) == {"body": ["No question is waiting for your answer."]}
    assert RequestComment.objects.filter(kind=CommentKind.ANSWER).count() == 0


def test_question_with_phi_is_refused_before_the_request_moves(champion: User, cmio: User) -> None:
    request = submit(champion)

    with pytest.raises(PhiFlagged) as raised:
        services.request_ask(actor=cmio, request=request, question="Is it MRN 4412897?")

    assert list(raised.value.findings) == ["question"]
    request.refresh_from_db()
    assert (request.status, request.version) == (S.SUBMITTED, 1)


# --- Triage ---------------------------------------------------------------------------------


def test_first_triage_moves_a_submitted_request_to_triage_and_starts_the_sla(
    champion: User, cmio: User
) -> None:
    priority = PriorityFactory.create()

    with time_machine.travel(NOW, tick=False):
        request = submit(champion)
        services.request_triage(
            actor=cmio,
            request=request,
            version=1,
            kind=RequestKind.ENHANCEMENT,
            route=Route.WORKGROUP,
            priorities=[priority],
        )

    request.refresh_from_db()
    assert (request.status, request.kind, request.route) == (
        S.TRIAGE,
        RequestKind.ENHANCEMENT,
        Route.WORKGROUP,
    )
    # Workgroup: 720 h by default.
    assert (request.routed_at, request.sla_due_at) == (NOW, NOW + datetime.timedelta(hours=720))
    assert list(request.priorities.all()) == [priority]
    assert statuses(request) == [("", S.SUBMITTED), (S.SUBMITTED, S.TRIAGE)]
    assert RequestScore.objects.count() == 0


def test_sla_hours_come_from_site_settings(champion: User, cmio: User, admin: User) -> None:
    hours = dict.fromkeys(Route.values, 100)
    site_settings_update(actor=admin, sla_hours={**hours, Route.ANALYTICS: 12})
    request = submit(champion)

    with time_machine.travel(NOW, tick=False):
        services.request_triage(actor=cmio, request=request, version=1, route=Route.ANALYTICS)

    request.refresh_from_db()
    assert request.sla_due_at == NOW + datetime.timedelta(hours=12)


def test_triage_to_a_safety_kind_applies_the_fast_track_gate(champion: User, cmio: User) -> None:
    request = submit(champion)

    services.request_triage(actor=cmio, request=request, version=1, kind=RequestKind.SAFETY)

    request.refresh_from_db()
    assert request.route == Route.FAST_TRACK


def test_complete_triage_scores_the_request_with_an_exact_breakdown(
    champion: User, cmio: User
) -> None:
    request = submit(champion)

    services.request_triage(
        actor=cmio, request=request, version=1, ratings=FULL_RATINGS, build_hours=100
    )

    request.refresh_from_db()
    score = request.current_score
    assert score is not None
    assert (score.rubric.version, score.reason, score.created_by) == (1, "triage", cmio)
    # Ratings 3,4,2,(reach 0),1,0,3,5 × weights 25,20,15,15,10,5,5,5 ÷ 5:
    # 15 + 16 + 6 + 0 + 2 + 0 + 3 + 5 = 47; 100 h is M = 3 points → 47/3 = 15.67
    assert score.ordered_breakdown == [
        {
            "code": "safety_quality",
            "label": "Patient safety and quality",
            "weight": 25,
            "rating": 3,
            "points": 15.0,
        },
        {
            "code": "strategic_alignment",
            "label": "Strategic alignment",
            "weight": 20,
            "rating": 4,
            "points": 16.0,
        },
        {
            "code": "time_saved",
            "label": "Clinician time saved",
            "weight": 15,
            "rating": 2,
            "points": 6.0,
        },
        {"code": "reach", "label": "Reach", "weight": 15, "rating": 0, "points": 0.0},
        {"code": "financial", "label": "Financial", "weight": 10, "rating": 1, "points": 2.0},
        {"code": "equity", "label": "Equity", "weight": 5, "rating": 0, "points": 0.0},
        {"code": "evidence", "label": "Evidence", "weight": 5, "rating": 3, "points": 3.0},
        {"code": "readiness", "label": "Readiness", "weight": 5, "rating": 5, "points": 5.0},
    ]
    assert (score.people, score.reach, score.value) == (1, 0, Decimal("47.00"))
    assert (score.effort_band, score.effort_points, score.priority_index) == (
        "M",
        3,
        Decimal("15.67"),
    )
    assert request.status == S.SCORED
    assert statuses(request) == [
        ("", S.SUBMITTED),
        (S.SUBMITTED, S.TRIAGE),
        (S.TRIAGE, S.SCORED),
    ]


def test_a_higher_reach_rating_wins_over_the_people_count(champion: User, cmio: User) -> None:
    request = submit(champion)

    triage_fully(cmio, request, reach_rating=4, build_hours=3)

    request.refresh_from_db()
    score = request.current_score
    assert score is not None
    # reach 4 → 15·4/5 = 12; 47 + 12 = 59; XS = 1 point → 59
    assert (score.reach, score.value, score.effort_band, score.priority_index) == (
        4,
        Decimal("59.00"),
        "XS",
        Decimal("59.00"),
    )


def test_partial_ratings_make_no_score(champion: User, cmio: User) -> None:
    request = submit(champion)
    partial = {k: v for k, v in FULL_RATINGS.items() if k != "readiness"}

    services.request_triage(actor=cmio, request=request, version=1, ratings=partial, build_hours=9)

    request.refresh_from_db()
    assert (request.status, request.current_score, request.ratings) == (S.TRIAGE, None, partial)


def test_ratings_merge_and_a_none_rating_removes_one(champion: User, cmio: User) -> None:
    request = submit(champion)
    services.request_triage(actor=cmio, request=request, version=1, ratings={"equity": 2})
    request.refresh_from_db()

    services.request_triage(
        actor=cmio,
        request=request,
        version=request.version,
        ratings={"evidence": 4, "equity": None},
    )

    request.refresh_from_db()
    assert request.ratings == {"evidence": 4}


def test_rescoring_with_the_same_inputs_makes_no_new_row(champion: User, cmio: User) -> None:
    request = submit(champion)
    triage_fully(cmio, request)
    triage_fully(cmio, request)
    triage_fully(cmio, request, ratings={**FULL_RATINGS, "equity": 5})

    rows = list(RequestScore.objects.filter(request=request).order_by("id"))
    # 47 + 5·5/5 = 52
    assert [row.value for row in rows] == [Decimal("47.00"), Decimal("52.00")]


def test_triage_refuses_bad_inputs_and_changes_nothing(champion: User, cmio: User) -> None:
    request = submit(champion)

    with pytest.raises(ValidationError) as raised:
        services.request_triage(
            actor=cmio,
            request=request,
            version=1,
            kind="gripe",
            route="nowhere",
            ratings={"safety_quality": 6},
            reach_rating=9,
            build_hours=-1,
        )
    with pytest.raises(ValidationError) as reach:
        services.request_triage(actor=cmio, request=request, version=1, ratings={"reach": 3})
    with pytest.raises(ValidationError) as unknown:
        services.request_triage(actor=cmio, request=request, version=1, ratings={"vibes": 3})

    assert errors_of(raised) == {
        "kind": ["Value 'gripe' is not a valid choice."],
        "route": ["Value 'nowhere' is not a valid choice."],
        "ratings": ["Rate each criterion with a whole number from 0 to 5."],
        "reach_rating": ["Rate the reach with a whole number from 0 to 5."],
        "build_hours": ["Ensure this value is greater than or equal to 0."],
    }
    assert errors_of(reach) == {
        "ratings": [
            "Reach follows the people behind the request; give reach_rating to rate it higher."
        ]
    }
    assert errors_of(unknown) == {"ratings": ["Not criteria of rubric v1: vibes."]}
    request.refresh_from_db()
    assert (request.status, request.version, request.ratings) == (S.SUBMITTED, 1, {})


def test_triage_does_not_take_a_route_away(champion: User, cmio: User) -> None:
    request = submit(champion)
    services.request_triage(actor=cmio, request=request, version=1, route=Route.TRAINING)
    routed = request.version

    with pytest.raises(ValidationError) as raised:
        services.request_triage(actor=cmio, request=request, version=routed, route="")

    assert errors_of(raised) == {"route": ["Choose a route; triage does not un-route a request."]}
    request.refresh_from_db()
    assert (request.route, request.version) == (Route.TRAINING, routed)


def test_triage_of_a_stale_version_is_refused(champion: User, cmio: User) -> None:
    request = submit(champion)
    services.request_triage(actor=cmio, request=request, version=1, route=Route.TRAINING)

    with pytest.raises(StaleEdit):
        services.request_triage(actor=cmio, request=request, version=1, route=Route.ANALYTICS)

    request.refresh_from_db()
    assert request.route == Route.TRAINING


def test_a_closed_request_cannot_be_triaged(champion: User, cmio: User) -> None:
    request = submit(champion)
    services.request_withdraw(actor=champion, request=request)
    request.refresh_from_db()

    with pytest.raises(ValidationError) as raised:
        services.request_triage(
            actor=cmio, request=request, version=request.version, route=Route.TRAINING
        )

    assert errors_of(raised) == {"status": ["This request is Withdrawn; it is closed."]}


# --- Isolation: events on other requests never touch a request's scores --------------------


def test_creating_scoring_voting_and_merging_other_requests_leaves_a_score_alone(
    champion: User, cmio: User, make_user: Any
) -> None:
    first = submit(champion, title="Sepsis alert fires on every post-op tachycardia")
    triage_fully(cmio, first)
    first.refresh_from_db()
    before = score_rows(first)
    current_before = first.current_score_id

    for n in range(3):
        other = submit(make_user("champion"), title=f"Other problem {n}")
        triage_fully(cmio, other, build_hours=200)
        services.request_vote(actor=make_user("executive"), request=other)
    duplicate = submit(make_user("champion"), title="Duplicate of another")
    services.request_vote(actor=make_user("champion"), request=duplicate)
    services.request_merge(actor=cmio, request=duplicate, survivor=other)

    first.refresh_from_db()
    assert score_rows(first) == before
    assert first.current_score_id == current_before
    assert RequestScore.objects.exclude(request=first).count() == 7  # 3 × (triage, vote), merge


# --- Merging --------------------------------------------------------------------------------


def test_merge_moves_votes_and_people_into_the_survivor(
    champion: User, cmio: User, make_user: Any
) -> None:
    survivor = submit(champion, title="Sepsis alert fires on every post-op tachycardia")
    triage_fully(cmio, survivor)
    duplicate_author = make_user("champion", specialty="Surgery")
    duplicate = submit(duplicate_author, title="Sepsis alerts after surgery", specialty="Surgery")
    both = make_user("champion")
    only_duplicate = make_user("champion")
    services.request_vote(actor=both, request=survivor)
    services.request_vote(actor=both, request=duplicate)
    services.request_vote(actor=only_duplicate, request=duplicate, specialty="Anesthesia")
    services.request_vote(actor=champion, request=duplicate)  # survivor's submitter

    services.request_merge(actor=cmio, request=duplicate, survivor=survivor)

    duplicate.refresh_from_db()
    survivor.refresh_from_db()
    assert (duplicate.status, duplicate.duplicate_of) == (S.MERGED, survivor)
    on_survivor = {
        (v.voter, v.merged_from_id, v.specialty)
        for v in RequestVote.objects.filter(request=survivor)
    }
    assert on_survivor == {
        (both, None, ""),
        (only_duplicate, duplicate.pk, "Anesthesia"),
        (duplicate_author, duplicate.pk, "Surgery"),
    }
    # Voters already counted on the survivor stay behind on the merged request.
    assert set(RequestVote.objects.filter(request=duplicate).values_list("voter", flat=True)) == {
        both.pk,
        champion.pk,
    }
    score = survivor.current_score
    assert score is not None
    # 4 people (submitter + 3) → reach 1 → 47 + 3 = 50; S → 25
    assert (score.reason, score.people, score.reach, score.value, score.priority_index) == (
        ScoreReason.MERGE,
        4,
        1,
        Decimal("50.00"),
        Decimal("25.00"),
    )
    notification = Notification.objects.filter(recipient=duplicate_author).get()
    assert notification.subject == f"Your request #{duplicate.pk} is now Merged"
    assert f"Merged into #{survivor.pk}" in notification.body


def test_merge_refusals(champion: User, cmio: User) -> None:
    first = submit(champion)
    second = submit(champion)
    services.request_withdraw(actor=champion, request=second)

    with pytest.raises(ValidationError) as itself:
        services.request_merge(actor=cmio, request=first, survivor=first)
    with pytest.raises(ValidationError) as closed:
        services.request_merge(actor=cmio, request=first, survivor=second)

    assert errors_of(itself) == {"survivor": ["A request cannot be merged into itself."]}
    assert errors_of(closed) == {
        "survivor": [f"#{second.pk} is Withdrawn; merge into an open one."]
    }
    first.refresh_from_db()
    assert (first.status, first.duplicate_of) == (S.SUBMITTED, None)


# --- Rubric ---------------------------------------------------------------------------------

V2_CRITERIA = [
    {"code": "safety_quality", "label": "Patient safety and quality", "weight": 30},
    {"code": "strategic_alignment", "label": "Strategic alignment", "weight": 20},
    {"code": "time_saved", "label": "Clinician time saved", "weight": 10},
    {"code": "reach", "label": "Reach", "weight": 15},
    {"code": "financial", "label": "Financial", "weight": 10},
    {"code": "equity", "label": "Equity", "weight": 5},
    {"code": "evidence", "label": "Evidence", "weight": 5},
    {"code": "readiness", "label": "Readiness", "weight": 5},
]
GATES = {"fast_track": ["safety"], "mandatory": ["regulatory", "vendor_mandated"]}
EFFORT = {"XS": 1, "S": 2, "M": 3, "L": 5, "XL": 8}


def test_a_weight_edit_makes_rubric_v2_and_leaves_v1_scores_as_they_were(
    champion: User, cmio: User, admin: User, make_user: Any
) -> None:
    request = submit(champion)
    triage_fully(cmio, request)
    v1_rows = score_rows(request)

    rubric = services.rubric_update(
        actor=admin, criteria=V2_CRITERIA, gates=GATES, effort_points=EFFORT, note="More safety"
    )

    assert (rubric.version, rubric.is_current, rubric.created_by, rubric.note) == (
        2,
        True,
        admin,
        "More safety",
    )
    assert list(Rubric.objects.order_by("version").values_list("version", "is_current")) == [
        (1, False),
        (2, True),
    ]
    assert score_rows(request) == v1_rows

    services.request_vote(actor=make_user("champion"), request=request)

    request.refresh_from_db()
    score = request.current_score
    assert score is not None
    # v2: 30·3/5=18, 20·4/5=16, 10·2/5=4, reach 15·1/5=3, 10·1/5=2, 0, 5·3/5=3, 5 → 51; S → 25.5
    assert (score.rubric.version, score.reason, score.value, score.priority_index) == (
        2,
        ScoreReason.VOTE,
        Decimal("51.00"),
        Decimal("25.50"),
    )
    assert score_rows(request)[0] == v1_rows[0]


def test_rubric_update_refuses_bad_weights_and_keeps_v1_current(admin: User) -> None:
    criteria = [dict(c) for c in V2_CRITERIA]
    criteria[0]["weight"] = 25

    with pytest.raises(ValidationError) as raised:
        services.rubric_update(actor=admin, criteria=criteria, gates=GATES, effort_points=EFFORT)

    assert errors_of(raised) == {
        "criteria": ["The weights must add up to 100 (they add up to 95)."]
    }
    assert list(Rubric.objects.values_list("version", "is_current")) == [(1, True)]


def test_rubric_update_refuses_a_note_longer_than_the_model_keeps(admin: User) -> None:
    with pytest.raises(ValidationError) as raised:
        services.rubric_update(
            actor=admin, criteria=V2_CRITERIA, gates=GATES, effort_points=EFFORT, note="x" * 201
        )

    assert errors_of(raised) == {
        "note": ["Ensure this value has at most 200 characters (it has 201)."]
    }
    assert list(Rubric.objects.values_list("version", "is_current")) == [(1, True)]


def test_a_new_criterion_without_ratings_stops_rescoring_until_triage_rates_it(
    champion: User, cmio: User, admin: User, make_user: Any
) -> None:
    request = submit(champion)
    triage_fully(cmio, request)
    criteria = [*V2_CRITERIA[1:], {"code": "security", "label": "Security", "weight": 30}]
    services.rubric_update(actor=admin, criteria=criteria, gates=GATES, effort_points=EFFORT)

    services.request_vote(actor=make_user("champion"), request=request)

    assert RequestScore.objects.filter(request=request).count() == 1
