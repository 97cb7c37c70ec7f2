"""The kernel's read selectors: order, shape, and the queries they cost."""

import datetime
from typing import Any

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from informatics import selectors
from informatics.audit import audit_record, audited_update
from informatics.choices import AuditAction
from informatics.models import AuditEvent, StrategicPriority, User
from tests.factories import FacilityFactory, PriorityFactory

pytestmark = pytest.mark.django_db


def test_priority_list_ranks_active_priorities_before_retired_ones() -> None:
    PriorityFactory.create(code="old", rank=1, is_active=False)
    PriorityFactory.create(code="second", rank=2)
    PriorityFactory.create(code="first", rank=1)

    assert [p.code for p in selectors.priority_list()] == ["first", "second", "old"]
    assert [p.code for p in selectors.priority_list(include_retired=False)] == ["first", "second"]


@pytest.mark.parametrize("count", [2, 200])
def test_priority_list_reads_sponsors_in_the_same_query(
    users: dict[str, User], count: int, django_assert_num_queries: Any
) -> None:
    PriorityFactory.create_batch(count, executive_sponsor=users["executive"])
    with django_assert_num_queries(1):
        sponsors = {str(p.executive_sponsor) for p in selectors.priority_list()}
    assert sponsors == {"Demo EXECUTIVE"}


@pytest.mark.parametrize("count", [2, 50])
def test_user_list_reads_roles_and_facilities_in_three_queries(
    make_user: Any, count: int, django_assert_num_queries: Any
) -> None:
    north = FacilityFactory.create(code="north", name="North")
    for n in range(count):
        make_user("cmio", "cmo", email=f"u{n}@riverside.example").facilities.set([north])

    # 1 users, 2 their groups, 3 their facilities
    with django_assert_num_queries(3):
        rows = [(u.roles, [f.code for f in u.facilities.all()]) for u in selectors.user_list()]
    assert rows == [(("cmo", "cmio"), ["north"])] * count


def test_user_with_roles(make_user: Any) -> None:
    person = make_user("executive", "champion")
    found = selectors.user_with_roles(user_id=person.pk)
    assert found.roles == ("executive", "champion")
    with pytest.raises(User.DoesNotExist):
        selectors.user_with_roles(user_id=person.pk + 1000)


def test_facility_tree_puts_parents_before_children_and_siblings_by_name() -> None:
    system = FacilityFactory.create(code="rh", name="Riverside", kind="system")
    south = FacilityFactory.create(code="s", name="South", kind="hospital", parent=system)
    north = FacilityFactory.create(code="n", name="North", kind="hospital", parent=system)
    FacilityFactory.create(code="n-icu", name="ICU", kind="unit", parent=north)
    FacilityFactory.create(code="s-ed", name="Emergency", kind="unit", parent=south)
    FacilityFactory.create(code="n-ed", name="Emergency", kind="unit", parent=north)

    tree = [(f.name, depth) for f, depth in selectors.facility_tree()]
    assert tree == [
        ("Riverside", 0),
        ("North", 1),
        ("Emergency", 2),
        ("ICU", 2),
        ("South", 1),
        ("Emergency", 2),
    ]


def test_facility_list_orders_by_kind_then_name() -> None:
    system = FacilityFactory.create(code="rh", name="Riverside", kind="system")
    FacilityFactory.create(code="b", name="B", kind="hospital", parent=system)
    FacilityFactory.create(code="a", name="A", kind="hospital", parent=system)
    assert [f.code for f in selectors.facility_list()] == ["a", "b", "rh"]


def test_audit_history_is_the_records_own_events_newest_first(users: dict[str, User]) -> None:
    mine, other = PriorityFactory.create(), PriorityFactory.create()
    content_type = ContentType.objects.get_for_model(StrategicPriority)

    def event(target: StrategicPriority, note: str) -> AuditEvent:
        return AuditEvent.objects.create(
            content_type=content_type,
            object_id=str(target.pk),
            object_repr=str(target),
            action=AuditAction.UPDATE,
            actor=users["cmo"],
            note=note,
        )

    event(mine, "first")
    event(other, "elsewhere")
    event(mine, "second")
    # A user whose id equals the priority's has events of its own: not this record's
    AuditEvent.objects.create(
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(mine.pk),
        object_repr="someone",
        action=AuditAction.UPDATE,
    )

    assert [e.note for e in selectors.audit_history(instance=mine)] == ["second", "first"]


def test_saves_since_are_the_saves_after_the_version_however_close_together(
    users: dict[str, User],
) -> None:
    # Given a priority saved three times by the same person within one second, re-ranked in
    # between (no version), and an event from before events kept their version
    priority = PriorityFactory.create(title="Safety")
    cmo = users["cmo"]
    content_type = ContentType.objects.get_for_model(StrategicPriority)
    AuditEvent.objects.create(
        content_type=content_type,
        object_id=str(priority.pk),
        object_repr="Safety",
        action=AuditAction.UPDATE,
        actor=cmo,
        changes={"goal_statement": ["Old.", "Older."]},
    )
    with time_machine.travel(timezone.now(), tick=False):
        for title in ("Zero harm", "Zero harm, now"):
            audited_update(
                priority, actor=cmo, changes={"title": title}, expected_version=priority.version
            )
        audited_update(priority, actor=cmo, changes={"rank": 9}, note="reordered")
        audited_update(
            priority, actor=cmo, changes={"title": "Harm-free"}, expected_version=priority.version
        )

    # then the saves after version 2 are exactly the two last ones, newest first
    saves = selectors.saves_since(instance=priority, version=2)
    assert [(e.version, e.changes) for e in saves] == [
        (4, {"title": ["Zero harm, now", "Harm-free"]}),
        (3, {"title": ["Zero harm", "Zero harm, now"]}),
    ]
    assert [e.version for e in selectors.saves_since(instance=priority, version=1)] == [4, 3, 2]
    assert selectors.saves_since(instance=priority, version=4) == []


def test_saves_since_keeps_the_events_of_one_save_together(users: dict[str, User]) -> None:
    priority = PriorityFactory.create()
    at = timezone.now()

    def event(version: int, seconds: int, field: str) -> None:
        audit_record(
            instance=priority,
            actor=users["cmo"],
            action=AuditAction.UPDATE,
            changes={field: ["a", "b"]},
            version=version,
        )
        AuditEvent.objects.filter(pk=AuditEvent.objects.latest("id").pk).update(
            at=at + datetime.timedelta(seconds=seconds)
        )

    # A save of fields, then its many-to-many fields; a second save in between by the clock
    event(2, 0, "title")
    event(3, 1, "goal_statement")
    event(2, 2, "priorities")

    saves = selectors.saves_since(instance=priority, version=1)

    assert [(e.version, list(e.changes)) for e in saves] == [
        (3, ["goal_statement"]),
        (2, ["priorities"]),
        (2, ["title"]),
    ]


def test_saves_since_costs_one_query(
    users: dict[str, User], django_assert_num_queries: Any
) -> None:
    priority = PriorityFactory.create()
    for _ in range(3):
        audited_update(
            priority,
            actor=users["cmo"],
            changes={"title": f"Title {priority.version}"},
            expected_version=priority.version,
        )
    ContentType.objects.get_for_model(StrategicPriority)  # cached, as on every page

    # 1 the events with their actors and content types
    with django_assert_num_queries(1):
        saves = selectors.saves_since(instance=priority, version=1)
        actors = [e.actor for e in saves]
    assert actors == [users["cmo"]] * 3


def test_the_kernel_asks_nothing_of_anyone_yet(users: dict[str, User]) -> None:
    assert selectors.needs_me_for(users["admin"]) == []
