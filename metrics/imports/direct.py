"""CSV files that PostgreSQL can read as they are (the PostgreSQL path's fast lane).

Most files are plain: a header of canonical names, then one record per line. Such a
file's data lines can be COPYed into the raw table straight from its bytes, PostgreSQL splitting
the cells and numbering the rows, instead of being split in Python and written again.
`plain_header` checks the header; `data_pieces` then hands the data to COPY a piece of whole
lines at a time, checking each piece before it goes (so the checks run while PostgreSQL parses
the pieces before), for whether it is plain in every way that could make PostgreSQL's reading
differ from `readers'` — the Python reading stays the only judge of anything else: a piece
that is not plain stops the COPY (`NotPlain`), and the file takes the Python path, with its
messages. Plain means:

- the header: no quotes, every cell a known name, none repeated or blank, the required ones
  present (`readers.header_of`);
- quotes only around whole cells, never around a line break (so a line is a record, its
  number the row a spreadsheet shows); no NUL, no `\\.` (COPY's end-of-data mark); one newline
  style (all LF or all CRLF, no lone CR);
- valid UTF-8; no blank record (a line of nothing but commas and white space, which the
  Python reading skips); no more rows than allowed, no unfinished line longer than a cell may
  be (the Python reading says which limit, with its message; a cell too long in a whole line
  is found by SQL once COPYed, see postgres.copying — unless no line is that long: the
  pieces' longest line is measured, and a cell is no longer than its line).

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


class NotPlain(Exception):
    """The file turned out not to be plain while its pieces were handed out."""


@dataclass(slots=True)
class Plain:
    """A plain CSV's header: its columns in the header's order, where its data starts and its
    newline style; `rows` and `widest` (the bytes of the longest data line, its newline left
    out, a carriage return counted) grow as `data_pieces` hands the data out."""

    names: list[str]
    offset: int
    crlf: bool
    rows: int = 0
    widest: int = 0


def plain_header(file: IO[bytes]) -> Plain | None:
    """`Plain` with no rows yet when the file's header is plain, else None. Leaves the file
    at its start: whether the rest is plain is found while `data_pieces` hands it out."""
    try:
        return _header(file)
    finally:
        file.seek(0)


def _header(file: IO[bytes]) -> Plain | None:
    first = file.readline(1 << 16)
    offset = len(first)
    if first.startswith(BOM):
        first = first[len(BOM) :]
    if b'"' in first or not first.endswith(b"\n"):
        return None
    try:
        cells = first.decode("utf-8").removesuffix("\n").removesuffix("\r").split(",")
        header = header_of(cells)
    except (UnicodeDecodeError, ImportFileError):
        return None
    if len(header) != len(cells):  # a blank header cell: its column must be skipped
        return None
    return Plain([name for _, name in header], offset, first.endswith(b"\r\n"))


def data_pieces(file: IO[bytes], plain: Plain) -> Iterator[bytes]:
    """The data lines of a file with a plain header, a piece of whole lines at a time, each
    piece checked before it is handed out (`plain.rows` and `plain.widest` rising with it).
    NotPlain as soon as a piece is not plain, the rows pass the limit, or an unfinished line
    is longer than a cell may be (the Python reading says which limit, with its message)."""
    longest = limits.max_cell_chars()
    most = limits.max_rows()
    newline = b"\r\n" if plain.crlf else b"\n"
    file.seek(plain.offset)
    carry = b""
    while True:
        chunk = file.read(CHUNK)
        data = carry + chunk
        if chunk:
            cut = data.rfind(b"\n") + 1
            piece, carry = data[:cut], data[cut:]
            whole = piece
        else:  # the last line, without its newline
            piece, carry = data, b""
            whole = data + newline if data else b""
        if whole:
            if not _plain_lines(whole, crlf=plain.crlf):
                raise NotPlain
            plain.rows += whole.count(b"\n")
            plain.widest = max(plain.widest, max(map(len, whole.split(b"\n"))))
        if len(carry) > longest + 2 or plain.rows > most:
            raise NotPlain
        if piece:
            yield piece
        if not chunk:
            return


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
