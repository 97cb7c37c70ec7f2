"""Streaming readers: each turns a stored file into `SourceRow`s, one at a time, never holding
the file in memory (an XLSX workbook's shared strings excepted: openpyxl's read-only mode keeps
that one table).

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
import datetime
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any, cast

import ijson  # type: ignore[import-untyped]  # no stubs published
from openpyxl import load_workbook  # type: ignore[import-untyped]  # stubs not installed
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

from metrics.choices import ImportFormat
from metrics.imports import limits
from metrics.imports.errors import COLUMNS, ImportFileError

REQUIRED: tuple[str, ...] = ("metric_code", "facility_code", "period_start", "period_end")

# FHIR: where each canonical column comes from in a MeasureReport (DOMAIN.md §6).
FHIR_PATHS: dict[str, str] = {
    "metric_code": "measure",
    "facility_code": "reporter",
    "period_start": "period.start",
    "period_end": "period.end",
    "numerator": "group[0].population[numerator].count",
    "denominator": "group[0].population[denominator].count",
    "value": "group[0].measureScore",
    "unit": "group[0].measureScore.unit",
    "definition_version": "measure",
    "extracted_at": "date",
    "improvement": "improvementNotation",
}
FHIR_SOURCE_SYSTEM = "FHIR"
NOT_UTF8 = "The file is not UTF-8 text: save it as “CSV UTF-8” and upload it again."


@dataclass(slots=True)
class SourceRow:
    """One record as read: canonical column → cell (text, a number, a date or None).

    `columns` maps a canonical column to the name the user sees (FHIR element paths); `problems`
    are what the reader itself found wrong, as (canonical column or None, shown column,
    message)."""

    row: int
    values: dict[str, Any]
    columns: dict[str, str] | None = None
    problems: list[tuple[str | None, str | None, str]] = field(default_factory=list)
    checkable: bool = True  # False: not a record at all (a Bundle entry of another type)

    def shown(self, column: str) -> str:
        return self.columns.get(column, column) if self.columns else column


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
        return Reading(None, _fhir_rows(file))
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


# --- FHIR MeasureReport --------------------------------------------------------------------

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def _fhir_rows(file: IO[bytes]) -> Iterator[SourceRow]:
    try:
        limits.check_json(file)
        resource_type = _top_level_type(file)
        file.seek(0)
        if resource_type == "MeasureReport":
            report = next(ijson.items(file, "", use_float=False))
            yield _measure_report(1, report)
            return
        if resource_type != "Bundle":
            raise ImportFileError(
                "The file's resourceType is neither MeasureReport nor Bundle: upload a "
                "MeasureReport, or a Bundle of MeasureReports."
            )
        count = 0
        for count, entry in enumerate(ijson.items(file, "entry.item", use_float=False), start=1):
            if count > limits.max_rows():
                raise limits.too_many_rows()
            resource = entry.get("resource") if isinstance(entry, dict) else None
            kind = resource.get("resourceType") if isinstance(resource, dict) else None
            if kind != "MeasureReport":
                yield SourceRow(
                    count,
                    {},
                    FHIR_PATHS,
                    [
                        (
                            None,
                            "resourceType",
                            f"Entry {count} is {'another resource' if kind else 'not a resource'}"
                            ": only MeasureReport entries are imported.",
                        )
                    ],
                    checkable=False,
                )
                continue
            yield _measure_report(count, cast(dict[str, Any], resource))
        if count == 0:
            raise ImportFileError("The Bundle has no entries.")
    except ijson.JSONError as error:
        detail = (str(error).strip().splitlines() or ["unreadable"])[0]
        raise ImportFileError(f"The file is not valid JSON: {detail}") from None
    except UnicodeDecodeError:
        raise ImportFileError("The file is not valid JSON: it is not UTF-8 text.") from None


def _top_level_type(file: IO[bytes]) -> str:
    """The top-level resourceType, read without loading the document (it usually comes first)."""
    events = ijson.parse(file, use_float=False)
    first = next(events, None)
    if first is None:
        raise ImportFileError("The file is empty.")
    if first[1] != "start_map":
        raise ImportFileError("The file is not a FHIR resource (a JSON object).")
    for prefix, event, value in events:
        if prefix == "resourceType" and event == "string":
            return str(value)
    raise ImportFileError("The file has no resourceType: it is not a FHIR resource.")


def _code(concept: Any) -> str | None:
    """The first coding's code of a CodeableConcept (or None)."""
    if not isinstance(concept, dict):
        return None
    for coding in concept.get("coding") or []:
        if isinstance(coding, dict) and coding.get("code"):
            return str(coding["code"])
    return None


