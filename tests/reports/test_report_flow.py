"""The sign-off of a value report, by page and by API: only the CMIO writes the narrative and
marks the draft reviewed, only the CMO issues it, and an executive sees issued reports only.
Every refusal changes nothing."""

import datetime
import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from informatics.choices import Role
from informatics.models import AuditEvent, JobRun, Notification, User
from reports.choices import ReportState
from reports.models import ReportFile, ReportSubscription, ValueReport
from tests.conftest import ApiAs, snapshot
from tests.reports.report_world import build, issued, reviewed, rolled_up_metric

NOW = datetime.datetime(2026, 12, 10, 15, 0, tzinfo=datetime.UTC)  # the clock these tests run on
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]
NOT_CMIO = [Role.CMO, Role.INFORMATICIST, Role.EXECUTIVE, Role.CHAMPION, Role.ADMIN]
NOT_CMO = [Role.CMIO, Role.INFORMATICIST, Role.EXECUTIVE, Role.CHAMPION, Role.ADMIN]
DRAFT_READERS = [Role.CMIO, Role.CMO, Role.INFORMATICIST]


@pytest.fixture
def draft(users: dict[str, User]) -> ValueReport:
    rolled_up_metric()
    return build(users[Role.CMIO])[1]


def _unchanged() -> list[list[Any]]:
    return snapshot(ValueReport, ReportFile, AuditEvent, JobRun, Notification)


# --- Pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", NOT_CMIO)
def test_only_the_cmio_writes_the_narrative_and_marks_reviewed_on_the_page(
    client_for: Callable[[str], Client], draft: ValueReport, role: str
) -> None:
    before = _unchanged()
    client = client_for(role)

    narrative = client.post(f"/reports/{draft.pk}/narrative/", {"narrative": "Mine."})
    review = client.post(f"/reports/{draft.pk}/review/")

    assert (narrative.status_code, review.status_code) == (403, 403)
    assert _unchanged() == before


def test_the_cmio_writes_the_narrative_then_marks_reviewed_on_the_page(
    client_for: Callable[[str], Client], draft: ValueReport, users: dict[str, User]
) -> None:
    client = client_for(Role.CMIO)
    early = client.post(f"/reports/{draft.pk}/review/", follow=True)
    assert "Write the narrative before marking it reviewed." in early.content.decode()

    saved = client.post(f"/reports/{draft.pk}/narrative/", {"narrative": "Infections fell."})
    review = client.post(f"/reports/{draft.pk}/review/")

    assert (saved.status_code, review.status_code) == (302, 302)
    draft.refresh_from_db()
    assert (draft.state, draft.narrative, draft.narrative_by, draft.reviewed_by) == (
        ReportState.REVIEWED,
        "Infections fell.",
        users[Role.CMIO],
        users[Role.CMIO],
    )


def test_a_narrative_that_looks_like_patient_information_is_held_back(
    client_for: Callable[[str], Client], draft: ValueReport
) -> None:
    before = _unchanged()

    response = client_for(Role.CMIO).post(
        f"/reports/{draft.pk}/narrative/", {"narrative": "Patient MRN 4412897 was harmed."}
    )

    assert response.status_code == 200
    assert 'class="phi"' in response.content.decode()
    assert _unchanged() == before


@pytest.mark.parametrize("role", NOT_CMO)
def test_only_the_cmo_issues_on_the_page(
    client_for: Callable[[str], Client], draft: ValueReport, users: dict[str, User], role: str
) -> None:
    reviewed(users[Role.CMIO], draft)
    before = _unchanged()

    response = client_for(role).post(f"/reports/{draft.pk}/issue/")

    assert response.status_code == 403
    assert _unchanged() == before


def test_the_cmo_cannot_issue_a_draft_not_yet_reviewed(
    client_for: Callable[[str], Client], draft: ValueReport
) -> None:
    before = _unchanged()

    response = client_for(Role.CMO).post(f"/reports/{draft.pk}/issue/", follow=True)

    assert "Only a reviewed report can be issued; this one is draft." in response.content.decode()
    assert _unchanged() == before


