"""Concurrent writes from threads, each with its own database connection, as a threaded server
makes them: they wait for one another and answer as one after the other would (200/409 for
edits of the same version, 201/409 for the same +1, one import of one file's data), never 500
and never "database is locked". Each case runs in the SQLite pass and in the PostgreSQL pass."""

import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.backends.sqlite3.creation import DatabaseCreation
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from informatics.choices import Role
from informatics.models import User
from initiatives.models import Initiative
from intake.models import IntakeRequest, RequestVote
from metrics.choices import ImportStatus
from metrics.models import ImportBatch, Measurement
from tests.conftest import ApiAs
from tests.initiatives.factories import create_initiative
from tests.intake.factories import submit
from tests.metrics import test_import_helpers as helpers
from tests.metrics.test_import_helpers import csv_bytes, readmission_rows

pytestmark = pytest.mark.django_db(transaction=True)

catalogue = helpers.catalogue  # the metrics and facilities an import reads (by code)

BOTH = pytest.mark.parametrize(
    "database",
    [
        pytest.param("sqlite", marks=pytest.mark.sqlite),
        pytest.param("postgres", marks=pytest.mark.postgres),
    ],
)


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run `calls` in threads released together; their results in order. Each thread closes
    its own database connection when done; an exception in a thread is re-raised here."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except BaseException as error:  # handed back to the test thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    return results


