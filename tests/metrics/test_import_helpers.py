"""Helpers of the import tests (no tests here): a small catalogue, files written in each
format, and an upload run through the service with its job executed as after a commit.

The catalogue: facilities from `facility_tree()` (rh, rh-north, rh-south, rh-north-icu) and
- Q1 readmissions: p chart, "%" with multiplier 100, lower is better, FHIR Measure URL
  https://measures.example.org/Measure/readmission-30d;
- Q2 CLABSI: u chart, per 1,000 line-days (multiplier 1000), lower is better;
- E8 NEES: survey, a net score −100…+100 (multiplier 1), higher is better;
- X9 retired: inactive.
"""

import csv
import datetime
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook  # type: ignore[import-untyped]  # stubs not installed

from informatics.models import Facility, User
from metrics.choices import ChartType, Direction
from metrics.imports import COLUMNS
from metrics.models import ImportBatch, Measurement, Metric
from metrics.services.imports import import_upload
from tests.metrics.factories import MetricFactory, add_months, facility_tree, month_end

READMISSION_URL = "https://measures.example.org/Measure/readmission-30d"

Row = dict[str, Any]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    """Uploaded files go to the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def catalogue(db: None) -> dict[str, Any]:
    """Facilities and metrics (see the module docstring), by code."""
    places = facility_tree()
    metrics = {
        "Q1": MetricFactory.create(
            code="Q1",
            name="30-day readmission",
            unit="%",
            multiplier=Decimal(100),
            direction=Direction.LOWER,
            chart_type=ChartType.P,
            fhir_measure_url=READMISSION_URL,
        ),
        "Q2": MetricFactory.create(
            code="Q2",
            name="CLABSI",
            unit="per 1,000 line-days",
            multiplier=Decimal(1000),
            direction=Direction.LOWER,
            chart_type=ChartType.U,
        ),
        "E8": MetricFactory.create(
            code="E8",
            name="Net EHR Experience Score",
            unit="score",
            multiplier=Decimal(1),
            direction=Direction.HIGHER,
            chart_type=ChartType.SURVEY,
        ),
        "X9": MetricFactory.create(code="X9", name="Retired", is_active=False),
    }
    return {**places, **metrics}


def month_row(
    metric: str,
    facility: str,
    month: datetime.date,
    *,
    numerator: object = "",
    denominator: object = "",
    value: object = "",
    **extra: object,
) -> Row:
    """One canonical row for the month starting `month`."""
    return {
        "metric_code": metric,
        "facility_code": facility,
        "period_start": month.isoformat(),
        "period_end": month_end(month).isoformat(),
        "numerator": numerator,
        "denominator": denominator,
        "value": value,
        **extra,
    }


def readmission_rows(count: int, facility: str = "rh-north") -> list[Row]:
    """`count` months of Q1 from January 2024: numerator 10 + n over denominator 200,
    value = num ÷ den × 100 given to 2 decimals."""
    rows = []
    for n in range(count):
        numerator = 10 + n % 7
        value = Decimal(numerator) / 200 * 100
        rows.append(
            month_row(
                "Q1",
                facility,
                add_months(datetime.date(2024, 1, 1), n),
                numerator=numerator,
                denominator=200,
                value=f"{value:.2f}",
                source_system="Epic Clarity",
                definition_version="2024.1",
                extracted_at="2025-01-05T06:00:00+00:00",
            )
        )
    return rows


def csv_bytes(rows: Iterable[Row], columns: Sequence[str] = COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: row.get(name, "") for name in columns})
    return out.getvalue().encode()


def xlsx_bytes(rows: Iterable[Sequence[object]], header: Sequence[str] = COLUMNS) -> bytes:
    """A workbook whose first sheet holds `header` then `rows` (cells as given: numbers,
    dates, text)."""
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def measure_report(
    *,
    measure: str = READMISSION_URL,
    reporter: dict[str, Any] | None = None,
    start: str = "2024-01-01",
    end: str = "2024-01-31",
    populations: dict[str, int] | None = None,
    score: dict[str, Any] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A summary MeasureReport of Q1 at rh-north for January 2024: 30 readmissions among 250
    index stays less 40 exclusions and 10 exceptions (score 30 ÷ 200 = 0.15)."""
    counts = (
        populations
        if populations is not None
        else {
            "initial-population": 260,
            "denominator": 250,
            "denominator-exclusion": 40,
            "denominator-exception": 10,
            "numerator": 30,
        }
    )
    report: dict[str, Any] = {
        "resourceType": "MeasureReport",
        "status": "complete",
        "type": "summary",
        "measure": measure,
        "reporter": reporter or {"reference": "Organization/rh-north"},
        "date": "2024-02-20T08:00:00Z",
        "period": {"start": start, "end": end},
        "improvementNotation": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/measure-improvement-notation",
                    "code": "decrease",
                }
            ]
        },
        "group": [
            {
                "population": [
                    {"code": {"coding": [{"code": code}]}, "count": count}
                    for code, count in counts.items()
                ],
                "measureScore": score if score is not None else {"value": 0.15},
            }
        ],
    }
    report.update(fields)
    return report


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": f"urn:uuid:{n}", "resource": r} for n, r in enumerate(resources)],
    }


def json_bytes(document: Any) -> bytes:
    return json.dumps(document).encode()


Upload = Callable[..., ImportBatch]


@pytest.fixture
def upload(django_capture_on_commit_callbacks: Any) -> Upload:
    """Upload a file through the service and run its import job (eagerly, as after the
    commit); returns the batch as the job left it."""

    def run(user: User, name: str, content: bytes) -> ImportBatch:
        with django_capture_on_commit_callbacks(execute=True):
            batch = import_upload(actor=user, upload=SimpleUploadedFile(name, content))
        batch.refresh_from_db()
        return batch

    return run


def stored(metric: Metric, facility: Facility) -> list[tuple[str, str, str | None, str | None]]:
    """A metric's stored figures at a facility: (period_start, value, numerator,
    denominator) as text, in period order."""

    def text(number: Decimal | None) -> str | None:
        return None if number is None else f"{number.normalize():f}"

    return [
        (
            m.period_start.isoformat(),
            f"{m.value.normalize():f}",
            text(m.numerator),
            text(m.denominator),
        )
        for m in Measurement.objects.filter(metric=metric, facility=facility).order_by(
            "period_start"
        )
    ]


def rows_written(lines: Iterator[bytes], path: Path) -> Path:
    with path.open("wb") as out:
        out.writelines(lines)
    return path
