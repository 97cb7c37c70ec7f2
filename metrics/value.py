"""The value headline of a month's report (placeholder: the value arithmetic replaces it)."""

import datetime
from typing import Any


def value_headline(*, month: datetime.date, priority_id: int | None = None) -> dict[str, Any]:
    """The report's headline figures (DOMAIN.md §2). Placeholder: zeros, one source each."""
    source = [{"kind": "metric", "id": 0, "label": "value inputs"}]
    names = ("hard_savings", "cost_avoidance", "harms_avoided", "time_value", "costs")
    headline: dict[str, Any] = {
        name: {"value": "0.00", "formula": "", "sources": list(source), "items": []}
        for name in names
    }
    headline["roi"] = {"value": None, "formula": "", "sources": list(source)}
    return headline
