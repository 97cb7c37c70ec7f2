"""The metric pages: the catalogue with each metric's system-level icons; a metric's page with
its chart for the chosen facility, its icons, data-through date, progress, data table (each
figure traced to its import batch and file, or to who entered it), linked initiatives,
priorities, targets and notes; and the forms, whose errors come back beside their field with
nothing saved."""

import datetime
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from informatics.models import User
from metrics.choices import AnnotationKind, ChartType, Direction, Variation
from metrics.models import Annotation, Measurement, Metric, MetricInitiative, Target
from tests.factories import PriorityFactory
from tests.initiatives.factories import InitiativeFactory
from tests.metrics.factories import MetricFactory
from tests.metrics.page_world import NORTH, World

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

ClientFor = Callable[[str], Client]


@pytest.fixture
def world(users: dict[str, User]) -> World:
    return World(users)


def detail(world: World, **query: object) -> str:
    url = reverse("metrics:metric-detail", args=[world.metric.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def text(response: object) -> str:
    content: bytes = response.content  # type: ignore[attr-defined]
    return re.sub(r"\s+", " ", content.decode())


# --- Catalogue ------------------------------------------------------------------------------


def test_the_catalogue_shows_each_metric_with_its_system_variation_and_assurance(
    world: World, client_for: ClientFor
) -> None:
    MetricFactory.create(code="E4", name="Inbox items per physician per day")

    response = client_for("champion").get(reverse("metrics:metric-list"))

    assert response.status_code == 200
    page = text(response)
    assert [metric.code for metric, _ in response.context["entries"]] == ["E4", "Q6"]
    q6 = response.context["entries"][1][1]
    assert q6.facility == world.system
    assert q6.variation == Variation.IMPROVEMENT
    assert 'aria-label="Special cause: improvement"' in page
    assert 'aria-label="Will consistently fail the target"' in page
    assert "30 Apr 2025" in page  # data through the last month
    assert "No data yet" in page  # E4 has none
    assert f'href="{detail(world)}"' in page
    assert "New metric" not in page
    assert "Import measurements" not in page


def test_the_catalogue_filters_by_the_latest_variation(world: World, client_for: ClientFor) -> None:
    MetricFactory.create(code="E4")

    response = client_for("cmio").get(reverse("metrics:metric-list") + "?variation=improvement")

    assert [metric.code for metric, _ in response.context["entries"]] == ["Q6"]
    assert "New metric" in text(response)
    assert "Import measurements" in text(response)


# --- A metric's page ------------------------------------------------------------------------


def test_the_page_shows_the_system_chart_icons_data_through_and_progress(
    world: World, client_for: ClientFor
) -> None:
    response = client_for("champion").get(detail(world))

    assert response.status_code == 200
    page = text(response)
    assert response.context["page"].facility == world.system
    chart = str(response.context["chart"])
    assert chart.startswith("<svg")
    assert chart.count('aria-roledescription="point"') == len(NORTH) == 16
    assert "points_marks" in page
    assert 'aria-label="Special cause: improvement"' in page
    assert "Data through" in page
    assert "30 Apr 2025" in page
    analysis = response.context["analysis"]
    assert analysis.progress is not None
    assert f"{analysis.progress * 100:.0f}%" in page
    assert "Judged by <strong>NHS Making Data Count</strong>" in page
    assert "Limits are frozen after the first 12 points of each segment." in page
    assert "Go-live: Sepsis order set" in page
    assert "Order set pilot, North ED" in page
    assert "Sepsis order set</a>" in page
    assert "60%" in page
    # The system's figures are summed from both hospitals' measurements.
    rows = response.context["rows"]
    assert [row.facilities for row in rows] == [2] * 16
    assert rows[0].point.period_start == datetime.date(2025, 4, 1)  # newest first
    assert "summed from 2 facilities" in page
    # A champion reads; the forms are for the CMIO team.
    assert "Enter a figure by hand" not in page
    assert "Set a target" not in page


def test_a_hospitals_page_traces_each_figure_to_its_import_file(
    world: World, client_for: ClientFor
) -> None:
    response = client_for("executive").get(detail(world, facility=world.north.pk))

    page = text(response)
    assert response.context["page"].facility == world.north
    batch_url = reverse("metrics:import-detail", args=[world.batch.pk])
    # The executive may not open the import's page: its number, no link, no file name
    assert page.count(f"Import #{world.batch.pk}") == 16
    assert batch_url not in page
    assert "sep1-2024.csv" not in page
    assert [row.point.value for row in reversed(response.context["rows"])] == pytest.approx(
        [float(n) for n in NORTH]
    )
    # Those who load figures follow each figure to its file
    page = text(client_for("cmio").get(detail(world, facility=world.north.pk)))
    assert page.count(f'<a href="{batch_url}">Import #{world.batch.pk}</a>') == 16
    assert page.count("sep1-2024.csv") == 16


def test_hand_entered_figures_name_who_entered_them(
    world: World, client_for: ClientFor, users: dict[str, User]
) -> None:
    response = client_for("cmo").get(detail(world, facility=world.south.pk))

    assert (
        text(response).count(
            f'Entered by hand <span class="muted">by {users["informaticist"].full_name}</span>'
        )
        == 16
    )


def test_the_facility_selector_lists_the_system_first_then_the_hospitals(
    world: World, client_for: ClientFor
) -> None:
    response = client_for("champion").get(detail(world))

    assert response.context["page"].facilities == [world.system, world.north, world.south]


@pytest.mark.parametrize("facility", ["999999", "north"])
def test_a_facility_without_figures_or_unknown_is_not_found(
    world: World, client_for: ClientFor, facility: str
) -> None:
    response = client_for("champion").get(detail(world, facility=facility))

    assert response.status_code == 404


def test_a_facility_the_metric_is_not_charted_for_is_not_found(
    world: World, client_for: ClientFor
) -> None:
    unit = world.north.children.get()

    response = client_for("champion").get(detail(world, facility=unit.pk))

    assert response.status_code == 404


def test_another_rule_preset_recomputes_the_view_and_says_so(
    world: World, client_for: ClientFor
) -> None:
    response = client_for("cmio").get(detail(world, preset="ihi"))

    page = text(response)
    assert response.context["recomputed"] is True
    assert response.context["page"].preset == "ihi"
    assert "Judged by <strong>IHI run chart rules</strong> (recomputed for this view" in page
    assert world.metric.rule_preset == "mdc"


def test_a_metric_without_data_says_so_and_draws_no_chart(client_for: ClientFor) -> None:
    metric = MetricFactory.create(code="E6", name="Progress-note length")

    response = client_for("informaticist").get(reverse("metrics:metric-detail", args=[metric.pk]))

    page = text(response)
    assert response.status_code == 200
    assert response.context["chart"] == ""
    assert "No measurements yet" in page
    assert "Enter a figure by hand" in page


def test_an_unknown_metric_is_not_found(client_for: ClientFor) -> None:
    response = client_for("champion").get(reverse("metrics:metric-detail", args=[424242]))

    assert response.status_code == 404


# --- Creating and editing a metric ----------------------------------------------------------


def metric_form(**overrides: object) -> dict[str, object]:
    return {
        "code": "Q9",
        "name": "Interruptive alert override rate",
        "definition": "Alerts overridden ÷ alerts fired.",
        "definition_source": "Epic Signal",
        "definition_version": "2025.1",
        "fhir_measure_url": "",
        "value_category": "safety_quality",
        "aim": "care_team_wellbeing",
        "unit": "% of alerts fired",
        "multiplier": "100",
        "direction": "lower",
        "frequency": "monthly",
        "chart_type": "laney_p",
        "rule_preset": "mdc",
        "baseline_points": "12",
        "data_lag_days": "0",
        **overrides,
    }


def test_the_cmio_adds_a_metric_to_the_catalogue(client_for: ClientFor) -> None:
    priority = PriorityFactory.create(title="Restore joy in practice")

    response = client_for("cmio").post(
        reverse("metrics:metric-create"), metric_form(priorities=[priority.pk])
    )

    metric = Metric.objects.get(code="Q9")
    assert response.status_code == 302
    assert response["Location"] == reverse("metrics:metric-detail", args=[metric.pk])
    assert metric.chart_type == ChartType.LANEY_P
    assert metric.multiplier == Decimal("100")
    assert metric.direction == Direction.LOWER
    assert metric.baseline_points == 12
    assert list(metric.priorities.all()) == [priority]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"code": ""}, "code", "Give the metric a short code."),
        ({"multiplier": "lots"}, "multiplier", "Enter the multiplier as a number, e.g. 100."),
        (
            {"chart_type": "p", "screen_outliers": "on"},
            "screen_outliers",
            "Only an XmR chart screens outliers; turn screening off first.",
        ),
        (
            {"fhir_measure_url": "ftp://measures.example/q9"},
            "fhir_measure_url",
            "Enter the Measure's canonical URL, starting https://.",
        ),
    ],
)
def test_a_bad_metric_comes_back_with_the_error_beside_its_field(
    client_for: ClientFor, overrides: dict[str, object], field: str, message: str
) -> None:
    response = client_for("cmo").post(reverse("metrics:metric-create"), metric_form(**overrides))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert Metric.objects.count() == 0


