"""Writes of this app: the monthly value report's builds, sign-off and subscriptions.

A build (a JobRun of kind `reports.build`, run by `reports.tasks.report_build_task`) turns a
month's data into a payload; when its hash equals the latest revision's for that month and scope
nothing new is written, otherwise a new revision is made, in draft, with its files. The CMIO
writes the narrative and marks the draft reviewed; the CMO issues it, which e-mails the
subscribers. An issued revision never changes: every write to it is refused, and a later build
makes a new revision.
"""

import datetime
import hashlib
import logging
import zoneinfo
from typing import Any

from celery import Task
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Max, Min
from django.urls import reverse
from django.utils import timezone

from informatics import limits
from informatics.audit import audit_created, audited_update
from informatics.jobs import run_claimed
from informatics.models import JobRun, Redaction, SiteSettings, StrategicPriority, User
from informatics.permissions import Action, can, require
from informatics.services import (
    jobrun_create,
    jobrun_finish,
    jobrun_progress,
    notify,
    site_settings_get,
)
from informatics.services.records import guard_text, record_phi
from intake.models import IntakeRequest
from metrics.models import RollupPoint
from metrics.periods import month_start
from reports import render
from reports.choices import FileKind, ReportState
from reports.models import ReportFile, ReportFileRedaction, ReportSubscription, ValueReport
from reports.payload import build_payload, payload_hash
from reports.tasks import BUILD_KIND, report_build_task

logger = logging.getLogger(__name__)

# The reconciler looks this far back for months without a report run.
RECONCILE_MONTHS = 24
BUILD_STEPS = 3  # payload, revision, files


# The earliest month a report may cover.
EARLIEST_MONTH = datetime.date(1900, 1, 1)


def _scope(month: datetime.date, priority_id: int | None) -> dict[str, Any]:
    return {"month": month.isoformat(), "priority_id": priority_id}


def _runs(month: datetime.date, priority_id: int | None) -> Any:
    return JobRun.objects.filter(
        kind=BUILD_KIND, scope__month=month.isoformat(), scope__priority_id=priority_id
    )


def _enqueue(*, month: datetime.date, priority_id: int | None, actor: User | None = None) -> JobRun:
    job = jobrun_create(kind=BUILD_KIND, scope=_scope(month, priority_id), created_by=actor)
    transaction.on_commit(lambda: report_build_task.delay(job.pk))
    return job


def _local_today(now: datetime.datetime | None = None) -> datetime.date:
    zone = zoneinfo.ZoneInfo(site_settings_get().time_zone)
    return (now or timezone.now()).astimezone(zone).date()


def report_draft_request(
    *, actor: User, month: datetime.date, priority: StrategicPriority | None = None
) -> JobRun:
    """The CMIO asks for a draft of `month` (any day of it; the current month at the latest),
    for the organisation or one priority: a build job, run after the transaction commits."""
    require(actor, Action.REPORT_DRAFT)
    first = month.replace(day=1)
    if first > month_start(_local_today()):
        raise ValidationError({"month": "A report covers a month that has begun."})
    if first < EARLIEST_MONTH:  # a build reaches back 13 months for its sparklines
        raise ValidationError({"month": f"A report covers a month from {EARLIEST_MONTH:%B %Y} on."})
    with transaction.atomic():
        return _enqueue(month=first, priority_id=priority.pk if priority else None, actor=actor)


# --- Build ----------------------------------------------------------------------------------


def _file_name(report: ValueReport, kind: str) -> str:
    scope = f"priority-{report.priority_id}" if report.priority_id else "organisation"
    return f"value-report-{report.month:%Y-%m}-{scope}-r{report.revision}.{kind}"


def _store_files(report: ValueReport, payload: dict[str, Any]) -> None:
    """Render the report's files from its payload (with the narrative) and keep them through
    the storage with their sha256, replacing the draft's earlier files."""
    rendered = render.report_files({**payload, "narrative": report.narrative})
    now = timezone.now()
    for kind in FileKind.values:
        content = rendered[kind]
        old = ReportFile.objects.filter(report=report, kind=kind).first()
        if old is not None:
            old.file.delete(save=False)
            old.delete()
        row = ReportFile(
            report=report,
            kind=kind,
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            rendered_at=now,
        )
        row.file.save(_file_name(report, kind), ContentFile(content), save=False)
        row.save()


def report_build(*, job_id: int, task: Task[Any, Any] | None = None) -> None:
    """Run one build job (informatics.jobs.run_claimed): claim it (a duplicate delivery does
    nothing), build the payload, and make a new draft revision unless the latest revision has
    the same payload hash. Run by `task`, a transient error is retried with backoff; a build
    that keeps failing ends failed with its error on the job. A build killed half-way left
    nothing (one transaction), and the next attempt finds the revision or makes it once."""
    run_claimed(job_id, _build_job, task=task)


