"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

One browser per session, a fresh context per test. Each page records its console errors, its
Content Security Policy violations, every request that leaves the machine and axe-core's
violations (of any impact) on every document it shows; tests assert that all four stay empty.
"""

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError

from informatics.models import User
from tests.conftest import require_service

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 390, "height": 844}

# Listens from the first moment of every document, before any page script runs.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push({
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
  });
});
"""


@dataclass
class Recorder:
    """A page and what it did: console errors, CSP violations, requests leaving the machine."""

    page: Page
    base_url: str
    console_errors: list[str] = field(default_factory=list)
    csp_violations: list[dict[str, Any]] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    axe_violations: list[dict[str, Any]] = field(default_factory=list)

    def audit(self) -> list[dict[str, Any]]:
        """axe-core's violations of any impact in the page as it is now (also kept for
        `assert_clean`), shortened for a failure message."""
        found = axe_violations(self)
        self.axe_violations.extend(v for v in found if v not in self.axe_violations)
        return found

    def collect(self) -> None:
        """Read the current document's CSP violations and, once per document, audit it with
        axe-core (call before it navigates away)."""
        try:
            found = self.page.evaluate("window.__cspViolations || []")
        except PlaywrightError:  # a document torn down mid-navigation has nothing left to read
            found = []
        try:
            if self.page.url != "about:blank" and not self.page.evaluate("window.__audited"):
                self.audit()
                self.page.evaluate("window.__audited = true")
        except PlaywrightError:
            pass
        for violation in found:
            violation["url"] = self.page.url
            if violation not in self.csp_violations:
                self.csp_violations.append(violation)
        if found:
            self.page.evaluate("window.__cspViolations = []")

    def goto(self, path: str) -> None:
        self.collect()
        self.page.goto(self.base_url + path)
        self.page.wait_for_load_state()

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def assert_clean(self) -> None:
        # Let the page settle first (no request for half a second), so that a late request's
        # console error or policy violation is caught; steps before this wait only for "load".
        self.page.wait_for_load_state("networkidle")
        self.collect()
        assert self.console_errors == []
        assert self.csp_violations == []
        assert self.external_requests == []
        assert self.axe_violations == []


def axe_violations(recorder: Recorder) -> list[dict[str, Any]]:
    """axe-core's violations of any impact on the page, shortened for a failure message."""
    results = Axe().run(recorder.page)
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "url": recorder.page.url,
            "targets": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in results.response["violations"]
    ]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        require_service(False, "Chromium")
    # Playwright's sync API keeps an event loop running in this thread; the test's own ORM
    # calls (making users) are still synchronous, so Django must not refuse them.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _record(page: Page, base_url: str) -> Recorder:
    recorder = Recorder(page=page, base_url=base_url)
    page.add_init_script(RECORD_CSP_VIOLATIONS)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            recorder.console_errors.append(f"{page.url}: {message.text}")

    def on_request(request: Request) -> None:
        url = urlparse(request.url)
        if url.scheme in {"http", "https", "ws", "wss"} and url.hostname not in LOCAL_HOSTS:
            recorder.external_requests.append(request.url)

    page.on("console", on_console)
    page.on("request", on_request)
    page.on("pageerror", lambda error: recorder.console_errors.append(f"{page.url}: {error}"))
    return recorder


@pytest.fixture
def open_page(browser: Browser, live_server: Any, transactional_db: None) -> Iterator[Any]:
    """`open_page(viewport=DESKTOP, javascript=True)` → a Recorder on a fresh context."""
    contexts: list[BrowserContext] = []

    def make(viewport: dict[str, int] = DESKTOP, javascript: bool = True) -> Recorder:
        context = browser.new_context(
            viewport=viewport,  # type: ignore[arg-type]
            java_script_enabled=javascript,
            base_url=live_server.url,
        )
        contexts.append(context)
        return _record(context.new_page(), live_server.url)

    yield make
    for context in contexts:
        context.close()


def sign_in_with_cookie(recorder: Recorder, user: User) -> None:
    """Skip the login form (tested elsewhere): hand the browser a session made by Django."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    cookie = client.cookies["sessionid"]
    recorder.page.context.add_cookies(
        [{"name": "sessionid", "value": cookie.value, "url": recorder.base_url}]
    )


def sign_in_with_form(recorder: Recorder, email: str, password: str) -> None:
    recorder.goto("/accounts/login/")
    recorder.page.get_by_label("E-mail").fill(email)
    recorder.page.get_by_label("Password").fill(password)
    recorder.collect()
    recorder.page.get_by_role("button", name="Sign in").click()
    recorder.page.wait_for_load_state()
