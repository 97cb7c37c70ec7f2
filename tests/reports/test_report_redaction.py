"""A redaction reaches the value reports that quoted the text: redaction wins over immutability.
An issued report's payload is rewritten, its files are rendered again from it and stored anew,
and each re-rendered file's old and new sha256 are recorded (never the text); a report that did
not quote the text keeps its files, and a report's own narrative can be redacted too."""

import datetime
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from informatics.choices import Role
from informatics.models import Redaction, User
from informatics.phi import REDACTED
from informatics.services import text_redact
from initiatives.choices import Stage
from reports.choices import FileKind, ReportState
from reports.models import ReportFile, ReportFileRedaction, ValueReport
from reports.payload import payload_hash
from tests.conftest import snapshot
from tests.initiatives.factories import InitiativeFactory
from tests.reports.report_world import NOVEMBER, build, issued, rolled_up_metric
from tests.reports.test_render import pdf_text, workbook

NOW = datetime.datetime(2026, 12, 10, 15, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]
TITLE = "Sepsis huddle pilot"
OCTOBER = datetime.date(2026, 10, 1)


@pytest.fixture
def people(make_user: Callable[..., User]) -> dict[str, User]:
    return {role: make_user(role) for role in (Role.CMIO, Role.CMO, Role.ADMIN, Role.EXECUTIVE)}


def _content(row: ReportFile) -> bytes:
    with row.file.open("rb") as handle:
        content: bytes = handle.read()
    return content


def _files(report: ValueReport) -> dict[str, ReportFile]:
    return {row.kind: row for row in ReportFile.objects.filter(report=report)}


def _cells(content: bytes) -> list[str]:
    book = workbook(content)
    return [
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    ]


def _issued_quoting_the_title(
    people: dict[str, User], *, october: bool = False
) -> tuple[Any, ValueReport]:
    """An issued November report quoting an initiative's title (and, when asked, an October
    report built before the initiative existed: it does not quote it)."""
    rolled_up_metric()
    if october:
        build(people[Role.CMIO], month=OCTOBER)
    in_november = datetime.datetime(2026, 11, 3, 15, 0, tzinfo=datetime.UTC)
    initiative = InitiativeFactory.create(title=TITLE, stage=Stage.PROPOSED, created_at=in_november)
    _, report = build(people[Role.CMIO])
    report = issued(people[Role.CMIO], people[Role.CMO], report)
    return initiative, report


def test_redacting_a_title_re_renders_the_issued_report_that_quoted_it(
    people: dict[str, User], tmp_path: Path
) -> None:
    # Given an issued November report quoting an initiative's title, and an October report
    # that does not quote it
    initiative, report = _issued_quoting_the_title(people, october=True)
    october = ValueReport.objects.get(month=OCTOBER)
    assert TITLE in str(report.payload)
    assert TITLE not in str(october.payload)
    before = {kind: row.sha256 for kind, row in _files(report).items()}
    assert TITLE in pdf_text(_content(_files(report)[FileKind.PDF]), tmp_path, layout=False)
    assert TITLE in _cells(_content(_files(report)[FileKind.XLSX]))
    october_files = snapshot(ReportFile.objects.filter(report=october))
    october_row = snapshot(ValueReport.objects.filter(pk=october.pk))

    # When an admin redacts the title
    redaction = text_redact(
        actor=people[Role.ADMIN], instance=initiative, field="title", reason="A patient's name"
    )

    # Then the issued report's payload no longer holds it, and its hash follows the payload
    report.refresh_from_db()
    assert TITLE not in str(report.payload)
    assert REDACTED in str(report.payload)
    assert report.payload_sha256 == payload_hash(report.payload)
    # … nothing else of the issued report changed
    assert (report.state, report.revision, report.narrative) == (
        ReportState.ISSUED,
        1,
        "A steady month.",
    )
    assert ValueReport.objects.filter(month=NOVEMBER).count() == 1
    # … its files hold it no longer
    files = _files(report)
    assert TITLE not in pdf_text(_content(files[FileKind.PDF]), tmp_path, layout=False)
    assert REDACTED in pdf_text(_content(files[FileKind.PDF]), tmp_path, layout=False)
    assert all(TITLE not in cell for cell in _cells(_content(files[FileKind.XLSX])))
    # … each stored file matches its row, and the PDF and XLSX changed
    for row in files.values():
        content = _content(row)
        assert (row.sha256, row.size) == (hashlib.sha256(content).hexdigest(), len(content))
    changed = {kind for kind, row in files.items() if row.sha256 != before[kind]}
    assert {FileKind.PDF, FileKind.XLSX} <= changed
    # … and each re-rendered file's old and new hashes are recorded with the redaction
    rows = ReportFileRedaction.objects.filter(report_file__report=report)
    assert sorted(
        (row.report_file.kind, row.redaction_id, row.old_sha256, row.new_sha256) for row in rows
    ) == sorted((kind, redaction.pk, before[kind], files[kind].sha256) for kind in changed)
    # … while the report that did not quote the title kept its files and hash
    assert snapshot(ReportFile.objects.filter(report=october)) == october_files
    assert snapshot(ValueReport.objects.filter(pk=october.pk)) == october_row


