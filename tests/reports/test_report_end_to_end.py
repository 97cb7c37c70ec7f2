"""The monthly value report from data to download, with the real parts: issue 13's known
answers (tests/metrics/test_value.py's KnownWorld) built by the build job, signed off, then
downloaded by an executive as PDF (read back with pdftotext), XLSX (read back with openpyxl)
and CSV bundle (unzipped); and every link on the web report followed (Done when 3 and 8)."""

import csv
import datetime
import hashlib
import io
import re
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]  # stubs not installed
import pytest
from django.test import Client

from informatics.models import User
from reports.models import ValueReport
from tests.metrics.test_value import KnownWorld
from tests.reports.report_world import NOVEMBER, build, issued

NOW = datetime.datetime(2026, 12, 15, 12, 0, tzinfo=datetime.UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

HEADLINE_TEXTS = ("$50,000", "$115,000", "$230,000", "$12,000", "$100,000", "65%")


@pytest.fixture
def report(users: dict[str, User]) -> ValueReport:
    KnownWorld(users)
    _, draft = build(users["cmio"], NOVEMBER)
    return issued(users["cmio"], users["cmo"], draft)


def download(client: Client, report: ValueReport, kind: str) -> bytes:
    response = client.get(f"/reports/{report.pk}/download/{kind}/")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert response["X-Content-SHA256"] == hashlib.sha256(content).hexdigest()
    return content


def test_the_payload_holds_the_known_answers(report: ValueReport) -> None:
    headline = report.payload["headline"]
    figures = {name: headline[name]["value"] for name in headline}
    assert figures == {
        "hard_savings": "50000.00",
        "cost_avoidance": "115000.00",
        "harms_avoided": "5.00",
        "time_value": "12000.00",
        "costs": "100000.00",
        "roi": "0.65",
    }
    assert headline["cost_avoidance"]["gross"] == "230000.00"
    scorecard = {
        row["metric"]["code"]: row["latest"]["value"] for row in report.payload["scorecard"]
    }
    assert set(scorecard) == {"Q2", "E3"}


def test_an_executive_downloads_the_pdf_and_finds_the_headline_and_scorecard(
    report: ValueReport, client_for: Any, tmp_path: Path
) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(download(client_for("executive"), report, "pdf"))
    text = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    flat = re.sub(r"\s+", " ", text)
    for figure in HEADLINE_TEXTS:
        assert figure in flat, figure
    assert "November 2026" in flat
    for row in report.payload["scorecard"]:
        assert row["metric"]["name"] in flat
        latest = Decimal(row["latest"]["value"]).normalize()
        assert f"{latest:f}" in flat, row["metric"]["code"]


def test_an_executive_downloads_the_workbook_with_the_figures_as_numbers(
    report: ValueReport, client_for: Any
) -> None:
    book = openpyxl.load_workbook(io.BytesIO(download(client_for("executive"), report, "xlsx")))
    assert book.sheetnames == [
        "Headline",
        "Scorecard",
        "Portfolio",
        "Pipeline",
        "Decisions",
        "Appendix",
    ]
    headline = book["Headline"]
    values = {headline.cell(row, 1).value: headline.cell(row, 3).value for row in range(2, 8)}
    assert values == {
        "Hard savings": 50000,
        "Cost avoidance (attributed)": 115000,
        "Harms avoided": 5,
        "Clinician time value (not in ROI)": 12000,
        "Costs": 100000,
        "ROI": 0.65,
    }
    assert {type(value) for value in values.values()} <= {int, float}  # numbers, not texts
    scorecard = book["Scorecard"]
    header = [cell.value for cell in scorecard[1]]
    codes = {
        row[header.index("Metric")] for row in scorecard.iter_rows(min_row=2, values_only=True)
    }
    assert codes == {"Q2", "E3"}


def test_an_executive_downloads_the_csv_bundle(report: ValueReport, client_for: Any) -> None:
    bundle = zipfile.ZipFile(io.BytesIO(download(client_for("executive"), report, "csv")))
    assert bundle.namelist() == [
        "1-headline.csv",
        "2-scorecard.csv",
        "3-portfolio.csv",
        "4-pipeline.csv",
        "5-decisions.csv",
        "6-appendix.csv",
    ]
    rows = list(csv.reader(io.StringIO(bundle.read("1-headline.csv").decode("utf-8-sig"))))
    first_values = {row[0]: row[2] for row in rows[1:7]}
    assert first_values == {
        "Hard savings": "50000.00",
        "Cost avoidance (attributed)": "115000.00",
        "Harms avoided": "5.00",
        "Clinician time value (not in ROI)": "12000.00",
        "Costs": "100000.00",
        "ROI": "0.65",
    }


@pytest.mark.parametrize("role", ["cmo", "cmio", "executive"])
def test_every_link_on_the_web_report_resolves(
    report: ValueReport, client_for: Any, role: str
) -> None:
    """Followed as each reader: a source the reader may not open (an import batch, for the CMO
    and executives) shows as its label, unlinked."""
    client = client_for(role)
    page = client.get(f"/reports/{report.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    body = html[html.index('<article class="report">') :]
    links = sorted(set(re.findall(r'href="(/[^"#]*)', body)))
    # every figure's sources, at least: the two metrics, their series, the import batch, both
    # initiatives and the financial entries' initiative
    assert len(links) >= 5
    broken = {}
    for link in links:
        response = client.get(link.replace("&amp;", "&"))
        if response.status_code != 200:
            broken[link] = response.status_code
    assert broken == {}
    batch_links = [link for link in links if link.startswith("/metrics/imports/")]
    assert len(batch_links) == (1 if role == "cmio" else 0)
    assert "clabsi-2026-11.csv" in body
