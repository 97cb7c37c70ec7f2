"""Production configuration: refuses insecure defaults, passes Django's deployment checks."""

import contextlib
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.ops.conftest import PYTHON, REPO, production_env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def var_dir(tmp_path: Path) -> str:
    return str(tmp_path / "var")


def test_production_refuses_to_start_without_a_secret_key(var_dir: str) -> None:
    result = manage("check", env=production_env(SECRET_KEY="", VAR_DIR=var_dir))

    assert result.returncode != 0
    assert "SECRET_KEY is not set: it is required when DJANGO_DEBUG=false" in result.stderr


def test_production_refuses_to_start_with_a_blank_secret_key(var_dir: str) -> None:
    result = manage("check", env=production_env(SECRET_KEY="   ", VAR_DIR=var_dir))

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(var_dir: str) -> None:
    result = manage("check", env=production_env(ALLOWED_HOSTS="", VAR_DIR=var_dir))

    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set: it is required when DJANGO_DEBUG=false" in result.stderr


def test_production_settings_pass_the_deployment_checks(var_dir: str) -> None:
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env(VAR_DIR=var_dir)
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deployment_checks_flag_a_weak_secret_key(var_dir: str) -> None:
    env = production_env(SECRET_KEY="too-short", VAR_DIR=var_dir)

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_development_defaults_need_no_variables(var_dir: str) -> None:
    env = production_env(
        DJANGO_DEBUG="", SECRET_KEY="", ALLOWED_HOSTS="", DATABASE_URL="", VAR_DIR=var_dir
    )

    result = manage("check", env=env)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def sqlite_tables(path: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(path)) as database:
        rows = database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return [name for (name,) in rows]


def test_seed_demo_refuses_a_production_configuration_without_force(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    env = production_env(DATABASE_URL=f"sqlite:///{database}", VAR_DIR=str(tmp_path / "var"))

    result = manage("seed_demo", env=env)

    assert result.returncode == 1
    assert "--force" in result.stderr
    # Refused before writing anything: the system checks may open the file (and, as SQLite
    # transactions begin IMMEDIATE, Django's JSON feature probe writes an empty file's header),
    # nothing more: no table.
    assert not database.exists() or sqlite_tables(database) == []
