"""Every API list refuses query parameters it does not know (400 naming them) instead of
ignoring them and answering every row (informatics.api_schema documents that 400).

The known parameters are those the schema documents: the list's filters, its paginator's and
any other filter backend's, and `format`.
"""

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.views import APIView


def _documented(component: Any, view: APIView) -> list[str]:
    return [parameter["name"] for parameter in component.get_schema_operation_parameters(view)]


def list_parameters(request: Request, view: APIView, filterset: Any) -> list[str]:
    """The query parameters a list takes: its filters (each part of a filter whose widget has
    several), the other filter backends' and the paginator's parameters, and `format`."""
    known: list[str] = []
    if filterset is not None:
        for name, field in filterset.form.fields.items():
            suffixes = getattr(field.widget, "widgets_names", None) or [""]
            known.extend(f"{name}{suffix}" for suffix in suffixes)
    for backend in getattr(view, "filter_backends", ()):
        if not issubclass(backend, DjangoFilterBackend):
            known.extend(_documented(backend(), view))
    paginator = getattr(view, "paginator", None)
    if paginator is not None:
        known.extend(_documented(paginator, view))
    if api_settings.URL_FORMAT_OVERRIDE:
        known.append(api_settings.URL_FORMAT_OVERRIDE)
    return known


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend, answering 400 on a list read with a query parameter that the
    list does not take (e.g. `?metric_code=Q6` where the filter is `metric`)."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: APIView) -> QuerySet:
        filterset = self.get_filterset(request, queryset, view)
        if request.method in SAFE_METHODS and not getattr(view, "detail", False):
            known = list_parameters(request, view, filterset)
            unknown = sorted(set(request.query_params) - set(known))
            if unknown:
                takes = ", ".join(known)
                raise exceptions.ValidationError(
                    {name: [f"Unknown parameter. This list takes: {takes}."] for name in unknown}
                )
        return super().filter_queryset(request, queryset, view)
