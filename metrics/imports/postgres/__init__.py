"""The PostgreSQL path, built for speed: rows are streamed with COPY into temporary tables,
and checked, typed and upserted by set-wise SQL. Python only splits the file into cells.
The statements are in `sql`, the feeding of COPY in `copying`; the import itself is here.

1. Outside any transaction (so progress reports commit and can be read while the job runs):
   - CSV and XLSX: each record's cells (trimmed, in the header's order, with its row number) are
     COPYed as text into RAW, PROGRESS_EVERY records a statement (a tenth of a big file,
     base.COPY_REPORTS), each COPY fed by a file-like object that pulls records from the
     reader as psycopg2 asks for bytes (nothing but the current records is held in memory);
     progress is reported between COPYs. One SQL statement then resolves the codes by JOIN,
     types every cell and checks every row into STAGING; its `ok` is true only where the row
     is sound by checks strict enough that the plain path would read it the same (plain
     decimals, YYYY-MM-DD dates, a narrow ISO 8601 form for extracted_at, exact codes and
     unit; the figure rule of `metrics.figures` in numeric SQL).
     Rows not `ok` — every bad row, and the odd good one (an exponent, a lowercase time zone) —
     are read again from the file and checked by `rows.check_row`, which lists their errors;
     the ones whose key is sound replace their STAGING row. So the messages and stored values
     are the plain path's to the letter, and a sound file pays for SQL alone.
   - FHIR: each MeasureReport is checked in Python (`rows.check_row`) and COPYed into STAGING.
   A CSV or XLSX file is first tried in one pass (`_optimistic`), the common case of a sound
   file: its distinct periods and free texts are read once and checked (real days; plain
   edges, lengths and the PHI guard for the texts); then, in a savepoint under the lock of step
   2, one INSERT types and checks RAW by the same SQL as STAGING's, less what those checks
   vouched for, and writes it (any row not `ok` makes the statement fail), then the checks
   across rows run on what was written (repeated keys; overlapping periods among the file's
   metric × facility pairs, unless no stored row of its metrics ends after its earliest
   period and its distinct periods are disjoint). Anything amiss (a bad row, a repeated key,
   an overlap, text the PHI guard flags, any database error) rolls the savepoint back and the
   file takes the steps here and below unchanged, so every message, count and stored value is
   theirs.
2. In one transaction, with the measurements table locked against other writers (SHARE ROW
   EXCLUSIVE: reads go on, a concurrent import or hand entry waits, so the overlap check holds):
   repeated keys by a window over STAGING; overlapping periods by a running maximum of
   period_end over the file's periods and the stored ones of the same metric × facility; on any
   error nothing is written; otherwise INSERT … ON CONFLICT … DO UPDATE … WHERE … IS DISTINCT
   FROM, so unchanged rows are not touched, counting inserts and updates with RETURNING; then
   `finish` records the outcome in the same transaction.
"""

from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from informatics.phi import phi_scan
from metrics.choices import ImportFormat
from metrics.imports.base import Finisher, Opener, Outcome, Period, Reader, overlaps
from metrics.imports.postgres.copying import CopySource, copy_in, stage_raw, staged_line
from metrics.imports.postgres.sql import (
    COPY_STAGING,
    CREATE_PAIRS,
    CREATE_PERIODS,
    CREATE_STAGING,
    DUPLICATES,
    INSERTED,
    MAY_REPLACE,
    MEASUREMENTS,
    OPTIMISTIC,
    OVERLAPPING,
    OVERLAPS,
    PAIRS,
    REPEATED,
    REPLACES,
    SPREAD,
    STAGING,
    STORED_AFTER,
    TABLES,
    TYPED,
    WORK_MEM,
    plain_edges,
    write,
)
from metrics.imports.rows import DEFINITION_VERSION_MAX, SOURCE_SYSTEM_MAX
from metrics.models import ImportBatch

__all__ = ["import_postgres"]


