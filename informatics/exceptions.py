"""Errors that services raise and every interface maps the same way."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response

from informatics.phi import PhiFlagged


class StaleEdit(Exception):
    """The record changed since the editor loaded it; nothing was saved (HTTP 409)."""

    def __init__(self, *, current: Any, expected_version: int):
        self.current = current
        self.expected_version = expected_version
        super().__init__(
            f"{current} was changed by someone else (version {current.version}, "
            f"you edited version {expected_version}). Reload and apply your change again."
        )


class Conflict(ValidationError):
    """A well-formed request that the record's current state refuses: a move its status or
    stage does not allow, a code already taken, a vote already given. Forms show it like any
    ValidationError, naming the field; the API answers 409 (the request may succeed once the
    record has changed), where a malformed request is a 400."""


def refuse(errors: Mapping[str, Any], conflicts: Mapping[str, Any]) -> None:
    """Raise what is wrong, if anything: the request's own `errors` (a ValidationError, which
    names the `conflicts` too), else its `conflicts` with the records' current state (a
    Conflict: a code taken, a vote already given)."""
    if errors:
        raise ValidationError({**conflicts, **errors})
    if conflicts:
        raise Conflict(dict(conflicts))


# The code of DRF's relation fields (and of the API's own look-ups) for an id or a code that
# names no record.
DOES_NOT_EXIST = "does_not_exist"


def _codes(codes: Any) -> list[str]:
    """Every code of a DRF ValidationError's nested codes (by field, by item)."""
    if isinstance(codes, dict):
        return [code for value in codes.values() for code in _codes(value)]
    if isinstance(codes, list):
        return [code for value in codes for code in _codes(value)]
    return [str(codes)]


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus the kernel's errors: StaleEdit and Conflict → 409, PhiFlagged → 400
    naming the fields and what was seen, any other ValidationError of a service → 400 with the
    fields it names (`non_field_errors` when it names none), and input that is well formed but
    names only records that do not exist → 404 naming those fields."""
    if isinstance(exc, StaleEdit):
        return Response(
            {"detail": str(exc), "current_version": exc.current.version},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, PhiFlagged):
        return Response(phi_flagged_body(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ValidationError):
        body = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        conflict = isinstance(exc, Conflict)
        code = status.HTTP_409_CONFLICT if conflict else status.HTTP_400_BAD_REQUEST
        return Response(body, status=code)
    if (
        isinstance(exc, exceptions.ValidationError)
        and isinstance(exc.detail, dict)
        and set(_codes(exc.get_codes())) == {DOES_NOT_EXIST}
    ):
        return Response(exc.detail, status=status.HTTP_404_NOT_FOUND)
    # DRF's views module reads the authentication classes, which import the services that
    # import this module: it is imported when the first error is handled.
    from rest_framework.views import exception_handler

    return exception_handler(exc, context)


PHI_RESEND = (
    "Edit the flagged text out, or, if it is not patient information, send the same request "
    'again with "phi_confirmed": true (the confirmation is recorded).'
)


def phi_flagged_body(exc: PhiFlagged) -> dict[str, Any]:
    """Every API's answer to text that looks like patient information: each field named with
    its message, `phi_flagged` listing the kinds seen there, and how to confirm."""
    body: dict[str, Any] = dict(exc.message_dict)
    body["phi_flagged"] = {
        field: list(dict.fromkeys(str(finding.kind) for finding in findings))
        for field, findings in exc.findings.items()
    }
    body["phi_confirmed"] = [PHI_RESEND]
    return body
