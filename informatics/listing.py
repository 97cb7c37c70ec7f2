"""The plumbing every filtered, paginated list page shares (requests, initiatives, and later
metrics, reviews and reports): one FilterSet serves the page, its CSV export and the API."""

from typing import Any

import django_filters
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Window
from django.forms import NullBooleanSelect
from django.http import HttpRequest
from django_filters import FilterSet

from informatics.models import Facility, StrategicPriority

PER_PAGE = 50  # rows on a page of a list, unless the list says otherwise


class AnyYesNoSelect(NullBooleanSelect):
    """A yes/no filter whose empty choice reads "Any" (Django's says "Unknown")."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.choices = [("unknown", "Any"), ("true", "Yes"), ("false", "No")]


def search_words(
    queryset: QuerySet, value: str, fields: tuple[str, ...], *, by_number: bool = False
) -> QuerySet:
    """The list filters' `q`: records whose `fields` contain the words (case-insensitively);
    with `by_number`, "#12" or "12" also finds the record with primary key 12."""
    value = value.strip()
    if not value:
        return queryset
    match = Q()
    for field in fields:
        match |= Q(**{f"{field}__icontains": value})
    number = value.removeprefix("#")
    if by_number and number.isdigit():
        match |= Q(pk=int(number))
    return queryset.filter(match)


def priority_filter() -> django_filters.ModelChoiceFilter:
    """A filter by linked strategic priority (active ones first, by rank)."""
    return django_filters.ModelChoiceFilter(
        field_name="priorities",
        queryset=StrategicPriority.objects.order_by("-is_active", "rank", "id"),
        empty_label="Any priority",
        distinct=True,
        label="Strategic priority",
    )


def facilities_filter() -> django_filters.ModelChoiceFilter:
    """A filter by one of the record's facilities."""
    return django_filters.ModelChoiceFilter(
        field_name="facilities",
        queryset=Facility.objects.order_by("name"),
        empty_label="Any facility",
        distinct=True,
        label="Facility",
    )


def filtered_page(
    request: HttpRequest, filterset: FilterSet, *, per_page: int = PER_PAGE
) -> dict[str, Any]:
    """Template context for a list page: `filter`, `page`, `rows` (the page's records),
    `query` (the filters as a query string, without the page number, for export and paging
    links) and `is_filtered`."""
    page = Paginator(filterset.qs, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    is_filtered = filterset.is_bound and any(
        value not in (None, "", []) for value in filterset.form.cleaned_data.values()
    )
    return {
        "filter": filterset,
        "page": page,
        "rows": list(page.object_list),
        "query": query.urlencode(),
        "is_filtered": is_filtered,
    }


def counted_page(
    request: HttpRequest, rows: QuerySet | list, *, per_page: int = PER_PAGE
) -> dict[str, Any]:
    """Template context for a paginated list that is not filtered (a queue, a list of rows
    already read): `page`, `rows` (the page's records) and `query` (the query string without
    the page number, for the paging links; see partials/pagination.html).

    A queryset's page and its total come in one query: the total is a window COUNT over the
    whole list on the page's rows, so the page costs the same as an unpaginated slice. Only a
    page number past the end costs a COUNT (and then shows the last page)."""
    query = request.GET.copy()
    query.pop("page", None)
    paginator = Paginator(rows, per_page)
    page: Page | None = None
    if isinstance(rows, QuerySet):
        try:
            number = max(int(request.GET.get("page") or 1), 1)
        except ValueError:
            number = 1
        start = (number - 1) * per_page
        found = list(rows.annotate(list_total=Window(Count("pk")))[start : start + per_page])
        if found:
            paginator.count = int(found[0].list_total)  # a cached_property, set
            page = Page(found, number, paginator)
        elif number == 1:
            paginator.count = 0
            page = Page([], 1, paginator)
    if page is None:
        page = paginator.get_page(request.GET.get("page"))
    return {"page": page, "rows": list(page.object_list), "query": query.urlencode()}
