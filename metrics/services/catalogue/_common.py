"""Helpers shared by the catalogue services: text as stored and the facility check."""

from typing import Any

from informatics.models import Facility


def _text(value: Any) -> str:
    return str(value or "").strip()


def _facility_check(facility: Any, errors: dict[str, str], *, required: bool = False) -> None:
    if facility is None:
        if required:
            errors["facility"] = "Choose the facility."
        return
    if not isinstance(facility, Facility) or not facility.is_active:
        errors["facility"] = "Choose an active facility (or none for the whole system)."
