"""People named on records carry their e-mail address only to admins and to themselves: the
address is what an attacker needs to lock or phish an account."""

from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command

from informatics.choices import Role
from informatics.models import StrategicPriority, User
from tests.conftest import ApiAs
from tests.factories import PriorityFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/priorities/"


@pytest.fixture
def priority(users: dict[str, User]) -> StrategicPriority:
    made: StrategicPriority = PriorityFactory.create(executive_sponsor=users[Role.CMO])
    return made


def sponsor_seen_by(viewer: User, api_as: ApiAs, priority: StrategicPriority) -> dict[str, Any]:
    listed = api_as(viewer).get(URL).json()["results"]
    detail = api_as(viewer).get(f"{URL}{priority.pk}/").json()
    assert [row["executive_sponsor"] for row in listed] == [detail["executive_sponsor"]]
    sponsor: dict[str, Any] = detail["executive_sponsor"]
    return sponsor


@pytest.mark.parametrize("role", [Role.CHAMPION, Role.INFORMATICIST, Role.CMIO, Role.EXECUTIVE])
def test_other_people_see_no_email(
    users: dict[str, User], api_as: ApiAs, priority: StrategicPriority, role: str
) -> None:
    cmo = users[Role.CMO]

    assert sponsor_seen_by(users[role], api_as, priority) == {
        "id": cmo.pk,
        "full_name": cmo.full_name,
        "email": None,
    }


def test_the_person_sees_their_own_email(
    users: dict[str, User], api_as: ApiAs, priority: StrategicPriority
) -> None:
    cmo = users[Role.CMO]

    assert sponsor_seen_by(cmo, api_as, priority) == {
        "id": cmo.pk,
        "full_name": cmo.full_name,
        "email": "cmo@riverside.example",
    }


def test_an_admin_sees_the_email_in_reads_and_in_a_write_answer(
    users: dict[str, User], api_as: ApiAs, priority: StrategicPriority
) -> None:
    cmo, admin = users[Role.CMO], users[Role.ADMIN]
    expected = {"id": cmo.pk, "full_name": cmo.full_name, "email": "cmo@riverside.example"}

    assert sponsor_seen_by(admin, api_as, priority) == expected
    edited = api_as(admin).patch(
        f"{URL}{priority.pk}/", {"title": "Zero harm", "version": priority.version}, format="json"
    )
    assert edited.status_code == 200, edited.content
    assert edited.json()["executive_sponsor"] == expected


def test_a_session_reader_sees_no_email_either(
    users: dict[str, User], client_for: Any, priority: StrategicPriority
) -> None:
    body = client_for(Role.CHAMPION).get(f"{URL}{priority.pk}/").json()

    assert body["executive_sponsor"]["email"] is None


def test_the_schema_documents_the_email_as_nullable(tmp_path: Path) -> None:
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    person = yaml.safe_load(target.read_text())["components"]["schemas"]["PersonRefOutput"]

    assert person["properties"]["email"] == {
        "type": "string",
        "format": "email",
        "nullable": True,
        "description": "Only for admins and for the person themself; null for everyone else.",
        "readOnly": True,
    }
    assert person["required"] == ["email", "full_name", "id"]
