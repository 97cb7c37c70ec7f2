"""Writes of strategic priorities: create, edit, rank, retire and restore."""

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from informatics.audit import audit_created, audited_update
from informatics.choices import ValueCategory
from informatics.exceptions import Conflict, refuse
from informatics.models import StrategicPriority, User
from informatics.permissions import Action, require
from informatics.services.records import (
    field_errors,
    guard_changed_text,
    guard_record_text,
    guarded_fields,
    record_phi,
)

PRIORITY_FIELDS = (
    "code",
    "title",
    "goal_statement",
    "executive_sponsor",
    "value_category",
    "horizon",
)


def _priority_check(fields: dict[str, Any], *, exclude_pk: int | None = None) -> None:
    """Field-named errors for priority input; nothing is saved when any is raised."""
    errors: dict[str, str] = {}
    conflicts: dict[str, str] = {}
    code = fields.get("code")
    if code is not None:
        others = StrategicPriority.objects.filter(code=code)
        if exclude_pk is not None:
            others = others.exclude(pk=exclude_pk)
        clash = others.exists()
        if clash:
            conflicts["code"] = f"A priority with code {code!r} already exists."
    if "title" in fields and not str(fields["title"]).strip():
        errors["title"] = "A priority needs a title."
    if "goal_statement" in fields and not str(fields["goal_statement"]).strip():
        errors["goal_statement"] = "Say what the priority aims to achieve."
    category = fields.get("value_category")
    if category is not None and category not in ValueCategory.values:
        errors["value_category"] = f"{category!r} is not a value category."
    if "horizon" in fields and not isinstance(fields["horizon"], datetime.date):
        errors["horizon"] = "The horizon must be a date."
    texts = [name for name in ("code", "title", "goal_statement") if name in fields]
    field_errors(StrategicPriority(**{name: fields[name] for name in texts}), texts, errors)
    refuse(errors, conflicts)


@transaction.atomic
def priority_create(
    *,
    actor: User,
    code: str,
    title: str,
    goal_statement: str,
    value_category: str,
    horizon: datetime.date,
    executive_sponsor: User | None = None,
    phi_confirmed: bool = False,
) -> StrategicPriority:
    """Add a priority at the bottom of the ranking."""
    require(actor, Action.PRIORITY_EDIT)
    fields = {
        "code": code,
        "title": title,
        "goal_statement": goal_statement,
        "value_category": value_category,
        "horizon": horizon,
        "executive_sponsor": executive_sponsor,
    }
    _priority_check(fields)
    findings = guard_record_text(StrategicPriority, fields, confirmed=phi_confirmed)
    last = StrategicPriority.objects.aggregate(last=Max("rank"))["last"] or 0
    priority = StrategicPriority.objects.create(rank=last + 1, **fields)
    audit_created(instance=priority, actor=actor, fields=(*PRIORITY_FIELDS, "rank", "is_active"))
    record_phi(instance=priority, findings=findings, actor=actor)
    return priority


@transaction.atomic
def priority_update(
    *,
    actor: User,
    priority: StrategicPriority,
    version: int,
    phi_confirmed: bool = False,
    **changes: Any,
) -> StrategicPriority:
    """Edit a priority's fields; refused with StaleEdit if someone saved it since `version`."""
    require(actor, Action.PRIORITY_EDIT)
    unknown = set(changes) - set(PRIORITY_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be edited here."))
    _priority_check(changes, exclude_pk=priority.pk)
    findings = guard_changed_text(
        priority, changes, guarded_fields(StrategicPriority), confirmed=phi_confirmed
    )
    audited_update(priority, actor=actor, changes=changes, expected_version=version)
    record_phi(instance=priority, findings=findings, actor=actor)
    return priority


@transaction.atomic
def priority_reorder(*, actor: User, ordered_ids: Sequence[int]) -> list[StrategicPriority]:
    """Set the ranking of the active priorities to the order given (all of them, once each)."""
    require(actor, Action.PRIORITY_EDIT)
    active = {p.pk: p for p in StrategicPriority.objects.select_for_update().filter(is_active=True)}
    once = {"ordered_ids": "Give every active priority exactly once, in the new order."}
    if len(set(ordered_ids)) != len(ordered_ids):
        raise ValidationError(once)
    if sorted(ordered_ids) != sorted(active):  # the active priorities are not those given
        raise Conflict(once)
    result = []
    for position, pk in enumerate(ordered_ids, start=1):
        priority = active[pk]
        audited_update(priority, actor=actor, changes={"rank": position}, note="reordered")
        result.append(priority)
    return result


@transaction.atomic
def priority_move(*, actor: User, priority: StrategicPriority, steps: int) -> None:
    """Move an active priority up (negative steps) or down the ranking."""
    require(actor, Action.PRIORITY_EDIT)
    order = list(
        StrategicPriority.objects.filter(is_active=True)
        .order_by("rank", "id")
        .values_list("pk", flat=True)
    )
    if priority.pk not in order:
        raise Conflict({"priority": "Only an active priority can be moved."})
    index = order.index(priority.pk)
    new_index = min(max(index + steps, 0), len(order) - 1)
    order.insert(new_index, order.pop(index))
    priority_reorder(actor=actor, ordered_ids=order)


@transaction.atomic
def priority_retire(
    *,
    actor: User,
    priority: StrategicPriority,
    version: int,
    reason: str,
    phi_confirmed: bool = False,
) -> StrategicPriority:
    """Retire a priority: it stays on record (and on the work aligned to it) but leaves the
    active ranking."""
    require(actor, Action.PRIORITY_EDIT)
    if not reason.strip():
        raise ValidationError({"retired_reason": "Say why the priority is retired."})
    errors: dict[str, str] = {}
    field_errors(StrategicPriority(retired_reason=reason.strip()), ("retired_reason",), errors)
    if errors:
        raise ValidationError(errors)
    if not priority.is_active:
        raise Conflict({"is_active": "This priority is already retired."})
    findings = guard_record_text(
        StrategicPriority, {"retired_reason": reason.strip()}, confirmed=phi_confirmed
    )
    audited_update(
        priority,
        actor=actor,
        changes={"is_active": False, "retired_reason": reason.strip()},
        expected_version=version,
    )
    record_phi(instance=priority, findings=findings, actor=actor)
    return priority


@transaction.atomic
def priority_restore(*, actor: User, priority: StrategicPriority, version: int) -> None:
    """Bring a retired priority back, at the bottom of the active ranking."""
    require(actor, Action.PRIORITY_EDIT)
    if priority.is_active:
        raise Conflict({"is_active": "This priority is already active."})
    last = StrategicPriority.objects.filter(is_active=True).aggregate(m=Max("rank"))["m"] or 0
    audited_update(
        priority,
        actor=actor,
        changes={"is_active": True, "retired_reason": "", "rank": last + 1},
        expected_version=version,
    )
