"""Choices of intake: request kinds and routes, statuses and their moves, thread and scoring."""

from django.db import models

from informatics.choices import Route


class RequestKind(models.TextChoices):
    """What a request is (DOMAIN.md §5); each has a default route."""

    PAIN_POINT = "pain_point", "Workflow pain point"
    ENHANCEMENT = "enhancement", "Enhancement"
    BREAK_FIX = "break_fix", "Something is broken"
    SAFETY = "safety", "Patient-safety issue"
    REGULATORY = "regulatory", "Regulatory or compliance"
    VENDOR_MANDATED = "vendor_mandated", "Vendor-mandated change"
    TRAINING_GAP = "training_gap", "Training gap (it may already exist)"
    MINOR_CONFIG = "minor_config", "Minor configuration"
    NEW_CDS = "new_cds", "New alert or decision support"
    NEW_CAPABILITY = "new_capability", "New capability"
    AI = "ai", "AI or automation"
    DATA_REPORT = "data_report", "Data or report"


DEFAULT_ROUTE: dict[str, str] = {
    RequestKind.PAIN_POINT: Route.INFORMATICS_TEAM,
    RequestKind.ENHANCEMENT: Route.WORKGROUP,
    RequestKind.BREAK_FIX: Route.SERVICE_DESK,
    RequestKind.SAFETY: Route.FAST_TRACK,
    RequestKind.REGULATORY: Route.MANDATORY,
    RequestKind.VENDOR_MANDATED: Route.RELEASE_BOARD,
    RequestKind.TRAINING_GAP: Route.TRAINING,
    RequestKind.MINOR_CONFIG: Route.INFORMATICS_TEAM,
    RequestKind.NEW_CDS: Route.CDS_COMMITTEE,
    RequestKind.NEW_CAPABILITY: Route.STEERING,
    RequestKind.AI: Route.AI_GOVERNANCE,
    RequestKind.DATA_REPORT: Route.ANALYTICS,
}


class Frequency(models.TextChoices):
    SEVERAL_DAILY = "several_daily", "Several times a day"
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    RARELY = "rarely", "Rarely"


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    TRIAGE = "triage", "In triage"
    NEEDS_INFO = "needs_info", "Needs info"
    SCORED = "scored", "Scored"
    IN_REVIEW = "in_review", "In review"
    DECIDED = "decided", "Decided"
    SCHEDULED = "scheduled", "Scheduled"
    IN_BUILD = "in_build", "In build"
    RELEASED = "released", "Released"
    BENEFIT_CHECK = "benefit_check", "Benefit check"
    CLOSED = "closed", "Closed"
    DECLINED = "declined", "Declined"
    REDIRECTED = "redirected", "Redirected"
    MERGED = "merged", "Merged"
    WITHDRAWN = "withdrawn", "Withdrawn"


S = RequestStatus
# Terminal states: a request there is no longer open (never suggested as a duplicate).
CLOSED_STATUSES: frozenset[str] = frozenset(
    {S.CLOSED, S.DECLINED, S.REDIRECTED, S.MERGED, S.WITHDRAWN}
)
_ENDINGS = (S.DECLINED, S.REDIRECTED, S.WITHDRAWN)
# Waiting for triage: the triage queue.
TRIAGE_STATUSES: tuple[str, ...] = (S.SUBMITTED, S.TRIAGE, S.NEEDS_INFO)
# The SLA clock runs from routing until a decision: these requests can be overdue.
SLA_STATUSES: tuple[str, ...] = (*TRIAGE_STATUSES, S.SCORED, S.IN_REVIEW)

# The one transition table. `request_transition` enforces it for people, governance and the
# initiative a request is linked to (in build, released, declined, scheduled).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.SUBMITTED: (S.TRIAGE, S.NEEDS_INFO, *_ENDINGS, S.MERGED),
    S.TRIAGE: (S.NEEDS_INFO, S.SCORED, *_ENDINGS, S.MERGED),
    S.NEEDS_INFO: (S.TRIAGE, *_ENDINGS, S.MERGED),
    S.SCORED: (S.TRIAGE, S.IN_REVIEW, S.SCHEDULED, S.IN_BUILD, *_ENDINGS, S.MERGED),
    S.IN_REVIEW: (S.DECIDED, S.SCORED, S.SCHEDULED, S.IN_BUILD, *_ENDINGS, S.MERGED),
    S.DECIDED: (S.SCHEDULED, S.IN_BUILD, *_ENDINGS),
    S.SCHEDULED: (S.IN_BUILD, S.DECLINED, S.WITHDRAWN),
    S.IN_BUILD: (S.RELEASED, S.SCHEDULED, S.DECLINED),
    S.RELEASED: (S.BENEFIT_CHECK, S.CLOSED),
    S.BENEFIT_CHECK: (S.CLOSED,),
    S.CLOSED: (),
    S.DECLINED: (S.SCHEDULED,),  # a stopped initiative may be deferred again later
    S.REDIRECTED: (),
    S.MERGED: (),
    S.WITHDRAWN: (),
}


class CommentKind(models.TextChoices):
    COMMENT = "comment", "Comment"
    QUESTION = "question", "Question to the submitter"
    ANSWER = "answer", "Answer"


class DeclineReason(models.TextChoices):
    CONFLICTS_WITH_STANDARD = "conflicts_with_standard", "Conflicts with standard"
    LOW_VALUE = "low_value", "Low value"
    DUPLICATE = "duplicate", "Duplicate"
    NOT_FEASIBLE = "not_feasible", "Not feasible"
    VENDOR_LIMITATION = "vendor_limitation", "Vendor limitation"
    POLICY_CHANGE_NEEDED = "policy_change_needed", "Policy change needed"


class ScoreReason(models.TextChoices):
    TRIAGE = "triage", "Triage inputs"
    VOTE = "vote", "A +1"
    MERGE = "merge", "A duplicate merged in"


class RatingCriterion(models.TextChoices):
    """The codes of the rubric's criteria, with the default rubric's labels: a new rubric
    version may relabel or reweigh them, never rename them. History reads a request's ratings
    with these labels."""

    SAFETY_QUALITY = "safety_quality", "Patient safety and quality"
    STRATEGIC_ALIGNMENT = "strategic_alignment", "Strategic alignment"
    TIME_SAVED = "time_saved", "Clinician time saved"
    REACH = "reach", "Reach"
    FINANCIAL = "financial", "Financial"
    EQUITY = "equity", "Equity"
    EVIDENCE = "evidence", "Evidence"
    READINESS = "readiness", "Readiness"


class EffortBand(models.TextChoices):
    XS = "XS", "XS (under 8 h)"
    S = "S", "S (8 to 40 h)"
    M = "M", "M (40 to 160 h)"
    L = "L", "L (160 to 500 h)"
    XL = "XL", "XL (500 h or more)"
