"""Reads of metrics, shaped for pages and the API: the catalogue with each metric's
system-level roll-up, one metric in full, a facility's stored series with its timeline marks
and target, the SPC analysis read from the stored roll-ups (or recomputed from their
aggregates under another rule preset), measurements, and what waits on whom.

Every read makes a fixed number of queries, whatever the number of metrics or points. The
reads are in `catalogue`, `series` and `page` (a metric's page in one read); callers import
them from here.
"""

from metrics.selectors.catalogue import (
    initiative_url,
    measurement_list,
    metric_detail,
    metric_list,
    metric_url,
    needs_me_for,
    needs_me_links,
    system_facility,
    system_rollup,
    value_basis_of,
)
from metrics.selectors.page import MetricPage, Source, TableRow, metric_page
from metrics.selectors.series import (
    GO_LIVE,
    MARK_KINDS,
    RULELESS_CHARTS,
    SeriesView,
    TimelineMark,
    series_view,
    spc_analysis,
    timeline_marks,
)

__all__ = [
    "GO_LIVE",
    "MARK_KINDS",
    "RULELESS_CHARTS",
    "MetricPage",
    "SeriesView",
    "Source",
    "TableRow",
    "TimelineMark",
    "initiative_url",
    "measurement_list",
    "metric_detail",
    "metric_list",
    "metric_page",
    "metric_url",
    "needs_me_for",
    "needs_me_links",
    "series_view",
    "spc_analysis",
    "system_facility",
    "system_rollup",
    "timeline_marks",
    "value_basis_of",
]
