"""In Chromium: each role signs in through the login form and lands on its own page; pages pass
axe-core with no violation of any impact; the API docs, the portal and Django admin run
under the strict Content Security Policy without a violation, a console error, or a request
leaving the machine."""

import datetime
from collections.abc import Callable

import factory
import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from informatics.choices import FacilityKind, Role, ValueCategory
from informatics.models import SiteSettings
from informatics.selectors import NeedsMeItem
from reports import selectors as reports_selectors
from tests.browser.conftest import (
    DESKTOP,
    MOBILE,
    Recorder,
    sign_in_with_cookie,
    sign_in_with_form,
)
from tests.factories import PASSWORD, FacilityFactory, PriorityFactory, UserFactory

pytestmark = pytest.mark.browser
NO_PASSWORD = factory.Transformer.Force("!")  # unusable, so nothing to hash

OpenPage = Callable[..., Recorder]

TITLES: dict[str, str] = {
    Role.CMO: "Portfolio dashboard",
    Role.CMIO: "CMIO workbench",
    Role.INFORMATICIST: "Informatics workbench",
    Role.EXECUTIVE: "Value reports",
    Role.CHAMPION: "My requests",
    Role.ADMIN: "Administration",
}

PRIORITIES = (
    ("zero-harm", "Zero Harm", ValueCategory.SAFETY_QUALITY),
    ("reliable-care", "Reliable evidence-based care", ValueCategory.SAFETY_QUALITY),
    ("joy", "Restore joy in practice", ValueCategory.ENGAGEMENT),
    ("stewardship", "Financial stewardship", ValueCategory.FINANCIAL),
    ("complex-care", "Coordinated complex care", ValueCategory.COMPLEX_CARE),
    ("responsible-ai", "Responsible AI and automation", ValueCategory.SAFETY_QUALITY),
    ("equity", "Health equity", ValueCategory.EQUITY),
)


def _riverside() -> None:
    """A little of the demo health system: its name, facilities, sponsors and priorities."""
    SiteSettings.objects.update_or_create(pk=1, defaults={"organisation_name": "Riverside Health"})
    cache.clear()
    system = FacilityFactory.create(
        code="riverside", name="Riverside Health", kind=FacilityKind.SYSTEM
    )
    for code, name in (("rmc", "Riverside Medical Center"), ("nrh", "North Ridge Hospital")):
        hospital = FacilityFactory.create(
            code=code, name=name, kind=FacilityKind.HOSPITAL, parent=system
        )
        FacilityFactory.create(
            code=f"{code}-icu", name=f"{name} ICU", kind=FacilityKind.UNIT, parent=hospital
        )
        FacilityFactory.create(
            code=f"{code}-fm",
            name=f"{name} Family Medicine",
            kind=FacilityKind.CLINIC,
            parent=hospital,
        )
    sponsors = [
        UserFactory.create(roles=[Role.EXECUTIVE], full_name=name, password=NO_PASSWORD)
        for name in ("Dana Whitfield", "Marcus Obi", "Priya Raman")
    ]
    for rank, (code, title, category) in enumerate(PRIORITIES, start=1):
        PriorityFactory.create(
            code=code,
            title=title,
            value_category=category,
            rank=rank,
            executive_sponsor=sponsors[rank % len(sponsors)] if rank != 6 else None,
            horizon=datetime.date(timezone.localdate().year + 1 + rank % 3, 6, 30),
        )


def test_login_page(open_page: OpenPage) -> None:
    _riverside()
    for name, viewport in (("login-desktop", DESKTOP), ("login-mobile", MOBILE)):
        page = open_page(viewport=viewport)
        page.goto("/accounts/login/")

        assert page.page.locator("h1").inner_text() == "Sign in"
        assert page.audit() == []
        page.screenshot(name)
        page.assert_clean()


