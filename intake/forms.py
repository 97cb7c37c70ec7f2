"""Forms of the intake pages. They parse input into typed values named like the services'
keyword arguments; the services check the business rules (the transition table, the PHI guard,
who may do what) and raise ValidationError naming the field, which the views put back on the
form beside it."""

import uuid
from typing import Any

from django import forms
from django.db.models import Q
from django.urls import reverse

from informatics.choices import Route
from informatics.models import Facility, StrategicPriority, User
from informatics.web import (
    VersionedEditForm,
    choice_field,
    offer_choices,
    optional_choice_field,
    phi_confirmed_field,
    values_of,
)
from intake.choices import (
    DEFAULT_ROUTE,
    DeclineReason,
    EffortBand,
    Frequency,
    RequestKind,
    RequestStatus,
)
from intake.models import IntakeRequest, Rubric
from intake.selectors import REQUEST_SORTS

# The kinds in the words a physician would use; triage sees the official labels.
PLAIN_KINDS: list[tuple[str, str]] = [
    (RequestKind.PAIN_POINT, "Something slows me down or gets in my way"),
    (RequestKind.ENHANCEMENT, "Something works, but could work better"),
    (RequestKind.BREAK_FIX, "Something is broken or shows an error"),
    (RequestKind.SAFETY, "Something could harm a patient"),
    (RequestKind.REGULATORY, "A rule, regulation or accreditation requires a change"),
    (RequestKind.VENDOR_MANDATED, "The EHR vendor requires a change"),
    (RequestKind.TRAINING_GAP, "I don't know how to do something (it may already exist)"),
    (RequestKind.MINOR_CONFIG, "A small setting, list or default is wrong"),
    (RequestKind.NEW_CDS, "I'd like a new alert, reminder or order suggestion"),
    (RequestKind.NEW_CAPABILITY, "The EHR cannot do something I need"),
    (RequestKind.AI, "AI or automation could do this for me"),
    (RequestKind.DATA_REPORT, "I need data or a report"),
]

NO_ATTACHMENTS = (
    "Describe it in words. There are no attachments: screenshots of the EHR carry patient data."
)
RATING_CHOICES: list[tuple[str, str]] = [
    ("", "Not rated"),
    *((str(n), str(n)) for n in range(6)),
]


def _active_facilities() -> Any:
    return Facility.objects.filter(is_active=True).order_by("name")


def _active_priorities() -> Any:
    return StrategicPriority.objects.filter(is_active=True).order_by("rank", "id")


# The request's own answers, copied as they are into the edit form.
REQUEST_ANSWER_FIELDS = (
    "title",
    "kind",
    "story_today",
    "story_wanted",
    "frequency",
    "minutes_lost",
    "is_safety_concern",
    "is_regulatory",
)


