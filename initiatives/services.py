"""Writes of intake: submitting, editing, voting on, discussing, triaging, scoring, moving
and merging requests, and editing the scoring rubric.

Every function checks who may act (informatics.permissions), validates with field-named
errors before writing anything, guards free text against patient information
(informatics.phi), and records what changed (informatics.audit). Status moves go through
`_move` only, which enforces the one transition table, writes the timeline and tells the
submitter.
"""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from informatics.audit import audit_created, audit_record, audited_update, diff
from informatics.choices import DEFAULT_SLA_HOURS, AuditAction, Route
from informatics.models import Facility, StrategicPriority, User
from informatics.permissions import Action, ActionDenied, require
from informatics.phi import PhiFinding, phi_confirmations_record, phi_guard
from informatics.services import notify, site_settings_get
from initiatives import scoring
from initiatives.choices import (
    CLOSED_STATUSES,
    TRANSITIONS,
    CommentKind,
    DeclineReason,
    Frequency,
    RequestKind,
    RequestStatus,
    ScoreReason,
)
from initiatives.models import (
    IntakeRequest,
    RequestComment,
    RequestScore,
    RequestStatusChange,
    RequestVote,
    Rubric,
)
from initiatives.selectors import rubric_current

S = RequestStatus

# What the submitter may change while the request is still submitted.
EDITABLE_FIELDS = (
    "kind",
    "title",
    "story_today",
    "story_wanted",
    "workflow_area",
    "ehr_module",
    "facility",
    "specialty",
    "frequency",
    "minutes_lost",
    "is_safety_concern",
    "is_regulatory",
    "suggested_priority",
    "is_private",
)
# Free text the PHI guard reads before anything is saved.
PHI_FIELDS = ("title", "story_today", "story_wanted")
AUDITED_ON_CREATE = (*EDITABLE_FIELDS, "status", "route", "sla_due_at")
# Callers that authorise the actor themselves before moving a request (DESIGN.md: a linked
# initiative, a governance decision).
TRANSITION_CALLERS = ("initiative", "governance")
TITLE_MAX = 200
SHORT_TEXT_MAX = 100


def request_url(request: IntakeRequest) -> str:
    return reverse("initiatives:request-detail", args=[request.pk])


def _status_label(status: str) -> str:
    return str(RequestStatus(status).label) if status in RequestStatus.values else status


# --- Validation -----------------------------------------------------------------------------


def _request_fields_check(fields: dict[str, Any]) -> dict[str, Any]:
    """Clean the submitter's fields (only those given) or raise field-named errors."""
    errors: dict[str, str] = {}
    cleaned = dict(fields)
    for name in ("title", "story_today", "story_wanted", "workflow_area", "ehr_module"):
        if name in cleaned:
            cleaned[name] = str(cleaned[name] or "").strip()
    if "specialty" in cleaned:
        cleaned["specialty"] = str(cleaned["specialty"] or "").strip()
    if "kind" in cleaned and cleaned["kind"] not in RequestKind.values:
        errors["kind"] = f"{cleaned['kind']!r} is not a kind of request."
    if "title" in cleaned:
        if not cleaned["title"]:
            errors["title"] = "Give the request a short title."
        elif len(cleaned["title"]) > TITLE_MAX:
            errors["title"] = f"Keep the title to {TITLE_MAX} characters or fewer."
    if "story_today" in cleaned and not cleaned["story_today"]:
        errors["story_today"] = "Say what happens today."
    if "story_wanted" in cleaned and not cleaned["story_wanted"]:
        errors["story_wanted"] = "Say what should happen instead."
    for name in ("workflow_area", "ehr_module", "specialty"):
        if len(cleaned.get(name, "")) > SHORT_TEXT_MAX:
            errors[name] = f"Keep this to {SHORT_TEXT_MAX} characters or fewer."
    if "frequency" in cleaned and cleaned["frequency"] not in Frequency.values:
        errors["frequency"] = "Say how often it happens."
    if "minutes_lost" in cleaned:
        minutes = cleaned["minutes_lost"]
        if minutes is not None and (
            isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0
        ):
            errors["minutes_lost"] = "Give the minutes lost as a whole number of 0 or more."
    facility = cleaned.get("facility")
    if facility is not None and (not isinstance(facility, Facility) or not facility.is_active):
        errors["facility"] = "Choose an active facility."
    priority = cleaned.get("suggested_priority")
    if priority is not None and (
        not isinstance(priority, StrategicPriority) or not priority.is_active
    ):
        errors["suggested_priority"] = "Choose an active strategic priority."
    for name in ("is_safety_concern", "is_regulatory", "is_private"):
        if name in cleaned:
            cleaned[name] = bool(cleaned[name])
    if errors:
        raise ValidationError(errors)
    return cleaned


