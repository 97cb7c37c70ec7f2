"""The catalogue services: metrics (optimistic locking, field-named errors, audit, the PHI
guard, roll-ups redone when charting changes), targets, annotations (a rebase needs a reason),
attribution links (shares of a metric sum to at most 100) and measurements entered by hand."""

import datetime
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from informatics.choices import AuditAction, FacilityKind, ValueCategory
from informatics.exceptions import StaleEdit
from informatics.models import AuditEvent, Facility, JobRun, PhiConfirmation, User
from informatics.phi import PhiFlagged
from informatics.selectors import audit_history
from metrics import services
from metrics.choices import (
    Aim,
    AnnotationKind,
    ChartType,
    Direction,
    MetricFrequency,
    RulePreset,
)
from metrics.models import Annotation, Measurement, Metric, MetricInitiative, RollupSeries, Target
from metrics.tasks import ROLLUP_KIND
from tests.conftest import snapshot
from tests.factories import FacilityFactory, PriorityFactory
from tests.initiatives.factories import BenefitLineFactory, InitiativeFactory
from tests.metrics.factories import (
    MeasurementFactory,
    MetricFactory,
    TargetFactory,
    monthly_series,
)

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]
MARCH = datetime.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cmio(users: dict[str, User]) -> User:
    return users["cmio"]


@pytest.fixture
def informaticist(users: dict[str, User]) -> User:
    return users["informaticist"]


@pytest.fixture
def hospital() -> Facility:
    system = FacilityFactory.create(code="rh", kind=FacilityKind.SYSTEM)
    facility: Facility = FacilityFactory.create(
        code="rh-north", kind=FacilityKind.HOSPITAL, parent=system
    )
    return facility


def rollup_jobs() -> int:
    return JobRun.objects.filter(kind=ROLLUP_KIND).count()


def clabsi(actor: User, **overrides: Any) -> Metric:
    fields: dict[str, Any] = {
        "code": "Q2",
        "name": "CLABSI",
        "value_category": ValueCategory.SAFETY_QUALITY,
        "aim": Aim.POPULATION_HEALTH,
        "unit": "per 1,000 line-days",
        "direction": Direction.LOWER,
        "chart_type": ChartType.U,
        "multiplier": Decimal(1000),
        **overrides,
    }
    return services.metric_create(actor=actor, **fields)


# The catalogue (metrics with their links, targets, annotations, measurements), the audit
# trail, the jobs and the PHI confirmations (compared whole with `snapshot`).
TABLES = (
    Metric,
    Metric.priorities.through,
    Metric.balancing_metrics.through,
    Target,
    Annotation,
    MetricInitiative,
    Measurement,
    AuditEvent,
    JobRun,
    PhiConfirmation,
)


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- Metrics --------------------------------------------------------------------------------


def test_metric_create_saves_every_field_and_audits_it(cmio: User) -> None:
    priority = PriorityFactory.create(title="Zero Harm")
    balancing = MetricFactory.create(code="Q3")

    metric = clabsi(
        cmio,
        definition="CLABSI per NHSN.",
        definition_source="CDC NHSN",
        definition_version="2025",
        data_lag_days=30,
        baseline_points=12,
        owner=cmio,
        priorities=[priority],
        balancing_metrics=[balancing],
    )

    metric.refresh_from_db()
    assert (metric.code, metric.multiplier, metric.rule_preset, metric.version) == (
        "Q2",
        Decimal("1000.0000"),
        RulePreset.MDC,
        1,
    )
    assert list(metric.priorities.all()) == [priority]
    assert list(balancing.balancing_metrics.all()) == [metric]  # symmetrical
    event = audit_history(instance=metric).get()
    assert (event.action, event.actor) == (AuditAction.CREATE, cmio)
    assert event.changes["code"] == [None, "Q2"]
    assert event.changes["priorities"] == [None, ["Zero Harm"]]
    assert event.changes["balancing_metrics"] == [None, ["Q3"]]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        # The model's own field checks
        ({"code": ""}, "code", "This field cannot be blank."),
        (
            {"code": "Q 2"},
            "code",
            "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.",
        ),
        ({"code": "Q" * 21}, "code", "Ensure this value has at most 20 characters (it has 21)."),
        ({"name": " "}, "name", "This field cannot be blank."),
        ({"chart_type": "pie"}, "chart_type", "Value 'pie' is not a valid choice."),
        (
            {"multiplier": "1.23456"},
            "multiplier",
            "Ensure that there are no more than 4 decimal places.",
        ),
        ({"multiplier": "x"}, "multiplier", "“x” value must be a decimal number."),
        (
            {"screen_outliers": "perhaps"},
            "screen_outliers",
            "“perhaps” value must be either True or False.",
        ),
        (
            {"data_lag_days": -1},
            "data_lag_days",
            "Ensure this value is greater than or equal to 0.",
        ),
        (
            {"fhir_measure_url": "not a url"},
            "fhir_measure_url",
            "Enter a web address starting http:// or https://.",
        ),
        ({"unit": ""}, "unit", "This field cannot be blank."),
        # The catalogue's rules
        ({"code": "q1"}, "code", "Another metric already has the code 'q1'."),
        (
            {"multiplier": 0},
            "multiplier",
            "Give a number greater than 0 with at most 4 decimals (1, 100 or 1000).",
        ),
        (
            {"screen_outliers": True},
            "screen_outliers",
            "Only an XmR chart screens outliers; turn screening off first.",
        ),
        (
            {"baseline_points": 1},
            "baseline_points",
            "Give the number of points to freeze the limits after (2 to 1000), or leave it "
            "blank to use every point.",
        ),
        ({"data_lag_days": 367}, "data_lag_days", "Give a whole number of days from 0 to 366."),
    ],
)
def test_metric_create_refuses_bad_input_naming_the_field(
    cmio: User, overrides: dict[str, Any], field: str, message: str
) -> None:
    MetricFactory.create(code="Q1")
    before = snapshot(*TABLES)

    with pytest.raises(ValidationError) as excinfo:
        clabsi(cmio, **overrides)

    assert errors_of(excinfo) == {field: [message]}
    assert snapshot(*TABLES) == before


