"""A review's agenda: proposed from the portfolio's own signals, then ordered by the chair.

The signals (thresholds from `AgendaSettings`, which an admin edits):

- requests the body decides (routed to it by `RouteOwner`, or chosen for it at triage,
  `RequestBody`) that await its decision (scored or in review),
  scored at or above `request_min_score`, or fast-tracked whatever their score;
- for executive steering, which holds the portfolio: initiatives waiting at a gate — proposed
  (the approval gate: approve, defer or stop) or on hold (an initiative on hold waits for a
  decision to resume it, defer it or stop it); initiatives whose latest health is off track,
  or that are stale (initiatives.health); metrics whose system-level roll-up says the latest
  complete point is a special-cause concern or that the target will consistently fail (the
  roll-up table, never raw measurements);
- the body's open action items more than `action_overdue_days` past their due date.

Each item says why it is there, with the number that crossed the threshold. The most urgent
come first: fast-tracked requests, metric signals, off-track or stale initiatives, gates,
scored requests (highest score first), overdue actions (longest overdue first).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q

from governance.choices import ActionStatus, AgendaKind, BodyKind
from governance.models import (
    ActionItem,
    AgendaItem,
    AgendaSettings,
    RequestBody,
    Review,
    RouteOwner,
)
from informatics.audit import audit_created, audit_record, audited_delete
from informatics.choices import AuditAction, Route
from informatics.exceptions import Conflict
from informatics.models import User
from informatics.permissions import Action, require
from informatics.services import site_settings_get, site_today
from informatics.services.records import field_errors, guarded_create, guarded_update
from initiatives.choices import OPEN_STAGES, Health, Stage
from initiatives.health import with_health
from initiatives.models import Initiative
from intake.choices import RequestStatus
from intake.models import IntakeRequest
from metrics.choices import Assurance, Variation
from metrics.models import RollupSeries

AWAITING_DECISION = (RequestStatus.SCORED, RequestStatus.IN_REVIEW)
GATE_WAITS: dict[str, str] = {
    Stage.PROPOSED: "waiting at the approval gate",
    Stage.ON_HOLD: "on hold, waiting at the gate (resume, defer or stop)",
}
# Most urgent first (the first element of an item's sort key).
RANK = {"fast_track": 0, "metric": 1, "health": 2, "gate": 3, "request": 4, "action": 5}
AUDITED = ("review", "position", "kind", "reason", "title")


@dataclass(frozen=True)
class ProposedItem:
    """One item a review's agenda should hold, why, and how urgent it is (`rank`, then the
    larger `weight` first)."""

    kind: str
    reason: str
    title: str
    rank: int
    weight: float = 0.0
    request: IntakeRequest | None = None
    initiative: Initiative | None = None
    metric_id: int | None = None
    action: ActionItem | None = None


def agenda_settings() -> AgendaSettings:
    """The one row of agenda thresholds, created with the defaults the first time."""
    row = AgendaSettings.objects.order_by("pk").first()
    return row if row is not None else AgendaSettings.objects.create()


def _num(value: Decimal | float) -> str:
    """A number as people write it: 72.50 → 72.5, 72 → 72.0."""
    text = f"{Decimal(str(value)):f}"
    if "." in text:
        text = text.rstrip("0")
    return text + "0" if text.endswith(".") else text + ("" if "." in text else ".0")


def _requests(review: Review, settings: AgendaSettings) -> list[ProposedItem]:
    """The requests `review`'s body decides that await a decision: those triage chose it for,
    and those on the routes it owns for which triage chose no other body."""
    routes = list(RouteOwner.objects.filter(body=review.body).values_list("route", flat=True))
    threshold = settings.request_min_score
    # A choice holds while the request stays on the route it was made for (selectors).
    chosen = RequestBody.objects.filter(
        request=OuterRef("pk"), route=OuterRef("route"), body__is_active=True
    )
    rows = (
        IntakeRequest.objects.filter(status__in=AWAITING_DECISION)
        .annotate(is_chosen=Exists(chosen.filter(body=review.body)), has_choice=Exists(chosen))
        .filter(Q(is_chosen=True) | Q(route__in=routes, has_choice=False))
        .filter(Q(current_score__value__gte=threshold) | Q(route=Route.FAST_TRACK))
        .select_related("current_score")
        .order_by("pk")
    )
    items = []
    for row in rows:
        score = row.current_score.value if row.current_score else None
        route = Route(row.route).label + (", this body chosen at triage" if row.is_chosen else "")
        status = RequestStatus(row.status).label.lower()
        if row.route == Route.FAST_TRACK:
            scored = f", scored {_num(score)}" if score is not None else ""
            reason = f"Fast-tracked{scored}, routed to {route}, {status}, awaiting decision"
            rank = RANK["fast_track"]
        else:
            reason = (
                f"Scored {_num(score or 0)} (threshold {_num(threshold)}), routed to {route}, "
                "awaiting decision"
            )
            rank = RANK["request"]
        items.append(
            ProposedItem(
                kind=AgendaKind.REQUEST,
                reason=reason,
                title=str(row),
                rank=rank,
                weight=float(score or 0),
                request=row,
            )
        )
    return items


def _gates() -> list[ProposedItem]:
    rows = Initiative.objects.filter(stage__in=list(GATE_WAITS)).order_by("stage_changed_at", "pk")
    return [
        ProposedItem(
            kind=AgendaKind.GATE,
            reason=f"{Stage(row.stage).label} since {row.stage_changed_at:%Y-%m-%d}, "
            f"{GATE_WAITS[row.stage]}",
            title=row.title,
            rank=RANK["gate"],
            weight=-row.stage_changed_at.timestamp(),
            initiative=row,
        )
        for row in rows
    ]


def _health(today: datetime.date) -> list[ProposedItem]:
    stale_after = site_settings_get().stale_after_days
    rows = (
        with_health(Initiative.objects.filter(stage__in=OPEN_STAGES))
        .filter(Q(latest_health=Health.OFF_TRACK) | Q(is_stale=True))
        .order_by("pk")
    )
    items = []
    for row in rows:
        health: Any = row  # annotated by with_health
        reasons = []
        if health.latest_health == Health.OFF_TRACK:
            reasons.append(f"Latest status update ({health.last_update_at:%Y-%m-%d}) is off track")
        days = (today - health.stale_since.date()).days
        if health.is_stale:
            reasons.append(f"no status update for {days} days (stale after {stale_after})")
        reason = "; ".join(reasons)
        items.append(
            ProposedItem(
                kind=AgendaKind.HEALTH,
                reason=reason[0].upper() + reason[1:],
                title=row.title,
                rank=RANK["health"],
                weight=days,
                initiative=row,
            )
        )
    return items


def _metrics() -> list[ProposedItem]:
    rows = (
        RollupSeries.objects.filter(
            Q(variation=Variation.CONCERN) | Q(assurance=Assurance.FAIL),
            facility__parent__isnull=True,
            metric__is_active=True,
        )
        .select_related("metric")
        .order_by("metric_id", "facility_id")
    )
    items, seen = [], set()
    for row in rows:
        if row.metric_id in seen:
            continue
        seen.add(row.metric_id)
        latest = _num(row.latest_value) if row.latest_value is not None else "none"
        reasons = []
        if row.variation == Variation.CONCERN:
            period = f" (period from {row.latest_period:%Y-%m-%d})" if row.latest_period else ""
            reasons.append(f"Latest point{period} is a special-cause concern: {latest}")
        if row.assurance == Assurance.FAIL:
            target = _num(row.target_value) if row.target_value is not None else "none"
            reasons.append(f"target {target} will consistently fail (latest {latest})")
        reason = "; ".join(reasons)
        items.append(
            ProposedItem(
                kind=AgendaKind.METRIC,
                reason=reason[0].upper() + reason[1:],
                title=f"{row.metric.code} {row.metric.name}",
                rank=RANK["metric"],
                metric_id=row.metric_id,
            )
        )
    return items


def _actions(review: Review, settings: AgendaSettings, today: datetime.date) -> list[ProposedItem]:
    days = settings.action_overdue_days
    cutoff = today - datetime.timedelta(days=days)
    rows = (
        ActionItem.objects.filter(body=review.body, status=ActionStatus.OPEN, due_on__lt=cutoff)
        .select_related("owner")
        .order_by("due_on", "pk")
    )
    return [
        ProposedItem(
            kind=AgendaKind.ACTION,
            reason=f"Due {row.due_on:%Y-%m-%d}, {(today - row.due_on).days} days overdue "
            f"(threshold {days} days), owner {row.owner}",
            title=row.title,
            rank=RANK["action"],
            weight=(today - row.due_on).days,
            action=row,
        )
        for row in rows
    ]


def agenda_propose(*, review: Review) -> list[ProposedItem]:
    """What the portfolio puts on `review`'s agenda, most urgent first, at most `max_items`."""
    settings = agenda_settings()
    today = site_today()
    items = _requests(review, settings)
    if review.body.kind == BodyKind.STEERING:
        items += _metrics() + _health(today) + _gates()
    items += _actions(review, settings, today)
    items.sort(key=lambda item: (item.rank, -item.weight))
    return items[: settings.max_items]


