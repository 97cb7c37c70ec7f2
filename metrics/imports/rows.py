"""A row as read (`SourceRow`, what every reader yields) and the checks of one row, shared by
both import paths: codes resolved against the catalogue, dates, figures
(`metrics.figures.measurement_figures`, the rule hand entry obeys too), unit, text lengths
and, for FHIR, the improvement notation. What needs the whole file or the
database (repeated keys, overlapping periods) is checked by each path afterwards.

Codes are resolved here, from the catalogue held in two small dictionaries, rather than by a
JOIN in SQL: the figure rule needs each row's metric multiplier, and one implementation of it
keeps the PostgreSQL and the plain path's answers identical to the letter."""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from informatics.choices import PhiKind
from informatics.models import Facility
from informatics.phi import phi_scan
from metrics.choices import Direction
from metrics.figures import (
    FigureError,
    chart_figures_error,
    measurement_figures,
    parse_decimal,
    stored,
)
from metrics.imports.errors import ErrorLog
from metrics.models import Measurement, Metric

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
SOURCE_SYSTEM_MAX = Measurement._meta.get_field("source_system").max_length or 60
DEFINITION_VERSION_MAX = Measurement._meta.get_field("definition_version").max_length or 40
NOT_A_NUMBER = (
    "Not a number: expected a plain decimal such as 12.5 (no thousands separators, currency or "
    "percent signs)."
)
NOTATIONS = {"increase": Direction.HIGHER, "decrease": Direction.LOWER}


@dataclass(slots=True)
class SourceRow:
    """One record as read: canonical column → cell (text, a number, a date or None).

    `columns` maps a canonical column to the name the user sees (FHIR element paths); `problems`
    are what the reader itself found wrong, as (canonical column or None, shown column,
    message)."""

    row: int
    values: dict[str, Any]
    columns: dict[str, str] | None = None
    problems: list[tuple[str | None, str | None, str]] = field(default_factory=list)
    checkable: bool = True  # False: not a record at all (a Bundle entry of another type)

    def shown(self, column: str) -> str:
        return self.columns.get(column, column) if self.columns else column


@dataclass(frozen=True, slots=True)
class MetricInfo:
    id: int
    code: str
    multiplier: Decimal
    unit: str
    direction: str
    is_active: bool
    chart_type: str


class Catalogue:
    """Metrics by code and by FHIR Measure URL, facilities by code: two queries per import."""

    def __init__(self) -> None:
        self.metrics: dict[str, MetricInfo] = {}
        self.by_url: dict[str, MetricInfo] = {}
        for (
            pk,
            code,
            multiplier,
            unit,
            direction,
            is_active,
            chart,
            url,
        ) in Metric.objects.values_list(
            "pk",
            "code",
            "multiplier",
            "unit",
            "direction",
            "is_active",
            "chart_type",
            "fhir_measure_url",
        ):
            info = MetricInfo(pk, code, multiplier.normalize(), unit, direction, is_active, chart)
            self.metrics[code] = info
            if url:
                self.by_url[url.rstrip("/")] = info
        self.facilities: dict[str, int] = dict(Facility.objects.values_list("code", "pk"))

    def metric_for_measure(self, url: str) -> MetricInfo | None:
        """The metric whose FHIR Measure URL is `url`; failing that, the metric whose code is
        the URL's last segment (…/Measure/Q1 → Q1)."""
        url = url.rstrip("/")
        found = self.by_url.get(url)
        if found is None:
            found = self.metrics.get(url.rsplit("/", 1)[-1])
        return found


@dataclass(slots=True)
class CheckedRow:
    """A row whose metric, facility and period are known (figures may still have failed:
    `is_bad`). Rows without a known key are not checked further against the file."""

    row: int
    metric_id: int
    facility_id: int
    period_start: datetime.date
    period_end: datetime.date
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    source_system: str
    definition_version: str
    extracted_at: datetime.datetime | None
    is_bad: bool


