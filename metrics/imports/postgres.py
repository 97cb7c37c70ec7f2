"""The PostgreSQL path, built for speed: rows are streamed with COPY into temporary tables,
and checked, typed and upserted by set-wise SQL. Python only splits the file into cells.

1. Outside any transaction (so progress reports commit and can be read while the job runs):
   - CSV and XLSX: each record's cells (trimmed, in the header's order, with its row number) are
     COPYed as text into RAW, PROGRESS_EVERY records a statement (a tenth of a big file,
     base.COPY_REPORTS), each COPY fed by a file-like object that pulls records from the
     reader as psycopg2 asks for bytes (nothing but the current records is held in memory);
     progress is reported between COPYs. One SQL statement then resolves the codes by JOIN,
     types every cell and checks every row into STAGING; its `ok` is true only where the row
     is sound by checks strict enough that the plain path would read it the same (plain
     decimals, YYYY-MM-DD dates, a narrow ISO 8601 form for extracted_at, exact codes and
     unit; the figure rule of `metrics.figures` in numeric SQL).
     Rows not `ok` — every bad row, and the odd good one (an exponent, a lowercase time zone) —
     are read again from the file and checked by `rows.check_row`, which lists their errors;
     the ones whose key is sound replace their STAGING row. So the messages and stored values
     are the plain path's to the letter, and a sound file pays for SQL alone.
   - FHIR: each MeasureReport is checked in Python (`rows.check_row`) and COPYed into STAGING.
   A CSV or XLSX file is first tried in one pass (`_optimistic`), the common case of a sound
   file: its distinct periods and free texts are read once and checked (real days; plain
   edges, lengths and the PHI guard for the texts); then, in a savepoint under the lock of step
   2, one INSERT types and checks RAW by the same SQL as STAGING's, less what those checks
   vouched for, and writes it (any row not `ok` makes the statement fail), then the checks
   across rows run on what was written (repeated keys; overlapping periods among the file's
   metric × facility pairs, unless no stored row of its metrics ends after its earliest
   period and its distinct periods are disjoint). Anything amiss (a bad row, a repeated key,
   an overlap, text the PHI guard flags, any database error) rolls the savepoint back and the
   file takes the steps here and below unchanged, so every message, count and stored value is
   theirs.
2. In one transaction, with the measurements table locked against other writers (SHARE ROW
   EXCLUSIVE: reads go on, a concurrent import or hand entry waits, so the overlap check holds):
   repeated keys by a window over STAGING; overlapping periods by a running maximum of
   period_end over the file's periods and the stored ones of the same metric × facility; on any
   error nothing is written; otherwise INSERT … ON CONFLICT … DO UPDATE … WHERE … IS DISTINCT
   FROM, so unchanged rows are not touched, counting inserts and updates with RETURNING; then
   `finish` records the outcome in the same transaction.
"""

import csv
import datetime
import io
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import psycopg2
from django.db import DatabaseError, DataError, connection, transaction
from django.utils import timezone

from informatics.models import Facility
from informatics.phi import phi_scan
from metrics.choices import ImportFormat
from metrics.imports import direct, limits
from metrics.imports.base import (
    COPY_REPORTS,
    FIELDS,
    Finisher,
    Opener,
    Outcome,
    Period,
    Progress,
    Reader,
    overlaps,
)
from metrics.imports.errors import COLUMNS, ImportFileError
from metrics.imports.readers import Table, count_csv_rows, read_table
from metrics.imports.rows import DEFINITION_VERSION_MAX, SOURCE_SYSTEM_MAX, CheckedRow
from metrics.models import ImportBatch, Measurement, Metric
from metrics.spc import PROPORTION_CHARTS, ChartType

RAW = "metrics_import_raw"
STAGING = "metrics_import_staging"
PERIODS = "metrics_import_periods"
PAIRS = "metrics_import_pairs"
TABLES = f"{RAW}, {STAGING}, {PERIODS}, {PAIRS}"
MEASUREMENTS = Measurement._meta.db_table
# Columns read as text whatever the cell (an XLSX number in them reads like the plain path's).
TEXT_COLUMNS = frozenset(
    {"metric_code", "facility_code", "unit", "source_system", "definition_version"}
)
STAGED = ("row", "metric_id", "facility_id", "period_start", *FIELDS, "is_bad")

