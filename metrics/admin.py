"""Django admin registrations of metrics: a read-only back office.

The catalogue, targets, annotations, links and value bases change through metrics.services
(permissions, PHI guard, attribution shares, audit, roll-ups enqueued); measurements through
imports (the batch is their audit) or hand entry; roll-ups only through the roll-up job. So
here they are shown and searched, never changed.
"""

from informatics.admin_lists import Listing, register_listings
from metrics.models import (
    Annotation,
    ImportBatch,
    Measurement,
    Metric,
    MetricInitiative,
    RollupPoint,
    RollupSeries,
    Target,
    ValueBasis,
)

register_listings(
    {
        Metric: Listing(
            ("code", "name", "value_category", "direction", "chart_type", "is_active"),
            filters=("value_category", "chart_type", "direction", "rule_preset", "is_active"),
            search=("code", "name", "definition"),
        ),
        MetricInitiative: Listing(
            ("metric", "initiative", "share", "benefit_line"),
            search=("metric__code", "initiative__title"),
        ),
        ValueBasis: Listing(
            ("metric", "kind", "baseline", "unit_cost", "unit_cost_source", "exposure_label"),
            filters=("kind",),
            search=("metric__code", "unit_cost_source"),
        ),
        Target: Listing(("metric", "facility", "value", "due_date"), search=("metric__code",)),
        Annotation: Listing(
            ("metric", "kind", "date", "label", "facility"),
            filters=("kind",),
            search=("metric__code", "label"),
        ),
        ImportBatch: Listing(
            ("id", "filename", "format", "status", "rows_total", "uploaded_by", "created_at"),
            filters=("status", "format"),
            search=("filename", "sha256"),
        ),
        Measurement: Listing(
            ("metric", "facility", "period_start", "value", "numerator", "denominator"),
            filters=("metric",),
            search=("metric__code", "facility__code"),
        ),
        RollupSeries: Listing(
            ("metric", "facility", "points", "data_through", "variation", "assurance"),
            filters=("variation", "assurance"),
        ),
        RollupPoint: Listing(
            ("series", "period_start", "value", "centre", "lower", "upper", "complete")
        ),
    }
)
