"""The portfolio's part of the demo health system (DOMAIN.md §7), seeded by `initiatives.demo`
after the pain points: twenty-six initiatives of Riverside Health's informatics program in
every stage of the stage table, aligned to the seven priorities, with their people, benefit
plans (locked at approval; a few edited since, so they show variance), milestones (some
overdue), status updates (healthy, at risk and off track; a few stale) and links to the demo
pain points they answer; a few of them have hard savings and costs booked in the last closed
months (`FINANCIALS`), so the monthly value report has an ROI to show.

Everything goes through the portfolio services, so the stage timeline, gate records, locked
forecasts and audit history are the ones real use would leave: the demo CMIO creates the
initiatives, plans their benefits and milestones and moves them along the table; the CMO
passes the gates (approve, defer, stop) as decisions of a governance body — the move here, as the
decision service takes it (`via="governance"`), and the decision that explains it in the
decision log once governance's demo has seeded the bodies (`governance.demo.gates`); the
informaticist who leads an initiative posts its status
updates and closes its milestones (the CMIO where no one leads it).

The links are chosen so that each linked request already stands where its initiative's stage
takes it (or where the request table lets it stay): the pain points keep the states the intake
demo gives them, and each submitter sees the initiative and its stage on their request.

Ages: the services stamp everything "now"; each step of an initiative's story is set to the
days ago it happened (`_Clock`), so timelines, updates, milestones and history read like a
year of work, and the stale and overdue flags have something to find.

E-mail: seeded inside the kernel's `email_held`, so nothing is sent. Running it again creates
nothing: an initiative whose title exists is left alone.
"""

import bisect
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from informatics.choices import ValueCategory
from informatics.demo import Writer, email_held
from informatics.models import AuditEvent, Facility, PhiConfirmation, StrategicPriority, User
from informatics.services import site_today
from initiatives import services
from initiatives.choices import (
    GATE_STAGES,
    Alignment,
    FinancialKind,
    Health,
    InitiativeType,
    Stage,
)
from initiatives.models import (
    BenefitLine,
    FinancialEntry,
    Initiative,
    Milestone,
    StageChange,
    StatusUpdate,
)
from intake.models import IntakeRequest, RequestStatusChange

G = Stage
A = Alignment
H = Health
V = ValueCategory
T = InitiativeType

CMO = "cmo@riverside.example"
CMIO = "cmio@riverside.example"
EXECUTIVE = "executive@riverside.example"
PRIYA = "informaticist@riverside.example"  # clinical informaticist (RN)
SAMUEL = "hospitalist@riverside.example"  # hospitalist and physician informaticist
AISHA = "champion@riverside.example"
ELENA = "elena.marsh@riverside.example"
RAFAEL = "rafael.ortiz@riverside.example"
NAOMI = "naomi.castellano@riverside.example"
OMAR = "omar.haddad@riverside.example"
GRACE = "grace.lindqvist@riverside.example"
BENJAMIN = "benjamin.adeyemi@riverside.example"

HOSPITALS = ("rmc", "nrh", "lch", "cvh")


@dataclass(frozen=True)
class Step:
    """A move along the stage table, `days_ago` (a gate is the CMO's decision, recorded in the
    decision log by governance's demo)."""

    to_stage: str
    days_ago: int
    reason: str = ""
    revisit_in_days: int | None = None  # deferring: the revisit date, from today


@dataclass(frozen=True)
class Benefit:
    """A benefit line planned with the initiative (locked when it is approved). `revised`
    edits it `revised_days_ago`, after approval: the change shows as variance."""

    value_category: str
    description: str
    unit: str
    baseline: str
    target: str
    horizon_in_days: int  # from today
    revised: dict[str, Any] = field(default_factory=dict)  # field → new value (horizon: days)
    revised_days_ago: int = 0


@dataclass(frozen=True)
class Plan:
    """A milestone, planned with the initiative; `done_days_ago` None: not done yet."""

    title: str
    due_in_days: int  # from today; below zero, already due
    done_days_ago: int | None = None


@dataclass(frozen=True)
class Update:
    """A status update posted `days_ago`."""

    days_ago: int
    schedule: str
    scope: str
    budget: str
    adoption: str
    narrative: str
    risks: str = ""


@dataclass(frozen=True)
class DemoInitiative:
    title: str
    type: str
    summary: str
    problem_statement: str
    priorities: dict[str, str]  # priority code → alignment
    sponsor: str
    lead: str | None
    created_days_ago: int
    steps: tuple[Step, ...] = ()
    champions: tuple[str, ...] = ()
    facilities: tuple[str, ...] = ()
    start_in_days: int | None = None
    target_in_days: int | None = None
    effort_hours: int | None = None
    cost_estimate: str | None = None
    benefits: tuple[Benefit, ...] = ()
    milestones: tuple[Plan, ...] = ()
    updates: tuple[Update, ...] = ()
    requests: tuple[str, ...] = ()  # titles of the intake demo's pain points

    @property
    def stage(self) -> str:
        return self.steps[-1].to_stage if self.steps else G.PROPOSED


def _on_track(days_ago: int, narrative: str, risks: str = "") -> Update:
    return Update(days_ago, H.ON_TRACK, H.ON_TRACK, H.ON_TRACK, H.ON_TRACK, narrative, risks)


def _built(approved: int, build: int, *rest: Step, reason: str) -> tuple[Step, ...]:
    """Approved (a gate, with the CMO's reason) and into build, then the rest."""
    return (Step(G.APPROVED, approved, reason), Step(G.IN_BUILD, build), *rest)


