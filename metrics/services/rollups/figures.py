"""A series' figures: each facility's summed measurements per period (a parent's from its
children's), the target in force, rebase points, and the fingerprint that says whether a stored
series is still current."""

import datetime
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import NamedTuple

from metrics import spc
from metrics.models import Metric, Target
from metrics.targets import applicable_target

# Part of every fingerprint: bump it when the way series are computed changes, so the next
# refresh rewrites every series once.
ROLLUP_VERSION = 2
# Charts whose parent figure is the sum of the children's values.
SUMMED_VALUE_CHARTS = frozenset({spc.ChartType.C, spc.ChartType.CUMULATIVE})


class Figure(NamedTuple):
    """One period's aggregate at one facility, as stored (Decimal, exact). A named tuple:
    a roll-up makes one per measurement and per summed period, and a tuple is the cheapest
    immutable record to make."""

    period_start: datetime.date
    period_end: datetime.date
    value: Decimal
    numerator: Decimal | None
    denominator: Decimal | None


def facility_figures(
    own: dict[int, dict[datetime.date, Figure]],
    *,
    parents: dict[int, int | None],
    chart: spc.ChartType,
    multiplier: Decimal,
) -> dict[int, dict[datetime.date, Figure]]:
    """The figures of every facility with measurements and of every ancestor: its own
    measurement for a period when it has one, else its children's figures summed (see the
    module docstring). Computed bottom-up, so a hospital's units feed the hospital, and the
    hospitals the system."""
    involved: set[int] = set()
    for facility_id in own:
        current: int | None = facility_id
        while current is not None and current not in involved:
            involved.add(current)
            current = parents.get(current)
    children: dict[int, list[int]] = defaultdict(list)
    for facility_id in involved:
        parent = parents.get(facility_id)
        if parent is not None:
            children[parent].append(facility_id)

    def depth(facility_id: int) -> int:
        steps, current = 0, parents.get(facility_id)
        while current is not None:
            steps, current = steps + 1, parents.get(current)
        return steps

    figures: dict[int, dict[datetime.date, Figure]] = {}
    for facility_id in sorted(involved, key=lambda pk: (-depth(pk), pk)):
        by_period: dict[datetime.date, list[Figure]] = defaultdict(list)
        for child in children.get(facility_id, ()):
            for start, figure in figures[child].items():
                by_period[start].append(figure)
        mine = dict(own.get(facility_id, {}))
        for start, parts in by_period.items():
            if start not in mine:
                summed = _sum(parts, chart=chart, multiplier=multiplier)
                if summed is not None:
                    mine[start] = summed
        figures[facility_id] = mine
    return figures


def _sum(parts: Sequence[Figure], *, chart: spc.ChartType, multiplier: Decimal) -> Figure | None:
    start = parts[0].period_start
    end = parts[0].period_end
    value = numerator = denominator = Decimal(0)
    summed = chart in SUMMED_VALUE_CHARTS
    has_ratio = True
    for part in parts:  # one pass: a roll-up sums every period of every parent facility
        if part.period_end > end:
            end = part.period_end
        if summed:
            value += part.value
        if part.numerator is None or part.denominator is None:
            has_ratio = False
        elif has_ratio:
            numerator += part.numerator
            denominator += part.denominator
    if summed:
        return Figure(
            start, end, value, numerator if has_ratio else None, denominator if has_ratio else None
        )
    if not has_ratio or denominator <= 0:
        return None
    return Figure(start, end, numerator / denominator * multiplier, numerator, denominator)


def target_value(
    targets: list[Target], *, facility_id: int, today: datetime.date
) -> Decimal | None:
    target = applicable_target(targets, facility_id=facility_id, today=today)
    return target.value if target is not None else None


def rebase_indices(starts: Sequence[datetime.date], dates: Iterable[datetime.date]) -> list[int]:
    """The index of the first period starting on or after each rebase date (a rebase before
    the first period or after the last starts nothing)."""
    indices: set[int] = set()
    for day in dates:
        index = next((i for i, start in enumerate(starts) if start >= day), None)
        if index is not None and 0 < index < len(starts):
            indices.add(index)
    return sorted(indices)


def _number(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def metric_payload(metric: Metric) -> str:
    """The part of every fingerprint that describes how the metric is charted."""
    payload = {
        "version": ROLLUP_VERSION,
        "chart": metric.chart_type,
        "preset": metric.rule_preset,
        "direction": metric.direction,
        "multiplier": _number(metric.multiplier),
        "baseline_points": metric.baseline_points,
        "screen_outliers": metric.screen_outliers,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"))


def series_fingerprint(
    metric: Metric | str,
    *,
    figures: Sequence[Figure],
    complete: Sequence[bool],
    rebase_at: Sequence[int],
    target: Decimal | None,
) -> str:
    """sha256 of every input of a series: how the metric is charted (`metric`, or its
    `metric_payload`), every figure with its completeness, the rebases and the target.
    Figures are written as read (dates as day numbers, numbers as `str` gives them): a stored
    number keeps its column's scale, so equal inputs always give equal text."""
    head = metric if isinstance(metric, str) else metric_payload(metric)
    digest = hashlib.sha256(head.encode())
    lines = [
        f"{f.period_start.toordinal()}|{f.period_end.toordinal()}|{f.value!s}|{f.numerator!s}"
        f"|{f.denominator!s}|{done:d}"
        for f, done in zip(figures, complete, strict=True)
    ]
    lines.append(f"rebase:{','.join(map(str, rebase_at))}|target:{_number(target)}")
    digest.update("\n".join(lines).encode())
    return digest.hexdigest()


def as_float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
