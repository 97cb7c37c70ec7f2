"""Status moves of requests: the one transition table, the timeline and the submitter told."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from informatics.audit import audited_update
from informatics.exceptions import Conflict
from informatics.models import User
from informatics.permissions import Action, require
from informatics.phi import PhiFinding
from informatics.services import notify
from informatics.services.records import (
    copy_back,
    field_errors,
    guard_record_text,
    lock,
    next_steps_text,
    record_phi,
)
from intake.choices import TRANSITIONS, DeclineReason, RequestStatus
from intake.models import IntakeRequest, RequestStatusChange
from intake.services._common import S, _status_label, request_url

# Callers that authorise the actor themselves before moving a request (DESIGN.md: a linked
# initiative, a governance decision).
TRANSITION_CALLERS = ("initiative", "governance")


def _move_check(from_status: str, to_status: str) -> None:
    if to_status not in RequestStatus.values:
        raise ValidationError({"to_status": f"{to_status!r} is not a request status."})
    allowed = TRANSITIONS.get(from_status, ())
    if to_status in allowed:
        return
    from_label, to_label = _status_label(from_status), _status_label(to_status)
    steps = next_steps_text(from_label, [_status_label(step) for step in allowed], "steps")
    raise Conflict({"to_status": f"Cannot move a request from {from_label} to {to_label}: {steps}"})


def _move(
    *,
    actor: User | None,
    request: IntakeRequest,
    to_status: str,
    note: str = "",
    decline_reason: str = "",
    findings: Mapping[str, list[PhiFinding]] | None = None,
    notify_submitter: bool = True,
) -> IntakeRequest:
    """The only door to a new status: table check, audited update (the version moves on),
    a timeline row, and a notification to the submitter once the transaction commits. A note
    saved past the PHI guard (`findings`) stays out of the e-mail. A service that makes
    several moves in one action passes `notify_submitter=False` and tells the submitter once,
    of the final state (`notify_status`)."""
    locked = lock(request, "submitted_by")
    from_status = locked.status
    _move_check(from_status, to_status)
    if to_status == S.SCORED and locked.current_score_id is None:
        raise Conflict({"to_status": "Score the request before moving it to Scored."})
    now = timezone.now()
    changes: dict[str, Any] = {"status": to_status, "status_changed_at": now}
    if to_status == S.DECLINED:
        if decline_reason not in DeclineReason.values:
            choices = ", ".join(str(label).lower() for label in DeclineReason.labels)
            raise ValidationError({"decline_reason": f"Give the reason for declining ({choices})."})
        changes["decline_reason"] = decline_reason
    elif locked.decline_reason:
        changes["decline_reason"] = ""
    audited_update(
        locked,
        actor=actor,
        changes=changes,
        expected_version=locked.version,
        note=f"{_status_label(from_status)} → {_status_label(to_status)}",
    )
    change = RequestStatusChange.objects.create(
        request=locked, from_status=from_status, to_status=to_status, actor=actor, note=note, at=now
    )
    copy_back(request, locked)
    if findings and actor is not None:
        record_phi(instance=change, findings=findings, actor=actor)
    if notify_submitter:
        notify_status(request=locked, from_status=from_status, note=note, quote=not findings)
    return request


def notify_status(*, request: IntakeRequest, from_status: str, note: str, quote: bool) -> None:
    to_label = _status_label(request.status)
    # Free text (title, stories, questions) stays out of the outbox: an admin's redaction
    # reaches the records and their history, not e-mails kept for sending.
    lines = [f"Request #{request.pk} moved from {_status_label(from_status)} to {to_label}."]
    if request.status == S.DECLINED and request.decline_reason:
        lines.append(f"Reason: {DeclineReason(request.decline_reason).label}.")
    if note and quote:
        lines += ["", note]
    elif note:
        lines += ["", "A note was added: read it on the request's page."]
    notify(
        recipient=request.submitted_by,
        subject=f"Your request #{request.pk} is now {to_label}",
        body="\n".join(lines),
        url=request_url(request),
    )


@transaction.atomic
def request_transition(
    *,
    actor: User,
    request: IntakeRequest,
    to_status: str,
    note: str = "",
    decline_reason: str = "",
    via: str | None = None,
    phi_confirmed: bool = False,
    notify_submitter: bool = True,
) -> IntakeRequest:
    """Move a request along the transition table (informaticists and the CMIO).

    `via="initiative"` or `"governance"`: the calling service has authorised the actor, so the
    role check is skipped — the table never is. Needs info is reached by asking a question
    (`request_ask`), Merged by merging (`request_merge`). `notify_submitter=False`: the
    caller tells the submitter itself (once, after several moves).
    """
    if via is None:
        require(actor, Action.REQUEST_TRIAGE)
    elif via not in TRANSITION_CALLERS:
        raise ValidationError({"via": f"{via!r} is not a caller that moves requests."})
    if to_status == S.NEEDS_INFO:
        raise ValidationError(
            {"to_status": "Ask the submitter a question to move a request to Needs info."}
        )
    if to_status == S.MERGED:
        raise ValidationError(
            {"to_status": "Merge the request into the surviving one to move it to Merged."}
        )
    errors: dict[str, str] = {}
    field_errors(RequestStatusChange(note=note.strip()), ("note",), errors)
    if errors:
        raise ValidationError(errors)
    findings = guard_record_text(
        RequestStatusChange, {"note": note.strip()}, confirmed=phi_confirmed
    )
    return _move(
        actor=actor,
        request=request,
        to_status=to_status,
        note=note.strip(),
        decline_reason=decline_reason,
        findings=findings,
        notify_submitter=notify_submitter,
    )


@transaction.atomic
def request_withdraw(*, actor: User, request: IntakeRequest) -> IntakeRequest:
    """The submitter takes back their own request while it is open (triage may too)."""
    if actor.pk == request.submitted_by_id:
        require(actor, Action.REQUEST_SUBMIT)
    else:
        require(actor, Action.REQUEST_TRIAGE)
    return _move(actor=actor, request=request, to_status=S.WITHDRAWN, note="Withdrawn.")
