"""The report body template and its tags: every source ref becomes a link that resolves (web),
or a plain label (PDF); sparklines are server SVG with centre line and limits, cached; money
and percentages read as executives expect; nothing the strict CSP would block."""

import re
from collections import Counter
from typing import Any

import pytest
import vl_convert
from django.template.loader import render_to_string
from django.urls import resolve

from reports.render.charts import sparkline_spec, sparkline_svg
from reports.sources import payload_source_urls
from reports.templatetags.report_tags import money, number, percent
from tests.governance.agenda_world import rollup
from tests.initiatives.factories import BenefitLineFactory, InitiativeFactory
from tests.metrics.factories import MetricFactory
from tests.reports.payloads import sample_payload, source_refs

HREF = re.compile(r'<a class="report-source" href="([^"]+)">')


def body(payload: dict[str, Any], *, links: bool) -> str:
    return render_to_string(
        "reports/partials/report_body.html", {"payload": payload, "links": links}
    )


@pytest.mark.django_db
def test_with_links_every_source_ref_renders_as_a_link_that_resolves() -> None:
    payload = sample_payload()
    refs = list(source_refs(payload))

    html = body(payload, links=True)

    hrefs = HREF.findall(html)
    assert len(refs) == 45
    assert len(hrefs) == len(refs)
    # Each href resolves (Resolver404 otherwise). No series or benefit line exists in this
    # database, and the sample's financial entries name no initiative: their list pages.
    assert Counter(resolve(href).view_name for href in hrefs) == {
        "metrics:metric-detail": 9,
        "metrics:metric-list": 11,
        "metrics:import-detail": 3,
        "initiatives:initiative-detail": 8,
        "initiatives:initiative-list": 4,
        "intake:request-detail": 6,
        "governance:decision-detail": 2,
        "governance:review-detail": 1,
        "informatics:priority-detail": 1,
    }
    assert hrefs.count("/governance/decisions/5/") == 2


def test_without_links_sources_are_plain_labels() -> None:
    html = body(sample_payload(), links=False)

    assert "<a " not in html
    assert '<span class="report-source">Import #21 clabsi-nov.csv</span>' in html
    assert "report.css" not in html  # the PDF gets its stylesheet from WeasyPrint


@pytest.mark.django_db
def test_body_has_no_inline_script_or_style_attributes() -> None:
    html = body(sample_payload(narrative="Fewer infections."), links=True)

    assert "<script" not in html
    assert "style=" not in html
    assert "<style" not in html
    assert html.count("<svg") == 3 + 3 + 3  # variation and assurance icons, sparklines
    assert '<link rel="stylesheet" href="/static/css/report.css">' in html


def test_headline_shows_time_value_beside_roi_and_gross_beside_attributed() -> None:
    html = body(sample_payload(), links=False)

    roi = html[html.index('<tr class="report-roi">') :]
    roi = roi[: roi.index("</tr>")]
    assert '<td class="report-num">65%</td>' in roi
    assert "Beside it, not in it: clinician time value $12,000" in roi
    assert "Gross $230,000 before attribution" in html
    assert "AHRQ 2017 CLABSI cost estimate" in html
    assert "Narrative" not in html


def test_each_line_names_its_initiative_and_sets_its_sources_on_a_line_of_their_own() -> None:
    html = body(sample_payload(), links=False)

    avoidance = html[html.index('<h3 id="report-items-cost_avoidance">') :]
    avoidance = avoidance[: avoidance.index("</table>")]
    first, sources = avoidance.split('<tr class="report-item__sources">')
    assert (
        '<th scope="row">Q2<span class="report-item__for">for Central line bundle</span></th>'
        in first
    )
    assert '<td class="report-num">2 → 1.5 per 1,000</td>' in first
    assert first.count('<td class="report-num">') == 7
    assert sources.startswith('\n      <td colspan="8">')
    assert "Unit cost: AHRQ 2017 CLABSI cost estimate." in sources
    row_end = sources.index("</tr>")
    assert (
        sources[:row_end]
        .rstrip()
        .endswith('<span class="report-source">Central line bundle</span></span></td>')
    )
    costs = html[html.index('<h3 id="report-items-costs">') :]
    costs = costs[: costs.index("</table>")]
    assert (
        '<td>Bundle build and training<span class="report-item__for">Central line bundle</span> '
        '<span class="report-sources">Sources: ' in costs
    )
    assert '<th scope="col">Sources</th>' not in html


