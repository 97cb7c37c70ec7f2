"""Choices owned by the program kernel and shared by every app."""

from django.db import models


class Role(models.TextChoices):
    """Portal roles, in landing order: a user holding several lands on the first they hold."""

    CMO = "cmo", "CMO"
    CMIO = "cmio", "CMIO"
    INFORMATICIST = "informaticist", "Informaticist"
    EXECUTIVE = "executive", "Executive"
    CHAMPION = "champion", "Physician champion"
    ADMIN = "admin", "Admin"


ROLE_ORDER: tuple[str, ...] = tuple(Role.values)


class FacilityKind(models.TextChoices):
    SYSTEM = "system", "Health system"
    HOSPITAL = "hospital", "Hospital"
    UNIT = "unit", "Unit"
    CLINIC = "clinic", "Clinic"


# Which kinds may sit under which: system › hospital › unit or clinic (clinics may also
# report straight to the system).
FACILITY_PARENT_KINDS: dict[str, tuple[str, ...]] = {
    FacilityKind.SYSTEM: (),
    FacilityKind.HOSPITAL: (FacilityKind.SYSTEM,),
    FacilityKind.UNIT: (FacilityKind.HOSPITAL,),
    FacilityKind.CLINIC: (FacilityKind.HOSPITAL, FacilityKind.SYSTEM),
}


class ValueCategory(models.TextChoices):
    FINANCIAL = "financial", "Financial"
    ENGAGEMENT = "engagement", "Physician engagement"
    SAFETY_QUALITY = "safety_quality", "Safety & quality"
    COMPLEX_CARE = "complex_care", "Complex care"
    EQUITY = "equity", "Equity"


class Route(models.TextChoices):
    """Intake routes (DOMAIN.md §5); governance maps each to a default body."""

    SERVICE_DESK = "service_desk", "Service desk"
    FAST_TRACK = "fast_track", "Fast track"
    MANDATORY = "mandatory", "Mandatory"
    RELEASE_BOARD = "release_board", "Release board"
    TRAINING = "training", "Training"
    INFORMATICS_TEAM = "informatics_team", "Informatics team"
    WORKGROUP = "workgroup", "Specialty workgroup"
    CDS_COMMITTEE = "cds_committee", "CDS committee"
    STEERING = "steering", "Steering committee"
    AI_GOVERNANCE = "ai_governance", "AI governance"
    ANALYTICS = "analytics", "Analytics"


# Editable defaults for SiteSettings.sla_hours: safety items get 72 h (DOMAIN.md §5: 24–72 h).
DEFAULT_SLA_HOURS: dict[str, int] = {
    Route.SERVICE_DESK: 72,
    Route.FAST_TRACK: 72,
    Route.MANDATORY: 240,
    Route.RELEASE_BOARD: 336,
    Route.TRAINING: 120,
    Route.INFORMATICS_TEAM: 240,
    Route.WORKGROUP: 720,
    Route.CDS_COMMITTEE: 720,
    Route.STEERING: 1440,
    Route.AI_GOVERNANCE: 1440,
    Route.ANALYTICS: 480,
}


class JobStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class AuditAction(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"
    REDACT = "redact", "Redacted"


class NotificationPreference(models.TextChoices):
    IMMEDIATE = "immediate", "Right away"
    DAILY = "daily", "A daily digest"
    NONE = "none", "No e-mail"


class PhiKind(models.TextChoices):
    """What the PHI guard looks for in free text."""

    MRN = "mrn", "medical record number"
    DOB = "dob", "date of birth"
    PHONE = "phone", "phone number"
    SSN = "ssn", "social security number"
    EMAIL = "email", "e-mail address"
    NAME = "name", "patient name"
