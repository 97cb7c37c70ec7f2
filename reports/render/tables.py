"""The report's sections as tables (a title, a header row and rows) for the XLSX workbook and
the CSV bundle. Figures become Decimals (written as numbers), texts stay texts (escaped by the
export helper), and each row ends with its sources' labels."""

import decimal
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

Table = tuple[str, list[str], list[list[Any]]]


def number(value: Any) -> decimal.Decimal | int | None:
    """A payload figure as a number: ints stay ints, decimal strings become Decimals."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return decimal.Decimal(str(value))
    except decimal.InvalidOperation:
        return None


def labels(refs: Iterable[Mapping[str, Any]] | None) -> str:
    """A figure's sources as their labels, "; " between."""
    return "; ".join(str(ref.get("label", "")) for ref in refs or [])


def _get(mapping: Mapping[str, Any] | None, key: str) -> Any:
    return (mapping or {}).get(key)


HEADLINE = (
    ("hard_savings", "Hard savings", "currency"),
    ("cost_avoidance", "Cost avoidance (attributed)", "currency"),
    ("harms_avoided", "Harms avoided", "events"),
    ("time_value", "Clinician time value (not in ROI)", "currency"),
    ("costs", "Costs", "currency"),
    ("roi", "ROI", "ratio"),
)


def headline_table(payload: Mapping[str, Any]) -> Table:
    """The six headline figures (rows 2–7), then the lines behind each."""
    header = [
        "Figure",
        "Line",
        "Value",
        "Unit",
        "Gross",
        "Attributed",
        "Attribution %",
        "Unit cost",
        "Unit-cost source",
        "Formula",
        "Sources",
    ]
    headline = payload.get("headline") or {}
    currency = str(payload.get("currency", ""))
    rows: list[list[Any]] = []
    for key, title, unit in HEADLINE:
        item = headline.get(key) or {}
        rows.append(
            [
                title,
                None,
                number(item.get("value")),
                currency if unit == "currency" else unit,
                number(item.get("gross")),
                number(item.get("attributed")),
                None,
                None,
                None,
                item.get("formula", ""),
                labels(item.get("sources")),
            ]
        )
    for key, title, unit in HEADLINE:
        for line in (headline.get(key) or {}).get("items") or []:
            amount = next(
                (line[k] for k in ("attributed", "amount", "value") if line.get(k) is not None),
                None,
            )
            rows.append(
                [
                    title,
                    line.get("metric") or line.get("description") or line.get("label") or "",
                    number(amount),
                    currency if unit == "currency" else unit,
                    number(line.get("avoided")),
                    number(line.get("attributed")),
                    number(line.get("attribution")),
                    number(line.get("unit_cost")),
                    line.get("unit_cost_source", ""),
                    "Incomplete month" if line.get("incomplete") else "",
                    labels(line.get("sources")),
                ]
            )
    return ("Headline", header, rows)


def scorecard_table(payload: Mapping[str, Any]) -> Table:
    header = [
        "Value category",
        "Metric",
        "Name",
        "Unit",
        "Better direction",
        "Latest",
        "Latest period end",
        "Target",
        "Target due",
        "Progress",
        "Variation",
        "Assurance",
        "Centre",
        "Lower limit",
        "Upper limit",
        "Data through",
        "Incomplete month",
        "Sources",
    ]
    rows = []
    for row in payload.get("scorecard") or []:
        metric = row.get("metric") or {}
        spark = row.get("sparkline") or {}
        refs = [
            *(row.get("sources") or []),
            *(_get(row.get("latest"), "sources") or []),
            *(_get(row.get("target"), "sources") or []),
            *(_get(row.get("progress"), "sources") or []),
        ]
        rows.append(
            [
                metric.get("value_category", ""),
                metric.get("code", ""),
                metric.get("name", ""),
                metric.get("unit", ""),
                metric.get("direction", ""),
                number(_get(row.get("latest"), "value")),
                _get(row.get("latest"), "period_end"),
                number(_get(row.get("target"), "value")),
                _get(row.get("target"), "due"),
                number(_get(row.get("progress"), "value")),
                row.get("variation") or "",
                row.get("assurance") or "",
                number(spark.get("centre")),
                number(spark.get("lcl")),
                number(spark.get("ucl")),
                row.get("data_through"),
                bool(row.get("incomplete")),
                labels(refs),
            ]
        )
    return ("Scorecard", header, rows)


