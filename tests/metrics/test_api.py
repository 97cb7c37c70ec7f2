"""The metrics API: the catalogue (list, one metric, create, edit with optimistic locking), the
SPC read of a metric at a facility under any rule preset (in the OpenAPI schema), and
measurements (list with filters, hand entry)."""

import datetime
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

from informatics.choices import Role, ValueCategory
from informatics.models import Facility, User
from initiatives.choices import Stage
from metrics import selectors
from metrics.choices import ChartType, Direction
from metrics.models import Measurement, Metric, RollupSeries
from metrics.services.rollups import rollup_refresh
from tests.conftest import ApiAs
from tests.factories import PriorityFactory
from tests.initiatives.factories import BenefitLineFactory, InitiativeFactory
from tests.metrics.factories import (
    AnnotationFactory,
    MetricFactory,
    MetricInitiativeFactory,
    TargetFactory,
    facility_tree,
    link,
    monthly_series,
)

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

URL = "/api/v1/metrics/"
MEASUREMENTS = "/api/v1/measurements/"


@pytest.fixture
def tree() -> dict[str, Facility]:
    return facility_tree()


@pytest.fixture
def cmio(users: dict[str, User], api_as: ApiAs) -> APIClient:
    return api_as(users[Role.CMIO])


@pytest.fixture
def champion(users: dict[str, User], api_as: ApiAs) -> APIClient:
    return api_as(users[Role.CHAMPION])


# --- Catalogue ------------------------------------------------------------------------------


def test_the_list_shows_each_metric_with_its_system_rollup(
    champion: APIClient, tree: dict[str, Facility], users: dict[str, User]
) -> None:
    metric = MetricFactory.create(code="Q7", name="Length of stay", owner=users[Role.CMIO])
    metric.priorities.add(PriorityFactory.create(code="p1", title="Zero Harm"))
    monthly_series(metric, tree["south"], [(45, 10), (50, 10)])
    MetricFactory.create(code="E1")
    rollup_refresh()

    body = champion.get(URL).json()

    assert body["count"] == 2
    first = body["results"][1]
    # A champion sees the owner's name, never their e-mail address
    assert (first["code"], first["name"], first["owner"]) == (
        "Q7",
        "Length of stay",
        {"id": users[Role.CMIO].pk, "full_name": users[Role.CMIO].full_name, "email": None},
    )
    assert first["priorities"] == [
        {"id": metric.priorities.get().pk, "code": "p1", "title": "Zero Harm"}
    ]
    system = first["system"]
    assert system["facility"] == {"id": tree["system"].pk, "code": "rh", "name": "Riverside Health"}
    assert (system["points"], system["latest_value"], system["data_through"]) == (
        2,
        5.0,
        "2024-02-29",
    )
    assert body["results"][0]["system"] is None
    assert champion.get(URL, {"q": "stay"}).json()["count"] == 1


def test_one_metric_in_full(champion: APIClient, tree: dict[str, Facility]) -> None:
    metric = MetricFactory.create(code="Q4", data_lag_days=30)
    initiative = InitiativeFactory.create(
        title="Falls order panel", stage=Stage.LIVE, go_live_date=datetime.date(2024, 5, 1)
    )
    line = BenefitLineFactory.create(initiative=initiative)
    MetricInitiativeFactory.create(
        metric=metric, initiative=initiative, share=60, benefit_line=line
    )
    link(metric, InitiativeFactory.create(), "12.5")
    TargetFactory.create(metric=metric, value=Decimal("0.8"), facility=tree["south"], note="Goal")
    AnnotationFactory.create(metric=metric, label="Huddles start")
    metric.balancing_metrics.add(MetricFactory.create(code="Q7"))

    body = champion.get(f"{URL}{metric.pk}/").json()

    assert body["links"][0] == {
        "initiative": {
            "id": initiative.pk,
            "title": "Falls order panel",
            "stage": "live",
            "go_live_date": "2024-05-01",
        },
        "share": 60.0,
        "benefit_line": line.pk,
    }
    assert body["attributed"] == 72.5
    assert body["targets"][0]["value"] == 0.8
    assert body["targets"][0]["facility"]["code"] == "rh-south"
    assert [a["label"] for a in body["annotations"]] == ["Huddles start"]
    assert body["balancing_metrics"][0]["code"] == "Q7"
    assert (body["data_lag_days"], body["version"]) == (30, 1)
    assert champion.get(f"{URL}{metric.pk + 99}/").status_code == 404


