from django.apps import AppConfig

from informatics.navigation import NavEntry


class MetricsConfig(AppConfig):
    name = "metrics"
    navigation = (NavEntry("Metrics", "metrics:metric-list", order=18),)
    # Free-text fields an admin may redact (informatics.phi.redactable_fields).
    redactable = {
        "metrics.metric": ("name", "definition"),
        "metrics.target": ("note",),
        "metrics.annotation": ("label", "reason"),
    }
