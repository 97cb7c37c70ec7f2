"""Import pages: the upload page (form, columns, template, recent batches), the batch page with
its status, progress polled by htmx while the job runs, counts and error table; every role
against every page (a refused upload changes nothing)."""

import csv
import datetime
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from informatics.choices import FacilityKind, JobStatus, Role
from informatics.models import AuditEvent, JobRun, User
from metrics.choices import ImportFormat, ImportStatus
from metrics.imports import COLUMNS
from metrics.imports.rows import NOT_A_NUMBER
from metrics.models import ImportBatch, Measurement, Metric
from metrics.tasks import IMPORT_KIND
from tests.conftest import snapshot
from tests.factories import FacilityFactory
from tests.metrics import test_import_helpers as helpers
from tests.metrics.factories import MetricFactory
from tests.metrics.test_import_helpers import (
    csv_bytes,
    readmission_rows,
)

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

# Fixtures shared by the import tests (assigned, so that pytest finds them here).
_media = helpers._media
catalogue = helpers.catalogue

UPLOAD = "/metrics/imports/"
LOADERS = frozenset({Role.INFORMATICIST, Role.CMIO})


def post_file(client: Client, name: str, content: bytes, capture: Any) -> Any:
    with capture(execute=True):
        return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})


def csv_rows(body: bytes) -> list[list[str]]:
    """The rows of a CSV download, after its byte-order mark (for Excel)."""
    return list(csv.reader(io.StringIO(body.decode().removeprefix("\ufeff"))))


# Every batch, job, measurement and audit event (compared whole with `snapshot`).
TABLES = (ImportBatch, JobRun, Measurement, AuditEvent)


def running_batch(user: User, *, done: int, total: int | None) -> ImportBatch:
    job = JobRun.objects.create(
        kind=IMPORT_KIND, status=JobStatus.RUNNING, progress_done=done, progress_total=total
    )
    return ImportBatch.objects.create(
        file="imports/2024/01/big.csv",
        filename="big.csv",
        format=ImportFormat.CSV,
        sha256="0" * 64,
        status=ImportStatus.RUNNING,
        job=job,
        uploaded_by=user,
    )


def test_the_upload_page_explains_the_columns_and_offers_the_template(
    users: dict[str, User],
    client_for: Callable[[str], Client],
) -> None:
    response = client_for(Role.INFORMATICIST).get(UPLOAD)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file" name="file"' in page
    assert 'href="/metrics/imports/template.csv"' in page
    for column in COLUMNS:
        assert f"<code>{column}</code>" in page
    assert "No file has been imported yet." in page
    assert "At most 50.0\xa0MB for a CSV, 20.0\xa0MB for an XLSX, 50.0\xa0MB for FHIR JSON." in page


