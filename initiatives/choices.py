"""Choices of the portfolio: initiative types, stages and their moves, alignment, health."""

from django.db import models

from intake.choices import RequestStatus

S = RequestStatus


class InitiativeType(models.TextChoices):
    EHR_OPTIMISATION = "ehr_optimisation", "EHR optimisation"
    CDS = "cds", "Clinical decision support"
    ORDER_SET = "order_set", "Order set"
    DOCUMENTATION = "documentation", "Documentation"
    INBOX = "inbox", "Inbox"
    AI_AUTOMATION = "ai_automation", "AI / automation"
    ANALYTICS = "analytics", "Analytics"
    TRAINING = "training", "Training / optimisation"
    INTEROPERABILITY = "interoperability", "Interoperability"
    INFRASTRUCTURE = "infrastructure", "Infrastructure"
    GOVERNANCE = "governance", "Governance"


class Stage(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    IN_BUILD = "in_build", "In build"
    PILOT = "pilot", "Pilot"
    LIVE = "live", "Live"
    SUSTAINING = "sustaining", "Sustaining"
    CLOSED = "closed", "Closed"
    ON_HOLD = "on_hold", "On hold"
    DEFERRED = "deferred", "Deferred"
    STOPPED = "stopped", "Stopped"


G = Stage
# The one stage table; `initiative_advance` enforces it. Approve, defer and stop are gates.
STAGE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    G.PROPOSED: (G.APPROVED, G.DEFERRED, G.STOPPED),
    G.APPROVED: (G.IN_BUILD, G.ON_HOLD, G.DEFERRED, G.STOPPED),
    G.IN_BUILD: (G.PILOT, G.LIVE, G.ON_HOLD, G.STOPPED),
    G.PILOT: (G.LIVE, G.IN_BUILD, G.ON_HOLD, G.STOPPED),
    G.LIVE: (G.SUSTAINING, G.STOPPED),
    G.SUSTAINING: (G.CLOSED,),
    G.CLOSED: (),
    G.ON_HOLD: (G.APPROVED, G.IN_BUILD, G.PILOT, G.DEFERRED, G.STOPPED),
    G.DEFERRED: (G.PROPOSED, G.STOPPED),
    G.STOPPED: (),
}
GATE_STAGES: frozenset[str] = frozenset({G.APPROVED, G.DEFERRED, G.STOPPED})
REASON_REQUIRED: frozenset[str] = frozenset({G.DEFERRED, G.STOPPED, G.ON_HOLD})
OPEN_STAGES: frozenset[str] = frozenset(
    {G.PROPOSED, G.APPROVED, G.IN_BUILD, G.PILOT, G.LIVE, G.ON_HOLD}
)

# A linked request follows its initiative (DESIGN.md).
REQUEST_FOLLOWS: dict[str, str] = {
    G.IN_BUILD: S.IN_BUILD,
    G.PILOT: S.RELEASED,
    G.LIVE: S.RELEASED,
    G.STOPPED: S.DECLINED,
    G.DEFERRED: S.SCHEDULED,
}


class Alignment(models.TextChoices):
    STRONG = "strong", "Strong"
    MODERATE = "moderate", "Moderate"
    WEAK = "weak", "Weak"


class Health(models.TextChoices):
    """Health of one dimension in a status update, best first (the worst one wins)."""

    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"


HEALTH_ORDER: tuple[str, ...] = tuple(Health.values)
HEALTH_DIMENSIONS: tuple[str, ...] = ("schedule", "scope", "budget", "adoption")


class FinancialKind(models.TextChoices):
    """What a financial entry of an initiative records (DOMAIN.md §2: hard savings are the only
    "financial return" finance accepts; costs are what the initiative spent)."""

    HARD_SAVINGS = "hard_savings", "Hard savings"
    COST = "cost", "Cost"
