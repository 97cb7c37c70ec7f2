"""Plumbing every app's write services share: row locks for optimistic-lock edits, the field
whitelist of an update, the model's own field checks, and the record of confirmed PHI
warnings, and the writes of a versioned record (created, edited)."""

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone

from informatics.audit import audit_created, audit_record, audited_update, diff
from informatics.choices import AuditAction
from informatics.models import User, VersionedModel
from informatics.phi import PhiFinding, phi_confirmations_record, phi_guard, redactable_fields


def lock[M: Model](instance: M, *related: str) -> M:
    """`instance`'s row read again and locked for the rest of the transaction (with the
    `related` rows joined); the caller compares versions on it before writing."""
    rows = type(instance)._default_manager.select_for_update()
    if related:
        rows = rows.select_related(*related)
    locked: M = rows.get(pk=instance.pk)
    return locked


def copy_back(instance: Model, source: Model) -> None:
    """Bring the caller's instance up to date with the row just written."""
    for field in type(instance)._meta.concrete_fields:
        setattr(instance, field.attname, getattr(source, field.attname))


def refuse_unknown_fields(changes: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """An update names only fields it may change; anything else is refused, by name."""
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be edited here."))


def next_steps_text(current: str, allowed: Sequence[str], noun: str) -> str:
    """The end of the refusal of a move a transition table does not allow: where a record at
    `current` may go next (the `allowed` labels, called `noun`), or that it may go nowhere."""
    if not allowed:
        return f"it is {current} and takes no more steps."
    return f"allowed next {noun} are {', '.join(allowed)}."


def field_errors(instance: Model, names: Iterable[str], errors: dict[str, str]) -> None:
    """The model's own checks of the fields `names` of `instance` — type, length, blank,
    choices and validators, as the model declares them — with each value converted as it will
    be stored ("12.5" → Decimal, "2026-03-01" → date). The first message of each failing field
    goes into `errors`, unless the field already has one there (a domain message checked
    first wins). Give only non-relational fields: a foreign key would be looked up."""
    wanted = set(names)
    others = [field.name for field in instance._meta.concrete_fields if field.name not in wanted]
    try:
        instance.clean_fields(exclude=others)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, messages[0])


def record_phi(*, instance: Any, findings: Mapping[str, list[PhiFinding]], actor: User) -> None:
    """Keep the confirmation of each PHI warning the actor saved through, if there was any."""
    if any(findings.values()):
        phi_confirmations_record(instance=instance, findings=dict(findings), actor=actor)


def guarded_fields(model: type[Model]) -> tuple[str, ...]:
    """The free-text fields of `model` people type: the ones its app lists on its AppConfig
    (`redactable`), so the fields the guard reads are the fields an admin may redact."""
    return redactable_fields().get(model._meta.label_lower, ())


def guard_text(
    cleaned: Mapping[str, Any], names: Iterable[str], *, confirmed: bool
) -> dict[str, list[PhiFinding]]:
    """The PHI guard over the free texts `names` of `cleaned` (those it holds); refused unless
    `confirmed` when the guard flags something."""
    return phi_guard(
        fields={name: cleaned[name] for name in names if name in cleaned}, confirmed=confirmed
    )


def guard_record_text(
    model: type[Model], cleaned: Mapping[str, Any], *, confirmed: bool
) -> dict[str, list[PhiFinding]]:
    """The PHI guard over every guarded field of `model` that `cleaned` holds."""
    return guard_text(cleaned, guarded_fields(model), confirmed=confirmed)


def guard_changed_text(
    current: Model, cleaned: Mapping[str, Any], names: Iterable[str], *, confirmed: bool
) -> dict[str, list[PhiFinding]]:
    """The PHI guard over the free texts `names` an edit changes (text left as it was is not
    checked again); refused unless `confirmed` when the guard flags something."""
    changed = [
        name for name in names if name in cleaned and cleaned[name] != getattr(current, name)
    ]
    return guard_text(cleaned, changed, confirmed=confirmed)


