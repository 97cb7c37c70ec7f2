"""Moving an initiative through the one stage table; the forecast lock at approval."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from informatics.audit import audited_update
from informatics.exceptions import Conflict
from informatics.models import User
from informatics.permissions import Action, ActionDenied, can
from informatics.phi import phi_guard
from informatics.services.records import (
    copy_back,
    field_errors,
    lock,
    next_steps_text,
    record_phi,
)
from initiatives.choices import (
    GATE_STAGES,
    REASON_REQUIRED,
    STAGE_TRANSITIONS,
    Stage,
)
from initiatives.models import (
    BenefitLine,
    Initiative,
    StageChange,
)
from initiatives.services._common import (
    ADVANCE_CALLERS,
    BENEFIT_LOCKED,
    G,
    _is_date,
    _stage_label,
    _text,
    _version_check,
)
from initiatives.services.links import (
    _follow,
)
from intake.models import IntakeRequest

# Why a gate move (GATE_STAGES) that does not come from a governance decision is refused.
GATE_MOVE_REFUSALS: dict[str, str] = {
    G.APPROVED: "Approval is a governance decision: record it on the decision form.",
    G.DEFERRED: "Deferral is a governance decision: record it on the decision form.",
    G.STOPPED: "Stopping is a governance decision: record it on the decision form.",
}


def stage_move_action(to_stage: object) -> Action:
    """What a move to `to_stage` needs (DESIGN.md's table): the gate for approve, defer and
    stop, the edit for any other move. A value that is not a stage (even one that is not a
    string) is no gate; the move is then refused for naming no stage, by the form, the API's
    serializer or `initiative_advance`. The API asks this before it loads the initiative. A
    gate move is taken only by a governance decision (`initiative_advance(...,
    via="governance")`), whose recorder the decision service authorises."""
    is_gate = isinstance(to_stage, str) and to_stage in GATE_STAGES
    return Action.INITIATIVE_GATE if is_gate else Action.INITIATIVE_EDIT


def initiative_may_move(*, user: Any, initiative: Initiative, to_stage: object) -> bool:
    """Whether `user`'s roles let them move `initiative` to `to_stage`: a gate stage needs the
    gate, any other move the edit of this initiative. The page (which next stages to offer,
    and the move posted) and `initiative_advance` ask here; whether the stage table allows
    the move is `initiative_advance`'s check. Holding the gate does not make a gate move a
    plain one: both the page and `initiative_advance` then refuse it as a decision, taken
    only through governance."""
    action = stage_move_action(to_stage)
    # The gate's record is the deciding body, never the initiative: none here (a governance
    # decision passes `via` to `initiative_advance` instead).
    return can(user, action, initiative if action is Action.INITIATIVE_EDIT else None)


def _advance_check(
    *,
    initiative: Initiative,
    to_stage: str,
    reason: str,
    revisit_date: datetime.date | None,
    go_live_date: datetime.date | None,
) -> None:
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": f"{to_stage!r} is not a stage."})
    from_stage = initiative.stage
    allowed = STAGE_TRANSITIONS.get(from_stage, ())
    from_label, to_label = _stage_label(from_stage), _stage_label(to_stage)
    if to_stage not in allowed:
        steps = next_steps_text(from_label, [_stage_label(step) for step in allowed], "stages")
        raise Conflict(
            {"to_stage": f"Cannot move an initiative from {from_label} to {to_label}: {steps}"}
        )
    errors: dict[str, str] = {}
    if to_stage in REASON_REQUIRED and not reason:
        errors["reason"] = f"Say why the initiative is {to_label.lower()}."
    field_errors(StageChange(reason=reason), ("reason",), errors)
    if to_stage == G.DEFERRED:
        if not _is_date(revisit_date):
            errors["revisit_date"] = "Give the date to revisit it."
        elif revisit_date is not None and revisit_date <= timezone.localdate():
            errors["revisit_date"] = "Give a revisit date after today."
    elif revisit_date is not None:
        errors["revisit_date"] = "Only a deferral takes a revisit date."
    if to_stage == G.LIVE:
        if go_live_date is not None and not _is_date(go_live_date):
            errors["go_live_date"] = "Give the go-live date."
    elif go_live_date is not None:
        errors["go_live_date"] = "Only a move to Live records a go-live date."
    if errors:
        raise ValidationError(errors)


def _forecastlock(*, actor: User | None, initiative: Initiative, at: datetime.datetime) -> None:
    """Copy every unlocked benefit line's baseline, target and horizon into its locked values."""
    for benefit in BenefitLine.objects.select_for_update().filter(
        initiative=initiative, locked_at__isnull=True
    ):
        audited_update(
            benefit,
            actor=actor,
            changes={
                **{locked: getattr(benefit, name) for name, locked in BENEFIT_LOCKED.items()},
                "locked_at": at,
            },
            note="forecast locked at approval",
        )


@transaction.atomic
def initiative_advance(
    *,
    actor: User,
    initiative: Initiative,
    version: int,
    to_stage: str,
    reason: str = "",
    revisit_date: datetime.date | None = None,
    go_live_date: datetime.date | None = None,
    via: str | None = None,
    phi_confirmed: bool = False,
) -> Initiative:
    """Move the initiative along the stage table (STAGE_TRANSITIONS).

    - Approve, defer and stop are gates, taken only by a governance decision: the decision service
      (governance) authorises its recorder and passes `via="governance"`. Without it, a gate
      move is refused: for those without the gate (`initiative_may_move`) as a denied action,
      for the CMO, who holds it, with an error on `to_stage` pointing to the decision form.
      The other moves are for those who may edit the initiative.
    - Deferred, stopped and on hold need a reason (kept as `stage_reason`); deferred also a
      revisit date after today (cleared when it leaves deferred). Live records the go-live
      date (today unless given), which the metrics app reads.
    - The first approval locks the benefit forecast (`locked_*` of every line and the
      initiative's `forecast_locked_at`); a later approval (after a hold) keeps that lock.
    - The move is audited with the fields that changed, written to the stage timeline with
      who and why, and the linked requests follow (REQUEST_FOLLOWS) where their table allows.
    """
    if via is not None and via not in ADVANCE_CALLERS:
        raise ValidationError({"via": f"{via!r} is not a caller that moves initiatives."})
    locked = lock(initiative)
    if via is None and not initiative_may_move(user=actor, initiative=locked, to_stage=to_stage):
        raise ActionDenied(stage_move_action(to_stage))
    if via is None and isinstance(to_stage, str) and to_stage in GATE_STAGES:
        raise ValidationError({"to_stage": GATE_MOVE_REFUSALS[to_stage]})
    _version_check(locked, version)
    reason = _text(reason)
    _advance_check(
        initiative=locked,
        to_stage=to_stage,
        reason=reason,
        revisit_date=revisit_date,
        go_live_date=go_live_date,
    )
    findings = phi_guard(fields={"reason": reason}, confirmed=phi_confirmed)
    now = timezone.now()
    from_stage = locked.stage
    changes: dict[str, Any] = {"stage": to_stage, "stage_changed_at": now}
    if to_stage in REASON_REQUIRED:
        changes["stage_reason"] = reason
    if to_stage == G.DEFERRED:
        changes["revisit_date"] = revisit_date
    elif locked.revisit_date is not None:
        changes["revisit_date"] = None
    if to_stage == G.LIVE:
        changes["go_live_date"] = go_live_date or timezone.localdate()
    if to_stage == G.APPROVED and locked.forecast_locked_at is None:
        changes["forecast_locked_at"] = now
        _forecastlock(actor=actor, initiative=locked, at=now)
    audited_update(
        locked,
        actor=actor,
        changes=changes,
        expected_version=version,
        note=f"{_stage_label(from_stage)} → {_stage_label(to_stage)}",
    )
    change = StageChange.objects.create(
        initiative=locked,
        from_stage=from_stage,
        to_stage=to_stage,
        actor=actor,
        reason=reason,
        at=now,
    )
    record_phi(instance=change, findings=findings, actor=actor)
    for request in (
        IntakeRequest.objects.filter(initiative_link__initiative=locked)
        .select_related("submitted_by")
        .order_by("pk")
    ):
        _follow(actor=actor, initiative=locked, request=request, stage=to_stage)
    copy_back(initiative, locked)
    return initiative