# The statements below are built from this module's own table and column names, never from
# input (ruff's S608 is silenced on each for that reason); values go through parameters.
_CREATE = f"""
CREATE TEMP TABLE {STAGING} (
    row integer NOT NULL,
    metric_id integer NOT NULL,
    facility_id integer NOT NULL,
    period_start date NOT NULL,
    period_end date NOT NULL,
    value numeric(20, 6),
    numerator numeric(20, 6),
    denominator numeric(20, 6),
    source_system text NOT NULL,
    definition_version text NOT NULL,
    extracted_at timestamptz,
    is_bad boolean NOT NULL
)"""
_COPY = f"COPY {STAGING} ({', '.join(STAGED)}) FROM STDIN"

_CREATE_RAW = f"""
CREATE TEMP TABLE {RAW} (
    row integer NOT NULL,
    suspect boolean NOT NULL,
    {", ".join(f"{name} text" for name in COLUMNS)}
)"""

# RAW for a plain CSV COPYed as it is (metrics.imports.direct): PostgreSQL numbers the rows, the
# header being row 1.
_CREATE_RAW_PLAIN = f"""
CREATE TEMP TABLE {RAW} (
    row integer GENERATED BY DEFAULT AS IDENTITY (START WITH 2) NOT NULL,
    suspect boolean NOT NULL DEFAULT false,
    {", ".join(f"{name} text" for name in COLUMNS)}
)"""


def _edges(text: str) -> str:
    """SQL: whether free text (NULL or not) starts and ends with a printable ASCII character
    other than a space, so trimming cannot change it (a COPYed cell is not trimmed; any other
    is left to the Python checks)."""
    return (
        f"({text} IS NULL OR (ascii({text}) BETWEEN 33 AND 126 "
        f"AND ascii(right({text}, 1)) BETWEEN 33 AND 126))"
    )


def _plain_edges(text: str) -> bool:
    """`_edges` of a text that is not NULL, in Python."""
    return text != "" and 33 <= ord(text[0]) <= 126 and 33 <= ord(text[-1]) <= 126


# Regular expressions of the forms SQL types itself; anything else goes to the plain checks.
NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"
# A real calendar day, YYYY-MM-DD, years 0001–9999 (leap days included): one regular
# expression, so that no cast ever meets a day that does not exist.
DAY = (
    r"(?!0000)([0-9]{4}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
    r"|02-(0[1-9]|1[0-9]|2[0-8]))"
    r"|([0-9]{2}(0[48]|[2468][048]|[13579][26])|([02468][048]|[13579][26])00)-02-29)"
)
DATE = f"^{DAY}$"
MOMENT = (
    f"^{DAY}"
    r"([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
    r"(Z|[+-](0[0-9]|1[0-4]):[0-5][0-9])?)?$"
)
OFFSET = r"(Z|[+-][0-9]{2}:[0-9]{2})$"
# The memory each sort or hash of an import's statements may use on the server (PostgreSQL's
# default is 4MB); one import runs at a time per worker process.
WORK_MEM = "64MB"
_PROPORTIONS = ", ".join(f"'{chart.value}'" for chart in sorted(PROPORTION_CHARTS))
LIMIT = "1e14"  # figures have at most 14 digits before the point (metrics.figures)


def _date(text: str) -> str:
    """SQL: `text` as a date when it is a real YYYY-MM-DD day, else NULL."""
    return f"CASE WHEN {text} ~ '{DATE}' THEN {text}::date END"


def _figure(name: str, *, may_fail: bool) -> str:
    """SQL: the cell as a number when it is a plain decimal (NUMBER), else NULL, and whether
    it is blank. With `may_fail`, a cheaper test than the pattern: only the characters of
    NUMBER, then the cast, which accepts exactly NUMBER's forms of them and fails the
    statement on any other (the optimistic write, undone on any error)."""
    form = f"ltrim(r.{name}, '0123456789.+-') = ''" if may_fail else f"r.{name} ~ '{NUMBER}'"
    return f"""CASE WHEN char_length(r.{name}) <= 40 AND {form}
        THEN r.{name}::numeric END AS {name}, r.{name} IS NULL AS {name}_blank"""


def _within(name: str) -> str:
    """SQL: the figure rounded as stored, when it fits the column (NULL otherwise)."""
    return f"CASE WHEN abs(round({name}, 6)) < {LIMIT} THEN round({name}, 6)::numeric(20, 6) END"


