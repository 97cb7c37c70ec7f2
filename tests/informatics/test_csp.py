"""Every named URL's HTML response carries a Content Security Policy whose script policy has
neither 'unsafe-inline' nor 'unsafe-eval': portal pages, auth pages, Django admin, API docs.

The test walks the whole URLconf, so a page added later is checked without editing this file.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

import factory
import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.authtoken.models import Token

from informatics.audit import audit_record
from informatics.choices import AuditAction, FacilityKind, Role
from informatics.models import Facility, JobRun, StrategicPriority, User
from tests.factories import FacilityFactory, PriorityFactory, UserFactory

pytestmark = pytest.mark.django_db
NO_PASSWORD = factory.Transformer.Force("!")  # unusable, so nothing to hash

# Django admin alone has well over this many named pages; fewer means the walk broke.
MIN_HTML_PAGES_CHECKED = 75
# Where these names exist in the URLconf, their page must have been checked.
MUST_CHECK = {
    "login",
    "password_reset",
    "password_reset_confirm",
    "reports:landing",
    "admin:index",
    "admin:informatics_strategicpriority_change",
    "admin:informatics_user_change",
    "admin:informatics_auditevent_change",
    "api-docs",
    "informatics:priority-list",
    "informatics:priority-detail",
    "informatics:person-detail",
    "informatics:facility-list",
}
FORBIDDEN = ("'unsafe-inline'", "'unsafe-eval'")


@dataclass(frozen=True)
class Named:
    name: str  # with namespaces: "admin:index"
    params: dict[str, object]  # argument name → converter (route) or regex group (re_path)


def _params(pattern: URLPattern | URLResolver) -> dict[str, object]:
    if isinstance(pattern.pattern, RoutePattern):
        return dict(pattern.pattern.converters)
    if isinstance(pattern.pattern, RegexPattern):
        return dict.fromkeys(pattern.pattern.regex.groupindex, "regex")
    return {}


def _walk(
    patterns: list, namespace: str = "", inherited: dict[str, object] | None = None
) -> Iterator[Named]:
    for pattern in patterns:
        params = {**(inherited or {}), **_params(pattern)}
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, inner, params)
        elif pattern.name:
            yield Named(name=f"{namespace}{pattern.name}", params=params)


@dataclass
class World:
    """The records whose pages are visited: a priority, a person, a facility."""

    admin: User
    person: User
    priority: StrategicPriority
    facility: Facility


def _admin_model(name: str) -> type[models.Model] | None:
    """admin:informatics_strategicpriority_change → StrategicPriority."""
    match = re.fullmatch(r"admin:(?P<app>[a-z_]+?)_(?P<model>[a-z]+)_[a-z]+", name)
    if not match:
        return None
    try:
        return apps.get_model(match["app"], match["model"])
    except LookupError:
        return None


def _value(named: Named, param: str, converter: object, world: World) -> object | None:
    """A value for one URL argument, or None when the test cannot build one."""
    name = named.name
    if param in {"pk", "object_id", "id"} or isinstance(converter, IntConverter):
        model = _admin_model(name)
        if model is not None:
            first = model._default_manager.order_by("pk").first()
            return None if first is None else first.pk  # None: nothing of this kind to show
        if "priorit" in name:
            return world.priority.pk
        if "person" in name or "user" in name:
            return world.person.pk
        if "facilit" in name:
            return world.facility.pk
        return 1 if isinstance(converter, IntConverter) else None
    if param == "role":
        return Role.ADMIN
    if param == "app_label":
        return "informatics"
    if param == "uidb64":
        return urlsafe_base64_encode(force_bytes(world.person.pk))
    if param == "token" and name == "password_reset_confirm":
        return "expired-link"  # a valid token redirects; this renders the "link expired" page
    return None


def _script_sources(policy: str) -> list[str]:
    """The sources that govern scripts: script-src (and -elem/-attr), else default-src."""
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    script_keys = [
        k for k in ("script-src", "script-src-elem", "script-src-attr") if k in directives
    ]
    if not script_keys:
        return directives.get("default-src", [])
    return [source for key in script_keys for source in directives[key]]


@pytest.fixture
def world() -> World:
    admin = UserFactory.create(
        roles=[Role.ADMIN], is_staff=True, is_superuser=True, password=NO_PASSWORD
    )
    person = UserFactory.create(roles=[Role.CHAMPION], password=NO_PASSWORD)
    Token.objects.create(user=person)
    system = FacilityFactory.create(kind=FacilityKind.SYSTEM)
    facility = FacilityFactory.create(kind=FacilityKind.HOSPITAL, parent=system)
    priority = PriorityFactory.create(executive_sponsor=person)
    audit_record(instance=priority, actor=admin, action=AuditAction.CREATE, changes={})
    JobRun.objects.create(kind="csp-test")
    # Lock-out records (django-axes), so their admin pages have a row to show.
    seen_at = {"user_agent": "test", "ip_address": "127.0.0.1", "username": person.email}
    AccessAttempt.objects.create(
        **seen_at,
        http_accept="*/*",
        path_info="/",
        get_data="",
        post_data="",
        failures_since_start=1,
    )
    AccessFailureLog.objects.create(**seen_at, http_accept="*/*", path_info="/")
    return World(admin=admin, person=person, priority=priority, facility=facility)


def test_every_html_page_has_a_strict_script_policy(world: World) -> None:
    client = Client()
    client.force_login(world.admin, backend="django.contrib.auth.backends.ModelBackend")
    checked: dict[str, str] = {}
    skipped: list[str] = []
    failures: list[str] = []
    names = list(_walk(get_resolver().url_patterns))
    seen: set[tuple[str, tuple[str, ...]]] = set()

    for named in names:
        key = (named.name, tuple(sorted(named.params)))
        if key in seen:
            continue
        seen.add(key)
        kwargs = {p: _value(named, p, c, world) for p, c in named.params.items()}
        if any(v is None for v in kwargs.values()):
            skipped.append(f"{named.name} (arguments: {', '.join(named.params)})")
            continue
        try:
            url = reverse(named.name, kwargs=kwargs)
        except NoReverseMatch:
            skipped.append(f"{named.name} (could not reverse with {kwargs})")
            continue
        response = client.get(url)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        if not response.content:
            continue  # a redirect or a refused method (POST-only views): nothing to protect
        policy = response.get("Content-Security-Policy")
        if not policy:
            failures.append(f"{named.name} {url}: no Content-Security-Policy header")
            continue
        bad = [source for source in _script_sources(policy) if source in FORBIDDEN]
        if bad:
            failures.append(f"{named.name} {url}: script policy allows {' '.join(bad)}")
        checked[named.name] = url

    assert failures == [], "\n".join(failures)
    assert len(checked) >= MIN_HTML_PAGES_CHECKED, (
        f"only {len(checked)} HTML pages checked; skipped: {skipped}"
    )
    existing = {named.name for named in names}
    assert sorted((MUST_CHECK & existing) - set(checked)) == [], f"skipped: {skipped}"


def test_script_sources_fall_back_to_default_src() -> None:
    assert _script_sources("default-src 'self' 'unsafe-inline'; img-src 'self'") == [
        "'self'",
        "'unsafe-inline'",
    ]
    assert _script_sources("default-src *; script-src 'self' 'nonce-abc'") == [
        "'self'",
        "'nonce-abc'",
    ]