def import_postgres(
    *,
    batch: ImportBatch,
    opener: Opener,
    reader: Reader,
    finish: Finisher,
    optimistic: bool = True,
) -> Outcome:
    """Import the file; with `optimistic`, a CSV or XLSX file is first written in one pass
    (`_optimistic`), and only when that cannot vouch for it is it staged and checked."""
    outcome = Outcome(errors=reader.errors)
    progress = reader.progress
    every = progress.every
    progress.every = 0  # no report during a COPY: the connection is busy with it
    zone = timezone.get_current_timezone_name()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLES}")
        # Temporary tables have no statistics until analysed and CTEs none at all: estimates
        # run wild and would make PostgreSQL spend seconds compiling these statements (JIT)
        # to save milliseconds.
        cursor.execute("SET jit = off")
        # A file's metric × facility pairs are grouped, and its periods ordered, in memory
        # rather than on disk (a million-row file: 0.3 s instead of 1.1 s for the pairs).
        cursor.execute(f"SET work_mem = '{WORK_MEM}'")
        try:
            if batch.format == ImportFormat.FHIR:
                cursor.execute(CREATE_STAGING)
                with opener() as file:
                    lines = (staged_line(row) for row in reader.rows(file))
                    copy_in(
                        cursor,
                        COPY_STAGING,
                        CopySource(lines, lambda: progress.done, every),
                        progress.report_now,
                    )
            else:
                with opener() as file:
                    stage_raw(cursor, batch, reader, file, every)
                if optimistic and _optimistic(cursor, batch, reader, outcome, finish):
                    return outcome
                cursor.execute(TYPED, {"zone": zone})
                _recheck(cursor, batch, opener, reader)
            outcome.rows_total = progress.done
            # Statistics, no index: each later statement reads STAGING whole (a sort, a hash).
            cursor.execute(f"ANALYZE {STAGING}")
            with transaction.atomic():
                cursor.execute(f"LOCK TABLE {MEASUREMENTS} IN SHARE ROW EXCLUSIVE MODE")
                outcome.rows_rejected = reader.bad_rows + _check(cursor, reader)
                if not reader.errors:
                    cursor.execute(REPLACES)
                    written: dict[str, Any] = {"batch": batch.pk, "now": timezone.now()}
                    if cursor.fetchone()[0]:
                        cursor.execute(write(STAGING, replace=True), written)
                    else:
                        # Only inserts (a feed of new periods): no conflict to resolve, and
                        # under the lock no other writer can make one meanwhile.
                        cursor.execute(write(STAGING, replace=False), written)
                        cursor.execute(INSERTED)
                    for metric_id, inserted, updated in cursor.fetchall():
                        outcome.metric_ids.add(metric_id)
                        outcome.rows_inserted += inserted
                        outcome.rows_updated += updated
                    outcome.rows_unchanged = (
                        outcome.rows_total - outcome.rows_inserted - outcome.rows_updated
                    )
                finish(outcome)
        finally:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLES}")
            cursor.execute("RESET jit")
            cursor.execute("RESET work_mem")
    return outcome


class _Unsure(Exception):
    """The optimistic write cannot vouch for the file: undone, the file takes the full path."""


