"""Writes of the portfolio: initiatives, their stages, linked requests, benefit plans,
milestones and status updates.

Every function checks who may act (DESIGN.md's table through informatics.permissions: the
CMIO edits every initiative, an informaticist those they lead; approve and stop are gates for
the CMO, or for a governance decision), validates with field-named errors before writing
anything, guards free text against patient information (informatics.phi), and records what
changed (informatics.audit).

Stage moves go through `initiative_advance` only, which enforces the one stage table
(`STAGE_TRANSITIONS`), writes the stage timeline (`StageChange`), locks the benefit forecast
at the first approval, and makes the linked requests follow the initiative through
`request_transition(..., via="initiative")` — so their timeline, audit and the submitter's
notification are exactly those of any other request move. A linked request whose status the
request table does not let move to the follower status stays where it is (for example a
request still in triage when its initiative enters build: triage finishes it first).

Audit texts name requests by number only ("#12"): their titles are free text an admin may
redact, and redaction rewrites the request's own history, not copies kept elsewhere.
"""

import datetime
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from informatics.audit import audit_record, audited_update, diff, field_values
from informatics.choices import AuditAction, Role, ValueCategory
from informatics.exceptions import StaleEdit
from informatics.models import Facility, StrategicPriority, User
from informatics.permissions import Action, require
from informatics.phi import PhiFinding, phi_guard
from informatics.services import notify
from initiatives.choices import (
    CLOSED_STATUSES,
    GATE_STAGES,
    HEALTH_DIMENSIONS,
    REASON_REQUIRED,
    REQUEST_FOLLOWS,
    STAGE_TRANSITIONS,
    TRANSITIONS,
    Alignment,
    DeclineReason,
    Health,
    InitiativeType,
    RequestStatus,
    Stage,
)
from initiatives.models import (
    BenefitLine,
    Initiative,
    InitiativePriority,
    IntakeRequest,
    Milestone,
    StageChange,
    StatusUpdate,
)
from initiatives.services._common import TITLE_MAX, _record_phi, request_url
from initiatives.services.transitions import request_transition

# What `initiative_update` may change (stage, dates of the stage and the forecast lock move
# only through `initiative_advance`).
INITIATIVE_FIELDS = (
    "title",
    "type",
    "summary",
    "problem_statement",
    "executive_sponsor",
    "cmio_owner",
    "informaticist_lead",
    "start_date",
    "target_date",
    "effort_hours",
    "cost_estimate",
)
INITIATIVE_M2M = ("champions", "facilities", "priorities")
INITIATIVE_EDITABLE = (*INITIATIVE_FIELDS, *INITIATIVE_M2M)
# Free text the PHI guard reads before anything is saved.
INITIATIVE_PHI_FIELDS = ("title", "summary", "problem_statement")
STATUS_PHI_FIELDS = ("narrative", "risks")
BENEFIT_FIELDS = ("value_category", "description", "unit", "baseline", "target", "horizon")
BENEFIT_LOCKED = {
    "baseline": "locked_baseline",
    "target": "locked_target",
    "horizon": "locked_horizon",
}
MILESTONE_FIELDS = ("title", "due_date")
# Callers that authorise the actor themselves before moving an initiative (a governance
# decision, from the governance issue on).
ADVANCE_CALLERS = ("governance",)
# A stopped initiative declines its linked requests with this reason; the timeline note says
# which initiative stopped.
STOPPED_DECLINE_REASON = DeclineReason.NOT_FEASIBLE

DESCRIPTION_MAX = 300
UNIT_MAX = 40
COST_MAX = decimal.Decimal("9999999999.99")  # max_digits=12, decimal_places=2
BENEFIT_MAX = decimal.Decimal("999999999999.99")  # max_digits=14, decimal_places=2

G = Stage
R = RequestStatus


def _stage_label(stage: str) -> str:
    return str(Stage(stage).label) if stage in Stage.values else stage


# --- Checks ---------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return str(value or "").strip()


