"""factory_boy factories for metrics records, plus `monthly_series`, which writes one
measurement a month for a metric at a facility.

The factories write rows directly (fast, any state). `MetricFactory` makes a monthly XmR metric,
higher is better, multiplier 1; pass `chart_type=ChartType.P, multiplier=100` and so on for
others. `facility_tree()` builds a system with two hospitals and a unit under the first.
"""

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

import factory
from django.utils import timezone

from informatics.choices import FacilityKind, ValueCategory
from informatics.models import Facility
from initiatives.models import Initiative
from metrics.choices import (
    Aim,
    AnnotationKind,
    ChartType,
    Direction,
    MetricFrequency,
    RulePreset,
)
from metrics.models import Annotation, Measurement, Metric, MetricInitiative, Target
from tests.factories import FacilityFactory

Figure = float | int | Decimal | str


class MetricFactory(factory.django.DjangoModelFactory[Metric]):
    """A monthly XmR metric, higher is better, multiplier 1, Making Data Count rules."""

    class Meta:
        model = Metric
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"m{n}")
    name = factory.Sequence(lambda n: f"Metric {n}")
    definition = "Count of events in the period."
    value_category = ValueCategory.SAFETY_QUALITY
    aim = Aim.POPULATION_HEALTH
    unit = "events"
    multiplier = Decimal("1")
    direction = Direction.HIGHER
    frequency = MetricFrequency.MONTHLY
    chart_type = ChartType.XMR
    rule_preset = RulePreset.MDC
    data_lag_days = 0


class TargetFactory(factory.django.DjangoModelFactory[Target]):
    """A system-wide target (facility blank) due at the end of next year."""

    class Meta:
        model = Target

    metric = factory.SubFactory(MetricFactory)
    facility = None
    value = Decimal("10")
    due_date = factory.LazyFunction(lambda: datetime.date(timezone.localdate().year + 1, 12, 31))


class AnnotationFactory(factory.django.DjangoModelFactory[Annotation]):
    """A note on every facility's chart (pass kind=AnnotationKind.REBASE with a reason)."""

    class Meta:
        model = Annotation

    metric = factory.SubFactory(MetricFactory)
    facility = None
    kind = AnnotationKind.NOTE
    date = datetime.date(2024, 6, 1)
    label = factory.Sequence(lambda n: f"Note {n}")
    reason = ""


class MetricInitiativeFactory(factory.django.DjangoModelFactory[MetricInitiative]):
    """A link metric ← initiative with a share of 50%. Pass `initiative` (the initiatives
    factories live in tests/initiatives/factories.py)."""

    class Meta:
        model = MetricInitiative

    metric = factory.SubFactory(MetricFactory)
    share = Decimal("50")


class MeasurementFactory(factory.django.DjangoModelFactory[Measurement]):
    """January 2024 at a new facility, value 10 (no numerator or denominator)."""

    class Meta:
        model = Measurement

    metric = factory.SubFactory(MetricFactory)
    facility = factory.SubFactory(FacilityFactory)
    period_start = datetime.date(2024, 1, 1)
    period_end = factory.LazyAttribute(lambda m: month_end(m.period_start))
    value = Decimal("10")


def month_end(day: datetime.date) -> datetime.date:
    """The last day of `day`'s month."""
    following = add_months(day.replace(day=1), 1)
    return following - datetime.timedelta(days=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def monthly_series(
    metric: Metric,
    facility: Facility,
    values: Iterable[Figure | tuple[Figure, Figure]],
    start: datetime.date = datetime.date(2024, 1, 1),
) -> list[Measurement]:
    """One measurement a month from `start` for each item of `values`, bulk-created.

    An item is a value, or a `(numerator, denominator)` pair whose value is
    numerator ÷ denominator × the metric's multiplier (rounded to 6 places, as stored)."""
    rows: list[Measurement] = []
    for offset, item in enumerate(values):
        period_start = add_months(start, offset)
        numerator: Decimal | None = None
        denominator: Decimal | None = None
        if isinstance(item, tuple):
            numerator, denominator = Decimal(str(item[0])), Decimal(str(item[1]))
            value = (numerator / denominator * metric.multiplier).quantize(Decimal("0.000001"))
        else:
            value = Decimal(str(item))
        rows.append(
            Measurement(
                metric=metric,
                facility=facility,
                period_start=period_start,
                period_end=month_end(period_start),
                value=value,
                numerator=numerator,
                denominator=denominator,
            )
        )
    return Measurement.objects.bulk_create(rows)


def facility_tree() -> dict[str, Facility]:
    """A system "rh" with hospitals "rh-north" and "rh-south", and unit "rh-north-icu" under
    the north hospital. Keys: system, north, south, icu."""
    system = FacilityFactory.create(code="rh", name="Riverside Health", kind=FacilityKind.SYSTEM)
    north = FacilityFactory.create(
        code="rh-north", name="North Hospital", kind=FacilityKind.HOSPITAL, parent=system
    )
    south = FacilityFactory.create(
        code="rh-south", name="South Hospital", kind=FacilityKind.HOSPITAL, parent=system
    )
    icu = FacilityFactory.create(
        code="rh-north-icu", name="North ICU", kind=FacilityKind.UNIT, parent=north
    )
    return {"system": system, "north": north, "south": south, "icu": icu}


def link(metric: Metric, initiative: Initiative, share: Figure = 50) -> MetricInitiative:
    """Link `initiative` to `metric` with `share` percent (directly, not through the service)."""
    result: MetricInitiative = MetricInitiativeFactory.create(
        metric=metric, initiative=initiative, share=Decimal(str(share))
    )
    return result


__all__: Sequence[str] = [
    "AnnotationFactory",
    "MeasurementFactory",
    "MetricFactory",
    "MetricInitiativeFactory",
    "TargetFactory",
    "add_months",
    "facility_tree",
    "link",
    "month_end",
    "monthly_series",
]
