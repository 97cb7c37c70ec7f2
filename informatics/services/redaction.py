"""Redaction of a free text from a record and from every copy the portal made of it: its
audit history, the history of other records that quoted it, the outbox and cached renders."""

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Field, JSONField, Q, TextField
from django.db.models.functions import Cast
from django.utils.module_loading import import_string

from informatics.audit import audit_record
from informatics.cache import renders_purge
from informatics.choices import AuditAction
from informatics.models import AuditEvent, Redaction, User
from informatics.permissions import Action, require
from informatics.phi import REDACTED, redactable_fields

# A redacted text shorter than this is not searched for in other records' copies (history,
# the outbox): it would match unrelated ones (a title such as "Alerts").
_OUTBOX_MATCH_MIN = 8
# An audit event's record label holding this much of a redacted text is rewritten too; a copy
# cut short (labels and notes keep 200 characters) is found by a start this long.
_REPR_MATCH_CHARS = 40

logger = logging.getLogger(__name__)


def _scrub(value: str, texts: Iterable[str]) -> str:
    """`value` with every redacted text in it, and a text's start that a cut-short copy ends
    with, replaced by "[redacted]"."""
    for text in texts:
        value = value.replace(text, REDACTED)
        for end in range(len(text) - 1, _REPR_MATCH_CHARS - 1, -1):
            if value.endswith(text[:end]):
                value = value[:-end] + REDACTED
                break
    return value


def _scrub_json(value: Any, texts: Iterable[str]) -> Any:
    """`_scrub` applied to every string inside a JSON value (field names are kept)."""
    if isinstance(value, str):
        return _scrub(value, texts)
    if isinstance(value, list):
        return [_scrub_json(item, texts) for item in value]
    if isinstance(value, dict):
        return {key: _scrub_json(item, texts) for key, item in value.items()}
    return value


def copy_fields() -> dict[str, tuple[str, ...]]:
    """COPIES: the fields where the portal keeps copies of other records' texts (labels,
    history, the outbox), keyed "app_label.model". A redaction rewrites the text inside each.

    Each app declares its own on its AppConfig (`redaction_copies = {"informatics.auditevent":
    ("object_repr", "note", "changes")}`), so the kernel lists them without importing the
    apps."""
    registry: dict[str, tuple[str, ...]] = {}
    for config in apps.get_app_configs():
        for label, names in getattr(config, "redaction_copies", {}).items():
            registry[label] = tuple(dict.fromkeys((*registry.get(label, ()), *names)))
    return registry


def followups() -> list[Callable[..., Any]]:
    """FOLLOWUPS: what apps do after a redaction rewrote their records, inside its
    transaction (a report renders its issued files again). Each app names a function by its
    dotted path on its AppConfig (`redaction_followups = ("reports.services.…",)`), so the
    kernel calls it without importing the app; it is called with `redaction` (the Redaction
    row) and `rewritten` (the primary keys rewritten, per model label "app_label.model")."""
    paths: list[str] = []
    for config in apps.get_app_configs():
        paths.extend(getattr(config, "redaction_followups", ()))
    return [import_string(path) for path in dict.fromkeys(paths)]


def _quoting(fields: list[Field], texts: Iterable[str]) -> tuple[Q, dict[str, Cast]]:
    """Rows whose fields hold the start of a text, and the casts that filter needs: a JSON
    field is searched as text, for the start as written and JSON-escaped both ways (SQLite
    keeps non-ASCII letters as \\u escapes, PostgreSQL's jsonb as they are)."""
    quoting, casts = Q(), {}
    for field in fields:
        target = field.name
        if isinstance(field, JSONField):
            target = f"{field.name}_as_text"
            casts[target] = Cast(field.name, TextField())
        for text in texts:
            start = text[:_REPR_MATCH_CHARS]
            forms = {start}
            if isinstance(field, JSONField):
                forms |= {json.dumps(start)[1:-1], json.dumps(start, ensure_ascii=False)[1:-1]}
            for form in forms:
                quoting |= Q(**{f"{target}__contains": form})
    return quoting, casts


def _copies_redact(*, texts: set[str]) -> dict[str, set[Any]]:
    """Rewrite the redacted texts inside every copy the portal keeps (`copy_fields`), whatever
    record the copy belongs to: a vote's, a comment's or a merged request's audit event keeps
    the label of the request it points at; a notification quotes it. Returns the primary keys
    of the rows rewritten, per model label."""
    searched = {text for text in texts if len(text) >= _OUTBOX_MATCH_MIN}
    rewritten: dict[str, set[Any]] = {}
    if not searched:
        return rewritten
    for label, names in copy_fields().items():
        model = apps.get_model(label)
        fields = [model._meta.get_field(name) for name in names]
        quoting, casts = _quoting(fields, searched)
        touched = []
        for row in model._default_manager.select_for_update().alias(**casts).filter(quoting):
            changed = False
            for field in fields:
                value = getattr(row, field.name)
                scrubbed = (
                    _scrub_json(value, searched)
                    if isinstance(field, JSONField)
                    else _scrub(value, searched)
                )
                if scrubbed != value:
                    setattr(row, field.name, scrubbed)
                    changed = True
            if changed:
                touched.append(row)
        model._default_manager.bulk_update(touched, names)
        rewritten[label] = {row.pk for row in touched}
    return rewritten


def _renders_purge_now() -> None:
    """Drop cached renders inside the redaction: when the cache cannot be reached, nothing is
    redacted (a render quoting the text would outlive it)."""
    try:
        renders_purge()
    except Exception as exc:  # any cache backend's connection error
        raise ValidationError(
            "The cache could not be reached to drop cached charts; nothing was redacted. "
            "Try again when the cache is back."
        ) from exc


def _renders_purge_after_commit() -> None:
    """Again once committed: a page rendered meanwhile from the old text is dropped too."""
    try:
        renders_purge()
    except Exception:  # the redaction is committed; the purge before it already ran
        logger.exception("cached renders not purged after a redaction")


@transaction.atomic
def text_redact(*, actor: User, instance: Any, field: str, reason: str) -> Redaction:
    """Replace a free-text field of a record with "[redacted]" everywhere the portal kept it
    (admins only; the field must be registered as redactable by its app):

    - the record itself, with one UPDATE (its `version` moves on, so an editor who loaded the
      old text cannot save it back);
    - every audit event of the record whose `changes` hold the field (old and new values both
      become "[redacted]"), and the record label of any event that quoted the text;
    - every copy the portal keeps of it (`copy_fields`), whatever record the copy belongs to:
      the audit events of other records (a vote, comment or question keeps its request's
      label; a merge keeps the other request's title), unsent and sent notifications, job
      errors and results. The text inside becomes "[redacted]", the rest stays readable;
    - cached renders (chart SVG): all of them are dropped and drawn again on demand;
    - whatever the apps render from the rewritten rows (`followups`: an issued report's files
      are rendered again and their old and new hashes recorded), in the same transaction.

    The Redaction row says who, when, which record and field, why and how many audit events
    were rewritten — never the text. An audit event "redact" joins the record's history.
    """
    require(actor, Action.ADMINISTER)
    model = type(instance)._meta.concrete_model
    assert model is not None
    label = model._meta.label_lower
    if field not in redactable_fields().get(label, ()):
        raise ValidationError(
            {"field": f"“{field}” of {model._meta.verbose_name} cannot be redacted."}
        )
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the text is redacted."})
    if len(reason) > 200:
        raise ValidationError({"reason": "Keep the reason under 200 characters."})

    content_type = ContentType.objects.get_for_model(model)
    object_id = str(instance.pk)
    events = list(
        AuditEvent.objects.select_for_update().filter(
            content_type=content_type, object_id=object_id
        )
    )
    current = model._default_manager.filter(pk=instance.pk).values_list(field, flat=True).get()
    texts = {str(current)} if current else set()
    for event in events:
        for value in event.changes.get(field) or ():
            if isinstance(value, str) and value and value != REDACTED:
                texts.add(value)
    texts.discard(REDACTED)

    values: dict[str, Any] = {field: REDACTED}
    versioned = any(f.name == "version" for f in model._meta.concrete_fields)
    if versioned:
        values["version"] = F("version") + 1
    model._default_manager.filter(pk=instance.pk).update(**values)
    instance.refresh_from_db()

    new_repr = str(instance)[:200]
    touched = []
    for event in events:
        changed = False
        if field in event.changes:
            event.changes = {**event.changes, field: [REDACTED, REDACTED]}
            changed = True
        if any(text[:_REPR_MATCH_CHARS] in event.object_repr for text in texts):
            event.object_repr = new_repr
            changed = True
        if changed:
            touched.append(event)
    AuditEvent.objects.bulk_update(touched, ["changes", "object_repr"])
    copies = _copies_redact(texts=texts)
    rewritten = {event.pk for event in events if field in event.changes}
    rewritten |= copies.get(AuditEvent._meta.label_lower, set())

    _renders_purge_now()
    transaction.on_commit(_renders_purge_after_commit)

    redaction = Redaction.objects.create(
        content_type=content_type,
        object_id=object_id,
        field=field,
        redacted_by=actor,
        reason=reason,
        history_events=len(rewritten),
    )
    audit_record(
        instance=instance,
        actor=actor,
        action=AuditAction.REDACT,
        changes={field: [REDACTED, REDACTED]},
        note=f"Redacted: {reason}",
        version=getattr(instance, "version", None) if versioned else None,
    )
    # The apps' follow-ups see every row rewritten: the copies and the record itself.
    copies[label] = copies.get(label, set()) | {instance.pk}
    for followup in followups():
        followup(redaction=redaction, rewritten=copies)
    return redaction
