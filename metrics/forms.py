"""Forms of the metric pages. They parse input into typed values named like the keyword
arguments of the catalogue services (metrics/services/catalogue/); the services check the
rules (attribution shares, figures that must agree, who may do what) and raise ValidationError
naming the field, which the views put back on the form beside it."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from informatics import limits
from informatics.choices import Role, ValueCategory
from informatics.models import Facility, StrategicPriority, User
from informatics.web import (
    DateInput,
    ServiceForm,
    choice_field,
    code_field,
    phi_confirmed_field,
    several_field,
    values_of,
)
from initiatives.models import BenefitLine, Initiative
from metrics.choices import (
    Aim,
    AnnotationKind,
    ChartType,
    Direction,
    MetricFrequency,
    RulePreset,
    ValueKind,
)
from metrics.models import Metric, ValueBasis
from metrics.services import METRIC_FIELDS, VALUE_BASIS_FIELDS

DATE_FORMAT = "%Y-%m-%d"


def _date(**kwargs: Any) -> forms.DateField:
    messages = {"invalid": "Enter the date as YYYY-MM-DD.", **kwargs.pop("error_messages", {})}
    return forms.DateField(widget=DateInput(format=DATE_FORMAT), error_messages=messages, **kwargs)


def _figure(label: str, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=20,
        decimal_places=6,
        error_messages={"invalid": f"Enter the {label.lower()} as a number, e.g. 12.5."},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        **kwargs,
    )


def _facilities(keep: int | None = None) -> QuerySet[Facility]:
    wanted = Q(is_active=True)
    if keep is not None:
        wanted |= Q(pk=keep)
    return Facility.objects.filter(wanted).order_by("name")


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


class _FacilityScopedForm(ServiceForm):
    """A form on the metric's page whose `facility` field offers the active facilities."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        facility = self.fields["facility"]
        assert isinstance(facility, forms.ModelChoiceField)
        facility.queryset = _facilities()


class TargetForm(_FacilityScopedForm):
    """A value to reach by a date, system-wide or for one facility."""

    value = forms.DecimalField(
        label="Target value",
        max_digits=20,
        decimal_places=6,
        error_messages={
            "required": "Give the target value.",
            "invalid": "Enter the target as a number, in the metric's unit.",
        },
    )
    due_date = _date(
        label="Due by", error_messages={"required": "Give the date the target is due."}
    )
    facility = forms.ModelChoiceField(
        queryset=Facility.objects.none(), required=False, empty_label="System-wide"
    )
    note = forms.CharField(
        max_length=200, required=False, help_text="Where the target comes from, e.g. the FY plan."
    )
    phi_confirmed = phi_confirmed_field()


class AnnotationForm(_FacilityScopedForm):
    """A PDSA test, a rebase (with its reason) or a note on the metric's timeline."""

    kind = forms.ChoiceField(
        choices=AnnotationKind.choices,
        help_text="A rebase starts new limits from the first period on or after its date. "
        "Go-lives come from the linked initiatives.",
    )
    date = _date(error_messages={"required": "Give the date it happened."})
    label = forms.CharField(
        max_length=120,
        help_text="Shown on the chart, e.g. “Order set live at all hospitals”.",
        error_messages={"required": "Give a short label for the chart."},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Required for a rebase: what changed in the process.",
    )
    facility = forms.ModelChoiceField(
        queryset=Facility.objects.none(), required=False, empty_label="Every facility"
    )
    phi_confirmed = phi_confirmed_field()


# A picker that matches words lists at most this many matches in its error.
PICKER_MATCHES = 5


def _number(text: str) -> int | None:
    """ "12" or "#12" → 12; anything else → None."""
    digits = text.strip().removeprefix("#").strip()
    return int(digits) if digits.isdigit() else None


def _pick(rows: Any, text: str, *, noun: str, label: Callable[[Any], str], field: str) -> Any:
    """The one row of `rows` that `text` names: by number ("12", "#12"), else the only one
    whose `field` contains the words. Looked up on the server (never a list of every row):
    an unknown number, no match or several matches is an error naming them."""
    number = _number(text)
    if number is not None:
        row = rows.filter(pk=number).first()
        if row is None:
            raise forms.ValidationError(f"No {noun} #{number}.")
        return row
    found = list(rows.filter(**{f"{field}__icontains": text.strip()})[: PICKER_MATCHES + 1])
    if not found:
        raise forms.ValidationError(f"No {noun} matches “{text.strip()}”.")
    if len(found) > 1:
        names = "; ".join(f"#{row.pk} {label(row)}" for row in found[:PICKER_MATCHES])
        more = " and more" if len(found) > PICKER_MATCHES else ""
        raise forms.ValidationError(
            f"Several {noun}s match “{text.strip()}”: {names}{more}. Give its number."
        )
    return found[0]


