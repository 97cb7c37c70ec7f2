"""Single sign-on against a real OpenID Connect provider (panva's oidc-provider, started on
127.0.0.1 by tests/sso.py): groups map to roles, pinned roles stay, a disabled user is refused and
loses their session and API token within 15 minutes, and every error of the provider's answer
ends on a clear page with no one signed in."""

import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from informatics.choices import Role
from informatics.env import env_pairs
from informatics.models import AuditEvent, GroupRoleMapping, IdentityLink, PinnedRole, User
from informatics.services import user_token_create
from tests.conftest import snapshot
from tests.factories import UserFactory
from tests.sso import OidcProvider, provider_round_trip, sign_in_through_provider

HOME = "/home/cmio/"


@pytest.fixture
def mapping(db: None) -> None:
    GroupRoleMapping.objects.create(group="IS-Informatics-CMIO", role="cmio")
    GroupRoleMapping.objects.create(group="IS-Physician-Champions", role="champion")
    GroupRoleMapping.objects.create(group="IS-Portal-Admins", role="admin")


def signed_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def roles_of(email: str) -> tuple[str, ...]:
    return User.objects.get(email=email).roles


# --- Groups → roles (Done when 2) -------------------------------------------------------------


def test_groups_claim_gives_exactly_the_mapped_roles(oidc: OidcProvider, mapping: None) -> None:
    oidc.account(
        "ana",
        email="Ana.Lopez@Riverside.example",
        name="Ana López",
        groups=["IS-Informatics-CMIO", "All-Staff", "is-physician-champions"],
    )
    client = Client()

    response = sign_in_through_provider(client, "ana", next_url="/requests/")

    assert response.status_code == 302
    assert response["Location"] == "/requests/"
    user = User.objects.get(email="ana.lopez@riverside.example")
    assert signed_in_user(client) == user
    assert user.full_name == "Ana López"
    assert user.roles == ("cmio", "champion")
    assert not user.has_usable_password()
    link = IdentityLink.objects.get(user=user)
    assert (link.issuer, link.subject) == (oidc.issuer, "ana")
    assert link.refresh_token != ""
    created = AuditEvent.objects.filter(object_id=str(user.pk)).order_by("id")
    assert [(event.action, event.actor_id) for event in created] == [
        ("create", None),
        ("update", None),
    ]
    assert created[1].changes == {"roles": [[], ["champion", "cmio"]]}
    assert created[1].note == "single sign-on"


def test_removing_a_group_at_the_provider_removes_the_role_at_the_next_sign_in(
    oidc: OidcProvider, mapping: None
) -> None:
    oidc.account("ben", groups=["IS-Informatics-CMIO", "IS-Portal-Admins"])
    sign_in_through_provider(Client(), "ben")
    ben = User.objects.get(email="ben@example.org")
    assert ben.roles == ("cmio", "admin")
    assert (ben.is_staff, ben.is_superuser) == (True, True)

    oidc.change("ben", groups=["IS-Informatics-CMIO"])
    response = sign_in_through_provider(Client(), "ben")

    assert response.status_code == 302
    ben = User.objects.get(email="ben@example.org")
    assert ben.roles == ("cmio",)
    assert (ben.is_staff, ben.is_superuser) == (False, False)
    assert User.objects.filter(email="ben@example.org").count() == 1


def test_a_pinned_role_stays_when_the_provider_does_not_grant_it(
    oidc: OidcProvider, mapping: None
) -> None:
    carla = UserFactory.create(email="carla@example.org", roles=["cmio", "executive"])
    PinnedRole.objects.create(user=carla, role="executive")
    oidc.account("carla", groups=["IS-Physician-Champions"])

    sign_in_through_provider(Client(), "carla")

    assert roles_of("carla@example.org") == ("executive", "champion")

    oidc.change("carla", groups=[])
    response = sign_in_through_provider(Client(), "carla")

    assert response.status_code == 302
    assert roles_of("carla@example.org") == ("executive",)