def _typing(*, vouched: bool) -> str:
    """SQL: types and checks every raw row; `ok` only where metrics.figures and rows.check_row
    would find nothing wrong and read the same values. One row for each row of RAW (codes are
    unique). `vouched` (the optimistic write): every distinct period text is already known to
    be a real YYYY-MM-DD day and every distinct free text to have plain edges and a length
    within its column (`_optimistic` checks them first), so they are cast and not checked
    again row by row, and a number's cast may fail the statement (`_figure`)."""
    days = (
        ""
        if vouched
        else f"""days AS MATERIALIZED (
    -- each distinct text once: a file has few periods, and regular expressions are dear
    SELECT text, {_date("text")} AS day
    FROM (
        SELECT DISTINCT text FROM (
            SELECT period_start AS text FROM {RAW} UNION ALL SELECT period_end FROM {RAW}
        ) periods
    ) texts
), """  # noqa: S608
    )
    period_start, period_end = (
        ("r.period_start::date", "r.period_end::date") if vouched else ("starts.day", "ends.day")
    )
    trimmed = (
        "true" if vouched else (f"{_edges('r.source_system')} AND {_edges('r.definition_version')}")
    )
    lengths = (
        ""
        if vouched
        else f"""AND char_length(source_system) <= {SOURCE_SYSTEM_MAX}
           AND char_length(definition_version) <= {DEFINITION_VERSION_MAX}
           """
    )
    day_joins = (
        ""
        if vouched
        else """LEFT JOIN days starts ON starts.text = r.period_start
    LEFT JOIN days ends ON ends.text = r.period_end
    """
    )
    return f"""
WITH {days}moments AS MATERIALIZED (
    SELECT text,
           CASE WHEN text !~ '{MOMENT}' THEN NULL
                WHEN text ~ '{OFFSET}' THEN text::timestamptz
                ELSE text::timestamp AT TIME ZONE %(zone)s
           END AS moment
    FROM (SELECT DISTINCT extracted_at AS text FROM {RAW}) texts
), parsed AS (
    SELECT r.row, r.suspect, m.id AS metric_id, m.is_active, m.multiplier, m.chart_type,
           m.unit AS metric_unit, f.id AS facility_id,
           {period_start} AS period_start, {period_end} AS period_end,
           {_figure("numerator", may_fail=vouched)}, {_figure("denominator", may_fail=vouched)},
           {_figure("value", may_fail=vouched)},
           {trimmed} AS trimmed,
           r.unit, coalesce(r.source_system, '') AS source_system,
           coalesce(r.definition_version, '') AS definition_version,
           r.extracted_at IS NULL AS extracted_blank, moments.moment AS extracted_at
    FROM {RAW} r
    LEFT JOIN {Metric._meta.db_table} m ON m.code = r.metric_code
    LEFT JOIN {Facility._meta.db_table} f ON f.code = r.facility_code
    {day_joins}LEFT JOIN moments ON moments.text = r.extracted_at
    OFFSET 0
), figured AS (
    SELECT p.*,
           (numerator_blank OR abs(round(numerator, 6)) < {LIMIT})
           AND (denominator_blank OR abs(round(denominator, 6)) < {LIMIT})
           AND (value_blank OR abs(round(value, 6)) < {LIMIT}) AS fits,
           CASE WHEN denominator > 0 AND abs(numerator) < {LIMIT} AND abs(denominator) < {LIMIT}
                     AND multiplier IS NOT NULL
                THEN (numerator * multiplier)::numeric(60, 30) / denominator END AS quotient
    FROM parsed p
    OFFSET 0
)
SELECT row, metric_id, facility_id, period_start, period_end,
       {_within("coalesce(value, quotient)")} AS value,
       {_within("numerator")} AS numerator,
       {_within("denominator")} AS denominator,
       source_system, definition_version, extracted_at, false AS is_bad,
       coalesce(
           NOT suspect AND trimmed
           AND metric_id IS NOT NULL AND is_active AND facility_id IS NOT NULL
           AND period_start IS NOT NULL AND period_end IS NOT NULL
           AND period_end >= period_start
           AND (numerator_blank OR numerator IS NOT NULL)
           AND (denominator_blank OR denominator IS NOT NULL)
           AND (value_blank OR value IS NOT NULL)
           AND fits
           AND abs(round(coalesce(value, quotient), 6)) < {LIMIT}
           AND CASE
               WHEN numerator_blank AND denominator_blank THEN NOT value_blank
               WHEN numerator_blank OR denominator_blank THEN false
               WHEN denominator <= 0 OR numerator < 0 THEN false
               WHEN value_blank THEN true
               ELSE abs(value - quotient) <= ('0.5e-' || least(scale(value), 6))::numeric
           END
           -- metrics.figures.chart_figures_error (NULLs pass: the rule above decides them)
           AND (chart_type NOT IN ({_PROPORTIONS}) OR numerator <= denominator
                OR numerator_blank OR denominator_blank)
           AND (chart_type <> '{ChartType.C.value}' OR coalesce(value, quotient) >= 0
                OR coalesce(value, quotient) IS NULL)
           AND (unit IS NULL OR unit = metric_unit)
           {lengths}AND (extracted_blank OR extracted_at IS NOT NULL),
           false) AS ok
FROM figured"""  # noqa: S608


