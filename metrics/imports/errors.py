"""What an import reports: errors by row and column, kept in a bounded, ordered log."""

from dataclasses import dataclass

# The canonical columns in their documented order (DOMAIN.md §6); errors sort by row, then by
# this order, then by message.
COLUMNS: tuple[str, ...] = (
    "metric_code",
    "facility_code",
    "period_start",
    "period_end",
    "numerator",
    "denominator",
    "value",
    "unit",
    "source_system",
    "definition_version",
    "extracted_at",
)
_RANK = {name: rank for rank, name in enumerate(COLUMNS)}

# At most this many errors are stored on a batch; the rest are counted.
ERRORS_KEPT = 1000


class ImportFileError(Exception):
    """The file as a whole cannot be read (not JSON, not a workbook, a bad header, no rows):
    nothing is imported. Each error is (row, column, message); `row` and `column` locate it
    when they can (a header error is on row 1, in the column it names)."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None):
        self.errors: list[tuple[int | None, str | None, str]] = [(row, column, message)]
        super().__init__(message)

    @classmethod
    def many(cls, errors: list[tuple[int | None, str | None, str]]) -> "ImportFileError":
        error = cls(errors[0][2], row=errors[0][0], column=errors[0][1])
        error.errors = list(errors)
        return error


@dataclass(frozen=True, slots=True, order=True)
class RowError:
    """One problem: `row` as the user finds it (spreadsheet row, or Bundle entry), `column`
    as the user named it (the header, or a FHIR element path); `rank` orders the columns."""

    row: int
    rank: int
    message: str
    column: str | None

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row or None, "column": self.column, "message": self.message}


class ErrorLog:
    """Every error of a file, counted; the first ERRORS_KEPT of them (by row, column order and
    message) kept, in bounded memory however many there are."""

    def __init__(self, kept: int = ERRORS_KEPT) -> None:
        self.kept = kept
        self.total = 0
        self._errors: list[RowError] = []

    def add(
        self, row: int | None, canonical: str | None, message: str, column: str | None = None
    ) -> None:
        """Record an error at `row` about the canonical column `canonical` (None: the whole
        row or file), shown to the user as `column` (defaults to the canonical name)."""
        self.total += 1
        rank = _RANK.get(canonical or "", len(COLUMNS))
        shown = column if column is not None else canonical
        self._errors.append(RowError(row or 0, rank, message, shown))
        if len(self._errors) >= 2 * self.kept:
            self._trim()

    def _trim(self) -> None:
        self._errors.sort()
        del self._errors[self.kept :]

    def __bool__(self) -> bool:
        return self.total > 0

    def as_list(self) -> list[dict[str, object]]:
        """The kept errors in order; when some were left out, a last entry says how many."""
        self._trim()
        listed = [error.as_dict() for error in self._errors]
        if self.total > len(listed):
            more = self.total - len(listed)
            listed.append(
                {
                    "row": None,
                    "column": None,
                    "message": f"… and {more:,} more error{'s' if more != 1 else ''} not listed.",
                }
            )
        return listed
