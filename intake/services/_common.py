"""Helpers shared by the intake services: a limit, the request's URL, status labels, routing
and the people behind a request."""

import datetime
from typing import Any

from django.urls import reverse

from informatics.choices import DEFAULT_SLA_HOURS
from informatics.services import site_settings_get
from intake.choices import RequestKind, RequestStatus
from intake.models import IntakeRequest, RequestVote

S = RequestStatus

# The length of a +1's specialty, checked by `request_vote`.
SHORT_TEXT_MAX = 100


def request_url(request: IntakeRequest) -> str:
    return reverse("intake:request-detail", args=[request.pk])


def _status_label(status: str) -> str:
    return str(RequestStatus(status).label) if status in RequestStatus.values else status


def _route_fields(route: str | None, at: datetime.datetime) -> dict[str, Any]:
    """route, routed_at and the SLA due time of that route (SiteSettings.sla_hours)."""
    if not route:
        return {"route": "", "routed_at": None, "sla_due_at": None}
    hours = site_settings_get().sla_hours.get(route, DEFAULT_SLA_HOURS.get(route, 0))
    return {"route": route, "routed_at": at, "sla_due_at": at + datetime.timedelta(hours=hours)}


def _people(request: IntakeRequest) -> int:
    """Distinct people behind a request: the submitter plus everyone who added a +1."""
    voters = (
        RequestVote.objects.filter(request=request)
        .exclude(voter_id=request.submitted_by_id)
        .values("voter_id")
        .distinct()
        .count()
    )
    return 1 + voters


def _safety_flag(kind: str | None, fields: dict[str, Any]) -> dict[str, Any]:
    """`fields` with the safety flag set when the kind is a patient-safety issue: the kind
    "Something could harm a patient" and "This could harm a patient" always agree (the flag
    may also be set on another kind: a broken screen can harm a patient too)."""
    if kind == RequestKind.SAFETY:
        fields["is_safety_concern"] = True
    return fields
