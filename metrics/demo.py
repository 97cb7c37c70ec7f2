"""The metrics' part of the demo health system (DOMAIN.md §2 and §7), seeded by `seed_demo`
after the portfolio: the seventeen metrics of the catalogue with their definitions and
sources, linked to the priorities and to the initiatives expected to move them (with
attribution shares and the benefit-plan lines they evidence), their targets, and 24 months of
measurements at the four hospitals (the system's figures are summed from them by the
roll-ups), ending with the last complete month.

The numbers tell Riverside's story, so every signal and icon appears:
- twelve baseline months around each metric's published (or local) baseline, then steps
  toward the target after each linked initiative's go-live, read from the initiatives'
  `go_live_date` (and a pilot's date for a partial step at its hospital): SEP-1 compliance
  and order-set use climb after the sepsis order set (special cause, improvement); after-hours
  EHR time falls after the clinic optimisation sprints; EHR time per 8 hours falls too, and
  its limits are rebased at that go-live (with the reason), so its new segment is still short
  ("insufficient data") and will consistently pass its target;
- inbox volume drifts upward month after month (special cause, concern);
- the care-gap metric has no better direction and shifts when the registry definition is
  widened (special cause, neither better nor worse);
- days from request to decision has one astronomical month, when the councils paused;
- readmissions carry a 35-day data lag, so the last month is still incomplete (hollow) and
  their 12% target lies below the lower limit (will consistently fail); the infection and
  falls rates sit in common-cause variation with their targets inside the limits (hit and
  miss);
- the two survey metrics have four waves each; cost avoidance accumulates from the first
  go-live;
- CAUTI, which fell after the removal protocol, is valued in the monthly report as cost
  avoidance against its pre-protocol baseline, and after-hours EHR time as time value
  (`VALUE_BASES`), against the initiatives' hard savings and costs (initiatives.demo).

Noise comes from a random generator seeded per metric, so the figures are the same on every
run. Running it again changes nothing: a metric, target, link or annotation that exists is left
as it is (so edits made in the demo survive the next `make run`), and only missing
measurements are written. The catalogue goes through the catalogue services (audited, as a
CMIO would leave it); the measurements are bulk-created directly, with "demo" as their source
system and no import batch (loading ~1,400 rows through the importer would slow `make run`
for nothing), then the roll-ups are refreshed once.
"""

import calendar
import datetime
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from informatics.choices import ValueCategory
from informatics.demo import Writer
from informatics.models import Facility, StrategicPriority, User
from informatics.services import site_today
from initiatives.choices import Stage
from initiatives.models import BenefitLine, Initiative, StageChange
from metrics import services
from metrics.choices import (
    Aim,
    AnnotationKind,
    ChartType,
    Direction,
    MetricFrequency,
    RulePreset,
    ValueKind,
)
from metrics.models import Annotation, Measurement, Metric, MetricInitiative, Target

V = ValueCategory
C = ChartType
D = Direction

CMIO = "cmio@riverside.example"
PRIYA = "informaticist@riverside.example"
SYSTEM = "riverside"
MONTHS = 24
SOURCE_SYSTEM = "demo"

# Each hospital's share of the system's exposure (by beds) and how its rates compare with the
# system's: the tertiary centre treats the sickest patients.
HOSPITALS: dict[str, tuple[float, float]] = {
    "rmc": (0.53, 1.04),
    "nrh": (0.18, 0.97),
    "lch": (0.17, 0.98),
    "cvh": (0.12, 0.93),
}

# Sepsis order set: what Riverside's sepsis bed-days, CAUTIs and adverse drug events avoided
# are worth a month, system-wide, once each initiative is live (unit costs: verify with
# finance, DOMAIN.md §2).
MONTHLY_AVOIDED_COST: dict[str, float] = {
    "Barcode medication administration compliance": 21_000,
    "Sepsis order set": 33_000,
    "CAUTI removal protocol": 11_000,
}


@dataclass(frozen=True)
class Link:
    initiative: str  # title
    share: int  # percent
    benefit: str = ""  # description of the initiative's benefit line it evidences


@dataclass(frozen=True)
class Step:
    """The level (display units, system-wide) reached after an event: an initiative's
    go-live or pilot start, or (no initiative) a month `months_ago` before the last."""

    level: float
    initiative: str = ""
    event: str = "go_live"  # or "pilot"
    months_ago: int | None = None
    hospitals: tuple[str, ...] = ()  # only these (a pilot); all when empty


