"""The back office's read-only lists, declared as data.

Most records change only through their app's services, so the admin site shows and searches
them but never changes them (`informatics.web.ReadOnlyAdmin`). From one such model to the next
only the list differs: its columns, and what it filters, searches and orders by. So each app's
`admin.py` names those in one table, `{Model: Listing(...)}`, and `register_listings` registers
a read-only admin page per row; a model whose page does more keeps its own ModelAdmin class.
"""

import dataclasses
from collections.abc import Mapping

from django.contrib import admin
from django.db.models import Model

from informatics.web import ReadOnlyAdmin


@dataclasses.dataclass(frozen=True)
class Listing:
    """A read-only admin list: its `columns` (`list_display`), `filters` (`list_filter`),
    `search` (`search_fields`), `ordering` (else the model's own) and `dates`, the date field
    it drills down by (`date_hierarchy`)."""

    columns: tuple[str, ...]
    filters: tuple[str, ...] = ()
    search: tuple[str, ...] = ()
    ordering: tuple[str, ...] | None = None
    dates: str | None = None


def register_listings(
    listings: Mapping[type[Model], Listing], site: admin.AdminSite = admin.site
) -> None:
    """Register on `site` a ReadOnlyAdmin for each model, showing its listing."""
    for model, listing in listings.items():
        site.register(
            model,
            ReadOnlyAdmin,
            list_display=listing.columns,
            list_filter=listing.filters,
            search_fields=listing.search,
            ordering=listing.ordering,
            date_hierarchy=listing.dates,
        )
