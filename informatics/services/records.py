"""Plumbing every app's write services share: row locks for optimistic-lock edits, the field
whitelist of an update, the model's own field checks, and the record of confirmed PHI
warnings."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model

from informatics.models import User
from informatics.phi import PhiFinding, phi_confirmations_record


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
