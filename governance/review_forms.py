"""Forms of the review and action item pages."""

from typing import Any

from django import forms

from governance.models import GovernanceBody
from informatics import limits
from informatics.models import User
from informatics.permissions import Action, can
from informatics.web import phi_confirmed_field


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
