"""Forms of this app's pages. They parse input into typed values and gather the arguments of a
governance service; the services check the rules (a maturity score of 1 to 4 in steps of 0.5,
weights of 0 or more, who may decide, what each outcome needs) and name the field in error."""

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet

from governance.choices import MaturityDimension, Outcome, RedirectTo
from governance.models import Decision, GovernanceBody
from governance.services.maturity import actions_field
from informatics import limits
from informatics.choices import Route
from informatics.models import StrategicPriority, User
from informatics.permissions import Action, can
from informatics.web import DateInput, ServiceForm, optional_choice_field, phi_confirmed_field
from initiatives.models import Initiative
from intake.choices import DeclineReason
from intake.models import IntakeRequest


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
        # The page's order: the date, a score per dimension, then the note.
        self.order_fields(["assessed_on", *MaturityDimension.values])

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "assessed_on": data["assessed_on"],
            "note": data["note"],
            "phi_confirmed": data["phi_confirmed"],
            "scores": {d: data.get(d) for d in MaturityDimension.values},
        }


def a_year_on(day: datetime.date) -> datetime.date:
    """The same day a year later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


class MaturityTargetForm(MaturityAssessmentForm):
    """Set the 12-month target: a score and the next-level actions per dimension."""

    due_on = forms.DateField(
        label="Due on", widget=DateInput(format="%Y-%m-%d"), help_text="Usually 12 months on."
    )

    def __init__(self, *args: Any, today: datetime.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, today=today, **kwargs)
        if today is not None:
            self.fields["due_on"].initial = a_year_on(today)
        for dimension, label in MaturityDimension.choices:
            self.fields[actions_field(dimension)] = forms.CharField(
                label=f"{label}: next-level actions",
                required=False,
                max_length=limits.NOTE,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        # The page's order: the dates, a score per dimension, their actions, then the note.
        actions = [actions_field(dimension) for dimension in MaturityDimension.values]
        self.order_fields(["assessed_on", "due_on", *MaturityDimension.values, *actions])

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
    decline_reason = optional_choice_field(
        DeclineReason.choices,
        label="Reason for declining",
        help_text="Needed to decline a request; its submitter is told.",
    )
    redirect_to = optional_choice_field(
        RedirectTo.choices,
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


class RouteOwnersForm(forms.Form):
    """The default body of every intake route, one choice each (an admin's form)."""

    def __init__(self, *args: Any, owners: dict[str, GovernanceBody], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bodies = GovernanceBody.objects.filter(is_active=True).order_by("name")
        for route, label in Route.choices:
            self.fields[route] = forms.ModelChoiceField(
                queryset=bodies,
                label=str(label),
                initial=owners.get(route),
                error_messages={"required": "Choose the body that owns this route."},
            )

    def values(self) -> dict[str, Any]:
        return {"owners": {route: self.cleaned_data[route] for route in Route.values}}


class RequestBodyForm(ServiceForm):
    """Triage chooses the body that decides one request: the route's default body or another
    active body of its kind (`options`). Any body is accepted here, so that the service's own
    refusal (a retired body, another kind) is the message a user reads."""

    body = forms.ModelChoiceField(
        queryset=GovernanceBody.objects.all(),
        label="Deciding body",
        error_messages={
            "required": "Choose the body that decides this request.",
            "invalid_choice": "There is no such body.",
        },
    )
    reason = forms.CharField(
        required=False,
        max_length=200,
        label="Why this body (optional)",
        help_text="For example: the request is about another specialty's workflow.",
    )
    phi_confirmed = phi_confirmed_field()

    def __init__(
        self,
        *args: Any,
        options: Sequence[GovernanceBody],
        default: GovernanceBody | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.choices = [("", "—")] + [
            (body.pk, f"{body} (the route's default)" if body == default else str(body))
            for body in options
        ]


def _people() -> Any:
    return User.objects.filter(is_active=True).order_by("full_name", "pk")


class ReviewForm(forms.Form):
    body = forms.ModelChoiceField(queryset=GovernanceBody.objects.none())
    scheduled_for = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="The date and time of the meeting.",
    )
    attendees = forms.ModelMultipleChoiceField(queryset=User.objects.none(), required=False)
    phi_confirmed = phi_confirmed_field()  # nothing typed here is guarded; form_context reads it

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        bodies = GovernanceBody.objects.filter(is_active=True).select_related("chair")
        allowed = [body.pk for body in bodies if can(user, Action.REVIEW_CHAIR, body)]
        self.fields["body"].queryset = bodies.filter(pk__in=allowed).order_by("name")  # type: ignore[attr-defined]
        self.fields["attendees"].queryset = _people()  # type: ignore[attr-defined]


class MinutesForm(forms.Form):
    attendees = forms.ModelMultipleChoiceField(queryset=User.objects.none(), required=False)
    minutes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}), required=False, max_length=limits.LONG_TEXT
    )
    phi_confirmed = phi_confirmed_field()

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = _people()  # type: ignore[attr-defined]


class AgendaItemForm(forms.Form):
    title = forms.CharField(max_length=200, label="Item")
    phi_confirmed = phi_confirmed_field()


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")], required=False)
    position = forms.IntegerField(min_value=1, required=False)
