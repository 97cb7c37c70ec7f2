"""Every API list answers a query parameter it does not take with 400 naming it (and the
parameters it takes) instead of answering every row; the schema documents that 400."""

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from informatics.choices import Role
from informatics.models import User
from tests.conftest import ApiAs
from tests.metrics.factories import MetricFactory, facility_tree, monthly_series


@pytest.mark.django_db
def test_an_unknown_filter_is_a_400_naming_it_and_nothing_is_listed(
    users: dict[str, User], api_as: ApiAs
) -> None:
    tree = facility_tree()
    monthly_series(MetricFactory.create(code="Q6"), tree["system"], [1, 2, 3])
    client = api_as(users[Role.CMIO])

    response = client.get("/api/v1/measurements/", {"metric_code": "Q6", "sort": "value"})

    assert response.status_code == 400
    takes = "Unknown parameter. This list takes: metric, facility, period_from, period_to, "
    takes += "cursor, format."
    assert response.json() == {"metric_code": [takes], "sort": [takes]}


@pytest.mark.django_db
def test_known_filters_pages_and_format_still_answer(users: dict[str, User], api_as: ApiAs) -> None:
    tree = facility_tree()
    monthly_series(MetricFactory.create(code="Q6"), tree["system"], [1, 2, 3])
    monthly_series(MetricFactory.create(code="E3"), tree["system"], [4, 5])
    client = api_as(users[Role.CMIO])

    measurements = client.get("/api/v1/measurements/", {"metric": "Q6", "format": "json"})
    priorities = client.get("/api/v1/priorities/", {"page": "1", "is_active": "true"})

    assert measurements.status_code == priorities.status_code == 200
    assert measurements.json()["count"] == 3
    assert priorities.json()["count"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/api/v1/requests/", "/api/v1/initiatives/", "/api/v1/priorities/", "/api/v1/decisions/"],
)
def test_every_list_refuses_an_unknown_parameter(
    users: dict[str, User], api_as: ApiAs, path: str
) -> None:
    response = api_as(users[Role.CMIO]).get(path, {"nonsense": "1"})

    assert response.status_code == 400
    assert list(response.json()) == ["nonsense"]


def test_the_schema_documents_the_400_on_every_list(tmp_path: Path) -> None:
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())

    # A record's sub-collections (…/{id}/comments/) neither filter nor page.
    lists = {
        path: methods["get"]
        for path, methods in schema["paths"].items()
        if "get" in methods and methods["get"]["operationId"].endswith("_list") and "{" not in path
    }

    assert "/api/v1/measurements/" in lists
    missing = [path for path, operation in lists.items() if "400" not in operation["responses"]]
    assert missing == []
    assert lists["/api/v1/measurements/"]["responses"]["400"]["description"].startswith(
        "An unknown query parameter: the body names each one"
    )
