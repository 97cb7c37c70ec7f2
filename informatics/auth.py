"""Sign-in plumbing: e-mail addresses are matched without regard to case; failed sign-ins lock
an account for one address only (django-axes) and slow it down for every address (a short
progressive delay); API tokens can expire; password forms rotate the API token."""

import datetime
import math
from dataclasses import dataclass
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_client_username
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from informatics import selectors
from informatics.models import User
from informatics.services.people import user_password_set
from informatics.services.site import local_passwords_on
from informatics.services.sso import user_sso_recheck
from informatics.sso import sso_enabled


def lockout_key(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account a failed sign-in counts against (django-axes), case-folded so that
    "CMO@…" and "cmo@…" share one lock-out."""
    source: Any = credentials if credentials else getattr(request, "data", request.POST)
    username = source.get("username") or source.get("email")
    return str(username).strip().lower() if username else None


# --- Progressive delay per account ----------------------------------------------------------
# Axes locks an account for one client address only, so that anyone can no longer lock anyone
# out. Guessing from many addresses is slowed per account instead: once an account has
# LOGIN_DELAY_AFTER_FAILURES failed sign-ins (from any address), each further attempt must wait
# 2^k seconds after the last failure (k = failures beyond that number), at most
# LOGIN_DELAY_MAX_SECONDS. The count lives in the cache (shared through Redis when configured)
# and is forgotten after AXES_COOLOFF_TIME without a failure, or on a successful sign-in.


@dataclass(frozen=True)
class FailureCount:
    """Failed sign-ins of one account since the count was last reset, and when the last was."""

    failures: int
    last_failure: datetime.datetime


def _failure_keys(account: str) -> tuple[str, str]:
    return f"sign-in-failures:{account}", f"sign-in-last-failure:{account}"


def login_failures(account: str) -> FailureCount | None:
    """The account's current failure count, or None when it has none (or it has lapsed)."""
    count_key, last_key = _failure_keys(account)
    stored = cache.get_many([count_key, last_key])
    if not stored.get(count_key) or last_key not in stored:
        return None
    count = FailureCount(
        failures=int(stored[count_key]),
        last_failure=datetime.datetime.fromisoformat(stored[last_key]),
    )
    # The cache's own expiry runs on the server's clock; this check runs on Django's.
    if timezone.now() - count.last_failure >= settings.AXES_COOLOFF_TIME:
        return None
    return count


def login_delay(count: FailureCount | None) -> datetime.timedelta:
    """How long after its last failure an account must wait before the next attempt."""
    if count is None or count.failures < settings.LOGIN_DELAY_AFTER_FAILURES:
        return datetime.timedelta(0)
    beyond = count.failures - settings.LOGIN_DELAY_AFTER_FAILURES
    seconds = min(2 ** min(beyond, 30), settings.LOGIN_DELAY_MAX_SECONDS)
    return datetime.timedelta(seconds=seconds)


def login_wait_seconds(account: str) -> int:
    """Whole seconds until the account may try to sign in again (0: it may now)."""
    count = login_failures(account)
    if count is None:
        return 0
    remaining = count.last_failure + login_delay(count) - timezone.now()
    return max(0, math.ceil(remaining.total_seconds()))


def login_failure_record(account: str) -> None:
    """Count one failed sign-in against the account (an atomic increment, so that failures
    arriving at once from many addresses are all counted)."""
    count_key, last_key = _failure_keys(account)
    timeout = int(settings.AXES_COOLOFF_TIME.total_seconds())
    if login_failures(account) is None:
        cache.set(count_key, 0, timeout=timeout)  # none yet, or the old count has lapsed
    cache.add(count_key, 0, timeout=timeout)
    cache.incr(count_key)
    cache.touch(count_key, timeout=timeout)
    cache.set(last_key, timezone.now().isoformat(), timeout=timeout)


def login_failures_reset(account: str) -> None:
    cache.delete_many(list(_failure_keys(account)))


class SignInBackend(AxesStandaloneBackend, ModelBackend):
    """Django's model backend behind two checks: django-axes' lock-out of this account from
    this address, then the account's progressive delay. A refused attempt marks the request
    (`axes_locked_out`, and `login_wait_seconds` for the delay) so the login page answers with
    the lock-out page and the token endpoint with 429. Like axes, it needs the request."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        # Raises PermissionDenied while axes holds this account locked for this address.
        AxesStandaloneBackend.authenticate(self, request, username, password, **kwargs)
        if not local_passwords_on():
            raise PermissionDenied("Local passwords are switched off: sign in with single sign-on.")
        given = username or kwargs.get("email")
        account = str(given).strip().lower() if given else ""
        if account:
            wait = login_wait_seconds(account)
            if wait:
                request.login_wait_seconds = wait  # type: ignore[union-attr]
                request.axes_locked_out = True  # type: ignore[union-attr]
                raise PermissionDenied("Wait before trying to sign in to this account again.")
        user = ModelBackend.authenticate(self, request, username, password, **kwargs)
        if user is None:
            if account:
                login_failure_record(account)
            # Refuse rather than answer None, which would send Django on to the next backend.
            raise PermissionDenied("Wrong e-mail address or password.")
        if account:
            login_failures_reset(account)
        return user


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any]
) -> HttpResponse:
    """The lock-out page (AXES_LOCKOUT_CALLABLE): either this account is locked for this
    address for the cool-off, or the account must wait a few seconds before its next try."""
    wait = getattr(request, "login_wait_seconds", 0)
    context = {
        "username": get_client_username(request, credentials) or "",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_timedelta": settings.AXES_COOLOFF_TIME,
        "wait_seconds": wait,
    }
    response = render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)
    retry_after = wait or int(settings.AXES_COOLOFF_TIME.total_seconds())
    response["Retry-After"] = str(retry_after)
    return response


# --- API tokens -----------------------------------------------------------------------------


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing a token older than API_TOKEN_TTL_DAYS (when set),
    and re-checking with the identity provider a user who signed in through it (as a page
    does: a refusal deletes the token)."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        if sso_enabled() and not user_sso_recheck(user=user):
            raise exceptions.AuthenticationFailed(
                "The identity provider no longer confirms this account: its token was revoked."
            )
        if selectors.token_has_expired(token=token):
            raise exceptions.AuthenticationFailed(
                f"This token expired (tokens last {settings.API_TOKEN_TTL_DAYS} days): "
                "obtain a new one at POST /api/v1/auth/token/."
            )
        return user, token


# --- Password forms -------------------------------------------------------------------------


class _PasswordSetMixin:
    """Sets the password through the service, which also rotates the API token."""

    def set_password_and_save(
        self,
        user: User,
        password_field_name: str = "password1",  # noqa: S107 (a field name: Django's signature)
        commit: bool = True,
    ) -> User:
        password: str = self.cleaned_data[password_field_name]  # type: ignore[attr-defined]
        if not commit:
            user.set_password(password)
            return user
        return user_password_set(user=user, password=password)


class SetPasswordForm(_PasswordSetMixin, auth_forms.SetPasswordForm):
    """A new password from a reset (or invitation) link."""


class PasswordChangeForm(_PasswordSetMixin, auth_forms.PasswordChangeForm):
    """A new password chosen by a signed-in person, who gives the old one too."""