def _route_fields(route: str | None, at: datetime.datetime) -> dict[str, Any]:
    """route, routed_at and the SLA due time of that route (SiteSettings.sla_hours)."""
    if not route:
        return {"route": "", "routed_at": None, "sla_due_at": None}
    hours = site_settings_get().sla_hours.get(route, DEFAULT_SLA_HOURS.get(route, 0))
    return {"route": route, "routed_at": at, "sla_due_at": at + datetime.timedelta(hours=hours)}


def _record_phi(*, instance: Any, findings: Mapping[str, list[PhiFinding]], actor: User) -> None:
    if any(findings.values()):
        phi_confirmations_record(instance=instance, findings=dict(findings), actor=actor)


def _people(request: IntakeRequest) -> int:
    """Distinct people behind a request: the submitter plus everyone who added a +1."""
    voters = (
        RequestVote.objects.filter(request=request)
        .exclude(voter_id=request.submitted_by_id)
        .values("voter_id")
        .distinct()
        .count()
    )
    return 1 + voters


def _lock(request: IntakeRequest) -> IntakeRequest:
    locked: IntakeRequest = (
        IntakeRequest.objects.select_for_update().select_related("submitted_by").get(pk=request.pk)
    )
    return locked


def _copy_back(request: IntakeRequest, source: IntakeRequest) -> None:
    """Bring the caller's instance up to date with the row just written."""
    for field in IntakeRequest._meta.concrete_fields:
        setattr(request, field.attname, getattr(source, field.attname))


# --- Status moves ---------------------------------------------------------------------------


def _move_check(from_status: str, to_status: str) -> None:
    if to_status not in RequestStatus.values:
        raise ValidationError({"to_status": f"{to_status!r} is not a request status."})
    allowed = TRANSITIONS.get(from_status, ())
    if to_status in allowed:
        return
    from_label, to_label = _status_label(from_status), _status_label(to_status)
    prefix = f"Cannot move a request from {from_label} to {to_label}"
    if not allowed:
        raise ValidationError(
            {"to_status": f"{prefix}: it is {from_label} and takes no more steps."}
        )
    steps = ", ".join(_status_label(step) for step in allowed)
    raise ValidationError({"to_status": f"{prefix}: allowed next steps are {steps}."})


def _move(
    *,
    actor: User | None,
    request: IntakeRequest,
    to_status: str,
    note: str = "",
    decline_reason: str = "",
) -> IntakeRequest:
    """The only door to a new status: table check, audited update (the version moves on),
    a timeline row, and a notification to the submitter once the transaction commits."""
    locked = _lock(request)
    from_status = locked.status
    _move_check(from_status, to_status)
    if to_status == S.SCORED and locked.current_score_id is None:
        raise ValidationError({"to_status": "Score the request before moving it to Scored."})
    now = timezone.now()
    changes: dict[str, Any] = {"status": to_status, "status_changed_at": now}
    if to_status == S.DECLINED:
        if decline_reason not in DeclineReason.values:
            choices = ", ".join(str(label).lower() for label in DeclineReason.labels)
            raise ValidationError({"decline_reason": f"Give the reason for declining ({choices})."})
        changes["decline_reason"] = decline_reason
    elif locked.decline_reason:
        changes["decline_reason"] = ""
    audited_update(
        locked,
        actor=actor,
        changes=changes,
        expected_version=locked.version,
        note=f"{_status_label(from_status)} → {_status_label(to_status)}",
    )
    RequestStatusChange.objects.create(
        request=locked, from_status=from_status, to_status=to_status, actor=actor, note=note, at=now
    )
    _copy_back(request, locked)
    _notify_status(request=locked, from_status=from_status, note=note)
    return request


