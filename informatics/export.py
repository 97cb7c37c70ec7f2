"""The one export helper: every CSV the portal offers goes through `csv_response` (or
`csv_bytes` for a stored file), every workbook through `xlsx_bytes`.

Spreadsheets run a cell that starts with "=", "+", "-" or "@" as a formula (and some also
after a leading tab or carriage return), so a request titled `=HYPERLINK("http://evil", "x")`
would become a live link or worse in the CMIO's Excel (CSV injection, OWASP). `safe_cell`
neutralises such a text by prefixing a single quote, which spreadsheets show as text and which
a reader of the raw file can see and strip. Only texts are neutralised: numbers (int, float,
Decimal) are written as numbers, so a measured -5 stays -5 and sums in the spreadsheet, while
the text "-5" becomes "'-5".
"""

import csv
import datetime
import decimal
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db.models import Field, Model
from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

# Leading characters that make a spreadsheet read a text as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """One cell as text a spreadsheet will not run:

    - None → "" ; True/False → "yes"/"no";
    - int, float, Decimal → the number as written by `str` ("-5", "2.5", "12.50");
    - dates and times → ISO 8601 ("2026-03-04", "2026-03-04T09:30:00+00:00");
    - anything else → its text, with a single quote in front when it starts with
      = + - @ tab or carriage return ("=1+1" → "'=1+1", "-5" → "'-5").
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float, decimal.Decimal)):
        return str(value)
    if isinstance(value, (datetime.date, datetime.time)):  # datetime is a date
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def choice_labels(model: type[Model], field: str) -> dict[Any, str]:
    """A field's choices as value → label text: what `get_<field>_display` gives, read once
    for a whole export rather than worked out again for every row (`labels.get(value, value)`
    also gives the value itself when it is not a choice, as `get_<field>_display` does)."""
    choices = model._meta.get_field(field)
    assert isinstance(choices, Field), field  # a column, not a relation
    return {value: str(label) for value, label in choices.flatchoices}


class _Echo:
    """A file-like object whose write returns what it is given, so csv.writer yields lines."""

    def write(self, value: str) -> str:
        return value


def csv_rows(*, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The CSV text, line by line (CRLF line ends), every cell through `safe_cell`."""
    writer = csv.writer(_Echo())
    yield writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


def csv_stream(*, filename: str, lines: Iterable[str]) -> StreamingHttpResponse:
    """A CSV download of `lines` (as `csv_rows` makes them), streamed: UTF-8 with a
    byte-order mark, so Excel reads accents and “quotes” right; sent as an attachment named
    `filename`."""

    def stream() -> Iterator[str]:
        yield "\ufeff"
        yield from lines

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def csv_response(
    *, filename: str, header: list[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """A CSV download, streamed row by row (pass an iterator, e.g. `queryset.iterator()`, to
    keep memory flat); see `csv_stream`."""
    return csv_stream(filename=filename, lines=csv_rows(header=header, rows=rows))


def csv_bytes(*, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """The whole CSV as bytes, as `csv_response` streams it: UTF-8 with a byte-order mark,
    CRLF line ends, every cell through `safe_cell` (for files stored or zipped, not streamed)."""
    return ("\ufeff" + "".join(csv_rows(header=header, rows=rows))).encode("utf-8")


# A fixed creation time for workbooks, so the same sheets always give the same bytes.
XLSX_EPOCH = datetime.datetime(2000, 1, 1)


# The control characters a worksheet cannot hold (openpyxl refuses them): tab, line feed and
# carriage return are allowed.
XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xlsx_cell(value: Any) -> Any:
    """One cell for openpyxl: numbers stay numbers (a Decimal as a float, so it sums), dates
    stay dates, booleans "yes"/"no", None empty, and texts go through `safe_cell` as in CSV,
    without the control characters a worksheet cannot hold."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value
    return XLSX_ILLEGAL.sub("", safe_cell(value))


def xlsx_bytes(
    sheets: Sequence[tuple[str, Sequence[Any], Iterable[Sequence[Any]]]],
    *,
    created: datetime.datetime = XLSX_EPOCH,
) -> bytes:
    """A workbook with one sheet per `(title, header, rows)`, the header as its first row and
    every cell through `xlsx_cell`. The workbook's created and modified times are `created`
    and the zip entries carry fixed timestamps, so the same sheets give the same bytes."""
    # Loaded only when a workbook is made. The writer itself, because `Workbook.save` stamps
    # the modified time with the clock.
    from openpyxl import Workbook  # type: ignore[import-untyped]  # stubs not installed
    from openpyxl.writer.excel import ExcelWriter  # type: ignore[import-untyped]

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append([xlsx_cell(cell) for cell in header])
        for row in rows:
            sheet.append([xlsx_cell(cell) for cell in row])
    workbook.properties.created = created
    workbook.properties.modified = created
    workbook.properties.creator = ""
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    return _zip_fixed(raw.getvalue())


ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _zip_fixed(data: bytes) -> bytes:
    """The same zip with every member dated `ZIP_EPOCH` (openpyxl stamps the current time)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(_zip_info(info.filename), source.read(info.filename))
    return out.getvalue()


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


def zip_bytes(members: Sequence[tuple[str, bytes]]) -> bytes:
    """A zip of `(name, content)` members in the order given, each dated `ZIP_EPOCH`, so the
    same members give the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in members:
            target.writestr(_zip_info(name), content)
    return out.getvalue()
