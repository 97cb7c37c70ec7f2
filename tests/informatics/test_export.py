"""The export helper: cells a spreadsheet would run as formulas are neutralised, numbers stay
numbers, and the CSV is streamed as UTF-8 with a byte-order mark, as an attachment."""

import datetime
import decimal
from collections.abc import Iterator
from typing import Any

import pytest
from django.http import StreamingHttpResponse

from informatics.export import csv_response, safe_cell


def body(response: StreamingHttpResponse) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://x.example","x")', '\'=HYPERLINK("http://x.example","x")'),
        ("+1 555 201", "'+1 555 201"),
        ("-5", "'-5"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
    ],
)
def test_text_a_spreadsheet_would_run_gets_a_leading_quote(value: str, expected: str) -> None:
    assert safe_cell(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "Sepsis alert fires on every post-op tachycardia",
            "Sepsis alert fires on every post-op tachycardia",
        ),
        ("a=b", "a=b"),
        ("5 - 3", "5 - 3"),
        (" =1", " =1"),
        ("", ""),
    ],
)
def test_ordinary_text_is_left_as_it_is(value: str, expected: str) -> None:
    assert safe_cell(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (-5, "-5"),
        (42, "42"),
        (-2.5, "-2.5"),
        (decimal.Decimal("-12.50"), "-12.50"),
        (None, ""),
        (True, "yes"),
        (False, "no"),
        (datetime.date(2026, 3, 4), "2026-03-04"),
        (
            datetime.datetime(2026, 3, 4, 9, 30, tzinfo=datetime.UTC),
            "2026-03-04T09:30:00+00:00",
        ),
    ],
)
def test_numbers_stay_numbers_and_other_values_are_written_plainly(
    value: Any, expected: str
) -> None:
    assert safe_cell(value) == expected


def test_csv_response_streams_a_utf8_attachment_with_bom_and_every_cell_made_safe() -> None:
    rows = [
        [1, "=cmd|' /C calc'!A0", -5, decimal.Decimal("7.50")],
        [2, 'He said "stop", twice', "-5", None],
        [3, "Café – naïve “quotes”", "@risk", True],
    ]

    response = csv_response(
        filename="requests.csv", header=["id", "title", "delta", "hours"], rows=rows
    )

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="requests.csv"'
    assert (
        body(response)
        == (
            "\ufeff"
            "id,title,delta,hours\r\n"
            "1,'=cmd|' /C calc'!A0,-5,7.50\r\n"
            '2,"He said ""stop"", twice",\'-5,\r\n'
            "3,Café – naïve “quotes”,'@risk,yes\r\n"
        ).encode()
    )
    assert body(csv_response(filename="x.csv", header=[], rows=[]))[:3] == b"\xef\xbb\xbf"


def test_csv_response_neutralises_the_header_too() -> None:
    response = csv_response(filename="x.csv", header=["=evil", "ok"], rows=[])

    assert body(response) == "\ufeff'=evil,ok\r\n".encode()


def test_csv_response_reads_rows_lazily() -> None:
    produced: list[int] = []

    def rows() -> Iterator[list[int]]:
        for n in range(3):
            produced.append(n)
            yield [n]

    response = csv_response(filename="x.csv", header=["n"], rows=rows())
    assert produced == []  # nothing read until the response is sent

    assert body(response) == "\ufeffn\r\n0\r\n1\r\n2\r\n".encode()
    assert produced == [0, 1, 2]


def test_csv_response_names_a_non_ascii_file_safely() -> None:
    response = csv_response(filename="Requêtes 2026.csv", header=["n"], rows=[])

    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Requ%C3%AAtes%202026.csv"
    )
