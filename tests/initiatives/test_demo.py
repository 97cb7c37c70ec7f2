"""Intake's and the portfolio's demo (initiatives/demo.py, initiatives/initiatives/demo.py):
fourteen pain points in varied states and twenty-six initiatives in every stage, made through
the services, without e-mail, and nothing new on a second run."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.db.models import Model
from django.utils import timezone

from informatics import demo as kernel_demo
from informatics.models import AuditEvent, Notification, PhiConfirmation, User
from initiatives import demo as initiatives_demo
from initiatives import selectors
from initiatives.choices import GATE_STAGES, Stage
from initiatives.models import BenefitLine, Initiative, Milestone, StageChange
from initiatives.selectors import needs_me_for as portfolio_needs_me_for
from intake import demo
from intake import selectors as intake_selectors
from intake.choices import CommentKind, RequestStatus
from intake.models import IntakeRequest, RequestScore, RequestVote
from intake.selectors import needs_me_for
from tests.conftest import data_for_module

pytestmark = pytest.mark.django_db

S = RequestStatus


def seed() -> str:
    out = StringIO()
    kernel_demo.seed(stdout=out)
    demo.seed(stdout=out)
    initiatives_demo.seed(stdout=out)
    return out.getvalue()


@dataclass(frozen=True)
class Seeded:
    """The demo, seeded once for this module: what it printed and when it ran."""

    output: str
    before: datetime.datetime
    after: datetime.datetime


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[Seeded]:
    with data_for_module(django_db_blocker):
        before = timezone.now()
        output = seed()
        yield Seeded(output, before, timezone.now())


def counts() -> dict[str, int]:
    """Rows of every intake and portfolio model, and of the kernel records the services write."""
    tracked: list[type[Model]] = [
        *apps.get_app_config("intake").get_models(),
        *apps.get_app_config("initiatives").get_models(),
        AuditEvent,
        Notification,
        PhiConfirmation,
        User,
    ]
    return {model._meta.label: model._default_manager.count() for model in tracked}


def request(title: str) -> IntakeRequest:
    return IntakeRequest.objects.get(title=title)


def test_fourteen_pain_points_cover_fourteen_states(seeded: Seeded) -> None:
    output = seeded.output

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


def test_the_physicians_speak_for_themselves(seeded: Seeded) -> None:
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


def test_the_services_leave_timelines_scores_and_history(seeded: Seeded) -> None:
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


def test_votes_rescore_and_the_duplicate_merges_into_the_sepsis_alert(seeded: Seeded) -> None:
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


def test_closing_states_carry_their_reason_question_or_note(seeded: Seeded) -> None:
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


def test_pain_points_link_the_seeded_priorities(seeded: Seeded) -> None:
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


def test_the_payer_phone_number_was_confirmed_as_not_patient_information(seeded: Seeded) -> None:
    prior_auth = request("Prior authorisation for an MRI takes four phone calls")
    confirmation = PhiConfirmation.objects.get()
    assert (confirmation.object_id, confirmation.field, confirmation.kinds) == (
        str(prior_auth.pk),
        "story_today",
        ["phone"],
    )
    assert confirmation.confirmed_by == prior_auth.submitted_by


def test_ages_spread_from_submission_to_the_latest_step(seeded: Seeded) -> None:
    before, now = seeded.before, seeded.after

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


def test_a_second_run_creates_nothing(seeded: Seeded) -> None:
    first = counts()
    statuses = dict(IntakeRequest.objects.values_list("title", "status"))
    votes = RequestVote.objects.count()

    output = seed()

    assert counts() == first
    assert dict(IntakeRequest.objects.values_list("title", "status")) == statuses
    assert RequestVote.objects.count() == votes
    assert "(0 new)" in output
    assert "Portfolio: 26 initiatives in 10 stages (0 new)." in output
    for label in (
        "intake.IntakeRequest",
        "intake.RequestVote",
        "intake.RequestComment",
        "intake.RequestScore",
        "intake.RequestStatusChange",
        "intake.Rubric",
        "initiatives.Initiative",
        "initiatives.InitiativePriority",
        "initiatives.StageChange",
        "initiatives.BenefitLine",
        "initiatives.Milestone",
        "initiatives.StatusUpdate",
        "initiatives.LinkedRequest",
    ):
        assert first[label] > 0, label
    assert first["initiatives.Initiative"] == 26


# --- The portfolio --------------------------------------------------------------------------

CMO = "cmo@riverside.example"
CMIO = "cmio@riverside.example"


def initiative(title: str) -> Initiative:
    return Initiative.objects.get(title=title)


def test_twenty_six_initiatives_cover_every_stage(seeded: Seeded) -> None:
    output = seeded.output

    stages = dict(Initiative.objects.values_list("title", "stage"))
    assert stages == {plan.title: plan.stage for plan in initiatives_demo.INITIATIVES}
    assert len(stages) == 26
    assert set(stages.values()) == set(Stage.values)
    for title in (
        "Sepsis early-warning redesign",
        "Sepsis order set",
        "CAUTI removal protocol",
        "CLABSI prevention bundle",
        "Falls order panel",
        "Alert rationalisation",
        "Inbox burden reduction",
        "Ambient AI documentation pilot",
        "Note template simplification",
        "Clinic optimisation sprints",
        "Electronic prior authorisation",
        "Readmission risk score",
        "Diabetes registry",
        "SDOH screening",
        "AI model governance",
    ):
        assert title in stages, title
    assert "Portfolio: 26 initiatives in 10 stages (26 new)." in output


def test_the_cmo_passes_the_gates_and_the_cmio_moves_the_rest(seeded: Seeded) -> None:
    changes = StageChange.objects.select_related("actor")
    assert changes.count() == 26 + sum(len(plan.steps) for plan in initiatives_demo.INITIATIVES)
    for change in changes:
        expected = CMO if change.to_stage in GATE_STAGES else CMIO
        assert change.actor is not None
        assert change.actor.email == expected, (change.initiative_id, change.to_stage)
        if change.to_stage in GATE_STAGES or change.to_stage == "on_hold":
            assert change.reason, (change.initiative_id, change.to_stage)
    stopped = initiative("Hard stop for duplicate imaging orders")
    assert stopped.stage_reason.startswith("Stopped after the pilot: 94% of the hard stops")
    # Deferral is a gate: both demo deferrals are the CMO's.
    assert {c.actor.email for c in changes.filter(to_stage="deferred") if c.actor} == {CMO}
    assert changes.filter(to_stage="deferred").count() == 2
    deferred = initiative("SDOH screening")
    assert deferred.revisit_date is not None
    assert deferred.revisit_date > timezone.localdate()
    for row in Initiative.objects.filter(stage__in=["live", "sustaining", "closed"]):
        went_live = row.stage_changes.get(to_stage="live").at
        assert row.go_live_date == timezone.localtime(went_live).date(), row.title


def test_initiatives_are_aligned_and_staffed_by_the_demo_people(seeded: Seeded) -> None:
    rows = Initiative.objects.select_related("cmio_owner", "informaticist_lead")
    assert {row.cmio_owner.email for row in rows if row.cmio_owner} == {CMIO}
    assert all(row.cmio_owner is not None for row in rows)
    assert {row.informaticist_lead.email for row in rows if row.informaticist_lead} == {
        "informaticist@riverside.example",
        "hospitalist@riverside.example",
    }
    sponsors = set(rows.values_list("executive_sponsor__email", flat=True))
    assert sponsors == {CMO, CMIO, "executive@riverside.example"}
    aligned = set(Initiative.objects.values_list("priorities__code", flat=True))
    assert aligned == {
        "zero-harm",
        "evidence-based-care",
        "joy-in-practice",
        "financial-stewardship",
        "complex-care",
        "responsible-ai",
        "health-equity",
    }
    assert not Initiative.objects.filter(alignments__isnull=True).exists()
    sepsis = initiative("Sepsis early-warning redesign")
    assert [(a.priority.code, a.alignment) for a in sepsis.alignments.all()] == [
        ("zero-harm", "strong"),
        ("evidence-based-care", "strong"),
        ("joy-in-practice", "moderate"),
    ]
    assert sorted(sepsis.champions.values_list("email", flat=True)) == [
        "elena.marsh@riverside.example",
        "omar.haddad@riverside.example",
        "rafael.ortiz@riverside.example",
    ]
    assert sorted(sepsis.facilities.values_list("code", flat=True)) == ["cvh", "lch", "nrh", "rmc"]


def test_benefit_plans_are_locked_at_approval_and_four_lines_show_variance(seeded: Seeded) -> None:
    for row in Initiative.objects.prefetch_related("benefits"):
        approved_once = row.stage_changes.filter(to_stage="approved").exists()
        assert (row.forecast_locked_at is not None) == approved_once, row.title
        for line in row.benefits.all():
            assert (line.locked_at is not None) == approved_once, (row.title, line.description)
            if approved_once:
                assert line.locked_at == row.forecast_locked_at
    varied = {
        line.description: selectors.benefit_variance(line)
        for line in BenefitLine.objects.all()
        if (variance := selectors.benefit_variance(line)) is not None and variance.changed
    }
    assert {name: (v.target, v.horizon_days) for name, v in varied.items() if v} == {
        "SEP-1 bundle compliance": (5, 0),
        "After-hours inbox time per physician": (5, 0),
        "Documentation time per 8 hours of patient time": (0, 90),
        "Post-operative opioid prescriptions above 50 MME a day": (-2, 0),
    }
    compliance = BenefitLine.objects.get(description="SEP-1 bundle compliance")
    assert (compliance.locked_target, compliance.target) == (75, 80)


def test_health_varies_a_few_are_stale_and_some_milestones_are_overdue(seeded: Seeded) -> None:
    # The list's annotations: latest_health, is_stale, overdue_milestones.
    rows = {row.title: vars(row) for row in selectors.initiative_list()}
    health = {title: row["latest_health"] for title, row in rows.items()}
    assert set(health.values()) == {None, "on_track", "at_risk", "off_track"}
    assert health["Sepsis early-warning redesign"] == "at_risk"
    assert health["Readmission risk score"] == "off_track"
    assert health["Electronic prior authorisation"] is None
    stale = sorted(title for title, row in rows.items() if row["is_stale"])
    assert stale == [
        "AI model governance",
        "Clinician secure messaging consolidation",
        "Diabetes registry",
        "Heart failure discharge pathway",
        "Readmission risk score",
    ]
    overdue = sorted(title for title, row in rows.items() if row["overdue_milestones"])
    assert overdue == [
        "AI model governance",
        "Ambient AI documentation pilot",
        "Clinician secure messaging consolidation",
        "Diabetes registry",
        "Heart failure discharge pathway",
        "Readmission risk score",
        "Sepsis early-warning redesign",
    ]
    assert Milestone.objects.filter(done_at__isnull=False).count() > 20

    def kinds(email: str) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for item in portfolio_needs_me_for(User.objects.get(email=email)):
            found.setdefault(item.kind, set()).add(item.title)
        return found

    cmio = kinds(CMIO)
    assert cmio["Stale initiative"] == set(stale)
    assert cmio["Overdue milestone"] == set(overdue)
    priya = kinds("informaticist@riverside.example")
    assert priya["Stale initiative"] == {"Diabetes registry"}
    assert priya["Overdue milestone"] == {"Diabetes registry", "Sepsis early-warning redesign"}
    assert kinds(CMO)["Awaiting approval"] == {
        "Discharge medication reconciliation redesign",
        "Electronic prior authorisation",
        "Interpreter-need flag in the patient banner",
    }


def test_linked_pain_points_show_their_initiative_and_keep_their_state(seeded: Seeded) -> None:
    linked = dict(
        IntakeRequest.objects.filter(initiative_link__isnull=False).values_list(
            "title", "initiative_link__initiative__title"
        )
    )
    assert linked == {
        "Sepsis alert fires on every post-op tachycardia": "Sepsis early-warning redesign",
        "Sepsis order set lacks lactate timer": "Sepsis order set",
        "Alert fatigue from duplicate allergy warnings": "Alert rationalisation",
        "Inbox routing for normal labs": "Inbox burden reduction",
        "Post-op order set duplicates VTE orders": "Post-operative VTE prophylaxis consolidation",
        "Progress note template pulls in three pages of labs": "Note template simplification",
        "Prior authorisation for an MRI takes four phone calls": "Electronic prior authorisation",
    }
    # Each already stands where its initiative's stage takes it (or may stay): no request moved.
    assert dict(IntakeRequest.objects.values_list("title", "status")) == {
        point.title: point.status for point in demo.PAIN_POINTS
    }
    sepsis = request("Sepsis alert fires on every post-op tachycardia")
    shown = intake_selectors.request_detail(user=sepsis.submitted_by, pk=sepsis.pk)
    assert shown.initiative_link.initiative is not None
    assert (shown.initiative_link.initiative.title, shown.initiative_link.initiative.stage) == (
        "Sepsis early-warning redesign",
        "in_build",
    )


def test_each_initiatives_story_is_dated_as_it_happened(seeded: Seeded) -> None:
    before, now = seeded.before, seeded.after

    for plan in initiatives_demo.INITIATIVES:
        row = initiative(plan.title)
        created = datetime.timedelta(days=plan.created_days_ago)
        assert before - created <= row.created_at <= now - created, plan.title
        steps = list(row.stage_changes.order_by("at", "id"))
        assert [step.to_stage for step in steps] == [
            "proposed",
            *(step.to_stage for step in plan.steps),
        ], plan.title
        for change, step in zip(steps[1:], plan.steps, strict=True):
            ago = datetime.timedelta(days=step.days_ago)
            assert before - ago <= change.at <= now - ago, (plan.title, step.to_stage)
        assert row.stage_changed_at == steps[-1].at
        updates = list(row.status_updates.order_by("at"))
        planned_updates = sorted(plan.updates, key=lambda u: -u.days_ago)
        for update, planned in zip(updates, planned_updates, strict=True):
            ago = datetime.timedelta(days=planned.days_ago)
            assert before - ago <= update.at <= now - ago, plan.title
    history = AuditEvent.objects.filter(content_type__model="initiative")
    assert history.filter(at__gt=now).count() == 0
    oldest = history.order_by("at").first()
    assert oldest is not None
    assert oldest.at < now - datetime.timedelta(days=365)
