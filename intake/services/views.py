"""A user's saved views of the request list (its filters and order, under a name)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from informatics.models import User
from informatics.permissions import Action, require
from intake.models import SavedView
from intake.selectors import request_view_query

# Enough for anyone's working views; a cap keeps the list's header short.
SAVED_VIEWS_MAX = 20


@transaction.atomic
def saved_view_save(*, actor: User, name: str, query: str) -> SavedView:
    """Save the list's filters and order (`query`, kept to the list's own parameters) under
    `name`; a view of the same name is replaced."""
    require(actor, Action.REQUEST_READ)
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Give the view a name."
    elif len(name) > SavedView._meta.get_field("name").max_length:  # type: ignore[operator]
        errors["name"] = "Keep the name to 80 characters or fewer."
    kept = request_view_query(query)
    if not kept:
        errors["query"] = "Filter or sort the list first: this view is the whole list."
    existing = SavedView.objects.select_for_update().filter(owner=actor, name=name).first()
    if existing is None and SavedView.objects.filter(owner=actor).count() >= SAVED_VIEWS_MAX:
        errors["name"] = f"You have {SAVED_VIEWS_MAX} saved views: delete one first."
    if errors:
        raise ValidationError(errors)
    if existing is not None:
        existing.query = kept
        existing.save(update_fields=["query"])
        return existing
    return SavedView.objects.create(owner=actor, name=name, query=kept)


@transaction.atomic
def saved_view_delete(*, actor: User, view: SavedView) -> None:
    """Delete one of the actor's own saved views."""
    if view.owner_id != actor.pk:
        raise PermissionDenied("Only its owner deletes a saved view.")
    view.delete()
