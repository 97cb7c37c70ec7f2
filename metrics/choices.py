"""Choices (TextChoices) of this app. The SPC engine's own enums live in `metrics.spc`; the
values here are the same strings, so a stored choice is passed to the engine as it is."""

from django.db import models


class Aim(models.TextChoices):
    """The Quintuple Aim (DOMAIN.md §1)."""

    EXPERIENCE = "experience", "Patient experience"
    POPULATION_HEALTH = "population_health", "Population health"
    COST = "cost", "Cost"
    CARE_TEAM_WELLBEING = "care_team_wellbeing", "Care team well-being"
    EQUITY = "equity", "Equity"


class Direction(models.TextChoices):
    """Which way is better for a metric."""

    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"
    NONE = "none", "No better direction"


class MetricFrequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    WAVE = "wave", "Survey wave"


class ChartType(models.TextChoices):
    RUN = "run", "Run chart"
    XMR = "xmr", "XmR"
    P = "p", "p chart"
    U = "u", "u chart"
    C = "c", "c chart"
    LANEY_P = "laney_p", "Laney p′"
    LANEY_U = "laney_u", "Laney u′"
    SURVEY = "survey", "Survey waves"
    CUMULATIVE = "cumulative", "Cumulative"


class RulePreset(models.TextChoices):
    IHI = "ihi", "IHI run chart rules"
    ANHOJ = "anhoj", "Anhøj rules"
    WESTERN_ELECTRIC = "western_electric", "Western Electric rules"
    MDC = "mdc", "NHS Making Data Count"


class AnnotationKind(models.TextChoices):
    """Kinds stored on a metric's timeline. Go-lives are not stored: they are read from the
    linked initiatives' go-live dates."""

    PDSA = "pdsa", "PDSA test"
    REBASE = "rebase", "Rebase"
    NOTE = "note", "Note"


class Variation(models.TextChoices):
    """Making Data Count variation icon of the latest complete point."""

    COMMON_CAUSE = "common_cause", "Common cause"
    IMPROVEMENT = "improvement", "Special cause: improvement"
    CONCERN = "concern", "Special cause: concern"
    NEUTRAL = "neutral", "Special cause: neither better nor worse"


class Assurance(models.TextChoices):
    """Making Data Count assurance icon: can the process meet its target?"""

    PASS = "pass", "Will consistently pass"
    FAIL = "fail", "Will consistently fail"
    HIT_AND_MISS = "hit_and_miss", "Hit and miss"


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
