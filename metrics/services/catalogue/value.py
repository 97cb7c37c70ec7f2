"""Writes of a metric's value basis: how its change turns into money in the value report
(`metrics.value`)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from informatics.audit import audit_created, audited_delete, audited_update
from informatics.models import User
from informatics.permissions import Action, require
from informatics.services.records import (
    field_errors,
    guard_changed_text,
    guard_record_text,
    guarded_fields,
    lock,
    record_phi,
)
from metrics.choices import Direction
from metrics.models import Metric, ValueBasis
from metrics.services.catalogue._common import _text

VALUE_BASIS_FIELDS = (
    "kind",
    "baseline",
    "baseline_source",
    "unit_cost",
    "unit_cost_source",
    "exposure_label",
)
VALUE_BASIS_TEXT = ("baseline_source", "unit_cost_source", "exposure_label")
REQUIRED_MESSAGES = {
    "kind": "Choose how the metric turns into money.",
    "baseline": "Give the baseline rate, in the metric's unit.",
    "baseline_source": "Say where the baseline comes from.",
    "unit_cost": "Give the unit cost.",
    "unit_cost_source": "Say where the unit cost comes from: the report shows it.",
    "exposure_label": "Say what the exposure counts, e.g. line-days.",
}

NUMBER_MESSAGES = {
    "baseline": "Give the baseline as a number with at most 14 digits before the point and 6 "
    "after.",
    "unit_cost": "Give the unit cost as an amount with at most 10 digits before the point and 2 "
    "after.",
}


def _value_basis_check(metric: Metric, fields: dict[str, object]) -> dict[str, object]:
    """The value basis's fields as stored, or field-named errors: every field is required,
    the unit cost is above 0, the baseline not below 0, and the metric has a better
    direction (without one there is no improvement to value)."""
    cleaned = {
        name: _text(value) if name in VALUE_BASIS_TEXT else value for name, value in fields.items()
    }
    errors: dict[str, str] = {}
    for name, message in REQUIRED_MESSAGES.items():
        if cleaned.get(name) in (None, ""):
            errors[name] = message
    candidate = ValueBasis(**cleaned)
    field_errors(candidate, VALUE_BASIS_FIELDS, errors)
    for name, message in NUMBER_MESSAGES.items():
        if name in errors and errors[name] != REQUIRED_MESSAGES[name]:
            errors[name] = message
    if "unit_cost" not in errors and candidate.unit_cost <= 0:
        errors["unit_cost"] = "Give the unit cost as an amount above 0."
    if "baseline" not in errors and candidate.baseline < 0:
        errors["baseline"] = "Give the baseline as a rate of 0 or more."
    if metric.direction == Direction.NONE:
        errors.setdefault(
            "kind", f"{metric.code} has no better direction, so a change of it has no value."
        )
    if errors:
        raise ValidationError(errors)
    candidate.unit_cost = candidate.unit_cost.quantize(Decimal("0.01"))
    return {name: getattr(candidate, name) for name in VALUE_BASIS_FIELDS}


@transaction.atomic
def value_basis_set(
    *,
    actor: User,
    metric: Metric,
    kind: str,
    baseline: Decimal | int | str,
    baseline_source: str,
    unit_cost: Decimal | int | str,
    unit_cost_source: str,
    exposure_label: str,
    phi_confirmed: bool = False,
) -> ValueBasis:
    """Say how `metric`'s change turns into money (CMIO, CMO, admin): `kind` cost avoidance
    (events avoided × `unit_cost` per event) or time value (minutes × `unit_cost` per minute),
    against the agreed pre-intervention `baseline` rate; each figure with its source. Setting
    it again replaces the metric's one basis. Nothing is saved unless every field is valid."""
    require(actor, Action.METRIC_EDIT)
    cleaned = _value_basis_check(
        metric,
        {
            "kind": kind,
            "baseline": baseline,
            "baseline_source": baseline_source,
            "unit_cost": unit_cost,
            "unit_cost_source": unit_cost_source,
            "exposure_label": exposure_label,
        },
    )
    locked = lock(metric)
    current = ValueBasis.objects.filter(metric=locked).first()
    if current is None:
        findings = guard_record_text(ValueBasis, cleaned, confirmed=phi_confirmed)
        basis = ValueBasis.objects.create(metric=locked, updated_by=actor, **cleaned)
        audit_created(instance=basis, actor=actor, fields=("metric", *VALUE_BASIS_FIELDS))
    else:
        basis = current
        findings = guard_changed_text(
            basis, cleaned, guarded_fields(ValueBasis), confirmed=phi_confirmed
        )
        audited_update(basis, actor=actor, changes={**cleaned, "updated_by": actor})
    record_phi(instance=basis, findings=findings, actor=actor)
    return basis


@transaction.atomic
def value_basis_delete(*, actor: User, metric: Metric) -> None:
    """Take the value basis off `metric` (CMIO, CMO, admin): the value report no longer values
    its change."""
    require(actor, Action.METRIC_EDIT)
    basis = ValueBasis.objects.filter(metric=metric).first()
    if basis is not None:
        audited_delete(instance=basis, actor=actor, fields=("metric", *VALUE_BASIS_FIELDS))
