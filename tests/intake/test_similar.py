"""Similar open requests while a title is typed: trigram word similarity on PostgreSQL, a
word-overlap fallback elsewhere. The tests that are not marked run in both database passes."""

import pytest

from intake.choices import CLOSED_STATUSES, RequestStatus
from intake.models import IntakeRequest
from intake.selectors import requests_similar, title_similarity, title_tokens
from tests.intake.factories import IntakeRequestFactory

TITLES = [
    "Sepsis alert fires on every post-op tachycardia",
    "Sepsis order set lacks lactate timer",
    "Alert fatigue from duplicate allergy warnings",
    "Post-op order set duplicates VTE orders",
    "Inbox routing for normal labs",
]


@pytest.fixture
def open_requests(db: None) -> list[IntakeRequest]:
    return [IntakeRequestFactory.create(title=title) for title in TITLES]


@pytest.mark.django_db
def test_typing_sepsis_alert_post_op_suggests_the_sepsis_alert_first(
    open_requests: list[IntakeRequest],
) -> None:
    suggested = requests_similar(title="sepsis alert post-op")

    assert suggested[0].title == "Sepsis alert fires on every post-op tachycardia"
    assert "Inbox routing for normal labs" not in [r.title for r in suggested]


@pytest.mark.django_db
@pytest.mark.parametrize("status", sorted(CLOSED_STATUSES))
def test_a_closed_request_with_the_same_title_is_never_suggested(
    open_requests: list[IntakeRequest], status: str
) -> None:
    closed = IntakeRequestFactory.create(title=TITLES[0], status=status)

    suggested = requests_similar(title="sepsis alert post-op")
    exact = requests_similar(title=TITLES[0])

    assert closed not in suggested
    assert closed not in exact
    assert exact[0] == open_requests[0]


@pytest.mark.django_db
def test_private_requests_and_the_request_itself_are_not_suggested(
    open_requests: list[IntakeRequest],
) -> None:
    private = IntakeRequestFactory.create(title=TITLES[0], is_private=True)

    suggested = requests_similar(title=TITLES[0], exclude_id=open_requests[0].pk)

    assert private not in suggested
    assert open_requests[0] not in suggested


@pytest.mark.django_db
def test_suggestions_carry_similarity_and_votes_and_respect_the_limit(
    open_requests: list[IntakeRequest],
) -> None:
    suggested = requests_similar(title="order set", limit=1)

    assert len(suggested) == 1
    assert suggested[0].title in {TITLES[1], TITLES[3]}
    assert 0 < suggested[0].similarity <= 1  # type: ignore[attr-defined]
    assert suggested[0].vote_count == 0  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_short_or_unrelated_text_suggests_nothing(open_requests: list[IntakeRequest]) -> None:
    assert requests_similar(title="  ") == []
    assert requests_similar(title="ab") == []
    assert requests_similar(title="xylophone quartet") == []


@pytest.mark.django_db
def test_every_open_status_can_be_suggested(open_requests: list[IntakeRequest]) -> None:
    for status in sorted(set(RequestStatus.values) - CLOSED_STATUSES):
        IntakeRequest.objects.filter(pk=open_requests[0].pk).update(status=status)
        assert requests_similar(title=TITLES[0])[0] == open_requests[0], status


# --- The fallback's arithmetic (pure) -------------------------------------------------------


def test_tokens_keep_hyphenated_words_and_their_parts() -> None:
    assert title_tokens("Sepsis alert fires on every post-op tachycardia!") == {
        "sepsis",
        "alert",
        "fires",
        "every",
        "post-op",
        "post",
        "op",
        "tachycardia",
    }


@pytest.mark.parametrize(
    ("title", "similarity"),
    [
        (TITLES[0], 1.0),  # sepsis, alert, post-op: 3 of 3
        (TITLES[1], 1 / 3),  # sepsis
        (TITLES[2], 1 / 3),  # alert
        (TITLES[3], 1 / 3),  # post-op
        (TITLES[4], 0.0),
        ("Post op checklist", 1 / 3),  # both parts of post-op, written apart
        ("Post anesthesia alerting", (0.5 + 0.5) / 3),  # half of post-op; "alert" begins a word
    ],
)
def test_title_similarity(title: str, similarity: float) -> None:
    assert title_similarity("sepsis alert post-op", title) == pytest.approx(similarity)


def test_a_word_still_being_typed_counts_half() -> None:
    assert title_similarity("sepsis ale", "Sepsis alert fires") == pytest.approx(0.75)
