"""Every API list refuses query parameters it does not know (400 naming them) instead of
ignoring them and answering every row (informatics.api_schema documents that 400), and reads
the values of those it knows as the schema says: a yes/no filter takes `true` or `false`, a
filter by a date, a number or an id takes one (an empty value is a 400, where the pages' forms
read both as no filter), and an id or a code that names no record is a 404.

The known parameters are those the schema documents: the list's filters, its paginator's and
any other filter backend's, and `format`.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
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


BOOLEAN_VALUES = ("true", "false")


def _value_error(field: forms.Field, value: str) -> str | None:
    """What is wrong with `value` for `field` as the schema reads it, before the form does."""
    if isinstance(field, forms.NullBooleanField):
        return None if value in BOOLEAN_VALUES else "Give true or false."
    text = isinstance(field, forms.CharField) or (
        isinstance(field, forms.ModelChoiceField) and field.to_field_name
    )
    if value == "" and not text:
        return "Give a value, or leave the parameter out."
    return None


def _names_no_record(field: forms.Field, value: str) -> bool:
    """Whether `value`, refused by `field`, is well formed and only names no record."""
    if not isinstance(field, forms.ModelChoiceField) or field.queryset is None:
        return False
    meta = field.queryset.model._meta
    key = meta.get_field(field.to_field_name) if field.to_field_name else meta.pk
    try:
        key.to_python(value)
    except ValidationError:
        return False
    return True


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend, answering 400 on a list read with a query parameter that the
    list does not take (e.g. `?metric_code=Q6` where the filter is `metric`) or with a value
    its filter cannot read, and 404 when the filters are well formed but name a record that
    does not exist (e.g. `?priority=999`)."""

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
        if filterset is None:
            return queryset
        fields = filterset.form.fields
        malformed = {
            name: [problem]
            for name, field in fields.items()
            if name in request.query_params
            and (problem := _value_error(field, request.query_params[name])) is not None
        }
        if malformed:
            raise exceptions.ValidationError(malformed)
        if not filterset.is_valid():
            errors = filterset.errors
            missing = {
                name: [f"No record has the {fields[name].to_field_name or 'id'} {value!r}."]
                for name in errors
                if name in fields
                and (value := request.query_params.get(name)) is not None
                and _names_no_record(fields[name], value)
            }
            if missing.keys() == errors.keys():
                raise exceptions.NotFound(missing)
            raise translate_validation(errors)
        return filterset.qs
