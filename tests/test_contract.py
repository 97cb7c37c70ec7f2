"""The API keeps its contract: schemathesis (every check) fuzzes each operation of the OpenAPI
document against a live server holding the demo health system, as the CMIO and as a champion,
each on a freshly seeded database (what one role's fuzzing writes, the other never sees).

CI runs it in the PostgreSQL pass with a fixed seed, CONTRACT_EXAMPLES examples per operation and
the examples and fuzzing phases (CONTRACT_PHASES), to keep CI's run short; `make contract` runs
every phase (coverage and stateful too) with 200 examples and a fresh seed. CONTRACT_SEED,
CONTRACT_EXAMPLES and CONTRACT_PHASES replay a run; the output names each failure with a curl
command that reproduces it."""

import os
import re
import subprocess
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from informatics.models import User
from tests.ops.conftest import VENV_BIN

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CONFIG = Path(__file__).with_name("schemathesis.toml")
SEED = int(os.environ.get("CONTRACT_SEED") or 20261204)
EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES") or 5)
PHASES = os.environ.get("CONTRACT_PHASES") or "examples,fuzzing"


def failures(output: str) -> set[tuple[str, str]]:
    """(operation, failure code) of each failure schemathesis reported."""
    section = output.partition("= FAILURES =")[2].partition("= SUMMARY =")[0]
    found: set[tuple[str, str]] = set()
    operation = ""
    for line in section.splitlines():
        heading = re.fullmatch(r"_{3,} (.+?) _{3,}", line.strip())
        if heading:
            operation = heading.group(1)
        code = re.match(r"- (ST\d+) ", line.strip())
        if code:
            found.add((operation, code.group(1)))
    return found


@pytest.mark.parametrize("email", ["cmio@riverside.example", "champion@riverside.example"])
def test_every_operation_keeps_the_schema_for(
    email: str, live_server: Any, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=StringIO())
    schema = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema))
    token, _ = Token.objects.get_or_create(user=User.objects.get(email=email))
    started = time.monotonic()

    run = subprocess.run(
        [
            str(VENV_BIN / "st"),
            "--config-file",
            str(CONFIG),
            "run",
            str(schema),
            "--url",
            live_server.url,
            "--header",
            f"Authorization: Token {token.key}",
            "--checks",
            "all",
            "--max-examples",
            str(EXAMPLES),
            "--seed",
            str(SEED),
            "--phases",
            PHASES,
            "--workers",
            "1",
            # Background jobs (a report's build) run inside the request here, as in every test.
            "--max-response-time",
            "30",
            "--request-timeout",
            "60",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
        cwd=tmp_path,  # schemathesis keeps its cache in the folder it runs in
    )

    summary = run.stdout[run.stdout.rfind("SUMMARY") :]
    (tmp_path / "schemathesis.txt").write_text(run.stdout + run.stderr)
    found = failures(run.stdout)
    print(f"{email}: seed {SEED}, {EXAMPLES} examples, phases {PHASES}")
    print(f"{time.monotonic() - started:.0f} s")
    print(summary)
    print(f"Full report: {tmp_path / 'schemathesis.txt'}")
    report = run.stdout[-20000:] + run.stderr[-2000:]
    assert summary, report  # schemathesis ran to its summary
    assert "Errors:" not in summary, report
    assert not found, report
    assert run.returncode == 0, report
