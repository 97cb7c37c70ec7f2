"""The request list for daily use (issue 16): sorted by +1s, score, priority index, age or SLA;
a +1 from the list (htmx answers the row's cell); the built-in "Most wanted" view and each
user's saved views; the kind "Something could harm a patient" and the safety flag agree. The
triage board: rate, route and size one request, the next opens; bulk route and status."""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from informatics.choices import Route
from informatics.models import User
from intake import services
from intake.choices import RequestKind, RequestStatus
from intake.forms import RequestForm
from intake.models import IntakeRequest, RequestVote, SavedView
from tests.intake.factories import (
    FULL_RATINGS,
    IntakeRequestFactory,
    RequestScoreFactory,
    RequestVoteFactory,
    submit,
)

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]
S = RequestStatus
HTMX = {"HX-Request": "true"}


def pks(response: Any) -> list[int]:
    return [row.pk for row in response.context["rows"]]


@pytest.fixture
def three(users: dict[str, User], make_user: Callable[..., User]) -> list[IntakeRequest]:
    """Three requests a day apart (oldest first): 1 +1 and value 80; 3 +1s and value 40, SLA in
    a day; none and no score, SLA in an hour."""
    author = users["champion"]
    rows = []
    for n, (votes, value, sla_hours) in enumerate([(1, "80", None), (3, "40", 24), (0, None, 1)]):
        row = IntakeRequestFactory.create(
            submitted_by=author,
            title=f"Request {n}",
            created_at=NOW - datetime.timedelta(days=3 - n),
            status=S.TRIAGE if sla_hours else S.SCORED,
            route=Route.INFORMATICS_TEAM if sla_hours else "",
            sla_due_at=NOW + datetime.timedelta(hours=sla_hours) if sla_hours else None,
        )
        for _ in range(votes):
            RequestVoteFactory.create(request=row, voter=make_user("champion"))
        if value:
            row.current_score = RequestScoreFactory.create(
                request=row, value=Decimal(value), priority_index=Decimal(value) / 2
            )
            row.save(update_fields=["current_score"])
        rows.append(row)
    return rows


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("", [2, 1, 0]),
        ("newest", [2, 1, 0]),
        ("votes", [1, 0, 2]),
        ("score", [0, 1, 2]),
        ("priority", [0, 1, 2]),
        ("age", [0, 1, 2]),
        ("sla", [2, 1, 0]),
        ("nonsense", [2, 1, 0]),
    ],
)
def test_the_request_list_sorts_by_each_column(
    three: list[IntakeRequest], client_for: Callable[[str], Client], sort: str, order: list[int]
) -> None:
    response = client_for("cmio").get(reverse("intake:request-list"), {"sort": sort})

    assert pks(response) == [three[n].pk for n in order]


def test_the_sorted_column_heading_says_so_and_links_keep_the_filters(
    three: list[IntakeRequest], client_for: Callable[[str], Client]
) -> None:
    response = client_for("cmio").get(
        reverse("intake:request-list"), {"sort": "votes", "state": "open", "page": "1"}
    )

    html = response.content.decode()
    assert 'aria-sort="descending"' in html
    assert html.count("aria-sort=") == 1
    assert response.context["sort_links"]["age"]["url"] == "?sort=age&state=open"


def test_most_wanted_is_a_built_in_view_of_open_requests_by_votes(
    three: list[IntakeRequest], client_for: Callable[[str], Client]
) -> None:
    client = client_for("cmio")
    listed = client.get(reverse("intake:request-list"))
    (wanted,) = [view for view in listed.context["views"] if view.name == "Most wanted"]

    response = client.get(f"{reverse('intake:request-list')}?{wanted.query}")

    assert wanted.query == "state=open&sort=votes"
    assert pks(response) == [three[1].pk, three[0].pk, three[2].pk]
    assert response.context["current_view"] == "state=open&sort=votes"


