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
    # The Celery task that runs each kind of background job (JobRun.kind → task name), for the
    # reconciler (informatics.services.jobs.jobs_reconcile), which imports no app's tasks.
    job_tasks = {
        "worker_probe": "informatics.worker_probe",
        "informatics.job_probe": "informatics.job_probe",
        "informatics.export": "informatics.export_build",
    }
    # The labels of the keys of its JSON fields, for their history (templatetags.portal).
    audit_keys = {"informatics.sitesettings.sla_hours": "informatics.choices.Route"}
    # Free text people type: each field is read by the PHI guard in the service that saves it
    # (informatics.services.records.guarded_fields) and may be redacted by an admin
    # (informatics.phi.redactable_fields): one list for both.
    redactable = {
        "informatics.user": ("title", "specialty"),
        "informatics.strategicpriority": ("title", "goal_statement", "retired_reason"),
    }
    # Text fields that are neither, each with the reason (tests/informatics/test_phi_fields.py
    # fails on a text field found in no list).
    unguarded = {
        "informatics.user": {
            "password": "a password hash, never shown",
            "full_name": "the person's own name, from the identity provider or an admin",
        },
        "informatics.facility": {"name": "reference data: an admin names a hospital or unit"},
        "informatics.sitesettings": {
            "organisation_name": "the organisation's own name, set by an admin",
            "time_zone": "checked against the list of time zones",
            "currency": "checked against the ISO 4217 codes",
        },
        "informatics.jobrun": {
            "kind": "a job's code name, written by the portal",
            "error": "a failed job's error, written by the portal",
        },
        "informatics.exportfile": {
            "export": "an export's code name, written by the portal",
            "filename": "composed by the portal from the export's name and date",
            "sha256": "a file's hash",
        },
        "informatics.auditevent": {
            "object_id": "a record's key",
            "object_repr": "a copy of a guarded label; redaction rewrites it",
            "note": "written by the services, not typed",
        },
        "informatics.notification": {
            "subject": "composed by the services from record numbers and statuses",
            "body": "composed by the services; redaction rewrites quoted texts",
            "url": "a portal address built by the services",
        },
        "informatics.phiconfirmation": {
            "object_id": "a record's key",
            "field": "a field's name",
        },
        "informatics.redaction": {
            "object_id": "a record's key",
            "field": "a field's name",
            "reason": "typed by an admin and read by admins only, to say why text was removed",
        },
        "informatics.identitylink": {
            "issuer": "the identity provider's address, from its discovery document",
            "subject": "the provider's identifier of a person, from the ID token",
            "refresh_token": "a credential from the provider, never shown",
        },
        "informatics.grouprolemapping": {
            "group": "an identity-provider group's name or id, as its groups claim carries it",
        },
    }
    # After a redaction, the stored list exports that copy the redacted field are deleted
    # (informatics.exports.export_files_redacted).
    redaction_followups = ("informatics.exports.export_files_redacted",)
    # Where the portal keeps copies of other records' texts: a redaction rewrites the text
    # inside them too (informatics.services.redaction.copy_fields). Audit events keep the
    # labels of the records they point at; the outbox quotes titles; a job's error or result
    # may quote what it worked on.
    redaction_copies = {
        "informatics.auditevent": ("object_repr", "note", "changes"),
        "informatics.notification": ("subject", "body"),
        "informatics.jobrun": ("error", "result"),
    }
