"""Writes of the organisation's setup: the facility hierarchy and the site settings."""

import datetime
import logging
import re
import zoneinfo
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from informatics.audit import audit_created, audit_record, audited_update, diff, field_values
from informatics.choices import FACILITY_PARENT_KINDS, AuditAction, FacilityKind, Route
from informatics.exceptions import Conflict
from informatics.models import Facility, SiteSettings, User
from informatics.permissions import Action, require
from informatics.sso import sso_enabled

SITE_SETTINGS_CACHE_KEY = "informatics:site-settings"

logger = logging.getLogger(__name__)


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
        raise Conflict({"code": f"A facility with code {code!r} already exists."})
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


def site_today() -> datetime.date:
    """Today in the organisation's time zone (SiteSettings.time_zone): the date jobs, agendas
    and roll-ups run on, outside any request's time zone activation."""
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(site_settings_get().time_zone))


def local_passwords_on() -> bool:
    """Whether people may sign in with a portal password now: the operator's switch
    (LOCAL_PASSWORDS) and the admin's (SiteSettings.local_passwords) must both be on. The admin's
    switch counts only while single sign-on is configured, so that no one is locked out."""
    if not settings.LOCAL_PASSWORDS:
        return False
    return site_settings_get().local_passwords or not sso_enabled()


SITE_SETTINGS_FIELDS = (
    "organisation_name",
    "time_zone",
    "fiscal_year_start_month",
    "currency",
    "stale_after_days",
    "sla_hours",
    "local_passwords",
)
PASSWORDS_NEED_SSO = (
    "Local passwords can be switched off only once single sign-on is configured (OIDC_CLIENT_ID "
    "and OIDC_ISSUER or OIDC_DISCOVERY_URL): until then no one could sign in."
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
    if "local_passwords" in changes:
        if not isinstance(changes["local_passwords"], bool):
            errors["local_passwords"] = "Say whether local passwords are on or off."
        elif not changes["local_passwords"] and not sso_enabled():
            errors["local_passwords"] = PASSWORDS_NEED_SSO
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def site_settings_update(*, actor: User, **changes: Any) -> SiteSettings:
    """Change the organisation's settings (admins only); the time zone must be a known one, and
    local passwords go off only while single sign-on is configured."""
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
