"""Reading a FHIR MeasureReport (a single resource, or a Bundle of them) into `SourceRow`s: where
each canonical column comes from in a report (DOMAIN.md §6), its codes, partial dates and
populations. The row number is the report's position in the Bundle, counting from 1; the column
is the element's path in the resource (`group[0].measureScore`)."""

import datetime
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any, cast

import ijson  # type: ignore[import-untyped]  # no stubs published

from metrics.imports import limits
from metrics.imports.errors import ImportFileError
from metrics.imports.rows import SourceRow

# FHIR: where each canonical column comes from in a MeasureReport (DOMAIN.md §6).
FHIR_PATHS: dict[str, str] = {
    "metric_code": "measure",
    "facility_code": "reporter",
    "period_start": "period.start",
    "period_end": "period.end",
    "numerator": "group[0].population[numerator].count",
    "denominator": "group[0].population[denominator].count",
    "value": "group[0].measureScore",
    "unit": "group[0].measureScore.unit",
    "definition_version": "measure",
    "extracted_at": "date",
    "improvement": "improvementNotation",
}
FHIR_SOURCE_SYSTEM = "FHIR"


_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def fhir_rows(file: IO[bytes]) -> Iterator[SourceRow]:
    try:
        limits.check_json(file)
        resource_type = _top_level_type(file)
        file.seek(0)
        if resource_type == "MeasureReport":
            report = next(ijson.items(file, "", use_float=False))
            yield _measure_report(1, report)
            return
        if resource_type != "Bundle":
            raise ImportFileError(
                "The file's resourceType is neither MeasureReport nor Bundle: upload a "
                "MeasureReport, or a Bundle of MeasureReports."
            )
        count = 0
        for count, entry in enumerate(ijson.items(file, "entry.item", use_float=False), start=1):
            if count > limits.max_rows():
                raise limits.too_many_rows()
            resource = entry.get("resource") if isinstance(entry, dict) else None
            kind = resource.get("resourceType") if isinstance(resource, dict) else None
            if kind != "MeasureReport":
                yield SourceRow(
                    count,
                    {},
                    FHIR_PATHS,
                    [
                        (
                            None,
                            "resourceType",
                            f"Entry {count} is {'another resource' if kind else 'not a resource'}"
                            ": only MeasureReport entries are imported.",
                        )
                    ],
                    checkable=False,
                )
                continue
            yield _measure_report(count, cast(dict[str, Any], resource))
        if count == 0:
            raise ImportFileError("The Bundle has no entries.")
    except ijson.JSONError as error:
        detail = (str(error).strip().splitlines() or ["unreadable"])[0]
        raise ImportFileError(f"The file is not valid JSON: {detail}") from None
    except UnicodeDecodeError:
        raise ImportFileError("The file is not valid JSON: it is not UTF-8 text.") from None


def _top_level_type(file: IO[bytes]) -> str:
    """The top-level resourceType, read without loading the document (it usually comes first)."""
    events = ijson.parse(file, use_float=False)
    first = next(events, None)
    if first is None:
        raise ImportFileError("The file is empty.")
    if first[1] != "start_map":
        raise ImportFileError("The file is not a FHIR resource (a JSON object).")
    for prefix, event, value in events:
        if prefix == "resourceType" and event == "string":
            return str(value)
    raise ImportFileError("The file has no resourceType: it is not a FHIR resource.")


def _code(concept: Any) -> str | None:
    """The first coding's code of a CodeableConcept (or None)."""
    if not isinstance(concept, dict):
        return None
    for coding in concept.get("coding") or []:
        if isinstance(coding, dict) and coding.get("code"):
            return str(coding["code"])
    return None


def _fhir_date(text: Any, *, end: bool) -> datetime.date | str | None:
    """A FHIR date or dateTime as the date it names (its local date part); a partial date
    (2024 or 2024-01) is the first day of that period for a start, the last for an end. Text
    that is no date is returned as given, for the row check to report."""
    if text is None:
        return None
    match = _PARTIAL_DATE.match(str(text))
    if not match:
        return str(text)
    year, month, day = match.groups()
    try:
        if day:
            return datetime.date(int(year), int(month), int(day))
        if month:
            first = datetime.date(int(year), int(month), 1)
            if not end:
                return first
            following = datetime.date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return following - datetime.timedelta(days=1)
        return datetime.date(int(year), 12, 31) if end else datetime.date(int(year), 1, 1)
    except ValueError:
        return str(text)


