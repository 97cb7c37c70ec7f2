"""Shared fixtures: one user per role, logged-in clients, service checks that fail under CI."""

import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings

from informatics.choices import Role
from informatics.models import User
from tests.factories import PASSWORD, UserFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


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
