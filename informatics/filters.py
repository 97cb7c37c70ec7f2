"""Filters of the kernel's lists, one class per list, shared by the HTML pages and the API."""

import django_filters
from django.db.models import QuerySet

from informatics.choices import FacilityKind, Role, ValueCategory
from informatics.listing import facilities_filter, search_words
from informatics.models import Facility, StrategicPriority, User

ACTIVE_CHOICES = [("true", "Active"), ("false", "Deactivated")]


def _active(queryset: QuerySet, name: str, value: str) -> QuerySet:
    return queryset.filter(is_active=value == "true") if value else queryset


class PriorityFilter(django_filters.FilterSet):
    """Strategic priorities: by value category, active flag, or words of the code or title."""

    q = django_filters.CharFilter(method="search", label="Search")
    value_category = django_filters.ChoiceFilter(
        choices=ValueCategory.choices, empty_label="Any category"
    )
    is_active = django_filters.ChoiceFilter(
        choices=[("true", "Active"), ("false", "Retired")],
        method=_active,
        empty_label="Active and retired",
        label="Status",
    )

    class Meta:
        model = StrategicPriority
        fields = ["q", "value_category", "is_active"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search_words(queryset, value, ("title", "code"))


class UserFilter(django_filters.FilterSet):
    """People: by role, facility, active flag, or words of the name or e-mail address."""

    q = django_filters.CharFilter(method="search", label="Search")
    role = django_filters.ChoiceFilter(
        field_name="groups__name", choices=Role.choices, empty_label="Any role", distinct=True
    )
    facility = facilities_filter()
    is_active = django_filters.ChoiceFilter(
        choices=ACTIVE_CHOICES, method=_active, empty_label="Active and deactivated", label="Status"
    )

    class Meta:
        model = User
        fields = ["q", "role", "facility", "is_active"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search_words(queryset, value, ("full_name", "email"))


class FacilityFilter(django_filters.FilterSet):
    """Facilities: by kind, parent or active flag."""

    kind = django_filters.ChoiceFilter(choices=FacilityKind.choices, empty_label="Any kind")
    parent = django_filters.ModelChoiceFilter(queryset=Facility.objects.order_by("name"))
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Facility
        fields = ["kind", "parent", "is_active"]
