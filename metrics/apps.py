from django.apps import AppConfig

from informatics.navigation import NavEntry


class MetricsConfig(AppConfig):
    name = "metrics"
    navigation = (NavEntry("Metrics", "metrics:metric-list", order=18),)
    # The Celery task that runs each kind of background job (JobRun.kind → task name), for the
    # kernel's reconciler.
    job_tasks = {"metrics.import": "metrics.import_run", "metrics.rollup": "metrics.rollup_run"}
    # Free text people type: each field is read by the PHI guard in the service that saves it
    # (informatics.services.records.guarded_fields) and may be redacted by an admin
    # (informatics.phi.redactable_fields): one list for both.
    redactable = {
        "metrics.metric": ("name", "definition", "definition_source", "definition_version", "unit"),
        "metrics.target": ("note",),
        "metrics.annotation": ("label", "reason"),
        "metrics.importbatch": ("filename",),
        "metrics.measurement": ("source_system", "definition_version"),
        "metrics.valuebasis": ("baseline_source", "unit_cost_source", "exposure_label"),
    }
    # Text fields that are neither, each with the reason (tests/informatics/test_phi_fields.py
    # fails on a text field found in no list).
    unguarded = {
        "metrics.importbatch": {"sha256": "the file's digest"},
        "metrics.rollupseries": {"fingerprint": "a digest of the series' data"},
        "metrics.metric": {
            "fhir_measure_url": "a canonical web address (informatics.limits.WEB_ADDRESS), "
            "exempt as every URL field is"
        },
    }
