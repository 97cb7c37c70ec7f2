from django.apps import AppConfig

from informatics.navigation import NavEntry
from informatics.permissions import Action


class InitiativesConfig(AppConfig):
    name = "initiatives"
    navigation = (
        NavEntry("Requests", "initiatives:request-list", order=10),
        NavEntry("Triage", "initiatives:triage-queue", Action.REQUEST_TRIAGE, order=11),
        NavEntry("Portfolio", "initiatives:portfolio", order=15, also_current=("/initiatives/",)),
    )
    # Free-text fields an admin may redact (informatics.phi.redactable_fields).
    redactable = {
        "initiatives.intakerequest": ("story_today", "story_wanted", "title"),
        "initiatives.requestcomment": ("body",),
        "initiatives.requeststatuschange": ("note",),
        "initiatives.initiative": ("summary", "problem_statement", "stage_reason"),
        "initiatives.statusupdate": ("narrative", "risks"),
        "initiatives.stagechange": ("reason",),
    }
