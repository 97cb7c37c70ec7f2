"""The files of a monthly value report, made from its payload alone (no database reads):
a PDF (WeasyPrint, from the same body template as the web page, sparklines as server SVG), an
XLSX workbook with a sheet per section, and a CSV bundle (a zip of one CSV per section), both
through the kernel's export helper. The same payload always gives the same XLSX and CSV bytes
(and the same PDF bytes: its dates come from the payload's period, not the clock).
"""

from typing import Any

from reports.render.files import report_csv, report_pdf, report_xlsx


def report_files(payload: dict[str, Any]) -> dict[str, bytes]:
    """The report's files: {"pdf": …, "xlsx": …, "csv": …}."""
    return {"pdf": report_pdf(payload), "xlsx": report_xlsx(payload), "csv": report_csv(payload)}


__all__ = ["report_csv", "report_files", "report_pdf", "report_xlsx"]