def _notify_status(*, request: IntakeRequest, from_status: str, note: str) -> None:
    to_label = _status_label(request.status)
    # Free text (title, stories, questions) stays out of the outbox: an admin's redaction
    # reaches the records and their history, not e-mails kept for sending.
    lines = [f"Request #{request.pk} moved from {_status_label(from_status)} to {to_label}."]
    if request.status == S.DECLINED and request.decline_reason:
        lines.append(f"Reason: {DeclineReason(request.decline_reason).label}.")
    if note:
        lines += ["", note]
    notify(
        recipient=request.submitted_by,
        subject=f"Your request #{request.pk} is now {to_label}",
        body="\n".join(lines),
        url=request_url(request),
    )


@transaction.atomic
def request_transition(
    *,
    actor: User,
    request: IntakeRequest,
    to_status: str,
    note: str = "",
    decline_reason: str = "",
    via: str | None = None,
) -> IntakeRequest:
    """Move a request along the transition table (informaticists and the CMIO).

    `via="initiative"` or `"governance"`: the calling service has authorised the actor, so the
    role check is skipped — the table never is. Needs info is reached by asking a question
    (`request_ask`), Merged by merging (`request_merge`).
    """
    if via is None:
        require(actor, Action.REQUEST_TRIAGE)
    elif via not in TRANSITION_CALLERS:
        raise ValidationError({"via": f"{via!r} is not a caller that moves requests."})
    if to_status == S.NEEDS_INFO:
        raise ValidationError(
            {"to_status": "Ask the submitter a question to move a request to Needs info."}
        )
    if to_status == S.MERGED:
        raise ValidationError(
            {"to_status": "Merge the request into the surviving one to move it to Merged."}
        )
    return _move(
        actor=actor,
        request=request,
        to_status=to_status,
        note=note.strip(),
        decline_reason=decline_reason,
    )


@transaction.atomic
def request_withdraw(*, actor: User, request: IntakeRequest) -> IntakeRequest:
    """The submitter takes back their own request while it is open (triage may too)."""
    if actor.pk == request.submitted_by_id:
        require(actor, Action.REQUEST_SUBMIT)
    else:
        require(actor, Action.REQUEST_TRIAGE)
    return _move(actor=actor, request=request, to_status=S.WITHDRAWN, note="Withdrawn.")


# --- Submission and editing -----------------------------------------------------------------


@transaction.atomic
def request_submit(
    *,
    actor: User,
    kind: str,
    title: str,
    story_today: str,
    story_wanted: str,
    frequency: str,
    workflow_area: str = "",
    ehr_module: str = "",
    facility: Facility | None = None,
    specialty: str = "",
    minutes_lost: int | None = None,
    is_safety_concern: bool = False,
    is_regulatory: bool = False,
    suggested_priority: StrategicPriority | None = None,
    is_private: bool = False,
    phi_confirmed: bool = False,
) -> IntakeRequest:
    """Record a pain point or request. A gated one (safety, regulatory, vendor-mandated) is
    routed at once, so its SLA clock starts now; the others wait for triage to route them."""
    require(actor, Action.REQUEST_SUBMIT)
    fields = _request_fields_check(
        {
            "kind": kind,
            "title": title,
            "story_today": story_today,
            "story_wanted": story_wanted,
            "frequency": frequency,
            "workflow_area": workflow_area,
            "ehr_module": ehr_module,
            "facility": facility,
            "specialty": specialty,
            "minutes_lost": minutes_lost,
            "is_safety_concern": is_safety_concern,
            "is_regulatory": is_regulatory,
            "suggested_priority": suggested_priority,
            "is_private": is_private,
        }
    )
    texts = {name: fields[name] for name in PHI_FIELDS}
    findings = phi_guard(fields=texts, confirmed=phi_confirmed)
    now = timezone.now()
    route = scoring.gate_route(
        gates=rubric_current().gates,
        kind=fields["kind"],
        is_safety_concern=fields["is_safety_concern"],
        is_regulatory=fields["is_regulatory"],
    )
    request = IntakeRequest.objects.create(
        **fields,
        **_route_fields(route, now),
        submitted_by=actor,
        status=S.SUBMITTED,
        status_changed_at=now,
        created_at=now,
        updated_at=now,
    )
    audit_created(instance=request, actor=actor, fields=AUDITED_ON_CREATE)
    RequestStatusChange.objects.create(
        request=request, from_status="", to_status=S.SUBMITTED, actor=actor, at=now
    )
    _record_phi(instance=request, findings=findings, actor=actor)
    return request


