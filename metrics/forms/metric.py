"""The form that adds a metric to the catalogue, and its edit."""

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q

from informatics import limits
from informatics.choices import Role, ValueCategory
from informatics.models import StrategicPriority, User
from informatics.web import choice_field, code_field, phi_confirmed_field, several_field
from metrics.choices import Aim, ChartType, Direction, MetricFrequency, RulePreset
from metrics.models import Metric
from metrics.services import METRIC_FIELDS


class MetricForm(forms.Form):
    """Add a metric to the catalogue: what it measures, where the definition comes from, how
    it is charted and judged, and what it serves."""

    code = code_field(
        max_length=20,
        help_text="A short unique key, e.g. Q6 or sep-1 (letters, digits, hyphens).",
        required="Give the metric a short code.",
    )
    name = forms.CharField(max_length=200, error_messages={"required": "Give the metric a name."})
    definition = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Numerator, denominator, inclusions and exclusions.",
    )
    definition_source = forms.CharField(
        max_length=200, required=False, help_text="Who defines it, e.g. CMS SEP-1, Epic Signal."
    )
    definition_version = forms.CharField(max_length=40, required=False)
    fhir_measure_url = forms.CharField(
        label="FHIR Measure URL",
        max_length=300,
        required=False,
        validators=limits.web_address(),
        help_text="Canonical URL that FHIR MeasureReports for this metric cite.",
        error_messages={"invalid": "Enter the Measure's canonical URL, starting https://."},
    )
    value_category = choice_field(
        ValueCategory.choices, required="Choose the value category the metric evidences."
    )
    aim = choice_field(
        Aim.choices, label="Quintuple Aim", required="Choose the aim the metric serves."
    )
    unit = forms.CharField(
        max_length=60,
        help_text="As shown on the chart's axis, e.g. %, per 1,000 line-days, minutes a day.",
        error_messages={"required": "Give the unit the values are in."},
    )
    multiplier = forms.DecimalField(
        max_digits=12,
        decimal_places=4,
        initial=Decimal("1"),
        help_text="value = numerator ÷ denominator × multiplier: 100 for a percentage, 1,000 "
        "for a rate per 1,000, 1 for a plain value.",
        error_messages={
            "required": "Give the multiplier (1 when values are not a rate).",
            "invalid": "Enter the multiplier as a number, e.g. 100.",
        },
    )
    direction = choice_field(
        Direction.choices,
        label="Better direction",
        required="Say which way is better, or that neither is.",
    )
    frequency = forms.ChoiceField(choices=MetricFrequency.choices, initial=MetricFrequency.MONTHLY)
    chart_type = choice_field(
        ChartType.choices,
        help_text="p for proportions, u for rates per exposure, XmR for continuous values, "
        "Laney p′/u′ for very large denominators.",
        required="Choose the chart type.",
    )
    rule_preset = forms.ChoiceField(
        label="Rule preset", choices=RulePreset.choices, initial=RulePreset.MDC
    )
    screen_outliers = forms.BooleanField(
        required=False,
        label="Screen outlying moving ranges (XmR only)",
        help_text="Drop moving ranges above 3.267 × their mean once before computing limits.",
    )
    baseline_points = forms.IntegerField(
        required=False,
        min_value=2,
        max_value=500,
        help_text="Freeze each segment's limits after this many points; blank uses them all.",
        error_messages={"invalid": "Enter a whole number of points, e.g. 12."},
    )
    data_lag_days = forms.IntegerField(
        label="Data lag (days)",
        min_value=0,
        max_value=365,
        initial=0,
        help_text="Days after a period ends before its data is complete (readmissions: 30+).",
        error_messages={"required": "Give the data lag in days (0 when data is final at once)."},
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="No owner yet",
        help_text="Hears when the metric's data is overdue.",
    )
    priorities = several_field(
        StrategicPriority.objects.none(), size=7, label="Strategic priorities"
    )
    balancing_metrics = several_field(
        Metric.objects.none(),
        help_text="Metrics to read beside this one, e.g. alert volume beside the override rate.",
    )
    phi_confirmed = phi_confirmed_field()

    # The fields the PHI guard reads, in the order the page shows them.
    free_text = ("name", "definition")

    # What the services take: the metric's fields (bar is_active, on the edit form only)
    # and its many-to-many relations.
    SERVICE_FIELDS: tuple[str, ...] = (
        *(name for name in METRIC_FIELDS if name != "is_active"),
        "priorities",
        "balancing_metrics",
    )

    def __init__(self, *args: Any, metric: Metric | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        owner_pk = metric.owner_id if metric is not None else None
        owners = Q(is_active=True, groups__name__in=[Role.CMIO, Role.INFORMATICIST, Role.CMO])
        if owner_pk is not None:
            owners |= Q(pk=owner_pk)
        self._field("owner").queryset = (
            User.objects.filter(owners).distinct().order_by("full_name", "email")
        )
        priorities = Q(is_active=True)
        others = Metric.objects.order_by("code")
        if metric is not None:
            priorities |= Q(metrics=metric)
            others = others.exclude(pk=metric.pk)
        self._field("priorities").queryset = (
            StrategicPriority.objects.filter(priorities).distinct().order_by("rank", "title")
        )
        self._field("balancing_metrics").queryset = others

    def _field(self, name: str) -> Any:
        return self.fields[name]

    @staticmethod
    def initial_for(metric: Metric) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(metric, name)
            for name in MetricForm.SERVICE_FIELDS
            if name not in {"owner", "priorities", "balancing_metrics"}
        }
        initial["owner"] = metric.owner_id
        initial["priorities"] = [p.pk for p in metric.priorities.all()]
        initial["balancing_metrics"] = [m.pk for m in metric.balancing_metrics.all()]
        return initial

    def values(self) -> dict[str, Any]:
        """The cleaned values as keyword arguments of `metric_create` / `metric_update`."""
        data = self.cleaned_data
        values = {name: data[name] for name in self.SERVICE_FIELDS}
        for name in ("code", "name", "unit", "definition_source", "definition_version"):
            values[name] = values[name].strip()
        values["priorities"] = list(data["priorities"])
        values["balancing_metrics"] = list(data["balancing_metrics"])
        values["phi_confirmed"] = data["phi_confirmed"]
        return values


class MetricEditForm(MetricForm):
    """The edit form carries the version the editor loaded, so a stale save is refused, and
    can retire the metric (it stays on record, with its data)."""

    is_active = forms.BooleanField(
        required=False,
        label="Active",
        help_text="A retired metric keeps its data but is no longer expected or reported.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    SERVICE_FIELDS = (*MetricForm.SERVICE_FIELDS, "is_active", "version")

    @staticmethod
    def initial_for(metric: Metric) -> dict[str, Any]:
        return {
            **MetricForm.initial_for(metric),
            "is_active": metric.is_active,
            "version": metric.version,
        }
