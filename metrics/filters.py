"""Filters of the metric catalogue and of measurements, each one class shared by the HTML
pages and the API."""

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, QuerySet

from informatics.choices import ValueCategory
from informatics.listing import AnyYesNoSelect, priority_filter, search_words
from informatics.models import Facility
from metrics.choices import Aim, ChartType, Direction, MetricFrequency, Variation
from metrics.models import Measurement, Metric, RollupSeries


class MetricFilter(django_filters.FilterSet):
    """The catalogue: by value category, aim, better direction, chart type, frequency,
    strategic priority, active flag, the system-level series' latest variation, "mine"
    (metrics I own) and words of the code, name or definition."""

    q = django_filters.CharFilter(method="search", label="Search")
    value_category = django_filters.ChoiceFilter(
        choices=ValueCategory.choices, empty_label="Any value category"
    )
    aim = django_filters.ChoiceFilter(choices=Aim.choices, empty_label="Any aim")
    direction = django_filters.ChoiceFilter(choices=Direction.choices, empty_label="Any direction")
    chart_type = django_filters.ChoiceFilter(choices=ChartType.choices, empty_label="Any chart")
    frequency = django_filters.ChoiceFilter(
        choices=MetricFrequency.choices, empty_label="Any frequency"
    )
    priority = priority_filter()
    variation = django_filters.ChoiceFilter(
        choices=Variation.choices,
        method="by_variation",
        empty_label="Any variation",
        label="Latest variation (system)",
    )
    is_active = django_filters.BooleanFilter(label="Active", widget=AnyYesNoSelect)
    mine = django_filters.BooleanFilter(
        method="by_mine", label="Metrics I own", widget=AnyYesNoSelect
    )

    class Meta:
        model = Metric
        fields = [
            "q",
            "value_category",
            "aim",
            "direction",
            "chart_type",
            "frequency",
            "priority",
            "variation",
            "is_active",
            "mine",
        ]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user if user is not None else getattr(self.request, "user", None)

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search_words(queryset, value, ("code", "name", "definition"))

    def by_variation(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        system = RollupSeries.objects.filter(
            metric=OuterRef("pk"), facility__parent__isnull=True, variation=value
        )
        return queryset.filter(Exists(system))

    def by_mine(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        pk = getattr(self.user, "pk", None)
        return queryset.filter(owner_id=pk) if value else queryset.exclude(owner_id=pk)


class MeasurementFilter(django_filters.FilterSet):
    """Measurements: by metric code, facility code and the period's start (from, to — both
    inclusive)."""

    metric = django_filters.ModelChoiceFilter(
        queryset=Metric.objects.order_by("code"), to_field_name="code", empty_label="Any metric"
    )
    facility = django_filters.ModelChoiceFilter(
        queryset=Facility.objects.order_by("name"),
        to_field_name="code",
        empty_label="Any facility",
    )
    period_from = django_filters.DateFilter(
        field_name="period_start", lookup_expr="gte", label="Periods starting from"
    )
    period_to = django_filters.DateFilter(
        field_name="period_start", lookup_expr="lte", label="Periods starting up to"
    )

    class Meta:
        model = Measurement
        fields = ["metric", "facility", "period_from", "period_to"]
