"""The rubric's arithmetic (DOMAIN.md §5), as pure functions: expected numbers are worked out
by hand in each test from value = Σ weight × rating ÷ 5 and index = value ÷ effort points."""

from decimal import Decimal

import pytest

from intake import scoring
from intake.choices import RequestKind

CRITERIA = [
    {"code": "safety_quality", "label": "Patient safety and quality", "weight": 25},
    {"code": "strategic_alignment", "label": "Strategic alignment", "weight": 20},
    {"code": "time_saved", "label": "Clinician time saved", "weight": 15},
    {"code": "reach", "label": "Reach", "weight": 15},
    {"code": "financial", "label": "Financial", "weight": 10},
    {"code": "equity", "label": "Equity", "weight": 5},
    {"code": "evidence", "label": "Evidence", "weight": 5},
    {"code": "readiness", "label": "Readiness", "weight": 5},
]
EFFORT_POINTS = {"XS": 1, "S": 2, "M": 3, "L": 5, "XL": 8}
GATES = {"fast_track": ["safety"], "mandatory": ["regulatory", "vendor_mandated"]}
RATINGS = {
    "safety_quality": 3,
    "strategic_alignment": 4,
    "time_saved": 2,
    "financial": 1,
    "equity": 0,
    "evidence": 3,
    "readiness": 5,
}


@pytest.mark.parametrize(
    ("people", "reach"),
    [(1, 0), (2, 1), (4, 1), (5, 2), (9, 2), (10, 3), (24, 3), (25, 4), (49, 4), (50, 5), (900, 5)],
)
def test_reach_follows_the_people_behind_a_request(people: int, reach: int) -> None:
    assert scoring.reach_from_people(people) == reach


def test_triage_reach_rating_counts_only_when_higher() -> None:
    assert scoring.reach_rating_effective(people=12, reach_rating=5) == 5
    assert scoring.reach_rating_effective(people=12, reach_rating=1) == 3
    assert scoring.reach_rating_effective(people=12, reach_rating=None) == 3


@pytest.mark.parametrize(
    ("hours", "band"),
    [
        (0, "XS"),
        (7, "XS"),
        (8, "S"),
        (39, "S"),
        (40, "M"),
        (159, "M"),
        (160, "L"),
        (499, "L"),
        (500, "XL"),
        (5000, "XL"),
    ],
)
def test_effort_band_from_build_hours(hours: int, band: str) -> None:
    assert scoring.effort_band(hours) == band


def test_score_of_known_ratings_with_one_person() -> None:
    result = scoring.score_compute(
        criteria=CRITERIA,
        effort_points_table=EFFORT_POINTS,
        ratings=RATINGS,
        people=1,
        reach_rating=None,
        build_hours=20,
    )

    # 25·3/5=15, 20·4/5=16, 15·2/5=6, reach 15·0/5=0, 10·1/5=2, 5·0/5=0, 5·3/5=3, 5·5/5=5
    assert result.breakdown == {
        "safety_quality": {
            "label": "Patient safety and quality",
            "weight": 25,
            "rating": 3,
            "points": 15.0,
        },
        "strategic_alignment": {
            "label": "Strategic alignment",
            "weight": 20,
            "rating": 4,
            "points": 16.0,
        },
        "time_saved": {"label": "Clinician time saved", "weight": 15, "rating": 2, "points": 6.0},
        "reach": {"label": "Reach", "weight": 15, "rating": 0, "points": 0.0},
        "financial": {"label": "Financial", "weight": 10, "rating": 1, "points": 2.0},
        "equity": {"label": "Equity", "weight": 5, "rating": 0, "points": 0.0},
        "evidence": {"label": "Evidence", "weight": 5, "rating": 3, "points": 3.0},
        "readiness": {"label": "Readiness", "weight": 5, "rating": 5, "points": 5.0},
    }
    assert (result.people, result.reach) == (1, 0)
    assert result.value == Decimal("47.00")
    assert (result.effort_band, result.effort_points) == ("S", 2)
    assert result.priority_index == Decimal("23.50")  # 47 / 2


def test_reach_in_ratings_is_ignored_people_decide() -> None:
    result = scoring.score_compute(
        criteria=CRITERIA,
        effort_points_table=EFFORT_POINTS,
        ratings={**RATINGS, "reach": 5},
        people=6,
        reach_rating=None,
        build_hours=100,
    )

    # 6 people → reach 2 → 15·2/5 = 6 points; 47 + 6 = 53; M = 3 points → 53/3 = 17.666…
    assert result.reach == 2
    assert result.breakdown["reach"]["points"] == 6.0
    assert result.value == Decimal("53.00")
    assert result.priority_index == Decimal("17.67")


