"""Reads of the portfolio: health (the worst dimension of the latest update), staleness, the
needs-me items, the filters, and the same number of queries at 2 and at 200 initiatives."""

import datetime
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from informatics.models import SiteSettings, User
from informatics.services import site_settings_get
from initiatives import health, selectors, services
from initiatives.choices import HEALTH_DIMENSIONS, Alignment, Health, Stage
from initiatives.models import Initiative, InitiativePriority
from intake.models import IntakeRequest
from tests.factories import FacilityFactory, PriorityFactory
from tests.initiatives.factories import (
    BenefitLineFactory,
    InitiativeFactory,
    InitiativePriorityFactory,
    MilestoneFactory,
    StageChangeFactory,
    StatusUpdateFactory,
    request_in,
)
from tests.intake.factories import IntakeRequestFactory

G = Stage
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def initiative_at(created: datetime.datetime, **fields: Any) -> Initiative:
    initiative: Initiative = InitiativeFactory.create(created_at=created, **fields)
    return initiative


def annotated(initiative: Initiative) -> Initiative:
    return selectors.initiative_list().get(pk=initiative.pk)


# --- Health ---------------------------------------------------------------------------------


@pytest.mark.parametrize("worst", [Health.AT_RISK, Health.OFF_TRACK])
@pytest.mark.parametrize("dimension", HEALTH_DIMENSIONS)
def test_health_is_the_worst_dimension_of_the_latest_update(dimension: str, worst: str) -> None:
    initiative = InitiativeFactory.create()
    others = {name: Health.ON_TRACK for name in HEALTH_DIMENSIONS if name != dimension}
    if worst == Health.OFF_TRACK:  # a milder problem elsewhere does not hide the worst
        others[next(iter(others))] = Health.AT_RISK
    StatusUpdateFactory.create(initiative=initiative, at=NOW - DAY, **{dimension: worst}, **others)

    assert health.initiative_health(initiative) == worst
    assert annotated(initiative).latest_health == worst  # type: ignore[attr-defined]
    assert health.initiative_health(annotated(initiative)) == worst


def test_only_the_latest_update_counts() -> None:
    initiative = InitiativeFactory.create()
    StatusUpdateFactory.create(initiative=initiative, at=NOW - 3 * DAY, schedule=Health.OFF_TRACK)
    StatusUpdateFactory.create(initiative=initiative, at=NOW - DAY, adoption=Health.AT_RISK)

    assert health.initiative_health(initiative) == Health.AT_RISK
    assert annotated(initiative).latest_health == Health.AT_RISK  # type: ignore[attr-defined]


def test_no_update_means_no_health() -> None:
    initiative = InitiativeFactory.create()

    assert health.initiative_health(initiative) is None
    assert annotated(initiative).latest_health is None  # type: ignore[attr-defined]


def test_update_health_orders_best_to_worst() -> None:
    update = StatusUpdateFactory.build(scope=Health.AT_RISK, budget=Health.OFF_TRACK)

    assert health.update_health(update) == Health.OFF_TRACK


# --- Staleness ------------------------------------------------------------------------------


def test_stale_counts_from_the_last_update() -> None:
    initiative = initiative_at(NOW - 90 * DAY, stage=G.IN_BUILD)
    StatusUpdateFactory.create(initiative=initiative, at=NOW - 30 * DAY)

    assert annotated(initiative).is_stale is False  # type: ignore[attr-defined]  # exactly 30 days
    with time_machine.travel(NOW + datetime.timedelta(seconds=1), tick=False):
        assert annotated(initiative).is_stale is True  # type: ignore[attr-defined]
        StatusUpdateFactory.create(initiative=initiative)
        assert annotated(initiative).is_stale is False  # type: ignore[attr-defined]


def test_stale_counts_from_approval_or_creation_when_there_is_no_update() -> None:
    created_long_ago = initiative_at(NOW - 40 * DAY)
    approved_lately = initiative_at(
        NOW - 40 * DAY, stage=G.APPROVED, forecast_locked_at=NOW - 10 * DAY
    )

    assert annotated(created_long_ago).is_stale is True  # type: ignore[attr-defined]
    assert annotated(approved_lately).is_stale is False  # type: ignore[attr-defined]
    assert annotated(approved_lately).stale_since == NOW - 10 * DAY  # type: ignore[attr-defined]


