"""The upload limits: size per kind (refused before the file is read, on the page and the
API, nothing saved), JSON depth and string length, XLSX uncompressed size and shared strings,
rows and cell length; each with a file just within and just over it, the limit set small. The
review's files: 100,000 "[" then "]" (refused fast in bounded memory, before the JSON parser
sees it) and two XLSX zip bombs. The retention of stored files, and the task's time limit."""

import datetime
import io
import json
import signal
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from informatics.celery import app as celery_app
from informatics.choices import JobStatus, Role
from informatics.models import AuditEvent, JobRun, User
from metrics.choices import ImportFormat, ImportStatus
from metrics.imports import COLUMNS, ImportFileError, limits
from metrics.models import ImportBatch, Measurement
from metrics.services.imports import import_files_expire, import_run, import_upload
from metrics.tasks import IMPORT_KIND, import_run_task
from tests.conftest import ApiAs, snapshot
from tests.metrics import test_import_helpers as helpers
from tests.metrics.test_import_helpers import (
    Upload,
    bundle,
    csv_bytes,
    json_bytes,
    measure_report,
    readmission_rows,
    xlsx_bytes,
)

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

# Fixtures shared by the import tests (assigned, so that pytest finds them here).
_media = helpers._media
catalogue = helpers.catalogue
upload = helpers.upload

TABLES = (ImportBatch, JobRun, Measurement, AuditEvent)


def xlsx_of(rows: list[dict[str, Any]]) -> bytes:
    return xlsx_bytes([[row.get(name, "") for name in COLUMNS] for row in rows])


def only_error(batch: ImportBatch) -> tuple[Any, Any, Any]:
    assert len(batch.errors) == 1, batch.errors
    error = batch.errors[0]
    return error["row"], error["column"], error["message"]


