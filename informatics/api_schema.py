"""The API schema's generator: drf-spectacular's, documenting the 400 that every list read
through StrictFilterBackend answers to a query parameter it does not take. (Its own module:
the filter backend is loaded with DRF's generic views, which drf-spectacular imports.)"""

from typing import Any

from drf_spectacular.openapi import AutoSchema

from informatics.api_filtering import StrictFilterBackend

UNKNOWN_PARAMETER_400 = {
    "description": "An unknown query parameter: the body names each one, with the parameters "
    "this list takes. Nothing was listed."
}


class ListSchema(AutoSchema):
    """drf-spectacular's schema, adding the 400 of an unknown parameter to every list read
    through StrictFilterBackend."""

    def _get_response_bodies(self, direction: Any = "response") -> Any:
        responses = super()._get_response_bodies(direction)
        strict = any(issubclass(b, StrictFilterBackend) for b in self.get_filter_backends())
        if self.method == "GET" and strict and self._is_list_view() and "400" not in responses:
            responses["400"] = UNKNOWN_PARAMETER_400
        return responses
