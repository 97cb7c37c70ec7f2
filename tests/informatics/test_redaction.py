"""Redaction: an admin replaces a free text with "[redacted]" on the record and in its whole
history; the Redaction row says who, when, where and why, never the text; everyone else is
refused and nothing changes."""

import datetime
import json
from collections.abc import Callable

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from informatics import selectors, services
from informatics.choices import AuditAction, Role
from informatics.exceptions import StaleEdit
from informatics.models import AuditEvent, Notification, Redaction, StrategicPriority, User
from informatics.permissions import ActionDenied
from informatics.phi import REDACTED, redactable_fields
from tests.conftest import snapshot

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

FIRST = "Cut sepsis deaths; see MRN 4412897 for the case that started it."
SECOND = "Cut sepsis deaths by a fifth (index case DOB 3/4/61)."


def history(priority: StrategicPriority) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(StrategicPriority),
            object_id=str(priority.pk),
        ).order_by("at", "id")
    )


def history_text(priority: StrategicPriority) -> str:
    """Everything the record's history holds, as one JSON text to search."""
    return json.dumps(
        [[e.object_repr, e.note, e.changes] for e in history(priority)], ensure_ascii=False
    )


@pytest.fixture
def priority(users: dict[str, User]) -> StrategicPriority:
    """A priority whose goal statement held two texts in turn: created, then edited."""
    created = services.priority_create(
        actor=users["cmo"],
        code="sepsis",
        title="Reduce sepsis mortality",
        goal_statement=FIRST,
        value_category="safety_quality",
        horizon=datetime.date(2027, 6, 30),
        phi_confirmed=True,
    )
    services.priority_update(
        actor=users["cmo"],
        priority=created,
        version=created.version,
        goal_statement=SECOND,
        phi_confirmed=True,
    )
    created.refresh_from_db()
    return created


# The record, its history and the redaction log (compared whole with `snapshot`).
TABLES = (StrategicPriority, AuditEvent, Redaction)


# --- The service ----------------------------------------------------------------------------


def test_admin_redacts_the_text_on_the_record_and_in_all_of_its_history(
    priority: StrategicPriority, users: dict[str, User]
) -> None:
    # Given a priority whose goal statement was written, then changed
    assert FIRST in history_text(priority)
    assert SECOND in history_text(priority)
    version = priority.version

    # When an admin redacts it
    redaction = services.text_redact(
        actor=users["admin"],
        instance=priority,
        field="goal_statement",
        reason="A patient identifier was pasted in.",
    )

    # Then the record holds "[redacted]" and its version moved on
    priority.refresh_from_db()
    assert priority.goal_statement == REDACTED
    assert priority.version == version + 1
    # … no event of its history holds either text anywhere
    text = history_text(priority)
    for old in (FIRST, SECOND, "4412897", "3/4/61"):
        assert old not in text
    # … the events that held the field now hold "[redacted]" as old and new value
    events = history(priority)
    assert [(e.action, e.changes.get("goal_statement")) for e in events] == [
        (AuditAction.CREATE, [REDACTED, REDACTED]),
        (AuditAction.UPDATE, [REDACTED, REDACTED]),
        (AuditAction.REDACT, [REDACTED, REDACTED]),
    ]
    # … other fields of the history are untouched
    assert events[0].changes["title"] == [None, "Reduce sepsis mortality"]
    assert events[0].object_repr == "Reduce sepsis mortality"
    assert events[2].actor == users["admin"]
    assert events[2].note == "Redacted: A patient identifier was pasted in."
    # … and the redaction is recorded, without the text
    assert Redaction.objects.count() == 1
    assert (
        redaction.content_type,
        redaction.object_id,
        redaction.field,
        redaction.redacted_by,
        redaction.reason,
        redaction.history_events,
    ) == (
        ContentType.objects.get_for_model(StrategicPriority),
        str(priority.pk),
        "goal_statement",
        users["admin"],
        "A patient identifier was pasted in.",
        2,
    )
    assert redaction.redacted_at is not None


