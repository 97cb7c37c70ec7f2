"""Closing metric and action items with a note and new action items; minutes guarded against
patient information."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from governance import services
from governance.choices import AgendaKind, BodyKind
from governance.models import ActionItem, AgendaItem, Review
from informatics.models import PhiConfirmation, User
from informatics.phi import PhiFlagged
from tests.governance.agenda_world import body, review_of

NOW = datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]
PHI = "Call the pharmacist at 555-201-3344 about MRN 4412897."


@pytest.fixture
def board(users: dict[str, User]) -> Review:
    return review_of(body("steering", BodyKind.STEERING, users["cmo"]), users["cmo"])


def test_a_metric_item_ends_with_a_note_and_new_action_items(
    users: dict[str, User], board: Review
) -> None:
    item = AgendaItem.objects.create(
        review=board, position=1, kind=AgendaKind.METRIC, reason="Concern", title="Falls"
    )
    services.agenda_item_close(
        actor=users["cmo"],
        item=item,
        note="Falls rose after the bed-alarm change.",
        actions=[
            {
                "title": "Review bed-alarm defaults",
                "owner": users["informaticist"],
                "due_on": datetime.date(2026, 7, 1),
            }
        ],
    )
    item.refresh_from_db()
    assert item.note == "Falls rose after the bed-alarm change."
    assert list(ActionItem.objects.values_list("title", "owner", "agenda_item", "body")) == [
        ("Review bed-alarm defaults", users["informaticist"].pk, item.pk, board.body.pk)
    ]


def test_a_request_item_is_not_closed_with_a_note(users: dict[str, User], board: Review) -> None:
    item = AgendaItem.objects.create(
        review=board, position=1, kind=AgendaKind.REQUEST, reason="r", title="x"
    )
    with pytest.raises(ValidationError) as err:
        services.agenda_item_close(actor=users["cmo"], item=item, note="n")
    assert err.value.message_dict == {
        "item": ["Items about requests and initiatives end with decisions."]
    }
    item.refresh_from_db()
    assert item.note == ""


def test_minutes_that_look_like_patient_information_need_a_confirmation(
    users: dict[str, User], board: Review
) -> None:
    with pytest.raises(PhiFlagged) as err:
        services.review_update(actor=users["cmo"], review=board, minutes=PHI)
    assert list(err.value.message_dict) == ["minutes"]
    board.refresh_from_db()
    assert board.minutes == ""
    services.review_update(actor=users["cmo"], review=board, minutes=PHI, phi_confirmed=True)
    board.refresh_from_db()
    assert board.minutes == PHI
    assert PhiConfirmation.objects.filter(field="minutes").count() == 1


def test_attendees_are_recorded(users: dict[str, User], board: Review) -> None:
    services.review_update(
        actor=users["cmo"], review=board, attendees=[users["cmo"], users["cmio"]]
    )
    assert set(board.attendees.all()) == {users["cmo"], users["cmio"]}