@dataclass(frozen=True)
class Note:
    """An annotation, dated like a step: at an initiative's go-live or pilot, or a month."""

    kind: str
    label: str
    reason: str = ""
    initiative: str = ""
    event: str = "go_live"
    months_ago: int | None = None


@dataclass(frozen=True)
class Wave:
    months_ago: int
    value: float
    respondents: int
    positive: int | None = None  # the numerator of a proportion


@dataclass(frozen=True)
class DemoMetric:
    code: str
    name: str
    definition: str
    source: str
    version: str
    value_category: str
    aim: str
    unit: str
    multiplier: int
    direction: str
    chart_type: str
    # How the figures are made: "rate" (numerator ÷ denominator, p/u/Laney charts), "ratio"
    # (a continuous numerator ÷ denominator, XmR), "value" (system-wide value only), "survey"
    # (system-wide waves), "money" (a monthly amount per hospital, charted cumulatively).
    shape: str
    baseline: float
    exposure: float = 0  # system-wide denominator a month
    noise: float = 0  # month-to-month variation beyond sampling, in display units
    preset: str = RulePreset.MDC
    frequency: str = MetricFrequency.MONTHLY
    data_lag_days: int = 0
    baseline_points: int | None = 12
    owner: str = CMIO
    fhir_measure_url: str = ""
    priorities: tuple[str, ...] = ()
    balancing: tuple[str, ...] = ()  # codes of metrics seeded before this one
    links: tuple[Link, ...] = ()
    targets: tuple[tuple[str, datetime.date], ...] = ()  # (value, due date), system-wide
    steps: tuple[Step, ...] = ()
    notes: tuple[Note, ...] = ()
    drift: tuple[int, float] | None = None  # (from month index, change a month)
    spike: tuple[int, float] | None = None  # (month index, system-wide level that month)
    waves: tuple[Wave, ...] = ()
    decimals: int = 4


FY27 = datetime.date(2027, 6, 30)
FY28 = datetime.date(2028, 6, 30)

