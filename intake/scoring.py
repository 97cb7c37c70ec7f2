"""The scoring rubric as pure functions (DOMAIN.md §5): no database, no clock.

value = Σ weight × rating ÷ 5 over the rubric's criteria (0–100, two decimals);
effort band and points from build hours; priority index = value ÷ effort points;
reach follows the distinct people behind a request unless triage rates it higher;
gates send safety items to the fast track and regulatory or vendor-mandated ones to the
mandatory route before any scoring order applies.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from intake.choices import EffortBand

REACH_CODE = "reach"
RATING_MIN, RATING_MAX = 0, 5
TWO_PLACES = Decimal("0.01")

# (people at least, reach rating), highest first.
REACH_STEPS: tuple[tuple[int, int], ...] = ((50, 5), (25, 4), (10, 3), (5, 2), (2, 1))

# (build hours below, band), smallest first; 500 h or more is XL.
EFFORT_STEPS: tuple[tuple[int, str], ...] = (
    (8, EffortBand.XS),
    (40, EffortBand.S),
    (160, EffortBand.M),
    (500, EffortBand.L),
)

# Gate names are the routes they send a request to.
GATE_ROUTES: tuple[str, ...] = ("fast_track", "mandatory")


def _two_places(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def reach_from_people(people: int) -> int:
    """1 person → 0, 2–4 → 1, 5–9 → 2, 10–24 → 3, 25–49 → 4, 50 or more → 5."""
    for at_least, reach in REACH_STEPS:
        if people >= at_least:
            return reach
    return 0


def reach_rating_effective(*, people: int, reach_rating: int | None = None) -> int:
    """The people count's reach, unless triage rated the reach higher (enterprise-wide)."""
    return max(reach_from_people(people), reach_rating or 0)


def effort_band(build_hours: int) -> str:
    """XS < 8 h, S 8 to < 40, M 40 to < 160, L 160 to < 500, XL ≥ 500."""
    for below, band in EFFORT_STEPS:
        if build_hours < below:
            return band
    return EffortBand.XL


def priority_index(*, value: Decimal, effort_points: int) -> Decimal:
    """value ÷ effort points, two decimals."""
    return _two_places(Decimal(value) / Decimal(effort_points))


def criteria_to_rate(criteria: Iterable[Mapping[str, Any]]) -> list[str]:
    """The codes triage rates by hand: every criterion but reach, which people drive."""
    return [c["code"] for c in criteria if c["code"] != REACH_CODE]


def value_breakdown(
    *, criteria: Iterable[Mapping[str, Any]], ratings: Mapping[str, int]
) -> tuple[Decimal, dict[str, dict[str, Any]]]:
    """The 0–100 value and its per-criterion breakdown {code: {label, weight, rating, points}}.

    `ratings` must hold every criterion's code (reach included: see `score_compute`).
    Points are weight × rating ÷ 5 (exact: at most one decimal with integer weights); the value
    is their sum rounded to two decimals.
    """
    breakdown: dict[str, dict[str, Any]] = {}
    total = Decimal(0)
    for criterion in criteria:
        code = criterion["code"]
        rating = int(ratings[code])
        points = Decimal(int(criterion["weight"]) * rating) / Decimal(5)
        total += points
        breakdown[code] = {
            "label": criterion["label"],
            "weight": int(criterion["weight"]),
            "rating": rating,
            "points": float(_two_places(points)),
        }
    return _two_places(total), breakdown


@dataclass(frozen=True)
class ScoreResult:
    """What one RequestScore row holds, before it is saved."""

    breakdown: dict[str, dict[str, Any]]
    people: int
    reach: int
    value: Decimal
    effort_band: str
    effort_points: int
    priority_index: Decimal


def score_missing(
    *, criteria: Iterable[Mapping[str, Any]], ratings: Mapping[str, Any], build_hours: int | None
) -> list[str]:
    """What triage still has to give before a score can be made: criterion codes without a
    rating, and "build_hours" when the build estimate is missing."""
    missing = [code for code in criteria_to_rate(criteria) if ratings.get(code) is None]
    if build_hours is None:
        missing.append("build_hours")
    return missing