def _chaired(actor: User, review: Review) -> None:
    require(actor, Action.REVIEW_CHAIR, review.body)
    if review.status != "planned":
        raise Conflict({"review": "The agenda of a held or cancelled review is closed."})


def _untouched(review: Review) -> Any:
    """Proposed items nobody worked on: not added by the chair, no note, no decision."""
    return (
        review.items.exclude(kind=AgendaKind.OTHER)
        .filter(note="", decisions__isnull=True, actions__isnull=True)
        .distinct()
    )


@transaction.atomic
def agenda_build(*, actor: User, review: Review) -> list[AgendaItem]:
    """Write the proposed agenda: untouched proposed items are replaced; items the chair added
    or worked on stay, and a signal they already cover is not added twice."""
    _chaired(actor, review)
    Review.objects.select_for_update().get(pk=review.pk)
    stale = list(_untouched(review))
    for item in stale:
        audited_delete(instance=item, actor=actor, fields=AUDITED)
    kept = list(review.items.all())
    covered = {(i.kind, i.request_id, i.initiative_id, i.metric_id, i.action_id) for i in kept}
    position = max((item.position for item in kept), default=0)
    made = []
    for proposed in agenda_propose(review=review):
        key = (
            proposed.kind,
            proposed.request.pk if proposed.request else None,
            proposed.initiative.pk if proposed.initiative else None,
            proposed.metric_id,
            proposed.action.pk if proposed.action else None,
        )
        if key in covered:
            continue
        position += 1
        item = AgendaItem.objects.create(
            review=review,
            position=position,
            kind=proposed.kind,
            reason=proposed.reason[:300],
            title=proposed.title[:200],
            request=proposed.request,
            initiative=proposed.initiative,
            metric_id=proposed.metric_id,
            action=proposed.action,
        )
        audit_created(instance=item, actor=actor, fields=AUDITED)
        made.append(item)
    _renumber(review)
    return list(review.items.order_by("position"))