@pytest.mark.parametrize("role", list(TITLES))
def test_each_role_signs_in_and_lands_on_its_page(open_page: OpenPage, role: str) -> None:
    _riverside()
    UserFactory.create(roles=[role], email=f"{role}@riverside.example", full_name="Jordan Ellis")
    page = open_page()

    sign_in_with_form(page, f"{role}@riverside.example", PASSWORD)

    assert page.page.url == f"{page.base_url}/home/{role}/"
    assert page.page.locator("h1").inner_text() == TITLES[role]
    assert page.audit() == []
    page.screenshot(f"landing-{role}-desktop")
    page.page.set_viewport_size(MOBILE)  # type: ignore[arg-type]
    page.screenshot(f"landing-{role}-mobile")
    page.assert_clean()


def test_user_with_several_roles_lands_on_the_first_and_can_switch(open_page: OpenPage) -> None:
    _riverside()
    UserFactory.create(
        roles=[Role.CHAMPION, Role.CMIO, Role.ADMIN],
        email="multi@riverside.example",
        full_name="Sam Okafor",
    )
    page = open_page()

    sign_in_with_form(page, "multi@riverside.example", PASSWORD)

    assert page.page.url == f"{page.base_url}/home/cmio/"
    assert page.page.locator("h1").inner_text() == "CMIO workbench"
    switcher = page.page.get_by_role("navigation", name="View as")
    assert switcher.get_by_role("link").all_inner_texts() == ["CMIO", "Physician champion", "Admin"]
    page.screenshot("landing-multi-role-desktop")
    page.page.keyboard.press("Tab")
    skip_link = page.page.get_by_role("link", name="Skip to main content")
    assert skip_link.evaluate("element => element === document.activeElement")
    expect(skip_link).to_be_in_viewport(ratio=1)  # slides into view when focused
    page.collect()
    switcher.get_by_role("link", name="Admin").click()
    page.page.wait_for_load_state()
    assert page.page.locator("h1").inner_text() == "Administration"
    assert switcher.locator("[aria-current=page]").inner_text() == "Admin"
    page.assert_clean()


def test_wrong_password_shows_an_error_next_to_the_form(open_page: OpenPage) -> None:
    UserFactory.create(roles=[Role.CMO], email="cmo@riverside.example")
    page = open_page()

    sign_in_with_form(page, "cmo@riverside.example", "not-the-password")

    assert page.page.url.endswith("/accounts/login/")
    assert "correct email and password" in page.page.get_by_role("alert").inner_text()
    assert page.audit() == []
    page.screenshot("login-error-desktop")
    page.assert_clean()


def test_sign_out_is_a_post_from_the_header(open_page: OpenPage) -> None:
    user = UserFactory.create(roles=[Role.EXECUTIVE], password=NO_PASSWORD)
    page = open_page()
    sign_in_with_cookie(page, user)
    page.goto("/")

    page.collect()
    page.page.get_by_role("button", name="Log out").click()
    page.page.wait_for_load_state()

    # LOGOUT_REDIRECT_URL decides between the login page and registration/logged_out.html.
    assert page.page.locator("h1").inner_text() in {"Sign in", "You have signed out"}
    page.goto("/")
    assert "/accounts/login/" in page.page.url
    page.assert_clean()


def test_narrow_screen_menu_folds_behind_a_toggle(open_page: OpenPage) -> None:
    user = UserFactory.create(roles=[Role.CMO, Role.ADMIN], password=NO_PASSWORD)
    page = open_page(viewport=MOBILE)
    sign_in_with_cookie(page, user)
    page.goto("/home/cmo/")
    toggle = page.page.get_by_role("button", name="Menu")
    menu = page.page.locator("#site-menu")

    assert toggle.get_attribute("aria-expanded") == "false"
    assert not menu.is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert menu.is_visible()
    page.screenshot("menu-open-mobile")
    page.page.keyboard.press("Escape")
    assert not menu.is_visible()
    page.assert_clean()


