"""What the portfolio's forms share: the date field, the people a field offers, the field of
request numbers, and the words of the health ratings."""

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from informatics.models import User
from informatics.web import DateInput
from initiatives.choices import Alignment, Stage
from initiatives.models import IntakeRequest

DATE_FORMAT = "%Y-%m-%d"
NOT_ALIGNED = ""
ALIGNMENT_CHOICES: list[tuple[str, str]] = [(NOT_ALIGNED, "Not aligned"), *Alignment.choices]
REASON_VERBS: dict[str, str] = {
    Stage.ON_HOLD: "put it on hold",
    Stage.DEFERRED: "defer it",
    Stage.STOPPED: "stop it",
}
HEALTH_HELP = {
    "schedule": "Are the milestones being met?",
    "scope": "Is it still building what was approved?",
    "budget": "Are effort and cost within the estimate?",
    "adoption": "Are clinicians using it as intended?",
}


def date_field(*, error_messages: dict[str, str] | None = None, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        widget=DateInput(format=DATE_FORMAT),
        error_messages={"invalid": "Enter the date as YYYY-MM-DD.", **(error_messages or {})},
        **kwargs,
    )


def people_with(*roles: str, keep: Iterable[int | None] = ()) -> QuerySet[User]:
    """Active people holding one of `roles`, plus those already chosen (`keep`), who stay
    selectable after they leave so that other edits can still be saved."""
    kept = [pk for pk in keep if pk is not None]
    wanted = Q(is_active=True, groups__name__in=roles)
    if kept:
        wanted |= Q(pk__in=kept)
    return User.objects.filter(wanted).distinct().order_by("full_name", "email")


class RequestNumbersField(forms.Field):
    """Request numbers typed as text ("12, 15" or "#12 #15") → the requests, in that order.
    An unknown number is named in the error."""

    widget = forms.TextInput
    default_error_messages = {
        "invalid": "Not a request number: %(wrong)s. Give request numbers separated by "
        "commas, e.g. 12, 15.",
        "missing": "There is no request %(numbers)s.",
    }

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(str(getattr(item, "pk", item)) for item in value)
        return value

    def to_python(self, value: Any) -> list[IntakeRequest]:
        text = str(value or "").strip()
        if not text:
            return []
        if not re.fullmatch(r"[\s#,;0-9]*", text):
            wrong = [
                part
                for part in re.split(r"[\s,;]+", text)
                if part and not re.fullmatch(r"#?[0-9]+", part)
            ]
            raise ValidationError(
                self.error_messages["invalid"],
                code="invalid",
                params={"wrong": ", ".join(f"“{part}”" for part in wrong)},
            )
        numbers = list(dict.fromkeys(int(n) for n in re.findall(r"[0-9]+", text)))
        found = IntakeRequest.objects.select_related("initiative_link").in_bulk(numbers)
        missing = [n for n in numbers if n not in found]
        if missing:
            raise ValidationError(
                self.error_messages["missing"],
                code="missing",
                params={"numbers": ", ".join(f"#{n}" for n in missing)},
            )
        return [found[n] for n in numbers]
