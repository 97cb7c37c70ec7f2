"""Query budgets of the metric pages: the catalogue costs the same with 2 metrics as with
200; a metric's page costs the same with 2 or 200 periods, hospitals, linked initiatives,
targets, timeline notes, priorities and balancing metrics, at the system (whose figures are
summed from the hospitals) and at a hospital, under its own rules or another preset. Each
budget lists its queries."""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from informatics.choices import FacilityKind
from informatics.models import Facility, User
from initiatives.choices import Stage
from metrics.choices import AnnotationKind, ChartType, Variation
from metrics.models import Annotation, Measurement, Metric, MetricInitiative, RollupSeries, Target
from metrics.services.rollups import rollup_refresh
from tests.factories import FacilityFactory, PriorityFactory
from tests.initiatives.factories import BenefitLineFactory, InitiativeFactory
from tests.intake.test_views_queries import SESSION, SESSION_SAVE, warm
from tests.metrics.factories import MetricFactory, add_months, month_end
from tests.metrics.page_world import TODAY, batch_for

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

START = datetime.date(2008, 1, 1)  # room for 200 months before TODAY


def catalogue(count: int) -> None:
    """`count` metrics, each with a priority and a system-level roll-up."""
    system = FacilityFactory.create(code="rh", kind=FacilityKind.SYSTEM)
    priority = PriorityFactory.create()
    metrics = MetricFactory.create_batch(count)
    for metric in metrics:
        metric.priorities.add(priority)
    RollupSeries.objects.bulk_create(
        RollupSeries(
            metric=metric,
            facility=system,
            chart_type=metric.chart_type,
            rule_preset=metric.rule_preset,
            points=12,
            data_through=datetime.date(2026, 5, 31),
            latest_value=10.0,
            variation=Variation.IMPROVEMENT,
            fingerprint=str(metric.pk),
        )
        for metric in metrics
    )


@pytest.mark.parametrize("count", [2, 200])
def test_the_catalogue_costs_the_same_at_2_and_200_metrics(
    client_for: Callable[[str], Client], count: int, django_assert_num_queries: Any
) -> None:
    catalogue(count)
    client = client_for("cmio")
    url = reverse("metrics:metric-list")
    warm(client, url)

    # session, user; 3 the user's roles; 4 the count for the pager; 5 the page of metrics
    # with their owners; 6 their system roll-ups; 7 their priorities; 8 the priorities of
    # the filter form; then saving the session
    with django_assert_num_queries(SESSION + 6 + SESSION_SAVE):
        response = client.get(url)
    assert len(response.context["entries"]) == min(count, 50)


def metric_page(count: int, user: User) -> tuple[Metric, Facility]:
    """A p-chart metric measured at `count` hospitals (the first for `count` months, the
    others for three, half of them imported), with `count` linked initiatives, targets, notes,
    priorities and balancing metrics; rolled up. Returns the metric and the first hospital."""
    system = FacilityFactory.create(code="rh", kind=FacilityKind.SYSTEM)
    hospitals = FacilityFactory.create_batch(count, kind=FacilityKind.HOSPITAL, parent=system)
    metric: Metric = MetricFactory.create(
        chart_type=ChartType.P, multiplier=Decimal("100"), baseline_points=12
    )
    batch = batch_for(user)
    rows = []
    for number, hospital in enumerate(hospitals):
        for offset in range(count if number == 0 else 3):
            start = add_months(START, offset)
            rows.append(
                Measurement(
                    metric=metric,
                    facility=hospital,
                    period_start=start,
                    period_end=month_end(start),
                    value=Decimal(50 + offset % 7),
                    numerator=Decimal(50 + offset % 7),
                    denominator=Decimal(100),
                    batch=batch if offset % 2 else None,
                    entered_by=None if offset % 2 else user,
                )
            )
    Measurement.objects.bulk_create(rows)
    share = Decimal(100) / count
    for initiative in InitiativeFactory.create_batch(
        count, stage=Stage.LIVE, go_live_date=datetime.date(2010, 6, 1)
    ):
        MetricInitiative.objects.create(
            metric=metric,
            initiative=initiative,
            share=share,
            benefit_line=BenefitLineFactory.create(initiative=initiative),
        )
    Target.objects.bulk_create(
        Target(metric=metric, value=Decimal(60), due_date=datetime.date(2030, 1, 1) + (n * DAY))
        for n in range(count)
    )
    Annotation.objects.bulk_create(
        Annotation(metric=metric, kind=AnnotationKind.NOTE, date=START + n * DAY, label=f"N{n}")
        for n in range(count)
    )
    metric.priorities.add(*PriorityFactory.create_batch(count))
    metric.balancing_metrics.add(*MetricFactory.create_batch(count))
    rollup_refresh(metric_ids=[metric.pk], today=TODAY)
    return metric, hospitals[0]


DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize("count", [2, 200])
def test_a_metrics_page_costs_the_same_at_2_and_200_of_everything(
    users: dict[str, User],
    client_for: Callable[[str], Client],
    count: int,
    django_assert_num_queries: Any,
) -> None:
    metric, hospital = metric_page(count, users["informaticist"])
    client = client_for("cmio")  # sees every form
    url = reverse("metrics:metric-detail", args=[metric.pk])
    views = {
        # the system's figures, summed from every hospital
        "system": (url, max(count, 3)),
        "hospital": (f"{url}?facility={hospital.pk}", count),
        # recomputed by the engine under another preset: no query more
        "system, IHI rules": (f"{url}?preset=ihi", max(count, 3)),
        "hospital, Anhøj rules": (f"{url}?facility={hospital.pk}&preset=anhoj", count),
    }
    warm(client, url)

    for page_url, periods in views.values():
        # session, user; 3 the user's roles; 4 the metric with its owner; 5 its system
        # roll-up; 6 priorities; 7 links with initiatives and benefit lines; 8 balancing
        # metrics; 9 targets; 10 annotations; 11 the facility tree; 12 the facilities
        # charted; 13 the series; 14 its points; 15 its targets; 16 its annotations; 17 its
        # go-lives; 18 the measurements behind the points; forms: 19 target facilities,
        # 20 annotation facilities, 21 measurement facilities (the link form lists no
        # initiative: it looks them up when posted); then saving the session
        with django_assert_num_queries(SESSION + 19 + SESSION_SAVE):
            response = client.get(page_url)
        assert response.status_code == 200
        assert len(response.context["rows"]) == periods  # the others have three months
        assert len(response.context["links"]) == count
