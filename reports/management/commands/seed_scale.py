"""`manage.py seed_scale`: a health system at the size of a large one, for `make bench`.

PostgreSQL only: rows are generated set-wise in the database (reports/scale.py), then the
roll-ups are computed by the metrics app's service. It refuses a database that already holds
users, facilities, requests, initiatives, metrics or measurements (it is not idempotent: seed a
freshly migrated database), and production settings unless --force.
"""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from reports import scale


class Command(BaseCommand):
    help = (
        "Generate a large health system in an empty PostgreSQL database: 40 facilities, "
        "3,000 users, 30,000 requests, 2,000 initiatives, 300 metrics with 1,020,000 "
        "measurements, and their roll-ups (--small: a tenth; --tiny: a few hundred rows, for "
        "tests). Refuses a database holding data, and production settings unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sizes = parser.add_mutually_exclusive_group()
        sizes.add_argument("--small", action="store_true", help="A tenth of the full size.")
        sizes.add_argument("--tiny", action="store_true", help="A few hundred rows, for tests.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even though DJANGO_DEBUG=false (production settings).",
        )

    def handle(
        self,
        *args: Any,
        small: bool = False,
        tiny: bool = False,
        force: bool = False,
        **options: Any,
    ) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                f"seed_scale needs PostgreSQL (this database is {connection.vendor}): set "
                "DATABASE_URL=postgres://… to an empty, migrated database."
            )
        if settings.PRODUCTION and not force:
            raise CommandError(
                "Refusing to load scale data with production settings (DJANGO_DEBUG=false): it "
                "creates accounts with a published password. Use --force if this really is a "
                "test server."
            )
        found = scale.existing_data()
        if found:
            listed = ", ".join(f"{count} {name}" for name, count in found.items())
            raise CommandError(
                f"Refusing to seed: the database already holds {listed}. seed_scale adds to an "
                "empty database only; migrate a fresh one."
            )
        size = scale.SIZES["tiny" if tiny else "small" if small else "full"]
        self.stdout.write(
            f"Seeding the {size.name} size: {size.facilities} facilities, {size.users} users, "
            f"{size.requests} requests, {size.initiatives} initiatives, {size.metrics} metrics, "
            f"{size.measurements} measurements"
        )
        began = time.monotonic()
        counts = scale.seed(size, say=self.stdout.write)
        self.stdout.write(f"Done in {time.monotonic() - began:.0f} s. Rows:")
        for table, count in counts.items():
            self.stdout.write(f"  {table:<34} {count:>10,}")
        self.stdout.write(
            f"Sign in as {scale.CMIO_EMAIL} (CMIO) or {scale.CMO_EMAIL} (CMO), password "
            f"{scale.SCALE_PASSWORD}."
        )
