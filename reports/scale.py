"""A health system at scale, for `manage.py seed_scale` and `make bench` (issue 14).

Rows are made set-wise in PostgreSQL (`INSERT … SELECT … generate_series`), never one ORM save
per row: facilities (system › hospitals › units and clinics), users with roles, strategic
priorities, intake requests with votes, comments and status timelines, initiatives with stage
timelines, milestones, status updates, benefit lines, priorities and linked requests, metrics
with targets, links and monthly measurements per leaf facility. The roll-ups are then computed
by the metrics app's own service (`rollup_refresh`). Every value respects the models'
constraints and choices. No audit history is written: the rows stand for data that already
existed.

Values are spread by arithmetic on the row number (`(n * prime) % size`), so a run is
repeatable; only the measurement noise uses `random()`, seeded per run.
"""

# Every statement here is built from this module's own constants and integer sizes, never from
# input, and takes no parameters (so "%" stays SQL's modulo): ruff's S608 does not apply.
# ruff: noqa: S608

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Accounts whose password is known, so that `scripts/bench` can sign in through the login form.
SCALE_DOMAIN = "scale.example"
SCALE_PASSWORD = "scale-bench-password"  # noqa: S105 — printed by seed_scale; refused in production
CMIO_EMAIL = f"cmio@{SCALE_DOMAIN}"
CMO_EMAIL = f"cmo@{SCALE_DOMAIN}"


@dataclass(frozen=True)
class Size:
    """How much to make. `hospitals` × `units_per_hospital` units, `clinics` clinics and the
    system make the facilities; measurements: metrics × leaf facilities × months."""

    name: str
    hospitals: int
    units_per_hospital: int
    clinics: int
    users: int
    requests: int
    initiatives: int
    metrics: int
    months: int

    @property
    def facilities(self) -> int:
        return 1 + self.hospitals * (1 + self.units_per_hospital) + self.clinics

    @property
    def leaves(self) -> int:
        return self.hospitals * self.units_per_hospital + self.clinics

    @property
    def measurements(self) -> int:
        return self.metrics * self.leaves * self.months


SIZES: dict[str, Size] = {
    # 40 facilities, 300 × 34 × 100 = 1,020,000 measurements.
    "full": Size("full", 5, 5, 9, 3000, 30000, 2000, 300, 100),
    "small": Size("small", 5, 5, 9, 300, 3000, 200, 30, 100),
    "tiny": Size("tiny", 2, 2, 1, 40, 200, 20, 3, 24),
}

ROLES = ("cmo", "cmio", "informaticist", "executive", "champion", "admin")

