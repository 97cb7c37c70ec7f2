"""The value arithmetic of the monthly report (DOMAIN.md §2): the headline figures of one month
— hard savings, cost avoidance, harms avoided, clinician time value, costs and ROI — each with
its formula, its numbers and its sources.

Per metric with a value basis, from the month's point of its system roll-up series:
change = baseline − current (lower is better) or current − baseline (higher is better);
events avoided (or minutes reclaimed) = change ÷ the metric's multiplier × exposure (the
point's denominator); avoided = events × unit cost; per attribution link, attributed =
avoided × share ÷ 100. A month whose point is missing or incomplete is listed as incomplete
and counted nowhere. Hard savings and costs are the initiatives' financial entries of the
month. ROI = (hard savings + attributed cost avoidance − costs) ÷ costs; time value is shown
beside it, never inside it. Scoped to a priority, only the links and entries of initiatives
aligned to it count.

Events are rounded to 0.01 before they are multiplied, and money to 0.01 at each step, so
every formula shown multiplies out exactly.

Amounts in formulas read in the organisation's currency (SiteSettings). Queries, whatever the
number of metrics and links: the site settings (unless cached), the system facility, the value
bases with their metrics, their links with initiatives, the month's roll-up points with their
series, the import batches that fed the month, the month's financial entries (and, scoped, the
priority's name).
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Prefetch, Q

from informatics.choices import ValueCategory
from informatics.formatting import currency_sign
from informatics.models import StrategicPriority
from informatics.services import site_settings_get
from initiatives.choices import FinancialKind
from initiatives.models import FinancialEntry
from metrics.choices import Direction, MetricFrequency, ValueKind
from metrics.models import FIGURE_PLACES, Measurement, MetricInitiative, RollupPoint, ValueBasis
from metrics.periods import period_containing
from metrics.selectors import system_facility

CENT = Decimal("0.01")
ROI_PLACES = Decimal("0.0001")
FIGURE = Decimal(1).scaleb(-FIGURE_PLACES)
HUNDRED = Decimal(100)
ROI_FORMULA = "(hard savings + attributed cost avoidance − costs) ÷ costs"

Ref = dict[str, Any]


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _plain(value: Decimal) -> str:
    """A count or multiplier as written: 1000, 10000, 0.5."""
    return f"{value.normalize():f}"


def _rate(value: Decimal) -> str:
    """A rate with at least one decimal: 2.0, 1.5, 0.125."""
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -1:
        normal = normal.quantize(Decimal("0.1"))
    return f"{normal:f}"


def _roi_text(value: Decimal) -> str:
    """The ROI fraction with 2 to 4 decimals: 0.65, 0.6523, 1.00."""
    text = f"{value:f}"
    while text.endswith("0") and len(text.split(".")[1]) > 2:
        text = text[:-1]
    return text


def _money_text(currency: str) -> Callable[[Decimal], str]:
    """How an amount of the organisation's `currency` reads in a formula: $46,000.00, or
    CHF 46,000.00 for a currency without a symbol here."""
    symbol = currency_sign(currency)

    def text(value: Decimal) -> str:
        sign = "−" if value < 0 else ""
        return f"{sign}{symbol}{abs(value):,.2f}"

    return text


def _decimal(value: float) -> Decimal:
    """A roll-up figure (a float) as a Decimal with the places a measurement keeps, so the
    formula shows the figure the arithmetic used."""
    return Decimal(repr(value)).quantize(FIGURE, rounding=ROUND_HALF_UP)


def _dedup(refs: Iterable[Ref]) -> list[Ref]:
    seen: set[tuple[str, int]] = set()
    kept = []
    for ref in refs:
        key = (ref["kind"], ref["id"])
        if key not in seen:
            seen.add(key)
            kept.append(ref)
    return kept


@dataclass
class _Valued:
    """One metric's figures for the month (None when its point is missing or incomplete)."""

    basis: ValueBasis
    links: list[MetricInitiative]
    sources: list[Ref]
    current: Decimal | None = None
    exposure: Decimal | None = None
    events: Decimal | None = None
    avoided: Decimal | None = None
    items: list[dict[str, Any]] = field(default_factory=list)

    @property
    def counted(self) -> bool:
        return self.events is not None


