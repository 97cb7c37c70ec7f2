#!/usr/bin/env bash
# The one entrypoint of the image. It also runs outside Docker, with a virtualenv on PATH.
#
#   web       wait for the database, migrate, collect static files if none yet, serve (gunicorn)
#   worker    a Celery worker on CELERY_QUEUE (extra arguments go to celery)
#   beat      the Celery beat scheduler (the schedule lives in informatics/celery.py)
#   migrate   wait for the database, apply migrations, exit
#   anything else is run as given, e.g. `python manage.py createsuperuser`
#
# Settings come from the environment (see .env.example). Tuning, all optional:
#   PORT (8000), WEB_CONCURRENCY (gunicorn workers, 3), GUNICORN_TIMEOUT (seconds, 60),
#   GUNICORN_CMD_ARGS (any other gunicorn option), CELERY_CONCURRENCY (worker processes,
#   default one per core), DATABASE_WAIT_SECONDS (60).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-informatics.settings}"

say() { echo "entrypoint: $*" >&2; }

wait_for_database() {
  say "waiting for the database (up to ${DATABASE_WAIT_SECONDS:-60} s)"
  python - <<'PY'
import os
import sys
import time

import django

django.setup()
from django.db import connection
from django.db.utils import OperationalError

deadline = time.monotonic() + float(os.environ.get("DATABASE_WAIT_SECONDS") or 60)
while True:
    try:
        connection.ensure_connection()
        break
    except OperationalError as exc:
        if time.monotonic() > deadline:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            sys.exit(f"entrypoint: the database did not answer: {reason}")
        time.sleep(1)
PY
}

collect_static_if_missing() {
  local static_root
  static_root=$(python -c 'from django.conf import settings; print(settings.STATIC_ROOT)')
  if [ -z "$(ls -A "$static_root" 2>/dev/null)" ]; then
    say "collecting static files into $static_root"
    python manage.py collectstatic --no-input --verbosity 0
  fi
}

command="${1:-web}"
if [ $# -gt 0 ]; then shift; fi

case "$command" in
  web)
    wait_for_database
    python manage.py migrate --no-input
    collect_static_if_missing
    say "serving on 0.0.0.0:${PORT:-8000}"
    exec gunicorn informatics.wsgi \
      --bind "0.0.0.0:${PORT:-8000}" \
      --workers "${WEB_CONCURRENCY:-3}" \
      --timeout "${GUNICORN_TIMEOUT:-60}" \
      --graceful-timeout 30 \
      --keep-alive 5 \
      --max-requests 1000 \
      --max-requests-jitter 100 \
      --access-logfile - \
      --error-logfile - \
      --no-control-socket \
      "$@"
    ;;
  worker)
    concurrency=()
    if [ -n "${CELERY_CONCURRENCY:-}" ]; then concurrency=(--concurrency "$CELERY_CONCURRENCY"); fi
    exec celery -A informatics worker \
      --loglevel "${LOG_LEVEL:-INFO}" \
      --queues "${CELERY_QUEUE:-informatics}" \
      "${concurrency[@]}" \
      "$@"
    ;;
  beat)
    # Remote control lets `celery inspect ping -d celerybeat@HOST` check that beat still ticks.
    exec celery -A informatics beat \
      --loglevel "${LOG_LEVEL:-INFO}" \
      --schedule "${CELERY_BEAT_SCHEDULE:-/tmp/celerybeat-schedule}" \
      --enable-remote-control \
      "$@"
    ;;
  migrate)
    wait_for_database
    exec python manage.py migrate --no-input "$@"
    ;;
  *)
    exec "$command" "$@"
    ;;
esac
