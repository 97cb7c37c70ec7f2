"""Reads of the maturity model: the weights, the assessments with their scores, one profile, and
the overview (radar, scores against targets, history by page)."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet

from governance.choices import MaturityDimension, MaturityKind, MaturityLevel
from governance.models import MaturityAssessment, MaturityScore, MaturityWeight
from governance.scoring import DEFAULT_WEIGHT, DIMENSIONS, level_of, weighted_overall

HISTORY_PER_PAGE = 12


def maturity_weights() -> dict[str, Decimal]:
    """Every dimension's weight in the overall score (1 unless an admin changed it)."""
    stored = dict(MaturityWeight.objects.values_list("dimension", "weight"))
    return {dimension: stored.get(dimension, DEFAULT_WEIGHT) for dimension in DIMENSIONS}


def _with_scores(rows: QuerySet[MaturityAssessment]) -> QuerySet[MaturityAssessment]:
    return rows.select_related("assessed_by").prefetch_related(
        Prefetch("scores", queryset=MaturityScore.objects.order_by("id"))
    )


def maturity_assessment_list() -> QuerySet[MaturityAssessment]:
    """The assessments (not the targets), newest first, each with its assessor and scores."""
    return _with_scores(MaturityAssessment.objects.filter(kind=MaturityKind.ASSESSMENT))


@dataclass(frozen=True)
class MaturityProfile:
    """An assessment or target with its scores by dimension, overall score and level."""

    assessment: MaturityAssessment
    scores: dict[str, Decimal]
    next_actions: dict[str, str]
    overall: Decimal | None
    level: MaturityLevel | None

    @property
    def level_name(self) -> str:
        return str(self.level.label) if self.level is not None else ""


def maturity_profile(
    assessment: MaturityAssessment, weights: dict[str, Decimal]
) -> MaturityProfile:
    """`assessment` (its scores prefetched) scored with `weights`."""
    rows = list(assessment.scores.all())
    scores = {row.dimension: row.score for row in rows}
    overall = weighted_overall(scores, weights)
    return MaturityProfile(
        assessment=assessment,
        scores=scores,
        next_actions={row.dimension: row.next_actions for row in rows if row.next_actions},
        overall=overall,
        level=level_of(overall),
    )


@dataclass(frozen=True)
class DimensionRow:
    """One dimension on the page: its current and target score and next-level actions."""

    dimension: str
    label: str
    weight: Decimal
    current: Decimal | None
    target: Decimal | None
    next_actions: str


@dataclass(frozen=True)
class MaturityOverview:
    """The maturity page: the latest assessment, the latest target, the history page and the
    dimensions side by side."""

    current: MaturityProfile | None
    target: MaturityProfile | None
    history: list[MaturityProfile]
    page: Page[MaturityAssessment]
    weights: dict[str, Decimal]
    dimensions: list[DimensionRow]


def maturity_overview(*, page_number: int | str | None = 1) -> MaturityOverview:
    """Everything the maturity page shows, in a fixed number of queries whatever the length of
    the history: the weights, the history page (count, rows, scores), the latest target (row,
    scores) and, past the first page, the latest assessment (row, scores)."""
    weights = maturity_weights()
    paginator = Paginator(maturity_assessment_list(), HISTORY_PER_PAGE)
    page = paginator.get_page(page_number)
    history = [maturity_profile(row, weights) for row in page.object_list]
    if page.number == 1:
        latest = history[0] if history else None
    else:
        first = maturity_assessment_list().first()
        latest = maturity_profile(first, weights) if first is not None else None
    target_row = _with_scores(MaturityAssessment.objects.filter(kind=MaturityKind.TARGET)).first()
    target = maturity_profile(target_row, weights) if target_row is not None else None
    dimensions = [
        DimensionRow(
            dimension=dimension,
            label=str(MaturityDimension(dimension).label),
            weight=weights[dimension],
            current=latest.scores.get(dimension) if latest else None,
            target=target.scores.get(dimension) if target else None,
            next_actions=(target.next_actions.get(dimension, "") if target else "")
            or (latest.next_actions.get(dimension, "") if latest else ""),
        )
        for dimension in DIMENSIONS
    ]
    return MaturityOverview(
        current=latest,
        target=target,
        history=history,
        page=page,
        weights=weights,
        dimensions=dimensions,
    )
