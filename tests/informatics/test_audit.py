"""Audit history: who changed which field of a record, and when, as the record's page shows it;
and the plumbing services use (audited_update with optimistic locking, StaleEdit)."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from informatics import services
from informatics.audit import audit_created, audit_record, audited_update, diff, field_values
from informatics.choices import AuditAction
from informatics.exceptions import StaleEdit
from informatics.models import AuditEvent, SiteSettings, StrategicPriority, User
from informatics.selectors import audit_history
from tests.factories import FacilityFactory, PriorityFactory

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

UTC = datetime.UTC
MARCH_2 = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
MARCH_5 = datetime.datetime(2026, 3, 5, 14, 15, tzinfo=UTC)


def test_the_history_shows_who_changed_which_field_and_when(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    # Given the CMO created a priority on 2 March
    with time_machine.travel(MARCH_2, tick=False):
        priority = services.priority_create(
            actor=users["cmo"],
            code="safety",
            title="Safety",
            goal_statement="Reduce harm.",
            value_category="safety_quality",
            horizon=datetime.date(2027, 6, 30),
        )
    # when an admin renames it through the edit page on 5 March
    with time_machine.travel(MARCH_5, tick=False):
        client_for("admin").post(
            reverse("informatics:priority-edit", args=[priority.pk]),
            {
                "code": "safety",
                "title": "Zero harm",
                "goal_statement": "Reduce harm.",
                "value_category": "safety_quality",
                "horizon": "2027-06-30",
                "version": 1,
            },
        )

    # then the record keeps both events, newest first, with their actors and times
    events = list(audit_history(instance=priority))
    assert [(e.action, e.actor, e.at) for e in events] == [
        (AuditAction.UPDATE, users["admin"], MARCH_5),
        (AuditAction.CREATE, users["cmo"], MARCH_2),
    ]
    assert events[0].changes == {"title": ["Safety", "Zero harm"]}
    assert events[1].changes == {
        "code": [None, "safety"],
        "title": [None, "Safety"],
        "goal_statement": [None, "Reduce harm."],
        "executive_sponsor": [None, None],
        "value_category": [None, "safety_quality"],
        "horizon": [None, "2027-06-30"],
        "rank": [None, 1],
        "is_active": [None, True],
    }
    # and the page says who changed which field and when
    page = client_for("champion").get(reverse("informatics:priority-detail", args=[priority.pk]))
    text = page.text
    assert text.count('class="history__event"') == 2
    assert "by Demo ADMIN" in text
    assert '<time datetime="2026-03-05T14:15:00+00:00">5 Mar 2026, 14:15</time>' in text
    assert "by Demo CMO" in text
    assert '<time datetime="2026-03-02T09:30:00+00:00">2 Mar 2026, 09:30</time>' in text
    assert "<dt>Title</dt>" in text
    changed = text[text.index("by Demo ADMIN") : text.index("by Demo CMO")]
    assert "Safety" in changed
    assert "Zero harm" in changed
    assert "<dt>Goal statement</dt>" not in changed  # only the field that changed


def test_the_history_shows_times_in_the_organisations_time_zone(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    SiteSettings.objects.update_or_create(pk=1, defaults={"time_zone": "America/Chicago"})
    priority = PriorityFactory.create(title="Safety")
    with time_machine.travel(MARCH_5, tick=False):
        services.priority_update(
            actor=users["cmo"], priority=priority, version=1, title="Zero harm"
        )

    page = client_for("cmo").get(reverse("informatics:priority-detail", args=[priority.pk]))

    # 14:15 UTC is 08:15 in Chicago (CST, UTC-6, before daylight saving starts on 8 March)
    assert '<time datetime="2026-03-05T08:15:00-06:00">5 Mar 2026, 08:15</time>' in page.text


def test_a_person_history_records_role_and_facility_changes(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    north = FacilityFactory.create(code="north", name="North Hospital")
    person = users["champion"]
    with time_machine.travel(MARCH_5, tick=False):
        services.user_update(
            actor=users["admin"],
            user=person,
            full_name=person.full_name,
            roles=["champion", "informaticist"],
            facilities=[north],
        )

    event = audit_history(instance=person).get()
    assert (event.actor, event.at, event.action) == (users["admin"], MARCH_5, AuditAction.UPDATE)
    assert event.changes == {
        "roles": [["champion"], ["champion", "informaticist"]],
        "facilities": [[], ["north"]],
    }
    page = client_for("admin").get(reverse("informatics:person-detail", args=[person.pk]))
    assert "<dt>Roles</dt>" in page.text
    assert "<dt>Facilities</dt>" in page.text
    assert "champion, informaticist" in page.text


# --- The plumbing ---------------------------------------------------------------------------


@pytest.fixture
def priority() -> StrategicPriority:
    return PriorityFactory.create(code="safety", title="Safety", goal_statement="Reduce harm.")


def test_audited_update_records_only_the_fields_that_changed(
    priority: StrategicPriority, users: dict[str, User]
) -> None:
    with time_machine.travel(MARCH_5, tick=False):
        audited_update(
            priority,
            actor=users["cmo"],
            changes={"title": "Zero harm", "goal_statement": "Reduce harm."},
            expected_version=1,
        )

    priority.refresh_from_db()
    assert (priority.title, priority.version, priority.updated_at) == ("Zero harm", 2, MARCH_5)
    event = AuditEvent.objects.get()
    assert (event.actor, event.at, event.changes) == (
        users["cmo"],
        MARCH_5,
        {"title": ["Safety", "Zero harm"]},
    )
    assert event.object_repr == "Zero harm"
    assert event.version == 2  # the version this save made


def test_an_update_that_changes_nothing_records_nothing(
    priority: StrategicPriority, users: dict[str, User]
) -> None:
    audited_update(priority, actor=users["cmo"], changes={"title": "Safety"}, expected_version=1)

    priority.refresh_from_db()
    assert priority.version == 2  # the save still counts: an editor holding version 1 is stale
    assert AuditEvent.objects.count() == 0


def test_a_stale_version_raises_stale_edit_and_writes_nothing(
    priority: StrategicPriority, users: dict[str, User]
) -> None:
    audited_update(priority, actor=users["cmo"], changes={"title": "Zero harm"}, expected_version=1)
    stale_copy = StrategicPriority.objects.get(pk=priority.pk)
    stale_copy.version = 1

    with pytest.raises(StaleEdit) as raised:
        audited_update(
            stale_copy, actor=users["admin"], changes={"title": "Other"}, expected_version=1
        )

    assert raised.value.expected_version == 1
    assert raised.value.current.version == 2
    assert raised.value.current.title == "Zero harm"
    assert str(raised.value) == (
        "Zero harm was changed by someone else (version 2, you edited version 1). "
        "Reload and apply your change again."
    )
    priority.refresh_from_db()
    assert (priority.title, priority.version) == ("Zero harm", 2)
    assert AuditEvent.objects.count() == 1


def test_without_an_expected_version_the_version_is_left_alone(
    priority: StrategicPriority, users: dict[str, User]
) -> None:
    audited_update(priority, actor=users["cmo"], changes={"rank": 42}, note="reordered")

    priority.refresh_from_db()
    assert (priority.rank, priority.version) == (42, 1)
    assert AuditEvent.objects.values_list("note", "version").get() == ("reordered", None)


def test_foreign_keys_and_dates_are_kept_as_text(
    priority: StrategicPriority, users: dict[str, User]
) -> None:
    audited_update(
        priority,
        actor=users["cmo"],
        changes={"executive_sponsor": users["executive"], "horizon": datetime.date(2028, 1, 1)},
        expected_version=1,
    )

    assert AuditEvent.objects.get().changes == {
        "executive_sponsor": [None, "Demo EXECUTIVE"],
        "horizon": ["2027-06-30", "2028-01-01"],
    }


def test_audit_record_skips_an_empty_update_and_keeps_creations(
    priority: StrategicPriority, users: dict[str, User]
) -> None:
    assert audit_record(instance=priority, actor=None, action=AuditAction.UPDATE) is None
    audit_created(instance=priority, actor=None, fields=["code", "rank"])

    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.changes) == (
        AuditAction.CREATE,
        None,
        {"code": [None, "safety"], "rank": [None, priority.rank]},
    )


def test_the_page_names_the_system_when_no_one_acted(
    priority: StrategicPriority, client_for: Callable[[str], Client]
) -> None:
    audit_record(instance=priority, actor=None, action=AuditAction.UPDATE, changes={"rank": [1, 2]})
    page = client_for("cmo").get(reverse("informatics:priority-detail", args=[priority.pk]))
    assert "by the system" in page.text


def test_field_values_and_diff_work_on_plain_values(users: dict[str, User]) -> None:
    group = Group.objects.get(name="cmo")
    before = field_values(group, ["name"])
    after: dict[str, Any] = {"name": "cmo", "extra": [3, 1]}
    assert before == {"name": "cmo"}
    assert diff(before, after) == {"extra": [None, [3, 1]]}
