"""In Chromium: a person signs in through the organisation's identity provider (a real OpenID
Connect provider on 127.0.0.1, tests/sso.py) and lands on their role's page; a refusal at the
provider ends on the portal's own error page. No CSP violation, console error or request leaving
the machine (Done when 1)."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from informatics.models import GroupRoleMapping, IdentityLink, User
from tests.browser.conftest import Recorder
from tests.sso import OidcProvider

pytestmark = pytest.mark.browser

OpenPage = Callable[..., Recorder]


def start_at_the_provider(
    open_page: OpenPage, live_server: Any, oidc: OidcProvider, login: str
) -> Recorder:
    oidc.allow_redirect(f"{live_server.url}/sso/callback/")
    recorder = open_page()
    recorder.goto("/requests/")  # not signed in: the login page, remembering where to go
    recorder.collect()
    recorder.page.get_by_role("link", name="Sign in with your organisation account").click()
    recorder.page.wait_for_url(f"{oidc.issuer}/interaction/**")
    recorder.page.get_by_label("Account").fill(login)
    return recorder


def test_a_person_signs_in_through_the_identity_provider(
    open_page: OpenPage, live_server: Any, oidc: OidcProvider
) -> None:
    GroupRoleMapping.objects.create(group="IS-Informatics-CMIO", role="cmio")
    oidc.account("ana", name="Ana López", groups=["IS-Informatics-CMIO"])
    recorder = start_at_the_provider(open_page, live_server, oidc, "ana")

    recorder.page.get_by_role("button", name="Continue").click()

    recorder.page.wait_for_url(f"{live_server.url}/requests/")
    expect(recorder.page.get_by_role("heading", level=1)).to_have_text("Requests")
    expect(recorder.page.get_by_text("Ana López").first).to_be_visible()
    recorder.screenshot("sso-signed-in")
    recorder.assert_clean()
    ana = User.objects.get(email="ana@example.org")
    assert ana.roles == ("cmio",)
    assert IdentityLink.objects.get(user=ana).subject == "ana"


def test_a_refusal_at_the_provider_ends_on_the_portals_error_page(
    open_page: OpenPage, live_server: Any, oidc: OidcProvider
) -> None:
    GroupRoleMapping.objects.create(group="IS-Informatics-CMIO", role="cmio")
    oidc.account("ben", groups=["IS-Informatics-CMIO"], disabled=True)
    recorder = start_at_the_provider(open_page, live_server, oidc, "ben")

    recorder.page.get_by_role("button", name="Continue").click()

    recorder.page.wait_for_url(f"{live_server.url}/sso/callback/**")
    expect(recorder.page.get_by_role("heading", level=1)).to_have_text("You are not signed in")
    expect(recorder.page.get_by_role("alert")).to_contain_text("did not let you sign in")
    recorder.screenshot("sso-refused")
    # The page answers 400 (the provider's answer was a refusal), which Chromium logs.
    assert [error.split(": ", 1)[1] for error in recorder.console_errors] == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
    recorder.console_errors.clear()
    recorder.assert_clean()
    assert User.objects.count() == 0
    recorder.goto("/requests/")
    assert recorder.page.url.startswith(f"{live_server.url}/accounts/login/")