def _events(basis: ValueBasis, current: Decimal, exposure: Decimal) -> Decimal:
    metric = basis.metric
    change = (
        current - basis.baseline
        if metric.direction == Direction.HIGHER
        else basis.baseline - current
    )
    return _money(change / metric.multiplier * exposure)


def _item(
    valued: _Valued, link: MetricInitiative | None, _currency: Callable[[Decimal], str]
) -> dict[str, Any]:
    """One line of a figure: a metric's valuation and, per attribution link, its share."""
    basis, metric = valued.basis, valued.basis.metric
    share = link.share if link is not None else Decimal(0)
    time = basis.kind == ValueKind.TIME_VALUE
    attributed = _money(valued.avoided * share / HUNDRED) if valued.avoided is not None else None
    sources = list(valued.sources)
    if link is not None:
        sources.append(
            {"kind": "initiative", "id": link.initiative_id, "label": link.initiative.title}
        )
    what = "minutes reclaimed" if time else "events avoided"
    current, exposure, events, avoided = (
        valued.current,
        valued.exposure,
        valued.events,
        valued.avoided,
    )
    if current is not None and exposure is not None and events is not None and avoided is not None:
        first, second = (
            (_rate(current), _rate(basis.baseline))
            if metric.direction == Direction.HIGHER
            else (_rate(basis.baseline), _rate(current))
        )
        per = " a minute" if time else " each"
        formula = (
            f"({first} − {second}) ÷ {_plain(metric.multiplier)} × {_plain(exposure)} "
            f"{basis.exposure_label} = {events:f} {what}; × "
            f"{_currency(basis.unit_cost)}{per} = {_currency(avoided)}; × "
            f"{share:f}% attributed = {_currency(attributed or Decimal(0))}"
        )
    else:
        formula = f"{metric.code} has no complete figure for the month: not counted."
    return {
        "metric": metric.code,
        "metric_id": metric.pk,
        "initiative_id": link.initiative_id if link is not None else None,
        "baseline": _rate(basis.baseline),
        "baseline_source": basis.baseline_source,
        "current": _rate(valued.current) if valued.current is not None else None,
        "multiplier": _plain(metric.multiplier),
        "exposure": _plain(valued.exposure) if valued.exposure is not None else None,
        "exposure_label": basis.exposure_label,
        "events_avoided": f"{valued.events:f}" if valued.events is not None else None,
        "unit": "minutes" if time else "events",
        "unit_cost": f"{basis.unit_cost:f}",
        "unit_cost_source": basis.unit_cost_source,
        "attribution": f"{share:f}",
        "avoided": f"{valued.avoided:f}" if valued.avoided is not None else None,
        "attributed": f"{attributed:f}" if attributed is not None else None,
        "incomplete": not valued.counted,
        "formula": formula,
        "sources": _dedup(sources),
    }