def portfolio_table(payload: Mapping[str, Any]) -> Table:
    header = ["Priority", "Row", "Item", "Count", "Locked forecast", "Realised", "Sources"]
    rows: list[list[Any]] = []
    for group in payload.get("portfolio") or []:
        priority = _get(group.get("priority"), "name") or "No priority"
        group_sources = labels(group.get("sources"))
        for stage, count in (group.get("stages") or {}).items():
            rows.append([priority, "Stage", stage, number(count), None, None, group_sources])
        for colour, count in (group.get("health") or {}).items():
            rows.append([priority, "Health", colour, number(count), None, None, group_sources])
        for benefit in group.get("benefits") or []:
            rows.append(
                [
                    priority,
                    "Benefit",
                    benefit.get("description", ""),
                    None,
                    number(benefit.get("locked_target")),
                    number(benefit.get("realised")),
                    labels(benefit.get("sources")),
                ]
            )
    return ("Portfolio", header, rows)


def pipeline_table(payload: Mapping[str, Any]) -> Table:
    header = ["Measure", "Value", "Median", "90th percentile", "Sources"]
    pipeline = payload.get("pipeline") or {}
    rows: list[list[Any]] = []
    for key, title in (
        ("received", "Requests received"),
        ("decided", "Requests decided"),
        ("delivered", "Requests delivered"),
        ("within_sla", "Share decided within SLA"),
    ):
        figure = pipeline.get(key) or {}
        rows.append([title, number(figure.get("value")), None, None, labels(figure.get("sources"))])
    for key, title in (
        ("days_to_decision", "Days to decision"),
        ("days_to_delivery", "Days to delivery"),
    ):
        figure = pipeline.get(key) or {}
        rows.append(
            [
                title,
                None,
                number(figure.get("median")),
                number(figure.get("p90")),
                labels(figure.get("sources")),
            ]
        )
    for theme in pipeline.get("themes") or []:
        rows.append(
            [
                f"Theme: {theme.get('theme', '')}",
                number(theme.get("count")),
                None,
                None,
                labels(theme.get("sources")),
            ]
        )
    return ("Pipeline", header, rows)


def decisions_table(payload: Mapping[str, Any]) -> Table:
    header = ["Status", "Outcome", "Subject", "Decided at", "Rationale or why", "Sources"]
    decisions = payload.get("decisions") or {}
    rows: list[list[Any]] = []
    for taken in decisions.get("taken") or []:
        rows.append(
            [
                "Taken",
                taken.get("outcome", ""),
                taken.get("subject", ""),
                taken.get("decided_at"),
                taken.get("rationale", ""),
                labels(taken.get("sources")),
            ]
        )
    for needed in decisions.get("needed") or []:
        rows.append(
            [
                "Needed",
                "",
                needed.get("subject", ""),
                None,
                needed.get("why", ""),
                labels(needed.get("sources")),
            ]
        )
    return ("Decisions", header, rows)


def appendix_table(payload: Mapping[str, Any]) -> Table:
    header = ["Row", "Metric", "Name or label", "Definition source", "Version", "Date", "Sources"]
    appendix = payload.get("appendix") or {}
    through = appendix.get("data_through") or {}
    rows: list[list[Any]] = []
    for metric in appendix.get("metrics") or []:
        rows.append(
            [
                f"Definition ({metric.get('chart_type', '')} chart)",
                metric.get("code", ""),
                metric.get("name", ""),
                metric.get("definition_source", ""),
                metric.get("definition_version", ""),
                through.get(metric.get("code", "")),
                labels(metric.get("sources")),
            ]
        )
    for rebase in appendix.get("rebases") or []:
        rows.append(
            [
                "Rebase",
                rebase.get("metric", ""),
                rebase.get("label", ""),
                "",
                "",
                rebase.get("date"),
                labels(rebase.get("sources")),
            ]
        )
    rows.append(["Rule preset", "", appendix.get("rule_preset", ""), "", "", None, ""])
    return ("Appendix", header, rows)


def report_tables(payload: Mapping[str, Any]) -> Sequence[Table]:
    """The six sections, in the report's order."""
    return [
        headline_table(payload),
        scorecard_table(payload),
        portfolio_table(payload),
        pipeline_table(payload),
        decisions_table(payload),
        appendix_table(payload),
    ]
