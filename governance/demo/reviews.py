"""The body structure of Riverside Health, the default body of every intake route, the
decisions behind the portfolio demo's gates (`gates`), two past joint CMO–CMIO reviews in
executive steering (held, with attendees, minutes, agenda items with notes, a decision each
about a strategic priority, recorded through the decision service and dated to the meeting,
and their action items: one done, one overdue), and the next review with its agenda proposed
from the portfolio. One request shows triage choosing another body of its route's kind: the
progress note request, on the workgroup route (the perioperative workgroup by default), is
decided by the hospital medicine workgroup.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from governance.choices import ActionStatus, AgendaKind, BodyKind, Outcome, ReviewStatus
from governance.demo import gates
from governance.models import (
    ActionItem,
    AgendaItem,
    BodyMembership,
    Decision,
    GovernanceBody,
    RequestBody,
    Review,
    RouteOwner,
)
from governance.services import (
    agenda_build,
    decision_record,
    request_body_choose,
    review_schedule,
)
from informatics.choices import Route
from informatics.demo import Writer, email_held
from informatics.models import StrategicPriority, User
from informatics.services import site_today
from intake.models import IntakeRequest

CMO = "cmo@riverside.example"
CMIO = "cmio@riverside.example"
INFORMATICIST = "informaticist@riverside.example"
EXECUTIVE = "executive@riverside.example"
CHAMPION = "champion@riverside.example"
HOSPITALIST = "hospitalist@riverside.example"
PROGRESS_NOTE = "Progress note template pulls in three pages of labs"


@dataclass(frozen=True)
class BodyPlan:
    code: str
    name: str
    kind: str
    chair: str
    members: tuple[str, ...]
    cadence: str
    charter: str


BODIES = (
    BodyPlan(
        "steering",
        "Executive steering committee",
        BodyKind.STEERING,
        CMO,
        (CMIO, EXECUTIVE),
        "monthly, 2nd Tuesday",
        "The joint CMO–CMIO review: the portfolio against the strategic priorities, gates, "
        "off-track work and metric signals.",
    ),
    BodyPlan(
        "pac-inpatient",
        "Inpatient physician advisory council",
        BodyKind.COUNCIL,
        CMIO,
        (HOSPITALIST, CHAMPION),
        "monthly, 1st Thursday",
        "Inpatient workflow requests and the physicians' view of changes before release.",
    ),
    BodyPlan(
        "pac-ambulatory",
        "Ambulatory physician advisory council",
        BodyKind.COUNCIL,
        CMIO,
        (CHAMPION,),
        "monthly, 3rd Wednesday",
        "Clinic workflow requests and documentation burden in ambulatory care.",
    ),
    BodyPlan(
        "pac-ed",
        "Emergency department physician advisory council",
        BodyKind.COUNCIL,
        CMIO,
        (CHAMPION,),
        "every other month",
        "Emergency department workflow, tracking board and throughput requests.",
    ),
    BodyPlan(
        "wg-periop",
        "Perioperative specialty workgroup",
        BodyKind.WORKGROUP,
        INFORMATICIST,
        (CHAMPION,),
        "monthly",
        "Enhancements to perioperative and anaesthesia workflows.",
    ),
    BodyPlan(
        "wg-hospmed",
        "Hospital medicine specialty workgroup",
        BodyKind.WORKGROUP,
        INFORMATICIST,
        (HOSPITALIST,),
        "monthly",
        "Enhancements to inpatient physician workflows: rounding, notes and hand-offs.",
    ),
    BodyPlan(
        "cds",
        "CDS committee",
        BodyKind.CDS,
        CMIO,
        (INFORMATICIST, HOSPITALIST),
        "every two weeks",
        "New alerts, order sets and decision support; alert burden and override rates.",
    ),
    BodyPlan(
        "ai",
        "AI governance committee",
        BodyKind.AI,
        CMIO,
        (INFORMATICIST, EXECUTIVE),
        "monthly",
        "AI and automation requests: validation, bias, monitoring and transparency.",
    ),
    BodyPlan(
        "release",
        "Release board",
        BodyKind.RELEASE,
        INFORMATICIST,
        (CMIO,),
        "weekly",
        "Vendor upgrades, mandated and regulatory changes, release scheduling.",
    ),
    BodyPlan(
        "informatics-team",
        "Informatics team",
        BodyKind.TEAM,
        CMIO,
        (INFORMATICIST,),
        "weekly",
        "Minor configuration, training gaps, reports and the service desk hand-offs.",
    ),
)

ROUTES = {
    Route.SERVICE_DESK: "informatics-team",
    Route.FAST_TRACK: "steering",
    Route.MANDATORY: "release",
    Route.RELEASE_BOARD: "release",
    Route.TRAINING: "informatics-team",
    Route.INFORMATICS_TEAM: "informatics-team",
    Route.WORKGROUP: "wg-periop",
    Route.CDS_COMMITTEE: "cds",
    Route.STEERING: "steering",
    Route.AI_GOVERNANCE: "ai",
    Route.ANALYTICS: "informatics-team",
}


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _bodies(people: dict[str, User]) -> dict[str, GovernanceBody]:
    bodies = {}
    for plan in BODIES:
        body, _ = GovernanceBody.objects.update_or_create(
            code=plan.code,
            defaults={
                "name": plan.name,
                "kind": plan.kind,
                "chair": people[plan.chair],
                "cadence": plan.cadence,
                "charter": plan.charter,
            },
        )
        for email in plan.members:
            BodyMembership.objects.get_or_create(body=body, user=people[email])
        bodies[plan.code] = body
    for route, code in ROUTES.items():
        RouteOwner.objects.update_or_create(route=route, defaults={"body": bodies[code]})
    return bodies


def _deciding_body(bodies: dict[str, GovernanceBody], people: dict[str, User]) -> None:
    """Triage chose the hospital medicine workgroup, not the route's perioperative one, to
    decide the progress note request (once: a second seeding changes nothing)."""
    request = IntakeRequest.objects.filter(title=PROGRESS_NOTE).first()
    if request is None or RequestBody.objects.filter(request=request).exists():
        return
    request_body_choose(
        actor=people[CMIO],
        request=request,
        body=bodies["wg-hospmed"],
        reason="An inpatient progress note: hospital medicine's workflow, not perioperative.",
    )


def _past_review(
    steering: GovernanceBody,
    people: dict[str, User],
    *,
    day: datetime.date,
    minutes: str,
    items: tuple[tuple[str, str, str], ...],
    action: tuple[str, str, datetime.date, str],
    decision: tuple[str, str, str],
) -> None:
    review = Review.objects.filter(body=steering, minutes=minutes).first()
    if review is None:
        review = Review.objects.create(
            body=steering,
            scheduled_for=_at(day, 16),
            status=ReviewStatus.HELD,
            minutes=minutes,
            created_by=people[CMO],
        )
        review.attendees.set([people[CMO], people[CMIO], people[EXECUTIVE]])
    made = []
    for position, (title, reason, note) in enumerate(items, start=1):
        item, _ = AgendaItem.objects.update_or_create(
            review=review,
            position=position,
            defaults={"kind": AgendaKind.OTHER, "title": title, "reason": reason, "note": note},
        )
        made.append(item)
    # The decision the first item ended with, taken through the service and dated to the meeting
    recorded = Decision.objects.filter(review=review).first()
    if recorded is None:
        priority_code, outcome, rationale = decision
        recorded = decision_record(
            actor=people[CMO],
            body=steering,
            outcome=outcome,
            rationale=rationale,
            priority=StrategicPriority.objects.get(code=priority_code),
            agenda_item=made[0],
        )
        Decision.objects.filter(pk=recorded.pk).update(decided_at=_at(day, 17))
    title, owner, due_on, status = action
    ActionItem.objects.get_or_create(
        title=title,
        body=steering,
        defaults={
            "owner": people[owner],
            "due_on": due_on,
            "status": status,
            "decision": recorded,
            "agenda_item": made[0],
            "completed_at": _at(due_on, 12) if status == ActionStatus.DONE else None,
        },
    )


def seed(*, stdout: Writer) -> None:
    """Bodies, route owners, two held reviews with a decision and an action each, and the next
    review with its proposed agenda."""
    people = {
        user.email: user for user in User.objects.filter(email__endswith="@riverside.example")
    }
    today = site_today()
    with email_held():
        bodies = _bodies(people)
        _deciding_body(bodies, people)
        decided = gates.seed(bodies=bodies)
        steering = bodies["steering"]
        _past_review(
            steering,
            people,
            day=today - datetime.timedelta(days=42),
            minutes="Quarterly portfolio review. Quorum present: CMO, CMIO, CFO delegate.",
            items=(
                (
                    "Alert burden in the inpatient units",
                    "Added by the CMO",
                    "Overrides remain above 90 %; the CDS committee will retire the three "
                    "noisiest alerts.",
                ),
                (
                    "Value report for the board",
                    "Added by the CMIO",
                    "Board wants time-saved figures in hours per physician per week.",
                ),
            ),
            decision=(
                "zero-harm",
                Outcome.APPROVE_WITH_CHANGES,
                "Keep Zero Harm first, with alert burden counted as a harm to clinicians: the "
                "CDS committee retires alerts overridden more than 90 % of the time.",
            ),
            action=(
                "Retire the three noisiest inpatient alerts",
                INFORMATICIST,
                today - datetime.timedelta(days=20),
                ActionStatus.DONE,
            ),
        )
        _past_review(
            steering,
            people,
            day=today - datetime.timedelta(days=14),
            minutes="Monthly joint review. Sepsis work on track; documentation time flat.",
            items=(
                (
                    "Documentation time after the note template change",
                    "Added by the CMIO",
                    "No improvement yet; the ambulatory council will survey physicians.",
                ),
            ),
            decision=(
                "joy-in-practice",
                Outcome.ESCALATE,
                "Documentation time has not moved since the template change: take protected "
                "documentation time to the board's people committee.",
            ),
            action=(
                "Survey ambulatory physicians on the new note template",
                CMIO,
                today - datetime.timedelta(days=4),
                ActionStatus.OPEN,
            ),
        )
        upcoming = Review.objects.filter(
            body=steering, status=ReviewStatus.PLANNED, scheduled_for__gte=timezone.now()
        ).first()
        if upcoming is None:
            upcoming = review_schedule(
                actor=people[CMO],
                body=steering,
                scheduled_for=_at(today + datetime.timedelta(days=7), 16),
                attendees=[people[CMO], people[CMIO], people[EXECUTIVE]],
            )
        if not upcoming.items.exists():
            agenda_build(actor=people[CMO], review=upcoming)
    stdout.write(
        f"Governance: {len(bodies)} bodies, {len(ROUTES)} routes owned, "
        f"{decided} gate decisions recorded, {Review.objects.count()} reviews, "
        f"next agenda {upcoming.items.count()} items.\n"
    )