INITIATIVES: tuple[DemoInitiative, ...] = (
    # --- Proposed ---------------------------------------------------------------------------
    DemoInitiative(
        title="Electronic prior authorisation",
        type=T.INTEROPERABILITY,
        summary="Request prior authorisation electronically from the order itself for the "
        "payers that support it, and show its status on the order.",
        problem_statement="Prior authorisation for advanced imaging takes four phone calls "
        "and a fax; clinic staff spend about 1,300 hours a month on it and patients wait nine "
        "days on average.",
        priorities={"financial-stewardship": A.STRONG, "joy-in-practice": A.MODERATE},
        sponsor=EXECUTIVE,
        lead=None,
        champions=(BENJAMIN, RAFAEL),
        facilities=("lch", "rmc"),
        created_days_ago=20,
        start_in_days=60,
        target_in_days=330,
        effort_hours=900,
        cost_estimate="240000",
        benefits=(
            Benefit(V.FINANCIAL, "Staff hours on prior authorisation", "hours a month",
                    "1300", "500", 450),
            Benefit(V.COMPLEX_CARE, "Days from imaging order to authorisation", "days",
                    "9", "2", 450),
        ),
        milestones=(Plan("Payer readiness survey", 25),),
        requests=("Prior authorisation for an MRI takes four phone calls",),
    ),
    DemoInitiative(
        title="Discharge medication reconciliation redesign",
        type=T.EHR_OPTIMISATION,
        summary="One line per medication with one instruction on the discharge list, and a "
        "warning before printing when the same drug appears twice.",
        problem_statement="Held home medications appear twice at discharge, once as continue "
        "and once as resume, and the printed list tells the patient to take both.",
        priorities={"complex-care": A.STRONG, "zero-harm": A.MODERATE},
        sponsor=CMO,
        lead=SAMUEL,
        champions=(ELENA,),
        facilities=HOSPITALS,
        created_days_ago=3,
        effort_hours=160,
        benefits=(
            Benefit(V.COMPLEX_CARE, "Discharge lists with a duplicated medication", "%",
                    "6", "1", 300),
        ),
    ),
    DemoInitiative(
        title="Interpreter-need flag in the patient banner",
        type=T.EHR_OPTIMISATION,
        summary="Show the preferred language and interpreter need in the patient banner, and "
        "book an interpreter with the appointment.",
        problem_statement="Interpreter need is buried in the demographics screen; one visit "
        "in eight with a patient who needs an interpreter has none booked.",
        priorities={"health-equity": A.STRONG, "zero-harm": A.WEAK},
        sponsor=EXECUTIVE,
        lead=PRIYA,
        champions=(GRACE, AISHA),
        facilities=("riverside",),
        created_days_ago=8,
        effort_hours=60,
        cost_estimate="12000",
        benefits=(
            Benefit(V.EQUITY, "Visits needing an interpreter with one booked", "%",
                    "87", "98", 240),
        ),
    ),
    # --- Approved ---------------------------------------------------------------------------
    DemoInitiative(
        title="Alert rationalisation",
        type=T.CDS,
        summary="Review the 40 interruptive alerts that fire most, retire or redesign those "
        "overridden more than 90% of the time, and merge the duplicate allergy warnings.",
        problem_statement="Clinicians override 93% of interruptive alerts; the duplicate "
        "allergy warnings alone fire about 30 times a shift in the emergency department.",
        priorities={"joy-in-practice": A.STRONG, "zero-harm": A.MODERATE},
        sponsor=CMIO,
        lead=PRIYA,
        champions=(AISHA, OMAR, GRACE),
        facilities=("riverside",),
        created_days_ago=40,
        steps=(
            Step(G.APPROVED, 12, "Approved: start with the allergy warnings and the ten "
                 "alerts with the highest override rates."),
        ),
        start_in_days=5,
        target_in_days=240,
        effort_hours=400,
        cost_estimate="60000",
        benefits=(
            Benefit(V.ENGAGEMENT, "Interruptive alerts per 100 orders", "alerts",
                    "11.5", "7", 300),
            Benefit(V.SAFETY_QUALITY, "Override rate of interruptive alerts", "%",
                    "93", "80", 300),
        ),
        milestones=(
            Plan("Override report for the top 40 alerts", 14),
            Plan("CDS committee review of the first ten", 45),
        ),
        updates=(
            _on_track(5, "Kick-off held; pharmacy informatics is pulling a year of override "
                      "data for the top 40 alerts."),
        ),
        requests=("Alert fatigue from duplicate allergy warnings",),
    ),
    DemoInitiative(
        title="Inbox burden reduction",
        type=T.INBOX,
        summary="Release normal results of routine panels to the patient portal with a "
        "standard explanation, auto-close FYI messages and pool refill requests for clinic "
        "staff.",
        problem_statement="Primary-care physicians receive about 60 results a day to sign "
        "and spend 84 minutes a day in the inbox after hours.",
        priorities={"joy-in-practice": A.STRONG, "financial-stewardship": A.WEAK},
        sponsor=CMIO,
        lead=SAMUEL,
        champions=(NAOMI, GRACE),
        facilities=("pc-north-ridge", "pc-downtown", "pc-lakeshore", "peds-lakeshore"),
        created_days_ago=70,
        steps=(
            Step(G.APPROVED, 20, "Approved with changes by the ambulatory council: start with "
                 "basic metabolic panels and blood counts."),
        ),
        start_in_days=10,
        target_in_days=150,
        effort_hours=320,
        cost_estimate="45000",
        benefits=(
            Benefit(V.ENGAGEMENT, "After-hours inbox time per physician", "minutes a day",
                    "84", "60", 240, revised={"target": "65"}, revised_days_ago=10),
        ),
        milestones=(
            Plan("Result release rules agreed with the lab", 10),
            Plan("Ambulatory release", 75),
        ),
        updates=(_on_track(8, "Release rules drafted for basic panels and blood counts."),),
        requests=("Inbox routing for normal labs",),
    ),
    DemoInitiative(
        title="Post-operative VTE prophylaxis consolidation",
        type=T.ORDER_SET,
        summary="One VTE prophylaxis section shared by every post-operative order set, with "
        "the risk assessment in front of it and nothing pre-selected twice.",
        problem_statement="Two post-operative order sets pre-select different anticoagulants; "
        "pharmacy cancels a duplicate about twice a week.",
        priorities={"zero-harm": A.STRONG, "evidence-based-care": A.STRONG},
        sponsor=CMO,
        lead=SAMUEL,
        champions=(RAFAEL, BENJAMIN),
        facilities=("cvh", "lch", "rmc"),
        created_days_ago=16,
        steps=(
            Step(G.APPROVED, 14, "Approved on the fast track with the patient-safety officer: "
                 "duplicate anticoagulant orders are a safety risk."),
        ),
        start_in_days=1,
        target_in_days=60,
        effort_hours=40,
        benefits=(
            Benefit(V.SAFETY_QUALITY, "Duplicate anticoagulant orders cancelled by pharmacy",
                    "orders a month", "9", "0", 120),
        ),
        milestones=(
            Plan("Inventory of post-operative order sets", 7),
            Plan("Build and pharmacy review", 40),
        ),
        updates=(_on_track(3, "Eleven post-operative order sets inventoried; four pre-select "
                           "an anticoagulant."),),
        requests=("Post-op order set duplicates VTE orders",),
    ),
    # --- In build ---------------------------------------------------------------------------
    DemoInitiative(
        title="Sepsis early-warning redesign",
        type=T.CDS,
        summary="Rebuild the sepsis early-warning alert: a post-operative window, lactate and "
        "blood-pressure criteria, and the criteria that fired shown in the alert.",
        problem_statement="The sepsis alert fires on most day-one surgical patients; 71% of "
        "post-operative firings are dismissed within ten seconds, and clinicians have stopped "
        "reading it.",
        priorities={
            "zero-harm": A.STRONG,
            "evidence-based-care": A.STRONG,
            "joy-in-practice": A.MODERATE,
        },
        sponsor=CMO,
        lead=PRIYA,
        champions=(ELENA, OMAR, RAFAEL),
        facilities=HOSPITALS,
        created_days_ago=75,
        steps=_built(
            60, 9,
            reason="Approved with the CDS committee's recommendation: redesign with a "
            "post-operative window, and run it silently beside the old alert first.",
        ),
        start_in_days=-55,
        target_in_days=90,
        effort_hours=480,
        cost_estimate="85000",
        benefits=(
            Benefit(V.SAFETY_QUALITY, "Sepsis alerts dismissed within ten seconds", "%",
                    "71", "30", 270),
            Benefit(V.ENGAGEMENT, "Sepsis alerts per 100 patient-days", "alerts",
                    "38", "12", 270),
        ),
        milestones=(
            Plan("Alert-log baseline and design sign-off", -50, done_days_ago=52),
            Plan("Silent-mode validation against 12 months of alert logs", -5),
            Plan("Go-live at Riverside Medical Center", 60),
        ),
        updates=(
            _on_track(40, "Design signed off by the CDS committee; silent-mode build started."),
            Update(6, H.AT_RISK, H.ON_TRACK, H.ON_TRACK, H.ON_TRACK,
                   "Silent-mode validation is two weeks behind: lactate results from the "
                   "North Ridge lab interface arrive late.",
                   "Go-live slips into the respiratory season if validation runs past next "
                   "month."),
        ),
        requests=("Sepsis alert fires on every post-op tachycardia",),
    ),
    DemoInitiative(
        title="Falls order panel",
        type=T.ORDER_SET,
        summary="A falls prevention order panel offered when the fall-risk score rises, with "
        "a reassessment task after sedating medications.",
        problem_statement="Falls with injury run at 0.45 per 1,000 patient-days; nothing "
        "prompts a reassessment after a sedating dose, and two boarded ED patients fell this "
        "quarter.",
        priorities={"zero-harm": A.STRONG},
        sponsor=CMO,
        lead=SAMUEL,
        champions=(AISHA, BENJAMIN),
        facilities=HOSPITALS,
        created_days_ago=90,
        steps=_built(
            70, 30, reason="Approved with the falls prevention committee's content."
        ),
        start_in_days=-35,
        target_in_days=60,
        effort_hours=140,
        cost_estimate="18000",
        benefits=(
            Benefit(V.SAFETY_QUALITY, "Inpatient falls with injury per 1,000 patient-days",
                    "falls", "0.45", "0.30", 365),
        ),
        milestones=(
            Plan("Panel content agreed with the falls prevention committee", -40,
                 done_days_ago=42),
            Plan("Build and test", 20),
            Plan("Go-live at all four hospitals", 60),
        ),
        updates=(
            _on_track(14, "Build 60% complete; the reassessment task after sedating "
                      "medications was added after the ED boarding falls."),
        ),
    ),
    DemoInitiative(
        title="Diabetes registry",
        type=T.ANALYTICS,
        summary="A primary-care diabetes registry: every patient with diabetes, their last "
        "HbA1c, eye and foot exams, with outreach lists by clinic and neighbourhood.",
        problem_statement="A fifth of patients with diabetes have an HbA1c above 9%, and no "
        "clinic can list who is overdue for a test.",
        priorities={"complex-care": A.STRONG, "health-equity": A.MODERATE},
        sponsor=CMO,
        lead=PRIYA,
        champions=(NAOMI,),
        facilities=("pc-downtown", "pc-north-ridge", "pc-cedar-valley", "cvh-diabetes",
                    "rmc-endocrinology"),
        created_days_ago=140,
        steps=_built(120, 95, reason="Approved: the registry underpins the HbA1c goal."),
        start_in_days=-95,
        target_in_days=45,
        effort_hours=360,
        cost_estimate="70000",
        benefits=(
            Benefit(V.COMPLEX_CARE, "Patients with diabetes whose HbA1c is above 9%", "%",
                    "21", "15", 540),
            Benefit(V.EQUITY, "Gap in HbA1c control between the best- and worst-served "
                    "neighbourhoods", "percentage points", "14", "7", 720),
        ),
        milestones=(
            Plan("Registry definition signed off", -80, done_days_ago=82),
            Plan("HbA1c results fed from the reference lab", -20),
            Plan("Outreach lists in six pilot clinics", 40),
        ),
        updates=(
            _on_track(70, "Registry definition signed off by primary care and endocrinology."),
            Update(41, H.AT_RISK, H.ON_TRACK, H.ON_TRACK, H.ON_TRACK,
                   "HbA1c results from the reference lab are not mapped yet; the registry "
                   "shows in-house results only.",
                   "Outreach lists undercount overdue patients until the feed is mapped."),
        ),
    ),
    # --- Pilot ------------------------------------------------------------------------------
    DemoInitiative(
        title="CLABSI prevention bundle",
        type=T.DOCUMENTATION,
        summary="Central-line maintenance in the nursing documentation: a daily necessity "
        "review, dressing and cap change due dates, and a line-day counter in the header.",
        problem_statement="CLABSI runs at 1.1 per 1,000 central-line days, above the national "
        "benchmark, and line necessity is not reviewed every day.",
        priorities={"zero-harm": A.STRONG, "evidence-based-care": A.MODERATE},
        sponsor=CMO,
        lead=PRIYA,
        champions=(OMAR,),
        facilities=("rmc-micu", "rmc-cvicu", "nrh-icu"),
        created_days_ago=160,
        steps=_built(
            140, 110, Step(G.PILOT, 25),
            reason="Approved with infection prevention as co-owner.",
        ),
        start_in_days=-110,
        target_in_days=120,
        effort_hours=220,
        cost_estimate="30000",
        benefits=(
            Benefit(V.SAFETY_QUALITY, "CLABSI per 1,000 central-line days", "infections",
                    "1.10", "0.55", 365),
        ),
        milestones=(
            Plan("Bundle documentation built", -40, done_days_ago=41),
            Plan("Pilot in the RMC Medical ICU", -25, done_days_ago=25),
            Plan("Pilot review with infection prevention", 35),
        ),
        updates=(
            _on_track(60, "Bundle documentation built and tested with the ICU educators."),
            Update(10, H.ON_TRACK, H.ON_TRACK, H.ON_TRACK, H.AT_RISK,
                   "Daily necessity review documented on 64% of line days in the pilot ICU; "
                   "the target is 90%.",
                   "Night shift documents the review least; the educators are adding it to "
                   "the handover checklist."),
        ),
    ),
    DemoInitiative(
        title="Ambient AI documentation pilot",
        type=T.AI_AUTOMATION,
        summary="Ambient listening drafts the visit note for 40 primary-care and specialty "
        "physicians; the physician reviews and signs every note.",
        problem_statement="Physicians spend two hours on documentation for every eight hours "
        "of patient time, and note writing is the largest share of their after-hours EHR "
        "time.",
        priorities={"joy-in-practice": A.STRONG, "responsible-ai": A.STRONG},
        sponsor=CMIO,
        lead=SAMUEL,
        champions=(NAOMI, BENJAMIN),
        facilities=("pc-north-ridge", "pc-downtown", "rmc-orthopedics"),
        created_days_ago=180,
        steps=_built(
            160, 130, Step(G.PILOT, 60),
            reason="Approved as a 40-physician pilot, after the AI governance review.",
        ),
        start_in_days=-130,
        target_in_days=30,
        effort_hours=300,
        cost_estimate="150000",
        benefits=(
            Benefit(V.ENGAGEMENT, "Documentation time per 8 hours of patient time", "minutes",
                    "120", "90", 60, revised={"horizon": 150}, revised_days_ago=20),
            Benefit(V.FINANCIAL, "Added visits per pilot physician", "visits a week",
                    "0", "2", 150),
        ),
        milestones=(
            Plan("Local validation by AI governance", -140, done_days_ago=142),
            Plan("Pilot physicians trained", -62, done_days_ago=61),
            Plan("Pilot physician experience survey", -5),
        ),
        updates=(
            _on_track(45, "All 40 pilot physicians live; early feedback is warm."),
            Update(9, H.ON_TRACK, H.ON_TRACK, H.AT_RISK, H.AT_RISK,
                   "Twelve of the 40 pilot physicians use it on fewer than half their visits; "
                   "licence costs run ahead of plan as the vendor bills per seat.",
                   "Without wider use the time saved will not justify the licences."),
        ),
    ),
    DemoInitiative(
        title="Heart failure discharge pathway",
        type=T.ORDER_SET,
        summary="A heart failure discharge order set and checklist: guideline-directed "
        "medications, a seven-day follow-up visit booked before discharge, and a scale at "
        "home.",
        problem_statement="One in five heart failure patients is readmitted within 30 days; "
        "fewer than half see a clinician within a week of discharge.",
        priorities={"complex-care": A.STRONG, "evidence-based-care": A.STRONG},
        sponsor=CMO,
        lead=SAMUEL,
        champions=(ELENA,),
        facilities=("rmc", "rmc-heart-failure"),
        created_days_ago=170,
        steps=_built(
            150, 120, Step(G.PILOT, 50),
            reason="Approved with cardiology and the heart failure clinic.",
        ),
        start_in_days=-120,
        target_in_days=70,
        effort_hours=200,
        cost_estimate="25000",
        benefits=(
            Benefit(V.COMPLEX_CARE, "30-day heart failure readmissions", "%", "21", "17", 365),
        ),
        milestones=(
            Plan("Seven-day follow-up slots reserved in the heart failure clinic", -55,
                 done_days_ago=56),
            Plan("Pilot review on RMC 4 West", -8),
        ),
        updates=(
            Update(38, H.ON_TRACK, H.ON_TRACK, H.ON_TRACK, H.AT_RISK,
                   "The checklist is completed for 70% of heart failure discharges on 4 West; "
                   "follow-up is booked for 82%.",
                   "Weekend discharges miss the booking step."),
        ),
    ),
    # --- Live -------------------------------------------------------------------------------
    DemoInitiative(
        title="CAUTI removal protocol",
        type=T.ORDER_SET,
        summary="Nurse-driven urinary catheter removal: a daily indication check in the "
        "nursing flowsheet, the removal protocol in every admission order set, and a removal "
        "prompt when no indication is documented.",
        problem_statement="Catheters stay in for days after the indication is gone, "
        "especially after ICU step-down; CAUTI runs at 1.6 per 1,000 catheter days.",
        priorities={"zero-harm": A.STRONG},
        sponsor=CMO,
        lead=PRIYA,
        champions=(OMAR,),
        facilities=HOSPITALS,
        created_days_ago=210,
        steps=_built(
            195, 170, Step(G.PILOT, 120), Step(G.LIVE, 45),
            reason="Approved with nursing leadership: the protocol is nurse-driven.",
        ),
        start_in_days=-170,
        target_in_days=-45,
        effort_hours=180,
        cost_estimate="22000",
        benefits=(
            Benefit(V.SAFETY_QUALITY, "CAUTI per 1,000 catheter days", "infections",
                    "1.6", "0.8", 320),
            Benefit(V.SAFETY_QUALITY, "Catheter days per 1,000 patient-days", "days",
                    "210", "160", 320),
        ),
        milestones=(
            Plan("Flowsheet indication row built", -150, done_days_ago=152),
            Plan("Pilot on RMC 4 West", -118, done_days_ago=120),
            Plan("Go-live at all four hospitals", -45, done_days_ago=45),
            Plan("Six-month outcome review", 135),
        ),
        updates=(
            _on_track(100, "Pilot on 4 West: catheter days down 18% in the first month."),
            _on_track(20, "Live at all four hospitals; catheter days down 12% system-wide."),
        ),
    ),
    DemoInitiative(
        title="Note template simplification",
        type=T.DOCUMENTATION,
        summary="A short hospital progress note: today's abnormal labs with their trend, a "
        "link to the full results, and the assessment and plan at the top.",
        problem_statement="The progress note template pulled in every lab of 72 hours; notes "
        "ran to three pages and took ten minutes each to trim.",
        priorities={"joy-in-practice": A.STRONG, "evidence-based-care": A.WEAK},
        sponsor=CMIO,
        lead=SAMUEL,
        champions=(ELENA,),
        facilities=HOSPITALS,
        created_days_ago=150,
        steps=_built(
            130, 100, Step(G.LIVE, 21),
            reason="Approved with the hospital medicine workgroup.",
        ),
        start_in_days=-100,
        target_in_days=-21,
        effort_hours=90,
        cost_estimate="8000",
        benefits=(
            Benefit(V.ENGAGEMENT, "Progress note length", "lines", "160", "70", 90),
            Benefit(V.ENGAGEMENT, "Time in notes per hospital day", "minutes",
                    "38", "30", 150),
        ),
        milestones=(
            Plan("Template agreed with the hospital medicine workgroup", -110,
                 done_days_ago=112),
            Plan("Go-live at all four hospitals", -21, done_days_ago=21),
            Plan("30-day review of note length", 9),
        ),
        updates=(
            _on_track(18, "Live at all four hospitals; notes are half the length on 4 West."),
        ),
        requests=("Progress note template pulls in three pages of labs",),
    ),
    DemoInitiative(
        title="AI model governance",
        type=T.GOVERNANCE,
        summary="One inventory and review process for every AI model and automation in "
        "clinical use: local validation, bias checks, drift monitoring and a named clinical "
        "owner.",
        problem_statement="Eleven vendor models run in the EHR with no local validation or "
        "monitoring, and nobody owns their performance.",
        priorities={"responsible-ai": A.STRONG, "zero-harm": A.MODERATE},
        sponsor=CMIO,
        lead=None,
        champions=(OMAR,),
        facilities=("riverside",),
        created_days_ago=260,
        steps=_built(
            245, 220, Step(G.LIVE, 120),
            reason="Approved: no new model goes live without this review.",
        ),
        start_in_days=-220,
        target_in_days=-120,
        effort_hours=260,
        cost_estimate="40000",
        benefits=(
            Benefit(V.SAFETY_QUALITY, "Models in clinical use with local validation and "
                    "monitoring", "%", "0", "100", 120),
        ),
        milestones=(
            Plan("Inventory of models in clinical use", -200, done_days_ago=203),
            Plan("Drift monitoring for the sepsis model", -3),
        ),
        updates=(
            _on_track(34, "Nine of eleven models validated locally; two vendor models await "
                      "the vendors' performance data."),
        ),
    ),
    # --- Sustaining -------------------------------------------------------------------------
    DemoInitiative(
        title="Sepsis order set",
        type=T.ORDER_SET,
        summary="One adult sepsis order set for the emergency departments and inpatient "
        "units, with the bundle elements pre-selected and the repeat lactate timed from the "
        "first result.",
        problem_statement="SEP-1 bundle compliance was 58%: the repeat lactate was missed on "
        "about a third of cases, and each hospital used its own order panel.",
        priorities={
            "evidence-based-care": A.STRONG,
            "zero-harm": A.STRONG,
            "financial-stewardship": A.MODERATE,
        },
        sponsor=CMO,
        lead=SAMUEL,
        champions=(OMAR, AISHA),
        facilities=HOSPITALS,
        created_days_ago=300,
        steps=_built(
            280, 250, Step(G.PILOT, 190), Step(G.LIVE, 150), Step(G.SUSTAINING, 60),
            reason="Approved: one order set for all four hospitals.",
        ),
        start_in_days=-250,
        target_in_days=-150,
        effort_hours=260,
        cost_estimate="35000",
        benefits=(
            Benefit(V.SAFETY_QUALITY, "SEP-1 bundle compliance", "%", "58", "75", 120,
                    revised={"target": "80"}, revised_days_ago=100),
            Benefit(V.FINANCIAL, "Sepsis length of stay avoided", "USD a year", "0",
                    "400000", 200),
        ),
        milestones=(
            Plan("Order set built and validated", -200, done_days_ago=205),
            Plan("Pilot in the RMC Emergency Department", -185, done_days_ago=188),
            Plan("Go-live at all four hospitals", -150, done_days_ago=150),
            Plan("90-day compliance review", -55, done_days_ago=58),
        ),
        updates=(
            _on_track(120, "Live at all four hospitals; repeat lactate ordered on 88% of "
                      "eligible cases."),
            _on_track(70, "Bundle compliance 74% at 90 days; target raised to 80%."),
            Update(12, H.ON_TRACK, H.ON_TRACK, H.ON_TRACK, H.AT_RISK,
                   "Cedar Valley's night shift still orders from an old favourites list; "
                   "compliance there is 61%.",
                   "The old favourites list is retired at the next release."),
        ),
        requests=("Sepsis order set lacks lactate timer",),
    ),
    DemoInitiative(
        title="Clinic optimisation sprints",
        type=T.TRAINING,
        summary="Two-week sprints in each primary-care clinic: at-the-elbow EHR coaching, "
        "personal order lists and note templates, and inbox rules set up with each physician.",
        problem_statement="Clinic physicians use few of the EHR's personalisation tools; EHR "
        "time per visit varies threefold between clinics.",
        priorities={"joy-in-practice": A.STRONG, "financial-stewardship": A.MODERATE},
        sponsor=EXECUTIVE,
        lead=PRIYA,
        champions=(NAOMI, GRACE),
        facilities=("pc-downtown", "pc-north-ridge", "pc-lakeshore", "pc-cedar-valley"),
        created_days_ago=400,
        steps=_built(
            390, 370, Step(G.PILOT, 330), Step(G.LIVE, 270), Step(G.SUSTAINING, 90),
            reason="Approved as a rolling programme across the 24 primary-care clinics.",
        ),
        start_in_days=-370,
        target_in_days=120,
        effort_hours=1400,
        cost_estimate="180000",
        benefits=(
            Benefit(V.ENGAGEMENT, "EHR time per 8 hours of scheduled patient time", "hours",
                    "5.9", "4.9", 60),
            Benefit(V.FINANCIAL, "Added visit capacity", "visits a month", "0", "600", 60),
        ),
        milestones=(
            Plan("Sprint playbook and coaching team", -340, done_days_ago=345),
            Plan("First eight clinics", -270, done_days_ago=272),
            Plan("All 24 primary-care clinics", 90),
        ),
        updates=(
            _on_track(25, "Fourteen of 24 clinics done; EHR time down 9% in the finished "
                      "clinics."),
        ),
    ),
    DemoInitiative(
        title="Opioid stewardship dashboard",
        type=T.ANALYTICS,
        summary="A prescriber-level dashboard of opioid prescribing: daily morphine milligram "
        "equivalents, co-prescribed benzodiazepines and monitoring-database checks, with peer "
        "comparison.",
        problem_statement="One post-operative opioid prescription in five exceeds 50 morphine "
        "milligram equivalents a day, and prescribers never see how they compare.",
        priorities={"evidence-based-care": A.STRONG, "zero-harm": A.MODERATE},
        sponsor=CMO,
        lead=PRIYA,
        champions=(BENJAMIN, RAFAEL),
        facilities=HOSPITALS,
        created_days_ago=330,
        steps=_built(
            320, 290, Step(G.LIVE, 220), Step(G.SUSTAINING, 100),
            reason="Approved with the pain stewardship committee.",
        ),
        start_in_days=-290,
        target_in_days=-220,
        effort_hours=240,
        cost_estimate="28000",
        benefits=(
            Benefit(V.SAFETY_QUALITY, "Post-operative opioid prescriptions above 50 MME a day",
                    "%", "22", "12", 180, revised={"target": "10"}, revised_days_ago=95),
        ),
        milestones=(
            Plan("Dashboard live for surgeons", -220, done_days_ago=221),
            Plan("Peer comparison letters", -150, done_days_ago=152),
        ),
        updates=(
            _on_track(16, "Prescriptions above 50 MME a day down to 13%; the committee set a "
                      "new target of 10%."),
        ),
    ),
    # --- Closed -----------------------------------------------------------------------------
    DemoInitiative(
        title="Barcode medication administration compliance",
        type=T.EHR_OPTIMISATION,
        summary="Fix the scanning workarounds the medication administration audit found: "
        "wristband printers, unscannable unit doses and override reasons.",
        problem_statement="Scanning compliance was 88%; overrides without a reason hid "
        "packaging that could not be scanned.",
        priorities={"zero-harm": A.STRONG},
        sponsor=CMO,
        lead=PRIYA,
        facilities=HOSPITALS,
        created_days_ago=520,
        steps=_built(
            505, 480, Step(G.LIVE, 400), Step(G.SUSTAINING, 300),
            Step(G.CLOSED, 100, "Compliance held above 97% for two quarters; monitoring "
                 "moves to the pharmacy dashboard."),
            reason="Approved after the medication administration audit.",
        ),
        start_in_days=-480,
        target_in_days=-400,
        effort_hours=320,
        cost_estimate="55000",
        benefits=(
            Benefit(V.SAFETY_QUALITY, "Medication administrations scanned", "%", "88", "97",
                    -300),
        ),
        milestones=(
            Plan("Wristband printers replaced", -430, done_days_ago=431),
            Plan("Override reasons required", -400, done_days_ago=400),
        ),
        updates=(_on_track(105, "Compliance 97.6% for the second quarter running; closing."),),
    ),
    DemoInitiative(
        title="Telehealth visit documentation",
        type=T.DOCUMENTATION,
        summary="Telehealth visit types, consent capture and a short note template for video "
        "and telephone visits.",
        problem_statement="Video visits were documented as office visits, so consent went "
        "unrecorded and the visits were billed wrongly.",
        priorities={"financial-stewardship": A.STRONG, "joy-in-practice": A.WEAK},
        sponsor=EXECUTIVE,
        lead=SAMUEL,
        champions=(NAOMI,),
        facilities=("riverside",),
        created_days_ago=600,
        steps=_built(
            590, 570, Step(G.LIVE, 520), Step(G.SUSTAINING, 420),
            Step(G.CLOSED, 200, "Telehealth visits are documented and billed correctly; the "
                 "templates belong to the ambulatory team now."),
            reason="Approved: billing compliance.",
        ),
        start_in_days=-570,
        target_in_days=-520,
        effort_hours=120,
        cost_estimate="15000",
        benefits=(
            Benefit(V.FINANCIAL, "Telehealth visits billed with the right visit type", "%",
                    "62", "98", -400),
        ),
        updates=(_on_track(210, "Visit types correct on 99% of telehealth visits."),),
    ),
    # --- On hold ----------------------------------------------------------------------------
    DemoInitiative(
        title="Readmission risk score",
        type=T.AI_AUTOMATION,
        summary="A 30-day readmission risk score on the discharge worklist, with high-risk "
        "patients routed to the transitional-care nurses.",
        problem_statement="30-day readmissions are at 14%, and transitional-care nurses pick "
        "their patients by hand from the census.",
        priorities={"complex-care": A.STRONG, "responsible-ai": A.MODERATE},
        sponsor=CMO,
        lead=SAMUEL,
        champions=(ELENA,),
        facilities=("rmc", "nrh"),
        created_days_ago=200,
        steps=_built(
            180, 150,
            Step(G.ON_HOLD, 50, "On hold until AI governance finishes its bias review: the "
                 "vendor model under-predicts risk for patients on Medicaid."),
            reason="Approved, subject to the AI governance review.",
        ),
        start_in_days=-150,
        target_in_days=60,
        effort_hours=280,
        cost_estimate="65000",
        benefits=(
            Benefit(V.COMPLEX_CARE, "30-day all-cause readmissions", "%", "14", "12.5", 365),
        ),
        milestones=(
            Plan("Local validation on two years of discharges", -90, done_days_ago=92),
            Plan("Bias review by AI governance", -10),
        ),
        updates=(
            _on_track(95, "Local validation done: the score ranks risk well overall."),
            Update(48, H.OFF_TRACK, H.ON_TRACK, H.ON_TRACK, H.AT_RISK,
                   "Paused: the bias review found the model under-predicts risk for "
                   "patients on Medicaid.",
                   "The vendor may not recalibrate the model this year."),
        ),
    ),
    DemoInitiative(
        title="Clinician secure messaging consolidation",
        type=T.INFRASTRUCTURE,
        summary="Replace three paging and texting tools with the EHR's secure chat, with the "
        "on-call schedules built in.",
        problem_statement="Clinicians juggle pagers, a texting app and the EHR's chat; pages "
        "reach the wrong person when on-call schedules are out of date.",
        priorities={
            "joy-in-practice": A.MODERATE,
            "financial-stewardship": A.MODERATE,
            "zero-harm": A.WEAK,
        },
        sponsor=EXECUTIVE,
        lead=None,
        champions=(AISHA, OMAR),
        facilities=HOSPITALS,
        created_days_ago=230,
        steps=(
            Step(G.APPROVED, 210, "Approved: one messaging tool, with the on-call schedules."),
            Step(G.ON_HOLD, 75, "On hold while the system renegotiates its telecom contract; "
                 "the pager contract runs another year."),
        ),
        start_in_days=-200,
        target_in_days=200,
        effort_hours=600,
        cost_estimate="210000",
        benefits=(
            Benefit(V.FINANCIAL, "Paging and texting licences", "USD a year", "310000",
                    "90000", 540),
        ),
        milestones=(Plan("On-call schedules loaded for the hospitalists", -60),),
        updates=(
            Update(76, H.OFF_TRACK, H.ON_TRACK, H.OFF_TRACK, H.ON_TRACK,
                   "Paused for the telecom contract renegotiation.",
                   "The pager contract renews automatically if not cancelled in time."),
        ),
    ),
    # --- Deferred ---------------------------------------------------------------------------
    DemoInitiative(
        title="SDOH screening",
        type=T.DOCUMENTATION,
        summary="Social needs screening (food, housing, transport, utilities, safety) at "
        "admission and at annual visits, with referrals through a community-resource "
        "directory.",
        problem_statement="Social needs are recorded for fewer than one patient in ten, and "
        "care teams cannot refer to community resources from the EHR.",
        priorities={"health-equity": A.STRONG, "complex-care": A.MODERATE},
        sponsor=EXECUTIVE,
        lead=PRIYA,
        champions=(NAOMI, GRACE),
        facilities=("riverside",),
        created_days_ago=120,
        steps=(
            Step(G.DEFERRED, 60, "Deferred until the state's community-resource directory can "
                 "be connected: screening without a way to refer would only record needs.",
                 revisit_in_days=90),
        ),
        effort_hours=500,
        cost_estimate="95000",
        benefits=(
            Benefit(V.EQUITY, "Patients screened for social needs", "%", "8", "90", 540),
        ),
    ),
    DemoInitiative(
        title="Pressure injury risk prompts",
        type=T.CDS,
        summary="Prompt a pressure injury reassessment and the turning schedule when the "
        "Braden score drops.",
        problem_statement="Hospital-acquired pressure injuries rose for three quarters; risk "
        "is reassessed only once a shift.",
        priorities={"zero-harm": A.MODERATE},
        sponsor=CMO,
        lead=PRIYA,
        facilities=HOSPITALS,
        created_days_ago=130,
        steps=(
            Step(G.APPROVED, 110, "Approved with the wound care team."),
            Step(G.DEFERRED, 40, "Deferred behind the falls order panel: the same nursing "
                 "build team; revisit when the falls panel is live.", revisit_in_days=75),
        ),
        effort_hours=120,
        benefits=(
            Benefit(V.SAFETY_QUALITY, "Hospital-acquired pressure injuries per 1,000 "
                    "patient-days", "injuries", "1.9", "1.2", 400),
        ),
    ),
    # --- Stopped ----------------------------------------------------------------------------
    DemoInitiative(
        title="Hard stop for duplicate imaging orders",
        type=T.CDS,
        summary="A hard-stop alert when a CT or MRI of the same body part was ordered in the "
        "last 30 days.",
        problem_statement="Duplicate advanced imaging was estimated to cost $600,000 a year.",
        priorities={"financial-stewardship": A.STRONG, "joy-in-practice": A.WEAK},
        sponsor=EXECUTIVE,
        lead=PRIYA,
        champions=(AISHA,),
        facilities=("rmc", "rmc-ed"),
        created_days_ago=250,
        steps=_built(
            230, 200, Step(G.PILOT, 150),
            Step(G.STOPPED, 110, "Stopped after the pilot: 94% of the hard stops were "
                 "overridden as clinically justified and duplicate orders did not fall. The "
                 "alert is retired."),
            reason="Approved as a pilot in the RMC Emergency Department.",
        ),
        start_in_days=-200,
        target_in_days=-110,
        effort_hours=80,
        cost_estimate="12000",
        benefits=(
            Benefit(V.FINANCIAL, "Avoidable duplicate imaging", "USD a year", "600000",
                    "250000", -20),
        ),
        milestones=(Plan("Pilot in the RMC Emergency Department", -150, done_days_ago=150),),
        updates=(
            _on_track(140, "Pilot live in the RMC Emergency Department."),
            Update(115, H.ON_TRACK, H.ON_TRACK, H.ON_TRACK, H.OFF_TRACK,
                   "94% of the hard stops are overridden as clinically justified; duplicate "
                   "orders have not fallen.",
                   "The alert adds clicks without changing orders."),
        ),
    ),
    DemoInitiative(
        title="Patient portal self-scheduling",
        type=T.INTEROPERABILITY,
        summary="Let patients book primary-care visits themselves in the patient portal.",
        problem_statement="Patients wait on the phone to book routine visits; a third of "
        "calls to the clinics are about appointments.",
        priorities={"financial-stewardship": A.MODERATE, "health-equity": A.WEAK},
        sponsor=EXECUTIVE,
        lead=None,
        facilities=("riverside",),
        created_days_ago=100,
        steps=(
            Step(G.STOPPED, 80, "Stopped: the EHR vendor ships self-scheduling in next "
                 "spring's upgrade, so a custom build now would be thrown away."),
        ),
        effort_hours=700,
        cost_estimate="160000",
    ),
)  # fmt: skip


