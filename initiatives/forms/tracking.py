"""The forms of an initiative's page: a stage move, a status update, milestones, the benefit
plan, linked requests and financial entries."""

from typing import Any

from django import forms

from informatics.choices import ValueCategory
from informatics.web import ServiceForm, choice_field, offer_choices, phi_confirmed_field, values_of
from initiatives.choices import HEALTH_DIMENSIONS, REASON_REQUIRED, FinancialKind, Health, Stage
from initiatives.forms.fields import HEALTH_HELP, REASON_VERBS, RequestNumbersField, date_field
from initiatives.models import BenefitLine, StatusUpdate


class StageForm(forms.Form):
    """Move an initiative to another stage. The page offers the table's next stages that the
    user may take, gates aside (approve, defer and stop are governance decisions); any other value
    still reaches the service, whose refusal says what is allowed. The reason and date fields
    are there only when a stage offered needs them."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    to_stage = forms.ChoiceField(
        choices=Stage.choices,
        label="Move to",
        error_messages={"required": "Choose the stage to move the initiative to."},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        label="Reason",
    )
    go_live_date = date_field(
        required=False,
        label="Go-live date",
        help_text="When it went live; today if left empty. Metrics mark their charts with it.",
    )
    phi_confirmed = phi_confirmed_field()
    free_text = ("reason",)

    def __init__(self, *args: Any, allowed: tuple[str, ...] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        offer_choices(
            self, "to_stage", "Choose the next stage…", ((s, Stage(s).label) for s in allowed)
        )
        reasons = [REASON_VERBS[s] for s in allowed if s in REASON_REQUIRED]
        if reasons:
            self.fields[
                "reason"
            ].help_text = f"Needed to {' or '.join(reasons)}; kept on the stage timeline."
        else:
            del self.fields["reason"]
        if Stage.LIVE not in allowed:
            del self.fields["go_live_date"]

    def move(self) -> dict[str, Any]:
        """The cleaned values as keyword arguments of `initiative_advance`."""
        data = self.cleaned_data
        return {
            "version": data["version"],
            "to_stage": data["to_stage"],
            "reason": data.get("reason", "").strip(),
            "go_live_date": data.get("go_live_date"),
            "phi_confirmed": data["phi_confirmed"],
        }


class StatusUpdateForm(forms.Form):
    """A status report: health per dimension, what happened, and the risks ahead."""

    narrative = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="What happened since the last update",
        error_messages={"required": "Say what happened since the last update."},
        help_text="Everyone can read status updates. No patient information.",
    )
    risks = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Risks and issues"
    )
    phi_confirmed = phi_confirmed_field()
    free_text = ("narrative", "risks")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for dimension in HEALTH_DIMENSIONS:
            self.fields[dimension] = forms.ChoiceField(
                choices=Health.choices,
                label=dimension.capitalize(),
                help_text=HEALTH_HELP[dimension],
                error_messages={"required": f"Rate the {dimension}."},
            )
        self.order_fields([*HEALTH_DIMENSIONS, "narrative", "risks", "phi_confirmed"])

    @staticmethod
    def initial_for(latest: StatusUpdate | None) -> dict[str, Any]:
        """Start from the latest update's health (on track when there is none)."""
        return {
            dimension: getattr(latest, dimension) if latest else Health.ON_TRACK
            for dimension in HEALTH_DIMENSIONS
        }

    def health_fields(self) -> list[forms.BoundField]:
        return [self[dimension] for dimension in HEALTH_DIMENSIONS]

    def values(self) -> dict[str, Any]:
        """The cleaned values as keyword arguments of `status_update_post`."""
        data = self.cleaned_data
        values: dict[str, Any] = {dimension: data[dimension] for dimension in HEALTH_DIMENSIONS}
        values["narrative"] = data["narrative"].strip()
        values["risks"] = data["risks"].strip()
        values["phi_confirmed"] = data["phi_confirmed"]
        return values


class MilestoneForm(ServiceForm):
    title = forms.CharField(
        max_length=200,
        label="Milestone",
        error_messages={"required": "Name the milestone."},
    )
    due_date = date_field(label="Due", error_messages={"required": "Give the due date."})
    phi_confirmed = phi_confirmed_field()


class BenefitForm(forms.Form):
    """One line of the benefit plan. After approval the locked forecast stays as it was; a
    change here shows as variance against it."""

    value_category = choice_field(
        ValueCategory.choices, label="Value category", required="Choose the value category."
    )
    description = forms.CharField(
        max_length=300,
        help_text="e.g. “Minutes per discharge summary”.",
        error_messages={"required": "Say what is measured."},
    )
    unit = forms.CharField(max_length=40, required=False, help_text="e.g. minutes, %, $")
    baseline = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        error_messages={"required": "Give the baseline.", "invalid": "Enter a number."},
    )
    target = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        error_messages={"required": "Give the target.", "invalid": "Enter a number."},
    )
    horizon = date_field(
        help_text="When the target should be reached.",
        error_messages={"required": "Give the horizon."},
    )
    phi_confirmed = phi_confirmed_field()

    @staticmethod
    def initial_for(benefit: BenefitLine) -> dict[str, Any]:
        return values_of(
            benefit, ("value_category", "description", "unit", "baseline", "target", "horizon")
        )

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["description"] = data["description"].strip()
        data["unit"] = data["unit"].strip()
        return data


class LinkRequestsForm(ServiceForm):
    requests = RequestNumbersField(
        label="Link requests",
        help_text="Request numbers, e.g. 12, 15. Each follows the initiative's stage from now "
        "on, and its submitter sees the initiative on their request.",
        error_messages={"required": "Give at least one request number."},
    )


class FinancialEntryForm(ServiceForm):
    """Hard savings or a cost of the initiative, as finance booked it in one month."""

    month = forms.DateField(
        label="Month",
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text="The month finance booked it in.",
        error_messages={
            "required": "Give the month the amount was booked in.",
            "invalid": "Enter the month as YYYY-MM.",
        },
    )
    kind = choice_field(
        FinancialKind.choices, label="Kind", required="Choose hard savings or cost."
    )
    amount = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        error_messages={
            "required": "Give the amount.",
            "invalid": "Enter the amount as a number, e.g. 50000.",
            "max_digits": "Give the amount with at most 12 digits before the point.",
            "max_decimal_places": "Give the amount with at most 2 decimals.",
        },
    )
    source = forms.CharField(
        max_length=200,
        help_text="Where finance booked it, e.g. “Finance GL 6100, November close”.",
        error_messages={"required": "Say where finance booked it."},
    )
    phi_confirmed = phi_confirmed_field()

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["month"] = data["month"].replace(day=1)
        data["source"] = data["source"].strip()
        return data