def test_a_duplicate_code_is_refused_by_the_service_on_the_code_field(
    world: World, client_for: ClientFor
) -> None:
    response = client_for("admin").post(reverse("metrics:metric-create"), metric_form(code="Q6"))

    assert response.context["form"].errors["code"] == ["Another metric already has the code 'Q6'."]
    assert Metric.objects.count() == 1


def test_the_edit_form_saves_and_a_stale_edit_changes_nothing(
    world: World, client_for: ClientFor
) -> None:
    url = reverse("metrics:metric-edit", args=[world.metric.pk])
    client = client_for("cmio")
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(name="SEP-1 bundle compliance", priorities=[], balancing_metrics=[])
    data["is_active"] = "on"

    saved = client.post(url, data)
    stale = client.post(url, {**data, "name": "An edit made on an old copy"})

    world.metric.refresh_from_db()
    assert saved.status_code == 302
    assert stale.status_code == 409
    assert world.metric.name == "SEP-1 bundle compliance"
    assert world.metric.version == form.initial["version"] + 1


# --- Targets, notes, links and figures ------------------------------------------------------


def test_a_target_is_set_and_removed(world: World, client_for: ClientFor) -> None:
    client = client_for("cmo")
    added = client.post(
        reverse("metrics:metric-target-add", args=[world.metric.pk])
        + f"?facility={world.north.pk}",
        {"value": "75", "due_date": "2027-06-30", "facility": world.north.pk, "note": "FY27"},
    )
    target = Target.objects.get(facility=world.north)
    removed = client.post(
        reverse("metrics:metric-target-delete", args=[world.metric.pk, world.target.pk])
    )

    assert added.status_code == 302
    assert added["Location"] == detail(world, facility=world.north.pk) + "#targets"
    assert (target.value, target.due_date, target.note) == (
        Decimal("75"),
        datetime.date(2027, 6, 30),
        "FY27",
    )
    assert removed.status_code == 302
    assert list(Target.objects.filter(metric=world.metric)) == [target]


