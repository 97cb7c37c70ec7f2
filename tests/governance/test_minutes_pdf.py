"""The minutes PDF of a held review: generated, stored, and its text holds each decision,
rationale and action."""

import datetime
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from governance import services
from governance.choices import BodyKind, Outcome, ReviewStatus
from governance.models import AgendaItem, Decision, Review
from informatics.models import User
from tests.governance.agenda_world import action, body, review_of
from tests.initiatives.factories import InitiativeFactory
from tests.intake.factories import IntakeRequestFactory

NOW = datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


def held_review(users: dict[str, User]) -> Review:
    steering = body("steering", BodyKind.STEERING, users["cmo"])
    review = review_of(steering, users["cmo"], days=-1)
    review.attendees.set([users["cmo"], users["cmio"]])
    item = AgendaItem.objects.create(
        review=review, position=1, kind="other", reason="Added by the chair", title="Budget"
    )
    Decision.objects.create(
        body=steering,
        review=review,
        initiative=InitiativeFactory.create(title="Sepsis bundle"),
        outcome=Outcome.APPROVE,
        rationale="Mortality benefit outweighs alert burden",
        decided_by=users["cmo"],
    )
    Decision.objects.create(
        body=steering,
        review=review,
        request=IntakeRequestFactory.create(title="Printer tray"),
        outcome=Outcome.DECLINE,
        rationale="Service desk owns printers",
        decided_by=users["cmio"],
    )
    action(
        steering,
        users["informaticist"],
        datetime.date(2026, 7, 1),
        title="Draft order set",
        agenda_item=item,
    )
    services.review_update(actor=users["cmo"], review=review, minutes="Quorum present.")
    return review


def pdf_text(path: str) -> str:
    done = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", path, "-"], capture_output=True, check=True, text=True
    )
    return " ".join(done.stdout.split())


def test_holding_a_review_renders_minutes_with_each_decision_rationale_and_action(
    users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    review = held_review(users)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_hold(actor=users["cmo"], review=review)
    review.refresh_from_db()
    assert review.status == ReviewStatus.HELD
    assert review.minutes_pdf.name == f"governance/minutes/review-{review.pk}.pdf"
    text = pdf_text(review.minutes_pdf.path)
    for expected in (
        "Sepsis bundle",
        "Mortality benefit outweighs alert burden",
        "Printer tray",
        "Service desk owns printers",
        "Draft order set",
        "Quorum present.",
        "Demo CMIO",
    ):
        assert expected in text


def test_rendering_again_replaces_the_file_and_a_planned_review_gets_none(
    users: dict[str, User],
) -> None:
    review = held_review(users)
    assert services.review_minutes_render(review_id=review.pk) is False
    Review.objects.filter(pk=review.pk).update(status=ReviewStatus.HELD)
    assert services.review_minutes_render(review_id=review.pk) is True
    assert services.review_minutes_render(review_id=review.pk) is True
    review.refresh_from_db()
    assert review.minutes_pdf.name == f"governance/minutes/review-{review.pk}.pdf"


def test_the_review_page_offers_the_pdf_and_it_downloads(
    users: dict[str, User], client_for: Any
) -> None:
    review = held_review(users)
    Review.objects.filter(pk=review.pk).update(status=ReviewStatus.HELD)
    services.review_minutes_render(review_id=review.pk)
    client: Client = client_for("champion")
    page = client.get(f"/governance/reviews/{review.pk}/")
    assert "Download minutes (PDF)" in page.content.decode()
    download = client.get(f"/governance/reviews/{review.pk}/minutes.pdf")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download.getvalue().startswith(b"%PDF")
