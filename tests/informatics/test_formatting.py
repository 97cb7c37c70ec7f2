"""Money reads in the organisation's currency with thousands separators on pages (exports keep
raw numbers): the kernel's money_text, the `money` filter, and the initiative page's cost
estimate and hard savings."""

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client

from informatics.choices import Role
from informatics.formatting import money_text
from informatics.models import SiteSettings, User
from initiatives import services
from initiatives.choices import FinancialKind
from tests.initiatives.factories import InitiativeFactory

NOW = datetime.datetime(2026, 12, 3, 9, 0, tzinfo=datetime.UTC)
pytestmark = pytest.mark.time_machine(NOW)


@pytest.mark.parametrize(
    ("value", "currency", "cents", "text"),
    [
        (Decimal("25000.00"), "USD", False, "$25,000"),
        (Decimal("1250.5"), "USD", False, "$1,250.50"),
        (Decimal("25000"), "EUR", True, "€25,000.00"),
        (Decimal("-1234567.891"), "GBP", False, "-£1,234,567.89"),
        ("46000", "CHF", False, "CHF 46,000"),
        (None, "USD", False, "—"),
        ("n/a", "USD", False, "—"),
    ],
)
def test_money_text(value: object, currency: str, cents: bool, text: str) -> None:
    assert money_text(value, currency, cents=cents) == text


@pytest.mark.django_db
def test_the_initiative_page_shows_money_in_the_sites_currency(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    SiteSettings.objects.update_or_create(pk=1, defaults={"currency": "EUR"})
    cache.clear()
    initiative = InitiativeFactory.create(
        cost_estimate=Decimal("25000.00"), informaticist_lead=users[Role.INFORMATICIST]
    )
    services.financial_entry_add(
        actor=users[Role.CMIO],
        initiative=initiative,
        month=datetime.date(2026, 11, 1),
        kind=FinancialKind.HARD_SAVINGS,
        amount="12500.5",
        source="Finance GL 6100, November close",
    )

    page = client_for(Role.CMO).get(f"/initiatives/{initiative.pk}/").content.decode()

    assert '<tr><th scope="row">Cost estimate</th><td>€25,000</td></tr>' in page
    assert '<td class="num">€12,500.50</td>' in page
    assert "25000.00" not in page
