"""Writes of people: invitations, roles and facilities, deactivation."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.authtoken.models import Token

from informatics.audit import audit_created, audit_record, audited_update, diff
from informatics.choices import ROLE_ORDER, AuditAction
from informatics.exceptions import Conflict, refuse
from informatics.models import Facility, User
from informatics.permissions import Action, require
from informatics.selectors import token_has_expired
from informatics.services.records import guard_record_text
from informatics.services.site import site_settings_get

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
    guard_record_text(User, {"title": title, "specialty": specialty}, confirmed=False)
    email = email.strip().lower()
    roles = _roles_check(roles)
    errors, conflicts = {}, {}
    if not email:
        errors["email"] = "An e-mail address is required."
    elif User.objects.filter(email__iexact=email).exists():
        conflicts["email"] = f"{email} already has an account."
    if not full_name.strip():
        errors["full_name"] = "A name is required."
    refuse(errors, conflicts)
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
    guard_record_text(User, {"title": title, "specialty": specialty}, confirmed=False)
    roles = _roles_check(roles)
    if not full_name.strip():
        raise ValidationError({"full_name": "A name is required."})
    if user.pk == actor.pk and "admin" not in roles:
        raise Conflict({"roles": "You cannot remove your own admin role."})
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
        raise Conflict({"is_active": "You cannot deactivate your own account."})
    audited_update(user, actor=actor, changes={"is_active": is_active})
    if not is_active:
        Token.objects.filter(user=user).delete()
    return user


# --- Passwords, sessions and API tokens -----------------------------------------------------


@transaction.atomic
def user_password_set(*, user: User, password: str) -> User:
    """Give the user a new password (a change, a reset or an invitation link). Their API
    token is deleted with the old password; their other sessions end, as Django ends every
    session on a password change (the page that changed it keeps its own)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    Token.objects.filter(user=user).delete()
    return user


def user_token_create(*, user: User) -> Token:
    """A new API token for the user, replacing any they had (its key is shown only now)."""
    with transaction.atomic():
        _lock_tokens_of(user)
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def user_token_current(*, user: User) -> Token:
    """The user's API token: the one they have while it has not expired, else a new one. Under
    a lock on the user, so that sign-ins at the same moment share one token instead of racing
    to create two (the second would break the one-token-per-user key)."""
    with transaction.atomic():
        _lock_tokens_of(user)
        token = Token.objects.filter(user=user).first()
        if token is not None and not token_has_expired(token=token):
            return token
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def _lock_tokens_of(user: User) -> None:
    """Take the user's row lock: whoever replaces the user's token takes turns (SQLite's
    IMMEDIATE transactions already do)."""
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))


def user_token_revoke(*, user: User) -> bool:
    """Delete the user's API token; False when they had none."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted > 0


@transaction.atomic
def user_sign_out_everywhere(*, user: User) -> User:
    """End every session of the user (this one included) and delete their API token: raising
    the session generation makes Django refuse every session signed before it."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])
    Token.objects.filter(user=user).delete()
    return user
