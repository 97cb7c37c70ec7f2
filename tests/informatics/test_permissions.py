"""Who may do what: every role tried on every priority action through the pages, and the
predicates of `informatics.permissions` checked against DESIGN.md's table."""

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from informatics.choices import AuditAction, Role
from informatics.models import AuditEvent, StrategicPriority, User
from informatics.permissions import RULES, Action, ActionDenied, can, require
from tests.conftest import snapshot
from tests.factories import PriorityFactory

ALLOWED_EDITORS = {Role.CMO, Role.ADMIN}
REFUSED_EDITORS = sorted(set(Role.values) - ALLOWED_EDITORS)

# --- Priority actions through the pages -----------------------------------------------------


@dataclass
class Scene:
    """Two ranked priorities and a retired one; `target` is the one each action touches."""

    first: StrategicPriority
    second: StrategicPriority
    retired: StrategicPriority
    target: dict[str, StrategicPriority] = field(default_factory=dict)


@pytest.fixture
def scene(db: None) -> Scene:
    first = PriorityFactory.create(code="safety", title="Safety", rank=1)
    second = PriorityFactory.create(code="access", title="Access", rank=2)
    retired = PriorityFactory.create(
        code="old", title="Old", rank=9, is_active=False, retired_reason="Merged."
    )
    return Scene(first=first, second=second, retired=retired)


# Everything a priority action could change (compared whole with `snapshot`).
TABLES = (StrategicPriority, AuditEvent)


def create(client: Client, scene: Scene) -> Any:
    return client.post(
        reverse("informatics:priority-create"),
        {
            "code": "sepsis",
            "title": "Sepsis",
            "goal_statement": "Fewer deaths.",
            "value_category": "safety_quality",
            "horizon": "2027-12-31",
        },
    )


def edit(client: Client, scene: Scene) -> Any:
    p = scene.first
    return client.post(
        reverse("informatics:priority-edit", args=[p.pk]),
        {
            "code": p.code,
            "title": "Zero harm",
            "goal_statement": p.goal_statement,
            "value_category": p.value_category,
            "horizon": p.horizon.isoformat(),
            "version": p.version,
        },
    )


def move(client: Client, scene: Scene) -> Any:
    return client.post(
        reverse("informatics:priority-move", args=[scene.second.pk]), {"direction": "up"}
    )


def retire(client: Client, scene: Scene) -> Any:
    return client.post(
        reverse("informatics:priority-retire", args=[scene.first.pk]),
        {"retired_reason": "Achieved.", "version": scene.first.version},
    )


def restore(client: Client, scene: Scene) -> Any:
    return client.post(
        reverse("informatics:priority-restore", args=[scene.retired.pk]),
        {"version": scene.retired.version},
    )


# action → (perform, the priority whose history it changes, the fields that history names)
PRIORITY_ACTIONS: dict[str, tuple[Callable[[Client, Scene], Any], str, set[str]]] = {
    "create": (
        create,
        "new",
        {
            "code",
            "title",
            "goal_statement",
            "executive_sponsor",
            "value_category",
            "horizon",
            "rank",
            "is_active",
        },
    ),
    "edit": (edit, "first", {"title"}),
    "move": (move, "second", {"rank"}),
    "retire": (retire, "first", {"is_active", "retired_reason"}),
    "restore": (restore, "retired", {"is_active", "retired_reason", "rank"}),
}


def _subject(scene: Scene, which: str) -> StrategicPriority:
    if which == "new":
        return StrategicPriority.objects.get(code="sepsis")
    subject: StrategicPriority = getattr(scene, which)
    return subject


