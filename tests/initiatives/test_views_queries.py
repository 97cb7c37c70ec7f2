"""Query budgets of the portfolio pages: the priority × stage grid, the list, its CSV export
and the CMO's landing cost the same with 2 initiatives as with 200; an initiative's page costs
the same with 2 or 200 alignments, champions, facilities, stage steps, status updates,
milestones, benefit lines and linked requests (and 2 or 200 other initiatives). Each budget
lists its queries."""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from informatics.choices import ValueCategory
from informatics.models import User
from initiatives import selectors
from initiatives.choices import FinancialKind, Health, Stage
from initiatives.models import FinancialEntry, Initiative
from tests.factories import FacilityFactory, PriorityFactory, UserFactory
from tests.initiatives.factories import (
    BenefitLineFactory,
    InitiativeFactory,
    InitiativePriorityFactory,
    MilestoneFactory,
    StageChangeFactory,
    StatusUpdateFactory,
    request_in,
)
from tests.intake.test_views_queries import SESSION, SESSION_SAVE, people, warm

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

STAGES = list(Stage.values)


def portfolio(count: int, *, lead: User) -> None:
    """`count` initiatives spread over every stage and three priorities, each with a lead, a
    facility, a status update and a linked request; every third one stale (no update)."""
    priorities = PriorityFactory.create_batch(3)
    facility = FacilityFactory.create()
    submitter = UserFactory.create(roles=["champion"], password="!")
    for n in range(count):
        stage = STAGES[n % len(STAGES)]
        initiative = InitiativeFactory.create(
            stage=stage,
            informaticist_lead=lead,
            revisit_date=datetime.date(2027, 1, 1) if stage == Stage.DEFERRED else None,
        )
        initiative.facilities.add(facility)
        InitiativePriorityFactory.create(initiative=initiative, priority=priorities[n % 3])
        if n % 3:
            StatusUpdateFactory.create(
                initiative=initiative, author=lead, budget=Health.AT_RISK if n % 2 else "on_track"
            )
        request_in(initiative, submitted_by=submitter)


@pytest.mark.parametrize("count", [2, 200])
def test_the_portfolio_costs_the_same_at_2_and_200_initiatives(
    users: dict[str, User],
    client_for: Callable[[str], Client],
    count: int,
    django_assert_num_queries: Any,
) -> None:
    portfolio(count, lead=users["informaticist"])
    client = client_for("cmo")
    url = reverse("initiatives:portfolio")
    warm(client, url)

    # session, user; 3 the user's roles; 4 the grid's cells per priority and 5 per stage (counts
    # and worst health in SQL); 6 the priorities (active, and any retired one still aligned);
    # 7 the page of initiatives needing attention with their total; then saving the session
    with django_assert_num_queries(SESSION + 5 + SESSION_SAVE):
        response = client.get(url)
    assert response.context["summary"].total == count
    # "Needs attention" shows a page of 25 rows, worst first, and counts them all.
    attention = list(selectors.portfolio_attention())
    assert len(attention) == (1 if count == 2 else 67)
    assert response.context["page"].paginator.count == len(attention)
    assert [initiative.pk for initiative in response.context["attention"]] == [
        initiative.pk for initiative in attention[:25]
    ]


@pytest.mark.parametrize("count", [2, 200])
def test_the_initiative_list_costs_the_same_at_2_and_200_initiatives(
    users: dict[str, User],
    client_for: Callable[[str], Client],
    count: int,
    django_assert_num_queries: Any,
) -> None:
    portfolio(count, lead=users["informaticist"])
    client = client_for("cmio")
    url = reverse("initiatives:initiative-list")
    warm(client, url)

    # session, user; 3 the user's roles; 4 the count for the pager; 5 the page of initiatives
    # with their people, latest health, stale flag and linked-request count; 6 their
    # alignments with priorities; 7 their facilities; 8 priorities and 9 facilities of the
    # filter form; then saving the session
    with django_assert_num_queries(SESSION + 7 + SESSION_SAVE):
        response = client.get(url)
    assert len(response.context["rows"]) == min(count, 50)


