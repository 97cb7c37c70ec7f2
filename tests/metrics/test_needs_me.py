"""What metrics ask of people: a metric's owner sees its data overdue (no data for the latest
period that should be complete, given the frequency and the data lag); the CMIO sees every
system-level series whose latest point turned into a special-cause concern. One query for
every signed-in user, whatever the number of metrics."""

import datetime
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from informatics.choices import FacilityKind, Role
from informatics.models import Facility, User
from informatics.selectors import NeedsMeItem
from metrics import periods, selectors
from metrics.choices import ChartType, MetricFrequency, RulePreset, Variation
from metrics.models import Metric, RollupSeries
from tests.factories import FacilityFactory
from tests.metrics.factories import MetricFactory, monthly_series

NOW = datetime.datetime(2026, 3, 2, 15, 0, tzinfo=datetime.UTC)  # site time zone: UTC
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def system() -> Facility:
    facility: Facility = FacilityFactory.create(code="rh", kind=FacilityKind.SYSTEM)
    return facility


@pytest.fixture
def owner(make_user: Callable[..., User]) -> User:
    return make_user(Role.INFORMATICIST, email="owner@riverside.example")


def midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def test_an_owner_sees_a_metric_whose_latest_due_month_is_missing(
    owner: User, system: Facility
) -> None:
    metric = MetricFactory.create(code="Q4", name="Falls with injury", owner=owner)
    # No lag: February 2026 (ended the 28th) is due by 2 March; data stops at January.
    monthly_series(metric, system, [1] * 25, start=datetime.date(2024, 1, 1))

    assert selectors.needs_me_for(owner) == [
        NeedsMeItem(
            kind="Metric data overdue",
            title="Q4 Falls with injury",
            url=f"/metrics/{metric.pk}/",
            since=midnight(datetime.date(2026, 3, 1)),
            due=midnight(datetime.date(2026, 3, 1)),
            detail="Data through 2026-01-31; expected through 2026-02-28.",
        )
    ]


def test_the_data_lag_moves_the_due_period_and_the_wait_starts_at_the_first_missing_one(
    owner: User, system: Facility
) -> None:
    # 30 days' lag: on 2 March only periods that ended before 31 January are due, so
    # December 2025 is the latest due month.
    up_to_date = MetricFactory.create(code="Q1", owner=owner, data_lag_days=30)
    monthly_series(up_to_date, system, [1] * 24, start=datetime.date(2024, 1, 1))  # … Dec 2025
    behind = MetricFactory.create(code="Q2", name="CLABSI", owner=owner, data_lag_days=30)
    monthly_series(behind, system, [1] * 22, start=datetime.date(2024, 1, 1))  # … Oct 2025

    items = selectors.needs_me_for(owner)

    # November (ended the 30th) was complete, so due, 30 days later: from 31 December.
    assert [(i.title, i.since, i.detail) for i in items] == [
        (
            "Q2 CLABSI",
            midnight(datetime.date(2025, 12, 31)),
            "Data through 2025-10-31; expected through 2025-12-31.",
        )
    ]


def test_a_metric_without_data_waits_since_it_was_created(owner: User) -> None:
    with time_machine.travel(NOW - datetime.timedelta(days=40), tick=False):
        metric = MetricFactory.create(code="E3", name="Pajama time", owner=owner)

    [item] = selectors.needs_me_for(owner)

    assert (item.title, item.since, item.detail) == (
        "E3 Pajama time",
        metric.created_at,
        "No measurements yet.",
    )


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        ({"frequency": MetricFrequency.WAVE}, False),  # survey waves have no schedule
        ({"is_active": False}, False),
        ({"frequency": MetricFrequency.QUARTERLY}, True),  # Q4 2025 due, data to Q3
        ({"frequency": MetricFrequency.WEEKLY}, True),
    ],
)
def test_which_metrics_can_be_overdue(
    owner: User, system: Facility, fields: dict[str, object], shown: bool
) -> None:
    metric = MetricFactory.create(owner=owner, **fields)
    metric.measurements.create(
        facility=system,
        period_start=datetime.date(2025, 7, 1),
        period_end=datetime.date(2025, 9, 30),
        value=1,
    )

    assert bool(selectors.needs_me_for(owner)) is shown


def test_other_peoples_metrics_are_not_mine(
    owner: User, users: dict[str, User], system: Facility
) -> None:
    MetricFactory.create(owner=users[Role.CMIO])

    assert selectors.needs_me_for(owner) == []


def concern(metric: Metric, facility: Facility, at: datetime.datetime) -> RollupSeries:
    series: RollupSeries = RollupSeries.objects.create(
        metric=metric,
        facility=facility,
        chart_type=ChartType.XMR,
        rule_preset=RulePreset.MDC,
        points=24,
        latest_period=datetime.date(2026, 1, 1),
        variation=Variation.CONCERN,
        variation_changed_at=at,
        fingerprint="f",
    )
    return series


