"""Linking intake requests to initiatives; linked requests follow their initiative's stage
(through intake's `request_transition`, `via="initiative"`)."""

from collections.abc import Iterable

from django.db import transaction

from informatics.audit import audit_record
from informatics.choices import AuditAction
from informatics.exceptions import Conflict
from informatics.models import User
from informatics.permissions import Action, require
from informatics.services import notify
from informatics.services.records import lock
from initiatives.choices import (
    REQUEST_FOLLOWS,
)
from initiatives.models import (
    Initiative,
    LinkedRequest,
)
from initiatives.services._common import (
    STOPPED_DECLINE_REASON,
    G,
    R,
    _stage_label,
)
from intake.choices import CLOSED_STATUSES, TRANSITIONS, TRIAGE_STATUSES, RequestStatus
from intake.models import IntakeRequest
from intake.services import request_transition, request_url

# --- Linked requests ------------------------------------------------------------------------


def _follow(*, actor: User, initiative: Initiative, request: IntakeRequest, stage: str) -> bool:
    """Move `request` to the status its initiative's `stage` calls for (REQUEST_FOLLOWS),
    when the request table allows the move from where it is; True when it moved."""
    target = REQUEST_FOLLOWS.get(stage)
    if target is None or request.status == target or target not in TRANSITIONS[request.status]:
        return False
    request_transition(
        actor=actor,
        request=request,
        to_status=target,
        note=f"Initiative #{initiative.pk} moved to {_stage_label(stage)}.",
        decline_reason=STOPPED_DECLINE_REASON if target == R.DECLINED else "",
        via="initiative",
    )
    return True


def _linked_to(request: IntakeRequest) -> int | None:
    """The number of the initiative `request` is linked to, if any."""
    try:
        return request.initiative_link.initiative_id
    except LinkedRequest.DoesNotExist:
        return None


def _link(*, actor: User, initiative: Initiative, requests: Iterable[IntakeRequest]) -> list[int]:
    """Link `requests` (refusing closed ones and those of another initiative); each linked
    request follows the current stage, or else its submitter is told it joined. Returns the
    numbers newly linked."""
    wanted = sorted({r.pk for r in requests})
    if not wanted:
        return []
    if initiative.stage in (G.STOPPED, G.CLOSED):
        raise Conflict(
            {"requests": f"This initiative is {_stage_label(initiative.stage)}; link open work."}
        )
    rows = list(
        # The link is an outer join, which PostgreSQL cannot lock: lock the requests only
        # (a link row is made or refused only under its request's lock).
        IntakeRequest.objects.select_for_update(of=("self",))
        .select_related("submitted_by", "initiative_link")
        .filter(pk__in=wanted)
        .order_by("pk")
    )
    problems = []
    for row in rows:
        current = _linked_to(row)
        if current not in (None, initiative.pk):
            problems.append(f"#{row.pk} is linked to initiative #{current}")
        elif row.status in CLOSED_STATUSES:
            problems.append(f"#{row.pk} is {RequestStatus(row.status).label.lower()}")
        elif row.status in TRIAGE_STATUSES:
            # Linked, it would sit in build and in the triage queue at once, unscored.
            problems.append(
                f"#{row.pk} is waiting for triage ({RequestStatus(row.status).label.lower()}): "
                "triage and score it first"
            )
    if len(rows) != len(wanted):
        problems.append("some of the requests do not exist")
    if problems:
        raise Conflict({"requests": f"Cannot link: {'; '.join(problems)}."})
    linked: list[int] = []
    for row in rows:
        if _linked_to(row) == initiative.pk:
            continue
        LinkedRequest.objects.create(initiative=initiative, request=row)
        audit_record(
            instance=row,
            actor=actor,
            action=AuditAction.UPDATE,
            changes={"initiative": [None, str(initiative)]},
            note=f"linked to initiative #{initiative.pk}",
        )
        linked.append(row.pk)
        if not _follow(actor=actor, initiative=initiative, request=row, stage=initiative.stage):
            notify(
                recipient=row.submitted_by,
                subject=f"Your request #{row.pk} is part of an initiative",
                body=(
                    f"Request #{row.pk} is now part of initiative #{initiative.pk}, "
                    f"which is {_stage_label(initiative.stage)}. It follows the initiative "
                    "from here."
                ),
                url=request_url(row),
            )
    return linked


def _linked_labels(initiative: Initiative) -> list[str]:
    return [
        f"#{pk}"
        for pk in LinkedRequest.objects.filter(initiative=initiative)
        .order_by("request_id")
        .values_list("request_id", flat=True)
    ]


def _requests_audit(*, actor: User, initiative: Initiative, before: list[str], note: str) -> None:
    """Audit the initiative's linked requests as they now are against `before`."""
    audit_record(
        instance=initiative,
        actor=actor,
        action=AuditAction.UPDATE,
        changes={"requests": [before, _linked_labels(initiative)]},
        note=note,
    )


@transaction.atomic
def initiative_link_requests(
    *, actor: User, initiative: Initiative, requests: Iterable[IntakeRequest]
) -> None:
    """Link intake requests to the initiative (those who may edit it). Each follows the
    current stage where the request table allows it (see the module's docstring); a request
    already linked elsewhere, closed, or still waiting for triage is refused, naming it (an
    untriaged request has no score and no route yet: linked, it would sit in build and in
    the triage queue at once)."""
    locked = lock(initiative)
    require(actor, Action.INITIATIVE_EDIT, locked)
    before = _linked_labels(locked)
    if _link(actor=actor, initiative=locked, requests=requests):
        _requests_audit(actor=actor, initiative=locked, before=before, note="requests linked")


@transaction.atomic
def initiative_unlink_requests(
    *, actor: User, initiative: Initiative, requests: Iterable[IntakeRequest]
) -> None:
    """Take requests off the initiative; their status stays as it is."""
    locked = lock(initiative)
    require(actor, Action.INITIATIVE_EDIT, locked)
    before = _linked_labels(locked)
    wanted = {r.pk for r in requests}
    links = LinkedRequest.objects.select_for_update().filter(
        request_id__in=wanted, initiative=locked
    )
    changed = False
    for link in links.select_related("request").order_by("request_id"):
        link.delete()
        audit_record(
            instance=link.request,
            actor=actor,
            action=AuditAction.UPDATE,
            changes={"initiative": [str(locked), None]},
            note=f"unlinked from initiative #{locked.pk}",
        )
        changed = True
    if changed:
        _requests_audit(actor=actor, initiative=locked, before=before, note="requests unlinked")
