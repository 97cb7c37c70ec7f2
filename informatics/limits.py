"""The longest text a person may type into each kind of free-text field, in one place.

Every `TextField` of the portal declares one of these as its `max_length` (which sizes the
form and API fields) and as a `MaxLengthValidator` (which the model's own field checks, and so
every service, apply on any database): a longer text is refused with a message that names the
field and the limit. Short texts (titles, names, labels) are `CharField`s with their own
`max_length`."""

from django.core.validators import MaxLengthValidator

# A request's stories, an initiative's summary and problem, a status narrative and its risks,
# a metric's definition, a strategic priority's goal.
LONG_TEXT = 10_000
# A comment, question or answer in a request's thread.
COMMENT = 5_000
# A reason or note given with a step: a status move, a stage move, a retirement, an annotation.
NOTE = 2_000


def max_length(limit: int) -> list[MaxLengthValidator]:
    """The validators of a text field of at most `limit` characters."""
    return [MaxLengthValidator(limit)]
