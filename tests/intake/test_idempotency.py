"""The submit form carries a one-time key: the same form posted twice (a double click, a
resend) makes one request and the second post lands on it; a form shown again with errors keeps
its key; the key belongs to its submitter."""

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from informatics.choices import Role
from informatics.models import AuditEvent, User
from intake.models import IntakeRequest, RequestStatusChange
from tests.intake.factories import submit

pytestmark = pytest.mark.django_db

KEY = re.compile(r'<input type="hidden" name="submission_key" value="([0-9a-f-]{36})"')
CREATE = reverse("intake:request-create")
FORM: dict[str, Any] = {
    "title": "Sepsis alert fires on every post-op tachycardia",
    "kind": "pain_point",
    "story_today": "The sepsis alert fires for every post-op patient with a fast heart rate.",
    "story_wanted": "Quiet for a day after surgery unless the lactate is high.",
    "frequency": "several_daily",
}


def shown_key(client: Client) -> str:
    """The key of the blank submit form, as the page carries it."""
    found = KEY.search(client.get(CREATE).text)
    assert found is not None
    return found.group(1)


def test_each_blank_form_carries_a_new_key(client_for: Callable[[str], Client]) -> None:
    client = client_for(Role.CHAMPION)

    first, second = shown_key(client), shown_key(client)

    assert first != second
    assert uuid.UUID(first).version == 4


def test_the_same_form_posted_twice_makes_one_request_and_lands_on_it(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    client = client_for(Role.CHAMPION)
    data = {**FORM, "submission_key": shown_key(client)}

    first = client.post(CREATE, data)
    events = AuditEvent.objects.count()
    second = client.post(CREATE, data)

    made = IntakeRequest.objects.get()
    assert (made.title, made.submitted_by, str(made.submission_key)) == (
        FORM["title"],
        users[Role.CHAMPION],
        data["submission_key"],
    )
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/requests/{made.pk}/"
    assert AuditEvent.objects.count() == events
    assert RequestStatusChange.objects.count() == 1


def test_two_forms_make_two_requests(client_for: Callable[[str], Client]) -> None:
    client = client_for(Role.CHAMPION)

    client.post(CREATE, {**FORM, "submission_key": shown_key(client)})
    client.post(CREATE, {**FORM, "submission_key": shown_key(client)})

    assert IntakeRequest.objects.count() == 2


def test_a_form_shown_again_with_errors_keeps_its_key(client_for: Callable[[str], Client]) -> None:
    client = client_for(Role.CHAMPION)
    key = shown_key(client)

    refused = client.post(CREATE, {**FORM, "story_today": "", "submission_key": key})
    found = KEY.search(refused.text)
    client.post(CREATE, {**FORM, "submission_key": key})
    client.post(CREATE, {**FORM, "submission_key": key})

    assert refused.status_code == 200
    assert found is not None
    assert found.group(1) == key
    assert list(IntakeRequest.objects.values_list("submission_key", flat=True)) == [uuid.UUID(key)]


def test_a_key_belongs_to_its_submitter(
    users: dict[str, User], make_user: Callable[..., User]
) -> None:
    key = uuid.uuid4()
    other = make_user(Role.CHAMPION)

    mine = submit(users[Role.CHAMPION], submission_key=key)
    theirs = submit(other, submission_key=key)
    again = submit(other, submission_key=key, title="Another title")

    assert mine.pk != theirs.pk
    assert again.pk == theirs.pk
    assert sorted(IntakeRequest.objects.values_list("submitted_by", "title")) == sorted(
        [
            (users[Role.CHAMPION].pk, "Med rec screen loses home meds"),
            (other.pk, "Med rec screen loses home meds"),
        ]
    )


def test_without_a_key_each_post_makes_a_request(users: dict[str, User]) -> None:
    submit(users[Role.CHAMPION])
    submit(users[Role.CHAMPION])

    assert IntakeRequest.objects.count() == 2


def test_the_edit_form_has_no_key(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    made = submit(users[Role.CHAMPION])

    page = client_for(Role.CHAMPION).get(reverse("intake:request-edit", args=[made.pk]))

    assert page.status_code == 200
    assert 'name="submission_key"' not in page.text
