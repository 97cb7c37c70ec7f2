"""Forms of a submitter and a voter: the request (its story, how often, who it affects), its edit,
a "+1", and the notes of the thread (a comment, triage's question, the submitter's answer)."""

import uuid
from typing import Any

from django import forms
from django.db.models import Q
from django.urls import reverse

from informatics.models import Facility, StrategicPriority, User
from informatics.web import VersionedEditForm, choice_field, phi_confirmed_field, values_of
from intake.choices import Frequency, RequestKind
from intake.models import IntakeRequest

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


def _active_facilities() -> Any:
    return Facility.objects.filter(is_active=True).order_by("name")


def active_priorities() -> Any:
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
        queryset=active_priorities(),
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
