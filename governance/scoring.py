"""The arithmetic of maturity (DOMAIN.md §4), in one place: which scores there are, the
overall score as the weighted mean of the dimensions' scores, and the level a score reaches.
Pure Python, no database."""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from governance.choices import MaturityDimension, MaturityLevel

DIMENSIONS: tuple[str, ...] = tuple(MaturityDimension.values)
DEFAULT_WEIGHT = Decimal(1)
LOWEST, HIGHEST = Decimal(1), Decimal(4)
CENTS = Decimal("0.01")


def score_refusal(value: object) -> str | None:
    """Why `value` is not a maturity score (1 to 4 in steps of 0.5), or None when it is one."""
    try:
        score = Decimal(str(value))
    except InvalidOperation:
        return f"{value!r} is not a number."
    if not score.is_finite() or not LOWEST <= score <= HIGHEST or (score * 2) % 1 != 0:
        shown = f"{score.normalize():f}" if score.is_finite() else str(value)
        return f"{shown} is not a score: give 1 to 4 in steps of 0.5."
    return None


def weighted_overall(
    scores: Mapping[str, Decimal], weights: Mapping[str, Decimal] | None = None
) -> Decimal | None:
    """The weighted mean of `scores` (dimension → score) with `weights` (dimension → weight,
    1 where missing), rounded half-up to two places; None when no weight counts."""
    weights = weights or {}
    total = weighted = Decimal(0)
    for dimension, score in scores.items():
        weight = weights.get(dimension, DEFAULT_WEIGHT)
        total += weight
        weighted += weight * score
    if total == 0:
        return None
    return (weighted / total).quantize(CENTS, rounding=ROUND_HALF_UP)


def level_of(score: Decimal | None) -> MaturityLevel | None:
    """The level a score reaches: its whole part (2.5 and 2.11 are Developing)."""
    if score is None:
        return None
    return MaturityLevel(max(1, min(4, int(score))))
