"""API input and output serializers of metrics: one input serializer per write, one output
serializer per record shape. Inputs only parse; the rules (attribution shares, figures that
must agree, periods, who may do what) live in metrics.services."""

from decimal import Decimal
from functools import partial
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from informatics import limits, rest
from informatics.choices import ValueCategory
from informatics.models import StrategicPriority, User
from initiatives.choices import Stage
from metrics import selectors
from metrics.choices import (
    Aim,
    AnnotationKind,
    Assurance,
    ChartType,
    Direction,
    ImportFormat,
    ImportStatus,
    MetricFrequency,
    RulePreset,
    Variation,
)
from metrics.imports import ERRORS_KEPT
from metrics.models import ImportBatch, Metric
from metrics.spc import Rule

# A measurement figure: up to 14 digits before the point and 6 after.
_figure = partial(rest.number_field, 20, 6)
_multiplier = partial(
    rest.number_field,
    12,
    4,
    help_text="value = numerator ÷ denominator × multiplier (100 for %, 1000 per 1,000).",
)


# --- Output ---------------------------------------------------------------------------------


class MetricRefOutput(serializers.Serializer):
    """A metric named on another record."""

    id = serializers.IntegerField()
    code = rest.CharField()
    name = rest.CharField()


class RollupOutput(serializers.Serializer):
    """The stored state of a metric at one facility: the latest complete point's
    classification, assurance and progress against the target, and how far the data goes."""

    facility = rest.FacilityRefOutput()
    chart_type = serializers.ChoiceField(ChartType.choices)
    rule_preset = serializers.ChoiceField(RulePreset.choices)
    points = serializers.IntegerField(help_text="Periods stored, complete or not.")
    data_through = serializers.DateField(
        allow_null=True, help_text="End of the latest complete period."
    )
    latest_period = serializers.DateField(
        allow_null=True, help_text="Start of the latest complete period."
    )
    latest_value = serializers.FloatField(allow_null=True)
    variation = serializers.ChoiceField(
        Variation.choices, allow_blank=True, help_text="Blank when nothing is classified."
    )
    assurance = serializers.ChoiceField(
        Assurance.choices, allow_blank=True, help_text="Blank without a target or limits."
    )
    target_value = serializers.FloatField(allow_null=True)
    progress = serializers.FloatField(
        allow_null=True, help_text="(current − baseline) ÷ (target − baseline)."
    )
    insufficient_data = rest.BooleanField(help_text="Fewer than 12 baseline points.")
    computed_at = serializers.DateTimeField()


class MetricListOutput(serializers.Serializer):
    """A metric as the catalogue lists it, with its system-level roll-up."""

    id = serializers.IntegerField()
    code = rest.CharField()
    name = rest.CharField()
    value_category = serializers.ChoiceField(ValueCategory.choices)
    aim = serializers.ChoiceField(Aim.choices)
    unit = rest.CharField()
    multiplier = _multiplier()
    direction = serializers.ChoiceField(Direction.choices)
    frequency = serializers.ChoiceField(MetricFrequency.choices)
    chart_type = serializers.ChoiceField(ChartType.choices)
    rule_preset = serializers.ChoiceField(RulePreset.choices)
    owner = rest.PersonRefOutput(allow_null=True)
    priorities = rest.PriorityRefOutput(many=True, source="priorities.all")
    is_active = rest.BooleanField()
    system = serializers.SerializerMethodField(
        help_text="The roll-up of the whole system; null until it has figures."
    )
    version = serializers.IntegerField(help_text="Send it back with an edit (HTTP 409 if stale).")
    updated_at = serializers.DateTimeField()

    @extend_schema_field(RollupOutput(allow_null=True))
    def get_system(self, metric: Metric) -> dict[str, Any] | None:
        return rest.nested_or_none(RollupOutput, selectors.system_rollup(metric))


class InitiativeRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = rest.CharField()
    stage = serializers.ChoiceField(Stage.choices)
    go_live_date = serializers.DateField(
        allow_null=True, help_text="Marks the metric's charts; never rebases by itself."
    )


class LinkOutput(serializers.Serializer):
    """An initiative expected to move the metric, with the share of the change attributed."""

    initiative = InitiativeRefOutput()
    share = rest.number_field(5, 2, help_text="Percent.")
    benefit_line = serializers.IntegerField(
        source="benefit_line_id",
        allow_null=True,
        help_text="Id of the benefit-plan line it evidences.",
    )


class TargetOutput(serializers.Serializer):
    id = serializers.IntegerField()
    value = _figure()
    due_date = serializers.DateField()
    facility = rest.FacilityRefOutput(allow_null=True, help_text="Null: system-wide.")
    note = rest.CharField()


class AnnotationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(AnnotationKind.choices)
    date = serializers.DateField()
    # DRF's metaclass moves declared fields off the class, so "label" never shadows
    # Field.label at run time, which the stubs cannot tell.
    label = rest.CharField()  # type: ignore[assignment]
    reason = rest.CharField(help_text="Why a rebase starts new limits.")
    facility = rest.FacilityRefOutput(allow_null=True, help_text="Null: every facility's chart.")