def test_the_environment_mapping_applies_while_the_admin_has_none(
    oidc: OidcProvider, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OIDC_GROUP_ROLES", "IS-Exec=executive, IS-Exec=champion,IS-CMO=cmo")
    settings.OIDC_GROUP_ROLES = env_pairs("OIDC_GROUP_ROLES", allowed=Role.values)
    oidc.account("dee", groups=["IS-Exec"])

    sign_in_through_provider(Client(), "dee")

    assert roles_of("dee@example.org") == ("executive", "champion")


def test_an_existing_local_account_is_linked_by_its_email_address(
    oidc: OidcProvider, mapping: None
) -> None:
    local = UserFactory.create(email="eve@example.org", full_name="Eve Old", roles=["champion"])
    oidc.account(
        "eve-guid", email="EVE@example.org", name="Eve New", groups=["IS-Informatics-CMIO"]
    )
    client = Client()

    sign_in_through_provider(client, "eve-guid")

    assert signed_in_user(client) == local
    local.refresh_from_db()
    assert (local.full_name, local.roles) == ("Eve New", ("cmio",))
    assert IdentityLink.objects.get(user=local).subject == "eve-guid"


def test_an_unverified_address_links_no_existing_account(oidc: OidcProvider, mapping: None) -> None:
    UserFactory.create(email="vic@example.org", roles=["admin"])
    oidc.account("mallory", email="vic@example.org", groups=["IS-Informatics-CMIO"])
    oidc.change("mallory", email_verified=False)
    client = Client()
    before = snapshot(User)

    response = sign_in_through_provider(client, "mallory")

    assert response.status_code == 403
    assert "has not verified vic@example.org" in response.text
    assert signed_in_user(client) is None
    assert snapshot(User) == before
    assert IdentityLink.objects.count() == 0


def test_someone_with_no_mapped_group_is_refused_and_not_created(
    oidc: OidcProvider, mapping: None
) -> None:
    oidc.account("finn", groups=["All-Staff"])
    client = Client()

    response = sign_in_through_provider(client, "finn")

    assert response.status_code == 403
    assert "None of your groups at the identity provider gives a role" in response.text
    assert signed_in_user(client) is None
    assert not User.objects.filter(email="finn@example.org").exists()
    assert IdentityLink.objects.count() == 0


def test_an_account_deactivated_in_the_portal_is_refused(oidc: OidcProvider, mapping: None) -> None:
    UserFactory.create(email="gia@example.org", roles=["cmio"], is_active=False)
    oidc.account("gia", groups=["IS-Informatics-CMIO"])
    client = Client()

    response = sign_in_through_provider(client, "gia")

    assert response.status_code == 403
    assert "deactivated" in response.text
    assert signed_in_user(client) is None
    assert IdentityLink.objects.count() == 0


# --- Deprovisioning (Done when 3) -------------------------------------------------------------


def test_a_user_disabled_at_the_provider_is_refused_at_the_next_sign_in(
    oidc: OidcProvider, mapping: None
) -> None:
    oidc.account("hal", groups=["IS-Informatics-CMIO"])
    sign_in_through_provider(Client(), "hal")
    oidc.change("hal", disabled=True)
    client = Client()

    response = sign_in_through_provider(client, "hal")

    assert response.status_code == 400
    assert "did not let you sign in" in response.text
    assert signed_in_user(client) is None
    assert client.get(HOME).status_code == 302


def test_fifteen_minutes_on_a_disabled_users_session_ends_and_their_token_is_refused(
    oidc: OidcProvider, mapping: None, time_machine: Any
) -> None:
    oidc.account("ida", groups=["IS-Informatics-CMIO"])
    client = Client()
    sign_in_through_provider(client, "ida")
    ida = User.objects.get(email="ida@example.org")
    key = user_token_create(user=ida).key
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(HOME).status_code == 200
    assert api.get("/api/v1/me/").status_code == 200

    oidc.change("ida", disabled=True)
    time_machine.shift(datetime.timedelta(minutes=14))
    assert client.get(HOME).status_code == 200  # not re-checked yet
    assert api.get("/api/v1/me/").status_code == 200

    time_machine.shift(datetime.timedelta(minutes=1))
    page = client.get(HOME)

    assert page.status_code == 401
    assert "identity provider no longer confirms your account" in page.text
    assert signed_in_user(client) is None
    assert client.get(HOME).status_code == 302
    refused = api.get("/api/v1/me/")
    assert refused.status_code == 401
    assert Token.objects.filter(user=ida).count() == 0
    ida.refresh_from_db()
    assert ida.session_generation == 1
    assert IdentityLink.objects.get(user=ida).refresh_token == ""


def test_pages_between_two_checks_ask_nothing_about_the_provider_link(
    oidc: OidcProvider, mapping: None, time_machine: Any
) -> None:
    oidc.account("lee", groups=["IS-Informatics-CMIO"])
    client = Client()
    sign_in_through_provider(client, "lee")
    link_table = IdentityLink._meta.db_table

    def link_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(HOME).status_code == 200
        return sum(link_table in query["sql"] for query in queries.captured_queries)

    assert link_queries() == 1  # the first page learns until when the sign-in holds
    time_machine.shift(datetime.timedelta(minutes=14))
    assert link_queries() == 0
    time_machine.shift(datetime.timedelta(minutes=1))
    assert link_queries() == 3  # read, locked, confirmed again by the provider
    assert link_queries() == 0


def test_the_api_token_alone_is_refused_fifteen_minutes_on(
    oidc: OidcProvider, mapping: None, time_machine: Any
) -> None:
    oidc.account("jon", groups=["IS-Informatics-CMIO"])
    sign_in_through_provider(Client(), "jon")
    jon = User.objects.get(email="jon@example.org")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {user_token_create(user=jon).key}")
    oidc.change("jon", disabled=True)
    time_machine.shift(datetime.timedelta(minutes=15))

    response = api.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json() == {
        "detail": "The identity provider no longer confirms this account: its token was revoked."
    }
    assert Token.objects.filter(user=jon).count() == 0


def test_a_user_the_provider_still_knows_is_confirmed_again_and_stays(
    oidc: OidcProvider, mapping: None, time_machine: Any
) -> None:
    oidc.account("kim", groups=["IS-Informatics-CMIO"])
    client = Client()
    sign_in_through_provider(client, "kim")
    kim = User.objects.get(email="kim@example.org")
    first = IdentityLink.objects.get(user=kim)
    time_machine.shift(datetime.timedelta(minutes=16))

    assert client.get(HOME).status_code == 200

    again = IdentityLink.objects.get(user=kim)
    assert again.checked_at - first.checked_at >= datetime.timedelta(minutes=16)
    assert again.refresh_token != ""
    assert client.get(HOME).status_code == 200


def test_a_user_the_provider_no_longer_knows_loses_their_session(
    oidc: OidcProvider, mapping: None, time_machine: Any
) -> None:
    oidc.account("lee", groups=["IS-Informatics-CMIO"])
    client = Client()
    sign_in_through_provider(client, "lee")
    oidc.update(accounts={})
    time_machine.shift(datetime.timedelta(minutes=15))

    assert client.get(HOME).status_code == 401
    assert signed_in_user(client) is None


# --- Errors of the provider's answer (Done when 5) -------------------------------------------


def callback_for(client: Client, login: str) -> str:
    """The portal's redirect URI as the provider sends the browser back (path and query)."""
    start = client.get("/sso/login/")
    return provider_round_trip(start["Location"], login=login).removeprefix("http://testserver")


def assert_error_page(response: Any, client: Client, text: str) -> None:
    assert response.status_code == 400
    assert text in response.text
    assert "<title>Sign-in failed" in response.text
    assert 'class="brand"' in response.text  # the portal's layout
    assert "Traceback" not in response.text
    assert signed_in_user(client) is None
    assert User.objects.count() == 0
    assert IdentityLink.objects.count() == 0


def test_a_tampered_state_ends_on_an_error_page(oidc: OidcProvider, mapping: None) -> None:
    oidc.account("max", groups=["IS-Informatics-CMIO"])
    client = Client()
    callback = callback_for(client, "max")
    query = dict(parse_qsl(urlsplit(callback).query))
    query["state"] = query["state"][:-2] + ("AA" if not query["state"].endswith("AA") else "BB")

    response = client.get("/sso/callback/?" + urlencode(query))

    assert_error_page(response, client, "expired or was altered")


def test_a_wrong_audience_ends_on_an_error_page(oidc: OidcProvider, mapping: None) -> None:
    oidc.account("ned", groups=["IS-Informatics-CMIO"])
    oidc.update(id_token_audience="some-other-application")
    client = Client()

    response = sign_in_through_provider(client, "ned")

    assert_error_page(response, client, "was not meant for this portal")


def test_an_expired_id_token_ends_on_an_error_page(
    oidc: OidcProvider, mapping: None, time_machine: Any
) -> None:
    oidc.account("ola", groups=["IS-Informatics-CMIO"])
    client = Client()
    callback = callback_for(client, "ola")
    # The provider's ID tokens last ten minutes (the sign-in state an hour); two more minutes
    # of allowed clock skew pass too.
    time_machine.shift(datetime.timedelta(minutes=13))

    response = client.get(callback)

    assert_error_page(response, client, "had expired")


def test_an_expired_sign_in_state_ends_on_an_error_page(
    oidc: OidcProvider, mapping: None, time_machine: Any
) -> None:
    oidc.account("pia", groups=["IS-Informatics-CMIO"])
    client = Client()
    callback = callback_for(client, "pia")
    time_machine.shift(datetime.timedelta(minutes=61))

    response = client.get(callback)

    assert_error_page(response, client, "expired or was altered")


def test_denied_consent_ends_on_an_error_page(oidc: OidcProvider, mapping: None) -> None:
    oidc.account("quin", groups=["IS-Informatics-CMIO"])
    client = Client()

    response = sign_in_through_provider(client, "quin", deny=True)

    assert_error_page(response, client, "did not let you sign in")


def test_a_replayed_callback_signs_no_one_in(oidc: OidcProvider, mapping: None) -> None:
    oidc.account("rae", groups=["IS-Informatics-CMIO"])
    first = Client()
    callback = callback_for(first, "rae")
    assert first.get(callback).status_code == 302
    other = Client()

    response = other.get(callback)

    assert response.status_code == 400
    assert signed_in_user(other) is None
