"""docker/entrypoint.sh, run as the image runs it: production settings, PostgreSQL, gunicorn."""

import json
import os
import secrets
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from django.db.migrations.loader import MigrationLoader

from tests.conftest import port_open, require_service
from tests.ops.conftest import REPO, closed_port, free_port, production_env

ENTRYPOINT = str(REPO / "docker" / "entrypoint.sh")
ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


@pytest.fixture
def smoke_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards. Yields its name."""
    require_service(port_open("127.0.0.1", 5432), "PostgreSQL on 127.0.0.1:5432")
    name = f"informatics_smoke_{secrets.token_hex(4)}"
    admin = psycopg2.connect(ADMIN_DSN)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        yield name
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


class Served:
    """`docker/entrypoint.sh web` in its own process group, with its output in a log file."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = int(env["PORT"])
        self.log = log
        with log.open("wb") as log_file:
            self.process = subprocess.Popen(
                [ENTRYPOINT, "web"],
                cwd=REPO,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def healthz(self, timeout: float = 300) -> tuple[int, dict[str, str]]:
        """Poll /healthz until it answers (any status); fail with the log if it never does.
        A ceiling, not a timing: a fresh start migrates and compresses every static file,
        which on a loaded two-core machine has taken over two minutes."""
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.port}/healthz"
        while True:
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    return response.status, json.loads(response.read())
            except urllib.error.HTTPError as error:
                text = error.read().decode(errors="replace")
                try:
                    return error.code, json.loads(text)
                except ValueError:
                    return error.code, {"not JSON": text}
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the entrypoint never served /healthz:\n{self.log.read_text()}")
                time.sleep(0.5)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def applied_migrations(database: str) -> set[tuple[str, str]]:
    conn = psycopg2.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={database}")
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            rows: set[tuple[str, str]] = set(cursor.fetchall())
    finally:
        conn.close()
    return rows


@pytest.mark.postgres
def test_entrypoint_migrates_serves_and_reports_health(smoke_database: str, tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    env = production_env(
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{smoke_database}",
        VAR_DIR=str(var_dir),
        WEB_CONCURRENCY="2",
        DATABASE_WAIT_SECONDS="20",
    )

    # Given a fresh database, when the web role starts, then it migrates and serves.
    served = Served(env | {"PORT": str(free_port())}, tmp_path / "web.log")
    try:
        status, body = served.healthz()
        assert (status, body) == (
            200,
            {
                "database": "ok",
                "broker": "eager (no broker configured)",
                "cache": "local memory (no Redis configured)",
            },
        ), served.log.read_text()
    finally:
        served.stop()

    log = served.log.read_text()
    assert served.process.returncode == 0, log
    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    assert on_disk <= applied_migrations(smoke_database)
    assert any(app == "informatics" for app, _ in on_disk)
    assert (var_dir / "static" / "staticfiles.json").is_file()  # collected: STATIC_ROOT was empty
    assert '"GET /healthz HTTP/1.1" 200' in log  # gunicorn's access log

    # Given Redis (broker and cache) on a closed port, /healthz answers 503 naming the broker.
    env["REDIS_URL"] = f"redis://127.0.0.1:{closed_port()}/0"
    served = Served(env | {"PORT": str(free_port())}, tmp_path / "web-no-redis.log")
    try:
        status, body = served.healthz()
    finally:
        served.stop()

    assert status == 503, served.log.read_text()
    assert body["database"] == "ok"
    assert body["broker"].startswith("down: ")
    assert body["cache"].startswith("down: ")
    assert "collecting static files" not in served.log.read_text()  # already there


def test_entrypoint_runs_any_other_command(tmp_path: Path) -> None:
    result = subprocess.run(
        [ENTRYPOINT, "python", "-c", "import os; print(os.getcwd())"],
        cwd=tmp_path,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(REPO)  # commands run from the project's root


@pytest.mark.postgres
def test_entrypoint_gives_up_clearly_when_the_database_never_answers(tmp_path: Path) -> None:
    env = production_env(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port()}/informatics",
        VAR_DIR=str(tmp_path / "var"),
        DATABASE_WAIT_SECONDS="2",
    )

    result = subprocess.run(
        [ENTRYPOINT, "migrate"], env=env, capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 1
    assert "entrypoint: the database did not answer: connection to server at" in result.stderr
