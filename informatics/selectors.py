"""Reads of the program kernel, shaped for pages and the API (no queries left to templates)."""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework.authtoken.models import Token

from informatics.models import AuditEvent, Facility, GroupRoleMapping, StrategicPriority, User


@dataclass(frozen=True)
class NeedsMeItem:
    """One thing waiting on a user, for the landing page's needs-me list (oldest first)."""

    kind: str  # a short label: "Triage", "Overdue milestone", …
    title: str
    url: str
    since: datetime.datetime  # when it started waiting
    due: datetime.datetime | None = None  # past due when earlier than now
    detail: str = ""


# A landing page shows at most this many items of each kind; the rest are a count (SQL COUNT)
# and a link to the full, paginated list.
NEEDS_ME_LIMIT = 10


class NeedsMe(list[NeedsMeItem]):
    """An app's needs-me items, oldest first, at most NEEDS_ME_LIMIT of each kind, with
    `totals` (how many items of each kind there are in all, counted in SQL) and `links` (the
    full list of each kind). A kind without a total counts the items it holds."""

    def __init__(
        self,
        items: Iterable[NeedsMeItem] = (),
        *,
        totals: Mapping[str, int] | None = None,
        links: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(items)
        self.totals: dict[str, int] = dict(totals or {})
        self.links: dict[str, str] = dict(links or {})

    def total(self, kind: str) -> int:
        shown = sum(item.kind == kind for item in self)
        return max(self.totals.get(kind, shown), shown)


def needs_me_for(user: User) -> list[NeedsMeItem]:
    """The kernel itself asks nothing of anyone yet; apps contribute their own items."""
    return []


def priority_list(*, include_retired: bool = True) -> QuerySet[StrategicPriority]:
    rows = StrategicPriority.objects.select_related("executive_sponsor")
    if not include_retired:
        rows = rows.filter(is_active=True)
    return rows.order_by("-is_active", "rank", "id")


def user_list() -> QuerySet[User]:
    return User.objects.prefetch_related("groups", "facilities").order_by("full_name", "email")


def user_with_roles(*, user_id: int) -> User:
    user: User = User.objects.prefetch_related("groups", "facilities").get(pk=user_id)
    return user


def facility_list() -> QuerySet[Facility]:
    return Facility.objects.select_related("parent").order_by("kind", "name")


def facility_tree() -> list[tuple[Facility, int]]:
    """Every facility with its depth, parents before children, siblings by name."""
    facilities = list(Facility.objects.order_by("name"))
    children: dict[int | None, list[Facility]] = {}
    for facility in facilities:
        children.setdefault(facility.parent_id, []).append(facility)
    ordered: list[tuple[Facility, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for facility in children.get(parent_id, []):
            ordered.append((facility, depth))
            walk(facility.pk, depth + 1)

    walk(None, 0)
    return ordered


def audit_history(*, instance: models.Model) -> QuerySet[AuditEvent]:
    """The record's audit events, newest first, with their actors."""
    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    return (
        AuditEvent.objects.filter(content_type=content_type, object_id=str(instance.pk))
        .select_related("actor", "content_type")
        .order_by("-at", "-id")
    )


def saves_since(*, instance: models.Model, version: int) -> list[AuditEvent]:
    """The audit events of the saves that moved a versioned record on from `version`, newest
    save first, the events of one save together (newest first): for the stale-edit conflict,
    "who saved since you loaded version N, and what they changed".

    Every save through `informatics.audit` that moves the version (an optimistic-lock update,
    a redaction) records the version it made on each event it writes, so this is exact
    however close together the saves were. Events that moved no version (re-ranking, linking
    requests) carry none and are not saves. Neither do events recorded before events kept
    their version: a conflict reaching back that far lists only the saves made since."""
    return list(
        audit_history(instance=instance)
        .filter(version__gt=version)
        .order_by("-version", "-at", "-id")
    )


def token_expires_at(*, token: Token) -> datetime.datetime | None:
    """When the API token stops working (API_TOKEN_TTL_DAYS after it was made), or None when
    tokens do not expire."""
    if not settings.API_TOKEN_TTL_DAYS:
        return None
    return token.created + datetime.timedelta(days=settings.API_TOKEN_TTL_DAYS)


def token_has_expired(*, token: Token) -> bool:
    expires_at = token_expires_at(token=token)
    return expires_at is not None and timezone.now() >= expires_at


@dataclass(frozen=True)
class TokenStatus:
    """What a person may see of their own API token: never its key, once made."""

    created: datetime.datetime
    expires_at: datetime.datetime | None
    has_expired: bool


def user_token_status(*, user: User) -> TokenStatus | None:
    """The user's API token, as its owner's account page shows it; None when they have none."""
    token = Token.objects.filter(user=user).first()
    if token is None:
        return None
    return TokenStatus(
        created=token.created,
        expires_at=token_expires_at(token=token),
        has_expired=token_has_expired(token=token),
    )


def sso_group_roles() -> dict[str, set[str]]:
    """Which roles each identity-provider group grants (groups case-folded): the admin's
    mapping, or OIDC_GROUP_ROLES ("group=role,group=role") while that has no row."""
    mapping: dict[str, set[str]] = {}
    rows = list(GroupRoleMapping.objects.values_list("group", "role"))
    if not rows:
        rows = list(settings.OIDC_GROUP_ROLES)
    for group, role in rows:
        mapping.setdefault(group.casefold(), set()).add(role)
    return mapping