METRICS: tuple[DemoMetric, ...] = (
    DemoMetric(
        "Q1",
        "30-day all-cause readmission",
        "Unplanned readmissions for any cause within 30 days of discharge ÷ index stays, all "
        "payers. Excludes planned readmissions, transfers out and deaths in hospital.",
        "CMS Hospital-Wide Readmission measure, adapted to all payers",
        "2025",
        V.COMPLEX_CARE,
        Aim.COST,
        "% of index stays",
        100,
        D.LOWER,
        C.P,
        "rate",
        baseline=14.2,
        exposure=5_600,
        data_lag_days=35,
        fhir_measure_url="https://measures.riverside.example/fhir/Measure/readmission-30d",
        priorities=("complex-care",),
        links=(
            Link("Readmission risk score", 40, "30-day all-cause readmissions"),
            Link("Heart failure discharge pathway", 20),
        ),
        targets=(("12", FY28),),
    ),
    DemoMetric(
        "Q2",
        "CLABSI",
        "Central line–associated bloodstream infections ÷ central-line days × 1,000, by the "
        "NHSN surveillance definitions.",
        "CDC NHSN Patient Safety Component, chapter 4",
        "2026",
        V.SAFETY_QUALITY,
        Aim.POPULATION_HEALTH,
        "per 1,000 line-days",
        1000,
        D.LOWER,
        C.U,
        "rate",
        baseline=1.10,
        exposure=4_300,
        priorities=("zero-harm",),
        links=(Link("CLABSI prevention bundle", 70, "CLABSI per 1,000 central-line days"),),
        targets=(("0.55", FY28),),
        notes=(
            Note(
                AnnotationKind.PDSA,
                "Bundle pilot, RMC Medical ICU",
                initiative="CLABSI prevention bundle",
                event="pilot",
            ),
        ),
    ),
    DemoMetric(
        "Q3",
        "CAUTI",
        "Catheter-associated urinary tract infections ÷ urinary catheter days × 1,000, by the "
        "NHSN surveillance definitions.",
        "CDC NHSN Patient Safety Component, chapter 7",
        "2026",
        V.SAFETY_QUALITY,
        Aim.POPULATION_HEALTH,
        "per 1,000 catheter-days",
        1000,
        D.LOWER,
        C.U,
        "rate",
        baseline=1.6,
        exposure=3_900,
        priorities=("zero-harm",),
        links=(Link("CAUTI removal protocol", 80, "CAUTI per 1,000 catheter days"),),
        targets=(("0.8", FY28),),
        steps=(
            Step(1.3, "CAUTI removal protocol", "pilot", hospitals=("rmc",)),
            Step(1.1, "CAUTI removal protocol"),
        ),
        notes=(
            Note(
                AnnotationKind.PDSA,
                "Removal protocol pilot, RMC 4 West",
                initiative="CAUTI removal protocol",
                event="pilot",
            ),
        ),
    ),
    DemoMetric(
        "Q4",
        "Inpatient falls with injury",
        "Falls with injury (minor or worse) of inpatients ÷ patient-days × 1,000.",
        "NDNQI",
        "2024",
        V.SAFETY_QUALITY,
        Aim.POPULATION_HEALTH,
        "per 1,000 patient-days",
        1000,
        D.LOWER,
        C.U,
        "rate",
        baseline=0.45,
        exposure=26_000,
        priorities=("zero-harm",),
        links=(
            Link("Falls order panel", 60, "Inpatient falls with injury per 1,000 patient-days"),
        ),
        targets=(("0.30", FY28),),
    ),
    DemoMetric(
        "Q6",
        "Sepsis bundle (SEP-1) compliance",
        "Severe sepsis and septic shock cases in which every element of the bundle was "
        "completed in time ÷ eligible cases (the abstracted sample).",
        "CMS SEP-1, Hospital Inpatient Quality Reporting",
        "5.16",
        V.SAFETY_QUALITY,
        Aim.POPULATION_HEALTH,
        "% of eligible cases",
        100,
        D.HIGHER,
        C.P,
        "rate",
        baseline=58.0,
        exposure=420,
        fhir_measure_url="https://measures.riverside.example/fhir/Measure/sep-1",
        priorities=("evidence-based-care", "zero-harm"),
        links=(
            Link("Sepsis order set", 60, "SEP-1 bundle compliance"),
            Link("Sepsis early-warning redesign", 25),
        ),
        targets=(("80", FY27),),
        steps=(
            Step(64.0, "Sepsis order set", "pilot", hospitals=("rmc",)),
            Step(76.0, "Sepsis order set"),
        ),
        notes=(
            Note(
                AnnotationKind.PDSA,
                "Order set pilot, RMC Emergency Department",
                initiative="Sepsis order set",
                event="pilot",
            ),
        ),
    ),
    DemoMetric(
        "Q7",
        "Average length of stay",
        "Acute inpatient days ÷ discharges.",
        "Riverside finance data warehouse",
        "2025",
        V.FINANCIAL,
        Aim.COST,
        "days",
        1,
        D.LOWER,
        C.XMR,
        "ratio",
        baseline=4.5,
        exposure=5_800,
        noise=0.05,
        owner=PRIYA,
        priorities=("complex-care", "financial-stewardship"),
        balancing=("Q1",),
        links=(Link("Heart failure discharge pathway", 20),),
        targets=(("4.3", FY28),),
        decimals=4,
    ),
    DemoMetric(
        "Q8",
        "Condition-specific order-set use",
        "Admissions for sepsis, pneumonia, heart failure or stroke whose admission orders "
        "came from the condition's order set ÷ eligible admissions.",
        "Riverside clinical decision support committee",
        "2025",
        V.SAFETY_QUALITY,
        Aim.POPULATION_HEALTH,
        "% of eligible admissions",
        100,
        D.HIGHER,
        C.P,
        "rate",
        baseline=52.0,
        exposure=1_800,
        priorities=("evidence-based-care",),
        links=(
            Link("Sepsis order set", 40),
            Link("Post-operative VTE prophylaxis consolidation", 20),
        ),
        targets=(("80", FY27),),
        steps=(Step(63.0, "Sepsis order set"),),
    ),
    DemoMetric(
        "Q9",
        "Interruptive alert override rate",
        "Interruptive alerts overridden ÷ interruptive alerts fired. Read it with alert "
        "volume and SEP-1 compliance: fewer alerts must not cost safety.",
        "Epic Signal, CDS alert logs",
        "2025.1",
        V.SAFETY_QUALITY,
        Aim.CARE_TEAM_WELLBEING,
        "% of alerts fired",
        100,
        D.LOWER,
        C.LANEY_P,
        "rate",
        baseline=93.0,
        exposure=180_000,
        noise=0.6,
        owner=PRIYA,
        priorities=("joy-in-practice", "zero-harm"),
        balancing=("Q6",),
        links=(Link("Alert rationalisation", 60, "Override rate of interruptive alerts"),),
        targets=(("80", FY28),),
    ),
    DemoMetric(
        "E1",
        "EHR time per 8 hours of scheduled patient time",
        "Physicians' active EHR time ÷ scheduled patient hours × 8.",
        "Epic Signal (Time in System per 8 hours)",
        "2025",
        V.ENGAGEMENT,
        Aim.CARE_TEAM_WELLBEING,
        "hours",
        1,
        D.LOWER,
        C.XMR,
        "ratio",
        baseline=5.9,
        exposure=14_000,
        noise=0.05,
        priorities=("joy-in-practice",),
        links=(
            Link(
                "Clinic optimisation sprints",
                60,
                "EHR time per 8 hours of scheduled patient time",
            ),
            Link("Ambient AI documentation pilot", 20),
        ),
        targets=(("4.9", FY27),),
        steps=(Step(4.6, "Clinic optimisation sprints"),),
        notes=(
            Note(
                AnnotationKind.REBASE,
                "New clinic workflows",
                "The optimisation sprints rebuilt every clinic's templates, order lists and "
                "inbox rules: a new process, so its limits start again from the go-live.",
                initiative="Clinic optimisation sprints",
            ),
        ),
    ),
    DemoMetric(
        "E3",
        "After-hours EHR time (“pajama time”)",
        "Physicians' EHR time outside 07:00–19:00 on weekdays and all weekend time ÷ "
        "scheduled days.",
        "Epic Signal (Pajama Time)",
        "2025",
        V.ENGAGEMENT,
        Aim.CARE_TEAM_WELLBEING,
        "minutes a day",
        1,
        D.LOWER,
        C.XMR,
        "ratio",
        baseline=86.0,
        exposure=21_000,
        noise=1.0,
        priorities=("joy-in-practice",),
        links=(
            Link("Clinic optimisation sprints", 30),
            Link("Inbox burden reduction", 30),
            Link("Ambient AI documentation pilot", 20),
        ),
        targets=(("69", FY27),),
        steps=(Step(75.0, "Clinic optimisation sprints"),),
    ),
    DemoMetric(
        "E4",
        "Inbox items per physician per day",
        "In-basket messages received (results, patient messages, refill requests, FYI) ÷ "
        "physician scheduled days.",
        "Epic Signal (In Basket)",
        "2025",
        V.ENGAGEMENT,
        Aim.CARE_TEAM_WELLBEING,
        "items a day",
        1,
        D.LOWER,
        C.XMR,
        "ratio",
        baseline=52.0,
        exposure=21_000,
        noise=0.7,
        owner=PRIYA,
        priorities=("joy-in-practice",),
        links=(Link("Inbox burden reduction", 70),),
        targets=(("45", FY27),),
        drift=(10, 0.9),
        notes=(
            Note(
                AnnotationKind.NOTE,
                "Portal messaging opened to all patients",
                months_ago=13,
            ),
        ),
    ),
    DemoMetric(
        "E6",
        "Progress-note length",
        "Characters in signed physician progress notes ÷ progress notes.",
        "Epic Signal (Note length)",
        "2025",
        V.ENGAGEMENT,
        Aim.CARE_TEAM_WELLBEING,
        "characters",
        1,
        D.LOWER,
        C.XMR,
        "ratio",
        baseline=5_000,
        exposure=95_000,
        noise=45,
        priorities=("joy-in-practice",),
        links=(Link("Note template simplification", 80),),
        targets=(("3500", FY27),),
        decimals=1,
    ),
    DemoMetric(
        "E8",
        "Net EHR Experience Score",
        "Share of physicians agreeing minus share disagreeing, over the Arch Collaborative's "
        "EHR experience questions: −100 to +100. Surveyed twice a year.",
        "KLAS Arch Collaborative",
        "2024 survey",
        V.ENGAGEMENT,
        Aim.CARE_TEAM_WELLBEING,
        "net score",
        100,
        D.HIGHER,
        C.SURVEY,
        "survey",
        baseline=18.6,
        frequency=MetricFrequency.WAVE,
        baseline_points=None,
        priorities=("joy-in-practice",),
        links=(
            Link("Clinic optimisation sprints", 40),
            Link("Note template simplification", 20),
            Link("Ambient AI documentation pilot", 20),
        ),
        targets=(("30", FY27),),
        waves=(
            Wave(22, 18.6, 640),
            Wave(16, 21.2, 700),
            Wave(10, 25.9, 720),
            Wave(4, 29.4, 760),
        ),
        decimals=1,
    ),
    DemoMetric(
        "E9",
        "Burnout (Mini-Z single item ≥ 3)",
        "Physicians answering 3 or more on the Mini-Z burnout item ÷ respondents. Surveyed "
        "twice a year with the EHR experience survey.",
        "Mini-Z 2.0",
        "2.0",
        V.ENGAGEMENT,
        Aim.CARE_TEAM_WELLBEING,
        "% of respondents",
        100,
        D.LOWER,
        C.SURVEY,
        "survey",
        baseline=47.0,
        frequency=MetricFrequency.WAVE,
        baseline_points=None,
        priorities=("joy-in-practice",),
        balancing=("E4",),
        links=(
            Link("Ambient AI documentation pilot", 30),
            Link("Clinic optimisation sprints", 30),
            Link("Inbox burden reduction", 20),
        ),
        targets=(("35", FY27),),
        waves=(
            Wave(22, 47.0, 640, 301),
            Wave(16, 45.3, 700, 317),
            Wave(10, 42.1, 720, 303),
            Wave(4, 38.6, 760, 293),
        ),
    ),
    DemoMetric(
        "G1",
        "Days from request to decision",
        "Median days from a request's submission to its governance decision, by the month "
        "of the decision.",
        "Informatics Portal",
        "1",
        V.ENGAGEMENT,
        Aim.CARE_TEAM_WELLBEING,
        "days (median)",
        1,
        D.LOWER,
        C.RUN,
        "value",
        baseline=41.0,
        noise=3.0,
        preset=RulePreset.IHI,
        targets=(("30", FY27),),
        spike=(15, 118.0),
        notes=(
            Note(
                AnnotationKind.NOTE,
                "Councils paused for the EHR upgrade",
                months_ago=8,
            ),
        ),
        decimals=1,
    ),
    DemoMetric(
        "F1",
        "Cost avoidance",
        "Events avoided × unit cost: sepsis bed-days, CAUTIs and adverse drug events avoided, "
        "each at the unit cost finance signed off.",
        "Riverside finance, unit costs FY2026 (verify)",
        "FY2026",
        V.FINANCIAL,
        Aim.COST,
        "USD",
        1,
        D.HIGHER,
        C.CUMULATIVE,
        "money",
        baseline=0,
        priorities=("financial-stewardship",),
        links=(
            Link("Sepsis order set", 40, "Sepsis length of stay avoided"),
            Link("Barcode medication administration compliance", 30),
            Link("CAUTI removal protocol", 30),
        ),
        targets=(("1000000", FY27),),
        decimals=0,
    ),
    DemoMetric(
        "C1",
        "Care-gap closure: diabetes with HbA1c above 9%",
        "Registry patients with diabetes whose latest HbA1c is above 9% (or missing) ÷ "
        "registry patients with diabetes. Which way is better depends on how the registry "
        "finds patients: read it with the registry's size.",
        "NCQA HEDIS Hemoglobin A1c Control for Patients with Diabetes (adapted)",
        "MY2025",
        V.COMPLEX_CARE,
        Aim.EQUITY,
        "% of registry patients",
        100,
        D.NONE,
        C.P,
        "rate",
        baseline=21.0,
        exposure=21_000,
        owner=PRIYA,
        priorities=("complex-care", "health-equity"),
        links=(Link("Diabetes registry", 50, "Patients with diabetes whose HbA1c is above 9%"),),
        targets=(("15", FY28),),
        steps=(Step(23.4, months_ago=3),),
        notes=(
            Note(
                AnnotationKind.NOTE,
                "Registry widened to problem-list diagnoses",
                months_ago=3,
            ),
        ),
    ),
)


