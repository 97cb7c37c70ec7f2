"""The report's files from its payload: the PDF's text holds the headline and scorecard figures,
the workbook holds them as numbers in their cells, the CSV bundle holds one CSV per section;
the same payload gives the same bytes at any time; texts that a spreadsheet would run are
neutralised."""

import csv
import datetime
import io
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]  # stubs not installed
import pytest
import time_machine

from reports.render import report_csv, report_files, report_pdf, report_xlsx
from tests.reports.payloads import sample_payload

SECTIONS = ["Headline", "Scorecard", "Portfolio", "Pipeline", "Decisions", "Appendix"]
EVIL = '=HYPERLINK("http://evil.example","click")'


def pdf_text(content: bytes, tmp_path: Path, *, layout: bool = True) -> str:
    """The PDF's words, spaces collapsed: laid out as on the page (rows of a table on one
    line), or in reading order (each cell's lines together)."""
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    done = subprocess.run(
        ["/usr/bin/pdftotext", *(["-layout"] if layout else []), str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    )
    return " ".join(done.stdout.split())


def workbook(content: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(content))


def csv_members(content: bytes) -> dict[str, list[list[str]]]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return {
        name: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
        for name in archive.namelist()
    }


def test_report_files_gives_the_three_files() -> None:
    files = report_files(sample_payload())

    assert sorted(files) == ["csv", "pdf", "xlsx"]
    assert files["pdf"].startswith(b"%PDF-")
    assert files["xlsx"].startswith(b"PK")
    assert files["csv"].startswith(b"PK")


def test_pdf_text_holds_the_headline_and_scorecard_figures(tmp_path: Path) -> None:
    content = report_pdf(sample_payload())
    text = pdf_text(content, tmp_path)

    assert "Monthly value report: November 2026" in text
    assert "Riverside Health" in text
    assert "Hard savings $50,000" in text
    assert "$115,000 Gross $230,000 before attribution" in text
    assert "Harms avoided 5 2.5 attributed" in text
    assert "Clinician time value $12,000 Not counted in the ROI" in text
    assert "Costs $100,000" in text
    assert "Return on investment 65% Beside it, not in it: clinician time value" in text
    assert "AHRQ 2017 CLABSI cost" in text  # the unit cost's source (wrapped in its cell)
    cells = pdf_text(content, tmp_path, layout=False)
    assert "E1 Documentation minutes per clinician-day minutes 6 2026-11-30 — —" in cells
    assert (
        "Q2 CLABSI per 1,000 line-days per 1,000 line-days 1.5 2026-11-30 1.2 by 2027-06-30 63%"
        in cells
    )
    assert "F3 Avoidable readmissions per 100 discharges 8.4 2026-11-30 7 by 2027-03-31" in cells
    assert "Incomplete month: not read as a signal" in cells
    # Paper has no links: the sources are labels.
    assert "Sources: Q2 system roll-up; Import #21 clabsi-nov.csv" in text


def test_pdf_shows_the_narrative_when_there_is_one(tmp_path: Path) -> None:
    payload = sample_payload(narrative="CLABSI fell for the third month running.")

    text = pdf_text(report_pdf(payload), tmp_path)

    assert "Narrative CLABSI fell for the third month running." in text


def test_pdf_is_dated_from_the_payload_and_the_same_at_any_time(tmp_path: Path) -> None:
    with time_machine.travel(datetime.datetime(2026, 12, 1, 6, 0, tzinfo=datetime.UTC)):
        first = report_pdf(sample_payload())
    with time_machine.travel(datetime.datetime(2027, 2, 3, 9, 0, tzinfo=datetime.UTC)):
        second = report_pdf(sample_payload())

    assert first == second
    path = tmp_path / "report.pdf"
    path.write_bytes(first)
    info = subprocess.run(
        ["/usr/bin/pdfinfo", "-isodates", str(path)], capture_output=True, check=True, text=True
    ).stdout
    assert "CreationDate:    2026-12-01T00:00:00Z" in info
    assert "ModDate:         2026-12-01T00:00:00Z" in info
    assert "Title:           Riverside Health: monthly value report, November 2026" in info


def test_xlsx_has_a_sheet_per_section_with_a_header_row() -> None:
    book = workbook(report_xlsx(sample_payload()))

    assert book.sheetnames == SECTIONS
    assert [book[name]["A1"].value for name in SECTIONS] == [
        "Figure",
        "Value category",
        "Priority",
        "Measure",
        "Status",
        "Row",
    ]


def test_xlsx_headline_figures_are_numbers_in_their_cells() -> None:
    sheet = workbook(report_xlsx(sample_payload()))["Headline"]

    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2, max_row=7)]
    assert [(row[0], row[2], row[3], row[4], row[5]) for row in rows] == [
        ("Hard savings", 50000, "USD", None, None),
        ("Cost avoidance (attributed)", 115000, "USD", 230000, None),
        ("Harms avoided", 5, "events", None, 2.5),
        ("Clinician time value (not in ROI)", 12000, "USD", None, None),
        ("Costs", 100000, "USD", None, None),
        ("ROI", 0.65, "ratio", None, None),
    ]
    assert {sheet.cell(row=r, column=3).data_type for r in range(2, 8)} == {"n"}
    # The cost avoidance line: attributed, gross, attribution %, unit cost and its source.
    line = [cell.value for cell in sheet[9]]
    assert line[:9] == [
        "Cost avoidance (attributed)",
        "Q2",
        115000,
        "USD",
        230000,
        115000,
        50,
        46000,
        "AHRQ 2017 CLABSI cost estimate",
    ]


