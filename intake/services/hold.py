"""Clearing the hold on a request whose writers confirmed past the PHI guard."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from informatics.audit import audit_record
from informatics.choices import AuditAction
from informatics.exceptions import Conflict
from informatics.models import PhiConfirmation, User
from informatics.permissions import Action, require
from intake.models import IntakeRequest, RequestComment


@transaction.atomic
def request_hold_clear(*, actor: User, request: IntakeRequest) -> int:
    """Triage (an informaticist or the CMIO) has read what the PHI guard flagged on the request
    and its comments and found no patient information: the hold ends, and everyone who may
    read the request reads it again. Returns how many confirmations were cleared; audited on
    the request (which fields, never the text)."""
    require(actor, Action.REQUEST_TRIAGE)
    types = ContentType.objects.get_for_models(IntakeRequest, RequestComment)
    comment_ids = [str(pk) for pk in request.comments.values_list("pk", flat=True)]
    rows = PhiConfirmation.objects.select_for_update().filter(
        Q(content_type=types[IntakeRequest], object_id=str(request.pk))
        | Q(content_type=types[RequestComment], object_id__in=comment_ids),
        cleared_at__isnull=True,
    )
    held = list(rows.order_by("pk"))
    if not held:
        raise Conflict({"request": f"Nothing on request #{request.pk} is held."})
    PhiConfirmation.objects.filter(pk__in=[row.pk for row in held]).update(
        cleared_by=actor, cleared_at=timezone.now()
    )
    fields = sorted(
        {
            row.field if row.content_type_id == types[IntakeRequest].pk else f"comment.{row.field}"
            for row in held
        }
    )
    audit_record(
        instance=request,
        actor=actor,
        action=AuditAction.UPDATE,
        changes={"phi_held": [fields, []]},
        note="PHI hold cleared",
    )
    return len(held)