@pytest.mark.parametrize("count", [2, 200])
def test_the_initiative_export_costs_the_same_at_2_and_200_initiatives(
    users: dict[str, User],
    client_for: Callable[[str], Client],
    count: int,
    django_assert_num_queries: Any,
) -> None:
    portfolio(count, lead=users["informaticist"])
    client = client_for("executive")
    url = reverse("initiatives:initiative-export")
    warm(client, url)

    # session, user; 3 the user's roles; 4 the filtered initiatives' COUNT (at most
    # EXPORT_INLINE_MAX_ROWS: streamed); then saving the session (before the body streams);
    # 8 the initiatives with their people, latest health, stale flag and linked-request
    # count; 9 their alignments with priorities; 10 their facilities
    with django_assert_num_queries(SESSION + 2 + SESSION_SAVE + 3):
        response = client.get(url)
        lines = b"".join(response.streaming_content).count(b"\r\n")  # type: ignore[attr-defined]
    assert lines == count + 1


@pytest.mark.parametrize("count", [2, 200])
def test_the_cmo_landing_costs_the_same_at_2_and_200_initiatives(
    users: dict[str, User],
    client_for: Callable[[str], Client],
    count: int,
    django_assert_num_queries: Any,
) -> None:
    portfolio(count, lead=users["informaticist"])
    client = client_for("cmo")
    warm(client, "/home/cmo/")

    # session, user; 3 the user's roles; 4 active priorities with their sponsors; 5-7 the
    # portfolio summary (cells per priority, cells per stage, priorities); 8 intake needs-me;
    # 9 the metrics' needs-me (data overdue of metrics they own); 10 the portfolio's needs-me
    # (initiatives waiting at the gate); 11 governance's needs-me: requests in review awaiting
    # a decision; 12 reviews to prepare and overdue actions (one union); then saving the session
    with django_assert_num_queries(SESSION + 10 + SESSION_SAVE):
        response = client.get("/home/cmo/")
    assert response.context["page"].portfolio.total == count


def busy_initiative(count: int, *, lead: User) -> Initiative:
    """An approved initiative with `count` of everything its page lists."""
    initiative = InitiativeFactory.create(
        stage=Stage.APPROVED,
        informaticist_lead=lead,
        executive_sponsor=lead,
        cmio_owner=lead,
        forecast_locked_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC),
    )
    crowd = people(count)
    initiative.champions.set(crowd)
    initiative.facilities.set(FacilityFactory.create_batch(count))
    for priority in PriorityFactory.create_batch(count):
        InitiativePriorityFactory.create(initiative=initiative, priority=priority)
    StageChangeFactory.create_batch(count, initiative=initiative, actor=lead)
    StatusUpdateFactory.create_batch(count, initiative=initiative, author=lead)
    MilestoneFactory.create_batch(count, initiative=initiative, done_by=lead)
    BenefitLineFactory.create_batch(
        count,
        initiative=initiative,
        value_category=ValueCategory.FINANCIAL,
        locked_baseline=Decimal("86.00"),
        locked_target=Decimal("55.00"),
        locked_horizon=datetime.date(2027, 3, 31),
        locked_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC),
    )
    FinancialEntry.objects.bulk_create(
        FinancialEntry(
            initiative=initiative,
            month=datetime.date(2026, 1 + n % 12, 1),
            kind=FinancialKind.COST,
            amount=Decimal(1000),
            source="Finance GL 7200",
            entered_by=lead,
        )
        for n in range(count)
    )
    for submitter in crowd:
        request_in(initiative, submitted_by=submitter)
    InitiativeFactory.create_batch(count)  # others, which the page must not read
    return initiative


@pytest.mark.parametrize("count", [2, 200])
@pytest.mark.parametrize("role", ["cmio", "champion"])
def test_an_initiatives_page_costs_the_same_at_2_and_200(
    users: dict[str, User],
    client_for: Callable[[str], Client],
    count: int,
    role: str,
    django_assert_num_queries: Any,
) -> None:
    initiative = busy_initiative(count, lead=users["informaticist"])
    client = client_for(role)
    url = reverse("initiatives:initiative-detail", args=[initiative.pk])
    warm(client, url)

    # session, user; 3 the user's roles; 4 the initiative with its people, latest health and
    # stale flag; 5 alignments with priorities; 6 champions; 7 facilities; 8 the stage
    # timeline with actors; 9 status updates with authors; 10 milestones with who did them;
    # 11 benefit lines; 12 financial entries with who entered them; 13 linked requests (those
    # the user may read) with submitters; 14 its history; then saving the session. The forms
    # need no query.
    with django_assert_num_queries(SESSION + 12 + SESSION_SAVE):
        response = client.get(url)
    assert len(response.context["updates"]) == count
    assert len(response.context["linked"]) == count
    assert len(response.context["benefits"]) == count
    assert len(response.context["financial_entries"]) == count
