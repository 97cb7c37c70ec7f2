"""The program kernel's records: people, facilities, site settings, priorities, jobs, audit."""

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from informatics import limits
from informatics.choices import (
    DEFAULT_SLA_HOURS,
    ROLE_ORDER,
    AuditAction,
    FacilityKind,
    JobStatus,
    NotificationPreference,
    Role,
    ValueCategory,
)


class TimeStampedModel(models.Model):
    """Base for business records: when each row was made and last changed."""

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """A record edited by several people: `version` guards against lost updates (HTTP 409)."""

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


def one_row_per(*fields: str, name: str) -> models.UniqueConstraint:
    """At most one row for each combination of `fields`: the unique constraint `name`."""
    return models.UniqueConstraint(fields=list(fields), name=name)


def keyed_by(*fields: str, name: str) -> tuple[list[str], list[models.BaseConstraint]]:
    """The Meta `ordering, constraints` of a model with one row per combination of `fields`
    (the unique constraint `name`) that is listed in the order of those fields."""
    return list(fields), [one_row_per(*fields, name=name)]


def unique_with_optional(
    fields: list[str], optional: str, *, name: str, name_without: str
) -> list[models.BaseConstraint]:
    """`fields` unique together where one of them, `optional`, may be NULL: one partial
    constraint (`name`) over the rows that have it, one (`name_without`) over the others without
    it, as NULLs are distinct in a unique index and SQLite has no NULLS NOT DISTINCT."""
    return [
        models.UniqueConstraint(
            fields=fields, condition=Q(**{f"{optional}__isnull": False}), name=name
        ),
        models.UniqueConstraint(
            fields=[field for field in fields if field != optional],
            condition=Q(**{f"{optional}__isnull": True}),
            name=name_without,
        ),
    ]


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> "User":
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> "User":
        """Sign-in matches the e-mail address whatever its case."""
        return self.get(email__iexact=(username or "").strip())

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> "User":
        """`createsuperuser`: the first admin of a new site, holding the admin role."""
        from django.contrib.auth.models import Group

        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        user = self.create_user(email, password, **fields)
        user.groups.add(Group.objects.get_or_create(name="admin")[0])
        return user


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address; roles are groups named after `Role`."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    title = models.CharField(max_length=150, blank=True, help_text="e.g. Hospitalist, CNO")
    specialty = models.CharField(max_length=100, blank=True)
    facilities: "models.ManyToManyField[Facility, Any]" = models.ManyToManyField(
        "Facility", blank=True, related_name="people"
    )
    notification_preference = models.CharField(
        max_length=10,
        choices=NotificationPreference.choices,
        default=NotificationPreference.IMMEDIATE,
        help_text="How this person hears about changes to what they follow.",
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    session_generation = models.PositiveIntegerField(
        default=0,
        help_text='Raised by "sign out everywhere": sessions begun before it end.',
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles this user holds, in landing order; read once per instance."""
        cached: tuple[str, ...] | None = vars(self).get("_roles_cache")
        if cached is None:
            if not self.pk or not self.is_active:
                cached = ()
            else:
                names = {group.name for group in self.groups.all()}
                cached = tuple(role for role in ROLE_ORDER if role in names)
            self._roles_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's session check (an HMAC of the password hash), bound also to the session
        generation, so raising the generation ends every session as a password change does.
        Generation 0 keeps Django's own hash: sessions from before the field stay valid."""
        if not self.session_generation:
            hashed: str = super()._get_session_auth_hash(secret=secret)  # type: ignore[misc]
            return hashed
        key_salt = "informatics.models.User.get_session_auth_hash"
        value = f"{self.password}:{self.session_generation}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()


class TimelineEntry(models.Model):
    """One step of a record's timeline: who took it (none when the system did) and when;
    the concrete model adds the record and what changed."""

    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["at", "id"]


class Facility(TimeStampedModel):
    """A place care happens: the system, a hospital, or a unit or clinic (a hierarchy)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=FacilityKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    beds = models.PositiveIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "facilities"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=FacilityKind.SYSTEM, parent__isnull=True)
                | (~Q(kind=FacilityKind.SYSTEM) & Q(parent__isnull=False)),
                name="facility_system_is_root",
                violation_error_message=(
                    "A health system has no parent; every other facility has one."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name


def _default_sla_hours() -> dict[str, int]:
    return {str(route): hours for route, hours in DEFAULT_SLA_HOURS.items()}


class SiteSettings(TimeStampedModel):
    """The organisation's settings: one row (pk=1), edited by an admin."""

    organisation_name = models.CharField(max_length=200, default="Informatics Portal")
    time_zone = models.CharField(max_length=64, default="UTC")
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        default=7, help_text="Month (1–12) in which the fiscal year starts."
    )
    currency = models.CharField(max_length=3, default="USD")
    stale_after_days = models.PositiveSmallIntegerField(
        default=30, help_text="An initiative with no status update for this long is stale."
    )
    sla_hours = models.JSONField(default=_default_sla_hours, help_text="Hours per intake route.")
    local_passwords = models.BooleanField(
        default=True,
        help_text="Whether people may sign in with a portal password (the operator's "
        "LOCAL_PASSWORDS=false switches them off whatever this says).",
    )

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="site_settings_single_row"),
            models.CheckConstraint(
                condition=Q(fiscal_year_start_month__gte=1, fiscal_year_start_month__lte=12),
                name="site_settings_fiscal_month_range",
            ),
        ]

    def __str__(self) -> str:
        return self.organisation_name


