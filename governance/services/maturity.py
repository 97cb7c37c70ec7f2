"""Writes of the maturity self-assessment: record an assessment, set a 12-month target, and
change the weights of the overall score.

Assessments and targets are only ever added (the history is the rows); the CMO and CMIO, who
lead the program, record them (Action.MATURITY_ASSESS). Weights are site configuration, set by
an admin (Action.ADMINISTER). Every input is checked before anything is written, each error
naming its dimension; free text goes through the PHI guard; every write is audited."""

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from governance.choices import MaturityDimension, MaturityKind
from governance.models import MaturityAssessment, MaturityScore, MaturityWeight
from governance.scoring import DEFAULT_WEIGHT, DIMENSIONS, score_refusal
from informatics.audit import audit_created, audited_update
from informatics.models import User
from informatics.permissions import Action, require
from informatics.services.records import field_errors, guard_text, record_phi

ASSESSMENT_FIELDS = ("kind", "assessed_on", "due_on", "assessed_by", "note")


def _label(dimension: str) -> str:
    return str(MaturityDimension(dimension).label)


def actions_field(dimension: str) -> str:
    """The input name of a dimension's next-level actions (`<dimension>_actions`)."""
    return f"{dimension}_actions"


def _scores_check(scores: Mapping[str, object], errors: dict[str, str]) -> dict[str, Decimal]:
    """Every dimension's score, checked; an unknown dimension, a missing score or one that is
    not 1 to 4 in steps of 0.5 is an error naming the dimension."""
    for unknown in sorted(set(scores) - set(DIMENSIONS)):
        errors[unknown] = f"{unknown!r} is not a maturity dimension."
    checked: dict[str, Decimal] = {}
    for dimension in DIMENSIONS:
        value = scores.get(dimension)
        if value is None or value == "":
            errors[dimension] = f"{_label(dimension)} needs a score."
            continue
        refusal = score_refusal(value)
        if refusal:
            errors[dimension] = f"{_label(dimension)}: {refusal}"
            continue
        checked[dimension] = Decimal(str(value)).quantize(Decimal("0.1"))
    return checked


def _record(
    *,
    actor: User,
    kind: MaturityKind,
    assessed_on: datetime.date,
    due_on: datetime.date | None,
    scores: Mapping[str, object],
    next_actions: Mapping[str, str],
    note: str,
    phi_confirmed: bool,
) -> MaturityAssessment:
    require(actor, Action.MATURITY_ASSESS)
    errors: dict[str, str] = {}
    checked = _scores_check(scores, errors)
    actions = {
        dimension: (next_actions.get(dimension) or "").strip()
        for dimension in DIMENSIONS
        if (next_actions.get(dimension) or "").strip()
    }
    for unknown in sorted(set(next_actions) - set(DIMENSIONS)):
        errors[actions_field(unknown)] = f"{unknown!r} is not a maturity dimension."
    for dimension, text in actions.items():
        found: dict[str, str] = {}
        field_errors(MaturityScore(next_actions=text), ("next_actions",), found)
        if found:
            errors[actions_field(dimension)] = f"{_label(dimension)}: {found['next_actions']}"
    note = note.strip()
    field_errors(MaturityAssessment(note=note), ("note",), errors)
    if kind == MaturityKind.TARGET and (due_on is None or due_on <= assessed_on):
        errors["due_on"] = "A target is due after the day it is set."
    if errors:
        raise ValidationError(errors)
    # One guard over every text, so that a refusal names each flagged field at once.
    texts = {"note": note, **{actions_field(d): text for d, text in actions.items()}}
    seen = guard_text(texts, list(texts), confirmed=phi_confirmed)
    assessment = MaturityAssessment.objects.create(
        kind=kind, assessed_on=assessed_on, due_on=due_on, assessed_by=actor, note=note
    )
    rows = MaturityScore.objects.bulk_create(
        MaturityScore(
            assessment=assessment,
            dimension=dimension,
            score=checked[dimension],
            next_actions=actions.get(dimension, ""),
        )
        for dimension in DIMENSIONS
    )
    audit_created(
        instance=assessment,
        actor=actor,
        fields=ASSESSMENT_FIELDS,
        extra={
            "scores": {row.dimension: str(row.score) for row in rows},
            "next_actions": actions,
        },
    )
    record_phi(instance=assessment, findings={"note": seen.get("note", [])}, actor=actor)
    for row in rows:
        record_phi(
            instance=row,
            findings={"next_actions": seen.get(actions_field(row.dimension), [])},
            actor=actor,
        )
    return assessment


