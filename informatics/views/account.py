"""One's own account: notification settings, API access (a personal token) and signing out
everywhere."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from informatics import selectors, services
from informatics.forms import NotificationPreferenceForm
from informatics.web import AuthedRequest, submit


@login_required
@require_http_methods(["GET", "POST"])
def account_notifications(request: AuthedRequest) -> HttpResponse:
    """Everyone chooses how they hear from the portal; the page changes only their own."""
    initial = {"notification_preference": request.user.notification_preference}
    form = NotificationPreferenceForm(request.POST or None, initial=initial)
    if submit(
        form,
        lambda: services.notification_preference_set(
            actor=request.user, preference=form.cleaned_data["notification_preference"]
        ),
    ).done:
        messages.success(request, "Saved how you hear about changes.")
        return redirect("informatics:account-notifications")
    return render(request, "informatics/account_notifications.html", {"form": form})


@login_required
@require_GET
def account_access(request: AuthedRequest) -> HttpResponse:
    """A person's own API token (whether they have one, when it was made, when it expires;
    never its key) and the way to end every session."""
    return _account_access_page(request)


def _account_access_page(request: AuthedRequest, new_key: str = "") -> HttpResponse:
    token = selectors.user_token_status(user=request.user)
    return render(request, "informatics/account_access.html", {"token": token, "new_key": new_key})


@login_required
@require_POST
def account_token_create(request: AuthedRequest) -> HttpResponse:
    """A new API token, replacing any other; its key is shown on this answer only."""
    token = services.user_token_create(user=request.user)
    return _account_access_page(request, new_key=token.key)


@login_required
@require_POST
def account_token_revoke(request: AuthedRequest) -> HttpResponse:
    if services.user_token_revoke(user=request.user):
        messages.success(request, "Your API token was revoked: it no longer works.")
    else:
        messages.info(request, "You had no API token.")
    return redirect("informatics:account-access")


@login_required
@require_POST
def account_sign_out_everywhere(request: AuthedRequest) -> HttpResponse:
    """End every session of this person, on every device, and delete their API token."""
    services.user_sign_out_everywhere(user=request.user)
    logout(request)
    return render(request, "registration/logged_out.html", {"everywhere": True})
