"""The API answers a request the schema calls valid with one of the statuses a client expects of
it: 404 when it names a record that does not exist (in a filter or in the body), 409 when the
records' current state refuses it; a malformed one, filter values included, is a 400. Each
names the field. The pages' forms read the same filters leniently; the schema documents it all.
"""

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from informatics.choices import Role
from informatics.limits import WEB_ADDRESS
from informatics.models import User
from informatics.openapi import NOT_BLANK
from initiatives.models import Initiative
from metrics.api.serializers import MetricUpdateInput
from metrics.models import Measurement, Metric
from tests.conftest import ApiAs
from tests.factories import PriorityFactory
from tests.intake.factories import submit
from tests.metrics.factories import MetricFactory, facility_tree, monthly_series

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]


# --- Filters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "params", "errors"),
    [
        ("/api/v1/facilities/", {"is_active": "null"}, {"is_active": ["Give true or false."]}),
        ("/api/v1/metrics/", {"is_active": "yes"}, {"is_active": ["Give true or false."]}),
        ("/api/v1/metrics/", {"mine": "unknown"}, {"mine": ["Give true or false."]}),
        ("/api/v1/initiatives/", {"stale": ""}, {"stale": ["Give true or false."]}),
        (
            "/api/v1/measurements/",
            {"period_to": ""},
            {"period_to": ["Give a value, or leave the parameter out."]},
        ),
        (
            "/api/v1/metrics/",
            {"priority": ""},
            {"priority": ["Give a value, or leave the parameter out."]},
        ),
        (
            "/api/v1/metrics/",
            {"priority": "first"},
            {
                "priority": [
                    "Select a valid choice. That choice is not one of the available choices."
                ]
            },
        ),
    ],
)
def test_a_filter_value_the_schema_forbids_is_a_400_naming_it(
    users: dict[str, User], api_as: ApiAs, url: str, params: dict[str, str], errors: Any
) -> None:
    facility_tree()

    response = api_as(users[Role.CMIO]).get(url, params)

    assert (response.status_code, response.json()) == (400, errors)


@pytest.mark.parametrize(
    ("url", "params", "errors"),
    [
        (
            "/api/v1/metrics/",
            {"priority": "999999"},
            {"priority": ["No record has the id '999999'."]},
        ),
        ("/api/v1/initiatives/", {"facility": "0"}, {"facility": ["No record has the id '0'."]}),
        (
            "/api/v1/measurements/",
            {"facility": "nowhere"},
            {"facility": ["No record has the code 'nowhere'."]},
        ),
    ],
)
def test_a_filter_naming_no_record_is_a_404_naming_it(
    users: dict[str, User], api_as: ApiAs, url: str, params: dict[str, str], errors: Any
) -> None:
    response = api_as(users[Role.CMIO]).get(url, params)

    assert (response.status_code, response.json()) == (404, errors)


def test_well_formed_yes_no_filters_still_filter(users: dict[str, User], api_as: ApiAs) -> None:
    mine = MetricFactory.create(code="Q6", owner=users[Role.CMIO])
    MetricFactory.create(code="E4", is_active=False)
    client = api_as(users[Role.CMIO])

    active = client.get("/api/v1/metrics/", {"is_active": "true"})
    owned = client.get("/api/v1/metrics/", {"mine": "true"})

    assert [row["code"] for row in active.json()["results"]] == [mine.code]
    assert [row["code"] for row in owned.json()["results"]] == [mine.code]


def test_the_pages_read_the_same_filters_leniently(users: dict[str, User], client_for: Any) -> None:
    tree = facility_tree()
    metric = MetricFactory.create(code="Q6")
    monthly_series(metric, tree["system"], [1, 2, 3])
    client = client_for(Role.CMIO)

    catalogue = client.get(reverse("metrics:metric-list"), {"is_active": "null", "mine": ""})
    detail = client.get(reverse("metrics:metric-detail", args=[metric.pk]), {"period_to": ""})

    assert catalogue.status_code == 200
    assert [m.code for m, _ in catalogue.context["entries"]] == ["Q6"]
    assert detail.status_code == 200


# --- Bodies ---------------------------------------------------------------------------------


def test_a_body_naming_no_record_is_a_404_naming_it_and_nothing_is_saved(
    users: dict[str, User], api_as: ApiAs
) -> None:
    facility_tree()
    metric = MetricFactory.create(code="Q6")
    body = {
        "metric": metric.code,
        "facility": "nowhere",
        "period_start": "2026-01-01",
        "period_end": "2026-01-31",
        "value": 3,
    }

    response = api_as(users[Role.CMIO]).post("/api/v1/measurements/", body, format="json")

    assert (response.status_code, response.json()) == (
        404,
        {"facility": ["Object with code=nowhere does not exist."]},
    )
    assert not Measurement.objects.exists()