def test_the_cmio_sees_system_level_concerns_since_they_turned(
    users: dict[str, User], system: Facility
) -> None:
    hospital = FacilityFactory.create(code="rh-n", kind=FacilityKind.HOSPITAL, parent=system)
    sepsis = MetricFactory.create(code="Q6", name="Sepsis bundle")
    monthly_series(sepsis, system, [1] * 26, start=datetime.date(2024, 1, 1))
    turned = datetime.datetime(2026, 2, 20, 6, 0, tzinfo=datetime.UTC)
    concern(sepsis, system, turned)
    local = MetricFactory.create(code="Q8")
    concern(local, hospital, turned)  # a hospital's concern is not the CMIO's item
    improving = MetricFactory.create(code="Q9")
    RollupSeries.objects.create(
        metric=improving,
        facility=system,
        chart_type=ChartType.XMR,
        rule_preset=RulePreset.MDC,
        variation=Variation.IMPROVEMENT,
        fingerprint="f",
    )

    assert selectors.needs_me_for(users[Role.CMIO]) == [
        NeedsMeItem(
            kind="Special-cause concern",
            title="Q6 Sepsis bundle",
            url=f"/metrics/{sepsis.pk}/",
            since=turned,
            detail="The latest system-level point is a special-cause concern (period from "
            "2026-01-01).",
        )
    ]
    assert selectors.needs_me_for(users[Role.CMO]) == []


def test_an_owner_who_is_the_cmio_sees_both_oldest_first(
    users: dict[str, User], system: Facility
) -> None:
    cmio = users[Role.CMIO]
    metric = MetricFactory.create(code="Q1", name="Readmissions", owner=cmio)
    monthly_series(metric, system, [1] * 24, start=datetime.date(2024, 1, 1))  # … Dec 2025
    concern(metric, system, datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC))

    items = selectors.needs_me_for(cmio)

    assert [(i.kind, i.since) for i in items] == [
        ("Metric data overdue", midnight(datetime.date(2026, 2, 1))),
        ("Special-cause concern", datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC)),
    ]


@pytest.mark.parametrize("count", [2, 200])
@pytest.mark.parametrize("role", Role.values)
def test_needs_me_makes_one_query_whatever_the_number_of_metrics(
    users: dict[str, User], system: Facility, role: str, count: int
) -> None:
    user = users[role]
    user.roles  # noqa: B018 - the roles are loaded with the user on a page
    for _ in range(count):
        metric = MetricFactory.create(owner=user)
        concern(metric, system, NOW)

    with CaptureQueriesContext(connection) as captured:
        items = selectors.needs_me_for(user)

    assert len(captured.captured_queries) == 1
    # At most NEEDS_ME_LIMIT (10) items of each kind, with each kind's total.
    kinds = [item.kind for item in items]
    assert kinds.count("Metric data overdue") == min(count, 10)
    assert items.total("Metric data overdue") == count
    concerns = count if role == Role.CMIO else 0
    assert kinds.count("Special-cause concern") == min(concerns, 10)
    assert items.total("Special-cause concern") == concerns


@pytest.mark.parametrize(
    ("frequency", "lag", "today", "due"),
    [
        (MetricFrequency.MONTHLY, 0, datetime.date(2026, 3, 1), datetime.date(2026, 2, 28)),
        (MetricFrequency.MONTHLY, 0, datetime.date(2026, 2, 28), datetime.date(2026, 1, 31)),
        (MetricFrequency.MONTHLY, 30, datetime.date(2026, 3, 2), datetime.date(2025, 12, 31)),
        (MetricFrequency.QUARTERLY, 0, datetime.date(2026, 3, 2), datetime.date(2025, 12, 31)),
        (MetricFrequency.QUARTERLY, 0, datetime.date(2026, 4, 1), datetime.date(2026, 3, 31)),
        (MetricFrequency.WEEKLY, 0, datetime.date(2026, 3, 2), datetime.date(2026, 3, 1)),
        (MetricFrequency.WEEKLY, 2, datetime.date(2026, 3, 2), datetime.date(2026, 2, 22)),
        (MetricFrequency.WAVE, 0, datetime.date(2026, 3, 2), None),
    ],
)
def test_the_latest_due_period(
    frequency: str, lag: int, today: datetime.date, due: datetime.date | None
) -> None:
    assert periods.due_period_end(frequency, lag, today) == due


@pytest.mark.parametrize(
    ("frequency", "end", "following"),
    [
        (MetricFrequency.MONTHLY, datetime.date(2024, 1, 31), datetime.date(2024, 2, 29)),
        (MetricFrequency.QUARTERLY, datetime.date(2025, 12, 31), datetime.date(2026, 3, 31)),
        (MetricFrequency.WEEKLY, datetime.date(2026, 3, 1), datetime.date(2026, 3, 8)),
        (MetricFrequency.WAVE, datetime.date(2026, 3, 1), None),
    ],
)
def test_the_period_after(
    frequency: str, end: datetime.date, following: datetime.date | None
) -> None:
    assert periods.next_period_end(frequency, end) == following
