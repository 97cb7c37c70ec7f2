"""A small world for the value-report tests: a system facility with one metric's monthly series
rolled up, a priority, an initiative with a benefit line, a request; and helpers that build a
month's report through the build job, as the worker would."""

import datetime

from informatics.choices import Role
from informatics.models import JobRun, StrategicPriority, User
from metrics.models import Metric
from metrics.services.rollups import rollup_refresh
from reports import services
from reports.choices import ReportState
from reports.models import ValueReport
from tests.factories import PriorityFactory, UserFactory
from tests.metrics.factories import MetricFactory, TargetFactory, facility_tree, monthly_series

NOVEMBER = datetime.date(2026, 11, 1)


def rolled_up_metric(values: list[float] | None = None) -> Metric:
    """A metric with monthly values at the system facility from January 2026, rolled up."""
    tree = facility_tree()
    metric = MetricFactory.create(code="Q2", name="Line infections")
    monthly_series(
        metric,
        tree["system"],
        values or [4, 5, 4, 6, 5, 4, 5, 6, 5, 4, 3],
        start=datetime.date(2026, 1, 1),
    )
    TargetFactory.create(metric=metric, value=8, due_date=datetime.date(2027, 6, 30))
    rollup_refresh(today=datetime.date(2026, 12, 10))
    return metric


def priority() -> StrategicPriority:
    sponsor = UserFactory.create(roles=[Role.EXECUTIVE])
    result: StrategicPriority = PriorityFactory.create(executive_sponsor=sponsor)
    return result


def build(
    cmio: User, month: datetime.date = NOVEMBER, priority: StrategicPriority | None = None
) -> tuple[JobRun, ValueReport]:
    """Ask for the month's draft as the CMIO and run the build job (what the worker does)."""
    job = services.report_draft_request(actor=cmio, month=month, priority=priority)
    services.report_build(job_id=job.pk)
    job.refresh_from_db()
    report = ValueReport.objects.get(pk=job.result["report_id"])
    return job, report


def reviewed(cmio: User, report: ValueReport) -> ValueReport:
    services.report_narrative_set(actor=cmio, report=report, narrative="A steady month.")
    return services.report_mark_reviewed(actor=cmio, report=report)


def issued(cmio: User, cmo: User, report: ValueReport) -> ValueReport:
    issued_report = services.report_issue(actor=cmo, report=reviewed(cmio, report))
    assert issued_report.state == ReportState.ISSUED
    return issued_report