class StrategicPriority(VersionedModel):
    """An organisational priority that informatics work is aligned to, ranked by the CMO."""

    code = models.SlugField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    goal_statement = limits.text(limits.LONG_TEXT)
    executive_sponsor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="sponsored_priorities"
    )
    value_category = models.CharField(max_length=20, choices=ValueCategory.choices)
    horizon = models.DateField(help_text="When the goal should be reached.")
    is_active = models.BooleanField(default=True)
    rank = models.PositiveIntegerField()
    retired_reason = limits.text(limits.NOTE, blank=True)

    class Meta:
        ordering = ["-is_active", "rank", "id"]
        verbose_name_plural = "strategic priorities"

    def __str__(self) -> str:
        return self.title


class JobRun(models.Model):
    """One background job (import, roll-up, report): claimed with a conditional UPDATE so a
    duplicate delivery or a re-run after a killed worker never doubles its effect."""

    kind = models.CharField(max_length=60)
    scope = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class ExportFile(models.Model):
    """A list's CSV built by an export job (past EXPORT_INLINE_MAX_ROWS rows), kept through
    Django's storage until `expires_at`; only its creator and admins may download it. The file
    is emptied when it expires; the row stays as the job's record."""

    job = models.OneToOneField(JobRun, on_delete=models.CASCADE, related_name="export_file")
    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    export = models.CharField(max_length=40)
    filename = models.CharField(max_length=120)
    file = models.FileField(upload_to="exports/", blank=True)
    rows = models.PositiveIntegerField(default=0)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"{self.filename} ({self.rows} rows)"


class AuditEvent(models.Model):
    """Who changed which fields of a business record, and when.

    Written by services through `informatics.audit`, never by signals, so the optimistic-lock
    updates and upserts that services make are recorded too. `changes` maps each field to
    [old, new]; redaction rewrites it in place. `version` is the version of a VersionedModel
    that the event's save made (every event of that save carries it); empty when the event
    moved no version, and on events recorded before events kept it.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)
    changes = models.JSONField(default=dict)
    note = models.CharField(max_length=200, blank=True)
    version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The record's version that this event's save made."
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr} at {self.at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """One message for one person (the outbox). Sent at once or gathered into a daily digest,
    by the recipient's preference; `sent_at` makes sending idempotent."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    digest = models.BooleanField(default=False, help_text="Held for the daily digest.")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["sent_at", "digest"])]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient}"


class PhiConfirmation(models.Model):
    """Someone confirmed that text the PHI guard flagged is not patient information. Until an
    informaticist clears it (`cleared_at`), the record is held: only its author, triage and
    admins read it."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    field = models.CharField(max_length=60)
    kinds = models.JSONField(help_text="What the guard saw, e.g. ['phone'].")
    confirmed_by = models.ForeignKey(User, on_delete=models.PROTECT)
    confirmed_at = models.DateTimeField(default=timezone.now)
    cleared_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-confirmed_at"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.field} confirmed by {self.confirmed_by} at {self.confirmed_at:%Y-%m-%d}"


class Redaction(models.Model):
    """An admin replaced a text everywhere it was kept. Records who, when and where, never
    the text itself."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    field = models.CharField(max_length=60)
    redacted_by = models.ForeignKey(User, on_delete=models.PROTECT)
    redacted_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=200)
    history_events = models.PositiveIntegerField(default=0, help_text="Audit events rewritten.")

    class Meta:
        ordering = ["-redacted_at"]

    def __str__(self) -> str:
        return f"{self.field} of {self.content_type.model} #{self.object_id}"


# --- Single sign-on ---------------------------------------------------------------------------


class IdentityLink(models.Model):
    """A person's account at the organisation's identity provider: who the provider says they
    are (issuer and subject), the refresh token the portal re-checks them with, and when the
    provider last confirmed them."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="identity_link")
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    refresh_token = models.TextField(blank=True)
    checked_at = models.DateTimeField(help_text="When the provider last confirmed the person.")

    class Meta:
        constraints = [one_row_per("issuer", "subject", name="identity_link_subject")]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"


class GroupRoleMapping(models.Model):
    """An identity-provider group whose members hold a portal role: granted at sign-in, and
    removed at the next sign-in of someone no longer in the group (unless pinned)."""

    group = models.CharField(
        max_length=255, help_text="The group as the provider's groups claim names it."
    )
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        ordering, constraints = keyed_by("group", "role", name="group_role_mapping_unique")

    def __str__(self) -> str:
        return f"{self.group} → {self.role}"


class PinnedRole(models.Model):
    """A role an admin pinned on a person: signing in through the provider never removes it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="pinned_roles")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        ordering, constraints = keyed_by("user", "role", name="pinned_role_unique")

    def __str__(self) -> str:
        return f"{self.role} pinned on {self.user}"
