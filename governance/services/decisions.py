"""Recording decisions: who may, what each outcome needs, the effect applied through the
owning app's services, and the evidence the decision saw. Decisions are append-only: there is
no update or delete here; a correction is a new decision that supersedes the old one. The
evidence it saw is read by `governance.services.evidence`."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from governance.choices import Outcome, RedirectTo
from governance.models import AgendaItem, Decision, GovernanceBody
from governance.services.evidence import decision_evidence
from informatics.audit import audit_created
from informatics.exceptions import Conflict
from informatics.models import StrategicPriority, User
from informatics.permissions import Action, require
from informatics.services.records import field_errors, guard_record_text, lock, record_phi
from initiatives import services as initiative_services
from initiatives.choices import Stage
from initiatives.models import Initiative
from intake import services as intake_services
from intake.choices import DeclineReason, RequestStatus
from intake.models import IntakeRequest

OC = Outcome
APPROVALS = frozenset({OC.APPROVE, OC.APPROVE_WITH_CHANGES})
# What each kind of subject may be decided (DOMAIN.md §5): stop is for initiatives only;
# decline, redirect and merge for requests only.
SUBJECT_OUTCOMES: dict[str, frozenset[str]] = {
    "request": frozenset(
        {*APPROVALS, OC.DEFER, OC.DECLINE, OC.REDIRECT, OC.MERGE, OC.ESCALATE},
    ),
    "initiative": frozenset({*APPROVALS, OC.DEFER, OC.STOP, OC.ESCALATE}),
    "priority": frozenset({*APPROVALS, OC.DEFER, OC.ESCALATE}),
}
# The request status each outcome moves a request to (escalate leaves it where it is; merge
# goes through the merge service).
REQUEST_STATUS: dict[str, str] = {
    OC.APPROVE: RequestStatus.DECIDED,
    OC.APPROVE_WITH_CHANGES: RequestStatus.DECIDED,
    OC.DEFER: RequestStatus.SCHEDULED,
    OC.DECLINE: RequestStatus.DECLINED,
    OC.REDIRECT: RequestStatus.REDIRECTED,
}
INITIATIVE_STAGE: dict[str, str] = {
    OC.APPROVE: Stage.APPROVED,
    OC.APPROVE_WITH_CHANGES: Stage.APPROVED,
    OC.DEFER: Stage.DEFERRED,
    OC.STOP: Stage.STOPPED,
}


@dataclass(frozen=True)
class OutcomeCode:
    """A code one outcome takes (`codes`, for `outcome`): `missing` when that outcome lacks it
    (the codes are listed after it), `unwanted` when another outcome gives it."""

    codes: type[models.TextChoices]
    outcome: str
    missing: str
    unwanted: str


# The decision fields that hold such a code.
OUTCOME_CODES = {
    "decline_reason": OutcomeCode(
        DeclineReason,
        OC.DECLINE,
        missing="Give the reason for declining",
        unwanted="Only a decline takes a reason code.",
    ),
    "redirect_to": OutcomeCode(
        RedirectTo,
        OC.REDIRECT,
        missing="Say where the request goes instead",
        unwanted="Only a redirect says where the request goes.",
    ),
}
CREATED_FIELDS = (
    "body",
    "review",
    "agenda_item",
    "request",
    "initiative",
    "priority",
    "outcome",
    "rationale",
    "decline_reason",
    "redirect_to",
    "revisit_on",
    "merged_into",
    "waiver",
    "supersedes",
    "decided_at",
)


def decision_subject_kind(decision: Decision) -> str:
    """ "request", "initiative" or "priority": what `decision` is about."""
    if decision.request_id is not None:
        return "request"
    return "initiative" if decision.initiative_id is not None else "priority"


def _subject_check(
    request: IntakeRequest | None,
    initiative: Initiative | None,
    priority: StrategicPriority | None,
) -> str:
    given = [
        name
        for name, value in (
            ("request", request),
            ("initiative", initiative),
            ("priority", priority),
        )
        if value is not None
    ]
    if len(given) != 1:
        raise ValidationError(
            {"subject": "Name exactly one subject: a request, an initiative or a priority."}
        )
    return given[0]


def _outcome_check(kind: str, decision: Decision) -> None:
    """What `decision`'s outcome takes, checked: it fits the subject `kind`, and it has the
    revisit date, reason code, destination, surviving request or waiver it needs, and no
    other."""
    outcome = decision.outcome
    revisit_on = decision.revisit_on
    merged_into = decision.merged_into
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": f"{outcome!r} is not a decision outcome."})
    label = str(Outcome(outcome).label)
    if outcome not in SUBJECT_OUTCOMES[kind]:
        allowed = ", ".join(
            str(Outcome(value).label).lower()
            for value in Outcome.values
            if value in SUBJECT_OUTCOMES[kind]
        )
        raise ValidationError(
            {"outcome": f"{label} does not fit a {kind}: a {kind} may be {allowed}."}
        )
    errors: dict[str, str] = {}
    if outcome == OC.DEFER:
        if not isinstance(revisit_on, datetime.date):
            errors["revisit_on"] = "Give the date to revisit a deferred decision."
        elif revisit_on <= timezone.localdate():
            errors["revisit_on"] = "Give a revisit date after today."
    elif revisit_on is not None:
        errors["revisit_on"] = "Only a deferral takes a revisit date."
    for name, code in OUTCOME_CODES.items():
        value = getattr(decision, name)
        if outcome == code.outcome:
            if value not in code.codes.values:
                listed = ", ".join(str(label).lower() for label in code.codes.labels)
                errors[name] = f"{code.missing} ({listed})."
        elif value:
            errors[name] = code.unwanted
    if outcome == OC.MERGE:
        if merged_into is None:
            errors["merged_into"] = "Give the request this one merges into."
        elif merged_into.pk == decision.request_id:
            errors["merged_into"] = "A request cannot be merged into itself."
    elif merged_into is not None:
        errors["merged_into"] = "Only a merge names the request it merges into."
    initiative = decision.initiative
    if kind == "initiative" and outcome in APPROVALS and initiative is not None:
        missing = []
        if initiative.informaticist_lead_id is None:
            missing.append("no informaticist lead")
        if not initiative.benefits.exists():
            missing.append("no benefit line")
        if missing and not decision.waiver:
            errors["waiver"] = (
                f"The initiative has {' and '.join(missing)}: add them before approving, or "
                "give the reason to approve without them as a waiver."
            )
    elif decision.waiver:
        errors["waiver"] = "Only the approval of an initiative takes a waiver."
    if errors:
        raise ValidationError(errors)


def _supersedes_check(
    supersedes: Decision | None,
    *,
    request: IntakeRequest | None,
    initiative: Initiative | None,
    priority: StrategicPriority | None,
) -> Decision | None:
    if supersedes is None:
        return None
    old = lock(supersedes)
    later = Decision.objects.filter(supersedes=old).values_list("pk", flat=True).first()
    if later is not None:
        raise Conflict(
            {
                "supersedes": f"Decision #{old.pk} is already superseded by #{later}: "
                f"correct #{later} instead."
            }
        )
    same = (
        old.request_id == getattr(request, "pk", None)
        and old.initiative_id == getattr(initiative, "pk", None)
        and old.priority_id == getattr(priority, "pk", None)
    )
    if not same:
        raise ValidationError(
            {"supersedes": f"Decision #{old.pk} is about another subject: a correction keeps it."}
        )
    return old


def _request_effect(
    *, actor: User, request: IntakeRequest, decision: Decision, phi_confirmed: bool
) -> None:
    outcome = decision.outcome
    if outcome == OC.MERGE:
        assert decision.merged_into is not None
        intake_services.request_merge(
            actor=actor, request=request, survivor=decision.merged_into, via="governance"
        )
        return
    to_status = REQUEST_STATUS.get(outcome)
    if to_status is None:  # escalated: it waits on a higher body, where it is
        return
    decided = f"{Outcome(outcome).label} by {decision.body.name}"
    if outcome == OC.DEFER and decision.revisit_on is not None:
        decided += f", to revisit on {decision.revisit_on:%Y-%m-%d}"
    if outcome == OC.REDIRECT:
        decided += f" to {RedirectTo(decision.redirect_to).label.lower()}"
    intake_services.request_transition(
        actor=actor,
        request=request,
        to_status=to_status,
        note=f"{decided}: {decision.rationale}",
        decline_reason=decision.decline_reason,
        via="governance",
        phi_confirmed=phi_confirmed,
    )


def _initiative_effect(
    *, actor: User, initiative: Initiative, decision: Decision, phi_confirmed: bool
) -> None:
    to_stage = INITIATIVE_STAGE.get(decision.outcome)
    if to_stage is None:  # escalated: it waits on a higher body, where it is
        return
    initiative_services.initiative_advance(
        actor=actor,
        initiative=initiative,
        version=initiative.version,
        to_stage=to_stage,
        reason=decision.rationale,
        revisit_date=decision.revisit_on,
        via="governance",
        phi_confirmed=phi_confirmed,
    )


@transaction.atomic
def decision_record(
    *,
    actor: User,
    body: GovernanceBody,
    outcome: str,
    rationale: str,
    request: IntakeRequest | None = None,
    initiative: Initiative | None = None,
    priority: StrategicPriority | None = None,
    review: Any = None,
    agenda_item: AgendaItem | None = None,
    decline_reason: str = "",
    redirect_to: str = "",
    revisit_on: datetime.date | None = None,
    merged_into: IntakeRequest | None = None,
    waiver: str = "",
    supersedes: Decision | None = None,
    phi_confirmed: bool = False,
) -> Decision:
    """Record what `body` decided about one subject (a request, an initiative or a priority),
    why, and the evidence it saw; apply the effect through the owning app's services.

    - Members of the body record its decisions; the CMO and the CMIO record in any body. For
      an initiative the decision is the gate: approve, defer and stop move it only from here.
    - Each outcome takes what it needs, each error naming its field: defer a revisit date
      after today, decline a reason code, redirect where to, merge the surviving request.
      Approving an initiative needs its informaticist lead and a benefit line, or a `waiver`
      saying why not (kept on the decision).
    - Effects: a request moves (approve → decided, defer → scheduled, decline → declined and
      its submitter told, redirect → redirected, merge through the merge service); an
      initiative moves through `initiative_advance` (approved, deferred, stopped); escalate
      and decisions about priorities are recorded only. A refused move saves nothing.
    - `supersedes`: the decision this one corrects (same subject; once only).
    """
    require(actor, Action.DECISION_RECORD, body)
    kind = _subject_check(request, initiative, priority)
    if agenda_item is not None:
        if review is not None and agenda_item.review_id != review.pk:
            raise ValidationError({"agenda_item": "The agenda item belongs to another review."})
        review = agenda_item.review
    if review is not None and review.body_id != body.pk:
        raise ValidationError({"review": "The review is a meeting of another body."})
    if initiative is not None:
        initiative = lock(initiative)
    # The decision as it will be stored, checked, then saved once its effect has applied.
    decision = Decision(
        body=body,
        review=review,
        agenda_item=agenda_item,
        request=request,
        initiative=initiative,
        priority=priority,
        outcome=outcome,
        rationale=(rationale or "").strip(),
        decline_reason=decline_reason,
        redirect_to=redirect_to,
        revisit_on=revisit_on,
        merged_into=merged_into,
        waiver=(waiver or "").strip(),
        decided_by=actor,
    )
    errors: dict[str, str] = {}
    if not decision.rationale:
        errors["rationale"] = "Say why: the rationale is kept with the decision."
    field_errors(decision, ("rationale", "waiver"), errors)
    if errors:
        raise ValidationError(errors)
    _outcome_check(kind, decision)
    decision.supersedes = _supersedes_check(
        supersedes, request=request, initiative=initiative, priority=priority
    )
    findings = guard_record_text(
        Decision,
        {"rationale": decision.rationale, "waiver": decision.waiver},
        confirmed=phi_confirmed,
    )
    decision.evidence = decision_evidence(
        request=request, initiative=initiative, priority=priority, agenda_item=agenda_item
    )
    if request is not None:
        _request_effect(
            actor=actor, request=request, decision=decision, phi_confirmed=phi_confirmed
        )
    elif initiative is not None:
        _initiative_effect(
            actor=actor, initiative=initiative, decision=decision, phi_confirmed=phi_confirmed
        )
    decision.decided_at = timezone.now()
    decision.save(force_insert=True)
    audit_created(instance=decision, actor=actor, fields=CREATED_FIELDS)
    record_phi(instance=decision, findings=findings, actor=actor)
    return decision
