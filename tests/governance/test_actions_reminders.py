"""The daily reminder of overdue action items: once per item per day, however often it runs."""

import datetime

import pytest

from governance import services
from governance.choices import ActionStatus, BodyKind
from governance.tasks import action_reminders_task
from informatics.models import Notification, User
from informatics.permissions import ActionDenied
from tests.governance.agenda_world import action, body

NOW = datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]
TODAY = datetime.date(2026, 6, 15)


def reminders() -> list[tuple[str, str]]:
    rows = Notification.objects.filter(subject__startswith="Overdue action").order_by("pk")
    return [(row.recipient.email, row.subject) for row in rows]


def test_two_runs_the_same_day_remind_each_owner_once_and_the_next_day_again(
    users: dict[str, User],
) -> None:
    cds = body("cds", BodyKind.CDS, users["cmio"])
    late = action(cds, users["informaticist"], TODAY - datetime.timedelta(days=1), title="Late")
    action(cds, users["champion"], TODAY - datetime.timedelta(days=9), title="Later")
    action(cds, users["champion"], TODAY, title="Due today")
    action(cds, users["cmo"], TODAY - datetime.timedelta(days=3), status=ActionStatus.DONE)

    assert services.action_reminders_send(today=TODAY) == 2
    assert services.action_reminders_send(today=TODAY) == 0
    assert reminders() == [
        ("informaticist@riverside.example", "Overdue action: Late"),
        ("champion@riverside.example", "Overdue action: Later"),
    ]
    late.refresh_from_db()
    assert late.reminded_on == TODAY

    assert services.action_reminders_send(today=TODAY + datetime.timedelta(days=1)) == 3
    assert services.action_reminders_send(today=TODAY + datetime.timedelta(days=1)) == 0
    assert len(reminders()) == 5


def test_the_daily_task_uses_the_site_date_and_is_idempotent(users: dict[str, User]) -> None:
    cds = body("cds", BodyKind.CDS, users["cmio"])
    action(cds, users["informaticist"], TODAY - datetime.timedelta(days=2))
    assert action_reminders_task() == 1
    assert action_reminders_task() == 0
    assert len(reminders()) == 1


def test_the_owner_completes_an_action_and_it_is_no_longer_reminded(users: dict[str, User]) -> None:
    cds = body("cds", BodyKind.CDS, users["cmio"])
    item = action(cds, users["informaticist"], TODAY - datetime.timedelta(days=2))
    services.action_item_complete(actor=users["informaticist"], item=item)
    item.refresh_from_db()
    assert item.status == ActionStatus.DONE
    assert item.completed_at is not None
    assert item.completed_at.replace(microsecond=0) == NOW
    assert services.action_reminders_send(today=TODAY) == 0


def test_someone_else_cannot_complete_or_drop_an_action_and_nothing_changes(
    users: dict[str, User],
) -> None:
    cds = body("cds", BodyKind.CDS, users["cmio"])
    item = action(cds, users["informaticist"], TODAY)
    for act in (services.action_item_complete, services.action_item_drop):
        with pytest.raises(ActionDenied) as err:
            act(actor=users["champion"], item=item)
        assert "review.chair" in str(err.value)
    item.refresh_from_db()
    assert (item.status, item.completed_at) == (ActionStatus.OPEN, None)


def test_an_action_without_owner_or_date_is_refused_naming_the_fields(
    users: dict[str, User],
) -> None:
    from django.core.exceptions import ValidationError

    from governance.models import ActionItem

    cds = body("cds", BodyKind.CDS, users["cmio"])
    with pytest.raises(ValidationError) as err:
        services.action_item_create(
            actor=users["cmio"], body=cds, title=" ", owner=None, due_on=None
        )
    assert err.value.message_dict == {
        "title": ["Say what is to be done."],
        "owner": ["Choose an active person to own the action."],
        "due_on": ["Give the date it is due."],
    }
    assert ActionItem.objects.count() == 0
