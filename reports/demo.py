"""This app's part of the demo health system (called by seed_demo): the value report of the
month before last, written up by the CMIO and issued by the CMO, so executives find a report to
read and download; last month's report built and waiting, in draft, for the CMIO's narrative;
and the executive subscribed to issued reports. Built by the build job from the other apps'
demo data, as the month-close schedule would; a second run adds nothing."""

import datetime
from decimal import Decimal

from informatics.demo import Writer, email_held
from informatics.models import User
from informatics.services import site_today
from metrics.periods import month_start
from reports import services
from reports.choices import ReportState
from reports.models import ValueReport

CMIO = "cmio@riverside.example"
CMO = "cmo@riverside.example"
EXECUTIVE = "executive@riverside.example"


def _money(value: str | None) -> str:
    return f"${Decimal(value or 0):,.0f}"


def narrative(report: ValueReport) -> str:
    """The CMIO's write-up, from the report's own figures."""
    headline = report.payload["headline"]
    roi = headline["roi"]["value"]
    roi_text = f"an ROI of {Decimal(roi) * 100:.0f}%" if roi is not None else "no ROI (no costs)"
    return (
        f"{report.month:%B %Y}: hard savings of {_money(headline['hard_savings']['value'])} "
        f"and attributed cost avoidance of {_money(headline['cost_avoidance']['value'])} "
        f"against costs of {_money(headline['costs']['value'])} give {roi_text}. Clinician "
        f"time valued at {_money(headline['time_value']['value'])} is shown beside the ROI, "
        "not in it. Read cost avoidance with the scorecard: where a metric's variation is "
        "common cause, the avoidance is attributed by the initiatives' shares, not yet proven "
        "by a signal."
    )


def _built(month: datetime.date, cmio: User) -> ValueReport:
    """The month's organisation-wide report: the latest revision, else one built now by the
    build job (run here, in-process; the job's own delivery after commit finds it done)."""
    existing = (
        ValueReport.objects.filter(month=month, priority__isnull=True).order_by("-revision").first()
    )
    if existing is not None:
        return existing
    job = services.report_draft_request(actor=cmio, month=month)
    services.report_build(job_id=job.pk)
    job.refresh_from_db()
    return ValueReport.objects.get(pk=job.result["report_id"])


def seed(*, stdout: Writer) -> None:
    people = {
        user.email: user
        for user in User.objects.filter(email__in=[CMIO, CMO, EXECUTIVE]).order_by("pk")
    }
    cmio, cmo, executive = people[CMIO], people[CMO], people[EXECUTIVE]
    last_month = month_start(site_today(), -1)
    with email_held():
        services.report_subscription_set(actor=executive, active=True)
        issued = _built(month_start(last_month, -1), cmio)
        if issued.state == ReportState.DRAFT:
            services.report_narrative_set(actor=cmio, report=issued, narrative=narrative(issued))
            issued = services.report_mark_reviewed(actor=cmio, report=issued)
        if issued.state == ReportState.REVIEWED:
            issued = services.report_issue(actor=cmo, report=issued)
        draft = _built(last_month, cmio)
    stdout.write(
        f"Reports: {issued.month:%B %Y} issued (revision {issued.revision}), "
        f"{draft.month:%B %Y} {ReportState(draft.state).label.lower()} "
        f"(revision {draft.revision})"
    )
