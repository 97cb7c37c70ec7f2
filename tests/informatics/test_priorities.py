"""Strategic priority pages: create, edit, reorder, retire and restore; bad input names the field
and saves nothing; two edits of the same version; query budgets of the list and detail pages."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from informatics import services
from informatics.choices import AuditAction
from informatics.models import AuditEvent, StrategicPriority, User
from tests.factories import PriorityFactory

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

NEW_PRIORITY = {
    "code": "sepsis",
    "title": "Reduce sepsis mortality",
    "goal_statement": "Cut sepsis deaths by a fifth.",
    "value_category": "safety_quality",
    "horizon": "2027-06-30",
    "executive_sponsor": "",
}


def edit_data(priority: StrategicPriority, **changes: Any) -> dict[str, Any]:
    """The edit form as the page fills it for `priority`, with `changes` typed over it."""
    data = {
        "code": priority.code,
        "title": priority.title,
        "goal_statement": priority.goal_statement,
        "value_category": priority.value_category,
        "horizon": priority.horizon.isoformat(),
        "executive_sponsor": priority.executive_sponsor_id or "",
        "version": priority.version,
    }
    data.update(changes)
    return data


def ranking() -> list[tuple[str, int]]:
    return list(
        StrategicPriority.objects.filter(is_active=True)
        .order_by("rank")
        .values_list("code", "rank")
    )


def field_errors(response: Any) -> dict[str, list[str]]:
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


@pytest.fixture
def cmo(client_for: Callable[[str], Client]) -> Client:
    return client_for("cmo")


@pytest.fixture
def three() -> list[StrategicPriority]:
    return [
        PriorityFactory.create(code="safety", title="Safety", rank=1),
        PriorityFactory.create(code="access", title="Access", rank=2),
        PriorityFactory.create(code="joy", title="Joy in work", rank=3),
    ]


# --- Create ---------------------------------------------------------------------------------


def test_cmo_creates_a_priority_at_the_bottom_of_the_ranking(
    cmo: Client, users: dict[str, User], three: list[StrategicPriority]
) -> None:
    # Given three ranked priorities, when the CMO adds one with a sponsor
    data = {**NEW_PRIORITY, "executive_sponsor": users["executive"].pk}
    response = cmo.post(reverse("informatics:priority-create"), data)

    # then it is saved at rank 4 and the page goes to it
    created = StrategicPriority.objects.get(code="sepsis")
    assert response.status_code == 302
    assert response["Location"] == reverse("informatics:priority-detail", args=[created.pk])
    assert (created.title, created.goal_statement, created.value_category) == (
        "Reduce sepsis mortality",
        "Cut sepsis deaths by a fifth.",
        "safety_quality",
    )
    assert created.horizon == datetime.date(2027, 6, 30)
    assert created.executive_sponsor == users["executive"]
    assert (created.rank, created.is_active, created.version) == (4, True, 1)
    event = AuditEvent.objects.get(object_id=str(created.pk), action=AuditAction.CREATE)
    assert event.actor == users["cmo"]
    assert event.changes["title"] == [None, "Reduce sepsis mortality"]
    assert event.changes["rank"] == [None, 4]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "A priority needs a title."),
        ({"title": "   "}, "title", "A priority needs a title."),
        ({"goal_statement": ""}, "goal_statement", "Say what the priority aims to achieve."),
        ({"horizon": "next June"}, "horizon", "Enter the horizon as a date, YYYY-MM-DD."),
        ({"horizon": "2027-02-30"}, "horizon", "Enter the horizon as a date, YYYY-MM-DD."),
        (
            {"code": "no spaces"},
            "code",
            "The code may hold only letters, digits, hyphens and underscores.",
        ),
        (
            {"value_category": "vibes"},
            "value_category",
            "Select a valid choice. vibes is not one of the available choices.",
        ),
    ],
)
def test_bad_input_on_create_names_the_field_and_saves_nothing(
    cmo: Client, changes: dict[str, str], field: str, message: str
) -> None:
    response = cmo.post(reverse("informatics:priority-create"), {**NEW_PRIORITY, **changes})

    assert response.status_code == 200
    assert field_errors(response) == {field: [message]}
    assert 'class="field field--error"' in response.text
    assert StrategicPriority.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_duplicate_code_is_refused_by_name(cmo: Client, three: list[StrategicPriority]) -> None:
    response = cmo.post(reverse("informatics:priority-create"), {**NEW_PRIORITY, "code": "access"})

    assert response.status_code == 200
    assert field_errors(response) == {"code": ["A priority with code 'access' already exists."]}
    assert "A priority with code &#x27;access&#x27; already exists." in response.text
    assert StrategicPriority.objects.count() == 3
    assert AuditEvent.objects.count() == 0


# --- Edit -----------------------------------------------------------------------------------


def test_cmo_edits_a_priority_and_the_history_names_the_fields(
    cmo: Client, users: dict[str, User], three: list[StrategicPriority]
) -> None:
    safety = three[0]
    page = cmo.get(reverse("informatics:priority-edit", args=[safety.pk]))
    assert page.status_code == 200
    assert '<input type="hidden" name="version" value="1"' in page.text

    response = cmo.post(
        reverse("informatics:priority-edit", args=[safety.pk]),
        edit_data(safety, title="Zero harm", horizon="2028-01-31"),
    )

    assert response.status_code == 302
    safety.refresh_from_db()
    assert (safety.title, safety.horizon, safety.version) == (
        "Zero harm",
        datetime.date(2028, 1, 31),
        2,
    )
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.actor == users["cmo"]
    assert event.changes == {
        "title": ["Safety", "Zero harm"],
        "horizon": ["2027-06-30", "2028-01-31"],
    }
    detail = cmo.get(reverse("informatics:priority-detail", args=[safety.pk]))
    assert "<dt>Title</dt>" in detail.text
    assert "<dt>Horizon</dt>" in detail.text
    assert "Demo CMO" in detail.text


def test_an_edit_to_a_duplicate_code_is_refused_and_nothing_saved(
    cmo: Client, three: list[StrategicPriority]
) -> None:
    safety = three[0]
    response = cmo.post(
        reverse("informatics:priority-edit", args=[safety.pk]),
        edit_data(safety, code="joy", title="Renamed"),
    )

    assert response.status_code == 200
    assert field_errors(response) == {"code": ["A priority with code 'joy' already exists."]}
    safety.refresh_from_db()
    assert (safety.code, safety.title, safety.version) == ("safety", "Safety", 1)
    assert AuditEvent.objects.count() == 0


def test_a_sponsor_who_has_left_does_not_block_other_edits(
    cmo: Client, users: dict[str, User]
) -> None:
    sponsor = users["executive"]
    priority = PriorityFactory.create(title="Safety", executive_sponsor=sponsor)
    User.objects.filter(pk=sponsor.pk).update(is_active=False)

    response = cmo.post(
        reverse("informatics:priority-edit", args=[priority.pk]),
        edit_data(priority, title="Zero harm"),
    )

    assert response.status_code == 302
    priority.refresh_from_db()
    assert (priority.title, priority.executive_sponsor_id) == ("Zero harm", sponsor.pk)


def test_two_edits_of_the_same_version_keep_the_first_and_explain_the_conflict(
    client_for: Callable[[str], Client], three: list[StrategicPriority]
) -> None:
    # Given the CMO and an admin both opened the edit page at version 1
    safety = three[0]
    url = reverse("informatics:priority-edit", args=[safety.pk])
    cmo, admin = client_for("cmo"), client_for("admin")
    loaded_by_cmo = edit_data(safety)
    loaded_by_admin = edit_data(safety)

    # when the CMO saves first and the admin saves second
    first = cmo.post(url, {**loaded_by_cmo, "title": "Zero harm"})
    second = admin.post(url, {**loaded_by_admin, "goal_statement": "Stale goal."})

    # then the first edit stands, the second is refused with who changed what
    assert first.status_code == 302
    assert second.status_code == 409
    safety.refresh_from_db()
    assert (safety.title, safety.goal_statement, safety.version) == ("Zero harm", "Reduce harm.", 2)
    assert "Someone else changed this priority." in second.text
    assert "Demo CMO saved “Zero harm”" in second.text
    assert "(changed: title)" in second.text
    # and nothing of the stale edit is kept: the form shows the current record at version 2
    assert "Stale goal." not in second.text
    form = second.context["form"]
    assert not form.is_bound
    assert form.initial["title"] == "Zero harm"
    assert form.initial["version"] == 2
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE).count() == 1


# --- Reorder --------------------------------------------------------------------------------


def test_moving_a_priority_up_swaps_it_with_the_one_above(
    cmo: Client, users: dict[str, User], three: list[StrategicPriority]
) -> None:
    joy = three[2]
    response = cmo.post(reverse("informatics:priority-move", args=[joy.pk]), {"direction": "up"})

    assert response.status_code == 302
    assert response["Location"] == reverse("informatics:priority-list") + f"#priority-{joy.pk}"
    assert ranking() == [("safety", 1), ("joy", 2), ("access", 3)]
    events = AuditEvent.objects.order_by("object_repr")
    assert [(e.object_repr, e.changes, e.note, e.actor) for e in events] == [
        ("Access", {"rank": [2, 3]}, "reordered", users["cmo"]),
        ("Joy in work", {"rank": [3, 2]}, "reordered", users["cmo"]),
    ]


def test_moving_a_priority_down_and_past_the_ends(
    cmo: Client, three: list[StrategicPriority]
) -> None:
    safety, _, joy = three
    cmo.post(reverse("informatics:priority-move", args=[safety.pk]), {"direction": "down"})
    assert ranking() == [("access", 1), ("safety", 2), ("joy", 3)]

    # Moving the last one down changes nothing and records nothing.
    before = AuditEvent.objects.count()
    cmo.post(reverse("informatics:priority-move", args=[joy.pk]), {"direction": "down"})
    assert ranking() == [("access", 1), ("safety", 2), ("joy", 3)]
    assert AuditEvent.objects.count() == before


def test_a_move_without_a_direction_is_refused_by_name(
    cmo: Client, three: list[StrategicPriority]
) -> None:
    response = cmo.post(
        reverse("informatics:priority-move", args=[three[1].pk]),
        {"direction": "sideways"},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Direction: move a priority “up” or “down”."
    ]
    assert ranking() == [("safety", 1), ("access", 2), ("joy", 3)]
    assert AuditEvent.objects.count() == 0


def test_a_retired_priority_cannot_be_moved(cmo: Client, three: list[StrategicPriority]) -> None:
    old = PriorityFactory.create(code="old", is_active=False, rank=9, retired_reason="Done.")
    response = cmo.post(
        reverse("informatics:priority-move", args=[old.pk]), {"direction": "up"}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Only an active priority can be moved."
    ]
    old.refresh_from_db()
    assert (old.rank, old.is_active) == (9, False)


def test_moving_needs_a_post(cmo: Client, three: list[StrategicPriority]) -> None:
    response = cmo.get(reverse("informatics:priority-move", args=[three[1].pk]))
    assert response.status_code == 405


# --- Retire and restore ---------------------------------------------------------------------


def test_retiring_needs_a_reason_and_then_leaves_the_ranking(
    cmo: Client, users: dict[str, User], three: list[StrategicPriority]
) -> None:
    access = three[1]
    url = reverse("informatics:priority-retire", args=[access.pk])
    assert cmo.get(url).status_code == 200

    # Without a reason: refused, naming the field, nothing saved
    refused = cmo.post(url, {"retired_reason": "  ", "version": 1})
    assert refused.status_code == 200
    assert field_errors(refused) == {"retired_reason": ["Say why the priority is retired."]}
    access.refresh_from_db()
    assert (access.is_active, access.version) == (True, 1)
    assert AuditEvent.objects.count() == 0

    # With a reason: retired, kept on record, shown apart from the ranking
    response = cmo.post(url, {"retired_reason": "Merged into Safety.", "version": 1})
    assert response.status_code == 302
    access.refresh_from_db()
    assert (access.is_active, access.retired_reason, access.version) == (
        False,
        "Merged into Safety.",
        2,
    )
    event = AuditEvent.objects.get()
    assert event.actor == users["cmo"]
    assert event.changes == {
        "is_active": [True, False],
        "retired_reason": ["", "Merged into Safety."],
    }
    listing = cmo.get(reverse("informatics:priority-list"))
    assert [p.code for p in listing.context["active"]] == ["safety", "joy"]
    assert [p.code for p in listing.context["retired"]] == ["access"]
    assert "Merged into Safety." in listing.text


def test_retiring_a_stale_version_saves_nothing(
    cmo: Client, three: list[StrategicPriority]
) -> None:
    access = three[1]
    response = cmo.post(
        reverse("informatics:priority-retire", args=[access.pk]),
        {"retired_reason": "Done.", "version": 7},
        follow=True,
    )

    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1
    assert messages[0].startswith("Access was changed by someone else.")
    access.refresh_from_db()
    assert (access.is_active, access.retired_reason, access.version) == (True, "", 1)


def test_restoring_puts_a_priority_back_at_the_bottom(
    cmo: Client, users: dict[str, User], three: list[StrategicPriority]
) -> None:
    old = PriorityFactory.create(
        code="old", title="Old", is_active=False, rank=1, retired_reason="Done."
    )
    response = cmo.post(reverse("informatics:priority-restore", args=[old.pk]), {"version": 1})

    assert response.status_code == 302
    old.refresh_from_db()
    assert (old.is_active, old.retired_reason, old.rank, old.version) == (True, "", 4, 2)
    assert ranking() == [("safety", 1), ("access", 2), ("joy", 3), ("old", 4)]
    event = AuditEvent.objects.get()
    assert (event.actor, event.changes) == (
        users["cmo"],
        {"is_active": [False, True], "retired_reason": ["Done.", ""], "rank": [1, 4]},
    )


def test_restoring_an_active_priority_says_so(cmo: Client, three: list[StrategicPriority]) -> None:
    response = cmo.post(
        reverse("informatics:priority-restore", args=[three[0].pk]), {"version": 1}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["This priority is already active."]
    assert AuditEvent.objects.count() == 0


# --- Reading --------------------------------------------------------------------------------


def test_everyone_reads_but_only_editors_see_the_buttons(
    client_for: Callable[[str], Client], three: list[StrategicPriority]
) -> None:
    for role in ("champion", "informaticist", "cmio", "executive"):
        listing = client_for(role).get(reverse("informatics:priority-list"))
        detail = client_for(role).get(reverse("informatics:priority-detail", args=[three[0].pk]))
        assert (listing.status_code, detail.status_code) == (200, 200)
        assert "New priority" not in listing.text
        assert "/move/" not in listing.text
        assert "/edit/" not in detail.text
        assert "/retire/" not in detail.text

    for role in ("cmo", "admin"):
        listing = client_for(role).get(reverse("informatics:priority-list"))
        detail = client_for(role).get(reverse("informatics:priority-detail", args=[three[0].pk]))
        assert "New priority" in listing.text
        assert listing.text.count("/move/") == 4  # down on the first, up on the last, both between
        assert reverse("informatics:priority-edit", args=[three[0].pk]) in detail.text
        assert reverse("informatics:priority-retire", args=[three[0].pk]) in detail.text


def test_the_list_ranks_active_priorities_and_shows_retired_apart(
    cmo: Client, three: list[StrategicPriority]
) -> None:
    PriorityFactory.create(code="old", title="Old", is_active=False, rank=1, retired_reason="Done.")
    response = cmo.get(reverse("informatics:priority-list"))

    assert [p.code for p in response.context["active"]] == ["safety", "access", "joy"]
    assert [p.code for p in response.context["retired"]] == ["old"]
    assert (
        response.text.index("Safety") < response.text.index("Access") < response.text.index("Joy")
    )


def test_the_list_filters_by_value_category(cmo: Client, three: list[StrategicPriority]) -> None:
    PriorityFactory.create(code="margin", title="Margin", value_category="financial", rank=4)
    response = cmo.get(reverse("informatics:priority-list"), {"value_category": "financial"})

    assert [p.code for p in response.context["active"]] == ["margin"]
    assert response.context["is_filtered"] is True
    assert "/move/" not in response.text  # no reordering of a filtered ranking


def test_an_empty_list_explains_what_will_appear(cmo: Client) -> None:
    response = cmo.get(reverse("informatics:priority-list"))
    assert "No strategic priorities yet" in response.text
    assert "Add the first priority" in response.text


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(reverse("informatics:priority-list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=" + reverse(
        "informatics:priority-list"
    )


def test_an_unknown_priority_is_not_found(cmo: Client) -> None:
    assert cmo.get(reverse("informatics:priority-detail", args=[999])).status_code == 404


# --- Query budgets --------------------------------------------------------------------------


def _warm(client: Client) -> None:
    """Fill the caches a first request fills (site settings, content types), so the budget
    counts what every request costs."""
    services.site_settings_get()
    ContentType.objects.get_for_model(StrategicPriority)
    client.get(reverse("informatics:priority-list"))


@pytest.mark.parametrize("count", [2, 200])
def test_the_list_costs_the_same_queries_at_2_and_200_priorities(
    cmo: Client, users: dict[str, User], count: int, django_assert_num_queries: Any
) -> None:
    PriorityFactory.create_batch(count, executive_sponsor=users["executive"])
    PriorityFactory.create_batch(count, is_active=False, retired_reason="Done.")
    _warm(cmo)

    # 1 session, 2 user, 3 the user's roles, 4 priorities with their sponsors,
    # 5-7 saving the session (savepoint, UPDATE, release)
    with django_assert_num_queries(7):
        response = cmo.get(reverse("informatics:priority-list"))
    assert len(response.context["active"]) == count


@pytest.mark.parametrize("count", [2, 200])
def test_the_detail_costs_the_same_queries_at_2_and_200_history_events(
    cmo: Client, users: dict[str, User], count: int, django_assert_num_queries: Any
) -> None:
    PriorityFactory.create_batch(count)
    priority = PriorityFactory.create(executive_sponsor=users["executive"])
    actors = list(users.values())
    for n in range(count):
        services.priority_update(
            actor=users["cmo"] if n % 2 else users["admin"],
            priority=priority,
            version=priority.version,
            title=f"Title {n}",
        )
    assert len(actors) == 6
    _warm(cmo)

    # 1 session, 2 user, 3 the user's roles, 4 the priority with its sponsor,
    # 5 its audit events with their actors, 6-8 saving the session
    with django_assert_num_queries(8):
        response = cmo.get(reverse("informatics:priority-detail", args=[priority.pk]))
    assert response.text.count('class="history__event"') == count
