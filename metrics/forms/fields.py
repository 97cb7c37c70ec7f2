"""What the metric forms share: date and figure fields, the facilities a field offers, and the
base of a form scoped to one facility."""

from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from informatics.models import Facility
from informatics.web import DateInput, ServiceForm

DATE_FORMAT = "%Y-%m-%d"


def date_field(**kwargs: Any) -> forms.DateField:
    messages = {"invalid": "Enter the date as YYYY-MM-DD.", **kwargs.pop("error_messages", {})}
    return forms.DateField(widget=DateInput(format=DATE_FORMAT), error_messages=messages, **kwargs)


def figure_field(label: str, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=20,
        decimal_places=6,
        error_messages={"invalid": f"Enter the {label.lower()} as a number, e.g. 12.5."},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        **kwargs,
    )


def _facilities(keep: int | None = None) -> QuerySet[Facility]:
    wanted = Q(is_active=True)
    if keep is not None:
        wanted |= Q(pk=keep)
    return Facility.objects.filter(wanted).order_by("name")


class FacilityScopedForm(ServiceForm):
    """A form on the metric's page whose `facility` field offers the active facilities."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        facility = self.fields["facility"]
        assert isinstance(facility, forms.ModelChoiceField)
        facility.queryset = _facilities()
