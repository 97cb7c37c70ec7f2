"""Notifications: by each person's preference (none, daily digest, immediate after commit),
sent once however often a task is delivered; and the page where everyone sets their own."""

import datetime
from collections.abc import Callable, Iterator
from smtplib import SMTPException
from typing import Any

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from informatics import services
from informatics.celery import app as celery_app
from informatics.choices import AuditAction, NotificationPreference, Role
from informatics.models import AuditEvent, Notification, User
from informatics.services import notifications as notification_services
from informatics.tasks import notification_digest_task, notification_send_task

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]


@pytest.fixture(autouse=True)
def _no_portal_url(settings: Any) -> None:
    """Without PORTAL_URL, links in e-mails stay paths (a test below sets one)."""
    settings.PORTAL_URL = ""


PAGE = "informatics:account-notifications"


@pytest.fixture(autouse=True)
def _eager_tasks() -> Iterator[None]:
    """`.delay` runs the task in this process, whatever broker the environment names."""
    keys = ("task_always_eager", "task_eager_propagates")
    before = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(dict.fromkeys(keys, True))
    yield
    celery_app.conf.update(before)


@pytest.fixture
def person(make_user: Callable[..., User]) -> Callable[[str], User]:
    def make(preference: str) -> User:
        return make_user(
            "champion",
            email=f"{preference}@riverside.example",
            full_name=f"Dana {preference.title()}",
            notification_preference=preference,
        )

    return make


# --- notify ---------------------------------------------------------------------------------


