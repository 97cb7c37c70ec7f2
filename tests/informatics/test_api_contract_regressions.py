"""What fuzzing the API against its schema found, each answered as the schema says: ids past the
database's integers, a stage that is not a string, page numbers that are not pages and ids that
are not numbers answer 4xx in the one error shape, naming what was wrong, and change nothing."""

from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command

from informatics.choices import Role
from informatics.models import User
from informatics.rest import MAX_ID
from initiatives.choices import Stage
from initiatives.models import Initiative
from intake.models import IntakeRequest
from tests.conftest import ApiAs
from tests.initiatives.factories import create_initiative
from tests.intake.factories import submit

pytestmark = pytest.mark.django_db

TOO_BIG = 2**63  # one past the largest id a 64-bit column holds
NOT_BELOW = f"Ensure this value is less than or equal to {MAX_ID}."


def initiative_body(**fields: Any) -> dict[str, Any]:
    return {"title": "Sepsis alert", "type": "cds", "summary": "Fewer false alarms.", **fields}


def test_creating_an_initiative_for_a_request_id_past_the_largest_is_a_400_naming_it(
    users: dict[str, User], api_as: ApiAs
) -> None:
    response = api_as(users[Role.CMIO]).post(
        "/api/v1/initiatives/", initiative_body(requests=[TOO_BIG]), format="json"
    )

    assert (response.status_code, response.json()) == (400, {"requests": {"0": [NOT_BELOW]}})
    assert not Initiative.objects.exists()


def test_creating_an_initiative_for_a_priority_id_past_the_largest_is_a_400_naming_it(
    users: dict[str, User], api_as: ApiAs
) -> None:
    body = initiative_body(priorities=[{"priority": TOO_BIG, "alignment": "strong"}])

    response = api_as(users[Role.CMIO]).post("/api/v1/initiatives/", body, format="json")

    assert (response.status_code, response.json()) == (
        400,
        {"priorities": {"0": {"priority": [f"Give an id from 1 to {TOO_BIG - 1}."]}}},
    )
    assert not Initiative.objects.exists()


def test_linking_a_request_id_past_the_largest_is_a_400_naming_it(
    users: dict[str, User], api_as: ApiAs
) -> None:
    initiative = create_initiative(users[Role.CMIO])

    response = api_as(users[Role.CMIO]).post(
        f"/api/v1/initiatives/{initiative.pk}/link-requests/",
        {"requests": [1, TOO_BIG]},
        format="json",
    )

    assert (response.status_code, response.json()) == (400, {"requests": {"1": [NOT_BELOW]}})
    assert not initiative.requests.exists()


def test_triage_naming_a_priority_id_past_the_largest_is_a_400_naming_it(
    users: dict[str, User], api_as: ApiAs
) -> None:
    row = submit(users[Role.CHAMPION])

    response = api_as(users[Role.INFORMATICIST]).post(
        f"/api/v1/requests/{row.pk}/triage/",
        {"version": 1, "priorities": [TOO_BIG]},
        format="json",
    )

    assert (response.status_code, response.json()) == (400, {"priorities": {"0": [NOT_BELOW]}})
    row.refresh_from_db()
    assert (row.version, list(row.priorities.all())) == (1, [])


@pytest.mark.parametrize("initiative_id", [0, None])
@pytest.mark.parametrize(
    ("body", "answer"),
    [
        ({"to_stage": {}}, {"to_stage": ['"{}" is not a valid choice.']}),
        ({"to_stage": [], "version": 1}, {"to_stage": ['"[]" is not a valid choice.']}),
        ([], {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
    ],
)
def test_a_stage_that_is_no_string_is_a_400_naming_it_for_any_initiative(
    users: dict[str, User],
    api_as: ApiAs,
    initiative_id: int | None,
    body: Any,
    answer: dict[str, Any],
) -> None:
    initiative = create_initiative(users[Role.CMIO])
    url = f"/api/v1/initiatives/{initiative_id if initiative_id == 0 else initiative.pk}/stage/"

    response = api_as(users[Role.CMIO]).post(url, body, format="json")

    if "version" not in (body if isinstance(body, dict) else {"version": 0}):
        answer = {**answer, "version": ["This field is required."]}
    assert (response.status_code, response.json()) == (400, answer)
    initiative.refresh_from_db()
    assert (initiative.stage, initiative.version) == (Stage.PROPOSED, 1)


@pytest.mark.parametrize("page", ["", "0", "-1", "one", "1.5", "²"])
def test_a_page_that_is_not_a_whole_number_from_1_is_a_400_naming_it(
    users: dict[str, User], api_as: ApiAs, page: str
) -> None:
    response = api_as(users[Role.CMIO]).get("/api/v1/initiatives/", {"page": page})

    assert (response.status_code, response.json()) == (
        400,
        {"page": ["Give a page number: a whole number from 1."]},
    )


def test_a_page_past_the_last_is_a_404_and_the_last_is_answered(
    users: dict[str, User], api_as: ApiAs
) -> None:
    client = api_as(users[Role.CMIO])
    create_initiative(users[Role.CMIO])

    first = client.get("/api/v1/initiatives/", {"page": "1"})
    past = client.get("/api/v1/initiatives/", {"page": "2"})

    assert (first.status_code, first.json()["count"]) == (200, 1)
    assert (past.status_code, past.json()) == (404, {"detail": "Invalid page."})


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/initiatives/abc/",
        "/api/v1/requests/1.5/",
        "/api/v1/no-such-collection/",
    ],
)
def test_an_api_path_that_names_nothing_is_a_json_404(
    users: dict[str, User], api_as: ApiAs, path: str
) -> None:
    response = api_as(users[Role.CMIO]).get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_page_path_that_names_nothing_is_still_the_html_404(client: Any) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_service_refusal_naming_no_field_is_in_the_error_shape(
    users: dict[str, User], api_as: ApiAs
) -> None:
    row = submit(users[Role.CHAMPION])
    client = api_as(users[Role.INFORMATICIST])

    response = client.post(f"/api/v1/requests/{row.pk}/merge/", {"survivor": row.pk}, "json")

    assert response.status_code == 409  # well formed, but the request cannot be its own survivor
    assert set(response.json()) <= {"detail", "non_field_errors", "survivor"}
    assert IntakeRequest.objects.get().status == row.status