def test_the_cmo_issues_and_subscribers_are_told(
    client_for: Callable[[str], Client],
    draft: ValueReport,
    users: dict[str, User],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    reviewed(users[Role.CMIO], draft)
    ReportSubscription.objects.create(user=users[Role.EXECUTIVE], active=True)
    ReportSubscription.objects.create(user=users[Role.CHAMPION], active=False)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(Role.CMO).post(f"/reports/{draft.pk}/issue/")

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.state, draft.issued_by) == (ReportState.ISSUED, users[Role.CMO])
    assert draft.issued_at is not None
    assert draft.issued_at - NOW < datetime.timedelta(minutes=1)
    assert [message.to for message in mail.outbox] == [["executive@riverside.example"]]
    assert mail.outbox[0].subject.endswith("Value report issued: November 2026")


def test_an_executive_sees_issued_reports_only(
    client_for: Callable[[str], Client], draft: ValueReport, users: dict[str, User]
) -> None:
    client = client_for(Role.EXECUTIVE)

    listed = client.get("/reports/")
    page = client.get(f"/reports/{draft.pk}/")
    download = client.get(f"/reports/{draft.pk}/download/csv/")

    assert listed.context["rows"] == []
    assert (page.status_code, download.status_code) == (404, 404)

    issued(users[Role.CMIO], users[Role.CMO], draft)
    listed = client.get("/reports/")
    page = client.get(f"/reports/{draft.pk}/")
    download = client.get(f"/reports/{draft.pk}/download/csv/")

    assert [row.pk for row in listed.context["rows"]] == [draft.pk]
    assert page.status_code == 200
    assert "November 2026" in page.content.decode()
    content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    stored = ReportFile.objects.get(report=draft, kind="csv")
    assert download["X-Content-SHA256"] == stored.sha256 == hashlib.sha256(content).hexdigest()
    assert download["Content-Type"] == "application/zip"


@pytest.mark.parametrize("role", DRAFT_READERS)
def test_the_cmio_cmo_and_informaticists_read_drafts(
    client_for: Callable[[str], Client], draft: ValueReport, role: str
) -> None:
    client = client_for(role)

    assert [row.pk for row in client.get("/reports/").context["rows"]] == [draft.pk]
    assert client.get(f"/reports/{draft.pk}/").status_code == 200


def test_the_executive_landing_links_the_latest_issued_report(
    client_for: Callable[[str], Client], draft: ValueReport, users: dict[str, User]
) -> None:
    assert (
        "No value report issued yet"
        in client_for(Role.EXECUTIVE).get("/home/executive/").content.decode()
    )
    issued(users[Role.CMIO], users[Role.CMO], draft)

    page = client_for(Role.EXECUTIVE).get("/home/executive/").content.decode()

    assert f'href="/reports/{draft.pk}/"' in page


@pytest.mark.parametrize("role", NOT_CMIO)
def test_only_the_cmio_requests_a_draft_on_the_page(
    client_for: Callable[[str], Client], role: str
) -> None:
    before = _unchanged()

    response = client_for(role).post("/reports/draft/", {"month": "2026-11-15"})

    assert response.status_code == 403
    assert _unchanged() == before


def test_the_cmio_requests_a_draft_on_the_page(client_for: Callable[[str], Client]) -> None:
    response = client_for(Role.CMIO).post("/reports/draft/", {"month": "2026-11-15"})

    assert response.status_code == 302
    job = JobRun.objects.get()
    assert (job.kind, job.scope) == ("reports.build", {"month": "2026-11-01", "priority_id": None})


def test_a_draft_of_a_month_not_begun_is_refused(client_for: Callable[[str], Client]) -> None:
    response = client_for(Role.CMIO).post("/reports/draft/", {"month": "2027-01-01"})

    assert response.status_code == 200
    assert "A report covers a month that has begun." in response.content.decode()
    assert JobRun.objects.count() == 0


def test_a_draft_of_a_month_before_1900_is_refused_naming_the_month(
    api_as: ApiAs, users: dict[str, User]
) -> None:
    # Its build would reach back 13 months for the sparklines: before year 1, an OverflowError.
    response = api_as(users[Role.CMIO]).post("/api/v1/reports/", {"month": "0001-01-01"}, "json")

    assert (response.status_code, response.json()) == (
        400,
        {"month": ["A report covers a month from January 1900 on."]},
    )
    assert JobRun.objects.count() == 0


@pytest.mark.parametrize("role", Role.values)
def test_everyone_subscribes_themselves(
    client_for: Callable[[str], Client], users: dict[str, User], role: str
) -> None:
    client = client_for(role)

    client.post("/reports/subscription/", {"active": "1"})
    assert ReportSubscription.objects.get(user=users[role]).active is True
    client.post("/reports/subscription/", {"active": "0"})

    assert list(ReportSubscription.objects.values_list("user", "active")) == [
        (users[role].pk, False)
    ]


