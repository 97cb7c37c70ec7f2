"""In Chromium, the daily-use pages of issue 16: the CMIO sorts the request list by +1s and
adds a +1 from the list without a reload; triages five requests from the triage board with
the keyboard alone; links a request to an initiative through the search-as-you-type picker.
Screenshots go to test-artifacts/screenshots/daily-*.png; every page runs without a console
error, a CSP violation or a request leaving the machine, and the request list, the triage
board and the link picker pass axe-core with no violation of any impact."""

from collections.abc import Callable
from typing import Any

import factory
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import cache
from playwright.sync_api import expect

from informatics.choices import Role
from informatics.models import SiteSettings, User
from intake.choices import RequestStatus
from intake.models import IntakeRequest, RequestVote, Rubric
from tests.browser.conftest import Recorder, sign_in_with_cookie
from tests.factories import UserFactory
from tests.initiatives.factories import create_initiative, initiative_of
from tests.intake.factories import RequestVoteFactory, scored_request, submit

pytestmark = pytest.mark.browser
NO_PASSWORD = factory.Transformer.Force("!")  # unusable, so nothing to hash

OpenPage = Callable[..., Recorder]


def _violations(page: Recorder, context: str | None = None) -> list[dict[str, Any]]:
    """axe-core violations of any impact (of the `context` selector, else the page)."""
    results = Axe().run(page.page, context=context)
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "targets": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in results.response["violations"]
    ]


def _people() -> dict[str, User]:
    assert Rubric.objects.filter(version=1, is_current=True).exists()
    SiteSettings.objects.update_or_create(pk=1, defaults={"organisation_name": "Riverside Health"})
    cache.clear()
    return {
        "cmio": UserFactory.create(
            roles=[Role.CMIO], email="cmio@riverside.example", full_name="Dr. Sam Okafor"
        ),
        "colleague": UserFactory.create(
            roles=[Role.CHAMPION], full_name="Dr. Lena Ortiz", password=NO_PASSWORD
        ),
    }


def _voters(count: int) -> list[User]:
    return [UserFactory.create(roles=[Role.CHAMPION], password=NO_PASSWORD) for _ in range(count)]


def test_sort_the_request_list_by_plus_ones_and_add_one_without_a_reload(
    open_page: OpenPage,
) -> None:
    people = _people()
    voters = _voters(3)
    requests = {}
    for title, votes in (("Inbox floods with normal labs", 1), ("Sepsis alert fires", 3)):
        requests[title] = submit(people["colleague"], title=title)
        for voter in voters[:votes]:
            RequestVoteFactory.create(request=requests[title], voter=voter)
    quiet = submit(people["colleague"], title="Discharge summary repeats medications")
    page = open_page()
    sign_in_with_cookie(page, people["cmio"])

    page.goto("/requests/")
    first_title = page.page.locator("#request-table tbody tr th a").first
    expect(first_title).to_have_text(quiet.title)  # newest first
    page.collect()
    page.page.get_by_role("link", name="+1s (sort by this)").click()
    page.page.wait_for_load_state()
    assert page.page.url.endswith("/requests/?sort=votes")
    titles = page.page.locator("#request-table tbody tr th a").all_inner_texts()
    assert titles == ["Sepsis alert fires", "Inbox floods with normal labs", quiet.title]
    expect(page.page.locator("th[aria-sort=descending]")).to_contain_text("+1s")
    assert _violations(page) == []
    page.screenshot("daily-request-list-by-votes")

    # +1 from the list: the cell answers in place, the page is not reloaded.
    page.page.evaluate("window.__notReloaded = true")
    row = page.page.get_by_role("row").filter(has_text=quiet.title)
    row.get_by_role("button", name=f"+1 “{quiet.title}”: I have this problem too").click()
    cell = page.page.locator(f"#votes-{quiet.pk}")
    expect(cell).to_contain_text("You +1'd")
    expect(cell.locator(".vote-cell__count")).to_have_text("1")
    assert page.page.evaluate("window.__notReloaded") is True
    assert RequestVote.objects.filter(request=quiet, voter=people["cmio"]).count() == 1
    assert _violations(page) == []
    page.screenshot("daily-request-list-plus-one")
    page.assert_clean()


def test_triage_five_requests_from_the_board_with_the_keyboard_alone(
    open_page: OpenPage,
) -> None:
    people = _people()
    titles = [f"Pain point number {n}" for n in range(1, 6)]
    made = [submit(people["colleague"], title=title) for title in titles]
    page = open_page()
    sign_in_with_cookie(page, people["cmio"])

    page.goto("/requests/triage/board/")
    assert _violations(page) == []
    page.screenshot("daily-triage-board")
    for n, title in enumerate(titles):
        expect(page.page.locator("#board-open-heading")).to_have_text(f"#{made[n].pk} {title}")
        # The first rating has the focus: a digit per rating moves on by itself to the route.
        expect(page.page.locator("#board_rating_safety_quality")).to_be_focused()
        page.page.keyboard.type("3421035")
        expect(page.page.locator("#board_route")).to_be_focused()
        page.page.keyboard.press("Tab")
        expect(page.page.locator("#board_build_hours")).to_be_focused()
        page.page.keyboard.type("20")
        if n == 0:
            page.screenshot("daily-triage-board-rated")
        page.collect()
        page.page.keyboard.press("Enter")
        page.page.wait_for_load_state()

    expect(page.page.locator(".empty-state h3")).to_have_text("Nothing to triage")
    assert [
        (row.status, row.build_hours, row.ratings["readiness"])
        for row in IntakeRequest.objects.filter(pk__in=[r.pk for r in made]).order_by("pk")
    ] == [(RequestStatus.SCORED, 20, 5)] * 5
    assert _violations(page) == []
    page.screenshot("daily-triage-board-done")
    page.assert_clean()


def test_link_a_request_through_the_picker(open_page: OpenPage) -> None:
    people = _people()
    initiative = create_initiative(people["cmio"], title="Inbox burden reduction")
    wanted = scored_request(people["cmio"], people["colleague"], title="Inbox floods with labs")
    scored_request(people["cmio"], people["colleague"], title="Sepsis alert fires")
    submit(people["colleague"], title="Inbox sorting is random")  # untriaged: not offered
    page = open_page()
    sign_in_with_cookie(page, people["cmio"])

    page.goto(f"/initiatives/{initiative.pk}/")
    picker = page.page.get_by_label("Link a request: find it by title or number")
    picker.press_sequentially("inbox", delay=40)
    results = page.page.locator("#link-candidates li")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text(wanted.title)
    assert _violations(page, "#requests") == []
    page.screenshot("daily-link-picker")

    page.collect()
    results.first.get_by_role("button").click()
    page.page.wait_for_load_state()
    expect(page.page.locator("#requests .link-list")).to_contain_text(wanted.title)
    assert initiative_of(IntakeRequest.objects.get(pk=wanted.pk)) == initiative
    page.screenshot("daily-link-picker-linked")
    page.assert_clean()
