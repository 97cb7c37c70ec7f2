"""Keyset pagination for the measurement list, which grows to millions of rows.

Page numbers cost an OFFSET over every row before the page and a COUNT(*) over the whole
filtered set on each page: page 11,813 of 1.18M measurements took 60 times the first. A cursor
instead carries the last id read, so a deep page is `id > last ORDER BY id LIMIT 50`, read from
the primary key like the first. `count` stays for clients that show a total: it is exact when
computed and cached per filter for COUNT_SECONDS, so following `next` does not count again.
"""

import hashlib
from collections.abc import Sequence
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

# How long a filtered total is reused: a figure entered or imported meanwhile shows in the
# rows at once and in `count` within this time.
COUNT_SECONDS = 60


def cached_count(queryset: QuerySet[Any]) -> int:
    """The number of rows of `queryset`, counted once per COUNT_SECONDS for the same SQL."""
    key = "measurement-count:" + hashlib.sha256(str(queryset.query).encode()).hexdigest()
    total = cache.get(key)
    if total is None:
        total = queryset.count()
        cache.set(key, total, COUNT_SECONDS)
    return int(total)


class MeasurementCursorPagination(CursorPagination):
    """50 measurements a page in id order (unique and never changing, as a cursor needs),
    with `next` / `previous` links carrying an opaque `cursor` and a cached `count`."""

    page_size = 50
    ordering = ("id",)

    def paginate_queryset(
        self,
        queryset: QuerySet[Any, Any] | Sequence[Any],
        request: Request,
        view: APIView | None = None,
    ) -> list[Any] | None:
        assert isinstance(queryset, QuerySet)  # the measurement list is always a queryset
        self.count = cached_count(queryset)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "count": self.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"] = {
            "count": {
                "type": "integer",
                "example": 123,
                "description": f"Rows matching the filters; counted at most every "
                f"{COUNT_SECONDS} seconds.",
            },
            **paginated["properties"],
        }
        paginated["required"] = ["count", "results"]
        return paginated
