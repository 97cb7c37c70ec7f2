"""The filter of the initiative list, one class shared by the HTML page, the CSV export and the
API."""

import django_filters
from django.db.models import QuerySet

from informatics.listing import AnyYesNoSelect, facilities_filter, priority_filter, search_words
from initiatives.choices import OPEN_STAGES, Health, InitiativeType, Stage
from initiatives.health import with_health
from initiatives.models import Initiative

HEALTH_CHOICES = [*Health.choices, ("none", "No status update yet")]
STATE_CHOICES = [("open", "Under way"), ("ended", "Ended (closed, stopped)")]


def _with_health(queryset: QuerySet) -> QuerySet:
    """The health and stale filters read `initiative_list`'s annotations; a queryset that
    lacks them gets them here."""
    if "latest_health" in queryset.query.annotations:
        return queryset
    return with_health(queryset)


class InitiativeFilter(django_filters.FilterSet):
    """Initiatives: by stage (or under way / ended), type, aligned priority, facility, health
    of the latest update ("none": no update yet), stale flag, and words of the title, summary
    or problem statement ("#7" finds initiative 7). Shared by the list page, its CSV export
    and the API; best on `initiative_list()` (which carries the health annotations)."""

    q = django_filters.CharFilter(method="search", label="Search")
    stage = django_filters.ChoiceFilter(
        choices=Stage.choices, empty_label="Any stage", label="Stage"
    )
    state = django_filters.ChoiceFilter(
        choices=STATE_CHOICES, method="under_way", empty_label="Any", label="Under way"
    )
    type = django_filters.ChoiceFilter(
        choices=InitiativeType.choices, empty_label="Any type", label="Type"
    )
    priority = priority_filter()
    facility = facilities_filter()
    health = django_filters.ChoiceFilter(
        choices=HEALTH_CHOICES, method="by_health", empty_label="Any health", label="Health"
    )
    stale = django_filters.BooleanFilter(method="by_stale", label="Stale", widget=AnyYesNoSelect)

    class Meta:
        model = Initiative
        fields = ["q", "stage", "state", "type", "priority", "facility", "health", "stale"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search_words(
            queryset, value, ("title", "summary", "problem_statement"), by_number=True
        )

    def under_way(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "open":
            return queryset.filter(stage__in=OPEN_STAGES | {Stage.SUSTAINING})
        if value == "ended":
            return queryset.filter(stage__in=(Stage.CLOSED, Stage.STOPPED))
        return queryset

    def by_health(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        queryset = _with_health(queryset)
        if value == "none":
            return queryset.filter(latest_health__isnull=True)
        return queryset.filter(latest_health=value)

    def by_stale(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return _with_health(queryset).filter(is_stale=value)
