"""The 400, 403, 404 and 500 pages render in the portal's layout, say why and where to go; the
400 and 500 pages render without the request or the database."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, RequestFactory

from informatics.choices import Role
from informatics.permissions import Action, ActionDenied
from informatics.views import errors as error_views
from intake.models import IntakeRequest

FAILING_URLS = "tests.informatics.failing_urls"


def _text(body: bytes) -> str:
    return " ".join(body.decode().split())


@pytest.mark.django_db
def test_a_refused_page_says_which_roles_it_needs_in_the_layout(
    client_for: Callable[[str], Client],
) -> None:
    response = client_for(Role.CHAMPION).get("/requests/triage/")

    assert response.status_code == 403
    assert [t.name for t in response.templates][:3] == [
        "403.html",
        "errors/error_page.html",
        "base.html",
    ]
    body = _text(response.content)
    assert "<title>Not allowed · Informatics Portal</title>" in body
    assert '<nav class="site-nav" aria-label="Main">' in body
    assert "<h1>You may not open this page</h1>" in body
    assert (
        "<p>Your roles do not allow you to triage, route, score or move requests along.</p>" in body
    )
    assert '<a href="/">Your home page</a>' in body
    assert IntakeRequest.objects.count() == 0


def test_every_action_has_words_for_its_refusal() -> None:
    assert set(error_views.ACTION_PHRASES) == set(Action)
    assert error_views.refusal_reason(ActionDenied(Action.REPORT_ISSUE)) == (
        "Your roles do not allow you to issue a value report."
    )


@pytest.mark.django_db
def test_a_missing_page_names_the_address_and_where_to_go(
    client_for: Callable[[str], Client],
) -> None:
    response = client_for(Role.CMIO).get("/requests/999999/")

    assert response.status_code == 404
    body = _text(response.content)
    assert "<title>Page not found · Informatics Portal</title>" in body
    assert '<nav class="site-nav" aria-label="Main">' in body
    assert "Nothing is at <code>/requests/999999/</code>." in body
    assert '<a href="/requests/">Requests</a>' in body


@pytest.mark.django_db
def test_anonymous_visitors_of_a_missing_page_are_offered_the_sign_in() -> None:
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert '<a href="/accounts/login/">Sign in</a>' in response.content.decode()


@pytest.mark.django_db
def test_a_failing_page_answers_the_500_page_in_the_layout(
    settings: Any, client_for: Callable[[str], Client]
) -> None:
    settings.ROOT_URLCONF = FAILING_URLS
    client = client_for(Role.CMIO)
    client.raise_request_exception = False

    response = client.get("/fail/")

    assert response.status_code == 500
    body = _text(response.content)
    assert "<title>Something went wrong · Informatics Portal</title>" in body
    assert "<h1>Something went wrong on our side</h1>" in body
    assert '<link rel="stylesheet" href="/static/css/portal.css">' in body
    assert '<a href="/">The portal\'s home page</a>' in body


# No django_db mark: any query would fail the test.
@pytest.mark.parametrize(
    ("handler", "status", "heading"),
    [
        (error_views.server_error, 500, "Something went wrong on our side"),
        (
            lambda request: error_views.bad_request(request, ValueError()),
            400,
            "The portal could not read this request",
        ),
    ],
)
def test_the_400_and_500_pages_need_no_database(
    handler: Callable[..., object], status: int, heading: str
) -> None:
    response = handler(RequestFactory().get("/"))

    assert response.status_code == status  # type: ignore[attr-defined]
    assert f"<h1>{heading}</h1>" in response.content.decode()  # type: ignore[attr-defined]
