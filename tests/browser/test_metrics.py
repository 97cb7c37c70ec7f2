"""In Chromium: a metric's page shows its chart as inline SVG, with one point symbol per
rolled-up period and the centre and limit lines where the computed values put them (read in
the SVG the browser holds, and again from the rendered geometry); the catalogue shows the
icons; a physician and the CMIO see the pages without a console error, a Content Security
Policy violation or a request leaving the machine, and with no axe-core violation
of any impact. Screenshots go to test-artifacts/screenshots/metrics-*.png."""

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from informatics.choices import FacilityKind, Role
from initiatives.choices import Stage
from metrics.choices import AnnotationKind, ChartType, Direction
from metrics.models import Metric, RollupPoint
from metrics.services.rollups import rollup_refresh
from tests.browser.conftest import MOBILE, Recorder, sign_in_with_cookie
from tests.factories import FacilityFactory, UserFactory
from tests.initiatives.factories import InitiativeFactory
from tests.metrics import svg as read
from tests.metrics.factories import AnnotationFactory, MetricFactory, TargetFactory, link
from tests.metrics.factories import monthly_series as series

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.browser, pytest.mark.time_machine(NOW)]

OpenPage = Callable[..., Recorder]

# Minutes of after-hours EHR time a day: a year around 86, then lower after the go-live.
VALUES = [86, 88, 85, 87, 86, 84, 88, 87, 85, 86, 87, 85, 80, 78, 77, 76, 75, 76, 74, 75]
START = datetime.date(2024, 1, 1)
TODAY = datetime.date(2026, 6, 15)


def _pajama_time() -> Metric:
    system = FacilityFactory.create(
        code="riverside", name="Riverside Health", kind=FacilityKind.SYSTEM
    )
    metric: Metric = MetricFactory.create(
        code="E3",
        name="After-hours EHR time",
        unit="minutes a day",
        chart_type=ChartType.XMR,
        direction=Direction.LOWER,
        baseline_points=12,
    )
    series(metric, system, VALUES, start=START)
    went_live = InitiativeFactory.create(
        title="Clinic optimisation sprints",
        stage=Stage.LIVE,
        go_live_date=datetime.date(2024, 12, 10),
    )
    link(metric, went_live, 60)
    TargetFactory.create(metric=metric, value=Decimal("69"), due_date=datetime.date(2030, 6, 30))
    AnnotationFactory.create(
        metric=metric,
        kind=AnnotationKind.PDSA,
        date=datetime.date(2024, 9, 2),
        label="Inbox rules piloted in two clinics",
    )
    rollup_refresh(metric_ids=[metric.pk], today=TODAY)
    return metric


def _ys(page: Recorder, selector: str) -> list[float]:
    """The rendered top of each element matched (CSS pixels in the page)."""
    boxes: list[float] = page.page.eval_on_selector_all(
        selector, "nodes => nodes.map(node => node.getBoundingClientRect().top)"
    )
    return boxes


def test_the_metric_page_draws_a_point_per_period_and_lines_at_the_computed_limits(
    open_page: OpenPage,
) -> None:
    metric = _pajama_time()
    stored = list(RollupPoint.objects.filter(series__metric=metric).order_by("period_start"))
    centre, lower, upper = stored[0].centre, stored[0].lower, stored[0].upper
    assert centre is not None
    assert lower is not None
    assert upper is not None
    physician = UserFactory.create(roles=[Role.CHAMPION], full_name="Dr. Maya Chen")
    page = open_page()
    sign_in_with_cookie(page, physician)

    page.goto(reverse("metrics:metric-detail", args=[metric.pk]))

    chart = page.page.locator(".metric-chart__svg svg")
    expect(chart).to_be_visible()
    expect(page.page.get_by_role("heading", name="E3 After-hours EHR time")).to_be_visible()
    # The SVG as the browser holds it.
    markup = chart.evaluate("node => node.outerHTML")
    symbols = read.symbols(markup)
    assert len(symbols) == len(stored) == len(VALUES)
    a, b = read.scale(symbols, [p.value for p in stored])
    for symbol, point in zip(symbols, stored, strict=True):
        assert symbol.y == pytest.approx(a * point.value + b, abs=0.01)
    for name, value in (("centre", centre), ("lower", lower), ("upper", upper)):
        (ys,) = read.line_ys(markup, name)
        assert ys == [pytest.approx(a * value + b, abs=0.01)] * len(ys)
    # The geometry Chromium rendered: each line where its value puts it between the others.
    (y_centre,) = _ys(page, "svg .centre_marks path")
    (y_lower,) = _ys(page, "svg .lower_marks path")
    (y_upper,) = _ys(page, "svg .upper_marks path")
    assert y_upper < y_centre < y_lower
    assert (y_centre - y_upper) / (y_lower - y_centre) == pytest.approx(
        (upper - centre) / (centre - lower), rel=1e-3
    )
    expect(page.page.locator("svg .points_marks path")).to_have_count(len(VALUES))
    expect(page.page.get_by_role("img", name="Special cause: improvement")).to_be_visible()
    expect(page.page.get_by_role("img", name="Will consistently fail the target")).to_be_visible()
    assert page.audit() == []
    page.screenshot("metrics-detail-physician")

    page.goto(reverse("metrics:metric-list"))
    expect(page.page.get_by_role("link", name="E3 After-hours EHR time")).to_be_visible()
    assert page.audit() == []
    page.screenshot("metrics-catalogue")
    page.assert_clean()


def test_the_cmio_sees_the_forms_and_the_page_holds_on_a_phone(open_page: OpenPage) -> None:
    metric = _pajama_time()
    cmio = UserFactory.create(roles=[Role.CMIO], full_name="Dr. Sam Okafor")
    page = open_page()
    sign_in_with_cookie(page, cmio)

    page.goto(reverse("metrics:metric-detail", args=[metric.pk]))
    page.page.get_by_text("Set a target").click()
    page.page.get_by_label("Target value").fill("70")
    page.page.get_by_label("Due by").fill("2031-06-30")
    page.collect()
    page.page.get_by_role("button", name="Set the target").click()
    page.page.wait_for_load_state()

    expect(page.page.get_by_text("Set the target for the whole system: 70 by")).to_be_visible()
    assert page.audit() == []
    page.screenshot("metrics-detail-cmio")

    phone = open_page(viewport=MOBILE)
    sign_in_with_cookie(phone, cmio)
    phone.goto(reverse("metrics:metric-detail", args=[metric.pk]))
    expect(phone.page.locator(".metric-chart__svg svg")).to_be_visible()
    phone.screenshot("metrics-detail-mobile")
    page.assert_clean()
    phone.assert_clean()
