from django.apps import AppConfig

from informatics.navigation import NavEntry
from informatics.permissions import Action


class InformaticsConfig(AppConfig):
    name = "informatics"
    verbose_name = "Program kernel"
    navigation = (
        NavEntry("Priorities", "informatics:priority-list", order=20),
        NavEntry("People", "informatics:person-list", Action.ADMINISTER, order=80),
        NavEntry("Facilities", "informatics:facility-list", order=85),
        NavEntry("Settings", "informatics:settings-edit", Action.ADMINISTER, order=90),
        NavEntry("API", "api-docs", order=95),
    )
    # Free-text fields an admin may redact (informatics.phi.redactable_fields).
    redactable = {"informatics.strategicpriority": ("goal_statement", "retired_reason")}
    # Where the portal keeps copies of other records' texts: a redaction rewrites the text
    # inside them too (informatics.services.redaction.copy_fields). Audit events keep the
    # labels of the records they point at; the outbox quotes titles; a job's error or result
    # may quote what it worked on.
    redaction_copies = {
        "informatics.auditevent": ("object_repr", "note", "changes"),
        "informatics.notification": ("subject", "body"),
        "informatics.jobrun": ("error", "result"),
    }
