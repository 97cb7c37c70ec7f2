"""`manage.py seed_scale`: set-wise generation on PostgreSQL at the tiny size, and every refusal
(SQLite, production settings, a database holding data) changes nothing."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from informatics.models import Facility, User
from intake.models import IntakeRequest
from metrics.models import Measurement, RollupSeries
from reports import scale

TINY_COUNTS = {
    "informatics_facility": 8,
    "informatics_user": 40,
    "informatics_user_groups": 40,
    "informatics_strategicpriority": 10,
    "intake_intakerequest": 200,
    "intake_requestvote": 496,
    "intake_requestcomment": 300,
    "intake_requeststatuschange": 986,
    "initiatives_initiative": 20,
    "initiatives_stagechange": 62,
    "initiatives_milestone": 100,
    "initiatives_statusupdate": 80,
    "initiatives_benefitline": 30,
    "initiatives_linkedrequest": 110,
    "initiatives_initiativepriority": 30,
    "metrics_metric": 3,
    "metrics_target": 3,
    "metrics_metricinitiative": 6,
    "metrics_measurement": 360,
    "metrics_rollupseries": 24,
    "metrics_rolluppoint": 504,
}


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_scale", *args, stdout=out)
    return out.getvalue()


def test_sizes_follow_the_issue() -> None:
    full, small = scale.SIZES["full"], scale.SIZES["small"]
    assert (full.facilities, full.users, full.requests, full.initiatives, full.metrics) == (
        40,
        3000,
        30000,
        2000,
        300,
    )
    assert full.measurements == 1_020_000
    assert (small.users, small.requests, small.initiatives, small.measurements) == (
        300,
        3000,
        200,
        102_000,
    )


@pytest.mark.postgres
@pytest.mark.django_db
def test_tiny_seed_makes_valid_rows_and_roll_ups() -> None:
    output = seed("--tiny")

    assert scale.counts() == TINY_COUNTS
    assert "Sign in as cmio@scale.example (CMIO) or cmo@scale.example (CMO)" in output
    cmio = User.objects.get(email=scale.CMIO_EMAIL)
    assert cmio.roles == ("cmio",)
    assert cmio.check_password(scale.SCALE_PASSWORD)
    assert User.objects.get(email=scale.CMO_EMAIL).roles == ("cmo",)
    assert not User.objects.get(email=f"user2@{scale.SCALE_DOMAIN}").has_usable_password()
    # system › hospitals › units and clinics; measurements on the leaves only.
    assert Facility.objects.filter(kind="system", parent=None).count() == 1
    assert set(Measurement.objects.values_list("facility__kind", flat=True)) == {"unit", "clinic"}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM metrics_measurement m JOIN metrics_metric x ON x.id = "
            "m.metric_id WHERE x.chart_type = 'p' AND m.value <> round(m.numerator / "
            "m.denominator * 100, 6)"
        )
        assert cursor.fetchone() == (0,)
    # Every request's timeline ends at its status.
    last = {
        request.pk: request.status_changes.order_by("-at", "-id").first()
        for request in IntakeRequest.objects.all()
    }
    assert all(
        change and change.to_status == last_status
        for change, last_status in (
            (last[pk], status) for pk, status in IntakeRequest.objects.values_list("pk", "status")
        )
    )
    assert RollupSeries.objects.count() == 3 * 8  # every metric at every facility


def nothing_made() -> dict[str, Any]:
    return {"users": User.objects.count(), "requests": IntakeRequest.objects.count()}


@pytest.mark.sqlite
@pytest.mark.django_db
def test_refused_on_sqlite_changes_nothing() -> None:
    before = nothing_made()
    with pytest.raises(CommandError, match="seed_scale needs PostgreSQL"):
        seed("--tiny")
    assert nothing_made() == before


@pytest.mark.postgres
@pytest.mark.django_db
def test_refused_with_production_settings_unless_forced(settings: Any) -> None:
    settings.PRODUCTION = True
    before = nothing_made()
    with pytest.raises(CommandError, match="Refusing to load scale data with production"):
        seed("--tiny")
    assert nothing_made() == before


@pytest.mark.postgres
@pytest.mark.django_db
def test_refused_when_the_database_holds_data() -> None:
    User.objects.create_user("someone@example.org", full_name="Some One")
    before = nothing_made()
    with pytest.raises(CommandError, match="Refusing to seed: the database already holds 1 users"):
        seed("--tiny")
    assert nothing_made() == before