def test_the_stale_days_are_the_site_setting() -> None:
    initiative = initiative_at(NOW - 10 * DAY)
    assert annotated(initiative).is_stale is False  # type: ignore[attr-defined]

    SiteSettings.objects.update_or_create(pk=1, defaults={"stale_after_days": 7})
    cache.clear()

    assert annotated(initiative).is_stale is True  # type: ignore[attr-defined]


@pytest.mark.parametrize("stage", [G.SUSTAINING, G.CLOSED, G.DEFERRED, G.STOPPED])
def test_ended_or_parked_initiatives_are_never_stale(stage: str) -> None:
    initiative = initiative_at(NOW - 400 * DAY, stage=stage, revisit_date=datetime.date(2026, 9, 1))

    assert annotated(initiative).is_stale is False  # type: ignore[attr-defined]


# --- Needs me -------------------------------------------------------------------------------


@pytest.fixture
def people(users: dict[str, User], make_user: Callable[..., User]) -> dict[str, User]:
    return {
        **users,
        "owner": make_user("cmio", email="owner@riverside.example"),
        "lead": make_user("informaticist", email="lead@riverside.example"),
    }


def kinds_for(person: User) -> list[tuple[str, str, str]]:
    return [(item.kind, item.title, item.detail) for item in selectors.needs_me_for(person)]


def test_a_stale_initiative_waits_on_its_owner_its_lead_and_every_cmio(
    people: dict[str, User],
) -> None:
    initiative = initiative_at(
        NOW - 60 * DAY,
        title="Sepsis alert tuning",
        stage=G.IN_BUILD,
        cmio_owner=people["owner"],
        informaticist_lead=people["lead"],
    )
    StatusUpdateFactory.create(initiative=initiative, at=NOW - 45 * DAY)
    item = (
        "Stale initiative",
        "Sepsis alert tuning",
        "In build · no status update since 2026-01-16",
    )

    for role in ("owner", "lead", "cmio"):
        assert kinds_for(people[role]) == [item], role
    for role in ("informaticist", "cmo", "champion", "executive", "admin"):
        assert kinds_for(people[role]) == [], role
    waiting = selectors.needs_me_for(people["lead"])[0]
    assert waiting.since == NOW - 15 * DAY  # stale once 30 days passed after the update
    assert waiting.url == reverse("initiatives:initiative-detail", args=[initiative.pk])


def test_overdue_milestones_wait_on_the_owner_the_lead_and_every_cmio(
    people: dict[str, User],
) -> None:
    initiative = InitiativeFactory.create(
        title="Inbox pools",
        stage=G.IN_BUILD,
        cmio_owner=people["owner"],
        informaticist_lead=people["lead"],
    )
    StatusUpdateFactory.create(initiative=initiative)  # not stale
    MilestoneFactory.create(
        initiative=initiative, title="Pool rules", due_date=datetime.date(2026, 2, 20)
    )
    MilestoneFactory.create(
        initiative=initiative, title="Training", due_date=datetime.date(2026, 3, 1)
    )
    MilestoneFactory.create(
        initiative=initiative, title="Done one", due_date=datetime.date(2026, 1, 1), done_at=NOW
    )
    MilestoneFactory.create(
        initiative=initiative, title="Today", due_date=datetime.date(2026, 3, 2)
    )
    item = ("Overdue milestone", "Inbox pools", "Pool rules (due 2026-02-20) and 1 more")

    for role in ("owner", "lead", "cmio"):
        assert kinds_for(people[role]) == [item], role
    for role in ("informaticist", "cmo", "champion", "executive", "admin"):
        assert kinds_for(people[role]) == [], role
    waiting = selectors.needs_me_for(people["cmio"])[0]
    assert waiting.since == datetime.datetime(2026, 2, 21, tzinfo=datetime.UTC)