def _valued_metrics(
    *, month: datetime.date, priority_id: int | None, currency: Callable[[Decimal], str]
) -> list[_Valued]:
    """Each active metric with a value basis (scoped: linked to an initiative aligned to the
    priority), valued on its system roll-up point of `month`."""
    links = MetricInitiative.objects.select_related("initiative").order_by(
        "-share", "initiative_id"
    )
    bases = ValueBasis.objects.filter(metric__is_active=True)
    if priority_id is not None:
        aligned = Q(initiative__alignments__priority_id=priority_id)
        links = links.filter(aligned)
        bases = bases.filter(metric__links__in=MetricInitiative.objects.filter(aligned)).distinct()
    rows = list(
        bases.select_related("metric")
        .prefetch_related(Prefetch("metric__links", queryset=links, to_attr="value_links"))
        .order_by("metric__code", "metric_id")
    )
    system = system_facility()
    metric_ids = [basis.metric_id for basis in rows]
    points: dict[int, RollupPoint] = {}
    batches: dict[int, list[Ref]] = defaultdict(list)
    if system is not None and metric_ids:
        points = {
            point.series.metric_id: point
            for point in RollupPoint.objects.filter(
                series__facility=system, series__metric_id__in=metric_ids, period_start=month
            ).select_related("series")
        }
        # The import batches whose measurements fed the month: distinct per metric, so the
        # rows are bounded by metrics × batches, never by measurements.
        fed = (
            Measurement.objects.filter(
                metric_id__in=metric_ids,
                period_start__gte=month,
                period_start__lte=period_containing(MetricFrequency.MONTHLY, month)[1],
                batch__isnull=False,
            )
            .values_list("metric_id", "batch_id", "batch__filename")
            .order_by("metric_id", "batch_id")
            .distinct()
        )
        for metric_id, batch_id, filename in fed:
            batches[metric_id].append(
                {"kind": "import_batch", "id": batch_id, "label": f"Import #{batch_id} {filename}"}
            )
    valued = []
    for basis in rows:
        metric = basis.metric
        point = points.get(metric.pk)
        sources: list[Ref] = [{"kind": "metric", "id": metric.pk, "label": str(metric)}]
        if point is not None:
            sources.append(
                {
                    "kind": "series",
                    "id": point.series_id,
                    "label": f"{metric.code} system roll-up, {month:%B %Y}",
                }
            )
        sources.extend(batches.get(metric.pk, []))
        one = _Valued(basis=basis, links=list(getattr(metric, "value_links", [])), sources=sources)
        if point is not None and point.complete and point.denominator:
            one.current = _decimal(point.value)
            one.exposure = _decimal(point.denominator)
            one.events = _events(basis, one.current, one.exposure)
            one.avoided = _money(one.events * basis.unit_cost)
        one.items = [_item(one, link, currency) for link in one.links] or [
            _item(one, None, currency)
        ]
        valued.append(one)
    return valued


def _entries(*, month: datetime.date, priority_id: int | None) -> list[FinancialEntry]:
    rows = FinancialEntry.objects.filter(month=month).select_related("initiative")
    if priority_id is not None:
        rows = rows.filter(initiative__alignments__priority_id=priority_id).distinct()
    return list(rows.order_by("kind", "initiative_id", "id"))


def _entry_item(entry: FinancialEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "initiative_id": entry.initiative_id,
        "month": entry.month.isoformat(),
        "kind": entry.kind,
        "amount": f"{entry.amount:f}",
        "source": entry.source,
        "sources": [
            {
                "kind": "financial_entry",
                "id": entry.pk,
                "label": f"{entry.get_kind_display()}, {entry.month:%B %Y}: {entry.source}",
            },
            {"kind": "initiative", "id": entry.initiative_id, "label": entry.initiative.title},
        ],
    }


def _sum(values: Iterable[Decimal]) -> Decimal:
    return _money(sum(values, Decimal(0)))