# --- Ages -----------------------------------------------------------------------------------


class _Clock:
    """Marks when each step of a story starts (real time) and the days ago it stands for;
    afterwards every time stamp written since the first mark moves to the day of its step,
    keeping the order of what happened within it."""

    def __init__(self, now: datetime.datetime):
        self.now = now
        self.reals: list[datetime.datetime] = []
        self.targets: list[datetime.datetime] = []

    def mark(self, days_ago: int) -> None:
        self.reals.append(timezone.now())
        self.targets.append(self.now - datetime.timedelta(days=days_ago))

    def moved(self, value: datetime.datetime) -> datetime.datetime:
        index = bisect.bisect_right(self.reals, value) - 1
        return self.targets[index] + (value - self.reals[index])

    def apply(self, sources: list[tuple[models.QuerySet[Any], tuple[str, ...]]]) -> None:
        start = self.reals[0]
        for rows, names in sources:
            written = Q()
            for name in names:
                written |= Q(**{f"{name}__gte": start})
            for row in rows.filter(written).values("pk", *names):
                values = {
                    name: self.moved(row[name])
                    for name in names
                    if row[name] is not None and row[name] >= start
                }
                rows.model._default_manager.filter(pk=row["pk"]).update(**values)


# --- Seeding --------------------------------------------------------------------------------


