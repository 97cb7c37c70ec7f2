"""scripts/awkward-now: the instants CI moves the SQLite pass's clock to, and the TEST_NOW reader
in tests/conftest.py that takes them."""

import calendar
import datetime
import os
import subprocess
import zoneinfo

import pytest

from tests.conftest import TEST_NOW_ZONE, clock_from_env
from tests.ops.conftest import PYTHON, REPO

SCRIPT = str(REPO / "scripts" / "awkward-now")
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def draw(*args: str) -> tuple[datetime.datetime, str]:
    result = subprocess.run(
        [PYTHON, SCRIPT, *args], capture_output=True, text=True, check=True, timeout=30
    )
    instant, kind = result.stdout.split()
    return datetime.datetime.fromisoformat(instant), kind


def exists_in_chicago(local: datetime.datetime) -> bool:
    """A wall-clock time that exists survives the trip to UTC and back."""
    there = local.replace(tzinfo=CHICAGO)
    return there.astimezone(datetime.UTC).astimezone(CHICAGO).replace(tzinfo=None) == local


def is_ambiguous_in_chicago(local: datetime.datetime) -> bool:
    first = local.replace(tzinfo=CHICAGO, fold=0).utcoffset()
    second = local.replace(tzinfo=CHICAGO, fold=1).utcoffset()
    return first != second


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_each_kind_is_the_instant_it_names(seed: int) -> None:
    first, kind = draw("--kind", "first-of-month", "--seed", str(seed), "--year", "2027")
    assert (kind, first.day, first.time()) == ("first-of-month", 1, datetime.time(0, 10))

    second, _ = draw("--kind", "second-of-month", "--seed", str(seed), "--year", "2027")
    assert (second.day, second.time()) == (2, datetime.time(9, 0))

    last, _ = draw("--kind", "last-of-month", "--seed", str(seed), "--year", "2027")
    assert (last + datetime.timedelta(days=1)).day == 1
    assert last.time() == datetime.time(23, 30)

    leap, _ = draw("--kind", "leap-day", "--seed", str(seed), "--year", "2027")
    assert (leap.month, leap.day) == (2, 29)
    assert calendar.isleap(leap.year)

    eve, _ = draw("--kind", "new-years-eve", "--seed", str(seed), "--year", "2027")
    assert (eve.month, eve.day, eve.time()) == (12, 31, datetime.time(23, 30))
    # Already next year in UTC: the case that catches a "today" taken in the wrong zone.
    assert eve.replace(tzinfo=CHICAGO).astimezone(datetime.UTC).year == eve.year + 1

    gap, _ = draw("--kind", "spring-forward", "--seed", str(seed), "--year", "2027")
    assert (gap.month, gap.weekday(), gap.time()) == (3, calendar.SUNDAY, datetime.time(2, 30))
    assert not exists_in_chicago(gap)

    fold, _ = draw("--kind", "fall-back", "--seed", str(seed), "--year", "2027")
    assert (fold.month, fold.weekday(), fold.time()) == (11, calendar.SUNDAY, datetime.time(1, 30))
    assert is_ambiguous_in_chicago(fold)

    for instant in (first, second, last, eve, gap, fold):
        assert 2026 <= instant.year <= 2031


def test_the_same_seed_draws_the_same_instant_and_draws_cover_every_kind() -> None:
    assert draw("--seed", "7") == draw("--seed", "7")
    kinds = {draw("--seed", str(seed))[1] for seed in range(40)}
    assert kinds == {
        "first-of-month",
        "second-of-month",
        "last-of-month",
        "leap-day",
        "new-years-eve",
        "spring-forward",
        "fall-back",
    }


def test_the_spring_forward_day_of_2027_is_the_one_the_issue_names() -> None:
    gap, _ = draw("--kind", "spring-forward", "--seed", "0", "--year", "2027")
    assert gap.date() in {
        datetime.date(year, 3, day)
        for year, day in [(2026, 8), (2027, 14), (2028, 12), (2029, 11), (2030, 10), (2031, 9)]
    }


def test_test_now_reads_a_local_instant_in_chicago_and_keeps_an_explicit_offset() -> None:
    assert TEST_NOW_ZONE == CHICAGO
    assert clock_from_env(None) is None
    assert clock_from_env(" ") is None

    eve = clock_from_env("2027-12-31T23:30")
    assert eve is not None
    assert eve.astimezone(datetime.UTC) == datetime.datetime(2028, 1, 1, 5, 30, tzinfo=datetime.UTC)

    # 02:30 on 14 March 2027 does not exist in Chicago: read with the offset before the change.
    gap = clock_from_env("2027-03-14T02:30")
    assert gap is not None
    assert gap.astimezone(datetime.UTC) == datetime.datetime(
        2027, 3, 14, 8, 30, tzinfo=datetime.UTC
    )

    explicit = clock_from_env("2027-06-01T12:00+00:00")
    assert explicit == datetime.datetime(2027, 6, 1, 12, 0, tzinfo=datetime.UTC)

    with pytest.raises(pytest.UsageError, match="TEST_NOW='yesterday' is not an ISO 8601"):
        clock_from_env("yesterday")


def test_the_clock_reads_out() -> None:
    """Prints this process's clock; the test below runs it under a moved clock."""
    print(f"CLOCK={datetime.datetime.now(datetime.UTC).isoformat()}")


def test_a_run_with_test_now_starts_at_that_instant_and_says_so() -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    env["TEST_NOW"] = "2028-02-29T23:30"
    result = subprocess.run(
        [
            PYTHON, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-s",
            f"{__file__}::test_the_clock_reads_out",
        ],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    clock = next(line for line in result.stdout.splitlines() if "CLOCK=" in line)
    seen = datetime.datetime.fromisoformat(clock.split("CLOCK=")[1])
    moved_to = datetime.datetime(2028, 3, 1, 5, 30, tzinfo=datetime.UTC)  # 23:30 in Chicago
    assert moved_to <= seen < moved_to + datetime.timedelta(minutes=2)
    assert (
        "clock: moved to TEST_NOW=2028-02-29T23:30:00-06:00 (2028-03-01 05:30 UTC), ticking"
        in result.stdout
    )