# Request statuses and the path of status changes that leads to each; `SHARE` spreads the
# requests over them per 100 (roughly the large system the issue measured).
PATHS: dict[str, tuple[str, ...]] = {
    "submitted": ("submitted",),
    "triage": ("submitted", "triage"),
    "needs_info": ("submitted", "triage", "needs_info"),
    "scored": ("submitted", "triage", "scored"),
    "in_review": ("submitted", "triage", "scored", "in_review"),
    "decided": ("submitted", "triage", "scored", "in_review", "decided"),
    "scheduled": ("submitted", "triage", "scored", "in_review", "decided", "scheduled"),
    "in_build": ("submitted", "triage", "scored", "in_review", "decided", "in_build"),
    "released": ("submitted", "triage", "scored", "decided", "in_build", "released"),
    "closed": ("submitted", "triage", "scored", "decided", "in_build", "released", "closed"),
    "declined": ("submitted", "triage", "scored", "declined"),
    "withdrawn": ("submitted", "withdrawn"),
}
SHARE: tuple[tuple[str, int], ...] = (
    ("submitted", 3),
    ("triage", 3),
    ("needs_info", 3),
    ("scored", 9),
    ("in_review", 7),
    ("decided", 5),
    ("scheduled", 10),
    ("in_build", 15),
    ("released", 15),
    ("closed", 15),
    ("declined", 10),
    ("withdrawn", 5),
)
# Stages of initiatives and the path to each (approve and stop are gates with a reason).
STAGE_PATHS: dict[str, tuple[str, ...]] = {
    "proposed": ("proposed",),
    "approved": ("proposed", "approved"),
    "in_build": ("proposed", "approved", "in_build"),
    "pilot": ("proposed", "approved", "in_build", "pilot"),
    "live": ("proposed", "approved", "in_build", "live"),
    "sustaining": ("proposed", "approved", "in_build", "live", "sustaining"),
    "closed": ("proposed", "approved", "in_build", "live", "sustaining", "closed"),
    "on_hold": ("proposed", "approved", "on_hold"),
    "deferred": ("proposed", "deferred"),
    "stopped": ("proposed", "approved", "stopped"),
}
STAGE_SHARE: tuple[tuple[str, int], ...] = (
    ("proposed", 15),
    ("approved", 10),
    ("in_build", 20),
    ("pilot", 8),
    ("live", 15),
    ("sustaining", 10),
    ("closed", 7),
    ("on_hold", 5),
    ("deferred", 5),
    ("stopped", 5),
)
REQUEST_KINDS = (
    ("pain_point", "informatics_team"),
    ("enhancement", "workgroup"),
    ("break_fix", "service_desk"),
    ("safety", "fast_track"),
    ("regulatory", "mandatory"),
    ("vendor_mandated", "release_board"),
    ("training_gap", "training"),
    ("minor_config", "informatics_team"),
    ("new_cds", "cds_committee"),
    ("new_capability", "steering"),
    ("ai", "ai_governance"),
    ("data_report", "analytics"),
)
FREQUENCIES = ("several_daily", "daily", "weekly", "monthly", "rarely")
VALUE_CATEGORIES = ("financial", "engagement", "safety_quality", "complex_care", "equity")
INITIATIVE_TYPES = (
    "ehr_optimisation",
    "cds",
    "order_set",
    "documentation",
    "inbox",
    "ai_automation",
    "analytics",
    "training",
    "interoperability",
    "infrastructure",
    "governance",
)
HEALTH = ("on_track", "at_risk", "off_track")
TOPICS = (
    "sepsis alert",
    "discharge summary",
    "medication reconciliation",
    "inbox message",
    "order set",
    "insulin dosing",
    "fall risk",
    "blood culture",
    "handoff note",
    "lab result routing",
    "prior authorisation",
    "telemetry order",
    "pain reassessment",
    "central line",
    "urinary catheter",
    "opioid prescribing",
    "allergy list",
    "problem list",
    "radiology result",
    "consult request",
    "VTE prophylaxis",
    "smart phrase",
    "referral queue",
    "patient portal",
)
PROBLEMS = (
    "takes too many clicks",
    "fires for the wrong patients",
    "is missing from the mobile app",
    "duplicates documentation",
    "loses the attending's changes",
    "is hard to find",
    "routes to the wrong pool",
    "needs a second signature",
    "times out on night shift",
    "shows stale values",
)
SPECIALTIES = (
    "Hospital Medicine",
    "Emergency Medicine",
    "Cardiology",
    "Family Medicine",
    "Pediatrics",
    "Surgery",
    "Nursing",
    "Pharmacy",
    "Oncology",
    "Critical Care",
)
FIRST_NAMES = ("Alex", "Sam", "Priya", "Jordan", "Maria", "Wei", "Fatima", "Noah", "Ines", "Kofi")
LAST_NAMES = ("Moreno", "Chen", "Okafor", "Lindqvist", "Patel", "Nguyen", "Haddad", "Brennan")
# Metric chart types, in turn: (chart, multiplier, unit, direction).
CHARTS = (
    ("p", 100, "%", "higher"),
    ("u", 1000, "per 1,000 patient-days", "lower"),
    ("xmr", 1, "minutes", "lower"),
    ("run", 1, "minutes", "lower"),
    ("c", 1, "events", "lower"),
)
AIMS = ("experience", "population_health", "cost", "care_team_wellbeing", "equity")


def sql_array(values: tuple[str, ...]) -> str:
    """A PostgreSQL text array literal of fixed, trusted strings (the constants above)."""
    return "ARRAY[" + ",".join("'" + value.replace("'", "''") + "'" for value in values) + "]"


def pick(values: tuple[str, ...], expression: str) -> str:
    """SQL choosing one of `values` by the integer `expression` (taken modulo their count)."""
    return f"({sql_array(values)})[1 + (({expression}) % {len(values)})]"


def weighted(shares: tuple[tuple[str, int], ...], expression: str) -> str:
    """SQL choosing a value by `expression` % 100 within cumulative shares (summing to 100)."""
    cases, upper = [], 0
    for value, share in shares:
        upper += share
        cases.append(f"WHEN ({expression}) % 100 < {upper} THEN '{value}'")
    return "CASE " + " ".join(cases) + " END"


def path_rows(paths: dict[str, tuple[str, ...]]) -> str:
    """VALUES rows (final, step, from, to) of every path, for joining against the records."""
    rows = []
    for final, steps in paths.items():
        previous = ""
        for step, status in enumerate(steps):
            rows.append(f"('{final}', {step}, '{previous}', '{status}')")
            previous = status
    return "VALUES " + ", ".join(rows)