def test_a_body_with_a_missing_record_and_a_bad_field_is_a_400_naming_both(
    users: dict[str, User], api_as: ApiAs
) -> None:
    facility_tree()
    body = {
        "metric": "NOPE",
        "facility": "nowhere",
        "period_start": "someday",
        "period_end": "2026-01-31",
    }

    response = api_as(users[Role.CMIO]).post("/api/v1/measurements/", body, format="json")

    assert response.status_code == 400
    assert sorted(response.json()) == ["facility", "metric", "period_start"]


def test_an_id_outside_the_schemas_range_is_a_400_not_a_404(
    users: dict[str, User], api_as: ApiAs
) -> None:
    priority = PriorityFactory.create()
    body = {"code": "Q9", "name": "x", "priorities": [priority.pk, 0]}

    response = api_as(users[Role.CMIO]).post("/api/v1/metrics/", body, format="json")

    assert response.status_code == 400
    assert response.json()["priorities"] == ["Give an id from 1 to 9223372036854775807."]
    assert not Metric.objects.filter(code="Q9").exists()


def test_a_move_the_current_status_forbids_is_a_409_naming_it(
    users: dict[str, User], api_as: ApiAs
) -> None:
    row = submit(users[Role.CHAMPION])
    champion = api_as(users[Role.CHAMPION])
    champion.post(f"/api/v1/requests/{row.pk}/withdraw/")

    again = champion.post(f"/api/v1/requests/{row.pk}/withdraw/")

    assert again.status_code == 409
    assert list(again.json()) == ["to_status"]
    row.refresh_from_db()
    assert row.status == "withdrawn"


def test_a_person_without_the_role_asked_is_a_409_naming_the_field(
    users: dict[str, User], api_as: ApiAs
) -> None:
    body = {"title": "Sepsis alert", "type": "cds", "summary": "Fewer false alarms."}
    owner = users[Role.CHAMPION].pk  # a champion, not the CMIO

    response = api_as(users[Role.CMIO]).post(
        "/api/v1/initiatives/", {**body, "cmio_owner": owner}, format="json"
    )

    assert (response.status_code, response.json()) == (
        409,
        {"cmio_owner": ["Choose an active person who holds the CMIO role."]},
    )
    assert not Initiative.objects.exists()


# --- The schema -----------------------------------------------------------------------------


