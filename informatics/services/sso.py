"""Single sign-on writes: a person signing in through the identity provider (created or updated
from the ID token's claims, roles from their groups), and the periodic re-check that ends the
access of someone the provider no longer confirms."""

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from informatics.audit import audit_created, audit_record, diff
from informatics.choices import ROLE_ORDER, AuditAction
from informatics.models import IdentityLink, User
from informatics.selectors import sso_group_roles
from informatics.services.people import (
    PERSON_FIELDS,
    _membership,
    _set_roles,
    user_sign_out_everywhere,
)
from informatics.sso import sso_refresh

logger = logging.getLogger(__name__)


class SignInRefused(Exception):
    """The provider vouched for someone the portal will not sign in; the message says why."""


def _claim_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return []


def sso_roles_for(*, groups: list[str], pinned: set[str]) -> list[str]:
    """The roles a member of `groups` holds: those the mapping grants, plus the pinned ones,
    in landing order."""
    mapping = sso_group_roles()
    granted = set(pinned)
    for group in groups:
        granted |= mapping.get(group.casefold(), set())
    return [role for role in ROLE_ORDER if role in granted]


@transaction.atomic
def user_sso_sign_in(*, issuer: str, claims: Mapping[str, Any], refresh_token: str) -> User:
    """The person the provider vouched for (the ID token's claims, already validated): found by
    their subject at this issuer, else by e-mail address (unless the provider says it has not
    verified it), else created. Their name and e-mail follow the claims; their roles become
    exactly those their groups map to, plus any an admin pinned. Raises SignInRefused (and
    writes nothing) for a deactivated account, one with no role, or an address in use."""
    subject = str(claims.get("sub") or "")
    email = str(claims.get(settings.OIDC_EMAIL_CLAIM) or "").strip().lower()
    if not subject or not email:
        raise SignInRefused(
            f"The identity provider did not give your e-mail address (the "
            f"“{settings.OIDC_EMAIL_CLAIM}” claim), so the portal cannot tell who you are."
        )
    full_name = str(claims.get(settings.OIDC_NAME_CLAIM) or "").strip() or email
    groups = _claim_list(claims.get(settings.OIDC_GROUPS_CLAIM))

    link = (
        IdentityLink.objects.select_for_update()
        .select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    if link is not None:
        user: User | None = link.user
    else:
        user = User.objects.filter(email__iexact=email).first()
        if user is not None and claims.get("email_verified") is False:
            # An address the provider has not verified could be anyone's: it links no account.
            raise SignInRefused(
                f"The identity provider has not verified {email}, and a portal account already "
                "uses it. Ask a portal administrator."
            )
    if user is not None and not user.is_active:
        raise SignInRefused(
            "Your portal account has been deactivated. Ask a portal administrator to reactivate it."
        )
    pinned = set(user.pinned_roles.values_list("role", flat=True)) if user else set()
    roles = sso_roles_for(groups=groups, pinned=pinned)
    if not roles:
        raise SignInRefused(
            "None of your groups at the identity provider gives a role in the portal. Ask a "
            "portal administrator to map one of your groups to a role."
        )
    if user is not None and User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise SignInRefused(
            f"Another portal account already uses {email}. Ask a portal administrator to "
            "merge the two."
        )

    if user is None:
        user = User.objects.create_user(email=email, password=None, full_name=full_name)
        audit_created(instance=user, actor=None, fields=PERSON_FIELDS)
    before = _membership(user)
    changes = {
        name: [getattr(user, name), value]
        for name, value in (("email", email), ("full_name", full_name))
        if getattr(user, name) != value
    }
    if changes:  # the provider's claims win over what the portal had
        User.objects.filter(pk=user.pk).update(**{name: new for name, (_, new) in changes.items()})
        for name, (_, value) in changes.items():
            setattr(user, name, value)
        audit_record(instance=user, actor=None, action=AuditAction.UPDATE, changes=changes)
    _set_roles(user, roles)
    audit_record(
        instance=user,
        actor=None,
        action=AuditAction.UPDATE,
        changes=diff(before, _membership(user)),
        note="single sign-on",
    )
    IdentityLink.objects.update_or_create(
        user=user,
        defaults={
            "issuer": issuer,
            "subject": subject,
            "refresh_token": refresh_token,
            "checked_at": timezone.now(),
        },
    )
    return user


def user_sso_recheck(*, user: User) -> bool:
    """Whether the user may go on (see `user_sso_confirmed_until`)."""
    return user_sso_confirmed_until(user=user) is not None


def user_sso_confirmed_until(*, user: User) -> datetime | None:
    """Until when the user may go on without asking the provider again; None when they may
    not. A user the provider confirmed less than OIDC_RECHECK_MINUTES ago (or one with no
    provider account) may; otherwise the provider is asked again with a refresh-token grant.
    When it refuses (or cannot be reached), every session of the user ends and their API token
    is deleted, and the answer is None."""
    link = IdentityLink.objects.filter(user=user).first()
    interval = timedelta(minutes=settings.OIDC_RECHECK_MINUTES)
    if link is None:
        return timezone.now() + interval
    if timezone.now() - link.checked_at < interval:
        return link.checked_at + interval
    with transaction.atomic():
        # One check at a time per user: a refresh token may be used once (rotation), so a
        # second request waits here and then finds the user freshly confirmed.
        link = IdentityLink.objects.select_for_update().get(pk=link.pk)
        if timezone.now() - link.checked_at < interval:
            return link.checked_at + interval
        try:
            if not link.refresh_token:
                raise SignInRefused("the provider gave no refresh token")
            token = sso_refresh(refresh_token=link.refresh_token)
        except (AuthlibBaseError, requests.RequestException, SignInRefused) as error:
            logger.warning("Single sign-on re-check refused %s: %s", user.email, error)
            link.refresh_token = ""
            link.save(update_fields=["refresh_token"])
            user_sign_out_everywhere(user=user)
            return None
        link.refresh_token = str(token.get("refresh_token") or link.refresh_token)
        link.checked_at = timezone.now()
        link.save(update_fields=["refresh_token", "checked_at"])
    return link.checked_at + interval