class _Seeder:
    def __init__(self) -> None:
        emails = {CMO, CMIO, EXECUTIVE, PRIYA, SAMUEL, AISHA, ELENA, RAFAEL, NAOMI, OMAR}
        emails |= {GRACE, BENJAMIN}
        self.people = {user.email: user for user in User.objects.filter(email__in=emails)}
        self.cmo, self.cmio = self.people[CMO], self.people[CMIO]
        # A priority the CMO has retired in the demo is left out of new alignments.
        self.priorities = {p.code: p for p in StrategicPriority.objects.filter(is_active=True)}
        self.facilities = {f.code: f for f in Facility.objects.all()}
        titles = {title for plan in INITIATIVES for title in plan.requests}
        self.requests = {r.title: r for r in IntakeRequest.objects.filter(title__in=titles)}
        self.today = timezone.localdate()
        self.now = timezone.now()

    def _day(self, days_from_today: int) -> datetime.date:
        return self.today + datetime.timedelta(days=days_from_today)

    def _date(self, days_from_today: int | None) -> datetime.date | None:
        return None if days_from_today is None else self._day(days_from_today)

    def seed(self, plan: DemoInitiative) -> Initiative:
        clock = _Clock(self.now)
        events: list[tuple[int, Callable[[], object]]] = []
        holder: dict[str, Initiative] = {}

        def fresh() -> Initiative:
            row: Initiative = Initiative.objects.get(pk=holder["initiative"].pk)
            return row

        events.append((plan.created_days_ago, lambda: holder.update(initiative=self._create(plan))))
        for benefit in plan.benefits:
            events.append((plan.created_days_ago, self._benefit_add(fresh, benefit)))
            if benefit.revised:
                events.append((benefit.revised_days_ago, self._benefit_revise(fresh, benefit)))
        for milestone in plan.milestones:
            events.append((plan.created_days_ago, self._milestone_add(fresh, milestone)))
            if milestone.done_days_ago is not None:
                events.append((milestone.done_days_ago, self._milestone_done(fresh, milestone)))
        for step in plan.steps:
            events.append((step.days_ago, self._advance(fresh, step)))
        author = self.people[plan.lead] if plan.lead else self.cmio
        for update in plan.updates:
            events.append((update.days_ago, self._post(fresh, update, author)))
        # Oldest first; what happened on the same day keeps the order it was listed in.
        for days_ago, event in sorted(events, key=lambda pair: -pair[0]):
            clock.mark(days_ago)
            event()
        initiative = fresh()
        assert initiative.stage == plan.stage, (plan.title, initiative.stage)
        clock.apply(self._stamped(initiative))
        # A linked request was last touched by its own latest step if that came after the link.
        IntakeRequest.objects.filter(
            initiative_link__initiative=initiative, updated_at__lt=F("status_changed_at")
        ).update(updated_at=F("status_changed_at"))
        return initiative

    def _create(self, plan: DemoInitiative) -> Initiative:
        return services.initiative_create(
            actor=self.cmio,
            title=plan.title,
            type=plan.type,
            summary=plan.summary,
            problem_statement=plan.problem_statement,
            executive_sponsor=self.people[plan.sponsor],
            cmio_owner=self.cmio,
            informaticist_lead=self.people[plan.lead] if plan.lead else None,
            champions=[self.people[email] for email in plan.champions],
            facilities=[self.facilities[code] for code in plan.facilities],
            priorities={
                self.priorities[code]: alignment
                for code, alignment in plan.priorities.items()
                if code in self.priorities
            },
            start_date=self._date(plan.start_in_days),
            target_date=self._date(plan.target_in_days),
            effort_hours=plan.effort_hours,
            cost_estimate=Decimal(plan.cost_estimate) if plan.cost_estimate else None,
            requests=[self.requests[title] for title in plan.requests if title in self.requests],
        )

    def _benefit_add(
        self, fresh: Callable[[], Initiative], benefit: Benefit
    ) -> Callable[[], object]:
        return lambda: services.benefit_add(
            actor=self.cmio,
            initiative=fresh(),
            value_category=benefit.value_category,
            description=benefit.description,
            unit=benefit.unit,
            baseline=Decimal(benefit.baseline),
            target=Decimal(benefit.target),
            horizon=self._day(benefit.horizon_in_days),
        )

    def _benefit_revise(
        self, fresh: Callable[[], Initiative], benefit: Benefit
    ) -> Callable[[], object]:
        def revise() -> object:
            line = BenefitLine.objects.get(initiative=fresh(), description=benefit.description)
            changes: dict[str, Any] = {
                name: self._day(value) if name == "horizon" else Decimal(value)
                for name, value in benefit.revised.items()
            }
            return services.benefit_update(actor=self.cmio, benefit=line, **changes)

        return revise

    def _milestone_add(self, fresh: Callable[[], Initiative], plan: Plan) -> Callable[[], object]:
        return lambda: services.milestone_add(
            actor=self.cmio,
            initiative=fresh(),
            title=plan.title,
            due_date=self._day(plan.due_in_days),
        )

    def _milestone_done(self, fresh: Callable[[], Initiative], plan: Plan) -> Callable[[], object]:
        def done() -> object:
            initiative = fresh()
            milestone = Milestone.objects.get(initiative=initiative, title=plan.title)
            actor = initiative.informaticist_lead or self.cmio
            return services.milestone_done(actor=actor, milestone=milestone)

        return done

    def _advance(self, fresh: Callable[[], Initiative], step: Step) -> Callable[[], object]:
        def advance() -> object:
            initiative = fresh()
            gate = step.to_stage in GATE_STAGES
            return services.initiative_advance(
                # The CMO passes the gates, as a governance decision would move the initiative
                # (governance's demo records the decisions); the CMIO moves everything else.
                actor=self.cmo if gate else self.cmio,
                initiative=initiative,
                version=initiative.version,
                to_stage=step.to_stage,
                reason=step.reason,
                revisit_date=self._date(step.revisit_in_days),
                go_live_date=self._day(-step.days_ago) if step.to_stage == G.LIVE else None,
                via="governance" if gate else None,
            )

        return advance

    def _post(
        self, fresh: Callable[[], Initiative], update: Update, author: User
    ) -> Callable[[], object]:
        return lambda: services.status_update_post(
            actor=author,
            initiative=fresh(),
            schedule=update.schedule,
            scope=update.scope,
            budget=update.budget,
            adoption=update.adoption,
            narrative=update.narrative,
            risks=update.risks,
        )

    def _stamped(
        self, initiative: Initiative
    ) -> list[tuple[models.QuerySet[Any], tuple[str, ...]]]:
        """Every row the story wrote, with its time stamps (the clock moves only those
        written since its first mark)."""
        return [
            (
                Initiative.objects.filter(pk=initiative.pk),
                ("created_at", "updated_at", "stage_changed_at", "forecast_locked_at"),
            ),
            (StageChange.objects.filter(initiative=initiative), ("at",)),
            (
                BenefitLine.objects.filter(initiative=initiative),
                ("created_at", "updated_at", "locked_at"),
            ),
            (
                Milestone.objects.filter(initiative=initiative),
                ("created_at", "updated_at", "done_at"),
            ),
            (StatusUpdate.objects.filter(initiative=initiative), ("at",)),
            (
                IntakeRequest.objects.filter(initiative_link__initiative=initiative),
                ("updated_at", "status_changed_at"),
            ),
            (
                RequestStatusChange.objects.filter(request__initiative_link__initiative=initiative),
                ("at",),
            ),
            (AuditEvent.objects.all(), ("at",)),
            (PhiConfirmation.objects.all(), ("confirmed_at",)),
        ]


