"""Writes of a metric's targets: a value to reach by a date, for one facility or the whole
system."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from informatics.audit import (
    audit_created,
    audited_delete,
    audited_update,
)
from informatics.models import Facility, User
from informatics.permissions import Action, require
from informatics.phi import phi_guard
from informatics.services.records import field_errors, lock, record_phi
from metrics.models import Metric, Target
from metrics.services.catalogue._common import _facility_check, _text
from metrics.services.rollups import rollup_enqueue

TARGET_FIELDS = ("metric", "facility", "value", "due_date", "note")


@transaction.atomic
def target_set(
    *,
    actor: User,
    metric: Metric,
    value: Decimal | int | str,
    due_date: datetime.date,
    facility: Facility | None = None,
    note: str = "",
    phi_confirmed: bool = False,
) -> Target:
    """Set the value `metric` should reach by `due_date`, for `facility` or (None) the whole
    system (CMIO, CMO, admin). A target for the same facility and due date is replaced. Which
    target charts and assurance judge against: `metrics.targets.applicable_target`."""
    require(actor, Action.METRIC_EDIT)
    errors: dict[str, str] = {}
    candidate = Target(value=value, due_date=due_date, note=_text(note))
    field_errors(candidate, ("value", "due_date", "note"), errors)
    _facility_check(facility, errors)
    if errors:
        raise ValidationError(errors)
    findings = phi_guard(fields={"note": candidate.note}, confirmed=phi_confirmed)
    lock(metric)
    # The unique constraint on (metric, facility, due date) backs this upsert; the lock on the
    # metric's row makes a second writer wait rather than fail on it.
    current = Target.objects.filter(
        metric=metric, facility=facility, due_date=candidate.due_date
    ).first()
    if current is None:
        target = Target.objects.create(
            metric=metric,
            facility=facility,
            value=candidate.value,
            due_date=candidate.due_date,
            note=candidate.note,
            created_by=actor,
        )
        audit_created(instance=target, actor=actor, fields=TARGET_FIELDS)
    else:
        target = current
        audited_update(
            target, actor=actor, changes={"value": candidate.value, "note": candidate.note}
        )
    record_phi(instance=target, findings=findings, actor=actor)
    rollup_enqueue(metric_ids=[metric.pk], actor=actor)
    return target


@transaction.atomic
def target_delete(*, actor: User, target: Target) -> None:
    """Remove a target (CMIO, CMO, admin); the metric's charts are judged again."""
    require(actor, Action.METRIC_EDIT)
    metric_id = target.metric_id
    audited_delete(instance=target, actor=actor, fields=TARGET_FIELDS)
    rollup_enqueue(metric_ids=[metric_id], actor=actor)