def test_a_plus_one_from_the_list_answers_the_rows_cell(
    three: list[IntakeRequest], users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    request = three[2]
    url = reverse("intake:request-vote", args=[request.pk])

    response = client_for("cmio").post(url, headers=HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="vote-cell__count">1</span>' in html
    assert "You +1'd" in html
    vote = RequestVote.objects.get(request=request)
    assert (vote.voter, vote.specialty) == (users["cmio"], users["cmio"].specialty)


def test_a_second_plus_one_from_the_list_is_refused_in_the_cell(
    three: list[IntakeRequest], client_for: Callable[[str], Client]
) -> None:
    request = three[2]
    url = reverse("intake:request-vote", args=[request.pk])
    client = client_for("cmio")
    client.post(url, headers=HTMX)

    response = client.post(url, headers=HTMX)

    assert "You have already added your +1 to this request." in response.content.decode()
    assert RequestVote.objects.filter(request=request).count() == 1


def test_the_submitter_gets_no_plus_one_button_and_is_refused(
    three: list[IntakeRequest], client_for: Callable[[str], Client]
) -> None:
    client = client_for("champion")
    listed = client.get(reverse("intake:request-list")).content.decode()

    refused = client.post(reverse("intake:request-vote", args=[three[2].pk]), headers=HTMX)

    assert "hx-post" not in listed
    assert "You submitted this request" in refused.content.decode()
    assert RequestVote.objects.filter(request=three[2]).count() == 0


def test_a_user_saves_a_view_finds_it_and_deletes_it(
    three: list[IntakeRequest], users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    client = client_for("cmio")

    saved = client.post(
        reverse("intake:request-view-save"),
        {"name": " Overdue safety ", "query": "sla=overdue&sort=sla&page=3&bogus=1&kind="},
    )

    view = SavedView.objects.get()
    assert (view.owner, view.name, view.query) == (
        users["cmio"],
        "Overdue safety",
        "sla=overdue&sort=sla",
    )
    assert saved["Location"] == reverse("intake:request-list") + "?sla=overdue&sort=sla"
    names = [v.name for v in client.get(reverse("intake:request-list")).context["views"]]
    assert names == ["Most wanted", "Past their SLA", "Overdue safety"]
    # Another user has only the built-in views.
    other = [v.name for v in client_for("cmo").get(reverse("intake:request-list")).context["views"]]
    assert other == ["Most wanted", "Past their SLA"]

    client.post(reverse("intake:request-view-delete", args=[view.pk]))
    assert SavedView.objects.count() == 0


def test_saving_a_view_under_the_same_name_replaces_its_filters(users: dict[str, User]) -> None:
    first = services.saved_view_save(actor=users["cmio"], name="Mine", query="sort=votes")
    again = services.saved_view_save(actor=users["cmio"], name="Mine", query="sort=age")

    assert first.pk == again.pk
    assert list(SavedView.objects.values_list("name", "query")) == [("Mine", "sort=age")]


def test_a_view_of_the_whole_list_or_without_a_name_is_refused(
    client_for: Callable[[str], Client],
) -> None:
    client = client_for("cmio")

    empty = client.post(
        reverse("intake:request-view-save"), {"name": "All", "query": "page=2"}, follow=True
    )
    nameless = client.post(
        reverse("intake:request-view-save"), {"name": "", "query": "sort=votes"}, follow=True
    )

    assert [str(m) for m in empty.context["messages"]] == [
        "The view was not saved: Filter or sort the list first: this view is the whole list."
    ]
    assert [str(m) for m in nameless.context["messages"]] == [
        "The view was not saved: Give the view a name."
    ]
    assert SavedView.objects.count() == 0


def test_nobody_deletes_someone_elses_view(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    view = services.saved_view_save(actor=users["cmio"], name="Mine", query="sort=votes")

    response = client_for("cmo").post(reverse("intake:request-view-delete", args=[view.pk]))

    assert response.status_code == 404
    assert list(SavedView.objects.values_list("pk", flat=True)) == [view.pk]


# --- Kind and safety flag ---------------------------------------------------------------------


def test_the_safety_kind_sets_the_safety_flag_in_the_service(users: dict[str, User]) -> None:
    request = submit(users["champion"], kind=RequestKind.SAFETY, is_safety_concern=False)

    assert (request.kind, request.is_safety_concern, request.route) == (
        RequestKind.SAFETY,
        True,
        Route.FAST_TRACK,
    )


def test_editing_or_triaging_to_the_safety_kind_sets_the_flag(users: dict[str, User]) -> None:
    edited = submit(users["champion"])
    triaged = submit(users["champion"])

    services.request_update(
        actor=users["champion"], request=edited, version=1, kind=RequestKind.SAFETY
    )
    services.request_triage(
        actor=users["cmio"], request=triaged, version=1, kind=RequestKind.SAFETY
    )

    edited.refresh_from_db()
    triaged.refresh_from_db()
    assert (edited.is_safety_concern, triaged.is_safety_concern) == (True, True)
    assert triaged.route == Route.FAST_TRACK


def test_the_form_ticks_the_safety_box_for_the_safety_kind() -> None:
    form = RequestForm(
        {
            "title": "Wrong-patient orders",
            "kind": RequestKind.SAFETY,
            "story_today": "The banner is small.",
            "story_wanted": "A bigger banner.",
            "frequency": "daily",
        }
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["is_safety_concern"] is True
    html = str(form["kind"])
    assert 'data-ticks="id_is_safety_concern"' in html
    assert 'data-ticks-when="safety"' in html


# --- Triage board -----------------------------------------------------------------------------


def board_post(request: IntakeRequest, ratings: dict[str, int], **fields: Any) -> dict[str, Any]:
    request.refresh_from_db()
    data = {"version": request.version, **fields}
    data.update({f"rating_{code}": value for code, value in ratings.items()})
    return data


def test_the_board_opens_the_first_request_of_the_queue_with_its_default_route(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    first = submit(users["champion"], title="First")
    second = submit(users["champion"], title="Second")

    response = client_for("cmio").get(reverse("intake:triage-board"))

    assert response.context["intake"].pk == first.pk
    assert response.context["next_pk"] == second.pk
    form = response.context["form"]
    assert (form.initial["route"], form.initial["next"]) == (Route.INFORMATICS_TEAM, second.pk)
    assert "autofocus" in str(form["rating_safety_quality"])


def test_saving_on_the_board_scores_the_request_opens_the_next_and_sends_one_email(
    users: dict[str, User],
    client_for: Callable[[str], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    first = submit(users["champion"], title="First")
    second = submit(users["champion"], title="Second")
    url = reverse("intake:triage-board-save", args=[first.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("cmio").post(
            url,
            board_post(first, FULL_RATINGS, route=Route.WORKGROUP, build_hours=20, next=second.pk),
        )

    assert response["Location"] == reverse("intake:triage-board") + f"?open={second.pk}"
    first.refresh_from_db()
    assert (first.status, first.route, first.build_hours, first.ratings) == (
        S.SCORED,
        Route.WORKGROUP,
        20,
        FULL_RATINGS,
    )
    assert [m.subject for m in mail.outbox] == [f"Your request #{first.pk} is now Scored"]


def test_a_bad_rating_on_the_board_names_it_and_saves_nothing(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    request = submit(users["champion"])

    response = client_for("cmio").post(
        reverse("intake:triage-board-save", args=[request.pk]),
        board_post(request, {"safety_quality": 7}, route=Route.WORKGROUP),
    )

    assert response.status_code == 400
    assert dict(response.context["form"].errors) == {
        "rating_safety_quality": ["Rate with one digit, 0 to 5."]
    }
    request.refresh_from_db()
    assert (request.status, request.route, request.ratings) == (S.SUBMITTED, "", {})


@pytest.mark.parametrize("role", ["champion", "cmo", "executive", "admin"])
def test_only_triage_uses_the_board(
    role: str, users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    request = submit(users["champion"])
    client = client_for(role)

    page = client.get(reverse("intake:triage-board"))
    saved = client.post(
        reverse("intake:triage-board-save", args=[request.pk]),
        board_post(request, FULL_RATINGS, route=Route.WORKGROUP, build_hours=20),
    )
    bulk = client.post(
        reverse("intake:triage-bulk"), {"selected": [request.pk], "route": Route.WORKGROUP}
    )

    assert (page.status_code, saved.status_code, bulk.status_code) == (403, 403, 403)
    request.refresh_from_db()
    assert (request.status, request.route, request.version) == (S.SUBMITTED, "", 1)


def test_bulk_routes_and_moves_the_selected_requests_with_one_email_each(
    users: dict[str, User],
    client_for: Callable[[str], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    rows = [submit(users["champion"], title=f"Bulk {n}") for n in range(3)]

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("cmio").post(
            reverse("intake:triage-bulk"),
            {
                "selected": [rows[0].pk, rows[1].pk],
                "route": Route.TRAINING,
                "to_status": S.REDIRECTED,
            },
        )

    assert response.status_code == 302
    assert [
        (r.status, r.route)
        for r in IntakeRequest.objects.filter(pk__in=[r.pk for r in rows]).order_by("pk")
    ] == [(S.REDIRECTED, Route.TRAINING), (S.REDIRECTED, Route.TRAINING), (S.SUBMITTED, "")]
    assert sorted(m.subject for m in mail.outbox) == [
        f"Your request #{rows[0].pk} is now Redirected",
        f"Your request #{rows[1].pk} is now Redirected",
    ]


def test_bulk_is_all_or_nothing_and_names_the_refusing_request(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    fresh = submit(users["champion"], title="Fresh")
    gone = services.request_withdraw(
        actor=users["champion"], request=submit(users["champion"], title="Gone")
    )

    response = client_for("cmio").post(
        reverse("intake:triage-bulk"),
        {"selected": [fresh.pk, gone.pk], "route": Route.WORKGROUP},
    )

    assert response.status_code == 400
    assert response.context["bulk_form"].errors["selected"] == [
        f"#{gone.pk}: This request is Withdrawn; it is closed."
    ]
    fresh.refresh_from_db()
    assert (fresh.status, fresh.route, fresh.version) == (S.SUBMITTED, "", 1)
