"""API input and output serializers of intake: one input serializer per write, one output
serializer per record shape. Inputs only parse; the rules live in initiatives.services."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from informatics import rest
from informatics.choices import Route
from informatics.exceptions import DOES_NOT_EXIST
from informatics.models import StrategicPriority
from intake import choices, scoring
from intake.models import RequestScore


def rating_field(**kwargs: Any) -> serializers.IntegerField:
    """A triage rating, on the rubric's scale (0 to 5)."""
    return serializers.IntegerField(
        min_value=scoring.RATING_MIN, max_value=scoring.RATING_MAX, **kwargs
    )


# --- Output ---------------------------------------------------------------------------------


class CriterionScoreOutput(serializers.Serializer):
    code = rest.CharField()
    # DRF's metaclass moves declared fields off the class, so "label" never shadows
    # Field.label at run time, which the stubs cannot tell.
    label = rest.CharField()  # type: ignore[assignment]
    weight = serializers.IntegerField()
    rating = serializers.IntegerField(help_text="0–5.")
    points = rest.number_field(6, 2, help_text="weight × rating ÷ 5.")


class ScoreSummaryOutput(serializers.Serializer):
    """The current score as a list shows it."""

    value = rest.number_field(6, 2, help_text="0–100.")
    effort_band = serializers.ChoiceField(choices.EffortBand.choices)
    priority_index = rest.number_field(7, 2, help_text="value ÷ effort points.")


class ScoreOutput(ScoreSummaryOutput):
    """One score row, with the rubric version it was made under and its breakdown."""

    id = serializers.IntegerField()
    rubric_version = serializers.IntegerField(source="rubric.version")
    reason = serializers.ChoiceField(choices.ScoreReason.choices, help_text="What made this score.")
    breakdown = serializers.SerializerMethodField(help_text="Each criterion, in rubric order.")
    people = serializers.IntegerField(help_text="Distinct people behind the request.")
    reach = serializers.IntegerField(help_text="Reach rating 0–5 used in the score.")
    effort_points = serializers.IntegerField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(CriterionScoreOutput(many=True))
    def get_breakdown(self, score: RequestScore) -> list[dict[str, Any]]:
        # In the order of the rubric's criteria (PostgreSQL's jsonb keeps no key order).
        order = [criterion["code"] for criterion in score.rubric.criteria]
        return sorted(
            score.ordered_breakdown,
            key=lambda row: order.index(row["code"]) if row["code"] in order else len(order),
        )


class StatusChangeOutput(serializers.Serializer):
    from_status = serializers.ChoiceField(choices.RequestStatus.choices, allow_blank=True)
    to_status = serializers.ChoiceField(choices.RequestStatus.choices)
    actor = rest.PersonRefOutput(allow_null=True)
    note = rest.CharField()
    at = serializers.DateTimeField()


class CommentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices.CommentKind.choices)
    author = rest.PersonRefOutput()
    body = rest.CharField()
    answered_by = serializers.IntegerField(
        source="answered_by_id", allow_null=True, help_text="For a question: its answer's id."
    )
    created_at = serializers.DateTimeField()


class VoteOutput(serializers.Serializer):
    id = serializers.IntegerField()
    voter = rest.PersonRefOutput()
    specialty = rest.CharField()
    facility = rest.FacilityRefOutput(allow_null=True)
    frequency = serializers.ChoiceField(choices.Frequency.choices, allow_blank=True)
    created_at = serializers.DateTimeField()


