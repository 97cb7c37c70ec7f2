"""Each of the report's files from its payload."""

import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from informatics.export import csv_bytes, xlsx_bytes, zip_bytes
from reports.render.tables import report_tables

REPORT_CSS = Path(settings.BASE_DIR) / "static" / "css" / "report.css"


def issued_moment(payload: dict[str, Any]) -> datetime.datetime:
    """The files' creation time: midnight UTC after the period's last day, so the same payload
    dates its files the same whatever the clock says."""
    end = datetime.date.fromisoformat(str(payload["period"]["end"]))
    next_day = end + datetime.timedelta(days=1)
    return datetime.datetime.combine(next_day, datetime.time(), datetime.UTC)


def report_xlsx(payload: dict[str, Any]) -> bytes:
    """A workbook with a sheet per section, each with a header row."""
    moment = issued_moment(payload).replace(tzinfo=None)
    return xlsx_bytes(report_tables(payload), created=moment)


def report_csv(payload: dict[str, Any]) -> bytes:
    """A zip of one CSV per section ("1-headline.csv" … "6-appendix.csv"), in that order."""
    return zip_bytes(
        [
            (f"{index}-{title.lower()}.csv", csv_bytes(header=header, rows=rows))
            for index, (title, header, rows) in enumerate(report_tables(payload), start=1)
        ]
    )


def report_html(payload: dict[str, Any]) -> str:
    """The PDF's HTML: the shared body with sources as labels, dated from the payload."""
    return render_to_string(
        "reports/report_pdf.html",
        {"payload": payload, "created": issued_moment(payload).strftime("%Y-%m-%dT%H:%M:%SZ")},
    )


def report_pdf(payload: dict[str, Any]) -> bytes:
    """The report as a PDF (WeasyPrint), styled by the web page's report.css."""
    from weasyprint import CSS, HTML  # heavy: loaded only when a PDF is made

    html = HTML(string=report_html(payload), base_url=str(settings.BASE_DIR))
    pdf: bytes = html.write_pdf(stylesheets=[CSS(filename=str(REPORT_CSS))])
    return pdf
