"""Celery tasks of the kernel: thin, taking ids, enqueued after commit."""

import socket
from typing import Any

from celery import Task, shared_task

from informatics.services import (
    jobrun_claim,
    jobrun_finish,
    notification_digests_send,
    notification_send,
)

WORKER_PROBE_KIND = "worker_probe"


@shared_task(bind=True, name="informatics.worker_probe")
def worker_probe_task(self: Task[Any, Any], job_id: int) -> None:
    """Prove that a worker takes jobs off the queue: claim the probe's JobRun and mark it done
    with this worker's name. A duplicate delivery finds the job claimed and does nothing."""
    if not jobrun_claim(job_id=job_id):
        return
    jobrun_finish(job_id=job_id, result={"hostname": self.request.hostname or socket.gethostname()})


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
