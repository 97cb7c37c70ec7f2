"""Intake's and the portfolio's part of the demo health system (DOMAIN.md §7), called by
`seed_demo` after the kernel's: fourteen pain points in physicians' own words, from a
two-minute submission to a closed loop, in every state of the status table but "closed"; then
the program's initiatives in every stage, linked to the pain points they answer
(initiatives/demo_portfolio.py).

Everything goes through the intake services, so the timelines, score rows (with their
breakdowns), PHI confirmations and audit history are the ones real use would leave: the
physicians submit, "+1" and answer as themselves; the demo CMIO triages, asks, scores, moves
and merges. Six more physician champions (invented, like every name here) join the demo
accounts, with their facilities and specialties; they share the demo password.

E-mail: nothing is sent while seeding. Every person's notification preference is set to
"none" for the duration and put back afterwards (in the same transaction), so the services'
`notify` calls keep nothing and enqueue nothing; the preferences people chose stay theirs.

Ages: the services stamp everything "now"; once a request has reached its state, its dates
(submission, timeline, thread, +1s, scores, routing and SLA clock, audit history) are spread
between the days ago its submission and its latest step are set to, in the order they
happened, so the queue has old and new items, and the fast-track safety item is overdue.

Running it again creates nothing: a pain point or an initiative whose title exists is left
alone.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from informatics.choices import Role, Route
from informatics.demo import DemoAccount, Writer, email_held, seed_account
from informatics.models import AuditEvent, Facility, PhiConfirmation, StrategicPriority, User
from intake import services
from intake.choices import DeclineReason, Frequency, RequestKind, RequestStatus
from intake.models import (
    IntakeRequest,
    RequestComment,
    RequestScore,
    RequestStatusChange,
    RequestVote,
)

S = RequestStatus
CMIO = "cmio@riverside.example"
CHAMPION = "champion@riverside.example"
HOSPITALIST = "hospitalist@riverside.example"

# Physician champions beyond the kernel's demo accounts (all invented).
PHYSICIANS = (
    DemoAccount(
        "elena.marsh@riverside.example",
        "Elena Marsh",
        "Hospitalist, Physician Champion",
        "Hospital Medicine",
        (Role.CHAMPION,),
        ("rmc", "rmc-4w"),
    ),
    DemoAccount(
        "rafael.ortiz@riverside.example",
        "Rafael Ortiz",
        "General Surgeon",
        "General Surgery",
        (Role.CHAMPION,),
        ("cvh", "cvh-surgery"),
    ),
    DemoAccount(
        "naomi.castellano@riverside.example",
        "Naomi Castellano",
        "Family Physician, Physician Champion",
        "Family Medicine",
        (Role.CHAMPION,),
        ("pc-north-ridge",),
    ),
    DemoAccount(
        "omar.haddad@riverside.example",
        "Omar Haddad",
        "Intensivist",
        "Critical Care",
        (Role.CHAMPION,),
        ("rmc", "rmc-micu"),
    ),
    DemoAccount(
        "grace.lindqvist@riverside.example",
        "Grace Lindqvist",
        "Pediatrician",
        "Pediatrics",
        (Role.CHAMPION,),
        ("peds-lakeshore",),
    ),
    DemoAccount(
        "benjamin.adeyemi@riverside.example",
        "Benjamin Adeyemi",
        "Orthopedic Surgeon",
        "Orthopedics",
        (Role.CHAMPION,),
        ("lch", "lch-ortho"),
    ),
)
ELENA, RAFAEL, NAOMI, OMAR, GRACE, BENJAMIN = (account.email for account in PHYSICIANS)


@dataclass(frozen=True)
class Triage:
    """What the CMIO sets at triage. With `ratings` (every criterion but reach) and
    `build_hours` the request is scored."""

    route: str
    kind: str | None = None
    priorities: tuple[str, ...] = ()
    ratings: dict[str, int] | None = None
    reach_rating: int | None = None
    build_hours: int | None = None


@dataclass(frozen=True)
class PainPoint:
    """One demo request and the path it has travelled (`status` is where it ends)."""

    title: str
    submitter: str
    kind: str
    frequency: str
    story_today: str
    story_wanted: str
    status: str
    days_ago: int  # when it was submitted
    last_days_ago: int  # when its latest step happened
    workflow_area: str = ""
    ehr_module: str = ""
    minutes_lost: int | None = None
    is_safety_concern: bool = False
    suggested_priority: str | None = None
    phi_confirmed: bool = False  # the story holds text the guard flags but that is no PHI
    votes: tuple[str, ...] = ()  # "+1"s before triage
    later_votes: tuple[str, ...] = ()  # "+1"s once it is scored (each makes a new score)
    question: str = ""  # triage's question to the submitter
    answer: str = ""  # the submitter's answer ("" leaves it waiting in needs info)
    triage: Triage | None = None
    notes: dict[str, str] = field(default_factory=dict)  # status → the timeline's note
    decline_reason: str = ""
    merge_into: str = ""  # the surviving request's title
    comments: tuple[tuple[str, str], ...] = ()  # (author, body), after the last step


def _ratings(
    safety: int, strategy: int, time: int, money: int, equity: int, evidence: int, ready: int
) -> dict[str, int]:
    """Ratings 0–5 of the default rubric's criteria, in its order (reach follows people)."""
    return {
        "safety_quality": safety,
        "strategic_alignment": strategy,
        "time_saved": time,
        "financial": money,
        "equity": equity,
        "evidence": evidence,
        "readiness": ready,
    }


