"""API input and output serializers of this app."""

from rest_framework import serializers

from governance.choices import MaturityKind, MaturityLevel
from informatics import limits, rest


def _score(**kwargs: object) -> serializers.DecimalField:
    return rest.number_field(4, 2, **kwargs)


class MaturityScoresInput(serializers.Serializer):
    """A score per dimension: 1 to 4 in steps of 0.5."""

    strategic_alignment = _score()
    governance = _score()
    intake = _score()
    physician_engagement = _score()
    measurement = _score()
    data_analytics = _score()
    cds_ai = _score()
    training = _score()
    clinician_burden = _score()


class MaturityScoresOutput(MaturityScoresInput):
    """Each dimension's score."""


class MaturityAssessmentInput(serializers.Serializer):
    """A new assessment: its date, a score per dimension and an optional note."""

    assessed_on = serializers.DateField()
    scores = MaturityScoresInput()
    note = rest.optional_text(max_length=limits.NOTE)
    phi_confirmed = rest.phi_confirmed_field()


class MaturityAssessmentOutput(serializers.Serializer):
    """An assessment with its overall score (the weighted mean, with the current weights) and
    level."""

    id = serializers.IntegerField(source="assessment.id")
    kind = serializers.ChoiceField(MaturityKind.choices, source="assessment.kind")
    assessed_on = serializers.DateField(source="assessment.assessed_on")
    assessed_by = rest.PersonRefOutput(source="assessment.assessed_by")
    note = serializers.CharField(source="assessment.note")
    scores = MaturityScoresOutput()
    overall = rest.number_field(3, 2, allow_null=True)
    level = serializers.ChoiceField(MaturityLevel.choices, allow_null=True)
    level_name = serializers.CharField()