class RequestListOutput(serializers.Serializer):
    """A request as lists show it."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices.RequestKind.choices)
    title = rest.CharField()
    status = serializers.ChoiceField(choices.RequestStatus.choices)
    status_changed_at = serializers.DateTimeField()
    route = serializers.ChoiceField(Route.choices, allow_blank=True)
    sla_due_at = serializers.DateTimeField(
        allow_null=True, help_text="When the route's SLA runs out."
    )
    facility = rest.FacilityRefOutput(allow_null=True)
    specialty = rest.CharField()
    frequency = serializers.ChoiceField(choices.Frequency.choices)
    is_safety_concern = rest.BooleanField()
    is_regulatory = rest.BooleanField()
    is_private = rest.BooleanField()
    submitted_by = rest.PersonRefOutput()
    votes = serializers.IntegerField(source="vote_count", help_text='How many "+1"s it has.')
    score = ScoreSummaryOutput(source="current_score", allow_null=True)
    version = serializers.IntegerField(help_text="Send it back with an edit (HTTP 409 if stale).")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class RequestDetailOutput(RequestListOutput):
    """A request with its story, triage inputs, current score, timeline and thread."""

    story_today = rest.CharField()
    story_wanted = rest.CharField()
    workflow_area = rest.CharField()
    ehr_module = rest.CharField()
    minutes_lost = serializers.IntegerField(allow_null=True)
    suggested_priority = rest.PriorityRefOutput(allow_null=True)
    priorities = rest.PriorityRefOutput(many=True, source="priorities.all")
    routed_at = serializers.DateTimeField(allow_null=True)
    duplicate_of = serializers.IntegerField(
        source="duplicate_of_id", allow_null=True, help_text="The request this one merged into."
    )
    ratings = serializers.DictField(
        child=serializers.IntegerField(), help_text="Triage ratings 0–5 by criterion code."
    )
    reach_rating = serializers.IntegerField(allow_null=True)
    build_hours = serializers.IntegerField(allow_null=True)
    decline_reason = serializers.ChoiceField(choices.DeclineReason.choices, allow_blank=True)
    current_score = ScoreOutput(allow_null=True)
    timeline = StatusChangeOutput(many=True, source="status_changes.all")
    comments = CommentOutput(many=True, source="comments.all")


class SimilarRequestOutput(serializers.Serializer):
    """An open request whose title resembles the one being typed."""

    id = serializers.IntegerField()
    title = rest.CharField()
    kind = serializers.ChoiceField(choices.RequestKind.choices)
    status = serializers.ChoiceField(choices.RequestStatus.choices)
    votes = serializers.IntegerField(source="vote_count", help_text='How many "+1"s it has.')
    similarity = serializers.FloatField(help_text="0–1: how closely the title matches.")


class CriterionOutput(serializers.Serializer):
    code = rest.CharField()
    # DRF's metaclass moves declared fields off the class, so "label" never shadows
    # Field.label at run time, which the stubs cannot tell.
    label = rest.CharField()  # type: ignore[assignment]
    weight = serializers.IntegerField()


class RubricOutput(serializers.Serializer):
    version = serializers.IntegerField()
    criteria = CriterionOutput(many=True)
    gates = serializers.DictField(
        child=serializers.ListField(child=rest.CharField()),
        help_text="Gate name → request kinds that skip the scoring order.",
    )
    effort_points = serializers.DictField(
        child=serializers.IntegerField(), help_text="Effort band → points."
    )
    is_current = rest.BooleanField()
    created_by = rest.PersonRefOutput(allow_null=True)
    created_at = serializers.DateTimeField()
    note = rest.CharField()


class RubricVersionsOutput(serializers.Serializer):
    current = RubricOutput()
    versions = RubricOutput(many=True, help_text="Every version, newest first.")


# --- Input ----------------------------------------------------------------------------------


def _facility_field(**kwargs: Any) -> rest.CodeField:
    return rest.facility_field(allow_null=True, help_text="A facility's code.", **kwargs)


def _priority_field(**kwargs: Any) -> rest.RecordField:
    return rest.RecordField(
        queryset=StrategicPriority.objects.filter(is_active=True),
        help_text="An active strategic priority's id.",
        **kwargs,
    )


class RequestCreateInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices.RequestKind.choices)
    title = rest.CharField(max_length=200)
    story_today = rest.CharField(help_text="What happens today.")
    story_wanted = rest.CharField(help_text="What should happen instead.")
    frequency = serializers.ChoiceField(
        choices.Frequency.choices, help_text="How often it happens."
    )
    workflow_area = rest.optional_text(max_length=100)
    ehr_module = rest.optional_text(max_length=100)
    facility = _facility_field(required=False, default=None)
    specialty = rest.optional_text(max_length=100)
    minutes_lost = rest.count_field(
        required=False,
        default=None,
        allow_null=True,
        help_text="Minutes lost each time it happens.",
    )
    is_safety_concern = rest.BooleanField(required=False, default=False)
    is_regulatory = rest.BooleanField(required=False, default=False)
    suggested_priority = _priority_field(required=False, default=None, allow_null=True)
    is_private = rest.BooleanField(
        required=False,
        default=False,
        help_text="Only you and the informatics team will see it.",
    )
    phi_confirmed = rest.phi_confirmed_field()


class RequestUpdateInput(rest.VersionedEditInput):
    """The submitter's edit while the request is submitted: fields left out keep their value."""

    kind = serializers.ChoiceField(choices.RequestKind.choices, required=False)
    title = rest.CharField(max_length=200, required=False)
    story_today = rest.CharField(required=False)
    story_wanted = rest.CharField(required=False)
    frequency = serializers.ChoiceField(choices.Frequency.choices, required=False)
    workflow_area = rest.CharField(max_length=100, required=False, allow_blank=True)
    ehr_module = rest.CharField(max_length=100, required=False, allow_blank=True)
    facility = _facility_field(required=False)
    specialty = rest.CharField(max_length=100, required=False, allow_blank=True)
    minutes_lost = rest.count_field(required=False, allow_null=True)
    is_safety_concern = rest.BooleanField(required=False)
    is_regulatory = rest.BooleanField(required=False)
    suggested_priority = _priority_field(required=False, allow_null=True)
    is_private = rest.BooleanField(required=False)
    phi_confirmed = rest.phi_confirmed_field()


