"""The imports API: upload (202 with the batch), list and detail with progress, counts and
errors; every role against every operation (refused ones change nothing); the list and the
detail keep their query count from 2 to 200 batches."""

import hashlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from informatics.choices import AuditAction, JobStatus, Role
from informatics.models import AuditEvent, JobRun, User
from metrics.choices import ImportFormat, ImportStatus
from metrics.imports.rows import NOT_A_NUMBER
from metrics.models import ImportBatch, Measurement
from metrics.tasks import IMPORT_KIND
from tests.conftest import ApiAs, snapshot
from tests.metrics import test_import_helpers as helpers
from tests.metrics.test_import_helpers import (
    csv_bytes,
    readmission_rows,
)

pytestmark = pytest.mark.django_db

# Fixtures shared by the import tests (assigned, so that pytest finds them here).
_media = helpers._media
catalogue = helpers.catalogue

URL = "/api/v1/imports/"
LOADERS = frozenset({Role.INFORMATICIST, Role.CMIO})


def post_file(client: APIClient, name: str, content: bytes, capture: Any) -> Any:
    with capture(execute=True):
        return client.post(URL, {"file": SimpleUploadedFile(name, content)}, format="multipart")


# Every batch, job, measurement and audit event (compared whole with `snapshot`).
TABLES = (ImportBatch, JobRun, Measurement, AuditEvent)


def test_an_upload_answers_202_with_the_pending_batch_then_reads_back_imported(
    users: dict[str, User],
    catalogue: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    api_as: ApiAs,
) -> None:
    user = users[Role.INFORMATICIST]
    client = api_as(user)
    content = csv_bytes(readmission_rows(3))

    response = post_file(client, "q1.csv", content, django_capture_on_commit_callbacks)

    assert response.status_code == 202, response.content
    batch = ImportBatch.objects.get()
    body = response.json()
    assert body == {
        "id": batch.pk,
        "filename": "q1.csv",
        "format": ImportFormat.CSV,
        "size": len(content),
        "sha256": batch.sha256,
        "status": ImportStatus.PENDING,  # the job is queued when the upload commits
        "uploaded_by": {"id": user.pk, "full_name": user.full_name, "email": user.email},
        "created_at": body["created_at"],
        "finished_at": None,
        "progress_done": 0,
        "progress_total": None,
        "rows_total": 0,
        "rows_inserted": 0,
        "rows_updated": 0,
        "rows_unchanged": 0,
        "rows_rejected": 0,
        "errors": [],
    }
    assert batch.sha256 == hashlib.sha256(content).hexdigest()

    later = client.get(f"{URL}{batch.pk}/").json()

    assert later["status"] == ImportStatus.DONE
    assert (later["progress_done"], later["progress_total"]) == (3, 3)
    assert (later["rows_total"], later["rows_inserted"], later["errors"]) == (3, 3, [])
    assert later["finished_at"] is not None


def test_a_rejected_file_is_read_back_with_its_errors(
    users: dict[str, User],
    catalogue: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    api_as: ApiAs,
) -> None:
    client = api_as(users[Role.CMIO])
    rows = readmission_rows(60)
    rows[55]["value"] = "n/a"
    batch_id = post_file(client, "q1.csv", csv_bytes(rows), django_capture_on_commit_callbacks)
    batch_id = batch_id.json()["id"]

    body = client.get(f"{URL}{batch_id}/").json()

    assert body["status"] == ImportStatus.REJECTED
    assert body["errors"] == [{"row": 57, "column": "value", "message": NOT_A_NUMBER}]
    assert (body["progress_done"], body["progress_total"]) == (60, 60)
    assert (body["rows_total"], body["rows_rejected"], body["rows_inserted"]) == (60, 1, 0)


def test_a_file_of_another_kind_is_refused_naming_the_field(
    users: dict[str, User],
    catalogue: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    api_as: ApiAs,
) -> None:
    response = post_file(
        api_as(users[Role.INFORMATICIST]),
        "figures.xls",
        b"\xd0\xcf\x11\xe0",
        django_capture_on_commit_callbacks,
    )

    assert response.status_code == 400
    assert response.json() == {
        "file": ["Upload a .csv or .xlsx file with the canonical columns, or a FHIR .json."]
    }
    assert ImportBatch.objects.count() == 0
    assert JobRun.objects.count() == 0


def test_an_upload_without_a_file_is_refused_naming_the_field(
    users: dict[str, User], api_as: ApiAs
) -> None:
    response = api_as(users[Role.INFORMATICIST]).post(URL, {}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"file": ["No file was submitted."]}


def test_the_list_is_newest_first_without_errors(
    users: dict[str, User],
    catalogue: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    api_as: ApiAs,
) -> None:
    client = api_as(users[Role.INFORMATICIST])
    rows = readmission_rows(2)
    post_file(client, "a.csv", csv_bytes(rows), django_capture_on_commit_callbacks)
    post_file(client, "b.csv", csv_bytes(rows), django_capture_on_commit_callbacks)

    body = client.get(URL).json()

    assert body["count"] == 2
    assert [(r["filename"], r["rows_inserted"], r["rows_unchanged"]) for r in body["results"]] == [
        ("b.csv", 0, 2),
        ("a.csv", 2, 0),
    ]
    assert "errors" not in body["results"][0]


