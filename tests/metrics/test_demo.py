"""The metrics' demo (metrics/demo.py): the seventeen metrics of the catalogue, linked to the
demo priorities and initiatives, with targets and 24 months of figures at the four hospitals
ending with the last complete month, rolled up so that every variation and assurance icon
appears, the astronomical month is flagged and the rebase starts a new segment; and a second
run changes nothing."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.db.models import Count, Sum
from django.utils import timezone

from informatics import demo as kernel_demo
from informatics.services import site_today
from initiatives import demo as initiatives_demo
from initiatives.models import Initiative
from intake import demo as intake_demo
from metrics import demo
from metrics.choices import Assurance, Variation
from metrics.models import (
    Annotation,
    Measurement,
    Metric,
    MetricInitiative,
    RollupPoint,
    RollupSeries,
    Target,
)
from metrics.services import rollup_refresh
from metrics.value import value_headline
from tests.conftest import data_for_module

pytestmark = pytest.mark.django_db

CODES = ["C1", "E1", "E3", "E4", "E6", "E8", "E9", "F1", "G1"]
CODES += ["Q1", "Q2", "Q3", "Q4", "Q6", "Q7", "Q8", "Q9"]


def seed() -> str:
    out = StringIO()
    kernel_demo.seed(stdout=out)
    intake_demo.seed(stdout=out)
    initiatives_demo.seed(stdout=out)
    demo.seed(stdout=out)
    return out.getvalue()


def state() -> dict[str, object]:
    """Every row the metrics demo writes, as values."""
    return {
        "metrics": list(Metric.objects.order_by("code").values_list("code", "version")),
        "targets": list(Target.objects.order_by("pk").values_list("metric__code", "value")),
        "links": list(MetricInitiative.objects.order_by("pk").values_list("metric__code", "share")),
        "annotations": list(Annotation.objects.order_by("pk").values_list("label", "date")),
        "measurements": list(
            Measurement.objects.order_by("pk").values_list("pk", "value", "numerator")
        ),
        "series": list(RollupSeries.objects.order_by("pk").values_list("pk", "fingerprint")),
        "points": RollupPoint.objects.count(),
    }


def system(code: str) -> RollupSeries:
    return RollupSeries.objects.select_related("metric").get(
        metric__code=code, facility__code=demo.SYSTEM
    )


@dataclass(frozen=True)
class Seeded:
    output: str
    today: datetime.date  # the site's today when the demo was seeded: its months end before it


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[Seeded]:
    """The demo, seeded once for this module (each test still runs in its own savepoint). The
    demo is laid out around today in the organisation's time zone (America/Chicago, which the
    demo itself sets). The clock stands still at the moment of seeding for the whole module, so
    that the module's tests see the day the demo was laid out on, even across midnight."""
    with data_for_module(django_db_blocker), time_machine.travel(timezone.now(), tick=False):
        output = seed()
        yield Seeded(output=output, today=site_today())


def lagging_months(months: list[datetime.date], lag_days: int, today: datetime.date) -> list:
    """The months whose data is not complete on `today`: a month is complete once `lag_days`
    have passed after its last day (DOMAIN.md §6; metrics.periods.is_complete)."""
    return [m for m in months if demo.month_end(m) + datetime.timedelta(days=lag_days) >= today]


def test_the_catalogue_figures_links_and_go_lives(seeded: Seeded) -> None:
    """Every metric of DOMAIN.md §2, its targets, links and notes; 24 months ending with the
    last complete month; readmissions lagging; shares within 100%; go-lives inside the
    window."""
    assert sorted(Metric.objects.values_list("code", flat=True)) == sorted(CODES)
    assert Target.objects.count() == 17
    assert MetricInitiative.objects.count() == 28
    assert Annotation.objects.count() == 7
    # 14 metrics at 4 hospitals for 24 months; days to decision monthly, two surveys in 4
    # waves at the system.
    assert Measurement.objects.count() == 14 * 4 * 24 + 24 + 4 + 4
    # Every hospital and the system for those 14; the system for the other 3.
    assert RollupSeries.objects.count() == 14 * 5 + 3
    assert RollupPoint.objects.count() == 14 * 5 * 24 + 24 + 4 + 4
    assert (
        "Metrics: 17 in the catalogue (17 new), 52 new targets, links and annotations, "
        "1,376 new measurements" in seeded.output
    )

    today = seeded.today
    last = demo.month_start(today, -1)
    first = demo.month_start(today, -24)

    months = Measurement.objects.filter(metric__code="Q6", facility__code="rmc")
    assert sorted(months.values_list("period_start", flat=True)) == [
        demo.month_start(first, n) for n in range(24)
    ]
    assert months.order_by("period_start").last().period_start == last  # type: ignore[union-attr]
    # A readmission is known only 35 days after the month: the last month is always still
    # hollow, and in the first days of a month the one before it too.
    readmissions = system("Q1")
    incomplete = readmissions.rows.filter(complete=False)
    expected = lagging_months(demo.demo_months(today), 35, today)
    assert expected[-1] == last
    assert list(incomplete.order_by("period_start").values_list("period_start", flat=True)) == (
        expected
    )
    assert set(Measurement.objects.values_list("source_system", flat=True)) == {"demo"}

    live = Initiative.objects.filter(metric_links__isnull=False, go_live_date__isnull=False)
    assert live.count() > 0
    go_lives = list(live.values_list("go_live_date", flat=True))
    assert all(day is not None and first <= day <= today for day in go_lives)

    totals = MetricInitiative.objects.values("metric__code").annotate(total=Sum("share"))
    evidencing = MetricInitiative.objects.filter(benefit_line__isnull=False)

    assert max(row["total"] for row in totals) <= 100
    assert all(
        link.benefit_line is not None and link.benefit_line.initiative_id == link.initiative_id
        for link in evidencing
    )
    assert evidencing.count() == 9
    assert (
        Metric.objects.annotate(n=Count("priorities")).filter(n=0).values_list("code", flat=True)
    ).get() == "G1"


