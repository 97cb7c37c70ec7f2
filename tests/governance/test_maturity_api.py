"""/api/v1/maturity/: the history newest first (paged, a fixed number of queries), one
assessment, and recording one — with the same rules and refusals as the page."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest

from governance.models import MaturityAssessment, MaturityScore, MaturityWeight
from informatics.models import AuditEvent, User
from tests.conftest import ApiAs, snapshot
from tests.governance.factories import DONE_WHEN_SCORES, assess, scores

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

URL = "/api/v1/maturity/"
TABLES = (MaturityAssessment, MaturityScore, MaturityWeight, AuditEvent)


def body(values: dict[str, str]) -> dict[str, Any]:
    return {"assessed_on": "2026-06-12", "scores": values, "note": "Joint review."}


def test_the_cmo_records_an_assessment(users: dict[str, User], api_as: ApiAs) -> None:
    response = api_as(users["cmo"]).post(URL, body(DONE_WHEN_SCORES), format="json")

    assert response.status_code == 201
    data = response.json()
    assessment = MaturityAssessment.objects.get()
    assert data["id"] == assessment.pk
    assert data["kind"] == "assessment"
    assert data["assessed_on"] == "2026-06-12"
    assert data["assessed_by"]["id"] == users["cmo"].pk
    assert data["note"] == "Joint review."
    assert data["overall"] == 2.11
    assert data["level"] == 2
    assert data["level_name"] == "Developing"
    assert data["scores"] == {d: float(v) for d, v in DONE_WHEN_SCORES.items()}


@pytest.mark.parametrize("bad", ["0.5", "4.5", "2.25"])
def test_a_score_off_the_steps_is_a_400_naming_the_dimension(
    users: dict[str, User], api_as: ApiAs, bad: str
) -> None:
    response = api_as(users["cmio"]).post(
        URL, body({**DONE_WHEN_SCORES, "measurement": bad}), format="json"
    )

    assert response.status_code == 400
    assert response.json()["measurement"] == [
        f"Measurement and value realisation: {bad} is not a score: give 1 to 4 in steps of 0.5."
    ]
    assert not MaturityAssessment.objects.exists()


@pytest.mark.parametrize("role", ["champion", "informaticist", "executive", "admin"])
def test_others_cannot_record_an_assessment(
    users: dict[str, User], api_as: ApiAs, role: str
) -> None:
    assess(users["cmio"], TODAY, DONE_WHEN_SCORES)
    before = snapshot(*TABLES)

    response = api_as(users[role]).post(URL, body(DONE_WHEN_SCORES), format="json")

    assert response.status_code == 403
    assert snapshot(*TABLES) == before


def test_a_champion_cannot_read_the_history(users: dict[str, User], api_as: ApiAs) -> None:
    assert api_as(users["champion"]).get(URL).status_code == 403


def test_the_history_lists_newest_first_and_one_reads_back(
    users: dict[str, User], api_as: ApiAs
) -> None:
    older = assess(users["cmio"], datetime.date(2025, 12, 1), scores("1.5"))
    newer = assess(users["cmo"], TODAY, DONE_WHEN_SCORES)
    client = api_as(users["executive"])

    listed = client.get(URL).json()
    one = client.get(f"{URL}{older.pk}/").json()

    assert listed["count"] == 2
    assert [(row["id"], row["overall"]) for row in listed["results"]] == [
        (newer.pk, 2.11),
        (older.pk, 1.5),
    ]
    assert one["assessed_on"] == "2025-12-01"
    assert one["level_name"] == "Foundational"


@pytest.mark.parametrize("count", [2, 20])
def test_the_list_reads_a_fixed_number_of_queries(
    users: dict[str, User],
    api_as: ApiAs,
    count: int,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    for n in range(count):
        assess(users["cmio"], TODAY - datetime.timedelta(days=30 * n), scores("2.0"))
    client = api_as(users["cmo"])
    client.get(URL)  # the site settings row is made and cached on the first call

    # 1 token and user, 2 roles; 3 count, 4 page of assessments with assessors, 5 their
    # scores; 6 weights.
    with django_assert_num_queries(6):
        response = client.get(URL)
    assert len(response.json()["results"]) == count