@transaction.atomic
def request_update(
    *,
    actor: User,
    request: IntakeRequest,
    version: int,
    phi_confirmed: bool = False,
    **changes: Any,
) -> IntakeRequest:
    """The submitter (a champion or an executive) edits their own request while it is
    submitted; refused with StaleEdit if it changed since `version`."""
    require(actor, Action.REQUEST_EDIT, request)
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be edited here."))
    cleaned = _request_fields_check(changes)
    changed_text = {
        name: cleaned[name]
        for name in PHI_FIELDS
        if name in cleaned and cleaned[name] != getattr(request, name)
    }
    findings = phi_guard(fields=changed_text, confirmed=phi_confirmed)
    route = scoring.gate_route(
        gates=rubric_current().gates,
        kind=cleaned.get("kind", request.kind),
        is_safety_concern=cleaned.get("is_safety_concern", request.is_safety_concern),
        is_regulatory=cleaned.get("is_regulatory", request.is_regulatory),
    )
    if (route or "") != request.route:
        # Before triage only the gates route a request, so the route follows them.
        cleaned.update(_route_fields(route, timezone.now()))
    audited_update(request, actor=actor, changes=cleaned, expected_version=version)
    _record_phi(instance=request, findings=findings, actor=actor)
    return request


# --- Votes, comments, questions -------------------------------------------------------------


def _open_check(request: IntakeRequest, *, what: str) -> None:
    if request.status == S.MERGED and request.duplicate_of_id:
        raise ValidationError(
            {"request": f"This request was merged into #{request.duplicate_of_id}; {what} there."}
        )
    if request.status in CLOSED_STATUSES:
        raise ValidationError(
            {"request": f"This request is {_status_label(request.status)}; it is closed."}
        )


@transaction.atomic
def request_vote(
    *,
    actor: User,
    request: IntakeRequest,
    specialty: str = "",
    facility: Facility | None = None,
    frequency: str = "",
) -> RequestVote:
    """A "+1" with the voter's own context. If the request has a score, a new score row is
    made with the new people count (under the current rubric)."""
    require(actor, Action.REQUEST_SUBMIT)
    require(actor, Action.REQUEST_READ, request)
    locked = _lock(request)  # one vote at a time per request, so the people count is right
    _open_check(locked, what="add your +1")
    errors: dict[str, str] = {}
    if actor.pk == locked.submitted_by_id:
        errors["voter"] = "You submitted this request: you are already counted."
    elif RequestVote.objects.filter(request=locked, voter=actor).exists():
        errors["voter"] = "You have already added your +1 to this request."
    if frequency and frequency not in Frequency.values:
        errors["frequency"] = "Say how often it happens to you."
    if facility is not None and (not isinstance(facility, Facility) or not facility.is_active):
        errors["facility"] = "Choose an active facility."
    specialty = specialty.strip()
    if len(specialty) > SHORT_TEXT_MAX:
        errors["specialty"] = f"Keep this to {SHORT_TEXT_MAX} characters or fewer."
    if errors:
        raise ValidationError(errors)
    vote = RequestVote.objects.create(
        request=locked, voter=actor, specialty=specialty, facility=facility, frequency=frequency
    )
    audit_created(instance=vote, actor=actor, fields=("request", "voter", "specialty", "frequency"))
    if locked.current_score_id is not None:
        _score(request=locked, reason=ScoreReason.VOTE, actor=actor)
        _copy_back(request, locked)
    return vote


def _notify_comment(*, request: IntakeRequest, comment: RequestComment) -> None:
    notify(
        recipient=request.submitted_by,
        subject=f"New comment on your request #{request.pk}",
        body=f"{comment.author} commented on request #{request.pk}.",
        url=request_url(request),
    )


@transaction.atomic
def request_comment(
    *, actor: User, request: IntakeRequest, body: str, phi_confirmed: bool = False
) -> RequestComment:
    """A comment in the request's thread; the submitter hears of comments by others."""
    require(actor, Action.REQUEST_SUBMIT)
    require(actor, Action.REQUEST_READ, request)
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write a comment."})
    findings = phi_guard(fields={"body": body}, confirmed=phi_confirmed)
    comment = RequestComment.objects.create(
        request=request, author=actor, kind=CommentKind.COMMENT, body=body
    )
    audit_created(instance=comment, actor=actor, fields=("request", "kind", "body"))
    _record_phi(instance=comment, findings=findings, actor=actor)
    if actor.pk != request.submitted_by_id:
        _notify_comment(request=request, comment=comment)
    return comment


