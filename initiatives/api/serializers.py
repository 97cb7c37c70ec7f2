"""API input and output serializers of the portfolio: one input serializer per write, one output
serializer per record shape. Inputs only parse; the rules (the stage table, gates, locked
forecasts, who may edit what) live in initiatives.services."""

from decimal import Decimal
from functools import partial
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from informatics import rest
from informatics.choices import ValueCategory
from informatics.exceptions import DOES_NOT_EXIST
from informatics.models import StrategicPriority, User
from initiatives import health, selectors
from initiatives.choices import (
    GATE_STAGES,
    Alignment,
    Health,
    InitiativeType,
    RequestStatus,
    Stage,
)
from initiatives.models import (
    BenefitLine,
    Initiative,
    IntakeRequest,
    Milestone,
    StageChange,
    StatusUpdate,
)

_money = partial(rest.number_field, 12, 2)
_amount = partial(rest.number_field, 14, 2)


# --- Output ---------------------------------------------------------------------------------


class AlignmentOutput(serializers.Serializer):
    """A strategic priority the initiative serves, and how strongly."""

    priority = rest.PriorityRefOutput()
    alignment = serializers.ChoiceField(Alignment.choices)


class StageChangeOutput(serializers.Serializer):
    """One step of the stage timeline; at a gate (approve, defer, stop), who decided and why."""

    from_stage = serializers.ChoiceField(Stage.choices, allow_blank=True)
    to_stage = serializers.ChoiceField(Stage.choices)
    is_gate = serializers.SerializerMethodField(help_text="Approve, defer or stop: a decision.")
    actor = rest.PersonRefOutput(allow_null=True)
    reason = rest.CharField()
    at = serializers.DateTimeField()

    def get_is_gate(self, change: StageChange) -> bool:
        return change.to_stage in GATE_STAGES


class MilestoneOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = rest.CharField()
    due_date = serializers.DateField()
    done_at = serializers.DateTimeField(allow_null=True)
    done_by = rest.PersonRefOutput(allow_null=True)
    is_overdue = serializers.SerializerMethodField(help_text="Not done, and its due date passed.")

    def get_is_overdue(self, milestone: Milestone) -> bool:
        return milestone.done_at is None and milestone.due_date < timezone.localdate()


class StatusUpdateOutput(serializers.Serializer):
    id = serializers.IntegerField()
    author = rest.PersonRefOutput()
    at = serializers.DateTimeField()
    schedule = serializers.ChoiceField(Health.choices)
    scope = serializers.ChoiceField(Health.choices)
    budget = serializers.ChoiceField(Health.choices)
    adoption = serializers.ChoiceField(Health.choices)
    health = serializers.SerializerMethodField(help_text="The worst of the four dimensions.")
    narrative = rest.CharField()
    risks = rest.CharField()

    @extend_schema_field(serializers.ChoiceField(Health.choices))
    def get_health(self, update: StatusUpdate) -> str:
        return health.update_health(update)


class BenefitVarianceOutput(serializers.Serializer):
    """Current minus locked: how far the plan has moved since it was locked."""

    baseline = _amount()
    target = _amount()
    horizon_days = serializers.IntegerField(help_text="Days later than promised (earlier < 0).")


class BenefitOutput(serializers.Serializer):
    """Expected value in one category. Once the initiative is approved the forecast is locked:
    the `locked_*` values never change, and edits show as `variance`."""

    id = serializers.IntegerField()
    value_category = serializers.ChoiceField(ValueCategory.choices)
    description = rest.CharField()
    unit = rest.CharField()
    baseline = _amount()
    target = _amount()
    horizon = serializers.DateField()
    locked_baseline = _amount(allow_null=True)
    locked_target = _amount(allow_null=True)
    locked_horizon = serializers.DateField(allow_null=True)
    locked_at = serializers.DateTimeField(allow_null=True, help_text="When approval locked it.")
    variance = serializers.SerializerMethodField(
        help_text="Current minus locked; null until the forecast is locked."
    )

    @extend_schema_field(BenefitVarianceOutput(allow_null=True))
    def get_variance(self, benefit: BenefitLine) -> dict[str, Any] | None:
        return rest.nested_or_none(BenefitVarianceOutput, selectors.benefit_variance(benefit))


class LinkedRequestOutput(serializers.Serializer):
    """A request the initiative answers; it follows the initiative's stage."""

    id = serializers.IntegerField()
    title = rest.CharField()
    status = serializers.ChoiceField(RequestStatus.choices)


