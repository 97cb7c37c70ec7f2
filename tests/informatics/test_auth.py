"""Signing in: password reset by e-mail, lock-out after repeated failures (and its end), and
session expiry."""

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from informatics.models import User
from tests.factories import PASSWORD

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

NEW_PASSWORD = "Lantern-harbour-4821"
NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)


def sign_in(client: Client, email: str, password: str) -> Any:
    """Sign in through the login form, as a person would."""
    return client.post(reverse("login"), {"username": email, "password": password})


def signed_in_as(client: Client) -> int | None:
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


@pytest.fixture
def champion(users: dict[str, User]) -> User:
    return users["champion"]


# --- Password reset -------------------------------------------------------------------------


def test_password_reset_sends_one_email_whose_link_sets_a_new_password(champion: User) -> None:
    browser = Client()

    # Given a person asks for a reset with their address (any case)
    response = browser.post(reverse("password_reset"), {"email": "Champion@Riverside.example"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")

    # then exactly one e-mail goes to them, with one link
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["champion@riverside.example"]
    links = re.findall(r"http://testserver/accounts/reset/[^/\s]+/[^/\s]+/", str(message.body))
    assert len(links) == 1

    # when they follow it and choose a new password
    form_page = browser.get(links[0], follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    set_password_url = form_page.redirect_chain[-1][0]
    done = browser.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("password_reset_complete")

    # then the new password signs them in and the old one no longer does
    assert signed_in_as(browser) is None  # a reset does not sign in by itself
    old = Client()
    assert sign_in(old, champion.email, PASSWORD).status_code == 200
    assert signed_in_as(old) is None
    assert sign_in(browser, champion.email, NEW_PASSWORD).status_code == 302
    assert signed_in_as(browser) == champion.pk


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(
    champion: User,
) -> None:
    response = Client().post(reverse("password_reset"), {"email": "nobody@riverside.example"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_a_reset_link_works_once(champion: User) -> None:
    browser = Client()
    browser.post(reverse("password_reset"), {"email": champion.email})
    [link] = re.findall(
        r"http://testserver/accounts/reset/[^/\s]+/[^/\s]+/", str(mail.outbox[0].body)
    )
    set_password_url = browser.get(link, follow=True).redirect_chain[-1][0]
    browser.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = Client().get(link, follow=True)
    assert again.context["validlink"] is False


# --- Lock-out -------------------------------------------------------------------------------


def test_repeated_failures_lock_the_account_until_the_cool_off_has_passed(
    champion: User,
) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    cooloff: datetime.timedelta = settings.AXES_COOLOFF_TIME
    assert limit == 5  # LOGIN_FAILURE_LIMIT's default
    assert cooloff == datetime.timedelta(minutes=15)  # LOGIN_LOCKOUT_MINUTES's default
    browser = Client()

    with time_machine.travel(NOON, tick=False) as clock:
        # Given limit - 1 failures, the account still signs in with the right password
        for _ in range(limit - 1):
            assert sign_in(browser, champion.email, "wrong-password").status_code == 200
        # when the limit is reached
        locked = sign_in(browser, champion.email, "wrong-password")
        assert locked.status_code == 429
        assert "Account locked for now" in locked.text

        # then even the right password is refused, with the lock-out page
        refused = sign_in(browser, champion.email, PASSWORD)
        assert refused.status_code == 429
        assert "Account locked for now" in refused.text
        assert "15 minutes" in refused.text
        assert signed_in_as(browser) is None

        # when the clock moves past the cool-off, the right password signs in again
        clock.move_to(NOON + cooloff + datetime.timedelta(seconds=1))
        response = sign_in(browser, champion.email, PASSWORD)
        assert response.status_code == 302
        assert signed_in_as(browser) == champion.pk


def test_an_attempt_while_locked_restarts_the_cool_off(champion: User) -> None:
    cooloff: datetime.timedelta = settings.AXES_COOLOFF_TIME
    browser = Client()
    with time_machine.travel(NOON, tick=False) as clock:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(browser, champion.email, "wrong-password")

        # Ten minutes later someone tries again: refused, and the lock runs from now
        ten_past = NOON + datetime.timedelta(minutes=10)
        clock.move_to(ten_past)
        assert sign_in(browser, champion.email, PASSWORD).status_code == 429

        attempt = AccessAttempt.objects.get(username=champion.email)
        assert attempt.attempt_time == ten_past

        clock.move_to(ten_past + cooloff + datetime.timedelta(seconds=1))
        assert sign_in(browser, champion.email, PASSWORD).status_code == 302
        assert signed_in_as(browser) == champion.pk


def test_a_lock_is_per_account(champion: User, users: dict[str, User]) -> None:
    browser = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(browser, champion.email, "wrong-password")

    other = Client()
    assert sign_in(other, users["cmo"].email, PASSWORD).status_code == 302
    assert signed_in_as(other) == users["cmo"].pk


def test_a_success_before_the_limit_resets_the_count(champion: User) -> None:
    browser = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(browser, champion.email, "wrong-password")
    assert sign_in(browser, champion.email, PASSWORD).status_code == 302

    fresh = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(fresh, champion.email, "wrong-password").status_code == 200
    assert sign_in(fresh, champion.email, PASSWORD).status_code == 302


# --- Session expiry -------------------------------------------------------------------------


def test_a_session_older_than_its_age_is_signed_out(
    champion: User, client_for: Callable[[str], Client]
) -> None:
    page = reverse("informatics:priority-list")
    age = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert age == datetime.timedelta(hours=8)  # SESSION_HOURS's default
    browser = Client()

    with time_machine.travel(NOON, tick=False) as clock:
        assert sign_in(browser, champion.email, PASSWORD).status_code == 302
        assert browser.get(page).status_code == 200

        # Activity restarts the clock: a request just before expiry keeps the session
        clock.move_to(NOON + age - datetime.timedelta(minutes=1))
        assert browser.get(page).status_code == 200

        # Idle for longer than the session's age: signed out, sent to sign in again
        clock.move_to(NOON + 2 * age)
        response = browser.get(page)
        assert response.status_code == 302
        assert response["Location"] == reverse("login") + "?next=" + page