@transaction.atomic
def request_ask(
    *, actor: User, request: IntakeRequest, question: str, phi_confirmed: bool = False
) -> RequestComment:
    """Triage asks the submitter a question: the request moves to Needs info (through the
    table) and the submitter is told a question waits in the thread."""
    require(actor, Action.REQUEST_TRIAGE)
    question = question.strip()
    if not question:
        raise ValidationError({"question": "Write the question for the submitter."})
    findings = phi_guard(fields={"question": question}, confirmed=phi_confirmed)
    if request.status != S.NEEDS_INFO:
        _move(
            actor=actor,
            request=request,
            to_status=S.NEEDS_INFO,
            note="Triage asked you a question: answer it on the request's page.",
        )
    comment = RequestComment.objects.create(
        request=request, author=actor, kind=CommentKind.QUESTION, body=question
    )
    audit_created(instance=comment, actor=actor, fields=("request", "kind", "body"))
    _record_phi(instance=comment, findings={"body": findings.get("question", [])}, actor=actor)
    return comment


@transaction.atomic
def request_answer(
    *, actor: User, request: IntakeRequest, body: str, phi_confirmed: bool = False
) -> RequestComment:
    """The submitter answers triage's open questions; a request waiting in Needs info goes
    back to triage."""
    require(actor, Action.REQUEST_READ, request)
    if actor.pk != request.submitted_by_id:
        raise ActionDenied(Action.REQUEST_EDIT)
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write your answer."})
    open_questions = RequestComment.objects.filter(
        request=request, kind=CommentKind.QUESTION, answered_by__isnull=True
    )
    if not open_questions.exists():
        raise ValidationError({"body": "No question is waiting for your answer."})
    findings = phi_guard(fields={"body": body}, confirmed=phi_confirmed)
    answer = RequestComment.objects.create(
        request=request, author=actor, kind=CommentKind.ANSWER, body=body
    )
    audit_created(instance=answer, actor=actor, fields=("request", "kind", "body"))
    open_questions.update(answered_by=answer, updated_at=timezone.now())
    _record_phi(instance=answer, findings=findings, actor=actor)
    if request.status == S.NEEDS_INFO:
        _move(actor=actor, request=request, to_status=S.TRIAGE, note="The submitter answered.")
    return answer


# --- Triage and scoring ---------------------------------------------------------------------


def _rating_ok(value: Any) -> bool:
    return (
        not isinstance(value, bool)
        and isinstance(value, int)
        and scoring.RATING_MIN <= value <= scoring.RATING_MAX
    )


def _triage_check(
    *,
    request: IntakeRequest,
    rubric: Rubric,
    kind: str | None,
    route: str | None,
    priorities: list[StrategicPriority] | None,
    ratings: Mapping[str, Any] | None,
    reach_rating: int | None,
    build_hours: int | None,
) -> None:
    errors: dict[str, str] = {}
    if kind is not None and kind not in RequestKind.values:
        errors["kind"] = f"{kind!r} is not a kind of request."
    if route is not None and route not in Route.values:
        errors["route"] = f"{route!r} is not an intake route."
    if ratings is not None:
        rateable = scoring.criteria_to_rate(rubric.criteria)
        if scoring.REACH_CODE in ratings:
            errors["ratings"] = (
                "Reach follows the people behind the request; give reach_rating to rate it higher."
            )
        elif unknown := sorted(set(ratings) - set(rateable)):
            errors["ratings"] = f"Not criteria of rubric v{rubric.version}: {', '.join(unknown)}."
        elif not all(value is None or _rating_ok(value) for value in ratings.values()):
            errors["ratings"] = "Rate each criterion with a whole number from 0 to 5."
    if reach_rating is not None and not _rating_ok(reach_rating):
        errors["reach_rating"] = "Rate the reach with a whole number from 0 to 5."
    if build_hours is not None and (
        isinstance(build_hours, bool) or not isinstance(build_hours, int) or build_hours < 0
    ):
        errors["build_hours"] = "Give the build estimate in whole hours, 0 or more."
    if priorities is not None:
        linked = set(request.priorities.values_list("pk", flat=True))
        if any(not p.is_active and p.pk not in linked for p in priorities):
            errors["priorities"] = "Link active strategic priorities only."
    if errors:
        raise ValidationError(errors)


