"""The value arithmetic of the monthly report (metrics/value.py) on the known answers of issue
13 (Done when 2), and the value basis a metric is valued by: its service, validation,
permissions and the form on the metric's page."""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from informatics.choices import ValueCategory
from informatics.models import AuditEvent, SiteSettings, User
from informatics.permissions import ActionDenied
from informatics.phi import PhiFlagged
from informatics.services import site_settings_get
from initiatives import services as portfolio
from initiatives.choices import FinancialKind
from initiatives.models import FinancialEntry, Initiative
from metrics.choices import ChartType, Direction, ValueKind
from metrics.models import Measurement, Metric, ValueBasis
from metrics.services import rollup_refresh, value_basis_set
from metrics.value import value_headline
from tests.conftest import snapshot
from tests.initiatives.factories import InitiativeFactory, InitiativePriorityFactory
from tests.metrics.factories import MetricFactory, facility_tree, link, month_end
from tests.metrics.page_world import batch_for

NOW = datetime.datetime(2026, 12, 15, 12, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

NOVEMBER = datetime.date(2026, 11, 1)
TODAY = datetime.date(2026, 12, 15)  # November is complete (no lag)


def measure(metric: Metric, facility: Any, numerator: int, denominator: int, **extra: Any) -> None:
    value = (Decimal(numerator) / Decimal(denominator) * metric.multiplier).quantize(
        Decimal("0.000001")
    )
    Measurement.objects.create(
        metric=metric,
        facility=facility,
        period_start=NOVEMBER,
        period_end=month_end(NOVEMBER),
        value=value,
        numerator=numerator,
        denominator=denominator,
        **extra,
    )


def basis(metric: Metric, actor: User, **overrides: Any) -> ValueBasis:
    fields: dict[str, Any] = {
        "kind": ValueKind.COST_AVOIDANCE,
        "baseline": "2.0",
        "baseline_source": "FY2025 NHSN, all units",
        "unit_cost": "46000",
        "unit_cost_source": "AHRQ 2017: $46,000 per CLABSI",
        "exposure_label": "line-days",
        **overrides,
    }
    return value_basis_set(actor=actor, metric=metric, **fields)


class KnownWorld:
    """Issue 13's known answers: CLABSI 2.0 → 1.5 per 1,000 line-days over 10,000 line-days at
    $46,000 each, half attributed to the bundle; pajama time 86 → 82 minutes a clinician-day
    over 1,000 clinician-days at $3 a minute, all attributed to the inbox work; $50,000 hard
    savings and $100,000 costs booked for November."""

    def __init__(self, users: dict[str, User]) -> None:
        cmio = users["cmio"]
        self.cmio = cmio
        self.tree = facility_tree()
        self.batch = batch_for(users["informaticist"], "clabsi-2026-11.csv")
        self.clabsi = MetricFactory.create(
            code="Q2",
            name="CLABSI",
            chart_type=ChartType.U,
            multiplier=Decimal(1000),
            direction=Direction.LOWER,
            value_category=ValueCategory.SAFETY_QUALITY,
        )
        self.pajama = MetricFactory.create(
            code="E3",
            name="Pajama time",
            chart_type=ChartType.XMR,
            multiplier=Decimal(1),
            direction=Direction.LOWER,
            value_category=ValueCategory.ENGAGEMENT,
        )
        measure(self.clabsi, self.tree["north"], 15, 10000, batch=self.batch)
        measure(self.pajama, self.tree["north"], 82000, 1000)
        rollup_refresh(metric_ids=[self.clabsi.pk, self.pajama.pk], today=TODAY)
        basis(self.clabsi, cmio)
        basis(
            self.pajama,
            cmio,
            kind=ValueKind.TIME_VALUE,
            baseline="86",
            baseline_source="Epic Signal, FY2025",
            unit_cost="3",
            unit_cost_source="Loaded physician cost, Finance 2026",
            exposure_label="clinician-days",
        )
        self.bundle = InitiativeFactory.create(title="CLABSI bundle")
        self.inbox = InitiativeFactory.create(title="Inbox pooling")
        link(self.clabsi, self.bundle, 50)
        link(self.pajama, self.inbox, 100)
        self.savings = portfolio.financial_entry_add(
            actor=cmio,
            initiative=self.bundle,
            month=NOVEMBER,
            kind=FinancialKind.HARD_SAVINGS,
            amount="50000",
            source="Finance GL 6100, November close",
        )
        self.cost = portfolio.financial_entry_add(
            actor=cmio,
            initiative=self.bundle,
            month=NOVEMBER,
            kind=FinancialKind.COST,
            amount="100000",
            source="Finance GL 7200, November close",
        )


@pytest.fixture
def world(users: dict[str, User]) -> KnownWorld:
    return KnownWorld(users)


def test_the_known_answers_of_the_headline(world: KnownWorld) -> None:
    headline = value_headline(month=NOVEMBER)

    assert list(headline) == [
        "hard_savings",
        "cost_avoidance",
        "harms_avoided",
        "time_value",
        "costs",
        "roi",
    ]
    avoidance = headline["cost_avoidance"]
    assert (avoidance["value"], avoidance["gross"]) == ("115000.00", "230000.00")
    [item] = avoidance["items"]
    series = world.clabsi.rollups.get(facility=world.tree["system"])
    assert item == {
        "metric": "Q2",
        "metric_id": world.clabsi.pk,
        "initiative_id": world.bundle.pk,
        "baseline": "2.0",
        "baseline_source": "FY2025 NHSN, all units",
        "current": "1.5",
        "multiplier": "1000",
        "exposure": "10000",
        "exposure_label": "line-days",
        "events_avoided": "5.00",
        "unit": "events",
        "unit_cost": "46000.00",
        "unit_cost_source": "AHRQ 2017: $46,000 per CLABSI",
        "attribution": "50.00",
        "avoided": "230000.00",
        "attributed": "115000.00",
        "incomplete": False,
        "formula": "(2.0 − 1.5) ÷ 1000 × 10000 line-days = 5.00 events avoided; × $46,000.00 "
        "each = $230,000.00; × 50.00% attributed = $115,000.00",
        "sources": [
            {"kind": "metric", "id": world.clabsi.pk, "label": "Q2 CLABSI"},
            {"kind": "series", "id": series.pk, "label": "Q2 system roll-up, November 2026"},
            {
                "kind": "import_batch",
                "id": world.batch.pk,
                "label": f"Import #{world.batch.pk} clabsi-2026-11.csv",
            },
            {"kind": "initiative", "id": world.bundle.pk, "label": "CLABSI bundle"},
        ],
    }
    assert headline["harms_avoided"]["value"] == "5.00"
    assert headline["harms_avoided"]["attributed"] == "2.50"
    assert headline["hard_savings"]["value"] == "50000.00"
    assert headline["costs"]["value"] == "100000.00"
    assert headline["roi"]["value"] == "0.65"
    assert headline["roi"]["formula"] == (
        "(hard savings + attributed cost avoidance − costs) ÷ costs = ($50,000.00 + "
        "$115,000.00 − $100,000.00) ÷ $100,000.00 = 0.65; time value ($12,000.00) is shown "
        "beside it, not counted in it."
    )
    assert headline["hard_savings"]["items"][0]["sources"] == [
        {
            "kind": "financial_entry",
            "id": world.savings.pk,
            "label": "Hard savings, November 2026: Finance GL 6100, November close",
        },
        {"kind": "initiative", "id": world.bundle.pk, "label": "CLABSI bundle"},
    ]


def test_time_value_is_shown_beside_the_roi_never_inside_it(world: KnownWorld) -> None:
    headline = value_headline(month=NOVEMBER)

    time_value = headline["time_value"]
    assert time_value["value"] == "12000.00"
    [item] = time_value["items"]
    assert (item["events_avoided"], item["unit"], item["avoided"], item["attributed"]) == (
        "4000.00",
        "minutes",
        "12000.00",
        "12000.00",
    )
    assert item["formula"] == (
        "(86.0 − 82.0) ÷ 1 × 1000 clinician-days = 4000.00 minutes reclaimed; × $3.00 a minute "
        "= $12,000.00; × 100.00% attributed = $12,000.00"
    )
    # (50,000 + 115,000 − 100,000) ÷ 100,000: the 12,000 of time value is not in it.
    assert headline["roi"]["value"] == "0.65"
    # Not a harm either: pajama time is an engagement metric.
    assert headline["harms_avoided"]["value"] == "5.00"


def test_every_figure_carries_a_source(world: KnownWorld) -> None:
    headline = value_headline(month=NOVEMBER)

    for name, figure in headline.items():
        assert figure["sources"], name
        for item in figure.get("items", []):
            assert item["sources"], name


def test_formulas_read_in_the_organisations_currency(world: KnownWorld) -> None:
    SiteSettings.objects.update_or_create(pk=1, defaults={"currency": "EUR"})
    cache.clear()

    headline = value_headline(month=NOVEMBER)

    assert headline["hard_savings"]["formula"] == (
        "Σ of 1 hard-savings entry booked for November 2026: €50,000.00"
    )


def test_an_incomplete_month_is_listed_and_not_counted(
    world: KnownWorld, users: dict[str, User]
) -> None:
    # The roll-up as of 20 November: November has not ended, so its point is incomplete.
    rollup_refresh(metric_ids=[world.clabsi.pk, world.pajama.pk], today=datetime.date(2026, 11, 20))

    headline = value_headline(month=NOVEMBER)

    [item] = headline["cost_avoidance"]["items"]
    assert item["incomplete"] is True
    assert (item["current"], item["events_avoided"], item["attributed"]) == (None, None, None)
    assert item["formula"] == "Q2 has no complete figure for the month: not counted."
    assert headline["cost_avoidance"]["value"] == "0.00"
    assert headline["cost_avoidance"]["gross"] == "0.00"
    assert headline["harms_avoided"]["value"] == "0.00"
    assert headline["time_value"]["value"] == "0.00"
    # (50,000 + 0 − 100,000) ÷ 100,000
    assert headline["roi"]["value"] == "-0.50"


def test_a_missing_month_is_listed_and_not_counted(world: KnownWorld) -> None:
    october = datetime.date(2026, 10, 1)

    headline = value_headline(month=october)

    assert [i["incomplete"] for i in headline["cost_avoidance"]["items"]] == [True]
    assert [i["incomplete"] for i in headline["time_value"]["items"]] == [True]
    assert headline["cost_avoidance"]["value"] == "0.00"
    assert headline["hard_savings"]["value"] == "0.00"
    # No costs booked for October: no ROI, and still a source for every figure.
    assert headline["roi"]["value"] is None
    assert headline["roi"]["formula"] == (
        "(hard savings + attributed cost avoidance − costs) ÷ costs: no costs booked for "
        "October 2026, so no ROI."
    )
    assert all(figure["sources"] for figure in headline.values())


def test_a_priority_scope_counts_only_the_links_and_entries_of_its_initiatives(
    world: KnownWorld,
) -> None:
    infection = InitiativePriorityFactory.create(initiative=world.bundle).priority
    wellbeing = InitiativePriorityFactory.create(initiative=world.inbox).priority
    other = InitiativeFactory.create(title="Line rounds")
    InitiativePriorityFactory.create(initiative=other, priority=wellbeing)
    link(world.clabsi, other, 25)
    portfolio.financial_entry_add(
        actor=world.cmio,
        initiative=other,
        month=NOVEMBER,
        kind=FinancialKind.COST,
        amount="10000",
        source="Finance GL 7200",
    )

    infection_only = value_headline(month=NOVEMBER, priority_id=infection.pk)
    wellbeing_only = value_headline(month=NOVEMBER, priority_id=wellbeing.pk)
    everything = value_headline(month=NOVEMBER)

    assert [i["initiative_id"] for i in infection_only["cost_avoidance"]["items"]] == [
        world.bundle.pk
    ]
    assert infection_only["cost_avoidance"]["value"] == "115000.00"
    assert infection_only["time_value"]["value"] == "0.00"
    assert infection_only["time_value"]["items"] == []
    assert infection_only["costs"]["value"] == "100000.00"
    assert infection_only["roi"]["value"] == "0.65"
    assert infection_only["harms_avoided"]["attributed"] == "2.50"

    # Line rounds (25% of CLABSI) and the inbox work serve well-being.
    assert wellbeing_only["cost_avoidance"]["value"] == "57500.00"
    assert wellbeing_only["time_value"]["value"] == "12000.00"
    assert wellbeing_only["hard_savings"]["value"] == "0.00"
    assert wellbeing_only["costs"]["value"] == "10000.00"
    # (0 + 57,500 − 10,000) ÷ 10,000
    assert wellbeing_only["roi"]["value"] == "4.75"

    assert everything["cost_avoidance"]["value"] == "172500.00"
    assert everything["cost_avoidance"]["gross"] == "230000.00"
    assert everything["harms_avoided"]["attributed"] == "3.75"


def test_a_higher_is_better_metric_counts_current_minus_baseline(
    users: dict[str, User],
) -> None:
    tree = facility_tree()
    sepsis = MetricFactory.create(
        code="Q6",
        name="Sepsis bundle",
        chart_type=ChartType.P,
        multiplier=Decimal(100),
        direction=Direction.HIGHER,
    )
    measure(sepsis, tree["south"], 100, 200)  # 50%
    rollup_refresh(metric_ids=[sepsis.pk], today=TODAY)
    basis(
        sepsis,
        users["cmo"],
        baseline="40",
        unit_cost="100",
        exposure_label="eligible cases",
    )
    link(sepsis, InitiativeFactory.create(), 40)

    [item] = value_headline(month=NOVEMBER)["cost_avoidance"]["items"]

    # (50 − 40) ÷ 100 × 200 = 20 bundles; × $100 = $2,000; × 40% = $800
    assert (item["events_avoided"], item["avoided"], item["attributed"]) == (
        "20.00",
        "2000.00",
        "800.00",
    )
    assert item["formula"].startswith("(50.0 − 40.0) ÷ 100 × 200 eligible cases = 20.00")


def valued_metrics(count: int, actor: User) -> None:
    tree = facility_tree()
    batch = batch_for(actor)
    for number in range(count):
        metric = MetricFactory.create(
            chart_type=ChartType.U, multiplier=Decimal(1000), direction=Direction.LOWER
        )
        measure(metric, tree["north"], 15, 10000, batch=batch)
        ValueBasis.objects.create(
            metric=metric,
            kind=ValueKind.TIME_VALUE if number % 2 else ValueKind.COST_AVOIDANCE,
            baseline=Decimal(2),
            baseline_source="NHSN",
            unit_cost=Decimal(46000),
            unit_cost_source="AHRQ",
            exposure_label="line-days",
        )
        for initiative in InitiativeFactory.create_batch(2):
            link(metric, initiative, 50)
            FinancialEntry.objects.create(
                initiative=initiative,
                month=NOVEMBER,
                kind=FinancialKind.COST,
                amount=Decimal(1000),
                source="GL",
            )
    rollup_refresh(today=TODAY)


@pytest.mark.parametrize("count", [2, 20])
def test_the_headline_costs_the_same_queries_at_2_and_20_metrics(
    users: dict[str, User], count: int, django_assert_num_queries: Any
) -> None:
    valued_metrics(count, users["informaticist"])
    site_settings_get()

    # 1 the system facility; 2 the value bases with their metrics; 3 their links with
    # initiatives; 4 the month's roll-up points with their series; 5 the import batches that
    # fed the month; 6 the month's financial entries with their initiatives
    with django_assert_num_queries(6):
        headline = value_headline(month=NOVEMBER)
    assert len(headline["cost_avoidance"]["items"]) == count
    assert headline["costs"]["value"] == f"{Decimal(2000 * count):f}.00"


# --- The value basis: its service, validation and permissions ---------------------------------


def test_the_cmio_sets_and_then_changes_a_value_basis_with_its_audit(
    users: dict[str, User],
) -> None:
    metric = MetricFactory.create(direction=Direction.LOWER)

    saved = basis(metric, users["cmio"])
    changed = basis(metric, users["cmo"], unit_cost="48000", unit_cost_source="AHRQ 2024")

    assert changed.pk == saved.pk
    assert ValueBasis.objects.filter(metric=metric).count() == 1
    stored = ValueBasis.objects.get(metric=metric)
    assert (stored.unit_cost, stored.unit_cost_source, stored.updated_by) == (
        Decimal("48000.00"),
        "AHRQ 2024",
        users["cmo"],
    )
    events = AuditEvent.objects.filter(object_id=str(saved.pk), content_type__model="valuebasis")
    assert [e.action for e in events.order_by("id")] == ["create", "update"]
    assert events.order_by("id")[1].changes["unit_cost"] == ["46000.00", "48000.00"]


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"unit_cost": "0"}, {"unit_cost": ["Give the unit cost as an amount above 0."]}),
        (
            {"unit_cost": "12345678901.5"},
            {
                "unit_cost": [
                    "Give the unit cost as an amount with at most 10 digits before the point "
                    "and 2 after."
                ]
            },
        ),
        (
            {"baseline_source": " ", "unit_cost_source": ""},
            {
                "baseline_source": ["Say where the baseline comes from."],
                "unit_cost_source": ["Say where the unit cost comes from: the report shows it."],
            },
        ),
        ({"baseline": "-1"}, {"baseline": ["Give the baseline as a rate of 0 or more."]}),
        ({"kind": "guess"}, {"kind": ["Value 'guess' is not a valid choice."]}),
        (
            {"exposure_label": ""},
            {"exposure_label": ["Say what the exposure counts, e.g. line-days."]},
        ),
    ],
)
def test_a_bad_value_basis_is_refused_by_field_and_nothing_is_saved(
    users: dict[str, User], overrides: dict[str, str], errors: dict[str, list[str]]
) -> None:
    metric = MetricFactory.create(direction=Direction.LOWER)
    before = snapshot(ValueBasis, AuditEvent)

    with pytest.raises(ValidationError) as refused:
        basis(metric, users["cmio"], **overrides)

    assert refused.value.message_dict == errors
    assert snapshot(ValueBasis, AuditEvent) == before