class RequestForm(forms.Form):
    """Submit a pain point or request: quick to fill, most fields optional."""

    title = forms.CharField(
        label="In a few words, what is the problem?",
        max_length=200,
        help_text="e.g. “Sepsis alert fires on every post-op tachycardia”. Similar requests "
        "appear below as you type: if one is yours too, “+1” it instead.",
        error_messages={"required": "Give your request a short title."},
    )
    kind = forms.ChoiceField(
        label="What kind of request is it?",
        choices=[("", "Choose the closest…"), *PLAIN_KINDS],
        error_messages={"required": "Choose the kind of request closest to yours."},
        # portal.js ticks "This could harm a patient" when the safety kind is chosen; the
        # form's clean() and the services do the same without JavaScript.
        widget=forms.Select(attrs={"data-ticks-when": RequestKind.SAFETY.value}),
    )
    story_today = forms.CharField(
        label="What happens today?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=NO_ATTACHMENTS,
        error_messages={"required": "Say what happens today."},
    )
    story_wanted = forms.CharField(
        label="What should happen instead?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what should happen instead."},
    )
    frequency = choice_field(
        Frequency.choices,
        label="How often does it happen to you?",
        required="Say how often it happens.",
    )
    minutes_lost = forms.IntegerField(
        label="Minutes lost each time (optional)",
        required=False,
        min_value=0,
        max_value=24 * 60,
        error_messages={
            "invalid": "Enter the minutes as a whole number, e.g. 5.",
            "min_value": "Minutes lost cannot be negative.",
            "max_value": "Minutes lost each time can be at most 1440 (a day).",
        },
    )
    is_safety_concern = forms.BooleanField(
        label="This could harm a patient",
        required=False,
        help_text="Safety concerns go to the fast track, ahead of everything else.",
    )
    is_regulatory = forms.BooleanField(
        label="A regulation or accreditation rule requires it", required=False
    )
    facility = forms.ModelChoiceField(
        queryset=_active_facilities(),
        required=False,
        empty_label="Not specific to one facility",
        label="Facility",
    )
    specialty = forms.CharField(max_length=100, required=False, label="Specialty")
    workflow_area = forms.CharField(
        max_length=100,
        required=False,
        label="Workflow area",
        help_text="e.g. discharge, rounding",
    )
    ehr_module = forms.CharField(
        max_length=100,
        required=False,
        label="EHR module",
        help_text="e.g. orders, inbox, MAR",
    )
    suggested_priority = forms.ModelChoiceField(
        queryset=_active_priorities(),
        required=False,
        empty_label="I don't know",
        label="Which strategic priority does it serve?",
    )
    is_private = forms.BooleanField(
        label="Keep this request private",
        required=False,
        help_text="Only you and the informatics team will see it.",
    )
    phi_confirmed = phi_confirmed_field()
    # A new key each time the blank form is shown, kept when it is shown again with errors:
    # the same form posted twice makes one request.
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False, initial=uuid.uuid4)

    # The fields that may hold patient information, in the order the page shows them.
    free_text = ("title", "story_today", "story_wanted")

    def __init__(
        self,
        *args: Any,
        request: IntakeRequest | None = None,
        suggest_similar: bool = False,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["data-ticks"] = self["is_safety_concern"].id_for_label
        if suggest_similar:
            # htmx asks for similar open requests as the title is typed (a GET with ?title=).
            self.fields["title"].widget.attrs.update(
                {
                    "hx-get": reverse("intake:request-similar"),
                    "hx-trigger": "keyup changed delay:300ms",
                    "hx-target": "#similar-requests",
                    "autocomplete": "off",
                }
            )
        if request is not None:
            # A facility or priority retired since the request was made stays selectable.
            facility = self.fields["facility"]
            assert isinstance(facility, forms.ModelChoiceField)
            facility.queryset = Facility.objects.filter(
                Q(is_active=True) | Q(pk=request.facility_id)
            ).order_by("name")
            priority = self.fields["suggested_priority"]
            assert isinstance(priority, forms.ModelChoiceField)
            priority.queryset = StrategicPriority.objects.filter(
                Q(is_active=True) | Q(pk=request.suggested_priority_id)
            ).order_by("-is_active", "rank", "id")

    def clean(self) -> dict[str, Any]:
        """The kind "Something could harm a patient" is a safety concern (as the services
        decide too): the box comes back ticked."""
        data = super().clean() or {}
        if data.get("kind") == RequestKind.SAFETY:
            data["is_safety_concern"] = True
        return data

    @staticmethod
    def initial_for_user(user: User, facilities: list[Facility]) -> dict[str, Any]:
        """The user's profile, so they type less: their specialty and (the first of) the
        facilities given."""
        return {
            "specialty": user.specialty,
            "facility": facilities[0].pk if facilities else None,
        }

    @staticmethod
    def initial_for(request: IntakeRequest) -> dict[str, Any]:
        return {
            **values_of(request, REQUEST_ANSWER_FIELDS),
            "facility": request.facility_id,
            **values_of(request, ("specialty", "workflow_area", "ehr_module")),
            "suggested_priority": request.suggested_priority_id,
            "is_private": request.is_private,
        }

    def values(self) -> dict[str, Any]:
        """The cleaned values as keyword arguments of `request_submit` (`request_update` for the
        edit form)."""
        data = dict(self.cleaned_data)
        for name in ("title", "specialty", "workflow_area", "ehr_module"):
            data[name] = data[name].strip()
        return data


class RequestEditForm(VersionedEditForm, RequestForm):
    """The submitter's edit of their request, as of the version they loaded."""

    # An edit is kept safe by its version instead (None removes the inherited field).
    submission_key = None  # type: ignore[assignment]


class VoteForm(forms.Form):
    """A "+1" with the voter's own context. The submit page's "+1 instead" buttons post the
    submit form here, so these names match its fields (prefilled from the voter's profile)."""

    specialty = forms.CharField(max_length=100, required=False, label="Your specialty")
    facility = forms.ModelChoiceField(
        queryset=_active_facilities(),
        required=False,
        empty_label="Not specific to one facility",
        label="Your facility",
    )
    frequency = forms.ChoiceField(
        label="How often it happens to you",
        choices=[("", "Not said"), *Frequency.choices],
        required=False,
    )


def _note_form(name: str, text: str, *, label: str, missing: str, help_text: str) -> Any:
    """A form of one free-text note (a comment, question or answer) and the PHI confirmation;
    `text` names the note's field, the one the PHI guard reads."""
    body = forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": missing},
        help_text=help_text,
    )
    fields = {text: body, "phi_confirmed": phi_confirmed_field(), "free_text": (text,)}
    return type(name, (forms.Form,), {"__module__": __name__, **fields})


CommentForm: type[forms.Form] = _note_form(
    "CommentForm",
    "body",
    label="Add a comment",
    missing="Write the comment first.",
    help_text="Everyone who can read this request sees comments. No patient information.",
)
AnswerForm: type[forms.Form] = _note_form(
    "AnswerForm",
    "body",
    label="Your answer",
    missing="Write your answer first.",
    help_text="Your answer sends the request back to triage.",
)
AskForm: type[forms.Form] = _note_form(
    "AskForm",
    "question",
    label="Ask the submitter",
    missing="Write the question first.",
    help_text="The request waits in “Needs info” until the submitter answers.",
)


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
        queryset=_active_priorities(),
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


class SortForm(forms.Form):
    """The request list's order, beside its filters (`?sort=votes`)."""

    sort = forms.ChoiceField(
        choices=[(key, label) for key, (label, _) in REQUEST_SORTS.items()],
        required=False,
        label="Sort by",
    )

    def chosen(self) -> str:
        """The chosen order's key, newest first when none or an unknown one is given."""
        if not self.is_valid():
            return "newest"
        return str(self.cleaned_data["sort"] or "newest")


class SavedViewForm(forms.Form):
    """Save the request list's current filters and order under a name."""

    name = forms.CharField(
        max_length=80,
        label="Name this view",
        error_messages={"required": "Give the view a name."},
    )
    query = forms.CharField(widget=forms.HiddenInput, required=False)


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
