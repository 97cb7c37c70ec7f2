"""Every catalogue write against every role (DESIGN.md's table): the CMIO, the CMO and admins
edit the catalogue, targets, annotations and attribution links; informaticists and the CMIO
enter measurements. Allowed calls change something; refused ones raise ActionDenied and change
nothing — no row, field, audit event, roll-up job or PHI confirmation."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from informatics.choices import FacilityKind, Role, ValueCategory
from informatics.models import AuditEvent, Facility, JobRun, PhiConfirmation, User
from informatics.permissions import ActionDenied
from initiatives.models import Initiative
from metrics import services
from metrics.choices import Aim, AnnotationKind, ChartType, Direction
from metrics.models import Annotation, Measurement, Metric, MetricInitiative, Target
from tests.conftest import snapshot
from tests.factories import FacilityFactory
from tests.initiatives.factories import InitiativeFactory
from tests.metrics.factories import AnnotationFactory, MetricFactory, TargetFactory, link

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

CATALOGUE_EDITORS = frozenset({Role.CMIO, Role.CMO, Role.ADMIN})
LOADERS = frozenset({Role.INFORMATICIST, Role.CMIO})


@dataclass
class World:
    metric: Metric
    facility: Facility
    initiative: Initiative
    linked: Initiative
    target: Target
    annotation: Annotation


@pytest.fixture
def world() -> World:
    system = FacilityFactory.create(code="rh", kind=FacilityKind.SYSTEM)
    metric = MetricFactory.create(code="Q1", chart_type=ChartType.XMR)
    linked = InitiativeFactory.create()
    link(metric, linked, 40)
    return World(
        metric=metric,
        facility=FacilityFactory.create(code="rh-north", kind=FacilityKind.HOSPITAL, parent=system),
        initiative=InitiativeFactory.create(),
        linked=linked,
        target=TargetFactory.create(metric=metric),
        annotation=AnnotationFactory.create(metric=metric),
    )


Operation = Callable[[User, World], Any]

OPERATIONS: dict[str, tuple[Operation, frozenset[str]]] = {
    "metric_create": (
        lambda actor, w: services.metric_create(
            actor=actor,
            code="Q9",
            name="Alert override rate",
            value_category=ValueCategory.SAFETY_QUALITY,
            aim=Aim.CARE_TEAM_WELLBEING,
            unit="% of alerts fired",
            direction=Direction.LOWER,
            chart_type=ChartType.LANEY_P,
            multiplier=100,
        ),
        CATALOGUE_EDITORS,
    ),
    "metric_update": (
        lambda actor, w: services.metric_update(
            actor=actor, metric=w.metric, version=1, name="Readmissions (all-cause)"
        ),
        CATALOGUE_EDITORS,
    ),
    "target_set": (
        lambda actor, w: services.target_set(
            actor=actor, metric=w.metric, value="12.5", due_date=datetime.date(2027, 6, 30)
        ),
        CATALOGUE_EDITORS,
    ),
    "target_delete": (
        lambda actor, w: services.target_delete(actor=actor, target=w.target),
        CATALOGUE_EDITORS,
    ),
    "annotation_add": (
        lambda actor, w: services.annotation_add(
            actor=actor,
            metric=w.metric,
            kind=AnnotationKind.REBASE,
            date=datetime.date(2025, 1, 1),
            label="New discharge process",
            reason="Discharge lounge opened.",
        ),
        CATALOGUE_EDITORS,
    ),
    "annotation_delete": (
        lambda actor, w: services.annotation_delete(actor=actor, annotation=w.annotation),
        CATALOGUE_EDITORS,
    ),
    "metric_link_initiative": (
        lambda actor, w: services.metric_link_initiative(
            actor=actor, metric=w.metric, initiative=w.initiative, share=Decimal(30)
        ),
        CATALOGUE_EDITORS,
    ),
    "metric_unlink_initiative": (
        lambda actor, w: services.metric_unlink_initiative(
            actor=actor, metric=w.metric, initiative=w.linked
        ),
        CATALOGUE_EDITORS,
    ),
    "measurement_enter": (
        lambda actor, w: services.measurement_enter(
            actor=actor,
            metric=w.metric,
            facility=w.facility,
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 1, 31),
            value=Decimal("14.2"),
        ),
        LOADERS,
    ),
}
CASES = [(name, role) for name in OPERATIONS for role in Role.values]


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


@pytest.mark.parametrize(("operation", "role"), CASES)
def test_each_role_against_each_catalogue_write(
    users: dict[str, User], world: World, operation: str, role: str
) -> None:
    call, allowed = OPERATIONS[operation]
    before = snapshot(*TABLES)

    if role in allowed:
        call(users[role], world)
        assert snapshot(*TABLES) != before
        assert AuditEvent.objects.filter(actor=users[role]).exists()
    else:
        with pytest.raises(ActionDenied):
            call(users[role], world)
        assert snapshot(*TABLES) == before


def test_a_deactivated_editor_is_refused(make_user: Callable[..., User], world: World) -> None:
    gone = make_user(Role.CMIO, is_active=False)
    before = snapshot(*TABLES)

    for call, _ in OPERATIONS.values():
        with pytest.raises(ActionDenied):
            call(gone, world)

    assert snapshot(*TABLES) == before
