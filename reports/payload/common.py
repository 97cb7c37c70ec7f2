"""What the payload's sections share: the bounds they keep (sources, rows, themes), the health
words, and numbers and references as the payload writes them."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from initiatives.choices import Health

SCHEMA = 1
SPARKLINE_POINTS = 12
# Bounds on what one report lists, so a build's cost never grows with the whole history.
MAX_SOURCES = 20
MAX_ROWS = 200
MAX_THEMES = 5
HEALTH_KEYS = {Health.ON_TRACK: "green", Health.AT_RISK: "amber", Health.OFF_TRACK: "red"}
HEALTH_RANK = {Health.ON_TRACK: 0, Health.AT_RISK: 1, Health.OFF_TRACK: 2}

Ref = dict[str, Any]


def number(value: float | Decimal | None, places: str = "0.01") -> str | None:
    if value is None:
        return None
    return str(Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP))


def ref(kind: str, pk: int, label: str) -> Ref:
    return {"kind": kind, "id": pk, "label": label[:200]}


def refs(kind: str, rows: list[tuple[int, str]], *, empty: str) -> list[Ref]:
    """Up to MAX_SOURCES refs of `kind`; when there is no row, one ref to the list the figure
    counts (kind "<kind>_list", id 0), saying there was none, so that every figure still names
    a source a reader can open."""
    refs = [ref(kind, pk, label) for pk, label in rows[:MAX_SOURCES]]
    return refs or [ref(f"{kind}_list", 0, empty)]
