"""Helpers for the operations tests: the repository's own programs run as subprocesses."""

import os
import secrets
import socket
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
PYTHON = str(VENV_BIN / "python")
# Redis database kept for tests, so that nothing they write lands in db 0.
TEST_REDIS_DB = 14


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (just freed; good enough for a test)."""
    return free_port()


def base_env() -> dict[str, str]:
    """A minimal environment: none of the caller's DATABASE_URL, REDIS_URL, SECRET_KEY…"""
    env = {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": os.environ.get("HOME", str(Path.home())),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if "CI" in os.environ:
        env["CI"] = os.environ["CI"]
    return env


def production_env(**overrides: str) -> dict[str, str]:
    """The variables a production deployment sets (see .env.example)."""
    env = base_env() | {
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "portal.example.org",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/informatics",
        "EMAIL_BACKEND": "smtp",
        "EMAIL_HOST": "smtp.example.org",
    }
    env.update(overrides)
    return {name: value for name, value in env.items() if value != ""}