class InitiativeListOutput(serializers.Serializer):
    """An initiative as lists show it, with its alignment, health and stale flag."""

    id = serializers.IntegerField()
    title = rest.CharField()
    type = serializers.ChoiceField(InitiativeType.choices)
    stage = serializers.ChoiceField(Stage.choices)
    stage_changed_at = serializers.DateTimeField()
    priorities = AlignmentOutput(many=True, source="alignments.all")
    executive_sponsor = rest.PersonRefOutput(allow_null=True)
    cmio_owner = rest.PersonRefOutput(allow_null=True)
    informaticist_lead = rest.PersonRefOutput(allow_null=True)
    facilities = rest.FacilityRefOutput(many=True, source="facilities.all")
    start_date = serializers.DateField(allow_null=True)
    target_date = serializers.DateField(allow_null=True)
    go_live_date = serializers.DateField(
        allow_null=True, help_text="Recorded when it went live; metrics read it."
    )
    health = serializers.ChoiceField(
        Health.choices,
        source="latest_health",
        allow_null=True,
        help_text="The worst dimension of the latest status update; null with no update.",
    )
    last_update_at = serializers.DateTimeField(
        allow_null=True, help_text="When the latest status update was posted."
    )
    is_stale = rest.BooleanField(
        help_text="Under way with no status update within the site's stale-after days."
    )
    overdue_milestones = serializers.IntegerField(
        help_text="Milestones not done past their due date (of work under way)."
    )
    linked_requests = serializers.IntegerField(help_text="How many requests it answers.")
    version = serializers.IntegerField(help_text="Send it back with an edit (HTTP 409 if stale).")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class InitiativeDetailOutput(InitiativeListOutput):
    """An initiative with its alignment, people, stage timeline, milestones, latest status
    update, benefit plan and linked requests."""

    summary = rest.CharField()
    problem_statement = rest.CharField()
    champions = rest.PersonRefOutput(many=True, source="champions.all")
    effort_hours = serializers.IntegerField(allow_null=True)
    cost_estimate = _money(allow_null=True)
    revisit_date = serializers.DateField(allow_null=True, help_text="When deferred.")
    stage_reason = rest.CharField(help_text="Why it was last deferred, put on hold or stopped.")
    forecast_locked_at = serializers.DateTimeField(
        allow_null=True, help_text="When approval locked the benefit forecast."
    )
    timeline = StageChangeOutput(many=True, source="stage_changes.all")
    milestones = MilestoneOutput(many=True, source="milestones.all")
    latest_status_update = serializers.SerializerMethodField(
        help_text="The newest status update (it sets the health); null with none."
    )
    benefits = BenefitOutput(many=True, source="benefits.all")
    requests = LinkedRequestOutput(
        many=True, source="requests.all", help_text="Those of them you may read."
    )

    @extend_schema_field(StatusUpdateOutput(allow_null=True))
    def get_latest_status_update(self, initiative: Initiative) -> dict[str, Any] | None:
        latest = next(iter(initiative.status_updates.all()), None)  # newest first
        return rest.nested_or_none(StatusUpdateOutput, latest)


# --- Input ----------------------------------------------------------------------------------


def _person_field(**kwargs: Any) -> rest.RecordField:
    kwargs.setdefault("help_text", "An active person's id.")
    return rest.RecordField(queryset=User.objects.filter(is_active=True), **kwargs)


def _facilities_field(**kwargs: Any) -> rest.CodeField:
    return rest.facility_field(many=True, help_text="Facility codes.", **kwargs)


class AlignmentInput(serializers.Serializer):
    priority = rest.RecordField(
        queryset=StrategicPriority.objects.filter(is_active=True),
        help_text="An active strategic priority's id.",
    )
    alignment = serializers.ChoiceField(Alignment.choices)


def _alignments(rows: list[dict[str, Any]]) -> dict[StrategicPriority, str]:
    priorities = [row["priority"] for row in rows]
    if len(set(priorities)) != len(priorities):
        raise serializers.ValidationError("Name each priority once.")
    return {row["priority"]: row["alignment"] for row in rows}


def _request_ids(value: list[int]) -> list[IntakeRequest]:
    found = {row.pk: row for row in IntakeRequest.objects.filter(pk__in=value)}
    missing = [pk for pk in value if pk not in found]
    if missing:
        raise serializers.ValidationError(
            f"No request with id {', '.join(map(str, missing))}.", code=DOES_NOT_EXIST
        )
    return [found[pk] for pk in dict.fromkeys(value)]


