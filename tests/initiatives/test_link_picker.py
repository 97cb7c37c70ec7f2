"""Linking requests to an initiative by search (issue 16): the picker offers, by title or
number, only the requests that may be linked — triaged, open, of no other initiative — and a
request still waiting for triage is refused with the reason (it has no score yet, and linked
it would sit in build and in the triage queue at once)."""

import datetime
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from informatics.models import User
from initiatives import services
from intake.models import IntakeRequest
from tests.initiatives.factories import create_initiative, initiative_of, request_in
from tests.intake.factories import scored_request, submit

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]


def offered(response: object) -> list[int]:
    return [row.pk for row in response.context["candidates"]]  # type: ignore[attr-defined]


@pytest.fixture
def cmio(users: dict[str, User]) -> User:
    return users["cmio"]


def test_the_picker_offers_only_requests_that_may_be_linked(
    users: dict[str, User], cmio: User, client_for: Callable[[str], Client]
) -> None:
    initiative = create_initiative(cmio)
    other = create_initiative(cmio, title="Other")
    ready = scored_request(cmio, users["champion"], title="Sepsis alert fires too often")
    request_in(other, status="scored", title="Sepsis alert for the ED")
    submit(users["champion"], title="Sepsis alert sound")  # waiting for triage
    closed = scored_request(cmio, users["champion"], title="Sepsis alert colour")
    from intake import services as intake_services

    intake_services.request_withdraw(actor=cmio, request=closed)
    url = reverse("initiatives:initiative-link-candidates", args=[initiative.pk])
    client = client_for("cmio")

    by_title = client.get(url, {"link_q": "sepsis"})
    by_number = client.get(url, {"link_q": f"#{ready.pk}"})
    nothing = client.get(url, {"link_q": "zzz"})

    assert offered(by_title) == [ready.pk]
    assert offered(by_number) == [ready.pk]
    assert f'name="requests" value="{ready.pk}"' in by_title.content.decode()
    assert "No request that may be linked matches “zzz”." in nothing.content.decode()


def test_the_initiative_page_shows_the_picker_and_its_answers_without_javascript(
    users: dict[str, User], cmio: User, client_for: Callable[[str], Client]
) -> None:
    initiative = create_initiative(cmio)
    ready = scored_request(cmio, users["champion"], title="Inbox floods with normal labs")

    response = client_for("cmio").get(
        reverse("initiatives:initiative-detail", args=[initiative.pk]), {"link_q": "inbox"}
    )

    assert offered(response) == [ready.pk]
    assert (
        'hx-get="' + reverse("initiatives:initiative-link-candidates", args=[initiative.pk])
        in response.content.decode()
    )


def test_linking_a_picked_request_makes_it_follow(
    users: dict[str, User], cmio: User, client_for: Callable[[str], Client]
) -> None:
    initiative = create_initiative(cmio)
    ready = scored_request(cmio, users["champion"])

    response = client_for("cmio").post(
        reverse("initiatives:initiative-link-requests", args=[initiative.pk]),
        {"requests": str(ready.pk)},
    )

    assert response.status_code == 302
    assert initiative_of(ready) == initiative


def test_an_untriaged_request_is_refused_with_the_reason(
    users: dict[str, User], cmio: User
) -> None:
    initiative = create_initiative(cmio)
    waiting = submit(users["champion"])

    with pytest.raises(ValidationError) as raised:
        services.initiative_link_requests(actor=cmio, initiative=initiative, requests=[waiting])

    assert raised.value.message_dict == {
        "requests": [
            f"Cannot link: #{waiting.pk} is waiting for triage (submitted): triage and score "
            "it first."
        ]
    }
    assert initiative_of(IntakeRequest.objects.get(pk=waiting.pk)) is None


def test_typed_numbers_that_are_not_numbers_are_named(
    cmio: User, client_for: Callable[[str], Client]
) -> None:
    initiative = create_initiative(cmio)

    response = client_for("cmio").post(
        reverse("initiatives:initiative-link-requests", args=[initiative.pk]),
        {"requests": "999, abc"},
    )

    assert dict(response.context["link_form"].errors) == {
        "requests": [
            "Not a request number: “abc”. Give request numbers separated by commas, e.g. 12, 15."
        ]
    }


@pytest.mark.parametrize("role", ["champion", "cmo", "executive", "admin"])
def test_only_those_who_edit_the_initiative_search_for_requests_to_link(
    role: str, cmio: User, client_for: Callable[[str], Client]
) -> None:
    initiative = create_initiative(cmio)

    response = client_for(role).get(
        reverse("initiatives:initiative-link-candidates", args=[initiative.pk]), {"link_q": "a"}
    )

    assert response.status_code == 403
