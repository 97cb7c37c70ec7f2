"""Import errors stored before this release quoted the offending cell ("“Jane Roe MRN 4412897”
is not a number."). Each stored message of those forms is rewritten as the import words it now:
the row, the column and what was expected, never the cell. A header error whose column was the
unknown header text loses that column name."""

import re
from typing import Any

from django.db import migrations

NOT_A_NUMBER = (
    "Not a number: expected a plain decimal such as 12.5 (no thousands separators, currency or "
    "percent signs)."
)
UNKNOWN_COLUMN = (
    "Unknown column name: expected one of metric_code, facility_code, period_start, period_end, "
    "numerator, denominator, value, unit, source_system, definition_version, extracted_at."
)

# (old form, new message: a string, or a function of the match). Checked in order; first wins.
REWRITES: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"^“.*” is not a number\.$", re.S), NOT_A_NUMBER),
    (
        re.compile(r"^“.*” has a time: give a date\.$", re.S),
        "Has a time: expected a date (YYYY-MM-DD).",
    ),
    (
        re.compile(r"^“.*” is not a date \(YYYY-MM-DD\)\.$", re.S),
        "Not a date: expected YYYY-MM-DD.",
    ),
    (
        re.compile(r"^“.*” is not a date and time \(ISO 8601, .*\)\.$", re.S),
        "Not a date and time: expected ISO 8601, e.g. 2024-02-05T06:00:00Z.",
    ),
    (
        re.compile(r"^No metric with code “.*”\.$", re.S),
        "No metric has this code: expected a catalogue metric code.",
    ),
    (
        re.compile(r"^No facility with code “.*”\.$", re.S),
        "No facility has this code: expected a facility code.",
    ),
    (
        re.compile(r"^No metric has the FHIR Measure URL “.*” \(set it on the metric\).*$", re.S),
        "No metric has this FHIR Measure URL (set it on the metric), and no metric's code is its "
        "last segment: expected a metric's Measure URL.",
    ),
    (
        re.compile(r"^Is “.*”: metric (\S+) is measured in “([^”]*)”\.$", re.S),
        lambda m: f"Not the metric's unit: expected “{m[2]}” ({m[1]}).",
    ),
    (
        re.compile(r"^Is “.*”: expected increase or decrease\.$", re.S),
        "Expected increase or decrease.",
    ),
    (
        re.compile(r"^Is “.*”: only summary MeasureReports are imported\.$", re.S),
        "Expected summary: only summary MeasureReports are imported.",
    ),
    (
        re.compile(r"^Is “.*”: only complete MeasureReports are imported\.$", re.S),
        "Expected complete: only complete MeasureReports are imported.",
    ),
    (
        re.compile(r"^Says \S+ \((higher|lower) is better\), (but metric .*)$", re.S),
        lambda m: f"Says {m[1]} is better, {m[2]}",
    ),
    (re.compile(r"^Unknown column “.*”\. The columns are: .*$", re.S), UNKNOWN_COLUMN),
    (
        re.compile(
            r"^Score .* read as .*: .* disagrees with numerator ÷ denominator × (\S+) = .*$", re.S
        ),
        lambda m: (
            "The score, read with the metric's multiplier: Does not equal numerator ÷ "
            f"denominator × {m[1]}: expected that figure, to the decimals given."
        ),
    ),
    (
        re.compile(r"^\S+ disagrees with numerator ÷ denominator × (\S+) = .*$", re.S),
        lambda m: (
            f"Does not equal numerator ÷ denominator × {m[1]}: expected that figure, to the "
            "decimals given."
        ),
    ),
    (
        re.compile(
            r"^The file is a FHIR .*: upload a MeasureReport, or a Bundle of MeasureReports\.$",
            re.S,
        ),
        "The file's resourceType is neither MeasureReport nor Bundle: upload a MeasureReport, or "
        "a Bundle of MeasureReports.",
    ),
    (
        re.compile(r"^Entry (\d+) is a .*: only MeasureReport entries are imported\.$", re.S),
        lambda m: f"Entry {m[1]} is another resource: only MeasureReport entries are imported.",
    ),
]


def rewrite(error: dict[str, Any]) -> dict[str, Any]:
    message = str(error.get("message") or "")
    for pattern, new in REWRITES:
        match = pattern.match(message)
        if match:
            fixed = dict(error, message=new(match) if callable(new) else new)
            if new is UNKNOWN_COLUMN:
                fixed["column"] = None
            return fixed
    return error


def forwards(apps: Any, schema_editor: Any) -> None:
    ImportBatch = apps.get_model("metrics", "ImportBatch")
    for batch in ImportBatch.objects.only("pk", "errors").iterator():
        errors = [rewrite(error) if isinstance(error, dict) else error for error in batch.errors]
        if errors != batch.errors:
            ImportBatch.objects.filter(pk=batch.pk).update(errors=errors)


class Migration(migrations.Migration):
    dependencies = [("metrics", "0004_text_max_lengths")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
