"""Submitting a request and the submitter's edits while it is still submitted."""

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from informatics.audit import audit_created, audited_update
from informatics.models import Facility, StrategicPriority, User
from informatics.permissions import Action, require
from informatics.services.records import (
    field_errors,
    guard_changed_text,
    guard_record_text,
    guarded_fields,
    record_phi,
    refuse_unknown_fields,
)
from intake import scoring
from intake.models import IntakeRequest, RequestStatusChange
from intake.selectors import rubric_current
from intake.services._common import S, _route_fields, _safety_flag

# What the submitter may change while the request is still submitted.
EDITABLE_FIELDS = (
    "kind",
    "title",
    "story_today",
    "story_wanted",
    "workflow_area",
    "ehr_module",
    "facility",
    "specialty",
    "frequency",
    "minutes_lost",
    "is_safety_concern",
    "is_regulatory",
    "suggested_priority",
    "is_private",
)
# Kept as typed, bar the spaces around them.
TEXT_FIELDS = ("title", "story_today", "story_wanted", "workflow_area", "ehr_module", "specialty")
AUDITED_ON_CREATE = (*EDITABLE_FIELDS, "status", "route", "sla_due_at")


def _request_fields_check(fields: dict[str, Any]) -> dict[str, Any]:
    """Clean the submitter's fields (only those given) or raise field-named errors: first the
    model's own field checks (types, lengths, blanks, choices), then intake's rules."""
    errors: dict[str, str] = {}
    cleaned = dict(fields)
    for name in TEXT_FIELDS:
        if name in cleaned:
            cleaned[name] = str(cleaned[name] or "").strip()
    # The facility and the priority are foreign keys: intake's rules below check them.
    scalars = [name for name in cleaned if not IntakeRequest._meta.get_field(name).is_relation]
    candidate = IntakeRequest(**{name: cleaned[name] for name in scalars})
    field_errors(candidate, scalars, errors)
    cleaned.update({name: getattr(candidate, name) for name in scalars if name not in errors})
    facility = cleaned.get("facility")
    if facility is not None and (not isinstance(facility, Facility) or not facility.is_active):
        errors["facility"] = "Choose an active facility."
    priority = cleaned.get("suggested_priority")
    if priority is not None and (
        not isinstance(priority, StrategicPriority) or not priority.is_active
    ):
        errors["suggested_priority"] = "Choose an active strategic priority."
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def request_submit(
    *,
    actor: User,
    kind: str,
    title: str,
    story_today: str,
    story_wanted: str,
    frequency: str,
    workflow_area: str = "",
    ehr_module: str = "",
    facility: Facility | None = None,
    specialty: str = "",
    minutes_lost: int | None = None,
    is_safety_concern: bool = False,
    is_regulatory: bool = False,
    suggested_priority: StrategicPriority | None = None,
    is_private: bool = False,
    phi_confirmed: bool = False,
    submission_key: uuid.UUID | None = None,
) -> IntakeRequest:
    """Record a pain point or request. A gated one (safety, regulatory, vendor-mandated) is
    routed at once, so its SLA clock starts now; the others wait for triage to route them.

    `submission_key` is the one-time key of the form: the same form posted again (twice at
    once, or resent) returns the request it made the first time and makes no other."""
    require(actor, Action.REQUEST_SUBMIT)
    if submission_key is not None:
        earlier = _submitted_with(actor, submission_key)
        if earlier is not None:
            return earlier
    fields = _request_fields_check(
        {
            "kind": kind,
            "title": title,
            "story_today": story_today,
            "story_wanted": story_wanted,
            "frequency": frequency,
            "workflow_area": workflow_area,
            "ehr_module": ehr_module,
            "facility": facility,
            "specialty": specialty,
            "minutes_lost": minutes_lost,
            "is_safety_concern": is_safety_concern,
            "is_regulatory": is_regulatory,
            "suggested_priority": suggested_priority,
            "is_private": is_private,
        }
    )
    _safety_flag(fields["kind"], fields)
    findings = guard_record_text(IntakeRequest, fields, confirmed=phi_confirmed)
    now = timezone.now()
    route = scoring.gate_route(
        gates=rubric_current().gates,
        kind=fields["kind"],
        is_safety_concern=fields["is_safety_concern"],
        is_regulatory=fields["is_regulatory"],
    )
    try:
        with transaction.atomic():
            request = IntakeRequest.objects.create(
                **fields,
                **_route_fields(route, now),
                submitted_by=actor,
                submission_key=submission_key,
                status=S.SUBMITTED,
                status_changed_at=now,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:
        # The same form, posted at the same moment, committed first (its key is unique).
        earlier = _submitted_with(actor, submission_key) if submission_key else None
        if earlier is None:
            raise
        return earlier
    audit_created(instance=request, actor=actor, fields=AUDITED_ON_CREATE)
    RequestStatusChange.objects.create(
        request=request, from_status="", to_status=S.SUBMITTED, actor=actor, at=now
    )
    record_phi(instance=request, findings=findings, actor=actor)
    return request


def _submitted_with(actor: User, submission_key: uuid.UUID) -> IntakeRequest | None:
    """The request `actor` already submitted with the form whose key is `submission_key`."""
    return IntakeRequest.objects.filter(submitted_by=actor, submission_key=submission_key).first()


@transaction.atomic
def request_update(
    *,
    actor: User,
    request: IntakeRequest,
    version: int,
    phi_confirmed: bool = False,
    **changes: Any,
) -> IntakeRequest:
    """The submitter (a champion or an executive) edits their own request while it is
    submitted; refused with StaleEdit if it changed since `version`."""
    require(actor, Action.REQUEST_EDIT, request)
    refuse_unknown_fields(changes, EDITABLE_FIELDS)
    cleaned = _request_fields_check(changes)
    _safety_flag(cleaned.get("kind", request.kind), cleaned)
    findings = guard_changed_text(
        request, cleaned, guarded_fields(IntakeRequest), confirmed=phi_confirmed
    )
    route = scoring.gate_route(
        gates=rubric_current().gates,
        kind=cleaned.get("kind", request.kind),
        is_safety_concern=cleaned.get("is_safety_concern", request.is_safety_concern),
        is_regulatory=cleaned.get("is_regulatory", request.is_regulatory),
    )
    if (route or "") != request.route:
        # Before triage only the gates route a request, so the route follows them.
        cleaned.update(_route_fields(route, timezone.now()))
    audited_update(request, actor=actor, changes=cleaned, expected_version=version)
    record_phi(instance=request, findings=findings, actor=actor)
    return request