# --- Dates ----------------------------------------------------------------------------------


def month_start(day: datetime.date, months: int = 0) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def demo_months(today: datetime.date) -> list[datetime.date]:
    """The first days of the 24 months ending with the last complete month before `today`."""
    return [month_start(today, offset) for offset in range(-MONTHS, 0)]


@dataclass
class Timeline:
    """When each demo event happened: go-lives from the initiatives, pilots from their stage
    timeline, months counted back from the last."""

    months: list[datetime.date]
    initiatives: dict[str, Initiative]
    pilots: dict[int, datetime.date] = field(default_factory=dict)

    def date_of(
        self, *, initiative: str, event: str, months_ago: int | None
    ) -> datetime.date | None:
        if not initiative:
            assert months_ago is not None
            return self.months[len(self.months) - 1 - months_ago]
        found = self.initiatives.get(initiative)
        if found is None:
            return None
        if event == "pilot":
            return self.pilots.get(found.pk)
        return found.go_live_date

    def fraction_after(self, index: int, day: datetime.date) -> float:
        """How much of month `index` lies on or after `day` (0 before, 1 after)."""
        start = self.months[index]
        end = month_end(start)
        if day <= start:
            return 1.0
        if day > end:
            return 0.0
        return ((end - day).days + 1) / ((end - start).days + 1)


