"""Financial entries of an initiative: hard savings and costs as finance booked them, month by
month; the value report sums them (ROI)."""

import datetime
import decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from informatics.audit import audited_delete
from informatics.models import User
from informatics.permissions import Action, require
from informatics.services.records import (
    field_errors,
    guarded_create,
    guarded_update,
    refuse_unknown_fields,
)
from initiatives.models import FinancialEntry, Initiative

CENT = decimal.Decimal("0.01")
FINANCIAL_FIELDS = ("month", "kind", "amount", "source")
REQUIRED_MESSAGES = {
    "month": "Give the month the amount was booked in.",
    "kind": "Choose hard savings or cost.",
    "amount": "Give the amount.",
    "source": "Say where finance booked it, e.g. “Finance GL 6100, November close”.",
}


def _financial_check(fields: dict[str, Any]) -> dict[str, Any]:
    """The given fields of an entry as stored, or field-named errors: each present, the month
    given by its first day, the amount above 0 with at most 12 digits and 2 decimals."""
    cleaned = dict(fields)
    if "source" in cleaned:
        cleaned["source"] = str(cleaned["source"] or "").strip()
    errors: dict[str, str] = {}
    for name in cleaned:
        if cleaned[name] in (None, ""):
            errors[name] = REQUIRED_MESSAGES[name]
    candidate = FinancialEntry(**cleaned)
    field_errors(candidate, list(cleaned), errors)
    if "amount" in cleaned and "amount" not in errors and candidate.amount <= 0:
        errors["amount"] = "Give the amount as a sum above 0 (a cost is entered as a cost)."
    month = candidate.month
    if "month" in cleaned and "month" not in errors and month.day != 1:
        errors["month"] = f"Give the month by its first day, e.g. {month.replace(day=1)}."
    if errors:
        raise ValidationError(errors)
    if "amount" in cleaned:
        candidate.amount = candidate.amount.quantize(CENT)
    return {name: getattr(candidate, name) for name in cleaned}


@transaction.atomic
def financial_entry_add(
    *,
    actor: User,
    initiative: Initiative,
    month: datetime.date,
    kind: str,
    amount: decimal.Decimal | int | str,
    source: str,
    phi_confirmed: bool = False,
) -> FinancialEntry:
    """Record hard savings or a cost of `initiative` booked in `month` (those who may edit the
    initiative); `source` says where finance booked it and goes through the PHI guard."""
    require(actor, Action.INITIATIVE_EDIT, initiative)
    cleaned = _financial_check({"month": month, "kind": kind, "amount": amount, "source": source})
    return guarded_create(
        FinancialEntry,
        actor=actor,
        cleaned=cleaned,
        confirmed=phi_confirmed,
        audit=("initiative", *FINANCIAL_FIELDS),
        initiative=initiative,
        entered_by=actor,
        created_at=timezone.now(),
    )


@transaction.atomic
def financial_entry_update(
    *, actor: User, entry: FinancialEntry, phi_confirmed: bool = False, **changes: Any
) -> FinancialEntry:
    """Correct an entry's month, kind, amount or source (those who may edit its initiative)."""
    require(actor, Action.INITIATIVE_EDIT, entry.initiative)
    refuse_unknown_fields(changes, FINANCIAL_FIELDS)
    return guarded_update(
        entry, actor=actor, cleaned=_financial_check(changes), confirmed=phi_confirmed
    )


@transaction.atomic
def financial_entry_delete(*, actor: User, entry: FinancialEntry) -> None:
    """Remove an entry entered in error (those who may edit its initiative)."""
    require(actor, Action.INITIATIVE_EDIT, entry.initiative)
    audited_delete(instance=entry, actor=actor, fields=("initiative", *FINANCIAL_FIELDS))
