"""The reviews and action items API: lists with a fixed query budget, agenda nested in a
review, scheduling and completing through the services, refusals that change nothing."""

import datetime
from typing import Any

import pytest

from governance.choices import ActionStatus, AgendaKind, BodyKind
from governance.models import ActionItem, AgendaItem, Review
from informatics.models import AuditEvent, User
from tests.conftest import ApiAs, snapshot
from tests.governance.agenda_world import action, body, review_of

NOW = datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]


@pytest.mark.parametrize("n", [2, 200])
def test_the_reviews_list_costs_the_same_for_2_and_200(
    n: int, users: dict[str, User], api_as: ApiAs, django_assert_num_queries: Any
) -> None:
    council = body("council", BodyKind.COUNCIL, users["executive"])
    for k in range(n):
        review_of(council, users["executive"], days=k)
    client = api_as(users["champion"])
    client.get("/api/v1/me/")  # the site settings row, made on first use
    # token and user, roles, count, page of reviews (body joined, counts annotated)
    with django_assert_num_queries(4):
        answer = client.get("/api/v1/reviews/")
    assert answer.status_code == 200
    assert answer.json()["count"] == n


@pytest.mark.parametrize("n", [2, 200])
def test_the_action_items_list_costs_the_same_for_2_and_200(
    n: int, users: dict[str, User], api_as: ApiAs, django_assert_num_queries: Any
) -> None:
    council = body("council", BodyKind.COUNCIL, users["executive"])
    for k in range(n):
        action(council, users["informaticist"], datetime.date(2026, 6, 1), title=f"A{k}")
    client = api_as(users["informaticist"])
    client.get("/api/v1/me/")  # the site settings row, made on first use
    # token and user, roles, count, page (owner, body joined); the site settings are cached
    with django_assert_num_queries(4):
        answer = client.get("/api/v1/action-items/")
    assert answer.status_code == 200
    assert answer.json()["count"] == n


def test_a_review_nests_its_agenda_with_reasons(users: dict[str, User], api_as: ApiAs) -> None:
    council = body("council", BodyKind.COUNCIL, users["executive"])
    review = review_of(council, users["executive"])
    AgendaItem.objects.create(
        review=review, position=1, kind=AgendaKind.OTHER, reason="Added by X", title="Budget"
    )
    answer = api_as(users["champion"]).get(f"/api/v1/reviews/{review.pk}/").json()
    assert answer["body"] == {"id": council.pk, "code": "council", "name": "COUNCIL"}
    assert [(i["position"], i["kind"], i["reason"], i["title"]) for i in answer["items"]] == [
        (1, "other", "Added by X", "Budget")
    ]


def test_the_chair_schedules_through_the_api_and_a_champion_is_refused(
    users: dict[str, User], api_as: ApiAs
) -> None:
    council = body("council", BodyKind.COUNCIL, users["executive"])
    data = {"body": "council", "scheduled_for": "2026-06-20T09:00:00Z"}
    before = snapshot(Review, AuditEvent)
    assert (
        api_as(users["champion"]).post("/api/v1/reviews/", data, format="json").status_code == 403
    )
    assert snapshot(Review, AuditEvent) == before
    made = api_as(users["executive"]).post("/api/v1/reviews/", data, format="json")
    assert made.status_code == 201
    assert (made.json()["status"], made.json()["items"]) == ("planned", [])
    assert Review.objects.get().body == council


def test_the_owner_completes_an_action_item_and_another_champion_is_refused(
    users: dict[str, User], api_as: ApiAs, make_user: Any
) -> None:
    council = body("council", BodyKind.COUNCIL, users["executive"])
    item = action(council, users["champion"], datetime.date(2026, 6, 1))
    other = make_user("champion")
    before = snapshot(ActionItem)
    assert api_as(other).post(f"/api/v1/action-items/{item.pk}/complete/").status_code == 404
    assert snapshot(ActionItem) == before
    done = api_as(users["champion"]).post(f"/api/v1/action-items/{item.pk}/complete/")
    assert done.status_code == 200
    assert done.json()["status"] == ActionStatus.DONE


def test_an_action_item_without_a_due_date_is_refused_naming_the_field(
    users: dict[str, User], api_as: ApiAs
) -> None:
    body("council", BodyKind.COUNCIL, users["executive"])
    answer = api_as(users["cmio"]).post(
        "/api/v1/action-items/",
        {"body": "council", "title": "Draft", "owner": users["champion"].pk},
        format="json",
    )
    assert answer.status_code == 400
    assert list(answer.json()) == ["due_on"]
    assert ActionItem.objects.count() == 0
