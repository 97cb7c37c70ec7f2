"""Streaming readers: each turns a stored file into `SourceRow`s, one at a time, never holding
the file in memory (an XLSX workbook's shared strings excepted: openpyxl's read-only mode keeps
that one table). CSV and XLSX are read here; a FHIR MeasureReport by `metrics.imports.fhir`.

Row numbers are what the user finds in their own tool:
- CSV and XLSX: the row a spreadsheet shows. The header is row 1, so the first data row is
  row 2 (a CSV record holding a quoted line break is still one row, as in a spreadsheet).
  Blank rows keep their number and are skipped.
- FHIR: the MeasureReport's position in the Bundle, counting from 1 (a single resource is 1);
  the column is the element's path in the resource (`group[0].measureScore`).

The CSV and XLSX header is matched case-insensitively, ignoring surrounding spaces; blank header
cells (a trailing comma) are ignored; an unknown or repeated name, or a missing required one,
rejects the file with an error on row 1 naming the column.
"""

import contextlib
import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from openpyxl import load_workbook  # type: ignore[import-untyped]  # stubs not installed
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

from metrics.choices import ImportFormat
from metrics.imports import limits
from metrics.imports.errors import COLUMNS, ImportFileError
from metrics.imports.fhir import fhir_rows
from metrics.imports.rows import SourceRow

REQUIRED: tuple[str, ...] = ("metric_code", "facility_code", "period_start", "period_end")

NOT_UTF8 = "The file is not UTF-8 text: save it as “CSV UTF-8” and upload it again."


@dataclass(slots=True)
class Reading:
    """A file opened for reading: `estimate` is the number of data rows when it can be known
    cheaply before reading (None for FHIR); `rows` yields them."""

    estimate: int | None
    rows: Iterator[SourceRow]


@dataclass(slots=True)
class Table:
    """A CSV or XLSX file opened for reading: its header (position, canonical column) and
    `width` (cells in the header row), then its non-blank records as (row, cells), the cells as
    the file holds them (text for CSV; text, numbers, dates for XLSX)."""

    header: list[tuple[int, str]]
    width: int
    estimate: int | None
    records: Iterator[tuple[int, Sequence[Any]]]

    def extra_cells(self, cells: Sequence[Any]) -> bool:
        """Whether a record has non-blank cells beyond the header."""
        return len(cells) > self.width and not all(_is_blank(c) for c in cells[self.width :])


def read_table(format: str, file: IO[bytes]) -> Table:
    """Open a CSV or XLSX file (binary, seekable, at its start): the header is read and checked
    now (ImportFileError listing its problems); the records as they are iterated (a file that
    turns out unreadable raises ImportFileError then)."""
    if format == ImportFormat.CSV:
        return _csv_table(file)
    if format == ImportFormat.XLSX:
        return _xlsx_table(file)
    raise ImportFileError(f"Not a table format: “{format}”.")


def read_source(format: str, file: IO[bytes]) -> Reading:
    """Open `file` (binary, seekable, at its start) as `format`. Raises ImportFileError for a
    file that cannot be read at all; the rows iterator raises it too (malformed JSON where the
    parser meets it, say)."""
    if format == ImportFormat.FHIR:
        return Reading(None, fhir_rows(file))
    if format in (ImportFormat.CSV, ImportFormat.XLSX):
        table = read_table(format, file)
        return Reading(table.estimate, _source_rows(table))
    raise ImportFileError(f"Unknown import format “{format}”.")


def _source_rows(table: Table) -> Iterator[SourceRow]:
    for row, cells in table.records:
        values = {
            name: cells[position] if position < len(cells) else None
            for position, name in table.header
        }
        source = SourceRow(row, values)
        if table.extra_cells(cells):
            source.problems.append(
                (
                    None,
                    None,
                    f"Has {len(cells)} cells; the header has {table.width}: remove the extra ones.",
                )
            )
        yield source


# --- Header --------------------------------------------------------------------------------


def _header(cells: list[Any]) -> list[tuple[int, str]]:
    """The (position, canonical column) of each named header cell; ImportFileError listing
    every problem of the header otherwise."""
    problems: list[tuple[int | None, str | None, str]] = []
    named: list[tuple[int, str]] = []
    seen: set[str] = set()
    for position, cell in enumerate(cells):
        name = "" if cell is None else str(cell).strip().lower()
        if not name:
            continue
        if name not in COLUMNS:
            problems.append(
                (
                    1,
                    get_column_letter(position + 1),
                    f"Unknown column name: expected one of {', '.join(COLUMNS)}.",
                )
            )
        elif name in seen:
            problems.append((1, name, "This column appears twice."))
        else:
            seen.add(name)
            named.append((position, name))
    for name in REQUIRED:
        if name not in seen:
            problems.append((1, name, "Missing required column."))
    if "value" not in seen and not {"numerator", "denominator"} <= seen:
        problems.append(
            (1, "value", "The header needs a value column, or numerator and denominator columns.")
        )
    if problems:
        raise ImportFileError.many(problems)
    return named