def _build_job(job_id: int) -> None:
    result = _build(JobRun.objects.get(pk=job_id))
    jobrun_finish(job_id=job_id, result=result)


def _build(job: JobRun) -> dict[str, Any]:
    month = datetime.date.fromisoformat(job.scope["month"])
    priority_id = job.scope.get("priority_id")
    jobrun_progress(job_id=job.pk, done=0, total=BUILD_STEPS)
    payload = build_payload(month=month, priority_id=priority_id)
    digest = payload_hash(payload)
    jobrun_progress(job_id=job.pk, done=1)
    with transaction.atomic():
        revisions = ValueReport.objects.select_for_update().filter(
            month=month, priority_id=priority_id
        )
        latest = revisions.order_by("-revision").first()
        if latest is not None and latest.payload_sha256 == digest:
            jobrun_progress(job_id=job.pk, done=BUILD_STEPS)
            return {"report_id": latest.pk, "revision": latest.revision, "created": False}
        report = ValueReport.objects.create(
            month=month,
            priority_id=priority_id,
            revision=(latest.revision + 1) if latest else 1,
            payload=payload,
            payload_sha256=digest,
            data_through=payload["appendix"]["data_through"],
            job=job,
        )
        audit_created(
            instance=report,
            actor=job.created_by,
            fields=("month", "priority", "revision", "state", "payload_sha256"),
        )
        jobrun_progress(job_id=job.pk, done=2)
        _store_files(report, payload)
    jobrun_progress(job_id=job.pk, done=BUILD_STEPS)
    return {"report_id": report.pk, "revision": report.revision, "created": True}


# --- Sign-off -------------------------------------------------------------------------------


def _locked(report: ValueReport) -> ValueReport:
    return ValueReport.objects.select_for_update().get(pk=report.pk)


def _refuse_unless(report: ValueReport, state: str, doing: str) -> None:
    if report.state != state:
        raise ValidationError(
            {
                "state": f"Only a {ReportState(state).label.lower()} report can be {doing}; "
                f"this one is {report.get_state_display().lower()}."
            }
        )


def report_narrative_set(
    *, actor: User, report: ValueReport, narrative: str, phi_confirmed: bool = False
) -> ValueReport:
    """The CMIO writes a draft's narrative (PHI-guarded); the files are rendered again with it."""
    require(actor, Action.REPORT_DRAFT)
    with transaction.atomic():
        current = _locked(report)
        _refuse_unless(current, ReportState.DRAFT, "edited")
        text = narrative.strip()
        findings = guard_text({"narrative": text}, ["narrative"], confirmed=phi_confirmed)
        if len(text) > limits.NOTE:
            raise ValidationError(
                {"narrative": f"Keep the narrative within {limits.NOTE:,} characters."}
            )
        audited_update(
            current,
            actor=actor,
            changes={"narrative": text, "narrative_by": actor, "narrative_at": timezone.now()},
        )
        record_phi(instance=current, findings=findings, actor=actor)
        current.refresh_from_db()
        _store_files(current, current.payload)
    return current


def report_mark_reviewed(*, actor: User, report: ValueReport) -> ValueReport:
    """The CMIO marks a draft reviewed, once its narrative is written."""
    require(actor, Action.REPORT_DRAFT)
    with transaction.atomic():
        current = _locked(report)
        _refuse_unless(current, ReportState.DRAFT, "marked reviewed")
        if not current.narrative.strip():
            raise ValidationError({"narrative": "Write the narrative before marking it reviewed."})
        audited_update(
            current,
            actor=actor,
            changes={
                "state": ReportState.REVIEWED,
                "reviewed_by": actor,
                "reviewed_at": timezone.now(),
            },
        )
        current.refresh_from_db()
    return current


def report_issue(*, actor: User, report: ValueReport) -> ValueReport:
    """The CMO issues a reviewed report: from now on it reaches executives, and every active
    subscriber who may read issued reports is told by e-mail (their notification preference)."""
    require(actor, Action.REPORT_ISSUE)
    with transaction.atomic():
        current = _locked(report)
        _refuse_unless(current, ReportState.REVIEWED, "issued")
        audited_update(
            current,
            actor=actor,
            changes={"state": ReportState.ISSUED, "issued_by": actor, "issued_at": timezone.now()},
        )
        current.refresh_from_db()
        _tell_subscribers(current)
    return current


def _tell_subscribers(report: ValueReport) -> None:
    url = reverse("reports:report-detail", args=[report.pk])
    label = report.payload.get("period", {}).get("label", f"{report.month:%B %Y}")
    subscribers = (
        User.objects.filter(report_subscription__active=True, is_active=True)
        .prefetch_related("groups")
        .order_by("pk")
    )
    for user in subscribers:
        if can(user, Action.PORTFOLIO_READ):
            notify(
                recipient=user,
                subject=f"Value report issued: {label}",
                body=f"The value report for {label} (revision {report.revision}) is issued.",
                url=url,
            )


