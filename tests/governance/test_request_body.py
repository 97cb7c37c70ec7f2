"""Triage chooses another body of the same kind to decide one request: that body decides it and
proposes it on its agendas; another kind, a retired body, a request with no route and anyone
who may not triage are refused, and nothing changes."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance import selectors, services
from governance.choices import BodyKind
from governance.models import RequestBody, Review
from informatics.choices import AuditAction, Route
from informatics.models import AuditEvent, User
from informatics.permissions import ActionDenied
from informatics.phi import PhiFlagged
from intake.models import IntakeRequest
from tests.conftest import ApiAs
from tests.governance.agenda_world import body, review_of, routed_request, steering

NOW = datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]

REFUSED = ["champion", "cmo", "executive", "admin"]


@pytest.fixture
def world(users: dict[str, User]) -> dict[str, Any]:
    """The workgroup route owned by the cardiology workgroup; an orthopaedics workgroup (same
    kind), a retired workgroup, the CDS committee (another kind); one scored request on the
    workgroup route."""
    cardio = body("wg-cardio", BodyKind.WORKGROUP, users["cmio"], name="Cardiology workgroup")
    steering(users["cmo"])
    made = {
        "cardio": cardio,
        "ortho": body("wg-ortho", BodyKind.WORKGROUP, users["cmio"], name="Orthopaedics workgroup"),
        "old": body("wg-old", BodyKind.WORKGROUP, name="Old workgroup", is_active=False),
        "cds": body("cds", BodyKind.CDS, users["cmio"], name="CDS committee"),
        "request": routed_request(Route.WORKGROUP, cardio, "70.00", title="Hip order set"),
    }
    return made


def url(request: IntakeRequest) -> str:
    return reverse("governance:request-body", args=[request.pk])


def proposed_titles(review: Review) -> list[str]:
    return [item.title for item in services.agenda_propose(review=review)]


def unchanged() -> tuple[list[Any], bool]:
    return list(RequestBody.objects.values_list("request", "body")), AuditEvent.objects.exists()


# --- The service ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["informaticist", "cmio"])
def test_triage_chooses_a_body_of_the_same_kind_and_it_decides_the_request(
    role: str, users: dict[str, User], world: dict[str, Any]
) -> None:
    request = world["request"]
    ortho_review = review_of(world["ortho"], users["cmio"])
    cardio_review = review_of(world["cardio"], users["cmio"])
    assert proposed_titles(cardio_review) == [str(request)]
    assert proposed_titles(ortho_review) == []

    chosen = services.request_body_choose(
        actor=users[role], request=request, body=world["ortho"], reason="Orthopaedic workflow"
    )

    assert chosen is not None
    assert (chosen.request, chosen.route, chosen.body, chosen.chosen_by, chosen.chosen_at) == (
        request,
        Route.WORKGROUP,
        world["ortho"],
        users[role],
        NOW,
    )
    assert selectors.decision_body_for(request=request) == world["ortho"]
    assert selectors.default_body_for(request=request) == world["cardio"]
    assert [(i.title, i.reason) for i in services.agenda_propose(review=ortho_review)] == [
        (
            str(request),
            "Scored 70.0 (threshold 60.0), routed to Specialty workgroup, this body chosen at "
            "triage, awaiting decision",
        )
    ]
    assert proposed_titles(cardio_review) == []
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.changes) == (
        AuditAction.CREATE,
        users[role],
        {
            "route": [None, "workgroup"],
            "body": [None, "Orthopaedics workgroup"],
            "chosen_by": [None, str(users[role])],
            "chosen_at": [None, str(NOW)],
            "reason": [None, "Orthopaedic workflow"],
        },
    )


def test_choosing_the_default_body_again_clears_the_choice(
    users: dict[str, User], world: dict[str, Any]
) -> None:
    request = world["request"]
    services.request_body_choose(actor=users["cmio"], request=request, body=world["ortho"])

    cleared = services.request_body_choose(
        actor=users["informaticist"], request=request, body=world["cardio"]
    )

    assert cleared is None
    assert not RequestBody.objects.exists()
    assert selectors.decision_body_for(request=request) == world["cardio"]
    assert proposed_titles(review_of(world["cardio"], users["cmio"])) == [str(request)]
    deleted = AuditEvent.objects.get(action=AuditAction.DELETE)
    assert (deleted.actor, deleted.changes["body"]) == (
        users["informaticist"],
        ["Orthopaedics workgroup", None],
    )


def test_choosing_another_body_again_updates_the_choice_and_is_audited(
    users: dict[str, User], world: dict[str, Any]
) -> None:
    request = world["request"]
    third = body("wg-peds", BodyKind.WORKGROUP, name="Paediatrics workgroup")
    services.request_body_choose(actor=users["cmio"], request=request, body=world["ortho"])

    services.request_body_choose(actor=users["cmio"], request=request, body=third)

    assert list(RequestBody.objects.values_list("request", "body")) == [(request.pk, third.pk)]
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.changes == {"body": ["Orthopaedics workgroup", "Paediatrics workgroup"]}


def test_a_body_of_another_kind_is_refused_and_nothing_changes(
    users: dict[str, User], world: dict[str, Any]
) -> None:
    before = unchanged()
    with pytest.raises(ValidationError) as refused:
        services.request_body_choose(
            actor=users["cmio"], request=world["request"], body=world["cds"]
        )
    assert refused.value.message_dict == {
        "body": [
            "Choose a body of the same kind as the route's default body, Cardiology workgroup "
            "(Specialty workgroup); CDS committee is a CDS committee."
        ]
    }
    assert unchanged() == before == ([], False)


def test_a_retired_body_is_refused_and_nothing_changes(
    users: dict[str, User], world: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.request_body_choose(
            actor=users["cmio"], request=world["request"], body=world["old"]
        )
    assert refused.value.message_dict == {"body": ["This body is retired."]}
    assert unchanged() == ([], False)


def test_a_request_with_no_route_cannot_get_a_body(
    users: dict[str, User], world: dict[str, Any]
) -> None:
    unrouted = routed_request("", world["cardio"], None, title="Not routed")
    with pytest.raises(ValidationError) as refused:
        services.request_body_choose(actor=users["cmio"], request=unrouted, body=world["ortho"])
    assert refused.value.message_dict == {
        "body": ["Route the request first: its route names the body."]
    }
    assert unchanged() == ([], False)


def test_a_reason_that_looks_like_patient_information_is_flagged_before_it_is_saved(
    users: dict[str, User], world: dict[str, Any]
) -> None:
    with pytest.raises(PhiFlagged):
        services.request_body_choose(
            actor=users["cmio"],
            request=world["request"],
            body=world["ortho"],
            reason="Patient MRN 4412897",
        )
    assert unchanged() == ([], False)


def test_a_choice_holds_only_while_the_request_stays_on_its_route(
    users: dict[str, User], world: dict[str, Any]
) -> None:
    request = world["request"]
    services.request_body_choose(actor=users["cmio"], request=request, body=world["ortho"])
    routed_request(Route.CDS_COMMITTEE, world["cds"], None, title="Owner of the CDS route")
    IntakeRequest.objects.filter(pk=request.pk).update(route=Route.CDS_COMMITTEE)
    request.refresh_from_db()

    assert selectors.decision_body_for(request=request) == world["cds"]
    assert proposed_titles(review_of(world["ortho"], users["cmio"])) == []
    assert proposed_titles(review_of(world["cds"], users["cmio"])) == [str(request)]


@pytest.mark.parametrize("role", REFUSED)
def test_only_triage_chooses_a_body_and_a_refusal_changes_nothing(
    role: str, users: dict[str, User], world: dict[str, Any], client_for: Callable[[str], Client]
) -> None:
    request = world["request"]
    with pytest.raises(ActionDenied):
        services.request_body_choose(actor=users[role], request=request, body=world["ortho"])
    client = client_for(role)
    assert client.get(url(request)).status_code == 403
    assert client.post(url(request), {"body": world["ortho"].pk}).status_code == 403
    assert unchanged() == ([], False)
    assert selectors.decision_body_for(request=request) == world["cardio"]


# --- The pages --------------------------------------------------------------------------------


def test_the_page_offers_the_active_bodies_of_the_default_kind_and_saves_a_choice(
    users: dict[str, User], world: dict[str, Any], client_for: Callable[[str], Client]
) -> None:
    request = world["request"]
    client = client_for("informaticist")

    page = client.get(url(request))

    assert page.status_code == 200
    assert page.context["default"] == world["cardio"]
    assert page.context["form"]["body"].initial == world["cardio"]
    assert list(page.context["form"].fields["body"].widget.choices) == [
        ("", "—"),
        (world["cardio"].pk, "Cardiology workgroup (the route's default)"),
        (world["ortho"].pk, "Orthopaedics workgroup"),
    ]

    response = client.post(url(request), {"body": world["ortho"].pk, "reason": "Hip surgery"})

    assert response.status_code == 302
    assert response["Location"] == reverse("intake:request-detail", args=[request.pk])
    assert list(RequestBody.objects.values_list("body", "reason")) == [
        (world["ortho"].pk, "Hip surgery")
    ]


def test_a_refused_body_on_the_page_is_named_and_nothing_is_saved(
    world: dict[str, Any], client_for: Callable[[str], Client]
) -> None:
    client = client_for("cmio")
    response = client.post(url(world["request"]), {"body": world["cds"].pk})

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "body": [
            "Choose a body of the same kind as the route's default body, Cardiology workgroup "
            "(Specialty workgroup); CDS committee is a CDS committee."
        ]
    }
    assert unchanged() == ([], False)


def test_the_request_page_shows_the_chosen_body_and_the_link_for_triage(
    users: dict[str, User], world: dict[str, Any], client_for: Callable[[str], Client]
) -> None:
    request = world["request"]
    page_url = reverse("intake:request-detail", args=[request.pk])
    link = "Choose the deciding body"
    triage = client_for("cmio")
    page = triage.get(page_url).content.decode()
    assert link in page
    assert "Decided by the default body of its route." in page

    services.request_body_choose(
        actor=users["informaticist"], request=request, body=world["ortho"], reason="Hip surgery"
    )

    page = triage.get(page_url).content.decode()
    assert link in page
    assert (
        "Decided by <strong>Orthopaedics workgroup</strong>, chosen at triage by Demo "
        'INFORMATICIST on <time datetime="2026-06-15T09:00:00+00:00">15 Jun 2026, 09:00</time>: '
        "Hip surgery"
    ) in page
    champion = client_for("cmo").get(page_url).content.decode()
    assert "Decided by <strong>Orthopaedics workgroup</strong>" in champion
    assert link not in champion


def test_the_request_page_costs_the_same_with_a_chosen_body(
    users: dict[str, User], world: dict[str, Any], client_for: Callable[[str], Client]
) -> None:
    request = world["request"]
    client = client_for("cmio")
    page_url = reverse("intake:request-detail", args=[request.pk])
    client.get(page_url)
    with CaptureQueriesContext(connection) as without:
        client.get(page_url)
    services.request_body_choose(actor=users["cmio"], request=request, body=world["ortho"])
    with CaptureQueriesContext(connection) as with_choice:
        client.get(page_url)
    assert len(with_choice) == len(without)


# --- The API ----------------------------------------------------------------------------------


def api_url(request: IntakeRequest) -> str:
    return f"/api/v1/requests/{request.pk}/body/"


def test_the_api_chooses_a_body_and_the_default_clears_it(
    users: dict[str, User], world: dict[str, Any], api_as: ApiAs
) -> None:
    request = world["request"]
    client = api_as(users["informaticist"])

    answer = client.post(api_url(request), {"body": "wg-ortho", "reason": "Hip"}, format="json")

    assert answer.status_code == 200
    body = answer.json()
    assert (body["request"], body["route"], body["body"]["code"], body["default_body"]["code"]) == (
        request.pk,
        "workgroup",
        "wg-ortho",
        "wg-cardio",
    )
    assert (body["chosen_by"]["id"], body["chosen_at"], body["reason"]) == (
        users["informaticist"].pk,
        "2026-06-15T09:00:00Z",
        "Hip",
    )
    assert selectors.decision_body_for(request=request) == world["ortho"]

    cleared = client.post(api_url(request), {"body": "wg-cardio"}, format="json").json()

    assert (cleared["body"]["code"], cleared["chosen_by"], cleared["reason"]) == (
        "wg-cardio",
        None,
        "",
    )
    assert not RequestBody.objects.exists()


def test_the_api_refuses_another_kind_naming_the_body_and_saves_nothing(
    users: dict[str, User], world: dict[str, Any], api_as: ApiAs
) -> None:
    answer = api_as(users["cmio"]).post(api_url(world["request"]), {"body": "cds"}, format="json")

    assert answer.status_code == 400
    assert answer.json() == {
        "body": [
            "Choose a body of the same kind as the route's default body, Cardiology workgroup "
            "(Specialty workgroup); CDS committee is a CDS committee."
        ]
    }
    assert unchanged() == ([], False)


@pytest.mark.parametrize("role", REFUSED)
def test_the_api_refuses_who_may_not_triage_and_changes_nothing(
    role: str, users: dict[str, User], world: dict[str, Any], api_as: ApiAs
) -> None:
    answer = api_as(users[role]).post(
        api_url(world["request"]), {"body": "wg-ortho"}, format="json"
    )
    assert answer.status_code == 403
    assert unchanged() == ([], False)
