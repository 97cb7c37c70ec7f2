"""Forms of this app's pages."""

from django import forms

from informatics import limits
from informatics.models import StrategicPriority
from informatics.web import ServiceForm, phi_confirmed_field


class NarrativeForm(ServiceForm):
    narrative = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=limits.NOTE,
        help_text="What the month's figures mean, for the executives who read the report.",
    )
    phi_confirmed = phi_confirmed_field()


class DraftRequestForm(forms.Form):
    month = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Any day of the month the report covers.",
    )
    priority = forms.ModelChoiceField(
        queryset=StrategicPriority.objects.order_by("rank", "pk"),
        required=False,
        empty_label="The whole organisation",
    )
