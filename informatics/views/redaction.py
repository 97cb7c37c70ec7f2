"""Redaction: an admin removes a text from a record and from every copy the portal made of it."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from informatics import phi, services
from informatics.forms import RedactForm
from informatics.permissions import Action, require
from informatics.web import AuthedRequest, submit


def _after_redaction(request: HttpRequest, next_url: str, instance: Any) -> str:
    """Back to the page the admin came from, else the record's page, else home."""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    get_absolute_url = getattr(instance, "get_absolute_url", None)
    if callable(get_absolute_url):
        return str(get_absolute_url())
    return reverse("reports:home")


@login_required
@require_http_methods(["GET", "POST"])
def text_redact(
    request: AuthedRequest, app_label: str, model: str, object_id: str, field: str
) -> HttpResponse:
    """An admin replaces a free text with “[redacted]”, on the record and in its history."""
    require(request.user, Action.ADMINISTER)
    moved_to = phi.redactable_app_label(model.lower())
    if moved_to is not None and moved_to != app_label.lower():
        # An address from before the model moved apps (initiatives → intake) keeps working.
        args = {"app_label": moved_to, "model": model, "object_id": object_id, "field": field}
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        return redirect(reverse("informatics:text-redact", kwargs=args) + query, permanent=True)
    try:
        instance = phi.redaction_target(
            app_label=app_label, model=model, object_id=object_id, field=field
        )
    except LookupError:
        raise Http404("There is no such text to redact.") from None
    field_name = str(getattr(instance._meta.get_field(field), "verbose_name", field))
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    form = RedactForm(request.POST or None, initial={"next": next_url})
    if submit(
        form,
        lambda: services.text_redact(
            actor=request.user, instance=instance, field=field, reason=form.cleaned_data["reason"]
        ),
    ).done:
        messages.success(
            request, f"Redacted the {field_name} of “{instance}”, here and in its history."
        )
        return redirect(_after_redaction(request, form.cleaned_data["next"], instance))
    context = {
        "form": form,
        "instance": instance,
        "model_name": instance._meta.verbose_name,
        "field_name": field_name,
        "text": getattr(instance, field),
        "is_redacted": getattr(instance, field) == phi.REDACTED,
        "cancel_url": _after_redaction(request, next_url, instance),
    }
    return render(request, "informatics/text_redact.html", context)
