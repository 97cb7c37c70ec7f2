"""Reading measurement files into the catalogue, all or nothing.

Formats (DOMAIN.md §6):
- CSV (UTF-8, comma-separated, a header row) and XLSX (the first sheet, a header in row 1) with
  the canonical columns `metric_code, facility_code, period_start, period_end, numerator,
  denominator, value, unit, source_system, definition_version, extracted_at`. Required:
  metric_code, facility_code, period_start, period_end, and value or numerator and denominator.
  Dates are YYYY-MM-DD (XLSX date cells too); extracted_at is ISO 8601, in the site's time zone
  when it has no offset. Codes match exactly.
- FHIR R4 MeasureReport (JSON), one resource or a Bundle of them, `type` summary and `status`
  complete. `measure` (canonical URL; a `|version` suffix goes to definition_version) → the
  metric whose FHIR Measure URL it is, else the metric whose code is the URL's last segment;
  `reporter` → the facility whose code is the Organization's id (`Organization/<code>`, also
  at the end of an absolute URL) or the reporter identifier's value; `period` → period (a
  partial date such as 2024-01 is the whole month); `group[0].population` counts → numerator =
  numerator − numerator-exclusion, denominator = denominator − denominator-exclusion −
  denominator-exception; `group[0].measureScore.value` → value: with numerator and denominator
  populations FHIR's score is the fraction numerator ÷ denominator, so it is multiplied by the
  metric's multiplier (a score whose unit is "%" is divided by 100 first); without them it is
  taken in the metric's unit as it is. `improvementNotation` increase/decrease must match the
  metric's better direction (a metric without one accepts neither). `date` → extracted_at;
  source_system is "FHIR". One group per report.

Rows: see `readers` for numbering. Each row is checked (`rows.check_row`), then across the file
and the database: no two rows with the same metric, facility and period_start, and no periods
overlapping another of the file or a stored one for the same metric × facility (a stored row
the file replaces — same key — does not count). Any error rejects the whole file: every error
is listed by row and column (the first ERRORS_KEPT of them stored), nothing is written.
Otherwise rows are upserted on (metric, facility, period_start): new rows inserted, changed
rows updated (their batch becomes this one), unchanged rows left as they are, so importing the
same file twice changes nothing the second time.

Two paths, same answers: `postgres` (COPY into a staging table, checks and upsert in SQL) and
`plain` (Python, chunked bulk writes) for SQLite.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, cast

from django.db import connection, transaction

from metrics.imports.base import Finisher, Outcome, Progress, Reader, Reporter
from metrics.imports.errors import COLUMNS, ERRORS_KEPT, ErrorLog, ImportFileError
from metrics.imports.fhir import FHIR_PATHS
from metrics.imports.plain import import_plain
from metrics.imports.postgres import import_postgres
from metrics.imports.rows import Catalogue
from metrics.models import ImportBatch

PATHS = ("postgres", "plain")


def default_path() -> str:
    return "postgres" if connection.vendor == "postgresql" else "plain"


def import_file(
    *,
    batch: ImportBatch,
    report: Reporter,
    record: Finisher,
    path: str | None = None,
    optimistic: bool = True,
) -> Outcome:
    """Import the batch's stored file; nothing is written unless the whole file is sound.

    `report(done, total)` is called as rows are read, outside any transaction so that it can
    be read while the import runs (done only rises), and at the end with done = total = the
    rows read. `record(outcome)` is called once, inside the transaction that writes the rows
    (or rejects them), to record the outcome with them. `path` forces a path (tests compare
    them; `optimistic=False` makes the PostgreSQL path stage and check every file, as it does
    any file its one-pass write cannot vouch for)."""
    chosen = path or default_path()
    errors = ErrorLog()
    progress = Progress(report)
    reader = Reader(format=batch.format, catalogue=Catalogue(), errors=errors, progress=progress)

    @contextmanager
    def opener() -> Iterator[IO[bytes]]:
        file = batch.file.storage.open(str(batch.file.name), "rb")
        try:
            yield cast(IO[bytes], file)
        finally:
            file.close()

    def finish(outcome: Outcome) -> None:
        progress.finish()
        record(outcome)

    try:
        if chosen == "postgres":
            return import_postgres(
                batch=batch, opener=opener, reader=reader, finish=finish, optimistic=optimistic
            )
        return import_plain(batch=batch, opener=opener, reader=reader, finish=finish)
    except ImportFileError as error:
        file_errors = ErrorLog()
        for row, column, message in error.errors:
            file_errors.add(row, column, message)
        outcome = Outcome(errors=file_errors, rows_total=progress.done)
        with transaction.atomic():
            finish(outcome)
        return outcome


__all__ = [
    "COLUMNS",
    "ERRORS_KEPT",
    "FHIR_PATHS",
    "PATHS",
    "ErrorLog",
    "ImportFileError",
    "Outcome",
    "default_path",
    "import_file",
]