def test_uploading_redirects_to_the_batch_page_showing_the_outcome(
    users: dict[str, User],
    catalogue: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    client_for: Callable[[str], Client],
) -> None:
    client = client_for(Role.CMIO)

    response = post_file(
        client, "q1.csv", csv_bytes(readmission_rows(4)), django_capture_on_commit_callbacks
    )

    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/metrics/imports/{batch.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert f"Import #{batch.pk}: q1.csv" in page
    assert '<span class="badge badge--ok">Imported</span>' in page
    assert "<dt>Inserted</dt><dd>4</dd>" in page
    assert "hx-trigger" not in page  # finished: no polling
    listing = client.get(UPLOAD).content.decode()
    assert f'href="/metrics/imports/{batch.pk}/">#{batch.pk} q1.csv</a>' in listing


def test_a_rejected_batch_page_lists_each_error_by_row_and_column(
    users: dict[str, User],
    catalogue: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    client_for: Callable[[str], Client],
) -> None:
    rows = readmission_rows(60)
    rows[55]["value"] = "n/a"
    client = client_for(Role.INFORMATICIST)
    response = post_file(client, "q1.csv", csv_bytes(rows), django_capture_on_commit_callbacks)

    page = client.get(response["Location"]).content.decode()

    assert '<span class="badge badge--danger">Rejected</span>' in page
    assert "Nothing was imported" in page
    assert f"<tr><td>57</td><td><code>value</code></td><td>{NOT_A_NUMBER}</td></tr>" in page


def test_a_bad_file_type_goes_back_onto_the_form(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    before = snapshot(*TABLES)

    response = client_for(Role.INFORMATICIST).post(
        UPLOAD, {"file": SimpleUploadedFile("figures.xls", b"\xd0\xcf")}
    )

    assert response.status_code == 400
    assert (
        "Upload a .csv or .xlsx file with the canonical columns, or a FHIR .json."
        in response.content.decode()
    )
    assert snapshot(*TABLES) == before


def test_a_running_batch_polls_its_status_block_with_htmx(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    batch = running_batch(users[Role.CMIO], done=40000, total=100000)
    client = client_for(Role.INFORMATICIST)
    url = f"/metrics/imports/{batch.pk}/"

    page = client.get(url).content.decode()
    block = client.get(url, headers={"HX-Request": "true"})

    assert (
        f'<div id="import-status" class="stack" hx-get="{url}" hx-trigger="every 2s" '
        'hx-swap="outerHTML">'
    ) in page
    assert '<progress max="100000" value="40000">' in page
    body = block.content.decode()
    assert body.lstrip().startswith('<div id="import-status"')
    assert "<html" not in body
    assert "40000 of about 100000 rows read." in body


def test_the_template_is_a_csv_with_the_header_and_a_real_example(
    users: dict[str, User], catalogue: dict[str, Any], client_for: Callable[[str], Client]
) -> None:
    response = client_for(Role.INFORMATICIST).get("/metrics/imports/template.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == ('attachment; filename="measurements-template.csv"')
    body = response.getvalue()  # streamed: read once
    assert body.startswith("\ufeff".encode())
    assert csv_rows(body) == [
        list(COLUMNS),
        [
            "E8", "rh-north", "2024-01-01", "2024-01-31", "57", "400", "0.1425", "score",
            "EHR reporting", "", "2024-02-05T06:00:00Z",
        ],
    ]  # fmt: skip


def test_the_templates_texts_from_the_catalogue_cannot_run_in_a_spreadsheet(
    users: dict[str, User], catalogue: dict[str, Any], client_for: Callable[[str], Client]
) -> None:
    Metric.objects.filter(code="E8").update(
        unit="=1+1", definition_version='=HYPERLINK("http://evil.example","v2")'
    )

    response = client_for(Role.INFORMATICIST).get("/metrics/imports/template.csv")

    assert csv_rows(response.getvalue())[1] == [
        "E8", "rh-north", "2024-01-01", "2024-01-31", "57", "400", "0.1425", "'=1+1",
        "EHR reporting", '\'=HYPERLINK("http://evil.example","v2")', "2024-02-05T06:00:00Z",
    ]  # fmt: skip


@pytest.mark.parametrize("role", Role.values)
def test_every_role_against_the_import_pages(
    role: str,
    users: dict[str, User],
    catalogue: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    client_for: Callable[[str], Client],
) -> None:
    batch = running_batch(users[Role.CMIO], done=1, total=2)
    client = client_for(role)
    before = snapshot(*TABLES)

    reads = [
        client.get(UPLOAD).status_code,
        client.get(f"/metrics/imports/{batch.pk}/").status_code,
        client.get("/metrics/imports/template.csv").status_code,
    ]
    upload = post_file(
        client, "q1.csv", csv_bytes(readmission_rows(2)), django_capture_on_commit_callbacks
    )

    if role in LOADERS:
        assert reads == [200, 200, 200]
        assert upload.status_code == 302
        assert ImportBatch.objects.filter(uploaded_by=users[role], filename="q1.csv").count() == 1
    elif role == Role.ADMIN:
        # admins read a batch's page (not uploading, not the list)
        assert reads == [403, 200, 403]
        assert upload.status_code == 403
        assert snapshot(*TABLES) == before
        page = client.get(f"/metrics/imports/{batch.pk}/").content.decode()
        assert "Upload another file" not in page
    else:
        # a batch's errors locate rows of a file: not for everyone who reads the figures
        assert reads == [403, 403, 403]
        assert upload.status_code == 403
        assert snapshot(*TABLES) == before
        page = client.get(f"/metrics/imports/{batch.pk}/").content.decode()
        assert "big.csv" not in page
        assert "Import #" not in page


@pytest.mark.parametrize("role", [Role.CHAMPION, Role.EXECUTIVE, Role.CMO])
def test_the_uploader_reads_their_batch_page_whatever_their_role(
    role: str, users: dict[str, User], catalogue: dict[str, Any], make_user: Any
) -> None:
    uploader = make_user(role)  # uploaded while they loaded measurements, say
    batch = running_batch(uploader, done=1, total=2)
    client = Client()
    client.force_login(uploader, backend="django.contrib.auth.backends.ModelBackend")

    response = client.get(f"/metrics/imports/{batch.pk}/")

    assert response.status_code == 200
    assert "big.csv" in response.content.decode()


def test_a_rejected_batch_page_shows_nothing_to_a_champion(
    users: dict[str, User],
    catalogue: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    client_for: Callable[[str], Client],
) -> None:
    rows = readmission_rows(3)
    rows[1]["facility_code"] = "Jane Roe MRN 4412897"
    response = post_file(
        client_for(Role.INFORMATICIST),
        "q1.csv",
        csv_bytes(rows),
        django_capture_on_commit_callbacks,
    )
    own = client_for(Role.INFORMATICIST).get(response["Location"]).content.decode()

    refused = client_for(Role.CHAMPION).get(response["Location"])

    assert "No facility has this code: expected a facility code." in own
    assert "4412897" not in own
    assert "Jane Roe" not in own
    assert refused.status_code == 403
    assert "q1.csv" not in refused.content.decode()
    assert "facility" not in refused.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(catalogue: dict[str, Any]) -> None:
    before = snapshot(*TABLES)

    response = Client().post(UPLOAD, {"file": SimpleUploadedFile("q1.csv", b"x")})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert snapshot(*TABLES) == before


def test_the_upload_page_examples_name_the_sites_own_codes(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    system = FacilityFactory.create(code="riverside", kind=FacilityKind.SYSTEM)
    FacilityFactory.create(code="rmc", kind=FacilityKind.HOSPITAL, parent=system)
    MetricFactory.create(code="E3")

    page = client_for(Role.INFORMATICIST).get(UPLOAD).content.decode()

    assert "<td>The metric&#x27;s code in the catalogue, e.g. E3. Required.</td>" in page
    assert "<td>The facility&#x27;s code, e.g. rmc. Required.</td>" in page


def test_a_batch_refused_before_its_rows_were_read_shows_no_counts(
    users: dict[str, User],
    catalogue: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    client_for: Callable[[str], Client],
) -> None:
    client = client_for(Role.INFORMATICIST)
    content = b"metric_code,period_start\nQ1,2024-01-01\n"
    response = post_file(client, "short.csv", content, django_capture_on_commit_callbacks)

    page = client.get(response["Location"]).content.decode()

    assert ImportBatch.objects.get().rows_total == 0
    assert '<span class="badge badge--danger">Rejected</span>' in page
    assert "<dt>Rows</dt>" not in page
    assert "<dt>Rows with errors</dt>" not in page
    assert "<code>facility_code</code>" in page
