"""What both import paths share: the outcome, progress reporting, the opened file, the row loop
and the overlap rule."""

import datetime
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import IO

from metrics.choices import ImportFormat
from metrics.imports.errors import ErrorLog, ImportFileError
from metrics.imports.fhir import FHIR_PATHS
from metrics.imports.readers import read_source
from metrics.imports.rows import Catalogue, CheckedRow, check_row

# Progress is reported (one UPDATE of the job row) every this many rows.
PROGRESS_EVERY = 5000
# ... or, where rows are COPYed in statements between reports, every this fraction of the
# estimated rows when that is more: each statement and report costs round trips and a commit
# (a million-row file COPYed in 200 statements took 0.75 s more than in 20).
COPY_REPORTS = 10
# The fields an import writes besides the key; a row whose fields all match is left untouched.
FIELDS: tuple[str, ...] = (
    "period_end",
    "value",
    "numerator",
    "denominator",
    "source_system",
    "definition_version",
    "extracted_at",
)

Opener = Callable[[], AbstractContextManager[IO[bytes]]]
Reporter = Callable[[int, int | None], None]
Finisher = Callable[["Outcome"], None]


@dataclass
class Outcome:
    """What an import did. `errors` empty means the file was accepted and written."""

    errors: ErrorLog
    rows_total: int = 0
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    rows_rejected: int = 0
    metric_ids: set[int] = field(default_factory=set)

    @property
    def accepted(self) -> bool:
        return not self.errors


class Progress:
    """Counts rows read and reports every `every` rows (0: only when told, `report_now`): done
    only rises; total is the reader's estimate (raised to done when the estimate falls short)
    until the end."""

    def __init__(self, report: Reporter, every: int = PROGRESS_EVERY) -> None:
        self.report = report
        self.every = every
        self.done = 0
        self.estimate: int | None = None
        self._reported = 0
        self._floor = 0  # the most already reported, when counting started again

    def step(self) -> None:
        self.done += 1
        if self.every and self.done - self._reported >= self.every:
            self.report_now()

    def report_now(self) -> None:
        self._reported = self.done
        if self.done < self._floor:
            return
        total = None if self.estimate is None else max(self.estimate, self.done)
        self.report(self.done, total)

    def restart(self) -> None:
        """Count from 0 again (the file is read a second way): nothing is reported until the
        count passes what was reported already, so done still only rises."""
        self._floor = max(self._floor, self._reported)
        self.done = 0
        self._reported = 0

    def finish(self) -> None:
        done = max(self.done, self._floor)
        self.report(done, done)


class Reader:
    """Reads and checks the file's rows: counts them, logs each row's errors and repeated keys,
    and yields the rows whose key is sound (see `rows.check_row`)."""

    def __init__(
        self, *, format: str, catalogue: Catalogue, errors: ErrorLog, progress: Progress
    ) -> None:
        self.format = format
        self.catalogue = catalogue
        self.errors = errors
        self.progress = progress
        self.bad_rows = 0
        self.noun = "entry" if format == ImportFormat.FHIR else "row"
        self.columns = FHIR_PATHS if format == ImportFormat.FHIR else {}

    def shown(self, column: str) -> str:
        return self.columns.get(column, column)

    def rows(self, file: IO[bytes], *, again: bool = False) -> Iterator[CheckedRow]:
        """The checked rows. `again`: a second reading of a file already found sound, to
        write it (neither counted nor reported again)."""
        reading = read_source(self.format, file)
        errors = ErrorLog() if again else self.errors
        if not again:
            self.progress.estimate = reading.estimate
        for source in reading.rows:
            if not again:
                self.progress.step()
            checked, is_bad = check_row(source, self.catalogue, errors)
            if again and (checked is None or is_bad):
                raise RuntimeError(f"row {source.row} read differently the second time")
            self.bad_rows += is_bad
            if checked is not None:
                yield checked
        if self.progress.done == 0:
            raise ImportFileError("The file has no data rows.")

    def recheck(self, file: IO[bytes], rows: set[int]) -> Iterator[CheckedRow]:
        """Check the given rows of the file (the others are skipped unchecked): their errors
        are logged; those whose key is sound are yielded."""
        for source in read_source(self.format, file).rows:
            if source.row not in rows:
                continue
            checked, is_bad = check_row(source, self.catalogue, self.errors)
            self.bad_rows += is_bad
            if checked is not None:
                yield checked

    def duplicate(self, row: int, first: int) -> None:
        self.errors.add(
            row,
            "period_start",
            f"Same metric, facility and period_start as {self.noun} {first}.",
            self.shown("period_start"),
        )

    def overlap(
        self,
        row: int,
        other_row: int | None,
        other_start: datetime.date,
        other_end: datetime.date,
    ) -> None:
        """`row` overlaps another row of the file (`other_row`) or a stored period (None)."""
        span = f"{other_start.isoformat()} to {other_end.isoformat()}"
        what = f"{self.noun} {other_row} ({span})" if other_row else f"the stored period {span}"
        self.errors.add(
            row,
            "period_start",
            f"Overlaps {what} for the same metric and facility.",
            self.shown("period_start"),
        )


Period = tuple[datetime.date, datetime.date, int | None, bool]  # start, end, file row, is_bad


def overlaps(periods: list[Period]) -> Iterator[tuple[Period, Period]]:
    """The overlapping pairs of one metric × facility's periods, by the rule both paths apply:
    in order of start, a period overlaps the earlier period that reaches furthest (the first
    such, when several end on the same day) if it starts on or before that one's end. Pairs of
    two stored periods are not the file's doing and are left out. Yields (later, earlier)."""
    holder: Period | None = None
    for period in sorted(periods, key=lambda item: item[0]):
        if (
            holder is not None
            and period[0] <= holder[1]
            and (period[2] is not None or holder[2] is not None)
        ):
            yield period, holder
        if holder is None or period[1] > holder[1]:
            holder = period
