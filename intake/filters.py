"""The filter of the request list, one class shared by the HTML page, the CSV export and the
API."""

import django_filters
from django.db.models import QuerySet
from django.utils import timezone

from informatics.choices import Route
from informatics.listing import priority_filter, search_words
from informatics.models import Facility
from intake.choices import CLOSED_STATUSES, SLA_STATUSES, RequestKind, RequestStatus
from intake.models import IntakeRequest

OPEN_CHOICES = [("open", "Open"), ("closed", "Closed")]
SLA_CHOICES = [("overdue", "Past its SLA"), ("due", "Within its SLA")]


class RequestFilter(django_filters.FilterSet):
    """Requests: by status (or open/closed), SLA (past it or within it), kind, route, facility,
    specialty, linked priority, minimum score, and words of the title or story ("#12" finds
    request 12)."""

    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(choices=RequestStatus.choices, empty_label="Any status")
    state = django_filters.ChoiceFilter(
        choices=OPEN_CHOICES, method="open_or_closed", empty_label="Open and closed", label="Open"
    )
    sla = django_filters.ChoiceFilter(
        choices=SLA_CHOICES, method="by_sla", empty_label="Any SLA", label="SLA"
    )
    kind = django_filters.ChoiceFilter(choices=RequestKind.choices, empty_label="Any kind")
    route = django_filters.ChoiceFilter(choices=Route.choices, empty_label="Any route")
    facility = django_filters.ModelChoiceFilter(
        queryset=Facility.objects.order_by("name"), empty_label="Any facility"
    )
    specialty = django_filters.CharFilter(lookup_expr="iexact", label="Specialty")
    priority = priority_filter()
    min_score = django_filters.NumberFilter(
        field_name="current_score__value", lookup_expr="gte", label="Minimum score"
    )

    class Meta:
        model = IntakeRequest
        fields = [
            "q",
            "status",
            "state",
            "sla",
            "kind",
            "route",
            "facility",
            "specialty",
            "priority",
            "min_score",
        ]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search_words(
            queryset, value, ("title", "story_today", "story_wanted"), by_number=True
        )

    def open_or_closed(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "open":
            return queryset.exclude(status__in=CLOSED_STATUSES)
        if value == "closed":
            return queryset.filter(status__in=CLOSED_STATUSES)
        return queryset

    def by_sla(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Routed requests waiting for a decision, past their SLA ("overdue") or not yet."""
        waiting = queryset.filter(status__in=SLA_STATUSES, sla_due_at__isnull=False)
        if value == "overdue":
            return waiting.filter(sla_due_at__lt=timezone.now())
        if value == "due":
            return waiting.filter(sla_due_at__gte=timezone.now())
        return queryset
