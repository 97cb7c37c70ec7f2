"""Forms of the kernel's pages. They parse input into typed values; the services check the
business rules and raise ValidationError naming the field, which the views put back on the form.
"""

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.db.models import Q

from informatics.choices import NotificationPreference, Role, Route, ValueCategory
from informatics.models import Facility, SiteSettings, StrategicPriority, User
from informatics.web import (
    DateInput,
    ServiceForm,
    VersionedEditForm,
    code_field,
    phi_confirmed_field,
    several_field,
    values_of,
)


class PriorityForm(ServiceForm):
    """Create or edit a strategic priority."""

    code = code_field(
        max_length=40,
        help_text="A short unique key, e.g. patient-safety (letters, digits, hyphens).",
        required="Give the priority a short code.",
    )
    title = forms.CharField(
        max_length=200, error_messages={"required": "A priority needs a title."}
    )
    goal_statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what the priority aims to achieve."},
    )
    executive_sponsor = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("full_name", "email"),
        required=False,
        empty_label="No sponsor yet",
    )
    value_category = forms.ChoiceField(
        choices=ValueCategory.choices,
        error_messages={"required": "Choose the value category the priority serves."},
    )
    horizon = forms.DateField(
        widget=DateInput(format="%Y-%m-%d"),
        help_text="When the goal should be reached.",
        error_messages={
            "required": "Give the horizon: the date the goal should be reached.",
            "invalid": "Enter the horizon as a date, YYYY-MM-DD.",
        },
    )
    phi_confirmed = phi_confirmed_field()

    def __init__(self, *args: Any, priority: StrategicPriority | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if priority is not None and priority.executive_sponsor_id is not None:
            # A sponsor who has since left stays selectable, so other edits can still be saved.
            sponsor = self.fields["executive_sponsor"]
            assert isinstance(sponsor, forms.ModelChoiceField)
            sponsor.queryset = User.objects.filter(
                Q(is_active=True) | Q(pk=priority.executive_sponsor_id)
            ).order_by("full_name", "email")

    @staticmethod
    def initial_for(priority: StrategicPriority) -> dict[str, Any]:
        return {
            **values_of(priority, ("code", "title", "goal_statement")),
            "executive_sponsor": priority.executive_sponsor_id,
            **values_of(priority, ("value_category", "horizon")),
        }


class PriorityEditForm(VersionedEditForm, PriorityForm):
    """Edit a strategic priority, as of the version the editor loaded."""


class PriorityRetireForm(ServiceForm):
    retired_reason = forms.CharField(
        label="Why is this priority retired?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the priority is retired."},
        help_text="Kept on the record, and shown wherever the priority still appears.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    phi_confirmed = phi_confirmed_field()

    def values(self) -> dict[str, Any]:
        """The service's arguments: the version, the reason and the PHI confirmation."""
        values = super().values()
        values["reason"] = values.pop("retired_reason")
        return values


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class PersonForm(forms.Form):
    """Edit a person's name, roles and facilities (the e-mail address is their login)."""

    full_name = forms.CharField(
        label="Name", max_length=150, error_messages={"required": "A name is required."}
    )
    title = forms.CharField(max_length=150, required=False, help_text="e.g. Hospitalist, CNO")
    specialty = forms.CharField(max_length=100, required=False)
    roles = forms.MultipleChoiceField(
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Give the person at least one role."},
    )
    facilities = several_field(
        Facility.objects.filter(is_active=True).order_by("name"),
        size=8,
        help_text="Where this person works; hold Ctrl (or ⌘) to choose several.",
    )

    def __init__(self, *args: Any, person: User | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if person is not None:
            # Facilities since closed stay selectable for the people still assigned to them.
            facilities = self.fields["facilities"]
            assert isinstance(facilities, forms.ModelMultipleChoiceField)
            facilities.queryset = (
                Facility.objects.filter(Q(is_active=True) | Q(people=person))
                .distinct()
                .order_by("name")
            )

    @staticmethod
    def initial_for(user: User) -> dict[str, Any]:
        return {
            **values_of(user, ("full_name", "title", "specialty")),
            "roles": [group.name for group in user.groups.all()],
            "facilities": [facility.pk for facility in user.facilities.all()],
        }


class InviteForm(PersonForm):
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        error_messages={
            "required": "An e-mail address is required.",
            "invalid": "Enter a valid e-mail address, e.g. name@hospital.org.",
        },
    )

    field_order = ["email", "full_name", "title", "specialty", "roles", "facilities"]


class ActiveForm(forms.Form):
    is_active = forms.TypedChoiceField(
        choices=[("true", "Active"), ("false", "Deactivated")],
        coerce=lambda value: value == "true",
    )


class SiteSettingsForm(forms.Form):
    """The organisation's settings, with one hours field per intake route."""

    organisation_name = forms.CharField(max_length=200)
    time_zone = forms.CharField(
        max_length=64, help_text="An IANA time zone, e.g. America/Chicago or Europe/London."
    )
    fiscal_year_start_month = forms.TypedChoiceField(
        label="Fiscal year starts in",
        coerce=int,
        choices=[
            (1, "January"),
            (2, "February"),
            (3, "March"),
            (4, "April"),
            (5, "May"),
            (6, "June"),
            (7, "July"),
            (8, "August"),
            (9, "September"),
            (10, "October"),
            (11, "November"),
            (12, "December"),
        ],
    )
    currency = forms.CharField(
        max_length=3, min_length=3, help_text="An ISO 4217 code, e.g. USD, EUR, GBP."
    )
    stale_after_days = forms.IntegerField(
        min_value=1,
        max_value=365,
        help_text="An initiative with no status update for this many days is stale.",
    )

    local_passwords = forms.TypedChoiceField(
        label="Local passwords",
        choices=[
            ("true", "On: people may also sign in with a portal password"),
            ("false", "Off: people sign in through single sign-on only"),
        ],
        coerce=lambda value: value == "true",
        help_text="Off also removes password reset and change, and the API's password sign-in. "
        "It can be switched off only once single sign-on is configured; the operator's "
        "LOCAL_PASSWORDS=false switches passwords off whatever this says.",
    )

    SIGN_IN_FIELDS = ("local_passwords",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for route in Route:
            self.fields[self.sla_field(route)] = forms.IntegerField(
                label=f"{route.label} (hours)", min_value=1, max_value=24 * 365
            )

    @staticmethod
    def sla_field(route: str) -> str:
        return f"sla_{route}"

    def sla_fields(self) -> list[forms.BoundField]:
        return [self[self.sla_field(route)] for route in Route]

    def general_fields(self) -> list[forms.BoundField]:
        return [
            self[name]
            for name in self.fields
            if not name.startswith("sla_") and name not in self.SIGN_IN_FIELDS
        ]

    def sign_in_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.SIGN_IN_FIELDS]

    @classmethod
    def initial_for(cls, row: SiteSettings) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "organisation_name": row.organisation_name,
            "time_zone": row.time_zone,
            "fiscal_year_start_month": row.fiscal_year_start_month,
            "currency": row.currency,
            "stale_after_days": row.stale_after_days,
            "local_passwords": "true" if row.local_passwords else "false",
        }
        for route in Route:
            initial[cls.sla_field(route)] = row.sla_hours.get(str(route))
        return initial

    def changes(self) -> dict[str, Any]:
        """The cleaned values as keyword arguments of `site_settings_update`."""
        data = self.cleaned_data
        return {
            "organisation_name": data["organisation_name"].strip(),
            "time_zone": data["time_zone"].strip(),
            "fiscal_year_start_month": data["fiscal_year_start_month"],
            "currency": data["currency"].strip().upper(),
            "stale_after_days": data["stale_after_days"],
            "sla_hours": {str(route): data[self.sla_field(route)] for route in Route},
            "local_passwords": data["local_passwords"],
        }


class NotificationPreferenceForm(forms.Form):
    """How a person hears about changes to what they follow."""

    notification_preference = forms.ChoiceField(
        label="E-mail me about changes",
        choices=NotificationPreference.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you want to hear about changes."},
    )


class RedactForm(forms.Form):
    reason = forms.CharField(
        label="Why is this text redacted?",
        max_length=200,
        help_text="Kept with the redaction record (who, when, which field). Do not repeat the "
        "text itself.",
        error_messages={"required": "Say why the text is redacted."},
    )
    next = forms.CharField(widget=forms.HiddenInput, required=False)


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, which also reaches invited people who have not set a password yet
    (their invitation link may have expired); deactivated accounts are still never reached."""

    def get_users(self, email: str) -> Iterator[Any]:
        yield from User.objects.filter(email__iexact=email.strip(), is_active=True)
