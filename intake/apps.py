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
    # Free-text fields an admin may redact (informatics.phi.redactable_fields).
    redactable = {
        "intake.intakerequest": ("story_today", "story_wanted", "title"),
        "intake.requestcomment": ("body",),
        "intake.requeststatuschange": ("note",),
    }