class MetricDetailOutput(MetricListOutput):
    """A metric in full: definition and its source, how it is charted, attribution links,
    balancing metrics, targets and annotations."""

    definition = rest.CharField()
    definition_source = rest.CharField()
    definition_version = rest.CharField()
    fhir_measure_url = rest.CharField()
    screen_outliers = rest.BooleanField()
    baseline_points = serializers.IntegerField(allow_null=True)
    data_lag_days = serializers.IntegerField()
    balancing_metrics = MetricRefOutput(many=True, source="balancing_metrics.all")
    links = LinkOutput(many=True, source="links.all")
    attributed = serializers.SerializerMethodField(
        help_text="Sum of the links' shares (at most 100)."
    )
    targets = TargetOutput(many=True, source="targets.all")
    annotations = AnnotationOutput(many=True, source="annotations.all")
    created_at = serializers.DateTimeField()

    @extend_schema_field(rest.number_field(5, 2))
    def get_attributed(self, metric: Metric) -> Decimal:
        return sum((link.share for link in metric.links.all()), Decimal(0))


class SignalOutput(serializers.Serializer):
    rule = serializers.ChoiceField([(str(rule), str(rule)) for rule in Rule])
    side = serializers.ChoiceField(
        [("up", "up"), ("down", "down")], allow_null=True, help_text="Null: the rule has no side."
    )


class SpcPointOutput(serializers.Serializer):
    """One period: value, centre and limits in display units (a rate × the multiplier; a
    running total for cumulative charts; survey waves' 95% interval as lower and upper)."""

    period_start = serializers.DateField()
    period_end = serializers.DateField()
    value = serializers.FloatField()
    centre = serializers.FloatField(allow_null=True)
    lower = serializers.FloatField(allow_null=True)
    upper = serializers.FloatField(allow_null=True)
    segment = serializers.IntegerField(help_text="0, then +1 at each rebase.")
    signals = SignalOutput(many=True)
    complete = rest.BooleanField(
        help_text="False while the data lag runs: never signalled or classified."
    )


class SpcTargetOutput(serializers.Serializer):
    value = _figure()
    due_date = serializers.DateField()
    facility = rest.FacilityRefOutput(allow_null=True, help_text="Null: system-wide.")


class SpcOutput(serializers.Serializer):
    """A metric's SPC chart at one facility under one rule preset."""

    metric = MetricRefOutput()
    facility = rest.FacilityRefOutput()
    chart = serializers.ChoiceField(ChartType.choices)
    preset = serializers.ChoiceField(RulePreset.choices)
    variation = serializers.ChoiceField(
        Variation.choices, allow_null=True, help_text="Of the latest complete point."
    )
    assurance = serializers.ChoiceField(
        Assurance.choices, allow_null=True, help_text="Against the target."
    )
    progress = serializers.FloatField(
        allow_null=True, help_text="(current − baseline) ÷ (target − baseline)."
    )
    target = SpcTargetOutput(allow_null=True)
    baseline_value = serializers.FloatField(allow_null=True)
    current_value = serializers.FloatField(allow_null=True)
    insufficient_data = rest.BooleanField(help_text="Fewer than 12 baseline points.")
    data_through = serializers.DateField(
        allow_null=True, help_text="End of the latest complete period."
    )
    points = SpcPointOutput(many=True)


class BatchRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    filename = rest.CharField()


class MeasurementOutput(serializers.Serializer):
    """One figure with its provenance: the import batch that last wrote it, or who entered it
    by hand."""

    id = serializers.IntegerField()
    metric = rest.CharField(source="metric.code", help_text="The metric's code.")
    facility = rest.CharField(source="facility.code", help_text="The facility's code.")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    value = _figure()
    numerator = _figure(allow_null=True)
    denominator = _figure(allow_null=True)
    source_system = rest.CharField()
    definition_version = rest.CharField()
    batch = BatchRefOutput(allow_null=True, help_text="Null: entered by hand.")
    entered_by = rest.PersonRefOutput(allow_null=True)
    updated_at = serializers.DateTimeField()


# --- Input ----------------------------------------------------------------------------------


def _metric_codes(**kwargs: Any) -> rest.CodeField:
    return rest.CodeField(slug_field="code", queryset=Metric.objects.all(), many=True, **kwargs)


