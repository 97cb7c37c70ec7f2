"""Input and output serializers of the review and action item API."""

from rest_framework import serializers

from governance.api.serializers import BodyRefOutput
from governance.choices import ActionStatus, AgendaKind, ReviewStatus
from governance.models import GovernanceBody
from informatics import rest
from informatics.models import User


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