_TYPING = _typing(vouched=False)
_TYPED = f"CREATE TEMP TABLE {STAGING} AS {_TYPING}"

# A later row repeating an earlier row's key (the first of them is the one kept).
_DUPLICATES = f"""
SELECT row, first_row, is_bad FROM (
    SELECT row, is_bad,
           min(row) OVER (PARTITION BY metric_id, facility_id, period_start) AS first_row
    FROM {STAGING}
) keyed
WHERE row <> first_row"""  # noqa: S608

# The file's periods (one per key) and the stored periods of the same metric × facility pairs
# (`replaced` when the file has their key: those do not count) — only the stored ones ending on
# or after the pair's earliest period in the file: one that ends before it can neither overlap
# a period of the file nor be the earlier period reaching furthest when one does (so a monthly
# feed of new periods reads a few stored rows, not every stored row of its metrics).
_PERIODS = f"""
CREATE TEMP TABLE {PERIODS} AS
SELECT DISTINCT ON (metric_id, facility_id, period_start)
       row, metric_id, facility_id, period_start, period_end, is_bad, false AS replaced
FROM {STAGING}
ORDER BY metric_id, facility_id, period_start, row;
INSERT INTO {PERIODS}
SELECT NULL, m.metric_id, m.facility_id, m.period_start, m.period_end, false,
       EXISTS (
           SELECT 1 FROM {STAGING} s
           WHERE s.metric_id = m.metric_id AND s.facility_id = m.facility_id
             AND s.period_start = m.period_start)
FROM (
    SELECT metric_id, facility_id, min(period_start) AS earliest
    FROM {STAGING} GROUP BY metric_id, facility_id
) pairs
JOIN {MEASUREMENTS} m
  ON m.metric_id = pairs.metric_id AND m.facility_id = pairs.facility_id
 AND m.period_end >= pairs.earliest;
CREATE INDEX ON {PERIODS} (metric_id, facility_id, period_end, period_start);
ANALYZE {PERIODS}"""  # noqa: S608

# metrics.imports.base.overlaps in SQL: each period against the earlier period reaching
# furthest (the first such), when it starts on or before that one's end.
_REACH = """max({prefix}period_end) OVER (
        PARTITION BY {prefix}metric_id, {prefix}facility_id ORDER BY {prefix}period_start
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)"""
_OVERLAPS = f"""
WITH running AS (
    SELECT p.*, {_REACH.format(prefix="")} AS reach
    FROM {PERIODS} p
    WHERE NOT p.replaced
)
SELECT later.row, later.period_start, later.period_end, later.is_bad,
       earlier.row, earlier.period_start, earlier.period_end, earlier.is_bad
FROM running later
CROSS JOIN LATERAL (
    SELECT q.row, q.period_start, q.period_end, q.is_bad FROM {PERIODS} q
    WHERE q.metric_id = later.metric_id AND q.facility_id = later.facility_id
      AND q.period_end = later.reach AND q.period_start < later.period_start
      AND NOT q.replaced
    ORDER BY q.period_start
    LIMIT 1
) earlier
WHERE later.period_start <= later.reach
  AND (later.row IS NOT NULL OR earlier.row IS NOT NULL)"""  # noqa: S608

# Whether any stored row has a key of the file (else every row is new: a plain INSERT).
_REPLACES = f"SELECT EXISTS (SELECT 1 FROM {PERIODS} WHERE replaced)"  # noqa: S608
_INSERTED = f"SELECT metric_id, count(*), 0 FROM {STAGING} GROUP BY metric_id"  # noqa: S608

_KEYED = f"metric_id, facility_id, period_start, {', '.join(FIELDS)}"
_CHANGED = ", ".join(f"{name} = EXCLUDED.{name}" for name in FIELDS)


