"""Audit plumbing: services record who changed which fields of a business record, and when.

Services call these helpers explicitly (never signals), so that creations, field edits,
optimistic-lock updates made with `QuerySet.update()` and upserts are all recorded the same
way. Values are stored as JSON-friendly strings.
"""

import datetime
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from informatics.choices import AuditAction
from informatics.models import AuditEvent, User


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime, decimal.Decimal)):
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return sorted(str(item) for item in value)
    return value


def field_values(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """A snapshot of the named fields, as plain values, to diff against later."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.is_relation and field.many_to_one:
            values[name] = _plain(getattr(instance, name))
        else:
            values[name] = _plain(getattr(instance, getattr(field, "attname", name)))
    return values


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The fields whose value changed, each as [old, new]."""
    return {
        name: [before.get(name), after[name]] for name in after if before.get(name) != after[name]
    }


def audit_record(
    *,
    instance: models.Model,
    actor: User | None,
    action: str,
    changes: Mapping[str, list[Any]] | None = None,
    note: str = "",
    version: int | None = None,
) -> AuditEvent | None:
    """Write one audit event; an update that changed nothing writes nothing. `version`: the
    version of the record that the save made, when it moved one (`audited_update` gives it;
    a save that writes a further event, e.g. for its many-to-many fields, gives it too)."""
    if action == AuditAction.UPDATE and not changes:
        return None
    return AuditEvent.objects.create(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        action=action,
        actor=actor,
        changes=dict(changes or {}),
        note=note[:200],
        version=version,
    )


def audit_created(
    *,
    instance: models.Model,
    actor: User | None,
    fields: Iterable[str],
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Record the creation of `instance`: its `fields`, then the `extra` values (its
    many-to-many sides, say), as they now are."""
    values = {**field_values(instance, fields), **(extra or {})}
    audit_record(
        instance=instance,
        actor=actor,
        action=AuditAction.CREATE,
        changes={name: [None, value] for name, value in values.items()},
    )


def audited_delete(*, instance: models.Model, actor: User | None, fields: Iterable[str]) -> None:
    """Record the deletion of `instance` (its `fields` as they were), then delete it."""
    audit_record(
        instance=instance,
        actor=actor,
        action=AuditAction.DELETE,
        changes={name: [value, None] for name, value in field_values(instance, fields).items()},
    )
    instance.delete()


def audited_update(
    instance: models.Model,
    *,
    actor: User | None,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
    note: str = "",
) -> models.Model:
    """Apply `changes` with one UPDATE, guarded by `version` when `expected_version` is given,
    and record the fields that really changed (with the version the update made, when it
    moved one). Raises StaleEdit when the row moved on."""
    from django.utils import timezone

    from informatics.exceptions import StaleEdit

    model = type(instance)
    before = field_values(instance, changes.keys())
    values = dict(changes)
    rows = model._default_manager.filter(pk=instance.pk)
    if hasattr(instance, "updated_at"):
        values["updated_at"] = timezone.now()
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
        values["version"] = models.F("version") + 1
    if rows.update(**values) == 0:
        current = model._default_manager.get(pk=instance.pk)
        raise StaleEdit(current=current, expected_version=expected_version or 0)
    instance.refresh_from_db()
    audit_record(
        instance=instance,
        actor=actor,
        action=AuditAction.UPDATE,
        changes=diff(before, field_values(instance, changes.keys())),
        note=note,
        version=getattr(instance, "version", None) if expected_version is not None else None,
    )
    return instance
