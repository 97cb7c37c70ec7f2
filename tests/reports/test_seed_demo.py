"""`manage.py seed_demo`: the Riverside Health demo system, safe to run twice, refused in
production without --force."""

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from informatics.choices import FacilityKind, Role
from informatics.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from informatics.models import (
    AuditEvent,
    Facility,
    GroupRoleMapping,
    IdentityLink,
    PinnedRole,
    SiteSettings,
    StrategicPriority,
    User,
)
from informatics.services import site_settings_get, site_today
from intake.demo import PHYSICIANS
from metrics.choices import ImportFormat
from metrics.models import ImportBatch
from metrics.periods import month_start
from reports.choices import ReportState
from reports.models import ReportSubscription, ValueReport
from tests.conftest import data_for_module

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """`seed_demo`, run once for this module (each test still runs in its own savepoint);
    what it printed. Tests that need an empty database live in test_seed_demo_command.py."""
    with data_for_module(django_db_blocker):
        yield seed()


def row_counts() -> dict[str, int]:
    """Rows of every model installed, by label (AuditEvent, Group, Token and all)."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_seeds_the_riverside_health_system(seeded: str) -> None:
    system = Facility.objects.get(kind=FacilityKind.SYSTEM)
    assert (system.code, system.name, system.parent) == ("riverside", "Riverside Health", None)
    hospitals = Facility.objects.filter(kind=FacilityKind.HOSPITAL)
    assert list(hospitals.order_by("beds").values_list("beds", flat=True)) == [140, 190, 210, 610]
    assert hospitals.aggregate(total=Sum("beds"))["total"] == 1150
    assert {hospital.parent for hospital in hospitals} == {system}
    assert Facility.objects.filter(kind=FacilityKind.CLINIC).count() == 58
    clinic_parents = set(
        Facility.objects.filter(kind=FacilityKind.CLINIC).values_list("parent__kind", flat=True)
    )
    assert clinic_parents == {FacilityKind.HOSPITAL, FacilityKind.SYSTEM}
    for hospital in hospitals:
        units = set(hospital.children.filter(kind=FacilityKind.UNIT).values_list("name", flat=True))
        assert len(units) >= 3
        assert any("ICU" in name for name in units)
        assert any("Emergency" in name for name in units)


def test_sets_the_organisation_settings(seeded: str) -> None:
    row = SiteSettings.objects.get(pk=1)
    assert (row.organisation_name, row.time_zone, row.fiscal_year_start_month, row.currency) == (
        "Riverside Health",
        "America/Chicago",
        7,
        "USD",
    )
    assert site_settings_get().organisation_name == "Riverside Health"


def test_seeds_one_account_per_role_and_a_multi_role_physician(seeded: str) -> None:
    for role in Role.values:
        user = User.objects.get(email=f"{role}@riverside.example")
        assert user.roles == (role,)
        assert user.full_name
        assert user.title
        assert user.check_password(DEMO_PASSWORD)
        assert user.is_active
    both = User.objects.get(email="hospitalist@riverside.example")
    assert both.roles == ("informaticist", "champion")
    assert both.check_password(DEMO_PASSWORD)
    admin = User.objects.get(email="admin@riverside.example")
    assert (admin.is_staff, admin.is_superuser) == (True, True)
    assert not User.objects.get(email="cmo@riverside.example").is_staff


def test_seeds_the_seven_priorities_in_rank_order(seeded: str) -> None:
    rows = list(
        StrategicPriority.objects.order_by("rank").values_list(
            "rank", "code", "title", "value_category", "executive_sponsor__email"
        )
    )
    assert rows == [
        (1, "zero-harm", "Zero Harm", "safety_quality", "cmo@riverside.example"),
        (
            2,
            "evidence-based-care",
            "Reliable evidence-based care",
            "safety_quality",
            "cmo@riverside.example",
        ),
        (3, "joy-in-practice", "Restore joy in practice", "engagement", "cmio@riverside.example"),
        (
            4,
            "financial-stewardship",
            "Financial stewardship",
            "financial",
            "executive@riverside.example",
        ),
        (5, "complex-care", "Coordinated complex care", "complex_care", "cmo@riverside.example"),
        (
            6,
            "responsible-ai",
            "Responsible AI and automation",
            "safety_quality",
            "cmio@riverside.example",
        ),
        (7, "health-equity", "Health equity", "equity", "executive@riverside.example"),
    ]
    joy = StrategicPriority.objects.get(code="joy-in-practice")
    assert "20%" in joy.goal_statement
    assert all(p.is_active and p.version == 1 for p in StrategicPriority.objects.all())
    assert AuditEvent.objects.filter(object_repr="Zero Harm", action="create").count() == 1


def test_prints_the_demo_accounts_with_their_password(seeded: str) -> None:
    output = seeded

    assert "Riverside Health: 4 hospitals (1,150 beds)" in output
    assert "58 clinics" in output
    for role in Role.values:
        line = next(line for line in output.splitlines() if f"{role}@riverside.example" in line)
        assert line.split() == [f"{role}@riverside.example", role, DEMO_PASSWORD]
    both = next(line for line in output.splitlines() if "hospitalist@" in line)
    assert both.split() == [
        "hospitalist@riverside.example",
        "informaticist,",
        "champion",
        "riverside-demo",
    ]


def test_running_twice_leaves_the_same_row_counts(seeded: str) -> None:
    first = row_counts()

    seed()

    assert row_counts() == first
    for label in ("informatics.AuditEvent", "auth.Group", "authtoken.Token", "informatics.User"):
        assert label in first
    assert first["informatics.Facility"] == 1 + 4 + 18 + 58
    # The kernel's demo accounts and the physician champions intake's demo adds.
    assert first["informatics.User"] == len(DEMO_ACCOUNTS) + len(PHYSICIANS) == 7 + 6
    assert first["auth.Group"] == 6


def test_running_again_restores_reference_data_but_keeps_priority_edits(seeded: str) -> None:
    Facility.objects.filter(code="rmc").update(name="Renamed")
    User.objects.filter(email="cmo@riverside.example").update(is_active=False)
    StrategicPriority.objects.filter(code="zero-harm").update(title="Zero Harm by 2028")
    events = AuditEvent.objects.count()

    seed()

    assert Facility.objects.get(code="rmc").name == "Riverside Medical Center"
    assert User.objects.get(email="cmo@riverside.example").is_active
    assert StrategicPriority.objects.get(code="zero-harm").title == "Zero Harm by 2028"
    restored = AuditEvent.objects.order_by("id")[events:]
    assert [(event.object_repr, event.changes, event.note) for event in restored] == [
        (
            "Riverside Medical Center",
            {"name": ["Renamed", "Riverside Medical Center"]},
            "demo data",
        ),
        ("Margaret Okonkwo", {"is_active": [False, True]}, "demo data"),
    ]


def test_seeds_an_issued_report_and_a_draft_waiting_for_the_narrative(seeded: str) -> None:
    last = month_start(site_today(), -1)
    before = month_start(last, -1)
    issued = ValueReport.objects.get(month=before, priority=None)
    assert (issued.state, issued.revision) == (ReportState.ISSUED, 1)
    assert issued.narrative.startswith(f"{before:%B %Y}: hard savings of $")
    assert (issued.reviewed_by.email, issued.issued_by.email) == (  # type: ignore[union-attr]
        "cmio@riverside.example",
        "cmo@riverside.example",
    )
    assert sorted(issued.files.values_list("kind", flat=True)) == ["csv", "pdf", "xlsx"]
    draft = ValueReport.objects.get(month=last, priority=None)
    assert (draft.state, draft.revision, draft.narrative) == (ReportState.DRAFT, 1, "")
    assert ReportSubscription.objects.get(user__email="executive@riverside.example").active
    assert f"Reports: {before:%B %Y} issued (revision 1), {last:%B %Y} draft (revision 1)" in seeded


def rows_the_demo_leaves_out() -> None:
    """One row of each model the admin site shows that the demo does not fill: single sign-on
    settings, an import, an API token and the lock-out records (django-axes)."""
    cmo = User.objects.get(email="cmo@riverside.example")
    GroupRoleMapping.objects.create(group="IS-Informatics-CMIO", role=Role.CMIO)
    PinnedRole.objects.create(user=cmo, role=Role.EXECUTIVE)
    IdentityLink.objects.create(
        user=cmo,
        issuer="https://login.riverside.example",
        subject="00u1",
        checked_at=timezone.now(),
    )
    ImportBatch.objects.create(
        file="", filename="sepsis.csv", format=ImportFormat.CSV, sha256="0" * 64, uploaded_by=cmo
    )
    Token.objects.create(user=cmo)
    seen = {"user_agent": "test", "ip_address": "127.0.0.1", "username": cmo.email}
    AccessAttempt.objects.create(
        **seen, http_accept="*/*", path_info="/", get_data="", post_data="", failures_since_start=1
    )
    AccessFailureLog.objects.create(**seen, http_accept="*/*", path_info="/")
    AccessLog.objects.create(**seen, http_accept="*/*", path_info="/")


def test_every_admin_list_search_and_change_page_opens_on_the_demo(seeded: str) -> None:
    rows_the_demo_leaves_out()
    client = Client()
    client.force_login(User.objects.get(email="admin@riverside.example"))
    opened: dict[str, list[str]] = {}
    failures = []

    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        first = model._default_manager.order_by("pk").first()
        urls = [changelist]
        if model_admin.search_fields:
            urls.append(f"{changelist}?q=riverside")
        if first is not None:
            urls.append(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
            )
        for url in urls:
            status = client.get(url).status_code
            if status != 200:
                failures.append(f"{url}: {status}")
        opened[opts.label] = urls

    assert failures == []
    # Every registered model had a row, so each one's change page was opened.
    assert [label for label, urls in opened.items() if "/change/" not in urls[-1]] == []
    assert len(opened) == 48
