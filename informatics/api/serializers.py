"""API input and output serializers of the kernel: one input serializer per write, one output
serializer per record shape. Inputs only parse; the rules live in informatics.services."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from informatics import rest
from informatics.choices import ROLE_ORDER, FacilityKind, Role, ValueCategory
from informatics.models import User

# --- Output ---------------------------------------------------------------------------------


class TokenOutput(serializers.Serializer):
    token = rest.CharField(help_text="Send it as `Authorization: Token <token>`.")


def landing_url(user: User) -> str | None:
    """The landing page of the user's first role (DESIGN.md's landing order)."""
    if not user.roles:
        return None
    return reverse("reports:landing", kwargs={"role": user.roles[0]})


# A person's account as its owner and admins see it; the subclasses add the rest. (No
# docstring: the schema would give it to both subclasses.)
class _AccountOutput(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = rest.CharField()
    title = rest.CharField()
    specialty = rest.CharField()

    @extend_schema_field(serializers.ListField(child=rest.CharField()))
    def get_facilities(self, user: User) -> list[str]:
        return sorted(facility.code for facility in user.facilities.all())


class MeOutput(_AccountOutput):
    roles = serializers.SerializerMethodField(help_text="Roles held, in landing order.")
    facilities = serializers.SerializerMethodField(help_text="Codes of the user's facilities.")
    landing_url = serializers.SerializerMethodField(
        help_text="The page this user lands on after signing in."
    )

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(Role.choices)))
    def get_roles(self, user: User) -> list[str]:
        return list(user.roles)

    @extend_schema_field(rest.CharField(allow_null=True))
    def get_landing_url(self, user: User) -> str | None:
        return landing_url(user)


class FacilityOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = rest.CharField()
    name = rest.CharField()
    kind = serializers.ChoiceField(FacilityKind.choices)
    # The output key is "parent"; DRF's metaclass moves declared fields off the class, so it
    # never shadows Field.parent at run time, which the stubs cannot tell.
    parent = rest.CharField(  # type: ignore[assignment]
        source="parent.code", allow_null=True, help_text="The parent facility's code."
    )
    parent_id = serializers.IntegerField(
        allow_null=True, help_text="The parent facility's id (filter with ?parent=<id>)."
    )
    beds = serializers.IntegerField(allow_null=True)
    is_active = rest.BooleanField()


class PriorityOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = rest.CharField()
    title = rest.CharField()
    goal_statement = rest.CharField()
    executive_sponsor = rest.PersonRefOutput(allow_null=True)
    value_category = serializers.ChoiceField(ValueCategory.choices)
    horizon = serializers.DateField()
    is_active = rest.BooleanField()
    rank = serializers.IntegerField()
    retired_reason = rest.CharField()
    version = serializers.IntegerField(help_text="Send it back with an edit (HTTP 409 if stale).")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class UserOutput(_AccountOutput):
    roles = serializers.SerializerMethodField(
        help_text="Roles held, in landing order (also while the account is inactive)."
    )
    facilities = serializers.SerializerMethodField(help_text="Codes of the person's facilities.")
    is_active = rest.BooleanField()
    date_joined = serializers.DateTimeField()
    last_login = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(Role.choices)))
    def get_roles(self, user: User) -> list[str]:
        # Read the prefetched groups: `user.roles` is empty for an inactive account.
        names = {group.name for group in user.groups.all()}
        return [role for role in ROLE_ORDER if role in names]


# --- Input ----------------------------------------------------------------------------------


class TokenObtainInput(serializers.Serializer):
    email = serializers.EmailField()
    password = rest.CharField(trim_whitespace=False, style={"input_type": "password"})


class PriorityCreateInput(serializers.Serializer):
    code = rest.SlugField(max_length=40)
    title = rest.CharField(max_length=200)
    goal_statement = rest.CharField()
    value_category = serializers.ChoiceField(ValueCategory.choices)
    horizon = serializers.DateField()
    executive_sponsor = rest.RecordField(
        queryset=User.objects.filter(is_active=True),
        allow_null=True,
        required=False,
        help_text="A person's id.",
    )


# `version` first, then the create input's fields, each optional.
class PriorityUpdateInput(rest.VersionedEditInput, PriorityCreateInput):
    every_field_optional = True


class PriorityReorderInput(serializers.Serializer):
    ordered_ids = serializers.ListField(
        child=rest.id_field(),
        allow_empty=False,
        help_text="Every active priority's id, once each, in the new order.",
    )


class PriorityRetireInput(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=rest.MAX_COUNT)
    reason = rest.CharField(help_text="Why the priority leaves the active ranking.")


class PriorityRestoreInput(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=rest.MAX_COUNT)


class UserInviteInput(serializers.Serializer):
    email = serializers.EmailField()
    full_name = rest.CharField(max_length=150)
    title = rest.optional_text(max_length=150)
    specialty = rest.optional_text(max_length=100)
    roles = serializers.ListField(child=serializers.ChoiceField(Role.choices), allow_empty=False)
    facilities = rest.facility_field(many=True, required=False, help_text="Facility codes.")


class UserUpdateInput(serializers.Serializer):
    """Every field is optional: what is left out keeps its current value."""

    full_name = rest.CharField(max_length=150, required=False)
    title = rest.CharField(max_length=150, required=False, allow_blank=True)
    specialty = rest.CharField(max_length=100, required=False, allow_blank=True)
    roles = serializers.ListField(
        child=serializers.ChoiceField(Role.choices), allow_empty=False, required=False
    )
    facilities = rest.facility_field(
        many=True, required=False, help_text="Facility codes (the full new set)."
    )


class UserSetActiveInput(serializers.Serializer):
    is_active = rest.BooleanField()
