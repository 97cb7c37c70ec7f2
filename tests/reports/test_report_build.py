"""Building a month's value report: a draft revision with its files and their sha256; the same
data gives the same payload hash and no new revision; changed data gives a new revision and
leaves the earlier one's files as they were; an issued revision never changes; every figure of
the payload names at least one source."""

import datetime
import hashlib
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from informatics.choices import JobStatus, Role
from informatics.models import JobRun, User
from initiatives.choices import Health, Stage
from intake.choices import RequestStatus
from metrics.models import Measurement
from metrics.services.rollups import rollup_refresh
from reports import services
from reports.choices import FileKind, ReportState
from reports.models import ReportFile, ValueReport
from reports.payload import build_payload, payload_hash
from reports.sources import KINDS
from tests.conftest import snapshot
from tests.initiatives.factories import (
    BenefitLineFactory,
    InitiativeFactory,
    InitiativePriorityFactory,
    StatusUpdateFactory,
)
from tests.intake.factories import IntakeRequestFactory, RequestStatusChangeFactory
from tests.reports.report_world import (
    NOVEMBER,
    build,
    issued,
    priority,
    rolled_up_metric,
)

NOW = datetime.datetime(2026, 12, 10, 15, 0, tzinfo=datetime.UTC)  # the clock these tests run on
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]
SOURCE_KINDS = KINDS


@pytest.fixture
def cmio(make_user: Callable[..., User]) -> User:
    return make_user(Role.CMIO)


def _file_hashes(report: ValueReport) -> dict[str, str]:
    return dict(ReportFile.objects.filter(report=report).values_list("kind", "sha256"))


def _change_november(value: str) -> None:
    Measurement.objects.filter(period_start=NOVEMBER).update(value=Decimal(value))
    rollup_refresh(today=datetime.date(2026, 12, 10))


def test_a_build_makes_a_draft_with_its_three_files_and_their_sha256(cmio: User) -> None:
    rolled_up_metric()

    job, report = build(cmio)

    assert (job.status, job.progress_done, job.progress_total) == (JobStatus.DONE, 3, 3)
    assert job.result == {"report_id": report.pk, "revision": 1, "created": True}
    assert (report.month, report.priority_id, report.revision, report.state) == (
        NOVEMBER,
        None,
        1,
        ReportState.DRAFT,
    )
    assert report.payload_sha256 == payload_hash(report.payload)
    assert report.data_through == {"Q2": "2026-11-30"}
    files = {row.kind: row for row in ReportFile.objects.filter(report=report)}
    assert sorted(files) == sorted(FileKind.values)
    for row in files.values():
        content = row.file.open("rb").read()
        assert (row.sha256, row.size) == (hashlib.sha256(content).hexdigest(), len(content))


def test_the_scorecard_reads_the_roll_up_of_the_month(cmio: User) -> None:
    metric = rolled_up_metric()

    payload = build(cmio)[1].payload

    [row] = payload["scorecard"]
    assert row["metric"]["code"] == "Q2"
    assert row["latest"]["value"] == "3.00"
    assert row["latest"]["period_end"] == "2026-11-30"
    assert row["target"]["value"] == "8.00"
    assert row["target"]["due"] == "2027-06-30"
    assert row["incomplete"] is False
    assert [point["value"] for point in row["sparkline"]["points"]] == [
        "4.00", "5.00", "4.00", "6.00", "5.00", "4.00", "5.00", "6.00", "5.00", "4.00", "3.00",
    ]  # fmt: skip
    assert row["sources"][1] == {"kind": "metric", "id": metric.pk, "label": "Q2 Line infections"}
    assert payload["period"] == {
        "start": "2026-11-01",
        "end": "2026-11-30",
        "label": "November 2026",
    }


def test_unchanged_data_gives_the_same_hash_and_no_new_revision(cmio: User) -> None:
    rolled_up_metric()
    _, first = build(cmio)

    second_job, again = build(cmio)

    assert again.pk == first.pk
    assert second_job.result == {"report_id": first.pk, "revision": 1, "created": False}
    assert ValueReport.objects.count() == 1
    assert payload_hash(build_payload(month=NOVEMBER, priority_id=None)) == first.payload_sha256


def test_changed_data_gives_a_new_revision_and_the_earlier_files_are_unchanged(
    cmio: User,
) -> None:
    rolled_up_metric()
    _, first = build(cmio)
    hashes = _file_hashes(first)
    contents = {row.kind: row.file.open("rb").read() for row in first.files.all()}

    _change_november("7")
    job, second = build(cmio)

    assert (second.revision, second.state, job.result["created"]) == (2, ReportState.DRAFT, True)
    assert second.payload_sha256 != first.payload_sha256
    assert second.payload["scorecard"][0]["latest"]["value"] == "7.00"
    first.refresh_from_db()
    assert first.payload["scorecard"][0]["latest"]["value"] == "3.00"
    assert _file_hashes(first) == hashes
    assert {row.kind: row.file.open("rb").read() for row in first.files.all()} == contents