def test_a_metric_without_a_better_direction_cannot_be_valued(users: dict[str, User]) -> None:
    metric = MetricFactory.create(code="e6", direction=Direction.NONE)

    with pytest.raises(ValidationError) as refused:
        basis(metric, users["cmio"])

    assert refused.value.message_dict == {
        "kind": ["e6 has no better direction, so a change of it has no value."]
    }
    assert not ValueBasis.objects.exists()


def test_the_sources_go_through_the_phi_guard(users: dict[str, User]) -> None:
    metric = MetricFactory.create(direction=Direction.LOWER)

    with pytest.raises(PhiFlagged):
        basis(metric, users["cmio"], baseline_source="Chart review of MRN 4412897")

    assert not ValueBasis.objects.exists()


@pytest.mark.parametrize("role", ["champion", "informaticist", "executive"])
def test_who_may_not_edit_the_catalogue_cannot_set_a_value_basis(
    users: dict[str, User], role: str
) -> None:
    metric = MetricFactory.create(direction=Direction.LOWER)
    basis(metric, users["cmio"])
    before = snapshot(ValueBasis, AuditEvent)

    with pytest.raises(ActionDenied):
        basis(metric, users[role], unit_cost="1")

    assert snapshot(ValueBasis, AuditEvent) == before


# --- The form on the metric's page ------------------------------------------------------------