@dataclass(frozen=True)
class Booked:
    """A financial entry of a demo initiative: `months_ago` 1 is the last closed month (the
    month the value report of today's month close covers)."""

    initiative: str
    months_ago: int
    kind: str
    amount: str
    source: str


# Both closed months carry hard savings and costs, so the issued report (the month before last)
# and the draft (last month) each have an ROI: the clinic sprints' locum savings against the
# sprint team, the CAUTI protocol's supply savings against its rollout educators, and the
# infection prevention nurses' time on the CLABSI bundle (still in build and pilot: costs, no
# savings yet); the ambient AI pilot's licences, billed per seat, in the last month.
FINANCIALS: tuple[Booked, ...] = (
    Booked(
        "CLABSI prevention bundle",
        2,
        FinancialKind.COST,
        "18000",
        "Finance GL 7200, infection prevention nurse time, month close",
    ),
    Booked(
        "CLABSI prevention bundle",
        1,
        FinancialKind.COST,
        "18000",
        "Finance GL 7200, infection prevention nurse time, month close",
    ),
    Booked(
        "CAUTI removal protocol",
        2,
        FinancialKind.COST,
        "8000",
        "Finance GL 7200, nurse educators for the protocol rollout, month close",
    ),
    Booked(
        "CAUTI removal protocol",
        2,
        FinancialKind.HARD_SAVINGS,
        "3500",
        "Finance GL 6100, fewer catheter kits and urine cultures, month close",
    ),
    Booked(
        "CAUTI removal protocol",
        1,
        FinancialKind.HARD_SAVINGS,
        "6500",
        "Finance GL 6100, fewer catheter kits and urine cultures, month close",
    ),
    Booked(
        "Ambient AI documentation pilot",
        1,
        FinancialKind.COST,
        "16000",
        "Finance GL 7300, ambient AI licences for the 40 pilot physicians, month close",
    ),
    Booked(
        "Clinic optimisation sprints",
        2,
        FinancialKind.HARD_SAVINGS,
        "38000",
        "Finance GL 6100, locum coverage no longer needed, month close",
    ),
    Booked(
        "Clinic optimisation sprints",
        2,
        FinancialKind.COST,
        "15000",
        "Finance GL 7200, optimisation team time, month close",
    ),
    Booked(
        "Clinic optimisation sprints",
        1,
        FinancialKind.HARD_SAVINGS,
        "40000",
        "Finance GL 6100, locum coverage no longer needed, month close",
    ),
    Booked(
        "Clinic optimisation sprints",
        1,
        FinancialKind.COST,
        "15000",
        "Finance GL 7200, optimisation team time, month close",
    ),
)


