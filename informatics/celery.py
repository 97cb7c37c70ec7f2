"""The Celery application. Settings come from Django's (CELERY_*); the periodic schedule is
declared in one place, below."""

import os
from typing import Any

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "informatics.settings")

app = Celery("informatics")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _periodic(task: str, **when: int | str) -> dict[str, Any]:
    """A beat entry: run `task` when the crontab fields `when` (hour, minute, ...) match."""
    return {"task": task, "schedule": crontab(**when)}


# The one schedule of periodic jobs (run by `celery beat`). Each entry says when and why.
app.conf.beat_schedule = {
    # Every day at 11:00 UTC (early morning across US time zones: 06:00–07:00 Eastern, before
    # the working day): the daily digest for everyone who chose it instead of e-mail on every
    # change. One e-mail per person; re-running it sends nothing twice.
    "notification-digest": _periodic("informatics.notification_digest", hour=11, minute=0),
    # Every day at 06:00 UTC (after the overnight extracts land, before the digest): recompute
    # every metric's roll-ups, because periods become complete as days pass (data lag). Series
    # whose inputs did not change are left untouched.
    "metrics-rollup-nightly": _periodic("metrics.rollup_nightly", hour=6, minute=0),
    # Every day at 03:30 UTC (the quiet hours): delete the stored files of imports that
    # finished (imported, rejected or failed) more than IMPORT_FILE_RETENTION_DAYS ago, so an
    # uploaded file, which may hold what it should not, is not kept forever.
    "metrics-import-files-expire": _periodic("metrics.import_files_expire", hour=3, minute=30),
    # Every 5 minutes: re-enqueue background jobs whose delivery was lost — running ones whose
    # worker stopped reporting for longer than JOB_LEASE_SECONDS (the broker's visibility
    # timeout normally hands them to another worker first), and pending ones never started
    # within JOB_PENDING_GRACE_SECONDS (the broker was down when they were enqueued). Each job
    # is claimed once, so running it twice in a row enqueues nothing twice.
    "jobs-reconcile": _periodic("informatics.jobs_reconcile", minute="*/5"),
    # Every hour at minute 20: delete the files of list exports built more than
    # EXPORT_FILE_TTL_HOURS ago (24 by default), so a large CSV of requests or initiatives is
    # not kept beyond the day its reader asked for it. Running it twice deletes nothing twice.
    "export-files-expire": _periodic("informatics.export_files_expire", minute=20),
    # Every day at 12:00 UTC (morning across US time zones, after the digest): remind the owner
    # of each overdue governance action item; once per item per day, however often it runs.
    "governance-action-reminders": _periodic("governance.action_reminders", hour=12, minute=0),
    # Every hour at minute 5: close the month. The organisation's month ends at its own
    # midnight (SiteSettings.time_zone), which is a different UTC hour in each zone and season,
    # so the check runs hourly and builds the previous month's draft value report once the
    # local date is in a new month; a month that already has a run gets none.
    "reports-month-close": _periodic("reports.month_close", minute=5),
    # Every day at 07:00 UTC (after the nightly roll-ups): create any past month's missing
    # report run and enqueue again the runs a lost worker left behind.
    "reports-reconcile": _periodic("reports.reconcile", hour=7, minute=0),
}
