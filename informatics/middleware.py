"""Request middleware of the kernel."""

import zoneinfo
from collections.abc import Callable
from contextvars import ContextVar

from django.contrib.auth import logout
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from informatics.models import User
from informatics.services import site_settings_get, user_sso_confirmed_until
from informatics.sso import sso_enabled


class SiteTimezoneMiddleware:
    """Show times in the organisation's time zone (SiteSettings.time_zone)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == reverse("healthz"):
            # The probe runs its own checks and nothing else: it must answer while the database
            # or the cache is down, with no query of ours in the way.
            return self.get_response(request)
        try:
            timezone.activate(zoneinfo.ZoneInfo(site_settings_get().time_zone))
        except (zoneinfo.ZoneInfoNotFoundError, DatabaseError):
            # An unknown zone falls back to TIME_ZONE; a database outage is for /healthz to
            # report, not for this middleware to turn into a 500.
            timezone.deactivate()
        return self.get_response(request)


_request: ContextVar[HttpRequest | None] = ContextVar("request", default=None)


class CurrentRequestMiddleware:
    """Remember the request being answered, for output that depends on who is asking where no
    request is passed down (PersonRefOutput's e-mail: only admins and the person see it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def current_user() -> User | None:
    """The signed-in user of the request being answered (by session or, once the API has
    authenticated it, by token), or None."""
    request = _request.get()
    user = getattr(request, "user", None)
    return user if isinstance(user, User) else None


# The session key of the moment until which the provider's last confirmation holds.
SSO_CONFIRMED_UNTIL = "sso_confirmed_until"


class SsoRecheckMiddleware:
    """Re-check a signed-in user with the identity provider every OIDC_RECHECK_MINUTES: when
    the provider no longer confirms them, this session ends (with all their others and their
    API token) and the page says why. Does nothing while single sign-on is not configured.
    The session keeps until when the user was confirmed, so pages in between ask nothing of
    the database."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled() or request.path_info == reverse("healthz"):
            return self.get_response(request)  # the probe stays free of the database
        user = getattr(request, "user", None)
        if isinstance(user, User):
            until = request.session.get(SSO_CONFIRMED_UNTIL)
            if until is None or until <= timezone.now().timestamp():
                confirmed = user_sso_confirmed_until(user=user)
                if confirmed is None:
                    logout(request)
                    return render(request, "registration/sso_ended.html", status=401)
                request.session[SSO_CONFIRMED_UNTIL] = confirmed.timestamp()
        return self.get_response(request)
