"""The kernel's part of the demo health system (DOMAIN.md §7), called first by `seed_demo`.

Riverside Health, all names invented: the system, four hospitals (one 610-bed tertiary centre
and three community hospitals, 1,150 beds in all) with their units, 58 clinics, the site
settings, one demo account per role plus a physician who holds two roles, and the seven
strategic priorities.

Running it again changes nothing that is already as seeded:
- reference data (site settings, facilities, demo accounts, their roles and password) is
  upserted by natural key (facility code, e-mail address) and put back when it was changed,
  each change recorded in the audit history like any other;
- the priorities are created when missing and otherwise left alone, so that the CMO's edits
  made in the demo (ranking, wording, retiring) survive the next `make run`.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import models, transaction
from django.utils import timezone

from informatics.audit import audit_record, diff, field_values
from informatics.choices import (
    AuditAction,
    FacilityKind,
    NotificationPreference,
    Role,
    ValueCategory,
)
from informatics.models import Facility, SiteSettings, StrategicPriority, User
from informatics.services import PRIORITY_FIELDS, SITE_SETTINGS_CACHE_KEY

DEMO_PASSWORD = "riverside-demo"  # noqa: S105 — printed by seed_demo; refused in production
AUDIT_NOTE = "demo data"

SITE = {
    "organisation_name": "Riverside Health",
    "time_zone": "America/Chicago",
    "fiscal_year_start_month": 7,
    "currency": "USD",
}

SYSTEM = ("riverside", "Riverside Health")

# code, name, beds
HOSPITALS = (
    ("rmc", "Riverside Medical Center", 610),  # tertiary and teaching centre
    ("nrh", "North Ridge Hospital", 210),
    ("lch", "Lakeshore Community Hospital", 190),
    ("cvh", "Cedar Valley Hospital", 140),
)

# code, name, hospital, beds (an emergency department has none)
UNITS = (
    ("rmc-ed", "RMC Emergency Department", "rmc", None),
    ("rmc-micu", "RMC Medical ICU", "rmc", 28),
    ("rmc-cvicu", "RMC Cardiovascular ICU", "rmc", 24),
    ("rmc-nicu", "RMC Neonatal ICU", "rmc", 40),
    ("rmc-4w", "RMC 4 West Medical-Surgical", "rmc", 36),
    ("rmc-5e", "RMC 5 East Oncology", "rmc", 32),
    ("rmc-ld", "RMC Labor & Delivery", "rmc", 22),
    ("nrh-ed", "North Ridge Emergency Department", "nrh", None),
    ("nrh-icu", "North Ridge ICU", "nrh", 16),
    ("nrh-ms", "North Ridge Medical-Surgical", "nrh", 48),
    ("nrh-tele", "North Ridge Telemetry", "nrh", 30),
    ("lch-ed", "Lakeshore Emergency Department", "lch", None),
    ("lch-icu", "Lakeshore ICU", "lch", 12),
    ("lch-ms", "Lakeshore Medical-Surgical", "lch", 44),
    ("lch-ortho", "Lakeshore Orthopedics & Spine", "lch", 24),
    ("cvh-ed", "Cedar Valley Emergency Department", "cvh", None),
    ("cvh-icu", "Cedar Valley ICU", "cvh", 10),
    ("cvh-ms", "Cedar Valley Medical-Surgical", "cvh", 40),
)

# code, name, parent (a hospital, or the system for the urgent-care network)
CLINICS = (
    # Primary care, each under the hospital nearest to it.
    ("pc-downtown", "Riverside Primary Care – Downtown", "rmc"),
    ("pc-mill-district", "Riverside Primary Care – Mill District", "rmc"),
    ("pc-harbor-point", "Riverside Primary Care – Harbor Point", "rmc"),
    ("pc-elm-heights", "Riverside Primary Care – Elm Heights", "rmc"),
    ("pc-university-park", "Riverside Primary Care – University Park", "rmc"),
    ("pc-westgate", "Riverside Primary Care – Westgate", "rmc"),
    ("pc-founders-square", "Riverside Primary Care – Founders Square", "rmc"),
    ("pc-kessler-park", "Riverside Primary Care – Kessler Park", "rmc"),
    ("pc-north-ridge", "Riverside Primary Care – North Ridge", "nrh"),
    ("pc-pine-hollow", "Riverside Primary Care – Pine Hollow", "nrh"),
    ("pc-granite-falls", "Riverside Primary Care – Granite Falls", "nrh"),
    ("pc-aspen-court", "Riverside Primary Care – Aspen Court", "nrh"),
    ("pc-ridgeview", "Riverside Primary Care – Ridgeview", "nrh"),
    ("pc-fox-run", "Riverside Primary Care – Fox Run", "nrh"),
    ("pc-lakeshore", "Riverside Primary Care – Lakeshore", "lch"),
    ("pc-bayview", "Riverside Primary Care – Bayview", "lch"),
    ("pc-willow-creek", "Riverside Primary Care – Willow Creek", "lch"),
    ("pc-sandpiper", "Riverside Primary Care – Sandpiper", "lch"),
    ("pc-marina-village", "Riverside Primary Care – Marina Village", "lch"),
    ("pc-cedar-valley", "Riverside Primary Care – Cedar Valley", "cvh"),
    ("pc-meadowbrook", "Riverside Primary Care – Meadowbrook", "cvh"),
    ("pc-stonebridge", "Riverside Primary Care – Stonebridge", "cvh"),
    ("pc-prairie-view", "Riverside Primary Care – Prairie View", "cvh"),
    ("pc-oak-bend", "Riverside Primary Care – Oak Bend", "cvh"),
    # Pediatrics.
    ("peds-downtown", "Riverside Pediatrics – Downtown", "rmc"),
    ("peds-westgate", "Riverside Pediatrics – Westgate", "rmc"),
    ("peds-north-ridge", "Riverside Pediatrics – North Ridge", "nrh"),
    ("peds-pine-hollow", "Riverside Pediatrics – Pine Hollow", "nrh"),
    ("peds-lakeshore", "Riverside Pediatrics – Lakeshore", "lch"),
    ("peds-cedar-valley", "Riverside Pediatrics – Cedar Valley", "cvh"),
    # Specialty clinics of the tertiary centre.
    ("rmc-cardiology", "RMC Cardiology Clinic", "rmc"),
    ("rmc-heart-failure", "RMC Heart Failure Clinic", "rmc"),
    ("rmc-oncology", "RMC Oncology & Infusion Center", "rmc"),
    ("rmc-endocrinology", "RMC Endocrinology & Diabetes Clinic", "rmc"),
    ("rmc-pulmonology", "RMC Pulmonology Clinic", "rmc"),
    ("rmc-nephrology", "RMC Nephrology & Dialysis Clinic", "rmc"),
    ("rmc-neurology", "RMC Neurology Clinic", "rmc"),
    ("rmc-gastroenterology", "RMC Gastroenterology Clinic", "rmc"),
    ("rmc-rheumatology", "RMC Rheumatology Clinic", "rmc"),
    ("rmc-infectious-disease", "RMC Infectious Disease Clinic", "rmc"),
    ("rmc-wound-care", "RMC Wound Care Center", "rmc"),
    ("rmc-orthopedics", "RMC Orthopedics Clinic", "rmc"),
    ("rmc-womens-health", "RMC Women's Health Clinic", "rmc"),
    ("rmc-behavioral-health", "RMC Behavioral Health Clinic", "rmc"),
    ("rmc-transplant", "RMC Transplant Clinic", "rmc"),
    ("rmc-pain", "RMC Pain Management Clinic", "rmc"),
    # Specialty clinics of the community hospitals.
    ("nrh-cardiology", "North Ridge Cardiology Clinic", "nrh"),
    ("nrh-orthopedics", "North Ridge Orthopedics Clinic", "nrh"),
    ("lch-womens-health", "Lakeshore Women's Health Clinic", "lch"),
    ("lch-behavioral-health", "Lakeshore Behavioral Health Clinic", "lch"),
    ("cvh-diabetes", "Cedar Valley Diabetes Education Center", "cvh"),
    ("cvh-surgery", "Cedar Valley General Surgery Clinic", "cvh"),
    # The urgent-care network reports to the system.
    ("uc-harbor-point", "Riverside Urgent Care – Harbor Point", "riverside"),
    ("uc-fox-run", "Riverside Urgent Care – Fox Run", "riverside"),
    ("uc-bayview", "Riverside Urgent Care – Bayview", "riverside"),
    ("uc-stonebridge", "Riverside Urgent Care – Stonebridge", "riverside"),
    ("uc-eastgate", "Riverside Urgent Care – Eastgate", "riverside"),
    ("uc-airport-road", "Riverside Urgent Care – Airport Road", "riverside"),
)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    title: str
    specialty: str
    roles: tuple[str, ...]
    facilities: tuple[str, ...]


DEMO_ACCOUNTS = (
    DemoAccount(
        "cmo@riverside.example",
        "Margaret Okonkwo",
        "Chief Medical Officer",
        "Internal Medicine",
        (Role.CMO,),
        ("riverside",),
    ),
    DemoAccount(
        "cmio@riverside.example",
        "Daniel Reyes",
        "Chief Medical Information Officer",
        "Hospital Medicine",
        (Role.CMIO,),
        ("riverside",),
    ),
    DemoAccount(
        "informaticist@riverside.example",
        "Priya Natarajan",
        "Clinical Informaticist (RN)",
        "Nursing Informatics",
        (Role.INFORMATICIST,),
        ("rmc", "nrh"),
    ),
    DemoAccount(
        "executive@riverside.example",
        "Thomas Whitaker",
        "Chief Financial Officer",
        "",
        (Role.EXECUTIVE,),
        ("riverside",),
    ),
    DemoAccount(
        "champion@riverside.example",
        "Aisha Bello",
        "Emergency Physician, Physician Champion",
        "Emergency Medicine",
        (Role.CHAMPION,),
        ("rmc-ed",),
    ),
    DemoAccount(
        "admin@riverside.example",
        "Jordan Lee",
        "Portal Administrator",
        "",
        (Role.ADMIN,),
        ("riverside",),
    ),
    # A hospitalist with protected time for informatics: champion and informaticist at once,
    # landing on the informaticist's workbench (the first of the two in landing order).
    DemoAccount(
        "hospitalist@riverside.example",
        "Samuel Fischer",
        "Hospitalist and Physician Informaticist",
        "Hospital Medicine",
        (Role.INFORMATICIST, Role.CHAMPION),
        ("nrh", "nrh-ms"),
    ),
)


@dataclass(frozen=True)
class DemoPriority:
    code: str
    title: str
    goal_statement: str
    value_category: str
    horizon: datetime.date
    sponsor: str  # e-mail of a demo account


PRIORITIES = (
    DemoPriority(
        "zero-harm",
        "Zero Harm",
        "Eliminate preventable harm: halve CLABSI, CAUTI and inpatient falls with injury "
        "across all four hospitals by the end of FY2028.",
        ValueCategory.SAFETY_QUALITY,
        datetime.date(2028, 6, 30),
        "cmo@riverside.example",
    ),
    DemoPriority(
        "evidence-based-care",
        "Reliable evidence-based care",
        "Make the right care the easy care: SEP-1 bundle compliance of 75% or better, and "
        "condition-specific order sets used in 80% of eligible admissions, by the end of FY2027.",
        ValueCategory.SAFETY_QUALITY,
        datetime.date(2027, 6, 30),
        "cmo@riverside.example",
    ),
    DemoPriority(
        "joy-in-practice",
        "Restore joy in practice",
        "Cut the EHR burden by 20%: EHR time per 8 hours of scheduled patient time and "
        "after-hours EHR time 20% below the FY2025 baseline, and burnout under 35%, by the end "
        "of FY2027.",
        ValueCategory.ENGAGEMENT,
        datetime.date(2027, 6, 30),
        "cmio@riverside.example",
    ),
    DemoPriority(
        "financial-stewardship",
        "Financial stewardship",
        "Return $4 million a year in hard savings and cost avoidance from informatics work by "
        "FY2028, every dollar traced to measured results.",
        ValueCategory.FINANCIAL,
        datetime.date(2028, 6, 30),
        "executive@riverside.example",
    ),
    DemoPriority(
        "complex-care",
        "Coordinated complex care",
        "Bring 30-day all-cause readmissions from 14% to 12%, and the share of patients with "
        "diabetes whose HbA1c is above 9% under 15%, by the end of FY2028.",
        ValueCategory.COMPLEX_CARE,
        datetime.date(2028, 6, 30),
        "cmo@riverside.example",
    ),
    DemoPriority(
        "responsible-ai",
        "Responsible AI and automation",
        "Put every AI model and automation in clinical use under one governance process "
        "(inventory, local validation, monitoring for drift and bias) and scale only what "
        "proves safe and gives clinicians time back.",
        ValueCategory.SAFETY_QUALITY,
        datetime.date(2027, 12, 31),
        "cmio@riverside.example",
    ),
    DemoPriority(
        "health-equity",
        "Health equity",
        "Screen 90% of hospitalised and primary-care patients for social needs, and halve the "
        "gap in diabetes control between the best- and worst-served neighbourhoods, by FY2029.",
        ValueCategory.EQUITY,
        datetime.date(2029, 6, 30),
        "executive@riverside.example",
    ),
)


PRIORITY_AUDIT = (*PRIORITY_FIELDS, "rank", "is_active")


class Writer(Protocol):
    """Where seeding reports what it did: a command's stdout, or a StringIO in tests."""

    def write(self, text: str, /) -> object: ...