@pytest.mark.sqlite
def test_the_embedded_database_waits_for_the_write_lock() -> None:
    """Transactions take the write lock when they begin, and a writer waits up to 20 s for it;
    the test database is a file, so that threads share it."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        busy = cursor.fetchone()

    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert busy == (20000,)
    # A file (with xdist, one per worker: test.sqlite3_gw0, …), never shared-cache memory.
    assert Path(connection.settings_dict["NAME"]).name.startswith("test.sqlite3")
    assert not DatabaseCreation.is_in_memory_db(connection.settings_dict["NAME"])


@BOTH
def test_two_edits_of_the_same_request_version_answer_200_and_409(
    database: str, users: dict[str, User], api_as: ApiAs
) -> None:
    champion = users[Role.CHAMPION]
    row = submit(champion)
    clients = [api_as(champion), api_as(champion)]
    url = f"/api/v1/requests/{row.pk}/"

    answers = at_once(
        *[
            lambda client=client, title=title: client.patch(
                url, {"version": 1, "title": title}, format="json"
            )
            for client, title in zip(clients, ["First title", "Second title"], strict=True)
        ]
    )

    assert sorted(answer.status_code for answer in answers) == [200, 409]
    winner = next(answer for answer in answers if answer.status_code == 200).json()["title"]
    row = IntakeRequest.objects.get()
    assert (row.title, row.version) == (winner, 2)


@BOTH
def test_two_edits_of_the_same_initiative_version_answer_200_and_409(
    database: str, users: dict[str, User], make_user: Callable[..., User], api_as: ApiAs
) -> None:
    cmio = users[Role.CMIO]
    lead = make_user(Role.INFORMATICIST)
    initiative = create_initiative(cmio, informaticist_lead=lead)
    url = f"/api/v1/initiatives/{initiative.pk}/"
    first, second = api_as(cmio), api_as(lead)

    answers = at_once(
        lambda: first.patch(url, {"version": 1, "title": "First title"}, format="json"),
        lambda: second.patch(url, {"version": 1, "title": "Second title"}, format="json"),
    )

    assert sorted(answer.status_code for answer in answers) == [200, 409]
    winner = next(answer for answer in answers if answer.status_code == 200).json()["title"]
    row = Initiative.objects.get()
    assert (row.title, row.version) == (winner, 2)


@BOTH
def test_the_same_vote_twice_at_once_answers_201_and_409(
    database: str, users: dict[str, User], make_user: Callable[..., User], api_as: ApiAs
) -> None:
    row = submit(users[Role.CHAMPION])
    voter = make_user(Role.CHAMPION)
    clients = [api_as(voter), api_as(voter)]
    url = f"/api/v1/requests/{row.pk}/votes/"

    answers = at_once(
        *[lambda client=client: client.post(url, {}, format="json") for client in clients]
    )

    # The second +1 is well formed; the request's current votes refuse it: a conflict.
    assert sorted(answer.status_code for answer in answers) == [201, 409]
    refused = next(answer for answer in answers if answer.status_code == 409)
    assert refused.json() == {"voter": ["You have already added your +1 to this request."]}
    assert list(RequestVote.objects.values_list("voter", flat=True)) == [voter.pk]


@BOTH
def test_votes_of_three_people_at_once_are_all_counted(
    database: str, users: dict[str, User], make_user: Callable[..., User], api_as: ApiAs
) -> None:
    row = submit(users[Role.CHAMPION])
    voters = [make_user(Role.CHAMPION) for _ in range(3)]
    clients: list[APIClient] = [api_as(voter) for voter in voters]
    url = f"/api/v1/requests/{row.pk}/votes/"

    answers = at_once(
        *[lambda client=client: client.post(url, {}, format="json") for client in clients]
    )

    assert [answer.status_code for answer in answers] == [201, 201, 201]
    assert sorted(RequestVote.objects.values_list("voter", flat=True)) == sorted(
        voter.pk for voter in voters
    )


@BOTH
def test_three_identical_imports_at_once_import_the_data_once(
    database: str,
    users: dict[str, User],
    catalogue: dict[str, Any],
    api_as: ApiAs,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    content = csv_bytes(readmission_rows(12))
    clients = [api_as(users[Role.INFORMATICIST]) for _ in range(3)]

    def upload(client: APIClient) -> Any:
        return client.post(
            "/api/v1/imports/",
            {"file": SimpleUploadedFile("q1.csv", content)},
            format="multipart",
        )

    answers = at_once(*[lambda client=client: upload(client) for client in clients])

    assert [answer.status_code for answer in answers] == [202, 202, 202]
    batches = list(
        ImportBatch.objects.order_by("rows_inserted").values_list(
            "status", "rows_inserted", "rows_unchanged", "rows_rejected"
        )
    )
    # One batch inserts the twelve months; the two others find them already there.
    assert batches == [
        (ImportStatus.DONE, 0, 12, 0),
        (ImportStatus.DONE, 0, 12, 0),
        (ImportStatus.DONE, 12, 0, 0),
    ]
    assert Measurement.objects.count() == 12


@BOTH
def test_the_same_request_form_posted_twice_at_once_makes_one_request(
    database: str, users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    clients = [client_for(Role.CHAMPION), client_for(Role.CHAMPION)]
    data = {
        "title": "Sepsis alert fires on every post-op tachycardia",
        "kind": "pain_point",
        "story_today": "The sepsis alert fires for every post-op patient.",
        "story_wanted": "Quiet for a day after surgery.",
        "frequency": "several_daily",
        "submission_key": str(uuid.uuid4()),
    }

    answers = at_once(
        *[lambda client=client: client.post("/requests/new/", data) for client in clients]
    )

    made = IntakeRequest.objects.get()
    assert str(made.submission_key) == data["submission_key"]
    assert [(answer.status_code, answer["Location"]) for answer in answers] == [
        (302, f"/requests/{made.pk}/")
    ] * 2


@BOTH
def test_sign_ins_for_a_token_at_once_answer_200_or_400_never_500(
    database: str, users: dict[str, User]
) -> None:
    """Four clients sign in for a token at once, two with the password and two without (the
    first use makes the token; each attempt writes last_login or django-axes' records): the
    two get the one token, the two others a 400, none a 500 "database is locked"."""
    champion = users[Role.CHAMPION]
    champion.set_password("two-clients-at-once")
    champion.save(update_fields=["password"])
    good = {"email": champion.email, "password": "two-clients-at-once"}
    bad = {"email": champion.email, "password": "not-the-password"}
    bodies = [good, bad, good, bad]

    answers = at_once(
        *[
            lambda body=body: APIClient().post("/api/v1/auth/token/", body, format="json")
            for body in bodies
        ]
    )

    assert [answer.status_code for answer in answers] == [200, 400, 200, 400]
    keys = {answer.json()["token"] for answer in answers if answer.status_code == 200}
    assert keys == set(Token.objects.filter(user=champion).values_list("key", flat=True))
    assert len(keys) == 1