def media_files(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# --- Size per kind, before reading -----------------------------------------------------------

SIZES = [
    ("q1.csv", "IMPORT_MAX_CSV_BYTES", "A CSV file", "IMPORT_MAX_CSV_MB"),
    ("q1.xlsx", "IMPORT_MAX_XLSX_BYTES", "An XLSX file", "IMPORT_MAX_XLSX_MB"),
    ("q1.json", "IMPORT_MAX_FHIR_BYTES", "A FHIR JSON file", "IMPORT_MAX_FHIR_MB"),
]


def content_for(name: str) -> bytes:
    rows = readmission_rows(2)
    if name.endswith(".csv"):
        return csv_bytes(rows)
    if name.endswith(".xlsx"):
        return xlsx_of(rows)
    return json_bytes(measure_report())


@pytest.mark.parametrize(("name", "setting", "label", "variable"), SIZES)
def test_a_file_at_its_kinds_size_limit_is_imported(
    name: str,
    setting: str,
    label: str,
    variable: str,
    settings: Any,
    users: dict[str, User],
    catalogue: dict[str, Any],
    upload: Upload,
) -> None:
    content = content_for(name)
    setattr(settings, setting, len(content))

    batch = upload(users[Role.INFORMATICIST], name, content)

    assert batch.status == ImportStatus.DONE
    assert batch.size == len(content)


@pytest.mark.parametrize(("name", "setting", "label", "variable"), SIZES)
def test_a_file_one_byte_over_its_kinds_size_limit_is_refused_unread_and_unsaved(
    name: str,
    setting: str,
    label: str,
    variable: str,
    settings: Any,
    users: dict[str, User],
    catalogue: dict[str, Any],
) -> None:
    content = content_for(name)
    setattr(settings, setting, len(content) - 1)
    before = snapshot(*TABLES)

    with pytest.raises(ValidationError) as refused:
        import_upload(actor=users[Role.INFORMATICIST], upload=SimpleUploadedFile(name, content))

    limit = len(content) - 1
    assert refused.value.message_dict == {
        "file": [
            f"The file is {_size(len(content))}; {label} may be at most {_size(limit)} "
            f"({variable})."
        ]
    }
    assert snapshot(*TABLES) == before
    assert media_files(settings) == []


def _size(count: int) -> str:
    """Django's filesizeformat for the small files here (under 1 KB: "N bytes"; else "x.y KB")."""
    return f"{count}\xa0bytes" if count < 1024 else f"{count / 1024:.1f}\xa0KB"


def test_the_page_and_the_api_refuse_an_oversized_file_naming_the_limit(
    settings: Any,
    users: dict[str, User],
    catalogue: dict[str, Any],
    client_for: Callable[[str], Client],
    api_as: ApiAs,
) -> None:
    content = csv_bytes(readmission_rows(2))
    settings.IMPORT_MAX_CSV_BYTES = 100
    before = snapshot(*TABLES)
    message = f"The file is {_size(len(content))}; A CSV file may be at most 100\xa0bytes"

    page = client_for(Role.INFORMATICIST).post(
        "/metrics/imports/", {"file": SimpleUploadedFile("q1.csv", content)}
    )
    api = api_as(users[Role.INFORMATICIST]).post(
        "/api/v1/imports/", {"file": SimpleUploadedFile("q1.csv", content)}, format="multipart"
    )

    assert page.status_code == 400
    assert "(IMPORT_MAX_CSV_MB)" in page.content.decode()
    assert api.status_code == 400
    assert api.json()["file"] == [f"{message} (IMPORT_MAX_CSV_MB)."]
    assert snapshot(*TABLES) == before
    assert media_files(settings) == []


# --- JSON: depth and string length -----------------------------------------------------------


def json_depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((json_depth(item) for item in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((json_depth(item) for item in value), default=0)
    return 0


def longest_text(value: Any) -> int:
    if isinstance(value, dict):
        return max([len(key) for key in value] + [longest_text(item) for item in value.values()])
    if isinstance(value, list):
        return max((longest_text(item) for item in value), default=0)
    return len(value) if isinstance(value, str) else 0


def test_a_bundle_at_the_depth_limit_is_imported_and_one_level_deeper_is_refused(
    settings: Any, users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    document = bundle(measure_report())
    depth = json_depth(document)
    assert depth == 11
    settings.IMPORT_MAX_JSON_DEPTH = depth
    within = upload(users[Role.INFORMATICIST], "b.json", json_bytes(document))

    settings.IMPORT_MAX_JSON_DEPTH = depth - 1
    over = upload(users[Role.INFORMATICIST], "b.json", json_bytes(document))

    assert within.status == ImportStatus.DONE
    assert over.status == ImportStatus.REJECTED
    assert only_error(over) == (
        None,
        None,
        "The JSON is nested more than 10 levels deep (IMPORT_MAX_JSON_DEPTH).",
    )


def test_a_json_text_at_the_length_limit_is_imported_and_one_longer_is_refused(
    settings: Any, users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    document = measure_report()
    longest = longest_text(document)
    assert longest == len("http://terminology.hl7.org/CodeSystem/measure-improvement-notation")
    settings.IMPORT_MAX_CELL_CHARS = longest
    within = upload(users[Role.INFORMATICIST], "r.json", json_bytes(document))

    settings.IMPORT_MAX_CELL_CHARS = longest - 1
    over = upload(users[Role.INFORMATICIST], "r.json", json_bytes(document))

    assert within.status == ImportStatus.DONE
    assert over.status == ImportStatus.REJECTED
    assert only_error(over) == (
        None,
        None,
        f"The JSON holds a text longer than {longest - 1} characters (IMPORT_MAX_CELL_CHARS).",
    )


def test_escaped_quotes_and_brackets_inside_texts_neither_end_them_nor_nest(
    settings: Any, users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    document = bundle(measure_report(), {"resourceType": "Basic", "note": '[[[{{{\\"]]]' * 20})
    settings.IMPORT_MAX_JSON_DEPTH = json_depth(document)

    batch = upload(users[Role.INFORMATICIST], "b.json", json_bytes(document))

    assert only_error(batch) == (
        2,
        "resourceType",
        "Entry 2 is another resource: only MeasureReport entries are imported.",
    )


def test_the_reviews_200_kb_nested_file_is_refused_fast_in_bounded_memory(
    users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    content = b"[" * 100_000 + b"]" * 100_000
    assert len(content) == 200_000

    tracemalloc.start()
    started = time.perf_counter()
    try:
        batch = upload(users[Role.INFORMATICIST], "nested.json", content)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # the depth check answers: the JSON parser, which would say "not a FHIR resource (a JSON
    # object)" at its first event, never read the file
    assert only_error(batch) == (
        None,
        None,
        "The JSON is nested more than 32 levels deep (IMPORT_MAX_JSON_DEPTH).",
    )
    assert seconds < 1
    assert peak < 50 * 1024 * 1024


# --- XLSX: uncompressed size, shared strings -------------------------------------------------


def unzipped_size(content: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return sum(member.file_size for member in archive.infolist())


def with_shared_strings(content: bytes, count: int) -> bytes:
    """The workbook with a shared-strings table of `count` texts added (openpyxl writes its
    texts inline; Excel writes them to this table, which openpyxl loads whole)."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{kind}"/>'
                    "</Types>".encode(),
                )
            target.writestr(member, data)
        texts = "".join(f"<si><t>text {n}</t></si>" for n in range(count))
        target.writestr("xl/sharedStrings.xml", f'<sst xmlns="{main}">{texts}</sst>')
    return out.getvalue()


def test_a_workbook_at_the_unzipped_limit_is_imported_and_one_byte_less_refuses_it(
    settings: Any, users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    content = xlsx_of(readmission_rows(3))
    size = unzipped_size(content)
    settings.IMPORT_MAX_XLSX_UNZIPPED_BYTES = size
    within = upload(users[Role.INFORMATICIST], "q1.xlsx", content)

    settings.IMPORT_MAX_XLSX_UNZIPPED_BYTES = size - 1
    over = upload(users[Role.INFORMATICIST], "q1.xlsx", content)

    assert within.status == ImportStatus.DONE
    assert only_error(over) == (
        None,
        None,
        f"The workbook unzips to {_size(size)}; at most {_size(size - 1)} is read "
        "(IMPORT_MAX_XLSX_UNZIPPED_MB).",
    )


def test_a_workbook_at_the_shared_strings_limit_is_imported_and_one_over_is_refused(
    settings: Any, users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    count = 40
    content = with_shared_strings(xlsx_of(readmission_rows(3)), count)
    settings.IMPORT_MAX_XLSX_SHARED_STRINGS = count
    within = upload(users[Role.INFORMATICIST], "q1.xlsx", content)

    settings.IMPORT_MAX_XLSX_SHARED_STRINGS = count - 1
    over = upload(users[Role.INFORMATICIST], "q1.xlsx", content)

    assert within.status == ImportStatus.DONE
    assert only_error(over) == (
        None,
        None,
        f"The workbook's shared-strings table has more than {count - 1:,} entries "
        "(IMPORT_MAX_XLSX_SHARED_STRINGS).",
    )


def bomb(shared: Callable[[Any], None]) -> bytes:
    """A workbook whose shared-strings table is written by `shared` (streamed into the zip),
    with a one-cell sheet: small on disk, huge unzipped."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        )
        archive.writestr("xl/workbook.xml", f'<workbook xmlns="{main}"/>')
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{main}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>'
            "</row></sheetData></worksheet>",
        )
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(f'<sst xmlns="{main}">'.encode())
            shared(strings)
            strings.write(b"</sst>")
    return out.getvalue()


def test_the_reviews_zip_bombs_are_refused_unopened_in_bounded_memory(
    users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    def many(strings: Any) -> None:  # 5 million texts
        for _ in range(50):
            strings.write(b"<si><t>a</t></si>" * 100_000)

    def long(strings: Any) -> None:  # one text of 100 MB
        strings.write(b"<si><t>")
        for _ in range(100):
            strings.write(b"a" * 1024 * 1024)
        strings.write(b"</t></si>")

    texts, one = bomb(many), bomb(long)
    assert len(texts) < 300 * 1024
    assert len(one) < 300 * 1024

    tracemalloc.start()
    try:
        refused_texts = upload(users[Role.INFORMATICIST], "texts.xlsx", texts)
        refused_one = upload(users[Role.INFORMATICIST], "one.xlsx", one)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert only_error(refused_texts) == (
        None,
        None,
        "The workbook's shared-strings table has more than 1,000,000 entries "
        "(IMPORT_MAX_XLSX_SHARED_STRINGS).",
    )
    assert only_error(refused_one) == (
        None,
        None,
        "A cell is longer than 10,000 characters (IMPORT_MAX_CELL_CHARS).",
    )
    assert peak < 50 * 1024 * 1024


# --- Rows and cell length, while streaming ---------------------------------------------------

TOO_MANY_ROWS = "The file has more than 3 data rows (IMPORT_MAX_ROWS): split it into smaller files."


@pytest.mark.parametrize("kind", ["csv", "xlsx", "json"])
def test_a_file_at_the_row_limit_is_imported_and_one_row_more_is_refused(
    kind: str, settings: Any, users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    settings.IMPORT_MAX_ROWS = 3

    def file(count: int) -> bytes:
        rows = readmission_rows(count)
        if kind == "csv":
            return csv_bytes(rows)
        if kind == "xlsx":
            return xlsx_of(rows)
        months = [(row["period_start"], row["period_end"]) for row in rows]
        return json_bytes(bundle(*(measure_report(start=s, end=e) for s, e in months)))

    within = upload(users[Role.INFORMATICIST], f"q1.{kind}", file(3))
    over = upload(users[Role.INFORMATICIST], f"q1.{kind}", file(4))

    assert (within.status, within.rows_inserted) == (ImportStatus.DONE, 3)
    assert over.status == ImportStatus.REJECTED
    assert only_error(over) == (None, None, TOO_MANY_ROWS)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_cell_at_the_length_limit_is_read_and_one_longer_is_refused_by_row_and_column(
    kind: str, settings: Any, users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    settings.IMPORT_MAX_CELL_CHARS = 40

    def file(length: int) -> bytes:
        rows = readmission_rows(2)
        rows[1]["source_system"] = "s" * length
        return csv_bytes(rows) if kind == "csv" else xlsx_of(rows)

    within = upload(users[Role.INFORMATICIST], f"q1.{kind}", file(40))
    over = upload(users[Role.INFORMATICIST], f"q1.{kind}", file(41))

    assert within.status == ImportStatus.DONE
    # a CSV cell is measured as it is read; a workbook's texts before openpyxl opens it
    assert only_error(over) == ((3, "source_system") if kind == "csv" else (None, None)) + (
        "A cell is longer than 40 characters (IMPORT_MAX_CELL_CHARS).",
    )


# --- Retention of stored files, the task's time limit ----------------------------------------


def stored_batch(user: User, status: str, finished: datetime.datetime | None, name: str) -> Any:
    job = JobRun.objects.create(kind=IMPORT_KIND, status=JobStatus.DONE)
    batch = ImportBatch(
        filename=name,
        format=ImportFormat.CSV,
        sha256="0" * 64,
        status=status,
        job=job,
        uploaded_by=user,
        finished_at=finished,
    )
    batch.file.save(name, ContentFile(b"metric_code\n"), save=False)
    batch.save()
    return batch


def test_stored_files_are_deleted_once_the_retention_period_has_passed(
    settings: Any, users: dict[str, User]
) -> None:
    settings.IMPORT_FILE_RETENTION_DAYS = 30
    user = users[Role.INFORMATICIST]
    old = NOW - datetime.timedelta(days=30, seconds=1)
    recent = NOW - datetime.timedelta(days=29, hours=23)
    expired = [
        stored_batch(user, ImportStatus.DONE, old, "done.csv"),
        stored_batch(user, ImportStatus.REJECTED, old, "rejected.csv"),
        stored_batch(user, ImportStatus.FAILED, old, "failed.csv"),
    ]
    kept = [
        stored_batch(user, ImportStatus.REJECTED, recent, "recent.csv"),
        stored_batch(user, ImportStatus.RUNNING, None, "running.csv"),
    ]
    paths = {batch.filename: Path(batch.file.path) for batch in expired + kept}

    deleted = import_files_expire()
    again = import_files_expire()

    assert (deleted, again) == (3, 0)
    assert sorted(path.name for path in media_files(settings)) == ["recent.csv", "running.csv"]
    assert {name: path.exists() for name, path in paths.items()} == {
        "done.csv": False,
        "rejected.csv": False,
        "failed.csv": False,
        "recent.csv": True,
        "running.csv": True,
    }
    assert dict(ImportBatch.objects.values_list("filename", "file")) == {
        "done.csv": "",
        "rejected.csv": "",
        "failed.csv": "",
        "recent.csv": kept[0].file.name,
        "running.csv": kept[1].file.name,
    }


def test_a_rejected_upload_is_deleted_after_the_retention_period(
    settings: Any,
    users: dict[str, User],
    catalogue: dict[str, Any],
    upload: Upload,
    time_machine: Any,
) -> None:
    settings.IMPORT_FILE_RETENTION_DAYS = 7
    rows = readmission_rows(2)
    rows[0]["value"] = "x"
    batch = upload(users[Role.INFORMATICIST], "bad.csv", csv_bytes(rows))
    path = Path(batch.file.path)

    kept = import_files_expire()
    time_machine.move_to(NOW + datetime.timedelta(days=7, seconds=1))
    deleted = import_files_expire()

    assert batch.status == ImportStatus.REJECTED
    assert (kept, deleted) == (0, 1)
    assert not path.exists()


def test_the_expiry_runs_daily_on_the_beat_schedule() -> None:
    entry = celery_app.conf.beat_schedule["metrics-import-files-expire"]

    assert entry["task"] == "metrics.import_files_expire"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({3}, {30})


def test_the_import_task_has_a_soft_and_a_hard_time_limit(settings: Any) -> None:
    assert settings.IMPORT_TIME_LIMIT_SECONDS == 900
    assert (import_run_task.soft_time_limit, import_run_task.time_limit) == (900, 930)


def test_json_limits_leave_a_sound_bundle_of_many_reports_alone(
    users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    rows = readmission_rows(24)
    document = bundle(*(measure_report(start=r["period_start"], end=r["period_end"]) for r in rows))
    assert json.loads(json_bytes(document)) == document

    batch = upload(users[Role.INFORMATICIST], "b.json", json_bytes(document))

    assert (batch.status, batch.rows_inserted) == (ImportStatus.DONE, 24)


# --- The raw-byte scanners across chunk boundaries ------------------------------------------


@pytest.mark.parametrize("tag", ["si", "x:si"])
def test_shared_strings_are_counted_exactly_across_chunks(tag: str, settings: Any) -> None:
    entry = f"<{tag}><t>ab</t></{tag}>".encode()
    count = 3 * limits.CHUNK // len(entry) + 7  # tags cut by every chunk boundary
    table = b"<sst>" + entry * count + b"</sst>"
    settings.IMPORT_MAX_XLSX_SHARED_STRINGS = count
    limits._check_shared_strings(io.BytesIO(table))

    settings.IMPORT_MAX_XLSX_SHARED_STRINGS = count - 1
    with pytest.raises(ImportFileError) as refused:
        limits._check_shared_strings(io.BytesIO(table))

    assert refused.value.errors == [
        (
            None,
            None,
            f"The workbook's shared-strings table has more than {count - 1:,} entries "
            "(IMPORT_MAX_XLSX_SHARED_STRINGS).",
        )
    ]


def test_an_escaped_quote_cut_by_a_chunk_boundary_stays_inside_its_text(settings: Any) -> None:
    settings.IMPORT_MAX_JSON_DEPTH = 1
    settings.IMPORT_MAX_CELL_CHARS = 2 * limits.CHUNK
    # the backslash is the chunk's last byte; the quote it escapes opens the next chunk
    text = "a" * (limits.CHUNK - len('{"k": "') - 1) + '\\"[[[' + "b" * 10
    document = ('{"k": "' + text + '"}').encode()
    assert document[limits.CHUNK - 1 : limits.CHUNK + 1] == b'\\"'

    limits.check_json(io.BytesIO(document))  # one level deep: the brackets are text

    settings.IMPORT_MAX_CELL_CHARS = len(text) - 1
    with pytest.raises(ImportFileError) as refused:
        limits.check_json(io.BytesIO(document))
    assert refused.value.errors == [
        (
            None,
            None,
            f"The JSON holds a text longer than {len(text) - 1:,} characters "
            "(IMPORT_MAX_CELL_CHARS).",
        )
    ]


@pytest.mark.django_db(transaction=True)  # as in the worker: no transaction around the job
def test_an_import_stopped_at_its_soft_time_limit_is_failed_naming_the_limit_and_writes_nothing(
    users: dict[str, User], catalogue: dict[str, Any]
) -> None:
    """The prefork worker delivers the soft limit as a signal whose handler raises
    SoftTimeLimitExceeded wherever the import is; a timer signal does the same here, 0.3 s into
    an import of 30,000 rows (which takes seconds)."""
    rows = [
        row | {"facility_code": facility}
        for facility in ("rh-north", "rh-south", "rh-north-icu")
        for row in readmission_rows(10_000, facility)
    ]
    # stored as an upload stores it, its job not yet run (outside a transaction, an upload
    # would run the job at once)
    job = JobRun.objects.create(kind=IMPORT_KIND)
    batch = ImportBatch(
        filename="big.csv",
        format=ImportFormat.CSV,
        sha256="0" * 64,
        job=job,
        uploaded_by=users[Role.INFORMATICIST],
    )
    batch.file.save("big.csv", ContentFile(csv_bytes(rows)), save=False)
    batch.save()
    job_id = batch.job_id
    assert job_id is not None

    def soft_limit(signum: int, frame: Any) -> None:
        raise SoftTimeLimitExceeded()

    previous = signal.signal(signal.SIGALRM, soft_limit)
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        import_run(job_id=job_id)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    batch.refresh_from_db()

    assert batch.status == ImportStatus.FAILED
    assert batch.errors == [
        {
            "row": None,
            "column": None,
            "message": "The import took longer than 900 seconds (IMPORT_TIME_LIMIT_SECONDS); "
            "nothing was imported. Split the file.",
        }
    ]
    assert JobRun.objects.get(pk=job_id).status == JobStatus.FAILED
    assert Measurement.objects.count() == 0
