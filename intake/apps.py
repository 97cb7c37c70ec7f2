"""Intake: physicians' requests, their +1s and thread, triage with the scoring rubric, and the
request status timeline. Below the portfolio: intake imports the kernel only, and the
portfolio shows itself on the request page through a panel (informatics.panels)."""

from django.apps import AppConfig

from informatics.navigation import NavEntry
from informatics.permissions import Action


class IntakeConfig(AppConfig):
    name = "intake"
    navigation = (
        NavEntry("Requests", "intake:request-list", order=10),
        NavEntry("Triage", "intake:triage-queue", Action.REQUEST_TRIAGE, order=11),
    )
    # Its list exports (informatics.exports): name → the CsvExport, found by the kernel by name.
    exports = {"requests": "intake.exports.REQUESTS"}
    # The labels of the keys of its JSON fields, for their history (informatics.templatetags).
    audit_keys = {
        "intake.intakerequest.ratings": "intake.choices.RatingCriterion",
        "intake.rubric.effort_points": "intake.choices.EffortBand",
    }
    # Free text people type: each field is read by the PHI guard in the service that saves it
    # (informatics.services.records.guarded_fields) and may be redacted by an admin
    # (informatics.phi.redactable_fields): one list for both.
    redactable = {
        "intake.intakerequest": (
            "story_today",
            "story_wanted",
            "title",
            "workflow_area",
            "ehr_module",
            "specialty",
        ),
        "intake.requestvote": ("specialty",),
        "intake.rubric": ("note",),
        "intake.requestcomment": ("body",),
        "intake.requeststatuschange": ("note",),
    }
    # Text fields that are neither, each with the reason.
    unguarded = {
        "intake.savedview": {
            "name": "a label of the request list's filters, seen only by the person who saved it",
            "query": "the request list's own filter parameters, seen only by the person who saved "
            "them",
        },
    }
