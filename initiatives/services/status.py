"""Status updates: the health of an initiative, dimension by dimension."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from informatics.audit import audit_created
from informatics.models import User
from informatics.permissions import Action, require
from informatics.phi import PhiFinding
from informatics.services.records import field_errors, guard_record_text, record_phi
from initiatives.choices import HEALTH_DIMENSIONS
from initiatives.models import (
    Initiative,
    StatusUpdate,
)
from initiatives.services._common import _text

# --- Status updates -------------------------------------------------------------------------


@transaction.atomic
def status_update_post(
    *,
    actor: User,
    initiative: Initiative,
    schedule: str,
    scope: str,
    budget: str,
    adoption: str,
    narrative: str,
    risks: str = "",
    phi_confirmed: bool = False,
) -> StatusUpdate:
    """Post a status report: health per dimension (on track, at risk, off track), a narrative
    and risks. The initiative's health becomes the worst dimension of this update, and it is
    no longer stale."""
    require(actor, Action.INITIATIVE_EDIT, initiative)
    health = {"schedule": schedule, "scope": scope, "budget": budget, "adoption": adoption}
    texts = {"narrative": _text(narrative), "risks": _text(risks)}
    errors: dict[str, str] = {}
    field_errors(StatusUpdate(**health, **texts), (*health, *texts), errors)
    if errors:
        raise ValidationError(errors)
    findings: dict[str, list[PhiFinding]] = guard_record_text(
        StatusUpdate, texts, confirmed=phi_confirmed
    )
    update = StatusUpdate.objects.create(
        initiative=initiative, author=actor, at=timezone.now(), **health, **texts
    )
    audit_created(
        instance=update,
        actor=actor,
        fields=("initiative", *HEALTH_DIMENSIONS, "narrative", "risks"),
    )
    record_phi(instance=update, findings=findings, actor=actor)
    return update
