"""Errors that services raise and every interface maps the same way."""

from typing import Any

from django.core.exceptions import ValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

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


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus the kernel's errors: StaleEdit → 409, PhiFlagged → 400 naming the
    fields and what was seen, a service's ValidationError → 400 with the fields it names
    (`non_field_errors` when it names none)."""
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
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
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
