"""Template tags of the monthly value report: figures as money and percentages, and a figure's
sources as links (on the web page) or plain labels (in the PDF). Load with
`{% load report_tags %}`."""

import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from informatics.formatting import money_text
from metrics.charts import figure
from reports.sources import source_url

register = template.Library()

NONE = "—"


def _decimal(value: Any) -> decimal.Decimal | None:
    if value is None or value == "":
        return None
    try:
        return decimal.Decimal(str(value))
    except decimal.InvalidOperation:
        return None


@register.filter
def money(value: Any, currency: str = "USD") -> str:
    """An amount with its currency sign and thousands separators: whole units when there are
    no cents ("115000.00" → "$115,000"), else two decimals ("12.50" → "$12.50"); "—" for none."""
    return money_text(value, str(currency or "USD"))


@register.filter
def percent(value: Any) -> str:
    """A fraction as a percentage, to one decimal when it has one ("0.65" → "65%",
    "0.8333" → "83.3%"); "—" for none."""
    share = _decimal(value)
    if share is None:
        return NONE
    text = f"{share * 100:,.1f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


@register.filter
def number(value: Any) -> str:
    """A figure for reading: thousands separated, up to three decimals, no trailing zeros
    ("1.50" → "1.5", "5.00" → "5"); "—" for none."""
    amount = _decimal(value)
    if amount is None:
        return NONE
    return figure(float(amount))


def source_links(
    refs: Iterable[Mapping[str, Any]], urls: Mapping[tuple[str, int], str] | None = None
) -> SafeString:
    """Each ref as a link to its page: from `urls` (see `payload_source_urls`) when given,
    else through `source_url`; a ref whose URL there is "" (the reader may not open it) as its
    label only."""

    def url(ref: Mapping[str, Any]) -> str:
        known = (urls or {}).get((str(ref.get("kind", "")), int(ref["id"])))
        return known if known is not None else source_url(ref)

    def one(ref: Mapping[str, Any]) -> SafeString:
        href, label = url(ref), ref.get("label", "")
        if not href:
            return format_html('<span class="report-source">{}</span>', label)
        return format_html('<a class="report-source" href="{}">{}</a>', href, label)

    return SafeString(", ".join(one(ref) for ref in refs))


def source_labels(refs: Iterable[Mapping[str, Any]]) -> SafeString:
    """Each ref as its label only (the PDF: paper has no links)."""
    return format_html_join(
        "; ", '<span class="report-source">{}</span>', ((ref.get("label", ""),) for ref in refs)
    )


@register.simple_tag(takes_context=True)
def sources(context: template.Context, refs: Iterable[Mapping[str, Any]] | None) -> SafeString:
    """A figure's sources: links when the context's `links` is true (their URLs from the
    context's `source_urls` when the page computed them in one go), else plain labels."""
    refs = list(refs or [])
    if not refs:
        return SafeString("")
    if context.get("links"):
        inner = source_links(refs, context.get("source_urls"))
    else:
        inner = source_labels(refs)
    return format_html('<span class="report-sources">Sources: {}</span>', inner)


@register.filter
def category_label(value: Any) -> str:
    """A value category's name ("safety_quality" → "Safety & quality")."""
    from informatics.choices import ValueCategory

    try:
        return str(ValueCategory(str(value)).label)
    except ValueError:
        return str(value or "").replace("_", " ").capitalize()


@register.filter
def words(value: Any) -> str:
    """A code in words ("common_cause" → "Common cause")."""
    return str(value or "").replace("_", " ").capitalize()


@register.simple_tag
def sparkline(row: Mapping[str, Any]) -> SafeString:
    """A scorecard row's sparkline as inline SVG (rendered on the server, cached)."""
    from django.utils.safestring import mark_safe

    from reports.render.charts import sparkline_svg

    metric = row.get("metric") or {}
    description = f"{metric.get('code', '')} recent values with centre line and limits".strip()
    # vl-convert's own markup, drawn from the payload's numbers and this fixed description.
    return mark_safe(sparkline_svg(row.get("sparkline"), description=description))  # noqa: S308