def _upsert[M: models.Model](
    model: type[M], *, lookup: dict[str, Any], values: dict[str, Any]
) -> tuple[M, bool]:
    """update_or_create by a natural key, auditing the creation or the fields put back."""
    row = model._default_manager.filter(**lookup).first()
    if row is None:
        row = model._default_manager.create(**lookup, **values)
        audit_record(
            instance=row,
            actor=None,
            action=AuditAction.CREATE,
            changes={name: [None, value] for name, value in field_values(row, values).items()},
            note=AUDIT_NOTE,
        )
        return row, True
    before = field_values(row, values)
    for name, value in values.items():
        setattr(row, name, value)
    changes = diff(before, field_values(row, values))
    if changes:
        update_fields = list(values)
        if hasattr(row, "updated_at"):
            row.updated_at = timezone.now()
            update_fields.append("updated_at")
        row.save(update_fields=update_fields)
        audit_record(
            instance=row, actor=None, action=AuditAction.UPDATE, changes=changes, note=AUDIT_NOTE
        )
    return row, False


def _seed_site_settings() -> None:
    _upsert(SiteSettings, lookup={"pk": 1}, values=dict(SITE))
    cache.delete(SITE_SETTINGS_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(SITE_SETTINGS_CACHE_KEY))


def _seed_facilities() -> dict[str, Facility]:
    def put(code: str, name: str, kind: str, parent: Facility | None, beds: int | None) -> None:
        values = {"name": name, "kind": kind, "parent": parent, "beds": beds, "is_active": True}
        facilities[code] = _upsert(Facility, lookup={"code": code}, values=values)[0]

    facilities: dict[str, Facility] = {}
    put(*SYSTEM, FacilityKind.SYSTEM, None, None)
    for code, name, beds in HOSPITALS:
        put(code, name, FacilityKind.HOSPITAL, facilities[SYSTEM[0]], beds)
    for code, name, hospital, unit_beds in UNITS:
        put(code, name, FacilityKind.UNIT, facilities[hospital], unit_beds)
    for code, name, parent in CLINICS:
        put(code, name, FacilityKind.CLINIC, facilities[parent], None)
    return facilities


