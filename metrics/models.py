"""Metric catalogue, targets, annotations, measurements with their import batches, links to
initiatives (attribution) and the stored roll-ups that pages, the API, governance and reports
read (the one place a latest point is classified)."""

from typing import Any

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from informatics import limits
from informatics.choices import ValueCategory
from informatics.models import (
    Facility,
    JobRun,
    StrategicPriority,
    TimeStampedModel,
    User,
    VersionedModel,
    keyed_by,
    one_row_per,
    unique_with_optional,
)
from initiatives.models import BenefitLine, Initiative
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
    ValueKind,
    Variation,
)

# Measurement figures: up to 14 digits before the point and 6 after.
FIGURE_DIGITS = 20
FIGURE_PLACES = 6


class Metric(VersionedModel):
    """One measure in the catalogue, with how it is charted and judged."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    definition = limits.text(limits.LONG_TEXT, blank=True)
    definition_source = models.CharField(
        max_length=200, blank=True, help_text="Who defines it, e.g. CMS SEP-1, Epic Signal."
    )
    definition_version = models.CharField(max_length=40, blank=True)
    fhir_measure_url = models.CharField(
        "FHIR Measure URL",
        max_length=300,
        blank=True,
        validators=limits.web_address(),
        help_text="Canonical URL of the FHIR Measure that MeasureReports for it cite.",
    )
    value_category = models.CharField(max_length=20, choices=ValueCategory.choices)
    aim = models.CharField(max_length=30, choices=Aim.choices)
    unit = models.CharField(max_length=60)
    multiplier = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        default=1,
        help_text="value = numerator ÷ denominator × multiplier (100 for %, 1,000 per 1,000).",
    )
    direction = models.CharField(max_length=10, choices=Direction.choices)
    frequency = models.CharField(
        max_length=10, choices=MetricFrequency.choices, default=MetricFrequency.MONTHLY
    )
    chart_type = models.CharField(max_length=12, choices=ChartType.choices)
    rule_preset = models.CharField(
        max_length=20, choices=RulePreset.choices, default=RulePreset.MDC
    )
    screen_outliers = models.BooleanField(
        default=False, help_text="XmR only: drop moving ranges above 3.267 × mean once."
    )
    baseline_points = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Freeze each segment's limits after this many points (blank: use them all).",
    )
    data_lag_days = models.PositiveSmallIntegerField(
        default=0,
        help_text="Days after a period ends before its data is complete (readmissions: 30+).",
    )
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_metrics"
    )
    priorities: "models.ManyToManyField[StrategicPriority, Any]" = models.ManyToManyField(
        StrategicPriority, blank=True, related_name="metrics"
    )
    balancing_metrics: "models.ManyToManyField[Metric, Any]" = models.ManyToManyField(
        "self", blank=True, symmetrical=True, help_text="Metrics to read beside this one."
    )
    initiatives: "models.ManyToManyField[Initiative, Any]" = models.ManyToManyField(
        Initiative, through="MetricInitiative", related_name="metrics", blank=True
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(multiplier__gt=0), name="metric_multiplier_positive")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class MetricInitiative(models.Model):
    """An initiative expected to move a metric, with the share of the change attributed to it
    (a metric's shares sum to at most 100, enforced by `metric_link_initiative`) and the
    benefit-plan line the metric evidences."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="links")
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="metric_links"
    )
    share = models.DecimalField(max_digits=5, decimal_places=2, help_text="Percent, 0–100.")
    benefit_line = models.ForeignKey(
        BenefitLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="metric_links"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["metric", "-share", "id"]
        constraints = [
            one_row_per("metric", "initiative", name="metric_initiative_once"),
            models.CheckConstraint(
                condition=Q(share__gte=0) & Q(share__lte=100), name="metric_share_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric.code} ← initiative #{self.initiative_id} ({self.share}%)"


class ValueBasis(TimeStampedModel):
    """How a metric's change turns into money for the value report (DOMAIN.md §2): the agreed
    pre-intervention rate (`baseline`, in the metric's unit) and the cost of one event or one
    minute (`unit_cost`), each with its source; the exposure (line-days, clinician-days) is
    the denominator of the month's system roll-up point. One per metric, optional."""

    metric = models.OneToOneField(Metric, on_delete=models.CASCADE, related_name="value_basis")
    kind = models.CharField(max_length=20, choices=ValueKind.choices)
    baseline = models.DecimalField(
        max_digits=FIGURE_DIGITS,
        decimal_places=FIGURE_PLACES,
        help_text="The agreed pre-intervention rate, in the metric's unit.",
    )
    baseline_source = models.CharField(
        max_length=200, help_text="Where the baseline comes from, e.g. “FY2025 NHSN, all units”."
    )
    unit_cost = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text="Currency per event avoided (cost avoidance) or per minute (time value).",
    )
    unit_cost_source = models.CharField(
        max_length=200, help_text="Shown in the report, e.g. “AHRQ 2017, $46,000 per CLABSI”."
    )
    exposure_label = models.CharField(
        max_length=40, help_text="What the denominator counts, e.g. “line-days”."
    )
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["metric"]
        verbose_name_plural = "value bases"
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_cost__gt=0), name="value_basis_unit_cost_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric.code} {self.get_kind_display()}"


class Target(TimeStampedModel):
    """A value to reach by a date, for one facility or (facility blank) system-wide; one per
    metric, facility (or none) and due date, which `target_set` replaces."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="targets")
    facility = models.ForeignKey(
        Facility, null=True, blank=True, on_delete=models.PROTECT, related_name="metric_targets"
    )
    value = models.DecimalField(max_digits=FIGURE_DIGITS, decimal_places=FIGURE_PLACES)
    due_date = models.DateField()
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["metric", "due_date", "id"]
        constraints = unique_with_optional(
            ["metric", "facility", "due_date"],
            "facility",
            name="target_once_per_facility_and_date",
            name_without="target_once_system_wide_per_date",
        )

    def __str__(self) -> str:
        return f"{self.metric.code} target {self.value} by {self.due_date}"


class Annotation(TimeStampedModel):
    """A dated note on a metric's timeline: a PDSA test, a deliberate rebase (with its reason)
    or a plain note. Facility blank means every facility's chart."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="annotations")
    facility = models.ForeignKey(
        Facility, null=True, blank=True, on_delete=models.PROTECT, related_name="annotations"
    )
    kind = models.CharField(max_length=10, choices=AnnotationKind.choices)
    date = models.DateField(help_text="A rebase starts a new segment at the first period from it.")
    label = models.CharField(max_length=120)
    reason = limits.text(limits.NOTE, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["metric", "date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=AnnotationKind.REBASE) | ~Q(reason=""),
                name="annotation_rebase_has_reason",
                violation_error_message="A rebase needs a reason.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric.code} {self.get_kind_display()} {self.date}"


class ImportBatch(models.Model):
    """One uploaded file and what became of it. Measurements keep the batch that last wrote
    them, so every point traces back to its file; the batch is the audit of its rows."""

    file = models.FileField(upload_to="imports/%Y/%m/")
    filename = models.CharField(max_length=255)
    format = models.CharField(max_length=6, choices=ImportFormat.choices)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    job = models.OneToOneField(
        JobRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="import_batch"
    )
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="import_batches")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_inserted = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    errors = models.JSONField(
        default=list, blank=True, help_text='[{"row": 57, "column": "value", "message": …}]'
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"Import #{self.pk} {self.filename}"


class Measurement(models.Model):
    """One figure for a metric, a facility and a period. Parent facilities are not stored:
    their figures are summed from their children's numerators and denominators in roll-ups."""

    # No index of its own: the unique (metric, facility, period_start) index serves lookups by
    # metric, and a second index on its prefix only slowed every import.
    metric = models.ForeignKey(
        Metric, on_delete=models.PROTECT, related_name="measurements", db_index=False
    )
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="measurements")
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(max_digits=FIGURE_DIGITS, decimal_places=FIGURE_PLACES)
    numerator = models.DecimalField(
        max_digits=FIGURE_DIGITS, decimal_places=FIGURE_PLACES, null=True, blank=True
    )
    denominator = models.DecimalField(
        max_digits=FIGURE_DIGITS, decimal_places=FIGURE_PLACES, null=True, blank=True
    )
    source_system = models.CharField(max_length=60, blank=True)
    definition_version = models.CharField(max_length=40, blank=True)
    extracted_at = models.DateTimeField(null=True, blank=True)
    batch = models.ForeignKey(
        ImportBatch,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measurements",
        help_text="The import that last wrote this figure; blank when entered by hand.",
    )
    entered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["metric", "facility", "period_start"]
        indexes = [
            # A metric's latest period (the needs-me `latest_end`, roll-ups) without a scan.
            models.Index(fields=["metric", "period_end"], name="measurement_metric_end_idx"),
        ]
        constraints = [
            one_row_per("metric", "facility", "period_start", name="measurement_once_per_period"),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="measurement_period_order"
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                name="measurement_denominator_positive",
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True) | Q(numerator__gte=0),
                name="measurement_numerator_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric_id}/{self.facility_id} {self.period_start}: {self.value}"


class RollupSeries(models.Model):
    """The state of one metric at one facility (its own data, or its children's summed): the
    classification of the latest complete point, assurance and progress against the target.
    Written only by the roll-up job; a rerun with the same data changes nothing."""

    # No index of its own: the (metric, facility) unique index serves every lookup by metric.
    metric = models.ForeignKey(
        Metric, on_delete=models.CASCADE, related_name="rollups", db_index=False
    )
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="metric_rollups")
    chart_type = models.CharField(max_length=12, choices=ChartType.choices)
    rule_preset = models.CharField(max_length=20, choices=RulePreset.choices)
    points = models.PositiveIntegerField(default=0)
    data_through = models.DateField(null=True, blank=True)
    latest_period = models.DateField(null=True, blank=True)
    latest_value = models.FloatField(null=True, blank=True)
    variation = models.CharField(max_length=20, choices=Variation.choices, blank=True)
    assurance = models.CharField(max_length=20, choices=Assurance.choices, blank=True)
    target_value = models.FloatField(null=True, blank=True)
    progress = models.FloatField(null=True, blank=True)
    insufficient_data = models.BooleanField(default=True)
    fingerprint = models.CharField(max_length=64)
    variation_changed_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering, constraints = keyed_by("metric", "facility", name="rollup_series_once")

    def __str__(self) -> str:
        return f"{self.metric_id}/{self.facility_id} {self.variation or 'no classification'}"


class RollupPoint(models.Model):
    """One period of a roll-up series: the aggregate figures, the limits that apply and the
    rules it triggered under the metric's preset."""

    # No index of its own: the (series, period_start) unique index serves every lookup by
    # series, and every point inserted would pay for a second one. No foreign-key constraint
    # either: a roll-up writes millions of points, and the constraint's check, one query per
    # row, cost more than the inserts. On PostgreSQL triggers keep the same guarantees once
    # per statement (migration 0009): written points must name a series, and a deleted
    # series takes its points with it.
    series = models.ForeignKey(
        RollupSeries,
        on_delete=models.CASCADE,
        related_name="rows",
        db_index=False,
        db_constraint=False,
    )
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.FloatField()
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    centre = models.FloatField(null=True, blank=True)
    lower = models.FloatField(null=True, blank=True)
    upper = models.FloatField(null=True, blank=True)
    segment = models.PositiveSmallIntegerField(default=0)
    signals = models.JSONField(default=list, blank=True)
    complete = models.BooleanField(default=True)

    class Meta:
        ordering, constraints = keyed_by("series", "period_start", name="rollup_point_once")

    def __str__(self) -> str:
        return f"{self.series_id} {self.period_start}: {self.value}"
