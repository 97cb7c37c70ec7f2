"""The month close and the reconciler: for an organisation in America/Chicago the November
draft is built at local midnight on 1 December whatever the server's time zone, once however
often the schedule fires; a past month without a report run gets one from the reconciler."""

import datetime
import os
import time
import zoneinfo
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.core.cache import cache

from informatics.celery import app as celery_app
from informatics.choices import JobStatus
from informatics.models import JobRun, SiteSettings
from informatics.services import jobs_reconcile
from metrics.models import RollupPoint
from reports import services
from reports.choices import ReportState
from reports.models import ValueReport
from reports.tasks import BUILD_KIND
from tests.reports.report_world import NOVEMBER, rolled_up_metric

pytestmark = pytest.mark.django_db
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
LAST_MINUTE_OF_NOVEMBER = datetime.datetime(2026, 11, 30, 23, 59, tzinfo=CHICAGO)
MIDNIGHT_1_DECEMBER = datetime.datetime(2026, 12, 1, 0, 0, tzinfo=CHICAGO)


@pytest.fixture(autouse=True)
def _chicago() -> None:
    SiteSettings.objects.update_or_create(pk=1, defaults={"time_zone": "America/Chicago"})
    cache.clear()


@pytest.fixture(params=["UTC", "Asia/Tokyo", "Pacific/Honolulu"])
def server_zone(request: pytest.FixtureRequest, settings: Any) -> Iterator[str]:
    """The server's time zone: Django's (settings.TIME_ZONE) and the process's (TZ)."""
    zone: str = request.param
    settings.TIME_ZONE = zone
    old = os.environ.get("TZ")
    os.environ["TZ"] = zone
    time.tzset()
    yield zone
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


def _months() -> list[str]:
    return sorted(JobRun.objects.filter(kind=BUILD_KIND).values_list("scope__month", flat=True))


def test_no_november_draft_in_the_last_minute_of_november(server_zone: str) -> None:
    with time_machine.travel(LAST_MINUTE_OF_NOVEMBER, tick=False):
        services.reports_month_close()

    assert _months() == ["2026-10-01"]  # the month before, as every hour of November


def test_the_november_draft_is_built_once_at_local_midnight_on_1_december(
    server_zone: str, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    rolled_up_metric()
    with time_machine.travel(LAST_MINUTE_OF_NOVEMBER, tick=False):
        services.reports_month_close()

    with (
        time_machine.travel(MIDNIGHT_1_DECEMBER, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        first = services.reports_month_close()
        second = services.reports_month_close()

    assert first is not None
    assert second is None
    assert _months() == ["2026-10-01", "2026-11-01"]
    first.refresh_from_db()
    assert (first.status, first.scope) == (
        JobStatus.DONE,
        {"month": "2026-11-01", "priority_id": None},
    )
    report = ValueReport.objects.get(month=NOVEMBER)
    assert (report.revision, report.state, report.job_id) == (1, ReportState.DRAFT, first.pk)


def test_the_beat_task_closes_the_month_in_the_site_zone() -> None:
    with time_machine.travel(MIDNIGHT_1_DECEMBER, tick=False):
        job_id = celery_app.tasks["reports.month_close"].apply().get()
        again = celery_app.tasks["reports.month_close"].apply().get()

    assert JobRun.objects.get(pk=job_id).scope["month"] == "2026-11-01"
    assert again is None


def test_the_schedule_has_the_month_close_hourly_and_the_reconciler_daily() -> None:
    schedule = celery_app.conf.beat_schedule
    assert schedule["reports-month-close"]["task"] == "reports.month_close"
    assert schedule["reports-month-close"]["schedule"].hour == set(range(24))
    assert schedule["reports-reconcile"]["task"] == "reports.reconcile"
    assert schedule["reports-reconcile"]["schedule"].hour == {7}


@pytest.mark.time_machine(datetime.datetime(2026, 12, 10, 15, 0, tzinfo=datetime.UTC))
def test_the_reconciler_creates_a_missing_months_run() -> None:
    rolled_up_metric()  # data from January 2026
    assert services.reports_reconcile() == {"created": 11}
    JobRun.objects.filter(kind=BUILD_KIND, scope__month="2026-09-01").delete()

    result = services.reports_reconcile()

    assert result == {"created": 1}
    assert _months() == [f"2026-{month:02d}-01" for month in range(1, 12)]
    assert services.reports_reconcile() == {"created": 0}


@pytest.mark.time_machine(datetime.datetime(2026, 12, 10, 15, 0, tzinfo=datetime.UTC))
def test_the_kernels_reconciler_enqueues_again_a_report_run_left_behind(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    rolled_up_metric()
    services.reports_reconcile()
    lost = JobRun.objects.get(kind=BUILD_KIND, scope__month="2026-11-01")
    JobRun.objects.filter(pk=lost.pk).update(
        status=JobStatus.RUNNING,
        heartbeat_at=datetime.datetime(2026, 12, 10, 14, 0, tzinfo=datetime.UTC),
    )

    with django_capture_on_commit_callbacks(execute=True):
        counts = jobs_reconcile()

    # the one a worker lost; the ten pending ones were enqueued a moment ago
    assert counts == {"enqueued": 1, "failed": 0}
    lost.refresh_from_db()
    assert lost.status == JobStatus.DONE
    assert ValueReport.objects.filter(month=NOVEMBER).count() == 1


@pytest.mark.time_machine(datetime.datetime(2026, 12, 10, 15, 0, tzinfo=datetime.UTC))
def test_the_reconciler_looks_back_at_most_24_months() -> None:
    rolled_up_metric()
    RollupPoint.objects.filter(period_start=datetime.date(2026, 1, 1)).update(
        period_start=datetime.date(2020, 1, 1)
    )

    services.reports_reconcile()

    months = _months()
    assert (months[0], months[-1], len(months)) == ("2024-12-01", "2026-11-01", 24)