def _membership(user: User) -> dict[str, list[str]]:
    return {
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "facilities": sorted(user.facilities.values_list("code", flat=True)),
    }


def seed_account(account: DemoAccount, facilities: dict[str, Facility]) -> User:
    """Create or bring up to date one demo account (any app's demo people go through here)."""
    is_admin = Role.ADMIN in account.roles
    user, created = _upsert(
        User,
        lookup={"email": account.email},
        values={
            "full_name": account.full_name,
            "title": account.title,
            "specialty": account.specialty,
            "is_active": True,
            "is_staff": is_admin,
            "is_superuser": is_admin,
        },
    )
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    before = {} if created else _membership(user)
    user.groups.set([Group.objects.get_or_create(name=role)[0] for role in account.roles])
    user.facilities.set([facilities[code] for code in account.facilities])
    changes = diff(before, _membership(user))
    if changes:
        audit_record(
            instance=user, actor=None, action=AuditAction.UPDATE, changes=changes, note=AUDIT_NOTE
        )
    vars(user).pop("_roles_cache", None)
    return user


def _seed_priorities(people: dict[str, User]) -> int:
    """Create the priorities that are missing; returns how many were created."""
    created = 0
    for rank, demo in enumerate(PRIORITIES, start=1):
        if StrategicPriority.objects.filter(code=demo.code).exists():
            continue
        priority = StrategicPriority.objects.create(
            code=demo.code,
            title=demo.title,
            goal_statement=demo.goal_statement,
            value_category=demo.value_category,
            horizon=demo.horizon,
            executive_sponsor=people[demo.sponsor],
            rank=rank,
        )
        audit_record(
            instance=priority,
            actor=people["cmo@riverside.example"],
            action=AuditAction.CREATE,
            changes={
                name: [None, value]
                for name, value in field_values(priority, PRIORITY_AUDIT).items()
            },
            note=AUDIT_NOTE,
        )
        created += 1
    return created