def guarded_create[M: Model](
    model: type[M],
    *,
    actor: User,
    cleaned: Mapping[str, Any],
    confirmed: bool,
    audit: Iterable[str],
    **values: Any,
) -> M:
    """Create a record from the checked fields `cleaned` (plus `values` the service sets: its
    parent, who, when): the PHI guard over its guarded texts, the row, its audited creation
    (fields `audit`) and the record of a confirmed warning."""
    findings = guard_record_text(model, cleaned, confirmed=confirmed)
    instance = model._default_manager.create(**values, **cleaned)
    audit_created(instance=instance, actor=actor, fields=tuple(audit))
    record_phi(instance=instance, findings=findings, actor=actor)
    return instance


def guarded_update[M: Model](
    instance: M, *, actor: User, cleaned: Mapping[str, Any], confirmed: bool
) -> M:
    """Write the checked edit `cleaned` of a record that has no version: the PHI guard over
    the guarded texts it changes, the audited update, and the record of a confirmed warning."""
    findings = guard_changed_text(
        instance, cleaned, guarded_fields(type(instance)), confirmed=confirmed
    )
    audited_update(instance, actor=actor, changes=cleaned)
    record_phi(instance=instance, findings=findings, actor=actor)
    return instance


@dataclass(frozen=True)
class Writes[M: VersionedModel]:
    """What an edit of a model writes: its columns `fields`, and its many-to-many relations
    `m2m`, read as audit values by `m2m_values` and replaced from the cleaned edit by
    `m2m_set`."""

    fields: tuple[str, ...]
    m2m: tuple[str, ...]
    m2m_values: Callable[[M], Mapping[str, Any]]
    m2m_set: Callable[[M, Mapping[str, Any]], None]


def versioned_create[M: VersionedModel](
    model: type[M],
    cleaned: Mapping[str, Any],
    *,
    actor: User,
    writes: Writes[M],
    confirmed: bool,
    at: datetime.datetime | None = None,
    audited: Iterable[str] = (),
    **values: Any,
) -> M:
    """Create a record from the checked fields `cleaned`: the PHI guard over its guarded texts,
    the row (its `writes.fields` in `cleaned` and the `values` the service sets, created and
    updated `at`, by default now), its many-to-many relations `writes.m2m`, its audited
    creation (the fields, those of `values` named in `audited`, and the relations) and the
    confirmations of the PHI warnings the actor saved through."""
    findings = guard_record_text(model, cleaned, confirmed=confirmed)
    at = at or timezone.now()
    instance = model._default_manager.create(
        **{name: cleaned[name] for name in writes.fields}, **values, created_at=at, updated_at=at
    )
    writes.m2m_set(instance, cleaned)
    audit_created(
        instance=instance,
        actor=actor,
        fields=(*writes.fields, *audited),
        extra=writes.m2m_values(instance),
    )
    record_phi(instance=instance, findings=findings, actor=actor)
    return instance


def versioned_update[M: VersionedModel](
    locked: M,
    cleaned: Mapping[str, Any],
    *,
    actor: User,
    version: int,
    writes: Writes[M],
    confirmed: bool,
) -> None:
    """Write an edit of the locked row: the PHI guard over the guarded texts it changes, its
    `writes.fields` in `cleaned` through one audited save (refused with StaleEdit unless the
    row is still at `version`), then its many-to-many relations `writes.m2m` in `cleaned`,
    audited as part of that same save, then the confirmations of the PHI warnings the actor
    saved through."""
    findings = guard_changed_text(
        locked, cleaned, guarded_fields(type(locked)), confirmed=confirmed
    )
    m2m_before = writes.m2m_values(locked)
    audited_update(
        locked,
        actor=actor,
        changes={name: cleaned[name] for name in writes.fields if name in cleaned},
        expected_version=version,
    )
    relations = [name for name in writes.m2m if name in cleaned]
    if relations:
        writes.m2m_set(locked, cleaned)
        m2m_after = writes.m2m_values(locked)
        audit_record(
            instance=locked,
            actor=actor,
            action=AuditAction.UPDATE,
            changes=diff(
                {name: m2m_before[name] for name in relations},
                {name: m2m_after[name] for name in relations},
            ),
            version=locked.version,  # the same save as the fields' event
        )
    record_phi(instance=locked, findings=findings, actor=actor)
