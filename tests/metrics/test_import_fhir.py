"""FHIR R4 MeasureReport imports (Done when 6): a summary imports as DOMAIN.md §6 maps it (see
metrics/imports/__init__.py for the mapping); malformed JSON or another resource type is one
clear error and nothing is imported; errors of a Bundle name the entry and the element."""

import datetime
from decimal import Decimal
from typing import Any

import pytest

from informatics.choices import Role
from informatics.models import User
from metrics.choices import ImportFormat, ImportStatus
from metrics.models import ImportBatch, Measurement
from tests.metrics import test_import_helpers as helpers
from tests.metrics.test_import_helpers import (
    READMISSION_URL,
    Upload,
    bundle,
    json_bytes,
    measure_report,
)

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

# Fixtures shared by the import tests (assigned, so that pytest finds them here).
_media = helpers._media
catalogue = helpers.catalogue
upload = helpers.upload


def errors_of(batch: ImportBatch) -> list[tuple[Any, Any, str]]:
    return [(error["row"], error["column"], error["message"]) for error in batch.errors]


def test_a_single_summary_report_imports_as_mapped(
    users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    batch = upload(users[Role.INFORMATICIST], "report.json", json_bytes(measure_report()))

    assert batch.status == ImportStatus.DONE, batch.errors
    assert batch.format == ImportFormat.FHIR
    assert (batch.rows_total, batch.rows_inserted) == (1, 1)
    row = Measurement.objects.get()
    assert (row.metric_id, row.facility_id) == (catalogue["Q1"].pk, catalogue["north"].pk)
    assert (row.period_start, row.period_end) == (
        datetime.date(2024, 1, 1),
        datetime.date(2024, 1, 31),
    )
    # numerator 30; denominator 250 − 40 exclusions − 10 exceptions; score 0.15 × 100
    assert (row.numerator, row.denominator, row.value) == (
        Decimal("30"),
        Decimal("200"),
        Decimal("15"),
    )
    assert (row.source_system, row.definition_version) == ("FHIR", "")
    assert row.extracted_at == datetime.datetime(2024, 2, 20, 8, tzinfo=datetime.UTC)
    assert row.batch_id == batch.pk


def test_a_bundle_maps_reporters_measures_periods_and_scores(
    users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    document = bundle(
        # identifier reporter, versioned canonical, partial period, a score in per cent
        measure_report(
            measure=f"{READMISSION_URL}|2.1.0",
            reporter={"identifier": {"system": "urn:example:facility", "value": "rh-south"}},
            start="2024-02",
            end="2024-02",
            score={"value": 15, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%"},
        ),
        # a measure matched by its code (the URL's last segment), a rate per 1,000
        measure_report(
            measure="https://other.example.org/fhir/Measure/Q2",
            reporter={"reference": "https://fhir.example.org/r4/Organization/rh-north-icu"},
            populations={"denominator": 4000, "numerator": 10},
            score={"value": 0.0025},
            improvementNotation={"coding": [{"code": "decrease"}]},
        ),
        # a plain score, no populations: taken as it is
        measure_report(
            measure="https://measures.example.org/Measure/E8",
            reporter={"reference": "Organization/rh"},
            start="2024-03-01T00:00:00-05:00",
            end="2024-03-31T23:59:59-05:00",
            populations={},
            score={"value": -12.5},
            improvementNotation={"coding": [{"code": "increase"}]},
        ),
    )

    batch = upload(users[Role.INFORMATICIST], "bundle.json", json_bytes(document))

    assert batch.status == ImportStatus.DONE, batch.errors
    assert (batch.rows_total, batch.rows_inserted) == (3, 3)
    got = {
        m.metric.code: (
            m.facility.code,
            m.period_start.isoformat(),
            m.period_end.isoformat(),
            m.numerator,
            m.denominator,
            m.value,
            m.definition_version,
        )
        for m in Measurement.objects.select_related("metric", "facility")
    }
    assert got == {
        "Q1": ("rh-south", "2024-02-01", "2024-02-29", 30, 200, 15, "2.1.0"),
        "Q2": ("rh-north-icu", "2024-01-01", "2024-01-31", 10, 4000, Decimal("2.5"), ""),
        "E8": ("rh", "2024-03-01", "2024-03-31", None, None, Decimal("-12.5"), ""),
    }
    assert batch.job is not None
    assert (batch.job.progress_done, batch.job.progress_total) == (3, 3)


def test_the_same_bundle_again_changes_nothing(
    users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    content = json_bytes(bundle(measure_report(), measure_report(start="2024-02", end="2024-02")))
    first = upload(users[Role.INFORMATICIST], "b.json", content)

    second = upload(users[Role.INFORMATICIST], "b.json", content)

    assert (first.rows_inserted, second.rows_inserted, second.rows_unchanged) == (2, 0, 2)
    assert set(Measurement.objects.values_list("batch_id", flat=True)) == {first.pk}


def test_every_entry_error_names_the_entry_and_element(
    users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    document = bundle(
        measure_report(type="individual", status="pending"),
        measure_report(
            improvementNotation={"coding": [{"code": "increase"}]}, start="2024-03", end="2024-03"
        ),
        measure_report(score={"value": 0.25}, start="2024-02", end="2024-02"),
        measure_report(measure="https://nowhere.example.org/Measure/unknown"),
        measure_report(reporter={"display": "North"}),
        {"resourceType": "Patient", "id": "p1"},
        measure_report(group=[{}, {}], start="2024-05", end="2024-05"),
        measure_report(start="January", end="2024-06-31"),
    )

    batch = upload(users[Role.INFORMATICIST], "bad.json", json_bytes(document))

    assert batch.status == ImportStatus.REJECTED
    assert errors_of(batch) == [
        (1, "status", "Expected complete: only complete MeasureReports are imported."),
        (1, "type", "Expected summary: only summary MeasureReports are imported."),
        (
            2,
            "improvementNotation",
            "Says higher is better, but metric Q1 is “lower is better”.",
        ),
        (
            3,
            "group[0].measureScore",
            "The score, read as a fraction × the metric's multiplier: Does not equal "
            "numerator ÷ denominator × 100: expected that figure, to the decimals given.",
        ),
        (
            4,
            "measure",
            "No metric has this FHIR Measure URL (set it on the metric), and no metric's "
            "code is its last segment: expected a metric's Measure URL.",
        ),
        (
            5,
            "reporter",
            "Give the reporter as a reference Organization/<facility code>, or with an "
            "identifier whose value is the facility code.",
        ),
        (
            6,
            "resourceType",
            "Entry 6 is another resource: only MeasureReport entries are imported.",
        ),
        (
            7,
            "group[0].measureScore",
            "Give a value, or a numerator and a denominator.",
        ),
        (7, "group", "Has 2 groups: import one metric per MeasureReport (one group)."),
        (8, "period.start", "Not a date: expected YYYY-MM-DD."),
        (8, "period.end", "No such day in that month."),
    ]
    assert Measurement.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b'{"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "MeasureRep',
            "The file is not valid JSON: parse error: premature EOF",
        ),
        (b"{'resourceType': 'MeasureReport'}", None),
        (
            json_bytes({"resourceType": "Patient", "id": "p1"}),
            "The file's resourceType is neither MeasureReport nor Bundle: upload a "
            "MeasureReport, or a Bundle of MeasureReports.",
        ),
        (json_bytes([measure_report()]), "The file is not a FHIR resource (a JSON object)."),
        (json_bytes({"id": "x"}), "The file has no resourceType: it is not a FHIR resource."),
        (json_bytes({"resourceType": "Bundle", "entry": []}), "The Bundle has no entries."),
    ],
)
def test_malformed_json_or_another_resource_is_one_clear_error(
    users: dict[str, User],
    catalogue: dict[str, Any],
    upload: Upload,
    content: bytes,
    message: str | None,
) -> None:
    batch = upload(users[Role.INFORMATICIST], "odd.json", content)

    assert batch.status == ImportStatus.REJECTED
    assert len(batch.errors) == 1
    error = batch.errors[0]
    assert (error["row"], error["column"]) == (None, None)
    if message is None:  # the parser's own words follow the prefix
        assert error["message"].startswith("The file is not valid JSON: ")
    else:
        assert error["message"] == message
    assert Measurement.objects.count() == 0


def test_a_bundle_malformed_after_good_entries_imports_none_of_them(
    users: dict[str, User], catalogue: dict[str, Any], upload: Upload
) -> None:
    good = json_bytes(bundle(measure_report(), measure_report(start="2024-02", end="2024-02")))
    broken = good[:-2] + b",}"  # the good entries, then the Bundle breaks

    batch = upload(users[Role.INFORMATICIST], "broken.json", broken)

    assert batch.status == ImportStatus.REJECTED
    assert [e["message"].split(":")[0] for e in batch.errors] == ["The file is not valid JSON"]
    assert Measurement.objects.count() == 0