@transaction.atomic
def seed(*, stdout: Writer) -> None:
    """Seed Riverside Health's settings, facilities, demo accounts and priorities."""
    _seed_site_settings()
    facilities = _seed_facilities()
    people = {account.email: seed_account(account, facilities) for account in DEMO_ACCOUNTS}
    new_priorities = _seed_priorities(people)
    kinds = [facility.kind for facility in facilities.values()]
    stdout.write(
        f"{SITE['organisation_name']}: {kinds.count(FacilityKind.HOSPITAL)} hospitals "
        f"({sum(beds for _, _, beds in HOSPITALS):,} beds), {kinds.count(FacilityKind.UNIT)} "
        f"units, {kinds.count(FacilityKind.CLINIC)} clinics; {len(people)} demo accounts; "
        f"{len(PRIORITIES)} strategic priorities ({new_priorities} new).\n"
    )


@contextmanager
def email_held() -> Iterator[None]:
    """Every person's notification preference is "none" inside, and theirs again after: demo
    seeding sends no e-mail."""
    saved = list(
        User.objects.exclude(notification_preference=NotificationPreference.NONE).values_list(
            "pk", "notification_preference"
        )
    )
    User.objects.filter(pk__in=[pk for pk, _ in saved]).update(
        notification_preference=NotificationPreference.NONE
    )
    # No try/finally: the caller's transaction rolls the change back if seeding fails.
    yield
    by_preference: dict[str, list[int]] = defaultdict(list)
    for pk, preference in saved:
        by_preference[preference].append(pk)
    for preference, pks in by_preference.items():
        User.objects.filter(pk__in=pks).update(notification_preference=preference)
