"""Action items: made by decisions and agenda items, done or dropped by their owners and the
chair, and a daily reminder to the owner of each overdue one."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from governance.choices import ActionStatus
from governance.models import ActionItem, AgendaItem, Decision, GovernanceBody
from informatics.audit import audit_created, audited_update
from informatics.exceptions import Conflict
from informatics.models import User
from informatics.permissions import Action, can, require
from informatics.services import notify
from informatics.services.records import field_errors, guard_record_text, record_phi

AUDITED = ("title", "owner", "due_on", "status", "body", "decision", "agenda_item")


def action_url(item: ActionItem) -> str:
    return reverse("governance:action-list") + f"#action-{item.pk}"


@transaction.atomic
def action_item_create(
    *,
    actor: User,
    body: GovernanceBody,
    title: str,
    owner: User | None,
    due_on: datetime.date | None,
    decision: Decision | None = None,
    agenda_item: AgendaItem | None = None,
    phi_confirmed: bool = False,
) -> ActionItem:
    """Ask `owner` to do something by `due_on`: whoever records the body's decisions."""
    require(actor, Action.DECISION_RECORD, body)
    cleaned = {"title": (title or "").strip()}
    errors: dict[str, str] = {}
    if not cleaned["title"]:
        errors["title"] = "Say what is to be done."
    if owner is None or not owner.is_active:
        errors["owner"] = "Choose an active person to own the action."
    if due_on is None:
        errors["due_on"] = "Give the date it is due."
    field_errors(ActionItem(title=cleaned["title"]), ["title"], errors)
    if errors or owner is None or due_on is None:
        raise ValidationError(errors)
    findings = guard_record_text(ActionItem, cleaned, confirmed=phi_confirmed)
    item = ActionItem.objects.create(
        title=cleaned["title"],
        owner=owner,
        due_on=due_on,
        body=body,
        decision=decision,
        agenda_item=agenda_item,
    )
    audit_created(instance=item, actor=actor, fields=AUDITED)
    record_phi(instance=item, findings=findings, actor=actor)
    notify(
        recipient=owner,
        subject=f"Action for you: {item.title}",
        body=f"{body} asks you to: {item.title}, by {due_on:%d %b %Y}.",
        url=action_url(item),
    )
    return item


def _close(actor: User, item: ActionItem, status: str) -> ActionItem:
    if not (item.owner_id == actor.pk or can(actor, Action.REVIEW_CHAIR, item.body)):
        require(actor, Action.REVIEW_CHAIR, item.body)
    locked = ActionItem.objects.select_for_update().get(pk=item.pk)
    if locked.status != ActionStatus.OPEN:
        raise Conflict({"status": f"The action is already {locked.get_status_display()}."})
    changes: dict[str, object] = {"status": status}
    if status == ActionStatus.DONE:
        changes["completed_at"] = timezone.now()
    audited_update(item, actor=actor, changes=changes)
    return item


@transaction.atomic
def action_item_complete(*, actor: User, item: ActionItem) -> ActionItem:
    """Its owner, or the body's chair (or the CMO, the CMIO), marks it done."""
    return _close(actor, item, ActionStatus.DONE)


@transaction.atomic
def action_item_drop(*, actor: User, item: ActionItem) -> ActionItem:
    """Its owner, or the body's chair (or the CMO, the CMIO), drops it."""
    return _close(actor, item, ActionStatus.DROPPED)


def action_reminders_send(*, today: datetime.date) -> int:
    """Remind the owner of each open action item due before `today`, once per item per day:
    each item is claimed with a conditional update of `reminded_on`, so a second run the same
    day (or a duplicate delivery) sends nothing. Returns how many reminders were sent."""
    overdue = ActionItem.objects.filter(status=ActionStatus.OPEN, due_on__lt=today)
    not_today = Q(reminded_on__isnull=True) | Q(reminded_on__lt=today)
    sent = 0
    for item_id in overdue.filter(not_today).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            claimed = (
                ActionItem.objects.filter(pk=item_id, status=ActionStatus.OPEN)
                .filter(not_today)
                .update(reminded_on=today)
            )
            if not claimed:
                continue
            item = ActionItem.objects.select_related("owner", "body").get(pk=item_id)
            days = (today - item.due_on).days
            notify(
                recipient=item.owner,
                subject=f"Overdue action: {item.title}",
                body=f"{item.body} asked you to: {item.title}, by {item.due_on:%d %b %Y} "
                f"({days} days ago). Mark it done or tell the chair.",
                url=action_url(item),
            )
            sent += 1
    return sent
