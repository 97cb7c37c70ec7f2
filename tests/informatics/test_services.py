"""The kernel's write services, called directly: the same door the pages, the API, tasks and
management commands go through."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from rest_framework.authtoken.models import Token

from informatics import services
from informatics.choices import DEFAULT_SLA_HOURS, AuditAction, JobStatus
from informatics.exceptions import StaleEdit
from informatics.models import AuditEvent, Facility, JobRun, StrategicPriority, User
from informatics.permissions import ActionDenied
from tests.factories import FacilityFactory, PriorityFactory

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

HORIZON = datetime.date(2027, 6, 30)


def errors_of(raised: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return dict(raised.value.message_dict)


def ranking() -> list[tuple[str, int]]:
    return list(
        StrategicPriority.objects.filter(is_active=True)
        .order_by("rank")
        .values_list("code", "rank")
    )


@pytest.fixture
def cmo(users: dict[str, User]) -> User:
    return users["cmo"]


@pytest.fixture
def admin(users: dict[str, User]) -> User:
    return users["admin"]


# --- Priorities -----------------------------------------------------------------------------


def test_priority_create_ranks_new_priorities_last(cmo: User) -> None:
    first = services.priority_create(
        actor=cmo, code="a", title="A", goal_statement="G", value_category="equity", horizon=HORIZON
    )
    second = services.priority_create(
        actor=cmo, code="b", title="B", goal_statement="G", value_category="equity", horizon=HORIZON
    )
    assert (first.rank, second.rank) == (1, 2)
    assert (second.version, second.is_active) == (1, True)


def test_priority_create_collects_every_bad_field(cmo: User) -> None:
    PriorityFactory.create(code="taken")
    with pytest.raises(ValidationError) as raised:
        services.priority_create(
            actor=cmo,
            code="taken",
            title=" ",
            goal_statement="",
            value_category="vibes",
            horizon="2027-06-30",  # type: ignore[arg-type]
        )
    assert errors_of(raised) == {
        "code": ["A priority with code 'taken' already exists."],
        "title": ["A priority needs a title."],
        "goal_statement": ["Say what the priority aims to achieve."],
        "value_category": ["'vibes' is not a value category."],
        "horizon": ["The horizon must be a date."],
    }
    assert StrategicPriority.objects.count() == 1


@pytest.mark.parametrize("role", ["champion", "informaticist", "cmio", "executive"])
def test_priority_services_refuse_other_roles(role: str, users: dict[str, User]) -> None:
    priority = PriorityFactory.create()
    actor = users[role]
    calls: list[Callable[[], Any]] = [
        lambda: services.priority_create(
            actor=actor,
            code="x",
            title="X",
            goal_statement="G",
            value_category="equity",
            horizon=HORIZON,
        ),
        lambda: services.priority_update(actor=actor, priority=priority, version=1, title="X"),
        lambda: services.priority_reorder(actor=actor, ordered_ids=[priority.pk]),
        lambda: services.priority_move(actor=actor, priority=priority, steps=1),
        lambda: services.priority_retire(actor=actor, priority=priority, version=1, reason="R"),
        lambda: services.priority_restore(actor=actor, priority=priority, version=1),
    ]
    for call in calls:
        with pytest.raises(ActionDenied):
            call()
    priority.refresh_from_db()
    assert (priority.version, priority.is_active, StrategicPriority.objects.count()) == (1, True, 1)
    assert AuditEvent.objects.count() == 0


def test_priority_update_refuses_fields_it_does_not_own(cmo: User) -> None:
    priority = PriorityFactory.create()
    with pytest.raises(ValidationError) as raised:
        services.priority_update(actor=cmo, priority=priority, version=1, rank=1, is_active=False)
    assert errors_of(raised) == {
        "rank": ["This field cannot be edited here."],
        "is_active": ["This field cannot be edited here."],
    }


def test_priority_update_keeps_its_own_code(cmo: User) -> None:
    priority = PriorityFactory.create(code="safety")
    services.priority_update(actor=cmo, priority=priority, version=1, code="safety", title="New")
    priority.refresh_from_db()
    assert (priority.code, priority.title, priority.version) == ("safety", "New", 2)


def test_priority_update_of_a_stale_version_raises_and_saves_nothing(cmo: User) -> None:
    priority = PriorityFactory.create(title="Safety")
    services.priority_update(actor=cmo, priority=priority, version=1, title="First")
    with pytest.raises(StaleEdit):
        services.priority_update(actor=cmo, priority=priority, version=1, title="Second")
    priority.refresh_from_db()
    assert (priority.title, priority.version) == ("First", 2)


def test_priority_reorder_sets_the_ranking_and_needs_every_active_priority(cmo: User) -> None:
    a, b, c = (
        PriorityFactory.create(code=code, rank=rank)
        for code, rank in (("a", 1), ("b", 2), ("c", 3))
    )
    PriorityFactory.create(code="old", rank=4, is_active=False)

    services.priority_reorder(actor=cmo, ordered_ids=[c.pk, a.pk, b.pk])
    assert ranking() == [("c", 1), ("a", 2), ("b", 3)]

    for bad in ([a.pk, b.pk], [a.pk, a.pk, b.pk], [a.pk, b.pk, c.pk, 999]):
        with pytest.raises(ValidationError) as raised:
            services.priority_reorder(actor=cmo, ordered_ids=bad)
        assert errors_of(raised) == {
            "ordered_ids": ["Give every active priority exactly once, in the new order."]
        }
    assert ranking() == [("c", 1), ("a", 2), ("b", 3)]


def test_priority_move_clamps_at_the_ends(cmo: User) -> None:
    _, _, c = (
        PriorityFactory.create(code=code, rank=rank)
        for code, rank in (("a", 1), ("b", 2), ("c", 3))
    )
    services.priority_move(actor=cmo, priority=c, steps=-10)
    assert ranking() == [("c", 1), ("a", 2), ("b", 3)]
    services.priority_move(actor=cmo, priority=c, steps=10)
    assert ranking() == [("a", 1), ("b", 2), ("c", 3)]


def test_priority_retire_and_restore(cmo: User) -> None:
    keep = PriorityFactory.create(code="keep", rank=1)
    gone = PriorityFactory.create(code="gone", rank=2)

    with pytest.raises(ValidationError) as raised:
        services.priority_retire(actor=cmo, priority=gone, version=1, reason=" ")
    assert errors_of(raised) == {"retired_reason": ["Say why the priority is retired."]}

    services.priority_retire(actor=cmo, priority=gone, version=1, reason=" Achieved. ")
    gone.refresh_from_db()
    assert (gone.is_active, gone.retired_reason, gone.version) == (False, "Achieved.", 2)
    with pytest.raises(ValidationError) as raised:
        services.priority_retire(actor=cmo, priority=gone, version=2, reason="Again.")
    assert errors_of(raised) == {"is_active": ["This priority is already retired."]}

    services.priority_move(actor=cmo, priority=keep, steps=1)  # alone in the ranking
    services.priority_restore(actor=cmo, priority=gone, version=2)
    gone.refresh_from_db()
    assert (gone.is_active, gone.retired_reason, gone.rank, gone.version) == (True, "", 2, 3)
    with pytest.raises(ValidationError) as raised:
        services.priority_restore(actor=cmo, priority=gone, version=3)
    assert errors_of(raised) == {"is_active": ["This priority is already active."]}


# --- People ---------------------------------------------------------------------------------


def test_user_invite_makes_an_account_and_mails_a_link(
    admin: User, django_capture_on_commit_callbacks: Any
) -> None:
    north = FacilityFactory.create(code="north", name="North")
    with django_capture_on_commit_callbacks(execute=True):
        person = services.user_invite(
            actor=admin,
            email=" New.Person@Riverside.example ",
            full_name=" New Person ",
            roles=["admin"],
            facilities=[north],
            base_url="https://portal.riverside.example/",
        )

    assert (person.email, person.full_name) == ("new.person@riverside.example", "New Person")
    assert person.roles == ("admin",)
    assert (person.is_staff, person.is_superuser) == (True, True)
    assert person.has_usable_password() is False
    assert len(mail.outbox) == 1
    assert "https://portal.riverside.example/accounts/reset/" in mail.outbox[0].body


def test_user_invite_refuses_bad_input(admin: User, users: dict[str, User]) -> None:
    with pytest.raises(ValidationError) as raised:
        services.user_invite(
            actor=admin, email="x@y.example", full_name="X", roles=[], base_url="/"
        )
    assert errors_of(raised) == {"roles": ["Give the person at least one role."]}

    with pytest.raises(ValidationError) as raised:
        services.user_invite(
            actor=admin, email="x@y.example", full_name="X", roles=["cmo", "pilot"], base_url="/"
        )
    assert errors_of(raised) == {"roles": ["Unknown role: pilot."]}

    with pytest.raises(ValidationError) as raised:
        services.user_invite(
            actor=admin, email="CMIO@riverside.example", full_name=" ", roles=["cmo"], base_url="/"
        )
    assert errors_of(raised) == {
        "email": ["cmio@riverside.example already has an account."],
        "full_name": ["A name is required."],
    }
    assert User.objects.count() == len(users)


def test_user_set_active_deletes_tokens_and_refuses_oneself(
    admin: User, users: dict[str, User]
) -> None:
    person = users["cmio"]
    Token.objects.create(user=person)
    services.user_set_active(actor=admin, user=person, is_active=False)
    person.refresh_from_db()
    assert person.is_active is False
    assert person.roles == ()  # a deactivated account holds no role
    assert Token.objects.count() == 0

    with pytest.raises(ValidationError) as raised:
        services.user_set_active(actor=admin, user=admin, is_active=False)
    assert errors_of(raised) == {"is_active": ["You cannot deactivate your own account."]}


@pytest.mark.parametrize("role", ["cmo", "cmio", "informaticist", "champion", "executive"])
def test_people_services_refuse_other_roles(role: str, users: dict[str, User]) -> None:
    actor, person = users[role], users["admin"]
    with pytest.raises(ActionDenied):
        services.user_invite(
            actor=actor, email="a@b.example", full_name="A", roles=["cmo"], base_url="/"
        )
    with pytest.raises(ActionDenied):
        services.user_update(actor=actor, user=person, full_name="X", roles=["cmo"], facilities=[])
    with pytest.raises(ActionDenied):
        services.user_set_active(actor=actor, user=person, is_active=False)
    with pytest.raises(ActionDenied):
        services.site_settings_update(actor=actor, currency="EUR")
    with pytest.raises(ActionDenied):
        services.facility_create(actor=actor, code="x", name="X", kind="system")
    person.refresh_from_db()
    assert (person.full_name, person.is_active) == ("Demo ADMIN", True)
    assert AuditEvent.objects.count() == 0


# --- Site settings --------------------------------------------------------------------------


def test_site_settings_get_creates_the_row_once_and_caches_it(
    django_assert_num_queries: Any,
) -> None:
    first = services.site_settings_get()
    with django_assert_num_queries(0):
        again = services.site_settings_get()
    assert first.pk == again.pk == 1
    assert (again.organisation_name, again.time_zone, again.currency) == (
        "Informatics Portal",
        "UTC",
        "USD",
    )
    assert again.sla_hours == DEFAULT_SLA_HOURS


def test_site_settings_update_saves_audits_and_refreshes_the_cache(
    admin: User, django_capture_on_commit_callbacks: Any
) -> None:
    services.site_settings_get()
    with django_capture_on_commit_callbacks(execute=True):
        services.site_settings_update(
            actor=admin, organisation_name="Riverside Health", currency="EUR"
        )

    assert services.site_settings_get().organisation_name == "Riverside Health"
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.changes) == (
        admin,
        AuditAction.UPDATE,
        {
            "organisation_name": ["Informatics Portal", "Riverside Health"],
            "currency": ["USD", "EUR"],
        },
    )


def test_site_settings_update_refuses_bad_values_by_name(admin: User) -> None:
    with pytest.raises(ValidationError) as raised:
        services.site_settings_update(
            actor=admin,
            organisation_name=" ",
            time_zone="Nowhere/Special",
            currency="dollars",
            sla_hours={"fast_track": 1},
            colour="blue",
        )
    assert errors_of(raised) == {
        "colour": ["This field cannot be edited here."],
        "organisation_name": ["Give the organisation's name."],
        "time_zone": [
            "“Nowhere/Special” is not a time zone this server knows; use an IANA name such as "
            "America/Chicago or Europe/London."
        ],
        "currency": ["Give the currency as a three-letter ISO 4217 code, e.g. USD."],
        "sla_hours": ["Give the SLA hours of every intake route, once each."],
    }
    with pytest.raises(ValidationError) as raised:
        services.site_settings_update(actor=admin, sla_hours={**DEFAULT_SLA_HOURS, "training": 0})
    assert errors_of(raised) == {"sla_hours": ["SLA hours must be whole numbers of at least 1."]}
    with pytest.raises(ValidationError) as raised:
        services.site_settings_update(actor=admin, fiscal_year_start_month=13, stale_after_days=0)
    assert errors_of(raised) == {
        "fiscal_year_start_month": ["Give the month as a number from 1 to 12."],
        "stale_after_days": ["Give the number of days as a whole number of at least 1."],
    }
    row = services.site_settings_get()
    assert (row.fiscal_year_start_month, row.stale_after_days, row.currency) == (7, 30, "USD")
    assert AuditEvent.objects.count() == 0


# --- Facilities -----------------------------------------------------------------------------


def test_facility_create_places_each_kind_in_the_hierarchy(admin: User) -> None:
    system = services.facility_create(actor=admin, code="rh", name="Riverside", kind="system")
    north = services.facility_create(
        actor=admin, code="north", name="North", kind="hospital", parent=system, beds=300
    )
    services.facility_create(actor=admin, code="icu", name="ICU", kind="unit", parent=north)
    services.facility_create(actor=admin, code="east", name="East", kind="clinic", parent=system)

    assert Facility.objects.count() == 4
    assert AuditEvent.objects.filter(action=AuditAction.CREATE).count() == 4


@pytest.mark.parametrize(
    ("kind", "parent", "message"),
    [
        ("system", "rh", "A health system sits at the top: it has no parent."),
        ("hospital", None, "A hospital sits under a health system."),
        ("hospital", "north", "A hospital sits under a health system."),
        ("unit", "rh", "A unit sits under a hospital."),
        ("clinic", "icu", "A clinic sits under a hospital or health system."),
    ],
)
def test_facility_create_refuses_a_wrong_place(
    admin: User, kind: str, parent: str | None, message: str
) -> None:
    system = FacilityFactory.create(code="rh", kind="system")
    north = FacilityFactory.create(code="north", kind="hospital", parent=system)
    FacilityFactory.create(code="icu", kind="unit", parent=north)
    with pytest.raises(ValidationError) as raised:
        services.facility_create(
            actor=admin,
            code="new",
            name="New",
            kind=kind,
            parent=Facility.objects.get(code=parent) if parent else None,
        )
    assert errors_of(raised) == {"parent": [message]}
    assert Facility.objects.count() == 3


def test_facility_update_audits_and_refuses_cycles_and_clashes(admin: User) -> None:
    system = FacilityFactory.create(code="rh", name="Riverside", kind="system")
    north = FacilityFactory.create(code="north", name="North", kind="hospital", parent=system)
    south = FacilityFactory.create(code="south", name="South", kind="hospital", parent=system)
    icu = FacilityFactory.create(code="icu", name="ICU", kind="unit", parent=north)

    services.facility_update(actor=admin, facility=icu, parent=south, beds=12)
    assert AuditEvent.objects.get().changes == {"parent": ["North", "South"], "beds": [None, 12]}

    with pytest.raises(ValidationError) as raised:
        services.facility_update(actor=admin, facility=south, code="north")
    assert errors_of(raised) == {"code": ["A facility with code 'north' already exists."]}
    with pytest.raises(ValidationError) as raised:
        services.facility_update(actor=admin, facility=system, kind="clinic", parent=south)
    assert errors_of(raised) == {"parent": ["A facility cannot sit under itself."]}
    assert AuditEvent.objects.count() == 1


# --- Background jobs ------------------------------------------------------------------------


def test_a_job_is_claimed_once_and_finishes_once(users: dict[str, User]) -> None:
    job = services.jobrun_create(kind="import", scope={"batch": 7}, created_by=users["cmio"])
    assert (job.status, job.attempts) == (JobStatus.PENDING, 0)

    assert services.jobrun_claim(job_id=job.pk) is True
    assert services.jobrun_claim(job_id=job.pk) is False  # a duplicate delivery does nothing
    services.jobrun_progress(job_id=job.pk, done=5, total=10)
    services.jobrun_finish(job_id=job.pk, result={"rows": 10})
    services.jobrun_fail(job_id=job.pk, error="too late")  # a finished job stays finished

    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress_done, job.progress_total) == (
        JobStatus.DONE,
        1,
        5,
        10,
    )
    assert (job.result, job.error) == ({"rows": 10}, "")
    assert services.jobrun_claim(job_id=job.pk) is False


def test_a_job_whose_worker_went_silent_can_be_claimed_again() -> None:
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    job = services.jobrun_create(kind="rollup")
    with time_machine.travel(start, tick=False) as clock:
        assert services.jobrun_claim(job_id=job.pk) is True
        clock.move_to(start + services.JOB_LEASE - datetime.timedelta(seconds=1))
        assert services.jobrun_claim(job_id=job.pk) is False
        clock.move_to(start + services.JOB_LEASE + datetime.timedelta(seconds=1))
        assert services.jobrun_claim(job_id=job.pk) is True
        services.jobrun_fail(job_id=job.pk, error="boom")

    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (JobStatus.FAILED, 2, "boom")
    assert JobRun.objects.count() == 1
