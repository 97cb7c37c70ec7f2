"""The kernel's API: tokens, the current user, facilities, and people (admins only)."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from informatics.api.tokens import BAD_CREDENTIALS, INACTIVE
from informatics.choices import FacilityKind, Role
from informatics.models import AuditEvent, Facility, User
from informatics.services import user_set_active
from tests.conftest import ApiAs, snapshot
from tests.factories import PASSWORD, FacilityFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"
USERS_URL = "/api/v1/users/"
FACILITIES_URL = "/api/v1/facilities/"
NON_ADMIN_ROLES = [role for role in Role.values if role != Role.ADMIN]


def make_facility(code: str, **fields: Any) -> Facility:
    facility: Facility = FacilityFactory.create(code=code, **fields)
    return facility


def queries_for(client: APIClient, url: str) -> int:
    """How many queries a GET of `url` makes, once the site settings are cached."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


# --- Token ----------------------------------------------------------------------------------


def test_good_credentials_get_a_token_that_opens_me(users: dict[str, User]) -> None:
    response = APIClient().post(
        TOKEN_URL, {"email": "CMO@Riverside.example ", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 200
    token = Token.objects.get(user=users["cmo"])
    assert response.json() == {"token": token.key}
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    me = client.get(ME_URL)
    assert me.status_code == 200
    assert me.json()["email"] == "cmo@riverside.example"


def test_asking_again_returns_the_same_token(users: dict[str, User]) -> None:
    body = {"email": "cmo@riverside.example", "password": PASSWORD}
    first = APIClient().post(TOKEN_URL, body, format="json").json()["token"]
    second = APIClient().post(TOKEN_URL, body, format="json").json()["token"]

    assert first == second
    assert Token.objects.filter(user=users["cmo"]).count() == 1


def test_a_token_sign_in_sets_last_login(users: dict[str, User]) -> None:
    APIClient().post(
        TOKEN_URL, {"email": "cmo@riverside.example", "password": PASSWORD}, format="json"
    )

    users["cmo"].refresh_from_db()
    assert users["cmo"].last_login is not None


def test_wrong_password_gets_400_and_no_token(users: dict[str, User]) -> None:
    response = APIClient().post(
        TOKEN_URL, {"email": "cmo@riverside.example", "password": "wrong"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [BAD_CREDENTIALS]}
    assert Token.objects.count() == 0


def test_missing_fields_are_named(db: None) -> None:
    response = APIClient().post(TOKEN_URL, {"email": "not-an-address"}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"email", "password"}


def test_after_the_failure_limit_even_the_right_password_is_refused(
    users: dict[str, User],
) -> None:
    client = APIClient()
    wrong = {"email": "cmo@riverside.example", "password": "wrong"}
    statuses = [
        client.post(TOKEN_URL, wrong, format="json").status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]

    # The attempt that reaches the limit is answered as a lockout already.
    assert statuses == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    right = {"email": "cmo@riverside.example", "password": PASSWORD}
    locked = client.post(TOKEN_URL, right, format="json")
    assert locked.status_code == 429
    assert "locked" in locked.json()["detail"]
    assert locked["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    assert Token.objects.count() == 0

    later = timezone.now() + settings.AXES_COOLOFF_TIME + datetime.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert client.post(TOKEN_URL, right, format="json").status_code == 200


def test_the_lockout_counts_the_address_however_it_is_spelled(users: dict[str, User]) -> None:
    client = APIClient()
    spellings = ["cmo@riverside.example", "CMO@riverside.example", " Cmo@Riverside.Example"]
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        email = spellings[attempt % len(spellings)]
        client.post(TOKEN_URL, {"email": email, "password": "wrong"}, format="json")

    right = {"email": "cmo@riverside.example", "password": PASSWORD}
    assert client.post(TOKEN_URL, right, format="json").status_code == 429


def test_the_token_endpoint_is_throttled_per_address(db: None) -> None:
    client = APIClient()
    # Different (unknown) accounts, so that no account lockout is involved.
    statuses = [
        client.post(
            TOKEN_URL, {"email": f"nobody{n}@riverside.example", "password": "x"}, format="json"
        ).status_code
        for n in range(31)
    ]

    assert statuses == [400] * 30 + [429]


def test_deactivated_user_cannot_get_a_token_and_their_old_token_is_refused(
    users: dict[str, User],
    api_as: ApiAs,
) -> None:
    old = api_as(users["champion"])
    assert old.get(ME_URL).status_code == 200

    user_set_active(actor=users["admin"], user=users["champion"], is_active=False)

    refused = old.get(ME_URL)
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Token"
    response = APIClient().post(
        TOKEN_URL, {"email": "champion@riverside.example", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [INACTIVE]}
    assert Token.objects.filter(user=users["champion"]).count() == 0


def test_deactivated_user_with_a_wrong_password_learns_nothing(users: dict[str, User]) -> None:
    user_set_active(actor=users["admin"], user=users["champion"], is_active=False)

    response = APIClient().post(
        TOKEN_URL, {"email": "champion@riverside.example", "password": "wrong"}, format="json"
    )

    assert response.json() == {"non_field_errors": [BAD_CREDENTIALS]}


# --- Anonymous ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", [ME_URL, FACILITIES_URL, "/api/v1/priorities/", USERS_URL, "/api/schema/"]
)
def test_anonymous_api_request_gets_401_with_www_authenticate(db: None, url: str) -> None:
    response = APIClient().get(url)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


# --- Me -------------------------------------------------------------------------------------


def test_me_describes_the_caller(make_user: Callable[..., User], api_as: ApiAs) -> None:
    system = make_facility("riverside", name="Riverside Health")
    hospital = make_facility("nrh", kind=FacilityKind.HOSPITAL, parent=system)
    unit = make_facility("nrh-ms", kind=FacilityKind.UNIT, parent=hospital)
    user = make_user(
        Role.CHAMPION,
        Role.INFORMATICIST,
        email="fischer@riverside.example",
        full_name="Samuel Fischer",
        title="Hospitalist",
        specialty="Hospital Medicine",
    )
    user.facilities.set([unit, hospital])

    response = api_as(user).get(ME_URL)

    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "email": "fischer@riverside.example",
        "full_name": "Samuel Fischer",
        "title": "Hospitalist",
        "specialty": "Hospital Medicine",
        "roles": ["informaticist", "champion"],
        "facilities": ["nrh", "nrh-ms"],
        "landing_url": "/home/informaticist/",
    }


def test_me_works_with_a_session(client_for: Callable, users: dict[str, User]) -> None:
    response = client_for(Role.CMO).get(ME_URL)

    assert response.status_code == 200
    assert response.json()["roles"] == ["cmo"]
    assert response.json()["landing_url"] == "/home/cmo/"


# --- Facilities -----------------------------------------------------------------------------


@pytest.fixture
def riverside(db: None) -> dict[str, Facility]:
    system = make_facility("riverside", name="Riverside Health")
    rmc = make_facility(
        "rmc", name="Riverside Medical Center", kind=FacilityKind.HOSPITAL, parent=system
    )
    icu = make_facility("rmc-micu", name="RMC Medical ICU", kind=FacilityKind.UNIT, parent=rmc)
    clinic = make_facility(
        "uc-bayview", name="Urgent Care Bayview", kind=FacilityKind.CLINIC, parent=system
    )
    return {"system": system, "rmc": rmc, "icu": icu, "clinic": clinic}


@pytest.mark.parametrize("role", Role.values)
def test_every_role_reads_facilities(
    users: dict[str, User], riverside: dict[str, Facility], role: str, api_as: ApiAs
) -> None:
    response = api_as(users[role]).get(FACILITIES_URL)

    assert response.status_code == 200
    assert response.json()["count"] == 4


def test_facility_detail_names_kind_and_parent(
    users: dict[str, User], riverside: dict[str, Facility], api_as: ApiAs
) -> None:
    icu = riverside["icu"]

    response = api_as(users["champion"]).get(f"{FACILITIES_URL}{icu.pk}/")

    assert response.json() == {
        "id": icu.pk,
        "code": "rmc-micu",
        "name": "RMC Medical ICU",
        "kind": "unit",
        "parent": "rmc",
        "parent_id": riverside["rmc"].pk,
        "beds": None,
        "is_active": True,
    }


def test_facilities_filter_by_kind_and_parent(
    users: dict[str, User], riverside: dict[str, Facility], api_as: ApiAs
) -> None:
    client = api_as(users["cmo"])

    by_kind = client.get(FACILITIES_URL, {"kind": "clinic"}).json()
    by_parent = client.get(FACILITIES_URL, {"parent": riverside["system"].pk}).json()

    assert [row["code"] for row in by_kind["results"]] == ["uc-bayview"]
    assert sorted(row["code"] for row in by_parent["results"]) == ["rmc", "uc-bayview"]


def test_facilities_filter_rejects_an_unknown_kind(
    users: dict[str, User], riverside: dict[str, Facility], api_as: ApiAs
) -> None:
    response = api_as(users["cmo"]).get(FACILITIES_URL, {"kind": "spaceport"})

    assert response.status_code == 400
    assert "kind" in response.json()


def _add_clinics(parent: Facility, numbers: range) -> None:
    Facility.objects.bulk_create(
        Facility(code=f"clinic-{n}", name=f"Clinic {n}", kind=FacilityKind.CLINIC, parent=parent)
        for n in numbers
    )


def test_facility_list_query_count_does_not_grow(users: dict[str, User], api_as: ApiAs) -> None:
    system = make_facility("riverside")
    client = api_as(users["champion"])
    _add_clinics(system, range(1))
    at_two = queries_for(client, FACILITIES_URL)
    _add_clinics(system, range(1, 199))
    assert Facility.objects.count() == 200
    at_two_hundred = queries_for(client, FACILITIES_URL)

    # token + user; the user's groups (roles); count; the page with parents joined
    assert at_two == at_two_hundred == 4


# --- People (admins only) -------------------------------------------------------------------


# Every person with their roles, facilities and tokens, and the audit trail (compared whole
# with `snapshot`).
PEOPLE = (User, User.groups.through, User.facilities.through, Token, AuditEvent)


def test_admin_lists_people_with_roles_and_facilities(
    users: dict[str, User], riverside: dict[str, Facility], api_as: ApiAs
) -> None:
    users["champion"].facilities.set([riverside["icu"]])

    response = api_as(users["admin"]).get(USERS_URL, {"role": "champion"})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row == {
        "id": users["champion"].pk,
        "email": "champion@riverside.example",
        "full_name": "Demo CHAMPION",
        "title": "",
        "specialty": "",
        "roles": ["champion"],
        "facilities": ["rmc-micu"],
        "is_active": True,
        "date_joined": row["date_joined"],
        "last_login": None,
    }


def test_admin_invites_a_person(
    users: dict[str, User], riverside: dict[str, Facility], api_as: ApiAs
) -> None:
    response = api_as(users["admin"]).post(
        USERS_URL,
        {
            "email": "New.Doctor@Riverside.example",
            "full_name": "Nadia Haddad",
            "title": "Cardiologist",
            "roles": ["champion", "executive"],
            "facilities": ["rmc"],
        },
        format="json",
    )

    assert response.status_code == 201
    person = User.objects.get(email="new.doctor@riverside.example")
    assert response.json()["id"] == person.pk
    assert response.json()["roles"] == ["executive", "champion"]
    assert response.json()["facilities"] == ["rmc"]
    assert not person.has_usable_password()


def test_invite_names_bad_fields_and_saves_nothing(users: dict[str, User], api_as: ApiAs) -> None:
    client = api_as(users["admin"])
    before = snapshot(*PEOPLE)

    unknown_role = client.post(
        USERS_URL,
        {"email": "x@riverside.example", "full_name": "X", "roles": ["surgeon"]},
        format="json",
    )
    taken = client.post(
        USERS_URL,
        {"email": "cmo@riverside.example", "full_name": "Twin", "roles": ["cmo"]},
        format="json",
    )
    unknown_facility = client.post(
        USERS_URL,
        {"email": "y@riverside.example", "full_name": "Y", "roles": ["cmo"], "facilities": ["zz"]},
        format="json",
    )

    # A role outside the list is bad input; a taken e-mail address conflicts with an account
    # that exists; a facility code that names none is not found.
    assert (unknown_role.status_code, taken.status_code, unknown_facility.status_code) == (
        400,
        409,
        404,
    )
    assert set(unknown_role.json()) == {"roles"}
    assert taken.json() == {"email": ["cmo@riverside.example already has an account."]}
    assert set(unknown_facility.json()) == {"facilities"}
    assert snapshot(*PEOPLE) == before


def test_admin_changes_roles_and_facilities(
    users: dict[str, User], riverside: dict[str, Facility], api_as: ApiAs
) -> None:
    target = users["champion"]

    response = api_as(users["admin"]).patch(
        f"{USERS_URL}{target.pk}/",
        {"roles": ["champion", "informaticist"], "facilities": ["rmc", "rmc-micu"]},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["roles"] == ["informaticist", "champion"]
    assert response.json()["facilities"] == ["rmc", "rmc-micu"]
    assert response.json()["full_name"] == "Demo CHAMPION"
    target.refresh_from_db()
    assert target.roles == ("informaticist", "champion")


def test_admin_deactivates_and_reactivates_a_person(users: dict[str, User], api_as: ApiAs) -> None:
    target = users["executive"]
    Token.objects.create(user=target)
    client = api_as(users["admin"])

    off = client.post(f"{USERS_URL}{target.pk}/active/", {"is_active": False}, format="json")
    on = client.post(f"{USERS_URL}{target.pk}/active/", {"is_active": True}, format="json")

    assert off.status_code == 200
    assert off.json()["is_active"] is False
    assert off.json()["roles"] == ["executive"]  # kept while inactive
    assert on.json()["is_active"] is True
    assert Token.objects.filter(user=target).count() == 0


def test_admin_cannot_deactivate_themself(users: dict[str, User], api_as: ApiAs) -> None:
    admin = users["admin"]

    response = api_as(admin).post(
        f"{USERS_URL}{admin.pk}/active/", {"is_active": False}, format="json"
    )

    assert response.status_code == 409  # the account's own state refuses it
    assert response.json() == {"is_active": ["You cannot deactivate your own account."]}
    admin.refresh_from_db()
    assert admin.is_active


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_non_admins_cannot_read_people(users: dict[str, User], role: str, api_as: ApiAs) -> None:
    client = api_as(users[role])

    assert client.get(USERS_URL).status_code == 403
    assert client.get(f"{USERS_URL}{users['cmo'].pk}/").status_code == 403


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_non_admins_cannot_invite(
    users: dict[str, User], riverside: dict[str, Facility], role: str, api_as: ApiAs
) -> None:
    client = api_as(users[role])
    before = snapshot(*PEOPLE)

    response = client.post(
        USERS_URL,
        {"email": "sneaky@riverside.example", "full_name": "Sneaky", "roles": ["admin"]},
        format="json",
    )

    assert response.status_code == 403
    assert snapshot(*PEOPLE) == before


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_non_admins_cannot_change_roles_or_facilities(
    users: dict[str, User], riverside: dict[str, Facility], role: str, api_as: ApiAs
) -> None:
    client = api_as(users[role])
    before = snapshot(*PEOPLE)

    response = client.patch(
        f"{USERS_URL}{users[role].pk}/",
        {"roles": ["admin"], "facilities": ["rmc"], "full_name": "Promoted"},
        format="json",
    )

    assert response.status_code == 403
    assert snapshot(*PEOPLE) == before


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_non_admins_cannot_deactivate(users: dict[str, User], role: str, api_as: ApiAs) -> None:
    client = api_as(users[role])
    before = snapshot(*PEOPLE)

    response = client.post(
        f"{USERS_URL}{users['admin'].pk}/active/", {"is_active": False}, format="json"
    )

    assert response.status_code == 403
    assert snapshot(*PEOPLE) == before


def _add_people(numbers: range) -> None:
    champion = Group.objects.get_or_create(name=Role.CHAMPION)[0]
    people = User.objects.bulk_create(
        User(email=f"bulk{n}@riverside.example", full_name=f"Bulk {n}", password="!")
        for n in numbers
    )
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=person.pk, group_id=champion.pk) for person in people
    )


def test_people_list_query_count_does_not_grow(users: dict[str, User], api_as: ApiAs) -> None:
    User.objects.exclude(pk=users["admin"].pk).delete()
    client = api_as(users["admin"])
    _add_people(range(1))
    at_two = queries_for(client, USERS_URL)
    _add_people(range(1, 199))
    assert User.objects.count() == 200
    at_two_hundred = queries_for(client, USERS_URL)

    # token + user; the admin's groups; count; the page; its groups; its facilities
    assert at_two == at_two_hundred == 6
