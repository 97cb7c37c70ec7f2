"""Financial entries of an initiative — hard savings and costs as finance booked them, month by
month, which the value report sums: added, corrected and removed through the portfolio
services with their audit, checked field by field (nothing partial saved), the source text
read by the PHI guard, refused to whoever may not edit the initiative, and the form on the
initiative's page."""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from informatics.models import AuditEvent, PhiConfirmation, User
from informatics.permissions import ActionDenied
from informatics.phi import PhiFlagged
from initiatives import services
from initiatives.choices import FinancialKind
from initiatives.models import FinancialEntry, Initiative
from tests.conftest import snapshot
from tests.initiatives.factories import InitiativeFactory

NOW = datetime.datetime(2026, 12, 3, 9, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

NOVEMBER = datetime.date(2026, 11, 1)
TABLES = (FinancialEntry, AuditEvent, PhiConfirmation)


@pytest.fixture
def initiative(users: dict[str, User]) -> Initiative:
    result: Initiative = InitiativeFactory.create(
        title="CLABSI bundle", informaticist_lead=users["informaticist"]
    )
    return result


def add(actor: User, initiative: Initiative, **overrides: Any) -> FinancialEntry:
    fields: dict[str, Any] = {
        "month": NOVEMBER,
        "kind": FinancialKind.HARD_SAVINGS,
        "amount": "50000",
        "source": "Finance GL 6100, November close",
        **overrides,
    }
    return services.financial_entry_add(actor=actor, initiative=initiative, **fields)


def test_the_cmio_records_hard_savings_with_its_audit(
    users: dict[str, User], initiative: Initiative
) -> None:
    entry = add(users["cmio"], initiative)

    stored = FinancialEntry.objects.get()
    assert (stored.initiative, stored.month, stored.kind, stored.amount, stored.source) == (
        initiative,
        NOVEMBER,
        FinancialKind.HARD_SAVINGS,
        Decimal("50000.00"),
        "Finance GL 6100, November close",
    )
    assert stored.entered_by == users["cmio"]
    event = AuditEvent.objects.get(object_id=str(entry.pk), content_type__model="financialentry")
    assert (event.action, event.actor) == ("create", users["cmio"])
    assert event.changes == {
        "initiative": [None, "CLABSI bundle"],
        "month": [None, "2026-11-01"],
        "kind": [None, "hard_savings"],
        "amount": [None, "50000.00"],
        "source": [None, "Finance GL 6100, November close"],
    }


def test_the_lead_informaticist_records_a_cost_and_corrects_then_removes_it(
    users: dict[str, User], initiative: Initiative
) -> None:
    lead = users["informaticist"]
    entry = add(lead, initiative, kind=FinancialKind.COST, amount="100000")
    pk = entry.pk

    services.financial_entry_update(actor=lead, entry=entry, amount="95000.50")
    assert FinancialEntry.objects.get().amount == Decimal("95000.50")
    services.financial_entry_delete(actor=lead, entry=entry)

    assert not FinancialEntry.objects.exists()
    events = AuditEvent.objects.filter(
        object_id=str(pk), content_type__model="financialentry"
    ).order_by("id")
    assert [e.action for e in events] == ["create", "update", "delete"]
    assert events[1].changes == {"amount": ["100000.00", "95000.50"]}


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"amount": "0"},
            {"amount": ["Give the amount as a sum above 0 (a cost is entered as a cost)."]},
        ),
        (
            {"amount": "-5"},
            {"amount": ["Give the amount as a sum above 0 (a cost is entered as a cost)."]},
        ),
        ({"amount": "1.234"}, {"amount": ["Ensure that there are no more than 2 decimal places."]}),
        (
            {"month": datetime.date(2026, 11, 15)},
            {"month": ["Give the month by its first day, e.g. 2026-11-01."]},
        ),
        (
            {"source": "  ", "kind": ""},
            {
                "source": ["Say where finance booked it, e.g. “Finance GL 6100, November close”."],
                "kind": ["Choose hard savings or cost."],
            },
        ),
        ({"kind": "refund"}, {"kind": ["Value 'refund' is not a valid choice."]}),
    ],
)
def test_a_bad_entry_is_refused_by_field_and_nothing_is_saved(
    users: dict[str, User],
    initiative: Initiative,
    overrides: dict[str, Any],
    errors: dict[str, list[str]],
) -> None:
    before = snapshot(*TABLES)

    with pytest.raises(ValidationError) as refused:
        add(users["cmio"], initiative, **overrides)

    assert refused.value.message_dict == errors
    assert snapshot(*TABLES) == before


