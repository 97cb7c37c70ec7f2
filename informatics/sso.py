"""The OpenID Connect client of the organisation's identity provider (authlib), configured from
the settings (OIDC_*): discovery, the authorization-code flow with PKCE and nonce, the ID token's
checks (signature, issuer, audience, expiry), and the refresh-token grant that re-checks a user.
"""

import time
from typing import Any

from authlib.integrations.base_client import MismatchingStateError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

METADATA_CACHE_SECONDS = 3600


def sso_enabled() -> bool:
    """Whether single sign-on is configured (read at each use, so tests may change it)."""
    return bool(settings.OIDC_CLIENT_ID and settings.OIDC_DISCOVERY_URL)


def provider_metadata() -> dict[str, Any]:
    """The provider's discovery document, kept in the cache for an hour."""
    key = f"oidc-metadata:{settings.OIDC_DISCOVERY_URL}"
    metadata: dict[str, Any] | None = cache.get(key)
    if metadata is None:
        with OAuth2Session(default_timeout=settings.OIDC_TIMEOUT_SECONDS) as session:
            response = session.get(settings.OIDC_DISCOVERY_URL, withhold_token=True)
            response.raise_for_status()
            metadata = response.json()
        cache.set(key, metadata, METADATA_CACHE_SECONDS)
    return metadata


def _client() -> DjangoOAuth2App:
    metadata = provider_metadata()
    app: DjangoOAuth2App = OAuth().register(
        "portal",
        client_id=settings.OIDC_CLIENT_ID,
        client_secret=settings.OIDC_CLIENT_SECRET,
        authorize_url=metadata["authorization_endpoint"],
        access_token_url=metadata["token_endpoint"],
        jwks_uri=metadata["jwks_uri"],
        issuer=metadata["issuer"],
        userinfo_endpoint=metadata.get("userinfo_endpoint"),
        client_kwargs={
            "scope": settings.OIDC_SCOPES,
            "code_challenge_method": "S256",
            "default_timeout": settings.OIDC_TIMEOUT_SECONDS,
        },
    )
    return app


def sso_issuer() -> str:
    return str(provider_metadata()["issuer"])


def sso_authorize_redirect(request: HttpRequest, *, redirect_uri: str) -> HttpResponse:
    """Send the browser to the provider. State, nonce and the PKCE verifier stay in the
    session (for an hour) until the provider sends the browser back."""
    response: HttpResponse = _client().authorize_redirect(request, redirect_uri)
    return response


def sso_authorize_finish(request: HttpRequest) -> dict[str, Any]:
    """The provider's answer on the redirect URI: checks the state, exchanges the code (with
    the PKCE verifier) and validates the ID token. Returns the token response with the ID
    token's claims under "userinfo". Raises authlib's errors (OAuthError, MismatchingStateError,
    InvalidClaimError, ExpiredTokenError, …) or requests' on a network failure."""
    client = _client()
    # authlib keeps the state for an hour but does not look at its expiry when it reads it back.
    stored = request.session.get(f"_state_{client.name}_{request.GET.get('state', '')}")
    if stored and stored.get("exp", 0) < time.time():
        raise MismatchingStateError()
    # The audience must be this portal (authlib checks it only through "azp" otherwise).
    claims_options = {
        "iss": {"essential": True, "values": [client.server_metadata["issuer"]]},
        "aud": {"essential": True, "values": [settings.OIDC_CLIENT_ID]},
    }
    token: dict[str, Any] = client.authorize_access_token(request, claims_options=claims_options)
    return token


def sso_refresh(*, refresh_token: str) -> dict[str, Any]:
    """A refresh-token grant: the provider answers only while it still knows the user and
    has not disabled them. Raises authlib's OAuthError or requests' errors otherwise."""
    metadata = provider_metadata()
    with OAuth2Session(
        client_id=settings.OIDC_CLIENT_ID,
        client_secret=settings.OIDC_CLIENT_SECRET,
        default_timeout=settings.OIDC_TIMEOUT_SECONDS,
    ) as session:
        token: dict[str, Any] = session.refresh_token(
            metadata["token_endpoint"], refresh_token=refresh_token
        )
    return token
