"""The request list reads `(created_at, id)` newest first; "similar requests" reads a trigram
index on titles on PostgreSQL (SQLite compares words in Python and has no such index)."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.models import IntakeRequest
from intake.selectors import requests_similar
from tests.intake.factories import IntakeRequestFactory

pytestmark = pytest.mark.django_db


def indexes() -> dict[str, dict[str, Any]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, IntakeRequest._meta.db_table)
    return {name: dict(spec) for name, spec in found.items() if spec["index"]}


def test_requests_are_indexed_by_creation_then_id() -> None:
    assert indexes()["request_created_id_idx"]["columns"] == ["created_at", "id"]


@pytest.mark.sqlite
def test_sqlite_has_no_trigram_index() -> None:
    assert "request_title_trgm_idx" not in indexes()


@pytest.mark.postgres
def test_similar_titles_read_the_trigram_index() -> None:
    IntakeRequestFactory.create(title="Sepsis alert fires twice on transfer")
    IntakeRequestFactory.create(title="Discharge summary template")

    with CaptureQueriesContext(connection) as captured:
        found = requests_similar(title="sepsis alert")
    with connection.cursor() as cursor:
        cursor.execute("SHOW pg_trgm.word_similarity_threshold")
        threshold = cursor.fetchone()
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: plan as if large
        cursor.execute("EXPLAIN " + captured.captured_queries[-1]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert [row.title for row in found] == ["Sepsis alert fires twice on transfer"]
    assert indexes()["request_title_trgm_idx"]["type"] == "gin"
    assert threshold == ("0.3",)
    assert "request_title_trgm_idx" in plan
