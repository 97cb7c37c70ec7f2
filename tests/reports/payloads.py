"""A realistic report payload, in the shape of the shared contract, with issue 13's known
answers: hard savings $50,000; cost avoidance $230,000 gross, $115,000 attributed (5 events
avoided at $46,000, 50% attribution); 5 harms avoided; $12,000 clinician time value;
costs $100,000; ROI 65%. `ids` names the objects the refs point at (defaults are arbitrary)."""

import copy
from collections.abc import Iterator, Mapping
from typing import Any


def ref(kind: str, id: int, label: str) -> dict[str, Any]:
    return {"kind": kind, "id": id, "label": label}


DEFAULT_IDS = {
    "metric_q2": 1,
    "metric_e1": 2,
    "metric_f3": 3,
    "series_q2": 11,
    "series_e1": 12,
    "series_f3": 13,
    "import_batch": 21,
    "initiative": 7,
    "benefit_line": 9,
    "financial_entry": 31,
    "request": 41,
    "decision": 5,
    "review": 51,
    "priority": 3,
}


def sample_payload(ids: Mapping[str, int] | None = None, **overrides: Any) -> dict[str, Any]:
    """The sample payload (a fresh copy each call); `overrides` replace top-level keys."""
    i = {**DEFAULT_IDS, **(ids or {})}
    q2 = ref("metric", i["metric_q2"], "Q2 CLABSI per 1,000 line-days")
    q2_series = ref("series", i["series_q2"], "Q2 system roll-up")
    batch = ref("import_batch", i["import_batch"], "Import #21 clabsi-nov.csv")
    initiative = ref("initiative", i["initiative"], "Central line bundle")
    line = ref("benefit_line", i["benefit_line"], "Benefit: fewer CLABSI")
    entry = ref("financial_entry", i["financial_entry"], "Supply contract saving")
    e1 = ref("metric", i["metric_e1"], "E1 Documentation minutes")
    e1_series = ref("series", i["series_e1"], "E1 system roll-up")
    f3 = ref("metric", i["metric_f3"], "F3 Avoidable readmissions")
    f3_series = ref("series", i["series_f3"], "F3 system roll-up")
    request = ref("request", i["request"], "Request #41 Sepsis alert fatigue")
    decision = ref("decision", i["decision"], "Decision #5 Approve central line bundle")
    review = ref("review", i["review"], "Steering review 12 Nov 2026")
    priority = ref("priority", i["priority"], "Safer care")

    cost_item = {
        "metric": "Q2",
        "initiative_id": i["initiative"],
        "baseline": "2.0",
        "current": "1.5",
        "multiplier": "1000",
        "exposure": "10000",
        "events_avoided": "5.00",
        "unit_cost": "46000.00",
        "unit_cost_source": "AHRQ 2017 CLABSI cost estimate",
        "attribution": "50.00",
        "avoided": "230000.00",
        "attributed": "115000.00",
        "incomplete": False,
        "sources": [q2_series, batch, initiative],
    }
    time_item = {
        "metric": "E1",
        "initiative_id": i["initiative"],
        "baseline": "10.0",
        "current": "6.0",
        "multiplier": "1",
        "exposure": "1000",
        "events_avoided": "4000.00",
        "unit_cost": "3.00",
        "unit_cost_source": "Finance: clinician minute $3",
        "attribution": "100.00",
        "avoided": "12000.00",
        "attributed": "12000.00",
        "incomplete": False,
        "sources": [e1_series, initiative],
    }

    def spark(values: list[str], centre: str, lcl: str, ucl: str) -> dict[str, Any]:
        months = ["2026-06-30", "2026-07-31", "2026-08-31", "2026-09-30", "2026-10-31"]
        months.append("2026-11-30")
        points = [{"period_end": m, "value": v} for m, v in zip(months, values, strict=True)]
        return {"points": points, "centre": centre, "lcl": lcl, "ucl": ucl}

    payload: dict[str, Any] = {
        "schema": 1,
        "organisation": "Riverside Health",
        "currency": "USD",
        "period": {"start": "2026-11-01", "end": "2026-11-30", "label": "November 2026"},
        "scope": {"priority": None},
        "headline": {
            "hard_savings": {
                "value": "50000.00",
                "formula": "sum of booked savings in the month",
                "sources": [entry],
                "items": [
                    {
                        "description": "Supply contract saving",
                        "amount": "50000.00",
                        "initiative_id": i["initiative"],
                        "sources": [entry],
                    }
                ],
            },
            "cost_avoidance": {
                "value": "115000.00",
                "gross": "230000.00",
                "formula": "(baseline − current) ÷ multiplier × exposure × unit cost × attribution",
                "sources": [q2_series, batch],
                "items": [cost_item],
            },
            "harms_avoided": {
                "value": "5.00",
                "attributed": "2.50",
                "formula": "(baseline − current) ÷ multiplier × exposure",
                "sources": [q2_series],
            },
            "time_value": {
                "value": "12000.00",
                "formula": "minutes saved per clinician-day × clinician-days × value of a minute",
                "sources": [e1_series],
                "items": [time_item],
            },
            "costs": {
                "value": "100000.00",
                "formula": "sum of initiative costs in the month",
                "sources": [initiative],
                "items": [
                    {
                        "description": "Bundle build and training",
                        "amount": "100000.00",
                        "initiative_id": i["initiative"],
                        "sources": [initiative],
                    }
                ],
            },
            "roi": {
                "value": "0.65",
                "formula": "(hard savings + attributed cost avoidance − costs) ÷ costs",
                "sources": [entry, q2_series, initiative],
            },
        },
        "scorecard": [
            {
                "metric": {
                    "code": "E1",
                    "name": "Documentation minutes per clinician-day",
                    "unit": "minutes",
                    "value_category": "engagement",
                    "direction": "lower",
                },
                "latest": {"value": "6.00", "period_end": "2026-11-30", "sources": [e1_series]},
                "target": None,
                "progress": None,
                "variation": "common_cause",
                "assurance": "",
                "data_through": "2026-11-30",
                "incomplete": False,
                "sparkline": spark(["9", "8.5", "7", "6.5", "6.2", "6"], "7.2", "4.9", "9.5"),
                "sources": [e1],
            },
            {
                "metric": {
                    "code": "Q2",
                    "name": "CLABSI per 1,000 line-days",
                    "unit": "per 1,000 line-days",
                    "value_category": "safety_quality",
                    "direction": "lower",
                },
                "latest": {"value": "1.50", "period_end": "2026-11-30", "sources": [q2_series]},
                "target": {"value": "1.20", "due": "2027-06-30", "sources": [q2]},
                "progress": {"value": "0.63", "sources": [q2_series]},
                "variation": "improvement",
                "assurance": "hit_and_miss",
                "data_through": "2026-11-30",
                "incomplete": False,
                "sparkline": spark(["2.1", "1.9", "2", "1.7", "1.6", "1.5"], "1.8", "0.9", "2.7"),
                "sources": [q2, batch],
            },
            {
                "metric": {
                    "code": "F3",
                    "name": "Avoidable readmissions",
                    "unit": "per 100 discharges",
                    "value_category": "safety_quality",
                    "direction": "lower",
                },
                "latest": {"value": "8.40", "period_end": "2026-11-30", "sources": [f3_series]},
                "target": {"value": "7.00", "due": "2027-03-31", "sources": [f3]},
                "progress": {"value": "0.25", "sources": [f3_series]},
                "variation": "concern",
                "assurance": "fail",
                "data_through": "2026-11-20",
                "incomplete": True,
                "sparkline": spark(["7.9", "8", "8.2", "7.8", "8.1", "8.4"], "8.0", "6.9", "9.1"),
                "sources": [f3],
            },
        ],
        "portfolio": [
            {
                "priority": {"id": i["priority"], "name": "Safer care"},
                "stages": {"approved": 2, "delivering": 1},
                "health": {"green": 1, "amber": 1, "red": 1, "none": 0},
                "benefits": [
                    {
                        "initiative_id": i["initiative"],
                        "line_id": i["benefit_line"],
                        "description": "Fewer CLABSI",
                        "locked_target": "1.20",
                        "realised": "1.50",
                        "sources": [line],
                    }
                ],
                "sources": [priority],
            },
            {
                "priority": None,
                "stages": {"proposed": 1},
                "health": {"green": 0, "amber": 0, "red": 0, "none": 1},
                "benefits": [],
                "sources": [initiative],
            },
        ],
        "pipeline": {
            "received": {"value": 12, "sources": [request]},
            "decided": {"value": 9, "sources": [decision]},
            "delivered": {"value": 4, "sources": [initiative]},
            "days_to_decision": {"median": "11.5", "p90": "26.0", "sources": [request]},
            "days_to_delivery": {"median": "48.0", "p90": "90.0", "sources": [initiative]},
            "within_sla": {"value": "0.83", "sources": [request]},
            "themes": [
                {"theme": "Alert fatigue", "count": 4, "sources": [request]},
                {"theme": "Documentation burden", "count": 3, "sources": [request]},
            ],
        },
        "decisions": {
            "taken": [
                {
                    "id": i["decision"],
                    "outcome": "approve",
                    "subject": "Central line bundle",
                    "decided_at": "2026-11-12T15:00:00+00:00",
                    "rationale": "Known CLABSI cost and a strong evidence base",
                    "sources": [decision, review],
                }
            ],
            "needed": [
                {
                    "subject": "Sepsis alert fatigue",
                    "why": "Waiting 40 days for a steering decision",
                    "sources": [request],
                }
            ],
        },
        "appendix": {
            "metrics": [
                {
                    "code": "E1",
                    "name": "Documentation minutes per clinician-day",
                    "definition_source": "Vendor EHR audit log",
                    "definition_version": "1",
                    "chart_type": "xmr",
                    "sources": [e1],
                },
                {
                    "code": "F3",
                    "name": "Avoidable readmissions",
                    "definition_source": "CMS HRRP",
                    "definition_version": "2",
                    "chart_type": "p",
                    "sources": [f3],
                },
                {
                    "code": "Q2",
                    "name": "CLABSI per 1,000 line-days",
                    "definition_source": "NHSN 2026",
                    "definition_version": "3",
                    "chart_type": "u",
                    "sources": [q2],
                },
            ],
            "rebases": [
                {
                    "metric": "Q2",
                    "date": "2026-03-01",
                    "label": "Bundle go-live",
                    "sources": [q2],
                }
            ],
            "rule_preset": "nhs_mdc",
            "data_through": {"E1": "2026-11-30", "F3": "2026-11-20", "Q2": "2026-11-30"},
        },
    }
    payload.update(copy.deepcopy(overrides))
    return payload


def source_refs(node: Any) -> Iterator[dict[str, Any]]:
    """Every source ref in a payload, walking each "sources" list once."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "sources":
                yield from value
            else:
                yield from source_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from source_refs(value)