def test_an_editor_who_loaded_the_old_text_cannot_save_it_back(
    priority: StrategicPriority, users: dict[str, User]
) -> None:
    loaded_version = priority.version
    services.text_redact(
        actor=users["admin"], instance=priority, field="goal_statement", reason="PHI"
    )

    with pytest.raises(StaleEdit):
        services.priority_update(
            actor=users["cmo"],
            priority=priority,
            version=loaded_version,
            goal_statement=SECOND,
            phi_confirmed=True,
        )

    priority.refresh_from_db()
    assert priority.goal_statement == REDACTED


def test_the_redaction_is_the_save_an_editor_who_loaded_the_old_text_is_shown(
    priority: StrategicPriority, users: dict[str, User]
) -> None:
    loaded_version = priority.version

    services.text_redact(
        actor=users["admin"], instance=priority, field="goal_statement", reason="PHI"
    )

    saves = selectors.saves_since(instance=priority, version=loaded_version)
    assert [(e.action, e.actor, e.version, e.changes) for e in saves] == [
        (
            AuditAction.REDACT,
            users["admin"],
            loaded_version + 1,
            {"goal_statement": [REDACTED, REDACTED]},
        )
    ]


def test_a_record_label_that_quoted_the_text_is_rewritten(
    users: dict[str, User], priority: StrategicPriority
) -> None:
    # A title is the record's label (object_repr) in every event.
    services.priority_update(
        actor=users["cmo"],
        priority=priority,
        version=priority.version,
        title="Call 555-201-3344 about sepsis",
        phi_confirmed=True,
    )
    priority.refresh_from_db()
    services.priority_update(
        actor=users["cmo"], priority=priority, version=priority.version, title="Sepsis"
    )
    priority.refresh_from_db()

    services.text_redact(actor=users["admin"], instance=priority, field="title", reason="PHI")

    assert "555-201-3344" not in history_text(priority)
    assert {e.object_repr for e in history(priority)} == {"[redacted]"}


def test_notifications_quoting_the_text_are_redacted_too(
    priority: StrategicPriority, users: dict[str, User]
) -> None:
    quoting = Notification.objects.create(
        recipient=users["cmo"], subject="Priority changed", body=f"New goal: {SECOND}"
    )
    other = Notification.objects.create(
        recipient=users["cmo"], subject="Other", body="Cut sepsis deaths, says the board."
    )

    services.text_redact(
        actor=users["admin"], instance=priority, field="goal_statement", reason="PHI"
    )

    quoting.refresh_from_db()
    other.refresh_from_db()
    assert quoting.body == "New goal: [redacted]"
    assert other.body == "Cut sepsis deaths, says the board."


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ADMIN])
def test_everyone_but_an_admin_is_refused_and_nothing_changes(
    role: str, priority: StrategicPriority, users: dict[str, User]
) -> None:
    before = snapshot(*TABLES)

    with pytest.raises(ActionDenied):
        services.text_redact(
            actor=users[role], instance=priority, field="goal_statement", reason="PHI"
        )

    assert snapshot(*TABLES) == before


def test_a_field_not_registered_as_redactable_is_refused_by_name(
    priority: StrategicPriority, users: dict[str, User]
) -> None:
    before = snapshot(*TABLES)

    with pytest.raises(ValidationError) as raised:
        services.text_redact(actor=users["admin"], instance=priority, field="code", reason="x")

    assert raised.value.message_dict == {
        "field": ["“code” of strategic priority cannot be redacted."]
    }
    assert snapshot(*TABLES) == before


def test_a_redaction_without_a_reason_is_refused_by_name(
    priority: StrategicPriority, users: dict[str, User]
) -> None:
    before = snapshot(*TABLES)

    with pytest.raises(ValidationError) as raised:
        services.text_redact(
            actor=users["admin"], instance=priority, field="goal_statement", reason="  "
        )

    assert raised.value.message_dict == {"reason": ["Say why the text is redacted."]}
    assert snapshot(*TABLES) == before