def _renumber(review: Review) -> None:
    for n, item in enumerate(review.items.order_by("position", "pk"), start=1):
        if item.position != n:
            AgendaItem.objects.filter(pk=item.pk).update(position=n)


@transaction.atomic
def agenda_item_add(
    *, actor: User, review: Review, title: str, phi_confirmed: bool = False
) -> AgendaItem:
    """The chair adds an item of their own at the end of the agenda."""
    _chaired(actor, review)
    cleaned = _required_text("title", title, "Say what the item is about.")
    last = review.items.aggregate(last=Max("position"))["last"] or 0
    return guarded_create(
        AgendaItem,
        actor=actor,
        cleaned=cleaned,
        confirmed=phi_confirmed,
        audit=AUDITED,
        review=review,
        position=last + 1,
        kind=AgendaKind.OTHER,
        reason=f"Added by {actor}",
    )


def _required_text(name: str, value: str, missing: str) -> dict[str, str]:
    """An agenda item's text `name`, stripped: refused with `missing` when empty, else checked
    as the model declares the field."""
    cleaned = {name: value.strip()}
    if not cleaned[name]:
        raise ValidationError({name: missing})
    errors: dict[str, str] = {}
    field_errors(AgendaItem(**cleaned), [name], errors)
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def agenda_item_remove(*, actor: User, item: AgendaItem) -> None:
    """The chair takes an item off the agenda (one a decision was recorded on stays)."""
    _chaired(actor, item.review)
    if item.decisions.exists():
        raise Conflict({"item": "A decision was recorded on this item; it stays."})
    review = item.review
    audited_delete(instance=item, actor=actor, fields=AUDITED)
    _renumber(review)


@transaction.atomic
def agenda_item_move(
    *, actor: User, item: AgendaItem, direction: str = "", position: int | None = None
) -> AgendaItem:
    """Move an item one place `up` or `down`, or to `position` (1 is the first)."""
    review = item.review
    _chaired(actor, review)
    Review.objects.select_for_update().get(pk=review.pk)
    items = list(review.items.order_by("position", "pk"))
    index = next(n for n, row in enumerate(items) if row.pk == item.pk)
    if position is not None:
        if not 1 <= position <= len(items):
            raise ValidationError({"position": f"Give a position from 1 to {len(items)}."})
        target = position - 1
    elif direction in ("up", "down"):
        target = max(0, min(len(items) - 1, index + (-1 if direction == "up" else 1)))
    else:
        raise ValidationError({"direction": "Move the item up or down, or give a position."})
    before = items[index].position
    items.insert(target, items.pop(index))
    for n, row in enumerate(items, start=1):
        if row.position != n:
            AgendaItem.objects.filter(pk=row.pk).update(position=n)
    item.refresh_from_db()
    audit_record(
        instance=item,
        actor=actor,
        action=AuditAction.UPDATE,
        changes={"position": [before, item.position]} if before != item.position else {},
    )
    return item


@transaction.atomic
def agenda_item_close(
    *,
    actor: User,
    item: AgendaItem,
    note: str,
    actions: list[dict[str, Any]] = (),  # type: ignore[assignment]
    phi_confirmed: bool = False,
) -> AgendaItem:
    """End an item about a metric or an overdue action with a note and, where needed, new
    action items (each {"title", "owner", "due_on"})."""
    from governance.services.actions import action_item_create

    review = item.review
    require(actor, Action.REVIEW_CHAIR, review.body)
    if item.kind not in (AgendaKind.METRIC, AgendaKind.ACTION):
        raise ValidationError({"item": "Items about requests and initiatives end with decisions."})
    cleaned = _required_text("note", note, "Write what was agreed.")
    guarded_update(item, actor=actor, cleaned=cleaned, confirmed=phi_confirmed)
    for action in actions:
        action_item_create(
            actor=actor,
            body=review.body,
            agenda_item=item,
            phi_confirmed=phi_confirmed,
            **action,
        )
    return item
