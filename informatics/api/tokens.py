"""API tokens. Obtaining one is a sign-in: django-axes counts its failures and locks the account
(for this address) exactly as it does on the login page, the account's progressive delay
applies too, and a success resets the counts and sets last_login."""

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in
from rest_framework import exceptions
from rest_framework.authtoken.models import Token
from rest_framework.request import Request

from informatics.models import User
from informatics.services import local_passwords_on, user_token_current

BAD_CREDENTIALS = "Unable to sign in with this e-mail address and password."
LOCAL_PASSWORDS_OFF = (
    "Local passwords are switched off: sign in with single sign-on and make a token on your "
    "account page."
)
INACTIVE = "This account has been deactivated. Ask a portal administrator to reactivate it."


def token_obtain(*, request: Request, email: str, password: str) -> Token:
    """The user's API token (created on first use) for a good e-mail and password.

    Raises DRF's ValidationError (400) for bad credentials or a deactivated account, and
    Throttled (429) while axes holds the account locked for this address or the account must
    wait after recent failures, and PermissionDenied (403) while local passwords are switched off.
    An expired token is replaced by a new one.
    """
    if not local_passwords_on():
        raise exceptions.PermissionDenied(LOCAL_PASSWORDS_OFF)
    email = email.strip().lower()  # one spelling per account, so the lockout cannot be dodged
    # The DRF request goes to axes as is: its lockout flag lands on this request, so the API
    # answers in JSON instead of AxesMiddleware swapping in the HTML lockout page. Axes reads
    # the account from the "username" credential (AXES_USERNAME_FORM_FIELD), as on the login page.
    user = authenticate(request=request, username=email, password=password)
    if user is None:
        wait = getattr(request, "login_wait_seconds", 0)
        if wait:
            raise exceptions.Throttled(
                wait=wait,
                detail="Too many failed sign-in attempts for this account just now.",
            )
        if getattr(request, "axes_locked_out", False):
            cool_off = settings.AXES_COOLOFF_TIME
            minutes = int(cool_off.total_seconds() // 60)
            raise exceptions.Throttled(
                wait=cool_off.total_seconds(),
                detail=f"Too many failed sign-in attempts: this account is locked for {minutes} "
                "minutes.",
            )
        # Say so when the password is right but the account is deactivated; a wrong password
        # on a deactivated account reveals nothing.
        inactive = User.objects.filter(email=email, is_active=False).first()
        if inactive is not None and inactive.check_password(password):
            raise exceptions.ValidationError({"non_field_errors": [INACTIVE]})
        raise exceptions.ValidationError({"non_field_errors": [BAD_CREDENTIALS]})
    user_logged_in.send(sender=type(user), request=request, user=user)
    return user_token_current(user=user)