def metric_body(**overrides: Any) -> dict[str, Any]:
    return {
        "code": "Q9",
        "name": "Interruptive alert override rate",
        "value_category": ValueCategory.SAFETY_QUALITY,
        "aim": "care_team_wellbeing",
        "unit": "% of alerts fired",
        "direction": Direction.LOWER,
        "chart_type": ChartType.LANEY_P,
        "multiplier": 100,
        **overrides,
    }


def test_the_cmio_creates_a_metric(cmio: APIClient, users: dict[str, User]) -> None:
    priority = PriorityFactory.create()
    MetricFactory.create(code="E4")

    response = cmio.post(
        URL,
        metric_body(
            owner=users[Role.INFORMATICIST].pk, priorities=[priority.pk], balancing_metrics=["E4"]
        ),
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["code"], body["multiplier"], body["rule_preset"], body["frequency"]) == (
        "Q9",
        100.0,
        "mdc",
        "monthly",
    )
    assert body["owner"]["id"] == users[Role.INFORMATICIST].pk
    assert [m["code"] for m in body["balancing_metrics"]] == ["E4"]
    assert Metric.objects.get(code="Q9").priorities.get() == priority


@pytest.mark.parametrize(
    ("overrides", "status", "errors"),
    [
        # Well formed, but another metric has the code: a conflict with it.
        ({"code": "E4"}, 409, {"code": ["Another metric already has the code 'E4'."]}),
        ({"chart_type": "pie"}, 400, {"chart_type": ['"pie" is not a valid choice.']}),
        (
            {"screen_outliers": True},
            400,
            {"screen_outliers": ["Only an XmR chart screens outliers; turn screening off first."]},
        ),
    ],
)
def test_bad_input_names_the_field(
    cmio: APIClient, overrides: dict[str, Any], status: int, errors: dict[str, list[str]]
) -> None:
    MetricFactory.create(code="E4")

    response = cmio.post(URL, metric_body(**overrides), format="json")

    assert (response.status_code, response.json()) == (status, errors)
    assert Metric.objects.count() == 1


def test_an_edit_with_a_stale_version_is_a_409_and_changes_nothing(cmio: APIClient) -> None:
    metric = MetricFactory.create(name="Old")

    first = cmio.patch(f"{URL}{metric.pk}/", {"version": 1, "name": "New"}, format="json")
    stale = cmio.patch(f"{URL}{metric.pk}/", {"version": 1, "name": "Newer"}, format="json")

    assert (first.status_code, first.json()["name"], first.json()["version"]) == (200, "New", 2)
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    metric.refresh_from_db()
    assert (metric.name, metric.version) == ("New", 2)


def test_an_edit_needs_a_field_besides_the_version(cmio: APIClient) -> None:
    metric = MetricFactory.create()

    response = cmio.patch(f"{URL}{metric.pk}/", {"version": 1}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Give at least one field to change besides version."]
    }


# --- SPC ------------------------------------------------------------------------------------


def test_the_spc_read_gives_every_point_and_the_classification(
    champion: APIClient, tree: dict[str, Facility]
) -> None:
    metric = MetricFactory.create(
        code="Q6", chart_type=ChartType.P, multiplier=Decimal(100), direction=Direction.HIGHER
    )
    monthly_series(metric, tree["icu"], [(40, 100), (45, 100), (50, 100)])
    monthly_series(metric, tree["south"], [(10, 50), (20, 50), (30, 50)])
    TargetFactory.create(metric=metric, value=60, due_date=datetime.date(2099, 1, 1))
    rollup_refresh()

    body = champion.get(f"{URL}{metric.pk}/spc/").json()

    stored = selectors.series_view(metric=metric, facility=tree["system"]).points
    assert body["facility"]["code"] == "rh"
    assert (body["chart"], body["preset"], body["data_through"]) == ("p", "mdc", "2024-03-31")
    assert body["target"] == {
        "value": 60.0,
        "due_date": "2099-01-01",
        "facility": None,
    }
    assert [p["value"] for p in body["points"]] == pytest.approx([50 / 1.5, 65 / 1.5, 80 / 1.5])
    assert body["points"][0] == {
        "period_start": "2024-01-01",
        "period_end": "2024-01-31",
        "value": stored[0].value,
        "centre": stored[0].centre,
        "lower": stored[0].lower,
        "upper": stored[0].upper,
        "segment": 0,
        "signals": [],
        "complete": True,
    }
    series = RollupSeries.objects.get(metric=metric, facility=tree["system"])
    assert (body["variation"], body["assurance"], body["progress"]) == (
        series.variation,
        series.assurance,
        series.progress,
    )
    assert body["current_value"] == pytest.approx(80 / 1.5)
    assert body["baseline_value"] == pytest.approx(195 / 450 * 100)
    assert body["insufficient_data"] is True

    south = champion.get(f"{URL}{metric.pk}/spc/", {"facility": "rh-south", "preset": "anhoj"})
    assert south.json()["preset"] == "anhoj"
    assert [p["value"] for p in south.json()["points"]] == [20.0, 40.0, 60.0]