def test_milestones_of_a_stopped_initiative_are_not_overdue(people: dict[str, User]) -> None:
    initiative = InitiativeFactory.create(stage=G.STOPPED, cmio_owner=people["owner"])
    MilestoneFactory.create(initiative=initiative, due_date=datetime.date(2026, 1, 1))

    assert kinds_for(people["owner"]) == []


def test_an_initiative_at_the_gate_waits_on_the_cmo(people: dict[str, User]) -> None:
    proposed = InitiativeFactory.create(
        title="Discharge summary template", stage_changed_at=NOW - 2 * DAY
    )
    StatusUpdateFactory.create(initiative=proposed)
    InitiativeFactory.create(title="Already approved", stage=G.APPROVED)

    assert kinds_for(people["cmo"]) == [
        ("Awaiting approval", "Discharge summary template", "Proposed · approve, defer or stop")
    ]
    assert selectors.needs_me_for(people["cmo"])[0].since == NOW - 2 * DAY
    for role in ("cmio", "informaticist", "executive", "champion", "admin"):
        assert kinds_for(people[role]) == [], role


def test_the_portfolio_items_cost_one_query(
    people: dict[str, User], django_assert_num_queries: Callable[..., Any]
) -> None:
    for n in range(3):
        initiative = initiative_at(NOW - 60 * DAY, stage=G.PILOT, informaticist_lead=people["lead"])
        MilestoneFactory.create(initiative=initiative, due_date=datetime.date(2026, 1, n + 1))
    InitiativeFactory.create()
    site_settings_get()
    cmio = User.objects.get(pk=people["cmio"].pk)
    assert cmio.roles == ("cmio",)

    with django_assert_num_queries(1):
        items = selectors.needs_me_for(cmio)

    assert [item.kind for item in items] == ["Overdue milestone"] * 3 + ["Stale initiative"] * 3


@pytest.mark.parametrize("count", [2, 200])
def test_the_portfolio_items_are_bounded_per_kind_with_their_totals(
    people: dict[str, User], django_assert_num_queries: Callable[..., Any], count: int
) -> None:
    made = [initiative_at(NOW - (90 + n) * DAY, stage=G.PILOT) for n in range(count)]
    for n, initiative in enumerate(made):
        MilestoneFactory.create(initiative=initiative, due_date=datetime.date(2025, 1, 1) + n * DAY)
    site_settings_get()
    cmio = User.objects.get(pk=people["cmio"].pk)
    assert cmio.roles == ("cmio",)

    with django_assert_num_queries(1):
        items = selectors.needs_me_for(cmio)

    shown = min(count, 10)
    kinds = [item.kind for item in items]
    assert [kinds.count("Stale initiative"), kinds.count("Overdue milestone")] == [shown, shown]
    assert [items.total("Stale initiative"), items.total("Overdue milestone")] == [count, count]
    # The oldest of each kind: stale the longest, the milestones due first.
    oldest = {made[-1].title, made[0].title}
    assert oldest <= {item.title for item in items}
    assert items.links["Stale initiative"] == "/initiatives/?stale=true"


# --- Filters --------------------------------------------------------------------------------


def test_the_list_filters_by_stage_type_priority_facility_health_stale_and_words() -> None:
    burden = PriorityFactory.create()
    north = FacilityFactory.create()
    alert = InitiativeFactory.create(
        title="Sepsis alert tuning", type="cds", stage=G.IN_BUILD, created_at=NOW - 90 * DAY
    )
    inbox = InitiativeFactory.create(title="Inbox pools", summary="Pool the results inbox.")
    InitiativePriorityFactory.create(initiative=alert, priority=burden)
    inbox.facilities.add(north)
    StatusUpdateFactory.create(initiative=inbox, budget=Health.OFF_TRACK)

    def titles(**filters: Any) -> list[str]:
        return [row.title for row in selectors.initiative_list(filters=filters)]

    assert titles() == ["Inbox pools", "Sepsis alert tuning"]
    assert titles(stage="in_build") == ["Sepsis alert tuning"]
    assert titles(type="cds") == ["Sepsis alert tuning"]
    assert titles(priority=str(burden.pk)) == ["Sepsis alert tuning"]
    assert titles(facility=str(north.pk)) == ["Inbox pools"]
    assert titles(health="off_track") == ["Inbox pools"]
    assert titles(health="none") == ["Sepsis alert tuning"]
    assert titles(stale="true") == ["Sepsis alert tuning"]
    assert titles(stale="false") == ["Inbox pools"]
    assert titles(q="results") == ["Inbox pools"]
    assert titles(q=f"#{alert.pk}") == ["Sepsis alert tuning"]
    assert titles(state="ended") == []