def test_an_unknown_batch_is_404(users: dict[str, User], api_as: ApiAs) -> None:
    assert api_as(users[Role.CMIO]).get(f"{URL}999999/").status_code == 404


# --- Every role -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", Role.values)
def test_every_role_against_an_upload(
    role: str,
    users: dict[str, User],
    catalogue: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    api_as: ApiAs,
) -> None:
    before = snapshot(*TABLES)

    response = post_file(
        api_as(users[role]),
        "q1.csv",
        csv_bytes(readmission_rows(2)),
        django_capture_on_commit_callbacks,
    )

    if role in LOADERS:
        assert response.status_code == 202
        batch = ImportBatch.objects.get()
        assert (batch.status, batch.uploaded_by_id) == (ImportStatus.DONE, users[role].pk)
        assert Measurement.objects.count() == 2
        assert AuditEvent.objects.filter(action=AuditAction.CREATE).count() == 1
    else:
        assert response.status_code == 403
        assert response.json() == {"detail": "You may not do this (measurement.load)."}
        assert snapshot(*TABLES) == before


def test_an_anonymous_upload_is_401_and_changes_nothing(catalogue: dict[str, Any]) -> None:
    before = snapshot(*TABLES)

    response = APIClient().post(
        URL, {"file": SimpleUploadedFile("q1.csv", csv_bytes([]))}, format="multipart"
    )

    assert response.status_code == 401
    assert snapshot(*TABLES) == before


@pytest.mark.parametrize("role", Role.values)
def test_every_role_against_the_reads(
    role: str,
    users: dict[str, User],
    catalogue: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    api_as: ApiAs,
) -> None:
    batch_id = post_file(
        api_as(users[Role.CMIO]),
        "q1.csv",
        csv_bytes(readmission_rows(2)),
        django_capture_on_commit_callbacks,
    ).json()["id"]
    client = api_as(users[role])

    listed = client.get(URL)
    detail = client.get(f"{URL}{batch_id}/")

    # one batch: its uploader, informaticists, the CMIO and admins; the list is the loaders'
    assert listed.status_code == (200 if role in LOADERS else 403)
    if role in LOADERS | {Role.ADMIN}:
        assert detail.status_code == 200
        assert detail.json()["rows_inserted"] == 2
    else:
        assert detail.status_code == 403
        assert set(detail.json()) == {"detail"}
        assert "q1.csv" not in detail.content.decode()


@pytest.mark.parametrize("role", [Role.CHAMPION, Role.EXECUTIVE, Role.CMO])
def test_the_uploader_reads_their_own_batch_whatever_their_role(
    role: str, users: dict[str, User], catalogue: dict[str, Any], api_as: ApiAs
) -> None:
    job = JobRun.objects.create(kind=IMPORT_KIND, status=JobStatus.DONE, progress_done=2)
    batch = ImportBatch.objects.create(
        file="imports/2024/01/own.csv",
        filename="own.csv",
        format=ImportFormat.CSV,
        sha256="0" * 64,
        status=ImportStatus.REJECTED,
        job=job,
        uploaded_by=users[role],
        errors=[{"row": 2, "column": "value", "message": NOT_A_NUMBER}],
    )

    body = api_as(users[role]).get(f"{URL}{batch.pk}/").json()

    assert (body["filename"], body["errors"]) == (
        "own.csv",
        [{"row": 2, "column": "value", "message": NOT_A_NUMBER}],
    )


# --- Query budget -----------------------------------------------------------------------------


def add_batches(count: int, user: User) -> None:
    jobs = JobRun.objects.bulk_create(
        [JobRun(kind=IMPORT_KIND, status=JobStatus.DONE, progress_done=5) for _ in range(count)]
    )
    ImportBatch.objects.bulk_create(
        [
            ImportBatch(
                file=f"imports/2024/01/f{n}.csv",
                filename=f"f{n}.csv",
                format=ImportFormat.CSV,
                sha256="0" * 64,
                status=ImportStatus.REJECTED,
                job=job,
                uploaded_by=user,
                rows_total=5,
                errors=[{"row": 2, "column": "value", "message": "“x” is not a number."}],
            )
            for n, job in enumerate(jobs)
        ]
    )


def queries_for(client: APIClient, url: str) -> int:
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)


def test_the_list_and_detail_query_counts_do_not_grow(
    users: dict[str, User], api_as: ApiAs
) -> None:
    client = api_as(users[Role.INFORMATICIST])
    add_batches(2, users[Role.CMIO])
    small_list = queries_for(client, URL)
    small_detail = queries_for(client, f"{URL}{ImportBatch.objects.first().pk}/")  # type: ignore[union-attr]

    add_batches(198, users[Role.CMIO])
    large_list = queries_for(client, URL)
    large_detail = queries_for(client, f"{URL}{ImportBatch.objects.first().pk}/")  # type: ignore[union-attr]

    # token ⋈ user, the user's roles (groups), then: list = count + the page (batches ⋈ job ⋈
    # uploader); detail = the batch ⋈ job ⋈ uploader.
    assert (small_list, large_list) == (4, 4)
    assert (small_detail, large_detail) == (3, 3)
