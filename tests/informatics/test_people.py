"""People, facilities and site settings pages (admin only, except the facility tree), and the
administration site: invitations, role and facility edits, deactivation, refused roles."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from informatics import services
from informatics.choices import DEFAULT_SLA_HOURS, AuditAction, Role, Route
from informatics.models import AuditEvent, Facility, SiteSettings, StrategicPriority, User
from tests.conftest import snapshot
from tests.factories import PASSWORD, FacilityFactory, PriorityFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Tulip-orbit-7731"
NON_ADMIN_ROLES = sorted(set(Role.values) - {Role.ADMIN})


@pytest.fixture
def admin(client_for: Callable[[str], Client]) -> Client:
    return client_for("admin")


@pytest.fixture
def riverside() -> dict[str, Facility]:
    system = FacilityFactory.create(code="riverside", name="Riverside Health", kind="system")
    north = FacilityFactory.create(
        code="north", name="North Hospital", kind="hospital", parent=system
    )
    icu = FacilityFactory.create(code="north-icu", name="North ICU", kind="unit", parent=north)
    clinic = FacilityFactory.create(
        code="east-clinic", name="East Clinic", kind="clinic", parent=system
    )
    return {"system": system, "north": north, "icu": icu, "clinic": clinic}


def sign_in(client: Client, email: str, password: str) -> Any:
    """Sign in through the login form, as a person would."""
    return client.post(reverse("login"), {"username": email, "password": password})


def signed_in_as(client: Client) -> int | None:
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


# --- Invitations ----------------------------------------------------------------------------


def test_an_invitation_sends_one_email_whose_link_sets_a_password_to_sign_in_with(
    admin: Client,
    users: dict[str, User],
    riverside: dict[str, Facility],
    django_capture_on_commit_callbacks: Any,
) -> None:
    SiteSettings.objects.update_or_create(pk=1, defaults={"organisation_name": "Riverside Health"})

    # Given an admin invites a new physician champion at North Hospital
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("informatics:person-invite"),
            {
                "email": "Ana.Ruiz@Riverside.example",
                "full_name": "Ana Ruiz",
                "title": "Hospitalist",
                "specialty": "Internal medicine",
                "roles": ["champion"],
                "facilities": [riverside["north"].pk],
            },
        )

    # then the account exists, with no usable password yet
    invited = User.objects.get(email="ana.ruiz@riverside.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("informatics:person-detail", args=[invited.pk])
    assert (invited.full_name, invited.title, invited.specialty) == (
        "Ana Ruiz",
        "Hospitalist",
        "Internal medicine",
    )
    assert invited.roles == ("champion",)
    assert list(invited.facilities.values_list("code", flat=True)) == ["north"]
    assert invited.has_usable_password() is False

    # and exactly one e-mail went to the invitee, from the admin, with a set-password link
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana.ruiz@riverside.example"]
    assert message.subject == "You are invited to the Riverside Health informatics portal"
    assert "Demo ADMIN has invited you to the Riverside Health informatics portal." in message.body
    links = re.findall(r"http://testserver/accounts/reset/[^/\s]+/[^/\s]+/", str(message.body))
    assert len(links) == 1

    # when the invitee follows the link and chooses a password
    invitee = Client()
    form_page = invitee.get(links[0], follow=True)
    assert form_page.status_code == 200
    set_password_url = form_page.redirect_chain[-1][0]
    assert set_password_url.endswith("/set-password/")
    done = invitee.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("password_reset_complete")

    # then they can sign in with it
    assert sign_in(invitee, "ana.ruiz@riverside.example", NEW_PASSWORD).status_code == 302
    assert signed_in_as(invitee) == invited.pk
    # and the link does not work a second time
    again = Client().get(links[0], follow=True)
    assert again.context["validlink"] is False


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": ""}, "email", "An e-mail address is required."),
        (
            {"email": "not-an-address"},
            "email",
            "Enter a valid e-mail address, e.g. name@hospital.org.",
        ),
        (
            {"email": "CMO@riverside.example"},
            "email",
            "cmo@riverside.example already has an account.",
        ),
        ({"full_name": " "}, "full_name", "A name is required."),
        ({"roles": []}, "roles", "Give the person at least one role."),
        (
            {"roles": ["surgeon"]},
            "roles",
            "Select a valid choice. surgeon is not one of the available choices.",
        ),
    ],
)
def test_bad_input_on_an_invitation_names_the_field_and_sends_nothing(
    admin: Client,
    users: dict[str, User],
    changes: dict[str, Any],
    field: str,
    message: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    data = {
        "email": "new@riverside.example",
        "full_name": "New Person",
        "roles": ["cmio"],
        **changes,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("informatics:person-invite"), data)

    assert response.status_code == 200
    assert dict(response.context["form"].errors) == {field: [message]}
    assert User.objects.count() == len(users)
    assert AuditEvent.objects.count() == 0
    assert mail.outbox == []


def test_the_invitation_is_audited(
    admin: Client, users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(
            reverse("informatics:person-invite"),
            {"email": "new@riverside.example", "full_name": "New Person", "roles": ["cmio", "cmo"]},
        )

    invited = User.objects.get(email="new@riverside.example")
    events = list(AuditEvent.objects.filter(object_id=str(invited.pk)).order_by("id"))
    assert [(e.action, e.actor) for e in events] == [
        (AuditAction.CREATE, users["admin"]),
        (AuditAction.UPDATE, users["admin"]),
    ]
    assert events[0].changes == {
        "email": [None, "new@riverside.example"],
        "full_name": [None, "New Person"],
        "title": [None, ""],
        "specialty": [None, ""],
    }
    assert events[1].changes == {"roles": [None, ["cmio", "cmo"]], "facilities": [None, []]}


# --- Editing roles and facilities -----------------------------------------------------------


def test_role_and_facility_edits_are_saved_and_audited(
    admin: Client, users: dict[str, User], riverside: dict[str, Facility]
) -> None:
    person = users["informaticist"]
    url = reverse("informatics:person-edit", args=[person.pk])
    page = admin.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["roles"] == ["informaticist"]

    response = admin.post(
        url,
        {
            "full_name": "Priya Nair",
            "title": "Nurse informaticist",
            "specialty": "",
            "roles": ["informaticist", "cmio"],
            "facilities": [riverside["north"].pk, riverside["clinic"].pk],
        },
    )

    assert response.status_code == 302
    person = User.objects.get(pk=person.pk)
    assert person.roles == ("cmio", "informaticist")
    assert sorted(person.facilities.values_list("code", flat=True)) == ["east-clinic", "north"]
    assert (person.full_name, person.title) == ("Priya Nair", "Nurse informaticist")
    events = list(AuditEvent.objects.filter(object_id=str(person.pk)).order_by("id"))
    assert [(e.actor, e.changes) for e in events] == [
        (
            users["admin"],
            {
                "full_name": ["Demo INFORMATICIST", "Priya Nair"],
                "title": ["", "Nurse informaticist"],
            },
        ),
        (
            users["admin"],
            {
                "roles": [["informaticist"], ["cmio", "informaticist"]],
                "facilities": [[], ["east-clinic", "north"]],
            },
        ),
    ]
    detail = admin.get(reverse("informatics:person-detail", args=[person.pk]))
    assert "CMIO" in detail.text
    assert "Informaticist" in detail.text
    assert "<td>East Clinic, North Hospital</td>" in detail.text


def test_a_person_at_a_closed_facility_can_still_be_edited(
    admin: Client, users: dict[str, User], riverside: dict[str, Facility]
) -> None:
    person = users["cmio"]
    closed = riverside["clinic"]
    person.facilities.set([closed])
    Facility.objects.filter(pk=closed.pk).update(is_active=False)

    response = admin.post(
        reverse("informatics:person-edit", args=[person.pk]),
        {"full_name": "Renamed", "roles": ["cmio"], "facilities": [closed.pk]},
    )

    assert response.status_code == 302
    assert User.objects.get(pk=person.pk).full_name == "Renamed"
    assert list(person.facilities.values_list("code", flat=True)) == ["east-clinic"]


def test_an_edit_without_roles_is_refused_by_name(admin: Client, users: dict[str, User]) -> None:
    person = users["cmio"]
    response = admin.post(
        reverse("informatics:person-edit", args=[person.pk]), {"full_name": "X", "roles": []}
    )

    assert dict(response.context["form"].errors) == {
        "roles": ["Give the person at least one role."]
    }
    assert User.objects.get(pk=person.pk).roles == ("cmio",)
    assert AuditEvent.objects.count() == 0


def test_an_admin_cannot_remove_their_own_admin_role(admin: Client, users: dict[str, User]) -> None:
    me = users["admin"]
    response = admin.post(
        reverse("informatics:person-edit", args=[me.pk]), {"full_name": "Me", "roles": ["cmo"]}
    )

    assert dict(response.context["form"].errors) == {
        "roles": ["You cannot remove your own admin role."]
    }
    assert User.objects.get(pk=me.pk).roles == ("admin",)


def test_admin_role_gives_the_administration_site_and_taking_it_away_removes_it(
    users: dict[str, User], make_user: Callable[..., User]
) -> None:
    boss = make_user("admin", is_staff=True, is_superuser=True)
    person = users["cmo"]
    services.user_update(
        actor=boss, user=person, full_name=person.full_name, roles=["cmo", "admin"], facilities=[]
    )
    person.refresh_from_db()
    assert (person.is_staff, person.is_superuser) == (True, True)

    services.user_update(
        actor=boss, user=person, full_name=person.full_name, roles=["cmo"], facilities=[]
    )
    person.refresh_from_db()
    assert (person.is_staff, person.is_superuser) == (False, False)


# --- Deactivation ---------------------------------------------------------------------------


def test_a_deactivated_person_cannot_sign_in_and_their_session_and_tokens_end(
    admin: Client, users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    champion = users["champion"]
    their_browser = client_for("champion")
    assert their_browser.get(reverse("informatics:priority-list")).status_code == 200
    Token.objects.create(user=champion)

    response = admin.post(
        reverse("informatics:person-set-active", args=[champion.pk]), {"is_active": "false"}
    )

    assert response.status_code == 302
    champion.refresh_from_db()
    assert champion.is_active is False
    assert Token.objects.filter(user=champion).count() == 0
    event = AuditEvent.objects.get()
    assert (event.actor, event.changes) == (users["admin"], {"is_active": [True, False]})
    # The session they already had no longer works
    again = their_browser.get(reverse("informatics:priority-list"))
    assert again.status_code == 302
    assert again["Location"].startswith(reverse("login"))
    # and the login form refuses them
    browser = Client()
    refused = sign_in(browser, champion.email, PASSWORD)
    assert refused.status_code == 200
    assert signed_in_as(browser) is None
    assert refused.context["form"].non_field_errors()


def test_a_reactivated_person_can_sign_in_again(admin: Client, users: dict[str, User]) -> None:
    champion = users["champion"]
    url = reverse("informatics:person-set-active", args=[champion.pk])
    admin.post(url, {"is_active": "false"})
    admin.post(url, {"is_active": "true"})

    browser = Client()
    assert sign_in(browser, champion.email, PASSWORD).status_code == 302
    assert signed_in_as(browser) == champion.pk


def test_an_admin_cannot_deactivate_themselves(admin: Client, users: dict[str, User]) -> None:
    me = users["admin"]
    response = admin.post(
        reverse("informatics:person-set-active", args=[me.pk]), {"is_active": "false"}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "You cannot deactivate your own account."
    ]
    me.refresh_from_db()
    assert me.is_active is True
    assert "Deactivate</button>" not in response.text  # no button for one's own account


def test_a_bad_status_is_refused_by_name(admin: Client, users: dict[str, User]) -> None:
    response = admin.post(
        reverse("informatics:person-set-active", args=[users["cmo"].pk]),
        {"is_active": "maybe"},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Status: choose active or deactivated."
    ]
    assert User.objects.get(pk=users["cmo"].pk).is_active is True


# --- The people list ------------------------------------------------------------------------


def test_the_list_shows_roles_facilities_and_status(
    admin: Client, users: dict[str, User], riverside: dict[str, Facility]
) -> None:
    users["cmio"].facilities.set([riverside["north"]])
    User.objects.filter(pk=users["executive"].pk).update(is_active=False)

    response = admin.get(reverse("informatics:person-list"))

    rows = {row.user.email: row for row in response.context["rows"]}
    assert rows["cmio@riverside.example"].roles == ["CMIO"]
    assert [f.name for f in rows["cmio@riverside.example"].facilities] == ["North Hospital"]
    assert rows["executive@riverside.example"].roles == ["Executive"]  # still shown when inactive
    assert rows["executive@riverside.example"].user.is_active is False
    assert response.text.count("Deactivated</span>") == 1


def test_the_list_filters_by_role_facility_and_status(
    admin: Client, users: dict[str, User], riverside: dict[str, Facility]
) -> None:
    users["cmio"].facilities.set([riverside["north"]])
    User.objects.filter(pk=users["executive"].pk).update(is_active=False)
    url = reverse("informatics:person-list")

    def emails(**query: Any) -> list[str]:
        return [row.user.email for row in admin.get(url, query).context["rows"]]

    assert emails(role="cmio") == ["cmio@riverside.example"]
    assert emails(facility=riverside["north"].pk) == ["cmio@riverside.example"]
    assert emails(is_active="false") == ["executive@riverside.example"]
    assert emails(q="champ") == ["champion@riverside.example"]


def bulk_people(count: int, facility: Facility) -> None:
    """`count` CMIOs at `facility`, written in bulk (no password hashing)."""
    people = User.objects.bulk_create(
        User(email=f"bulk{n}@riverside.example", full_name=f"Bulk {n}", password="!")
        for n in range(count)
    )
    cmio = Group.objects.get_or_create(name="cmio")[0]
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=p.pk, group_id=cmio.pk) for p in people
    )
    User.facilities.through.objects.bulk_create(
        User.facilities.through(user_id=p.pk, facility_id=facility.pk) for p in people
    )


@pytest.mark.parametrize("count", [2, 200])
def test_the_list_costs_the_same_queries_at_2_and_200_people(
    admin: Client, riverside: dict[str, Facility], count: int, django_assert_num_queries: Any
) -> None:
    bulk_people(count, riverside["north"])
    services.site_settings_get()

    # 1 session, 2 user, 3 the user's roles, 4 people, 5 their roles, 6 their facilities,
    # 7 the facilities of the filter's menu, 8-10 saving the session
    with django_assert_num_queries(10):
        response = admin.get(reverse("informatics:person-list"))
    assert len(response.context["rows"]) == count + 6


@pytest.mark.parametrize("count", [2, 200])
def test_the_person_page_costs_the_same_queries_at_2_and_200_history_events(
    admin: Client,
    users: dict[str, User],
    riverside: dict[str, Facility],
    count: int,
    django_assert_num_queries: Any,
) -> None:
    person = users["champion"]
    person.facilities.set([riverside["north"], riverside["icu"]])
    for n in range(count):
        AuditEvent.objects.create(
            content_type=ContentType.objects.get_for_model(User),
            object_id=str(person.pk),
            object_repr=str(person),
            action=AuditAction.UPDATE,
            actor=users["admin"] if n % 2 else users["cmo"],
            changes={"title": [str(n), str(n + 1)]},
        )
    services.site_settings_get()

    # 1 session, 2 user, 3 the user's roles, 4 the person, 5 their roles, 6 their facilities,
    # 7 their audit events with actors, 8-10 saving the session
    with django_assert_num_queries(10):
        response = admin.get(reverse("informatics:person-detail", args=[person.pk]))
    assert response.text.count('class="history__event"') == count


# --- Refused roles --------------------------------------------------------------------------


# Everything a people or settings action could change (compared whole with `snapshot`): the
# people (but not when they last signed in), their roles and facilities, the settings, the audit
# trail, the tokens.
PEOPLE = (
    User.objects.values_list(
        "pk", "email", "full_name", "title", "specialty", "is_active", "is_staff", "password"
    ),
    User.groups.through,
    User.facilities.through,
    SiteSettings,
    AuditEvent,
    Token,
)


def people_actions(
    users: dict[str, User], facility: Facility
) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """Every people and settings action: (method, url, data)."""
    target = users["champion"]
    return {
        "list": ("get", reverse("informatics:person-list"), {}),
        "invite form": ("get", reverse("informatics:person-invite"), {}),
        "invite": (
            "post",
            reverse("informatics:person-invite"),
            {"email": "new@riverside.example", "full_name": "New", "roles": ["admin"]},
        ),
        "detail": ("get", reverse("informatics:person-detail", args=[target.pk]), {}),
        "edit form": ("get", reverse("informatics:person-edit", args=[target.pk]), {}),
        "edit": (
            "post",
            reverse("informatics:person-edit", args=[target.pk]),
            {"full_name": "Changed", "roles": ["admin"], "facilities": [facility.pk]},
        ),
        "deactivate": (
            "post",
            reverse("informatics:person-set-active", args=[target.pk]),
            {"is_active": "false"},
        ),
        "settings form": ("get", reverse("informatics:settings-edit"), {}),
        "settings": (
            "post",
            reverse("informatics:settings-edit"),
            {
                "organisation_name": "Taken over",
                "time_zone": "UTC",
                "fiscal_year_start_month": 1,
                "currency": "EUR",
                "stale_after_days": 9,
                **{f"sla_{route}": 1 for route in Route},
                "local_passwords": "true",
            },
        ),
    }


PEOPLE_ACTIONS = [
    "list",
    "invite form",
    "invite",
    "detail",
    "edit form",
    "edit",
    "deactivate",
    "settings form",
    "settings",
]


@pytest.mark.parametrize("action", PEOPLE_ACTIONS)
@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_every_non_admin_role_is_refused_every_people_action_and_nothing_changes(
    role: str,
    action: str,
    users: dict[str, User],
    riverside: dict[str, Facility],
    client_for: Callable[[str], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    Token.objects.create(user=users["champion"])
    services.site_settings_get()
    method, url, data = people_actions(users, riverside["north"])[action]
    before = (snapshot(*PEOPLE), len(mail.outbox))

    with django_capture_on_commit_callbacks(execute=True):
        response = getattr(client_for(role), method)(url, data)

    assert response.status_code == 403
    assert (snapshot(*PEOPLE), len(mail.outbox)) == before


@pytest.mark.parametrize("action", PEOPLE_ACTIONS)
def test_the_admin_may_take_every_people_action(
    action: str,
    users: dict[str, User],
    riverside: dict[str, Facility],
    admin: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    method, url, data = people_actions(users, riverside["north"])[action]
    with django_capture_on_commit_callbacks(execute=True):
        response = getattr(admin, method)(url, data)
    assert response.status_code == (200 if method == "get" else 302)


# --- Facilities -----------------------------------------------------------------------------


def tree_markup(page: str) -> str:
    start = page.index('<ul class="facility-tree">')
    return page[start : page.index("</section>", start)]


@pytest.mark.parametrize("role", Role.values)
def test_everyone_reads_the_facility_tree_indented(
    role: str, riverside: dict[str, Facility], client_for: Callable[[str], Client]
) -> None:
    response = client_for(role).get(reverse("informatics:facility-list"))

    assert response.status_code == 200
    [root] = response.context["nodes"]
    assert root.facility.code == "riverside"
    assert [child.facility.code for child in root.children] == ["east-clinic", "north"]
    assert [unit.facility.code for unit in root.children[1].children] == ["north-icu"]
    tree = tree_markup(response.text)
    # nested lists: the ICU's list sits inside North Hospital's item, inside Riverside's
    assert tree.index("Riverside Health") < tree.index("East Clinic") < tree.index("North Hospital")
    assert tree.index("North Hospital") < tree.index("North ICU")
    assert tree.count("<ul>") == 2
    assert tree.count("<li>") == 4


@pytest.mark.parametrize("count", [2, 200])
def test_the_facility_tree_costs_the_same_queries_at_2_and_200_facilities(
    client_for: Callable[[str], Client],
    riverside: dict[str, Facility],
    count: int,
    django_assert_num_queries: Any,
) -> None:
    Facility.objects.bulk_create(
        Facility(code=f"unit-{n}", name=f"Unit {n}", kind="unit", parent=riverside["north"])
        for n in range(count)
    )
    services.site_settings_get()
    client = client_for("champion")

    # 1 session, 2 user, 3 the user's roles, 4 the facilities, 5-7 saving the session
    with django_assert_num_queries(7):
        response = client.get(reverse("informatics:facility-list"))
    assert tree_markup(response.text).count("<li>") == count + 4


def test_an_empty_facility_tree_explains_itself(client_for: Callable[[str], Client]) -> None:
    response = client_for("cmo").get(reverse("informatics:facility-list"))
    assert "No facilities yet" in response.text


# --- Site settings --------------------------------------------------------------------------


def settings_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "organisation_name": "Riverside Health",
        "time_zone": "America/Chicago",
        "fiscal_year_start_month": "10",
        "currency": "usd",
        "stale_after_days": "21",
        **{f"sla_{route}": hours for route, hours in DEFAULT_SLA_HOURS.items()},
        "local_passwords": "true",
    }
    data.update(changes)
    return data


def test_the_admin_edits_the_site_settings_and_the_change_is_audited(
    admin: Client, users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    page = admin.get(reverse("informatics:settings-edit"))
    assert page.status_code == 200
    assert page.text.count('type="number" name="sla_') == len(Route)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("informatics:settings-edit"), settings_data(sla_fast_track="48")
        )

    assert response.status_code == 302
    row = SiteSettings.objects.get()
    assert (
        row.organisation_name,
        row.time_zone,
        row.fiscal_year_start_month,
        row.currency,
        row.stale_after_days,
    ) == ("Riverside Health", "America/Chicago", 10, "USD", 21)
    assert row.sla_hours == {**DEFAULT_SLA_HOURS, "fast_track": 48}
    event = AuditEvent.objects.get()
    assert event.actor == users["admin"]
    assert set(event.changes) == {
        "organisation_name",
        "time_zone",
        "fiscal_year_start_month",
        "stale_after_days",
        "sla_hours",
    }
    assert event.changes["time_zone"] == ["UTC", "America/Chicago"]
    # The next page already carries the new name
    assert "Riverside Health" in admin.get(reverse("informatics:settings-edit")).text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"time_zone": "Mars/Olympus"},
            "time_zone",
            "“Mars/Olympus” is not a time zone this server knows; use an IANA name such as "
            "America/Chicago or Europe/London.",
        ),
        (
            {"time_zone": "../etc/passwd"},
            "time_zone",
            "“../etc/passwd” is not a time zone this server knows; use an IANA name such as "
            "America/Chicago or Europe/London.",
        ),
        (
            {"currency": "U$D"},
            "currency",
            "Give the currency as a three-letter ISO 4217 code, e.g. USD.",
        ),
        (
            {"fiscal_year_start_month": "13"},
            "fiscal_year_start_month",
            "Select a valid choice. 13 is not one of the available choices.",
        ),
        (
            {"stale_after_days": "0"},
            "stale_after_days",
            "Ensure this value is greater than or equal to 1.",
        ),
        (
            {"sla_fast_track": "0"},
            "sla_fast_track",
            "Ensure this value is greater than or equal to 1.",
        ),
        ({"sla_steering": "soon"}, "sla_steering", "Enter a whole number."),
    ],
)
def test_bad_settings_are_refused_by_name_and_nothing_is_saved(
    admin: Client, changes: dict[str, str], field: str, message: str
) -> None:
    services.site_settings_get()
    before = list(SiteSettings.objects.values())
    response = admin.post(reverse("informatics:settings-edit"), settings_data(**changes))

    assert response.status_code == 200
    assert dict(response.context["form"].errors) == {field: [message]}
    assert 'class="field field--error"' in response.text
    assert list(SiteSettings.objects.values()) == before
    assert AuditEvent.objects.count() == 0


# --- The administration site ----------------------------------------------------------------


def admin_site_client(make_user: Callable[..., User]) -> tuple[Client, User]:
    """An admin made the way the services make one (the role gives is_staff)."""
    boss = make_user("admin", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(boss, backend="django.contrib.auth.backends.ModelBackend")
    return client, boss


def test_only_the_admin_role_opens_the_administration_site(
    client_for: Callable[[str], Client], make_user: Callable[..., User]
) -> None:
    client, _ = admin_site_client(make_user)
    assert client.get("/admin/").status_code == 200
    for role in NON_ADMIN_ROLES:
        response = client_for(role).get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_facilities_added_in_the_administration_site_are_checked_and_audited(
    make_user: Callable[..., User], riverside: dict[str, Facility]
) -> None:
    client, boss = admin_site_client(make_user)
    url = "/admin/informatics/facility/add/"
    data = {
        "code": "south",
        "name": "South Hospital",
        "kind": "hospital",
        "beds": "120",
        "is_active": "on",
    }

    refused = client.post(url, {**data, "parent": riverside["icu"].pk})
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors == {
        "parent": ["A hospital sits under a health system."]
    }
    assert not Facility.objects.filter(code="south").exists()

    response = client.post(url, {**data, "parent": riverside["system"].pk})
    assert response.status_code == 302
    south = Facility.objects.get(code="south")
    assert (south.parent, south.beds) == (riverside["system"], 120)
    event = AuditEvent.objects.get(object_id=str(south.pk), action=AuditAction.CREATE)
    assert event.actor == boss
    assert event.changes["parent"] == [None, "Riverside Health"]


def test_facility_changes_in_the_administration_site_are_audited(
    make_user: Callable[..., User], riverside: dict[str, Facility]
) -> None:
    client, boss = admin_site_client(make_user)
    north = riverside["north"]
    response = client.post(
        f"/admin/informatics/facility/{north.pk}/change/",
        {
            "code": "north",
            "name": "North General",
            "kind": "hospital",
            "parent": riverside["system"].pk,
            "beds": "300",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(object_id=str(north.pk))
    assert (event.actor, event.changes) == (
        boss,
        {"name": ["North Hospital", "North General"], "beds": [None, 300]},
    )


def test_priorities_are_read_only_in_the_administration_site(
    make_user: Callable[..., User],
) -> None:
    client, _ = admin_site_client(make_user)
    priority = PriorityFactory.create(title="Safety")
    url = f"/admin/informatics/strategicpriority/{priority.pk}/change/"

    assert client.get(url).status_code == 200
    assert client.post(url, {"title": "Changed"}).status_code == 403
    assert StrategicPriority.objects.get().title == "Safety"
    assert client.get("/admin/informatics/strategicpriority/add/").status_code == 403