def test_an_issued_revision_never_changes(cmio: User, make_user: Callable[..., User]) -> None:
    rolled_up_metric()
    _, report = build(cmio)
    report = issued(cmio, make_user(Role.CMO), report)
    hashes = _file_hashes(report)
    before = snapshot(ValueReport, ReportFile)

    for attempt in (
        lambda: services.report_narrative_set(actor=cmio, report=report, narrative="Rewritten."),
        lambda: services.report_mark_reviewed(actor=cmio, report=report),
    ):
        with pytest.raises(ValidationError):
            attempt()
    assert snapshot(ValueReport, ReportFile) == before

    issued_row = snapshot(ValueReport.objects.filter(pk=report.pk))
    _change_november("9")
    _, later = build(cmio)

    assert (later.revision, later.state) == (2, ReportState.DRAFT)
    assert later.payload_sha256 != report.payload_sha256
    assert snapshot(ValueReport.objects.filter(pk=report.pk)) == issued_row
    assert _file_hashes(report) == hashes


def test_a_duplicate_delivery_of_the_build_does_nothing(cmio: User) -> None:
    rolled_up_metric()
    job = services.report_draft_request(actor=cmio, month=NOVEMBER)
    services.report_build(job_id=job.pk)
    before = snapshot(ValueReport, ReportFile, JobRun)

    services.report_build(job_id=job.pk)

    assert snapshot(ValueReport, ReportFile, JobRun) == before


def test_a_failing_build_ends_failed_with_its_error(
    cmio: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: Any) -> dict[str, Any]:
        raise RuntimeError("the roll-ups are unreadable")

    monkeypatch.setattr(services, "build_payload", broken)
    job = services.report_draft_request(actor=cmio, month=NOVEMBER)

    services.report_build(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.error) == (
        JobStatus.FAILED,
        "RuntimeError: the roll-ups are unreadable",
    )
    assert ValueReport.objects.count() == 0


def _figures(node: Any, path: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every figure of the payload: a dict holding a value (or a median) or sources."""
    if isinstance(node, dict):
        if {"value", "median", "sources"} & set(node):
            yield path, node
        for key, child in node.items():
            if key != "sources":
                yield from _figures(child, f"{path}.{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _figures(child, f"{path}[{index}]")


def test_every_figure_of_the_payload_names_at_least_one_source(cmio: User) -> None:
    rolled_up_metric()
    scope = priority()
    initiative = InitiativeFactory.create(stage=Stage.IN_BUILD, title="Line bundle")
    InitiativePriorityFactory.create(initiative=initiative, priority=scope)
    in_november = datetime.datetime(2026, 11, 3, 15, 0, tzinfo=datetime.UTC)
    InitiativeFactory.create(title="Unaligned idea", created_at=in_november)
    InitiativeFactory.create(title="Proposed in December")  # after the month: not listed
    BenefitLineFactory.create(initiative=initiative, locked_target=Decimal("60.00"))
    StatusUpdateFactory.create(initiative=initiative, budget=Health.AT_RISK)
    request = IntakeRequestFactory.create(
        created_at=in_november, ehr_module="Orders", status=RequestStatus.IN_REVIEW
    )
    RequestStatusChangeFactory.create(
        request=request,
        from_status=RequestStatus.IN_REVIEW,
        to_status=RequestStatus.DECIDED,
        at=in_november + datetime.timedelta(days=2),
    )

    payload = build(cmio)[1].payload

    figures = list(_figures(payload))
    assert len(figures) > 20
    missing = [path for path, figure in figures if not figure.get("sources")]
    assert missing == []
    for path, figure in figures:
        for ref in figure["sources"]:
            assert ref["kind"] in SOURCE_KINDS, path
            assert isinstance(ref["id"], int), path
            assert isinstance(ref["label"], str), path
    assert payload["pipeline"]["received"]["value"] == 1
    assert payload["pipeline"]["decided"]["value"] == 1
    assert payload["pipeline"]["days_to_decision"]["median"] == "2.00"
    assert payload["pipeline"]["themes"] == [
        {
            "theme": "Orders",
            "count": 1,
            "sources": [{"kind": "request", "id": request.pk, "label": "Orders"}],
        }
    ]
    [aligned, unaligned] = payload["portfolio"]
    assert aligned["priority"] == {"id": scope.pk, "name": scope.title}
    assert aligned["stages"]["in_build"] == 1
    assert aligned["health"] == {"green": 0, "amber": 1, "red": 0, "none": 0}
    assert aligned["benefits"][0]["locked_target"] == "60.00"
    assert unaligned["priority"] is None
    assert unaligned["health"]["none"] == 2
    assert [item["subject"] for item in payload["decisions"]["needed"]] == [
        request.title,
        "Unaligned idea",
    ]


def test_a_priority_report_is_its_own_series_of_revisions(cmio: User) -> None:
    rolled_up_metric()
    scope = priority()

    _, organisation = build(cmio)
    _, scoped = build(cmio, priority=scope)

    assert (organisation.revision, scoped.revision) == (1, 1)
    assert scoped.payload["scope"] == {"priority": {"id": scope.pk, "name": scope.title}}
    assert scoped.payload["scorecard"] == []  # the metric serves no priority
