"""The API schema's generator: drf-spectacular's, documenting the 400 that every list read
through StrictFilterBackend answers to a query parameter it does not take, and the 404 of a
body that names a record that does not exist. (Its own module: the filter backend is loaded
with DRF's generic views, which drf-spectacular imports.)"""

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from rest_framework import serializers

from informatics.api_filtering import StrictFilterBackend
from informatics.openapi import NO_NUL

UNKNOWN_PARAMETER_400 = {
    "description": "An unknown query parameter: the body names each one, with the parameters "
    "this list takes. Nothing was listed."
}


NAMES_NO_RECORD_404 = {
    "description": "The body is well formed but names a record that does not exist (an id or "
    "a code): the body names each such field. Nothing was changed."
}


def names_records(field: Any) -> bool:
    """Whether a request serializer (or one of its fields, at any depth) names records by id or
    by code, which may name none."""
    if isinstance(field, serializers.RelatedField | serializers.ManyRelatedField):
        return True
    if isinstance(field, serializers.ListSerializer | serializers.ListField):
        return names_records(field.child)
    if isinstance(field, serializers.Serializer):
        return any(names_records(child) for child in field.fields.values())
    return False


class ListSchema(AutoSchema):
    """drf-spectacular's schema, adding the 400 of an unknown parameter to every list read
    through StrictFilterBackend, the bounds of a filter's number (django-filter refuses one
    past 1e50), and the 404 of a record named in the body to every operation whose body can
    name one."""

    def _get_filter_parameters(self) -> Any:
        parameters = super()._get_filter_parameters()
        filterset_class = getattr(self.view, "filterset_class", None)
        filters = getattr(filterset_class, "base_filters", {})
        for parameter in parameters:
            found = filters.get(parameter["name"])
            schema = parameter.get("schema", {})
            text = found is not None and isinstance(found.field, forms.CharField)
            if text and schema.get("type") == "string" and "pattern" not in schema:
                schema["pattern"] = NO_NUL  # Django's text fields refuse a NUL character
            if found is None or schema.get("type") != "number":
                continue
            for validator in found.field.validators:
                if isinstance(validator, MaxValueValidator):
                    parameter["schema"]["maximum"] = validator.limit_value
                elif isinstance(validator, MinValueValidator):
                    parameter["schema"]["minimum"] = validator.limit_value
        return parameters

    def _get_response_bodies(self, direction: Any = "response") -> Any:
        responses = super()._get_response_bodies(direction)
        strict = any(issubclass(b, StrictFilterBackend) for b in self.get_filter_backends())
        if self.method == "GET" and strict and self._is_list_view() and "400" not in responses:
            responses["400"] = UNKNOWN_PARAMETER_400
        if self.method != "GET" and "404" not in responses:
            request = force_instance(self.get_request_serializer())
            if isinstance(request, serializers.Serializer) and names_records(request):
                responses["404"] = NAMES_NO_RECORD_404
        return responses
