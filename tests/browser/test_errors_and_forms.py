"""In Chromium: the 403, 404 and 500 pages render in the portal's layout (screenshots
error-403.png, error-404.png, error-500.png); a form is submitted with the keyboard alone, and
after the invalid post the focus is on the first field with an error, whose summary links lead
to the fields. Every page passes axe-core with no violation of any impact."""

from collections.abc import Callable
from typing import Any

import factory
import pytest
from playwright.sync_api import expect

from informatics.choices import Role
from intake.models import IntakeRequest
from tests.browser.conftest import Recorder, sign_in_with_cookie
from tests.factories import UserFactory

pytestmark = pytest.mark.browser
NO_PASSWORD = factory.Transformer.Force("!")  # unusable, so nothing to hash

OpenPage = Callable[..., Recorder]

# Chromium reports an error status of the page itself as a console error; nothing else may be.
STATUS_ERROR = "Failed to load resource: the server responded with a status of {}"


def _open_error(page: Recorder, path: str, status: int) -> None:
    response = page.page.goto(page.base_url + path)
    assert response is not None
    assert response.status == status
    expected = STATUS_ERROR.format(status)
    page.console_errors[:] = [e for e in page.console_errors if expected not in e]


def _shown_in_layout(page: Recorder, heading: str, screenshot: str) -> None:
    """The error page's heading under the portal's header, clean for axe-core, photographed."""
    expect(page.page.locator("h1")).to_have_text(heading)
    expect(page.page.locator(".site-header .brand")).to_be_visible()
    assert page.audit() == []
    page.screenshot(screenshot)


def _focused(page: Recorder) -> str:
    return str(page.page.evaluate("document.activeElement.id || document.activeElement.tagName"))


def _tab_to_submit(page: Recorder) -> None:
    """Tab forward until the submit button has the focus."""
    for _ in range(60):
        if _focused(page) == "BUTTON":
            break
        page.page.keyboard.press("Tab")
    expect(page.page.locator(":focus")).to_have_text("Submit request")


def test_a_refused_and_a_missing_page_show_the_layout_the_reason_and_where_to_go(
    open_page: OpenPage,
) -> None:
    champion = UserFactory.create(roles=[Role.CHAMPION], password=NO_PASSWORD)
    page = open_page()
    sign_in_with_cookie(page, champion)

    _open_error(page, "/requests/triage/", 403)

    expect(page.page.locator("main")).to_contain_text(
        "Your roles do not allow you to triage, route, score or move requests along."
    )
    expect(page.page.get_by_role("navigation", name="Main")).to_be_visible()
    _shown_in_layout(page, "You may not open this page", "error-403")

    _open_error(page, "/requests/999999/", 404)

    expect(page.page.locator("main code")).to_have_text("/requests/999999/")
    expect(page.page.get_by_role("navigation", name="Main")).to_be_visible()
    _shown_in_layout(page, "There is no such page", "error-404")
    page.collect()
    page.page.get_by_role("link", name="Your home page").click()
    page.page.wait_for_load_state()
    expect(page.page.locator("h1")).to_have_text("My requests")
    page.assert_clean()


def test_a_failing_page_shows_the_500_page_in_the_layout(
    open_page: OpenPage, settings: Any
) -> None:
    settings.ROOT_URLCONF = "tests.informatics.failing_urls"
    cmio = UserFactory.create(roles=[Role.CMIO], password=NO_PASSWORD)
    page = open_page()
    sign_in_with_cookie(page, cmio)

    _open_error(page, "/fail/", 500)

    expect(page.page.locator(".site-header .brand")).to_contain_text("Informatics Portal")
    expect(page.page.get_by_role("link", name="The portal's home page")).to_be_visible()
    _shown_in_layout(page, "Something went wrong on our side", "error-500")
    page.assert_clean()


def test_a_request_is_submitted_by_keyboard_and_an_invalid_post_focuses_the_first_error(
    open_page: OpenPage,
) -> None:
    champion = UserFactory.create(roles=[Role.CHAMPION], password=NO_PASSWORD)
    page = open_page()
    sign_in_with_cookie(page, champion)
    page.goto("/requests/new/")
    keyboard = page.page.keyboard

    # The form opens with the title focused; the rest is left empty and submitted by keyboard.
    assert _focused(page) == "id_title"
    keyboard.type("Discharge summary repeats the medication list")
    _tab_to_submit(page)
    page.collect()
    with page.page.expect_navigation():
        keyboard.press("Enter")

    assert IntakeRequest.objects.count() == 0
    assert _focused(page) == "id_kind"  # the first field with an error
    summary = page.page.get_by_role("alert").filter(has_text="Nothing was saved")
    expect(summary.get_by_role("heading")).to_have_text("Nothing was saved: correct 4 fields")
    assert summary.get_by_role("link").evaluate_all("links => links.map(a => a.hash)") == [
        "#id_kind",
        "#id_story_today",
        "#id_story_wanted",
        "#id_frequency",
    ]
    assert page.audit() == []
    page.screenshot("form-invalid-first-error-focused")

    # A summary link takes the focus to its field; the rest is filled with the keyboard.
    summary.get_by_role("link", name="What happens today?").focus()
    keyboard.press("Enter")
    assert _focused(page) == "id_story_today"
    keyboard.type("Each medication is listed twice.")
    keyboard.press("Shift+Tab")
    assert _focused(page) == "id_kind"
    keyboard.press("ArrowDown")  # the first kind
    keyboard.press("Tab")
    keyboard.press("Tab")
    assert _focused(page) == "id_story_wanted"
    keyboard.type("One reconciled list.")
    keyboard.press("Tab")
    assert _focused(page) == "id_frequency"
    keyboard.press("ArrowDown")
    _tab_to_submit(page)
    page.collect()
    with page.page.expect_navigation():
        keyboard.press("Enter")

    created = IntakeRequest.objects.get()
    assert (created.title, created.story_wanted) == (
        "Discharge summary repeats the medication list",
        "One reconciled list.",
    )
    assert page.page.url == f"{page.base_url}/requests/{created.pk}/"
    page.assert_clean()
