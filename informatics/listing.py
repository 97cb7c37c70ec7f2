"""The plumbing every filtered, paginated list page shares (requests, initiatives, and later
metrics, reviews and reports): one FilterSet serves the page, its CSV export and the API."""

from typing import Any

from django.core.paginator import Paginator
from django.forms import NullBooleanSelect
from django.http import HttpRequest
from django_filters import FilterSet


class AnyYesNoSelect(NullBooleanSelect):
    """A yes/no filter whose empty choice reads "Any" (Django's says "Unknown")."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.choices = [("unknown", "Any"), ("true", "Yes"), ("false", "No")]


def filtered_page(request: HttpRequest, filterset: FilterSet, *, per_page: int) -> dict[str, Any]:
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
