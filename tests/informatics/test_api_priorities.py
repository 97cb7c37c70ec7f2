"""Strategic priorities through the API: every role against every action, stale edits, bad
input, and the list's query budget."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from informatics.choices import Role, ValueCategory
from informatics.models import AuditEvent, StrategicPriority, User
from tests.conftest import ApiAs, snapshot
from tests.factories import PriorityFactory

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

URL = "/api/v1/priorities/"
EDITORS = {Role.CMO, Role.ADMIN}


# Every priority and the audit trail (compared whole with `snapshot`).
TABLES = (StrategicPriority, AuditEvent)


@pytest.fixture
def ranked(db: None) -> list[StrategicPriority]:
    """Two active priorities (ranks 1, 2) and a retired one."""
    return [
        PriorityFactory.create(code="zero-harm", title="Zero Harm", rank=1),
        PriorityFactory.create(code="joy", title="Restore joy in practice", rank=2),
        PriorityFactory.create(
            code="old", title="Old priority", rank=3, is_active=False, retired_reason="Done."
        ),
    ]


# --- Every role, every action ---------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One action: how to take it through the API, and what success looks like."""

    name: str
    send: Callable[[APIClient, list[StrategicPriority], User], Any]
    succeeded: Callable[[Any, list[StrategicPriority], User], None]
    success_status: int = 200


def _create(client: APIClient, ranked: list[StrategicPriority], user: User) -> Any:
    return client.post(
        URL,
        {
            "code": "health-equity",
            "title": "Health equity",
            "goal_statement": "Halve the gap in diabetes control.",
            "value_category": "equity",
            "horizon": "2029-06-30",
            "executive_sponsor": user.pk,
        },
        format="json",
    )


def _created(response: Any, ranked: list[StrategicPriority], user: User) -> None:
    priority = StrategicPriority.objects.get(code="health-equity")
    assert response.json() == {
        "id": priority.pk,
        "code": "health-equity",
        "title": "Health equity",
        "goal_statement": "Halve the gap in diabetes control.",
        "executive_sponsor": {"id": user.pk, "full_name": user.full_name, "email": user.email},
        "value_category": "equity",
        "horizon": "2029-06-30",
        "is_active": True,
        "rank": 4,
        "retired_reason": "",
        "version": 1,
        "created_at": response.json()["created_at"],
        "updated_at": response.json()["updated_at"],
    }
    event = AuditEvent.objects.get(object_id=str(priority.pk))
    assert (event.action, event.actor) == ("create", user)


def _update(client: APIClient, ranked: list[StrategicPriority], user: User) -> Any:
    return client.patch(
        f"{URL}{ranked[0].pk}/", {"version": 1, "title": "Zero Harm, everywhere"}, format="json"
    )


def _updated(response: Any, ranked: list[StrategicPriority], user: User) -> None:
    priority = StrategicPriority.objects.get(pk=ranked[0].pk)
    assert (priority.title, priority.version) == ("Zero Harm, everywhere", 2)
    assert response.json()["title"] == "Zero Harm, everywhere"
    assert response.json()["version"] == 2
    event = AuditEvent.objects.get(object_id=str(priority.pk))
    assert (event.actor, event.changes) == (user, {"title": ["Zero Harm", "Zero Harm, everywhere"]})


def _reorder(client: APIClient, ranked: list[StrategicPriority], user: User) -> Any:
    return client.post(
        f"{URL}reorder/", {"ordered_ids": [ranked[1].pk, ranked[0].pk]}, format="json"
    )


def _reordered(response: Any, ranked: list[StrategicPriority], user: User) -> None:
    assert [(row["code"], row["rank"]) for row in response.json()] == [("joy", 1), ("zero-harm", 2)]
    ranks = dict(StrategicPriority.objects.values_list("code", "rank"))
    assert ranks == {"joy": 1, "zero-harm": 2, "old": 3}
    assert AuditEvent.objects.filter(actor=user, note="reordered").count() == 2


def _retire(client: APIClient, ranked: list[StrategicPriority], user: User) -> Any:
    return client.post(
        f"{URL}{ranked[1].pk}/retire/",
        {"version": 1, "reason": "Merged into Zero Harm."},
        format="json",
    )


def _retired(response: Any, ranked: list[StrategicPriority], user: User) -> None:
    priority = StrategicPriority.objects.get(pk=ranked[1].pk)
    assert (priority.is_active, priority.retired_reason, priority.version) == (
        False,
        "Merged into Zero Harm.",
        2,
    )
    assert response.json()["is_active"] is False


def _restore(client: APIClient, ranked: list[StrategicPriority], user: User) -> Any:
    return client.post(f"{URL}{ranked[2].pk}/restore/", {"version": 1}, format="json")


def _restored(response: Any, ranked: list[StrategicPriority], user: User) -> None:
    priority = StrategicPriority.objects.get(pk=ranked[2].pk)
    assert (priority.is_active, priority.retired_reason, priority.rank, priority.version) == (
        True,
        "",
        3,
        2,
    )
    assert response.json()["is_active"] is True