def report_subscription_set(*, actor: User, active: bool) -> ReportSubscription:
    """Each person subscribes themselves to the e-mail sent when a report is issued."""
    require(actor, Action.PORTFOLIO_READ)
    subscription, _ = ReportSubscription.objects.update_or_create(
        user=actor, defaults={"active": active, "updated_at": timezone.now()}
    )
    return subscription


# --- Redaction -----------------------------------------------------------------------------


def report_files_redacted(*, redaction: Redaction, rewritten: dict[str, set[Any]]) -> None:
    """After a redaction (the kernel's `text_redact`, in its transaction; see the app's
    `redaction_followups`) rewrote reports — a payload quoting the text, or a report's own
    narrative —, render each such report's files again, issued ones too: redaction wins over
    immutability, and nothing else of an issued report changes.

    The payload changed, so `payload_sha256` is computed again from it; each file whose bytes
    changed is stored anew (the old file is deleted once the redaction commits) and a
    ReportFileRedaction keeps its old and new sha256, which is the record of the files as they
    were issued."""
    pks = rewritten.get(ValueReport._meta.label_lower, set())
    if not pks:
        return
    reports = ValueReport.objects.select_for_update().filter(pk__in=pks).order_by("pk")
    for report in reports:
        digest = payload_hash(report.payload)
        if digest != report.payload_sha256:
            ValueReport.objects.filter(pk=report.pk).update(payload_sha256=digest)
        rendered = render.report_files({**report.payload, "narrative": report.narrative})
        files = ReportFile.objects.select_for_update().filter(report=report).order_by("kind")
        for row in files:
            content = rendered[row.kind]
            new_sha256 = hashlib.sha256(content).hexdigest()
            if new_sha256 == row.sha256:
                continue
            old_sha256, old_name = row.sha256, row.file.name
            stem = _file_name(report, row.kind).rsplit(".", 1)[0]
            row.file.save(
                f"{stem}-redaction-{redaction.pk}.{row.kind}", ContentFile(content), save=False
            )
            row.sha256, row.size, row.rendered_at = new_sha256, len(content), timezone.now()
            row.save(update_fields=["file", "sha256", "size", "rendered_at"])
            ReportFileRedaction.objects.create(
                report_file=row,
                redaction=redaction,
                old_sha256=old_sha256,
                new_sha256=new_sha256,
                at=row.rendered_at,
            )
            _delete_on_commit(row.file.storage, old_name)


def _delete_on_commit(storage: Storage, name: str | None) -> None:
    """Delete a replaced file once the transaction commits (a rollback keeps it in use)."""
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# --- Schedule -------------------------------------------------------------------------------


def reports_month_close(now: datetime.datetime | None = None) -> JobRun | None:
    """At month close in the organisation's time zone: make sure the previous month's draft is
    built. Idempotent: a month that already has a run gets none; returns the new run or None."""
    previous = month_start(_local_today(now), -1)
    with transaction.atomic():
        # The settings row, locked: two schedulers firing at once create one run.
        SiteSettings.objects.select_for_update().filter(pk=1).exists()
        if _runs(previous, None).exists():
            return None
        return _enqueue(month=previous, priority_id=None)


def _first_month() -> datetime.date | None:
    """The first month with data: the earliest roll-up point or request."""
    firsts = [
        RollupPoint.objects.aggregate(first=Min("period_start"))["first"],
        IntakeRequest.objects.aggregate(first=Min("created_at"))["first"],
    ]
    days = [
        value.date() if isinstance(value, datetime.datetime) else value
        for value in firsts
        if value is not None
    ]
    return month_start(min(days)) if days else None


def reports_reconcile(now: datetime.datetime | None = None) -> dict[str, int]:
    """Create the run of every past month (since the first with data, at most RECONCILE_MONTHS
    back) that has none. Runs left pending or running past their lease are the kernel's
    reconciler's (`informatics.services.jobs_reconcile`, every five minutes), as for every job."""
    current = month_start(_local_today(now))
    first = _first_month()
    created = 0
    if first is not None:
        month = max(first, month_start(current, -RECONCILE_MONTHS))
        with transaction.atomic():
            SiteSettings.objects.select_for_update().filter(pk=1).exists()
            have = set(
                JobRun.objects.filter(kind=BUILD_KIND, scope__priority_id=None).values_list(
                    "scope__month", flat=True
                )
            )
            while month < current:
                if month.isoformat() not in have:
                    _enqueue(month=month, priority_id=None)
                    created += 1
                month = month_start(month, 1)
    return {"created": created}


def latest_revision(*, month: datetime.date, priority_id: int | None) -> int | None:
    return ValueReport.objects.filter(month=month, priority_id=priority_id).aggregate(
        latest=Max("revision")
    )["latest"]
