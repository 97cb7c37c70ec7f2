"""Writes of the program kernel: priorities, people, site settings, background job rows."""

import datetime
import logging
import re
import zoneinfo
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.authtoken.models import Token

from informatics.audit import audit_created, audit_record, audited_update, diff, field_values
from informatics.choices import (
    FACILITY_PARENT_KINDS,
    ROLE_ORDER,
    AuditAction,
    FacilityKind,
    JobStatus,
    NotificationPreference,
    Route,
    ValueCategory,
)
from informatics.models import (
    AuditEvent,
    Facility,
    JobRun,
    Notification,
    Redaction,
    SiteSettings,
    StrategicPriority,
    User,
)
from informatics.permissions import Action, require
from informatics.phi import REDACTED, redactable_fields

SITE_SETTINGS_CACHE_KEY = "informatics:site-settings"

logger = logging.getLogger(__name__)

# --- Strategic priorities -------------------------------------------------------------------

PRIORITY_FIELDS = (
    "code",
    "title",
    "goal_statement",
    "executive_sponsor",
    "value_category",
    "horizon",
)


def _priority_check(fields: dict[str, Any], *, exclude_pk: int | None = None) -> None:
    """Field-named errors for priority input; nothing is saved when any is raised."""
    errors: dict[str, str] = {}
    code = fields.get("code")
    if code is not None:
        others = StrategicPriority.objects.filter(code=code)
        if exclude_pk is not None:
            others = others.exclude(pk=exclude_pk)
        clash = others.exists()
        if clash:
            errors["code"] = f"A priority with code {code!r} already exists."
    if "title" in fields and not str(fields["title"]).strip():
        errors["title"] = "A priority needs a title."
    if "goal_statement" in fields and not str(fields["goal_statement"]).strip():
        errors["goal_statement"] = "Say what the priority aims to achieve."
    category = fields.get("value_category")
    if category is not None and category not in ValueCategory.values:
        errors["value_category"] = f"{category!r} is not a value category."
    if "horizon" in fields and not isinstance(fields["horizon"], datetime.date):
        errors["horizon"] = "The horizon must be a date."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def priority_create(
    *,
    actor: User,
    code: str,
    title: str,
    goal_statement: str,
    value_category: str,
    horizon: datetime.date,
    executive_sponsor: User | None = None,
) -> StrategicPriority:
    """Add a priority at the bottom of the ranking."""
    require(actor, Action.PRIORITY_EDIT)
    fields = {
        "code": code,
        "title": title,
        "goal_statement": goal_statement,
        "value_category": value_category,
        "horizon": horizon,
        "executive_sponsor": executive_sponsor,
    }
    _priority_check(fields)
    last = StrategicPriority.objects.aggregate(last=Max("rank"))["last"] or 0
    priority = StrategicPriority.objects.create(rank=last + 1, **fields)
    audit_created(instance=priority, actor=actor, fields=(*PRIORITY_FIELDS, "rank", "is_active"))
    return priority