def score_compute(
    *,
    criteria: Sequence[Mapping[str, Any]],
    effort_points_table: Mapping[str, int],
    ratings: Mapping[str, int],
    people: int,
    reach_rating: int | None,
    build_hours: int,
) -> ScoreResult:
    """Score a request under one rubric. Reach comes from `people` (or triage's higher
    `reach_rating`), never from `ratings`."""
    reach = reach_rating_effective(people=people, reach_rating=reach_rating)
    rated = {**{k: v for k, v in ratings.items() if k != REACH_CODE}, REACH_CODE: reach}
    value, breakdown = value_breakdown(criteria=criteria, ratings=rated)
    band = effort_band(build_hours)
    points = int(effort_points_table[band])
    return ScoreResult(
        breakdown=breakdown,
        people=people,
        reach=reach,
        value=value,
        effort_band=band,
        effort_points=points,
        priority_index=priority_index(value=value, effort_points=points),
    )


def gate_route(
    *, gates: Mapping[str, Iterable[str]], kind: str, is_safety_concern: bool, is_regulatory: bool
) -> str | None:
    """The route a gate sends a request to, or None when no gate applies.

    A safety concern (the flag, or a kind listed under the fast-track gate) goes to the fast
    track; a regulatory flag or a kind listed under the mandatory gate goes to the mandatory
    route. Safety is checked first.
    """
    if is_safety_concern or kind in gates.get("fast_track", ()):
        return "fast_track"
    if is_regulatory or kind in gates.get("mandatory", ()):
        return "mandatory"
    return None


def rubric_problems(
    *,
    criteria: Any,
    gates: Any,
    effort_points: Any,
    kinds: Iterable[str],
) -> dict[str, list[str]]:
    """Field-named problems of a rubric edit (empty when it is valid)."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    if not isinstance(criteria, list) or not criteria:
        add("criteria", "Give at least one criterion.")
    else:
        seen: set[str] = set()
        total = 0
        weights_ok = True
        for position, criterion in enumerate(criteria, start=1):
            if not isinstance(criterion, Mapping):
                add("criteria", f"Criterion {position} must have a code, a label and a weight.")
                weights_ok = False
                continue
            code = str(criterion.get("code") or "").strip()
            name = f"Criterion {position}" + (f" ({code})" if code else "")
            if not code:
                add("criteria", f"{name} needs a code.")
            elif code in seen:
                add("criteria", f"{name}: the code {code!r} is used more than once.")
            seen.add(code)
            if not str(criterion.get("label") or "").strip():
                add("criteria", f"{name} needs a label.")
            weight = criterion.get("weight")
            if isinstance(weight, bool) or not isinstance(weight, int) or weight < 0:
                add("criteria", f"{name}: the weight must be a whole number of 0 or more.")
                weights_ok = False
            else:
                total += weight
        if weights_ok and total != 100:
            add("criteria", f"The weights must add up to 100 (they add up to {total}).")

    known_kinds = set(kinds)
    if not isinstance(gates, Mapping):
        add("gates", "Give the gates as fast_track and mandatory lists of request kinds.")
    else:
        for gate, listed in gates.items():
            if gate not in GATE_ROUTES:
                add("gates", f"{gate!r} is not a gate (use fast_track or mandatory).")
            elif not isinstance(listed, list | tuple) or not all(
                isinstance(kind, str) for kind in listed
            ):
                add("gates", f"The {gate} gate must list request kinds.")
            else:
                unknown = [kind for kind in listed if kind not in known_kinds]
                if unknown:
                    add("gates", f"The {gate} gate lists unknown kinds: {', '.join(unknown)}.")

    bands = list(EffortBand.values)
    if not isinstance(effort_points, Mapping) or set(effort_points) != set(bands):
        names = ", ".join(bands)
        add("effort_points", f"Give the effort points of every band, once each: {names}.")
    else:
        for band in bands:
            points = effort_points[band]
            if isinstance(points, bool) or not isinstance(points, int) or points < 1:
                add("effort_points", f"{band}: effort points must be a whole number of 1 or more.")
    return problems
