"""Recording maturity assessments and targets, and weighting the overall score (DOMAIN.md §4):
the arithmetic of Done-when 6, the scores refused, and who may write."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from governance import selectors, services
from governance.choices import MaturityKind, MaturityLevel
from governance.models import MaturityAssessment, MaturityScore, MaturityWeight
from governance.scoring import level_of, weighted_overall
from informatics.choices import AuditAction
from informatics.models import AuditEvent, User
from informatics.permissions import ActionDenied
from informatics.phi import PhiFlagged
from tests.conftest import snapshot
from tests.governance.factories import DONE_WHEN_SCORES, assess, scores, target

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

TABLES = (MaturityAssessment, MaturityScore, MaturityWeight, AuditEvent)


def overall_now() -> Decimal | None:
    current = selectors.maturity_overview().current
    assert current is not None
    return current.overall


def test_done_when_scores_give_an_overall_of_2_11_with_default_weights(
    users: dict[str, User],
) -> None:
    assessment = assess(users["cmio"], TODAY, DONE_WHEN_SCORES)

    profile = selectors.maturity_overview().current
    assert profile is not None
    assert profile.assessment == assessment
    assert profile.overall == Decimal("2.11")
    assert profile.level == MaturityLevel.DEVELOPING
    assert profile.level_name == "Developing"
    assert {s.dimension: s.score for s in assessment.scores.all()} == {
        d: Decimal(v) for d, v in DONE_WHEN_SCORES.items()
    }


def test_the_overall_is_rounded_half_up_to_two_places() -> None:
    assert weighted_overall(
        {"a": Decimal("2.5"), "b": Decimal("2.0")}, {"a": Decimal(1), "b": Decimal(7)}
    ) == Decimal("2.06")  # 2.0625
    assert weighted_overall(
        {"a": Decimal("1.0"), "b": Decimal("1.5")}, {"a": Decimal(7), "b": Decimal(1)}
    ) == Decimal("1.06")  # 1.0625
    assert weighted_overall({"a": Decimal("2.0")}, {"a": Decimal(0)}) is None
    assert level_of(Decimal("2.99")) == MaturityLevel.DEVELOPING
    assert level_of(Decimal("4.00")) == MaturityLevel.TRANSFORMATIVE


@pytest.mark.parametrize("bad", ["0.5", "4.5", "2.25"])
def test_a_score_off_the_half_steps_from_1_to_4_is_refused_naming_the_dimension(
    users: dict[str, User], bad: str
) -> None:
    given = {**DONE_WHEN_SCORES, "physician_engagement": bad}
    before = snapshot(*TABLES)

    with pytest.raises(ValidationError) as refused:
        assess(users["cmo"], TODAY, given)

    assert refused.value.message_dict == {
        "physician_engagement": [
            f"Physician engagement: {bad} is not a score: give 1 to 4 in steps of 0.5."
        ]
    }
    assert snapshot(*TABLES) == before


def test_a_missing_score_is_refused_naming_the_dimension(users: dict[str, User]) -> None:
    given = {d: v for d, v in DONE_WHEN_SCORES.items() if d != "cds_ai"}

    with pytest.raises(ValidationError) as refused:
        assess(users["cmo"], TODAY, given)

    assert refused.value.message_dict == {"cds_ai": ["CDS and AI governance needs a score."]}
    assert not MaturityAssessment.objects.exists()


def test_a_new_assessment_is_added_to_the_history_and_changes_nothing_before(
    users: dict[str, User],
) -> None:
    first = assess(users["cmio"], datetime.date(2026, 1, 10), scores("1.5"), note="Baseline.")
    first_rows = snapshot(MaturityScore.objects.filter(assessment=first))

    second = assess(users["cmo"], TODAY, DONE_WHEN_SCORES)

    history = list(selectors.maturity_assessment_list())
    assert history == [second, first]
    assert snapshot(MaturityScore.objects.filter(assessment=first)) == first_rows
    event = AuditEvent.objects.get(object_id=str(second.pk), action=AuditAction.CREATE)
    assert event.actor == users["cmo"]
    assert event.changes["scores"] == [None, DONE_WHEN_SCORES]


def test_editing_the_weights_changes_the_overall(users: dict[str, User]) -> None:
    assess(users["cmio"], TODAY, DONE_WHEN_SCORES)

    weights = services.maturity_weights_set(
        actor=users["admin"], weights={"strategic_alignment": Decimal(3), "intake": Decimal(0)}
    )

    # (3×2.0 + 2.5 + 0×1.5 + 2.5 + 1.5 + 2.5 + 2.0 + 2.5 + 2.0) / (3 + 0 + 7) = 21.5 / 10
    assert overall_now() == Decimal("2.15")
    assert weights["strategic_alignment"] == Decimal(3)
    assert weights["governance"] == Decimal(1)
    assert selectors.maturity_weights()["intake"] == Decimal(0)

    services.maturity_weights_set(actor=users["admin"], weights={"strategic_alignment": 1})
    # (2.0 + 2.5 + 2.5 + 1.5 + 2.5 + 2.0 + 2.5 + 2.0) / 8 = 17.5 / 8 = 2.1875
    assert overall_now() == Decimal("2.19")


@pytest.mark.parametrize(
    ("weights", "errors"),
    [
        (
            {"governance": "-1"},
            {"governance": ["Governance and decision rights: the weight must be 0 or more."]},
        ),
        (
            {"governance": "heavy"},
            {"governance": ["Governance and decision rights: the weight must be a number."]},
        ),
        ({"nope": "1"}, {"nope": ["'nope' is not a maturity dimension."]}),
        (
            dict.fromkeys(DONE_WHEN_SCORES, "0"),
            {"weights": ["At least one dimension must weigh more than 0."]},
        ),
    ],
)
def test_bad_weights_are_refused_and_nothing_changes(
    users: dict[str, User], weights: dict[str, str], errors: dict[str, list[str]]
) -> None:
    services.maturity_weights_set(actor=users["admin"], weights={"training": 2})
    before = snapshot(*TABLES)

    with pytest.raises(ValidationError) as refused:
        services.maturity_weights_set(actor=users["admin"], weights=weights)

    assert refused.value.message_dict == errors
    assert snapshot(*TABLES) == before


@pytest.mark.parametrize("role", ["champion", "informaticist", "executive", "admin"])
def test_only_the_cmo_and_cmio_record_an_assessment_or_target(
    users: dict[str, User], role: str
) -> None:
    before = snapshot(*TABLES)

    with pytest.raises(ActionDenied):
        assess(users[role], TODAY, DONE_WHEN_SCORES)
    with pytest.raises(ActionDenied):
        target(users[role], TODAY, scores("3.0"))

    assert snapshot(*TABLES) == before


@pytest.mark.parametrize("role", ["champion", "informaticist", "cmio", "cmo", "executive"])
def test_only_an_admin_edits_the_weights(users: dict[str, User], role: str) -> None:
    before = snapshot(*TABLES)

    with pytest.raises(ActionDenied):
        services.maturity_weights_set(actor=users[role], weights={"governance": 2})

    assert snapshot(*TABLES) == before


def test_a_target_has_a_due_date_and_next_level_actions(users: dict[str, User]) -> None:
    set_target = target(
        users["cmo"],
        TODAY,
        scores("3.0"),
        next_actions={"governance": "Monthly joint review with a built agenda."},
    )

    shown = selectors.maturity_overview()
    assert shown.current is None
    assert shown.target is not None
    assert shown.target.assessment == set_target
    assert set_target.kind == MaturityKind.TARGET
    assert set_target.due_on == datetime.date(2027, 6, 15)
    assert shown.target.overall == Decimal("3.00")
    rows = {row.dimension: row for row in shown.dimensions}
    assert rows["governance"].next_actions == "Monthly joint review with a built agenda."
    assert rows["intake"].next_actions == ""


def test_a_target_due_before_it_is_set_is_refused(users: dict[str, User]) -> None:
    with pytest.raises(ValidationError) as refused:
        services.maturity_target_set(
            actor=users["cmo"], assessed_on=TODAY, due_on=TODAY, scores=scores("3.0")
        )
    assert refused.value.message_dict == {"due_on": ["A target is due after the day it is set."]}
    assert not MaturityAssessment.objects.exists()


def test_free_text_goes_through_the_phi_guard(users: dict[str, User]) -> None:
    with pytest.raises(PhiFlagged):
        target(
            users["cmo"],
            TODAY,
            scores("3.0"),
            next_actions={"training": "Call MRN 4412897 back"},
        )
    with pytest.raises(PhiFlagged):
        assess(users["cmo"], TODAY, DONE_WHEN_SCORES, note="MRN 4412897")
    assert not MaturityAssessment.objects.exists()
