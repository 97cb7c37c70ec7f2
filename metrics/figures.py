"""The arithmetic rule every measurement obeys, shared by hand entry and imports.

A measurement is given as a value, as a numerator and denominator, or as all three. With both
numerator and denominator the value must equal numerator ÷ denominator × the metric's
multiplier, as rounded to the decimals the value was given in: the tolerance is half a unit in
the value's last place, but never finer than the six decimals a figure is stored with (a value
typed or exported with more decimals is compared at the stored precision).

Errors name the column (`value`, `numerator`, `denominator`) so a form can put them beside the
field and an import can report row and column.
"""

import re
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext

from metrics.models import FIGURE_DIGITS, FIGURE_PLACES
from metrics.spc import PROPORTION_CHARTS, ChartType

DECIMAL_PLACES: int = FIGURE_PLACES
INTEGER_DIGITS: int = FIGURE_DIGITS - FIGURE_PLACES
STORED_QUANTUM = Decimal(1).scaleb(-DECIMAL_PLACES)  # 0.000001
_LIMIT = Decimal(10) ** INTEGER_DIGITS
TOO_LARGE = f"is too large (at most {INTEGER_DIGITS} digits before the point)."
_NUMBER = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")


class FigureError(ValueError):
    """A figure that cannot be stored, with the column it came from."""

    def __init__(self, column: str, message: str):
        self.column = column
        self.message = message
        super().__init__(f"{column}: {message}")


def parse_decimal(text: str | int | float | Decimal | None, column: str) -> Decimal | None:
    """A figure from text (a CSV cell, a form field) or a number (an XLSX cell); blank → None.

    Plain decimal notation only: no thousands separators, currency signs or percent signs, so
    "1,234" or "14%" is refused rather than guessed at. Infinity and NaN are refused, and so is a
    number with more than 14 digits before the point (the column would overflow)."""
    if text is None:
        return None
    if isinstance(text, bool):
        raise FigureError(column, f"“{text}” is not a number.")
    if isinstance(text, Decimal):
        number = text
    elif isinstance(text, int):
        number = Decimal(text)
    elif isinstance(text, float):
        # repr gives the shortest text that reads back as the same float (what a sheet shows).
        number = Decimal(repr(text))
    else:
        cleaned = text.strip()
        if not cleaned:
            return None
        if not _NUMBER.match(cleaned):
            shown = cleaned if len(cleaned) <= 40 else cleaned[:40] + "…"
            raise FigureError(column, f"“{shown}” is not a number.")
        try:
            number = Decimal(cleaned)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
            raise FigureError(column, f"“{cleaned}” is not a number.") from None
    if not number.is_finite():
        raise FigureError(column, f"“{text}” is not a number.")
    if abs(number) >= _LIMIT or abs(stored(number)) >= _LIMIT:
        raise FigureError(column, TOO_LARGE)
    return number


def stored(number: Decimal) -> Decimal:
    """A figure as the database keeps it: six decimals, half up."""
    return number.quantize(STORED_QUANTUM, rounding=ROUND_HALF_UP)


def _fitting(value: Decimal) -> Decimal:
    """The value as stored, or FigureError when it does not fit the column (a quotient can
    outgrow figures that each fit)."""
    if abs(value) >= _LIMIT or abs(stored(value)) >= _LIMIT:
        raise FigureError("value", TOO_LARGE)
    return stored(value)


def _tolerance(value: Decimal) -> Decimal:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite: parse_decimal refuses NaN and infinity
    return Decimal(5).scaleb(max(exponent, -DECIMAL_PLACES) - 1)


def measurement_figures(
    *,
    multiplier: Decimal,
    value: Decimal | None,
    numerator: Decimal | None,
    denominator: Decimal | None,
) -> Decimal:
    """The value to store for these figures (six decimals), or FigureError naming the column.

    - value alone: stored as given (it may be negative, e.g. a net score);
    - numerator and denominator: value = numerator ÷ denominator × multiplier;
    - all three: the value must agree with that quotient to half a unit in its last place.
    Denominator must be > 0 and numerator ≥ 0; one of the pair without the other is an error.
    """
    if numerator is None and denominator is None:
        if value is None:
            raise FigureError("value", "Give a value, or a numerator and a denominator.")
        return _fitting(value)
    if denominator is None:
        raise FigureError("denominator", "A numerator needs a denominator.")
    if numerator is None:
        raise FigureError("numerator", "A denominator needs a numerator.")
    if denominator <= 0:
        raise FigureError("denominator", "Must be greater than zero.")
    if numerator < 0:
        raise FigureError("numerator", "Must not be negative.")
    with localcontext() as exact:
        # Ample digits, multiplying first: the product is exact and the quotient, rounded once
        # far below the stored six decimals, rounds as PostgreSQL's numeric does (the import's
        # SQL computes the same figure).
        exact.prec = 60
        computed = numerator * multiplier / denominator
    if value is None:
        return _fitting(computed)
    if abs(value - computed) > _tolerance(value):
        shown = computed.quantize(
            STORED_QUANTUM, rounding=ROUND_HALF_UP, context=Context(prec=60)
        ).normalize()
        raise FigureError(
            "value",
            f"{value} disagrees with numerator ÷ denominator × {multiplier.normalize():f} = "
            f"{shown:f}.",
        )
    return _fitting(value)


def chart_figures_error(
    chart: str, *, numerator: Decimal | None, denominator: Decimal | None, value: Decimal | None
) -> FigureError | None:
    """What a metric's chart refuses of a sound measurement, wherever it is entered (by hand or
    by import): a proportion's numerator above its denominator (p and Laney p′ charts), a
    negative count (c chart). The SPC engine refuses both, so a roll-up could not chart the
    series."""
    if chart in PROPORTION_CHARTS and numerator is not None and denominator is not None:
        if numerator > denominator:
            return FigureError(
                "numerator", "A proportion's numerator cannot exceed its denominator."
            )
    elif chart == ChartType.C and value is not None and value < 0:
        return FigureError("value", "A count cannot be negative.")
    return None
