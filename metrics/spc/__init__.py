"""Statistical process control (pure Python, no Django): limits, rules and classification.

The SPC engine of DOMAIN.md §3. ``compute_limits`` gives the centre line and control limits of
a run chart, an XmR chart, p, u and c charts and Laney's p′ and u′ charts, from a baseline that
can freeze after k points and with rebasing at recorded process changes. ``analyse`` adds the
rule presets (IHI, Anhøj, Western Electric, NHS Making Data Count), per-point signals, the
classification of the latest complete point, assurance against a target and progress, and
handles survey waves (confidence intervals) and cumulative charts (running totals).

A package of three modules, each importing only the ones before it, all pure Python:
``limits`` (centre lines and control limits), ``rules`` (the rule presets and the signals they
raise on a segment) and ``analysis`` (``analyse``: signals, classification, assurance and
progress; survey waves and cumulative charts). The names below are the engine's public face;
callers import them from here (``from metrics import spc``).
"""

from metrics.spc.analysis import (
    AnalysedPoint,
    Analysis,
    Assurance,
    Direction,
    Variation,
    analyse,
    net_score_interval,
    wilson_interval,
)
from metrics.spc.limits import (
    ATTRIBUTE_CHARTS,
    D2,
    MIN_POINTS_FOR_LIMITS,
    MIN_POINTS_FOR_RELIABLE_LIMITS,
    MR_UCL_FACTOR,
    PROPORTION_CHARTS,
    XMR_LIMIT_FACTOR,
    ChartType,
    LimitPoint,
    Point,
    compute_limits,
    moving_ranges,
    segment_bounds,
)
from metrics.spc.rules import (
    PRESET_RULES,
    RULE_LABELS,
    Rule,
    RulePreset,
    Signal,
    anhoj_crossings_limit,
    anhoj_longest_run_limit,
    runs_limits,
)

__all__ = [
    "ATTRIBUTE_CHARTS",
    "D2",
    "MIN_POINTS_FOR_LIMITS",
    "MIN_POINTS_FOR_RELIABLE_LIMITS",
    "MR_UCL_FACTOR",
    "PRESET_RULES",
    "PROPORTION_CHARTS",
    "RULE_LABELS",
    "XMR_LIMIT_FACTOR",
    "AnalysedPoint",
    "Analysis",
    "Assurance",
    "ChartType",
    "Direction",
    "LimitPoint",
    "Point",
    "Rule",
    "RulePreset",
    "Signal",
    "Variation",
    "analyse",
    "anhoj_crossings_limit",
    "anhoj_longest_run_limit",
    "compute_limits",
    "moving_ranges",
    "net_score_interval",
    "runs_limits",
    "segment_bounds",
    "wilson_interval",
]
