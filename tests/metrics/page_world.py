"""A small metric world for the page tests: Riverside Health with two hospitals, a p-chart
metric (SEP-1 compliance) measured monthly at both — the north hospital's months imported in
one batch, the south's entered by hand (one of them by the informaticist) — rolled up, with a
target, a live initiative linked and a PDSA note."""

import datetime
from decimal import Decimal

from informatics.models import Facility, User
from initiatives.choices import Stage
from initiatives.models import BenefitLine, Initiative
from metrics.choices import AnnotationKind, ChartType, Direction, ImportFormat, ImportStatus
from metrics.models import Annotation, ImportBatch, Measurement, Metric, Target
from metrics.services.rollups import rollup_refresh
from tests.initiatives.factories import BenefitLineFactory, InitiativeFactory
from tests.metrics.factories import (
    AnnotationFactory,
    MetricFactory,
    TargetFactory,
    facility_tree,
    link,
    monthly_series,
)

TODAY = datetime.date(2026, 6, 15)
START = datetime.date(2024, 1, 1)
# Compliant cases of 100 eligible a month: steady near 58%, then up after the order set.
NORTH = [58, 57, 60, 56, 59, 58, 57, 59, 58, 56, 60, 58, 74, 76, 75, 77]
SOUTH = [55, 57, 56, 58, 54, 56, 57, 55, 58, 56, 55, 57, 70, 72, 73, 71]


def batch_for(user: User, filename: str = "sep1-2024.csv") -> ImportBatch:
    return ImportBatch.objects.create(
        file=f"imports/2026/06/{filename}",
        filename=filename,
        format=ImportFormat.CSV,
        sha256="0" * 64,
        status=ImportStatus.DONE,
        uploaded_by=user,
    )


class World:
    def __init__(self, users: dict[str, User]) -> None:
        tree = facility_tree()
        self.system: Facility = tree["system"]
        self.north: Facility = tree["north"]
        self.south: Facility = tree["south"]
        self.metric: Metric = MetricFactory.create(
            code="Q6",
            name="Sepsis bundle (SEP-1) compliance",
            chart_type=ChartType.P,
            multiplier=Decimal("100"),
            unit="% of eligible cases",
            direction=Direction.HIGHER,
            baseline_points=12,
        )
        self.batch = batch_for(users["informaticist"])
        north = monthly_series(self.metric, self.north, [(n, 100) for n in NORTH], start=START)
        Measurement.objects.filter(pk__in=[m.pk for m in north]).update(batch=self.batch)
        south = monthly_series(self.metric, self.south, [(n, 100) for n in SOUTH], start=START)
        Measurement.objects.filter(pk__in=[m.pk for m in south]).update(
            entered_by=users["informaticist"]
        )
        self.initiative: Initiative = InitiativeFactory.create(
            title="Sepsis order set", stage=Stage.LIVE, go_live_date=datetime.date(2024, 12, 20)
        )
        self.benefit: BenefitLine = BenefitLineFactory.create(
            initiative=self.initiative, description="SEP-1 bundle compliance"
        )
        self.other: Initiative = InitiativeFactory.create(
            title="Sepsis early-warning redesign", stage=Stage.IN_BUILD
        )
        link(self.metric, self.initiative, 60)
        self.target: Target = TargetFactory.create(
            metric=self.metric, value=Decimal("80"), due_date=datetime.date(2030, 6, 30)
        )
        self.note: Annotation = AnnotationFactory.create(
            metric=self.metric,
            kind=AnnotationKind.PDSA,
            date=datetime.date(2024, 11, 5),
            label="Order set pilot, North ED",
        )
        rollup_refresh(metric_ids=[self.metric.pk], today=TODAY)