@pytest.mark.parametrize(
    ("fields", "answer"),
    [
        ({"title": 1241}, {"title": ["Not a valid string."]}),
        ({"phi_confirmed": 0}, {"phi_confirmed": ["Must be a valid boolean."]}),
        ({"phi_confirmed": "yes"}, {"phi_confirmed": ["Must be a valid boolean."]}),
        ({"problem_statement": 0}, {"problem_statement": ["Not a valid string."]}),
        (
            {"champions": {"1": 1}},
            {"champions": ['Expected a list of items but got type "dict".']},
        ),
        ({"facilities": {}}, {"facilities": ['Expected a list of items but got type "dict".']}),
    ],
)
def test_a_field_of_another_json_type_than_its_schema_is_a_400_naming_it(
    users: dict[str, User], api_as: ApiAs, fields: dict[str, Any], answer: dict[str, Any]
) -> None:
    response = api_as(users[Role.CMIO]).post(
        "/api/v1/initiatives/", initiative_body(**fields), format="json"
    )

    assert (response.status_code, response.json()) == (400, answer)
    assert not Initiative.objects.exists()


def test_an_empty_code_names_no_facility_and_is_a_400(
    users: dict[str, User], api_as: ApiAs
) -> None:
    body = {
        "kind": "pain_point",
        "title": "Med rec",
        "story_today": "Lost.",
        "story_wanted": "Kept.",
        "frequency": "daily",
        "facility": "",
    }

    response = api_as(users[Role.CHAMPION]).post("/api/v1/requests/", body, format="json")

    assert (response.status_code, response.json()) == (
        400,
        {"facility": ["This field may not be blank."]},
    )
    assert not IntakeRequest.objects.exists()


# --- The schema says what the server enforces -----------------------------------------------


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    target: Path = tmp_path_factory.mktemp("schema") / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    loaded: dict[str, Any] = yaml.safe_load(target.read_text())
    return loaded


def test_ids_sent_in_bodies_are_bounded_in_the_schema(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    bounded = {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID}

    assert components["InitiativeCreateInputRequest"]["properties"]["requests"]["items"] == bounded
    assert components["LinkRequestsInputRequest"]["properties"]["requests"]["items"] == bounded
    assert components["TriageInputRequest"]["properties"]["priorities"]["items"] == bounded
    priority = components["AlignmentInputRequest"]["properties"]["priority"]
    assert {key: priority.get(key) for key in ("type", "minimum", "maximum")} == {
        "type": "integer",
        "minimum": 1,
        "maximum": MAX_ID,
    }


def test_partial_edits_require_the_version_and_a_field_to_change(schema: dict[str, Any]) -> None:
    edit = schema["components"]["schemas"]["PatchedInitiativeUpdateInputRequest"]

    assert edit["required"] == ["version"]
    assert {"required": ["title"]} in edit["anyOf"]
    assert {"required": ["phi_confirmed"]} not in edit["anyOf"]


def test_digits_patterns_and_numbers_are_documented_as_enforced(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]

    target = components["BenefitInputRequest"]["properties"]["target"]
    assert (target["type"], target["multipleOf"], target["maximum"]) == ("number", 0.01, 10**12)
    assert components["MetricCreateInputRequest"]["properties"]["code"]["pattern"] == (
        "^[-a-zA-Z0-9_]+$"
    )
    assert components["MetricDetailOutput"]["properties"]["attributed"]["type"] == "number"
    score = components["MaturityScoresInputRequest"]["properties"]["measurement"]
    assert score["multipleOf"] == 0.5


def test_every_4xx_of_every_operation_is_documented_in_the_one_error_shape(
    schema: dict[str, Any],
) -> None:
    shapes = set()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            codes = set(operation["responses"])
            assert {"400", "401", "403"} <= codes or path == "/api/v1/auth/token/", (path, method)
            if "{" in path:
                assert "404" in codes, (path, method)
            for code, response in operation["responses"].items():
                if code.startswith("4"):
                    shapes.add(response["content"]["application/json"]["schema"]["$ref"])

    assert shapes == {"#/components/schemas/Error", "#/components/schemas/PhiFlaggedOutput"}
    phi = schema["components"]["schemas"]["PhiFlaggedOutput"]
    assert phi["allOf"][0] == {"$ref": "#/components/schemas/Error"}
    assert "required" not in phi["allOf"][1]


def test_a_facility_code_in_a_query_is_documented_as_a_slug(schema: dict[str, Any]) -> None:
    operation = schema["paths"]["/api/v1/metrics/{id}/spc/"]["get"]
    parameters = {parameter["name"]: parameter["schema"] for parameter in operation["parameters"]}

    assert parameters["facility"]["pattern"] == "^[-a-zA-Z0-9_]+$"
    assert "" not in parameters["preset"]["enum"]