@pytest.mark.parametrize("action", PRIORITY_ACTIONS)
@pytest.mark.parametrize("role", sorted(ALLOWED_EDITORS))
def test_cmo_and_admin_take_every_priority_action_and_the_history_names_them(
    role: str,
    action: str,
    scene: Scene,
    users: dict[str, User],
    client_for: Callable[[str], Client],
) -> None:
    perform, which, fields = PRIORITY_ACTIONS[action]
    client = client_for(role)

    response = perform(client, scene)

    assert response.status_code == 302
    subject = _subject(scene, which)
    event = AuditEvent.objects.filter(object_id=str(subject.pk)).latest("at", "id")
    assert event.actor == users[role]
    assert set(event.changes) == fields
    page = client.get(reverse("informatics:priority-detail", args=[subject.pk]))
    assert f"by {users[role].full_name}" in page.text
    for name in fields:
        label = name.replace("_", " ")
        assert f"<dt>{label[0].upper()}{label[1:]}</dt>" in page.text


@pytest.mark.parametrize("action", PRIORITY_ACTIONS)
@pytest.mark.parametrize("role", REFUSED_EDITORS)
def test_every_other_role_is_refused_every_priority_action_and_nothing_changes(
    role: str, action: str, scene: Scene, client_for: Callable[[str], Client]
) -> None:
    perform, _, _ = PRIORITY_ACTIONS[action]
    before = snapshot(*TABLES)

    response = perform(client_for(role), scene)

    assert response.status_code == 403
    assert snapshot(*TABLES) == before


@pytest.mark.parametrize(
    "url_name",
    ["informatics:priority-create", "informatics:priority-edit", "informatics:priority-retire"],
)
@pytest.mark.parametrize("role", REFUSED_EDITORS)
def test_every_other_role_is_refused_the_priority_forms(
    role: str, url_name: str, scene: Scene, client_for: Callable[[str], Client]
) -> None:
    args = [] if url_name.endswith("create") else [scene.first.pk]
    assert client_for(role).get(reverse(url_name, args=args)).status_code == 403


@pytest.mark.parametrize("role", Role.values)
def test_every_role_reads_the_priorities(
    role: str, scene: Scene, client_for: Callable[[str], Client]
) -> None:
    client = client_for(role)
    assert client.get(reverse("informatics:priority-list")).status_code == 200
    detail = reverse("informatics:priority-detail", args=[scene.retired.pk])
    assert client.get(detail).status_code == 200


def test_a_user_with_several_roles_may_edit_when_one_of_them_may(
    scene: Scene, make_user: Callable[..., User]
) -> None:
    user = make_user("champion", "cmo")
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    assert edit(client, scene).status_code == 302
    scene.first.refresh_from_db()
    assert (scene.first.title, scene.first.version) == ("Zero harm", 2)


def test_a_signed_in_user_without_a_role_reads_nothing(
    scene: Scene, make_user: Callable[..., User]
) -> None:
    client = Client()
    client.force_login(make_user(), backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("informatics:priority-list")).status_code == 403


def test_an_anonymous_post_changes_nothing(scene: Scene, client: Client) -> None:
    before = snapshot(*TABLES)
    response = edit(client, scene)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert snapshot(*TABLES) == before
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


# --- The predicates against DESIGN.md's table -----------------------------------------------

ALL = set(Role.values)


def person(*roles: str, pk: int = 1, active: bool = True, authenticated: bool = True) -> Any:
    """What the predicates read of a user: is_authenticated, is_active, roles, pk."""
    return SimpleNamespace(
        pk=pk, is_authenticated=authenticated, is_active=active, roles=tuple(roles)
    )


class Body:
    """A governance body as the predicates see it: `is_member(user)`."""

    def __init__(self, *member_pks: int):
        self.member_pks = set(member_pks)

    def is_member(self, user: Any) -> bool:
        return user.pk in self.member_pks