def test_the_filter_annotates_a_plain_queryset_itself() -> None:
    from initiatives.filters import InitiativeFilter

    StatusUpdateFactory.create(initiative=InitiativeFactory.create(title="A"))
    rows = InitiativeFilter(data={"health": "on_track"}, queryset=Initiative.objects.all()).qs

    assert [row.title for row in rows] == ["A"]


# --- Detail and summary ---------------------------------------------------------------------


def test_the_detail_hides_private_requests_of_others_from_a_champion(
    users: dict[str, User],
) -> None:
    initiative = InitiativeFactory.create()
    public = request_in(initiative)
    private = request_in(initiative, is_private=True)
    own = request_in(initiative, is_private=True, submitted_by=users["champion"])

    def linked(user: User | None) -> list[int]:
        return [
            r.pk for r in selectors.initiative_detail(pk=initiative.pk, user=user).requests.all()
        ]

    assert linked(users["champion"]) == [public.pk, own.pk]
    assert linked(users["cmo"]) == [public.pk, private.pk, own.pk]
    assert linked(None) == [public.pk, private.pk, own.pk]


def test_the_summary_groups_by_priority_and_stage() -> None:
    burden = PriorityFactory.create(title="Burden", rank=1)
    safety = PriorityFactory.create(title="Safety", rank=2)
    PriorityFactory.create(title="Retired, unused", rank=3, is_active=False)
    both = InitiativeFactory.create(title="Both", stage=G.IN_BUILD, created_at=NOW - 60 * DAY)
    InitiativePriorityFactory.create(initiative=both, priority=burden, alignment=Alignment.STRONG)
    InitiativePriorityFactory.create(initiative=both, priority=safety, alignment=Alignment.WEAK)
    risky = InitiativeFactory.create(title="Risky", stage=G.LIVE)
    InitiativePriorityFactory.create(initiative=risky, priority=burden)
    StatusUpdateFactory.create(initiative=risky, scope=Health.AT_RISK)
    InitiativeFactory.create(title="Loose")

    summary = selectors.portfolio_summary()

    assert [title for _, title in summary.stages][:5] == [
        "Proposed",
        "Approved",
        "In build",
        "Pilot",
        "Live",
    ]
    grid = {
        (row.priority.title if row.priority else None): {
            cell.stage: (cell.count, cell.stale, cell.at_risk, cell.off_track, cell.worst)
            for cell in row.cells
            if cell.count
        }
        for row in summary.rows
    }
    assert grid == {
        "Burden": {"in_build": (1, 1, 0, 0, None), "live": (1, 0, 1, 0, "at_risk")},
        "Safety": {"in_build": (1, 1, 0, 0, None)},
        None: {"proposed": (1, 0, 0, 0, None)},
    }
    # Each initiative once per stage in the totals, though "Both" sits in two rows.
    assert [(c.stage, c.count, c.stale, c.at_risk, c.worst) for c in summary.totals if c.count] == [
        ("proposed", 1, 0, 0, None),
        ("in_build", 1, 1, 0, None),
        ("live", 1, 0, 1, "at_risk"),
    ]
    assert [row.total for row in summary.rows] == [2, 1, 1]
    assert (summary.total, summary.stale, summary.at_risk, summary.off_track) == (3, 1, 1, 0)


