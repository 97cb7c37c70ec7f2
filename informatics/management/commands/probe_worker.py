"""`manage.py probe_worker`: send one job through the broker and wait for a worker to finish it.

For IT teams checking a deployment end to end: broker reachable, a worker consuming the queue,
and that worker able to write to the database.
"""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from kombu.utils.url import maybe_sanitize_url

from informatics.choices import JobStatus
from informatics.models import JobRun
from informatics.services import jobrun_create
from informatics.tasks import WORKER_PROBE_KIND, worker_probe_task

POLL_SECONDS = 0.25


class Command(BaseCommand):
    help = "Enqueue a probe job and wait until a Celery worker has finished it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--timeout", type=float, default=30, help="Seconds to wait for a worker (30)."
        )
        parser.add_argument(
            "--queue",
            default=settings.CELERY_TASK_DEFAULT_QUEUE,
            help="Queue to send the probe to (CELERY_QUEUE, default %(default)s).",
        )

    def handle(self, *args: Any, timeout: float, queue: str, **options: Any) -> None:
        broker = settings.CELERY_BROKER_URL
        where = f"queue {queue!r} on {maybe_sanitize_url(broker)}" if broker else "this process"
        started = time.monotonic()
        try:
            with transaction.atomic():
                job = jobrun_create(kind=WORKER_PROBE_KIND, scope={"queue": queue})
                transaction.on_commit(
                    lambda: worker_probe_task.apply_async(args=(job.pk,), queue=queue)
                )
        except Exception as exc:
            raise CommandError(f"Could not enqueue the probe on {where}: {exc}") from exc

        job = self._wait(job.pk, deadline=started + timeout)
        elapsed = time.monotonic() - started
        if job.status == JobStatus.DONE:
            hostname = job.result.get("hostname", "?")
            mode = "" if broker else " (ran in-process: no broker configured, tasks run eagerly)"
            self.stdout.write(
                self.style.SUCCESS(
                    f"Worker {hostname} finished probe job #{job.pk} in {elapsed:.1f} s{mode}."
                )
            )
            return
        if job.status == JobStatus.FAILED:
            raise CommandError(f"Probe job #{job.pk} failed on the worker: {job.error}")
        raise CommandError(
            f"No worker finished probe job #{job.pk} within {timeout:g} s (status {job.status}). "
            f"Is a worker running and consuming {where}? "
            "Start one with: celery -A informatics worker -Q " + queue
        )

    def _wait(self, job_id: int, *, deadline: float) -> JobRun:
        while True:
            job = JobRun.objects.get(pk=job_id)
            finished = job.status in (JobStatus.DONE, JobStatus.FAILED)
            if finished or time.monotonic() >= deadline:
                return job
            time.sleep(POLL_SECONDS)
