"""Done when 7: a 100,000-row CSV uploaded through the API is imported by a real Celery worker
(through Redis, `--pool solo`, so the import runs in the worker's own process); its progress,
polled through the API, only rises and ends at the row count; the worker's peak resident memory
grows by less than 150 MB over the import.

How memory is measured: the import job records the process's peak resident set size
(getrusage ru_maxrss) when it starts and when it ends (JobRun.result, operational data). The
worker is started for this test alone, so its peak before the import is its own start-up
footprint; the difference is how far the import raised it. A file loaded whole (about 11 MB of
text, several times that as Python objects) would show here.
"""

import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from informatics.celery import app as celery_app
from informatics.choices import FacilityKind, Role
from informatics.models import Facility, JobRun, User
from metrics.choices import ChartType, Direction, ImportStatus
from metrics.imports import COLUMNS
from metrics.models import Measurement
from metrics.tasks import ROLLUP_KIND
from tests.conftest import ApiAs, through_broker
from tests.metrics.factories import MetricFactory, add_months, month_end

ROWS = 100_000
FACILITIES = 50
METRICS = 4
MONTHS = ROWS // (FACILITIES * METRICS)  # 500 months each, ending with last month
LIMIT_KIB = 150 * 1024


def write_rows(path: Path) -> None:
    """The file, written line by line (never whole in memory): every metric × facility ×
    month, numerator n over denominator 400, value = n ÷ 400 × 100 to two decimals. The
    worker checks periods against its own (real) clock, so the months end with last month."""
    first = add_months(timezone.localdate(), -MONTHS)
    extracted_at = timezone.now().replace(microsecond=0).isoformat()
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(COLUMNS) + "\r\n")
        n = 0
        for metric in range(METRICS):
            for facility in range(FACILITIES):
                for month in range(MONTHS):
                    start = add_months(first, month)
                    numerator = n % 97
                    value = Decimal(numerator) / 4
                    out.write(
                        f"W{metric},w-{facility},{start},{month_end(start)},{numerator},400,"
                        f"{value:.2f},%,warehouse,2024.1,{extracted_at}\r\n"
                    )
                    n += 1


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_100000_row_file_is_imported_by_a_worker_with_rising_progress_in_bounded_memory(
    worker: str, tmp_path: Path, make_user: Any, api_as: ApiAs
) -> None:
    system = Facility.objects.create(code="w-sys", name="W system", kind=FacilityKind.SYSTEM)
    Facility.objects.bulk_create(
        [
            Facility(code=f"w-{n}", name=f"W {n}", kind=FacilityKind.HOSPITAL, parent=system)
            for n in range(FACILITIES)
        ]
    )
    for n in range(METRICS):
        MetricFactory.create(
            code=f"W{n}", unit="%", multiplier=Decimal(100), direction=Direction.LOWER,
            chart_type=ChartType.P,
        )  # fmt: skip
    user: User = make_user(Role.INFORMATICIST)
    client = api_as(user)
    path = tmp_path / "measurements.csv"
    write_rows(path)
    assert tmp_path / "media" == settings.MEDIA_ROOT

    seen: list[tuple[str, int, int | None]] = []
    saved_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = worker
    try:
        with through_broker(), path.open("rb") as upload:
            response = client.post("/api/v1/imports/", {"file": upload}, format="multipart")
            assert response.status_code == 202, response.content
            url = f"/api/v1/imports/{response.json()['id']}/"
            deadline = time.monotonic() + 600
            while True:
                body = client.get(url).json()
                seen.append((body["status"], body["progress_done"], body["progress_total"]))
                if body["status"] not in (ImportStatus.PENDING, ImportStatus.RUNNING):
                    break
                assert time.monotonic() < deadline, f"still {body['status']} after 600 s"
                time.sleep(0.05)
    finally:
        celery_app.conf.task_default_queue = saved_queue

    assert body["status"] == ImportStatus.DONE, body["errors"]
    assert (body["rows_total"], body["rows_inserted"], body["rows_rejected"]) == (ROWS, ROWS, 0)
    done = [progress for _, progress, _ in seen]
    assert done == sorted(done), "progress went down"
    assert (done[-1], seen[-1][2]) == (ROWS, ROWS)
    assert any(0 < progress < ROWS for progress in done), f"no progress seen on the way: {seen}"
    assert Measurement.objects.count() == ROWS

    job = JobRun.objects.get(import_batch__pk=body["id"])
    grown = job.result["peak_rss_kib_after"] - job.result["peak_rss_kib_before"]
    print(
        f"\n100,000 rows: {job.result['seconds']} s in the worker, peak RSS "
        f"{job.result['peak_rss_kib_before'] / 1024:.0f} → "
        f"{job.result['peak_rss_kib_after'] / 1024:.0f} MiB (+{grown / 1024:.1f} MiB), "
        f"resident {job.result['rss_kib_before'] / 1024:.0f} → "
        f"{job.result['rss_kib_after'] / 1024:.0f} MiB, {len(seen)} polls"
    )
    assert grown < LIMIT_KIB
    rollup = JobRun.objects.get(kind=ROLLUP_KIND)
    assert sorted(rollup.scope["metric_ids"]) == sorted(
        set(Measurement.objects.values_list("metric_id", flat=True))
    )