def header_of(cells: list[Any]) -> list[tuple[int, str]]:
    """The (position, canonical column) of each named cell of a header row; ImportFileError
    listing every problem of the header otherwise."""
    return _header(cells)


def _is_blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


class _Limits:
    """Counts a table's data rows and measures its text cells as they stream: more rows than
    IMPORT_MAX_ROWS, or a cell longer than IMPORT_MAX_CELL_CHARS, stops the reading."""

    def __init__(self, header: list[tuple[int, str]]) -> None:
        self.names = dict(header)
        self.rows = 0
        self.most = limits.max_rows()
        self.longest = limits.max_cell_chars()

    def check(self, row: int, cells: Sequence[Any]) -> None:
        self.rows += 1
        if self.rows > self.most:
            raise limits.too_many_rows()
        for position, cell in enumerate(cells):
            if isinstance(cell, str) and len(cell) > self.longest:
                column = self.names.get(position) or get_column_letter(position + 1)
                raise limits.cell_too_long(row, column)


# --- CSV -----------------------------------------------------------------------------------


def count_csv_rows(file: IO[bytes]) -> int:
    """Lines after the header (a quick estimate: a quoted line break counts twice)."""
    lines = 0
    last = b"\n"
    while chunk := file.read(1 << 20):
        lines += chunk.count(b"\n")
        last = chunk[-1:]
    if last != b"\n":
        lines += 1
    file.seek(0)
    return max(lines - 1, 0)


def _csv_table(file: IO[bytes]) -> Table:
    estimate = count_csv_rows(file)
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        first = next(reader)
    except StopIteration:
        text.detach()
        raise ImportFileError("The file is empty.") from None
    except UnicodeDecodeError:
        text.detach()
        raise ImportFileError(NOT_UTF8) from None
    except csv.Error as error:
        text.detach()
        raise ImportFileError(f"The CSV cannot be read: {error}.", row=1) from None
    try:
        header = _header(first)
    except ImportFileError:
        text.detach()
        raise

    def records() -> Iterator[tuple[int, Sequence[Any]]]:
        row = 1
        try:
            for row, cells in enumerate(reader, start=2):
                if "".join(cells).strip():  # a blank record keeps its number, is skipped
                    counter.check(row, cells)
                    yield row, cells
        except UnicodeDecodeError:
            raise ImportFileError(NOT_UTF8) from None
        except csv.Error as error:
            raise ImportFileError(f"The CSV cannot be read: {error}.", row=row + 1) from None
        finally:
            # A reading stopped early (a limit, a time limit) may end after the file is closed.
            with contextlib.suppress(ValueError):
                text.detach()

    counter = _Limits(header)
    return Table(header, len(first), estimate, records())


# --- XLSX ----------------------------------------------------------------------------------


def _xlsx_table(file: IO[bytes]) -> Table:
    limits.check_xlsx(file)
    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError):
        raise ImportFileError(
            "The file is not an Excel workbook (.xlsx): save it as “Excel Workbook” and "
            "upload it again."
        ) from None
    if not book.worksheets:
        book.close()
        raise ImportFileError("The workbook has no sheet.")
    sheet = book.worksheets[0]
    estimate = max(sheet.max_row - 1, 0) if sheet.max_row else None
    if estimate is not None and estimate > limits.max_rows():
        book.close()
        raise limits.too_many_rows()
    cells = sheet.iter_rows(min_row=1, values_only=True)
    first = next(cells, None)
    if first is None or all(_is_blank(cell) for cell in first):
        book.close()
        raise ImportFileError("The first sheet has no header in row 1.", row=1)
    try:
        header = _header(list(first))
    except ImportFileError:
        book.close()
        raise

    counter = _Limits(header)

    def records() -> Iterator[tuple[int, Sequence[Any]]]:
        try:
            for row, values in enumerate(cells, start=2):
                if not all(_is_blank(cell) for cell in values):
                    counter.check(row, values)
                    yield row, values
        finally:
            book.close()

    return Table(header, len(first), estimate, records())


__all__ = [
    "REQUIRED",
    "Reading",
    "SourceRow",
    "Table",
    "header_of",
    "read_source",
    "read_table",
]