def _timeline(today: datetime.date) -> Timeline:
    titles = {link.initiative for m in METRICS for link in m.links}
    titles |= {s.initiative for m in METRICS for s in m.steps if s.initiative}
    titles |= set(MONTHLY_AVOIDED_COST)
    initiatives = {i.title: i for i in Initiative.objects.filter(title__in=titles)}
    pilots: dict[int, datetime.date] = {}
    for initiative_id, at in (
        StageChange.objects.filter(initiative__in=initiatives.values(), to_stage=Stage.PILOT)
        .order_by("at")
        .values_list("initiative_id", "at")
    ):
        pilots.setdefault(initiative_id, at.date())
    return Timeline(demo_months(today), initiatives, pilots)


# --- Figures --------------------------------------------------------------------------------


def _levels(metric: DemoMetric, timeline: Timeline, hospital: str | None) -> list[float]:
    """The underlying level of each month at one hospital, or (None) system-wide, before
    sampling noise."""
    share_factor = HOSPITALS[hospital][1] if hospital else 1.0
    levels = []
    for index in range(len(timeline.months)):
        level = metric.baseline
        for step in metric.steps:
            if step.hospitals and (hospital is None or hospital not in step.hospitals):
                continue
            day = timeline.date_of(
                initiative=step.initiative, event=step.event, months_ago=step.months_ago
            )
            if day is not None:
                level += (step.level - level) * timeline.fraction_after(index, day)
        if metric.drift is not None and index >= metric.drift[0]:
            level += metric.drift[1] * (index - metric.drift[0] + 1)
        if metric.spike is not None and index == metric.spike[0]:
            level = metric.spike[1]
        levels.append(level * share_factor)
    return levels


