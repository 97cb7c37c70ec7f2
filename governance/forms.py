"""Forms of this app's pages: each gathers the arguments of a governance service; the service
checks the rules (who may decide, what each outcome needs)."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from governance.choices import Outcome, RedirectTo
from governance.models import Decision, GovernanceBody
from informatics import limits
from informatics.models import StrategicPriority
from informatics.web import DateInput, phi_confirmed_field
from initiatives.models import Initiative
from intake.choices import DeclineReason
from intake.models import IntakeRequest


def _number_of(model: Any, noun: str, **kwargs: Any) -> forms.ModelChoiceField:
    """A record named by its number (a hidden field when the page chose it)."""
    return forms.ModelChoiceField(
        queryset=model.objects.all(),
        error_messages={"invalid_choice": f"There is no {noun} with that number."},
        **kwargs,
    )


class DecisionForm(forms.Form):
    """Record a decision about one request or initiative; `supersedes` makes it a correction
    of an earlier one. The fields an outcome does not take stay empty."""

    request = _number_of(IntakeRequest, "request", required=False, widget=forms.HiddenInput)
    initiative = _number_of(Initiative, "initiative", required=False, widget=forms.HiddenInput)
    priority = _number_of(StrategicPriority, "priority", required=False, widget=forms.HiddenInput)
    supersedes = _number_of(Decision, "decision", required=False, widget=forms.HiddenInput)
    body = forms.ModelChoiceField(
        queryset=GovernanceBody.objects.none(),
        label="Deciding body",
        error_messages={"required": "Choose the body that decides."},
    )
    outcome = forms.ChoiceField(
        choices=[("", "Choose the outcome…"), *Outcome.choices],
        label="Outcome",
        error_messages={"required": "Choose the outcome."},
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=limits.NOTE,
        label="Rationale",
        help_text="Why: kept with the decision and the evidence it saw.",
        error_messages={"required": "Say why: the rationale is kept with the decision."},
    )
    revisit_on = forms.DateField(
        widget=DateInput(),
        required=False,
        label="Revisit on",
        help_text="Needed to defer: a date after today.",
        error_messages={"invalid": "Enter the date as YYYY-MM-DD."},
    )
    decline_reason = forms.ChoiceField(
        choices=[("", "—"), *DeclineReason.choices],
        required=False,
        label="Reason for declining",
        help_text="Needed to decline a request; its submitter is told.",
    )
    redirect_to = forms.ChoiceField(
        choices=[("", "—"), *RedirectTo.choices],
        required=False,
        label="Redirect to",
        help_text="Needed to redirect a request.",
    )
    merged_into = _number_of(
        IntakeRequest,
        "request",
        required=False,
        widget=forms.NumberInput,
        label="Merge into request #",
        help_text="Needed to merge: the request that survives.",
    )
    waiver = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=limits.NOTE,
        required=False,
        label="Waiver",
        help_text="Approving an initiative without its informaticist lead or a benefit line: "
        "say why (kept on the decision).",
    )
    phi_confirmed = phi_confirmed_field()
    free_text = ("rationale", "waiver")

    def __init__(self, *args: Any, bodies: QuerySet[GovernanceBody], **kwargs: Any):
        super().__init__(*args, **kwargs)
        body_field = self.fields["body"]
        assert isinstance(body_field, forms.ModelChoiceField)
        body_field.queryset = bodies

    def values(self) -> dict[str, Any]:
        """The cleaned values as keyword arguments of `decision_record`."""
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "request",
                "initiative",
                "priority",
                "supersedes",
                "body",
                "outcome",
                "rationale",
                "revisit_on",
                "decline_reason",
                "redirect_to",
                "merged_into",
                "waiver",
                "phi_confirmed",
            )
        }
