"""The PostgreSQL path COPYs a plain CSV as it is (metrics.imports.direct): `plain_header` and
`data_pieces` say which files are plain (`scan` below runs them over a whole file), and a file
at the edge of plain — quotes, padding, blank-looking records, other newlines — is read by both
paths alike (the plain path, Python throughout, is the judge)."""

import datetime
import io
from typing import Any

import pytest

from informatics.choices import Role
from informatics.models import User
from metrics.choices import ImportFormat
from metrics.imports import direct
from metrics.imports.postgres import copying
from tests.metrics import test_import_helpers as helpers
from tests.metrics.test_import_helpers import COLUMNS, csv_bytes, month_row
from tests.metrics.test_import_paths import batch_of, both, run

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)
pytestmark = pytest.mark.time_machine(NOW)

_media = helpers._media
catalogue = helpers.catalogue

JAN = datetime.date(2024, 1, 1)
FEB = datetime.date(2024, 2, 1)
HEADER = ",".join(COLUMNS).encode()


def scan(file: io.BytesIO) -> direct.Plain | None:
    """The file's `Plain`, its rows counted, when every piece `data_pieces` hands out is plain;
    else None. Leaves the file at its start, as the import finds it."""
    try:
        plain = direct.plain_header(file)
        if plain is None:
            return None
        for _ in direct.data_pieces(file, plain):
            pass
        return plain if plain.rows else None
    except direct.NotPlain:
        return None
    finally:
        file.seek(0)


def lines(*rows: bytes, newline: bytes = b"\n") -> bytes:
    return newline.join([HEADER, *rows]) + newline


ROW = b'Q2,rh-south,2024-01-01,2024-01-31,3,2000,,"per 1,000 line-days",Epic,1,'


@pytest.mark.parametrize(
    ("content", "rows"),
    [
        (lines(ROW, ROW.replace(b"2024-01", b"2024-02")), 2),
        (lines(ROW, newline=b"\r\n"), 1),
        (b"\xef\xbb\xbf" + lines(ROW), 1),
        (lines(ROW)[:-1], 1),  # no newline at the end
        (lines(ROW.replace(b"Epic", b'"Ep""ic"')), 1),
    ],
)
def test_scan_finds_a_plain_file_and_its_rows(content: bytes, rows: int) -> None:
    file = io.BytesIO(content)
    plain = scan(file)
    assert plain is not None
    assert (plain.names, plain.rows) == (list(COLUMNS), rows)
    assert file.tell() == 0
    assert content[plain.offset :].startswith(b"Q2,")


@pytest.mark.parametrize(("newline", "widest"), [(b"\n", len(ROW) + 5), (b"\r\n", len(ROW) + 6)])
def test_scan_measures_the_longest_data_line(newline: bytes, widest: int) -> None:
    # The header, longer, does not count; a carriage return does.
    longer = ROW.replace(b"Epic", b"Epic Hyperspace")[: len(ROW) + 5]
    content = lines(ROW, longer, ROW, newline=newline)[: -len(newline)]  # the last line unfinished

    plain = scan(io.BytesIO(content))

    assert len(HEADER) > widest
    assert plain is not None
    assert (plain.rows, plain.widest) == (3, widest)


