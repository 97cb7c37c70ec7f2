"""In Chromium: a champion signs in, types a title and sees similar open requests suggested,
submits a pain point and finds it under My requests as Submitted; the CMIO signs in and finds it
in the triage queue. The PHI guard highlights a phone number and offers the confirmation.
Screenshots go to test-artifacts/screenshots/intake-*.png; every page runs without a console
error, a CSP violation or a request leaving the machine, and the submit form, a request's page
and the triage queue pass axe-core with no violation of any impact."""

from collections.abc import Callable

import factory
import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from informatics.choices import FacilityKind, Role
from informatics.models import SiteSettings, User
from intake import services
from intake.models import IntakeRequest, Rubric
from tests.browser.conftest import MOBILE, Recorder, sign_in_with_form
from tests.factories import PASSWORD, FacilityFactory, UserFactory
from tests.intake.factories import submit

pytestmark = pytest.mark.browser
NO_PASSWORD = factory.Transformer.Force("!")  # unusable, so nothing to hash

OpenPage = Callable[..., Recorder]

OPEN_TITLES = (
    "Sepsis alert fires on every post-op tachycardia",
    "Sepsis order set lacks lactate timer",
    "Alert fatigue from duplicate allergy warnings",
    "Post-op order set duplicates VTE orders",
    "Inbox routing for normal labs",
)
NEW_TITLE = "Discharge summary template repeats the medication list"


def _riverside() -> dict[str, User]:
    """Riverside Health with a champion, the CMIO, and five open requests by a colleague."""
    assert Rubric.objects.filter(version=1, is_current=True).exists()
    SiteSettings.objects.update_or_create(pk=1, defaults={"organisation_name": "Riverside Health"})
    cache.clear()
    system = FacilityFactory.create(
        code="riverside", name="Riverside Health", kind=FacilityKind.SYSTEM
    )
    hospital = FacilityFactory.create(
        code="rmc", name="Riverside Medical Center", kind=FacilityKind.HOSPITAL, parent=system
    )
    champion = UserFactory.create(
        roles=[Role.CHAMPION],
        email="maya.chen@riverside.example",
        full_name="Dr. Maya Chen",
        specialty="Hospital medicine",
    )
    champion.facilities.set([hospital])
    cmio = UserFactory.create(
        roles=[Role.CMIO], email="cmio@riverside.example", full_name="Dr. Sam Okafor"
    )
    colleague = UserFactory.create(
        roles=[Role.CHAMPION], full_name="Dr. Lena Ortiz", password=NO_PASSWORD
    )
    for title in OPEN_TITLES:
        submit(colleague, title=title, facility=hospital)
    closed = submit(colleague, title=OPEN_TITLES[0])
    services.request_withdraw(actor=colleague, request=closed)
    return {"champion": champion, "cmio": cmio}


