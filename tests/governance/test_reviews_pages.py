"""Review pages and services: who may chair, what a refusal leaves unchanged, the query
budget of the review page and the lists, and the needs-me items of chairs and owners."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from governance import selectors, services
from governance.choices import AgendaKind, BodyKind
from governance.models import ActionItem, AgendaItem, Review
from informatics.models import AuditEvent, User
from informatics.permissions import ActionDenied
from initiatives.choices import Stage
from tests.conftest import snapshot
from tests.governance.agenda_world import action, body, review_of
from tests.initiatives.factories import InitiativeFactory

NOW = datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]
TABLES = (Review, AgendaItem, ActionItem, AuditEvent)


@pytest.fixture
def council(users: dict[str, User]) -> Review:
    owner = body("council", BodyKind.COUNCIL, users["executive"])
    review = review_of(owner, users["executive"])
    for n in (1, 2):
        AgendaItem.objects.create(
            review=review, position=n, kind="other", reason="r", title=f"T{n}"
        )
    return review


def test_the_chair_schedules_builds_adds_moves_and_removes(
    users: dict[str, User], council: Review
) -> None:
    chair = users["executive"]
    made = services.review_schedule(
        actor=chair, body=council.body, scheduled_for=NOW + datetime.timedelta(days=3)
    )
    assert (made.body, made.status, made.created_by) == (council.body, "planned", chair)
    added = services.agenda_item_add(actor=chair, review=council, title="Night float")
    services.agenda_item_move(actor=chair, item=added, position=1)
    first = council.items.get(title="T1")
    services.agenda_item_move(actor=chair, item=first, direction="down")
    assert list(council.items.order_by("position").values_list("title", flat=True)) == [
        "Night float",
        "T2",
        "T1",
    ]
    services.agenda_item_remove(actor=chair, item=council.items.get(title="T2"))
    assert list(council.items.order_by("position").values_list("position", "title")) == [
        (1, "Night float"),
        (2, "T1"),
    ]


def test_a_champion_who_does_not_chair_the_body_is_refused_and_nothing_changes(
    users: dict[str, User], council: Review
) -> None:
    champion = users["champion"]
    council.body.memberships.create(user=champion)  # a member, but not the chair
    InitiativeFactory.create(stage=Stage.PROPOSED)
    item = council.items.get(title="T1")
    before = snapshot(*TABLES)
    attempts = [
        lambda: services.review_schedule(
            actor=champion, body=council.body, scheduled_for=NOW + datetime.timedelta(days=1)
        ),
        lambda: services.agenda_build(actor=champion, review=council),
        lambda: services.agenda_item_add(actor=champion, review=council, title="Mine"),
        lambda: services.agenda_item_move(actor=champion, item=item, direction="down"),
        lambda: services.agenda_item_remove(actor=champion, item=item),
        lambda: services.review_update(actor=champion, review=council, minutes="x"),
        lambda: services.review_hold(actor=champion, review=council),
    ]
    for attempt in attempts:
        with pytest.raises(ActionDenied):
            attempt()
    assert snapshot(*TABLES) == before


def test_a_champion_posting_to_the_chairs_controls_changes_nothing(
    users: dict[str, User], council: Review, client_for: Any
) -> None:
    client: Client = client_for("champion")
    item = council.items.get(title="T1")
    before = snapshot(*TABLES)
    assert client.post(f"/governance/reviews/{council.pk}/agenda/").status_code == 403
    assert (
        client.post(f"/governance/agenda-items/{item.pk}/move/", {"direction": "down"}).status_code
        == 403
    )
    assert (
        client.post(f"/governance/reviews/{council.pk}/items/", {"title": "x"}).status_code == 403
    )
    assert snapshot(*TABLES) == before


def test_a_move_to_a_position_outside_the_agenda_is_refused_naming_the_field(
    users: dict[str, User], council: Review
) -> None:
    with pytest.raises(ValidationError) as err:
        services.agenda_item_move(
            actor=users["cmo"], item=council.items.get(title="T1"), position=3
        )
    assert err.value.message_dict == {"position": ["Give a position from 1 to 2."]}


def _items(review: Review, n: int, owner: User) -> None:
    AgendaItem.objects.filter(review=review).delete()
    initiative = InitiativeFactory.create()
    AgendaItem.objects.bulk_create(
        AgendaItem(
            review=review,
            position=k,
            kind=AgendaKind.GATE,
            reason=f"reason {k}",
            title=f"Item {k}",
            initiative=initiative,
        )
        for k in range(1, n + 1)
    )
    for k in range(n):
        action(
            review.body,
            owner,
            datetime.date(2026, 6, 1),
            title=f"A{k}",
            agenda_item=review.items.first(),
        )


@pytest.mark.parametrize("n", [2, 200])
def test_the_review_page_costs_the_same_queries_for_2_and_200_items(
    n: int, users: dict[str, User], council: Review, client_for: Any, django_assert_num_queries: Any
) -> None:
    _items(council, n, users["informaticist"])
    client: Client = client_for("executive")
    client.get("/")  # the session and the user's roles, read once per request below too
    # session, user, roles, review (body, chair, creator), items, decisions, attendees,
    # actions, attendees again for the form's initial value, the form's people, the page
    # frame's navigation, the session's touch
    with django_assert_num_queries(12):
        page = client.get(f"/governance/reviews/{council.pk}/")
    assert page.status_code == 200
    assert page.content.decode().count("reason ") == n


@pytest.mark.parametrize("n", [2, 200])
def test_the_review_and_action_lists_cost_the_same_for_2_and_200_rows(
    n: int, users: dict[str, User], council: Review, client_for: Any, django_assert_num_queries: Any
) -> None:
    for k in range(n):
        review_of(council.body, users["executive"], days=k + 2)
        action(council.body, users["executive"], datetime.date(2026, 6, 1), title=f"A{k}")
    client: Client = client_for("executive")
    client.get("/")
    # session, user, roles, count, page of reviews, the page frame (two), the session's touch
    with django_assert_num_queries(8):
        assert client.get("/governance/reviews/").status_code == 200
    # session, user, roles, site settings (site date), count, page of actions, the page
    # frame, the session's touch
    with django_assert_num_queries(8):
        assert client.get("/governance/actions/").status_code == 200


def test_needs_me_asks_chairs_to_prepare_reviews_and_owners_to_finish_overdue_actions(
    users: dict[str, User],
) -> None:
    chair = users["executive"]
    council = body("council", BodyKind.COUNCIL, chair)
    soon = review_of(council, chair, days=14)
    review_of(council, chair, days=15)  # too far off
    built = review_of(council, chair, days=3)
    AgendaItem.objects.create(review=built, position=1, kind="other", reason="r", title="x")
    late = action(council, users["informaticist"], datetime.date(2026, 6, 14), title="Late")
    action(council, users["informaticist"], datetime.date(2026, 6, 15), title="Due today")

    chair_items = selectors.needs_me_for(chair)
    assert [(i.kind, i.title, i.url) for i in chair_items] == [
        ("Review to prepare", str(soon), f"/governance/reviews/{soon.pk}/")
    ]
    owner_items = selectors.needs_me_for(users["informaticist"])
    assert [(i.kind, i.title, i.url, i.detail) for i in owner_items] == [
        (
            "Overdue action",
            "Late",
            f"/governance/actions/#action-{late.pk}",
            "For COUNCIL, due 14 Jun 2026.",
        )
    ]
    assert owner_items[0].due == timezone.make_aware(datetime.datetime(2026, 6, 14))


def test_a_chair_who_owns_an_overdue_action_sees_both_in_one_query(
    users: dict[str, User], django_assert_num_queries: Any
) -> None:
    chair = users["executive"]
    council = body("council", BodyKind.COUNCIL, chair)
    soon = review_of(council, chair, days=2)
    late = action(council, chair, datetime.date(2026, 6, 10), title="Late")
    assert chair.roles == ("executive",)  # read once, then cached on the user
    with django_assert_num_queries(1):
        items = selectors.needs_me_for(chair)
    assert [(i.kind, i.title, i.url) for i in items] == [
        ("Overdue action", "Late", f"/governance/actions/#action-{late.pk}"),
        ("Review to prepare", str(soon), f"/governance/reviews/{soon.pk}/"),
    ]
