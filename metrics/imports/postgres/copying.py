"""Feeding COPY: a file-like source that pulls records from a reader as psycopg2 asks for
bytes, the lines it writes for RAW and STAGING, and the COPY statements with progress between
them (see the package's docstring)."""

import csv
import datetime
import io
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import psycopg2
from django.db import DataError, transaction

from metrics.choices import ImportFormat
from metrics.imports import direct, limits
from metrics.imports.base import COPY_REPORTS, Progress, Reader
from metrics.imports.errors import ImportFileError
from metrics.imports.postgres.sql import CREATE_RAW, CREATE_RAW_PLAIN, RAW, TEXT_COLUMNS
from metrics.imports.readers import Table, count_csv_rows, read_table
from metrics.imports.rows import CheckedRow
from metrics.models import ImportBatch


def _text(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def _number(value: Decimal | None) -> str:
    return "\\N" if value is None else str(value)


def staged_line(row: CheckedRow) -> bytes:
    """One row in COPY's text format."""
    moment = row.extracted_at
    return (
        f"{row.row}\t{row.metric_id}\t{row.facility_id}\t{row.period_start.isoformat()}\t"
        f"{row.period_end.isoformat()}\t{_number(row.value)}\t{_number(row.numerator)}\t"
        f"{_number(row.denominator)}\t{_text(row.source_system)}\t"
        f"{_text(row.definition_version)}\t{moment.isoformat() if moment else '\\N'}\t"
        f"{'t' if row.is_bad else 'f'}\n"
    ).encode()


class CopySource:
    """A file-like object for `copy_expert`: pulls lines from `lines` when psycopg2 asks for
    bytes. With `count` and `every`, each COPY (`next_copy`) ends once `count()` has risen by
    `every`, so that progress can be reported between COPYs. An error while reading (a
    malformed file) ends the COPY cleanly and is raised again after it (`pending`)."""

    def __init__(
        self,
        lines: Iterator[bytes],
        count: Callable[[], int] | None = None,
        every: int = 0,
    ) -> None:
        self.lines = lines
        self.count = count
        self.every = every
        self.stop_at: int | None = None
        self.exhausted = False
        self.pending: BaseException | None = None
        self.buffer = b""

    def next_copy(self) -> "CopySource":
        if self.count is not None and self.every:
            self.stop_at = self.count() + self.every
        return self

    def read(self, size: int = -1) -> bytes:
        wanted = size if size > 0 else 1 << 16
        parts = [self.buffer]
        length = len(self.buffer)
        while length < wanted and not self.exhausted and self.pending is None:
            if self.stop_at is not None and self.count and self.count() >= self.stop_at:
                break
            try:
                line = next(self.lines)
            except StopIteration:
                self.exhausted = True
                break
            except Exception as error:  # raised again after the COPY, see copy_in
                self.pending = error
                break
            parts.append(line)
            length += len(line)
        data = b"".join(parts)
        self.buffer = data[wanted:]
        return data[:wanted]

    def readline(self, size: int = -1) -> bytes:  # pragma: no cover - COPY FROM uses read
        return self.read(size)


def copy_in(cursor: Any, sql: str, source: CopySource, after: Callable[[], None]) -> None:
    """COPY everything `source` yields, one statement per `next_copy`, calling `after` between
    them; an error of the reader is raised once its COPY has ended."""
    while True:
        cursor.copy_expert(sql, source.next_copy(), 1 << 16)
        if source.pending is not None:
            raise source.pending
        after()
        if source.exhausted and not source.buffer:
            return


def _cell_text(column: str, cell: Any) -> tuple[str, bool]:
    """A cell as the text SQL types, and whether SQL should leave the row to the plain checks
    (a cell whose reading depends on its type: a boolean, a date with a time, a date where no
    date belongs). Mirrors rows.check_row's reading of each kind of cell."""
    if cell is None:
        return "", False
    if isinstance(cell, str):
        return cell.strip(), False
    if isinstance(cell, bool):
        return "", True
    if isinstance(cell, int):
        return str(cell), False
    if isinstance(cell, float):
        if column in TEXT_COLUMNS and cell.is_integer():
            return str(int(cell)), False
        return repr(cell), False
    if isinstance(cell, Decimal):
        return str(cell), False
    if isinstance(cell, datetime.datetime):
        if column in ("period_start", "period_end") and cell.time() == datetime.time(0):
            return cell.date().isoformat(), False
        if column == "extracted_at" and cell.tzinfo is None:
            return cell.isoformat(), False
        return "", True
    if isinstance(cell, datetime.date) and column in ("period_start", "period_end"):
        return cell.isoformat(), False
    if isinstance(cell, datetime.date) and column == "extracted_at":
        return cell.isoformat(), False
    return "", True


def _raw_lines(table: Table, reader: Reader, format: str) -> Iterator[bytes]:
    """The records as CSV lines for RAW (row, suspect, then the header's columns), a few
    hundred records to a piece."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    positions = [position for position, _ in table.header]
    names = [name for _, name in table.header]
    progress = reader.progress
    pending: list[list[object]] = []
    for row, cells in table.records:
        progress.step()
        width = len(cells)
        suspect = table.extra_cells(cells)
        if format == ImportFormat.CSV:
            texts = [cells[p].strip() if p < width else "" for p in positions]
        else:
            texts = []
            for name, p in zip(names, positions, strict=True):
                text, odd = _cell_text(name, cells[p] if p < width else None)
                texts.append(text)
                suspect = suspect or odd
        pending.append([row, "t" if suspect else "f", *texts])
        if len(pending) == 500:
            writer.writerows(pending)
            pending.clear()
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if pending:
        writer.writerows(pending)
        yield buffer.getvalue().encode()


def stage_raw(cursor: Any, batch: ImportBatch, reader: Reader, file: Any, every: int) -> None:
    """CSV and XLSX: COPY the records' cells into RAW.
    A plain CSV (metrics.imports.direct) is COPYed as it is; any other file, or a plain one
    PostgreSQL turns out not to read, is split into cells by the Python reader."""
    progress = reader.progress
    if batch.format == ImportFormat.CSV:
        plain = direct.plain_header(file)
        if plain is not None and _copy_plain(cursor, file, plain, progress, every):
            return
    table = read_table(batch.format, file)
    progress.estimate = table.estimate
    cursor.execute(CREATE_RAW)
    names = ", ".join(name for _, name in table.header)
    copy_in(
        cursor,
        f"COPY {RAW} (row, suspect, {names}) FROM STDIN WITH (FORMAT csv)",
        CopySource(
            _raw_lines(table, reader, batch.format),
            lambda: progress.done,
            stride(every, table.estimate),
        ),
        progress.report_now,
    )
    if progress.done == 0:
        raise ImportFileError("The file has no data rows.")


def stride(every: int, estimate: int | None) -> int:
    """The rows a COPY statement takes between progress reports (base.COPY_REPORTS)."""
    return max(every, (estimate or 0) // COPY_REPORTS) if every else every


def _copy_plain(
    cursor: Any, file: Any, plain: direct.Plain, progress: Progress, every: int
) -> bool:
    """COPY the data lines of a CSV with a plain header into RAW as they are, PROGRESS_EVERY
    lines or so a statement (`stride`) with progress reported between them, each piece
    checked as it goes (direct.data_pieces); False (RAW dropped, the count started again)
    when a piece is not plain or PostgreSQL does not read it the way the checks expected."""
    progress.estimate = count_csv_rows(file)
    cursor.execute(CREATE_RAW_PLAIN)
    every = stride(every, progress.estimate)
    source = CopySource(direct.data_pieces(file, plain), lambda: plain.rows, every)
    sql = f"COPY {RAW} ({', '.join(plain.names)}) FROM STDIN WITH (FORMAT csv)"
    copied = 0
    try:
        while True:
            with transaction.atomic():
                cursor.copy_expert(sql, source.next_copy(), 1 << 16)
                copied += cursor.rowcount
            if source.pending is not None:
                raise source.pending
            progress.done = plain.rows
            progress.report_now()
            if source.exhausted and not source.buffer:
                break
    except (direct.NotPlain, DataError, psycopg2.DataError):  # not plain after all, a malformed
        copied = -1  # line: the Python reader says what is wrong
    if copied == plain.rows > 0:
        if plain.widest <= limits.max_cell_chars():  # no cell is longer than its line
            return True
        longest = " OR ".join(f"char_length({name}) > %(most)s" for name in plain.names)
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {RAW} WHERE {longest})",  # noqa: S608
            {"most": limits.max_cell_chars()},
        )
        if not cursor.fetchone()[0]:  # else the Python reader names the row and column
            return True
    cursor.execute(f"DROP TABLE {RAW}")
    progress.restart()
    file.seek(0)
    return False