def value_headline(*, month: datetime.date, priority_id: int | None = None) -> dict[str, Any]:
    """The headline of the value report for `month` (its first day), for the whole
    organisation or (`priority_id`) the initiatives aligned to one priority: the "headline"
    of the report payload (issue 13's contract: hard_savings, cost_avoidance, harms_avoided,
    time_value, costs, roi), every figure with its value (a Decimal as a string), formula and
    sources."""
    label = f"{month:%B %Y}"
    _currency = _money_text(site_settings_get().currency)
    valued = _valued_metrics(month=month, priority_id=priority_id, currency=_currency)
    entries = _entries(month=month, priority_id=priority_id)
    fallback: list[Ref] = [
        {"kind": "metric", "id": v.basis.metric_id, "label": str(v.basis.metric)} for v in valued
    ]
    if priority_id is not None:
        title = (
            StrategicPriority.objects.filter(pk=priority_id).values_list("title", flat=True).first()
        )
        fallback.insert(0, {"kind": "priority", "id": priority_id, "label": title or ""})
    if not fallback:  # nothing valued yet: the catalogue, where a metric is given its value
        fallback = [{"kind": "metric_list", "id": 0, "label": "no metric is valued yet"}]

    def sources(refs: Iterable[Ref]) -> list[Ref]:
        return _dedup(refs) or _dedup(fallback)

    # Cost avoidance and harms avoided.
    avoidance = [v for v in valued if v.basis.kind == ValueKind.COST_AVOIDANCE]
    avoidance_items = [item for v in avoidance for item in v.items]
    counted = [v for v in avoidance if v.counted]
    attributed = _sum(
        Decimal(item["attributed"]) for item in avoidance_items if not item["incomplete"]
    )
    gross = _sum(v.avoided or Decimal(0) for v in counted)
    links_counted = sum(len(v.links) for v in counted)
    cost_avoidance: dict[str, Any] = {
        "value": f"{attributed:f}",
        "gross": f"{gross:f}",
        "formula": (
            f"Events avoided × unit cost, for {len(counted)} metric(s) with a complete "
            f"{label}: {_currency(gross)} avoided; × each initiative's attribution share "
            f"({links_counted} link(s)) = {_currency(attributed)} attributed cost avoidance."
        ),
        "sources": sources(s for item in avoidance_items for s in item["sources"]),
        "items": avoidance_items,
    }
    harms = [v for v in counted if v.basis.metric.value_category == ValueCategory.SAFETY_QUALITY]
    harms_value = _sum(v.events or Decimal(0) for v in harms)
    harms_attributed = _sum(
        (v.events or Decimal(0)) * link.share / HUNDRED for v in harms for link in v.links
    )
    harms_avoided = {
        "value": f"{harms_value:f}",
        "attributed": f"{harms_attributed:f}",
        "formula": (
            f"Events avoided on {len(harms)} safety & quality metric(s) in {label}: "
            f"{harms_value:f}; × attribution shares = {harms_attributed:f} attributed."
        ),
        "sources": sources(s for v in harms for item in v.items for s in item["sources"]),
    }

    # Time value: beside the ROI, never in it.
    time = [v for v in valued if v.basis.kind == ValueKind.TIME_VALUE]
    time_items = [item for v in time for item in v.items]
    time_total = _sum(Decimal(item["attributed"]) for item in time_items if not item["incomplete"])
    time_value = {
        "value": f"{time_total:f}",
        "formula": (
            f"Minutes reclaimed × loaded cost per minute × attribution share, for "
            f"{sum(1 for v in time if v.counted)} metric(s) in {label}: {_currency(time_total)}"
            " — shown beside the ROI, not counted in it."
        ),
        "sources": sources(s for item in time_items for s in item["sources"]),
        "items": time_items,
    }

    # Hard savings and costs, as finance booked them.
    money: dict[str, dict[str, Any]] = {}
    for kind, noun in ((FinancialKind.HARD_SAVINGS, "hard-savings"), (FinancialKind.COST, "cost")):
        rows = [entry for entry in entries if entry.kind == kind]
        total = _sum(entry.amount for entry in rows)
        items = [_entry_item(entry) for entry in rows]
        money[kind] = {
            "value": f"{total:f}",
            "total": total,
            "formula": f"Σ of {len(rows)} {noun} entr{'y' if len(rows) == 1 else 'ies'} booked "
            f"for {label}: {_currency(total)}",
            "sources": sources(s for item in items for s in item["sources"]),
            "items": items,
        }
    savings = money[FinancialKind.HARD_SAVINGS].pop("total")
    costs = money[FinancialKind.COST].pop("total")

    roi: str | None = None
    roi_formula = f"{ROI_FORMULA}: no costs booked for {label}, so no ROI."
    if costs:
        roi = _roi_text(
            ((savings + attributed - costs) / costs).quantize(ROI_PLACES, rounding=ROUND_HALF_UP)
        )
        roi_formula = (
            f"{ROI_FORMULA} = ({_currency(savings)} + {_currency(attributed)} − "
            f"{_currency(costs)}) ÷ {_currency(costs)} = {roi}; time value "
            f"({_currency(time_total)}) is shown beside it, not counted in it."
        )
    roi_figure = {
        "value": roi,
        "formula": roi_formula,
        "sources": sources(
            [
                *money[FinancialKind.HARD_SAVINGS]["sources"],
                *cost_avoidance["sources"],
                *money[FinancialKind.COST]["sources"],
            ]
        ),
    }
    return {
        "hard_savings": money[FinancialKind.HARD_SAVINGS],
        "cost_avoidance": cost_avoidance,
        "harms_avoided": harms_avoided,
        "time_value": time_value,
        "costs": money[FinancialKind.COST],
        "roi": roi_figure,
    }
