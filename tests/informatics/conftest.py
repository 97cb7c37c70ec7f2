"""Fixtures of the kernel's tests."""

from typing import Any

import pytest


@pytest.fixture
def sso_settings(settings: Any) -> Any:
    """Single sign-on configured, with a provider address nothing listens on (port 9)."""
    settings.OIDC_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"
    settings.OIDC_CLIENT_ID = "portal"
    settings.OIDC_CLIENT_SECRET = "secret"
    settings.OIDC_BUTTON_LABEL = "Sign in with Riverside Health"
    return settings