# The main line of the status table, which the demo walks along.
MAIN_LINE = (
    S.SUBMITTED,
    S.TRIAGE,
    S.SCORED,
    S.IN_REVIEW,
    S.DECIDED,
    S.SCHEDULED,
    S.IN_BUILD,
    S.RELEASED,
    S.BENEFIT_CHECK,
)

PAIN_POINTS = (
    PainPoint(
        title="Sepsis alert fires on every post-op tachycardia",
        submitter=ELENA,
        kind=RequestKind.PAIN_POINT,
        frequency=Frequency.SEVERAL_DAILY,
        workflow_area="Inpatient rounding",
        ehr_module="Clinical decision support",
        minutes_lost=2,
        story_today="Sepsis alert fires on every post-op tachycardia; I dismiss 20 a day. "
        "Day-one surgical patients are tachycardic from pain and fluid shifts, the alert cannot "
        "tell, and by the afternoon nobody reads it, including the one time it is right.",
        story_wanted="Hold the alert for 24 hours after surgery unless lactate or blood "
        "pressure criteria are met too, and show which criteria fired so I can judge it at a "
        "glance.",
        suggested_priority="zero-harm",
        votes=(CHAMPION, OMAR),
        triage=Triage(
            route=Route.CDS_COMMITTEE,
            kind=RequestKind.NEW_CDS,
            priorities=("zero-harm", "evidence-based-care", "joy-in-practice"),
            ratings=_ratings(5, 5, 4, 2, 1, 4, 3),
            reach_rating=3,
            build_hours=120,
        ),
        later_votes=(BENJAMIN,),
        notes={
            S.TRIAGE: "Alert logs agree: 71% of post-operative firings are dismissed within "
            "ten seconds.",
            S.IN_REVIEW: "On the CDS committee's agenda with the override data.",
            S.DECIDED: "Approved by the CDS committee: redesign the sepsis early-warning logic "
            "with a post-operative window.",
            S.SCHEDULED: "Planned with the sepsis early-warning redesign.",
            S.IN_BUILD: "Build started; the new logic runs silently beside the old alert first.",
        },
        status=S.IN_BUILD,
        days_ago=118,
        last_days_ago=9,
    ),
    PainPoint(
        title="Alert fatigue from duplicate allergy warnings",
        submitter=CHAMPION,
        kind=RequestKind.PAIN_POINT,
        frequency=Frequency.SEVERAL_DAILY,
        workflow_area="ED ordering",
        ehr_module="Medication ordering",
        minutes_lost=1,
        story_today="Every ceftriaxone order fires two allergy warnings for the same "
        "penicillin allergy, one for the drug and one for the class, even when the patient has "
        "had cephalosporins before without trouble. I override about 30 a shift without "
        "reading them.",
        story_wanted="One warning per allergy, none when a tolerated cephalosporin is already "
        "documented, and the reaction shown in the warning itself.",
        suggested_priority="joy-in-practice",
        votes=(OMAR, GRACE, NAOMI),
        triage=Triage(
            route=Route.CDS_COMMITTEE,
            kind=RequestKind.NEW_CDS,
            priorities=("zero-harm", "joy-in-practice"),
            ratings=_ratings(4, 4, 3, 1, 1, 4, 4),
            reach_rating=4,
            build_hours=60,
        ),
        notes={S.IN_REVIEW: "Listed for the CDS committee with the alert rationalisation work."},
        status=S.IN_REVIEW,
        days_ago=46,
        last_days_ago=6,
    ),
    PainPoint(
        title="Inbox routing for normal labs",
        submitter=NAOMI,
        kind=RequestKind.PAIN_POINT,
        frequency=Frequency.DAILY,
        workflow_area="In-basket",
        ehr_module="In-basket and messaging",
        minutes_lost=45,
        story_today="Every normal BMP, CBC and lipid panel lands in my inbox for sign-off: "
        "about 60 results a day, most of them normal, and I finish them after my kids are "
        "in bed.",
        story_wanted="Normal results of routine panels go to the patient portal with a "
        "standard explanation; only abnormal or flagged results wait for my sign-off.",
        suggested_priority="joy-in-practice",
        votes=(GRACE, BENJAMIN, HOSPITALIST),
        triage=Triage(
            route=Route.INFORMATICS_TEAM,
            priorities=("joy-in-practice",),
            ratings=_ratings(2, 5, 5, 2, 2, 3, 4),
            reach_rating=4,
            build_hours=80,
        ),
        notes={
            S.DECIDED: "Approved with changes by the ambulatory physician advisory council: "
            "start with basic metabolic panels and blood counts.",
            S.SCHEDULED: "Scheduled with the inbox burden reduction work for the next "
            "ambulatory release.",
        },
        status=S.SCHEDULED,
        days_ago=74,
        last_days_ago=12,
    ),
    PainPoint(
        title="Progress note template pulls in three pages of labs",
        submitter=HOSPITALIST,
        kind=RequestKind.PAIN_POINT,
        frequency=Frequency.DAILY,
        workflow_area="Documentation",
        ehr_module="Clinical notes",
        minutes_lost=10,
        story_today="The hospital progress note template pulls in every lab of the last 72 "
        "hours, so a routine note runs to three pages. Consultants scroll past it, and I spend "
        "ten minutes a note deleting what I never wanted.",
        story_wanted="A short template: today's abnormal labs and their trend, a link to the "
        "full results, and my assessment and plan at the top.",
        suggested_priority="joy-in-practice",
        votes=(ELENA, OMAR, CHAMPION),
        triage=Triage(
            route=Route.WORKGROUP,
            kind=RequestKind.ENHANCEMENT,
            priorities=("joy-in-practice",),
            ratings=_ratings(2, 5, 5, 1, 1, 3, 5),
            build_hours=30,
        ),
        notes={
            S.DECIDED: "Approved by the hospital medicine workgroup.",
            S.RELEASED: "The new progress note template is live at all four hospitals.",
        },
        comments=((ELENA, "Notes are half the length on 4 West. Thank you."),),
        status=S.RELEASED,
        days_ago=160,
        last_days_ago=21,
    ),
    PainPoint(
        title="Post-op order set duplicates VTE orders",
        submitter=RAFAEL,
        kind=RequestKind.PAIN_POINT,
        frequency=Frequency.WEEKLY,
        workflow_area="Order sets",
        ehr_module="Orders and order sets",
        minutes_lost=15,
        is_safety_concern=True,
        story_today="The colorectal post-op order set pre-selects enoxaparin, and the general "
        "post-op panel it links to pre-selects heparin. Pharmacy calls me about twice a week "
        "to cancel one, and one day they will not catch it.",
        story_wanted="One VTE prophylaxis section shared by every post-op order set, with the "
        "risk assessment in front of it and nothing pre-selected twice.",
        suggested_priority="zero-harm",
        votes=(BENJAMIN, ELENA),
        triage=Triage(
            route=Route.FAST_TRACK,
            kind=RequestKind.SAFETY,
            priorities=("zero-harm", "evidence-based-care"),
            ratings=_ratings(5, 4, 2, 2, 1, 5, 4),
            build_hours=24,
        ),
        notes={
            S.DECIDED: "Approved on the fast track by the CMIO and the patient-safety officer.",
        },
        status=S.DECIDED,
        days_ago=20,
        last_days_ago=15,
    ),
    PainPoint(
        title="Prior authorisation for an MRI takes four phone calls",
        submitter=BENJAMIN,
        kind=RequestKind.NEW_CAPABILITY,
        frequency=Frequency.DAILY,
        workflow_area="Referrals and prior authorisation",
        ehr_module="Orders and referrals",
        minutes_lost=25,
        # The payer's public line is flagged as a phone number; the submitter confirmed it is
        # not patient information, and the confirmation is on record.
        phi_confirmed=True,
        story_today="Prior authorisation for a knee or spine MRI takes my staff four phone "
        "calls and a fax. The payer's line, 800-555-0142, keeps us on hold for 20 minutes at a "
        "time, and patients wait nine days on average.",
        story_wanted="Electronic prior authorisation from the order itself for the payers "
        "that support it, with its status shown on the order.",
        suggested_priority="financial-stewardship",
        votes=(NAOMI, RAFAEL),
        triage=Triage(
            route=Route.STEERING,
            priorities=("financial-stewardship", "joy-in-practice"),
            ratings=_ratings(1, 4, 4, 5, 3, 3, 2),
            reach_rating=3,
            build_hours=400,
        ),
        status=S.SCORED,
        days_ago=33,
        last_days_ago=25,
    ),
    PainPoint(
        title="No falls reassessment after a sedating medication",
        submitter=CHAMPION,
        kind=RequestKind.SAFETY,
        frequency=Frequency.DAILY,
        workflow_area="ED boarding",
        ehr_module="Nursing documentation",
        is_safety_concern=True,
        story_today="Boarded patients in the ED get a sedating dose, lorazepam or "
        "diphenhydramine at night, and nothing prompts anyone to reassess their fall risk. We "
        "had two falls in the boarding hallway this quarter.",
        story_wanted="A fall-risk reassessment task for nursing within an hour of a sedating "
        "medication, and the falls order panel offered to me when the score goes up.",
        suggested_priority="zero-harm",
        votes=(HOSPITALIST,),
        triage=Triage(route=Route.FAST_TRACK, kind=RequestKind.SAFETY, priorities=("zero-harm",)),
        notes={S.TRIAGE: "Fast track: reviewing it with the falls prevention committee."},
        status=S.TRIAGE,
        days_ago=5,
        last_days_ago=4,
    ),
    PainPoint(
        title="Foley catheters have no removal reminder",
        submitter=OMAR,
        kind=RequestKind.PAIN_POINT,
        frequency=Frequency.DAILY,
        workflow_area="Inpatient orders",
        ehr_module="Orders",
        minutes_lost=5,
        story_today="Nothing reminds anyone that a urinary catheter is still in. When a patient "
        "steps down from the ICU the indication is lost, and catheters stay in for days after "
        "the reason is gone.",
        story_wanted="A daily removal prompt when no indication is documented, and the "
        "nurse-driven removal protocol in the admission order sets.",
        suggested_priority="zero-harm",
        question="Which units do you see this on most, and does the nurse-driven removal "
        "protocol already apply there? That decides whether this is a build or a training gap.",
        status=S.NEEDS_INFO,
        days_ago=12,
        last_days_ago=9,
    ),
    PainPoint(
        title="Discharge med rec lists home medications twice",
        submitter=ELENA,
        kind=RequestKind.PAIN_POINT,
        frequency=Frequency.DAILY,
        workflow_area="Discharge",
        ehr_module="Medication reconciliation",
        minutes_lost=10,
        story_today="At discharge, home medications that were held show up twice, once as "
        "continue and once as resume, and the printed list tells the patient to take both. I "
        "fix it by hand on every discharge.",
        story_wanted="One line per medication with one instruction, and a warning before "
        "printing when the same drug appears twice.",
        suggested_priority="complex-care",
        votes=(HOSPITALIST,),
        status=S.SUBMITTED,
        days_ago=1,
        last_days_ago=1,
    ),
    PainPoint(
        title="Cannot pull the problem list into the H&P",
        submitter=GRACE,
        kind=RequestKind.PAIN_POINT,
        frequency=Frequency.DAILY,
        workflow_area="Documentation",
        ehr_module="Clinical notes",
        minutes_lost=5,
        story_today="I retype the problem list into every admission H&P because I cannot find "
        "a way to pull it in.",
        story_wanted="Let the H&P pull in the active problem list with one click.",
        triage=Triage(route=Route.TRAINING, kind=RequestKind.TRAINING_GAP),
        notes={
            S.REDIRECTED: "This already exists: type .PROBLEMLIST in the H&P, or use the Problem "
            "list button on the note toolbar. A two-minute tip sheet is in the training "
            "library, and the pediatrics at-the-elbow team will show it at your next huddle.",
        },
        status=S.REDIRECTED,
        days_ago=28,
        last_days_ago=26,
    ),
    PainPoint(
        title="Skip the PDMP check for short post-op opioid prescriptions",
        submitter=BENJAMIN,
        kind=RequestKind.ENHANCEMENT,
        frequency=Frequency.DAILY,
        workflow_area="Prescribing",
        ehr_module="Medication ordering",
        minutes_lost=3,
        story_today="Every post-op opioid prescription, even five days of oxycodone after a "
        "knee arthroscopy, makes me open the prescription monitoring database and document "
        "that I looked.",
        story_wanted="Skip the check for post-op prescriptions of five days or fewer.",
        triage=Triage(
            route=Route.WORKGROUP,
            priorities=("joy-in-practice",),
            ratings=_ratings(0, 1, 3, 0, 0, 0, 3),
            build_hours=16,
        ),
        notes={
            S.DECLINED: "State law requires a PDMP check before every opioid prescription, "
            "whatever its length. We are instead bringing the PDMP result into the prescribing "
            "screen, so the check takes one click.",
        },
        decline_reason=DeclineReason.CONFLICTS_WITH_STANDARD,
        status=S.DECLINED,
        days_ago=52,
        last_days_ago=40,
    ),
    PainPoint(
        title="Sepsis BPA fires after every surgery",
        submitter=RAFAEL,
        kind=RequestKind.PAIN_POINT,
        frequency=Frequency.SEVERAL_DAILY,
        workflow_area="Post-operative care",
        ehr_module="Clinical decision support",
        minutes_lost=2,
        story_today="The sepsis best-practice alert fires on nearly every patient the day "
        "after surgery, when fever and a fast heart rate are expected, and my residents have "
        "learned to click through it.",
        story_wanted="Make the sepsis alert understand the post-operative period.",
        votes=(HOSPITALIST,),
        merge_into="Sepsis alert fires on every post-op tachycardia",
        status=S.MERGED,
        days_ago=13,
        last_days_ago=11,
    ),
    PainPoint(
        title="Weight-based dosing for pediatric acetaminophen",
        submitter=GRACE,
        kind=RequestKind.PAIN_POINT,
        frequency=Frequency.WEEKLY,
        workflow_area="Prescribing",
        ehr_module="Medication ordering",
        minutes_lost=5,
        story_today="Ordering acetaminophen for a child means working out mg/kg by hand and "
        "rounding to a volume of the liquid the pharmacy stocks.",
        story_wanted="Dose by weight in the order, rounded to the available concentration.",
        comments=(
            (
                GRACE,
                "Withdrawing: the pediatric order panel already does this. I was ordering from "
                "the adult list.",
            ),
        ),
        status=S.WITHDRAWN,
        days_ago=17,
        last_days_ago=16,
    ),
    PainPoint(
        title="Sepsis order set lacks lactate timer",
        submitter=OMAR,
        kind=RequestKind.ENHANCEMENT,
        frequency=Frequency.DAILY,
        workflow_area="Sepsis care",
        ehr_module="Orders and order sets",
        minutes_lost=5,
        story_today="The sepsis order set orders the first lactate, but nothing reminds us to "
        "repeat it within six hours when it is above 2, and we miss the repeat lactate on "
        "about a third of cases.",
        story_wanted="Order the repeat lactate automatically, timed from the first result, "
        "when the first one is above 2.",
        suggested_priority="evidence-based-care",
        votes=(ELENA, CHAMPION),
        triage=Triage(
            route=Route.INFORMATICS_TEAM,
            priorities=("evidence-based-care", "zero-harm"),
            ratings=_ratings(5, 5, 2, 4, 1, 5, 5),
            build_hours=20,
        ),
        later_votes=(HOSPITALIST,),
        notes={
            S.DECIDED: "Approved by the CMIO with the sepsis order set work.",
            S.RELEASED: "The timed repeat lactate is live in the sepsis order set.",
            S.BENEFIT_CHECK: "Checking repeat-lactate compliance at 30 and 90 days.",
        },
        status=S.BENEFIT_CHECK,
        days_ago=140,
        last_days_ago=30,
    ),
)