@transaction.atomic
def maturity_assessment_record(
    *,
    actor: User,
    assessed_on: datetime.date,
    scores: Mapping[str, object],
    note: str = "",
    next_actions: Mapping[str, str] | None = None,
    phi_confirmed: bool = False,
) -> MaturityAssessment:
    """Add an assessment: a score for each of the nine dimensions (1 to 4 in steps of 0.5),
    optionally what would take each to its next level. Earlier assessments stay as they were."""
    return _record(
        actor=actor,
        kind=MaturityKind.ASSESSMENT,
        assessed_on=assessed_on,
        due_on=None,
        scores=scores,
        next_actions=next_actions or {},
        note=note,
        phi_confirmed=phi_confirmed,
    )


@transaction.atomic
def maturity_target_set(
    *,
    actor: User,
    assessed_on: datetime.date,
    due_on: datetime.date,
    scores: Mapping[str, object],
    next_actions: Mapping[str, str] | None = None,
    note: str = "",
    phi_confirmed: bool = False,
) -> MaturityAssessment:
    """Add a target: the score each dimension should reach by `due_on` (12 months on, as a
    rule) and the next-level actions that get it there. The latest target is the one shown."""
    return _record(
        actor=actor,
        kind=MaturityKind.TARGET,
        assessed_on=assessed_on,
        due_on=due_on,
        scores=scores,
        next_actions=next_actions or {},
        note=note,
        phi_confirmed=phi_confirmed,
    )


@transaction.atomic
def maturity_weights_set(*, actor: User, weights: Mapping[str, object]) -> dict[str, Decimal]:
    """Change the weights of the dimensions named in `weights`; each must be a number of 0 or
    more, and at least one dimension must keep a weight above 0. Returns every weight."""
    require(actor, Action.ADMINISTER)
    errors: dict[str, str] = {}
    for unknown in sorted(set(weights) - set(DIMENSIONS)):
        errors[unknown] = f"{unknown!r} is not a maturity dimension."
    current = {row.dimension: row for row in MaturityWeight.objects.select_for_update()}
    wanted = {d: current[d].weight if d in current else DEFAULT_WEIGHT for d in DIMENSIONS}
    for dimension in DIMENSIONS:
        if dimension not in weights:
            continue
        try:
            value = Decimal(str(weights[dimension]))
        except InvalidOperation:
            errors[dimension] = f"{_label(dimension)}: the weight must be a number."
            continue
        if not value.is_finite() or value < 0:
            errors[dimension] = f"{_label(dimension)}: the weight must be 0 or more."
            continue
        found: dict[str, str] = {}
        field_errors(MaturityWeight(dimension=dimension, weight=value), ("weight",), found)
        if found:
            errors[dimension] = f"{_label(dimension)}: {found['weight']}"
            continue
        wanted[dimension] = value
    if not errors and not any(wanted.values()):
        errors["weights"] = "At least one dimension must weigh more than 0."
    if errors:
        raise ValidationError(errors)
    for dimension in DIMENSIONS:
        value = wanted[dimension]
        if dimension in current:
            audited_update(current[dimension], actor=actor, changes={"weight": value})
        elif value != DEFAULT_WEIGHT:
            row = MaturityWeight.objects.create(dimension=dimension, weight=value)
            audit_created(instance=row, actor=actor, fields=("dimension", "weight"))
    return wanted
