"""The scoring rubric's form (an admin): each criterion's weight and its scale's labels."""

from typing import Any

from django import forms

from intake.choices import EffortBand
from intake.models import Rubric


class RubricForm(forms.Form):
    """An admin's edit of the rubric: each criterion's label and weight, each band's effort
    points. Saving makes a new version; earlier scores keep the version they were made with."""

    note = forms.CharField(
        max_length=200,
        required=False,
        label="What changed, and why (optional)",
    )

    def __init__(self, *args: Any, rubric: Rubric, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.rubric = rubric
        for criterion in rubric.criteria:
            code = criterion["code"]
            self.fields[f"label_{code}"] = forms.CharField(
                max_length=100,
                label=f"Label of “{criterion['label']}”",
                error_messages={"required": "Every criterion needs a label."},
            )
            self.fields[f"weight_{code}"] = forms.IntegerField(
                min_value=0,
                max_value=100,
                label=f"Weight of “{criterion['label']}”",
                error_messages={
                    "required": "Give every criterion a weight (0 to leave it out).",
                    "invalid": "Weights are whole numbers.",
                },
            )
        for band in EffortBand:
            self.fields[f"effort_{band.value}"] = forms.IntegerField(
                min_value=1,
                max_value=100,
                label=f"Effort points of {band.label}",
                error_messages={"required": "Every effort band needs its points."},
            )

    @staticmethod
    def initial_for(rubric: Rubric) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for criterion in rubric.criteria:
            initial[f"label_{criterion['code']}"] = criterion["label"]
            initial[f"weight_{criterion['code']}"] = criterion["weight"]
        for band, points in rubric.effort_points.items():
            initial[f"effort_{band}"] = points
        return initial

    def criterion_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (c["code"], self[f"label_{c['code']}"], self[f"weight_{c['code']}"])
            for c in self.rubric.criteria
        ]

    def effort_fields(self) -> list[forms.BoundField]:
        return [self[f"effort_{band.value}"] for band in EffortBand]

    def update(self) -> dict[str, Any]:
        """The cleaned values as keyword arguments of `rubric_update` (the gates stay)."""
        data = self.cleaned_data
        return {
            "criteria": [
                {
                    "code": c["code"],
                    "label": data[f"label_{c['code']}"].strip(),
                    "weight": data[f"weight_{c['code']}"],
                }
                for c in self.rubric.criteria
            ],
            "gates": self.rubric.gates,
            "effort_points": {band.value: data[f"effort_{band.value}"] for band in EffortBand},
            "note": data["note"].strip(),
        }
