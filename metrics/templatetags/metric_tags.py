"""Template tags of the metric pages: Making Data Count's variation and assurance icons,
figures and rules in words. Load with `{% load metric_tags %}`."""

from typing import Any

from django import template

from metrics import spc
from metrics.charts import figure
from metrics.choices import Assurance, Direction, Variation
from metrics.models import ImportBatch
from metrics.services.imports import import_can_read

register = template.Library()

# Each category's words: the full text, the short label and the subtitle of its icon.
VARIATION_WORDS: dict[str, tuple[str, str, str]] = {
    Variation.COMMON_CAUSE: ("Common cause variation", "Common cause", "no special cause"),
    Variation.IMPROVEMENT: ("Special cause: improvement", "Improvement", "special cause"),
    Variation.CONCERN: ("Special cause: concern", "Concern", "special cause"),
    Variation.NEUTRAL: (
        "Special cause: neither better nor worse",
        "Neither",
        "special cause, no better direction",
    ),
}
VARIATION_NONE = ("Not classified yet", "Not classified", "no complete period yet")
ASSURANCE_WORDS: dict[str, tuple[str, str, str]] = {
    Assurance.PASS: (
        "Will consistently pass the target",
        "Will pass",
        "the target lies beyond the limits, on the good side",
    ),
    Assurance.FAIL: (
        "Will consistently fail the target",
        "Will fail",
        "the target lies beyond the limits, on the bad side",
    ),
    Assurance.HIT_AND_MISS: (
        "Hit and miss: the target lies within the limits",
        "Hit and miss",
        "the target lies within the limits",
    ),
}
ASSURANCE_NONE = (
    "No assurance: no target, limits or direction",
    "No assurance",
    "no target, limits or better direction",
)
ASSURANCE_LETTERS: dict[str, str] = {
    Assurance.PASS: "P",
    Assurance.FAIL: "F",
    Assurance.HIT_AND_MISS: "?",
}


def _icon(words: tuple[str, str, str], key: str, letter: str, size: str) -> dict[str, Any]:
    text, short, sub = words
    return {"key": key, "text": text, "short": short, "sub": sub, "letter": letter, "size": size}


def _variation_letter(variation: str, direction: str) -> str:
    """H or L: which way the special cause moved (high or low), as Making Data Count's icons
    show it; none for common cause or a metric without a better direction."""
    if variation not in {Variation.IMPROVEMENT, Variation.CONCERN}:
        return ""
    if direction == Direction.NONE:
        return ""
    higher_is_better = direction == Direction.HIGHER
    went_up = (variation == Variation.IMPROVEMENT) == higher_is_better
    return "H" if went_up else "L"


@register.inclusion_tag("metrics/partials/variation_icon.html")
def variation_icon(variation: str | None, direction: str = "", size: str = "") -> dict[str, Any]:
    """The variation icon of a latest point (nothing classified: a dash), with its words."""
    key = str(variation or "")
    letter = _variation_letter(key, str(direction))
    return _icon(VARIATION_WORDS.get(key, VARIATION_NONE), key, letter, size)


@register.inclusion_tag("metrics/partials/assurance_icon.html")
def assurance_icon(assurance: str | None, size: str = "") -> dict[str, Any]:
    """The assurance icon against the target (none: no target, limits or direction)."""
    key = str(assurance or "")
    letter = ASSURANCE_LETTERS.get(key, "")
    return _icon(ASSURANCE_WORDS.get(key, ASSURANCE_NONE), key, letter, size)


@register.filter(name="figure")
def figure_filter(value: Any) -> str:
    """A figure for reading: thousands separated, up to three decimals, no trailing zeros."""
    if value is None or value == "":
        return "—"
    return figure(float(value))


RULE_SHORT: dict[str, str] = {
    spc.Rule.BEYOND_LIMITS: "Outside the limits",
    spc.Rule.ASTRONOMICAL: "Astronomical point",
    spc.Rule.SHIFT: "Shift",
    spc.Rule.TREND: "Trend",
    spc.Rule.RUNS: "Too few or many runs",
    spc.Rule.LONGEST_RUN: "Long run",
    spc.Rule.CROSSINGS: "Too few crossings",
    spc.Rule.TWO_OF_THREE: "2 of 3 beyond 2σ",
    spc.Rule.FOUR_OF_FIVE: "4 of 5 beyond 1σ",
    spc.Rule.EIGHT_SIDE: "8 on one side",
    spc.Rule.SEVEN_SIDE: "7 on one side",
    spc.Rule.SEVEN_TREND: "7 rising or falling",
}


def _rule_and_side(signal: spc.Signal | dict[str, Any]) -> tuple[str, str | None]:
    if isinstance(signal, spc.Signal):
        return str(signal.rule), signal.side
    return str(signal.get("rule", "")), signal.get("side")


def _side_text(side: str | None) -> str:
    return {"up": " (high)", "down": " (low)"}.get(side or "", "")


@register.filter
def rule_label(signal: spc.Signal | dict[str, Any]) -> str:
    """A signal's rule in full words, with its side."""
    rule, side = _rule_and_side(signal)
    try:
        text = spc.RULE_LABELS[spc.Rule(rule)]
    except ValueError:
        text = rule
    return text + _side_text(side)


@register.filter
def rule_short(signal: spc.Signal | dict[str, Any]) -> str:
    """A signal's rule in a few words, with its side (for the data table)."""
    rule, side = _rule_and_side(signal)
    return RULE_SHORT.get(rule, rule.replace("_", " ")) + _side_text(side)


@register.filter
def percent(value: float | None) -> str:
    """A fraction as a whole percentage ("—" when there is none)."""
    if value is None:
        return "—"
    return f"{value * 100:.0f}%"


@register.filter
def meter_value(value: float | None) -> float:
    """A progress fraction clipped to 0–1 for a <meter>."""
    if value is None:
        return 0.0
    return max(0.0, min(1.0, float(value)))


@register.filter
def batch_readable(batch: ImportBatch, user: Any) -> bool:
    """Whether `user` may open the import batch's page (and read its file name)."""
    return import_can_read(user=user, batch=batch)
