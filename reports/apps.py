from django.apps import AppConfig

from informatics.navigation import NavEntry


class ReportsConfig(AppConfig):
    name = "reports"
    navigation = (
        NavEntry("Home", "reports:home", order=0, also_current=("/home/",)),
        NavEntry("Reports", "reports:report-list", order=50, also_current=("/reports/",)),
    )
    # Job kinds and the task that runs each (the kernel's reconciler re-sends lost ones).
    job_tasks = {"reports.build": "reports.build"}
    # Free text people type: read by the PHI guard in the service that saves it and redactable
    # by an admin: one list for both.
    redactable = {"reports.valuereport": ("narrative",)}
    # Where reports keep copies of other records' texts (a payload quotes titles, rationales and
    # the narrative): a redaction rewrites them too.
    redaction_copies = {"reports.valuereport": ("payload",)}
    # After a redaction rewrote a report (its payload or its narrative), its files are rendered
    # again, issued ones too, and their old and new hashes recorded.
    redaction_followups = ("reports.services.report_files_redacted",)
    unguarded = {
        "reports.valuereport": {"payload_sha256": "a hash written by the portal"},
        "reports.reportfile": {
            "sha256": "a hash written by the portal",
        },
        "reports.reportfileredaction": {
            "old_sha256": "a hash written by the portal",
            "new_sha256": "a hash written by the portal",
        },
    }