def _facility_code(reporter: Any) -> str | None:
    """`Organization/<code>` (also at the end of an absolute URL), else the identifier's value."""
    if not isinstance(reporter, dict):
        return None
    reference = reporter.get("reference")
    if isinstance(reference, str) and "Organization/" in reference:
        return reference.rstrip("/").rsplit("Organization/", 1)[1].split("/")[0] or None
    identifier = reporter.get("identifier")
    if isinstance(identifier, dict) and identifier.get("value"):
        return str(identifier["value"])
    return None


def _measure_report(row: int, report: dict[str, Any]) -> SourceRow:
    """Map one MeasureReport (a dict) onto the canonical columns (see metrics/imports/__init__)."""
    source = SourceRow(row, {}, FHIR_PATHS)
    problems = source.problems
    values = source.values
    if report.get("type") != "summary":
        problems.append(
            (None, "type", "Expected summary: only summary MeasureReports are imported.")
        )
    if report.get("status") != "complete":
        problems.append(
            (
                None,
                "status",
                "Expected complete: only complete MeasureReports are imported.",
            )
        )
    measure = report.get("measure")
    if isinstance(measure, str) and measure.strip():
        url, _, version = measure.strip().partition("|")
        values["measure"] = url
        values["definition_version"] = version or None
    else:
        values["measure"] = None
    reporter = report.get("reporter")
    code = _facility_code(reporter)
    if reporter is not None and code is None:
        problems.append(
            (
                "facility_code",
                "reporter",
                "Give the reporter as a reference Organization/<facility code>, or with an "
                "identifier whose value is the facility code.",
            )
        )
    values["facility_code"] = code if reporter is not None else None
    period: dict[str, Any] = report.get("period") or {}
    if not isinstance(period, dict):
        period = {}
    values["period_start"] = _fhir_date(period.get("start"), end=False)
    values["period_end"] = _fhir_date(period.get("end"), end=True)
    values["extracted_at"] = report.get("date")
    values["source_system"] = FHIR_SOURCE_SYSTEM
    notation = _code(report.get("improvementNotation"))
    if notation is not None:
        values["improvement"] = notation
    groups = report.get("group") or []
    if not isinstance(groups, list) or not groups:
        problems.append(
            (
                "value",
                "group",
                "Has no group: give one group with its population counts or measureScore.",
            )
        )
        return source
    if len(groups) > 1:
        problems.append(
            (
                None,
                "group",
                f"Has {len(groups)} groups: import one metric per MeasureReport (one group).",
            )
        )
    group = groups[0] if isinstance(groups[0], dict) else {}
    counts: dict[str, Any] = {}
    for population in group.get("population") or []:
        code = _code(population.get("code")) if isinstance(population, dict) else None
        if code:
            counts[code] = population.get("count")
    numerator = counts.get("numerator")
    denominator = counts.get("denominator")
    values["numerator"] = _less(numerator, counts.get("numerator-exclusion"))
    values["denominator"] = _less(
        denominator, counts.get("denominator-exclusion"), counts.get("denominator-exception")
    )
    score = group.get("measureScore")
    if isinstance(score, dict):
        values["value"] = score.get("value")
        unit = score.get("code") or score.get("unit")
        percent = unit == "%"
        if numerator is not None and denominator is not None:
            values["value_scale"] = "percent" if percent else "fraction"
        else:
            values["value_scale"] = "as_is"
    else:
        values["value"] = None
    return source


def _less(count: Any, *minus: Any) -> Any:
    """A population count less its exclusions and exceptions (counts that are not numbers are
    passed on for the row check to report)."""
    if not isinstance(count, int | Decimal) or isinstance(count, bool):
        return count
    total = Decimal(count)
    for other in minus:
        if other is None:
            continue
        if not isinstance(other, int | Decimal) or isinstance(other, bool):
            return other
        total -= Decimal(other)
    return total