def _text(cell: Any) -> str:
    """A cell as text: numbers without a spurious ".0" (an XLSX facility code 101 → "101")."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime.datetime | datetime.date):
        return cell.isoformat()
    return str(cell).strip()


def _date(cell: Any) -> datetime.date:
    """A date from a cell; ValueError with the message to show otherwise."""
    if isinstance(cell, datetime.datetime):
        if cell.time() != datetime.time(0):
            raise ValueError("Has a time: expected a date (YYYY-MM-DD).")
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    text = _text(cell)
    if not text:
        raise ValueError("Required.")
    if not _ISO_DATE.match(text):
        raise ValueError("Not a date: expected YYYY-MM-DD.")
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(_no_such_day(text)) from None


def _no_such_day(text: str) -> str:
    """What is wrong with a YYYY-MM-DD text that is no calendar day: the format is right, so
    the message names the part that is not."""
    year, month, _ = (int(part) for part in text.split("-"))
    if year == 0:
        return "No such year: years start at 0001."
    if not 1 <= month <= 12:
        return "No such month: months run from 01 to 12."
    return "No such day in that month."


def _moment(cell: Any) -> datetime.datetime | None:
    """A date and time; one without an offset is in the site's time zone."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    if isinstance(cell, datetime.datetime):
        moment = cell
    elif isinstance(cell, datetime.date):
        moment = datetime.datetime.combine(cell, datetime.time(0))
    else:
        text = _text(cell)
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                "Not a date and time: expected ISO 8601, e.g. 2024-02-05T06:00:00Z."
            ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _figure(cell: Any, column: str) -> Decimal | None:
    """A figure from a cell. The shared parser's refusal quotes the text; an import's error
    says what was expected instead, never what the cell held."""
    if isinstance(cell, datetime.date | datetime.time):
        raise FigureError(column, NOT_A_NUMBER)
    try:
        return parse_decimal(cell, column)
    except FigureError as error:
        if error.message.endswith("is not a number."):
            raise FigureError(error.column, NOT_A_NUMBER) from None
        raise


