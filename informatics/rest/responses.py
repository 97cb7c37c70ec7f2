"""The documented answers of the API that every app's operations share: bad input, refused,
stale, text the PHI guard flagged, and `answers`, which builds an operation's responses."""

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework import status

from informatics.rest.serializers import PhiFlaggedOutput

BAD_INPUT = OpenApiResponse(description="Bad input: the body names each field and its problem.")
REFUSED = OpenApiResponse(description="Your roles do not allow this; nothing was changed.")
STALE = OpenApiResponse(
    description="Someone saved the record since the version you sent; nothing was changed."
)


def answers(
    output: Any,
    *,
    code: int = status.HTTP_200_OK,
    bad: OpenApiResponse | None = None,
    not_found: OpenApiResponse | None = None,
    stale: bool = False,
) -> dict[int, Any]:
    """The documented answers of a write: `output` under `code`, bad input (`bad`, BAD_INPUT by
    default), refusal, and when given the 404 of a missing record and the 409 of a stale
    version."""
    documented: dict[int, Any] = {code: output, 400: bad or BAD_INPUT, 403: REFUSED}
    if not_found is not None:
        documented[404] = not_found
    if stale:
        documented[409] = STALE
    return documented


PHI_FLAGGED = OpenApiResponse(
    response=PhiFlaggedOutput,
    description="Bad input, or text that looks like patient information: each flagged field "
    'is named with its message, `phi_flagged` lists what was seen, and `"phi_confirmed": true` '
    "saves it anyway. Nothing was saved.",
)