class _MetricFields(serializers.Serializer):
    """The fields of a metric a person sets."""

    code = rest.SlugField(max_length=20)
    name = rest.CharField(max_length=200)
    definition = rest.optional_text()
    definition_source = rest.optional_text(max_length=200)
    definition_version = rest.optional_text(max_length=40)
    fhir_measure_url = serializers.CharField(
        max_length=300,
        required=False,
        default="",
        allow_blank=True,
        validators=limits.web_address(),
    )
    value_category = serializers.ChoiceField(ValueCategory.choices)
    aim = serializers.ChoiceField(Aim.choices)
    unit = rest.CharField(max_length=60)
    multiplier = _multiplier(required=False, default=Decimal(1))
    direction = serializers.ChoiceField(Direction.choices)
    frequency = serializers.ChoiceField(
        MetricFrequency.choices, required=False, default=MetricFrequency.MONTHLY
    )
    chart_type = serializers.ChoiceField(ChartType.choices)
    rule_preset = serializers.ChoiceField(
        RulePreset.choices, required=False, default=RulePreset.MDC
    )
    screen_outliers = rest.BooleanField(required=False, default=False, help_text="XmR only.")
    baseline_points = serializers.IntegerField(
        min_value=2,
        max_value=500,
        required=False,
        default=None,
        allow_null=True,
        help_text="Freeze each segment's limits after this many points (null: use them all).",
    )
    data_lag_days = rest.count_field(
        max_value=365,
        required=False,
        default=0,
        help_text="Days after a period ends before it is complete.",
    )
    owner = rest.RecordField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        default=None,
        allow_null=True,
        help_text="An active person's id: told when the data is overdue.",
    )
    is_active = rest.BooleanField(required=False, default=True)
    priorities = rest.RecordField(
        queryset=StrategicPriority.objects.all(),
        many=True,
        required=False,
        default=list,
        help_text="Ids of the strategic priorities it evidences (the full set).",
    )
    balancing_metrics = _metric_codes(
        required=False,
        default=list,
        help_text="Codes of the metrics to read beside it (the full set).",
    )
    phi_confirmed = rest.phi_confirmed_field()


class MetricCreateInput(_MetricFields):
    pass


class MetricUpdateInput(_MetricFields, rest.VersionedEditInput):
    """An edit: fields left out keep their value."""

    every_field_optional = True


class SpcQueryInput(serializers.Serializer):
    """Query parameters of the SPC read."""

    facility = rest.facility_field(
        required=False,
        default=None,
        allow_null=True,
        help_text="A facility's code; the whole system by default.",
    )
    preset = serializers.ChoiceField(
        RulePreset.choices,
        required=False,
        default=None,
        allow_null=True,
        help_text="The rule preset to apply; the metric's own by default.",
    )


class MeasurementInput(serializers.Serializer):
    """A figure entered by hand: a value, or a numerator and denominator, or all three."""

    metric = rest.CodeField(
        slug_field="code", queryset=Metric.objects.all(), help_text="The metric's code."
    )
    facility = rest.facility_field(help_text="The facility's code.")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    value = _figure(required=False, default=None, allow_null=True)
    numerator = _figure(required=False, default=None, allow_null=True)
    denominator = _figure(required=False, default=None, allow_null=True)


class ImportUploadInput(serializers.Serializer):
    file = serializers.FileField(
        help_text="A canonical .csv or .xlsx (see the import page for the columns), or a FHIR "
        "R4 MeasureReport or Bundle of them as .json.",
    )


class ImportErrorOutput(serializers.Serializer):
    """One problem of a rejected file. A file-wide problem has no row; a last entry without a
    row says how many errors were left out of the list."""

    row = serializers.IntegerField(
        allow_null=True,
        help_text="CSV and XLSX: the row a spreadsheet shows (the header is row 1). FHIR: the "
        "MeasureReport's position in the Bundle, from 1.",
    )
    column = rest.CharField(
        allow_null=True, help_text="The column's name, or for FHIR the element's path."
    )
    message = rest.CharField()


class ImportListOutput(serializers.Serializer):
    """An import batch: the file, where its job is, and what it wrote."""

    id = serializers.IntegerField()
    filename = rest.CharField()
    format = serializers.ChoiceField(ImportFormat.choices)
    size = serializers.IntegerField(help_text="Bytes.")
    sha256 = rest.CharField()
    status = serializers.ChoiceField(
        ImportStatus.choices,
        help_text="pending → running → done (written), rejected (nothing written: see the "
        "errors) or failed (nothing written: an unexpected fault).",
    )
    uploaded_by = rest.PersonRefOutput()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    progress_done = serializers.SerializerMethodField(
        help_text="Rows read so far; only rises, and ends at rows_total."
    )
    progress_total = serializers.SerializerMethodField(
        help_text="Rows expected: an estimate while running (null when unknown), the row count "
        "at the end."
    )
    rows_total = serializers.IntegerField()
    rows_inserted = serializers.IntegerField()
    rows_updated = serializers.IntegerField()
    rows_unchanged = serializers.IntegerField()
    rows_rejected = serializers.IntegerField(help_text="Rows with at least one error.")

    def get_progress_done(self, batch: ImportBatch) -> int:
        return batch.job.progress_done if batch.job else 0

    def get_progress_total(self, batch: ImportBatch) -> int | None:
        return batch.job.progress_total if batch.job else None


class ImportDetailOutput(ImportListOutput):
    # Named as the batch's column. DRF's metaclass moves declared fields off the class, so the
    # serializer's own `errors` property is untouched; only the type checker sees a clash.
    errors = ImportErrorOutput(  # type: ignore[assignment]
        many=True, help_text=f"Every error in row and column order (the first {ERRORS_KEPT})."
    )
