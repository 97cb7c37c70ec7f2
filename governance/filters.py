"""The filter of the decision log, one class shared by the HTML page and the API."""

import django_filters
from django.db.models import QuerySet

from governance.choices import Outcome
from governance.models import Decision, GovernanceBody
from informatics.listing import search_words

SUBJECT_CHOICES = [("request", "Request"), ("initiative", "Initiative"), ("priority", "Priority")]
SUBJECT_FIELD = {"request": "request", "initiative": "initiative", "priority": "priority"}


class DecisionFilter(django_filters.FilterSet):
    """Decisions: by body, outcome and kind of subject, and words of the subject's title, the
    rationale or the body's name ("#7" finds decision 7)."""

    q = django_filters.CharFilter(method="search", label="Search")
    body = django_filters.ModelChoiceFilter(
        queryset=GovernanceBody.objects.order_by("name"), empty_label="Any body", label="Body"
    )
    outcome = django_filters.ChoiceFilter(
        choices=Outcome.choices, empty_label="Any outcome", label="Outcome"
    )
    subject = django_filters.ChoiceFilter(
        choices=SUBJECT_CHOICES, method="by_subject", empty_label="Any subject", label="Subject"
    )

    class Meta:
        model = Decision
        fields = ["q", "body", "outcome", "subject"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        fields = ("request__title", "initiative__title", "priority__title", "rationale")
        return search_words(queryset, value, (*fields, "body__name"), by_number=True)

    def by_subject(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(**{f"{SUBJECT_FIELD[value]}__isnull": False})
