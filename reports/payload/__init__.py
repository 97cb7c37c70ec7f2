"""The payload of a month's value report: every figure shown, as JSON, each with references to
its sources (the contract of issue 13). Built from the metrics roll-ups (RollupSeries and
RollupPoint of the system facility) and the other apps' records through bounded SQL
aggregates, never from raw measurements. The same data gives the same payload, byte for byte:
nothing in it depends on when it is built.

The sections are built in `scorecard`, `portfolio` and `pipeline`; here they are put together.
"""

import calendar
import datetime
import hashlib
import json
import zoneinfo
from typing import Any

from informatics.models import StrategicPriority
from informatics.services import site_settings_get
from metrics.value import value_headline
from reports.payload.common import SCHEMA
from reports.payload.pipeline import decisions_section, pipeline_section
from reports.payload.portfolio import portfolio_section
from reports.payload.scorecard import scorecard_section


def payload_hash(payload: dict[str, Any]) -> str:
    """sha256 of the payload's canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    start = month.replace(day=1)
    return start, start.replace(day=calendar.monthrange(start.year, start.month)[1])


def build_payload(*, month: datetime.date, priority_id: int | None) -> dict[str, Any]:
    """The payload of `month` (its first day) for the organisation (priority None) or one
    strategic priority."""
    site = site_settings_get()
    start, end = month_bounds(month)
    zone = zoneinfo.ZoneInfo(site.time_zone)
    window = (
        datetime.datetime.combine(start, datetime.time(), tzinfo=zone),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(), tzinfo=zone),
    )
    priority = (
        StrategicPriority.objects.only("pk", "title").get(pk=priority_id)
        if priority_id is not None
        else None
    )
    scorecard, appendix = scorecard_section(end=end, priority_id=priority_id)
    return {
        "schema": SCHEMA,
        "organisation": site.organisation_name,
        "currency": site.currency,
        "period": {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "label": f"{calendar.month_name[start.month]} {start.year}",
        },
        "scope": {
            "priority": None if priority is None else {"id": priority.pk, "name": priority.title}
        },
        "headline": value_headline(month=start, priority_id=priority_id),
        "scorecard": scorecard,
        "portfolio": portfolio_section(priority_id=priority_id),
        "pipeline": pipeline_section(
            window=window, sla_hours=site.sla_hours, priority_id=priority_id
        ),
        "decisions": decisions_section(window=window, priority_id=priority_id),
        "appendix": appendix,
    }