def test_incomplete_periods_come_without_signals(
    champion: APIClient, tree: dict[str, Facility]
) -> None:
    metric = MetricFactory.create(data_lag_days=90)
    monthly_series(metric, tree["south"], [1, 2, 50], start=datetime.date(2026, 1, 1))
    with time_machine.travel("2026-06-15 12:00Z", tick=False):  # March ended 76 days ago
        rollup_refresh()

    body = champion.get(f"{URL}{metric.pk}/spc/", {"facility": "rh-south"}).json()

    # January and February are complete (ended over 90 days before); March is not.
    assert [(p["complete"], p["signals"]) for p in body["points"]] == [
        (True, []),
        (True, []),
        (False, []),
    ]
    assert (body["variation"], body["data_through"]) == ("common_cause", "2026-02-28")


@pytest.mark.parametrize(
    ("params", "status", "errors"),
    [
        # A code, but one that names no facility: not found.
        ({"facility": "nowhere"}, 404, {"facility": ["Object with code=nowhere does not exist."]}),
        ({"preset": "lucky"}, 400, {"preset": ['"lucky" is not a valid choice.']}),
        # Empty is as sent, not "left out" (a query string is not an HTML form).
        ({"preset": ""}, 400, {"preset": ['"" is not a valid choice.']}),
        ({"facility": ""}, 400, {"facility": ["This field may not be blank."]}),
    ],
)
def test_an_unknown_facility_or_preset_is_refused_naming_it(
    champion: APIClient,
    tree: dict[str, Facility],
    params: dict[str, str],
    status: int,
    errors: Any,
) -> None:
    metric = MetricFactory.create()

    response = champion.get(f"{URL}{metric.pk}/spc/", params)

    assert (response.status_code, response.json()) == (status, errors)


def test_without_a_health_system_the_facility_must_be_named(champion: APIClient) -> None:
    metric = MetricFactory.create()

    response = champion.get(f"{URL}{metric.pk}/spc/")

    assert (response.status_code, response.json()) == (
        400,
        {"facility": ["Give a facility code: there is no health system."]},
    )


def test_the_spc_read_is_in_the_openapi_schema(tmp_path: Path) -> None:
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())

    operation = schema["paths"]["/api/v1/metrics/{id}/spc/"]["get"]

    assert operation["operationId"] == "metrics_spc"
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters) == {"id", "facility", "preset"}
    assert sorted(parameters["preset"]["schema"]["enum"]) == [
        "anhoj",
        "ihi",
        "mdc",
        "western_electric",
    ]
    output = schema["components"]["schemas"]["SpcOutput"]["properties"]
    assert {
        "chart",
        "preset",
        "variation",
        "assurance",
        "progress",
        "target",
        "baseline_value",
        "current_value",
        "insufficient_data",
        "data_through",
        "points",
    } <= set(output)
    point = schema["components"]["schemas"]["SpcPointOutput"]["properties"]
    assert set(point) == {
        "period_start",
        "period_end",
        "value",
        "centre",
        "lower",
        "upper",
        "segment",
        "signals",
        "complete",
    }
    operations = {
        (path, method): body["operationId"]
        for path, methods in schema["paths"].items()
        for method, body in methods.items()
    }
    assert {
        ("/api/v1/metrics/", "get"): "metrics_list",
        ("/api/v1/metrics/", "post"): "metrics_create",
        ("/api/v1/metrics/{id}/", "get"): "metrics_retrieve",
        ("/api/v1/metrics/{id}/", "patch"): "metrics_update",
        ("/api/v1/measurements/", "get"): "measurements_list",
        ("/api/v1/measurements/", "post"): "measurements_create",
    }.items() <= operations.items()