def test_a_champion_submits_a_pain_point_and_the_cmio_sees_it_in_triage(
    open_page: OpenPage,
) -> None:
    people = _riverside()
    page = open_page()
    sign_in_with_form(page, people["champion"].email, PASSWORD)
    assert page.page.locator("h1").inner_text() == "My requests"

    # Typing in the title asks for similar open requests; the best match comes first.
    page.goto("/requests/new/")
    title = page.page.get_by_label("In a few words, what is the problem?")
    title.press_sequentially("sepsis alert post-op", delay=30)
    suggestions = page.page.locator("#similar-requests li")
    expect(suggestions.first).to_contain_text(OPEN_TITLES[0], timeout=5000)
    assert suggestions.count() <= 5
    expect(suggestions.first.get_by_role("button")).to_contain_text("+1 instead")
    assert page.audit() == []
    page.screenshot("intake-suggestions")

    # Not the same problem after all: a new pain point, in two minutes.
    title.fill(NEW_TITLE)
    page.page.get_by_label("What kind of request is it?").select_option("pain_point")
    page.page.get_by_label("What happens today?").fill(
        "The discharge summary lists every medication twice: once from the order list and "
        "once from the reconciliation."
    )
    page.page.get_by_label("What should happen instead?").fill("One list, the reconciled one.")
    page.page.get_by_label("How often does it happen to you?").select_option("daily")
    page.page.get_by_label("Minutes lost each time (optional)").fill("4")
    # The profile prefilled where it happens.
    assert page.page.get_by_label("Specialty").input_value() == "Hospital medicine"
    assert page.page.get_by_label("Facility").locator("option:checked").inner_text() == (
        "Riverside Medical Center"
    )
    page.screenshot("intake-form")
    page.collect()
    page.page.get_by_role("button", name="Submit request").click()
    page.page.wait_for_load_state()

    created = IntakeRequest.objects.get(title=NEW_TITLE)
    assert page.page.url == f"{page.base_url}/requests/{created.pk}/"
    assert page.page.locator("h1").inner_text() == NEW_TITLE
    assert page.page.get_by_role("status").inner_text().startswith("Thank you:")
    assert page.audit() == []
    page.screenshot("intake-detail-champion")

    page.goto("/requests/mine/")
    row = page.page.get_by_role("row").filter(has_text=NEW_TITLE)
    expect(row).to_contain_text("Submitted")
    expect(row).to_contain_text("You raised it")
    page.screenshot("intake-my-requests")
    page.page.set_viewport_size(MOBILE)  # type: ignore[arg-type]
    page.screenshot("intake-my-requests-mobile")
    page.assert_clean()

    # The CMIO finds it in the triage queue, and on their request page the triage tools.
    cmio_page = open_page()
    sign_in_with_form(cmio_page, people["cmio"].email, PASSWORD)
    assert cmio_page.page.locator("h1").inner_text() == "CMIO workbench"
    expect(cmio_page.page.locator("#triage-heading")).to_have_text("Triage queue")
    cmio_page.screenshot("intake-cmio-landing")
    cmio_page.goto("/requests/triage/")
    queued = cmio_page.page.get_by_role("row").filter(has_text=NEW_TITLE)
    expect(queued).to_contain_text("Submitted")
    expect(queued).to_contain_text("not routed yet")
    assert cmio_page.audit() == []
    cmio_page.screenshot("intake-triage-queue")

    cmio_page.collect()
    queued.get_by_role("link", name=NEW_TITLE).click()
    cmio_page.page.wait_for_load_state()
    assert cmio_page.page.get_by_role("heading", name="Triage and score").is_visible()
    assert cmio_page.audit() == []
    cmio_page.screenshot("intake-detail-cmio")

    # The list with its filters, and the published rubric.
    cmio_page.goto("/requests/?q=sepsis")
    expect(cmio_page.page.locator("#results-heading")).to_have_text("3 requests")
    assert cmio_page.audit() == []
    cmio_page.screenshot("intake-request-list")
    cmio_page.goto("/requests/rubric/")
    assert cmio_page.audit() == []
    cmio_page.screenshot("intake-rubric")
    cmio_page.assert_clean()


def test_the_phi_guard_highlights_a_phone_number_and_offers_the_confirmation(
    open_page: OpenPage,
) -> None:
    people = _riverside()
    page = open_page()
    sign_in_with_form(page, people["champion"].email, PASSWORD)
    page.goto("/requests/new/")
    page.page.get_by_label("In a few words, what is the problem?").fill(
        "Paging line missing from the handoff"
    )
    page.page.get_by_label("What kind of request is it?").select_option("pain_point")
    page.page.get_by_label("What happens today?").fill("Nights call 555-201-3344 to reach us.")
    page.page.get_by_label("What should happen instead?").fill("The number is in the handoff.")
    page.page.get_by_label("How often does it happen to you?").select_option("weekly")
    page.collect()
    page.page.get_by_role("button", name="Submit request").click()
    page.page.wait_for_load_state()

    assert IntakeRequest.objects.filter(title="Paging line missing from the handoff").count() == 0
    expect(page.page.locator("mark.phi")).to_have_text("555-201-3344")
    expect(page.page.locator("#phi-alert")).to_contain_text("Nothing was saved yet")
    assert page.audit() == []
    page.screenshot("intake-phi-flagged")

    page.page.get_by_label("This is not patient information").check()
    page.collect()
    page.page.get_by_role("button", name="Submit request").click()
    page.page.wait_for_load_state()

    created = IntakeRequest.objects.get(title="Paging line missing from the handoff")
    assert page.page.url == f"{page.base_url}/requests/{created.pk}/"
    page.assert_clean()