def test_the_report_page_shows_the_files_re_rendered_after_a_redaction(
    people: dict[str, User], client: Client
) -> None:
    initiative, report = _issued_quoting_the_title(people)
    old = _files(report)[FileKind.PDF].sha256
    text_redact(actor=people[Role.ADMIN], instance=initiative, field="title", reason="PHI")
    new = _files(report)[FileKind.PDF].sha256

    client.force_login(people[Role.EXECUTIVE])
    page = client.get(f"/reports/{report.pk}/").content.decode()

    assert "Files re-rendered after a redaction" in page
    assert f"10 Dec 2026: PDF <small>sha256 <code>{old}</code> → <code>{new}</code>" in page
    assert TITLE not in page


def test_redacting_a_report_s_own_narrative_re_renders_its_files(
    people: dict[str, User], tmp_path: Path
) -> None:
    _, report = _issued_quoting_the_title(people)
    before = {kind: row.sha256 for kind, row in _files(report).items()}
    assert "A steady month." in pdf_text(_content(_files(report)[FileKind.PDF]), tmp_path)

    redaction = text_redact(
        actor=people[Role.ADMIN], instance=report, field="narrative", reason="PHI"
    )

    report.refresh_from_db()
    assert (report.narrative, report.state) == (REDACTED, ReportState.ISSUED)
    files = _files(report)
    assert "A steady month." not in pdf_text(_content(files[FileKind.PDF]), tmp_path)
    assert files[FileKind.PDF].sha256 != before[FileKind.PDF]
    pdf_rows = ReportFileRedaction.objects.filter(report_file=files[FileKind.PDF])
    assert [(row.redaction_id, row.old_sha256, row.new_sha256) for row in pdf_rows] == [
        (redaction.pk, before[FileKind.PDF], files[FileKind.PDF].sha256)
    ]
    for row in ReportFileRedaction.objects.all():
        assert row.new_sha256 == files[row.report_file.kind].sha256


def test_only_an_admin_redacts_a_report_and_nothing_changes(people: dict[str, User]) -> None:
    initiative, report = _issued_quoting_the_title(people)
    before = snapshot(ValueReport, ReportFile, ReportFileRedaction, Redaction)

    for role in (Role.CMIO, Role.CMO, Role.EXECUTIVE):
        with pytest.raises(PermissionDenied):
            text_redact(actor=people[role], instance=report, field="narrative", reason="PHI")
        with pytest.raises(PermissionDenied):
            text_redact(actor=people[role], instance=initiative, field="title", reason="PHI")

    assert snapshot(ValueReport, ReportFile, ReportFileRedaction, Redaction) == before
