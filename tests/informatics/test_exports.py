"""List exports past EXPORT_INLINE_MAX_ROWS: the offer page (GET makes no job), the POST that
makes one export job or reuses it, the job's file (byte for byte the streamed CSV), its
progress, its page and download (creator and admins only), and the files' expiry."""

import datetime
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from informatics import exports
from informatics.celery import app as celery_app
from informatics.choices import JobStatus
from informatics.exports import (
    EXPORT_KIND,
    export_build,
    export_files_expire,
    export_get,
    export_registry,
)
from informatics.jobs import run_claimed
from informatics.models import ExportFile, JobRun, User
from informatics.phi import redactable_fields
from informatics.services import jobrun_create, text_redact
from intake.models import IntakeRequest
from tests.conftest import snapshot
from tests.initiatives.test_views_queries import portfolio
from tests.intake.factories import submit

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

REQUESTS_URL = "/requests/export.csv"
HEADER = (
    "Number,Title,Kind,Status,Route,Facility,Specialty,Submitted by,Submitted on,"
    "Safety concern,Votes (+1),Value,Effort points,Priority index,Service level due\r\n"
)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def three(users: dict[str, User]) -> list[IntakeRequest]:
    """Three requests by the champion, oldest first; the second is a safety concern."""
    champion = users["champion"]
    return [
        submit(champion, title="Med rec screen loses home meds"),
        submit(champion, title="=Sepsis alert fires too often", is_safety_concern=True),
        submit(champion, title="Inbox routing for normal labs", kind="enhancement"),
    ]


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def inline(client: Client, url: str, settings: Any, **query: str) -> bytes:
    """The CSV streamed in the request, whatever the limit."""
    saved = settings.EXPORT_INLINE_MAX_ROWS
    settings.EXPORT_INLINE_MAX_ROWS = 1_000_000
    response = client.get(url, query)
    settings.EXPORT_INLINE_MAX_ROWS = saved
    assert response.status_code == 200
    return body(response)


def prepare(client: Client, url: str, django_capture_on_commit_callbacks: Any, **query: str) -> Any:
    """POST "Prepare the file" and run the job it enqueues (in-process, as without a broker)."""
    path = f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else url
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(path)


