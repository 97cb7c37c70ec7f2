"""Forms of the intake pages. They parse input into typed values named like the services'
keyword arguments; the services check the business rules (the transition table, the PHI guard,
who may do what) and raise ValidationError naming the field, which the views put back on the
form beside it. The forms are in `submit`, `triage`, `rubric` and `lists`; pages import them
from here."""

from intake.forms.lists import SavedViewForm, SortForm
from intake.forms.rubric import RubricForm
from intake.forms.submit import (
    NO_ATTACHMENTS,
    PLAIN_KINDS,
    REQUEST_ANSWER_FIELDS,
    AnswerForm,
    AskForm,
    CommentForm,
    RequestEditForm,
    RequestForm,
    VoteForm,
)
from intake.forms.triage import (
    BULK_STATUSES,
    BoardTriageForm,
    BulkTriageForm,
    MergeForm,
    RatingsForm,
    TransitionForm,
    TriageForm,
)

__all__ = [
    "BULK_STATUSES",
    "NO_ATTACHMENTS",
    "PLAIN_KINDS",
    "REQUEST_ANSWER_FIELDS",
    "AnswerForm",
    "AskForm",
    "BoardTriageForm",
    "BulkTriageForm",
    "CommentForm",
    "MergeForm",
    "RatingsForm",
    "RequestEditForm",
    "RequestForm",
    "RubricForm",
    "SavedViewForm",
    "SortForm",
    "TransitionForm",
    "TriageForm",
    "VoteForm",
]
