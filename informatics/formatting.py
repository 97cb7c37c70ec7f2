"""How amounts read on pages: money in the organisation's currency with thousands separators.
Exports keep raw numbers; these helpers are for reading only."""

from decimal import Decimal, InvalidOperation
from typing import Any

# A currency without a sign here reads with its ISO code: "CHF 46,000".
CURRENCY_SYMBOLS = {"USD": "$", "CAD": "$", "AUD": "$", "GBP": "£", "EUR": "€"}
NONE = "—"


def currency_sign(currency: str) -> str:
    """What goes before an amount of `currency`: "$", or the code and a space."""
    return CURRENCY_SYMBOLS.get(currency, f"{currency} ")


def money_text(value: Any, currency: str, *, cents: bool = False) -> str:
    """An amount with its currency sign and thousands separators: whole units when there are no
    cents ("115000.00" → "$115,000"), else (or with `cents`) two decimals ("12.5" → "$12.50");
    "—" for none."""
    if value is None or value == "":
        return NONE
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return NONE
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    whole = amount == amount.to_integral_value() and not cents
    text = f"{amount:,.0f}" if whole else f"{amount:,.2f}"
    return f"{sign}{currency_sign(currency)}{text}"