def _write(source: str, *, replace: bool) -> str:
    """SQL: write the rows of `source` (a table or a subquery with the columns of `_KEYED`) into
    the measurements, for the batch %(batch)s at %(now)s. Without `replace` a plain INSERT
    (every key new); with it INSERT … ON CONFLICT … DO UPDATE … WHERE … IS DISTINCT FROM, so
    unchanged rows are not touched, returning (metric_id, inserted, updated) per metric."""
    insert = f"""
    INSERT INTO {MEASUREMENTS} AS m ({_KEYED}, batch_id, entered_by_id, updated_at)
    SELECT {_KEYED}, %(batch)s, NULL, %(now)s
    FROM {source}"""  # noqa: S608
    if not replace:
        return insert
    return f"""
WITH written AS ({insert}
    ON CONFLICT (metric_id, facility_id, period_start) DO UPDATE SET
        {_CHANGED}, batch_id = EXCLUDED.batch_id, entered_by_id = NULL,
        updated_at = EXCLUDED.updated_at
    WHERE ({", ".join(f"m.{name}" for name in FIELDS)})
          IS DISTINCT FROM ({", ".join(f"EXCLUDED.{name}" for name in FIELDS)})
    RETURNING m.metric_id, (m.xmax = 0) AS inserted
)
SELECT metric_id, count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)
FROM written GROUP BY metric_id"""  # noqa: S608


# The optimistic path (see `_optimistic`): RAW typed and written in one statement, a row not
# `ok` making it fail (its metric_id NULL breaks the column's NOT NULL), so that it is written
# only when every row is sound by the same checks as STAGING's.
_OPTIMISTIC = f"""(
    SELECT CASE WHEN ok THEN metric_id END AS metric_id, facility_id, period_start,
           {", ".join(FIELDS)}
    FROM ({_typing(vouched=True)}) typed
) checked"""  # noqa: S608

# The file's metric × facility pairs with their earliest and latest period_start (text order is
# day order for YYYY-MM-DD; NULL where the text is no day, a row the write will refuse anyway).
_PAIRS = f"""
CREATE TEMP TABLE {PAIRS} AS
SELECT m.id AS metric_id, f.id AS facility_id,
       {_date("r.earliest")} AS earliest, {_date("r.latest")} AS latest
FROM (
    SELECT metric_code, facility_code, min(period_start COLLATE "C") AS earliest,
           max(period_start COLLATE "C") AS latest
    FROM {RAW} GROUP BY metric_code, facility_code
) r
JOIN {Metric._meta.db_table} m ON m.code = r.metric_code
JOIN {Facility._meta.db_table} f ON f.code = r.facility_code"""  # noqa: S608
# Whether the file may replace stored rows: a stored row of one of its pairs starts within the
# file's span of starts for that pair.
_MAY_REPLACE = f"""
SELECT EXISTS (
    SELECT 1 FROM {PAIRS} p
    JOIN {MEASUREMENTS} m ON m.metric_id = p.metric_id AND m.facility_id = p.facility_id
     AND m.period_start BETWEEN p.earliest AND p.latest
)"""  # noqa: S608
# A key repeated in the file: once every row is sound, equal texts are equal keys and the other
# way round (codes match exactly, days are YYYY-MM-DD).
_REPEATED = f"""
SELECT EXISTS (
    SELECT 1 FROM {RAW} GROUP BY metric_code, facility_code, period_start HAVING count(*) > 1
)"""  # noqa: S608
# In one pass over RAW: the distinct texts of the free-text columns (for the PHI guard), and the
# distinct periods, typed as the write types them (for the check across the file's own rows).
_SPREAD = f"""
SELECT GROUPING(period_start, period_end) = 0 AS is_period, source_system, definition_version,
       {_date("period_start")}, {_date("period_end")}
FROM {RAW}
GROUP BY GROUPING SETS ((source_system, definition_version), (period_start, period_end))"""  # noqa: S608
# Whether a stored row of the file's metrics ends on or after the metric's earliest period in
# the file. When none does, no stored row can be replaced by the file or overlap one of its
# periods (a stored period ends on or after its start): the file adds new periods only, and
# only its own rows can overlap each other. By metric, not by metric × facility pair, so that
# it reads the (metric, period_end) index a few hundred times and finds nothing for a feed of
# new periods; a pair lagging behind its metric's others only sends the file the longer way.
# Each metric's latest stored end is one backward step on that index (a join on
# `period_end >= earliest` is estimated to match a third of the rows and scans them all).
_STORED_AFTER = f"""
SELECT EXISTS (
    SELECT 1
    FROM (SELECT metric_id, min(earliest) AS earliest FROM {PAIRS} GROUP BY metric_id) firsts
    WHERE (SELECT max(m.period_end) FROM {MEASUREMENTS} m WHERE m.metric_id = firsts.metric_id)
          >= firsts.earliest
)"""  # noqa: S608
# Once written: whether any two periods of the file's pairs overlap (by _OVERLAPS' rule),
# among the rows that end on or after the pair's earliest period in the file — the file's rows
# and exactly the stored ones _PERIODS reads that the file did not replace. Stricter than
# _OVERLAPS, never looser: two stored periods overlapping each other (which _OVERLAPS leaves
# out, not being the file's doing) also send the file to the full path, which accepts it.
_OVERLAPPING = f"""
SELECT EXISTS (
    SELECT 1 FROM (
        SELECT m.period_start, {_REACH.format(prefix="m.")} AS reach
        FROM {PAIRS} p
        JOIN {MEASUREMENTS} m ON m.metric_id = p.metric_id AND m.facility_id = p.facility_id
         AND m.period_end >= p.earliest
    ) running
    WHERE period_start <= reach
)"""  # noqa: S608


