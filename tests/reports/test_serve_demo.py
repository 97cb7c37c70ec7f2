"""`make run`'s console: the demo accounts are the last lines printed once the server listens
(serve_demo), seed_demo can leave them out, and with no broker the tasks that run in the process
print nothing at INFO (a worker, with a broker, keeps its task log)."""

import logging
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from informatics.demo import DEMO_PASSWORD
from reports.management.commands.seed_demo import demo_account_lines
from reports.management.commands.serve_demo import Command as ServeDemo


def test_serve_demo_lists_the_accounts_after_the_servers_banner() -> None:
    out = StringIO()
    command = ServeDemo(stdout=out)
    # What runserver's handle() sets before it binds.
    vars(command).update(addr="127.0.0.1", protocol="http", _raw_ipv6=False)

    command.on_bind("8000")

    printed = out.getvalue().rstrip("\n").split("\n")
    accounts = demo_account_lines()
    assert printed[-len(accounts) :] == accounts
    assert accounts[0] == f"Demo accounts (password for all: {DEMO_PASSWORD}):"
    assert accounts[-1].split() == [
        "hospitalist@riverside.example",
        "informaticist,",
        "champion",
        DEMO_PASSWORD,
    ]
    assert "Starting WSGI development server at http://127.0.0.1:8000/" in "\n".join(
        printed[: -len(accounts)]
    )


@pytest.mark.django_db
def test_seed_demo_can_leave_the_accounts_to_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("reports.management.commands.seed_demo.DEMO_APPS", ())
    out = StringIO()

    call_command("seed_demo", "--skip-accounts", stdout=out)

    assert out.getvalue() == ""


def test_without_a_broker_task_chatter_stays_off_the_console_at_info() -> None:
    assert settings.CELERY_TASK_ALWAYS_EAGER

    for name in ("celery.app.trace", "weasyprint.progress"):
        assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
    assert not logging.getLogger("kombu.connection").isEnabledFor(logging.WARNING)
    assert logging.getLogger("informatics").isEnabledFor(logging.INFO)
