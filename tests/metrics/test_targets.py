"""The applicable target: one rule (the facility's own, else system-wide; the nearest not yet
past, else the latest) on one day (the site's), so the target stored with a roll-up — what the
catalogue shows — and the target on the metric page always agree."""

import datetime
from decimal import Decimal

import pytest

from informatics.choices import FacilityKind
from informatics.models import SiteSettings
from informatics.services import site_today
from metrics import selectors
from metrics.models import Target
from metrics.services.rollups import rollup_refresh
from metrics.targets import applicable_target
from tests.factories import FacilityFactory
from tests.metrics.factories import MetricFactory, TargetFactory, monthly_series

# 03:00 UTC on 1 March is still 28 February, 21:00, in Chicago: the UTC date and the site's
# date differ.
NOW = datetime.datetime(2026, 3, 1, 3, 0, tzinfo=datetime.UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

TODAY = datetime.date(2026, 1, 1)


def target(pk: int, facility_id: int | None, value: int, due: datetime.date) -> Target:
    return Target(pk=pk, facility_id=facility_id, value=Decimal(value), due_date=due)


def values(rows: list[Target], facility_id: int, today: datetime.date = TODAY) -> Decimal | None:
    chosen = applicable_target(rows, facility_id=facility_id, today=today)
    return chosen.value if chosen is not None else None


def test_the_facilitys_own_targets_beat_system_wide_ones_even_when_past() -> None:
    rows = [
        target(1, None, 5, datetime.date(2025, 6, 30)),
        target(2, None, 4, datetime.date(2026, 12, 31)),
        target(3, None, 3, datetime.date(2026, 6, 30)),
        target(4, 7, 9, datetime.date(2024, 12, 31)),
    ]

    assert values(rows, facility_id=1) == Decimal(3)  # the nearest upcoming system-wide one
    assert values(rows, facility_id=7) == Decimal(9)  # its own, though past
    assert values(rows[:1], facility_id=1) == Decimal(5)  # all past: the latest
    assert values([], facility_id=1) is None


def test_a_target_due_today_is_not_yet_past() -> None:
    rows = [
        target(1, None, 8, datetime.date(2025, 12, 31)),
        target(2, None, 6, TODAY),
        target(3, None, 4, datetime.date(2026, 12, 31)),
    ]

    assert values(rows, facility_id=1) == Decimal(6)
    assert values(rows, facility_id=1, today=TODAY + datetime.timedelta(days=1)) == Decimal(4)


def test_a_tie_on_the_due_date_goes_to_the_higher_id_whatever_the_order() -> None:
    upcoming = [
        target(2, None, 6, datetime.date(2026, 6, 30)),
        target(5, None, 7, datetime.date(2026, 6, 30)),
    ]
    past = [
        target(2, None, 6, datetime.date(2025, 6, 30)),
        target(5, None, 7, datetime.date(2025, 6, 30)),
    ]

    assert [values(upcoming, 1), values(upcoming[::-1], 1)] == [Decimal(7), Decimal(7)]
    assert [values(past, 1), values(past[::-1], 1)] == [Decimal(7), Decimal(7)]


def test_the_catalogue_and_the_metric_page_judge_against_the_same_target() -> None:
    SiteSettings.objects.update_or_create(pk=1, defaults={"time_zone": "America/Chicago"})
    system = FacilityFactory.create(code="rh", kind=FacilityKind.SYSTEM)
    metric = MetricFactory.create()
    monthly_series(metric, system, [10, 11, 9, 10, 12, 8])
    TargetFactory.create(metric=metric, value=7, due_date=datetime.date(2026, 2, 28))
    TargetFactory.create(metric=metric, value=5, due_date=datetime.date(2026, 6, 30))

    rollup_refresh(metric_ids=[metric.pk])  # as the nightly job runs it: on the site's today

    catalogue = selectors.system_rollup(selectors.metric_list().get(pk=metric.pk))
    page = selectors.series_view(metric=metric, facility=system, with_marks=False).target
    # In Chicago the target due on 28 February is due today, not yet past (in UTC it is past).
    assert site_today() == datetime.date(2026, 2, 28)
    assert catalogue is not None
    assert page is not None
    assert (catalogue.target_value, page.value, page.due_date) == (
        7.0,
        Decimal(7),
        datetime.date(2026, 2, 28),
    )
