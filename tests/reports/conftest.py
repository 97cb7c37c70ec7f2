"""Fixtures for the landing-page tests: users made without hashing a password (the tests log
them in directly), since Argon2 takes a noticeable time per hash."""

from collections.abc import Callable

import factory
import pytest
from django.test import Client

from informatics.models import User
from tests.factories import UserFactory


@pytest.fixture
def quick_user(db: None) -> Callable[..., User]:
    def make(*roles: str, **fields: object) -> User:
        fields.setdefault("password", factory.Transformer.Force("!"))  # unusable: no hashing
        user: User = UserFactory.create(roles=list(roles), **fields)
        return user

    return make


@pytest.fixture
def client_as(quick_user: Callable[..., User]) -> Callable[..., Client]:
    """A client logged in as a new user holding the given roles."""

    def make(*roles: str) -> Client:
        client = Client()
        client.force_login(quick_user(*roles), backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make
