"""Celery tasks of the kernel: thin, taking ids, enqueued after commit."""

import socket
from typing import Any

from celery import Task, shared_task

from informatics.exports import export_build, export_files_expire
from informatics.jobs import JobTask, job_probe_body, run_claimed
from informatics.services import (
    jobrun_finish,
    jobs_reconcile,
    notification_digests_send,
    notification_send,
)

WORKER_PROBE_KIND = "worker_probe"


def _hostname(task: Task[Any, Any]) -> str:
    return task.request.hostname or socket.gethostname()


@shared_task(bind=True, base=JobTask, name="informatics.worker_probe")
def worker_probe_task(self: Task[Any, Any], job_id: int) -> None:
    """Prove that a worker takes jobs off the queue: claim the probe's JobRun and mark it done
    with this worker's name. A duplicate delivery finds the job claimed and does nothing."""
    run_claimed(
        job_id,
        lambda job_id: jobrun_finish(job_id=job_id, result={"hostname": _hostname(self)}),
        task=self,
    )


@shared_task(bind=True, base=JobTask, name="informatics.job_probe")
def job_probe_task(self: Task[Any, Any], job_id: int) -> None:
    """A job that waits in steps with heartbeats, failing as its scope asks
    (`informatics.jobs.job_probe_body`): proves retries, leases and redelivery end to end."""
    run_claimed(job_id, lambda job_id: job_probe_body(job_id, hostname=_hostname(self)), task=self)


@shared_task(bind=True, base=JobTask, name="informatics.export_build")
def export_build_task(self: Task[Any, Any], job_id: int) -> None:
    """Build a large list export's CSV file (`informatics.exports.export_build`)."""
    run_claimed(job_id, export_build, task=self)


@shared_task(name="informatics.export_files_expire")
def export_files_expire_task() -> int:
    """Delete the stored files of expired exports (on the beat schedule)."""
    return export_files_expire()


@shared_task(name="informatics.jobs_reconcile")
def jobs_reconcile_task() -> dict[str, int]:
    """Re-enqueue the jobs whose delivery was lost (on the beat schedule): see
    `informatics.services.jobs.jobs_reconcile`."""
    return jobs_reconcile()


@shared_task(
    name="informatics.notification_send",
    autoretry_for=(OSError,),  # the mail server is down or refused: SMTPException is an OSError
    retry_backoff=60,
    max_retries=5,
)
def notification_send_task(notification_id: int) -> None:
    """E-mail one immediate notification (enqueued by `notify` after commit). A duplicate
    delivery finds it sent and does nothing; a mail-server failure is retried with backoff."""
    notification_send(notification_id=notification_id)


@shared_task(name="informatics.notification_digest")
def notification_digest_task() -> int:
    """The daily digest (on the beat schedule): one e-mail per person who chose it, listing
    all their unsent notifications. Re-running it sends nothing twice."""
    return notification_digests_send()