def _poisson(rng: random.Random, mean: float) -> int:
    if mean > 40:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    threshold, k, product = math.exp(-mean), 0, rng.random()
    while product > threshold:
        k += 1
        product *= rng.random()
    return k


def _decimal(value: float, places: int) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places))


@dataclass(frozen=True)
class Row:
    facility: str
    period_start: datetime.date
    value: Decimal
    numerator: Decimal | None = None
    denominator: Decimal | None = None


def demo_rows(metric: DemoMetric, timeline: Timeline) -> Iterator[Row]:
    """Every measurement of one demo metric (deterministic: the generator is seeded by the
    metric's code)."""
    rng = random.Random(f"riverside-{metric.code}")  # noqa: S311 — demo figures, not secrets
    months = timeline.months
    if metric.shape == "survey":
        for wave in metric.waves:
            start = months[len(months) - 1 - wave.months_ago]
            if wave.positive is not None:
                figure = _decimal(wave.positive / wave.respondents * metric.multiplier, 4)
                yield Row(SYSTEM, start, figure, Decimal(wave.positive), Decimal(wave.respondents))
            else:
                yield Row(SYSTEM, start, _decimal(wave.value, 1), None, Decimal(wave.respondents))
        return
    if metric.shape == "value":
        for start, level in zip(months, _levels(metric, timeline, None), strict=True):
            yield Row(SYSTEM, start, _decimal(level + rng.gauss(0, metric.noise), metric.decimals))
        return
    for hospital, (share, _factor) in HOSPITALS.items():
        levels = _levels(metric, timeline, hospital)
        for index, (start, level) in enumerate(zip(months, levels, strict=True)):
            if metric.shape == "money":
                amount = 0.0
                for title, monthly in MONTHLY_AVOIDED_COST.items():
                    day = timeline.date_of(initiative=title, event="go_live", months_ago=None)
                    if day is not None:
                        amount += monthly * share * timeline.fraction_after(index, day)
                amount *= 1 + rng.gauss(0, 0.08) if amount else 1
                yield Row(hospital, start, _decimal(max(amount, 0.0), 0))
                continue
            denominator = max(1, round(metric.exposure * share * (1 + rng.gauss(0, 0.03))))
            if metric.shape == "rate":
                rate = max(0.0, level + rng.gauss(0, metric.noise)) / metric.multiplier
                mean = denominator * rate
                if metric.chart_type in (C.P, C.LANEY_P):
                    spread = math.sqrt(max(mean * (1 - rate), 0.0))
                    numerator = min(denominator, max(0, round(rng.gauss(mean, spread))))
                else:
                    numerator = _poisson(rng, mean)
            else:  # ratio: a continuous mean, e.g. patient-days ÷ discharges
                per_unit = level + rng.gauss(0, metric.noise * 1.6)
                numerator = round(per_unit * denominator)
            yield Row(
                hospital,
                start,
                _decimal(numerator / denominator * metric.multiplier, metric.decimals),
                Decimal(numerator),
                Decimal(denominator),
            )


