"""The forms of a metric's page: a target, an annotation, a link to an initiative (picked by
number or title), a measurement entered by hand, and the value basis."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms

from informatics.models import Facility
from informatics.web import ServiceForm, choice_field, phi_confirmed_field, values_of
from initiatives.models import BenefitLine, Initiative
from metrics.choices import AnnotationKind, ValueKind
from metrics.forms.fields import FacilityScopedForm, date_field, figure_field
from metrics.models import ValueBasis
from metrics.services import VALUE_BASIS_FIELDS


class TargetForm(FacilityScopedForm):
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
    due_date = date_field(
        label="Due by", error_messages={"required": "Give the date the target is due."}
    )
    facility = forms.ModelChoiceField(
        queryset=Facility.objects.none(), required=False, empty_label="System-wide"
    )
    note = forms.CharField(
        max_length=200, required=False, help_text="Where the target comes from, e.g. the FY plan."
    )
    phi_confirmed = phi_confirmed_field()


class AnnotationForm(FacilityScopedForm):
    """A PDSA test, a rebase (with its reason) or a note on the metric's timeline."""

    kind = forms.ChoiceField(
        choices=AnnotationKind.choices,
        help_text="A rebase starts new limits from the first period on or after its date. "
        "Go-lives come from the linked initiatives.",
    )
    date = date_field(error_messages={"required": "Give the date it happened."})
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


class MeasurementForm(FacilityScopedForm):
    """One period's figure entered by hand: a value, or numerator and denominator, or all
    three (they must agree)."""

    facility = forms.ModelChoiceField(
        queryset=Facility.objects.none(),
        empty_label="Choose…",
        error_messages={"required": "Choose the facility the figure is for."},
    )
    period_start = date_field(
        label="Period from", error_messages={"required": "Give the first day of the period."}
    )
    period_end = date_field(
        label="Period to", error_messages={"required": "Give the last day of the period."}
    )
    value = figure_field(
        "Value", help_text="Leave blank to compute it from numerator ÷ denominator."
    )
    numerator = figure_field("Numerator")
    denominator = figure_field("Denominator")

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
