"""Forms of the portfolio pages. They parse input into typed values named like the keyword
arguments of the portfolio services; the services check the rules (the stage table, the gates,
reasons and dates, the PHI guard, who may do what) and raise ValidationError naming the field,
which the views put back on the form beside it. The forms are in `initiative` and
`tracking`; pages import them from here."""

from initiatives.forms.initiative import InitiativeEditForm, InitiativeForm
from initiatives.forms.tracking import (
    BenefitForm,
    FinancialEntryForm,
    LinkRequestsForm,
    MilestoneForm,
    StageForm,
    StatusUpdateForm,
)

__all__ = [
    "BenefitForm",
    "FinancialEntryForm",
    "InitiativeEditForm",
    "InitiativeForm",
    "LinkRequestsForm",
    "MilestoneForm",
    "StageForm",
    "StatusUpdateForm",
]