# --- Seeding --------------------------------------------------------------------------------


def _fresh(intake: IntakeRequest) -> IntakeRequest:
    row: IntakeRequest = IntakeRequest.objects.select_related("submitted_by").get(pk=intake.pk)
    return row


class _Seeder:
    def __init__(self, people: dict[str, User]):
        self.people = people
        self.cmio = people[CMIO]
        self.priorities = {p.code: p for p in StrategicPriority.objects.filter(is_active=True)}

    def _home(self, user: User) -> Facility | None:
        """The person's most specific facility (a unit or clinic before a hospital)."""
        facilities = sorted(user.facilities.all(), key=lambda f: (f.kind == "hospital", f.code))
        return facilities[0] if facilities else None

    def _vote(self, intake: IntakeRequest, email: str, frequency: str) -> None:
        voter = self.people[email]
        services.request_vote(
            actor=voter,
            request=_fresh(intake),
            specialty=voter.specialty,
            facility=self._home(voter),
            frequency=frequency,
        )

    def _move(self, intake: IntakeRequest, point: PainPoint, to_status: str) -> IntakeRequest:
        return services.request_transition(
            actor=self.cmio,
            request=_fresh(intake),
            to_status=to_status,
            note=point.notes.get(to_status, ""),
            decline_reason=point.decline_reason if to_status == S.DECLINED else "",
        )

    def seed(self, point: PainPoint) -> IntakeRequest:
        submitter = self.people[point.submitter]
        priority = self.priorities.get(point.suggested_priority or "")
        intake = services.request_submit(
            actor=submitter,
            kind=point.kind,
            title=point.title,
            story_today=point.story_today,
            story_wanted=point.story_wanted,
            frequency=point.frequency,
            workflow_area=point.workflow_area,
            ehr_module=point.ehr_module,
            facility=self._home(submitter),
            specialty=submitter.specialty,
            minutes_lost=point.minutes_lost,
            is_safety_concern=point.is_safety_concern,
            suggested_priority=priority,
            phi_confirmed=point.phi_confirmed,
        )
        for email in point.votes:
            self._vote(intake, email, point.frequency)
        self._travel(intake, point)
        for email, body in point.comments:
            services.request_comment(actor=self.people[email], request=_fresh(intake), body=body)
        if point.status == S.WITHDRAWN:
            services.request_withdraw(actor=submitter, request=_fresh(intake))
        final = _fresh(intake)
        assert final.status == point.status, (point.title, final.status)
        return final

    def _travel(self, intake: IntakeRequest, point: PainPoint) -> None:
        """Take the request from submitted to its demo status, the way triage would."""
        if point.merge_into:
            survivor = IntakeRequest.objects.get(title=point.merge_into)
            services.request_merge(actor=self.cmio, request=_fresh(intake), survivor=survivor)
            return
        if point.status in (S.SUBMITTED, S.WITHDRAWN):
            return
        if point.question:
            services.request_ask(actor=self.cmio, request=_fresh(intake), question=point.question)
            if not point.answer:
                return
            services.request_answer(
                actor=self.people[point.submitter], request=_fresh(intake), body=point.answer
            )
        if _fresh(intake).status == S.SUBMITTED:
            self._move(intake, point, S.TRIAGE)
        if point.triage is not None:
            triage = point.triage
            current = _fresh(intake)
            services.request_triage(
                actor=self.cmio,
                request=current,
                version=current.version,
                kind=triage.kind,
                route=triage.route,
                priorities=[self.priorities[code] for code in triage.priorities],
                ratings=triage.ratings,
                reach_rating=triage.reach_rating,
                build_hours=triage.build_hours,
            )
        if point.status in (S.REDIRECTED, S.DECLINED):
            self._move(intake, point, point.status)
            return
        for email in point.later_votes:
            self._vote(intake, email, point.frequency)
        while (status := _fresh(intake).status) != point.status:
            self._move(intake, point, MAIN_LINE[MAIN_LINE.index(status) + 1])