@pytest.mark.parametrize(
    ("day", "hollow"),
    [
        (1, 2),  # the 1st: the month before last ended 29 to 32 days ago, within the 35-day lag
        (2, 2),
        (8, 1),  # the 8th: it ended 36 to 39 days ago (36 after a 28-day February)
        (28, 1),
    ],
)
def test_the_readmission_months_turn_complete_as_the_lag_passes(
    seeded: Seeded, day: int, hollow: int
) -> None:
    """The same figures, rolled up as of a given day of the month after the last demo month:
    the lag decides how many months are hollow, whatever day the demo was seeded on."""
    last = demo.month_start(seeded.today, -1)
    as_of = demo.month_start(last, 1).replace(day=day)
    q1 = Metric.objects.get(code="Q1")

    rollup_refresh(metric_ids=[q1.pk], today=as_of)

    hollow_months = system("Q1").rows.filter(complete=False).order_by("period_start")
    assert list(hollow_months.values_list("period_start", flat=True)) == [
        demo.month_start(last, offset) for offset in range(1 - hollow, 1)
    ]


def test_the_roll_ups_show_every_icon_the_drift_the_astronomical_month_and_the_rebase(
    seeded: Seeded,
) -> None:
    variations = set(RollupSeries.objects.values_list("variation", flat=True))
    assurances = set(RollupSeries.objects.values_list("assurance", flat=True))

    assert set(Variation.values) <= variations
    assert set(Assurance.values) <= assurances
    assert system("Q6").variation == Variation.IMPROVEMENT  # after the sepsis order set
    assert system("E3").variation == Variation.IMPROVEMENT  # after the clinic sprints
    assert system("E4").variation == Variation.CONCERN  # inbox volume drifting up
    assert system("C1").variation == Variation.NEUTRAL  # no better direction
    assert system("Q7").variation == Variation.COMMON_CAUSE
    assert system("Q1").assurance == Assurance.FAIL
    assert system("Q4").assurance == Assurance.HIT_AND_MISS
    assert system("E1").assurance == Assurance.PASS

    points = list(system("E4").rows.order_by("period_start"))

    assert points[-1].value - points[9].value > 10  # about 0.9 items a day more each month
    assert {"rule": "seven_side", "side": "up"} in points[-1].signals
    assert points[9].signals == [] or all(s["side"] == "up" for s in points[9].signals)

    series = system("G1")
    flagged = [
        (point.period_start, point.value)
        for point in series.rows.order_by("period_start")
        if any(signal["rule"] == "astronomical" for signal in point.signals)
    ]

    assert series.metric.rule_preset == "ihi"
    assert series.metric.chart_type == "run"
    assert len(flagged) == 1
    assert flagged[0][1] > 100  # the month the councils paused
    assert flagged[0][0] == demo.month_start(seeded.today, -9)

    rebase = Annotation.objects.get(metric__code="E1", kind="rebase")
    sprints = Initiative.objects.get(title="Clinic optimisation sprints")
    series = system("E1")
    segments = list(series.rows.order_by("period_start").values_list("segment", flat=True))

    assert rebase.date == sprints.go_live_date
    assert rebase.reason.startswith("The optimisation sprints rebuilt every clinic's templates")
    assert segments[0] == 0
    assert segments[-1] == 1
    assert 0 < segments.count(1) < 12
    assert series.insufficient_data is True


def test_a_second_run_changes_nothing(seeded: Seeded) -> None:
    before = state()

    output = seed()

    assert state() == before
    assert (
        "Metrics: 17 in the catalogue (0 new), 0 new targets, links and annotations, 0 new "
        "measurements" in output
    )
    assert "roll-ups: 0 series written, 73 unchanged." in output


def test_both_closed_months_have_a_value_headline_that_tells_a_plausible_story(
    seeded: Seeded,
) -> None:
    """The issued report's month (the month before last) and the draft's (the last month): hard
    savings and costs booked in each, CAUTI's cost avoidance against its pre-protocol baseline
    (the series fell after the protocol, so both months are below it), pajama time valued per
    attribution link with shares within 100%."""
    last = demo.month_start(seeded.today, -1)
    booked = {last: ("46500.00", "49000.00"), demo.month_start(last, -1): ("41500.00", "41000.00")}
    for month, (hard_savings, costs) in booked.items():
        headline = value_headline(month=month)

        # The valued figures follow the demo's noise, so only their sign is certain; the
        # entries are booked as given.
        [cauti] = headline["cost_avoidance"]["items"]
        assert (cauti["metric"], cauti["baseline"], cauti["attribution"]) == ("Q3", "1.6", "80.00")
        assert not cauti["incomplete"]
        assert Decimal(cauti["current"]) < Decimal("1.6")
        assert Decimal(headline["cost_avoidance"]["value"]) > 0
        assert Decimal(headline["harms_avoided"]["value"]) > 0
        time = headline["time_value"]["items"]
        assert [i["metric"] for i in time] == ["E3", "E3", "E3"]
        assert [i["attribution"] for i in time] == ["30.00", "30.00", "20.00"]
        assert Decimal(headline["time_value"]["value"]) > 0
        assert headline["hard_savings"]["value"] == hard_savings
        assert headline["costs"]["value"] == costs
        assert Decimal(headline["roi"]["value"]) > 0
    assert "Value bases: 2 metrics valued in the monthly report (2 new)." in seeded.output
