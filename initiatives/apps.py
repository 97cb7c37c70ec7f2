"""The portfolio: initiatives aligned to strategic priorities, their stages and gates,
milestones, status updates and benefit plans, and the requests each delivers. Above intake:
it links requests and moves them along through intake's services, and shows the initiative on
intake's request page through a panel (informatics.panels), so intake never imports it."""

from django.apps import AppConfig

from informatics.navigation import NavEntry
from informatics.panels import Panel


class InitiativesConfig(AppConfig):
    name = "initiatives"
    navigation = (
        NavEntry("Portfolio", "initiatives:portfolio", order=15, also_current=("/initiatives/",)),
    )
    # Its list exports (informatics.exports): name → the CsvExport, found by the kernel by name.
    exports = {"initiatives": "initiatives.exports.INITIATIVES"}
    # Free text people type: each field is read by the PHI guard in the service that saves it
    # (informatics.services.records.guarded_fields) and may be redacted by an admin
    # (informatics.phi.redactable_fields): one list for both.
    redactable = {
        "initiatives.initiative": ("title", "summary", "problem_statement", "stage_reason"),
        "initiatives.milestone": ("title",),
        "initiatives.benefitline": ("description", "unit"),
        "initiatives.statusupdate": ("narrative", "risks"),
        "initiatives.stagechange": ("reason",),
        "initiatives.financialentry": ("source",),
    }
    # On intake's request page: the initiative that delivers the request.
    panels = {
        "intake.request-detail": (
            Panel(
                "initiatives/partials/request_initiative.html",
                select_related=("initiative_link__initiative",),
            ),
        ),
    }