def _month_ago(today: datetime.date, months: int) -> datetime.date:
    index = today.year * 12 + today.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _seed_financials(actor: User) -> int:
    """The financial entries not there yet (same initiative, month, kind and source); returns
    how many were recorded."""
    today = site_today()
    initiatives = {
        i.title: i for i in Initiative.objects.filter(title__in={b.initiative for b in FINANCIALS})
    }
    added = 0
    for booked in FINANCIALS:
        initiative = initiatives.get(booked.initiative)
        month = _month_ago(today, booked.months_ago)
        if (
            initiative is None
            or FinancialEntry.objects.filter(
                initiative=initiative, month=month, kind=booked.kind, source=booked.source
            ).exists()
        ):
            continue
        services.financial_entry_add(
            actor=actor,
            initiative=initiative,
            month=month,
            kind=booked.kind,
            amount=Decimal(booked.amount),
            source=booked.source,
        )
        added += 1
    return added


@transaction.atomic
def seed(*, stdout: Writer) -> None:
    """Seed the initiatives not there yet, once intake's pain points they answer are in place
    (seed_demo runs intake first)."""
    created = 0
    with email_held():
        seeder = _Seeder()
        for plan in INITIATIVES:
            if Initiative.objects.filter(title=plan.title).exists():
                continue
            seeder.seed(plan)
            created += 1
        booked = _seed_financials(User.objects.get(email=CMIO))
    stages = {plan.stage for plan in INITIATIVES}
    stdout.write(
        f"Portfolio: {len(INITIATIVES)} initiatives in {len(stages)} stages ({created} new).\n"
        f"Financial entries: {len(FINANCIALS)} hard savings and costs ({booked} new).\n"
    )