def _amount(value: Any, *, maximum: decimal.Decimal) -> decimal.Decimal | None:
    """A Decimal of two places within ±maximum, or None when `value` is not one."""
    if isinstance(value, bool) or not isinstance(value, (int, decimal.Decimal, str, float)):
        return None
    try:
        amount = decimal.Decimal(str(value))
    except decimal.InvalidOperation:
        return None
    cents = decimal.Decimal("0.01")
    if not amount.is_finite() or abs(amount) > maximum or amount != amount.quantize(cents):
        return None
    return amount.quantize(cents)


def _is_date(value: Any) -> bool:
    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)


def _active_person(value: Any, *roles: str) -> bool:
    if not isinstance(value, User) or not value.is_active:
        return False
    return not roles or value.has_role(*roles)


def _initiative_check(
    fields: dict[str, Any], *, current: Initiative | None = None
) -> dict[str, Any]:
    """Clean the initiative's fields (only those given) or raise field-named errors. People,
    facilities and priorities already on `current` pass even when no longer active, so an
    edit of another field never fails on them."""
    errors: dict[str, str] = {}
    cleaned = dict(fields)
    for name in ("title", "summary", "problem_statement"):
        if name in cleaned:
            cleaned[name] = _text(cleaned[name])
    if "title" in cleaned:
        if not cleaned["title"]:
            errors["title"] = "Give the initiative a short title."
        elif len(cleaned["title"]) > TITLE_MAX:
            errors["title"] = f"Keep the title to {TITLE_MAX} characters or fewer."
    if "type" in cleaned and cleaned["type"] not in InitiativeType.values:
        errors["type"] = f"{cleaned['type']!r} is not a type of initiative."
    if "summary" in cleaned and not cleaned["summary"]:
        errors["summary"] = "Say in a sentence or two what the initiative does."

    def kept(name: str, value: Any) -> bool:
        return current is not None and getattr(current, f"{name}_id") == getattr(value, "pk", -1)

    people = {
        "executive_sponsor": ((), "Choose an active person as executive sponsor."),
        "cmio_owner": ((Role.CMIO,), "Choose an active person who holds the CMIO role."),
        "informaticist_lead": (
            (Role.INFORMATICIST, Role.CMIO),
            "Choose an active informaticist (or the CMIO) to lead it.",
        ),
    }
    for name, (roles, message) in people.items():
        value = cleaned.get(name)
        if value is not None and not kept(name, value) and not _active_person(value, *roles):
            errors[name] = message
    if "champions" in cleaned:
        champions = list(cleaned["champions"] or ())
        had = set(current.champions.values_list("pk", flat=True)) if current else set()
        if not all(isinstance(p, User) and (p.pk in had or p.is_active) for p in champions):
            errors["champions"] = "Choose active people as physician champions."
        cleaned["champions"] = list(dict.fromkeys(champions))
    if "facilities" in cleaned:
        facilities = list(cleaned["facilities"] or ())
        had = set(current.facilities.values_list("pk", flat=True)) if current else set()
        if not all(isinstance(f, Facility) and (f.pk in had or f.is_active) for f in facilities):
            errors["facilities"] = "Choose active facilities."
        cleaned["facilities"] = list(dict.fromkeys(facilities))
    if "priorities" in cleaned:
        priorities = cleaned["priorities"] or {}
        had = set(current.alignments.values_list("priority_id", flat=True)) if current else set()
        if not isinstance(priorities, Mapping):
            errors["priorities"] = "Give each priority with its alignment (strong, moderate, weak)."
        elif not all(
            isinstance(p, StrategicPriority) and (p.pk in had or p.is_active) for p in priorities
        ):
            errors["priorities"] = "Align the initiative to active strategic priorities only."
        elif not all(alignment in Alignment.values for alignment in priorities.values()):
            errors["priorities"] = "Give each priority's alignment: strong, moderate or weak."
        else:
            cleaned["priorities"] = dict(priorities)
    for name in ("start_date", "target_date"):
        if cleaned.get(name) is not None and not _is_date(cleaned[name]):
            errors[name] = "Give a date."
    start = cleaned.get("start_date", current.start_date if current else None)
    target = cleaned.get("target_date", current.target_date if current else None)
    if (
        "start_date" not in errors
        and "target_date" not in errors
        and isinstance(start, datetime.date)
        and isinstance(target, datetime.date)
        and target < start
        and ({"start_date", "target_date"} & set(cleaned))
    ):
        errors["target_date"] = "The target date cannot be before the start date."
    hours = cleaned.get("effort_hours")
    if hours is not None and (isinstance(hours, bool) or not isinstance(hours, int) or hours < 0):
        errors["effort_hours"] = "Give the effort in whole hours, 0 or more."
    if cleaned.get("cost_estimate") is not None:
        cost = _amount(cleaned["cost_estimate"], maximum=COST_MAX)
        if cost is None or cost < 0:
            errors["cost_estimate"] = "Give the cost as an amount of 0 or more, in cents at most."
        else:
            cleaned["cost_estimate"] = cost
    if errors:
        raise ValidationError(errors)
    return cleaned


