"""Forms of this app's pages. They parse input into typed values; the services check the
rules (a score of 1 to 4 in steps of 0.5, weights of 0 or more) and name the field in error."""

import datetime
from decimal import Decimal
from typing import Any

from django import forms

from governance.choices import MaturityDimension
from governance.services.maturity import actions_field
from informatics import limits
from informatics.web import DateInput, phi_confirmed_field


def _score_field(label: str, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=3,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "1", "max": "4"}),
        error_messages={"required": f"{label} needs a score."},
    )


class MaturityAssessmentForm(forms.Form):
    """Record an assessment: the date, a score per dimension, an optional note."""

    assessed_on = forms.DateField(
        label="Assessed on",
        widget=DateInput(format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the date as YYYY-MM-DD."},
    )
    note = forms.CharField(
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: who took part, what the scores rest on.",
    )
    phi_confirmed = phi_confirmed_field()

    def __init__(self, *args: Any, today: datetime.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if today is not None:
            self.fields["assessed_on"].initial = today
        for dimension, label in MaturityDimension.choices:
            self.fields[dimension] = _score_field(str(label))

    def score_fields(self) -> list[forms.BoundField]:
        return [self[dimension] for dimension in MaturityDimension.values]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "assessed_on": data["assessed_on"],
            "note": data["note"],
            "phi_confirmed": data["phi_confirmed"],
            "scores": {d: data.get(d) for d in MaturityDimension.values},
        }


class MaturityTargetForm(MaturityAssessmentForm):
    """Set the 12-month target: a score and the next-level actions per dimension."""

    due_on = forms.DateField(
        label="Due on", widget=DateInput(format="%Y-%m-%d"), help_text="Usually 12 months on."
    )

    def __init__(self, *args: Any, today: datetime.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, today=today, **kwargs)
        if today is not None:
            self.fields["due_on"].initial = today.replace(year=today.year + 1)
        for dimension, label in MaturityDimension.choices:
            self.fields[actions_field(dimension)] = forms.CharField(
                label=f"{label}: next-level actions",
                required=False,
                max_length=limits.NOTE,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def action_fields(self) -> list[forms.BoundField]:
        return [self[actions_field(d)] for d in MaturityDimension.values]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **super().values(),
            "due_on": data["due_on"],
            "next_actions": {d: data.get(actions_field(d), "") for d in MaturityDimension.values},
        }


class MaturityWeightsForm(forms.Form):
    """The weight of each dimension in the overall score."""

    def __init__(self, *args: Any, weights: dict[str, Decimal] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for dimension, label in MaturityDimension.choices:
            self.fields[dimension] = forms.DecimalField(
                label=str(label),
                max_digits=5,
                decimal_places=2,
                initial=(weights or {}).get(dimension),
                widget=forms.NumberInput(attrs={"step": "0.25", "min": "0"}),
            )

    def values(self) -> dict[str, Any]:
        return {"weights": dict(self.cleaned_data)}
