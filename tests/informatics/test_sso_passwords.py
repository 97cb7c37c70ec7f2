"""The login page with single sign-on configured, and local passwords switched off: the form is
gone and every way of signing in with a password is refused (Done when 4). The admin's pages of
single sign-on: who may edit the group → role mapping and pin roles."""

from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from informatics.choices import Role
from informatics.env import env_pairs
from informatics.models import GroupRoleMapping, IdentityLink, PinnedRole, User
from tests.conftest import snapshot

PASSWORD_FORM = 'name="password"'


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


# --- The admin's pages: group → role mapping and pinned roles ----------------------------------


@pytest.mark.parametrize("role", ["admin", "cmo", "cmio", "informaticist", "executive", "champion"])
def test_only_the_admin_edits_the_group_role_mapping(client_for: Any, role: str) -> None:
    before = snapshot(GroupRoleMapping)

    response = client_for(role).post(
        "/admin/informatics/grouprolemapping/add/", {"group": "IS-Informatics-CMIO", "role": "cmio"}
    )

    if role == "admin":
        assert response.status_code == 302
        assert list(GroupRoleMapping.objects.values_list("group", "role")) == [
            ("IS-Informatics-CMIO", "cmio")
        ]
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
        assert snapshot(GroupRoleMapping) == before


@pytest.mark.parametrize("role", ["admin", "cmo", "cmio", "informaticist", "executive", "champion"])
def test_only_the_admin_pins_a_role(client_for: Any, users: dict[str, User], role: str) -> None:
    before = snapshot(PinnedRole)

    response = client_for(role).post(
        "/admin/informatics/pinnedrole/add/", {"user": users["cmo"].pk, "role": "executive"}
    )

    assert response.status_code == 302
    if role == "admin":
        assert list(PinnedRole.objects.values_list("user__email", "role")) == [
            ("cmo@riverside.example", "executive")
        ]
    else:
        assert response["Location"].startswith("/admin/login/")
        assert snapshot(PinnedRole) == before


def test_a_group_maps_to_a_role_once(client_for: Any) -> None:
    GroupRoleMapping.objects.create(group="IS-Informatics-CMIO", role="cmio")

    response = client_for("admin").post(
        "/admin/informatics/grouprolemapping/add/", {"group": "IS-Informatics-CMIO", "role": "cmio"}
    )

    assert response.status_code == 200
    assert "Group role mapping with this Group and Role already exists." in response.text
    assert GroupRoleMapping.objects.count() == 1


def test_the_identity_links_are_read_only_and_never_show_the_refresh_token(
    client_for: Any, users: dict[str, User]
) -> None:
    link = IdentityLink.objects.create(
        user=users["cmo"],
        issuer="https://login.example.org",
        subject="cmo-guid",
        refresh_token="very-secret-refresh-token",
        checked_at=timezone.now(),
    )
    admin = client_for("admin")

    page = admin.get(f"/admin/informatics/identitylink/{link.pk}/change/")

    assert page.status_code == 200
    assert "cmo-guid" in page.text
    assert "very-secret-refresh-token" not in page.text
    assert admin.get("/admin/informatics/identitylink/add/").status_code == 403


def test_an_unknown_role_in_the_environment_mapping_fails_loudly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OIDC_GROUP_ROLES", "IS-Informatics-CMIO=cmio,IS-Boss=boss")

    with pytest.raises(ImproperlyConfigured) as raised:
        env_pairs("OIDC_GROUP_ROLES", allowed=Role.values)

    assert str(raised.value) == (
        "OIDC_GROUP_ROLES: 'IS-Boss=boss' is not key=value with a value among cmo, cmio, "
        "informaticist, executive, champion, admin"
    )