def _optimistic(
    cursor: Any, batch: ImportBatch, reader: Reader, outcome: Outcome, finish: Finisher
) -> bool:
    """The common case, a sound file, in one pass: RAW typed, checked and written by one
    statement (`OPTIMISTIC`, the same typing and checks as STAGING's, failing on any row not
    `ok`), then the checks across rows on what was written: no key repeated in the file, no
    overlapping periods among the file's metric × facility pairs (read only when a stored row
    of the file's metrics ends on or after its earliest period there, or when the file's
    distinct periods overlap each other: a feed of new, disjoint periods skips that read of
    everything it wrote). All of it in a savepoint
    under the import's lock; when anything is amiss (a row not `ok`, a repeated key, an
    overlap, text the PHI guard flags, any database error) it is rolled back and False is
    returned, and the full path decides, with its messages. True when written and finished."""
    if reader.errors or reader.bad_rows:
        return False
    cursor.execute(SPREAD)
    scanned: dict[str, bool] = {}
    periods: list[Period] = []
    # Everything the one-pass typing takes as vouched (`_typing`), checked here once per distinct
    # text: any doubt leaves the file to the full path, which re-checks the row and says what
    # is wrong.
    for is_period, source_system, definition_version, start, end in cursor.fetchall():
        if is_period:
            if start is None or end is None:  # not a real YYYY-MM-DD day
                return False
            periods.append((start, end, 0, False))
            continue
        for text, most in (
            (source_system, SOURCE_SYSTEM_MAX),
            (definition_version, DEFINITION_VERSION_MAX),
        ):
            if text is None:
                continue
            if not plain_edges(text) or len(text) > most:
                return False
            if scanned.setdefault(text, bool(phi_scan(text))):
                return False
    # Whether two of the file's distinct periods overlap (two rows of one metric × facility pair
    # can only overlap then; the same period twice in a pair is a repeated key, caught apart).
    periods_overlap = next(overlaps(periods), None) is not None
    cursor.execute(CREATE_PAIRS)
    cursor.execute(f"ANALYZE {PAIRS}")
    total = reader.progress.done
    zone = timezone.get_current_timezone_name()
    written = {"batch": batch.pk, "now": timezone.now(), "zone": zone}
    counted = Outcome(errors=reader.errors, rows_total=total)
    try:
        with transaction.atomic():
            cursor.execute(f"LOCK TABLE {MEASUREMENTS} IN SHARE ROW EXCLUSIVE MODE")
            try:
                with transaction.atomic():
                    cursor.execute(STORED_AFTER)
                    stored_after = cursor.fetchone()[0]
                    may_replace = False
                    if stored_after:
                        cursor.execute(MAY_REPLACE)
                        may_replace = cursor.fetchone()[0]
                    if may_replace:
                        cursor.execute(write(OPTIMISTIC, replace=True), written)
                        for metric_id, inserted, updated in cursor.fetchall():
                            counted.metric_ids.add(metric_id)
                            counted.rows_inserted += inserted
                            counted.rows_updated += updated
                        cursor.execute(REPEATED)
                        if cursor.fetchone()[0]:
                            raise _Unsure
                    else:  # a repeated key breaks the unique index
                        cursor.execute(write(OPTIMISTIC, replace=False), written)
                        counted.rows_inserted = cursor.rowcount
                        cursor.execute(f"SELECT DISTINCT metric_id FROM {PAIRS}")  # noqa: S608
                        counted.metric_ids = {metric_id for (metric_id,) in cursor.fetchall()}
                    # With no stored row after the file's earliest periods, only the file's own
                    # rows could overlap, and only when its distinct periods do.
                    if stored_after or periods_overlap:
                        cursor.execute(OVERLAPPING)
                        if cursor.fetchone()[0]:
                            raise _Unsure
            except (_Unsure, DatabaseError):
                return False
            outcome.rows_total = total
            outcome.rows_inserted = counted.rows_inserted
            outcome.rows_updated = counted.rows_updated
            outcome.rows_unchanged = total - counted.rows_inserted - counted.rows_updated
            outcome.metric_ids = counted.metric_ids
            finish(outcome)
            return True
    finally:
        cursor.execute(f"DROP TABLE IF EXISTS {PAIRS}")


def _recheck(cursor: Any, batch: ImportBatch, opener: Opener, reader: Reader) -> None:
    """The rows SQL did not vouch for: checked again by rows.check_row, which lists their
    errors; those whose key is sound go back into STAGING with the values it read. A row
    whose source system or definition version the PHI guard flags is one of them (each
    distinct text is scanned once, in Python: the guard's patterns are not SQL's)."""
    cursor.execute(
        f"SELECT source_system FROM {STAGING} WHERE ok "  # noqa: S608
        f"UNION SELECT definition_version FROM {STAGING} WHERE ok"
    )
    phi = [text for (text,) in cursor.fetchall() if text and phi_scan(text)]
    if phi:
        cursor.execute(
            f"UPDATE {STAGING} SET ok = false "  # noqa: S608
            "WHERE source_system = ANY(%s) OR definition_version = ANY(%s)",
            [phi, phi],
        )
    cursor.execute(f"DELETE FROM {STAGING} WHERE NOT ok RETURNING row")  # noqa: S608
    flagged = {row for (row,) in cursor.fetchall()}
    if not flagged:
        return
    with opener() as file:
        lines = (staged_line(row) for row in reader.recheck(file, flagged))
        copy_in(cursor, COPY_STAGING, CopySource(lines), lambda: None)


def _check(cursor: Any, reader: Reader) -> int:
    """Log repeated keys and overlapping periods; the number of rows they reject that had no
    error of their own."""
    flagged: set[int] = set()
    cursor.execute(DUPLICATES)
    for row, first_row, is_bad in cursor.fetchall():
        reader.duplicate(row, first_row)
        if not is_bad:
            flagged.add(row)
    for statement in CREATE_PERIODS.split(";"):
        cursor.execute(statement)
    cursor.execute(OVERLAPS)
    for row, start, end, is_bad, other, other_start, other_end, other_bad in cursor.fetchall():
        if row is not None:
            reader.overlap(row, other, other_start, other_end)
            if not is_bad:
                flagged.add(row)
        else:
            reader.overlap(other, None, start, end)
            if not other_bad:
                flagged.add(other)
    return len(flagged)
