"""Choices of governance: kinds of body, review and decision outcomes, action item states,
maturity dimensions and levels."""

from django.db import models


class BodyKind(models.TextChoices):
    """The governance bodies of DOMAIN.md §5."""

    STEERING = "steering", "Executive steering"
    COUNCIL = "council", "Physician advisory council"
    WORKGROUP = "workgroup", "Specialty workgroup"
    CDS = "cds", "CDS committee"
    AI = "ai", "AI governance committee"
    RELEASE = "release", "Release board"
    TEAM = "team", "Informatics team"


class ReviewStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class AgendaKind(models.TextChoices):
    """Why an item is on an agenda: one kind per portfolio signal, or added by the chair."""

    REQUEST = "request", "Request awaiting decision"
    GATE = "gate", "Initiative at a gate"
    HEALTH = "health", "Initiative off track or stale"
    METRIC = "metric", "Metric signal"
    ACTION = "action", "Overdue action item"
    OTHER = "other", "Added by the chair"


class Outcome(models.TextChoices):
    """Decision outcomes (DOMAIN.md §5)."""

    APPROVE = "approve", "Approve"
    APPROVE_WITH_CHANGES = "approve_with_changes", "Approve with changes"
    DEFER = "defer", "Defer"
    DECLINE = "decline", "Decline"
    REDIRECT = "redirect", "Redirect"
    MERGE = "merge", "Merge"
    ESCALATE = "escalate", "Escalate"
    STOP = "stop", "Stop"


# Outcomes that take a decision's subject out of the queue of things awaiting a decision.
FINAL_OUTCOMES = frozenset(
    {
        Outcome.APPROVE,
        Outcome.APPROVE_WITH_CHANGES,
        Outcome.DECLINE,
        Outcome.REDIRECT,
        Outcome.MERGE,
        Outcome.STOP,
    }
)


class RedirectTo(models.TextChoices):
    """Where a redirected request goes instead (DOMAIN.md §5)."""

    TRAINING = "training", "Training"
    OPERATIONS = "operations", "Operations"
    VENDOR = "vendor", "Vendor"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class MaturityDimension(models.TextChoices):
    """The nine dimensions of the program's maturity (DOMAIN.md §4), in the order the page and
    the radar show them."""

    STRATEGIC_ALIGNMENT = "strategic_alignment", "Strategic alignment"
    GOVERNANCE = "governance", "Governance and decision rights"
    INTAKE = "intake", "Intake and prioritisation"
    PHYSICIAN_ENGAGEMENT = "physician_engagement", "Physician engagement"
    MEASUREMENT = "measurement", "Measurement and value realisation"
    DATA_ANALYTICS = "data_analytics", "Data and analytics"
    CDS_AI = "cds_ai", "CDS and AI governance"
    TRAINING = "training", "Training and personalisation"
    CLINICIAN_BURDEN = "clinician_burden", "Clinician burden"


class MaturityLevel(models.IntegerChoices):
    """A maturity score's level: the whole part of the score (2.5 is still Developing)."""

    FOUNDATIONAL = 1, "Foundational"
    DEVELOPING = 2, "Developing"
    ADVANCED = 3, "Advanced"
    TRANSFORMATIVE = 4, "Transformative"


class MaturityKind(models.TextChoices):
    """An assessment of where the program stands, or the target it aims for by a due date."""

    ASSESSMENT = "assessment", "Assessment"
    TARGET = "target", "12-month target"