def test_preference_none_keeps_and_sends_nothing(
    person: Callable[[str], User], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = services.notify(
            recipient=person(NotificationPreference.NONE), subject="Triaged", body="Your request…"
        )

    assert result is None
    assert Notification.objects.count() == 0
    assert callbacks == []
    assert mail.outbox == []


def test_a_deactivated_account_gets_nothing(
    make_user: Callable[..., User], django_capture_on_commit_callbacks: Any
) -> None:
    gone = make_user("champion", is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        result = services.notify(recipient=gone, subject="Triaged", body="Your request…")

    assert result is None
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_immediate_sends_one_email_only_after_the_transaction_commits(
    person: Callable[[str], User], django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.PORTAL_URL = "https://portal.riverside.example"
    recipient = person(NotificationPreference.IMMEDIATE)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = services.notify(
            recipient=recipient,
            subject="Your request moved to triage",
            body="“Sepsis alert fires on every post-op tachycardia” is now in triage.",
            url="/requests/7/",
        )
        assert mail.outbox == []  # not before the commit
        assert notification is not None
        assert notification.sent_at is None

    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["immediate@riverside.example"]
    assert message.subject == "Your request moved to triage"
    assert message.body == (
        "Hello Dana,\n\n"
        "“Sepsis alert fires on every post-op tachycardia” is now in triage.\n\n"
        "https://portal.riverside.example/requests/7/\n\n"
        "--\n"
        "Informatics Portal informatics portal. You receive this e-mail right away because of "
        "your notification settings; change them here: "
        "https://portal.riverside.example/account/notifications/\n"
    )
    notification.refresh_from_db()
    assert notification.digest is False
    assert notification.sent_at is not None


def test_immediate_sends_nothing_when_the_transaction_is_rolled_back(
    person: Callable[[str], User], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notify(
            recipient=person(NotificationPreference.IMMEDIATE), subject="Triaged", body="…"
        )

    assert len(callbacks) == 1  # enqueued for the commit that never came
    assert mail.outbox == []


def test_a_duplicate_delivery_of_the_send_task_sends_nothing_more(
    person: Callable[[str], User], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notification = services.notify(
            recipient=person(NotificationPreference.IMMEDIATE), subject="Triaged", body="…"
        )
    assert notification is not None
    sent_at = Notification.objects.get().sent_at

    notification_send_task.apply(args=(notification.pk,))
    notification_send_task.apply(args=(notification.pk,))

    assert len(mail.outbox) == 1
    assert Notification.objects.get().sent_at == sent_at


def test_a_refused_email_releases_the_claim_so_a_retry_sends_it(
    person: Callable[[str], User], monkeypatch: pytest.MonkeyPatch
) -> None:
    notification = services.notify(
        recipient=person(NotificationPreference.IMMEDIATE), subject="Triaged", body="…"
    )
    assert notification is not None

    def refuse(**kwargs: Any) -> None:
        raise SMTPException("421 try later")

    with monkeypatch.context() as patch:
        patch.setattr(notification_services, "send_mail", refuse)
        with pytest.raises(SMTPException):
            services.notification_send(notification_id=notification.pk)
    assert Notification.objects.get().sent_at is None
    assert mail.outbox == []

    assert services.notification_send(notification_id=notification.pk) is True
    assert len(mail.outbox) == 1


def test_the_send_task_leaves_digest_notifications_to_the_digest(
    person: Callable[[str], User],
) -> None:
    notification = services.notify(
        recipient=person(NotificationPreference.DAILY), subject="Triaged", body="…"
    )
    assert notification is not None

    notification_send_task.apply(args=(notification.pk,))

    assert mail.outbox == []
    assert Notification.objects.get().sent_at is None


# --- The daily digest -----------------------------------------------------------------------


def test_daily_holds_notifications_until_the_digest_which_sends_one_email_of_all(
    person: Callable[[str], User], django_capture_on_commit_callbacks: Any
) -> None:
    daily = person(NotificationPreference.DAILY)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with time_machine.travel("2026-03-04 09:00Z", tick=False):
            first = services.notify(
                recipient=daily,
                subject="Your request moved to triage",
                body="“Inbox routing for normal labs” is in triage.",
                url="/requests/3/",
            )
        with time_machine.travel("2026-03-04 15:00Z", tick=False):
            services.notify(
                recipient=daily,
                subject="A question about your request",
                body="Which inbox pool?",
                url="/requests/3/",
            )

    assert callbacks == []
    assert first is not None
    assert first.digest is True
    assert mail.outbox == []
    assert list(Notification.objects.values_list("digest", "sent_at")) == [
        (True, None),
        (True, None),
    ]

    assert notification_digest_task.apply().get() == 1

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["daily@riverside.example"]
    assert message.subject == "Informatics Portal: 2 updates for you"
    assert message.body == (
        "Hello Dana,\n\n"
        "2 updates since your last digest:\n\n"
        "1. Your request moved to triage\n"
        "“Inbox routing for normal labs” is in triage.\n"
        "/requests/3/\n\n"
        "2. A question about your request\n"
        "Which inbox pool?\n"
        "/requests/3/\n\n"
        "--\n"
        "Informatics Portal informatics portal. You receive this daily digest because of your "
        "notification settings; change them here: /account/notifications/\n"
    )
    assert Notification.objects.filter(sent_at__isnull=True).count() == 0

    # Given the digest already ran, when it runs again, then nothing more is sent.
    assert notification_digest_task.apply().get() == 0
    assert len(mail.outbox) == 1


def test_the_digest_sends_one_email_per_person_and_leaves_immediate_ones_alone(
    person: Callable[[str], User], make_user: Callable[..., User]
) -> None:
    daily = person(NotificationPreference.DAILY)
    other = make_user(
        "cmio", email="other@riverside.example", notification_preference="daily", full_name="Kim"
    )
    immediate = person(NotificationPreference.IMMEDIATE)
    Notification.objects.create(recipient=immediate, subject="Not for the digest", body="…")
    for recipient in (daily, other, daily):
        services.notify(recipient=recipient, subject="Status changed", body="…")

    sent = notification_digest_task.apply().get()

    assert sent == 2
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("daily@riverside.example", "Informatics Portal: 2 updates for you"),
        ("other@riverside.example", "Informatics Portal: 1 update for you"),
    ]
    assert Notification.objects.get(recipient=immediate).sent_at is None


def test_a_notification_claimed_by_another_run_is_not_sent_again(
    person: Callable[[str], User],
) -> None:
    daily = person(NotificationPreference.DAILY)
    services.notify(recipient=daily, subject="First", body="…")
    services.notify(recipient=daily, subject="Second", body="…")
    real_filter = Notification.objects.filter

    # Another digest run claims "First" between this run's read and its claim.
    def filter_then_race(*args: Any, **kwargs: Any) -> Any:
        rows = real_filter(*args, **kwargs)
        if kwargs.get("sent_at__isnull") and "pk__in" in kwargs:
            Notification.objects.filter(subject="First").update(sent_at="2026-01-01T00:00:00Z")
        return rows

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Notification.objects, "filter", filter_then_race)
        count = services.notification_digest_send(recipient_id=daily.pk)

    assert count == 1
    assert len(mail.outbox) == 1
    assert "Second" in mail.outbox[0].body
    assert "First" not in mail.outbox[0].body


def test_a_failed_digest_for_one_person_leaves_theirs_for_the_next_run_and_sends_the_rest(
    person: Callable[[str], User], make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    daily = person(NotificationPreference.DAILY)
    other = make_user("cmio", email="other@riverside.example", notification_preference="daily")
    services.notify(recipient=daily, subject="A", body="…")
    services.notify(recipient=other, subject="B", body="…")
    real_send = notification_services.send_mail

    def refuse_dana(**kwargs: Any) -> int:
        if kwargs["recipient_list"] == ["daily@riverside.example"]:
            raise SMTPException("550 mailbox unavailable")
        return real_send(**kwargs)

    monkeypatch.setattr(notification_services, "send_mail", refuse_dana)
    assert services.notification_digests_send() == 1

    assert [m.to for m in mail.outbox] == [["other@riverside.example"]]
    assert Notification.objects.get(recipient=daily).sent_at is None
    assert Notification.objects.get(recipient=other).sent_at is not None


def test_the_digest_is_on_the_beat_schedule_daily() -> None:
    entry = celery_app.conf.beat_schedule["notification-digest"]

    assert entry["task"] == notification_digest_task.name == "informatics.notification_digest"
    assert entry["schedule"].hour == {11}
    assert entry["schedule"].minute == {0}


# --- The preference page --------------------------------------------------------------------


def preference_events(user: User) -> list[tuple[str, dict[str, Any], int | None]]:
    return list(
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
        ).values_list("action", "changes", "actor_id")
    )


@pytest.mark.parametrize("role", Role.values)
def test_every_role_sets_its_own_preference(
    role: str, users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    client = client_for(role)
    me, someone_else = users[role], users["admin" if role != "admin" else "cmo"]

    page = client.get(reverse(PAGE))
    assert page.status_code == 200
    assert page.context["form"]["notification_preference"].value() == "immediate"

    response = client.post(
        reverse(PAGE),
        {"notification_preference": "daily", "user": someone_else.pk, "email": "x@y.example"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse(PAGE)
    me.refresh_from_db()
    someone_else.refresh_from_db()
    assert me.notification_preference == "daily"
    assert me.email == f"{role}@riverside.example"
    assert someone_else.notification_preference == "immediate"
    assert preference_events(me) == [
        (AuditAction.UPDATE, {"notification_preference": ["immediate", "daily"]}, me.pk)
    ]
    assert preference_events(someone_else) == []


def test_an_unknown_choice_is_refused_by_name_and_nothing_changes(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    response = client_for("champion").post(reverse(PAGE), {"notification_preference": "hourly"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "notification_preference": [
            "Select a valid choice. hourly is not one of the available choices."
        ]
    }
    users["champion"].refresh_from_db()
    assert users["champion"].notification_preference == "immediate"
    assert preference_events(users["champion"]) == []


def test_the_service_refuses_an_unknown_preference_naming_the_field(
    users: dict[str, User],
) -> None:
    with pytest.raises(ValidationError) as raised:
        services.notification_preference_set(actor=users["champion"], preference="hourly")

    assert raised.value.message_dict == {
        "notification_preference": [
            "'hourly' is not a choice: right away, daily digest or no e-mail."
        ]
    }


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_anonymous_visitor_is_sent_to_sign_in_and_nothing_changes(
    method: str, users: dict[str, User]
) -> None:
    client = Client()
    if method == "get":
        response = client.get(reverse(PAGE))
    else:
        response = client.post(reverse(PAGE), {"notification_preference": "none"})

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse(PAGE)}"
    assert set(User.objects.values_list("notification_preference", flat=True)) == {"immediate"}


def test_the_footer_links_to_the_page(client_for: Callable[[str], Client]) -> None:
    response = client_for("champion").get(reverse(PAGE))

    assert f'href="{reverse(PAGE)}">Notification settings</a>' in response.content.decode()
