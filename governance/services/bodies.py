"""Writes of the body structure: which body owns each intake route (an admin's task), and the
body triage chooses to decide one request instead of its route's default (one of its kind)."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from governance import selectors
from governance.choices import BodyKind
from governance.models import GovernanceBody, RequestBody, RouteOwner
from informatics.audit import audit_created, audited_delete, audited_update
from informatics.choices import Route
from informatics.exceptions import Conflict
from informatics.models import User
from informatics.permissions import Action, require
from informatics.services.records import field_errors, guard_record_text, record_phi
from intake.models import IntakeRequest

REQUEST_BODY_AUDITED = ("route", "body", "chosen_by", "chosen_at", "reason")


@transaction.atomic
def route_owners_set(*, actor: User, owners: Mapping[str, GovernanceBody]) -> list[RouteOwner]:
    """Make `owners[route]` the default body of each route given; every change is audited.
    Nothing is saved when one route is unknown or its body retired."""
    require(actor, Action.ADMINISTER)
    errors = {
        route: ("No such intake route." if route not in Route.values else "This body is retired.")
        for route, body in owners.items()
        if route not in Route.values or not body.is_active
    }
    if errors:
        raise ValidationError(errors)
    current = {owner.route: owner for owner in RouteOwner.objects.select_for_update()}
    saved = []
    for route, body in owners.items():
        owner = current.get(route)
        if owner is None:
            owner = RouteOwner.objects.create(route=route, body=body)
            audit_created(instance=owner, actor=actor, fields=("route", "body"))
        elif owner.body_id != body.pk:
            audited_update(owner, actor=actor, changes={"body": body})
        saved.append(owner)
    return saved


@transaction.atomic
def request_body_choose(
    *,
    actor: User,
    request: IntakeRequest,
    body: GovernanceBody,
    reason: str = "",
    phi_confirmed: bool = False,
) -> RequestBody | None:
    """Triage chooses `body` to decide `request` instead of its route's default body; `body`
    must be active and of the default body's kind. Choosing the default body again clears the
    choice (and returns None). Audited; nothing is saved when a check fails."""
    require(actor, Action.REQUEST_TRIAGE)
    locked = IntakeRequest.objects.select_for_update().get(pk=request.pk)
    if not locked.route:
        raise Conflict({"body": "Route the request first: its route names the body."})
    default = selectors.default_body_for(request=locked)
    cleaned = {"reason": (reason or "").strip()}
    errors: dict[str, str] = {}
    if default is None:
        errors["body"] = "No active body decides this route: an admin sets one on Intake routes."
    elif not body.is_active:
        errors["body"] = "This body is retired."
    elif body.kind != default.kind:
        errors["body"] = (
            f"Choose a body of the same kind as the route's default body, {default} "
            f"({BodyKind(default.kind).label}); {body} is a {BodyKind(body.kind).label}."
        )
    field_errors(RequestBody(reason=cleaned["reason"]), ["reason"], errors)
    if errors:
        raise ValidationError(errors)
    findings = guard_record_text(RequestBody, cleaned, confirmed=phi_confirmed)
    current = RequestBody.objects.select_for_update().filter(request=locked).first()
    if default is not None and body.pk == default.pk:
        if current is not None:
            audited_delete(instance=current, actor=actor, fields=REQUEST_BODY_AUDITED)
        return None
    values = {
        "route": locked.route,
        "body": body,
        "chosen_by": actor,
        "chosen_at": timezone.now(),
        "reason": cleaned["reason"],
    }
    if current is None:
        current = RequestBody.objects.create(request=locked, **values)
        audit_created(instance=current, actor=actor, fields=REQUEST_BODY_AUDITED)
    else:
        audited_update(current, actor=actor, changes=values)
    record_phi(instance=current, findings=findings, actor=actor)
    return current