# --- Seeding --------------------------------------------------------------------------------


def _seed_metric(
    demo: DemoMetric,
    *,
    actor: User,
    people: dict[str, User],
    priorities: dict[str, StrategicPriority],
) -> tuple[Metric, bool]:
    existing = Metric.objects.filter(code=demo.code).first()
    if existing is not None:
        return existing, False
    metric = services.metric_create(
        actor=actor,
        code=demo.code,
        name=demo.name,
        definition=demo.definition,
        definition_source=demo.source,
        definition_version=demo.version,
        fhir_measure_url=demo.fhir_measure_url,
        value_category=demo.value_category,
        aim=demo.aim,
        unit=demo.unit,
        multiplier=Decimal(demo.multiplier),
        direction=demo.direction,
        frequency=demo.frequency,
        chart_type=demo.chart_type,
        rule_preset=demo.preset,
        baseline_points=demo.baseline_points,
        data_lag_days=demo.data_lag_days,
        owner=people.get(demo.owner),
        priorities=[priorities[code] for code in demo.priorities if code in priorities],
        balancing_metrics=list(Metric.objects.filter(code__in=demo.balancing)),
    )
    return metric, True


def _seed_catalogue_rows(demo: DemoMetric, metric: Metric, actor: User, timeline: Timeline) -> int:
    """Targets, links and annotations the metric lacks; returns how many were added."""
    added = 0
    for value, due in demo.targets:
        if not Target.objects.filter(metric=metric, facility=None, due_date=due).exists():
            services.target_set(
                actor=actor,
                metric=metric,
                value=Decimal(value),
                due_date=due,
                note="Riverside FY plan",
            )
            added += 1
    for link in demo.links:
        initiative = timeline.initiatives.get(link.initiative)
        if initiative is None:
            continue
        if MetricInitiative.objects.filter(metric=metric, initiative=initiative).exists():
            continue
        benefit = (
            BenefitLine.objects.filter(initiative=initiative, description=link.benefit).first()
            if link.benefit
            else None
        )
        services.metric_link_initiative(
            actor=actor,
            metric=metric,
            initiative=initiative,
            share=Decimal(link.share),
            benefit_line=benefit,
        )
        added += 1
    for note in demo.notes:
        day = timeline.date_of(
            initiative=note.initiative, event=note.event, months_ago=note.months_ago
        )
        if day is None:
            continue
        if Annotation.objects.filter(metric=metric, kind=note.kind, label=note.label).exists():
            continue
        services.annotation_add(
            actor=actor,
            metric=metric,
            kind=note.kind,
            date=day,
            label=note.label,
            reason=note.reason,
        )
        added += 1
    return added


