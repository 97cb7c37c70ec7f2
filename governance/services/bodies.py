"""Writes of the body structure: which body owns each intake route (an admin's task)."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction

from governance.models import GovernanceBody, RouteOwner
from informatics.audit import audit_created, audited_update
from informatics.choices import Route
from informatics.models import User
from informatics.permissions import Action, require


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
