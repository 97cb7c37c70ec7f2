"""Milestones of an initiative."""

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from informatics.audit import audited_update
from informatics.exceptions import Conflict
from informatics.models import User
from informatics.permissions import Action, require
from informatics.services.records import (
    guarded_create,
    guarded_update,
    refuse_unknown_fields,
)
from initiatives.models import (
    Initiative,
    Milestone,
)
from initiatives.services._common import (
    MILESTONE_FIELDS,
    _milestone_check,
)

# --- Milestones -----------------------------------------------------------------------------


@transaction.atomic
def milestone_add(
    *,
    actor: User,
    initiative: Initiative,
    title: str,
    due_date: datetime.date,
    phi_confirmed: bool = False,
) -> Milestone:
    """Add a milestone to the initiative; its title goes through the PHI guard."""
    require(actor, Action.INITIATIVE_EDIT, initiative)
    now = timezone.now()
    return guarded_create(
        Milestone,
        actor=actor,
        cleaned=_milestone_check({"title": title, "due_date": due_date}),
        confirmed=phi_confirmed,
        audit=(*MILESTONE_FIELDS, "initiative"),
        initiative=initiative,
        created_at=now,
        updated_at=now,
    )


@transaction.atomic
def milestone_update(
    *, actor: User, milestone: Milestone, phi_confirmed: bool = False, **changes: Any
) -> Milestone:
    """Rename or re-date a milestone; a changed title goes through the PHI guard."""
    require(actor, Action.INITIATIVE_EDIT, milestone.initiative)
    refuse_unknown_fields(changes, MILESTONE_FIELDS)
    return guarded_update(
        milestone, actor=actor, cleaned=_milestone_check(changes), confirmed=phi_confirmed
    )


@transaction.atomic
def milestone_done(*, actor: User, milestone: Milestone) -> Milestone:
    """Mark a milestone done, now, by `actor`."""
    require(actor, Action.INITIATIVE_EDIT, milestone.initiative)
    locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if locked.done_at is not None:
        raise Conflict({"done_at": "This milestone is already done."})
    audited_update(
        locked, actor=actor, changes={"done_at": timezone.now(), "done_by": actor}, note="done"
    )
    milestone.done_at, milestone.done_by = locked.done_at, actor
    milestone.updated_at = locked.updated_at
    return milestone
