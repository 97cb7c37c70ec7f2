"""The review page shows each item's reason and offers the chair's controls only to the
chair; the admin edits the agenda thresholds and only reads reviews and action items."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from governance.choices import AgendaKind, BodyKind
from governance.models import AgendaItem, AgendaSettings, Review
from informatics.models import User
from tests.governance.agenda_world import body, review_of

NOW = datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]


@pytest.fixture
def review(users: dict[str, User]) -> Review:
    made = review_of(body("council", BodyKind.COUNCIL, users["executive"]), users["executive"])
    AgendaItem.objects.create(
        review=made,
        position=1,
        kind=AgendaKind.REQUEST,
        reason="Scored 72.5 (threshold 60.0), routed to CDS committee, awaiting decision",
        title="Sepsis alert",
    )
    return made


def test_the_chair_sees_the_reasons_and_the_controls(review: Review, client_for: Any) -> None:
    page = client_for("executive").get(f"/governance/reviews/{review.pk}/").content.decode()
    assert "Scored 72.5 (threshold 60.0), routed to CDS committee, awaiting decision" in page
    assert "Propose agenda" in page
    assert "Move Sepsis alert up" in page


def test_a_champion_sees_the_reasons_without_the_controls(review: Review, client_for: Any) -> None:
    page = client_for("champion").get(f"/governance/reviews/{review.pk}/").content.decode()
    assert "awaiting decision" in page
    assert "Propose agenda" not in page
    assert "Move Sepsis alert up" not in page


def test_the_admin_edits_the_thresholds_and_only_reads_reviews(
    review: Review, make_user: Any
) -> None:
    admin = make_user("admin", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    settings = AgendaSettings.objects.create()
    answer = client.post(
        f"/admin/governance/agendasettings/{settings.pk}/change/",
        {"request_min_score": "55.5", "action_overdue_days": "3", "max_items": "20"},
    )
    assert answer.status_code == 302
    settings.refresh_from_db()
    assert (settings.request_min_score, settings.action_overdue_days, settings.max_items) == (
        Decimal("55.5"),
        3,
        20,
    )
    assert client.get("/admin/governance/review/add/").status_code == 403
    assert client.post(f"/admin/governance/review/{review.pk}/delete/").status_code == 403
    assert Review.objects.filter(pk=review.pk).exists()
