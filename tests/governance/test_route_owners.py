"""An admin chooses which body owns each intake route; everyone else is refused."""

import datetime
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from governance import services
from governance.choices import BodyKind
from governance.models import GovernanceBody, RouteOwner
from informatics.choices import AuditAction, Route
from informatics.models import AuditEvent, User
from informatics.permissions import ActionDenied

NOW = datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

URL = "/governance/routes/"


@pytest.fixture
def bodies() -> dict[str, GovernanceBody]:
    made = {
        "cds": GovernanceBody.objects.create(code="cds", name="CDS committee", kind=BodyKind.CDS),
        "steering": GovernanceBody.objects.create(
            code="steering", name="Executive steering", kind=BodyKind.STEERING
        ),
        "old": GovernanceBody.objects.create(
            code="old", name="Old board", kind=BodyKind.RELEASE, is_active=False
        ),
    }
    for route in Route.values:
        RouteOwner.objects.create(route=route, body=made["steering"])
    return made


def owners() -> dict[str, str]:
    return dict(RouteOwner.objects.values_list("route", "body__code"))


def test_an_admin_moves_one_route_to_another_body_and_it_is_audited(
    users: dict[str, User], bodies: dict[str, GovernanceBody]
) -> None:
    services.route_owners_set(
        actor=users["admin"],
        owners={Route.CDS_COMMITTEE: bodies["cds"], Route.STEERING: bodies["steering"]},
    )

    assert owners() == {**dict.fromkeys(Route.values, "steering"), Route.CDS_COMMITTEE: "cds"}
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert (event.actor, event.changes) == (
        users["admin"],
        {"body": ["Executive steering", "CDS committee"]},
    )


def test_a_retired_body_or_an_unknown_route_saves_nothing(
    users: dict[str, User], bodies: dict[str, GovernanceBody]
) -> None:
    before = owners()
    with pytest.raises(ValidationError) as refused:
        services.route_owners_set(
            actor=users["admin"],
            owners={Route.CDS_COMMITTEE: bodies["cds"], Route.TRAINING: bodies["old"]},
        )
    assert refused.value.message_dict == {"training": ["This body is retired."]}
    with pytest.raises(ValidationError) as refused:
        services.route_owners_set(actor=users["admin"], owners={"nowhere": bodies["cds"]})
    assert refused.value.message_dict == {"nowhere": ["No such intake route."]}
    assert owners() == before
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("role", ["cmo", "cmio", "informaticist", "champion", "executive"])
def test_only_an_admin_sets_the_routes_and_a_refusal_changes_nothing(
    role: str,
    users: dict[str, User],
    bodies: dict[str, GovernanceBody],
    client_for: Callable[[str], Client],
) -> None:
    before = owners()
    with pytest.raises(ActionDenied):
        services.route_owners_set(actor=users[role], owners={Route.CDS_COMMITTEE: bodies["cds"]})
    client: Client = client_for(role)
    assert client.get(URL).status_code == 403
    form = dict.fromkeys(Route.values, bodies["cds"].pk)
    assert client.post(URL, form).status_code == 403
    assert owners() == before
    assert not AuditEvent.objects.exists()


def test_the_page_shows_each_route_with_its_body_and_saves_a_change(
    bodies: dict[str, GovernanceBody], client_for: Callable[[str], Client]
) -> None:
    client: Client = client_for("admin")
    page = client.get(URL)
    assert page.status_code == 200
    form = page.context["form"]
    assert [form[route].label for route in Route.values] == [str(label) for label in Route.labels]
    assert {form[route].initial for route in Route.values} == {bodies["steering"]}
    # a retired body is not offered
    assert "Old board" not in page.content.decode()

    posted = dict.fromkeys(Route.values, bodies["steering"].pk)
    response = client.post(URL, {**posted, Route.CDS_COMMITTEE: bodies["cds"].pk})

    assert response.status_code == 302
    assert owners()[Route.CDS_COMMITTEE] == "cds"


def test_a_route_left_without_a_body_is_named_and_nothing_is_saved(
    bodies: dict[str, GovernanceBody], client_for: Callable[[str], Client]
) -> None:
    client: Client = client_for("admin")
    posted = {route: bodies["cds"].pk for route in Route.values if route != Route.TRAINING}
    response = client.post(URL, posted)

    assert response.status_code == 400
    assert response.context["form"].errors == {
        Route.TRAINING: ["Choose the body that owns this route."]
    }
    assert set(owners().values()) == {"steering"}
