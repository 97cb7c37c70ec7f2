"""Creating and editing initiatives (optimistic locking, alignments, champions, facilities)."""

import datetime
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from informatics.audit import audit_record
from informatics.choices import AuditAction, Role
from informatics.models import Facility, StrategicPriority, User
from informatics.permissions import Action, require
from informatics.services.records import (
    copy_back,
    lock,
    refuse_unknown_fields,
    versioned_create,
    versioned_update,
)
from initiatives.models import (
    Initiative,
    StageChange,
)
from initiatives.services._common import (
    INITIATIVE_EDITABLE,
    INITIATIVE_WRITES,
    G,
    _initiative_check,
    _version_check,
)
from initiatives.services.links import (
    _link,
)
from intake.models import IntakeRequest

# --- Initiatives ----------------------------------------------------------------------------


@transaction.atomic
def initiative_create(
    *,
    actor: User,
    title: str,
    type: str,
    summary: str,
    problem_statement: str = "",
    executive_sponsor: User | None = None,
    cmio_owner: User | None = None,
    informaticist_lead: User | None = None,
    champions: Iterable[User] = (),
    facilities: Iterable[Facility] = (),
    priorities: Mapping[StrategicPriority, str] | None = None,
    start_date: datetime.date | None = None,
    target_date: datetime.date | None = None,
    effort_hours: int | None = None,
    cost_estimate: decimal.Decimal | None = None,
    requests: Iterable[IntakeRequest] = (),
    phi_confirmed: bool = False,
) -> Initiative:
    """Log an initiative (the CMIO, or an informaticist), proposed, aligned to `priorities`
    ({priority: alignment}) and linked to `requests`.

    An informaticist who is not the CMIO creates initiatives they lead: the lead defaults to
    them, and naming someone else is refused (they could not edit it afterwards).
    """
    require(actor, Action.INITIATIVE_EDIT)
    if (
        informaticist_lead is None
        and not actor.has_role(Role.CMIO)
        and actor.has_role(Role.INFORMATICIST)
    ):
        informaticist_lead = actor
    lead_id = getattr(informaticist_lead, "pk", None)
    require(actor, Action.INITIATIVE_EDIT, Initiative(informaticist_lead_id=lead_id))
    cleaned = _initiative_check(
        {
            "title": title,
            "type": type,
            "summary": summary,
            "problem_statement": problem_statement,
            "executive_sponsor": executive_sponsor,
            "cmio_owner": cmio_owner,
            "informaticist_lead": informaticist_lead,
            "champions": champions,
            "facilities": facilities,
            "priorities": priorities or {},
            "start_date": start_date,
            "target_date": target_date,
            "effort_hours": effort_hours,
            "cost_estimate": cost_estimate,
        }
    )
    now = timezone.now()
    initiative = versioned_create(
        Initiative,
        cleaned,
        actor=actor,
        writes=INITIATIVE_WRITES,
        confirmed=phi_confirmed,
        at=now,
        audited=("stage",),
        stage=G.PROPOSED,
        stage_changed_at=now,
    )
    StageChange.objects.create(
        initiative=initiative, from_stage="", to_stage=G.PROPOSED, actor=actor, at=now
    )
    linked = _link(actor=actor, initiative=initiative, requests=requests)
    if linked:
        audit_record(
            instance=initiative,
            actor=actor,
            action=AuditAction.UPDATE,
            changes={"requests": [[], [f"#{pk}" for pk in linked]]},
            note="requests linked",
        )
    return initiative


@transaction.atomic
def initiative_update(
    *,
    actor: User,
    initiative: Initiative,
    version: int,
    phi_confirmed: bool = False,
    **changes: Any,
) -> Initiative:
    """Edit an initiative's fields, people, facilities and priorities (`priorities` replaces
    the alignments: {priority: alignment}). Refused with StaleEdit when someone saved it since
    `version`; the stage moves through `initiative_advance` only."""
    locked = lock(initiative)
    require(actor, Action.INITIATIVE_EDIT, locked)
    _version_check(locked, version)
    if "stage" in changes:
        raise ValidationError({"stage": "Move the stage with the stage action."})
    refuse_unknown_fields(changes, INITIATIVE_EDITABLE)
    cleaned = _initiative_check(changes, current=locked)
    versioned_update(
        locked,
        cleaned,
        actor=actor,
        version=version,
        writes=INITIATIVE_WRITES,
        confirmed=phi_confirmed,
    )
    copy_back(initiative, locked)
    return initiative
