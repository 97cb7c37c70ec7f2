"""Landing pages: `/` sends each user to the page of their first role; a role's page is for
the users who hold it; anonymous visitors are sent to sign in. Each page has a fixed query
budget whatever the number of rows."""

from collections.abc import Callable

import factory
import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from informatics.choices import FacilityKind, Role
from informatics.models import User
from tests.factories import FacilityFactory, PriorityFactory, UserFactory

pytestmark = pytest.mark.django_db
NO_PASSWORD = factory.Transformer.Force("!")  # unusable, so nothing to hash

TITLES: dict[str, str] = {
    Role.CMO: "Portfolio dashboard",
    Role.CMIO: "CMIO workbench",
    Role.INFORMATICIST: "Informatics workbench",
    Role.EXECUTIVE: "Value reports",
    Role.CHAMPION: "My requests",
    Role.ADMIN: "Administration",
}


@pytest.mark.parametrize("path", ["/", "/home/cmo/", "/home/champion/"])
def test_anonymous_page_request_redirects_to_login(client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={path}"


@pytest.mark.parametrize("role", Role.values)
def test_home_redirects_to_the_landing_of_the_only_role(
    client_as: Callable[..., Client], role: str
) -> None:
    response = client_as(role).get("/")

    assert response.status_code == 302
    assert response["Location"] == f"/home/{role}/"


def test_user_with_several_roles_lands_on_the_first_in_design_order(
    client_as: Callable[..., Client],
) -> None:
    client = client_as(Role.ADMIN, Role.CHAMPION, Role.CMIO)

    response = client.get("/", follow=True)

    assert response.redirect_chain == [("/home/cmio/", 302)]
    assert response.context["page"].title == "CMIO workbench"


def test_role_switcher_links_every_role_the_user_holds(client_as: Callable[..., Client]) -> None:
    client = client_as(Role.ADMIN, Role.CHAMPION, Role.CMIO)

    html = client.get("/home/champion/").content.decode()

    assert '<a href="/home/cmio/">CMIO</a>' in html
    assert '<a href="/home/champion/" aria-current="page">Physician champion</a>' in html
    assert '<a href="/home/admin/">Admin</a>' in html
    assert "/home/cmo/" not in html


def test_single_role_user_sees_no_role_switcher(client_as: Callable[..., Client]) -> None:
    html = client_as(Role.EXECUTIVE).get("/home/executive/").content.decode()

    assert "role-switcher" not in html


@pytest.mark.parametrize("role", Role.values)
def test_each_role_page_shows_its_title_and_an_empty_needs_me_list(
    client_as: Callable[..., Client], role: str
) -> None:
    response = client_as(role).get(f"/home/{role}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{TITLES[role]}</h1>" in html
    assert "Nothing is waiting on you" in html
    assert html.count("<h1") == 1


@pytest.mark.parametrize(
    ("holder", "other"),
    [(Role.CHAMPION, Role.CMO), (Role.CMIO, Role.ADMIN), (Role.EXECUTIVE, Role.INFORMATICIST)],
)
def test_role_page_is_404_for_a_role_the_user_does_not_hold(
    client_as: Callable[..., Client], holder: str, other: str
) -> None:
    assert client_as(holder).get(f"/home/{other}/").status_code == 404


def test_unknown_role_is_404(client_as: Callable[..., Client]) -> None:
    assert client_as(Role.ADMIN).get("/home/superhero/").status_code == 404


def test_user_without_a_role_is_told_to_ask_an_administrator(
    client_as: Callable[..., Client],
) -> None:
    response = client_as().get("/")

    assert response.status_code == 200
    assert "Your account has no role yet" in response.content.decode()


def test_champion_empty_state_explains_what_appears(client_as: Callable[..., Client]) -> None:
    html = client_as(Role.CHAMPION).get("/home/champion/").content.decode()

    assert "When you submit a workflow pain point it appears here with its status" in html


def test_executive_empty_state_explains_the_value_report(
    client_as: Callable[..., Client],
) -> None:
    html = client_as(Role.EXECUTIVE).get("/home/executive/").content.decode()

    assert "The monthly value report appears here once the CMO issues it" in html


def test_cmo_page_lists_active_priorities_with_sponsor_and_horizon(
    client_as: Callable[..., Client], make_user: Callable[..., User]
) -> None:
    sponsor = make_user(Role.EXECUTIVE, full_name="Dana Whitfield")
    zero_harm = PriorityFactory.create(title="Zero Harm", rank=1, executive_sponsor=sponsor)
    PriorityFactory.create(title="Old goal", rank=2, is_active=False)

    response = client_as(Role.CMO).get("/home/cmo/")

    page = response.context["page"]
    assert [p.title for p in page.priorities] == ["Zero Harm"]
    html = response.content.decode()
    assert "Zero Harm" in html
    assert "Dana Whitfield" in html
    assert f"Jun {zero_harm.horizon.year}" in html  # the factory's horizon: June next year
    assert "Old goal" not in html


def test_cmo_page_without_priorities_explains_where_they_come_from(
    client_as: Callable[..., Client],
) -> None:
    html = client_as(Role.CMO).get("/home/cmo/").content.decode()

    assert "No active strategic priorities" in html


def test_admin_page_counts_people_and_links_to_the_admin_pages(
    client_as: Callable[..., Client],
) -> None:
    FacilityFactory.create(kind=FacilityKind.SYSTEM)

    response = client_as(Role.ADMIN).get("/home/admin/")

    summary = response.context["page"].admin
    assert summary.people_active == 1
    assert [row.count for row in summary.people_by_role] == [0, 0, 0, 0, 0, 1]
    assert summary.facilities_total == 1
    html = response.content.decode()
    for name in (
        "informatics:person-list",
        "informatics:facility-list",
        "informatics:settings-edit",
        "admin:index",
    ):
        assert f'href="{reverse(name)}"' in html


def test_favicon_ico_points_at_the_portal_icon(client: Client) -> None:
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/img/favicon.svg"


def test_logout_is_a_post_form_in_the_header(client_as: Callable[..., Client]) -> None:
    html = client_as(Role.CMIO).get("/home/cmio/").content.decode()

    assert f'<form method="post" action="{reverse("logout")}">' in html


# --- Query budgets ---------------------------------------------------------------------------
# Every landing page, once the site settings are cached (a first request warms the cache):
# 1 session, 2 user, 3 the user's groups (roles), 4-6 the session saved again (savepoint,
# UPDATE, release: SESSION_SAVE_EVERY_REQUEST restarts the idle clock), 7 the intake needs-me
# items (questions waiting for the user, and for triage roles the queue in the same query),
# 8 the metrics' needs-me items (overdue data of the metrics the user owns, and for the CMIO
# system-level special-cause concerns, in one query); then, for the roles the portfolio asks
# something of (CMO, CMIO, informaticist), the portfolio's needs-me items (stale initiatives,
# overdue milestones, the gate) in one query; governance's needs-me items (reviews to prepare
# for chairs, overdue actions for owners), one union query; for those who record decisions in
# any body (CMO, CMIO), governance's decision items (requests in review awaiting a decision;
# for the CMIO also the initiatives at the gate, which reach the CMO through the portfolio); then
# the role's own.
BASE_QUERIES = 9
PORTFOLIO_NEEDS_ME = 1
DECISIONS_NEEDS_ME = {Role.CMO: 1, Role.CMIO: 2}


def _champions(count: int) -> None:
    """Many active champions, fast: bulk rows with an unusable password (no hashing)."""
    group, _ = Group.objects.get_or_create(name=Role.CHAMPION)
    people = User.objects.bulk_create(
        User(email=f"champion{n}@riverside.example", full_name=f"Champion {n}", password="!")
        for n in range(count)
    )
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=person.pk, group_id=group.pk) for person in people
    )