def _score_same(current: RequestScore, rubric: Rubric, result: scoring.ScoreResult) -> bool:
    return (
        current.rubric_id == rubric.pk
        and current.breakdown == result.breakdown
        and current.people == result.people
        and current.value == result.value
        and current.effort_band == result.effort_band
        and current.effort_points == result.effort_points
    )


def _score(
    *, request: IntakeRequest, reason: str, actor: User | None, only_if_changed: bool = False
) -> RequestScore | None:
    """A new score row of `request` (and only of it) under the current rubric, made current.

    None when triage has not given every rating and the build estimate yet, or, with
    `only_if_changed`, when the score would be the same as the current one.
    """
    rubric = rubric_current()
    if scoring.score_missing(
        criteria=rubric.criteria, ratings=request.ratings, build_hours=request.build_hours
    ):
        return None
    assert request.build_hours is not None  # score_missing checked it
    result = scoring.score_compute(
        criteria=rubric.criteria,
        effort_points_table=rubric.effort_points,
        ratings=request.ratings,
        people=_people(request),
        reach_rating=request.reach_rating,
        build_hours=request.build_hours,
    )
    current = (
        RequestScore.objects.filter(pk=request.current_score_id).first()
        if request.current_score_id
        else None
    )
    if only_if_changed and current is not None and _score_same(current, rubric, result):
        return None
    row = RequestScore.objects.create(
        request=request,
        rubric=rubric,
        reason=reason,
        breakdown=result.breakdown,
        people=result.people,
        reach=result.reach,
        value=result.value,
        effort_band=result.effort_band,
        effort_points=result.effort_points,
        priority_index=result.priority_index,
        created_by=actor,
    )
    IntakeRequest.objects.filter(pk=request.pk).update(current_score=row)
    request.current_score = row
    audit_record(
        instance=request,
        actor=actor,
        action=AuditAction.UPDATE,
        changes={
            "current_score": [
                _score_text(current) if current else None,
                _score_text(row, rubric),
            ]
        },
        note=f"scored ({ScoreReason(reason).label})",
    )
    return row


def _score_text(score: RequestScore, rubric: Rubric | None = None) -> str:
    version = (rubric or score.rubric).version
    return f"value {score.value}, index {score.priority_index} (rubric v{version})"


@transaction.atomic
def request_triage(
    *,
    actor: User,
    request: IntakeRequest,
    version: int,
    kind: str | None = None,
    route: str | None = None,
    priorities: Iterable[StrategicPriority] | None = None,
    ratings: Mapping[str, int | None] | None = None,
    reach_rating: int | None = None,
    build_hours: int | None = None,
) -> IntakeRequest:
    """Triage a request (informaticists and the CMIO): kind, route, linked priorities and the
    rubric's inputs. None leaves a field as it is; `ratings` are merged into the request's
    (a None rating removes it).

    The first triage of a submitted request moves it to triage. Setting a route starts its SLA
    clock; changing the kind applies the rubric's gates unless a route is given. Once every
    criterion but reach is rated and the build hours are known, a score row is made (when the
    score differs from the current one) and a request in triage moves to Scored.
    """
    require(actor, Action.REQUEST_TRIAGE)
    if request.status in CLOSED_STATUSES:
        raise ValidationError(
            {"status": f"This request is {_status_label(request.status)}; it is closed."}
        )
    rubric = rubric_current()
    priority_list = list(priorities) if priorities is not None else None
    _triage_check(
        request=request,
        rubric=rubric,
        kind=kind,
        route=route,
        priorities=priority_list,
        ratings=ratings,
        reach_rating=reach_rating,
        build_hours=build_hours,
    )
    changes: dict[str, Any] = {}
    if kind is not None:
        changes["kind"] = kind
    if ratings is not None:
        merged = dict(request.ratings)
        for code, value in ratings.items():
            if value is None:
                merged.pop(code, None)
            else:
                merged[code] = value
        changes["ratings"] = merged
    if reach_rating is not None:
        changes["reach_rating"] = reach_rating
    if build_hours is not None:
        changes["build_hours"] = build_hours
    target = route
    if target is None and kind is not None and kind != request.kind:
        gated = scoring.gate_route(
            gates=rubric.gates,
            kind=kind,
            is_safety_concern=request.is_safety_concern,
            is_regulatory=request.is_regulatory,
        )
        target = gated or None
    if target is not None and target != request.route:
        changes.update(_route_fields(target, timezone.now()))
    audited_update(request, actor=actor, changes=changes, expected_version=version, note="triage")
    if priority_list is not None:
        before = sorted(p.title for p in request.priorities.all())
        request.priorities.set(priority_list)
        audit_record(
            instance=request,
            actor=actor,
            action=AuditAction.UPDATE,
            changes=diff(
                {"priorities": before}, {"priorities": sorted(p.title for p in priority_list)}
            ),
            note="triage",
        )
    if request.status == S.SUBMITTED:
        _move(actor=actor, request=request, to_status=S.TRIAGE)
    _score(request=request, reason=ScoreReason.TRIAGE, actor=actor, only_if_changed=True)
    if request.status == S.TRIAGE and request.current_score_id is not None:
        complete = not scoring.score_missing(
            criteria=rubric.criteria, ratings=request.ratings, build_hours=request.build_hours
        )
        if complete:
            _move(actor=actor, request=request, to_status=S.SCORED)
    return request


