"""Who may open which intake page and take which action, for every role (DESIGN.md's table):
everyone submits, votes, comments and reads; champions read their own requests and those not
marked private; champions and executives edit their own request while it is submitted; only
informaticists and the CMIO triage, score, ask, move and merge; only admins edit the rubric.
Each refused write answers 403 and changes nothing."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from informatics.choices import Role
from informatics.models import AuditEvent, Notification, PhiConfirmation, User
from intake import services
from intake.models import (
    IntakeRequest,
    RequestComment,
    RequestScore,
    RequestStatusChange,
    RequestVote,
    Rubric,
)
from tests.conftest import snapshot
from tests.intake.factories import FULL_RATINGS, submit

pytestmark = pytest.mark.django_db

ROLES = Role.values
TRIAGE_ROLES = {Role.CMIO, Role.INFORMATICIST}
EDITOR_ROLES = {Role.CHAMPION, Role.EXECUTIVE}

PAGES_FOR_EVERYONE = [
    "intake:request-list",
    "intake:request-create",
    "intake:request-mine",
    "intake:request-similar",
    "intake:request-export",
    "intake:rubric-edit",
]


@pytest.fixture
def author(make_user: Callable[..., User]) -> User:
    """A champion other than users["champion"], who raised the requests below."""
    return make_user(Role.CHAMPION, email="author@riverside.example")


@pytest.fixture
def public(author: User) -> IntakeRequest:
    return submit(author, title="Sepsis alert fires on every post-op tachycardia")


@pytest.fixture
def private(author: User) -> IntakeRequest:
    return submit(author, title="My own private worry", is_private=True)


# Everything a refused write could have changed (compared whole with `snapshot`).
TABLES = (
    IntakeRequest,
    RequestComment,
    RequestVote,
    RequestStatusChange,
    RequestScore,
    Rubric,
    AuditEvent,
    PhiConfirmation,
    Notification,
)


# --- Pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", PAGES_FOR_EVERYONE)
def test_every_role_opens_the_common_pages(
    client_for: Callable[[str], Client], public: IntakeRequest, role: str, name: str
) -> None:
    response = client_for(role).get(reverse(name), {"title": "sepsis alert"})

    assert response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_only_triage_roles_open_the_triage_queue(
    client_for: Callable[[str], Client], public: IntakeRequest, role: str
) -> None:
    response = client_for(role).get(reverse("intake:triage-queue"))

    assert response.status_code == (200 if role in TRIAGE_ROLES else 403)


@pytest.mark.parametrize("role", ROLES)
def test_the_triage_entry_in_the_navigation_follows_the_role(
    client_for: Callable[[str], Client], role: str
) -> None:
    html = client_for(role).get(reverse("intake:request-list")).text

    assert '<a href="/requests/" aria-current="page">Requests</a>' in html
    assert ('<a href="/requests/triage/">Triage</a>' in html) == (role in TRIAGE_ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_a_request_not_marked_private(
    client_for: Callable[[str], Client], public: IntakeRequest, role: str
) -> None:
    response = client_for(role).get(reverse("intake:request-detail", args=[public.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_only_champions_are_refused_someone_elses_private_request(
    client_for: Callable[[str], Client], private: IntakeRequest, role: str
) -> None:
    response = client_for(role).get(reverse("intake:request-detail", args=[private.pk]))

    assert response.status_code == (403 if role == Role.CHAMPION else 200)


def test_a_champion_reads_their_own_private_request(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    own = submit(users[Role.CHAMPION], is_private=True)

    response = client_for(Role.CHAMPION).get(reverse("intake:request-detail", args=[own.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_private_requests_of_others_stay_out_of_a_champions_lists_and_export(
    client_for: Callable[[str], Client], public: IntakeRequest, private: IntakeRequest, role: str
) -> None:
    client = client_for(role)

    listed = [r.pk for r in client.get(reverse("intake:request-list")).context["rows"]]
    export = b"".join(
        client.get(reverse("intake:request-export")).streaming_content  # type: ignore[attr-defined]
    ).decode("utf-8-sig")
    similar = client.get(reverse("intake:request-similar"), {"title": "my own private"})

    if role == Role.CHAMPION:
        assert listed == [public.pk]
        assert "My own private worry" not in export
    else:
        assert listed == [private.pk, public.pk]
        assert "My own private worry" in export
    assert similar.context["similar"] == []  # private requests are never suggested


def test_a_missing_request_is_404(client_for: Callable[[str], Client]) -> None:
    response = client_for(Role.CMIO).get(reverse("intake:request-detail", args=[9999]))

    assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_the_edit_page_is_for_champions_and_executives_on_their_own_submitted_request(
    client_for: Callable[[str], Client], users: dict[str, User], role: str
) -> None:
    own = submit(users[role])

    response = client_for(role).get(reverse("intake:request-edit", args=[own.pk]))

    assert response.status_code == (200 if role in EDITOR_ROLES else 403)


@pytest.mark.parametrize("role", ROLES)
def test_nobody_opens_the_edit_page_of_someone_elses_request(
    client_for: Callable[[str], Client], public: IntakeRequest, role: str
) -> None:
    response = client_for(role).get(reverse("intake:request-edit", args=[public.pk]))

    assert response.status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/requests/",
        "/requests/new/",
        "/requests/mine/",
        "/requests/triage/",
        "/requests/similar/",
        "/requests/export.csv",
        "/requests/rubric/",
        "/requests/1/",
        "/requests/1/edit/",
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={path}"


# --- Refused writes ------------------------------------------------------------------------------


def triage_data(request: IntakeRequest) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": request.version,
        "kind": "new_cds",
        "route": "cds_committee",
        "build_hours": "100",
    }
    data.update({f"rating_{code}": str(value) for code, value in FULL_RATINGS.items()})
    return data


NOT_TRIAGE = sorted(set(ROLES) - TRIAGE_ROLES)


@pytest.mark.parametrize("role", NOT_TRIAGE)
@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("request-triage", None),
        ("request-transition", {"to_status": "triage"}),
        ("request-transition", {"to_status": "declined", "decline_reason": "low_value"}),
        ("request-ask", {"question": "Which units see it?"}),
        ("request-merge", "survivor"),
    ],
)
def test_only_triage_roles_triage_ask_move_and_merge(
    client_for: Callable[[str], Client],
    author: User,
    public: IntakeRequest,
    role: str,
    action: str,
    data: Any,
) -> None:
    if data is None:
        data = triage_data(public)
    elif data == "survivor":
        data = {"survivor": submit(author, title="The survivor").pk}
    before = snapshot(*TABLES)

    response = client_for(role).post(reverse(f"intake:{action}", args=[public.pk]), data)

    assert response.status_code == 403
    assert snapshot(*TABLES) == before


@pytest.mark.parametrize("role", ROLES)
def test_nobody_edits_someone_elses_request(
    client_for: Callable[[str], Client], public: IntakeRequest, role: str
) -> None:
    before = snapshot(*TABLES)

    response = client_for(role).post(
        reverse("intake:request-edit", args=[public.pk]),
        {
            "title": "Taken over",
            "kind": "pain_point",
            "story_today": "x",
            "story_wanted": "y",
            "frequency": "daily",
            "version": public.version,
        },
    )

    assert response.status_code == 403
    assert snapshot(*TABLES) == before


@pytest.mark.parametrize("role", sorted(set(ROLES) - EDITOR_ROLES))
def test_roles_without_the_edit_right_cannot_edit_even_their_own(
    client_for: Callable[[str], Client], users: dict[str, User], role: str
) -> None:
    own = submit(users[role])
    before = snapshot(*TABLES)

    response = client_for(role).post(
        reverse("intake:request-edit", args=[own.pk]),
        {
            "title": "Changed",
            "kind": "pain_point",
            "story_today": "x",
            "story_wanted": "y",
            "frequency": "daily",
            "version": own.version,
        },
    )

    assert response.status_code == 403
    assert snapshot(*TABLES) == before


def test_the_submitter_cannot_edit_once_triage_has_started(
    client_for: Callable[[str], Client], users: dict[str, User]
) -> None:
    own = submit(users[Role.CHAMPION])
    services.request_triage(actor=users[Role.CMIO], request=own, version=1, build_hours=4)
    own.refresh_from_db()
    before = snapshot(*TABLES)

    page = client_for(Role.CHAMPION).get(reverse("intake:request-edit", args=[own.pk]))
    response = client_for(Role.CHAMPION).post(
        reverse("intake:request-edit", args=[own.pk]),
        {
            "title": "Too late",
            "kind": "pain_point",
            "story_today": "x",
            "story_wanted": "y",
            "frequency": "daily",
            "version": own.version,
        },
    )

    assert (page.status_code, response.status_code) == (403, 403)
    assert snapshot(*TABLES) == before


@pytest.mark.parametrize("role", NOT_TRIAGE)
def test_only_the_submitter_or_triage_withdraws(
    client_for: Callable[[str], Client], public: IntakeRequest, role: str
) -> None:
    before = snapshot(*TABLES)

    response = client_for(role).post(reverse("intake:request-withdraw", args=[public.pk]))

    assert response.status_code == 403
    assert snapshot(*TABLES) == before


@pytest.mark.parametrize("role", ROLES)
def test_only_the_submitter_answers(
    client_for: Callable[[str], Client], users: dict[str, User], public: IntakeRequest, role: str
) -> None:
    services.request_ask(actor=users[Role.CMIO], request=public, question="Which units?")
    before = snapshot(*TABLES)

    response = client_for(role).post(
        reverse("intake:request-answer", args=[public.pk]), {"body": "All of them."}
    )

    assert response.status_code == 403
    assert snapshot(*TABLES) == before


@pytest.mark.parametrize("action", ["request-vote", "request-comment", "request-answer"])
def test_a_champion_cannot_act_on_someone_elses_private_request(
    client_for: Callable[[str], Client], private: IntakeRequest, action: str
) -> None:
    before = snapshot(*TABLES)

    response = client_for(Role.CHAMPION).post(
        reverse(f"intake:{action}", args=[private.pk]),
        {"body": "Me too.", "specialty": "Cardiology"},
    )

    assert response.status_code == 403
    assert snapshot(*TABLES) == before


@pytest.mark.parametrize("role", sorted(set(ROLES) - {Role.ADMIN}))
def test_only_admins_edit_the_rubric(client_for: Callable[[str], Client], role: str) -> None:
    rubric = Rubric.objects.get(is_current=True)
    data: dict[str, Any] = {f"weight_{c['code']}": c["weight"] for c in rubric.criteria}
    data.update({f"label_{c['code']}": c["label"] for c in rubric.criteria})
    data.update({f"effort_{band}": points for band, points in rubric.effort_points.items()})
    data["weight_safety_quality"] = 30
    data["weight_financial"] = 5
    before = snapshot(*TABLES)

    response = client_for(role).post(reverse("intake:rubric-edit"), data)

    assert response.status_code == 403
    assert snapshot(*TABLES) == before


@pytest.mark.parametrize("role", ROLES)
def test_every_role_may_submit_vote_and_comment(
    client_for: Callable[[str], Client], public: IntakeRequest, role: str
) -> None:
    client = client_for(role)

    submitted = client.post(
        reverse("intake:request-create"),
        {
            "title": f"Request by the {role}",
            "kind": "pain_point",
            "story_today": "It is slow.",
            "story_wanted": "Faster.",
            "frequency": "daily",
        },
    )
    voted = client.post(reverse("intake:request-vote", args=[public.pk]), {})
    commented = client.post(
        reverse("intake:request-comment", args=[public.pk]), {"body": "Same here."}
    )

    assert (submitted.status_code, voted.status_code, commented.status_code) == (302, 302, 302)
    assert IntakeRequest.objects.filter(title=f"Request by the {role}").count() == 1
    assert public.votes.count() == 1
    assert list(public.comments.values_list("body", flat=True)) == ["Same here."]


def test_anonymous_writes_are_sent_to_sign_in_and_save_nothing(
    client: Client, public: IntakeRequest
) -> None:
    before = snapshot(*TABLES)

    responses = [
        client.post(reverse("intake:request-create"), {"title": "x"}),
        client.post(reverse("intake:request-vote", args=[public.pk])),
        client.post(reverse("intake:request-comment", args=[public.pk]), {"body": "x"}),
        client.post(reverse("intake:request-withdraw", args=[public.pk])),
    ]

    assert [r.status_code for r in responses] == [302, 302, 302, 302]
    assert snapshot(*TABLES) == before