def _priorities(count: int) -> None:
    sponsor = UserFactory.create(roles=[Role.EXECUTIVE], password=NO_PASSWORD)
    PriorityFactory.create_batch(count, executive_sponsor=sponsor)


@pytest.mark.parametrize(
    ("role", "own_queries"),
    [
        # + the latest issued value report
        (Role.EXECUTIVE, 1),
        # + the portfolio's needs-me items, + the intake list of the page (My requests; the
        # triage queue summary)
        (Role.CMIO, PORTFOLIO_NEEDS_ME + DECISIONS_NEEDS_ME[Role.CMIO] + 1),
        (Role.INFORMATICIST, PORTFOLIO_NEEDS_ME + 1),
        (Role.CHAMPION, 1),
    ],
)
def test_landing_query_budget_of_each_role(
    client_as: Callable[..., Client],
    django_assert_num_queries: Callable[..., object],
    role: str,
    own_queries: int,
) -> None:
    client = client_as(role)
    client.get(f"/home/{role}/")

    with django_assert_num_queries(BASE_QUERIES + own_queries):  # type: ignore[attr-defined]
        assert client.get(f"/home/{role}/").status_code == 200


@pytest.mark.parametrize("rows", [2, 200])
def test_cmo_landing_query_budget(
    client_as: Callable[..., Client],
    django_assert_num_queries: Callable[..., object],
    rows: int,
) -> None:
    _priorities(rows)
    client = client_as(Role.CMO)
    client.get("/home/cmo/")

    # + the portfolio's needs-me items (the gate), + governance's (requests awaiting a
    # decision), + active priorities with their sponsors (one JOIN), + the portfolio grid
    # (initiatives, their alignments, priorities)
    budget = BASE_QUERIES + PORTFOLIO_NEEDS_ME + DECISIONS_NEEDS_ME[Role.CMO] + 1 + 3
    with django_assert_num_queries(budget):  # type: ignore[attr-defined]
        response = client.get("/home/cmo/")
    assert len(response.context["page"].priorities) == rows


@pytest.mark.parametrize("rows", [2, 200])
def test_admin_landing_query_budget(
    client_as: Callable[..., Client],
    django_assert_num_queries: Callable[..., object],
    rows: int,
) -> None:
    _champions(rows)
    system = FacilityFactory.create(kind=FacilityKind.SYSTEM)
    FacilityFactory.create_batch(rows, kind=FacilityKind.HOSPITAL, parent=system)
    client = client_as(Role.ADMIN)
    client.get("/home/admin/")

    # + people totals, active people per role, active facilities per kind
    with django_assert_num_queries(BASE_QUERIES + 3):  # type: ignore[attr-defined]
        response = client.get("/home/admin/")
    summary = response.context["page"].admin
    assert summary.people_by_role[4].count == rows
    assert summary.facilities_total == rows + 1