@pytest.mark.parametrize(
    "content",
    [
        lines(ROW.replace(b"Epic", b'Ep"ic')),  # a quote inside a cell
        lines(ROW.replace(b"Epic", b'"Ep\nic"')),  # a quoted line break
        lines(ROW.replace(b"Epic", b' "Epic"')),  # a quote after a space
        lines(ROW, b",,, ,,"),  # a blank record
        lines(ROW, b",\xc2\xa0,"),  # blank too (a no-break space)
        lines(ROW, b""),  # an empty line
        lines(ROW.replace(b"Epic", b"\\.")),  # COPY's end-of-data mark
        lines(ROW.replace(b"Epic", b"E\x00")),
        lines(ROW.replace(b"Epic", b"\xe9pic")),  # not UTF-8
        lines(ROW) + ROW + b"\r\n",  # two newline styles
        lines(ROW.replace(b"Epic", b"Ep\ric")),  # a lone CR
        lines(ROW.replace(b"Epic", b"E" * 300_000)),  # an unfinished line longer than a cell
        HEADER + b",\n" + ROW + b"\n",  # a blank header cell
        HEADER.replace(b"metric_code", b'"metric_code"') + b"\n" + ROW + b"\n",
        HEADER.replace(b"unit", b"units") + b"\n" + ROW + b"\n",
        lines(),  # no data rows
    ],
)
def test_scan_leaves_any_other_file_to_the_python_reader(content: bytes) -> None:
    file = io.BytesIO(content)
    assert scan(file) is None
    assert file.tell() == 0


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.time_machine(NOW)
def test_files_at_the_edge_of_plain_are_read_alike_by_both_paths(
    users: dict[str, User], catalogue: dict[str, Any]
) -> None:
    user = users[Role.INFORMATICIST]
    quoted = [
        month_row("Q2", "rh-south", JAN, numerator="3", denominator="2000",
                  unit="per 1,000 line-days", source_system='Ep"ic'),
        month_row("Q1", "rh-north", JAN, numerator="1", denominator="4", unit="",
                  source_system="\u00a0Epic\u00a0", definition_version=" v2"),
        month_row("Q1", "rh-north", FEB, numerator="1", denominator="4", value="25"),
    ]  # fmt: skip
    result = both(user, "quoted.csv", csv_bytes(quoted))
    assert result["outcome"][:3] == ([], 3, 3)
    stored = {row[2]: row[7:9] for row in result["stored"] if row[0] == catalogue["Q1"].pk}
    assert stored[JAN] == ("Epic", "v2")

    # Quoted empty cells, padding inside quotes, a lone quote pair: read as the plain path does.
    text = lines(
        b'Q1,rh-north,2024-01-01,2024-01-31,"1","4","",""," %","",""',
        b"Q1,rh-north,2024-02-01,2024-02-29, 1 ,4,, %,Epic,1,2024-03-01T06:00:00Z",
    )
    result = both(user, "padded.csv", text)
    assert result["outcome"][:3] == ([], 2, 2)

    # Not plain: the Python reader, with its messages (a record of blanks is skipped, a
    # quoted line break is one row).
    text = lines(
        b"Q1,rh-north,2024-01-01,2024-01-31,1,4,,%,Epic,1,",
        b",, ,,",
        b'Q1,rh-north,2024-02-01,2024-02-29,1,4,,%,"Ep\nic",1,',
        b"Q1,rh-north,2024-03-01,2024-03-31,1,4,,%,Epic,1,,extra",
    )
    result = both(user, "odd.csv", text)
    errors, total, *_ = result["outcome"]
    assert total == 3
    assert [(error["row"], error["column"]) for error in errors] == [(5, None)]

    # Plain to the scan, but a cell longer than allowed, found once COPYed: the Python reader
    # rejects the file with its message. Progress never goes down: it stays at the row the
    # first reading reported.
    text = lines(b"Q1,rh-north,2024-01-01,2024-01-31,1,4,,%," + b"E" * 10_001 + b",1,")
    batch = batch_of(user, "long.csv", text, ImportFormat.CSV)
    plain, fast = run(batch, "plain"), run(batch, "postgres")
    assert (fast["outcome"], fast["stored"]) == (plain["outcome"], plain["stored"])
    errors, total, inserted, *_ = plain["outcome"]
    assert [(error["row"], error["column"]) for error in errors] == [(2, "source_system")]
    assert (total, inserted) == (0, 0)
    assert (plain["last_progress"], fast["last_progress"]) == ((0, 0), (1, 1))

    # Plain to the scan, but PostgreSQL finds a row with too few cells: the Python reader
    # takes over, and the row count and messages are its own.
    text = lines(
        b"Q1,rh-north,2024-01-01,2024-01-31,1,4,,%,Epic,1,",
        b"Q1,rh-north,2024-02-01,2024-02-29,1,4",
    )
    result = both(user, "short.csv", text)
    errors, total, inserted, *_ = result["outcome"]
    assert (total, inserted) == (2, 2)
    assert errors == []

    # Not plain past the first piece COPYed (a quoted line break in the last record, after
    # more than direct.CHUNK bytes of plain lines): the COPY stops there, and the Python reader
    # reads the whole file with its own count and messages.
    row = b"Q1,rh-north,%d-%02d-01,%d-%02d-28,1,4,,%%,Epic Clarity nightly extract,v1,"
    records = [row % (2000 + n // 12, n % 12 + 1, 2000 + n // 12, n % 12 + 1) for n in range(4_000)]
    text = lines(*records, b'Q1,rh-south,2024-01-01,2024-01-31,1,4,,%,"Ep\nic",1,')
    assert len(text) > direct.CHUNK
    assert scan(io.BytesIO(text)) is None
    result = both(user, "late.csv", text)
    errors, total, inserted, *_ = result["outcome"]
    assert (errors, total, inserted) == ([], 4_001, 4_001)


@pytest.mark.parametrize(
    ("every", "estimate", "stride"),
    [(5_000, 1_000_000, 100_000), (5_000, 50_000, 5_000), (5_000, None, 5_000), (0, 10**6, 0)],
)
def test_a_big_file_is_copied_in_a_tenth_of_its_rows_a_statement(
    every: int, estimate: int | None, stride: int
) -> None:
    assert copying.stride(every, estimate) == stride