def _text(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def _number(value: Decimal | None) -> str:
    return "\\N" if value is None else str(value)


def _line(row: CheckedRow) -> bytes:
    """One row in COPY's text format."""
    moment = row.extracted_at
    return (
        f"{row.row}\t{row.metric_id}\t{row.facility_id}\t{row.period_start.isoformat()}\t"
        f"{row.period_end.isoformat()}\t{_number(row.value)}\t{_number(row.numerator)}\t"
        f"{_number(row.denominator)}\t{_text(row.source_system)}\t"
        f"{_text(row.definition_version)}\t{moment.isoformat() if moment else '\\N'}\t"
        f"{'t' if row.is_bad else 'f'}\n"
    ).encode()


class _CopySource:
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

    def next_copy(self) -> "_CopySource":
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
            except Exception as error:  # raised again after the COPY, see _copy
                self.pending = error
                break
            parts.append(line)
            length += len(line)
        data = b"".join(parts)
        self.buffer = data[wanted:]
        return data[:wanted]

    def readline(self, size: int = -1) -> bytes:  # pragma: no cover - COPY FROM uses read
        return self.read(size)


def _copy(cursor: Any, sql: str, source: _CopySource, after: Callable[[], None]) -> None:
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


def import_postgres(
    *,
    batch: ImportBatch,
    opener: Opener,
    reader: Reader,
    finish: Finisher,
    optimistic: bool = True,
) -> Outcome:
    """Import the file; with `optimistic`, a CSV or XLSX file is first written in one pass
    (`_optimistic`), and only when that cannot vouch for it is it staged and checked."""
    outcome = Outcome(errors=reader.errors)
    progress = reader.progress
    every = progress.every
    progress.every = 0  # no report during a COPY: the connection is busy with it
    zone = timezone.get_current_timezone_name()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLES}")
        # Temporary tables have no statistics until analysed and CTEs none at all: estimates
        # run wild and would make PostgreSQL spend seconds compiling these statements (JIT)
        # to save milliseconds.
        cursor.execute("SET jit = off")
        # A file's metric × facility pairs are grouped, and its periods ordered, in memory
        # rather than on disk (a million-row file: 0.3 s instead of 1.1 s for the pairs).
        cursor.execute(f"SET work_mem = '{WORK_MEM}'")
        try:
            if batch.format == ImportFormat.FHIR:
                cursor.execute(_CREATE)
                with opener() as file:
                    lines = (_line(row) for row in reader.rows(file))
                    _copy(
                        cursor,
                        _COPY,
                        _CopySource(lines, lambda: progress.done, every),
                        progress.report_now,
                    )
            else:
                with opener() as file:
                    _stage_raw(cursor, batch, reader, file, every)
                if optimistic and _optimistic(cursor, batch, reader, outcome, finish):
                    return outcome
                cursor.execute(_TYPED, {"zone": zone})
                _recheck(cursor, batch, opener, reader)
            outcome.rows_total = progress.done
            # Statistics, no index: each later statement reads STAGING whole (a sort, a hash).
            cursor.execute(f"ANALYZE {STAGING}")
            with transaction.atomic():
                cursor.execute(f"LOCK TABLE {MEASUREMENTS} IN SHARE ROW EXCLUSIVE MODE")
                outcome.rows_rejected = reader.bad_rows + _check(cursor, reader)
                if not reader.errors:
                    cursor.execute(_REPLACES)
                    written: dict[str, Any] = {"batch": batch.pk, "now": timezone.now()}
                    if cursor.fetchone()[0]:
                        cursor.execute(_write(STAGING, replace=True), written)
                    else:
                        # Only inserts (a feed of new periods): no conflict to resolve, and
                        # under the lock no other writer can make one meanwhile.
                        cursor.execute(_write(STAGING, replace=False), written)
                        cursor.execute(_INSERTED)
                    for metric_id, inserted, updated in cursor.fetchall():
                        outcome.metric_ids.add(metric_id)
                        outcome.rows_inserted += inserted
                        outcome.rows_updated += updated
                    outcome.rows_unchanged = (
                        outcome.rows_total - outcome.rows_inserted - outcome.rows_updated
                    )
                finish(outcome)
        finally:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLES}")
            cursor.execute("RESET jit")
            cursor.execute("RESET work_mem")
    return outcome


