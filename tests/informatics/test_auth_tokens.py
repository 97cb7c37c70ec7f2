"""API tokens end when they should: on a password change (every way of changing it), when their
owner revokes them, on "sign out everywhere" (which ends every session too), and when they are
older than API_TOKEN_TTL_DAYS. The account page shows a token but never its key again."""

import datetime
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from informatics import services
from informatics.management.commands.changepassword import Command as ChangePassword
from informatics.models import User
from tests.conftest import snapshot
from tests.factories import PASSWORD

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
NEW_PASSWORD = "Lantern-harbour-4821"
ME_URL = "/api/v1/me/"
TOKEN_URL = "/api/v1/auth/token/"
ACCESS_URL = "/account/access/"

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


@pytest.fixture
def champion(users: dict[str, User]) -> User:
    return users["champion"]


def token_for(user: User) -> str:
    response = APIClient().post(
        TOKEN_URL, {"email": user.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    key: str = response.json()["token"]
    return key


def me_with(key: str) -> Any:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(ME_URL)


def signed_in(user: User) -> Client:
    browser = Client()
    response = browser.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return browser


def signed_in_as(client: Client) -> int | None:
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


# --- Password changes -----------------------------------------------------------------------


def test_a_token_stops_working_after_a_password_change(champion: User) -> None:
    key = token_for(champion)
    assert me_with(key).status_code == 200
    browser = signed_in(champion)

    response = browser.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    refused = me_with(key)
    assert refused.status_code == 401
    assert refused.json() == {"detail": "Invalid token."}
    assert Token.objects.filter(user=champion).count() == 0
    # The page that changed the password stays signed in; the new password gets a new token
    assert signed_in_as(browser) == champion.pk
    new = APIClient().post(
        TOKEN_URL, {"email": champion.email, "password": NEW_PASSWORD}, format="json"
    )
    assert new.status_code == 200
    assert new.json()["token"] != key


def test_a_wrong_old_password_changes_nothing(champion: User) -> None:
    key = token_for(champion)
    browser = signed_in(champion)
    before = snapshot(User, Token)

    response = browser.post(
        reverse("password_change"),
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "old_password": ["Your old password was entered incorrectly. Please enter it again."]
    }
    assert snapshot(User, Token) == before
    assert me_with(key).status_code == 200


def test_a_token_stops_working_after_a_password_reset(champion: User) -> None:
    key = token_for(champion)
    browser = Client()
    browser.post(reverse("password_reset"), {"email": champion.email})
    [link] = re.findall(
        r"http://testserver/accounts/reset/[^/\s]+/[^/\s]+/", str(mail.outbox[0].body)
    )
    set_password_url = browser.get(link, follow=True).redirect_chain[-1][0]

    done = browser.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert done.status_code == 302
    assert done["Location"] == reverse("password_reset_complete")
    assert me_with(key).status_code == 401
    assert Token.objects.filter(user=champion).count() == 0


def test_a_password_set_by_the_service_ends_the_token_and_other_sessions(
    champion: User,
) -> None:
    key = token_for(champion)
    elsewhere = signed_in(champion)

    services.user_password_set(user=champion, password=NEW_PASSWORD)

    assert me_with(key).status_code == 401
    assert elsewhere.get(ACCESS_URL).status_code == 302  # sent to sign in again
    assert signed_in_as(elsewhere) is None
    champion.refresh_from_db()
    assert champion.check_password(NEW_PASSWORD)


def test_the_changepassword_command_ends_the_token(
    champion: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = token_for(champion)
    monkeypatch.setattr(ChangePassword, "_get_pass", lambda self, prompt="": NEW_PASSWORD)

    call_command("changepassword", champion.email, stdout=io.StringIO())

    champion.refresh_from_db()
    assert champion.check_password(NEW_PASSWORD)
    assert me_with(key).status_code == 401
    assert Token.objects.count() == 0


def test_a_failed_changepassword_command_changes_nothing(
    champion: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = token_for(champion)
    before = snapshot(User, Token)
    monkeypatch.setattr(ChangePassword, "_get_pass", lambda self, prompt="": "123")

    with pytest.raises(CommandError) as error:
        call_command("changepassword", champion.email, stdout=io.StringIO(), stderr=io.StringIO())

    assert str(error.value) == (
        "Aborting password change for user 'Demo CHAMPION' after 3 attempts"
    )
    assert snapshot(User, Token) == before
    assert me_with(key).status_code == 200


# --- The account page: see, create, revoke ---------------------------------------------------


def test_the_page_shows_the_token_but_never_its_key(champion: User) -> None:
    key = token_for(champion)
    browser = signed_in(champion)

    page = browser.get(ACCESS_URL)

    assert page.status_code == 200
    text = " ".join(page.text.split())
    assert key not in page.text
    assert key[:8] not in page.text
    assert '<time datetime="2026-03-02T09:00:00+00:00">2 Mar 2026, 09:00</time>' in text
    assert '<th scope="row">Expires</th><td>Never</td>' in text
    assert "Revoke token" in text


def test_a_new_token_is_shown_once(champion: User) -> None:
    browser = signed_in(champion)
    assert "You have no API token." in browser.get(ACCESS_URL).text

    created = browser.post(reverse("informatics:account-token-create"))

    token = Token.objects.get(user=champion)
    assert created.status_code == 200
    assert f"<code>{token.key}</code>" in created.text
    assert token.key not in browser.get(ACCESS_URL).text
    assert me_with(token.key).status_code == 200


def test_a_new_token_replaces_the_old_one(champion: User) -> None:
    old = token_for(champion)
    browser = signed_in(champion)

    browser.post(reverse("informatics:account-token-create"))

    new = Token.objects.get(user=champion).key
    assert new != old
    assert me_with(old).status_code == 401
    assert me_with(new).status_code == 200


def test_a_token_stops_working_after_revocation(champion: User) -> None:
    key = token_for(champion)
    browser = signed_in(champion)

    response = browser.post(reverse("informatics:account-token-revoke"), follow=True)

    assert response.redirect_chain == [(ACCESS_URL, 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Your API token was revoked: it no longer works."
    ]
    assert "You have no API token." in response.text
    refused = me_with(key)
    assert refused.status_code == 401
    assert refused.json() == {"detail": "Invalid token."}
    assert Token.objects.count() == 0


def test_revoking_touches_only_ones_own_token(champion: User, users: dict[str, User]) -> None:
    others = token_for(users["cmo"])
    browser = signed_in(champion)

    response = browser.post(reverse("informatics:account-token-revoke"), follow=True)

    assert [str(m) for m in response.context["messages"]] == ["You had no API token."]
    assert list(Token.objects.values_list("key", flat=True)) == [others]
    assert me_with(others).status_code == 200


@pytest.mark.parametrize(
    "name",
    ["account-token-create", "account-token-revoke", "account-sign-out-everywhere"],
)
def test_anonymous_posts_change_nothing(champion: User, name: str) -> None:
    token_for(champion)
    before = snapshot(User, Token)

    response = Client().post(reverse(f"informatics:{name}"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse(f'informatics:{name}')}"
    assert snapshot(User, Token) == before


@pytest.mark.parametrize(
    "name",
    ["account-token-create", "account-token-revoke", "account-sign-out-everywhere"],
)
def test_a_get_changes_nothing(champion: User, name: str) -> None:
    token_for(champion)
    browser = signed_in(champion)
    before = snapshot(User, Token)

    response = browser.get(reverse(f"informatics:{name}"))

    assert response.status_code == 405
    assert snapshot(User, Token) == before
    assert signed_in_as(browser) == champion.pk


def test_the_page_is_for_signed_in_people() -> None:
    response = Client().get(ACCESS_URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={ACCESS_URL}"


# --- Sign out everywhere --------------------------------------------------------------------


def test_sign_out_everywhere_ends_every_session_and_the_token(
    champion: User, users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    key = token_for(champion)
    laptop, phone = signed_in(champion), signed_in(champion)
    someone_else = client_for("cmo")

    response = phone.post(reverse("informatics:account-sign-out-everywhere"))

    assert response.status_code == 200
    assert "You have signed out everywhere" in response.text
    for browser in (laptop, phone):
        page = browser.get(ACCESS_URL)
        assert page.status_code == 302
        assert signed_in_as(browser) is None
    assert me_with(key).status_code == 401
    assert Token.objects.filter(user=champion).count() == 0
    champion.refresh_from_db()
    assert champion.session_generation == 1
    # Other people stay signed in; the same password signs in again
    assert someone_else.get(ACCESS_URL).status_code == 200
    again = signed_in(champion)
    assert again.get(ACCESS_URL).status_code == 200
    signed_in_sessions = [
        session.get_decoded().get("_auth_user_id") for session in Session.objects.all()
    ]
    assert sorted(filter(None, signed_in_sessions)) == sorted(
        [str(champion.pk), str(users["cmo"].pk)]
    )  # the new one and someone else's


# --- Expiry ---------------------------------------------------------------------------------


def test_tokens_do_not_expire_by_default(champion: User) -> None:
    key = token_for(champion)
    with time_machine.travel(NOW + datetime.timedelta(days=3650), tick=False):
        assert me_with(key).status_code == 200


def test_a_token_older_than_its_lifetime_is_refused(champion: User, settings: Any) -> None:
    settings.API_TOKEN_TTL_DAYS = 30
    key = token_for(champion)

    with time_machine.travel(NOW + datetime.timedelta(days=30, seconds=-1), tick=False):
        assert me_with(key).status_code == 200
    with time_machine.travel(NOW + datetime.timedelta(days=30), tick=False):
        refused = me_with(key)
        assert refused.status_code == 401
        assert refused.json() == {
            "detail": "This token expired (tokens last 30 days): obtain a new one at "
            "POST /api/v1/auth/token/."
        }
        # Signing in again replaces it with a working one
        new = token_for(champion)
        assert new != key
        assert me_with(new).status_code == 200
        assert list(Token.objects.values_list("key", flat=True)) == [new]


def test_the_page_shows_when_the_token_expires(champion: User, settings: Any) -> None:
    settings.API_TOKEN_TTL_DAYS = 30
    token_for(champion)
    browser = signed_in(champion)

    text = " ".join(browser.get(ACCESS_URL).text.split())

    assert '<time datetime="2026-04-01T09:00:00+00:00">1 Apr 2026, 09:00</time>' in text