class VoteInput(serializers.Serializer):
    """Your context for the "+1": all optional."""

    specialty = rest.optional_text(max_length=100)
    facility = _facility_field(required=False, default=None)
    frequency = rest.optional_choice(
        choices.Frequency.choices, help_text="How often it happens to you."
    )
    phi_confirmed = rest.phi_confirmed_field()


class CommentInput(serializers.Serializer):
    body = rest.CharField()
    phi_confirmed = rest.phi_confirmed_field()


class QuestionInput(serializers.Serializer):
    question = rest.CharField(help_text="What the submitter should clarify.")
    phi_confirmed = rest.phi_confirmed_field()


class AnswerInput(serializers.Serializer):
    body = rest.CharField(help_text="The submitter's answer to the open question.")
    phi_confirmed = rest.phi_confirmed_field()


class TriageInput(serializers.Serializer):
    """Triage inputs: fields left out keep their value; ratings and build hours make a score."""

    version = serializers.IntegerField(
        min_value=1, max_value=rest.MAX_COUNT, help_text="The version you triaged."
    )
    kind = serializers.ChoiceField(choices.RequestKind.choices, required=False)
    route = serializers.ChoiceField(Route.choices, required=False)
    priorities = serializers.ListField(
        child=rest.id_field(),
        required=False,
        help_text="Ids of the strategic priorities it serves (the full new set).",
    )
    ratings = serializers.DictField(
        child=rating_field(),
        required=False,
        help_text="Criterion code → rating 0–5 (codes of the current rubric).",
    )
    reach_rating = rating_field(
        required=False,
        allow_null=True,
        help_text="Reach 0–5 when the problem is wider than the people behind it.",
    )
    build_hours = rest.count_field(required=False, allow_null=True)

    def validate_priorities(self, value: list[int]) -> list[StrategicPriority]:
        found = {p.pk: p for p in StrategicPriority.objects.filter(pk__in=value, is_active=True)}
        missing = [pk for pk in value if pk not in found]
        if missing:
            raise serializers.ValidationError(
                f"No active strategic priority with id {', '.join(map(str, missing))}.",
                code=DOES_NOT_EXIST,
            )
        return [found[pk] for pk in dict.fromkeys(value)]


class TransitionInput(serializers.Serializer):
    to_status = serializers.ChoiceField(choices.RequestStatus.choices)
    note = rest.optional_text()
    decline_reason = rest.optional_choice(
        choices.DeclineReason.choices, help_text="Required when declining."
    )
    phi_confirmed = rest.phi_confirmed_field()


class MergeInput(serializers.Serializer):
    survivor = rest.id_field(help_text="The id of the request this one merges into.")


class CriterionInput(serializers.Serializer):
    code = rest.SlugField(max_length=40)
    label = rest.CharField(max_length=100)  # type: ignore[assignment]
    weight = serializers.IntegerField(min_value=0, max_value=100)


class RubricUpdateInput(serializers.Serializer):
    criteria = CriterionInput(many=True, help_text="Every criterion; weights sum to 100.")
    gates = serializers.DictField(
        child=serializers.ListField(child=serializers.ChoiceField(choices.RequestKind.choices)),
        help_text='Gate → request kinds, e.g. {"fast_track": ["safety"]}.',
    )
    effort_points = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=rest.MAX_COUNT),
        help_text='Effort band → points, e.g. {"XS": 1, "S": 2, "M": 3, "L": 5, "XL": 8}.',
    )
    note = rest.optional_text(max_length=200)


class SimilarQueryInput(serializers.Serializer):
    title = rest.CharField(help_text="The title being typed.")
    exclude = rest.id_field(
        required=False, default=None, help_text="A request's id to leave out (the one edited)."
    )
