"""Failed sign-ins lock an account for the address they came from only; across addresses the
account is slowed by a short delay that doubles with each further failure."""

import datetime
from typing import Any

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from informatics.models import User
from tests.factories import PASSWORD

NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)
SECOND = datetime.timedelta(seconds=1)
TOKEN_URL = "/api/v1/auth/token/"

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOON)]


def browser_at(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def sign_in(client: Client, email: str, password: str) -> Any:
    return client.post(reverse("login"), {"username": email, "password": password})


def signed_in_as(client: Client) -> int | None:
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


@pytest.fixture
def champion(users: dict[str, User]) -> User:
    return users["champion"]


def test_the_defaults() -> None:
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_FAILURE_LIMIT == 5  # LOGIN_FAILURE_LIMIT
    assert settings.LOGIN_DELAY_AFTER_FAILURES == 5
    assert settings.LOGIN_DELAY_MAX_SECONDS == 60


def test_five_failures_from_one_address_do_not_lock_the_account_for_another(
    champion: User,
) -> None:
    attacker = browser_at("203.0.113.9")
    with time_machine.travel(NOON, tick=False) as clock:
        # Given five failures from one address: that address is locked out of the account
        statuses = [
            sign_in(attacker, champion.email, "wrong-password").status_code for _ in range(5)
        ]
        assert statuses == [200, 200, 200, 200, 429]
        locked = sign_in(attacker, champion.email, PASSWORD)
        assert locked.status_code == 429
        assert "Account locked for now" in locked.text
        assert signed_in_as(attacker) is None

        # when the owner signs in from another address after the account's short delay (1 s
        # after the fifth failure)
        clock.move_to(NOON + SECOND)
        owner = browser_at("198.51.100.20")
        response = sign_in(owner, champion.email, PASSWORD)

        # then they are in, and the lock from the first address still holds
        assert response.status_code == 302
        assert signed_in_as(owner) == champion.pk
        assert sign_in(browser_at("203.0.113.9"), champion.email, PASSWORD).status_code == 429
        # (attempts while locked count too: five failures and two refusals)
        attempt = AccessAttempt.objects.get(ip_address="203.0.113.9")
        assert (attempt.username, attempt.failures_since_start) == (champion.email, 7)
        assert AccessAttempt.objects.count() == 1


def test_the_delay_doubles_with_each_failure_up_to_the_cap(champion: User, settings: Any) -> None:
    settings.LOGIN_DELAY_MAX_SECONDS = 8
    addresses = (f"10.0.0.{n}" for n in range(1, 100))  # a new address for every attempt
    with time_machine.travel(NOON, tick=False) as clock:
        # Given five failures from five addresses, the first four bring no wait
        for _ in range(5):
            assert sign_in(browser_at(next(addresses)), champion.email, "nope").status_code == 200

        # Then each further attempt waits 1, 2, 4, 8, 8 seconds after the last failure
        for wait in (1, 2, 4, 8, 8):
            last_failure = datetime.datetime.now(tz=datetime.UTC)
            early = sign_in(browser_at(next(addresses)), champion.email, PASSWORD)
            assert early.status_code == 429
            assert early["Retry-After"] == str(wait)
            assert f"try again in {wait} second" in " ".join(early.text.split())
            # still refused half a second before the wait is over, even with the password
            clock.move_to(last_failure + datetime.timedelta(seconds=wait - 0.5))
            almost = sign_in(browser_at(next(addresses)), champion.email, PASSWORD)
            assert (almost.status_code, almost["Retry-After"]) == (429, "1")
            # when the wait is over, the attempt is checked (and this one fails again)
            clock.move_to(last_failure + datetime.timedelta(seconds=wait))
            assert sign_in(browser_at(next(addresses)), champion.email, "nope").status_code == 200

        # Refused attempts were not checked, so they added no failure: the wait stays 8 s
        assert sign_in(browser_at(next(addresses)), champion.email, PASSWORD)["Retry-After"] == "8"

        # When the wait is over the right password signs in, and the count starts again
        clock.shift(8)
        owner = browser_at(next(addresses))
        assert sign_in(owner, champion.email, PASSWORD).status_code == 302
        assert signed_in_as(owner) == champion.pk
        assert sign_in(browser_at(next(addresses)), champion.email, "nope").status_code == 200
        assert sign_in(browser_at(next(addresses)), champion.email, PASSWORD).status_code == 302


def test_the_count_lapses_after_the_cool_off_without_a_failure(champion: User) -> None:
    addresses = (f"10.0.0.{n}" for n in range(1, 100))
    with time_machine.travel(NOON, tick=False) as clock:
        for _ in range(7):
            clock.shift(4)  # each failure after the last one's wait
            assert sign_in(browser_at(next(addresses)), champion.email, "nope").status_code == 200
        assert sign_in(browser_at(next(addresses)), champion.email, PASSWORD).status_code == 429

        clock.shift(settings.AXES_COOLOFF_TIME)
        owner = browser_at(next(addresses))
        assert sign_in(owner, champion.email, PASSWORD).status_code == 302


def test_the_delay_counts_every_spelling_of_the_address_as_one_account(champion: User) -> None:
    spellings = ["Champion@Riverside.example", "CHAMPION@riverside.example "]
    with time_machine.travel(NOON, tick=False):
        for n in range(5):
            sign_in(browser_at(f"10.0.0.{n}"), spellings[n % 2], "nope")
        refused = sign_in(browser_at("10.0.1.1"), champion.email, PASSWORD)
        assert (refused.status_code, refused["Retry-After"]) == (429, "1")


def test_the_other_accounts_are_not_slowed(champion: User, users: dict[str, User]) -> None:
    with time_machine.travel(NOON, tick=False):
        for n in range(8):
            sign_in(browser_at(f"10.0.0.{n}"), champion.email, "nope")
        other = browser_at("10.0.0.1")
        assert sign_in(other, users["cmo"].email, PASSWORD).status_code == 302
        assert signed_in_as(other) == users["cmo"].pk


# --- The API token endpoint follows the same rules ------------------------------------------


def token_post(address: str, email: str, password: str) -> Any:
    client = APIClient(REMOTE_ADDR=address)
    return client.post(TOKEN_URL, {"email": email, "password": password}, format="json")


def test_the_token_endpoint_locks_per_address_and_waits_per_account(champion: User) -> None:
    with time_machine.travel(NOON, tick=False) as clock:
        statuses = [token_post("203.0.113.9", champion.email, "nope").status_code for _ in range(5)]
        assert statuses == [400, 400, 400, 400, 429]

        # Another address must wait the account's second, then gets its token
        early = token_post("198.51.100.20", champion.email, PASSWORD)
        assert early.status_code == 429
        assert early.json() == {
            "detail": "Too many failed sign-in attempts for this account just now. "
            "Expected available in 1 second."
        }
        assert early["Retry-After"] == "1"
        assert Token.objects.count() == 0

        clock.shift(1)
        response = token_post("198.51.100.20", champion.email, PASSWORD)
        assert response.status_code == 200
        assert response.json() == {"token": Token.objects.get(user=champion).key}

        # while the first address stays locked
        locked = token_post("203.0.113.9", champion.email, PASSWORD)
        assert locked.status_code == 429
        assert "locked" in locked.json()["detail"]
