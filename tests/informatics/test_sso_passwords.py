"""The login page with single sign-on configured, and local passwords switched off: the form is
gone and every way of signing in with a password is refused (Done when 4)."""

from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from informatics.models import User
from tests.conftest import snapshot

PASSWORD_FORM = 'name="password"'


@pytest.fixture
def sso_settings(settings: Any) -> Any:
    settings.OIDC_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"
    settings.OIDC_CLIENT_ID = "portal"
    settings.OIDC_CLIENT_SECRET = "secret"
    settings.OIDC_BUTTON_LABEL = "Sign in with Riverside Health"
    return settings


@pytest.fixture
def passwords_off(sso_settings: Any) -> Any:
    sso_settings.LOCAL_PASSWORDS = False
    return sso_settings


def test_the_login_page_offers_the_organisations_button_and_the_form(
    sso_settings: Any, db: None
) -> None:
    response = Client().get("/accounts/login/?next=/requests/")

    assert response.status_code == 200
    assert (
        '<a class="button button--block" href="/sso/login/?next=/requests/">'
        "Sign in with Riverside Health</a>"
    ) in response.text
    assert PASSWORD_FORM in response.text
    assert "Or use your work e-mail address" in response.text


def test_without_single_sign_on_the_login_page_has_no_button(db: None) -> None:
    response = Client().get("/accounts/login/")

    assert "/sso/login/" not in response.text
    assert PASSWORD_FORM in response.text
    assert Client().get("/sso/login/").status_code == 404
    assert Client().get("/sso/callback/?code=x&state=y").status_code == 404


def test_with_passwords_off_the_password_form_is_gone(passwords_off: Any, db: None) -> None:
    response = Client().get("/accounts/login/")

    assert response.status_code == 200
    assert "Sign in with Riverside Health" in response.text
    assert PASSWORD_FORM not in response.text
    assert "Forgotten your password?" not in response.text


def test_with_passwords_off_a_password_post_is_refused(
    passwords_off: Any, make_user: Any, password: str
) -> None:
    user = make_user("cmio", email="cmio@example.org")
    client = Client()
    before = snapshot(User)

    response = client.post("/accounts/login/", {"username": user.email, "password": password})

    assert response.status_code == 403
    assert "Signing in with a portal password is switched off" in response.text
    assert "_auth_user_id" not in client.session
    assert snapshot(User) == before
    assert authenticate(RequestFactory().post("/"), username=user.email, password=password) is None


def test_with_passwords_off_the_token_endpoint_refuses_a_password(
    passwords_off: Any, make_user: Any, password: str
) -> None:
    user = make_user("cmio", email="cmio@example.org")

    response = APIClient().post(
        "/api/v1/auth/token/", {"email": user.email, "password": password}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Local passwords are switched off: sign in with single sign-on and make a "
        "token on your account page."
    }
    assert Token.objects.count() == 0


def test_with_passwords_off_the_password_pages_are_gone(
    passwords_off: Any, client_for: Any
) -> None:
    assert Client().get("/accounts/password_reset/").status_code == 404
    assert Client().post("/accounts/password_reset/", {"email": "x@example.org"}).status_code == (
        404
    )
    assert client_for("cmio").get("/accounts/password_change/").status_code == 404


def test_with_passwords_off_an_existing_api_token_still_works(
    passwords_off: Any, make_user: Any, api_as: Any
) -> None:
    """A person with no identity link is never re-checked (a local account made before the
    switch); a token's use by someone signed in through the provider is re-checked in
    test_sso.py."""
    user = make_user("cmio", email="cmio@example.org")

    assert api_as(user).get("/api/v1/me/").status_code == 200


def test_the_admin_sign_in_goes_through_the_portals_login_page(db: None) -> None:
    response = Client().get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"