def test_metric_create_refuses_an_inactive_owner_and_a_cited_measure(
    cmio: User, make_user: Callable[..., User]
) -> None:
    MetricFactory.create(fhir_measure_url="https://example.org/Measure/clabsi")
    gone = make_user("informaticist", is_active=False)

    with pytest.raises(ValidationError) as excinfo:
        clabsi(cmio, owner=gone, fhir_measure_url="https://example.org/Measure/clabsi")

    assert errors_of(excinfo) == {
        "owner": ["Choose an active person as the metric's owner."],
        "fhir_measure_url": ["Another metric already cites this FHIR Measure."],
    }


def test_a_definition_that_looks_like_patient_information_needs_confirming(cmio: User) -> None:
    with pytest.raises(PhiFlagged) as excinfo:
        clabsi(cmio, definition="As seen for MRN 4412897.")
    assert list(excinfo.value.message_dict) == ["definition"]
    assert Metric.objects.count() == 0

    metric = clabsi(cmio, definition="As seen for MRN 4412897.", phi_confirmed=True)

    assert PhiConfirmation.objects.get().object_id == str(metric.pk)


def test_metric_update_bumps_the_version_and_audits_what_changed(cmio: User) -> None:
    metric = clabsi(cmio)
    jobs = rollup_jobs()

    services.metric_update(actor=cmio, metric=metric, version=1, name="CLABSI (NHSN)")

    assert (metric.name, metric.version) == ("CLABSI (NHSN)", 2)
    assert audit_history(instance=metric).first().changes == {  # type: ignore[union-attr]
        "name": ["CLABSI", "CLABSI (NHSN)"]
    }
    assert rollup_jobs() == jobs  # the name does not change any chart


def test_a_change_to_how_the_metric_is_charted_redoes_its_rollups(cmio: User) -> None:
    metric = clabsi(cmio)

    services.metric_update(actor=cmio, metric=metric, version=1, rule_preset=RulePreset.ANHOJ)

    job = JobRun.objects.get(kind=ROLLUP_KIND)
    assert (job.scope, job.created_by) == ({"metric_ids": [metric.pk]}, cmio)