# DESIGN.md's table, with no record given: who may take each action.
TABLE_WITHOUT_RECORD: dict[Action, set[str]] = {
    Action.REQUEST_SUBMIT: ALL,
    Action.REQUEST_EDIT: {Role.CHAMPION, Role.EXECUTIVE},
    Action.REQUEST_TRIAGE: {Role.INFORMATICIST, Role.CMIO},
    Action.REQUEST_READ: ALL,
    Action.INITIATIVE_EDIT: {Role.INFORMATICIST, Role.CMIO},
    Action.INITIATIVE_GATE: {Role.CMO},  # CMIO and executives only as members of the body
    Action.PRIORITY_EDIT: {Role.CMO, Role.ADMIN},
    Action.METRIC_EDIT: {Role.CMIO, Role.CMO, Role.ADMIN},
    Action.MEASUREMENT_LOAD: {Role.INFORMATICIST, Role.CMIO},
    Action.DECISION_RECORD: {Role.CMIO, Role.CMO},  # the others only as members
    Action.REVIEW_CHAIR: {Role.CMIO, Role.CMO},  # the others only as the body's chair
    Action.REPORT_DRAFT: {Role.CMIO},
    Action.REPORT_ISSUE: {Role.CMO},
    Action.PORTFOLIO_READ: ALL,
    Action.REPORT_DRAFT_READ: {Role.INFORMATICIST, Role.CMIO, Role.CMO},
    Action.MATURITY_ASSESS: {Role.CMO, Role.CMIO},
    Action.MATURITY_READ: {Role.CMO, Role.CMIO, Role.INFORMATICIST, Role.EXECUTIVE, Role.ADMIN},
    Action.ADMINISTER: {Role.ADMIN},
}


def test_the_table_covers_every_action() -> None:
    assert set(TABLE_WITHOUT_RECORD) == set(Action) == set(RULES)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", Role.values)
def test_each_role_may_take_exactly_the_actions_of_the_table(role: str, action: Action) -> None:
    assert can(person(role), action) is (role in TABLE_WITHOUT_RECORD[action])
    assert can(person(role), action.value) is (role in TABLE_WITHOUT_RECORD[action])


@pytest.mark.parametrize("action", list(Action))
def test_nobody_without_an_active_signed_in_role_may_do_anything(action: Action) -> None:
    assert can(None, action) is False
    assert can(person(*ALL, authenticated=False), action) is False
    assert can(person(*ALL, active=False), action) is False
    assert can(person(), action) is False


def test_require_raises_a_403_naming_the_action() -> None:
    require(person(Role.CMO), Action.PRIORITY_EDIT)
    with pytest.raises(ActionDenied) as refused:
        require(person(Role.CHAMPION), Action.PRIORITY_EDIT)
    assert isinstance(refused.value, PermissionDenied)
    assert refused.value.action is Action.PRIORITY_EDIT
    assert str(refused.value) == "You may not do this (priority.edit)."


def test_an_unknown_action_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"no\.such"):
        can(person(Role.ADMIN), "no.such")


def request_record(
    *, submitted_by_id: int, status: str = "submitted", private: bool = False
) -> Any:
    return SimpleNamespace(submitted_by_id=submitted_by_id, status=status, is_private=private)


@pytest.mark.parametrize(
    ("roles", "record", "allowed"),
    [
        ((Role.CHAMPION,), request_record(submitted_by_id=1), True),
        ((Role.EXECUTIVE,), request_record(submitted_by_id=1), True),
        ((Role.CHAMPION,), request_record(submitted_by_id=2), False),  # someone else's
        ((Role.CHAMPION,), request_record(submitted_by_id=1, status="triaged"), False),
        ((Role.EXECUTIVE,), request_record(submitted_by_id=1, status="in_review"), False),
        ((Role.CMIO,), request_record(submitted_by_id=1), False),  # CMIO triages, never edits
        ((Role.CMO,), request_record(submitted_by_id=1), False),
        ((Role.INFORMATICIST,), request_record(submitted_by_id=1), False),
        ((Role.ADMIN,), request_record(submitted_by_id=1), False),
    ],
)
def test_a_request_is_edited_by_its_submitter_while_submitted(
    roles: tuple[str, ...], record: Any, allowed: bool
) -> None:
    assert can(person(*roles, pk=1), Action.REQUEST_EDIT, record) is allowed


