"""Shared partials and the portal's template filters, rendered as the pages render them."""

import datetime
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import time_machine
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.template.loader import render_to_string
from django.test import Client, RequestFactory, override_settings

from informatics.choices import AuditAction, Role
from informatics.models import AuditEvent, User
from informatics.selectors import NeedsMeItem, audit_history
from informatics.templatetags import portal
from reports import selectors
from tests.factories import PriorityFactory

NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)

pytestmark = pytest.mark.time_machine(NOW)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_needs_me_list_on_the_landing_page_is_oldest_first_and_flags_overdue_items(
    monkeypatch: pytest.MonkeyPatch, client_as: Callable[..., Client]
) -> None:
    def items(user: User) -> list[NeedsMeItem]:
        return [
            NeedsMeItem(
                kind="Status update due",
                title="Sepsis order set",
                url="/initiatives/7/",
                since=NOW - datetime.timedelta(days=2),
            ),
            NeedsMeItem(
                kind="Triage",
                title="Sepsis alert fires on every post-op tachycardia",
                url="/requests/3/",
                since=NOW - datetime.timedelta(days=5),
                due=NOW - datetime.timedelta(days=1),
                detail="Fast track: 72 h",
            ),
        ]

    monkeypatch.setattr(selectors.initiatives_selectors, "needs_me_for", items)

    html = client_as(Role.CMIO).get("/home/cmio/").content.decode()

    assert "Nothing is waiting on you" not in html
    assert '<span class="badge badge--warn">2 waiting</span>' in html
    assert html.index("Sepsis alert fires") < html.index("Sepsis order set")
    assert "waiting <time" in html
    assert "5\xa0days" in html
    assert "overdue since 9 Mar 2026" in html
    assert "Fast track: 72 h" in html
    assert 'href="/requests/3/"' in html


@pytest.mark.django_db
def test_history_partial_shows_who_changed_which_field_from_what_to_what(
    make_user: Callable[..., User],
) -> None:
    cmo = make_user(Role.CMO, full_name="Dana Whitfield")
    priority = PriorityFactory.create(title="Zero Harm")
    AuditEvent.objects.create(
        content_type_id=_content_type_id(priority),
        object_id=str(priority.pk),
        object_repr="Zero Harm",
        action=AuditAction.UPDATE,
        actor=cmo,
        at=datetime.datetime(2026, 3, 2, 14, 5, tzinfo=datetime.UTC),
        changes={"title": ["Zero harm", "Zero Harm"], "retired_reason": ["", "Merged"]},
        note="typo",
    )

    html = render_to_string("partials/history.html", {"events": audit_history(instance=priority)})

    assert "<strong>Changed</strong>" in html
    assert "by Dana Whitfield" in html
    assert "2 Mar 2026, 14:05" in html
    assert "<dt>Title</dt>" in html
    assert "<dt>Retired reason</dt>" in html
    assert "Zero harm</span>" in html
    assert "—</span>" in html  # the empty old value
    assert '<p class="history__note">typo</p>' in html


def test_history_partial_without_events_explains_what_will_appear() -> None:
    html = render_to_string("partials/history.html", {"events": []})

    assert "No changes recorded yet" in html


def _content_type_id(instance: Model) -> int:
    return ContentType.objects.get_for_model(instance).pk


@pytest.mark.django_db
@override_settings(AXES_COOLOFF_TIME=datetime.timedelta(minutes=15))
def test_lockout_page_says_how_long_the_account_stays_locked() -> None:
    request = RequestFactory().post("/accounts/login/", {"username": "cmo@riverside.example"})
    request.user = AnonymousUser()

    response = get_lockout_response(request, credentials={"username": "cmo@riverside.example"})

    text = " ".join(response.content.decode().split())
    assert response.status_code == 429
    assert "<h1>Account locked for now</h1>" in text
    assert "sign-in for this account is blocked for 15 minutes." in text


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (datetime.timedelta(minutes=15), "15 minutes"),
        (datetime.timedelta(hours=1), "1 hour"),
        (datetime.timedelta(hours=1, minutes=30), "1 hour 30 minutes"),
        (datetime.timedelta(days=2, minutes=1), "2 days 1 minute"),
        (datetime.timedelta(seconds=30), "30 seconds"),
        (None, ""),
    ],
)
def test_duration_in_words(value: datetime.timedelta | None, words: str) -> None:
    assert portal.duration(value) == words


