"""The API's page numbers (REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"])."""

from typing import Any

from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request


class NumberedPages(PageNumberPagination):
    """A list's pages of PAGE_SIZE rows. `page` is a whole number from 1: anything else (empty,
    0, negative, not a number) is a 400 naming it; a page past the last is a 404."""

    def get_page_number(self, request: Request, paginator: Any) -> int:
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise exceptions.ValidationError(
                {self.page_query_param: ["Give a page number: a whole number from 1."]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters
