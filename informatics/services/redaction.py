"""Redaction of a free text from a record, its audit history and the outbox."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q

from informatics.audit import audit_record
from informatics.choices import AuditAction
from informatics.models import AuditEvent, Notification, Redaction, User
from informatics.permissions import Action, require
from informatics.phi import REDACTED, redactable_fields

# A redacted text shorter than this is not searched for in the outbox: it would match
# unrelated messages (a title such as "Alerts").
_OUTBOX_MATCH_MIN = 8
# An audit event's record label holding this much of a redacted text is rewritten too.
_REPR_MATCH_CHARS = 40


@transaction.atomic
def text_redact(*, actor: User, instance: Any, field: str, reason: str) -> Redaction:
    """Replace a free-text field of a record with "[redacted]" everywhere the portal kept it
    (admins only; the field must be registered as redactable by its app):

    - the record itself, with one UPDATE (its `version` moves on, so an editor who loaded the
      old text cannot save it back);
    - every audit event of the record whose `changes` hold the field (old and new values both
      become "[redacted]"), and the record label of any event that quoted the text;
    - unsent and sent notifications in the outbox that quote it.

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
    rewritten, touched = 0, []
    for event in events:
        changed = False
        if field in event.changes:
            event.changes = {**event.changes, field: [REDACTED, REDACTED]}
            rewritten += 1
            changed = True
        if any(text[:_REPR_MATCH_CHARS] in event.object_repr for text in texts):
            event.object_repr = new_repr
            changed = True
        if changed:
            touched.append(event)
    AuditEvent.objects.bulk_update(touched, ["changes", "object_repr"])

    for text in (t for t in texts if len(t) >= _OUTBOX_MATCH_MIN):
        quoting = Notification.objects.filter(Q(subject__contains=text) | Q(body__contains=text))
        for notification in quoting:
            notification.subject = notification.subject.replace(text, REDACTED)
            notification.body = notification.body.replace(text, REDACTED)
            notification.save(update_fields=["subject", "body"])

    redaction = Redaction.objects.create(
        content_type=content_type,
        object_id=object_id,
        field=field,
        redacted_by=actor,
        reason=reason,
        history_events=rewritten,
    )
    audit_record(
        instance=instance,
        actor=actor,
        action=AuditAction.REDACT,
        changes={field: [REDACTED, REDACTED]},
        note=f"Redacted: {reason}",
        version=getattr(instance, "version", None) if versioned else None,
    )
    return redaction