class _Unsure(Exception):
    """The optimistic write cannot vouch for the file: undone, the file takes the full path."""


def _optimistic(
    cursor: Any, batch: ImportBatch, reader: Reader, outcome: Outcome, finish: Finisher
) -> bool:
    """The common case, a sound file, in one pass: RAW typed, checked and written by one
    statement (`_OPTIMISTIC`, the same typing and checks as STAGING's, failing on any row not
    `ok`), then the checks across rows on what was written: no key repeated in the file, no
    overlapping periods among the file's metric × facility pairs (read only when a stored row
    of the file's metrics ends on or after its earliest period there, or when the file's
    distinct periods overlap each other: a feed of new, disjoint periods skips that read of
    everything it wrote). All of it in a savepoint
    under the import's lock; when anything is amiss (a row not `ok`, a repeated key, an
    overlap, text the PHI guard flags, any database error) it is rolled back and False is
    returned, and the full path decides, with its messages. True when written and finished."""
    if reader.errors or reader.bad_rows:
        return False
    cursor.execute(_SPREAD)
    scanned: dict[str, bool] = {}
    periods: list[Period] = []
    # Everything the one-pass typing takes as vouched (`_typing`), checked here once per distinct
    # text: any doubt leaves the file to the full path, which re-checks the row and says what
    # is wrong.
    for is_period, source_system, definition_version, start, end in cursor.fetchall():
        if is_period:
            if start is None or end is None:  # not a real YYYY-MM-DD day
                return False
            periods.append((start, end, 0, False))
            continue
        for text, most in (
            (source_system, SOURCE_SYSTEM_MAX),
            (definition_version, DEFINITION_VERSION_MAX),
        ):
            if text is None:
                continue
            if not _plain_edges(text) or len(text) > most:
                return False
            if scanned.setdefault(text, bool(phi_scan(text))):
                return False
    # Whether two of the file's distinct periods overlap (two rows of one metric × facility pair
    # can only overlap then; the same period twice in a pair is a repeated key, caught apart).
    periods_overlap = next(overlaps(periods), None) is not None
    cursor.execute(_PAIRS)
    cursor.execute(f"ANALYZE {PAIRS}")
    total = reader.progress.done
    zone = timezone.get_current_timezone_name()
    written = {"batch": batch.pk, "now": timezone.now(), "zone": zone}
    counted = Outcome(errors=reader.errors, rows_total=total)
    try:
        with transaction.atomic():
            cursor.execute(f"LOCK TABLE {MEASUREMENTS} IN SHARE ROW EXCLUSIVE MODE")
            try:
                with transaction.atomic():
                    cursor.execute(_STORED_AFTER)
                    stored_after = cursor.fetchone()[0]
                    may_replace = False
                    if stored_after:
                        cursor.execute(_MAY_REPLACE)
                        may_replace = cursor.fetchone()[0]
                    if may_replace:
                        cursor.execute(_write(_OPTIMISTIC, replace=True), written)
                        for metric_id, inserted, updated in cursor.fetchall():
                            counted.metric_ids.add(metric_id)
                            counted.rows_inserted += inserted
                            counted.rows_updated += updated
                        cursor.execute(_REPEATED)
                        if cursor.fetchone()[0]:
                            raise _Unsure
                    else:  # a repeated key breaks the unique index
                        cursor.execute(_write(_OPTIMISTIC, replace=False), written)
                        counted.rows_inserted = cursor.rowcount
                        cursor.execute(f"SELECT DISTINCT metric_id FROM {PAIRS}")  # noqa: S608
                        counted.metric_ids = {metric_id for (metric_id,) in cursor.fetchall()}
                    # With no stored row after the file's earliest periods, only the file's own
                    # rows could overlap, and only when its distinct periods do.
                    if stored_after or periods_overlap:
                        cursor.execute(_OVERLAPPING)
                        if cursor.fetchone()[0]:
                            raise _Unsure
            except (_Unsure, DatabaseError):
                return False
            outcome.rows_total = total
            outcome.rows_inserted = counted.rows_inserted
            outcome.rows_updated = counted.rows_updated
            outcome.rows_unchanged = total - counted.rows_inserted - counted.rows_updated
            outcome.metric_ids = counted.metric_ids
            finish(outcome)
            return True
    finally:
        cursor.execute(f"DROP TABLE IF EXISTS {PAIRS}")


