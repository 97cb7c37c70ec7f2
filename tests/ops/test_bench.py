"""`scripts/bench` (make bench) runs end to end at the tiny size, so the tool cannot rot: it
migrates a database of its own and seeds it with `seed_scale --tiny`, serves it with gunicorn
under production settings, signs in through the login form and writes a JSON row, with numbers,
per scenario; then imports a generated feed of 3,000 rows through the import job beside its
floors (\\copy, one INSERT … SELECT … GROUP BY) on copies of that database."""

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from tests.conftest import port_open, require_service
from tests.ops.conftest import REPO, TEST_REDIS_DB, base_env

pytestmark = [pytest.mark.postgres, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SCENARIOS = [
    "CMIO landing",
    "request list",
    "API requests",
    "request detail",
    "measurements API, page 1",
    # tiny: 360 measurements, 8 pages of 50; the middle one.
    "measurements API, page 4",
    "triage queue",
    "portfolio",
    "CMO landing",
    "metric page",
    "request CSV",
    "initiative CSV",
]
INGEST = ["import 3,000 rows", "roll-up after the import", "import + roll-up"]


def database_url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    )


@pytest.fixture
def bench_database() -> Iterator[str]:
    """A database of the bench's own, empty, beside the test database: the ingest rounds copy
    it (CREATE DATABASE … TEMPLATE), which no one else may be connected to — and a session's
    live server keeps a connection to the test database open."""
    name = f"{connection.settings_dict['NAME']}_bench"[:63]
    admin = psycopg2.connect(database_url("postgres"))
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        yield database_url(name)
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


def test_bench_at_tiny_size_writes_every_scenario_with_numbers(
    tmp_path: Path, bench_database: str
) -> None:
    require_service(port_open("127.0.0.1", 6379), "Redis (127.0.0.1:6379)")
    output = tmp_path / "tiny.json"
    finished = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "bench"),
            "--size=tiny",
            f"--database-url={bench_database}",
            "--rounds=1",
            "--requests=1",
            "--clients=2",
            "--per-client=1",
            "--workers=2",
            "--celery-workers=2",
            f"--output={output}",
        ],
        env=base_env() | {"BENCH_BROKER_URL": f"redis://127.0.0.1:6379/{TEST_REDIS_DB}"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]

    result = json.loads(output.read_text())
    assert result["size"] == "tiny"
    assert [row["scenario"] for row in result["scenarios"]] == SCENARIOS
    for row in result["scenarios"]:
        assert row["failures"] == [], row
        for name in ("median_ms", "floor_ms", "ratio", "rps", "floor_rps"):
            assert isinstance(row[name], int | float), (row["scenario"], name)
            assert row[name] > 0, (row["scenario"], name)
        assert row["requests"] == 1 + 2  # one single, two clients (the warm-up is not counted)
        assert row["target"]
    assert result["floor"]["path"] == "/healthz"
    assert result["floor"]["median_ms"] > 0
    # The table on stdout has a line per scenario and the floor.
    pages, ingest = (block.splitlines() for block in finished.stdout.split("\n\n"))
    assert pages[0].split()[:3] == ["scenario", "median", "ms"]
    assert [line.split("  ")[0] for line in pages[2:]] == [*SCENARIOS, "floor: /healthz"]

    # Ingest: the import, its roll-up and both together, each beside its floor.
    rows = {row["scenario"]: row for row in result["ingest"]}
    assert list(rows) == INGEST
    for row in rows.values():
        assert row["failures"] == [], row
        assert row["rows"] == 3000
        assert row["rounds"] == 1
        for name in ("median_ms", "floor_ms", "ratio", "rows_per_s", "floor_rows_per_s"):
            assert isinstance(row[name], int | float), (row["scenario"], name)
            assert row[name] > 0, (row["scenario"], name)
    assert rows["import 3,000 rows"]["floor"] in (
        "psql \\copy into metrics_measurement",
        "psycopg2 copy_expert into metrics_measurement",
    )
    assert rows["import + roll-up"]["floor"] == rows["import 3,000 rows"]["floor"]
    assert rows["roll-up after the import"]["floor"] == "INSERT … SELECT … GROUP BY"
    assert rows["import 3,000 rows"]["peak_rss_mb"] > 0
    assert rows["import 3,000 rows"]["target"].startswith("≥ 0.8× \\copy rows/s")
    assert rows["import + roll-up"]["target"] == "≤ 3× \\copy"
    assert [line.split("  ")[0] for line in ingest[2:5]] == INGEST
    # The jobs ran as a deployment runs them: a worker's processes, the roll-up split in two.
    assert {row["jobs"] for row in rows.values()} == {"by a Celery worker of 2 processes"}
    assert ingest[5:] == [
        f"floor of import, end to end: {rows['import 3,000 rows']['floor']}",
        "floor of roll-up: INSERT … SELECT … GROUP BY",
        "jobs run by a Celery worker of 2 processes",
    ]