# --- Ages -----------------------------------------------------------------------------------


def _spread(intake: IntakeRequest, *, days_ago: int, last_days_ago: int) -> None:
    """Move every date of the request and of what hangs off it back in time: the k-th moment
    (of n, in the order they happened) to `days_ago` plus k/(n-1) of the way to
    `last_days_ago`. Rows written at the same moment keep sharing one."""
    comments = RequestComment.objects.filter(request=intake)
    votes = RequestVote.objects.filter(request=intake)
    by_type = {
        ContentType.objects.get_for_model(IntakeRequest): [str(intake.pk)],
        ContentType.objects.get_for_model(RequestComment): [
            str(pk) for pk in comments.values_list("pk", flat=True)
        ],
        ContentType.objects.get_for_model(RequestVote): [
            str(pk) for pk in votes.values_list("pk", flat=True)
        ],
    }
    audit = AuditEvent.objects.none()
    confirmations = PhiConfirmation.objects.none()
    for content_type, ids in by_type.items():
        audit |= AuditEvent.objects.filter(content_type=content_type, object_id__in=ids)
        confirmations |= PhiConfirmation.objects.filter(
            content_type=content_type, object_id__in=ids
        )
    # (queryset, date fields): each row's fields move to the new time of their moment.
    sources: list[tuple[models.QuerySet[Any], tuple[str, ...]]] = [
        (
            IntakeRequest.objects.filter(pk=intake.pk),
            ("created_at", "updated_at", "status_changed_at", "routed_at"),
        ),
        (RequestStatusChange.objects.filter(request=intake), ("at",)),
        (comments, ("created_at", "updated_at")),
        (votes, ("created_at",)),
        (RequestScore.objects.filter(request=intake), ("created_at",)),
        (audit, ("at",)),
        (confirmations, ("confirmed_at",)),
    ]
    moments = sorted(
        {
            value
            for rows, names in sources
            for row in rows.values(*names)
            for value in row.values()
            if value is not None
        }
    )
    if not moments:
        return
    now = timezone.now()
    start = now - datetime.timedelta(days=days_ago)
    step = (
        datetime.timedelta(days=days_ago - last_days_ago) / (len(moments) - 1)
        if len(moments) > 1
        else datetime.timedelta(0)
    )
    moved = {moment: start + step * index for index, moment in enumerate(moments)}
    for rows, names in sources:
        for row in rows.values("pk", *names):
            values = {name: moved[row[name]] for name in names if row[name] is not None}
            rows.model._default_manager.filter(pk=row["pk"]).update(**values)
    # The SLA clock runs from the (moved) routing time, as long as before.
    if intake.routed_at is not None and intake.sla_due_at is not None:
        IntakeRequest.objects.filter(pk=intake.pk).update(
            sla_due_at=moved[intake.routed_at] + (intake.sla_due_at - intake.routed_at)
        )


