"""The intake demo on a database without it: seeding sends no e-mail and leaves the
notification preferences people chose. (tests/initiatives/test_demo.py shares one seeded demo
across its tests, so a test that needs the database empty first lives here.)"""

from io import StringIO

import pytest
from django.core import mail

from informatics import demo as kernel_demo
from informatics.choices import NotificationPreference
from informatics.models import Notification, User
from initiatives import demo as initiatives_demo
from intake import demo

pytestmark = pytest.mark.django_db


def test_no_email_is_sent_and_preferences_stay_as_people_chose() -> None:
    kernel_demo.seed(stdout=StringIO())
    User.objects.filter(email="champion@riverside.example").update(
        notification_preference=NotificationPreference.DAILY
    )
    mail.outbox.clear()

    demo.seed(stdout=StringIO())
    initiatives_demo.seed(stdout=StringIO())

    assert mail.outbox == []
    assert Notification.objects.count() == 0
    preferences = dict(User.objects.values_list("email", "notification_preference"))
    assert preferences.pop("champion@riverside.example") == NotificationPreference.DAILY
    assert set(preferences.values()) == {NotificationPreference.IMMEDIATE}
