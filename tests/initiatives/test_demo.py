"""Intake's demo (initiatives/demo.py): fourteen pain points in varied states, made through the
services, without e-mail, and nothing new on a second run."""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.core import mail
from django.db.models import Model
from django.utils import timezone

from informatics import demo as kernel_demo
from informatics.choices import NotificationPreference
from informatics.models import AuditEvent, Notification, PhiConfirmation, User
from initiatives import demo
from initiatives.choices import CommentKind, RequestStatus
from initiatives.models import IntakeRequest, RequestScore, RequestVote
from initiatives.selectors import needs_me_for

pytestmark = pytest.mark.django_db

S = RequestStatus


def seed() -> str:
    out = StringIO()
    kernel_demo.seed(stdout=out)
    demo.seed(stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    """Rows of every intake model, and of the kernel records the services write."""
    tracked: list[type[Model]] = [
        *apps.get_app_config("initiatives").get_models(),
        AuditEvent,
        Notification,
        PhiConfirmation,
        User,
    ]
    return {model._meta.label: model._default_manager.count() for model in tracked}


def request(title: str) -> IntakeRequest:
    return IntakeRequest.objects.get(title=title)


def test_fourteen_pain_points_cover_fourteen_states() -> None:
    output = seed()

    rows = dict(IntakeRequest.objects.values_list("title", "status"))
    assert rows == {point.title: point.status for point in demo.PAIN_POINTS}
    assert len(rows) == 14
    assert set(rows.values()) == {
        S.SUBMITTED,
        S.TRIAGE,
        S.NEEDS_INFO,
        S.SCORED,
        S.IN_REVIEW,
        S.DECIDED,
        S.SCHEDULED,
        S.IN_BUILD,
        S.RELEASED,
        S.BENEFIT_CHECK,
        S.DECLINED,
        S.REDIRECTED,
        S.MERGED,
        S.WITHDRAWN,
    }
    assert "Intake: 6 more physician champions; 14 pain points in 14 states (14 new)." in output


def test_the_physicians_speak_for_themselves() -> None:
    seed()

    sepsis = request("Sepsis alert fires on every post-op tachycardia")
    assert sepsis.story_today.startswith(
        "Sepsis alert fires on every post-op tachycardia; I dismiss 20 a day."
    )
    assert sepsis.submitted_by.email == "elena.marsh@riverside.example"
    assert sepsis.facility is not None
    assert (sepsis.facility.code, sepsis.specialty) == ("rmc-4w", "Hospital Medicine")
    submitters = set(IntakeRequest.objects.values_list("submitted_by__email", flat=True))
    assert "champion@riverside.example" in submitters
    assert len(submitters) == 8
    for point in demo.PHYSICIANS:
        person = User.objects.get(email=point.email)
        assert person.roles == ("champion",)
        assert person.check_password(kernel_demo.DEMO_PASSWORD)
        assert sorted(person.facilities.values_list("code", flat=True)) == sorted(point.facilities)


def test_the_services_leave_timelines_scores_and_history() -> None:
    seed()

    cmio = User.objects.get(email="cmio@riverside.example")
    for row in IntakeRequest.objects.all():
        timeline = list(row.status_changes.order_by("at", "id"))
        assert (timeline[0].from_status, timeline[0].to_status) == ("", S.SUBMITTED)
        assert timeline[-1].to_status == row.status
        assert [change.at for change in timeline] == sorted(change.at for change in timeline)
        assert row.status_changed_at == timeline[-1].at
        created = AuditEvent.objects.get(
            content_type__model="intakerequest", object_id=str(row.pk), action="create"
        )
        assert created.actor == row.submitted_by
    triaged = IntakeRequest.objects.exclude(
        status__in=[S.SUBMITTED, S.NEEDS_INFO, S.MERGED, S.WITHDRAWN]
    )
    for row in triaged:
        assert row.status_changes.filter(to_status=S.TRIAGE, actor=cmio).exists(), row.title
    scored = IntakeRequest.objects.filter(current_score__isnull=False)
    assert scored.count() == 8
    for row in scored:
        assert row.current_score is not None
        assert row.current_score.request == row
        assert set(row.current_score.breakdown) == {
            "safety_quality",
            "strategic_alignment",
            "time_saved",
            "reach",
            "financial",
            "equity",
            "evidence",
            "readiness",
        }


def test_votes_rescore_and_the_duplicate_merges_into_the_sepsis_alert() -> None:
    seed()

    sepsis = request("Sepsis alert fires on every post-op tachycardia")
    duplicate = request("Sepsis BPA fires after every surgery")
    assert duplicate.duplicate_of == sepsis
    # Elena, two early +1s, one after scoring, and Rafael with his +1 from the duplicate.
    assert sorted(sepsis.votes.values_list("voter__email", flat=True)) == [
        "benjamin.adeyemi@riverside.example",
        "champion@riverside.example",
        "hospitalist@riverside.example",
        "omar.haddad@riverside.example",
        "rafael.ortiz@riverside.example",
    ]
    assert sepsis.votes.filter(merged_from=duplicate).count() == 2
    reasons = list(
        RequestScore.objects.filter(request=sepsis)
        .order_by("created_at", "id")
        .values_list("reason", "people")
    )
    assert reasons == [("triage", 3), ("vote", 4), ("merge", 6)]
    assert sepsis.current_score is not None
    assert sepsis.current_score.people == 6
    assert sepsis.current_score.reach == 3  # triage rated the reach 3: enterprise-wide


def test_closing_states_carry_their_reason_question_or_note() -> None:
    seed()

    declined = request("Skip the PDMP check for short post-op opioid prescriptions")
    assert declined.decline_reason == "conflicts_with_standard"
    assert "State law requires" in declined.status_changes.get(to_status=S.DECLINED).note
    redirected = request("Cannot pull the problem list into the H&P")
    assert redirected.route == "training"
    assert ".PROBLEMLIST" in redirected.status_changes.get(to_status=S.REDIRECTED).note
    waiting = request("Foley catheters have no removal reminder")
    question = waiting.comments.get()
    assert (question.kind, question.answered_by) == (CommentKind.QUESTION, None)
    assert question.author.email == "cmio@riverside.example"
    omar = User.objects.get(email="omar.haddad@riverside.example")
    assert [item.kind for item in needs_me_for(omar)] == ["Question for you"]
    withdrawn = request("Weight-based dosing for pediatric acetaminophen")
    assert withdrawn.status_changes.get(to_status=S.WITHDRAWN).actor == withdrawn.submitted_by


def test_pain_points_link_the_seeded_priorities() -> None:
    seed()

    linked = {
        row.title: sorted(p.code for p in row.priorities.all())
        for row in IntakeRequest.objects.prefetch_related("priorities")
        if row.priorities.exists()
    }
    assert linked["Sepsis alert fires on every post-op tachycardia"] == [
        "evidence-based-care",
        "joy-in-practice",
        "zero-harm",
    ]
    assert linked["Inbox routing for normal labs"] == ["joy-in-practice"]
    assert len(linked) == 9
    suggested = request("Inbox routing for normal labs").suggested_priority
    assert suggested is not None
    assert suggested.code == "joy-in-practice"


def test_the_payer_phone_number_was_confirmed_as_not_patient_information() -> None:
    seed()

    prior_auth = request("Prior authorisation for an MRI takes four phone calls")
    confirmation = PhiConfirmation.objects.get()
    assert (confirmation.object_id, confirmation.field, confirmation.kinds) == (
        str(prior_auth.pk),
        "story_today",
        ["phone"],
    )
    assert confirmation.confirmed_by == prior_auth.submitted_by


def test_ages_spread_from_submission_to_the_latest_step() -> None:
    before = timezone.now()
    seed()
    now = timezone.now()

    for point in demo.PAIN_POINTS:
        row = request(point.title)
        submitted = datetime.timedelta(days=point.days_ago)
        assert before - submitted <= row.created_at <= now - submitted, point.title
        latest = datetime.timedelta(days=point.last_days_ago)
        assert row.created_at <= row.status_changed_at <= now - latest, point.title
        last = row.status_changes.order_by("at", "id").last()
        assert last is not None
        assert row.status_changed_at == last.at
    falls = request("No falls reassessment after a sedating medication")
    assert falls.route == "fast_track"
    assert falls.routed_at is not None
    assert falls.sla_due_at is not None
    assert falls.sla_due_at == falls.routed_at + datetime.timedelta(hours=72)
    assert falls.sla_due_at < now  # the fast-track item is overdue in the CMIO's needs-me
    cmio = User.objects.get(email="cmio@riverside.example")
    overdue = [item.title for item in needs_me_for(cmio) if item.kind == "Overdue SLA"]
    assert f"#{falls.pk} {falls.title}" in overdue


def test_no_email_is_sent_and_preferences_stay_as_people_chose() -> None:
    kernel_demo.seed(stdout=StringIO())
    User.objects.filter(email="champion@riverside.example").update(
        notification_preference=NotificationPreference.DAILY
    )
    mail.outbox.clear()

    demo.seed(stdout=StringIO())

    assert mail.outbox == []
    assert Notification.objects.count() == 0
    preferences = dict(User.objects.values_list("email", "notification_preference"))
    assert preferences.pop("champion@riverside.example") == NotificationPreference.DAILY
    assert set(preferences.values()) == {NotificationPreference.IMMEDIATE}


def test_a_second_run_creates_nothing() -> None:
    seed()
    first = counts()
    statuses = dict(IntakeRequest.objects.values_list("title", "status"))
    votes = RequestVote.objects.count()

    output = seed()

    assert counts() == first
    assert dict(IntakeRequest.objects.values_list("title", "status")) == statuses
    assert RequestVote.objects.count() == votes
    assert "(0 new)" in output
    for label in (
        "initiatives.IntakeRequest",
        "initiatives.RequestVote",
        "initiatives.RequestComment",
        "initiatives.RequestScore",
        "initiatives.RequestStatusChange",
        "initiatives.Rubric",
    ):
        assert first[label] > 0, label
