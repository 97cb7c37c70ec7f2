"""Triage of a request: kind, route, linked priorities, ratings and the score rows."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from informatics.audit import audit_record, audited_update, diff
from informatics.choices import AuditAction
from informatics.exceptions import Conflict
from informatics.models import StrategicPriority, User
from informatics.permissions import Action, require
from informatics.services.records import field_errors
from intake import scoring
from intake.choices import CLOSED_STATUSES, ScoreReason
from intake.models import IntakeRequest, RequestScore, Rubric
from intake.selectors import rubric_current
from intake.services._common import S, _people, _route_fields, _safety_flag, _status_label
from intake.services.transitions import _move, notify_status, request_transition


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
    fields: dict[str, Any],
    priorities: list[StrategicPriority] | None,
    ratings: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The request's `fields` as the model converts them, or field-named errors: first the
    model's own field checks (choices of kind and route, whole hours), then triage's rules."""
    errors: dict[str, str] = {}
    candidate = IntakeRequest(**fields)
    field_errors(candidate, fields, errors)
    cleaned = {name: getattr(candidate, name) for name in fields if name not in errors}
    if cleaned.get("route") == "":
        errors["route"] = "Choose a route; triage does not un-route a request."
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
    if "reach_rating" in cleaned and not _rating_ok(cleaned["reach_rating"]):
        errors["reach_rating"] = "Rate the reach with a whole number from 0 to 5."
    if priorities is not None:
        linked = set(request.priorities.values_list("pk", flat=True))
        if any(not p.is_active and p.pk not in linked for p in priorities):
            errors["priorities"] = "Link active strategic priorities only."
    if errors:
        raise ValidationError(errors)
    return cleaned


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
    notify_submitter: bool = True,
) -> IntakeRequest:
    """Triage a request (informaticists and the CMIO): kind, route, linked priorities and the
    rubric's inputs. None leaves a field as it is; `ratings` are merged into the request's
    (a None rating removes it).

    The first triage of a submitted request moves it to triage. Setting a route starts its SLA
    clock; changing the kind applies the rubric's gates unless a route is given. Once every
    criterion but reach is rated and the build hours are known, a score row is made (when the
    score differs from the current one) and a request in triage moves to Scored. The
    submitter gets one e-mail naming the state the triage ended in (none with
    `notify_submitter=False`: a caller that makes further moves tells them itself).
    """
    require(actor, Action.REQUEST_TRIAGE)
    if request.status in CLOSED_STATUSES:
        raise Conflict(
            {"status": f"This request is {_status_label(request.status)}; it is closed."}
        )
    rubric = rubric_current()
    priority_list = list(priorities) if priorities is not None else None
    given = {"kind": kind, "route": route, "reach_rating": reach_rating, "build_hours": build_hours}
    cleaned = _triage_check(
        request=request,
        rubric=rubric,
        fields={name: value for name, value in given.items() if value is not None},
        priorities=priority_list,
        ratings=ratings,
    )
    kind, route = cleaned.get("kind"), cleaned.get("route")
    changes: dict[str, Any] = {}
    if kind is not None:
        changes["kind"] = kind
        _safety_flag(kind, changes)
    if ratings is not None:
        merged = dict(request.ratings)
        for code, value in ratings.items():
            if value is None:
                merged.pop(code, None)
            else:
                merged[code] = value
        changes["ratings"] = merged
    for name in ("reach_rating", "build_hours"):
        if name in cleaned:
            changes[name] = cleaned[name]
    target = route
    if target is None and kind is not None and kind != request.kind:
        gated = scoring.gate_route(
            gates=rubric.gates,
            kind=kind,
            is_safety_concern=changes.get("is_safety_concern", request.is_safety_concern),
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
    # One action, one e-mail: the submitter hears of the state the triage ends in, however
    # many moves it made (Submitted → In triage → Scored is one e-mail, "now Scored").
    from_status = request.status
    if request.status == S.SUBMITTED:
        _move(actor=actor, request=request, to_status=S.TRIAGE, notify_submitter=False)
    _score(request=request, reason=ScoreReason.TRIAGE, actor=actor, only_if_changed=True)
    if request.status == S.TRIAGE and request.current_score_id is not None:
        complete = not scoring.score_missing(
            criteria=rubric.criteria, ratings=request.ratings, build_hours=request.build_hours
        )
        if complete:
            _move(actor=actor, request=request, to_status=S.SCORED, notify_submitter=False)
    if notify_submitter and request.status != from_status:
        notify_status(request=request, from_status=from_status, note="", quote=True)
    return request


@transaction.atomic
def requests_bulk_triage(
    *,
    actor: User,
    requests: Iterable[IntakeRequest],
    route: str = "",
    to_status: str = "",
    decline_reason: str = "",
) -> list[IntakeRequest]:
    """Route and/or move several requests at once (the triage board's bulk actions): all or
    nothing — when one request refuses, nothing is saved and the error names each refusing
    request. Each submitter gets one e-mail naming the state their request ended in."""
    require(actor, Action.REQUEST_TRIAGE)
    chosen = list(requests)
    if not chosen:
        raise ValidationError({"selected": "Select at least one request."})
    if not route and not to_status:
        raise ValidationError({"route": "Choose a route or a status to apply."})
    problems: list[str] = []
    for request in chosen:
        from_status = request.status
        try:
            with transaction.atomic():
                if route:
                    request_triage(
                        actor=actor,
                        request=request,
                        version=request.version,
                        route=route,
                        notify_submitter=False,
                    )
                if to_status:
                    request_transition(
                        actor=actor,
                        request=request,
                        to_status=to_status,
                        decline_reason=decline_reason,
                        notify_submitter=False,
                    )
        except ValidationError as error:
            problems.append(f"#{request.pk}: {' '.join(error.messages)}")
            continue
        if request.status != from_status:
            notify_status(request=request, from_status=from_status, note="", quote=True)
    if problems:
        raise ValidationError({"selected": problems})
    return chosen
