"""Django admin registrations of metrics: a read-only back office.

The catalogue, targets, annotations, links and value bases change through metrics.services
(permissions, PHI guard, attribution shares, audit, roll-ups enqueued); measurements through
imports (the batch is their audit) or hand entry; roll-ups only through the roll-up job. So
here they are shown and searched, never changed.
"""

from django.contrib import admin

from informatics.web import ReadOnlyAdmin
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


@admin.register(Metric)
class MetricAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "value_category", "direction", "chart_type", "is_active")
    list_filter = ("value_category", "chart_type", "direction", "rule_preset", "is_active")
    search_fields = ("code", "name", "definition")


@admin.register(MetricInitiative)
class MetricInitiativeAdmin(ReadOnlyAdmin):
    list_display = ("metric", "initiative", "share", "benefit_line")
    search_fields = ("metric__code", "initiative__title")


@admin.register(ValueBasis)
class ValueBasisAdmin(ReadOnlyAdmin):
    list_display = ("metric", "kind", "baseline", "unit_cost", "unit_cost_source", "exposure_label")
    list_filter = ("kind",)
    search_fields = ("metric__code", "unit_cost_source")


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ("metric", "facility", "value", "due_date")
    search_fields = ("metric__code",)


@admin.register(Annotation)
class AnnotationAdmin(ReadOnlyAdmin):
    list_display = ("metric", "kind", "date", "label", "facility")
    list_filter = ("kind",)
    search_fields = ("metric__code", "label")


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ("id", "filename", "format", "status", "rows_total", "uploaded_by", "created_at")
    list_filter = ("status", "format")
    search_fields = ("filename", "sha256")


@admin.register(Measurement)
class MeasurementAdmin(ReadOnlyAdmin):
    list_display = ("metric", "facility", "period_start", "value", "numerator", "denominator")
    list_filter = ("metric",)
    search_fields = ("metric__code", "facility__code")


@admin.register(RollupSeries)
class RollupSeriesAdmin(ReadOnlyAdmin):
    list_display = ("metric", "facility", "points", "data_through", "variation", "assurance")
    list_filter = ("variation", "assurance")


@admin.register(RollupPoint)
class RollupPointAdmin(ReadOnlyAdmin):
    list_display = ("series", "period_start", "value", "centre", "lower", "upper", "complete")
