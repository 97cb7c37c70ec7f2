"""The admin's switch of local passwords (SiteSettings.local_passwords) beside the operator's
(LOCAL_PASSWORDS): passwords are on only while both are; the admin may switch them off only once
single sign-on is configured; only the admin may switch them at all."""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from informatics import services
from informatics.models import AuditEvent, SiteSettings, User
from informatics.services.site import PASSWORDS_NEED_SSO
from tests.conftest import snapshot
from tests.informatics.test_people import NON_ADMIN_ROLES, settings_data

pytestmark = pytest.mark.django_db

PASSWORD_FORM = 'name="password"'
CHANGE_PASSWORD_LINK = ">Change password</a>"
# The login page reads nothing from the database while the site settings are cached.
LOGIN_PAGE_QUERIES = 0


def site_passwords(on: bool) -> None:
    """Set the admin's switch directly (as a row already saved), and drop the cached row."""
    services.site_settings_get()
    SiteSettings.objects.filter(pk=1).update(local_passwords=on)
    cache.delete(services.SITE_SETTINGS_CACHE_KEY)


def test_the_admin_switches_passwords_off_and_every_password_sign_in_is_gone(
    sso_settings: Any,
    client_for: Callable[[str], Client],
    users: dict[str, User],
    password: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    admin = client_for("admin")
    page = admin.get(reverse("informatics:settings-edit"))
    assert page.status_code == 200
    assert (
        '<option value="true" selected>On: people may also sign in with a portal password'
    ) in page.text
    assert CHANGE_PASSWORD_LINK in page.text

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("informatics:settings-edit"), settings_data(local_passwords="false")
        )

    assert response.status_code == 302
    assert SiteSettings.objects.get().local_passwords is False
    event = AuditEvent.objects.get()
    assert (event.actor, event.changes["local_passwords"]) == (users["admin"], [True, False])
    assert services.local_passwords_on() is False

    login_page = Client().get("/accounts/login/")
    assert login_page.status_code == 200
    assert "Sign in with Riverside Health" in login_page.text
    assert PASSWORD_FORM not in login_page.text
    assert "Forgotten your password?" not in login_page.text
    assert CHANGE_PASSWORD_LINK not in admin.get(reverse("informatics:settings-edit")).text

    client = Client()
    before = snapshot(User, Token)
    refused = client.post(
        "/accounts/login/", {"username": users["cmio"].email, "password": password}
    )
    assert refused.status_code == 403
    assert "Signing in with a portal password is switched off" in refused.text
    assert "_auth_user_id" not in client.session
    token = APIClient().post(
        "/api/v1/auth/token/", {"email": users["cmio"].email, "password": password}, format="json"
    )
    assert token.status_code == 403
    assert snapshot(User, Token) == before
    assert (
        authenticate(RequestFactory().post("/"), username=users["cmio"].email, password=password)
        is None
    )
    assert Client().get("/accounts/password_reset/").status_code == 404
    assert client_for("cmio").get("/accounts/password_change/").status_code == 404


def test_the_admin_switches_passwords_back_on(
    sso_settings: Any,
    client_for: Callable[[str], Client],
    users: dict[str, User],
    password: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    site_passwords(False)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("admin").post(
            reverse("informatics:settings-edit"), settings_data(local_passwords="true")
        )

    assert response.status_code == 302
    assert AuditEvent.objects.get().changes["local_passwords"] == [False, True]
    assert PASSWORD_FORM in Client().get("/accounts/login/").text
    client = Client()
    signed_in = client.post(
        "/accounts/login/", {"username": users["cmio"].email, "password": password}
    )
    assert signed_in.status_code == 302
    assert client.session["_auth_user_id"] == str(users["cmio"].pk)


def test_switching_passwords_off_without_single_sign_on_is_refused_by_name(
    client_for: Callable[[str], Client], password: str, users: dict[str, User]
) -> None:
    services.site_settings_get()
    before = snapshot(SiteSettings, AuditEvent)

    response = client_for("admin").post(
        reverse("informatics:settings-edit"),
        settings_data(local_passwords="false", organisation_name="Riverside Health"),
    )

    assert response.status_code == 200
    assert dict(response.context["form"].errors) == {"local_passwords": [PASSWORDS_NEED_SSO]}
    assert 'class="field field--error"' in response.text
    assert snapshot(SiteSettings, AuditEvent) == before
    assert services.local_passwords_on() is True
    assert PASSWORD_FORM in Client().get("/accounts/login/").text


def test_the_service_refuses_passwords_off_without_single_sign_on(users: dict[str, User]) -> None:
    services.site_settings_get()
    before = snapshot(SiteSettings, AuditEvent)

    with pytest.raises(ValidationError) as raised:
        services.site_settings_update(actor=users["admin"], local_passwords=False)
    with pytest.raises(ValidationError) as not_a_bool:
        services.site_settings_update(actor=users["admin"], local_passwords="off")

    assert raised.value.message_dict == {"local_passwords": [PASSWORDS_NEED_SSO]}
    assert not_a_bool.value.message_dict == {
        "local_passwords": ["Say whether local passwords are on or off."]
    }
    assert snapshot(SiteSettings, AuditEvent) == before


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_every_non_admin_role_is_refused_the_switch_and_nothing_changes(
    sso_settings: Any,
    role: str,
    client_for: Callable[[str], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    services.site_settings_get()
    before = snapshot(SiteSettings, AuditEvent)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(role).post(
            reverse("informatics:settings-edit"), settings_data(local_passwords="false")
        )

    assert response.status_code == 403
    assert snapshot(SiteSettings, AuditEvent) == before
    assert services.local_passwords_on() is True
    assert PASSWORD_FORM in Client().get("/accounts/login/").text


@pytest.mark.parametrize(
    ("operator", "site", "sso", "on"),
    [
        (True, True, True, True),
        (True, False, True, False),
        (False, True, True, False),
        (False, False, True, False),
        # The admin's switch counts only while single sign-on is configured: with it gone,
        # passwords come back rather than locking everyone out.
        (True, False, False, True),
    ],
)
def test_passwords_are_on_only_while_both_switches_are(
    sso_settings: Any, operator: bool, site: bool, sso: bool, on: bool
) -> None:
    site_passwords(site)
    sso_settings.LOCAL_PASSWORDS = operator
    if not sso:
        sso_settings.OIDC_CLIENT_ID = ""

    assert services.local_passwords_on() is on
    assert (PASSWORD_FORM in Client().get("/accounts/login/").text) is on


def test_the_operators_switch_off_overrides_the_site_setting_on(
    sso_settings: Any, make_user: Callable[..., User], password: str
) -> None:
    site_passwords(True)
    sso_settings.LOCAL_PASSWORDS = False
    user = make_user("cmio", email="cmio@example.org")
    client = Client()
    before = snapshot(User, Token)

    response = client.post("/accounts/login/", {"username": user.email, "password": password})

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    assert snapshot(User, Token) == before


def test_the_switch_is_read_from_the_cached_settings(
    sso_settings: Any, db: None, django_assert_num_queries: Any
) -> None:
    services.site_settings_get()

    with django_assert_num_queries(0):
        assert services.local_passwords_on() is True


@pytest.mark.parametrize("site", [True, False])
def test_the_login_page_costs_no_more_queries_for_the_switch(
    sso_settings: Any, site: bool, django_assert_num_queries: Any
) -> None:
    site_passwords(site)
    services.site_settings_get()

    with django_assert_num_queries(LOGIN_PAGE_QUERIES):
        response = Client().get("/accounts/login/")

    assert (PASSWORD_FORM in response.text) is site