def test_apps_register_their_redactable_fields_on_their_app_config() -> None:
    registry = redactable_fields()

    assert registry["informatics.strategicpriority"] == (
        "title",
        "goal_statement",
        "retired_reason",
    )
    assert registry["intake.intakerequest"] == (
        "story_today",
        "story_wanted",
        "title",
        "workflow_area",
        "ehr_module",
        "specialty",
    )
    assert registry["intake.requestcomment"] == ("body",)
    assert registry["initiatives.initiative"] == (
        "title",
        "summary",
        "problem_statement",
        "stage_reason",
    )
    assert registry["initiatives.statusupdate"] == ("narrative", "risks")


# --- The page -------------------------------------------------------------------------------


def redact_url(priority: StrategicPriority, field: str = "goal_statement") -> str:
    return reverse(
        "informatics:text-redact",
        kwargs={
            "app_label": "informatics",
            "model": "strategicpriority",
            "object_id": str(priority.pk),
            "field": field,
        },
    )


def test_admin_sees_the_text_and_redacts_it_with_a_reason(
    priority: StrategicPriority, client_for: Callable[[str], Client]
) -> None:
    admin = client_for("admin")
    detail = reverse("informatics:priority-detail", args=[priority.pk])

    page = admin.get(redact_url(priority) + f"?next={detail}")
    assert page.status_code == 200
    assert SECOND in page.content.decode()
    assert f'href="{detail}">Cancel</a>' in page.content.decode()

    response = admin.post(
        redact_url(priority), {"reason": "Index case identifiers", "next": detail}
    )

    assert response.status_code == 302
    assert response["Location"] == detail
    priority.refresh_from_db()
    assert priority.goal_statement == REDACTED
    assert Redaction.objects.get().reason == "Index case identifiers"


def test_the_page_ignores_a_next_address_on_another_site(
    priority: StrategicPriority, client_for: Callable[[str], Client]
) -> None:
    response = client_for("admin").post(
        redact_url(priority), {"reason": "PHI", "next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("reports:home")


def test_the_page_asks_for_a_reason_and_changes_nothing_without_one(
    priority: StrategicPriority, client_for: Callable[[str], Client]
) -> None:
    before = snapshot(*TABLES)

    response = client_for("admin").post(redact_url(priority), {"reason": ""})

    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["Say why the text is redacted."]}
    assert snapshot(*TABLES) == before


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ADMIN])
def test_the_page_refuses_everyone_but_an_admin_and_nothing_changes(
    role: str, priority: StrategicPriority, client_for: Callable[[str], Client]
) -> None:
    before = snapshot(*TABLES)
    client = client_for(role)

    assert client.get(redact_url(priority)).status_code == 403
    assert client.post(redact_url(priority), {"reason": "PHI"}).status_code == 403
    assert snapshot(*TABLES) == before


def test_an_anonymous_visitor_is_sent_to_sign_in(priority: StrategicPriority) -> None:
    before = snapshot(*TABLES)

    response = Client().post(redact_url(priority), {"reason": "PHI"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert snapshot(*TABLES) == before


@pytest.mark.parametrize(
    ("app_label", "model", "object_id", "field"),
    [
        ("informatics", "strategicpriority", "{pk}", "code"),  # not registered
        ("informatics", "strategicpriority", "999999", "goal_statement"),  # no such record
        ("informatics", "strategicpriority", "abc", "goal_statement"),  # not a key
        ("informatics", "user", "{pk}", "email"),  # model not registered
        ("nowhere", "thing", "1", "body"),  # no such app
    ],
)
def test_a_text_that_cannot_be_redacted_is_not_found(
    app_label: str,
    model: str,
    object_id: str,
    field: str,
    priority: StrategicPriority,
    client_for: Callable[[str], Client],
) -> None:
    before = snapshot(*TABLES)
    url = reverse(
        "informatics:text-redact",
        kwargs={
            "app_label": app_label,
            "model": model,
            "object_id": object_id.format(pk=priority.pk),
            "field": field,
        },
    )

    assert client_for("admin").post(url, {"reason": "PHI"}).status_code == 404
    assert snapshot(*TABLES) == before
