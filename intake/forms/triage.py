"""Triage's forms: the ratings a score needs, triage on a request's page and on the board, bulk
triage, a move along the status table, and a merge."""

from typing import Any

from django import forms

from informatics.choices import Route
from informatics.web import offer_choices, optional_choice_field, phi_confirmed_field
from intake.choices import DEFAULT_ROUTE, DeclineReason, RequestKind, RequestStatus
from intake.forms.submit import active_priorities
from intake.models import IntakeRequest, Rubric

RATING_CHOICES: list[tuple[str, str]] = [
    ("", "Not rated"),
    *((str(n), str(n)) for n in range(6)),
]


class RatingsForm(forms.Form):
    """A triage form with a rating field for each of the rubric's criteria but reach (the
    people behind a request rate its reach): `rating_input` makes a criterion's field."""

    def __init__(self, *args: Any, rubric: Rubric, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.criteria = [c for c in rubric.criteria if c["code"] != "reach"]
        for n, criterion in enumerate(self.criteria):
            self.fields[self.rating_field(criterion["code"])] = self.rating_input(n, criterion)

    def rating_input(self, n: int, criterion: dict[str, Any]) -> forms.Field:
        """The field of the `n`th criterion."""
        raise NotImplementedError

    @staticmethod
    def rating_field(code: str) -> str:
        return f"rating_{code}"

    def rating_fields(self) -> list[forms.BoundField]:
        return [self[self.rating_field(c["code"])] for c in self.criteria]

    @classmethod
    def ratings_initial(cls, request: IntakeRequest) -> dict[str, Any]:
        """A request's ratings as the initial values of the rating fields."""
        return {cls.rating_field(code): rating for code, rating in request.ratings.items()}

    def rating_aliases(self) -> dict[str, str]:
        """A service error on `ratings` goes beside the first rating field."""
        fields = self.rating_fields()
        return {"ratings": fields[0].name} if fields else {}

    def ratings(self) -> dict[str, Any]:
        """The ratings as `request_triage`'s: every criterion, so a rating set back to "Not
        rated" (blank) is removed."""
        return {c["code"]: self.cleaned_data[self.rating_field(c["code"])] for c in self.criteria}


class TriageForm(RatingsForm):
    """Kind, route, linked priorities and the rubric's ratings (0–5) of one request."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    kind = forms.ChoiceField(choices=RequestKind.choices, label="Kind")
    route = forms.ChoiceField(
        choices=[("", "Not routed yet"), *Route.choices], required=False, label="Route"
    )
    priorities = forms.ModelMultipleChoiceField(
        queryset=active_priorities(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Linked strategic priorities",
    )
    reach_rating = forms.TypedChoiceField(
        choices=RATING_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        label="Reach (override)",
        help_text="Leave “Not rated” to follow the people behind the request; rate higher "
        "for an enterprise-wide problem.",
    )
    build_hours = forms.IntegerField(
        required=False,
        min_value=0,
        label="Build hours (estimate)",
        help_text="Sets the effort band: XS under 8, S under 40, M under 160, L under 500, XL.",
        error_messages={"invalid": "Enter the build hours as a whole number."},
    )

    def rating_input(self, n: int, criterion: dict[str, Any]) -> forms.Field:
        return forms.TypedChoiceField(
            choices=RATING_CHOICES,
            coerce=int,
            empty_value=None,
            required=False,
            label=f"{criterion['label']} (weight {criterion['weight']})",
        )

    @classmethod
    def initial_for(cls, request: IntakeRequest) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "version": request.version,
            "kind": request.kind,
            "route": request.route,
            "priorities": [p.pk for p in request.priorities.all()],
            "reach_rating": request.reach_rating,
            "build_hours": request.build_hours,
        }
        return {**initial, **cls.ratings_initial(request)}

    def changes(self) -> dict[str, Any]:
        """The cleaned values as keyword arguments of `request_triage` (without version)."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "route": data["route"] or None,
            "priorities": list(data["priorities"]),
            "ratings": self.ratings(),
            "reach_rating": data["reach_rating"],
            "build_hours": data["build_hours"],
        }


