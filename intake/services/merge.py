"""Merging a duplicate request into the one that survives."""

from django.core.exceptions import ValidationError
from django.db import transaction

from informatics.audit import audit_record, audited_update
from informatics.choices import AuditAction
from informatics.exceptions import Conflict
from informatics.models import User
from informatics.permissions import Action, require
from informatics.services.records import copy_back, lock
from intake.choices import CLOSED_STATUSES, ScoreReason
from intake.models import IntakeRequest, RequestVote
from intake.services._common import S, _people, _status_label, request_url
from intake.services.transitions import TRANSITION_CALLERS, _move, _move_check
from intake.services.triage import _score


@transaction.atomic
def request_merge(
    *, actor: User, request: IntakeRequest, survivor: IntakeRequest, via: str | None = None
) -> IntakeRequest:
    """Merge the duplicate `request` into `survivor`: its +1s move over (except people
    already counted there), its submitter becomes a +1 on the survivor, it moves to Merged
    (telling its submitter where to follow), and a scored survivor is scored again.
    Returns the merged duplicate. `via="governance"`: a decision has authorised the actor
    (as for `request_transition`)."""
    if via is None:
        require(actor, Action.REQUEST_TRIAGE)
    elif via not in TRANSITION_CALLERS:
        raise ValidationError({"via": f"{via!r} is not a caller that merges requests."})
    if survivor.pk == request.pk:
        raise Conflict({"survivor": "A request cannot be merged into itself."})
    first, second = sorted((request, survivor), key=lambda r: r.pk)
    locked = {r.pk: lock(r, "submitted_by") for r in (first, second)}
    duplicate, keeper = locked[request.pk], locked[survivor.pk]
    if keeper.status in CLOSED_STATUSES:
        raise Conflict(
            {"survivor": f"#{keeper.pk} is {_status_label(keeper.status)}; merge into an open one."}
        )
    _move_check(duplicate.status, S.MERGED)
    counted = set(keeper.votes.values_list("voter_id", flat=True)) | {keeper.submitted_by_id}
    moving = [v.pk for v in duplicate.votes.all() if v.voter_id not in counted]
    people_before = _people(keeper)
    RequestVote.objects.filter(pk__in=moving).update(request=keeper, merged_from=duplicate)
    if duplicate.submitted_by_id not in counted:
        RequestVote.objects.create(
            request=keeper,
            voter_id=duplicate.submitted_by_id,
            specialty=duplicate.specialty,
            facility=duplicate.facility,
            frequency=duplicate.frequency,
            merged_from=duplicate,
        )
    audit_record(
        instance=keeper,
        actor=actor,
        action=AuditAction.UPDATE,
        changes={"people": [people_before, _people(keeper)]},
        note=f"merged #{duplicate.pk} into it",
    )
    audited_update(duplicate, actor=actor, changes={"duplicate_of": keeper})
    _move(
        actor=actor,
        request=duplicate,
        to_status=S.MERGED,
        note=f"Merged into #{keeper.pk}: its +1s now count there; follow it at "
        f"{request_url(keeper)}",
    )
    if keeper.current_score_id is not None:
        _score(request=keeper, reason=ScoreReason.MERGE, actor=actor)
    copy_back(request, duplicate)
    copy_back(survivor, keeper)
    return request
