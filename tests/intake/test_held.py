"""A request or comment saved past the PHI guard is held: only its author, triage and admins
read it until an informaticist clears the hold."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from informatics.models import AuditEvent, PhiConfirmation, User
from informatics.permissions import ActionDenied
from intake import selectors, services
from intake.models import IntakeRequest, RequestComment
from tests.conftest import ApiAs, snapshot
from tests.intake.factories import submit

pytestmark = pytest.mark.django_db

TITLE = "Bed board shows the wrong unit"
HELD_STORY = "Seen on MRN 4412897 twice this week."


@pytest.fixture
def author(make_user: Any) -> User:
    return make_user("champion", email="author@riverside.example", full_name="Ada Author")


@pytest.fixture
def held(author: User) -> IntakeRequest:
    """A request whose story its author confirmed past the guard."""
    return submit(author, title=TITLE, story_today=HELD_STORY, phi_confirmed=True)


def login(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def sees(user: User, request: IntakeRequest, api_as: ApiAs) -> dict[str, bool]:
    """Where `user` finds the request: list page, search, CSV, API list and detail, page."""
    client, api = login(user), api_as(user)
    listed = client.get(reverse("intake:request-list"))
    searched = client.get(reverse("intake:request-list"), {"q": "bed board"})
    exported = client.get(reverse("intake:request-export"))
    csv = b"".join(exported.streaming_content).decode()  # type: ignore[attr-defined]
    api_list = api.get("/api/v1/requests/")
    return {
        "list": TITLE in listed.content.decode(),
        "search": TITLE in searched.content.decode(),
        "csv": TITLE in csv,
        "api_list": any(row["id"] == request.pk for row in api_list.json()["results"]),
        "api_detail": api.get(f"/api/v1/requests/{request.pk}/").status_code == 200,
        "page": client.get(reverse("intake:request-detail", args=[request.pk])).status_code == 200,
    }


EVERYWHERE = dict.fromkeys(("list", "search", "csv", "api_list", "api_detail", "page"), True)
NOWHERE = dict.fromkeys(EVERYWHERE, False)


def test_a_champion_cannot_find_a_held_request_anywhere(
    held: IntakeRequest, users: dict[str, User], api_as: ApiAs
) -> None:
    assert sees(users["champion"], held, api_as) == NOWHERE
    with pytest.raises(ActionDenied):
        selectors.request_detail(user=users["champion"], pk=held.pk)
    assert selectors.requests_similar(title=TITLE) == []


@pytest.mark.parametrize("role", ["executive", "cmo"])
def test_other_readers_than_triage_cannot_read_a_held_request(
    held: IntakeRequest, users: dict[str, User], api_as: ApiAs, role: str
) -> None:
    assert sees(users[role], held, api_as) == NOWHERE


def test_the_author_triage_and_admins_read_a_held_request(
    held: IntakeRequest, author: User, users: dict[str, User], api_as: ApiAs
) -> None:
    for user in (author, users["informaticist"], users["cmio"], users["admin"]):
        assert sees(user, held, api_as) == EVERYWHERE, user.email


def test_after_an_informaticist_clears_it_everyone_reads_it(
    held: IntakeRequest, users: dict[str, User], api_as: ApiAs
) -> None:
    cleared = services.request_hold_clear(actor=users["informaticist"], request=held)

    assert cleared == 1
    row = PhiConfirmation.objects.get()
    assert (row.field, row.cleared_by) == ("story_today", users["informaticist"])
    assert row.cleared_at is not None
    assert sees(users["champion"], held, api_as) == EVERYWHERE
    event = AuditEvent.objects.filter(note="PHI hold cleared").get()
    assert (event.object_id, event.actor, event.changes) == (
        str(held.pk),
        users["informaticist"],
        {"phi_held": [["story_today"], []]},
    )


@pytest.mark.parametrize("role", ["champion", "executive", "cmo", "admin"])
def test_only_triage_may_clear_a_hold(
    held: IntakeRequest, users: dict[str, User], role: str
) -> None:
    before = snapshot(PhiConfirmation, AuditEvent, IntakeRequest)
    with pytest.raises(ActionDenied):
        services.request_hold_clear(actor=users[role], request=held)
    assert snapshot(PhiConfirmation, AuditEvent, IntakeRequest) == before


def test_a_champions_post_to_the_clear_button_changes_nothing(
    held: IntakeRequest, author: User
) -> None:
    before = snapshot(PhiConfirmation, AuditEvent)
    response = login(author).post(reverse("intake:request-hold-clear", args=[held.pk]))
    assert response.status_code == 403
    assert snapshot(PhiConfirmation, AuditEvent) == before


def test_the_clear_button_shows_to_triage_on_a_held_request_and_clears_it(
    held: IntakeRequest, author: User, users: dict[str, User]
) -> None:
    url = reverse("intake:request-detail", args=[held.pk])
    button = reverse("intake:request-hold-clear", args=[held.pk])
    assert button not in login(author).get(url).content.decode()
    client = login(users["informaticist"])
    assert button in client.get(url).content.decode()

    response = client.post(button)

    assert response.status_code == 302
    assert PhiConfirmation.objects.filter(cleared_at__isnull=True).count() == 0
    assert button not in client.get(url).content.decode()


def test_clearing_a_request_with_nothing_held_is_refused(users: dict[str, User]) -> None:
    request = submit(users["champion"])
    with pytest.raises(ValidationError) as raised:
        services.request_hold_clear(actor=users["informaticist"], request=request)
    assert raised.value.message_dict == {"request": [f"Nothing on request #{request.pk} is held."]}


def test_a_held_comment_shows_only_to_its_author_triage_and_admins(
    users: dict[str, User], author: User, make_user: Any, api_as: ApiAs
) -> None:
    request = submit(users["champion"], title=TITLE)
    services.request_comment(actor=author, request=request, body=HELD_STORY, phi_confirmed=True)
    other = make_user("champion")
    path = f"/api/v1/requests/{request.pk}/comments/"

    def api_bodies(user: User) -> list[str]:
        return [row["body"] for row in api_as(user).get(path).json()]

    page = reverse("intake:request-detail", args=[request.pk])
    assert HELD_STORY not in login(other).get(page).content.decode()
    assert HELD_STORY not in login(users["champion"]).get(page).content.decode()
    assert api_bodies(other) == []
    for reader in (author, users["informaticist"], users["admin"]):
        assert HELD_STORY in login(reader).get(page).content.decode()
        assert api_bodies(reader) == [HELD_STORY]

    services.request_hold_clear(actor=users["informaticist"], request=request)

    assert api_bodies(other) == [HELD_STORY]
    assert RequestComment.objects.get().body == HELD_STORY


def test_held_requests_wait_in_triages_needs_me_until_cleared(
    held: IntakeRequest, users: dict[str, User]
) -> None:
    def held_items(user: User) -> list[tuple[str, str]]:
        return [
            (item.title, item.url)
            for item in selectors.needs_me_for(user)
            if item.kind == "PHI held"
        ]

    expected = [(f"#{held.pk} {TITLE}", reverse("intake:request-detail", args=[held.pk]))]
    assert held_items(users["informaticist"]) == expected
    assert held_items(users["cmio"]) == expected
    assert held_items(users["champion"]) == []

    services.request_hold_clear(actor=users["cmio"], request=held)

    assert held_items(users["informaticist"]) == []


def test_a_held_comment_puts_its_request_in_triages_needs_me(
    users: dict[str, User], author: User
) -> None:
    request = submit(users["champion"], title=TITLE)
    services.request_comment(actor=author, request=request, body=HELD_STORY, phi_confirmed=True)
    kinds = [item.kind for item in selectors.needs_me_for(users["informaticist"])]
    assert kinds.count("PHI held") == 1


def test_a_held_question_is_not_quoted_in_the_submitters_needs_me(
    users: dict[str, User], author: User
) -> None:
    request = submit(author, title=TITLE)
    services.request_ask(
        actor=users["informaticist"], request=request, question=HELD_STORY, phi_confirmed=True
    )

    items = [item for item in selectors.needs_me_for(author) if item.kind == "Question for you"]

    assert [(item.title, item.detail) for item in items] == [(f"#{request.pk} {TITLE}", "")]
