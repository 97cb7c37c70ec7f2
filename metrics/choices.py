"""Choices (TextChoices) of this app. Direction, ChartType, RulePreset, Variation and Assurance
are the SPC engine's enums (`metrics.spc`, which stays free of Django) with labels: their values
are the engine's members, so a stored choice is passed to the engine as it is, and
tests/metrics/test_choices.py fails when a member is added to one and not the other."""

from django.db import models

from metrics import spc


class Aim(models.TextChoices):
    """The Quintuple Aim (DOMAIN.md §1)."""

    EXPERIENCE = "experience", "Patient experience"
    POPULATION_HEALTH = "population_health", "Population health"
    COST = "cost", "Cost"
    CARE_TEAM_WELLBEING = "care_team_wellbeing", "Care team well-being"
    EQUITY = "equity", "Equity"


class Direction(models.TextChoices):
    """Which way is better for a metric."""

    HIGHER = spc.Direction.HIGHER, "Higher is better"
    LOWER = spc.Direction.LOWER, "Lower is better"
    NONE = spc.Direction.NONE, "No better direction"


class MetricFrequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    WAVE = "wave", "Survey wave"


class ChartType(models.TextChoices):
    RUN = spc.ChartType.RUN, "Run chart"
    XMR = spc.ChartType.XMR, "XmR"
    P = spc.ChartType.P, "p chart"
    U = spc.ChartType.U, "u chart"
    C = spc.ChartType.C, "c chart"
    LANEY_P = spc.ChartType.LANEY_P, "Laney p′"
    LANEY_U = spc.ChartType.LANEY_U, "Laney u′"
    SURVEY = spc.ChartType.SURVEY, "Survey waves"
    CUMULATIVE = spc.ChartType.CUMULATIVE, "Cumulative"


class RulePreset(models.TextChoices):
    IHI = spc.RulePreset.IHI, "IHI run chart rules"
    ANHOJ = spc.RulePreset.ANHOJ, "Anhøj rules"
    WESTERN_ELECTRIC = spc.RulePreset.WESTERN_ELECTRIC, "Western Electric rules"
    MDC = spc.RulePreset.MDC, "NHS Making Data Count"


class AnnotationKind(models.TextChoices):
    """Kinds stored on a metric's timeline. Go-lives are not stored: they are read from the
    linked initiatives' go-live dates."""

    PDSA = "pdsa", "PDSA test"
    REBASE = "rebase", "Rebase"
    NOTE = "note", "Note"


class Variation(models.TextChoices):
    """Making Data Count variation icon of the latest complete point."""

    COMMON_CAUSE = spc.Variation.COMMON_CAUSE, "Common cause"
    IMPROVEMENT = spc.Variation.IMPROVEMENT, "Special cause: improvement"
    CONCERN = spc.Variation.CONCERN, "Special cause: concern"
    NEUTRAL = spc.Variation.NEUTRAL, "Special cause: neither better nor worse"


class Assurance(models.TextChoices):
    """Making Data Count assurance icon: can the process meet its target?"""

    PASS = spc.Assurance.PASS, "Will consistently pass"
    FAIL = spc.Assurance.FAIL, "Will consistently fail"
    HIT_AND_MISS = spc.Assurance.HIT_AND_MISS, "Hit and miss"


class ImportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"
    FHIR = "fhir", "FHIR MeasureReport (JSON)"


class ImportStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    RUNNING = "running", "Importing"
    DONE = "done", "Imported"
    REJECTED = "rejected", "Rejected"
    FAILED = "failed", "Failed"


class ValueKind(models.TextChoices):
    """How a metric's change turns into money (DOMAIN.md §2): events avoided × the cost of one
    event, or minutes reclaimed × the loaded cost of a minute."""

    COST_AVOIDANCE = "cost_avoidance", "Cost avoidance (events × unit cost)"
    TIME_VALUE = "time_value", "Time value (minutes × cost per minute)"