def _benefit_check(fields: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned = dict(fields)
    for name in ("description", "unit"):
        if name in cleaned:
            cleaned[name] = _text(cleaned[name])
    if "value_category" in cleaned and cleaned["value_category"] not in ValueCategory.values:
        errors["value_category"] = f"{cleaned['value_category']!r} is not a value category."
    if "description" in cleaned:
        if not cleaned["description"]:
            errors["description"] = "Say what value is expected."
        elif len(cleaned["description"]) > DESCRIPTION_MAX:
            errors["description"] = f"Keep this to {DESCRIPTION_MAX} characters or fewer."
    if len(cleaned.get("unit", "")) > UNIT_MAX:
        errors["unit"] = f"Keep the unit to {UNIT_MAX} characters or fewer."
    for name in ("baseline", "target"):
        if name in cleaned:
            amount = _amount(cleaned[name], maximum=BENEFIT_MAX)
            if amount is None:
                errors[name] = "Give a number, with at most two decimal places."
            else:
                cleaned[name] = amount
    if "horizon" in cleaned and not _is_date(cleaned["horizon"]):
        errors["horizon"] = "Give the date by which the value should be reached."
    if errors:
        raise ValidationError(errors)
    return cleaned


def _milestone_check(fields: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned = dict(fields)
    if "title" in cleaned:
        cleaned["title"] = _text(cleaned["title"])
        if not cleaned["title"]:
            errors["title"] = "Give the milestone a title."
        elif len(cleaned["title"]) > TITLE_MAX:
            errors["title"] = f"Keep the title to {TITLE_MAX} characters or fewer."
    if "due_date" in cleaned and not _is_date(cleaned["due_date"]):
        errors["due_date"] = "Give the date the milestone is due."
    if errors:
        raise ValidationError(errors)
    return cleaned


def _unknown_fields(changes: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be edited here."))


# --- Locking and the many-to-many sides -----------------------------------------------------


def _lock(initiative: Initiative) -> Initiative:
    """The initiative's row, locked for the rest of the transaction."""
    locked: Initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
    return locked


def _version_check(locked: Initiative, version: int) -> None:
    if locked.version != version:
        raise StaleEdit(current=locked, expected_version=version)


def _copy_back(initiative: Initiative, source: Initiative) -> None:
    """Bring the caller's instance up to date with the row just written."""
    for field in Initiative._meta.concrete_fields:
        setattr(initiative, field.attname, getattr(source, field.attname))


def _alignment_labels(alignments: Mapping[StrategicPriority, str]) -> list[str]:
    return sorted(f"{p.title} ({Alignment(a).label.lower()})" for p, a in alignments.items())


def _current_alignments(initiative: Initiative) -> dict[StrategicPriority, str]:
    return {
        row.priority: row.alignment
        for row in InitiativePriority.objects.filter(initiative=initiative).select_related(
            "priority"
        )
    }


def _set_alignments(initiative: Initiative, wanted: Mapping[StrategicPriority, str]) -> None:
    by_priority = {row.priority_id: row for row in initiative.alignments.all()}
    wanted_ids = {priority.pk: alignment for priority, alignment in wanted.items()}
    InitiativePriority.objects.filter(initiative=initiative).exclude(
        priority_id__in=wanted_ids
    ).delete()
    for priority_id, alignment in wanted_ids.items():
        row = by_priority.get(priority_id)
        if row is None:
            InitiativePriority.objects.create(
                initiative=initiative, priority_id=priority_id, alignment=alignment
            )
        elif row.alignment != alignment:
            InitiativePriority.objects.filter(pk=row.pk).update(alignment=alignment)


def _m2m_values(initiative: Initiative) -> dict[str, list[str]]:
    """The many-to-many sides of an initiative as audit values (sorted names)."""
    return {
        "champions": sorted(str(p) for p in initiative.champions.all()),
        "facilities": sorted(str(f) for f in initiative.facilities.all()),
        "priorities": _alignment_labels(_current_alignments(initiative)),
    }


def _m2m_set(initiative: Initiative, cleaned: Mapping[str, Any]) -> None:
    if "champions" in cleaned:
        initiative.champions.set(cleaned["champions"])
    if "facilities" in cleaned:
        initiative.facilities.set(cleaned["facilities"])
    if "priorities" in cleaned:
        _set_alignments(initiative, cleaned["priorities"])


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


def _link(*, actor: User, initiative: Initiative, requests: Iterable[IntakeRequest]) -> list[int]:
    """Link `requests` (refusing closed ones and those of another initiative); each linked
    request follows the current stage, or else its submitter is told it joined. Returns the
    numbers newly linked."""
    wanted = sorted({r.pk for r in requests})
    if not wanted:
        return []
    if initiative.stage in (G.STOPPED, G.CLOSED):
        raise ValidationError(
            {"requests": f"This initiative is {_stage_label(initiative.stage)}; link open work."}
        )
    rows = list(
        IntakeRequest.objects.select_for_update()
        .select_related("submitted_by")
        .filter(pk__in=wanted)
        .order_by("pk")
    )
    problems = []
    for row in rows:
        if row.initiative_id not in (None, initiative.pk):
            problems.append(f"#{row.pk} is linked to initiative #{row.initiative_id}")
        elif row.status in CLOSED_STATUSES:
            problems.append(f"#{row.pk} is {RequestStatus(row.status).label.lower()}")
    if len(rows) != len(wanted):
        problems.append("some of the requests do not exist")
    if problems:
        raise ValidationError({"requests": f"Cannot link: {'; '.join(problems)}."})
    linked: list[int] = []
    for row in rows:
        if row.initiative_id == initiative.pk:
            continue
        audited_update(
            row,
            actor=actor,
            changes={"initiative": initiative},
            expected_version=row.version,
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
        for pk in IntakeRequest.objects.filter(initiative=initiative)
        .order_by("pk")
        .values_list("pk", flat=True)
    ]


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
    findings = phi_guard(
        fields={name: cleaned[name] for name in INITIATIVE_PHI_FIELDS}, confirmed=phi_confirmed
    )
    now = timezone.now()
    initiative = Initiative.objects.create(
        **{name: cleaned[name] for name in INITIATIVE_FIELDS},
        stage=G.PROPOSED,
        stage_changed_at=now,
        created_at=now,
        updated_at=now,
    )
    _m2m_set(initiative, cleaned)
    StageChange.objects.create(
        initiative=initiative, from_stage="", to_stage=G.PROPOSED, actor=actor, at=now
    )
    values = field_values(initiative, (*INITIATIVE_FIELDS, "stage"))
    values.update(_m2m_values(initiative))
    audit_record(
        instance=initiative,
        actor=actor,
        action=AuditAction.CREATE,
        changes={name: [None, value] for name, value in values.items()},
    )
    _record_phi(instance=initiative, findings=findings, actor=actor)
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
    locked = _lock(initiative)
    require(actor, Action.INITIATIVE_EDIT, locked)
    _version_check(locked, version)
    if "stage" in changes:
        raise ValidationError({"stage": "Move the stage with the stage action."})
    _unknown_fields(changes, INITIATIVE_EDITABLE)
    cleaned = _initiative_check(changes, current=locked)
    changed_text = {
        name: cleaned[name]
        for name in INITIATIVE_PHI_FIELDS
        if name in cleaned and cleaned[name] != getattr(locked, name)
    }
    findings = phi_guard(fields=changed_text, confirmed=phi_confirmed)
    m2m_before = _m2m_values(locked)
    audited_update(
        locked,
        actor=actor,
        changes={name: cleaned[name] for name in INITIATIVE_FIELDS if name in cleaned},
        expected_version=version,
    )
    if set(INITIATIVE_M2M) & set(cleaned):
        _m2m_set(locked, cleaned)
        m2m_after = _m2m_values(locked)
        audit_record(
            instance=locked,
            actor=actor,
            action=AuditAction.UPDATE,
            changes=diff(
                {name: m2m_before[name] for name in INITIATIVE_M2M if name in cleaned},
                {name: m2m_after[name] for name in INITIATIVE_M2M if name in cleaned},
            ),
        )
    _record_phi(instance=locked, findings=findings, actor=actor)
    _copy_back(initiative, locked)
    return initiative


@transaction.atomic
def initiative_link_requests(
    *, actor: User, initiative: Initiative, requests: Iterable[IntakeRequest]
) -> None:
    """Link intake requests to the initiative (those who may edit it). Each follows the
    current stage where the request table allows it (see the module's docstring); a request
    already linked elsewhere, or closed, is refused, naming it."""
    locked = _lock(initiative)
    require(actor, Action.INITIATIVE_EDIT, locked)
    before = _linked_labels(locked)
    if _link(actor=actor, initiative=locked, requests=requests):
        audit_record(
            instance=locked,
            actor=actor,
            action=AuditAction.UPDATE,
            changes={"requests": [before, _linked_labels(locked)]},
            note="requests linked",
        )


@transaction.atomic
def initiative_unlink_requests(
    *, actor: User, initiative: Initiative, requests: Iterable[IntakeRequest]
) -> None:
    """Take requests off the initiative; their status stays as it is."""
    locked = _lock(initiative)
    require(actor, Action.INITIATIVE_EDIT, locked)
    before = _linked_labels(locked)
    wanted = {r.pk for r in requests}
    rows = IntakeRequest.objects.select_for_update().filter(pk__in=wanted, initiative=locked)
    changed = False
    for row in rows.order_by("pk"):
        audited_update(
            row,
            actor=actor,
            changes={"initiative": None},
            expected_version=row.version,
            note=f"unlinked from initiative #{locked.pk}",
        )
        changed = True
    if changed:
        audit_record(
            instance=locked,
            actor=actor,
            action=AuditAction.UPDATE,
            changes={"requests": [before, _linked_labels(locked)]},
            note="requests unlinked",
        )


def _advance_check(
    *,
    initiative: Initiative,
    to_stage: str,
    reason: str,
    revisit_date: datetime.date | None,
    go_live_date: datetime.date | None,
) -> None:
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": f"{to_stage!r} is not a stage."})
    from_stage = initiative.stage
    allowed = STAGE_TRANSITIONS.get(from_stage, ())
    from_label, to_label = _stage_label(from_stage), _stage_label(to_stage)
    if to_stage not in allowed:
        prefix = f"Cannot move an initiative from {from_label} to {to_label}"
        if not allowed:
            raise ValidationError(
                {"to_stage": f"{prefix}: it is {from_label} and takes no more steps."}
            )
        steps = ", ".join(_stage_label(step) for step in allowed)
        raise ValidationError({"to_stage": f"{prefix}: allowed next stages are {steps}."})
    errors: dict[str, str] = {}
    if to_stage in REASON_REQUIRED and not reason:
        errors["reason"] = f"Say why the initiative is {to_label.lower()}."
    if to_stage == G.DEFERRED:
        if not _is_date(revisit_date):
            errors["revisit_date"] = "Give the date to revisit it."
        elif revisit_date is not None and revisit_date <= timezone.localdate():
            errors["revisit_date"] = "Give a revisit date after today."
    elif revisit_date is not None:
        errors["revisit_date"] = "Only a deferral takes a revisit date."
    if to_stage == G.LIVE:
        if go_live_date is not None and not _is_date(go_live_date):
            errors["go_live_date"] = "Give the go-live date."
    elif go_live_date is not None:
        errors["go_live_date"] = "Only a move to Live records a go-live date."
    if errors:
        raise ValidationError(errors)


def _forecast_lock(*, actor: User | None, initiative: Initiative, at: datetime.datetime) -> None:
    """Copy every unlocked benefit line's baseline, target and horizon into its locked values."""
    for benefit in BenefitLine.objects.select_for_update().filter(
        initiative=initiative, locked_at__isnull=True
    ):
        audited_update(
            benefit,
            actor=actor,
            changes={
                **{locked: getattr(benefit, name) for name, locked in BENEFIT_LOCKED.items()},
                "locked_at": at,
            },
            note="forecast locked at approval",
        )


@transaction.atomic
def initiative_advance(
    *,
    actor: User,
    initiative: Initiative,
    version: int,
    to_stage: str,
    reason: str = "",
    revisit_date: datetime.date | None = None,
    go_live_date: datetime.date | None = None,
    via: str | None = None,
    phi_confirmed: bool = False,
) -> Initiative:
    """Move the initiative along the stage table (STAGE_TRANSITIONS).

    - Approve and stop are gates: the CMO decides (until governance bodies exist, the CMIO
      and executives decide only as members of a body); the other moves are for those who may
      edit the initiative. `via="governance"`: the calling decision has authorised the actor.
    - Deferred, stopped and on hold need a reason (kept as `stage_reason`); deferred also a
      revisit date after today (cleared when it leaves deferred). Live records the go-live
      date (today unless given), which the metrics app reads.
    - The first approval locks the benefit forecast (`locked_*` of every line and the
      initiative's `forecast_locked_at`); a later approval (after a hold) keeps that lock.
    - The move is audited with the fields that changed, written to the stage timeline with
      who and why, and the linked requests follow (REQUEST_FOLLOWS) where their table allows.
    """
    if via is not None and via not in ADVANCE_CALLERS:
        raise ValidationError({"via": f"{via!r} is not a caller that moves initiatives."})
    locked = _lock(initiative)
    if via is None:
        if to_stage in GATE_STAGES:
            require(actor, Action.INITIATIVE_GATE)
        else:
            require(actor, Action.INITIATIVE_EDIT, locked)
    _version_check(locked, version)
    reason = _text(reason)
    _advance_check(
        initiative=locked,
        to_stage=to_stage,
        reason=reason,
        revisit_date=revisit_date,
        go_live_date=go_live_date,
    )
    findings = phi_guard(fields={"reason": reason}, confirmed=phi_confirmed)
    now = timezone.now()
    from_stage = locked.stage
    changes: dict[str, Any] = {"stage": to_stage, "stage_changed_at": now}
    if to_stage in REASON_REQUIRED:
        changes["stage_reason"] = reason
    if to_stage == G.DEFERRED:
        changes["revisit_date"] = revisit_date
    elif locked.revisit_date is not None:
        changes["revisit_date"] = None
    if to_stage == G.LIVE:
        changes["go_live_date"] = go_live_date or timezone.localdate()
    if to_stage == G.APPROVED and locked.forecast_locked_at is None:
        changes["forecast_locked_at"] = now
        _forecast_lock(actor=actor, initiative=locked, at=now)
    audited_update(
        locked,
        actor=actor,
        changes=changes,
        expected_version=version,
        note=f"{_stage_label(from_stage)} → {_stage_label(to_stage)}",
    )
    change = StageChange.objects.create(
        initiative=locked,
        from_stage=from_stage,
        to_stage=to_stage,
        actor=actor,
        reason=reason,
        at=now,
    )
    _record_phi(instance=change, findings=findings, actor=actor)
    for request in (
        IntakeRequest.objects.filter(initiative=locked)
        .select_related("submitted_by")
        .order_by("pk")
    ):
        _follow(actor=actor, initiative=locked, request=request, stage=to_stage)
    _copy_back(initiative, locked)
    return initiative


# --- Benefit plan ---------------------------------------------------------------------------


@transaction.atomic
def benefit_add(
    *,
    actor: User,
    initiative: Initiative,
    value_category: str,
    description: str,
    unit: str,
    baseline: decimal.Decimal,
    target: decimal.Decimal,
    horizon: datetime.date,
) -> BenefitLine:
    """Add a line to the benefit plan (those who may edit the initiative). Once the forecast
    is locked (the initiative was approved), a new line is locked as it is added: its forecast
    is what was promised when it joined the plan, and later edits show as variance too."""
    require(actor, Action.INITIATIVE_EDIT, initiative)
    cleaned = _benefit_check(
        {
            "value_category": value_category,
            "description": description,
            "unit": unit,
            "baseline": baseline,
            "target": target,
            "horizon": horizon,
        }
    )
    locked_at = Initiative.objects.values_list("forecast_locked_at", flat=True).get(
        pk=initiative.pk
    )
    now = timezone.now()
    lock: dict[str, Any] = {}
    if locked_at is not None:
        lock = {locked: cleaned[name] for name, locked in BENEFIT_LOCKED.items()}
        lock["locked_at"] = now
    benefit = BenefitLine.objects.create(
        initiative=initiative, **cleaned, **lock, created_at=now, updated_at=now
    )
    audit_fields = (*BENEFIT_FIELDS, *(lock.keys()))
    audit_record(
        instance=benefit,
        actor=actor,
        action=AuditAction.CREATE,
        changes={
            name: [None, value] for name, value in field_values(benefit, audit_fields).items()
        },
        note="added after approval: locked as added" if lock else "",
    )
    return benefit


@transaction.atomic
def benefit_update(*, actor: User, benefit: BenefitLine, **changes: Any) -> BenefitLine:
    """Edit a benefit line's current values. The locked forecast never changes: after
    approval an edit shows as variance (current − locked)."""
    require(actor, Action.INITIATIVE_EDIT, benefit.initiative)
    locked_names = {*BENEFIT_LOCKED.values(), "locked_at"}
    if locked_names & set(changes):
        raise ValidationError(
            dict.fromkeys(
                sorted(locked_names & set(changes)),
                "The locked forecast never changes; edit the current value instead.",
            )
        )
    _unknown_fields(changes, BENEFIT_FIELDS)
    cleaned = _benefit_check(changes)
    audited_update(benefit, actor=actor, changes=cleaned)
    return benefit


# --- Milestones -----------------------------------------------------------------------------


@transaction.atomic
def milestone_add(
    *, actor: User, initiative: Initiative, title: str, due_date: datetime.date
) -> Milestone:
    require(actor, Action.INITIATIVE_EDIT, initiative)
    cleaned = _milestone_check({"title": title, "due_date": due_date})
    now = timezone.now()
    milestone = Milestone.objects.create(
        initiative=initiative, **cleaned, created_at=now, updated_at=now
    )
    audit_record(
        instance=milestone,
        actor=actor,
        action=AuditAction.CREATE,
        changes={
            name: [None, value]
            for name, value in field_values(milestone, (*MILESTONE_FIELDS, "initiative")).items()
        },
    )
    return milestone


@transaction.atomic
def milestone_update(*, actor: User, milestone: Milestone, **changes: Any) -> Milestone:
    """Rename or re-date a milestone."""
    require(actor, Action.INITIATIVE_EDIT, milestone.initiative)
    _unknown_fields(changes, MILESTONE_FIELDS)
    audited_update(milestone, actor=actor, changes=_milestone_check(changes))
    return milestone


@transaction.atomic
def milestone_done(*, actor: User, milestone: Milestone) -> Milestone:
    """Mark a milestone done, now, by `actor`."""
    require(actor, Action.INITIATIVE_EDIT, milestone.initiative)
    locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if locked.done_at is not None:
        raise ValidationError({"done_at": "This milestone is already done."})
    audited_update(
        locked, actor=actor, changes={"done_at": timezone.now(), "done_by": actor}, note="done"
    )
    milestone.done_at, milestone.done_by = locked.done_at, actor
    milestone.updated_at = locked.updated_at
    return milestone


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
    errors = {
        name: "Choose on track, at risk or off track."
        for name in HEALTH_DIMENSIONS
        if health[name] not in Health.values
    }
    texts = {"narrative": _text(narrative), "risks": _text(risks)}
    if not texts["narrative"]:
        errors["narrative"] = "Say how the work is going."
    if errors:
        raise ValidationError(errors)
    findings: dict[str, list[PhiFinding]] = phi_guard(fields=texts, confirmed=phi_confirmed)
    update = StatusUpdate.objects.create(
        initiative=initiative, author=actor, at=timezone.now(), **health, **texts
    )
    audit_record(
        instance=update,
        actor=actor,
        action=AuditAction.CREATE,
        changes={
            name: [None, value]
            for name, value in field_values(
                update, ("initiative", *HEALTH_DIMENSIONS, *STATUS_PHI_FIELDS)
            ).items()
        },
    )
    _record_phi(instance=update, findings=findings, actor=actor)
    return update