@override_settings(AXES_COOLOFF_TIME=datetime.timedelta(minutes=15))
def test_lockout_period_reads_the_axes_cool_off() -> None:
    assert portal.lockout_period() == "15 minutes"


@override_settings(AXES_COOLOFF_TIME=2)
def test_lockout_period_reads_a_number_as_hours_like_axes() -> None:
    assert portal.lockout_period() == "2 hours"


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, "—"), ("", "—"), ([], "—"), (True, "yes"), (["a", "b"], "a, b"), (3, "3")],
)
def test_audit_value(value: object, text: str) -> None:
    assert portal.audit_value(value) == text


def test_role_label() -> None:
    assert [portal.role_label(role) for role in Role.values] == [
        "CMO",
        "CMIO",
        "Informaticist",
        "Executive",
        "Physician champion",
        "Admin",
    ]
    assert portal.role_label("nobody") == "nobody"


@pytest.mark.django_db
def test_can_filter_asks_the_permission_table(make_user: Callable[..., User]) -> None:
    assert portal.can(make_user(Role.CMO), "priority.edit") is True
    assert portal.can(make_user(Role.CHAMPION), "priority.edit") is False


CONTRACT_CLASSES = [
    "page-header",
    "page-header__actions",
    "card",
    "stack",
    "grid-2",
    "table",
    "table-wrap",
    "button",
    "button--secondary",
    "button--danger",
    "button--small",
    "form",
    "field",
    "field__help",
    "errorlist",
    "field--error",
    "empty-state",
    "badge",
    "badge--muted",
    "badge--ok",
    "badge--warn",
    "badge--danger",
    "history",
    "muted",
    "visually-hidden",
    "messages",
    "inline-form",
]


def test_stylesheet_defines_every_class_of_the_template_contract() -> None:
    css = (Path(settings.BASE_DIR) / "static" / "css" / "portal.css").read_text()
    defined = set(re.findall(r"\.([a-z][a-z0-9_-]*)", css))

    assert sorted(set(CONTRACT_CLASSES) - defined) == []


def test_stylesheet_has_no_remote_import_or_url() -> None:
    css = (Path(settings.BASE_DIR) / "static" / "css" / "portal.css").read_text()

    assert "@import" not in css
    assert "http" not in css


@pytest.mark.django_db
def test_history_shows_field_labels_choice_labels_and_local_times():
    import zoneinfo

    from django.template.loader import render_to_string
    from django.utils import timezone

    from informatics.audit import audit_record
    from informatics.choices import AuditAction
    from informatics.selectors import audit_history
    from tests.factories import PriorityFactory

    priority = PriorityFactory.create()
    audit_record(
        instance=priority,
        actor=None,
        action=AuditAction.UPDATE,
        changes={
            "value_category": ["safety_quality", "equity"],
            "updated_at": ["2026-11-28 14:15:56.903581+00:00", "2026-11-28 15:00:00+00:00"],
            "horizon": ["2027-06-30", "2028-06-30"],
        },
    )

    with timezone.override(zoneinfo.ZoneInfo("America/Chicago")):
        html = render_to_string(
            "partials/history.html", {"events": audit_history(instance=priority)}
        )

    assert "<dt>Value category</dt>" in html
    assert "Safety &amp; quality" in html
    assert "Equity" in html
    assert "28 Nov 2026, 08:15" in html
    assert "30 Jun 2028" in html
    assert "safety_quality" not in html