@pytest.fixture
def schema(tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    loaded: dict[str, Any] = yaml.safe_load(path.read_text())
    return loaded


def test_the_schema_documents_409_on_every_signed_in_write(schema: dict[str, Any]) -> None:
    writes = [
        (method, path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if method != "get"
    ]
    undocumented = [
        f"{method} {path}"
        for method, path, operation in writes
        if operation.get("security") and "409" not in operation["responses"]
    ]

    assert len(writes) > 40
    assert undocumented == []
    assert "409" not in schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]


def test_the_schema_documents_404_where_a_body_names_records(schema: dict[str, Any]) -> None:
    documented = {
        path: sorted(operation["responses"])
        for path, operation in (
            (path, schema["paths"][path]["post"])
            for path in ("/api/v1/measurements/", "/api/v1/metrics/", "/api/v1/rubric/")
        )
    }

    assert "404" in documented["/api/v1/measurements/"]
    assert "404" in documented["/api/v1/metrics/"]
    assert "404" not in documented["/api/v1/rubric/"]  # names no record


def test_a_number_filter_documents_the_bound_it_enforces(
    schema: dict[str, Any], users: dict[str, User], api_as: ApiAs
) -> None:
    parameters = schema["paths"]["/api/v1/requests/"]["get"]["parameters"]
    min_score = next(p for p in parameters if p["name"] == "min_score")

    past = api_as(users[Role.CMIO]).get("/api/v1/requests/", {"min_score": "1e51"})

    search = next(p for p in parameters if p["name"] == "q")
    assert search["schema"] == {"type": "string", "pattern": "^[^\\x00]*$"}
    assert min_score["schema"] == {"type": "number", "maximum": 1e50}
    assert (past.status_code, past.json()) == (
        400,
        {"min_score": ["Ensure this value is less than or equal to 1e+50."]},
    )


def test_a_metrics_fhir_measure_url_is_documented_and_checked_as_a_url(
    schema: dict[str, Any], users: dict[str, User], api_as: ApiAs
) -> None:
    properties = schema["components"]["schemas"]["PatchedMetricUpdateInputRequest"]["properties"]
    metric = MetricFactory.create(code="Q6")
    client = api_as(users[Role.CMIO])

    bad = client.patch(
        f"/api/v1/metrics/{metric.pk}/", {"version": 1, "fhir_measure_url": ":x"}, "json"
    )
    good = client.patch(
        f"/api/v1/metrics/{metric.pk}/",
        {"version": 1, "fhir_measure_url": "https://measures.example/q6"},
        "json",
    )

    assert properties["fhir_measure_url"]["oneOf"][0]["pattern"].startswith("^[hH][tT][tT][pP]")
    assert (bad.status_code, bad.json()) == (
        400,
        {"fhir_measure_url": ["Enter a web address starting http:// or https://."]},
    )
    assert good.status_code == 200
    assert Metric.objects.get().fhir_measure_url == "https://measures.example/q6"


def test_the_schema_requires_the_body_of_an_edit_and_keeps_nul_out_of_text(
    schema: dict[str, Any],
) -> None:
    edit = schema["paths"]["/api/v1/metrics/{id}/"]["patch"]["requestBody"]
    question = schema["components"]["schemas"]["QuestionInputRequest"]["properties"]["question"]
    scores = schema["components"]["schemas"]["MaturityScoresInputRequest"]["properties"]

    assert edit["required"] is True
    assert question["pattern"] == NOT_BLANK
    assert {key: scores["governance"][key] for key in ("minimum", "maximum", "multipleOf")} == {
        "minimum": 1,
        "maximum": 4,
        "multipleOf": 0.5,
    }


def test_a_required_text_the_schema_calls_blank_is_what_the_api_calls_blank(
    schema: dict[str, Any], users: dict[str, User], api_as: ApiAs
) -> None:
    parameters = schema["paths"]["/api/v1/requests/similar/"]["get"]["parameters"]
    title = next(p for p in parameters if p["name"] == "title")["schema"]
    client = api_as(users[Role.CMIO])
    blank = "\x1d\u3000 \x85"  # Python's str.strip() removes each; JavaScript's trims only two
    pattern = re.compile(title["pattern"])

    refused = client.get("/api/v1/requests/similar/", {"title": blank})
    kept = client.get("/api/v1/requests/similar/", {"title": blank + "x"})

    assert title == {"type": "string", "minLength": 1, "pattern": NOT_BLANK}
    assert (pattern.match(blank), bool(pattern.match(blank + "x"))) == (None, True)
    assert (refused.status_code, refused.json()) == (
        400,
        {"title": ["This field may not be blank."]},
    )
    assert (kept.status_code, kept.json()) == (200, [])


def test_every_non_blank_pattern_is_a_trimmed_required_text(schema: dict[str, Any]) -> None:
    every_char = "".join(map(chr, range(1, 0x3001)))
    pattern = re.compile(NOT_BLANK)

    kept = {c for c in every_char if pattern.match(c)}

    assert kept == {c for c in every_char if c.strip()}


def test_a_web_address_the_schema_allows_is_one_the_api_takes(
    schema: dict[str, Any], users: dict[str, User], api_as: ApiAs
) -> None:
    url = schema["components"]["schemas"]["PatchedMetricUpdateInputRequest"]["properties"][
        "fhir_measure_url"
    ]["oneOf"][0]
    metric = MetricFactory.create(code="Q7")
    client = api_as(users[Role.CMIO])
    long_host = "https://" + "a" * 63 + ("." + "b" * 63) * 2 + "." + "c" * 62  # 254 characters
    addresses = [
        long_host,  # the contract test's first find: Django's URL check refused it
        "http://0?" + "0" * 40,  # its second: no top-level name
        "ftp://measures.example/q7",
        "https://user:secret@measures.example/q7",
        "https://measures.cms.example:8443/fhir/Measure/q7?v=2#top",
    ]

    answers = [
        client.patch(
            f"/api/v1/metrics/{metric.pk}/",
            {"version": Metric.objects.get().version, "fhir_measure_url": address},
            "json",
        )
        for address in addresses
    ]

    # The schema spells \x0b as \u000b: the same character in both.
    assert unescaped(url["pattern"]) == unescaped(WEB_ADDRESS)
    assert [bool(re.match(WEB_ADDRESS, address)) for address in addresses] == [
        True,
        False,
        False,
        False,
        True,
    ]
    refused = ["Enter a web address starting http:// or https://."]
    assert [(a.status_code, a.json().get("fhir_measure_url")) for a in answers] == [
        (200, long_host),
        (400, refused),
        (400, refused),
        (400, refused),
        (200, addresses[4]),
    ]
    assert Metric.objects.get().fhir_measure_url == addresses[4]


@settings(max_examples=60, derandomize=True, deadline=None, database=None)
@given(st.from_regex(WEB_ADDRESS, fullmatch=True).filter(lambda address: len(address) <= 300))
def test_every_address_the_pattern_allows_the_api_and_the_model_take(address: str) -> None:
    field = MetricUpdateInput().fields["fhir_measure_url"]

    assert field.run_validation(address) == address
    assert Metric._meta.get_field("fhir_measure_url").clean(address, None) == address


def unescaped(pattern: str) -> str:
    """The pattern with each \\u00XX written \\xXX, as Python writes it."""
    return re.sub(r"\\u00([0-9a-f]{2})", r"\\x\1", pattern)


def test_a_report_file_kind_is_an_enum_not_a_loose_pattern(schema: dict[str, Any]) -> None:
    operation = schema["paths"]["/api/v1/reports/{id}/download/{kind}/"]["get"]
    kind = next(p for p in operation["parameters"] if p["name"] == "kind")

    assert kind["schema"] == {"type": "string", "enum": ["csv", "pdf", "xlsx"]}
