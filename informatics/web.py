"""Page plumbing every app shares: the request type of signed-in pages, the date widget, a
service's errors put back on a form (with what the PHI guard saw), the PHI confirmation box,
the context of a create or edit page, and the read-only admin page. The kernel publishes
these here so that no app imports another's views, forms or admin."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.safestring import SafeString

from informatics.models import User
from informatics.phi import PhiFlagged, phi_highlight


class AuthedRequest(HttpRequest):
    """A request behind `login_required`: its user is a signed-in User."""

    user: User


class DateInput(forms.DateInput):
    input_type = "date"


def add_service_errors(form: forms.Form, error: ValidationError, **aliases: str) -> None:
    """Put a service's ValidationError on the form: each message on the field it names (or on
    the form when it names no field of this form). `aliases` maps a service's field name to
    the form's, e.g. `sla_hours="sla_fast_track"`."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        field = aliases.get(name, name)
        form.add_error(field if field in form.fields else None, messages)


PHI_CONFIRM_LABEL = "This is not patient information"
PHI_CONFIRM_HELP = (
    "Tick this only if the highlighted text is not about a patient (for example a made-up "
    "example or a department's phone number). Otherwise edit it out; your confirmation is kept "
    "on the record."
)


def phi_confirmed_field() -> forms.BooleanField:
    """The box a user ticks to save text the PHI guard flagged, confirming it is not PHI."""
    return forms.BooleanField(required=False, label=PHI_CONFIRM_LABEL, help_text=PHI_CONFIRM_HELP)


def service_errors(
    form: forms.Form, error: ValidationError, **aliases: str
) -> dict[str, SafeString]:
    """Put a service's error on the form. When it was the PHI guard, return each flagged
    field's text with what was seen highlighted, for the page to show beside the field."""
    seen: dict[str, SafeString] = {}
    if isinstance(error, PhiFlagged):
        for name, findings in error.findings.items():
            field = aliases.get(name, name)
            text = form.cleaned_data.get(field)  # read before add_error drops the field
            if isinstance(text, str):
                seen[field] = phi_highlight(text, findings)
    add_service_errors(form, error, **aliases)
    return seen


def form_context(form: forms.Form, phi_seen: dict[str, SafeString], **extra: Any) -> dict[str, Any]:
    """A create or edit page's context: the form, and what the PHI guard saw. The confirmation box
    shows once the guard has flagged something (and stays while it is ticked)."""
    return {
        "form": form,
        "phi_seen": phi_seen,
        "phi_flagged": bool(phi_seen) or bool(form["phi_confirmed"].value()),
        **extra,
    }


class ReadOnlyAdmin(admin.ModelAdmin):
    """An admin page that shows and searches records, never changes them: every app's records
    change through its services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
