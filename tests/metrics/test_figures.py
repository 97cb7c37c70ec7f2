"""The measurement arithmetic (metrics.figures): which figures are accepted, the value stored,
and the error (column and message) for each refusal."""

from decimal import Decimal

import pytest

from metrics.figures import FigureError, measurement_figures, parse_decimal

D = Decimal


def figures(
    multiplier: str = "100",
    value: str | None = None,
    numerator: str | None = None,
    denominator: str | None = None,
) -> Decimal:
    return measurement_figures(
        multiplier=D(multiplier),
        value=None if value is None else D(value),
        numerator=None if numerator is None else D(numerator),
        denominator=None if denominator is None else D(denominator),
    )


def test_value_alone_is_stored_as_given_even_negative() -> None:
    assert figures(value="23.4") == D("23.400000")
    assert figures(value="-12") == D("-12.000000")


def test_numerator_and_denominator_give_the_value_rounded_to_six_places() -> None:
    assert figures(multiplier="100", numerator="1", denominator="3") == D("33.333333")
    assert figures(multiplier="1000", numerator="2", denominator="1000") == D("2.000000")
    assert figures(multiplier="1", numerator="2", denominator="3") == D("0.666667")


def test_all_three_agree_within_half_a_unit_of_the_values_last_place() -> None:
    # 1 ÷ 3 × 100 = 33.333…: "33.3" is within 0.05, "33.33" within 0.005.
    assert figures(value="33.3", numerator="1", denominator="3") == D("33.300000")
    assert figures(value="33.33", numerator="1", denominator="3") == D("33.330000")
    assert figures(value="33", numerator="1", denominator="3") == D("33.000000")
    # exactly half a unit away is still the same rounded value (14.25 → 14.3 half up)
    assert figures(value="14.3", numerator="57", denominator="400") == D("14.300000")


def test_a_value_given_finer_is_held_to_its_own_precision() -> None:
    with pytest.raises(FigureError) as caught:
        figures(value="33.34", numerator="1", denominator="3")
    assert caught.value.column == "value"
    assert caught.value.message == "33.34 disagrees with numerator ÷ denominator × 100 = 33.333333."


def test_more_decimals_than_stored_are_compared_at_the_stored_six() -> None:
    # a spreadsheet float: 2 ÷ 3 read back as 0.6666666666666666 (repr of the float)
    assert figures(multiplier="1", value="0.6666666666666666", numerator="2", denominator="3") == D(
        "0.666667"
    )


def test_a_value_disagreeing_with_the_quotient_is_refused() -> None:
    with pytest.raises(FigureError) as caught:
        figures(value="15", numerator="57", denominator="400")
    assert (caught.value.column, caught.value.message) == (
        "value",
        "15 disagrees with numerator ÷ denominator × 100 = 14.25.",
    )


@pytest.mark.parametrize(
    ("given", "column", "message"),
    [
        ({}, "value", "Give a value, or a numerator and a denominator."),
        ({"numerator": "3"}, "denominator", "A numerator needs a denominator."),
        ({"value": "3", "numerator": "3"}, "denominator", "A numerator needs a denominator."),
        ({"denominator": "3"}, "numerator", "A denominator needs a numerator."),
        ({"numerator": "3", "denominator": "0"}, "denominator", "Must be greater than zero."),
        ({"numerator": "3", "denominator": "-2"}, "denominator", "Must be greater than zero."),
        ({"numerator": "-1", "denominator": "2"}, "numerator", "Must not be negative."),
    ],
)
def test_incomplete_or_impossible_figures_name_the_column(
    given: dict[str, str], column: str, message: str
) -> None:
    with pytest.raises(FigureError) as caught:
        figures(**given)
    assert (caught.value.column, caught.value.message) == (column, message)
    assert str(caught.value) == f"{column}: {message}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14.3", D("14.3")),
        (" 7 ", D("7")),
        ("-0.5", D("-0.5")),
        (".5", D("0.5")),
        ("1e3", D("1E+3")),
        ("", None),
        ("   ", None),
        (None, None),
        (12, D("12")),
        (0.1, D("0.1")),
        (D("2.50"), D("2.50")),
    ],
)
def test_parse_decimal_reads_plain_numbers(
    text: str | int | float | Decimal | None, expected: Decimal | None
) -> None:
    parsed = parse_decimal(text, "value")
    assert parsed == expected
    if expected is not None:
        assert str(parsed) == str(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "“abc” is not a number."),
        ("1,234", "“1,234” is not a number."),
        ("14%", "“14%” is not a number."),
        ("$5", "“$5” is not a number."),
        ("NaN", "“NaN” is not a number."),
        ("inf", "“inf” is not a number."),
        (float("nan"), "“nan” is not a number."),
        (True, "“True” is not a number."),
        ("100000000000000", "is too large (at most 14 digits before the point)."),
    ],
)
def test_parse_decimal_refuses_what_is_not_a_plain_number(
    text: str | float | bool, message: str
) -> None:
    with pytest.raises(FigureError) as caught:
        parse_decimal(text, "numerator")
    assert (caught.value.column, caught.value.message) == ("numerator", message)


def test_parse_decimal_accepts_the_largest_storable_figure() -> None:
    assert parse_decimal("99999999999999.999999", "value") == D("99999999999999.999999")


def test_a_figure_that_rounds_beyond_the_column_is_too_large() -> None:
    with pytest.raises(FigureError) as caught:
        parse_decimal("99999999999999.9999995", "denominator")
    assert (caught.value.column, caught.value.message) == (
        "denominator",
        "is too large (at most 14 digits before the point).",
    )


def test_a_quotient_too_large_for_the_column_is_refused_on_the_value() -> None:
    with pytest.raises(FigureError) as caught:
        figures(multiplier="1000", numerator="99999999999999", denominator="1")
    assert (caught.value.column, caught.value.message) == (
        "value",
        "is too large (at most 14 digits before the point).",
    )
