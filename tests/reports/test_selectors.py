"""Landing-page selectors: the needs-me list is every app's items, oldest first; the admin
summary counts people by role and facilities by kind."""

import datetime
from collections.abc import Callable

import pytest

from informatics.choices import FacilityKind, Role
from informatics.models import User
from informatics.selectors import NeedsMe, NeedsMeItem
from reports import selectors
from tests.factories import FacilityFactory, PriorityFactory

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

T0 = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)


def _item(title: str, days: int) -> NeedsMeItem:
    return NeedsMeItem(kind="Test", title=title, url="/", since=T0 + datetime.timedelta(days=days))


def test_needs_me_list_merges_every_app_oldest_first(
    monkeypatch: pytest.MonkeyPatch, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.CMIO)
    monkeypatch.setattr(selectors.informatics_selectors, "needs_me_for", lambda u: [_item("k", 3)])
    monkeypatch.setattr(
        selectors.initiatives_selectors, "needs_me_for", lambda u: [_item("i1", 5), _item("i0", 0)]
    )
    monkeypatch.setattr(selectors.metrics_selectors, "needs_me_for", lambda u: [_item("m", 1)])
    monkeypatch.setattr(selectors.governance_selectors, "needs_me_for", lambda u: [_item("g", 4)])

    items = selectors.needs_me_list(user=user)

    assert [item.title for item in items] == ["i0", "m", "k", "g", "i1"]


def test_needs_me_list_keeps_the_ten_oldest_of_each_kind_and_counts_the_rest(
    monkeypatch: pytest.MonkeyPatch, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.CMIO)
    # An app that read 12 items of a kind (a plain list), one that read 10 of 1,500 (counted).
    monkeypatch.setattr(
        selectors.informatics_selectors,
        "needs_me_for",
        lambda u: [_item(f"k{n}", n) for n in range(12)],
    )
    counted = [
        NeedsMeItem(kind="Triage", title=f"t{n}", url="/", since=T0 + datetime.timedelta(hours=n))
        for n in range(10)
    ]
    monkeypatch.setattr(
        selectors.intake_selectors,
        "needs_me_for",
        lambda u: NeedsMe(counted, totals={"Triage": 1500}, links={"Triage": "/requests/triage/"}),
    )
    for app in ("initiatives", "metrics", "governance"):
        monkeypatch.setattr(getattr(selectors, f"{app}_selectors"), "needs_me_for", lambda u: [])

    page = selectors.landing_for(user=user, role=Role.CMIO)

    assert [item.title for item in page.needs_me if item.kind == "Test"] == [
        f"k{n}" for n in range(10)
    ]
    assert len(page.needs_me) == 20
    assert page.needs_me_more == [
        selectors.NeedsMeMore(kind="Test", count=2, total=12, url=""),
        selectors.NeedsMeMore(kind="Triage", count=1490, total=1500, url="/requests/triage/"),
    ]
    assert page.needs_me_total == 1512


def test_needs_me_list_is_empty_while_no_app_asks_anything(
    make_user: Callable[..., User],
) -> None:
    assert selectors.needs_me_list(user=make_user(Role.CMO)) == []


def test_admin_summary_counts_active_people_per_role_and_facilities_per_kind(
    make_user: Callable[..., User],
) -> None:
    make_user(Role.CMO, Role.ADMIN)
    make_user(Role.CHAMPION)
    make_user(Role.CHAMPION)
    make_user(Role.CHAMPION, is_active=False)
    make_user()  # no role
    system = FacilityFactory.create(kind=FacilityKind.SYSTEM)
    hospital = FacilityFactory.create(kind=FacilityKind.HOSPITAL, parent=system)
    FacilityFactory.create(kind=FacilityKind.CLINIC, parent=hospital)
    FacilityFactory.create(kind=FacilityKind.CLINIC, parent=hospital, is_active=False)

    summary = selectors.admin_summary()

    assert summary.people_total == 5
    assert summary.people_active == 4
    assert summary.people_inactive == 1
    assert [(row.key, row.label, row.count) for row in summary.people_by_role] == [
        ("cmo", "CMO", 1),
        ("cmio", "CMIO", 0),
        ("informaticist", "Informaticist", 0),
        ("executive", "Executive", 0),
        ("champion", "Physician champion", 2),
        ("admin", "Admin", 1),
    ]
    assert [(row.key, row.count) for row in summary.facilities_by_kind] == [
        ("system", 1),
        ("hospital", 1),
        ("unit", 0),
        ("clinic", 1),
    ]
    assert summary.facilities_total == 3


def test_landing_for_cmo_lists_active_priorities_in_rank_order(
    make_user: Callable[..., User],
) -> None:
    cmo = make_user(Role.CMO)
    second = PriorityFactory.create(rank=2, title="Zero Harm")
    first = PriorityFactory.create(rank=1, title="Restore joy in practice")
    PriorityFactory.create(rank=3, title="Retired one", is_active=False)

    page = selectors.landing_for(user=cmo, role=Role.CMO)

    assert page.title == "Portfolio dashboard"
    assert page.priorities == [first, second]
    assert page.admin is None


@pytest.mark.parametrize(
    ("role", "title"),
    [
        (Role.CMO, "Portfolio dashboard"),
        (Role.CMIO, "CMIO workbench"),
        (Role.INFORMATICIST, "Informatics workbench"),
        (Role.EXECUTIVE, "Value reports"),
        (Role.CHAMPION, "My requests"),
        (Role.ADMIN, "Administration"),
    ],
)
def test_landing_title_per_role(make_user: Callable[..., User], role: str, title: str) -> None:
    page = selectors.landing_for(user=make_user(role), role=role)

    assert (page.role, page.title, page.needs_me, page.stale_after_days) == (role, title, [], 30)