def check_row(
    source: SourceRow, catalogue: Catalogue, errors: ErrorLog
) -> tuple[CheckedRow | None, bool]:
    """Check one row, logging each problem. Returns the row when its key (metric, facility,
    period) is sound, for the checks across the file, and whether the row had any error."""
    row = source.row
    before = errors.total

    def fail(column: str | None, message: str, shown: str | None = None) -> None:
        errors.add(row, column, message, shown if shown else source.shown(column or ""))

    for canonical, shown, message in source.problems:
        errors.add(row, canonical, message, shown)
    if not source.checkable:
        return None, True

    values = source.values
    metric: MetricInfo | None = None
    if "measure" in values:  # FHIR: the Measure's canonical URL
        url = values["measure"]
        if not url:
            fail("metric_code", "Required: the canonical URL of the Measure.")
        else:
            metric = catalogue.metric_for_measure(url)
            if metric is None:
                fail(
                    "metric_code",
                    "No metric has this FHIR Measure URL (set it on the metric), and no "
                    "metric's code is its last segment: expected a metric's Measure URL.",
                )
    else:
        code = _text(values.get("metric_code"))
        if not code:
            fail("metric_code", "Required.")
        else:
            metric = catalogue.metrics.get(code)
            if metric is None:
                fail("metric_code", "No metric has this code: expected a catalogue metric code.")
    if metric is not None and not metric.is_active:
        fail("metric_code", f"Metric {metric.code} is retired: it takes no new figures.")

    facility_id: int | None = None
    facility_code = _text(values.get("facility_code"))
    if not facility_code:
        if not any(problem[0] == "facility_code" for problem in source.problems):
            fail("facility_code", "Required.")
    else:
        facility_id = catalogue.facilities.get(facility_code)
        if facility_id is None:
            fail("facility_code", "No facility has this code: expected a facility code.")

    start: datetime.date | None = None
    end: datetime.date | None = None
    try:
        start = _date(values.get("period_start"))
    except ValueError as error:
        fail("period_start", str(error))
    try:
        end = _date(values.get("period_end"))
    except ValueError as error:
        fail("period_end", str(error))
    if start is not None and end is not None and end < start:
        fail("period_end", f"Is before period_start ({start.isoformat()}).")

    figures: dict[str, Decimal | None] = {}
    parsed = True
    for column in ("numerator", "denominator", "value"):
        try:
            figures[column] = _figure(values.get(column), column)
        except FigureError as error:
            fail(error.column, error.message)
            parsed = False
    value: Decimal | None = None
    numerator = figures.get("numerator")
    denominator = figures.get("denominator")
    if parsed:
        given = figures["value"]
        scale = values.get("value_scale")
        if metric is None and numerator is not None and denominator is not None:
            given = None  # without the metric's multiplier only the pair itself is checked
        elif given is not None and metric is not None and scale == "fraction":
            given = given * metric.multiplier
        elif given is not None and metric is not None and scale == "percent":
            given = given / 100 * metric.multiplier
        try:
            value = measurement_figures(
                multiplier=metric.multiplier if metric is not None else Decimal(1),
                value=given,
                numerator=numerator,
                denominator=denominator,
            )
        except FigureError as error:
            message = error.message
            if error.column == "value" and " disagrees with " in message:
                multiplier = metric.multiplier if metric is not None else Decimal(1)
                message = (
                    f"Does not equal numerator ÷ denominator × {multiplier:f}: expected that "
                    "figure, to the decimals given."
                )
            if error.column == "value" and given is not None and given != figures["value"]:
                how = {"fraction": "a fraction", "percent": "a percentage"}.get(str(scale), "")
                message = f"The score, read as {how} × the metric's multiplier: {message}"
            fail(error.column, message)
        else:
            refused = metric and chart_figures_error(
                metric.chart_type, numerator=numerator, denominator=denominator, value=value
            )
            if refused:
                fail(refused.column, refused.message)

    if metric is not None and "measure" not in values:  # FHIR units only scale the score
        unit = _text(values.get("unit"))
        if unit and unit != metric.unit:
            fail("unit", f"Not the metric's unit: expected “{metric.unit}” ({metric.code}).")
    notation = values.get("improvement")
    if metric is not None and notation is not None:
        direction = NOTATIONS.get(notation)
        if direction is None:
            fail(None, "Expected increase or decrease.", "improvementNotation")
        elif direction != metric.direction:
            said = "higher" if direction == Direction.HIGHER else "lower"
            fail(
                None,
                f"Says {said} is better, but metric {metric.code} is "
                f"“{Direction(metric.direction).label.lower()}”.",
                "improvementNotation",
            )

    source_system = _text(values.get("source_system"))
    if len(source_system) > SOURCE_SYSTEM_MAX:
        fail("source_system", f"At most {SOURCE_SYSTEM_MAX} characters.")
    definition_version = _text(values.get("definition_version"))
    if len(definition_version) > DEFINITION_VERSION_MAX:
        fail("definition_version", f"At most {DEFINITION_VERSION_MAX} characters.")
    # The PHI guard reads these texts too; a file cannot confirm a warning, so the row is
    # rejected (the message names what was seen, never the text).
    for column, text in (
        ("source_system", source_system),
        ("definition_version", definition_version),
    ):
        if found := phi_scan(text):
            kinds = ", ".join(sorted({str(PhiKind(f.kind).label) for f in found}))
            fail(column, f"Looks like patient information ({kinds}): remove it from the file.")
    extracted_at: datetime.datetime | None = None
    try:
        extracted_at = _moment(values.get("extracted_at"))
    except ValueError as error:
        fail("extracted_at", str(error))

    is_bad = errors.total > before
    if metric is None or facility_id is None or start is None or end is None or end < start:
        return None, is_bad
    return (
        CheckedRow(
            row=row,
            metric_id=metric.id,
            facility_id=facility_id,
            period_start=start,
            period_end=end,
            value=value,
            numerator=None if numerator is None else stored(numerator),
            denominator=None if denominator is None else stored(denominator),
            source_system=source_system,
            definition_version=definition_version,
            extracted_at=extracted_at,
            is_bad=is_bad,
        ),
        is_bad,
    )
