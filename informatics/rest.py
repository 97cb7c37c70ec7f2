"""API plumbing every app shares (the kernel publishes it here, so that no app imports another's
API modules): parsing and the acting user, the permission class, the
documented error answers, reference serializers and the PHI confirmation field."""

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from informatics.choices import PhiKind
from informatics.models import User
from informatics.permissions import Action, can

BAD_INPUT = OpenApiResponse(description="Bad input: the body names each field and its problem.")
REFUSED = OpenApiResponse(description="Your roles do not allow this; nothing was changed.")
STALE = OpenApiResponse(
    description="Someone saved the record since the version you sent; nothing was changed."
)


def parse(serializer_class: type[Serializer], request: Request) -> dict[str, Any]:
    """The request body, validated by `serializer_class` (400 naming each bad field)."""
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    validated: dict[str, Any] = data.validated_data
    return validated


def actor(request: Request) -> User:
    """The signed-in user taking the action (the permission classes admit no one else)."""
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user


class ActionAllowed(BasePermission):
    """Lets a request through when `can(user, action)` holds (DESIGN.md's permission table).

    The services check again; checking here first means a refused user gets 403 before any
    input is parsed, whatever they sent.
    """

    def __init__(self, action: Action):
        self.action = action
        self.message = f"You may not do this ({action.value})."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return can(request.user, self.action)


PHI_CONFIRMED_HELP = (
    "Send true to save text that the patient-information guard flagged, confirming it is not "
    "patient information (the confirmation is recorded)."
)


class PersonRefOutput(serializers.Serializer):
    """A person named on another record (e.g. a priority's executive sponsor)."""

    id = serializers.IntegerField()
    full_name = serializers.CharField()
    email = serializers.EmailField()


class FacilityRefOutput(serializers.Serializer):
    """A facility named on another record."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class PriorityRefOutput(serializers.Serializer):
    """A strategic priority named on another record."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()


class PhiFlaggedOutput(serializers.Serializer):
    """The 400 answer when free text looks like patient information. Besides the keys below,
    each flagged field is a key with its message, like any other bad field."""

    phi_flagged = serializers.DictField(
        child=serializers.ListField(child=serializers.ChoiceField(PhiKind.choices)),
        help_text="Each flagged field → the kinds of patient information seen in it.",
    )
    phi_confirmed = serializers.ListField(
        child=serializers.CharField(),
        help_text='How to go on: edit the text, or send it again with "phi_confirmed": true.',
    )


def phi_confirmed_field() -> serializers.BooleanField:
    return serializers.BooleanField(required=False, default=False, help_text=PHI_CONFIRMED_HELP)


PHI_FLAGGED = OpenApiResponse(
    response=PhiFlaggedOutput,
    description="Bad input, or text that looks like patient information: each flagged field "
    'is named with its message, `phi_flagged` lists what was seen, and `"phi_confirmed": true` '
    "saves it anyway. Nothing was saved.",
)