# --- Measurements ---------------------------------------------------------------------------


def test_measurements_are_listed_with_their_provenance_and_filtered(
    champion: APIClient, tree: dict[str, Facility], users: dict[str, User]
) -> None:
    q1 = MetricFactory.create(code="Q1")
    monthly_series(q1, tree["south"], [(1, 10), (2, 10), (3, 10)])
    monthly_series(MetricFactory.create(code="Q2"), tree["icu"], [4])
    Measurement.objects.filter(value=Decimal("0.3")).update(entered_by=users[Role.CMIO])

    body = champion.get(
        MEASUREMENTS, {"metric": "Q1", "facility": "rh-south", "period_from": "2024-02-01"}
    ).json()

    assert body["count"] == 2
    assert body["results"][1] == {
        "id": body["results"][1]["id"],
        "metric": "Q1",
        "facility": "rh-south",
        "period_start": "2024-03-01",
        "period_end": "2024-03-31",
        "value": 0.3,
        "numerator": 3.0,
        "denominator": 10.0,
        "source_system": "",
        "definition_version": "",
        "batch": None,
        "entered_by": {
            "id": users[Role.CMIO].pk,
            "full_name": "Demo CMIO",
            "email": None,  # only admins and the person themself see it
        },
        "updated_at": body["results"][1]["updated_at"],
    }
    assert champion.get(MEASUREMENTS, {"metric": "nope"}).json() == {
        "metric": ["No record has the code 'nope'."]
    }


def test_measurement_pages_follow_a_cursor_in_id_order_with_a_cached_total(
    champion: APIClient, tree: dict[str, Facility]
) -> None:
    metric = MetricFactory.create(code="Q1")
    monthly_series(metric, tree["south"], [(1, 10)] * 70, start=datetime.date(2000, 1, 1))
    ids = list(Measurement.objects.order_by("id").values_list("id", flat=True))

    first = champion.get(MEASUREMENTS).json()
    monthly_series(metric, tree["north"], [(1, 10)], start=datetime.date(2000, 1, 1))
    second = champion.get(first["next"]).json()
    back = champion.get(second["previous"]).json()

    assert set(first) == {"count", "next", "previous", "results"}
    assert "cursor=" in first["next"]
    assert "page=" not in first["next"]
    assert [row["id"] for row in first["results"] + second["results"]] == [
        *ids,
        Measurement.objects.latest("id").pk,
    ]
    # The total was counted with the first page and is reused within the minute: the row
    # added since is read, not yet counted.
    assert (first["count"], second["count"], first["previous"], second["next"]) == (
        70,
        70,
        None,
        None,
    )
    assert [row["id"] for row in back["results"]] == ids[:50]


def test_an_informaticist_enters_a_measurement_and_the_rollup_follows(
    users: dict[str, User],
    tree: dict[str, Facility],
    django_capture_on_commit_callbacks: Callable[..., Any],
    api_as: ApiAs,
) -> None:
    MetricFactory.create(code="Q2", chart_type=ChartType.U, multiplier=Decimal(1000))
    client = api_as(users[Role.INFORMATICIST])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            MEASUREMENTS,
            {
                "metric": "Q2",
                "facility": "rh-north-icu",
                "period_start": "2025-01-01",
                "period_end": "2025-01-31",
                "numerator": 2,
                "denominator": 1250,
            },
            format="json",
        )

    assert response.status_code == 201, response.content
    assert (response.json()["value"], response.json()["entered_by"]["email"]) == (
        1.6,
        "informaticist@riverside.example",
    )
    assert set(RollupSeries.objects.values_list("facility__code", flat=True)) == {
        "rh",
        "rh-north",
        "rh-north-icu",
    }


def test_a_bad_measurement_is_a_400_naming_the_field(
    users: dict[str, User], tree: dict[str, Facility], api_as: ApiAs
) -> None:
    MetricFactory.create(code="Q2", chart_type=ChartType.U, multiplier=Decimal(1000))

    response = api_as(users[Role.CMIO]).post(
        MEASUREMENTS,
        {
            "metric": "Q2",
            "facility": "rh-south",
            "period_start": "2025-01-01",
            "period_end": "2025-01-31",
            "value": 5,
        },
        format="json",
    )

    assert (response.status_code, response.json()) == (
        400,
        {"numerator": ["A u chart needs the numerator and denominator of every period."]},
    )
    assert Measurement.objects.count() == 0