def test_the_detail_carries_benefit_variance_and_overdue_flags() -> None:
    initiative = InitiativeFactory.create(stage=G.APPROVED)
    BenefitLineFactory.create(
        initiative=initiative,
        target=Decimal("55.00"),
        horizon=datetime.date(2027, 6, 30),
        locked_baseline=Decimal("86.00"),
        locked_target=Decimal("60.00"),
        locked_horizon=datetime.date(2027, 6, 30),
        locked_at=NOW,
    )
    BenefitLineFactory.create(initiative=initiative)
    MilestoneFactory.create(initiative=initiative, due_date=datetime.date(2026, 3, 1))
    MilestoneFactory.create(initiative=initiative, due_date=datetime.date(2026, 3, 2))

    detail = selectors.initiative_detail(pk=initiative.pk)

    assert [b.variance for b in detail.benefits.all()] == [  # type: ignore[attr-defined]
        selectors.BenefitVariance(
            baseline=Decimal("0.00"), target=Decimal("-5.00"), horizon_days=0
        ),
        None,
    ]
    assert [m.is_overdue for m in detail.milestones.all()] == [True, False]  # type: ignore[attr-defined]
    assert detail.overdue_milestones == 1  # type: ignore[attr-defined]


# --- Query counts ---------------------------------------------------------------------------


def _portfolio(count: int, users: dict[str, User]) -> Initiative:
    """`count` initiatives, each aligned to two priorities, with a facility, a status update,
    a milestone and a linked request; returns the first, which also holds `count` of each of
    its own records (alignments, timeline, updates, milestones, benefits, requests)."""
    priorities = PriorityFactory.create_batch(2)
    facility = FacilityFactory.create()
    initiatives = InitiativeFactory.create_batch(
        count, cmio_owner=users["cmio"], informaticist_lead=users["informaticist"]
    )
    for initiative in initiatives:
        for priority in priorities:
            InitiativePriorityFactory.create(initiative=initiative, priority=priority)
        initiative.facilities.add(facility)
        StatusUpdateFactory.create(initiative=initiative, author=users["informaticist"])
        MilestoneFactory.create(initiative=initiative)
        request_in(initiative, submitted_by=users["champion"])
    first = initiatives[0]
    for n in range(count):
        InitiativePriorityFactory.create(initiative=first)
        StageChangeFactory.create(initiative=first, actor=users["cmio"])
        StatusUpdateFactory.create(initiative=first, author=users["informaticist"])
        MilestoneFactory.create(initiative=first, done_by=users["cmio"], done_at=NOW)
        BenefitLineFactory.create(initiative=first)
        request_in(first, submitted_by=users["champion"])
        first.champions.add(users["champion"] if n == 0 else users["executive"])
    site_settings_get()  # cached, as on every page after the first
    return first


def test_attention_lists_off_track_then_at_risk_then_stale_each_once_by_title() -> None:
    def initiative(
        title: str, health: str | None = None, created: datetime.datetime = NOW, **fields: Any
    ) -> None:
        made = initiative_at(created, title=title, **fields)
        if health is not None:
            StatusUpdateFactory.create(initiative=made, at=NOW - DAY, adoption=health)

    initiative("Fine", Health.ON_TRACK)
    initiative("Risky", Health.AT_RISK)
    initiative("Lost B", Health.OFF_TRACK)
    initiative("Lost A", Health.OFF_TRACK, stage=G.LIVE)
    initiative("Forgotten", created=NOW - 60 * DAY)  # no update at all: stale
    initiative("Done", created=NOW - 60 * DAY, stage=G.CLOSED)  # ended: never stale
    aligned_twice = initiative_at(NOW - 60 * DAY, title="Both rows, stale")
    for priority in (PriorityFactory.create(rank=1), PriorityFactory.create(rank=2)):
        InitiativePriorityFactory.create(initiative=aligned_twice, priority=priority)

    attention: Any = selectors.portfolio_attention()  # annotated with the health

    assert [(i.title, i.latest_health, i.is_stale) for i in attention] == [
        ("Lost A", Health.OFF_TRACK, False),
        ("Lost B", Health.OFF_TRACK, False),
        ("Risky", Health.AT_RISK, False),
        ("Both rows, stale", None, True),
        ("Forgotten", None, True),
    ]


