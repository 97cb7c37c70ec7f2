"""The one export helper: every CSV the portal offers goes through `csv_response`.

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
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

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


def csv_response(
    *, filename: str, header: list[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """A CSV download, streamed row by row (pass an iterator, e.g. `queryset.iterator()`, to
    keep memory flat). UTF-8 with a byte-order mark, so Excel reads accents and “quotes”
    right; sent as an attachment named `filename`."""

    def stream() -> Iterator[str]:
        yield "\ufeff"
        yield from csv_rows(header=header, rows=rows)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