FORM = {
    "kind": ValueKind.COST_AVOIDANCE,
    "baseline": "2.0",
    "baseline_source": "FY2025 NHSN",
    "unit_cost": "46000",
    "unit_cost_source": "AHRQ 2017",
    "exposure_label": "line-days",
}


def test_the_cmio_sets_the_value_basis_on_the_metric_page(
    client_for: Callable[[str], Client],
) -> None:
    metric = MetricFactory.create(direction=Direction.LOWER)
    url = reverse("metrics:metric-value-set", args=[metric.pk])

    response = client_for("cmio").post(url, FORM)

    assert response.status_code == 302
    assert response["Location"].endswith("#value")
    stored = ValueBasis.objects.get(metric=metric)
    assert (stored.baseline, stored.unit_cost) == (Decimal("2.000000"), Decimal("46000.00"))
    page = client_for("cmio").get(reverse("metrics:metric-detail", args=[metric.pk]))
    assert page.context["value_basis"] == stored
    assert page.context["value_form"].initial["unit_cost_source"] == "AHRQ 2017"
    assert "AHRQ 2017" in page.content.decode()


def test_a_bad_value_basis_comes_back_on_the_page_with_its_message(
    client_for: Callable[[str], Client],
) -> None:
    metric = MetricFactory.create(direction=Direction.LOWER)

    response = client_for("cmo").post(
        reverse("metrics:metric-value-set", args=[metric.pk]), {**FORM, "unit_cost": "0"}
    )

    assert response.status_code == 200
    assert response.context["value_form"].errors == {
        "unit_cost": ["Give the unit cost as an amount above 0."]
    }
    assert not ValueBasis.objects.exists()


@pytest.mark.parametrize("role", ["champion", "informaticist", "executive"])
def test_the_value_form_is_refused_to_who_may_not_edit_the_catalogue(
    client_for: Callable[[str], Client], role: str
) -> None:
    metric = MetricFactory.create(direction=Direction.LOWER)
    before = snapshot(ValueBasis, AuditEvent)

    page = client_for(role).get(reverse("metrics:metric-detail", args=[metric.pk]))
    response = client_for(role).post(reverse("metrics:metric-value-set", args=[metric.pk]), FORM)

    assert page.context["value_form"] is None
    assert response.status_code == 403
    assert snapshot(ValueBasis, AuditEvent) == before


def test_initiatives_are_unchanged_by_the_headline(world: KnownWorld) -> None:
    before = snapshot(Initiative, FinancialEntry, ValueBasis)

    value_headline(month=NOVEMBER)

    assert snapshot(Initiative, FinancialEntry, ValueBasis) == before
