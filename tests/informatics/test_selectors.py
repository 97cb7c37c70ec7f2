"""The kernel's read selectors: order, shape, and the queries they cost."""

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType

from informatics import selectors
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


def test_the_kernel_asks_nothing_of_anyone_yet(users: dict[str, User]) -> None:
    assert selectors.needs_me_for(users["admin"]) == []