@transaction.atomic
def priority_update(
    *, actor: User, priority: StrategicPriority, version: int, **changes: Any
) -> StrategicPriority:
    """Edit a priority's fields; refused with StaleEdit if someone saved it since `version`."""
    require(actor, Action.PRIORITY_EDIT)
    unknown = set(changes) - set(PRIORITY_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be edited here."))
    _priority_check(changes, exclude_pk=priority.pk)
    audited_update(priority, actor=actor, changes=changes, expected_version=version)
    return priority


@transaction.atomic
def priority_reorder(*, actor: User, ordered_ids: Sequence[int]) -> list[StrategicPriority]:
    """Set the ranking of the active priorities to the order given (all of them, once each)."""
    require(actor, Action.PRIORITY_EDIT)
    active = {p.pk: p for p in StrategicPriority.objects.select_for_update().filter(is_active=True)}
    if sorted(ordered_ids) != sorted(active) or len(set(ordered_ids)) != len(ordered_ids):
        raise ValidationError(
            {"ordered_ids": "Give every active priority exactly once, in the new order."}
        )
    result = []
    for position, pk in enumerate(ordered_ids, start=1):
        priority = active[pk]
        audited_update(priority, actor=actor, changes={"rank": position}, note="reordered")
        result.append(priority)
    return result


@transaction.atomic
def priority_move(*, actor: User, priority: StrategicPriority, steps: int) -> None:
    """Move an active priority up (negative steps) or down the ranking."""
    require(actor, Action.PRIORITY_EDIT)
    order = list(
        StrategicPriority.objects.filter(is_active=True)
        .order_by("rank", "id")
        .values_list("pk", flat=True)
    )
    if priority.pk not in order:
        raise ValidationError({"priority": "Only an active priority can be moved."})
    index = order.index(priority.pk)
    new_index = min(max(index + steps, 0), len(order) - 1)
    order.insert(new_index, order.pop(index))
    priority_reorder(actor=actor, ordered_ids=order)


@transaction.atomic
def priority_retire(
    *, actor: User, priority: StrategicPriority, version: int, reason: str
) -> StrategicPriority:
    """Retire a priority: it stays on record (and on the work aligned to it) but leaves the
    active ranking."""
    require(actor, Action.PRIORITY_EDIT)
    if not reason.strip():
        raise ValidationError({"retired_reason": "Say why the priority is retired."})
    if not priority.is_active:
        raise ValidationError({"is_active": "This priority is already retired."})
    audited_update(
        priority,
        actor=actor,
        changes={"is_active": False, "retired_reason": reason.strip()},
        expected_version=version,
    )
    return priority


@transaction.atomic
def priority_restore(*, actor: User, priority: StrategicPriority, version: int) -> None:
    """Bring a retired priority back, at the bottom of the active ranking."""
    require(actor, Action.PRIORITY_EDIT)
    if priority.is_active:
        raise ValidationError({"is_active": "This priority is already active."})
    last = StrategicPriority.objects.filter(is_active=True).aggregate(m=Max("rank"))["m"] or 0
    audited_update(
        priority,
        actor=actor,
        changes={"is_active": True, "retired_reason": "", "rank": last + 1},
        expected_version=version,
    )


# --- People ---------------------------------------------------------------------------------

PERSON_FIELDS = ("email", "full_name", "title", "specialty")


def _roles_check(roles: Iterable[str]) -> list[str]:
    roles = list(roles)
    unknown = [role for role in roles if role not in ROLE_ORDER]
    if unknown:
        raise ValidationError({"roles": f"Unknown role: {', '.join(unknown)}."})
    if not roles:
        raise ValidationError({"roles": "Give the person at least one role."})
    return roles


def _set_roles(user: User, roles: Iterable[str]) -> None:
    groups = [Group.objects.get_or_create(name=role)[0] for role in roles]
    user.groups.set(groups)
    is_admin = "admin" in roles
    if user.is_staff != is_admin or user.is_superuser != is_admin:
        User.objects.filter(pk=user.pk).update(is_staff=is_admin, is_superuser=is_admin)
        user.is_staff = user.is_superuser = is_admin
    vars(user).pop("_roles_cache", None)  # roles changed: read them again when asked


def _membership(user: User) -> dict[str, Any]:
    return {
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "facilities": sorted(user.facilities.values_list("code", flat=True)),
    }


def password_set_link(*, user: User, base_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return base_url.rstrip("/") + path


@transaction.atomic
def user_invite(
    *,
    actor: User,
    email: str,
    full_name: str,
    roles: Iterable[str],
    facilities: Iterable[Facility] = (),
    title: str = "",
    specialty: str = "",
    base_url: str,
) -> User:
    """Create an account with no usable password and e-mail a link to set one."""
    require(actor, Action.ADMINISTER)
    email = email.strip().lower()
    roles = _roles_check(roles)
    errors = {}
    if not email:
        errors["email"] = "An e-mail address is required."
    elif User.objects.filter(email__iexact=email).exists():
        errors["email"] = f"{email} already has an account."
    if not full_name.strip():
        errors["full_name"] = "A name is required."
    if errors:
        raise ValidationError(errors)
    user = User.objects.create_user(
        email=email, password=None, full_name=full_name.strip(), title=title, specialty=specialty
    )
    _set_roles(user, roles)
    user.facilities.set(list(facilities))
    audit_created(instance=user, actor=actor, fields=PERSON_FIELDS)
    audit_record(
        instance=user, actor=actor, action=AuditAction.UPDATE, changes=diff({}, _membership(user))
    )
    link = password_set_link(user=user, base_url=base_url)
    organisation = site_settings_get().organisation_name
    context = {"user": user, "link": link, "organisation": organisation, "inviter": actor}
    transaction.on_commit(
        lambda: send_mail(
            subject=f"You are invited to the {organisation} informatics portal",
            message=render_to_string("informatics/email/invite.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )
    )
    return user


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    full_name: str,
    roles: Iterable[str],
    facilities: Iterable[Facility],
    title: str = "",
    specialty: str = "",
) -> User:
    """Change a person's name, roles and facilities (admins only)."""
    require(actor, Action.ADMINISTER)
    roles = _roles_check(roles)
    if not full_name.strip():
        raise ValidationError({"full_name": "A name is required."})
    if user.pk == actor.pk and "admin" not in roles:
        raise ValidationError({"roles": "You cannot remove your own admin role."})
    before = _membership(user)
    audited_update(
        user,
        actor=actor,
        changes={"full_name": full_name.strip(), "title": title, "specialty": specialty},
    )
    _set_roles(user, roles)
    user.facilities.set(list(facilities))
    audit_record(
        instance=user,
        actor=actor,
        action=AuditAction.UPDATE,
        changes=diff(before, _membership(user)),
    )
    return user


@transaction.atomic
def user_set_active(*, actor: User, user: User, is_active: bool) -> User:
    """Deactivate (or reactivate) an account. A deactivated user cannot sign in, their sessions
    end, and their API tokens are deleted."""
    require(actor, Action.ADMINISTER)
    if user.pk == actor.pk and not is_active:
        raise ValidationError({"is_active": "You cannot deactivate your own account."})
    audited_update(user, actor=actor, changes={"is_active": is_active})
    if not is_active:
        Token.objects.filter(user=user).delete()
    return user


# --- Facilities -----------------------------------------------------------------------------

FACILITY_FIELDS = ("code", "name", "kind", "parent", "beds", "is_active")


def facility_check(*, kind: str, parent: Facility | None, facility: Facility | None = None) -> None:
    """Whether a facility of `kind` may sit under `parent` (system › hospital › unit or
    clinic), and never under itself; raises ValidationError naming the field."""
    if kind not in FACILITY_PARENT_KINDS:
        raise ValidationError({"kind": f"{kind!r} is not a kind of facility."})
    allowed = FACILITY_PARENT_KINDS[kind]
    label = FacilityKind(kind).label.lower()
    if not allowed and parent is not None:
        raise ValidationError({"parent": "A health system sits at the top: it has no parent."})
    if allowed and (parent is None or parent.kind not in allowed):
        names = " or ".join(FacilityKind(k).label.lower() for k in allowed)
        raise ValidationError({"parent": f"A {label} sits under a {names}."})
    ancestor = parent
    while facility is not None and facility.pk and ancestor is not None:
        if ancestor.pk == facility.pk:
            raise ValidationError({"parent": "A facility cannot sit under itself."})
        ancestor = ancestor.parent


@transaction.atomic
def facility_create(
    *,
    actor: User,
    code: str,
    name: str,
    kind: str,
    parent: Facility | None = None,
    beds: int | None = None,
) -> Facility:
    """Add a place to the facility hierarchy (admins only)."""
    require(actor, Action.ADMINISTER)
    facility_check(kind=kind, parent=parent)
    facility = Facility(code=code, name=name, kind=kind, parent=parent, beds=beds)
    facility.full_clean()
    facility.save()
    audit_created(instance=facility, actor=actor, fields=FACILITY_FIELDS)
    return facility


@transaction.atomic
def facility_update(*, actor: User, facility: Facility, **changes: Any) -> Facility:
    """Change a facility's fields or its place in the hierarchy (admins only)."""
    require(actor, Action.ADMINISTER)
    unknown = set(changes) - set(FACILITY_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be edited here."))
    facility_check(
        kind=changes.get("kind", facility.kind),
        parent=changes.get("parent", facility.parent),
        facility=facility,
    )
    code = changes.get("code")
    if code is not None and Facility.objects.filter(code=code).exclude(pk=facility.pk).exists():
        raise ValidationError({"code": f"A facility with code {code!r} already exists."})
    audited_update(facility, actor=actor, changes=changes)
    return facility


# --- Site settings --------------------------------------------------------------------------


def site_settings_get() -> SiteSettings:
    """The settings row, cached; created with defaults on first use. Pages keep working while
    the cache (Redis) is down: the row is then read from the database."""
    try:
        cached: SiteSettings | None = cache.get(SITE_SETTINGS_CACHE_KEY)
    except Exception:  # any cache backend's connection error; /healthz reports the outage
        logger.warning("cache unavailable; reading site settings from the database")
        return SiteSettings.objects.get_or_create(pk=1)[0]
    if cached is not None:
        return cached
    settings_row = SiteSettings.objects.get_or_create(pk=1)[0]
    try:
        cache.set(SITE_SETTINGS_CACHE_KEY, settings_row, 300)
    except Exception:  # as above
        logger.warning("cache unavailable; site settings not cached")
    return settings_row


SITE_SETTINGS_FIELDS = (
    "organisation_name",
    "time_zone",
    "fiscal_year_start_month",
    "currency",
    "stale_after_days",
    "sla_hours",
)


def _site_settings_check(changes: dict[str, Any]) -> None:
    """Field-named errors for settings input; nothing is saved when any is raised."""
    errors: dict[str, str] = dict.fromkeys(
        set(changes) - set(SITE_SETTINGS_FIELDS), "This field cannot be edited here."
    )
    if "organisation_name" in changes and not str(changes["organisation_name"]).strip():
        errors["organisation_name"] = "Give the organisation's name."
    if "time_zone" in changes:
        zone = changes["time_zone"]
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
            errors["time_zone"] = (
                f"“{zone}” is not a time zone this server knows; use an IANA name such as "
                "America/Chicago or Europe/London."
            )
    month = changes.get("fiscal_year_start_month", 1)
    if not isinstance(month, int) or not 1 <= month <= 12:
        errors["fiscal_year_start_month"] = "Give the month as a number from 1 to 12."
    days = changes.get("stale_after_days", 1)
    if not isinstance(days, int) or days < 1:
        errors["stale_after_days"] = "Give the number of days as a whole number of at least 1."
    if "currency" in changes and not re.fullmatch(r"[A-Z]{3}", str(changes["currency"])):
        errors["currency"] = "Give the currency as a three-letter ISO 4217 code, e.g. USD."
    if "sla_hours" in changes:
        hours = changes["sla_hours"]
        if not isinstance(hours, dict) or set(hours) != set(Route.values):
            errors["sla_hours"] = "Give the SLA hours of every intake route, once each."
        elif not all(isinstance(value, int) and value >= 1 for value in hours.values()):
            errors["sla_hours"] = "SLA hours must be whole numbers of at least 1."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def site_settings_update(*, actor: User, **changes: Any) -> SiteSettings:
    """Change the organisation's settings (admins only); the time zone must be a known one."""
    require(actor, Action.ADMINISTER)
    _site_settings_check(changes)
    row = SiteSettings.objects.select_for_update().get_or_create(pk=1)[0]
    before = field_values(row, changes.keys())
    for name, value in changes.items():
        setattr(row, name, value)
    row.full_clean()
    row.updated_at = timezone.now()
    row.save(update_fields=[*changes.keys(), "updated_at"])
    audit_record(
        instance=row,
        actor=actor,
        action=AuditAction.UPDATE,
        changes=diff(before, field_values(row, changes.keys())),
    )
    transaction.on_commit(lambda: cache.delete(SITE_SETTINGS_CACHE_KEY))
    return row


# --- Background jobs ------------------------------------------------------------------------

# A running job whose worker has not reported for this long may be claimed again.
JOB_LEASE = datetime.timedelta(minutes=10)


def jobrun_create(
    *, kind: str, scope: dict[str, Any] | None = None, created_by: User | None = None
) -> JobRun:
    return JobRun.objects.create(kind=kind, scope=scope or {}, created_by=created_by)


def jobrun_claim(*, job_id: int) -> bool:
    """Take a job for this worker. False when another delivery already has it or it is done:
    the caller must then do nothing."""
    now = timezone.now()
    claimable = Q(status=JobStatus.PENDING) | Q(
        status=JobStatus.RUNNING, heartbeat_at__lt=now - JOB_LEASE
    )
    updated = JobRun.objects.filter(claimable, pk=job_id).update(
        status=JobStatus.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        error="",
    )
    return updated == 1


def jobrun_progress(*, job_id: int, done: int, total: int | None = None) -> None:
    fields: dict[str, Any] = {"progress_done": done, "heartbeat_at": timezone.now()}
    if total is not None:
        fields["progress_total"] = total
    JobRun.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(**fields)


def jobrun_finish(*, job_id: int, result: dict[str, Any] | None = None) -> None:
    JobRun.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        status=JobStatus.DONE, result=result or {}, finished_at=timezone.now()
    )


def jobrun_fail(*, job_id: int, error: str) -> None:
    JobRun.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        status=JobStatus.FAILED, error=error[:5000], finished_at=timezone.now()
    )


# --- Notifications --------------------------------------------------------------------------


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


# --- Redaction ------------------------------------------------------------------------------

# A redacted text shorter than this is not searched for in the outbox: it would match
# unrelated messages (a title such as "Alerts").
_OUTBOX_MATCH_MIN = 8
# An audit event's record label holding this much of a redacted text is rewritten too.
_REPR_MATCH_CHARS = 40


@transaction.atomic
def text_redact(*, actor: User, instance: Any, field: str, reason: str) -> Redaction:
    """Replace a free-text field of a record with "[redacted]" everywhere the portal kept it
    (admins only; the field must be registered as redactable by its app):

    - the record itself, with one UPDATE (its `version` moves on, so an editor who loaded the
      old text cannot save it back);
    - every audit event of the record whose `changes` hold the field (old and new values both
      become "[redacted]"), and the record label of any event that quoted the text;
    - unsent and sent notifications in the outbox that quote it.

    The Redaction row says who, when, which record and field, why and how many audit events
    were rewritten — never the text. An audit event "redact" joins the record's history.
    """
    require(actor, Action.ADMINISTER)
    model = type(instance)._meta.concrete_model
    assert model is not None
    label = model._meta.label_lower
    if field not in redactable_fields().get(label, ()):
        raise ValidationError(
            {"field": f"“{field}” of {model._meta.verbose_name} cannot be redacted."}
        )
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the text is redacted."})
    if len(reason) > 200:
        raise ValidationError({"reason": "Keep the reason under 200 characters."})

    content_type = ContentType.objects.get_for_model(model)
    object_id = str(instance.pk)
    events = list(
        AuditEvent.objects.select_for_update().filter(
            content_type=content_type, object_id=object_id
        )
    )
    current = model._default_manager.filter(pk=instance.pk).values_list(field, flat=True).get()
    texts = {str(current)} if current else set()
    for event in events:
        for value in event.changes.get(field) or ():
            if isinstance(value, str) and value and value != REDACTED:
                texts.add(value)
    texts.discard(REDACTED)

    values: dict[str, Any] = {field: REDACTED}
    if any(f.name == "version" for f in model._meta.concrete_fields):
        values["version"] = F("version") + 1
    model._default_manager.filter(pk=instance.pk).update(**values)
    instance.refresh_from_db()

    new_repr = str(instance)[:200]
    rewritten, touched = 0, []
    for event in events:
        changed = False
        if field in event.changes:
            event.changes = {**event.changes, field: [REDACTED, REDACTED]}
            rewritten += 1
            changed = True
        if any(text[:_REPR_MATCH_CHARS] in event.object_repr for text in texts):
            event.object_repr = new_repr
            changed = True
        if changed:
            touched.append(event)
    AuditEvent.objects.bulk_update(touched, ["changes", "object_repr"])

    for text in (t for t in texts if len(t) >= _OUTBOX_MATCH_MIN):
        quoting = Notification.objects.filter(Q(subject__contains=text) | Q(body__contains=text))
        for notification in quoting:
            notification.subject = notification.subject.replace(text, REDACTED)
            notification.body = notification.body.replace(text, REDACTED)
            notification.save(update_fields=["subject", "body"])

    redaction = Redaction.objects.create(
        content_type=content_type,
        object_id=object_id,
        field=field,
        redacted_by=actor,
        reason=reason,
        history_events=rewritten,
    )
    audit_record(
        instance=instance,
        actor=actor,
        action=AuditAction.REDACT,
        changes={field: [REDACTED, REDACTED]},
        note=f"Redacted: {reason}",
    )
    return redaction
