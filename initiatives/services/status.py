"""Status updates: the health of an initiative, dimension by dimension."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from informatics.models import User
from informatics.permissions import Action, require
from informatics.services.records import field_errors, guarded_create
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
    return guarded_create(
        StatusUpdate,
        actor=actor,
        cleaned={**health, **texts},
        confirmed=phi_confirmed,
        audit=("initiative", *HEALTH_DIMENSIONS, "narrative", "risks"),
        initiative=initiative,
        author=actor,
        at=timezone.now(),
    )