def test_a_stale_version_is_refused_and_nothing_changes(cmio: User) -> None:
    metric = clabsi(cmio)
    services.metric_update(actor=cmio, metric=metric, version=1, unit="per 1,000 days")
    before = snapshot(*TABLES)

    with pytest.raises(StaleEdit):
        services.metric_update(actor=cmio, metric=metric, version=1, name="Other")

    assert snapshot(*TABLES) == before


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"owner_id": 3}, {"owner_id": ["This field cannot be edited here."]}),
        (
            {"name": "n" * 201, "rule_preset": "shewhart"},
            {
                "name": ["Ensure this value has at most 200 characters (it has 201)."],
                "rule_preset": ["Value 'shewhart' is not a valid choice."],
            },
        ),
        (
            {"balancing_metrics": "self"},
            {"balancing_metrics": ["A metric cannot balance itself."]},
        ),
        (
            {"multiplier": 100},
            {
                "multiplier": [
                    "2 measurements were stored as numerator ÷ denominator × 1000; the "
                    "multiplier cannot change under them. Create a new metric (or a new "
                    "definition version) instead."
                ]
            },
        ),
    ],
)
def test_metric_update_refuses_bad_changes_naming_the_field(
    cmio: User, hospital: Facility, changes: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    metric = clabsi(cmio)
    monthly_series(metric, hospital, [(2, 1000), (1, 1000)])
    if changes.get("balancing_metrics") == "self":
        changes = {"balancing_metrics": [metric]}
    before = snapshot(*TABLES)

    with pytest.raises(ValidationError) as excinfo:
        services.metric_update(actor=cmio, metric=metric, version=1, **changes)

    assert errors_of(excinfo) == errors
    assert snapshot(*TABLES) == before


def test_an_attribute_chart_needs_numerators_under_the_stored_measurements(
    cmio: User, hospital: Facility
) -> None:
    metric = MetricFactory.create(chart_type=ChartType.XMR)
    monthly_series(metric, hospital, [4, 5, (6, 1)])

    with pytest.raises(ValidationError) as excinfo:
        services.metric_update(actor=cmio, metric=metric, version=1, chart_type=ChartType.P)

    assert errors_of(excinfo) == {
        "chart_type": [
            "A p chart needs a numerator and denominator for every period; 2 measurements "
            "have none."
        ]
    }


# --- Targets and annotations ----------------------------------------------------------------


def test_target_set_creates_then_replaces_the_target_of_the_same_date(
    cmio: User, hospital: Facility
) -> None:
    metric = MetricFactory.create()
    due = datetime.date(2026, 12, 31)

    first = services.target_set(actor=cmio, metric=metric, value="1.5", due_date=due)
    again = services.target_set(
        actor=cmio, metric=metric, value=Decimal("1.2"), due_date=due, note="Stretch"
    )
    own = services.target_set(actor=cmio, metric=metric, value=1, due_date=due, facility=hospital)

    assert first.pk == again.pk != own.pk
    assert list(Target.objects.values_list("facility_id", "value", "note").order_by("pk")) == [
        (None, Decimal("1.2"), "Stretch"),
        (hospital.pk, Decimal(1), ""),
    ]
    assert [e.action for e in audit_history(instance=first)] == [
        AuditAction.UPDATE,
        AuditAction.CREATE,
    ]
    assert rollup_jobs() == 3


def test_target_set_names_bad_fields_and_saves_nothing(cmio: User) -> None:
    metric = MetricFactory.create()
    closed = FacilityFactory.create(is_active=False)
    before = snapshot(*TABLES)

    with pytest.raises(ValidationError) as excinfo:
        services.target_set(
            actor=cmio,
            metric=metric,
            value="lots",
            due_date="soon",  # type: ignore[arg-type]
            facility=closed,
        )

    assert errors_of(excinfo) == {
        "value": ["“lots” value must be a decimal number."],
        "due_date": ["“soon” value has an invalid date format. It must be in YYYY-MM-DD format."],
        "facility": ["Choose an active facility (or none for the whole system)."],
    }
    assert snapshot(*TABLES) == before


@pytest.mark.parametrize("own", [False, True], ids=["system-wide", "facility"])
def test_one_target_per_metric_facility_and_date_is_enforced_and_target_set_replaces_it(
    cmio: User, hospital: Facility, own: bool
) -> None:
    metric = MetricFactory.create()
    due = datetime.date(2026, 12, 31)
    facility = hospital if own else None
    first = services.target_set(actor=cmio, metric=metric, value=5, due_date=due, facility=facility)

    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(metric=metric, facility=facility, value=4, due_date=due)
    again = services.target_set(actor=cmio, metric=metric, value=3, due_date=due, facility=facility)

    assert again.pk == first.pk
    assert list(Target.objects.values_list("facility_id", "value", "due_date")) == [
        (facility.pk if facility else None, Decimal(3), due)
    ]


def test_target_delete_removes_it_and_audits_it(cmio: User) -> None:
    target = TargetFactory.create()
    target.refresh_from_db()  # as services see it: six decimals
    pk = target.pk

    services.target_delete(actor=cmio, target=target)

    assert not Target.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(object_id=str(pk), action=AuditAction.DELETE)
    assert event.changes["value"] == ["10.000000", None]
    assert rollup_jobs() == 1


def test_a_rebase_needs_a_reason(cmio: User) -> None:
    metric = MetricFactory.create()
    before = snapshot(*TABLES)

    with pytest.raises(ValidationError) as excinfo:
        services.annotation_add(
            actor=cmio, metric=metric, kind=AnnotationKind.REBASE, date=MARCH, label="New bundle"
        )

    assert errors_of(excinfo) == {
        "reason": [
            "Say why the limits start again here (the process change), so readers can judge it."
        ]
    }
    assert snapshot(*TABLES) == before


def test_a_rebase_with_its_reason_is_saved_audited_and_redoes_the_rollups(cmio: User) -> None:
    metric = MetricFactory.create()

    rebase = services.annotation_add(
        actor=cmio,
        metric=metric,
        kind=AnnotationKind.REBASE,
        date=MARCH,
        label=" New bundle ",
        reason="Bundle replaced in all ICUs.",
    )
    services.annotation_add(
        actor=cmio, metric=metric, kind=AnnotationKind.NOTE, date=MARCH, label="Audit visit"
    )

    assert (rebase.label, rebase.created_by) == ("New bundle", cmio)
    assert audit_history(instance=rebase).get().changes["reason"] == [
        None,
        "Bundle replaced in all ICUs.",
    ]
    assert rollup_jobs() == 1  # a note changes no limits

    services.annotation_delete(actor=cmio, annotation=rebase)

    assert list(Annotation.objects.values_list("kind", flat=True)) == [AnnotationKind.NOTE]
    assert rollup_jobs() == 2


def test_go_lives_are_not_written_as_annotations(cmio: User) -> None:
    metric = MetricFactory.create()

    with pytest.raises(ValidationError) as excinfo:
        services.annotation_add(actor=cmio, metric=metric, kind="go_live", date=MARCH, label="x")

    assert errors_of(excinfo) == {
        "kind": [
            "'go_live' is not a PDSA test, rebase or note. Go-lives come from the linked "
            "initiatives."
        ]
    }


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"kind": "audit", "label": " "},
            {
                "kind": ["Value 'audit' is not a valid choice."],
                "label": ["This field cannot be blank."],
            },
        ),
        (
            {"kind": AnnotationKind.NOTE, "label": "x" * 121, "date": None},
            {
                "label": ["Ensure this value has at most 120 characters (it has 121)."],
                "date": ["This field cannot be null."],
            },
        ),
    ],
)
def test_annotation_add_names_bad_fields_and_saves_nothing(
    cmio: User, fields: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    metric = MetricFactory.create()
    before = snapshot(*TABLES)

    with pytest.raises(ValidationError) as excinfo:
        services.annotation_add(actor=cmio, metric=metric, **{"date": MARCH, **fields})

    assert errors_of(excinfo) == errors
    assert snapshot(*TABLES) == before


def test_an_annotation_that_looks_like_patient_information_needs_confirming(cmio: User) -> None:
    metric = MetricFactory.create()

    with pytest.raises(PhiFlagged) as excinfo:
        services.annotation_add(
            actor=cmio,
            metric=metric,
            kind=AnnotationKind.PDSA,
            date=MARCH,
            label="PDSA 2",
            reason="Patient DOB 03/04/1961 fell twice.",
        )

    assert list(excinfo.value.message_dict) == ["reason"]
    assert Annotation.objects.count() == 0


# --- Attribution ----------------------------------------------------------------------------


def test_shares_of_a_metric_sum_to_at_most_100(cmio: User) -> None:
    metric = MetricFactory.create(code="Q6")
    first, second, third = InitiativeFactory.create_batch(3)
    services.metric_link_initiative(actor=cmio, metric=metric, initiative=first, share=60)
    services.metric_link_initiative(actor=cmio, metric=metric, initiative=second, share="30.5")
    before = snapshot(*TABLES)

    with pytest.raises(ValidationError) as excinfo:
        services.metric_link_initiative(actor=cmio, metric=metric, initiative=third, share=10)

    assert errors_of(excinfo) == {
        "share": [
            "The shares of Q6 would sum to 100.5%; other initiatives hold 90.5%, so at most "
            "9.5% is left."
        ]
    }
    assert snapshot(*TABLES) == before
    services.metric_link_initiative(actor=cmio, metric=metric, initiative=third, share="9.5")
    assert sum(MetricInitiative.objects.values_list("share", flat=True)) == Decimal(100)


def test_linking_again_changes_the_share_and_is_audited_on_the_metric(cmio: User) -> None:
    metric = MetricFactory.create()
    initiative = InitiativeFactory.create()
    line = BenefitLineFactory.create(initiative=initiative)
    other = InitiativeFactory.create()
    services.metric_link_initiative(actor=cmio, metric=metric, initiative=initiative, share=80)

    link_row = services.metric_link_initiative(
        actor=cmio, metric=metric, initiative=initiative, share=50, benefit_line=line
    )
    services.metric_link_initiative(actor=cmio, metric=metric, initiative=other, share=50)

    assert (link_row.share, link_row.benefit_line) == (Decimal(50), line)
    assert MetricInitiative.objects.count() == 2
    assert audit_history(instance=metric).first().changes == {  # type: ignore[union-attr]
        "initiatives": [
            [f"initiative #{initiative.pk}: 50%"],
            [f"initiative #{initiative.pk}: 50%", f"initiative #{other.pk}: 50%"],
        ]
    }

    services.metric_unlink_initiative(actor=cmio, metric=metric, initiative=other)

    assert list(MetricInitiative.objects.values_list("initiative_id", flat=True)) == [initiative.pk]


@pytest.mark.parametrize(
    ("share", "message"),
    [
        (101, "Give the share as a percentage from 0 to 100, with at most 2 decimals."),
        (-1, "Give the share as a percentage from 0 to 100, with at most 2 decimals."),
        ("12.345", "Ensure that there are no more than 2 decimal places."),
        ("1000", "Ensure that there are no more than 3 digits before the decimal point."),
        ("some", "“some” value must be a decimal number."),
    ],
)
def test_a_share_must_be_a_percentage(cmio: User, share: Any, message: str) -> None:
    metric = MetricFactory.create()

    with pytest.raises(ValidationError) as excinfo:
        services.metric_link_initiative(
            actor=cmio, metric=metric, initiative=InitiativeFactory.create(), share=share
        )

    assert errors_of(excinfo) == {"share": [message]}
    assert MetricInitiative.objects.count() == 0


def test_the_benefit_line_must_belong_to_the_initiative(cmio: User) -> None:
    metric = MetricFactory.create()

    with pytest.raises(ValidationError) as excinfo:
        services.metric_link_initiative(
            actor=cmio,
            metric=metric,
            initiative=InitiativeFactory.create(),
            share=10,
            benefit_line=BenefitLineFactory.create(),
        )

    assert errors_of(excinfo) == {
        "benefit_line": ["Choose a line of this initiative's benefit plan."]
    }


# --- Measurements by hand -------------------------------------------------------------------


def test_measurement_enter_stores_the_figures_audits_them_and_refreshes_the_rollups(
    informaticist: User,
    hospital: Facility,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    metric = MetricFactory.create(chart_type=ChartType.U, multiplier=Decimal(1000))

    with django_capture_on_commit_callbacks(execute=True):
        row = services.measurement_enter(
            actor=informaticist,
            metric=metric,
            facility=hospital,
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 1, 31),
            numerator="3",
            denominator="2000",
        )

    row.refresh_from_db()
    assert (row.value, row.numerator, row.denominator, row.entered_by, row.batch) == (
        Decimal("1.500000"),
        Decimal(3),
        Decimal(2000),
        informaticist,
        None,
    )
    assert audit_history(instance=row).get().changes["value"] == [None, "1.500000"]
    # The hospital and the system above it are rolled up.
    assert set(RollupSeries.objects.values_list("facility__code", "points")) == {
        ("rh-north", 1),
        ("rh", 1),
    }


def test_entering_the_same_period_again_corrects_it(
    informaticist: User, cmio: User, hospital: Facility
) -> None:
    metric = MetricFactory.create()
    period: dict[str, Any] = {
        "period_start": datetime.date(2026, 1, 1),
        "period_end": datetime.date(2026, 1, 31),
    }
    first = services.measurement_enter(
        actor=informaticist, metric=metric, facility=hospital, value=5, **period
    )

    second = services.measurement_enter(
        actor=cmio, metric=metric, facility=hospital, value="6.25", **period
    )

    assert first.pk == second.pk
    assert list(Measurement.objects.values_list("value", "entered_by")) == [
        (Decimal("6.250000"), cmio.pk)
    ]
    update = audit_history(instance=second).first()
    assert update is not None
    assert update.changes["value"] == ["5.000000", "6.250000"]
    assert update.changes["entered_by"] == [str(informaticist), str(cmio)]


@pytest.mark.parametrize(
    ("figures", "errors"),
    [
        ({}, {"value": ["Give a value, or a numerator and a denominator."]}),
        (
            {"value": "2", "numerator": "1", "denominator": "4"},
            {"value": ["2 disagrees with numerator ÷ denominator × 100 = 25."]},
        ),
        (
            {"numerator": "5", "denominator": "4"},
            {"numerator": ["A proportion's numerator cannot exceed its denominator."]},
        ),
        (
            {"value": "25"},
            {"numerator": ["A p chart needs the numerator and denominator of every period."]},
        ),
        ({"numerator": "1", "denominator": "0"}, {"denominator": ["Must be greater than zero."]}),
        (
            {"value": "1.1234567", "numerator": "x"},
            {
                "value": ["Give at most 6 decimals."],
                "numerator": ["“x” is not a number."],
            },
        ),
    ],
)
def test_measurement_enter_names_bad_figures_and_saves_nothing(
    informaticist: User, hospital: Facility, figures: dict[str, str], errors: dict[str, Any]
) -> None:
    metric = MetricFactory.create(chart_type=ChartType.P, multiplier=Decimal(100))
    before = snapshot(*TABLES)

    with pytest.raises(ValidationError) as excinfo:
        services.measurement_enter(
            actor=informaticist,
            metric=metric,
            facility=hospital,
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 1, 31),
            **figures,
        )

    assert errors_of(excinfo) == errors
    assert snapshot(*TABLES) == before


