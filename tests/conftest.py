"""Shared fixtures: one user per role, logged-in clients, service checks that fail under CI, and
the session clock (`TEST_NOW`)."""

import datetime
import importlib
import os
import socket
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings

from informatics.choices import Role
from informatics.models import User
from intake.models import Rubric
from tests.factories import PASSWORD, UserFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# `TEST_NOW=2028-02-29T23:30 make test` runs the whole suite with the clock moved to that instant
# (ticking on from there), to prove that no test leans on the day it happens to run. An instant
# without an offset is read in the demo organisation's zone, America/Chicago, so the awkward local
# instants (month ends, New Year's Eve, the daylight-saving change) fall where they say; a local
# time that does not exist there (02:30 on the spring-forward day) is read with the offset in
# force before the change, as PEP 495 folds it. Only this process moves: PostgreSQL's now(),
# Chromium and subprocesses keep the real clock.
TEST_NOW_ZONE = zoneinfo.ZoneInfo("America/Chicago")


def clock_from_env(raw: str | None) -> datetime.datetime | None:
    """The instant `TEST_NOW` names, timezone-aware; None when unset or empty."""
    if not raw or not raw.strip():
        return None
    try:
        instant = datetime.datetime.fromisoformat(raw.strip())
    except ValueError:
        raise pytest.UsageError(
            f"TEST_NOW={raw!r} is not an ISO 8601 instant, e.g. 2028-02-29T23:30 or "
            "2027-12-31T23:30-06:00"
        ) from None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=TEST_NOW_ZONE)
    return instant


_TRAVELLER = pytest.StashKey[time_machine.travel]()


def pytest_configure(config: pytest.Config) -> None:
    """Move this process's clock when `TEST_NOW` is set (every xdist worker does the same)."""
    instant = clock_from_env(os.environ.get("TEST_NOW"))
    if instant is None:
        return
    traveller = time_machine.travel(instant, tick=True)
    traveller.start()
    config.stash[_TRAVELLER] = traveller


def pytest_unconfigure(config: pytest.Config) -> None:
    traveller = config.stash.get(_TRAVELLER, None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config: pytest.Config) -> str:
    instant = clock_from_env(os.environ.get("TEST_NOW"))
    if instant is None:
        return "clock: real (set TEST_NOW to move it)"
    utc = instant.astimezone(datetime.UTC)
    return f"clock: moved to TEST_NOW={instant.isoformat()} ({utc:%Y-%m-%d %H:%M} UTC), ticking"


def require_service(available: bool, what: str) -> None:
    """Skip a test whose service is missing on a developer machine; under CI=true, fail."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true but is not available")
    pytest.skip(f"{what} is not available")


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test marked for one database runs only on that database: skipped on the other
    outside CI, failed under CI (where each pass deselects the other database's tests)."""
    from django.conf import settings

    on_postgres = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    if item.get_closest_marker("postgres"):
        require_service(on_postgres, "PostgreSQL (DATABASE_URL=postgres://…)")
    if item.get_closest_marker("sqlite") and on_postgres:
        require_service(False, "the SQLite database (unset DATABASE_URL)")


FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def restore_migration_rows() -> None:
    """Put back the rows data migrations make (the default rubric) if they are gone. A
    transactional test (browser, worker) flushes every table when it ends, and with the suite
    spread over worker processes, any test may run after such a flush on the same database."""
    # The rubric is intake's model now; the migration that made it (from before intake had an
    # app of its own) keeps the values.
    migration = importlib.import_module("initiatives.migrations.0002_default_rubric")
    if not Rubric.objects.exists():
        Rubric.objects.create(
            version=1,
            criteria=migration.CRITERIA,
            gates=migration.GATES,
            effort_points=migration.EFFORT_POINTS,
            is_current=True,
            note="Default rubric (DOMAIN.md §5)",
        )


@pytest.fixture(autouse=True)
def _migration_rows(request: pytest.FixtureRequest) -> None:
    """Every test that uses the database starts with the rows data migrations made."""
    uses_db = request.node.get_closest_marker("django_db") is not None or any(
        name in request.fixturenames for name in ("db", "transactional_db", "live_server")
    )
    if uses_db:
        # pytest-django's own fixture, which reads the marker and the fixtures the test asks for
        # and opens the database the way the test wants it (in a transaction, or flushed after).
        request.getfixturevalue("_django_db_helper")
        restore_migration_rows()


@contextmanager
def data_for_module(django_db_blocker: Any) -> Iterator[None]:
    """Rows made once for a whole test module (say, the demo health system) and rolled back
    after its last test, like Django's setUpTestData: every test still runs in a savepoint of
    its own inside, so what one test changes the next does not see. Use it in a module-scoped
    fixture that takes `django_db_setup` and `django_db_blocker`; not with transactional tests,
    which would flush the tables under it."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS),
        transaction.atomic(),
    ):
        restore_migration_rows()
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 costs ~0.3 s a password by design; tests that are not about hashing use a fast
    hasher (tests/informatics/test_security_settings.py checks Argon2 is the configured one)."""
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(*roles: str, **fields: object) -> User:
        user: User = UserFactory.create(roles=list(roles), **fields)
        return user

    return make


@pytest.fixture
def users(make_user: Callable[..., User]) -> dict[str, User]:
    """One active user per role: users["cmo"], users["champion"], …"""
    return {
        role: make_user(role, email=f"{role}@riverside.example", full_name=f"Demo {role.upper()}")
        for role in Role.values
    }


@pytest.fixture
def client_for(users: dict[str, User]) -> Callable[[str], Client]:
    """A client logged in as the given role's user."""

    def make(role: str) -> Client:
        client = Client()
        client.force_login(users[role], backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make


@pytest.fixture
def password() -> str:
    return PASSWORD
