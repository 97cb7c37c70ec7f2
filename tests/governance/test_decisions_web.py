"""Decisions through the pages, the API and the admin: recording, refusals that change
nothing, no edit or delete anywhere, supersede links, and the log's query budget."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from governance import selectors as governance_selectors
from governance import services
from governance.models import Decision, GovernanceBody
from informatics.models import User
from initiatives import selectors as initiatives_selectors
from initiatives.choices import Stage
from intake.choices import RequestStatus
from tests.conftest import ApiAs, snapshot
from tests.governance.decisions_world import TABLES, in_review, ready_initiative, steering
from tests.initiatives.factories import InitiativeFactory
from tests.intake.factories import IntakeRequestFactory

NOW = datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]

FORM = "/governance/decisions/new/"
API = "/api/v1/decisions/"


def _decisions(body: GovernanceBody, actor: User, count: int) -> list[Decision]:
    return [
        services.decision_record(
            actor=actor,
            body=body,
            initiative=InitiativeFactory.create(title=f"Idea {n}"),
            outcome="escalate",
            rationale=f"To the board, {n}.",
        )
        for n in range(count)
    ]


def test_the_cmo_approves_an_initiative_on_the_decision_form(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    body = steering()
    initiative = ready_initiative(users["informaticist"])
    client = client_for("cmo")

    shown = client.get(f"{FORM}?initiative={initiative.pk}&outcome=approve")
    response = client.post(
        FORM,
        {
            "initiative": initiative.pk,
            "body": body.pk,
            "outcome": "approve",
            "rationale": "Strong case.",
        },
    )

    assert shown.status_code == 200
    assert shown.context["form"].initial["body"] == body
    assert shown.context["form"].initial["outcome"] == "approve"
    decision = Decision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("governance:decision-detail", args=[decision.pk])
    initiative.refresh_from_db()
    assert initiative.stage == Stage.APPROVED
    page = client.get(response["Location"])
    assert "Strong case." in page.text
    assert "Physician engagement: 86.00 → 60.00 min/day by 2027-06-15" in page.text


def test_the_form_shows_each_missing_field_and_saves_nothing(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    body = steering()
    initiative = InitiativeFactory.create(title="Bare idea")
    before = snapshot(*TABLES)

    response = client_for("cmo").post(
        FORM,
        {"initiative": initiative.pk, "body": body.pk, "outcome": "defer", "rationale": "Later."},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "revisit_on": ["Give the date to revisit a deferred decision."]
    }
    assert snapshot(*TABLES) == before


@pytest.mark.parametrize("role", ["champion", "executive", "informaticist"])
def test_a_non_member_is_refused_on_the_page_and_the_api_and_nothing_changes(
    users: dict[str, User],
    client_for: Callable[[str], Client],
    api_as: ApiAs,
    make_user: Callable[..., User],
    role: str,
) -> None:
    body = steering()
    other = GovernanceBody.objects.create(code="cds", name="CDS committee", kind="cds")
    member_elsewhere = make_user(role)
    other.memberships.create(user=member_elsewhere)
    initiative = ready_initiative(users["informaticist"])
    data = {"initiative": initiative.pk, "outcome": "approve", "rationale": "Go."}
    before = snapshot(*TABLES)

    page = client_for(role).post(FORM, {**data, "body": body.pk})
    api = api_as(users[role]).post(API, {**data, "body": "steering"}, format="json")
    elsewhere = Client()
    elsewhere.force_login(member_elsewhere)
    elsewhere_page = elsewhere.post(FORM, {**data, "body": body.pk})
    elsewhere_api = api_as(member_elsewhere).post(API, {**data, "body": "steering"}, format="json")

    assert (page.status_code, api.status_code) == (403, 403)
    assert api.json() == {"detail": "You may not do this (decision.record)."}
    # A member of another body gets the form for that body only; steering is not a choice.
    assert elsewhere_page.status_code == 200
    assert list(elsewhere_page.context["form"].errors) == ["body"]
    assert elsewhere_api.status_code == 403
    assert elsewhere_api.json() == {"detail": "You may not do this (decision.record)."}
    assert snapshot(*TABLES) == before


def test_the_cmio_records_through_the_api_and_gets_the_decision(
    users: dict[str, User], api_as: ApiAs
) -> None:
    steering()
    request = in_review(users["cmio"], users["champion"])

    response = api_as(users["cmio"]).post(
        API,
        {
            "body": "steering",
            "request": request.pk,
            "outcome": "redirect",
            "redirect_to": "training",
            "rationale": "It exists already.",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    decision = Decision.objects.get()
    assert (body["id"], body["subject_type"], body["outcome"], body["redirect_to"]) == (
        decision.pk,
        "request",
        "redirect",
        "training",
    )
    assert (body["evidence"]["status"], body["superseded_by"]) == ("in_review", None)
    request.refresh_from_db()
    assert request.status == "redirected"


def test_no_one_edits_or_deletes_a_decision_through_the_page_or_the_api(
    users: dict[str, User], client_for: Callable[[str], Client], api_as: ApiAs
) -> None:
    body = steering()
    (decision,) = _decisions(body, users["cmo"], 1)
    before = snapshot(*TABLES)
    client = client_for("cmo")
    api = api_as(users["cmo"])
    detail = f"{API}{decision.pk}/"

    pages = [
        client.get(f"/governance/decisions/{decision.pk}/edit/").status_code,
        client.post(f"/governance/decisions/{decision.pk}/delete/").status_code,
        client.post(f"/governance/decisions/{decision.pk}/", {"rationale": "x"}).status_code,
    ]
    calls = [
        api.put(detail, {"rationale": "Changed."}, format="json").status_code,
        api.patch(detail, {"rationale": "Changed."}, format="json").status_code,
        api.delete(detail).status_code,
    ]

    assert pages == [404, 404, 405]
    assert calls == [405, 405, 405]
    assert snapshot(*TABLES) == before


def test_the_admin_shows_a_decision_read_only_and_refuses_to_delete_it(
    users: dict[str, User], make_user: Callable[..., User]
) -> None:
    body = steering()
    (decision,) = _decisions(body, users["cmo"], 1)
    before = snapshot(*TABLES)
    client = Client()
    client.force_login(make_user("admin", is_staff=True, is_superuser=True))
    change = reverse("admin:governance_decision_change", args=[decision.pk])

    shown = client.get(change)
    posted = client.post(change, {"rationale": "Changed.", "outcome": "approve"})
    deleted = client.post(
        reverse("admin:governance_decision_delete", args=[decision.pk]), {"post": "yes"}
    )

    assert shown.status_code == 200
    assert shown.context["has_change_permission"] is False
    assert (posted.status_code, deleted.status_code) == (403, 403)
    assert snapshot(*TABLES) == before


def test_superseding_links_both_ways_on_the_pages_and_the_api(
    users: dict[str, User], client_for: Callable[[str], Client], api_as: ApiAs
) -> None:
    body = steering()
    (first,) = _decisions(body, users["cmo"], 1)
    client = client_for("cmo")

    correct = client.get(f"/governance/decisions/{first.pk}/")
    prefilled = client.get(FORM, {"supersedes": first.pk})
    response = client.post(
        FORM,
        {
            "initiative": first.initiative_id,
            "supersedes": first.pk,
            "body": body.pk,
            "outcome": "escalate",
            "rationale": "Corrected: to the board in July.",
        },
    )
    second = Decision.objects.exclude(pk=first.pk).get()

    assert f'href="/governance/decisions/new/?supersedes={first.pk}"' in correct.text
    assert prefilled.context["form"].initial["supersedes"] == first
    assert response.status_code == 302
    old_page = client.get(f"/governance/decisions/{first.pk}/")
    new_page = client.get(f"/governance/decisions/{second.pk}/")
    assert f'Superseded by <a href="/governance/decisions/{second.pk}/">#{second.pk}' in (
        old_page.text
    )
    assert f'Supersedes <a href="/governance/decisions/{first.pk}/">#{first.pk}' in new_page.text
    assert "Correct this decision" not in old_page.text
    api = api_as(users["cmo"])
    assert api.get(f"{API}{first.pk}/").json()["superseded_by"] == second.pk
    assert api.get(f"{API}{second.pk}/").json()["supersedes"] == first.pk


def test_the_log_searches_and_filters(
    users: dict[str, User], client_for: Callable[[str], Client], api_as: ApiAs
) -> None:
    body = steering()
    _decisions(body, users["cmo"], 3)

    found = client_for("champion").get("/governance/decisions/", {"q": "board, 1"})
    by_outcome = api_as(users["champion"]).get(API, {"outcome": "approve"})
    by_subject = api_as(users["champion"]).get(API, {"subject": "initiative"})

    assert [row.rationale for row in found.context["rows"]] == ["To the board, 1."]
    assert by_outcome.json()["count"] == 0
    assert by_subject.json()["count"] == 3


@pytest.mark.parametrize("count", [2, 200])
def test_the_log_page_costs_the_same_at_2_and_200_decisions(
    users: dict[str, User],
    client_for: Callable[[str], Client],
    django_assert_num_queries: Any,
    count: int,
) -> None:
    body = steering()
    _decisions(body, users["cmo"], count)
    client = client_for("cmo")
    client.get("/governance/decisions/")

    # 1 session, 2 user, 3 the user's roles; 4 whether the user decides in some body (an
    # EXISTS on the bodies); 5 the count; 6 the page of decisions with their bodies, subjects,
    # deciders and supersede links (one JOIN); 7 the body filter's choices; 8-10 the session
    # saved again (savepoint, UPDATE, release)
    with django_assert_num_queries(10):
        response = client.get("/governance/decisions/")
    assert response.context["page"].paginator.count == count


@pytest.mark.parametrize("count", [2, 200])
def test_the_log_api_costs_the_same_at_2_and_200_decisions(
    users: dict[str, User], api_as: ApiAs, django_assert_num_queries: Any, count: int
) -> None:
    body = steering()
    _decisions(body, users["cmo"], count)
    api = api_as(users["cmo"])
    api.get(API)

    # 1 the token with its user, 2 the user's roles, 3 the count, 4 the page of decisions
    with django_assert_num_queries(4):
        response = api.get(API)
    assert response.json()["count"] == count


def test_needs_me_lists_what_awaits_a_decision_with_the_decision_form(
    users: dict[str, User],
) -> None:
    request = in_review(users["cmio"], users["champion"])
    initiative = ready_initiative(users["informaticist"])

    cmo = governance_selectors.needs_me_for(users["cmo"])
    cmio = governance_selectors.needs_me_for(users["cmio"])
    gate = [
        item
        for item in initiatives_selectors.needs_me_for(users["cmo"])
        if item.kind == "Awaiting approval"
    ]

    request_item = (
        "Decision awaited",
        f"#{request.pk} Med rec screen loses home meds",
        f"/governance/decisions/new/?request={request.pk}",
    )
    gate_item = (
        "Awaiting approval",
        "Sepsis alert tuning",
        f"/governance/decisions/new/?initiative={initiative.pk}",
    )
    assert [(i.kind, i.title, i.url) for i in cmo] == [request_item]
    assert sorted((i.kind, i.title, i.url) for i in cmio) == sorted([request_item, gate_item])
    assert [(i.kind, i.title, i.url) for i in gate] == [gate_item]
    assert gate[0].detail == "Proposed · approve, defer or stop"
    assert governance_selectors.needs_me_for(users["champion"]) == []


@pytest.mark.parametrize("count", [2, 200])
def test_needs_me_shows_the_ten_oldest_awaiting_a_decision_and_counts_the_rest(
    users: dict[str, User], django_assert_num_queries: Any, count: int
) -> None:
    IntakeRequestFactory.create_batch(count, status=RequestStatus.IN_REVIEW)
    InitiativeFactory.create_batch(count, stage=Stage.PROPOSED)
    cmio = User.objects.get(pk=users["cmio"].pk)
    assert cmio.roles == ("cmio",)

    # 1 the requests in review, 2 the initiatives at the gate (each with its total, a window
    # count on the same query), 3 reviews to prepare and overdue actions (one union)
    with django_assert_num_queries(3):
        items = governance_selectors.needs_me_for(cmio)

    kinds = [item.kind for item in items]
    shown = min(count, 10)
    assert [kinds.count("Decision awaited"), kinds.count("Awaiting approval")] == [shown, shown]
    assert [items.total("Decision awaited"), items.total("Awaiting approval")] == [count, count]
    assert items.links["Decision awaited"] == "/requests/?status=in_review"
