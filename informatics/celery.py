"""The Celery application. Settings come from Django's (CELERY_*); the periodic schedule is
declared in one place, below."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "informatics.settings")

app = Celery("informatics")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The one schedule of periodic jobs (run by `celery beat`). Each entry says when and why.
app.conf.beat_schedule = {}