# --- Merging --------------------------------------------------------------------------------


@transaction.atomic
def request_merge(*, actor: User, request: IntakeRequest, survivor: IntakeRequest) -> IntakeRequest:
    """Merge the duplicate `request` into `survivor`: its +1s move over (except people
    already counted there), its submitter becomes a +1 on the survivor, it moves to Merged
    (telling its submitter where to follow), and a scored survivor is scored again.
    Returns the merged duplicate."""
    require(actor, Action.REQUEST_TRIAGE)
    if survivor.pk == request.pk:
        raise ValidationError({"survivor": "A request cannot be merged into itself."})
    first, second = sorted((request, survivor), key=lambda r: r.pk)
    locked = {r.pk: _lock(r) for r in (first, second)}
    duplicate, keeper = locked[request.pk], locked[survivor.pk]
    if keeper.status in CLOSED_STATUSES:
        raise ValidationError(
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
    _copy_back(request, duplicate)
    _copy_back(survivor, keeper)
    return request


# --- Rubric ---------------------------------------------------------------------------------


@transaction.atomic
def rubric_update(
    *,
    actor: User,
    criteria: list[dict[str, Any]],
    gates: dict[str, list[str]],
    effort_points: dict[str, int],
    note: str = "",
) -> Rubric:
    """Make a new rubric version, current from now on (admins only). Earlier score rows keep
    the version they were made under; new rows (triage, +1, merge) use the new one."""
    require(actor, Action.ADMINISTER)
    problems = scoring.rubric_problems(
        criteria=criteria, gates=gates, effort_points=effort_points, kinds=RequestKind.values
    )
    note = note.strip()
    if len(note) > TITLE_MAX:
        problems["note"] = [f"Keep the note to {TITLE_MAX} characters or fewer."]
    if problems:
        raise ValidationError(problems)
    previous = list(Rubric.objects.select_for_update().filter(is_current=True))
    last = Rubric.objects.aggregate(last=Max("version"))["last"] or 0
    Rubric.objects.filter(is_current=True).update(is_current=False)
    for old in previous:
        audit_record(
            instance=old,
            actor=actor,
            action=AuditAction.UPDATE,
            changes={"is_current": [True, False]},
            note=f"replaced by v{last + 1}",
        )
    rubric = Rubric.objects.create(
        version=last + 1,
        criteria=[
            {
                "code": str(c["code"]).strip(),
                "label": str(c["label"]).strip(),
                "weight": c["weight"],
            }
            for c in criteria
        ],
        gates={gate: list(gates.get(gate, [])) for gate in scoring.GATE_ROUTES},
        effort_points={band: effort_points[band] for band in effort_points},
        is_current=True,
        created_by=actor,
        note=note,
    )
    audit_created(
        instance=rubric, actor=actor, fields=("version", "criteria", "gates", "effort_points")
    )
    return rubric
