"""API input and output serializers of this app."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from governance.choices import (
    ActionStatus,
    AgendaKind,
    MaturityKind,
    MaturityLevel,
    Outcome,
    RedirectTo,
    ReviewStatus,
)
from governance.filters import SUBJECT_CHOICES
from governance.models import Decision, GovernanceBody, RequestBody
from governance.services.decisions import decision_subject_kind
from informatics import limits, rest
from informatics.models import StrategicPriority, User
from initiatives.models import Initiative
from intake.choices import DeclineReason
from intake.models import IntakeRequest


def _score(**kwargs: object) -> serializers.DecimalField:
    # The service refuses, naming the dimension, what the schema says here.
    steps = {
        "multipleOf": 0.5,
        "minimum": 1,
        "maximum": 4,
        "exclusiveMinimum": False,
        "exclusiveMaximum": False,
    }
    return rest.number_field(4, 2, request_schema=steps, **kwargs)


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
    note = rest.CharField(source="assessment.note")
    scores = MaturityScoresOutput()
    overall = rest.number_field(3, 2, allow_null=True)
    level = serializers.ChoiceField(MaturityLevel.choices, allow_null=True)
    level_name = rest.CharField()


# --- Decisions ----------------------------------------------------------------------------------


class BodyRefOutput(rest.CodedRefOutput):
    """A governance body named on another record."""

    name = serializers.CharField()


class DecisionOutput(serializers.Serializer):
    """A decision as recorded: never changed afterwards (a correction supersedes it)."""

    id = serializers.IntegerField()
    body = BodyRefOutput()
    review = serializers.IntegerField(source="review_id", allow_null=True)
    agenda_item = serializers.IntegerField(source="agenda_item_id", allow_null=True)
    subject_type = serializers.SerializerMethodField()
    request = serializers.IntegerField(source="request_id", allow_null=True)
    initiative = serializers.IntegerField(source="initiative_id", allow_null=True)
    priority = serializers.IntegerField(source="priority_id", allow_null=True)
    outcome = serializers.ChoiceField(Outcome.choices)
    rationale = rest.CharField()
    decline_reason = rest.CharField(help_text="Blank unless declined.")
    redirect_to = rest.CharField(help_text="Blank unless redirected.")
    revisit_on = serializers.DateField(allow_null=True)
    merged_into = serializers.IntegerField(source="merged_into_id", allow_null=True)
    waiver = rest.CharField(
        help_text="Why an initiative was approved without a lead "
        "or a benefit plan; blank otherwise."
    )
    evidence = serializers.JSONField(help_text="What the decision saw, as it was then.")
    supersedes = serializers.IntegerField(source="supersedes_id", allow_null=True)
    superseded_by = serializers.SerializerMethodField()
    decided_by = rest.PersonRefOutput()
    decided_at = serializers.DateTimeField()

    @extend_schema_field(serializers.ChoiceField(SUBJECT_CHOICES))
    def get_subject_type(self, decision: Decision) -> str:
        return decision_subject_kind(decision)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_superseded_by(self, decision: Decision) -> int | None:
        later = getattr(decision, "superseded_by", None)
        return None if later is None else int(later.pk)


def _ref(model: Any, **kwargs: Any) -> rest.RecordField:
    return rest.RecordField(
        queryset=model.objects.all(), required=False, allow_null=True, default=None, **kwargs
    )


class DecisionCreateInput(serializers.Serializer):
    """One subject (`request`, `initiative` or `priority`, by id), the deciding `body` (its
    code), the outcome and the rationale, and what the outcome needs."""

    body = rest.CodeField(
        slug_field="code", queryset=GovernanceBody.objects.all(), help_text="The body's code."
    )
    request = _ref(IntakeRequest)
    initiative = _ref(Initiative)
    priority = _ref(StrategicPriority)
    outcome = serializers.ChoiceField(Outcome.choices)
    rationale = rest.CharField(max_length=Decision._meta.get_field("rationale").max_length)
    revisit_on = serializers.DateField(required=False, allow_null=True, default=None)
    decline_reason = rest.optional_choice(DeclineReason.choices)
    redirect_to = rest.optional_choice(RedirectTo.choices)
    merged_into = _ref(IntakeRequest)
    waiver = rest.optional_text(max_length=Decision._meta.get_field("waiver").max_length)
    supersedes = _ref(Decision, help_text="The decision this one corrects.")
    phi_confirmed = rest.phi_confirmed_field()


class RequestBodyInput(serializers.Serializer):
    """The body (its code) that is to decide the request: the route's default body, which
    clears an earlier choice, or another active body of its kind."""

    body = rest.CodeField(
        slug_field="code", queryset=GovernanceBody.objects.all(), help_text="The body's code."
    )
    reason = rest.optional_text(max_length=RequestBody._meta.get_field("reason").max_length)
    phi_confirmed = rest.phi_confirmed_field()


class RequestBodyOutput(serializers.Serializer):
    """The body that decides a request, its route's default body, and who chose the deciding
    body at triage, when, and why (null and blank when the default decides)."""

    request = serializers.IntegerField()
    route = rest.CharField()
    body = BodyRefOutput()
    default_body = BodyRefOutput()
    chosen_by = rest.PersonRefOutput(allow_null=True)
    chosen_at = serializers.DateTimeField(allow_null=True)
    reason = rest.CharField()


# --- Reviews and action items ---------------------------------------------------------------------


class AgendaItemOutput(serializers.Serializer):
    """One agenda item, with why it is on the agenda and what it is about (ids)."""

    id = serializers.IntegerField()
    position = serializers.IntegerField()
    kind = serializers.ChoiceField(AgendaKind.choices)
    reason = rest.CharField()
    title = rest.CharField()
    request_id = serializers.IntegerField(allow_null=True)
    initiative_id = serializers.IntegerField(allow_null=True)
    metric_id = serializers.IntegerField(allow_null=True)
    action_id = serializers.IntegerField(allow_null=True)
    note = rest.CharField()


class ReviewFields(serializers.Serializer):
    # The fields both review outputs start with. A comment, not a docstring: the schema would
    # show a docstring as the description of both.
    id = serializers.IntegerField()
    body = BodyRefOutput()
    scheduled_for = serializers.DateTimeField()
    status = serializers.ChoiceField(ReviewStatus.choices)


class ReviewListOutput(ReviewFields):
    item_count = serializers.IntegerField()
    decision_count = serializers.IntegerField()


class ReviewDetailOutput(ReviewFields):
    attendees = rest.PersonRefOutput(many=True)
    minutes = rest.CharField()
    has_minutes_pdf = serializers.SerializerMethodField()
    items = AgendaItemOutput(many=True)

    def get_has_minutes_pdf(self, review: object) -> bool:
        return bool(getattr(review, "minutes_pdf", None))


class ReviewCreateInput(serializers.Serializer):
    body = rest.CodeField(slug_field="code", queryset=GovernanceBody.objects.filter(is_active=True))
    scheduled_for = serializers.DateTimeField()
    attendees = rest.RecordField(
        queryset=User.objects.filter(is_active=True), many=True, required=False, default=list
    )


class ActionItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = rest.CharField()
    owner = rest.PersonRefOutput()
    body = BodyRefOutput()
    due_on = serializers.DateField()
    status = serializers.ChoiceField(ActionStatus.choices)
    decision_id = serializers.IntegerField(allow_null=True)
    agenda_item_id = serializers.IntegerField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)


class ActionItemCreateInput(serializers.Serializer):
    body = rest.CodeField(slug_field="code", queryset=GovernanceBody.objects.filter(is_active=True))
    title = rest.CharField(max_length=200)
    owner = rest.RecordField(queryset=User.objects.filter(is_active=True))
    due_on = serializers.DateField()
    phi_confirmed = rest.phi_confirmed_field()
