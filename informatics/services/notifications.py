"""Notifications: by each person's preference, sent at once or in a daily digest."""

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from informatics.audit import audited_update
from informatics.choices import NotificationPreference
from informatics.models import Notification, User
from informatics.services.site import site_settings_get

logger = logging.getLogger(__name__)


def _absolute_url(url: str) -> str:
    """A link for an e-mail: a path becomes absolute under settings.PORTAL_URL when it is set."""
    base = settings.PORTAL_URL
    if base and url.startswith("/"):
        return base.rstrip("/") + url
    return url


def _email_context(**context: Any) -> dict[str, Any]:
    return {
        "organisation": site_settings_get().organisation_name,
        "preferences_url": _absolute_url(reverse("informatics:account-notifications")),
        **context,
    }


def _email_text(template: str, context: dict[str, Any]) -> str:
    """A plain-text e-mail from its template, without the blank lines the tags leave."""
    return render_to_string(template, context).strip() + "\n"


def notify(*, recipient: User, subject: str, body: str, url: str = "") -> Notification | None:
    """Tell one person about a change, the way they chose (`notification_preference`):

    - none (or a deactivated account): nothing is kept or sent; returns None;
    - daily: the notification waits in the outbox for the next daily digest;
    - immediate: `notification_send_task` e-mails it once the caller's transaction commits
      (nothing is sent for a change that is rolled back).
    """
    preference = recipient.notification_preference
    if preference == NotificationPreference.NONE or not recipient.is_active:
        return None
    notification = Notification.objects.create(
        recipient=recipient,
        subject=subject[:200],
        body=body,
        url=url[:300],
        digest=preference == NotificationPreference.DAILY,
    )
    if not notification.digest:
        from informatics.tasks import notification_send_task  # the tasks module imports this one

        notification_id = notification.pk
        transaction.on_commit(lambda: notification_send_task.delay(notification_id))
    return notification


def notification_send(*, notification_id: int) -> bool:
    """E-mail one immediate notification. It is claimed first with a conditional UPDATE of
    `sent_at`, so a duplicate delivery of the task sends nothing; if the mail server refuses,
    the claim is released and the error raised, so a retry can send it. False when there was
    nothing to send (already sent, held for the digest, or the recipient was deactivated)."""
    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, sent_at__isnull=True, digest=False, recipient__is_active=True
    ).update(sent_at=now)
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    context = _email_context(notification=notification, link=_absolute_url(notification.url))
    try:
        send_mail(
            subject=notification.subject,
            message=_email_text("informatics/email/notification.txt", context),
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
    except Exception:
        Notification.objects.filter(pk=notification_id, sent_at=now).update(sent_at=None)
        raise
    return True


def notification_digest_send(*, recipient_id: int) -> int:
    """E-mail one person a single digest of all their unsent digest notifications, oldest
    first, and mark them sent. They are claimed with a conditional UPDATE stamped with this
    run's time, so two runs never put the same notification in two e-mails. Returns how many
    notifications the digest held (0: no e-mail)."""
    now = timezone.now()
    pending = Notification.objects.filter(
        recipient_id=recipient_id, digest=True, sent_at__isnull=True, recipient__is_active=True
    )
    ids = list(pending.values_list("pk", flat=True))
    if not ids:
        return 0
    Notification.objects.filter(pk__in=ids, sent_at__isnull=True).update(sent_at=now)
    items = list(
        Notification.objects.filter(pk__in=ids, sent_at=now)
        .select_related("recipient")
        .order_by("created_at", "id")
    )
    if not items:
        return 0  # another run took them first
    recipient = items[0].recipient
    count = len(items)
    entries = [(item, _absolute_url(item.url)) for item in items]
    context = _email_context(recipient=recipient, entries=entries, count=count)
    organisation = context["organisation"]
    try:
        send_mail(
            subject=f"{organisation}: {count} update{'s' if count != 1 else ''} for you",
            message=_email_text("informatics/email/digest.txt", context),
            from_email=None,
            recipient_list=[recipient.email],
        )
    except Exception:
        Notification.objects.filter(pk__in=ids, sent_at=now).update(sent_at=None)
        raise
    return count


def notification_digests_send() -> int:
    """Send every daily digest that is due: one e-mail per person with unsent digest
    notifications. A failure for one person is logged and leaves their notifications for the
    next run; the others still get theirs. Returns the number of e-mails sent."""
    recipient_ids = list(
        Notification.objects.filter(digest=True, sent_at__isnull=True, recipient__is_active=True)
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    sent = 0
    for recipient_id in recipient_ids:
        try:
            if notification_digest_send(recipient_id=recipient_id):
                sent += 1
        except Exception:
            logger.exception("The daily digest for user %s could not be sent", recipient_id)
    return sent


@transaction.atomic
def notification_preference_set(*, actor: User, preference: str) -> User:
    """A person chooses how they hear from the portal: right away, a daily digest, or not by
    e-mail. Everyone sets their own (the actor is the person changed), and it is audited."""
    if preference not in NotificationPreference.values:
        raise ValidationError(
            {
                "notification_preference": f"{preference!r} is not a choice: right away, daily "
                "digest or no e-mail."
            }
        )
    user = User.objects.get(pk=actor.pk)  # the row itself, whatever wraps the signed-in user
    audited_update(user, actor=actor, changes={"notification_preference": preference})
    actor.notification_preference = preference
    return user