class LinkForm(ServiceForm):
    """Link an initiative expected to move the metric, with its attribution share. The
    initiative and the benefit-plan line are typed (a number or words of the title) and looked
    up on the server: the page never lists every initiative."""

    initiative = forms.CharField(
        max_length=200,
        help_text="Its number (e.g. 12 or #12) or words of its title.",
        error_messages={"required": "Give the number or the title of the initiative to link."},
    )
    share = forms.DecimalField(
        label="Attribution share (%)",
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        help_text="The share of the metric's change credited to it; a metric's shares add up "
        "to at most 100%.",
        error_messages={
            "required": "Give the attribution share, 0 to 100.",
            "invalid": "Enter the share as a number of percent, e.g. 40.",
            "min_value": "The share cannot be below 0%.",
            "max_value": "The share cannot be above 100%.",
        },
    )
    benefit_line = forms.CharField(
        max_length=200,
        required=False,
        label="Benefit-plan line it evidences",
        help_text="Optional: words of one of the initiative's benefit lines, or its number.",
    )

    def clean_initiative(self) -> Initiative:
        initiative: Initiative = _pick(
            Initiative.objects.order_by("title", "id"),
            self.cleaned_data["initiative"],
            noun="initiative",
            label=lambda row: row.title,
            field="title",
        )
        return initiative

    def clean_benefit_line(self) -> BenefitLine | None:
        text = self.cleaned_data.get("benefit_line") or ""
        if not text.strip():
            return None
        lines = BenefitLine.objects.select_related("initiative").order_by("id")
        initiative = self.cleaned_data.get("initiative")
        if _number(text) is None:
            if initiative is None:
                return None  # the initiative's own error says what to fix
            lines = lines.filter(initiative=initiative)
        line: BenefitLine = _pick(
            lines,
            text,
            noun="benefit-plan line",
            label=lambda row: f"{row.initiative.title}: {row.description}",
            field="description",
        )
        return line


class MeasurementForm(_FacilityScopedForm):
    """One period's figure entered by hand: a value, or numerator and denominator, or all
    three (they must agree)."""

    facility = forms.ModelChoiceField(
        queryset=Facility.objects.none(),
        empty_label="Choose…",
        error_messages={"required": "Choose the facility the figure is for."},
    )
    period_start = _date(
        label="Period from", error_messages={"required": "Give the first day of the period."}
    )
    period_end = _date(
        label="Period to", error_messages={"required": "Give the last day of the period."}
    )
    value = _figure("Value", help_text="Leave blank to compute it from numerator ÷ denominator.")
    numerator = _figure("Numerator")
    denominator = _figure("Denominator")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The period cannot end before it starts.")
        return data


class ValueBasisForm(ServiceForm):
    """How the metric's change turns into money in the value report: events avoided × the cost
    of one event, or minutes reclaimed × the loaded cost of a minute, against an agreed
    baseline rate; each figure with its source."""

    kind = choice_field(ValueKind.choices, label="Valued as", required="Choose how it is valued.")
    baseline = forms.DecimalField(
        label="Baseline rate",
        max_digits=20,
        decimal_places=6,
        help_text="The agreed pre-intervention rate, in the metric's unit.",
        error_messages={
            "required": "Give the baseline rate, in the metric's unit.",
            "invalid": "Enter the baseline as a number, e.g. 2.0.",
        },
    )
    baseline_source = forms.CharField(
        label="Baseline source",
        max_length=200,
        error_messages={"required": "Say where the baseline comes from."},
    )
    unit_cost = forms.DecimalField(
        label="Unit cost",
        max_digits=12,
        decimal_places=2,
        help_text="Per event avoided, or per minute reclaimed.",
        error_messages={
            "required": "Give the unit cost.",
            "invalid": "Enter the unit cost as an amount, e.g. 46000.",
            "max_digits": "Give the unit cost with at most 10 digits before the point.",
            "max_decimal_places": "Give the unit cost with at most 2 decimals.",
        },
    )
    unit_cost_source = forms.CharField(
        label="Unit cost source",
        max_length=200,
        help_text="Shown in the report beside the figure.",
        error_messages={"required": "Say where the unit cost comes from: the report shows it."},
    )
    exposure_label = forms.CharField(
        label="Exposure",
        max_length=40,
        help_text="What the denominator counts, e.g. line-days, clinician-days.",
        error_messages={"required": "Say what the exposure counts, e.g. line-days."},
    )
    phi_confirmed = phi_confirmed_field()

    @staticmethod
    def initial_for(basis: ValueBasis | None) -> dict[str, Any]:
        return {} if basis is None else values_of(basis, VALUE_BASIS_FIELDS)