def existing_data() -> dict[str, int]:
    """Counts of the business records a scale seed would add to; non-zero ones only."""
    from informatics.models import Facility, User
    from initiatives.models import Initiative
    from intake.models import IntakeRequest
    from metrics.models import Measurement, Metric

    counts = {
        "users": User.objects.count(),
        "facilities": Facility.objects.count(),
        "requests": IntakeRequest.objects.count(),
        "initiatives": Initiative.objects.count(),
        "metrics": Metric.objects.count(),
        "measurements": Measurement.objects.count(),
    }
    return {name: count for name, count in counts.items() if count}


def seed(size: Size, *, say: Callable[[str], Any]) -> dict[str, int]:
    """Make everything of `size` in an empty database (the caller checks it is empty); return
    the row counts per table. Each step says how long it took."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from informatics.models import SiteSettings, User
    from metrics.services.rollups import rollup_refresh

    started = time.monotonic()

    def step(label: str, statements: list[str]) -> None:
        began = time.monotonic()
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)  # no parameters: "%" is the modulo operator
        say(f"  {label}: {time.monotonic() - began:.1f} s")

    with transaction.atomic():
        SiteSettings.objects.get_or_create(pk=1, defaults={"organisation_name": "Scale Health"})
        for role in ROLES:
            Group.objects.get_or_create(name=role)
        step("facilities", _facilities(size))
        step("users and roles", _users(size))
        # The known accounts share one hash, made once; the others cannot sign in.
        User.objects.filter(email__in=[CMIO_EMAIL, CMO_EMAIL]).update(
            password=make_password(SCALE_PASSWORD)
        )
        step("priorities", _priorities())
        step("requests", _requests(size))
        step("votes, comments, status changes", _request_children(size))
        step("initiatives and their records", _initiatives(size))
        step("metrics, targets, links", _metrics(size))
        step("measurements", _measurements(size))
    step("analyze", ["ANALYZE"])
    began = time.monotonic()
    result = rollup_refresh()
    say(
        f"  roll-ups ({result.series_written} series, {result.points_written} points): "
        f"{time.monotonic() - began:.1f} s"
    )
    step("analyze", ["ANALYZE"])
    say(f"  total: {time.monotonic() - started:.1f} s")
    return counts()


def counts() -> dict[str, int]:
    from django.db import connection

    tables = (
        "informatics_facility",
        "informatics_user",
        "informatics_user_groups",
        "informatics_strategicpriority",
        "intake_intakerequest",
        "intake_requestvote",
        "intake_requestcomment",
        "intake_requeststatuschange",
        "initiatives_initiative",
        "initiatives_stagechange",
        "initiatives_milestone",
        "initiatives_statusupdate",
        "initiatives_benefitline",
        "initiatives_linkedrequest",
        "initiatives_initiativepriority",
        "metrics_metric",
        "metrics_target",
        "metrics_metricinitiative",
        "metrics_measurement",
        "metrics_rollupseries",
        "metrics_rolluppoint",
    )
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM {t}" for t in tables))
        found = {name: int(count) for name, count in cursor.fetchall()}
    return {table: found[table] for table in tables}


# --- The statements -------------------------------------------------------------------------


def _facilities(size: Size) -> list[str]:
    h, u, c = size.hospitals, size.units_per_hospital, size.clinics
    return [
        "INSERT INTO informatics_facility (created_at, updated_at, code, name, kind, beds, "
        "is_active, parent_id) VALUES (now(), now(), 'scale', 'Scale Health', 'system', NULL, "
        "true, NULL)",
        "INSERT INTO informatics_facility (created_at, updated_at, code, name, kind, beds, "
        "is_active, parent_id) "
        "SELECT now(), now(), 'scale-h' || n, 'Scale Hospital ' || n, 'hospital', 150 + 40 * n, "
        "true, (SELECT id FROM informatics_facility WHERE code = 'scale') "
        f"FROM generate_series(1, {h}) n",
        "INSERT INTO informatics_facility (created_at, updated_at, code, name, kind, beds, "
        "is_active, parent_id) "
        "SELECT now(), now(), 'scale-h' || n || '-u' || k, 'Scale Hospital ' || n || ' Unit ' "
        "|| k, 'unit', 20 + k, true, f.id "
        f"FROM generate_series(1, {h}) n CROSS JOIN generate_series(1, {u}) k "
        "JOIN informatics_facility f ON f.code = 'scale-h' || n",
        "INSERT INTO informatics_facility (created_at, updated_at, code, name, kind, beds, "
        "is_active, parent_id) "
        "SELECT now(), now(), 'scale-c' || n, 'Scale Clinic ' || n, 'clinic', NULL, true, f.id "
        f"FROM generate_series(1, {c}) n "
        f"JOIN informatics_facility f ON f.code = 'scale-h' || (1 + n % {h})",
        # Numbered leaves (units and clinics) and hospitals, for the statements below.
        "CREATE TEMP TABLE scale_leaf ON COMMIT DROP AS SELECT row_number() OVER (ORDER BY id) "
        "- 1 AS n, id FROM informatics_facility WHERE kind IN ('unit', 'clinic')",
    ]


def _users(size: Size) -> list[str]:
    # Row 0 is the CMO, 1 the CMIO (the known accounts); then by n % 100: 5 informaticists,
    # 3 executives, 1 admin, 1 CMIO, the rest champions.
    role = (
        "CASE WHEN n = 0 THEN 'cmo' WHEN n = 1 THEN 'cmio' WHEN n % 100 < 5 THEN 'informaticist' "
        "WHEN n % 100 < 8 THEN 'executive' WHEN n % 100 < 9 THEN 'admin' "
        "WHEN n % 100 < 10 THEN 'cmio' ELSE 'champion' END"
    )

    def email(n: str) -> str:
        return (
            f"CASE WHEN {n} = 0 THEN '{CMO_EMAIL}' WHEN {n} = 1 THEN '{CMIO_EMAIL}' "
            f"ELSE 'user' || {n} || '@{SCALE_DOMAIN}' END"
        )

    return [
        "INSERT INTO informatics_user (password, last_login, is_superuser, email, full_name, "
        "title, specialty, is_active, is_staff, date_joined, notification_preference, "
        "session_generation) "
        f"SELECT '!scale' || n, NULL, false, {email('n')}, "
        f"{pick(FIRST_NAMES, 'n')} || ' ' || {pick(LAST_NAMES, 'n / 10')} || ' ' || n, "
        f"'', {pick(SPECIALTIES, 'n * 7')}, true, false, now() - interval '3 years', "
        f"'immediate', 0 FROM generate_series(0, {size.users - 1}) n",
        "CREATE TEMP TABLE scale_user ON COMMIT DROP AS SELECT u.id, s.n, s.role FROM "
        f"(SELECT n, {role} AS role FROM generate_series(0, {size.users - 1}) n) s "
        f"JOIN informatics_user u ON u.email = {email('s.n')}",
        "CREATE INDEX ON scale_user (role, n)",
        "INSERT INTO informatics_user_groups (user_id, group_id) SELECT s.id, g.id "
        "FROM scale_user s JOIN auth_group g ON g.name = s.role",
        "INSERT INTO informatics_user_facilities (user_id, facility_id) SELECT s.id, l.id "
        "FROM scale_user s JOIN scale_leaf l "
        f"ON l.n = (s.n * 7) % {size.leaves}",
        # Per role, the users numbered from 0, for picking "the k-th informaticist".
        "CREATE TEMP TABLE scale_role ON COMMIT DROP AS SELECT role, id, row_number() OVER "
        "(PARTITION BY role ORDER BY n) - 1 AS rk, COUNT(*) OVER (PARTITION BY role) AS total "
        "FROM scale_user",
        "CREATE INDEX ON scale_role (role, rk)",
    ]


def _priorities() -> list[str]:
    return [
        "INSERT INTO informatics_strategicpriority (created_at, updated_at, version, code, "
        "title, goal_statement, value_category, horizon, is_active, rank, retired_reason, "
        "executive_sponsor_id) "
        "SELECT now(), now(), 1, 'scale-p' || n, 'Priority ' || n || ': ' || "
        f"{pick(TOPICS, 'n * 5')}, 'Improve ' || {pick(TOPICS, 'n * 5')} || ' across the "
        f"system.', {pick(VALUE_CATEGORIES, 'n')}, "
        "(date_trunc('year', now()) + interval '2 years')::date, true, n, '', "
        "(SELECT id FROM scale_role WHERE role = 'cmo' AND rk = 0) "
        "FROM generate_series(1, 10) n",
        "CREATE TEMP TABLE scale_priority ON COMMIT DROP AS SELECT row_number() OVER "
        "(ORDER BY id) - 1 AS n, id FROM informatics_strategicpriority "
        "WHERE code LIKE 'scale-p%'",
    ]


def _requests(size: Size) -> list[str]:
    kind = pick(tuple(k for k, _ in REQUEST_KINDS), "n * 5")
    route_of = "CASE " + " ".join(f"WHEN kind = '{k}' THEN '{r}'" for k, r in REQUEST_KINDS)
    status = weighted(SHARE, "n * 37")
    return [
        # Created over the last four years, newest last; statuses by shares.
        "CREATE TEMP TABLE scale_request_plan ON COMMIT DROP AS SELECT n, "
        f"{kind} AS kind, {status} AS status, "
        f"now() - interval '20 days' - ({size.requests} - n) * interval '1 day' * "
        f"1400 / {size.requests} AS created FROM generate_series(0, {size.requests - 1}) n",
        "INSERT INTO intake_intakerequest (created_at, updated_at, version, kind, title, "
        "story_today, story_wanted, workflow_area, ehr_module, specialty, frequency, "
        "minutes_lost, is_safety_concern, is_regulatory, is_private, status, "
        "status_changed_at, route, routed_at, sla_due_at, ratings, reach_rating, build_hours, "
        "decline_reason, duplicate_of_id, facility_id, submitted_by_id, suggested_priority_id, "
        "current_score_id, submission_key) "
        "SELECT p.created, p.created, 1, p.kind, "
        f"initcap({pick(TOPICS, 'p.n')}) || ' ' || {pick(PROBLEMS, 'p.n / 24')} || ' (' || "
        f"{pick(SPECIALTIES, 'p.n * 3')} || ', #' || p.n || ')', "
        f"'Today the ' || {pick(TOPICS, 'p.n')} || ' ' || {pick(PROBLEMS, 'p.n / 24')} "
        "|| ', so clinicians work around it several times a shift.', "
        f"'The ' || {pick(TOPICS, 'p.n')} || ' should work in one step.', "
        f"{pick(TOPICS, 'p.n')}, 'Inpatient', {pick(SPECIALTIES, 'p.n * 3')}, "
        f"{pick(FREQUENCIES, 'p.n')}, 1 + p.n % 30, p.kind = 'safety', "
        "p.kind = 'regulatory', p.n % 50 = 0, p.status, "
        "p.created + (array_length(s.steps, 1) - 1) * interval '3 days', "
        f"CASE WHEN p.status IN ('submitted', 'withdrawn') THEN '' ELSE {route_of} END END, "
        "CASE WHEN p.status IN ('submitted', 'withdrawn') THEN NULL "
        "ELSE p.created + interval '3 days' END, "
        "CASE WHEN p.status IN ('submitted', 'withdrawn') THEN NULL "
        "ELSE p.created + interval '3 days' + (72 + p.n % 5 * 168) * interval '1 hour' END, "
        "'{}'::jsonb, NULL, NULL, "
        "CASE WHEN p.status = 'declined' THEN 'low_value' ELSE '' END, NULL, l.id, "
        "(SELECT id FROM scale_role r WHERE r.role = 'champion' AND r.rk = (p.n * 13) % "
        "r.total), pr.id, NULL, NULL "
        "FROM scale_request_plan p "
        "JOIN (SELECT final, array_agg(step) AS steps FROM ("
        f"{path_rows(PATHS)}) v(final, step, f, t) GROUP BY final) s ON s.final = p.status "
        f"JOIN scale_leaf l ON l.n = (p.n * 11) % {size.leaves} "
        "LEFT JOIN scale_priority pr ON pr.n = p.n % 13",
        "CREATE TEMP TABLE scale_request ON COMMIT DROP AS SELECT row_number() OVER "
        "(ORDER BY id) - 1 AS n, id, status, created_at, submitted_by_id, kind "
        "FROM intake_intakerequest",
        "CREATE INDEX ON scale_request (n)",
        "INSERT INTO intake_intakerequest_priorities (intakerequest_id, strategicpriority_id) "
        "SELECT r.id, p.id FROM scale_request r JOIN scale_priority p ON p.n = r.n % 10 "
        "WHERE r.status NOT IN ('submitted', 'triage', 'needs_info', 'withdrawn')",
    ]


def _request_children(size: Size) -> list[str]:
    return [
        # 0–5 votes a request (2.5 on average), each by a different user.
        "INSERT INTO intake_requestvote (specialty, frequency, created_at, facility_id, "
        "merged_from_id, request_id, voter_id) "
        f"SELECT {pick(SPECIALTIES, 'r.n + k')}, {pick(FREQUENCIES, 'r.n + k')}, "
        "r.created_at + (k + 1) * interval '1 day', NULL, NULL, r.id, u.id "
        "FROM scale_request r CROSS JOIN generate_series(0, 5) k "
        f"JOIN scale_user u ON u.n = (r.n * 31 + k * 97 + 2) % {size.users} "
        "WHERE k < r.n % 6 ON CONFLICT DO NOTHING",
        # 0–3 comments a request (1.5 on average).
        "INSERT INTO intake_requestcomment (created_at, updated_at, kind, body, "
        "answered_by_id, author_id, request_id) "
        "SELECT r.created_at + (k + 1) * interval '2 days', r.created_at + (k + 1) * "
        "interval '2 days', 'comment', 'Same here on ' || "
        f"{pick(SPECIALTIES, 'r.n + k')} || ': it happens every shift.', NULL, u.id, r.id "
        "FROM scale_request r CROSS JOIN generate_series(0, 2) k "
        f"JOIN scale_user u ON u.n = (r.n * 17 + k * 89 + 3) % {size.users} "
        "WHERE k < r.n % 4",
        # The status timeline that led to each request's status, by informaticists.
        "INSERT INTO intake_requeststatuschange (from_status, to_status, note, at, actor_id, "
        "request_id) "
        "SELECT v.f, v.t, '', r.created_at + v.step * interval '3 days', "
        "CASE WHEN v.step = 0 THEN r.submitted_by_id ELSE (SELECT id FROM scale_role x "
        "WHERE x.role = 'informaticist' AND x.rk = r.n % x.total) END, r.id "
        f"FROM scale_request r JOIN ({path_rows(PATHS)}) v(final, step, f, t) "
        "ON v.final = r.status",
    ]


def _initiatives(size: Size) -> list[str]:
    stage = weighted(STAGE_SHARE, "n * 23")
    staff = "(SELECT id FROM scale_role x WHERE x.role = '{role}' AND x.rk = ({expr}) % x.total)"
    return [
        "CREATE TEMP TABLE scale_initiative_plan ON COMMIT DROP AS SELECT n, "
        f"{stage} AS stage, now() - interval '30 days' - ({size.initiatives} - n) * "
        f"interval '1 day' * 1000 / {size.initiatives} AS created "
        f"FROM generate_series(0, {size.initiatives - 1}) n",
        "INSERT INTO initiatives_initiative (created_at, updated_at, version, title, type, "
        "summary, problem_statement, stage, stage_changed_at, start_date, target_date, "
        "go_live_date, effort_hours, cost_estimate, revisit_date, stage_reason, "
        "forecast_locked_at, cmio_owner_id, executive_sponsor_id, informaticist_lead_id) "
        f"SELECT p.created, p.created, 1, initcap({pick(TOPICS, 'p.n * 7')}) || ' "
        f"' || {pick(INITIATIVE_TYPES, 'p.n')} || ' #' || p.n, "
        f"{pick(INITIATIVE_TYPES, 'p.n')}, 'Fix the ' || {pick(TOPICS, 'p.n * 7')} || "
        "' for every hospital.', '', p.stage, "
        "p.created + (array_length(s.steps, 1) - 1) * interval '5 days', p.created::date, "
        "(p.created + interval '200 days')::date, "
        "CASE WHEN p.stage IN ('live', 'sustaining', 'closed') "
        "THEN (p.created + interval '20 days')::date END, "
        "40 + p.n % 400, (1000 + p.n % 50 * 1000)::numeric, "
        "CASE WHEN p.stage = 'deferred' THEN (now() + interval '90 days')::date END, "
        "CASE WHEN p.stage IN ('deferred', 'on_hold', 'stopped') "
        "THEN 'Waiting on the vendor upgrade.' ELSE '' END, "
        "CASE WHEN array_length(s.steps, 1) > 1 AND p.stage <> 'deferred' "
        "THEN p.created + interval '5 days' END, "
        f"{staff.format(role='cmio', expr='p.n')}, "
        f"{staff.format(role='executive', expr='p.n')}, "
        f"{staff.format(role='informaticist', expr='p.n * 3')} "
        "FROM scale_initiative_plan p "
        "JOIN (SELECT final, array_agg(step) AS steps FROM ("
        f"{path_rows(STAGE_PATHS)}) v(final, step, f, t) GROUP BY final) s ON s.final = p.stage",
        "CREATE TEMP TABLE scale_initiative ON COMMIT DROP AS SELECT row_number() OVER "
        "(ORDER BY id) - 1 AS n, id, stage, created_at FROM initiatives_initiative",
        "CREATE INDEX ON scale_initiative (n)",
        "INSERT INTO initiatives_stagechange (from_stage, to_stage, reason, at, actor_id, "
        "initiative_id) "
        "SELECT v.f, v.t, CASE WHEN v.t IN ('approved', 'stopped', 'deferred', 'on_hold') "
        "THEN 'Decided at the steering committee.' ELSE '' END, "
        "i.created_at + v.step * interval '5 days', "
        f"{staff.format(role='cmo', expr='i.n')}, i.id "
        f"FROM scale_initiative i JOIN ({path_rows(STAGE_PATHS)}) v(final, step, f, t) "
        "ON v.final = i.stage",
        "INSERT INTO initiatives_initiative_champions (initiative_id, user_id) "
        "SELECT DISTINCT i.id, u.id FROM scale_initiative i CROSS JOIN generate_series(0, 1) k "
        "JOIN scale_role u ON u.role = 'champion' AND u.rk = (i.n * 7 + k * 41) % u.total",
        "INSERT INTO initiatives_initiative_facilities (initiative_id, facility_id) "
        "SELECT DISTINCT i.id, l.id FROM scale_initiative i CROSS JOIN generate_series(0, 1) k "
        f"JOIN scale_leaf l ON l.n = (i.n * 3 + k * 5) % {size.leaves}",
        "INSERT INTO initiatives_initiativepriority (alignment, initiative_id, priority_id) "
        f"SELECT {pick(('strong', 'moderate', 'weak'), 'i.n + k')}, i.id, p.id "
        "FROM scale_initiative i CROSS JOIN generate_series(0, 1) k "
        "JOIN scale_priority p ON p.n = (i.n + k * 3) % 10 WHERE k = 0 OR i.n % 2 = 0",
        # Five milestones each; past ones done.
        "INSERT INTO initiatives_milestone (created_at, updated_at, title, due_date, done_at, "
        "done_by_id, initiative_id) "
        "SELECT i.created_at, i.created_at, 'Milestone ' || (k + 1) || ': ' || "
        f"{pick(('design', 'build', 'test', 'train', 'go-live'), 'k')}, "
        "(i.created_at + (k + 1) * interval '40 days')::date, "
        "CASE WHEN i.created_at + (k + 1) * interval '40 days' < now() - interval '10 days' "
        "AND i.n % 4 <> 0 THEN i.created_at + (k + 1) * interval '40 days' END, NULL, i.id "
        "FROM scale_initiative i CROSS JOIN generate_series(0, 4) k",
        # Four status updates each, monthly.
        "INSERT INTO initiatives_statusupdate (at, schedule, scope, budget, adoption, "
        "narrative, risks, author_id, initiative_id) "
        "SELECT LEAST(i.created_at + (k + 1) * interval '30 days', now() - interval '1 day'), "
        f"{pick(HEALTH, 'i.n * 3 + k')}, {pick(HEALTH, 'i.n + k * 5')}, 'on_track', "
        f"{pick(HEALTH, 'i.n * 7 + k')}, 'Build on plan; training dates set.', '', "
        f"{staff.format(role='informaticist', expr='i.n * 3')}, i.id "
        "FROM scale_initiative i CROSS JOIN generate_series(0, 3) k",
        # One or two benefit lines each, locked once approved.
        "INSERT INTO initiatives_benefitline (created_at, updated_at, value_category, "
        "description, unit, baseline, target, horizon, locked_baseline, locked_target, "
        "locked_horizon, locked_at, initiative_id) "
        f"SELECT i.created_at, i.created_at, {pick(VALUE_CATEGORIES, 'i.n + k')}, "
        f"'Fewer minutes lost to the ' || {pick(TOPICS, 'i.n * 7')}, 'minutes', "
        "(100 + i.n % 50)::numeric, (60 + i.n % 30)::numeric, "
        "(i.created_at + interval '400 days')::date, NULL, NULL, NULL, NULL, i.id "
        "FROM scale_initiative i CROSS JOIN generate_series(0, 1) k WHERE k = 0 OR i.n % 2 = 1",
        # Requests delivered by initiatives: those scheduled or further, one initiative each.
        "INSERT INTO initiatives_linkedrequest (initiative_id, request_id) "
        "SELECT i.id, r.id FROM scale_request r JOIN scale_initiative i "
        f"ON i.n = (r.n * 7) % {size.initiatives} "
        "WHERE r.status IN ('scheduled', 'in_build', 'released', 'closed')",
    ]


def _metrics(size: Size) -> list[str]:
    charts = "(VALUES " + ", ".join(
        f"({n}, '{chart}', {mult}, '{unit}', '{direction}')"
        for n, (chart, mult, unit, direction) in enumerate(CHARTS)
    )
    charts += ") c(cn, chart, mult, unit, direction)"
    return [
        "INSERT INTO metrics_metric (created_at, updated_at, version, code, name, definition, "
        "definition_source, definition_version, fhir_measure_url, value_category, aim, unit, "
        "multiplier, direction, frequency, chart_type, rule_preset, screen_outliers, "
        "baseline_points, data_lag_days, is_active, owner_id) "
        "SELECT now() - interval '3 years', now() - interval '3 years', 1, "
        "'SC' || lpad(n::text, 4, '0'), "
        f"initcap({pick(TOPICS, 'n')}) || ' measure ' || n, 'Generated for scale tests.', "
        "'Scale Health', '1', '', "
        f"{pick(VALUE_CATEGORIES, 'n')}, {pick(AIMS, 'n')}, c.unit, c.mult, c.direction, "
        "'monthly', c.chart, 'mdc', false, NULL, 0, true, "
        "(SELECT id FROM scale_role x WHERE x.role = 'cmio' AND x.rk = n % x.total) "
        f"FROM generate_series(0, {size.metrics - 1}) n JOIN {charts} "
        f"ON c.cn = n % {len(CHARTS)}",
        "CREATE TEMP TABLE scale_metric ON COMMIT DROP AS SELECT row_number() OVER "
        "(ORDER BY id) - 1 AS n, id, chart_type, multiplier FROM metrics_metric",
        "INSERT INTO metrics_metric_priorities (metric_id, strategicpriority_id) "
        "SELECT m.id, p.id FROM scale_metric m JOIN scale_priority p ON p.n = m.n % 10",
        "INSERT INTO metrics_target (created_at, updated_at, value, due_date, note, "
        "created_by_id, facility_id, metric_id) "
        "SELECT now(), now(), CASE m.chart_type WHEN 'p' THEN 80 WHEN 'u' THEN 3 "
        "WHEN 'c' THEN 2 ELSE 40 END, (date_trunc('year', now()) + interval '1 year')::date, "
        "'', NULL, NULL, m.id FROM scale_metric m",
        # Two initiatives expected to move each metric, 30 % each, evidencing a benefit line.
        "INSERT INTO metrics_metricinitiative (share, created_at, benefit_line_id, "
        "initiative_id, metric_id) "
        "SELECT 30, now(), (SELECT MIN(b.id) FROM initiatives_benefitline b "
        "WHERE b.initiative_id = i.id), i.id, m.id "
        "FROM scale_metric m CROSS JOIN generate_series(0, 1) k "
        f"JOIN scale_initiative i ON i.n = (m.n * 2 + k) % {size.initiatives}",
    ]


def _measurements(size: Size) -> list[str]:
    # Monthly, for every leaf facility, the `months` complete months before this one. p and u
    # charts get a numerator and denominator (value = numerator ÷ denominator × multiplier);
    # c charts a count; XmR and run charts a value.
    return [
        "SELECT setseed(0.14)",
        "INSERT INTO metrics_measurement (period_start, period_end, value, numerator, "
        "denominator, source_system, definition_version, extracted_at, updated_at, batch_id, "
        "entered_by_id, facility_id, metric_id) "
        "SELECT g.start, (g.start + interval '1 month' - interval '1 day')::date, "
        "CASE WHEN g.chart IN ('p', 'u') THEN round(g.num / g.den * g.mult, 6) ELSE g.num END, "
        "CASE WHEN g.chart IN ('p', 'u') THEN g.num END, "
        "CASE WHEN g.chart IN ('p', 'u') THEN g.den END, "
        "'scale', '1', now(), now(), NULL, NULL, g.facility, g.metric FROM ("
        "SELECT (date_trunc('month', now()) - (k + 1) * interval '1 month')::date AS start, "
        "m.chart_type AS chart, m.multiplier AS mult, l.id AS facility, m.id AS metric, "
        "(CASE m.chart_type WHEN 'p' THEN 200 + (l.n * 37) % 300 "
        "WHEN 'u' THEN 1500 + (l.n * 53) % 2000 ELSE 1 END)::numeric AS den, "
        "(CASE m.chart_type "
        "WHEN 'p' THEN floor((200 + (l.n * 37) % 300) * (0.6 + 0.3 * random())) "
        "WHEN 'u' THEN floor(random() * 8) "
        "WHEN 'c' THEN floor(random() * 6) "
        "ELSE round((30 + (m.n % 20) + 10 * random())::numeric, 2) END)::numeric AS num "
        f"FROM scale_metric m CROSS JOIN scale_leaf l CROSS JOIN generate_series(0, "
        f"{size.months - 1}) k) g",
    ]
