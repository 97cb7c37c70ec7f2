"""Builders of maturity assessments for the governance tests."""

import datetime
from collections.abc import Mapping
from decimal import Decimal

from governance import services
from governance.choices import MaturityDimension
from governance.models import MaturityAssessment
from informatics.models import User

DIMENSIONS = MaturityDimension.values
# Done-when 6: with equal weights these give 19 / 9 = 2.111… → 2.11.
DONE_WHEN_SCORES = dict(
    zip(DIMENSIONS, ("2.0", "2.5", "1.5", "2.5", "1.5", "2.5", "2.0", "2.5", "2.0"), strict=True)
)


def scores(*values: str) -> dict[str, Decimal]:
    """Nine scores in MaturityDimension order; one value means the same for every dimension."""
    if len(values) == 1:
        values = values * len(DIMENSIONS)
    return {d: Decimal(v) for d, v in zip(DIMENSIONS, values, strict=True)}


def assess(
    actor: User, on: datetime.date, values: Mapping[str, object] | None = None, note: str = ""
) -> MaturityAssessment:
    return services.maturity_assessment_record(
        actor=actor, assessed_on=on, scores=values or scores("2.0"), note=note
    )


def target(
    actor: User, on: datetime.date, values: dict[str, Decimal], **kwargs: object
) -> MaturityAssessment:
    return services.maturity_target_set(
        actor=actor,
        assessed_on=on,
        due_on=on.replace(year=on.year + 1),
        scores=values,
        **kwargs,  # type: ignore[arg-type]
    )
