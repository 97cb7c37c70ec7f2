"""`manage.py seed_demo`: load the Riverside Health demo health system (DOMAIN.md §7).

Each app seeds its own part in its `demo.py`; this command calls them in dependency order,
in one transaction, skipping an app whose `demo.py` defines no `seed(*, stdout)` yet.
"""

from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from informatics.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

# Dependency order (DESIGN.md): each app's demo data may refer to the apps before it.
DEMO_APPS = ("informatics", "intake", "initiatives", "metrics", "governance", "reports")


class Command(BaseCommand):
    help = (
        "Load the Riverside Health demo: facilities, one account per role, strategic "
        "priorities and each app's demo records. Safe to run again. Refused in production "
        "unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even though DJANGO_DEBUG=false (production settings).",
        )
        parser.add_argument(
            "--skip-accounts",
            action="store_true",
            help="Do not list the demo accounts (serve_demo lists them once the server runs).",
        )

    def handle(
        self, *args: Any, force: bool = False, skip_accounts: bool = False, **options: Any
    ) -> None:
        if settings.PRODUCTION and not force:
            raise CommandError(
                "Refusing to load demo data with production settings (DJANGO_DEBUG=false): it "
                "creates accounts with a published password. Use --force if this really is a "
                "demo server."
            )
        with transaction.atomic():
            for app in DEMO_APPS:
                seed = getattr(import_module(f"{app}.demo"), "seed", None)
                if callable(seed):
                    seed(stdout=self.stdout)
        if not skip_accounts:
            self.stdout.write("\n".join(["", *demo_account_lines()]))


def demo_account_lines() -> list[str]:
    """The demo accounts as a table: e-mail, roles, password."""
    width = max(len(account.email) for account in DEMO_ACCOUNTS)
    return [
        f"Demo accounts (password for all: {DEMO_PASSWORD}):",
        f"  {'e-mail'.ljust(width)}  {'roles'.ljust(27)}  password",
        *(
            f"  {account.email.ljust(width)}  {', '.join(account.roles).ljust(27)}  {DEMO_PASSWORD}"
            for account in DEMO_ACCOUNTS
        ),
    ]
