"""The benefit plan of an initiative; targets are locked at approval."""

import datetime
import decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from informatics.audit import audit_record, field_values
from informatics.choices import AuditAction
from informatics.models import User
from informatics.permissions import Action, require
from informatics.services.records import (
    guard_record_text,
    guarded_update,
    record_phi,
    refuse_unknown_fields,
)
from initiatives.models import (
    BenefitLine,
    Initiative,
)
from initiatives.services._common import (
    BENEFIT_FIELDS,
    BENEFIT_LOCKED,
    _benefit_check,
)

# --- Benefit plan ---------------------------------------------------------------------------


@transaction.atomic
def benefit_add(
    *,
    actor: User,
    initiative: Initiative,
    value_category: str,
    description: str,
    unit: str,
    baseline: decimal.Decimal,
    target: decimal.Decimal,
    horizon: datetime.date,
    phi_confirmed: bool = False,
) -> BenefitLine:
    """Add a line to the benefit plan (those who may edit the initiative). Once the forecast
    is locked (the initiative was approved), a new line is locked as it is added: its forecast
    is what was promised when it joined the plan, and later edits show as variance too."""
    require(actor, Action.INITIATIVE_EDIT, initiative)
    cleaned = _benefit_check(
        {
            "value_category": value_category,
            "description": description,
            "unit": unit,
            "baseline": baseline,
            "target": target,
            "horizon": horizon,
        }
    )
    findings = guard_record_text(BenefitLine, cleaned, confirmed=phi_confirmed)
    locked_at = Initiative.objects.values_list("forecast_locked_at", flat=True).get(
        pk=initiative.pk
    )
    now = timezone.now()
    lock: dict[str, Any] = {}
    if locked_at is not None:
        lock = {locked: cleaned[name] for name, locked in BENEFIT_LOCKED.items()}
        lock["locked_at"] = now
    benefit = BenefitLine.objects.create(
        initiative=initiative, **cleaned, **lock, created_at=now, updated_at=now
    )
    audit_fields = (*BENEFIT_FIELDS, *(lock.keys()))
    audit_record(
        instance=benefit,
        actor=actor,
        action=AuditAction.CREATE,
        changes={
            name: [None, value] for name, value in field_values(benefit, audit_fields).items()
        },
        note="added after approval: locked as added" if lock else "",
    )
    record_phi(instance=benefit, findings=findings, actor=actor)
    return benefit


@transaction.atomic
def benefit_update(
    *, actor: User, benefit: BenefitLine, phi_confirmed: bool = False, **changes: Any
) -> BenefitLine:
    """Edit a benefit line's current values. The locked forecast never changes: after
    approval an edit shows as variance (current − locked)."""
    require(actor, Action.INITIATIVE_EDIT, benefit.initiative)
    locked_names = {*BENEFIT_LOCKED.values(), "locked_at"}
    if locked_names & set(changes):
        raise ValidationError(
            dict.fromkeys(
                sorted(locked_names & set(changes)),
                "The locked forecast never changes; edit the current value instead.",
            )
        )
    refuse_unknown_fields(changes, BENEFIT_FIELDS)
    return guarded_update(
        benefit, actor=actor, cleaned=_benefit_check(changes), confirmed=phi_confirmed
    )
