"""Sign-in pages: the login page (the organisation's button, and the password form while local
passwords are on), and the two ends of single sign-on: the redirect to the identity provider and
the provider's answer. Every failure of the provider's answer ends on a page that says what went
wrong, and signs no one in."""

import logging
from collections.abc import Callable
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET
from joserfc.errors import JoseError

from informatics import services
from informatics.sso import sso_authorize_finish, sso_authorize_redirect, sso_enabled, sso_issuer

logger = logging.getLogger(__name__)

NEXT_KEY = "sso_next"

# What the person is told for each error the provider (or the checks of its answer) gives.
PROVIDER_ERRORS = {
    "access_denied": "The identity provider did not let you sign in to the portal (you "
    "declined, or your account there is disabled).",
    "mismatching_state": "This sign-in could not be matched to one the portal started: it "
    "expired or was altered. Start again from the sign-in page.",
    "invalid_claim": "The identity provider's answer was not meant for this portal (its "
    "audience or issuer is wrong). Ask your administrator to check the portal's registration.",
    "expired_token": "The identity provider's answer had expired by the time it reached the "
    "portal. Start again from the sign-in page.",
    "bad_signature": "The identity provider's answer was not signed by the provider.",
    "missing_claim": "The identity provider's answer lacked a claim the portal checks.",
    "invalid_grant": "The identity provider refused the sign-in code (it expired or was used "
    "already). Start again from the sign-in page.",
}
GENERIC_ERROR = "The identity provider's answer could not be used to sign you in."


def _error_page(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    return render(request, "registration/sso_error.html", {"message": message}, status=status)


class LoginView(auth_views.LoginView):
    """Django's login page, offering the organisation's sign-in button when single sign-on
    is configured; with local passwords switched off (the template's `local_passwords`, from
    the context processor) the form is gone and a POST refused."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_enabled"] = sso_enabled()
        context["sso_label"] = settings.OIDC_BUTTON_LABEL
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not services.local_passwords_on():
            return _error_page(
                request,
                "Signing in with a portal password is switched off: use your organisation's "
                "sign-in button.",
                status=403,
            )
        return super().post(request, *args, **kwargs)


def local_passwords_only(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """A password page (reset, change) that does not exist while local passwords are off."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not services.local_passwords_on():
            raise Http404("Local passwords are switched off.")
        return view(request, *args, **kwargs)

    return wrapped


@require_GET
def sso_login(request: HttpRequest) -> HttpResponse:
    """Send the browser to the identity provider, remembering where to go afterwards."""
    if not sso_enabled():
        raise Http404("Single sign-on is not configured.")
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    request.session[NEXT_KEY] = next_url
    redirect_uri = request.build_absolute_uri(reverse("informatics:sso-callback"))
    try:
        return sso_authorize_redirect(request, redirect_uri=redirect_uri)
    except requests.RequestException as error:
        logger.warning("Single sign-on: the provider's discovery failed: %s", error)
        return _error_page(request, "The identity provider could not be reached.", status=502)


@require_GET
def sso_callback(request: HttpRequest) -> HttpResponse:
    """The provider's answer: sign in the person it vouches for, or say why not."""
    if not sso_enabled():
        raise Http404("Single sign-on is not configured.")
    try:
        token = sso_authorize_finish(request)
        claims = token.get("userinfo")
        if not claims:
            return _error_page(request, "The identity provider sent no ID token.", status=400)
        user = services.user_sso_sign_in(
            issuer=sso_issuer(),
            claims=claims,
            refresh_token=str(token.get("refresh_token") or ""),
        )
    except (AuthlibBaseError, JoseError) as error:
        logger.info("Single sign-on refused: %s %s", error.error, error.description)
        message = PROVIDER_ERRORS.get(str(error.error), GENERIC_ERROR)
        return _error_page(request, message, status=400)
    except requests.RequestException as error:
        logger.warning("Single sign-on: the provider could not be reached: %s", error)
        return _error_page(request, "The identity provider could not be reached.", status=502)
    except services.SignInRefused as error:
        return _error_page(request, str(error), status=403)
    next_url = request.session.pop(NEXT_KEY, "")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(next_url or settings.LOGIN_REDIRECT_URL)