def test_a_target_without_a_value_comes_back_with_the_error(
    world: World, client_for: ClientFor
) -> None:
    response = client_for("cmio").post(
        reverse("metrics:metric-target-add", args=[world.metric.pk]),
        {"value": "", "due_date": "2027-06-30"},
    )

    assert response.status_code == 200
    assert response.context["target_form"].errors["value"] == ["Give the target value."]
    assert "Set a target</summary>" in text(response)
    assert Target.objects.count() == 1


def test_a_rebase_needs_a_reason(world: World, client_for: ClientFor) -> None:
    response = client_for("cmio").post(
        reverse("metrics:metric-annotation-add", args=[world.metric.pk]),
        {"kind": "rebase", "date": "2025-01-01", "label": "Order set everywhere"},
    )

    assert response.status_code == 200
    assert response.context["annotation_form"].errors["reason"] == [
        "Say why the limits start again here (the process change), so readers can judge it."
    ]
    assert Annotation.objects.filter(kind=AnnotationKind.REBASE).count() == 0


def test_a_note_that_looks_like_patient_information_waits_for_confirmation(
    world: World, client_for: ClientFor
) -> None:
    url = reverse("metrics:metric-annotation-add", args=[world.metric.pk])
    client = client_for("cmio")
    data = {"kind": "note", "date": "2025-02-01", "label": "Call 555-201-8842 about it"}

    flagged = client.post(url, data)
    confirmed = client.post(url, {**data, "phi_confirmed": "on"})

    assert flagged.status_code == 200
    assert "label" in flagged.context["annotation_form"].errors
    assert "This is not patient information" in text(flagged)
    assert confirmed.status_code == 302
    assert Annotation.objects.filter(label=data["label"]).count() == 1


def test_a_note_is_added_and_removed(world: World, client_for: ClientFor) -> None:
    client = client_for("admin")
    added = client.post(
        reverse("metrics:metric-annotation-add", args=[world.metric.pk]),
        {
            "kind": "rebase",
            "date": "2025-01-01",
            "label": "Order set everywhere",
            "reason": "A new process",
        },
    )
    removed = client.post(
        reverse("metrics:metric-annotation-delete", args=[world.metric.pk, world.note.pk])
    )

    assert (added.status_code, removed.status_code) == (302, 302)
    assert list(Annotation.objects.values_list("label", "kind", "reason")) == [
        ("Order set everywhere", "rebase", "A new process")
    ]


