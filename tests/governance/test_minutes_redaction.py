"""A redaction reaches the stored minutes of a held review that showed the text: the PDF is
rendered again; a review that did not show it keeps its file."""

import datetime
import hashlib
from pathlib import Path
from typing import Any

import pytest

from governance import services
from governance.choices import BodyKind, ReviewStatus
from governance.models import Decision, Review
from informatics.models import User
from informatics.phi import REDACTED
from informatics.services import text_redact
from tests.governance.agenda_world import body, review_of
from tests.governance.test_minutes_pdf import held_review, pdf_text

NOW = datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]
RATIONALE = "Mortality benefit outweighs alert burden"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


def _held(review: Review) -> Review:
    Review.objects.filter(pk=review.pk).update(status=ReviewStatus.HELD)
    assert services.review_minutes_render(review_id=review.pk) is True
    review.refresh_from_db()
    return review


def _file(review: Review) -> tuple[str, int, int]:
    """The stored file's sha256, inode and modification time: equal means not written again."""
    path = Path(review.minutes_pdf.path)
    stat = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), stat.st_ino, stat.st_mtime_ns


def test_redacting_a_decision_rationale_renders_the_review_minutes_again(
    users: dict[str, User],
) -> None:
    review = _held(held_review(users))
    other = _held(review_of(body("quality", BodyKind.STEERING, users["cmo"]), users["cmo"]))
    assert RATIONALE in pdf_text(review.minutes_pdf.path)
    other_file = _file(other)
    decision = Decision.objects.get(review=review, rationale=RATIONALE)

    text_redact(actor=users["admin"], instance=decision, field="rationale", reason="PHI")

    review.refresh_from_db()
    text = pdf_text(review.minutes_pdf.path)
    assert RATIONALE not in text
    assert f"Rationale: {REDACTED}" in text
    assert "Service desk owns printers" in text
    other.refresh_from_db()
    assert _file(other) == other_file


def test_redacting_an_initiative_title_renders_the_minutes_of_its_decision_again(
    users: dict[str, User],
) -> None:
    review = _held(held_review(users))
    initiative = Decision.objects.get(review=review, rationale=RATIONALE).initiative
    assert "Sepsis bundle" in pdf_text(review.minutes_pdf.path)

    text_redact(actor=users["admin"], instance=initiative, field="title", reason="PHI")

    review.refresh_from_db()
    assert "Sepsis bundle" not in pdf_text(review.minutes_pdf.path)
