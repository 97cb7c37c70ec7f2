"""The limits of a measurement file, and the checks that hold them with bounded memory and
time before a parser is trusted with the file (settings, "Uploads" in informatics/settings.py):

- size per kind (CSV, XLSX, FHIR JSON), checked on the upload before a byte is read;
- JSON nesting depth and string length, checked by one pass over the raw bytes with a small
  state machine (ijson builds the prefix path of every event: a file of 100,000 "[" costs it
  minutes and gigabytes before it fails);
- an XLSX's uncompressed size (the sum its zip directory declares, which zipfile holds each
  member to) and its shared-strings count and text length, counted in the raw XML before
  openpyxl, which loads the whole table, opens the workbook;
- rows and cell length, counted by the readers as they stream.

Each refusal is an ImportFileError whose message names the limit and its setting."""

import re
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.template.defaultfilters import filesizeformat

from metrics.choices import ImportFormat
from metrics.imports.errors import ImportFileError

CHUNK = 1 << 16
SHARED_STRINGS = "xl/sharedStrings.xml"
WORKSHEETS = "xl/worksheets/"
_PREFIXED_SI = re.compile(rb"<[A-Za-z_][\w.-]*:si[\s/>]")
_TAG_TAIL = 64  # bytes of an unfinished tag carried to the next chunk


@dataclass(frozen=True, slots=True)
class SizeLimit:
    bytes: int
    setting: str
    label: str


def size_limit(format: str) -> SizeLimit:
    """The largest file of this format that is accepted for import."""
    if format == ImportFormat.CSV:
        return SizeLimit(settings.IMPORT_MAX_CSV_BYTES, "IMPORT_MAX_CSV_MB", "A CSV file")
    if format == ImportFormat.XLSX:
        return SizeLimit(settings.IMPORT_MAX_XLSX_BYTES, "IMPORT_MAX_XLSX_MB", "An XLSX file")
    return SizeLimit(settings.IMPORT_MAX_FHIR_BYTES, "IMPORT_MAX_FHIR_MB", "A FHIR JSON file")


def size_error(format: str, size: int) -> str | None:
    """The message refusing a file of `size` bytes, or None when it is within the limit."""
    limit = size_limit(format)
    if size <= limit.bytes:
        return None
    return (
        f"The file is {filesizeformat(size)}; {limit.label} may be at most "
        f"{filesizeformat(limit.bytes)} ({limit.setting})."
    )


def sizes_text() -> str:
    """The size limits, for the upload form."""
    csv, xlsx, fhir = (
        filesizeformat(size_limit(kind).bytes)
        for kind in (ImportFormat.CSV, ImportFormat.XLSX, ImportFormat.FHIR)
    )
    return f"At most {csv} for a CSV, {xlsx} for an XLSX, {fhir} for FHIR JSON."


def max_rows() -> int:
    return int(settings.IMPORT_MAX_ROWS)


def too_many_rows() -> ImportFileError:
    return ImportFileError(
        f"The file has more than {max_rows():,} data rows (IMPORT_MAX_ROWS): split it into "
        "smaller files."
    )


def max_cell_chars() -> int:
    return int(settings.IMPORT_MAX_CELL_CHARS)


def cell_too_long(row: int | None, column: str | None) -> ImportFileError:
    return ImportFileError(
        f"A cell is longer than {max_cell_chars():,} characters (IMPORT_MAX_CELL_CHARS).",
        row=row,
        column=column,
    )


# --- JSON ----------------------------------------------------------------------------------

# Inside a string only a quote or a backslash matters; outside, brackets and quotes.
_IN_STRING = re.compile(rb'["\\]')
_OUTSIDE = re.compile(rb'["\[\]{}]')


def check_json(file: IO[bytes]) -> None:
    """Refuse a JSON file nested deeper than IMPORT_MAX_JSON_DEPTH, or holding a string longer
    than IMPORT_MAX_CELL_CHARS (counted in bytes: a UTF-8 character is at least one), reading
    it once in chunks whatever its shape; the file is left at its start. Malformed JSON is left
    for the parser to report."""
    depth_limit = int(settings.IMPORT_MAX_JSON_DEPTH)
    string_limit = max_cell_chars()
    depth = 0
    in_string = False
    escaped = False  # the chunk's first byte is escaped (a backslash ended the last chunk)
    string_start = 0  # offset in the file where the current string began
    offset = 0
    while chunk := file.read(CHUNK):
        position = 0
        if escaped:
            position, escaped = 1, False
        while position < len(chunk):
            if in_string:
                match = _IN_STRING.search(chunk, position)
                if match is None:
                    position = len(chunk)
                    break
                if match.group() == b"\\":
                    position = match.end() + 1
                    if position > len(chunk):
                        escaped = True
                    continue
                in_string = False
                if offset + match.start() - string_start > string_limit:
                    raise _long_string(string_limit)
                position = match.end()
                continue
            match = _OUTSIDE.search(chunk, position)
            if match is None:
                break
            token = match.group()
            if token == b'"':
                in_string = True
                string_start = offset + match.end()
            elif token in (b"[", b"{"):
                depth += 1
                if depth > depth_limit:
                    file.seek(0)
                    raise ImportFileError(
                        f"The JSON is nested more than {depth_limit} levels deep "
                        "(IMPORT_MAX_JSON_DEPTH)."
                    )
            else:
                depth -= 1
            position = match.end()
        offset += len(chunk)
        if in_string and offset - string_start > string_limit:
            raise _long_string(string_limit)
    file.seek(0)