def test_xlsx_scorecard_rows_hold_each_metric_latest_value() -> None:
    sheet = workbook(report_xlsx(sample_payload()))["Scorecard"]

    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [(row[1], row[5], row[7], row[9], row[15], row[16]) for row in rows] == [
        ("E1", 6, None, None, "2026-11-30", "no"),
        ("Q2", 1.5, 1.2, 0.63, "2026-11-30", "no"),
        ("F3", 8.4, 7, 0.25, "2026-11-20", "yes"),
    ]
    assert sheet["F3"].data_type == "n"
    assert rows[1][12:15] == [1.8, 0.9, 2.7]  # centre, lower and upper limits


def test_csv_bundle_has_one_csv_per_section_in_order() -> None:
    members = csv_members(report_csv(sample_payload()))

    assert list(members) == [
        "1-headline.csv",
        "2-scorecard.csv",
        "3-portfolio.csv",
        "4-pipeline.csv",
        "5-decisions.csv",
        "6-appendix.csv",
    ]
    headline = members["1-headline.csv"]
    assert headline[0][:3] == ["Figure", "Line", "Value"]
    assert [(row[0], row[2], row[4]) for row in headline[1:7]] == [
        ("Hard savings", "50000.00", ""),
        ("Cost avoidance (attributed)", "115000.00", "230000.00"),
        ("Harms avoided", "5.00", ""),
        ("Clinician time value (not in ROI)", "12000.00", ""),
        ("Costs", "100000.00", ""),
        ("ROI", "0.65", ""),
    ]
    assert [(row[1], row[5]) for row in members["2-scorecard.csv"][1:]] == [
        ("E1", "6.00"),
        ("Q2", "1.50"),
        ("F3", "8.40"),
    ]
    assert [row[:2] for row in members["4-pipeline.csv"][1:4]] == [
        ["Requests received", "12"],
        ["Requests decided", "9"],
        ["Requests delivered", "4"],
    ]
    assert members["5-decisions.csv"][1][:3] == ["Taken", "approve", "Central line bundle"]
    assert members["6-appendix.csv"][-1][:3] == ["Rule preset", "", "nhs_mdc"]


def test_the_same_payload_gives_the_same_xlsx_and_csv_bytes_at_any_time() -> None:
    with time_machine.travel(datetime.datetime(2026, 12, 1, 6, 0, tzinfo=datetime.UTC)):
        first = (report_xlsx(sample_payload()), report_csv(sample_payload()))
    with time_machine.travel(datetime.datetime(2027, 2, 3, 9, 0, tzinfo=datetime.UTC)):
        second = (report_xlsx(sample_payload()), report_csv(sample_payload()))

    assert first == second
    properties = workbook(first[0]).properties
    assert properties.created == datetime.datetime(2026, 12, 1)
    assert properties.modified == datetime.datetime(2026, 12, 1)


def test_a_changed_figure_changes_the_bytes() -> None:
    changed = sample_payload()
    changed["headline"]["costs"]["value"] = "100001.00"

    assert report_xlsx(changed) != report_xlsx(sample_payload())
    assert report_csv(changed) != report_csv(sample_payload())


@pytest.mark.parametrize("where", ["rationale", "subject"])
def test_payload_texts_starting_with_a_formula_are_neutralised(where: str) -> None:
    payload = sample_payload()
    payload["decisions"]["taken"][0][where] = EVIL

    sheet = workbook(report_xlsx(payload))["Decisions"]
    column = {"subject": "C", "rationale": "E"}[where]
    assert sheet[f"{column}2"].value == "'" + EVIL
    assert sheet[f"{column}2"].data_type == "s"
    row = csv_members(report_csv(payload))["5-decisions.csv"][1]
    assert row[{"subject": 2, "rationale": 4}[where]] == "'" + EVIL