def _seed_measurements(demo: DemoMetric, metric: Metric, timeline: Timeline) -> int:
    """The measurements the metric lacks (existing ones, perhaps corrected in the demo, are
    left alone); returns how many were written."""
    facilities = {f.code: f for f in Facility.objects.filter(code__in=[SYSTEM, *HOSPITALS])}
    have = set(
        Measurement.objects.filter(metric=metric).values_list("facility__code", "period_start")
    )
    rows: list[Measurement] = []
    for row in demo_rows(demo, timeline):
        if (row.facility, row.period_start) in have or row.facility not in facilities:
            continue
        rows.append(
            Measurement(
                metric=metric,
                facility=facilities[row.facility],
                period_start=row.period_start,
                period_end=month_end(row.period_start),
                value=row.value,
                numerator=row.numerator,
                denominator=row.denominator,
                source_system=SOURCE_SYSTEM,
                definition_version=metric.definition_version,
            )
        )
    Measurement.objects.bulk_create(rows, batch_size=500)
    return len(rows)


# How the demo values two metrics in the monthly report (DOMAIN.md §2: the unit costs are
# published estimates to verify, shown with their sources).
VALUE_BASES: dict[str, dict[str, Any]] = {
    # CAUTI's agreed baseline is its rate before the removal protocol (the series' first
    # twelve months sit around it; it falls after the pilot and the go-live), so the months
    # since are valued against where Riverside started.
    "Q3": {
        "kind": ValueKind.COST_AVOIDANCE,
        "baseline": "1.60",
        "baseline_source": "Riverside NHSN surveillance, FY2025, all units (before the protocol)",
        "unit_cost": "13793",
        "unit_cost_source": "AHRQ 2017 estimate, $13,793 per CAUTI (verify locally)",
        "exposure_label": "catheter-days",
    },
    "E3": {
        "kind": ValueKind.TIME_VALUE,
        "baseline": "86",
        "baseline_source": "Epic Signal, FY2025 (86 min/day in primary care, Arndt 2017)",
        "unit_cost": "3",
        "unit_cost_source": "Loaded physician cost a minute, Riverside Finance 2026 (verify)",
        "exposure_label": "clinician-days",
    },
}


def _seed_value_bases(actor: User) -> int:
    """The value bases the demo metrics lack; returns how many were set."""
    added = 0
    for metric in Metric.objects.filter(code__in=VALUE_BASES, value_basis__isnull=True):
        services.value_basis_set(actor=actor, metric=metric, **VALUE_BASES[metric.code])
        added += 1
    return added


@transaction.atomic
def seed(*, stdout: Writer) -> None:
    """Seed the catalogue, its links, targets and annotations, the measurements, and the
    roll-ups."""
    today = site_today()
    people = {user.email: user for user in User.objects.filter(email__in=[CMIO, PRIYA])}
    actor = people[CMIO]
    priorities = {p.code: p for p in StrategicPriority.objects.filter(is_active=True)}
    timeline = _timeline(today)
    new_metrics = new_rows = new_measurements = 0
    for demo in METRICS:
        metric, created = _seed_metric(demo, actor=actor, people=people, priorities=priorities)
        new_metrics += created
        new_rows += _seed_catalogue_rows(demo, metric, actor, timeline)
        new_measurements += _seed_measurements(demo, metric, timeline)
    new_bases = _seed_value_bases(actor)
    result = services.rollup_refresh(today=today)
    first, last = timeline.months[0], timeline.months[-1]
    stdout.write(
        f"Metrics: {len(METRICS)} in the catalogue ({new_metrics} new), {new_rows} new "
        f"targets, links and annotations, {new_measurements:,} new measurements "
        f"({first:%b %Y} to {last:%b %Y}); roll-ups: {result.series_written} series "
        f"written, {result.series_unchanged} unchanged.\n"
        f"Value bases: {len(VALUE_BASES)} metrics valued in the monthly report ({new_bases} new).\n"
    )