def test_an_initiative_is_linked_with_its_benefit_line_and_unlinked(
    world: World, client_for: ClientFor
) -> None:
    client = client_for("cmio")
    linked = client.post(
        reverse("metrics:metric-link-add", args=[world.metric.pk]),
        {"initiative": world.other.pk, "share": "25", "benefit_line": ""},
    )
    relinked = client.post(
        reverse("metrics:metric-link-add", args=[world.metric.pk]),
        {"initiative": world.initiative.pk, "share": "50", "benefit_line": world.benefit.pk},
    )
    unlinked = client.post(
        reverse("metrics:metric-link-delete", args=[world.metric.pk, world.other.pk])
    )

    assert (linked.status_code, relinked.status_code, unlinked.status_code) == (302, 302, 302)
    assert list(
        MetricInitiative.objects.values_list("initiative__title", "share", "benefit_line")
    ) == [("Sepsis order set", Decimal("50.00"), world.benefit.pk)]
    page = text(client.get(detail(world)))
    assert "Evidences “SEP-1 bundle compliance”: 86 → 60 min/day" in page


def test_the_link_form_looks_initiatives_up_by_number_or_title_words(
    world: World, client_for: ClientFor
) -> None:
    client = client_for("cmio")
    url = reverse("metrics:metric-link-add", args=[world.metric.pk])
    page = client.get(detail(world)).content.decode()
    # No select box of every initiative or benefit line: typed and looked up when posted.
    assert '<select name="initiative"' not in page
    assert '<select name="benefit_line"' not in page
    missing = world.other.pk + 1000

    def errors(**data: Any) -> dict[str, list[str]]:
        response = client.post(url, {"share": "10", **data})
        assert response.status_code == 200
        return dict(response.context["link_form"].errors)

    assert errors(initiative=f"#{missing}") == {"initiative": [f"No initiative #{missing}."]}
    assert errors(initiative="no such words") == {
        "initiative": ["No initiative matches “no such words”."]
    }
    assert errors(initiative=world.other.pk, benefit_line="#99999") == {
        "benefit_line": ["No benefit-plan line #99999."]
    }
    assert errors(initiative=world.other.pk, benefit_line="bundle") == {
        "benefit_line": ["No benefit-plan line matches “bundle”."]
    }
    assert MetricInitiative.objects.count() == 1  # nothing linked by a refused form

    linked = client.post(
        url, {"initiative": "sepsis ORDER", "share": "50", "benefit_line": "SEP-1 bundle"}
    )

    assert linked.status_code == 302
    assert list(
        MetricInitiative.objects.values_list("initiative__title", "share", "benefit_line")
    ) == [("Sepsis order set", Decimal("50.00"), world.benefit.pk)]


def test_the_link_form_names_the_initiatives_when_words_match_several(
    world: World, client_for: ClientFor
) -> None:
    for n in range(6):
        InitiativeFactory.create(title=f"Falls bundle {n}")
    response = client_for("cmio").post(
        reverse("metrics:metric-link-add", args=[world.metric.pk]),
        {"initiative": "falls bundle", "share": "10"},
    )

    [error] = response.context["link_form"].errors["initiative"]
    assert error.startswith("Several initiatives match “falls bundle”: #")
    assert error.count("Falls bundle") == 5
    assert error.endswith(" and more. Give its number.")
    assert MetricInitiative.objects.count() == 1


def test_shares_above_100_percent_are_refused_on_the_share_field(
    world: World, client_for: ClientFor
) -> None:
    response = client_for("cmio").post(
        reverse("metrics:metric-link-add", args=[world.metric.pk]),
        {"initiative": world.other.pk, "share": "45"},
    )

    assert response.status_code == 200
    assert response.context["link_form"].errors["share"] == [
        "The shares of Q6 would sum to 105%; other initiatives hold 60%, so at most 40% is left."
    ]
    assert MetricInitiative.objects.count() == 1


def test_a_figure_entered_by_hand_is_saved_with_who_entered_it(
    world: World, client_for: ClientFor, users: dict[str, User]
) -> None:
    response = client_for("informaticist").post(
        reverse("metrics:metric-measurement-enter", args=[world.metric.pk]),
        {
            "facility": world.north.pk,
            "period_start": "2025-05-01",
            "period_end": "2025-05-31",
            "numerator": "78",
            "denominator": "100",
            "value": "",
        },
    )

    row = Measurement.objects.get(facility=world.north, period_start=datetime.date(2025, 5, 1))
    assert response.status_code == 302
    assert (row.value, row.entered_by, row.batch) == (Decimal("78"), users["informaticist"], None)


def test_a_figure_that_disagrees_with_its_ratio_is_refused_on_the_value_field(
    world: World, client_for: ClientFor
) -> None:
    before = Measurement.objects.count()

    response = client_for("cmio").post(
        reverse("metrics:metric-measurement-enter", args=[world.metric.pk]),
        {
            "facility": world.north.pk,
            "period_start": "2025-05-01",
            "period_end": "2025-05-31",
            "numerator": "78",
            "denominator": "100",
            "value": "70",
        },
    )

    assert response.status_code == 200
    errors = response.context["measurement_form"].errors
    assert list(errors) == ["value"]
    assert "Enter a figure by hand</summary>" in text(response)
    assert Measurement.objects.count() == before
