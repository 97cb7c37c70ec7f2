"""Helpers shared by the catalogue services: text as stored, the model's own field checks, the
facility check, the lock on a metric's row, PHI records."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from informatics.models import Facility


def _text(value: Any) -> str:
    return str(value or "").strip()


def _field_errors(instance: models.Model, names: Iterable[str], errors: dict[str, str]) -> None:
    """The model's own checks of the fields `names` of `instance` — type, length, blank,
    choices and validators, as the model declares them — with each value converted as it will
    be stored ("12.5" → Decimal, "2026-03-01" → date). The first message of each failing field
    goes into `errors`, unless the field already has one there (a domain message checked
    first wins). Give only non-relational fields: a foreign key would be looked up."""
    wanted = set(names)
    others = [field.name for field in instance._meta.concrete_fields if field.name not in wanted]
    try:
        instance.clean_fields(exclude=others)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, messages[0])


def _facility_check(facility: Any, errors: dict[str, str], *, required: bool = False) -> None:
    if facility is None:
        if required:
            errors["facility"] = "Choose the facility."
        return
    if not isinstance(facility, Facility) or not facility.is_active:
        errors["facility"] = "Choose an active facility (or none for the whole system)."
