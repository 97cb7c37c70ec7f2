"""Time the roll-up refresh on a seeded database (`manage.py seed_scale`): a refresh from
nothing (every stored series deleted first), a refresh after every series changed (the latest
month's measurements moved), and a refresh with nothing changed. Prints one line per case:
the elapsed time and this process's CPU time (the Python part; on a busy machine the steadier
of the two).

    DATABASE_URL=postgres://… .venv/bin/python scripts/rollup_timing.py [--rounds N]

It changes the database's measurements (the latest month's values go up by one, and back
down by one in the next round), so run it on a scratch database only."""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "informatics.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.db.models import Max

    from metrics.models import Measurement, RollupSeries
    from metrics.services.rollups import rollup_refresh

    latest = Measurement.objects.aggregate(latest=Max("period_start"))["latest"]

    def timed(label: str) -> None:
        began, cpu = time.perf_counter(), time.process_time()
        result = rollup_refresh()
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
        print(
            f"{label:<10} {elapsed:7.2f} s ({cpu:5.2f} s Python CPU)  written "
            f"{result.series_written}, unchanged "
            f"{result.series_unchanged}, points written {result.points_written}, "
            f"deleted {result.points_deleted}, errors {len(result.errors)}",
            flush=True,
        )

    for round_number in range(args.rounds):
        RollupSeries.objects.all().delete()
        timed("full")
        step = 1 if round_number % 2 == 0 else -1
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE metrics_measurement SET value = value + %s, denominator = "
                "denominator + %s WHERE period_start = %s",
                [step, step, latest],
            )
        timed("changed")
        timed("unchanged")


if __name__ == "__main__":
    main()