def test_without_javascript_the_menu_is_a_plain_visible_list(open_page: OpenPage) -> None:
    user = UserFactory.create(roles=[Role.CMO, Role.ADMIN], password=NO_PASSWORD)
    page = open_page(viewport=MOBILE, javascript=False)
    sign_in_with_cookie(page, user)
    page.page.goto(page.base_url + "/home/cmo/")

    assert page.page.locator("#site-menu").is_visible()
    assert not page.page.get_by_role("button", name="Menu").is_visible()
    assert page.page.get_by_role("button", name="Log out").is_visible()
    page.screenshot("menu-no-js-mobile")
    assert page.console_errors == []
    assert page.external_requests == []


def test_api_docs_render_offline_under_the_policy(open_page: OpenPage) -> None:
    user = UserFactory.create(roles=[Role.ADMIN], password=NO_PASSWORD)
    page = open_page()
    sign_in_with_cookie(page, user)

    page.goto("/api/docs/")
    page.page.wait_for_selector(".swagger-ui .info", timeout=15_000)
    page.page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)

    assert "Informatics Portal API" in page.page.locator(".swagger-ui .info").inner_text()
    page.screenshot("api-docs-desktop")
    page.assert_clean()


def test_django_admin_runs_under_the_policy(open_page: OpenPage) -> None:
    _riverside()
    user = UserFactory.create(
        roles=[Role.ADMIN], is_staff=True, is_superuser=True, password=NO_PASSWORD
    )
    priority = PriorityFactory.create(code="admin-check", title="Admin check", rank=99)
    page = open_page()
    sign_in_with_cookie(page, user)

    for path in (
        "/admin/",
        "/admin/informatics/strategicpriority/",
        f"/admin/informatics/strategicpriority/{priority.pk}/change/",
        "/admin/informatics/user/",
        f"/admin/informatics/user/{user.pk}/change/",
        "/admin/informatics/facility/add/",
    ):
        page.goto(path)
        assert page.page.locator("#content").count() == 1, path
    page.screenshot("admin-change-form-desktop")
    page.assert_clean()


def test_roles_without_access_get_404_not_a_crash(open_page: OpenPage) -> None:
    user = UserFactory.create(roles=[Role.CHAMPION], password=NO_PASSWORD)
    page = open_page()
    sign_in_with_cookie(page, user)

    response = page.page.goto(page.base_url + "/home/cmo/")

    assert response is not None
    assert response.status == 404


def test_needs_me_list_with_items_is_accessible(
    open_page: OpenPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = timezone.now()
    items = [
        NeedsMeItem(
            kind="Triage",
            title="Sepsis alert fires on every post-op tachycardia; I dismiss 20 a day.",
            url="/",
            since=now - datetime.timedelta(days=4),
            due=now - datetime.timedelta(hours=6),
            detail="Fast track · submitted by a hospitalist at Riverside Medical Center",
        ),
        NeedsMeItem(
            kind="Status update due",
            title="Inbox burden reduction",
            url="/",
            since=now - datetime.timedelta(days=1),
            due=now + datetime.timedelta(days=3),
        ),
    ]
    monkeypatch.setattr(reports_selectors.initiatives_selectors, "needs_me_for", lambda u: items)
    user = UserFactory.create(roles=[Role.CMIO], password=NO_PASSWORD)
    page = open_page()
    sign_in_with_cookie(page, user)

    page.goto("/home/cmio/")

    assert page.page.locator(".needs-me__item").count() == 2
    assert page.audit() == []
    page.screenshot("needs-me-desktop")
    page.page.set_viewport_size(MOBILE)  # type: ignore[arg-type]
    page.screenshot("needs-me-mobile")
    page.assert_clean()


def test_the_recorder_catches_a_policy_violation(open_page: OpenPage) -> None:
    """The zero-violation assertions above mean something: an inline style is reported."""
    page = open_page()
    page.goto("/accounts/login/")

    page.page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.page.wait_for_function("window.__cspViolations.length > 0")
    page.collect()

    assert [v["directive"] for v in page.csp_violations] == ["style-src-attr"]