def test_value_keeps_two_decimals_with_uneven_weights() -> None:
    criteria = [
        {"code": "safety_quality", "label": "Safety", "weight": 33},
        {"code": "reach", "label": "Reach", "weight": 34},
        {"code": "time_saved", "label": "Time", "weight": 33},
    ]

    value, breakdown = scoring.value_breakdown(
        criteria=criteria, ratings={"safety_quality": 1, "reach": 2, "time_saved": 3}
    )

    # 33·1/5 = 6.6, 34·2/5 = 13.6, 33·3/5 = 19.8 → 40.0
    assert [item["points"] for item in breakdown.values()] == [6.6, 13.6, 19.8]
    assert value == Decimal("40.00")
    # 40 / 3 = 13.333… → 13.33; 40 / 8 = 5
    assert scoring.priority_index(value=value, effort_points=3) == Decimal("13.33")
    assert scoring.priority_index(value=value, effort_points=8) == Decimal("5.00")


def test_score_missing_names_unrated_criteria_and_build_hours() -> None:
    assert scoring.score_missing(criteria=CRITERIA, ratings=RATINGS, build_hours=3) == []
    partial = {k: v for k, v in RATINGS.items() if k not in {"equity", "readiness"}}
    assert scoring.score_missing(criteria=CRITERIA, ratings=partial, build_hours=None) == [
        "equity",
        "readiness",
        "build_hours",
    ]


@pytest.mark.parametrize(
    ("kind", "safety", "regulatory", "route"),
    [
        (RequestKind.SAFETY, False, False, "fast_track"),
        (RequestKind.PAIN_POINT, True, False, "fast_track"),
        (RequestKind.REGULATORY, True, False, "fast_track"),  # safety is checked first
        (RequestKind.REGULATORY, False, False, "mandatory"),
        (RequestKind.VENDOR_MANDATED, False, False, "mandatory"),
        (RequestKind.ENHANCEMENT, False, True, "mandatory"),
        (RequestKind.ENHANCEMENT, False, False, None),
    ],
)
def test_gates(kind: str, safety: bool, regulatory: bool, route: str | None) -> None:
    assert (
        scoring.gate_route(
            gates=GATES, kind=kind, is_safety_concern=safety, is_regulatory=regulatory
        )
        == route
    )


def test_rubric_problems_of_a_valid_rubric_are_none() -> None:
    problems = scoring.rubric_problems(
        criteria=CRITERIA, gates=GATES, effort_points=EFFORT_POINTS, kinds=RequestKind.values
    )
    assert problems == {}


def test_rubric_problems_name_each_field() -> None:
    problems = scoring.rubric_problems(
        criteria=[
            {"code": "safety", "label": "Safety", "weight": 60},
            {"code": "safety", "label": "", "weight": 30},
            {"code": "", "label": "Cost", "weight": 5},
        ],
        gates={"fast_track": ["safety", "vibes"], "later": []},
        effort_points={"XS": 1, "S": 0, "M": 3, "L": 5, "XL": 8},
        kinds=RequestKind.values,
    )

    assert problems == {
        "criteria": [
            "Criterion 2 (safety): the code 'safety' is used more than once.",
            "Criterion 2 (safety) needs a label.",
            "Criterion 3 needs a code.",
            "The weights must add up to 100 (they add up to 95).",
        ],
        "gates": [
            "The fast_track gate lists unknown kinds: vibes.",
            "'later' is not a gate (use fast_track or mandatory).",
        ],
        "effort_points": ["S: effort points must be a whole number of 1 or more."],
    }


def test_rubric_problems_refuse_negative_or_fractional_weights_and_missing_bands() -> None:
    problems = scoring.rubric_problems(
        criteria=[
            {"code": "a", "label": "A", "weight": -5},
            {"code": "b", "label": "B", "weight": 2.5},
        ],
        gates={},
        effort_points={"XS": 1},
        kinds=RequestKind.values,
    )

    assert problems == {
        "criteria": [
            "Criterion 1 (a): the weight must be a whole number of 0 or more.",
            "Criterion 2 (b): the weight must be a whole number of 0 or more.",
        ],
        "effort_points": ["Give the effort points of every band, once each: XS, S, M, L, XL."],
    }