CASES = [
    Case("create", _create, _created, success_status=201),
    Case("update", _update, _updated),
    Case("reorder", _reorder, _reordered),
    Case("retire", _retire, _retired),
    Case("restore", _restore, _restored),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
@pytest.mark.parametrize("role", Role.values)
def test_only_cmo_and_admin_edit_priorities(
    users: dict[str, User], ranked: list[StrategicPriority], role: str, case: Case, api_as: ApiAs
) -> None:
    user = users[role]
    client = api_as(user)
    before = snapshot(*TABLES)

    response = case.send(client, ranked, user)

    if role in EDITORS:
        assert response.status_code == case.success_status, response.content
        case.succeeded(response, ranked, user)
    else:
        assert response.status_code == 403
        assert response.json() == {"detail": "You may not do this (priority.edit)."}
        assert snapshot(*TABLES) == before


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_the_service_refuses_even_when_the_view_lets_a_request_through(
    users: dict[str, User],
    ranked: list[StrategicPriority],
    case: Case,
    monkeypatch: pytest.MonkeyPatch,
    api_as: ApiAs,
) -> None:
    # The view checks first; the service is the last door and answers the same 403.
    monkeypatch.setattr("informatics.rest.viewsets.can", lambda user, action, obj=None: True)
    user = users[Role.CHAMPION]
    client = api_as(user)
    before = snapshot(*TABLES)

    response = case.send(client, ranked, user)

    assert response.status_code == 403
    assert response.json() == {"detail": "You may not do this (priority.edit)."}
    assert snapshot(*TABLES) == before


@pytest.mark.parametrize("role", Role.values)
def test_every_role_reads_priorities(
    users: dict[str, User], ranked: list[StrategicPriority], role: str, api_as: ApiAs
) -> None:
    client = api_as(users[role])

    listed = client.get(URL)
    detail = client.get(f"{URL}{ranked[0].pk}/")

    assert listed.status_code == detail.status_code == 200
    assert [row["code"] for row in listed.json()["results"]] == ["zero-harm", "joy", "old"]
    assert detail.json()["title"] == "Zero Harm"


def test_the_list_filters_retired_priorities(
    users: dict[str, User], ranked: list[StrategicPriority], api_as: ApiAs
) -> None:
    response = api_as(users["champion"]).get(URL, {"is_active": "false"})

    assert [row["code"] for row in response.json()["results"]] == ["old"]


def test_anonymous_cannot_read_or_write(ranked: list[StrategicPriority]) -> None:
    before = snapshot(*TABLES)
    client = APIClient()

    assert client.get(URL).status_code == 401
    assert (
        client.post(f"{URL}{ranked[0].pk}/retire/", {"version": 1, "reason": "x"}).status_code
        == 401
    )
    assert snapshot(*TABLES) == before


# --- Stale edits ----------------------------------------------------------------------------


def test_a_stale_edit_gets_409_and_the_first_edit_survives(
    users: dict[str, User], ranked: list[StrategicPriority], api_as: ApiAs
) -> None:
    cmo, admin = api_as(users["cmo"]), api_as(users["admin"])
    url = f"{URL}{ranked[0].pk}/"

    first = cmo.patch(url, {"version": 1, "title": "Zero Harm by 2028"}, format="json")
    second = admin.patch(url, {"version": 1, "title": "Zero Harm now"}, format="json")

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["current_version"] == 2
    assert "changed by someone else" in second.json()["detail"]
    priority = StrategicPriority.objects.get(pk=ranked[0].pk)
    assert (priority.title, priority.version) == ("Zero Harm by 2028", 2)
    assert AuditEvent.objects.filter(object_id=str(priority.pk)).count() == 1


@pytest.mark.parametrize("action", ["retire", "restore"])
def test_stale_retire_and_restore_get_409(
    users: dict[str, User], ranked: list[StrategicPriority], action: str, api_as: ApiAs
) -> None:
    target = ranked[0] if action == "retire" else ranked[2]
    StrategicPriority.objects.filter(pk=target.pk).update(version=5)
    before = snapshot(*TABLES)

    response = api_as(users["cmo"]).post(
        f"{URL}{target.pk}/{action}/", {"version": 4, "reason": "Stale."}, format="json"
    )

    assert response.status_code == 409
    assert snapshot(*TABLES) == before


# --- Bad input ------------------------------------------------------------------------------

GOOD = {
    "code": "health-equity",
    "title": "Health equity",
    "goal_statement": "Halve the gap.",
    "value_category": "equity",
    "horizon": "2029-06-30",
}


@pytest.mark.parametrize(
    ("changes", "field", "status"),
    [
        ({"title": ""}, "title", 400),
        ({"goal_statement": "   "}, "goal_statement", 400),
        ({"value_category": "vibes"}, "value_category", 400),
        ({"horizon": "next year"}, "horizon", 400),
        ({"code": "not a slug"}, "code", 400),
        # Taken: the service says so, as a conflict with the priority that has it.
        ({"code": "zero-harm"}, "code", 409),
        ({"executive_sponsor": 999999}, "executive_sponsor", 404),  # names no one
    ],
)
def test_create_with_bad_input_names_the_field_and_saves_nothing(
    users: dict[str, User],
    ranked: list[StrategicPriority],
    changes: dict,
    field: str,
    status: int,
    api_as: ApiAs,
) -> None:
    client = api_as(users["cmo"])
    before = snapshot(*TABLES)

    response = client.post(URL, {**GOOD, **changes}, format="json")

    assert response.status_code == status
    assert list(response.json()) == [field]
    assert snapshot(*TABLES) == before


def test_the_service_message_for_a_taken_code(
    users: dict[str, User], ranked: list[StrategicPriority], api_as: ApiAs
) -> None:
    response = api_as(users["cmo"]).post(URL, {**GOOD, "code": "zero-harm"}, format="json")

    assert response.json() == {"code": ["A priority with code 'zero-harm' already exists."]}


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"title": "No version"}, "version", 400),
        ({"version": 1}, "non_field_errors", 400),
        ({"version": 1, "title": ""}, "title", 400),
        ({"version": 1, "code": "joy"}, "code", 409),  # another priority's code
        ({"version": 1, "horizon": "soon"}, "horizon", 400),
    ],
)
def test_update_with_bad_input_names_the_field_and_saves_nothing(
    users: dict[str, User],
    ranked: list[StrategicPriority],
    body: dict,
    field: str,
    status: int,
    api_as: ApiAs,
) -> None:
    client = api_as(users["admin"])
    before = snapshot(*TABLES)

    response = client.patch(f"{URL}{ranked[0].pk}/", body, format="json")

    assert response.status_code == status
    assert list(response.json()) == [field]
    assert snapshot(*TABLES) == before