@pytest.mark.parametrize(
    ("frequency", "start", "end", "errors"),
    [
        (
            MetricFrequency.MONTHLY,
            datetime.date(2026, 1, 1),
            datetime.date(2026, 1, 15),
            {
                "period_end": [
                    "Q9 is measured monthly: give a calendar month (the 1st to its last day)."
                ]
            },
        ),
        (
            MetricFrequency.QUARTERLY,
            datetime.date(2025, 10, 1),
            datetime.date(2025, 12, 31),
            None,
        ),
        (
            MetricFrequency.WEEKLY,
            datetime.date(2026, 2, 3),
            datetime.date(2026, 2, 9),
            {"period_end": ["Q9 is measured weekly: give a week from Monday to Sunday."]},
        ),
        (
            MetricFrequency.MONTHLY,
            datetime.date(2026, 1, 31),
            datetime.date(2026, 1, 1),
            {"period_end": ["The period cannot end before it starts."]},
        ),
        (
            MetricFrequency.MONTHLY,
            datetime.date(2026, 4, 1),
            datetime.date(2026, 4, 30),
            {"period_start": ["The period has not started yet."]},
        ),
        (
            MetricFrequency.WAVE,
            datetime.date(2025, 1, 20),
            datetime.date(2025, 2, 20),
            {
                "period_start": [
                    "Overlaps the period 2025-01-01 to 2025-01-31 already stored for this facility."
                ]
            },
        ),
    ],
)
def test_measurement_periods_follow_the_metrics_frequency_and_never_overlap(
    informaticist: User,
    hospital: Facility,
    frequency: str,
    start: datetime.date,
    end: datetime.date,
    errors: dict[str, list[str]] | None,
) -> None:
    metric = MetricFactory.create(code="Q9", frequency=frequency)
    MeasurementFactory.create(
        metric=metric, facility=hospital, period_start=datetime.date(2025, 1, 1)
    )

    def enter() -> Measurement:
        return services.measurement_enter(
            actor=informaticist,
            metric=metric,
            facility=hospital,
            period_start=start,
            period_end=end,
            value=1,
        )

    if errors is None:
        assert enter().period_end == end
        return
    with pytest.raises(ValidationError) as excinfo:
        enter()
    assert errors_of(excinfo) == errors
    assert Measurement.objects.count() == 1


def test_a_period_must_be_given_as_dates(informaticist: User, hospital: Facility) -> None:
    metric = MetricFactory.create()

    with pytest.raises(ValidationError) as excinfo:
        services.measurement_enter(
            actor=informaticist,
            metric=metric,
            facility=hospital,
            period_start="January",  # type: ignore[arg-type]
            period_end=None,  # type: ignore[arg-type]
            value=1,
        )

    assert errors_of(excinfo) == {
        "period_start": [
            "“January” value has an invalid date format. It must be in YYYY-MM-DD format."
        ],
        "period_end": ["This field cannot be null."],
    }
    assert Measurement.objects.count() == 0