@pytest.mark.django_db
def test_wide_tables_scroll_in_their_own_named_focusable_region() -> None:
    html = body(sample_payload(), links=True)

    regions = re.findall(
        r'<div class="report-wrap" role="region" tabindex="0" '
        r'aria-labelledby="([^" ]+) scroll-area-label">',
        html,
    )
    assert regions == [
        "report-headline",
        "report-items-hard_savings",
        "report-items-cost_avoidance",
        "report-items-time_value",
        "report-items-costs",
        "report-scorecard-engagement",
        "report-scorecard-safety_quality",
    ]
    for region in regions:
        assert html.count(f'id="{region}"') == 1
    assert html.count('class="report-wrap"') == html.count("<table") - 4  # not the short tables


def test_roi_without_costs_says_so() -> None:
    payload = sample_payload()
    payload["headline"]["roi"]["value"] = None

    html = body(payload, links=False)

    assert "No costs this period" in html


def test_scorecard_groups_by_value_category_and_marks_an_incomplete_month() -> None:
    html = body(sample_payload(), links=False)

    engagement = '<h3 id="report-scorecard-engagement">Physician engagement</h3>'
    safety = '<h3 id="report-scorecard-safety_quality">Safety &amp; quality</h3>'
    assert html.index(engagement) < html.index(safety)
    assert html.count('<tr class="report-incomplete">') == 1
    assert html.count("Incomplete month: not read as a signal") == 1
    assert 'aria-label="Special cause: concern"' in html
    assert 'aria-label="Will consistently fail the target"' in html


def test_sparkline_draws_values_centre_and_limits() -> None:
    sparkline = sample_payload()["scorecard"][1]["sparkline"]

    svg = sparkline_svg(sparkline, description="Q2 recent values")

    assert svg.startswith("<svg")
    for layer in ("centre_marks", "lcl_marks", "ucl_marks", "values_marks"):
        assert f"role-mark {layer}" in svg
    assert svg.count('aria-roledescription="point"') == 6
    assert "style=" not in svg
    assert "<script" not in svg
    spec = sparkline_spec(sparkline)
    assert [layer["data"]["values"] for layer in spec["layer"][:3]] == [
        [{"y": 1.8}],
        [{"y": 0.9}],
        [{"y": 2.7}],
    ]


def test_sparkline_is_rendered_once_then_served_from_the_cache(monkeypatch: Any) -> None:
    calls = []
    real = vl_convert.vegalite_to_svg

    def counting(spec: dict[str, Any]) -> str:
        calls.append(spec)
        return str(real(spec))

    monkeypatch.setattr(vl_convert, "vegalite_to_svg", counting)
    sparkline = sample_payload()["scorecard"][0]["sparkline"]

    first = sparkline_svg(sparkline)
    second = sparkline_svg(sparkline)

    assert first == second
    assert len(calls) == 1


def test_sparkline_without_points_is_empty() -> None:
    assert sparkline_svg(None) == ""
    assert sparkline_svg({"points": [], "centre": "1"}) == ""


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        ("115000.00", "USD", "$115,000"),
        ("1234567.50", "USD", "$1,234,567.50"),
        ("-2500.00", "USD", "-$2,500"),
        ("0", "GBP", "£0"),
        ("10", "CHF", "CHF 10"),
        (None, "USD", "—"),
    ],
)
def test_money(value: Any, currency: str, expected: str) -> None:
    assert money(value, currency) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.65", "65%"), ("0.8333", "83.3%"), ("1.5", "150%"), ("-0.1", "-10%"), (None, "—")],
)
def test_percent(value: Any, expected: str) -> None:
    assert percent(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [("1.50", "1.5"), ("5.00", "5"), ("10000", "10,000"), ("", "—")]
)
def test_number(value: Any, expected: str) -> None:
    assert number(value) == expected


@pytest.mark.django_db
def test_links_computed_in_one_go_render_without_a_query(
    django_assert_num_queries: Any,
) -> None:
    metric = MetricFactory.create()
    series = rollup(metric)
    initiative = InitiativeFactory.create()
    line = BenefitLineFactory.create(initiative=initiative)
    others = {"metric_q2": 9001, "metric_e1": 9002, "metric_f3": 9003, "initiative": 9004}
    payload = sample_payload({**others, "series_q2": series.pk, "benefit_line": line.pk})

    # The series' metrics, the benefit lines' initiatives.
    with django_assert_num_queries(2):
        urls = payload_source_urls(payload)
    with django_assert_num_queries(0):
        html = render_to_string(
            "reports/partials/report_body.html",
            {"payload": payload, "links": True, "source_urls": urls},
        )

    hrefs = HREF.findall(html)
    assert len(hrefs) == 45
    assert hrefs.count(f"/metrics/{metric.pk}/") == 6  # the Q2 series' refs, on their metric
    assert hrefs.count(f"/initiatives/{initiative.pk}/") == 1  # the benefit line's
    assert hrefs == HREF.findall(body(payload, links=True))  # the same links, query by query