# --- API ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", NOT_CMIO)
def test_api_only_the_cmio_marks_reviewed_and_writes_the_narrative(
    api_as: ApiAs, users: dict[str, User], draft: ValueReport, role: str
) -> None:
    before = _unchanged()
    client = api_as(users[role])

    narrative = client.post(
        f"/api/v1/reports/{draft.pk}/narrative/", {"narrative": "Mine."}, format="json"
    )
    review = client.post(f"/api/v1/reports/{draft.pk}/review/")

    assert (narrative.status_code, review.status_code) == (403, 403)
    assert _unchanged() == before


@pytest.mark.parametrize("role", NOT_CMO)
def test_api_only_the_cmo_issues(
    api_as: ApiAs, users: dict[str, User], draft: ValueReport, role: str
) -> None:
    reviewed(users[Role.CMIO], draft)
    before = _unchanged()

    response = api_as(users[role]).post(f"/api/v1/reports/{draft.pk}/issue/")

    assert response.status_code == 403
    assert _unchanged() == before


def test_api_the_flow_from_request_to_issue(
    api_as: ApiAs,
    users: dict[str, User],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    rolled_up_metric()
    cmio, cmo = api_as(users[Role.CMIO]), api_as(users[Role.CMO])

    with django_capture_on_commit_callbacks(execute=True):
        requested = cmio.post("/api/v1/reports/", {"month": "2026-11-20"}, format="json")

    assert requested.status_code == 202
    job_id = requested.json()["id"]
    status = cmio.get(f"/api/v1/reports/jobs/{job_id}/").json()
    assert (status["status"], status["progress_done"], status["progress_total"]) == ("done", 3, 3)
    report_id = status["result"]["report_id"]
    early_issue = cmo.post(f"/api/v1/reports/{report_id}/issue/")
    assert early_issue.status_code == 400
    assert cmio.post(f"/api/v1/reports/{report_id}/review/").status_code == 400  # no narrative
    narrated = cmio.post(
        f"/api/v1/reports/{report_id}/narrative/", {"narrative": "Fewer infections."}
    )
    assert narrated.status_code == 200
    assert cmio.post(f"/api/v1/reports/{report_id}/review/").json()["state"] == "reviewed"

    answer = cmo.post(f"/api/v1/reports/{report_id}/issue/")

    assert answer.status_code == 200
    body = answer.json()
    assert (body["state"], body["revision"], body["narrative"]) == (
        "issued",
        1,
        "Fewer infections.",
    )
    assert body["payload"]["period"]["label"] == "November 2026"
    assert sorted(row["kind"] for row in body["files"]) == ["csv", "pdf", "xlsx"]
    stored = dict(ReportFile.objects.values_list("kind", "sha256"))
    assert {row["kind"]: row["sha256"] for row in body["files"]} == stored
    csv_url = next(row["download_url"] for row in body["files"] if row["kind"] == "csv")
    assert csv_url == f"/api/v1/reports/{report_id}/download/csv/"
    download = api_as(users[Role.EXECUTIVE]).get(csv_url)
    assert download.status_code == 200
    assert download["X-Content-SHA256"] == stored["csv"]


def test_api_an_executive_sees_issued_reports_only(
    api_as: ApiAs, users: dict[str, User], draft: ValueReport
) -> None:
    client = api_as(users[Role.EXECUTIVE])

    assert client.get("/api/v1/reports/").json()["results"] == []
    assert client.get(f"/api/v1/reports/{draft.pk}/").status_code == 404
    assert client.get(f"/api/v1/reports/{draft.pk}/download/pdf/").status_code == 404
    assert client.get("/api/v1/reports/jobs/1/").status_code == 403

    issued(users[Role.CMIO], users[Role.CMO], draft)

    assert [row["id"] for row in client.get("/api/v1/reports/").json()["results"]] == [draft.pk]
    assert client.get(f"/api/v1/reports/{draft.pk}/").json()["state"] == "issued"


@pytest.mark.parametrize("role", NOT_CMIO)
def test_api_only_the_cmio_requests_a_draft(
    api_as: ApiAs, users: dict[str, User], role: str
) -> None:
    before = _unchanged()

    response = api_as(users[role]).post("/api/v1/reports/", {"month": "2026-11-01"}, format="json")

    assert response.status_code == 403
    assert _unchanged() == before