def test_attention_ranks_a_stale_initiative_by_its_health() -> None:
    off_and_stale = initiative_at(NOW - 90 * DAY, title="Zulu")
    StatusUpdateFactory.create(
        initiative=off_and_stale, at=NOW - 40 * DAY, schedule=Health.OFF_TRACK
    )
    on_track_but_stale = initiative_at(NOW - 90 * DAY, title="Alpha")
    StatusUpdateFactory.create(initiative=on_track_but_stale, at=NOW - 40 * DAY)
    initiative_at(NOW, title="Nothing to see")

    attention: Any = selectors.portfolio_attention()  # annotated with the health

    assert [(i.title, i.latest_health, i.is_stale) for i in attention] == [
        ("Zulu", Health.OFF_TRACK, True),
        ("Alpha", Health.ON_TRACK, True),
    ]


def test_attention_of_an_empty_portfolio_is_empty() -> None:
    assert list(selectors.portfolio_attention()) == []


@pytest.mark.parametrize("rows", [2, 200])
def test_the_summary_costs_the_same_queries_at_2_and_200(
    users: dict[str, User], django_assert_num_queries: Callable[..., Any], rows: int
) -> None:
    _portfolio(rows, users)

    # 1 the cells per priority, 2 the cells per stage (each counted in SQL), 3 the priorities
    with django_assert_num_queries(3):
        summary = selectors.portfolio_summary()
    assert summary.total == rows
    # Two shared priorities hold every initiative; the first's own `rows` priorities hold it.
    assert [row.total for row in summary.rows] == [rows, rows] + [1] * rows


@pytest.mark.parametrize("rows", [2, 200])
def test_the_list_costs_the_same_queries_at_2_and_200(
    users: dict[str, User], django_assert_num_queries: Callable[..., Any], rows: int
) -> None:
    _portfolio(rows, users)

    # 1 initiatives with people and the subqueries, 2 alignments with priorities,
    # 3 facilities
    with django_assert_num_queries(3):
        listed = [
            (
                row.cmio_owner,
                row.informaticist_lead,
                row.latest_health,  # type: ignore[attr-defined]
                row.is_stale,  # type: ignore[attr-defined]
                [a.priority.title for a in row.alignments.all()],
                [f.name for f in row.facilities.all()],
            )
            for row in selectors.initiative_list()
        ]
    assert len(listed) == rows


@pytest.mark.parametrize("rows", [2, 200])
def test_the_detail_costs_the_same_queries_at_2_and_200(
    users: dict[str, User], django_assert_num_queries: Callable[..., Any], rows: int
) -> None:
    first = _portfolio(rows, users)

    # 1 the initiative with people and subqueries, 2 alignments with priorities, 3 champions,
    # 4 facilities, 5 stage timeline with actors, 6 status updates with authors and health,
    # 7 milestones with who did them, 8 benefit lines, 9 financial entries with who entered
    # them, 10 linked requests with submitters
    with django_assert_num_queries(10):
        detail = selectors.initiative_detail(pk=first.pk)
        shown = (
            [a.priority.title for a in detail.alignments.all()],
            [str(p) for p in detail.champions.all()],
            [f.name for f in detail.facilities.all()],
            [str(c.actor) for c in detail.stage_changes.all()],
            [(str(u.author), u.health) for u in detail.status_updates.all()],  # type: ignore[attr-defined]
            [str(m.done_by) for m in detail.milestones.all()],
            [b.variance for b in detail.benefits.all()],  # type: ignore[attr-defined]
            [str(r.submitted_by) for r in detail.requests.all()],
            health.initiative_health(detail),
        )
    assert len(shown[5]) == rows + 1
    assert len(shown[7]) == rows + 1
    assert IntakeRequest.objects.filter(initiative_link__initiative=first).count() == rows + 1
    assert InitiativePriority.objects.filter(initiative=first).count() == rows + 2


def test_services_linked_requests_show_on_the_detail(users: dict[str, User]) -> None:
    request = IntakeRequestFactory.create(status="scored")
    initiative = services.initiative_create(
        actor=users["cmio"], title="T", type="cds", summary="S", requests=[request]
    )

    detail = selectors.initiative_detail(pk=initiative.pk)

    assert [r.pk for r in detail.requests.all()] == [request.pk]
    assert detail.linked_requests == 1  # type: ignore[attr-defined]
