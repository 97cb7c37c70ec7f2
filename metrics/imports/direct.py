"""CSV files that PostgreSQL can read as they are (the PostgreSQL path's fast lane).

Most files are plain: a header of canonical names, then one record per line. Such a
file's data lines can be COPYed into the raw table straight from its bytes, PostgreSQL splitting
the cells and numbering the rows, instead of being split in Python and written again. `scan`
reads the file once, quickly, and says whether it is plain in every way that could make
PostgreSQL's reading differ from `readers`' (the Python reading stays the only judge of
anything else: a file that is not plain takes the Python path, with its messages):

- the header: no quotes, every cell a known name, none repeated or blank, the required ones
  present (`readers.header_of`);
- quotes only around whole cells, never around a line break (so a line is a record, its
  number the row a spreadsheet shows); no NUL, no `\\.` (COPY's end-of-data mark); one newline
  style (all LF or all CRLF, no lone CR);
- valid UTF-8; no blank record (a line of nothing but commas and white space, which the
  Python reading skips); no more rows than allowed, no unfinished line longer than a cell may
  be (the Python reading says which limit, with its message; a cell too long in a whole line
  is found by SQL once COPYed, see postgres._copy_plain — unless no line is that long: the scan
  measures the longest line, and a cell is no longer than its line).

Cells are not trimmed by COPY: a cell with surrounding white space fails SQL's strict checks
(codes, unit, numbers, dates) or, for the free-text columns, the edge check of the typed
statement, and is read again by the Python checks, as every doubtful row is.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from metrics.imports import limits
from metrics.imports.errors import ImportFileError
from metrics.imports.readers import header_of

BOM = b"\xef\xbb\xbf"
CHUNK = 1 << 18
# A line of nothing but commas and characters Python's str.strip removes (ASCII white space,
# the information separators, and Unicode's spaces in UTF-8).
_BLANK = re.compile(
    rb"\n(?:[ ,\t\x0b\x0c\r\x1c-\x1f]|\xc2[\x85\xa0]|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]"
    rb"|\xe2\x81\x9f|\xe3\x80\x80)*\n"
)


# A line whose quotes only enclose whole cells (a doubled quote inside standing for one), as
# both readers read them alike: a quote elsewhere in a cell, or a quoted line break, is not plain.
_CELL = rb'(?:[^",\r\n]*|"(?:[^"\r\n]|"")*")'
_QUOTED = re.compile(_CELL + rb"(?:," + _CELL + rb")*\r?")


@dataclass(frozen=True, slots=True)
class Plain:
    """A plain CSV: its columns in the header's order, where its data starts, its rows, and
    the bytes of its longest data line (its newline left out, a carriage return counted)."""

    names: list[str]
    offset: int
    rows: int
    widest: int


def scan(file: IO[bytes]) -> Plain | None:
    """`Plain` when the file (binary, seekable, at its start) can be COPYed as it is, else
    None. Leaves the file at its start."""
    try:
        return _scan(file)
    finally:
        file.seek(0)


def _scan(file: IO[bytes]) -> Plain | None:
    first = file.readline(1 << 16)
    offset = len(first)
    if first.startswith(BOM):
        first = first[len(BOM) :]
    if b'"' in first or not first.endswith(b"\n"):
        return None
    crlf = first.endswith(b"\r\n")
    try:
        cells = first.decode("utf-8").removesuffix("\n").removesuffix("\r").split(",")
        header = header_of(cells)
    except (UnicodeDecodeError, ImportFileError):
        return None
    if len(header) != len(cells):  # a blank header cell: its column must be skipped
        return None
    longest = limits.max_cell_chars()
    rows = widest = 0
    carry = b""
    while True:
        chunk = file.read(CHUNK)
        data = carry + chunk
        if chunk:
            cut = data.rfind(b"\n") + 1
            complete, carry = data[:cut], data[cut:]
        else:  # the last line, without its newline
            complete, carry = (data + (b"\r\n" if crlf else b"\n") if data else b""), b""
        if complete:
            if not _plain_lines(complete, crlf=crlf):
                return None
            rows += complete.count(b"\n")
            widest = max(widest, max(map(len, complete.split(b"\n"))))
        elif not chunk:
            break
        if len(carry) > longest + 2:
            return None
        if rows > limits.max_rows():
            return None
        if not chunk:
            break
    if rows == 0:
        return None
    return Plain([name for _, name in header], offset, rows, widest)


def _plain_lines(lines: bytes, *, crlf: bool) -> bool:
    """Whether these whole lines are plain (see the module's docstring)."""
    if b"\x00" in lines or b"\\." in lines:
        return False
    returns = lines.count(b"\r")
    if returns != (lines.count(b"\n") if crlf else 0) or (crlf and returns != lines.count(b"\r\n")):
        return False
    if _BLANK.search(b"\n" + lines):
        return False
    try:
        lines.decode("utf-8")
    except UnicodeDecodeError:
        return False
    start = 0
    while (quote := lines.find(b'"', start)) != -1:  # each line holding a quote, once
        begin = lines.rfind(b"\n", 0, quote) + 1
        end = lines.find(b"\n", quote)
        if not _QUOTED.fullmatch(lines, begin, end):
            return False
        start = end + 1
    return True


def data_pieces(file: IO[bytes], plain: Plain, counted: list[int]) -> Iterator[bytes]:
    """The data lines of a plain file, a piece of whole lines at a time; `counted[0]` rises
    by the lines of each piece as it is handed out."""
    file.seek(plain.offset)
    carry = b""
    while chunk := file.read(CHUNK):
        data = carry + chunk
        cut = data.rfind(b"\n") + 1
        piece, carry = data[:cut], data[cut:]
        if piece:
            counted[0] += piece.count(b"\n")
            yield piece
    if carry:
        counted[0] += 1
        yield carry
