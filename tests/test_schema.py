"""The OpenAPI schema validates with no warning, lists the API, and its docs page runs under the
site's strict CSP with every asset served from this host."""

from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from informatics.choices import Role
from informatics.models import User
from tests.conftest import ApiAs

EXPECTED_OPERATIONS = {
    ("/api/v1/auth/token/", "post"): "auth_token_obtain",
    ("/api/v1/me/", "get"): "me_retrieve",
    ("/api/v1/facilities/", "get"): "facilities_list",
    ("/api/v1/facilities/{id}/", "get"): "facilities_retrieve",
    ("/api/v1/priorities/", "get"): "priorities_list",
    ("/api/v1/priorities/", "post"): "priorities_create",
    ("/api/v1/priorities/{id}/", "get"): "priorities_retrieve",
    ("/api/v1/priorities/{id}/", "patch"): "priorities_update",
    ("/api/v1/priorities/reorder/", "post"): "priorities_reorder",
    ("/api/v1/priorities/{id}/retire/", "post"): "priorities_retire",
    ("/api/v1/priorities/{id}/restore/", "post"): "priorities_restore",
    ("/api/v1/users/", "get"): "users_list",
    ("/api/v1/users/", "post"): "users_invite",
    ("/api/v1/users/{id}/", "get"): "users_retrieve",
    ("/api/v1/users/{id}/", "patch"): "users_update",
    ("/api/v1/users/{id}/active/", "post"): "users_set_active",
    ("/api/v1/maturity/", "get"): "maturity_list",
    ("/api/v1/maturity/", "post"): "maturity_create",
    ("/api/v1/maturity/{id}/", "get"): "maturity_retrieve",
    ("/api/v1/reviews/", "get"): "reviews_list",
    ("/api/v1/reviews/", "post"): "reviews_create",
    ("/api/v1/reviews/{id}/", "get"): "reviews_retrieve",
    ("/api/v1/action-items/", "get"): "action_items_list",
    ("/api/v1/action-items/", "post"): "action_items_create",
    ("/api/v1/action-items/{id}/", "get"): "action_items_retrieve",
    ("/api/v1/action-items/{id}/complete/", "post"): "action_items_complete",
    ("/api/v1/decisions/", "get"): "decisions_list",
    ("/api/v1/decisions/", "post"): "decisions_create",
    ("/api/v1/decisions/{id}/", "get"): "decisions_retrieve",
}


def test_schema_validates_without_warnings_and_lists_the_api(tmp_path: Path) -> None:
    target = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")
    operations = {
        (path, method): operation["operationId"]
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }
    assert EXPECTED_OPERATIONS.items() <= operations.items()
    assert len(set(operations.values())) == len(operations)  # operation ids are unique
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    # The measurement list pages by cursor (keyset) and still gives a total.
    listing = schema["paths"]["/api/v1/measurements/"]["get"]
    assert "cursor" in {parameter["name"] for parameter in listing["parameters"]}
    assert "page" not in {parameter["name"] for parameter in listing["parameters"]}
    page = listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    paginated = schema["components"]["schemas"][page.rsplit("/", 1)[1]]
    assert (list(paginated["properties"]), paginated["required"]) == (
        ["count", "next", "previous", "results"],
        ["count", "results"],
    )


@pytest.mark.django_db
def test_anonymous_cannot_read_the_schema() -> None:
    response = APIClient().get("/api/schema/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.django_db
def test_signed_in_users_read_the_schema_by_session_or_token(
    client_for: Callable[[str], Client], users: dict[str, User], api_as: ApiAs
) -> None:
    by_session = client_for(Role.CHAMPION).get("/api/schema/", {"format": "json"})
    by_token = api_as(users[Role.EXECUTIVE]).get("/api/schema/")

    assert by_session.status_code == by_token.status_code == 200
    assert "/api/v1/priorities/" in by_session.json()["paths"]


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.django_db
def test_an_anonymous_browser_opening_the_schema_is_sent_to_the_login_page() -> None:
    response = Client().get("/api/schema/", headers={"Accept": BROWSER_ACCEPT})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/api/schema/"


@pytest.mark.django_db
def test_a_signed_in_browser_opening_the_schema_is_shown_the_docs(
    client_for: Callable[[str], Client],
) -> None:
    client = client_for(Role.CHAMPION)

    shown = client.get("/api/schema/", headers={"Accept": BROWSER_ACCEPT})
    asked = client.get("/api/schema/", {"format": "yaml"}, headers={"Accept": BROWSER_ACCEPT})

    assert shown.status_code == 302
    assert shown["Location"] == "/api/docs/"
    assert asked.status_code == 200
    assert asked["Content-Type"] == "application/vnd.oai.openapi; charset=utf-8"


@pytest.mark.django_db
def test_anonymous_docs_visitor_is_sent_to_the_login_page() -> None:
    response = Client().get("/api/docs/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/api/docs/"


class _Assets(HTMLParser):
    """Collects script sources, inline script bodies, stylesheets and inline styles."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.inline_scripts: list[str] = []
        self.stylesheets: list[str] = []
        self.inline_styles = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if "style" in attributes or tag == "style":
            self.inline_styles += 1
        if tag == "script":
            self._in_script = True
            self.scripts.append(attributes.get("src") or "")
        if tag == "link" and attributes.get("rel") in {"stylesheet", "icon"}:
            self.stylesheets.append(attributes.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts.append(data)


@pytest.mark.django_db
def test_docs_page_loads_only_local_assets_under_the_strict_csp(
    client_for: Callable[[str], Client],
) -> None:
    client = client_for(Role.CMIO)

    response = client.get("/api/docs/")

    assert response.status_code == 200
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["style-src"] == "'self'"
    page = _Assets()
    page.feed(response.content.decode())
    assert page.inline_scripts == []
    assert page.inline_styles == 0
    # The Swagger UI bundle, its preset, its heading and landmark fix, the initializer.
    assert len(page.scripts) == 4
    for url in [*page.scripts, *page.stylesheets]:
        assert url.startswith("/"), url  # this host only
        assert not url.startswith("//"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        if hasattr(asset, "streaming_content"):
            b"".join(asset.streaming_content)  # read to the end, which closes the file
    assert page.scripts[-1] == "/api/docs/?script="


@pytest.mark.django_db
def test_docs_initializer_points_at_the_local_schema(client_for: Callable[[str], Client]) -> None:
    response = client_for(Role.CMIO).get("/api/docs/", {"script": ""})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    body = response.content.decode()
    assert 'url: "/api/schema/"' in body
    assert '"validatorUrl": null' in body  # no badge fetched from validator.swagger.io