# --- Entry point ----------------------------------------------------------------------------


@transaction.atomic
def seed(*, stdout: Writer) -> None:
    """Seed the demo physicians and the fourteen pain points (those not there yet); the
    initiatives that answer them come next, from initiatives.demo."""
    facilities = {facility.code: facility for facility in Facility.objects.all()}
    for account in PHYSICIANS:
        seed_account(account, facilities)
    created: list[tuple[IntakeRequest, PainPoint]] = []
    with email_held():
        emails = {point.submitter for point in PAIN_POINTS} | {CMIO}
        emails |= {email for point in PAIN_POINTS for email in (*point.votes, *point.later_votes)}
        people = {
            user.email: user
            for user in User.objects.filter(email__in=emails).prefetch_related("facilities")
        }
        seeder = _Seeder(people)
        for point in PAIN_POINTS:
            if IntakeRequest.objects.filter(title=point.title).exists():
                continue
            created.append((seeder.seed(point), point))
        # Once all are in place: a merge adds to the survivor's history too.
        for intake, point in created:
            _spread(intake, days_ago=point.days_ago, last_days_ago=point.last_days_ago)
    statuses = {point.status for point in PAIN_POINTS}
    stdout.write(
        f"Intake: {len(PHYSICIANS)} more physician champions; {len(PAIN_POINTS)} pain points "
        f"in {len(statuses)} states ({len(created)} new).\n"
    )