def _stage_raw(cursor: Any, batch: ImportBatch, reader: Reader, file: Any, every: int) -> None:
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
    cursor.execute(_CREATE_RAW)
    names = ", ".join(name for _, name in table.header)
    _copy(
        cursor,
        f"COPY {RAW} (row, suspect, {names}) FROM STDIN WITH (FORMAT csv)",
        _CopySource(
            _raw_lines(table, reader, batch.format),
            lambda: progress.done,
            _stride(every, table.estimate),
        ),
        progress.report_now,
    )
    if progress.done == 0:
        raise ImportFileError("The file has no data rows.")


def _stride(every: int, estimate: int | None) -> int:
    """The rows a COPY statement takes between progress reports (base.COPY_REPORTS)."""
    return max(every, (estimate or 0) // COPY_REPORTS) if every else every


def _copy_plain(
    cursor: Any, file: Any, plain: direct.Plain, progress: Progress, every: int
) -> bool:
    """COPY the data lines of a CSV with a plain header into RAW as they are, PROGRESS_EVERY
    lines or so a statement (`_stride`) with progress reported between them, each piece
    checked as it goes (direct.data_pieces); False (RAW dropped, the count started again)
    when a piece is not plain or PostgreSQL does not read it the way the checks expected."""
    progress.estimate = count_csv_rows(file)
    cursor.execute(_CREATE_RAW_PLAIN)
    every = _stride(every, progress.estimate)
    source = _CopySource(direct.data_pieces(file, plain), lambda: plain.rows, every)
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


def _recheck(cursor: Any, batch: ImportBatch, opener: Opener, reader: Reader) -> None:
    """The rows SQL did not vouch for: checked again by rows.check_row, which lists their
    errors; those whose key is sound go back into STAGING with the values it read. A row
    whose source system or definition version the PHI guard flags is one of them (each
    distinct text is scanned once, in Python: the guard's patterns are not SQL's)."""
    cursor.execute(
        f"SELECT source_system FROM {STAGING} WHERE ok "  # noqa: S608
        f"UNION SELECT definition_version FROM {STAGING} WHERE ok"
    )
    phi = [text for (text,) in cursor.fetchall() if text and phi_scan(text)]
    if phi:
        cursor.execute(
            f"UPDATE {STAGING} SET ok = false "  # noqa: S608
            "WHERE source_system = ANY(%s) OR definition_version = ANY(%s)",
            [phi, phi],
        )
    cursor.execute(f"DELETE FROM {STAGING} WHERE NOT ok RETURNING row")  # noqa: S608
    flagged = {row for (row,) in cursor.fetchall()}
    if not flagged:
        return
    with opener() as file:
        lines = (_line(row) for row in reader.recheck(file, flagged))
        _copy(cursor, _COPY, _CopySource(lines), lambda: None)


def _check(cursor: Any, reader: Reader) -> int:
    """Log repeated keys and overlapping periods; the number of rows they reject that had no
    error of their own."""
    flagged: set[int] = set()
    cursor.execute(_DUPLICATES)
    for row, first_row, is_bad in cursor.fetchall():
        reader.duplicate(row, first_row)
        if not is_bad:
            flagged.add(row)
    for statement in _PERIODS.split(";"):
        cursor.execute(statement)
    cursor.execute(_OVERLAPS)
    for row, start, end, is_bad, other, other_start, other_end, other_bad in cursor.fetchall():
        if row is not None:
            reader.overlap(row, other, other_start, other_end)
            if not is_bad:
                flagged.add(row)
        else:
            reader.overlap(other, None, start, end)
            if not other_bad:
                flagged.add(other)
    return len(flagged)
