"""One triage action, one e-mail to the submitter, naming the state the action ended in
(issue 16: a complete triage used to send "now In triage" and then "now Scored")."""

import datetime
from typing import Any

import pytest
from django.core import mail

from informatics.models import Notification, User
from intake.choices import RequestStatus
from intake.models import RequestStatusChange
from tests.intake.factories import FULL_RATINGS, submit, triage_fully

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]
S = RequestStatus


def test_a_complete_triage_sends_the_submitter_one_email_naming_scored(
    users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    champion, cmio = users["champion"], users["cmio"]
    request = submit(champion)

    with django_capture_on_commit_callbacks(execute=True):
        triage_fully(cmio, request, ratings=FULL_RATINGS, build_hours=20)

    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["champion@riverside.example"], f"Your request #{request.pk} is now Scored"),
    ]
    assert f"Request #{request.pk} moved from Submitted to Scored." in mail.outbox[0].body
    # The timeline still shows both moves.
    assert list(
        RequestStatusChange.objects.filter(request=request)
        .order_by("id")
        .values_list("from_status", "to_status")
    ) == [("", S.SUBMITTED), (S.SUBMITTED, S.TRIAGE), (S.TRIAGE, S.SCORED)]


def test_a_partial_triage_sends_one_email_naming_in_triage(
    users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    champion, cmio = users["champion"], users["cmio"]
    request = submit(champion)

    with django_capture_on_commit_callbacks(execute=True):
        triage_fully(cmio, request, ratings={"safety_quality": 3}, build_hours=20)

    assert [m.subject for m in mail.outbox] == [f"Your request #{request.pk} is now In triage"]


def test_a_triage_that_moves_nothing_sends_nothing(
    users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    champion, cmio = users["champion"], users["cmio"]
    request = triage_fully(cmio, submit(champion), ratings={"safety_quality": 3})
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        triage_fully(cmio, request, ratings={"safety_quality": 4})

    assert mail.outbox == []
    assert Notification.objects.count() == 0
