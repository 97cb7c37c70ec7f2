"""A real OpenID Connect provider for the single sign-on tests: panva's oidc-provider (npm),
run by Node.js from tests/oidc/ on 127.0.0.1, one process per test session (and xdist worker).

Its clients and accounts live in a JSON file that each test rewrites (`OidcProvider.account`,
`.update`), so a test can remove a group or disable an account between two sign-ins. The
provider keeps the real clock; `sign_in_through_provider` plays the browser's part of the
authorization-code flow with `requests`, so that the portal's side runs in the test process
(and its clock can be moved).
"""

import fcntl
import json
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from django.test import Client

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc"
CLIENT_ID = "portal"
CLIENT_SECRET = "portal-test-secret"
TEST_SERVER_CALLBACK = "http://testserver/sso/callback/"


@dataclass
class OidcProvider:
    """The running provider and its state file."""

    issuer: str
    state_path: Path

    def read(self) -> dict[str, Any]:
        state: dict[str, Any] = json.loads(self.state_path.read_text())
        return state

    def update(self, **changes: Any) -> None:
        state = self.read()
        state.update(changes)
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state))
        tmp.replace(self.state_path)  # the provider never reads a half-written file

    def reset(self) -> None:
        self.update(
            clients=[
                {
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": [TEST_SERVER_CALLBACK],
                }
            ],
            accounts={},
            id_token_audience=None,
        )

    def account(
        self,
        login: str,
        *,
        email: str = "",
        name: str = "",
        groups: list[str] | None = None,
        disabled: bool = False,
        email_verified: bool = True,
    ) -> None:
        """Add or replace an account (login = the provider's subject)."""
        accounts = self.read()["accounts"]
        accounts[login] = {
            "email": email or f"{login}@example.org",
            "name": name or login.title(),
            "groups": groups or [],
            "disabled": disabled,
            "email_verified": email_verified,
        }
        self.update(accounts=accounts)

    def change(self, login: str, **fields: Any) -> None:
        accounts = self.read()["accounts"]
        accounts[login].update(fields)
        self.update(accounts=accounts)

    def allow_redirect(self, uri: str) -> None:
        clients = self.read()["clients"]
        clients[0]["redirect_uris"].append(uri)
        self.update(clients=clients)

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_provider(tmp_dir: Path) -> Iterator[OidcProvider]:
    from tests.conftest import require_service  # conftest imports this module

    node = shutil.which("node")
    require_service(node is not None, "Node.js (node) for the OpenID Connect provider")
    assert node is not None
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        npm = shutil.which("npm")
        require_service(npm is not None, "npm, to install tests/oidc (npm ci)")
        assert npm is not None
        # One install at a time: each xdist worker starts its own provider.
        with (tmp_dir.parent.parent / "oidc-npm.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
                subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=PROVIDER_DIR, check=True)
    port = _free_port()
    provider = OidcProvider(issuer=f"http://127.0.0.1:{port}", state_path=tmp_dir / "oidc.json")
    provider.state_path.write_text("{}")
    provider.reset()
    process = subprocess.Popen(
        [node, str(PROVIDER_DIR / "provider.mjs"), str(port), str(provider.state_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NODE_ENV": "test"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if line != "ready":
            process.kill()
            _, errors = process.communicate(timeout=10)
            pytest.fail(f"the OpenID Connect provider did not start: {line} {errors}")
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def configure_portal(settings: Any, provider: OidcProvider) -> None:
    settings.OIDC_DISCOVERY_URL = provider.discovery_url
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_SCOPES = "openid email profile groups offline_access"
    settings.OIDC_GROUP_ROLES = []


def provider_round_trip(authorize_url: str, *, login: str = "", deny: bool = False) -> str:
    """Play the browser at the provider: follow its redirects, fill its sign-in form with
    `login` (or press Deny), and return the URL it finally sends the browser to (the portal's
    redirect URI with code and state, or with an error)."""
    session = requests.Session()
    url = authorize_url
    for _ in range(10):
        if not url.startswith("http://127.0.0.1"):
            return url
        path = urlsplit(url).path
        if path.startswith("/interaction/") and path.count("/") == 2:
            action = f"{url}/abort" if deny else f"{url}/login"
            response = session.post(action, data={"login": login}, allow_redirects=False)
        else:
            response = session.get(url, allow_redirects=False)
        assert response.status_code in {302, 303}, (response.status_code, response.text[:500])
        url = urljoin(url, response.headers["Location"])
    raise AssertionError(f"the provider kept redirecting: {url}")


def sign_in_through_provider(
    client: Client, login: str, *, deny: bool = False, next_url: str = ""
) -> Any:
    """The whole sign-in: the portal's redirect, the provider's form, the portal's callback.
    Returns the callback's response."""
    start = client.get("/sso/login/", {"next": next_url} if next_url else {})
    assert start.status_code == 302, start.content[:500]
    callback = provider_round_trip(start["Location"], login=login, deny=deny)
    assert callback.startswith(TEST_SERVER_CALLBACK), callback
    return client.get(callback.removeprefix("http://testserver"))