def _long_string(limit: int) -> ImportFileError:
    return ImportFileError(
        f"The JSON holds a text longer than {limit:,} characters (IMPORT_MAX_CELL_CHARS)."
    )


# --- XLSX ----------------------------------------------------------------------------------


def check_xlsx(file: IO[bytes]) -> None:
    """Refuse a workbook whose members would unzip to more than IMPORT_MAX_XLSX_UNZIPPED_MB,
    whose shared-strings table has more than IMPORT_MAX_XLSX_SHARED_STRINGS entries, or one
    longer than IMPORT_MAX_CELL_CHARS, before openpyxl opens it; the file is left at its start.
    A file that is no zip is left for openpyxl to report."""
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError):
        file.seek(0)
        return
    with archive:
        unzipped = sum(member.file_size for member in archive.infolist())
        limit = int(settings.IMPORT_MAX_XLSX_UNZIPPED_BYTES)
        if unzipped > limit:
            raise ImportFileError(
                f"The workbook unzips to {filesizeformat(unzipped)}; at most "
                f"{filesizeformat(limit)} is read (IMPORT_MAX_XLSX_UNZIPPED_MB)."
            )
        names = archive.namelist()
        if SHARED_STRINGS in names:
            with archive.open(SHARED_STRINGS) as strings:
                _check_shared_strings(strings)
        for name in names:
            if name == SHARED_STRINGS or name.startswith(WORKSHEETS):
                with archive.open(name) as part:
                    _check_texts(part)
    file.seek(0)


def _check_shared_strings(strings: IO[bytes]) -> None:
    """Count the table's entries (`<si>` elements, with or without a namespace prefix) in the
    raw XML, chunk by chunk: a tag cut by a chunk's end is counted with the next chunk."""
    count_limit = int(settings.IMPORT_MAX_XLSX_SHARED_STRINGS)
    count = 0
    carry = b""
    while chunk := strings.read(CHUNK):
        buffer = carry + chunk
        cut = buffer.rfind(b"<")
        if cut == -1 or len(buffer) - cut > _TAG_TAIL:
            cut = len(buffer)
        count += _count_si(buffer, cut)
        carry = buffer[cut:]
        if count > count_limit:
            raise _too_many_strings(count_limit)
    count += _count_si(carry, len(carry))
    if count > count_limit:
        raise _too_many_strings(count_limit)


def _count_si(buffer: bytes, end: int) -> int:
    """The `<si>` tags starting before `end` (bytes.count for the usual unprefixed tag; the
    pattern only when a prefixed one may be there)."""
    count = sum(buffer.count(tag, 0, end) for tag in (b"<si>", b"<si ", b"<si/"))
    if b":si" in buffer:
        count += len(_PREFIXED_SI.findall(buffer, 0, end))
    return count


def _too_many_strings(limit: int) -> ImportFileError:
    return ImportFileError(
        f"The workbook's shared-strings table has more than {limit:,} entries "
        "(IMPORT_MAX_XLSX_SHARED_STRINGS)."
    )


def _check_texts(part: IO[bytes]) -> None:
    """Refuse an XML part holding a text (the bytes between a ">" and the next "<") longer
    than IMPORT_MAX_CELL_CHARS bytes, streaming it: a shared string and an inline string alike,
    before openpyxl holds either whole. Bytes, so an escaped or non-ASCII character counts
    more than once: a bound, not a measure."""
    limit = max_cell_chars()
    pattern = re.compile(rb">[^<]{%d}" % (limit + 1))
    in_text, run = False, 0
    while chunk := part.read(CHUNK):
        if in_text:
            end = chunk.find(b"<")
            run += len(chunk) if end == -1 else end
            if run > limit:
                raise cell_too_long(None, None)
            if end == -1:
                continue
        if pattern.search(chunk):
            raise cell_too_long(None, None)
        opened, closed = chunk.rfind(b"<"), chunk.rfind(b">")
        in_text = closed > opened
        run = len(chunk) - closed - 1 if in_text else 0


__all__ = [
    "SizeLimit",
    "cell_too_long",
    "check_json",
    "check_xlsx",
    "max_cell_chars",
    "max_rows",
    "size_error",
    "size_limit",
    "sizes_text",
    "too_many_rows",
]