def test_bad_reorder_retire_and_restore_name_the_field_and_save_nothing(
    users: dict[str, User], ranked: list[StrategicPriority], api_as: ApiAs
) -> None:
    client = api_as(users["cmo"])
    before = snapshot(*TABLES)

    missing_one = client.post(f"{URL}reorder/", {"ordered_ids": [ranked[0].pk]}, format="json")
    twice = client.post(
        f"{URL}reorder/", {"ordered_ids": [ranked[0].pk, ranked[0].pk]}, format="json"
    )
    not_a_list = client.post(f"{URL}reorder/", {"ordered_ids": "1,2"}, format="json")
    no_reason = client.post(
        f"{URL}{ranked[0].pk}/retire/", {"version": 1, "reason": ""}, format="json"
    )
    already_retired = client.post(
        f"{URL}{ranked[2].pk}/retire/", {"version": 1, "reason": "Again."}, format="json"
    )
    already_active = client.post(f"{URL}{ranked[0].pk}/restore/", {"version": 1}, format="json")
    no_version = client.post(f"{URL}{ranked[2].pk}/restore/", {}, format="json")

    assert missing_one.json() == {
        "ordered_ids": ["Give every active priority exactly once, in the new order."]
    }
    assert twice.status_code == 400
    assert list(twice.json()) == ["ordered_ids"]
    assert list(not_a_list.json()) == ["ordered_ids"]
    assert list(no_reason.json()) == ["reason"]
    assert already_retired.json() == {"is_active": ["This priority is already retired."]}
    assert already_active.json() == {"is_active": ["This priority is already active."]}
    assert list(no_version.json()) == ["version"]
    for response in (not_a_list, no_reason, no_version):
        assert response.status_code == 400
    # Well formed, but refused for what is stored now: the active priorities are others, or
    # the priority is already in the state asked for.
    for response in (missing_one, already_retired, already_active):
        assert response.status_code == 409
    assert snapshot(*TABLES) == before


def test_an_unknown_priority_is_404(users: dict[str, User], api_as: ApiAs) -> None:
    response = api_as(users["cmo"]).patch(f"{URL}999999/", {"version": 1, "title": "x"})

    assert response.status_code == 404


# --- Query budget ---------------------------------------------------------------------------


def _add_priorities(sponsor: User, numbers: range) -> None:
    StrategicPriority.objects.bulk_create(
        StrategicPriority(
            code=f"p-{n}",
            title=f"Priority {n}",
            goal_statement="Goal.",
            value_category=ValueCategory.SAFETY_QUALITY,
            horizon=datetime.date(2028, 6, 30),
            rank=n + 1,
            executive_sponsor=sponsor,
        )
        for n in numbers
    )


def _queries(client: APIClient) -> int:
    assert client.get(URL).status_code == 200  # caches the site settings
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_priority_list_query_count_does_not_grow(users: dict[str, User], api_as: ApiAs) -> None:
    client = api_as(users["executive"])
    _add_priorities(users["cmo"], range(2))
    at_two = _queries(client)
    _add_priorities(users["cmo"], range(2, 200))
    assert StrategicPriority.objects.count() == 200
    at_two_hundred = _queries(client)

    # token + user; the user's groups (roles); count; the page with sponsors joined
    assert at_two == at_two_hundred == 4