@pytest.mark.parametrize(
    ("roles", "record", "allowed"),
    [
        ((Role.CHAMPION,), request_record(submitted_by_id=2), True),  # not private
        ((Role.CHAMPION,), request_record(submitted_by_id=2, private=True), False),
        ((Role.CHAMPION,), request_record(submitted_by_id=1, private=True), True),  # own
        ((Role.CHAMPION, Role.CMIO), request_record(submitted_by_id=2, private=True), True),
        ((Role.INFORMATICIST,), request_record(submitted_by_id=2, private=True), True),
        ((Role.CMIO,), request_record(submitted_by_id=2, private=True), True),
        ((Role.CMO,), request_record(submitted_by_id=2, private=True), True),
        ((Role.EXECUTIVE,), request_record(submitted_by_id=2, private=True), True),
        ((Role.ADMIN,), request_record(submitted_by_id=2, private=True), True),
    ],
)
def test_champions_read_their_own_and_every_request_not_marked_private(
    roles: tuple[str, ...], record: Any, allowed: bool
) -> None:
    assert can(person(*roles, pk=1), Action.REQUEST_READ, record) is allowed


@pytest.mark.parametrize(
    ("roles", "lead_id", "allowed"),
    [
        ((Role.CMIO,), 2, True),  # the CMIO edits all
        ((Role.INFORMATICIST,), 1, True),  # those they lead
        ((Role.INFORMATICIST,), 2, False),
        ((Role.INFORMATICIST,), None, False),
        ((Role.CMO,), 1, False),
        ((Role.CHAMPION,), 1, False),
        ((Role.EXECUTIVE,), 1, False),
        ((Role.ADMIN,), 1, False),
    ],
)
def test_initiatives_are_edited_by_the_cmio_and_their_informaticist_lead(
    roles: tuple[str, ...], lead_id: int | None, allowed: bool
) -> None:
    initiative = SimpleNamespace(informaticist_lead_id=lead_id)
    assert can(person(*roles, pk=1), Action.INITIATIVE_EDIT, initiative) is allowed


@pytest.mark.parametrize(
    ("role", "as_member", "as_outsider"),
    [
        (Role.CMO, True, True),
        (Role.CMIO, True, False),
        (Role.EXECUTIVE, True, False),
        (Role.INFORMATICIST, False, False),
        (Role.CHAMPION, False, False),
        (Role.ADMIN, False, False),
    ],
)
def test_a_gate_is_passed_by_the_cmo_or_by_cmio_and_executives_on_the_body(
    role: str, as_member: bool, as_outsider: bool
) -> None:
    user = person(role, pk=1)
    assert can(user, Action.INITIATIVE_GATE, Body(1)) is as_member
    assert can(user, Action.INITIATIVE_GATE, Body(2)) is as_outsider


@pytest.mark.parametrize(
    ("role", "as_member", "as_outsider"),
    [
        (Role.CMO, True, True),
        (Role.CMIO, True, True),
        (Role.CHAMPION, True, False),
        (Role.INFORMATICIST, True, False),
        (Role.EXECUTIVE, True, False),
        (Role.ADMIN, False, False),
    ],
)
def test_decisions_are_recorded_by_cmo_and_cmio_for_any_body_and_by_members(
    role: str, as_member: bool, as_outsider: bool
) -> None:
    user = person(role, pk=1)
    assert can(user, Action.DECISION_RECORD, Body(1)) is as_member
    assert can(user, Action.DECISION_RECORD, Body(2)) is as_outsider


class Chaired:
    """A governance body as the review predicate sees it: `chair_id`."""

    def __init__(self, chair_id: int | None):
        self.chair_id = chair_id


@pytest.mark.parametrize(
    ("role", "as_chair", "otherwise"),
    [
        (Role.CMO, True, True),
        (Role.CMIO, True, True),
        (Role.CHAMPION, True, False),
        (Role.INFORMATICIST, True, False),
        (Role.EXECUTIVE, True, False),
        (Role.ADMIN, True, False),
    ],
)
def test_reviews_are_chaired_by_cmo_and_cmio_for_any_body_and_by_the_bodys_chair(
    role: str, as_chair: bool, otherwise: bool
) -> None:
    user = person(role, pk=1)
    assert can(user, Action.REVIEW_CHAIR, Chaired(1)) is as_chair
    assert can(user, Action.REVIEW_CHAIR, Chaired(2)) is otherwise
    assert can(user, Action.REVIEW_CHAIR, Chaired(None)) is otherwise