def test_a_bad_correction_changes_nothing(users: dict[str, User], initiative: Initiative) -> None:
    entry = add(users["cmio"], initiative)
    before = snapshot(*TABLES)

    with pytest.raises(ValidationError) as refused:
        services.financial_entry_update(
            actor=users["cmio"], entry=entry, amount="10", month=datetime.date(2026, 11, 2)
        )

    assert refused.value.message_dict == {
        "month": ["Give the month by its first day, e.g. 2026-11-01."]
    }
    with pytest.raises(ValidationError):
        services.financial_entry_update(actor=users["cmio"], entry=entry, entered_by=None)
    assert snapshot(*TABLES) == before


def test_the_source_goes_through_the_phi_guard(
    users: dict[str, User], initiative: Initiative
) -> None:
    before = snapshot(*TABLES)

    with pytest.raises(PhiFlagged):
        add(users["cmio"], initiative, source="Refund to MRN 4412897")
    assert snapshot(*TABLES) == before

    entry = add(users["cmio"], initiative, source="Refund to MRN 4412897", phi_confirmed=True)
    assert PhiConfirmation.objects.filter(object_id=str(entry.pk)).count() == 1


@pytest.mark.parametrize("role", ["champion", "cmo", "executive", "admin"])
def test_who_may_not_edit_the_initiative_cannot_add_correct_or_remove_entries(
    users: dict[str, User], initiative: Initiative, role: str
) -> None:
    entry = add(users["cmio"], initiative)
    before = snapshot(*TABLES)
    actor = users[role]

    with pytest.raises(ActionDenied):
        add(actor, initiative)
    with pytest.raises(ActionDenied):
        services.financial_entry_update(actor=actor, entry=entry, amount="1")
    with pytest.raises(ActionDenied):
        services.financial_entry_delete(actor=actor, entry=entry)

    assert snapshot(*TABLES) == before


def test_an_informaticist_cannot_add_to_an_initiative_they_do_not_lead(
    users: dict[str, User], make_user: Callable[..., User]
) -> None:
    other = InitiativeFactory.create(informaticist_lead=make_user("informaticist"))
    before = snapshot(*TABLES)

    with pytest.raises(ActionDenied):
        add(users["informaticist"], other)

    assert snapshot(*TABLES) == before


# --- The form on the initiative's page --------------------------------------------------------

FORM = {
    "month": "2026-11",
    "kind": FinancialKind.COST,
    "amount": "100000",
    "source": "Finance GL 7200, November close",
}


def test_the_cmio_records_an_entry_on_the_initiatives_page(
    client_for: Callable[[str], Client], initiative: Initiative
) -> None:
    client = client_for("cmio")

    response = client.post(
        reverse("initiatives:initiative-financial-add", args=[initiative.pk]), FORM
    )

    assert response.status_code == 302
    entry = FinancialEntry.objects.get()
    assert (entry.month, entry.kind, entry.amount) == (
        NOVEMBER,
        FinancialKind.COST,
        Decimal("100000.00"),
    )
    page = client.get(reverse("initiatives:initiative-detail", args=[initiative.pk]))
    assert page.context["financial_entries"] == [entry]
    assert "Finance GL 7200, November close" in page.content.decode()

    removed = client.post(
        reverse("initiatives:initiative-financial-delete", args=[initiative.pk, entry.pk])
    )
    assert removed.status_code == 302
    assert not FinancialEntry.objects.exists()


def test_a_bad_entry_comes_back_on_the_page_with_its_message(
    client_for: Callable[[str], Client], initiative: Initiative
) -> None:
    response = client_for("cmio").post(
        reverse("initiatives:initiative-financial-add", args=[initiative.pk]),
        {**FORM, "amount": "0"},
    )

    assert response.status_code == 200
    assert response.context["financial_form"].errors == {
        "amount": ["Give the amount as a sum above 0 (a cost is entered as a cost)."]
    }
    assert not FinancialEntry.objects.exists()


@pytest.mark.parametrize("role", ["champion", "cmo", "executive", "admin"])
def test_the_page_refuses_entries_to_who_may_not_edit_the_initiative(
    users: dict[str, User],
    client_for: Callable[[str], Client],
    initiative: Initiative,
    role: str,
) -> None:
    entry = add(users["cmio"], initiative)
    before = snapshot(*TABLES)
    client = client_for(role)

    page = client.get(reverse("initiatives:initiative-detail", args=[initiative.pk]))
    added = client.post(reverse("initiatives:initiative-financial-add", args=[initiative.pk]), FORM)
    removed = client.post(
        reverse("initiatives:initiative-financial-delete", args=[initiative.pk, entry.pk])
    )

    assert page.context["financial_form"] is None
    assert (added.status_code, removed.status_code) == (403, 403)
    assert snapshot(*TABLES) == before
