from django.apps import AppConfig

from informatics.navigation import NavEntry
from informatics.permissions import Action


class GovernanceConfig(AppConfig):
    name = "governance"
    navigation = (
        NavEntry("Maturity", "governance:maturity-overview", Action.MATURITY_READ, order=40),
    )
    # Free text people type: each field is read by the PHI guard in the service that saves it
    # (informatics.services.records.guarded_fields) and may be redacted by an admin
    # (informatics.phi.redactable_fields): one list for both.
    redactable = {
        "governance.maturityassessment": ("note",),
        "governance.maturityscore": ("next_actions",),
    }
    # Text fields that are neither, each with the reason (tests/informatics/test_phi_fields.py
    # fails on a text field found in no list).
    unguarded: dict[str, dict[str, str]] = {}