def job_of(response: Any) -> JobRun:
    assert response.status_code == 303
    pk = int(response["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert response["Location"] == f"/exports/{pk}/"
    return JobRun.objects.get(pk=pk)


def download(client: Client, job: JobRun) -> Any:
    return client.get(reverse("informatics:export-download", args=[job.pk]))


# --- Below the limit: streamed as before -------------------------------------------------------


def test_below_the_limit_the_csv_streams_at_once_with_exact_content(
    three: list[IntakeRequest], client_for: Callable[[str], Client], settings: Any
) -> None:
    settings.EXPORT_INLINE_MAX_ROWS = 2

    response = client_for("cmio").get(REQUESTS_URL, {"kind": "pain_point"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="requests-2026-03-02.csv"'
    first, second, _ = three
    assert body(response).decode("utf-8") == (
        "\ufeff"
        + HEADER
        + f"{second.pk},'=Sepsis alert fires too often,Workflow pain point,Submitted,"
        "Fast track,,,Demo CHAMPION,2026-03-02,yes,0,,,,2026-03-05T09:00+00:00\r\n"
        f"{first.pk},Med rec screen loses home meds,Workflow pain point,Submitted,,,,"
        "Demo CHAMPION,2026-03-02,no,0,,,,\r\n"
    )
    assert JobRun.objects.count() == 0


# --- Above the limit: an offer, then a job ------------------------------------------------------


def test_above_the_limit_get_offers_to_prepare_the_file_and_makes_no_job(
    three: list[IntakeRequest], client_for: Callable[[str], Client], settings: Any
) -> None:
    settings.EXPORT_INLINE_MAX_ROWS = 2

    response = client_for("cmio").get(REQUESTS_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "This file holds <strong>3</strong> requests: more than the 2" in response.text
    assert '<button type="submit" class="button">Prepare the file</button>' in response.text
    assert JobRun.objects.count() == 0


def test_post_makes_one_job_and_a_second_post_reuses_it(
    three: list[IntakeRequest], users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    client = client_for("cmio")
    url = f"{REQUESTS_URL}?kind=pain_point&q=&page=3"

    job = job_of(client.post(url))
    again = job_of(client.post(f"{REQUESTS_URL}?page=1&kind=pain_point"))

    assert again.pk == job.pk
    assert list(JobRun.objects.values_list("kind", "status", "created_by")) == [
        (EXPORT_KIND, JobStatus.PENDING, users["cmio"].pk)
    ]
    assert job.scope["export"] == "requests"
    assert job.scope["filters"] == {"kind": ["pain_point"]}
    # Other filters, or another reader, make another job.
    other = job_of(client.post(f"{REQUESTS_URL}?kind=enhancement"))
    theirs = job_of(client_for("cmo").post(url))
    assert len({job.pk, other.pk, theirs.pk}) == 3


def test_a_built_file_is_reused_within_the_hour_but_not_after(
    three: list[IntakeRequest],
    client_for: Callable[[str], Client],
    django_capture_on_commit_callbacks: Any,
    time_machine: Any,
) -> None:
    client = client_for("cmio")
    job = job_of(prepare(client, REQUESTS_URL, django_capture_on_commit_callbacks))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE

    time_machine.move_to(NOW + datetime.timedelta(minutes=59))
    assert job_of(client.post(REQUESTS_URL)).pk == job.pk
    time_machine.move_to(NOW + datetime.timedelta(minutes=61))
    assert job_of(client.post(REQUESTS_URL)).pk != job.pk


def test_a_failed_job_is_not_reused(
    three: list[IntakeRequest], users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    client = client_for("cmio")
    job = job_of(client.post(REQUESTS_URL))
    JobRun.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error="ValueError: boom")

    assert job_of(client.post(REQUESTS_URL)).pk != job.pk


def test_the_jobs_file_is_the_streamed_csv_byte_for_byte(
    three: list[IntakeRequest],
    client_for: Callable[[str], Client],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for("cmio")
    streamed = inline(client, REQUESTS_URL, settings, kind="pain_point")
    settings.EXPORT_INLINE_MAX_ROWS = 1

    job = job_of(
        prepare(client, REQUESTS_URL, django_capture_on_commit_callbacks, kind="pain_point")
    )

    job.refresh_from_db()
    stored = ExportFile.objects.get(job=job)
    response = download(client, job)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="requests-2026-03-02.csv"'
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert body(response) == streamed
    assert (job.status, job.progress_done, job.progress_total) == (JobStatus.DONE, 2, 2)
    assert job.result == {
        "rows": 2,
        "size": len(streamed),
        "sha256": hashlib.sha256(streamed).hexdigest(),
    }
    assert response["X-Content-SHA256"] == hashlib.sha256(streamed).hexdigest()
    assert (stored.rows, stored.size, stored.filename, stored.export) == (
        2,
        len(streamed),
        "requests-2026-03-02.csv",
        "requests",
    )
    assert stored.expires_at == stored.created_at + datetime.timedelta(hours=24)


def test_the_initiative_jobs_file_is_the_streamed_csv_byte_for_byte(
    users: dict[str, User],
    client_for: Callable[[str], Client],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    portfolio(4, lead=users["informaticist"])
    client = client_for("executive")
    url = reverse("initiatives:initiative-export")
    streamed = inline(client, url, settings)
    settings.EXPORT_INLINE_MAX_ROWS = 3

    offer = client.get(url)
    job = job_of(prepare(client, url, django_capture_on_commit_callbacks))

    assert "This file holds <strong>4</strong> initiatives" in offer.text
    assert streamed.count(b"\r\n") == 5
    assert body(download(client, job)) == streamed


def test_a_champions_file_holds_only_what_they_may_read(
    users: dict[str, User],
    make_user: Callable[..., User],
    client_for: Callable[[str], Client],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    champion = users["champion"]
    mine = submit(champion, title="My own private request", is_private=True)
    public = submit(make_user("champion"), title="Someone's public request")
    submit(make_user("champion"), title="Someone's private request", is_private=True)
    client = client_for("champion")
    streamed = inline(client, REQUESTS_URL, settings)
    settings.EXPORT_INLINE_MAX_ROWS = 1

    job = job_of(prepare(client, REQUESTS_URL, django_capture_on_commit_callbacks))

    file = body(download(client, job))
    assert file == streamed
    lines = file.decode("utf-8-sig").split("\r\n")
    assert [line.split(",")[1] for line in lines[1:-1]] == [public.title, mine.title]


def test_progress_is_reported_every_n_rows_and_ends_at_the_total(
    three: list[IntakeRequest],
    users: dict[str, User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reports: list[tuple[int, int | None]] = []
    real = exports.jobrun_progress

    def recorded(*, job_id: int, done: int, total: int | None = None) -> None:
        job = JobRun.objects.get(pk=job_id)
        reports.append((done, total))
        real(job_id=job_id, done=done, total=total)
        job.refresh_from_db()
        assert job.progress_done == done  # written to the row as reported

    monkeypatch.setattr(exports, "jobrun_progress", recorded)
    monkeypatch.setattr(exports, "EXPORT_PROGRESS_EVERY", 2)
    for n in range(2):
        submit(users["champion"], title=f"More {n}")
    job = jobrun_create(
        kind=EXPORT_KIND,
        scope={"export": "requests", "filters": {}, "fingerprint": "x"},
        created_by=users["cmio"],
    )

    run_claimed(job.pk, export_build)

    assert reports == [(0, 5), (2, None), (4, None), (5, 5)]
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.progress_total) == (JobStatus.DONE, 5, 5)


# --- The job's page ------------------------------------------------------------------------------


def test_the_page_polls_while_the_job_runs_then_offers_the_file(
    three: list[IntakeRequest], client_for: Callable[[str], Client]
) -> None:
    client = client_for("cmio")
    job = job_of(client.post(REQUESTS_URL))
    url = reverse("informatics:export-detail", args=[job.pk])

    waiting = client.get(url)
    JobRun.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, progress_done=1000, progress_total=3000
    )
    partial = client.get(url, headers={"HX-Request": "true"})

    assert waiting.status_code == 200
    assert f'hx-get="{url}" hx-trigger="every 2s" hx-swap="outerHTML"' in waiting.text
    assert "Waiting for a worker to start it." in waiting.text
    assert partial.text.lstrip().startswith('<div id="export-status"')
    assert "<html" not in partial.text
    assert "1000 of 3000 rows written." in partial.text


def test_the_page_of_a_finished_job_links_its_file_and_stops_polling(
    three: list[IntakeRequest],
    client_for: Callable[[str], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for("cmio")
    job = job_of(prepare(client, REQUESTS_URL, django_capture_on_commit_callbacks))

    page = client.get(reverse("informatics:export-detail", args=[job.pk]))

    assert "hx-trigger" not in page.text
    assert "Ready: 3 rows," in page.text
    assert f'href="/exports/{job.pk}/download/"' in page.text
    assert "Download requests-2026-03-02.csv" in page.text


def test_the_page_of_a_failed_job_shows_its_error(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    job = jobrun_create(
        kind=EXPORT_KIND,
        scope={"export": "requests", "filters": {}, "fingerprint": "x"},
        created_by=users["cmio"],
    )
    JobRun.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, error="OperationalError: the database went away"
    )

    page = client_for("cmio").get(reverse("informatics:export-detail", args=[job.pk]))

    assert "Status: Failed" in page.text
    assert "could not be prepared: OperationalError: the database went away" in page.text
    assert download(client_for("cmio"), job).status_code == 404


@pytest.mark.parametrize("rows", [2, 200])
def test_the_job_page_costs_the_same_at_2_and_200_rows(
    rows: int,
    users: dict[str, User],
    client_for: Callable[[str], Client],
    django_assert_num_queries: Any,
) -> None:
    for n in range(rows):
        submit(users["champion"], title=f"Request {n}")
    job = jobrun_create(
        kind=EXPORT_KIND,
        scope={"export": "requests", "filters": {}, "fingerprint": "x"},
        created_by=users["cmio"],
    )
    run_claimed(job.pk, export_build)
    client = client_for("cmio")
    url = reverse("informatics:export-detail", args=[job.pk])
    client.get(url)

    # session, user; 3 the user's roles; 4 the job with its creator and file; then saving
    # the session (SESSION_SAVE_EVERY_REQUEST: savepoint, UPDATE, release)
    with django_assert_num_queries(2 + 2 + 3):
        response = client.get(url)
    assert f"Ready: {rows} rows," in response.text


# --- Who may see and download it -------------------------------------------------------------


def test_someone_elses_job_is_not_found_and_nothing_changes(
    three: list[IntakeRequest],
    users: dict[str, User],
    client_for: Callable[[str], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    job = job_of(prepare(client_for("cmio"), REQUESTS_URL, django_capture_on_commit_callbacks))
    before = snapshot(JobRun, ExportFile)

    for role in ("champion", "cmo", "informaticist", "executive"):
        client = client_for(role)
        assert client.get(reverse("informatics:export-detail", args=[job.pk])).status_code == 404
        assert download(client, job).status_code == 404

    assert snapshot(JobRun, ExportFile) == before


def test_an_admin_may_see_and_download_anyones_export(
    three: list[IntakeRequest],
    client_for: Callable[[str], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    job = job_of(prepare(client_for("cmio"), REQUESTS_URL, django_capture_on_commit_callbacks))
    admin = client_for("admin")

    assert admin.get(reverse("informatics:export-detail", args=[job.pk])).status_code == 200
    assert body(download(admin, job)).count(b"\r\n") == 4


def test_the_download_is_refused_once_the_creator_may_no_longer_read_the_rows(
    three: list[IntakeRequest],
    users: dict[str, User],
    client_for: Callable[[str], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for("cmio")
    admin = client_for("admin")
    job = job_of(prepare(client, REQUESTS_URL, django_capture_on_commit_callbacks))
    User.objects.filter(pk=users["cmio"].pk).update(is_active=False)
    before = snapshot(JobRun, ExportFile)

    assert download(admin, job).status_code == 403
    assert snapshot(JobRun, ExportFile) == before


def test_a_user_without_a_role_cannot_export_nor_prepare_and_no_job_is_made(
    three: list[IntakeRequest], client_as: Callable[..., Client], settings: Any
) -> None:
    settings.EXPORT_INLINE_MAX_ROWS = 1
    client = client_as()

    assert client.get(REQUESTS_URL).status_code == 403
    assert client.post(REQUESTS_URL).status_code == 403
    assert JobRun.objects.count() == 0


def test_a_job_whose_creator_lost_the_permission_fails_without_a_file(
    three: list[IntakeRequest], users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    job = job_of(client_for("cmio").post(REQUESTS_URL))
    User.objects.filter(pk=users["cmio"].pk).update(is_active=False)

    run_claimed(job.pk, export_build)

    job.refresh_from_db()
    assert (job.status, job.error) == (
        JobStatus.FAILED,
        "Its creator may no longer read these rows.",
    )
    assert ExportFile.objects.count() == 0


# --- Expiry ----------------------------------------------------------------------------------


def test_expired_files_are_deleted_and_the_page_says_so(
    three: list[IntakeRequest],
    client_for: Callable[[str], Client],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for("cmio")
    job = job_of(prepare(client, REQUESTS_URL, django_capture_on_commit_callbacks))
    stored = ExportFile.objects.get(job=job)
    path = Path(settings.MEDIA_ROOT) / str(stored.file.name)
    assert path.exists()

    built = stored.created_at
    assert stored.expires_at == built + datetime.timedelta(hours=24)
    assert export_files_expire(now=built + datetime.timedelta(hours=23, minutes=59)) == 0
    assert export_files_expire(now=built + datetime.timedelta(hours=24)) == 1
    assert export_files_expire(now=built + datetime.timedelta(hours=25)) == 0

    stored.refresh_from_db()
    assert not path.exists()
    assert stored.file.name == ""
    assert download(client, job).status_code == 404
    page = client.get(reverse("informatics:export-detail", args=[job.pk]))
    assert "This file has expired and was deleted." in page.text
    # An expired file is not offered again: "Prepare the file" builds a new one.
    assert job_of(client.post(REQUESTS_URL)).pk != job.pk


def test_the_expiry_runs_hourly_on_the_beat_schedule() -> None:
    entry = celery_app.conf.beat_schedule["export-files-expire"]
    assert entry["task"] == "informatics.export_files_expire"
    assert entry["schedule"].minute == {20}
    assert len(entry["schedule"].hour) == 24


# --- Redaction ----------------------------------------------------------------------------------


def test_a_redaction_of_a_copied_text_ends_the_files_of_that_export_only(
    three: list[IntakeRequest],
    users: dict[str, User],
    client_for: Callable[[str], Client],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    portfolio(2, lead=users["informaticist"])
    client = client_for("cmio")
    requests_job = job_of(prepare(client, REQUESTS_URL, django_capture_on_commit_callbacks))
    initiatives_url = reverse("initiatives:initiative-export")
    initiatives_job = job_of(prepare(client, initiatives_url, django_capture_on_commit_callbacks))
    stored = ExportFile.objects.get(job=requests_job)
    path = Path(settings.MEDIA_ROOT) / str(stored.file.name)
    assert b"Med rec screen loses home meds" in path.read_bytes()

    with django_capture_on_commit_callbacks(execute=True):
        text_redact(
            actor=users["admin"],
            instance=three[0],
            field="title",
            reason="A patient's name was typed in the title.",
        )

    stored.refresh_from_db()
    assert stored.file.name == ""
    assert not path.exists()
    assert download(client, requests_job).status_code == 404
    assert download(client, initiatives_job).status_code == 200
    # Prepared again, the file holds the redacted title.
    again = job_of(prepare(client, REQUESTS_URL, django_capture_on_commit_callbacks))
    assert again.pk != requests_job.pk
    assert b"Med rec screen loses home meds" not in body(download(client, again))


def test_every_text_an_export_copies_is_a_redactable_field() -> None:
    redactable = {
        f"{label}.{field}" for label, fields in redactable_fields().items() for field in fields
    }
    for name in export_registry():
        copies = export_get(name).copies
        assert copies, name
        assert sorted(copies - redactable) == [], name
