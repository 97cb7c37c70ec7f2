"""The report's files from its payload (placeholder: the renderer replaces it)."""

import io
import zipfile
from typing import Any

from informatics.export import csv_rows


def report_files(payload: dict[str, Any]) -> dict[str, bytes]:
    """{"pdf", "xlsx", "csv"} bytes of one payload; pure (no database reads)."""
    rows = [
        [name, figure.get("value")] for name, figure in sorted(payload.get("headline", {}).items())
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        info = zipfile.ZipInfo("headline.csv", date_time=(1980, 1, 1, 0, 0, 0))
        bundle.writestr(info, "".join(csv_rows(header=["figure", "value"], rows=rows)))
    return {"csv": buffer.getvalue(), "pdf": b"", "xlsx": b""}