class TransitionForm(forms.Form):
    """Move a request to another status. The page offers only the table's next statuses; any
    other value still reaches the service, whose refusal says what is allowed."""

    to_status = forms.ChoiceField(
        choices=RequestStatus.choices,
        label="Move to",
        error_messages={"required": "Choose the status to move the request to."},
    )
    decline_reason = optional_choice_field(DeclineReason.choices, label="Reason, when declining")
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Note to the submitter (optional)",
        max_length=2000,
    )
    phi_confirmed = phi_confirmed_field()

    def __init__(self, *args: Any, allowed: tuple[str, ...] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        offer_choices(
            self,
            "to_status",
            "Choose the next step…",
            ((s, RequestStatus(s).label) for s in allowed),
        )

    def values(self) -> dict[str, Any]:
        """The cleaned values as keyword arguments of `request_transition`."""
        data = self.cleaned_data
        return {
            "to_status": data["to_status"],
            "note": data["note"].strip(),
            "decline_reason": data["decline_reason"],
            "phi_confirmed": data["phi_confirmed"],
        }


class MergeForm(forms.Form):
    survivor = forms.IntegerField(
        min_value=1,
        label="Merge into request number",
        help_text="This request's people and votes move to that one, and its submitter is told.",
        error_messages={
            "required": "Give the number of the request this one duplicates.",
            "invalid": "Give the request's number, e.g. 12.",
            "min_value": "Give the request's number, e.g. 12.",
        },
    )


class BoardTriageForm(RatingsForm):
    """The triage board's form of one request, made for the keyboard: each rating is one
    digit (0–5, focus moves on to the next as it is typed), the route (its kind's default
    until triage routes it) and the build hours; Enter saves and opens the next request."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    next = forms.IntegerField(widget=forms.HiddenInput, required=False)
    route = forms.ChoiceField(choices=Route.choices, label="Route")
    build_hours = forms.IntegerField(
        required=False,
        min_value=0,
        label="Build hours",
        help_text="Effort: XS under 8, S under 40, M under 160, L under 500, XL.",
        error_messages={"invalid": "Enter the build hours as a whole number."},
        widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
    )

    def rating_input(self, n: int, criterion: dict[str, Any]) -> forms.Field:
        attrs = {
            "min": 0,
            "max": 5,
            "inputmode": "numeric",
            "class": "rating-input",
            "data-autoadvance": "",
        }
        if n == 0:
            attrs["autofocus"] = ""
        return forms.IntegerField(
            required=False,
            min_value=0,
            max_value=5,
            label=criterion["label"],
            help_text=f"Weight {criterion['weight']}",
            error_messages={
                "invalid": "Rate with one digit, 0 to 5.",
                "min_value": "Rate with one digit, 0 to 5.",
                "max_value": "Rate with one digit, 0 to 5.",
            },
            widget=forms.NumberInput(attrs=attrs),
        )

    @classmethod
    def initial_for(cls, request: IntakeRequest, next_pk: int | None) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "version": request.version,
            "next": next_pk,
            "route": request.route or DEFAULT_ROUTE.get(request.kind, ""),
            "build_hours": request.build_hours,
        }
        return {**initial, **cls.ratings_initial(request)}

    def changes(self) -> dict[str, Any]:
        """The cleaned values as keyword arguments of `request_triage` (without version)."""
        data = self.cleaned_data
        return {
            "route": data["route"],
            "ratings": self.ratings(),
            "build_hours": data["build_hours"],
        }


# What the board's bulk action may move requests to: the table's other statuses are reached
# one request at a time (Needs info by a question, Merged by a merge, the later ones by
# governance and the portfolio).
BULK_STATUSES = (
    RequestStatus.TRIAGE,
    RequestStatus.DECLINED,
    RequestStatus.REDIRECTED,
    RequestStatus.WITHDRAWN,
)


class BulkTriageForm(forms.Form):
    """Route and/or move the requests selected on the triage board."""

    selected = forms.TypedMultipleChoiceField(
        choices=[],
        coerce=int,
        label="Requests",
        error_messages={"required": "Select at least one request."},
    )
    route = forms.ChoiceField(
        choices=[("", "Keep their routes"), *Route.choices], required=False, label="Route them to"
    )
    to_status = forms.ChoiceField(
        choices=[("", "Keep their statuses"), *((s.value, s.label) for s in BULK_STATUSES)],
        required=False,
        label="Move them to",
    )
    decline_reason = optional_choice_field(DeclineReason.choices, label="Reason, when declining")

    def __init__(self, *args: Any, selectable: list[int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["selected"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(str(pk), str(pk)) for pk in selectable]