class _InitiativeFields(serializers.Serializer):
    """The fields of an initiative a person sets (the stage moves through the stage action)."""

    title = rest.CharField(max_length=200)
    type = serializers.ChoiceField(InitiativeType.choices)
    summary = rest.CharField()
    problem_statement = rest.optional_text()
    executive_sponsor = _person_field(required=False, default=None, allow_null=True)
    cmio_owner = _person_field(required=False, default=None, allow_null=True)
    informaticist_lead = _person_field(
        required=False,
        default=None,
        allow_null=True,
        help_text="An active person's id; an informaticist edits the initiatives they lead.",
    )
    champions = _person_field(
        many=True, required=False, default=list, help_text="Physician champions' ids."
    )
    facilities = _facilities_field(required=False, default=list)
    priorities = AlignmentInput(
        many=True,
        required=False,
        default=list,
        help_text="The priorities it serves, each with its alignment (the full set); each "
        "priority at most once (a 400 otherwise).",
    )
    start_date = serializers.DateField(required=False, default=None, allow_null=True)
    target_date = serializers.DateField(required=False, default=None, allow_null=True)
    effort_hours = rest.count_field(required=False, default=None, allow_null=True)
    cost_estimate = _money(min_value=Decimal(0), required=False, default=None, allow_null=True)
    phi_confirmed = rest.phi_confirmed_field()

    def validate_priorities(self, value: list[dict[str, Any]]) -> dict[StrategicPriority, str]:
        return _alignments(value)


class InitiativeCreateInput(_InitiativeFields):
    requests = serializers.ListField(
        child=rest.id_field(),
        required=False,
        default=list,
        help_text="Ids of the requests it answers; they follow its stage.",
    )

    def validate_requests(self, value: list[int]) -> list[IntakeRequest]:
        return _request_ids(value)


class InitiativeUpdateInput(_InitiativeFields, rest.VersionedEditInput):
    """An edit: fields left out keep their value."""

    every_field_optional = True


class StageInput(serializers.Serializer):
    to_stage = serializers.ChoiceField(
        Stage.choices, help_text="Only along the stage table; approve, defer and stop are gates."
    )
    version = serializers.IntegerField(
        min_value=1, max_value=rest.MAX_COUNT, help_text="The version you moved."
    )
    reason = rest.optional_text(help_text="Required to put on hold.")
    go_live_date = serializers.DateField(
        required=False, default=None, allow_null=True, help_text="Going live: today by default."
    )
    phi_confirmed = rest.phi_confirmed_field()


class LinkRequestsInput(serializers.Serializer):
    requests = serializers.ListField(
        child=rest.id_field(),
        min_length=1,
        help_text="Ids of the requests to link; each follows the initiative's stage where the "
        "request table allows it.",
    )

    def validate_requests(self, value: list[int]) -> list[IntakeRequest]:
        return _request_ids(value)


class MilestoneInput(serializers.Serializer):
    title = rest.CharField(max_length=200)
    due_date = serializers.DateField()


class StatusUpdateInput(serializers.Serializer):
    schedule = serializers.ChoiceField(Health.choices)
    scope = serializers.ChoiceField(Health.choices)
    budget = serializers.ChoiceField(Health.choices)
    adoption = serializers.ChoiceField(Health.choices)
    narrative = rest.CharField(help_text="What happened since the last update.")
    risks = rest.CharField(required=False, default="", allow_blank=True)
    phi_confirmed = rest.phi_confirmed_field()


class BenefitInput(serializers.Serializer):
    value_category = serializers.ChoiceField(ValueCategory.choices)
    description = rest.CharField(max_length=300)
    unit = rest.optional_text(max_length=40)
    baseline = _amount()
    target = _amount()
    horizon = serializers.DateField(help_text="When the target should be reached.")


class BenefitUpdateInput(serializers.Serializer):
    """An edit of the plan: fields left out keep their value; a locked forecast stays as it was
    and the edit shows as variance."""

    value_category = serializers.ChoiceField(ValueCategory.choices, required=False)
    description = rest.CharField(max_length=300, required=False)
    unit = rest.CharField(max_length=40, required=False, allow_blank=True)
    baseline = _amount(required=False)
    target = _amount(required=False)
    horizon = serializers.DateField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError(
                {"non_field_errors": ["Give at least one field to change."]}
            )
        return attrs