def _fhir_date(text: Any, *, end: bool) -> datetime.date | str | None:
    """A FHIR date or dateTime as the date it names (its local date part); a partial date
    (2024 or 2024-01) is the first day of that period for a start, the last for an end. Text
    that is no date is returned as given, for the row check to report."""
    if text is None:
        return None
    match = _PARTIAL_DATE.match(str(text))
    if not match:
        return str(text)
    year, month, day = match.groups()
    try:
        if day:
            return datetime.date(int(year), int(month), int(day))
        if month:
            first = datetime.date(int(year), int(month), 1)
            if not end:
                return first
            following = datetime.date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return following - datetime.timedelta(days=1)
        return datetime.date(int(year), 12, 31) if end else datetime.date(int(year), 1, 1)
    except ValueError:
        return str(text)


def _facility_code(reporter: Any) -> str | None:
    """`Organization/<code>` (also at the end of an absolute URL), else the identifier's value."""
    if not isinstance(reporter, dict):
        return None
    reference = reporter.get("reference")
    if isinstance(reference, str) and "Organization/" in reference:
        return reference.rstrip("/").rsplit("Organization/", 1)[1].split("/")[0] or None
    identifier = reporter.get("identifier")
    if isinstance(identifier, dict) and identifier.get("value"):
        return str(identifier["value"])
    return None


def _measure_report(row: int, report: dict[str, Any]) -> SourceRow:
    """Map one MeasureReport (a dict) onto the canonical columns (see metrics/imports/__init__)."""
    source = SourceRow(row, {}, FHIR_PATHS)
    problems = source.problems
    values = source.values
    if report.get("type") != "summary":
        problems.append(
            (None, "type", "Expected summary: only summary MeasureReports are imported.")
        )
    if report.get("status") != "complete":
        problems.append(
            (
                None,
                "status",
                "Expected complete: only complete MeasureReports are imported.",
            )
        )
    measure = report.get("measure")
    if isinstance(measure, str) and measure.strip():
        url, _, version = measure.strip().partition("|")
        values["measure"] = url
        values["definition_version"] = version or None
    else:
        values["measure"] = None
    reporter = report.get("reporter")
    code = _facility_code(reporter)
    if reporter is not None and code is None:
        problems.append(
            (
                "facility_code",
                "reporter",
                "Give the reporter as a reference Organization/<facility code>, or with an "
                "identifier whose value is the facility code.",
            )
        )
    values["facility_code"] = code if reporter is not None else None
    period: dict[str, Any] = report.get("period") or {}
    if not isinstance(period, dict):
        period = {}
    values["period_start"] = _fhir_date(period.get("start"), end=False)
    values["period_end"] = _fhir_date(period.get("end"), end=True)
    values["extracted_at"] = report.get("date")
    values["source_system"] = FHIR_SOURCE_SYSTEM
    notation = _code(report.get("improvementNotation"))
    if notation is not None:
        values["improvement"] = notation
    groups = report.get("group") or []
    if not isinstance(groups, list) or not groups:
        problems.append(
            (
                "value",
                "group",
                "Has no group: give one group with its population counts or measureScore.",
            )
        )
        return source
    if len(groups) > 1:
        problems.append(
            (
                None,
                "group",
                f"Has {len(groups)} groups: import one metric per MeasureReport (one group).",
            )
        )
    group = groups[0] if isinstance(groups[0], dict) else {}
    counts: dict[str, Any] = {}
    for population in group.get("population") or []:
        code = _code(population.get("code")) if isinstance(population, dict) else None
        if code:
            counts[code] = population.get("count")
    numerator = counts.get("numerator")
    denominator = counts.get("denominator")
    values["numerator"] = _less(numerator, counts.get("numerator-exclusion"))
    values["denominator"] = _less(
        denominator, counts.get("denominator-exclusion"), counts.get("denominator-exception")
    )
    score = group.get("measureScore")
    if isinstance(score, dict):
        values["value"] = score.get("value")
        unit = score.get("code") or score.get("unit")
        percent = unit == "%"
        if numerator is not None and denominator is not None:
            values["value_scale"] = "percent" if percent else "fraction"
        else:
            values["value_scale"] = "as_is"
    else:
        values["value"] = None
    return source


def _less(count: Any, *minus: Any) -> Any:
    """A population count less its exclusions and exceptions (counts that are not numbers are
    passed on for the row check to report)."""
    if not isinstance(count, int | Decimal) or isinstance(count, bool):
        return count
    total = Decimal(count)
    for other in minus:
        if other is None:
            continue
        if not isinstance(other, int | Decimal) or isinstance(other, bool):
            return other
        total -= Decimal(other)
    return total


__all__ = [
    "FHIR_PATHS",
    "REQUIRED",
    "Reading",
    "SourceRow",
    "Table",
    "header_of",
    "read_source",
    "read_table",
]
