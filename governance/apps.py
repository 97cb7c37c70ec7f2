"""Governance: bodies and the intake routes they own, reviews with agendas built from the
portfolio, decisions with the evidence they saw, action items, the maturity self-assessment.
Above intake, initiatives and metrics: a decision applies its effect through their services."""

from django.apps import AppConfig

from informatics.navigation import NavEntry
from informatics.panels import Panel
from informatics.permissions import Action


class GovernanceConfig(AppConfig):
    name = "governance"
    navigation = (
        NavEntry(
            "Decisions",
            "governance:decision-list",
            order=30,
            also_current=("/governance/decisions/",),
        ),
        NavEntry("Reviews", "governance:review-list", order=40),
        NavEntry("Maturity", "governance:maturity-overview", Action.MATURITY_READ, order=41),
        NavEntry("Routes", "governance:route-owners", Action.ADMINISTER, order=91),
    )
    # The labels of the keys of the maturity assessment's history (informatics.templatetags).
    audit_keys = {
        "governance.maturityassessment.scores": "governance.choices.MaturityDimension",
        "governance.maturityassessment.next_actions": "governance.choices.MaturityDimension",
    }
    # Free text people type: read by the PHI guard in the service that saves it and redactable
    # by an admin (informatics.services.records.guarded_fields): one list for both.
    # After a redaction, the stored minutes PDF of a held review that showed the text is
    # rendered again.
    redaction_followups = ("governance.services.minutes.minutes_redacted",)
    redactable = {
        "governance.governancebody": ("charter",),
        "governance.review": ("minutes",),
        "governance.agendaitem": ("title", "note"),
        "governance.decision": ("rationale", "waiver"),
        "governance.actionitem": ("title",),
        "governance.maturityassessment": ("note",),
        "governance.maturityscore": ("next_actions",),
        "governance.requestbody": ("reason",),
    }
    # Text fields that are neither, each with the reason.
    unguarded = {
        "governance.governancebody": {
            "name": "a body's name, set by an admin",
            "cadence": "when a body meets, set by an admin",
        },
        "governance.agendaitem": {
            "reason": "written by the portal from the signal that put the item on the agenda",
        },
    }
    # On intake's request page: the body triage chose to decide the request, if it chose one.
    panels = {
        "intake.request-detail": (
            Panel(
                "governance/partials/request_body.html",
                select_related=("deciding_body__body", "deciding_body__chosen_by"),
            ),
        ),
    }
