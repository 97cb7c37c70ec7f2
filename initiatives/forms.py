"""Forms of the portfolio pages. They parse input into typed values named like the keyword
arguments of the portfolio services; the services check the rules (the stage table, the gates,
reasons and dates, the PHI guard, who may do what) and raise ValidationError naming the field,
which the views put back on the form beside it."""

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from informatics.choices import Role, ValueCategory
from informatics.models import Facility, StrategicPriority, User
from informatics.web import (
    DateInput,
    ServiceForm,
    VersionedEditForm,
    choice_field,
    offer_choices,
    phi_confirmed_field,
    several_field,
    values_of,
)
from initiatives.choices import (
    HEALTH_DIMENSIONS,
    REASON_REQUIRED,
    Alignment,
    FinancialKind,
    Health,
    InitiativeType,
    Stage,
)
from initiatives.models import BenefitLine, Initiative, IntakeRequest, StatusUpdate
from initiatives.services import INITIATIVE_FIELDS

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


def _date(*, error_messages: dict[str, str] | None = None, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        widget=DateInput(format=DATE_FORMAT),
        error_messages={"invalid": "Enter the date as YYYY-MM-DD.", **(error_messages or {})},
        **kwargs,
    )


def _people(*roles: str, keep: Iterable[int | None] = ()) -> QuerySet[User]:
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


class InitiativeForm(forms.Form):
    """Log a new initiative: what it is, whom it serves and who runs it."""

    title = forms.CharField(
        max_length=200, error_messages={"required": "Give the initiative a title."}
    )
    type = choice_field(InitiativeType.choices, required="Choose the type of initiative.")
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What it will change, in two or three sentences.",
        error_messages={"required": "Give a short summary."},
    )
    problem_statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="The problem it solves, as clinicians experience it. No patient information.",
    )
    executive_sponsor = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="No sponsor yet"
    )
    cmio_owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="No owner yet", label="CMIO owner"
    )
    informaticist_lead = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="No lead yet",
        help_text="The lead may edit the initiative and post its status updates.",
    )
    champions = several_field(User.objects.none(), label="Physician champions")
    facilities = several_field(
        Facility.objects.none(),
        help_text="Where it applies; none means system-wide. Hold Ctrl (or ⌘) to choose several.",
    )
    start_date = _date(required=False)
    target_date = _date(required=False)
    effort_hours = forms.IntegerField(
        required=False,
        min_value=0,
        label="Effort (hours)",
        error_messages={"invalid": "Enter the effort as whole hours, e.g. 120."},
    )
    cost_estimate = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        label="Cost estimate",
        error_messages={"invalid": "Enter the cost as a number, e.g. 25000."},
    )
    requests = RequestNumbersField(
        required=False,
        label="Linked requests",
        help_text="The numbers of the requests it answers, e.g. 12, 15. Their submitters then "
        "follow the initiative's stage on their request.",
    )
    phi_confirmed = phi_confirmed_field()

    # The fields that may hold patient information.
    free_text = ("title", "summary", "problem_statement")
    # Fields the services take as they are (the alignments are built from their own fields).
    simple_fields = INITIATIVE_FIELDS

    def __init__(self, *args: Any, initiative: Initiative | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        keep: dict[str, list[int | None]] = {
            "executive_sponsor": [],
            "cmio_owner": [],
            "informaticist_lead": [],
            "champions": [],
        }
        priority_keep: set[int] = set()
        facility_keep: list[int] = []
        if initiative is not None:
            keep["executive_sponsor"] = [initiative.executive_sponsor_id]
            keep["cmio_owner"] = [initiative.cmio_owner_id]
            keep["informaticist_lead"] = [initiative.informaticist_lead_id]
            keep["champions"] = [user.pk for user in initiative.champions.all()]
            facility_keep = [facility.pk for facility in initiative.facilities.all()]
            priority_keep = {a.priority_id for a in initiative.alignments.all()}
        self._set_queryset(
            "executive_sponsor",
            _people(Role.EXECUTIVE, Role.CMO, keep=keep["executive_sponsor"]),
        )
        self._set_queryset("cmio_owner", _people(Role.CMIO, keep=keep["cmio_owner"]))
        self._set_queryset(
            "informaticist_lead",
            _people(Role.INFORMATICIST, Role.CMIO, keep=keep["informaticist_lead"]),
        )
        self._set_queryset("champions", _people(Role.CHAMPION, keep=keep["champions"]))
        self._set_queryset(
            "facilities",
            Facility.objects.filter(Q(is_active=True) | Q(pk__in=facility_keep)).order_by("name"),
        )
        # One alignment choice per active priority (and any retired one already aligned).
        self.priorities = list(
            StrategicPriority.objects.filter(Q(is_active=True) | Q(pk__in=priority_keep)).order_by(
                "-is_active", "rank", "id"
            )
        )
        for priority in self.priorities:
            self.fields[self.alignment_field(priority.pk)] = forms.ChoiceField(
                choices=ALIGNMENT_CHOICES,
                required=False,
                label=priority.title if priority.is_active else f"{priority.title} (retired)",
            )

    def _set_queryset(self, name: str, queryset: QuerySet[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset

    @staticmethod
    def alignment_field(priority_pk: int) -> str:
        return f"alignment_{priority_pk}"

    def alignment_fields(self) -> list[forms.BoundField]:
        return [self[self.alignment_field(p.pk)] for p in self.priorities]

    @classmethod
    def initial_for(cls, initiative: Initiative) -> dict[str, Any]:
        """The form's values for `initiative` (read its alignments, champions and facilities
        prefetched)."""
        initial: dict[str, Any] = {
            name: getattr(initiative, name)
            for name in cls.simple_fields
            if name not in ("executive_sponsor", "cmio_owner", "informaticist_lead")
        }
        initial["executive_sponsor"] = initiative.executive_sponsor_id
        initial["cmio_owner"] = initiative.cmio_owner_id
        initial["informaticist_lead"] = initiative.informaticist_lead_id
        initial["champions"] = [user.pk for user in initiative.champions.all()]
        initial["facilities"] = [facility.pk for facility in initiative.facilities.all()]
        for alignment in initiative.alignments.all():
            initial[cls.alignment_field(alignment.priority_id)] = alignment.alignment
        return initial

    def alignments(self) -> dict[StrategicPriority, str]:
        """The priorities chosen, each with its alignment strength."""
        data = self.cleaned_data
        return {
            priority: data[self.alignment_field(priority.pk)]
            for priority in self.priorities
            if data.get(self.alignment_field(priority.pk))
        }

    def values(self) -> dict[str, Any]:
        """The cleaned values as keyword arguments of `initiative_create` / `initiative_update`
        (without the linked requests)."""
        data = self.cleaned_data
        values: dict[str, Any] = {name: data[name] for name in self.simple_fields}
        for name in ("title", "summary", "problem_statement"):
            values[name] = values[name].strip()
        values["champions"] = list(data["champions"])
        values["facilities"] = list(data["facilities"])
        values["priorities"] = self.alignments()
        values["phi_confirmed"] = data["phi_confirmed"]
        return values


class InitiativeEditForm(VersionedEditForm, InitiativeForm):
    """The edit of an initiative, as of the version the editor loaded. Linked requests have
    their own form on the initiative's page."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        del self.fields["requests"]

    def values(self) -> dict[str, Any]:
        """The cleaned values as keyword arguments of `initiative_update`."""
        return {**super().values(), "version": self.cleaned_data["version"]}


class StageForm(forms.Form):
    """Move an initiative to another stage. The page offers the table's next stages that the
    user may take, gates aside (approve, defer and stop are governance decisions); any other value
    still reaches the service, whose refusal says what is allowed. The reason and date fields
    are there only when a stage offered needs them."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    to_stage = forms.ChoiceField(
        choices=Stage.choices,
        label="Move to",
        error_messages={"required": "Choose the stage to move the initiative to."},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        label="Reason",
    )
    go_live_date = _date(
        required=False,
        label="Go-live date",
        help_text="When it went live; today if left empty. Metrics mark their charts with it.",
    )
    phi_confirmed = phi_confirmed_field()
    free_text = ("reason",)

    def __init__(self, *args: Any, allowed: tuple[str, ...] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        offer_choices(
            self, "to_stage", "Choose the next stage…", ((s, Stage(s).label) for s in allowed)
        )
        reasons = [REASON_VERBS[s] for s in allowed if s in REASON_REQUIRED]
        if reasons:
            self.fields[
                "reason"
            ].help_text = f"Needed to {' or '.join(reasons)}; kept on the stage timeline."
        else:
            del self.fields["reason"]
        if Stage.LIVE not in allowed:
            del self.fields["go_live_date"]

    def move(self) -> dict[str, Any]:
        """The cleaned values as keyword arguments of `initiative_advance`."""
        data = self.cleaned_data
        return {
            "version": data["version"],
            "to_stage": data["to_stage"],
            "reason": data.get("reason", "").strip(),
            "go_live_date": data.get("go_live_date"),
            "phi_confirmed": data["phi_confirmed"],
        }


class StatusUpdateForm(forms.Form):
    """A status report: health per dimension, what happened, and the risks ahead."""

    narrative = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="What happened since the last update",
        error_messages={"required": "Say what happened since the last update."},
        help_text="Everyone can read status updates. No patient information.",
    )
    risks = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Risks and issues"
    )
    phi_confirmed = phi_confirmed_field()
    free_text = ("narrative", "risks")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for dimension in HEALTH_DIMENSIONS:
            self.fields[dimension] = forms.ChoiceField(
                choices=Health.choices,
                label=dimension.capitalize(),
                help_text=HEALTH_HELP[dimension],
                error_messages={"required": f"Rate the {dimension}."},
            )
        self.order_fields([*HEALTH_DIMENSIONS, "narrative", "risks", "phi_confirmed"])

    @staticmethod
    def initial_for(latest: StatusUpdate | None) -> dict[str, Any]:
        """Start from the latest update's health (on track when there is none)."""
        return {
            dimension: getattr(latest, dimension) if latest else Health.ON_TRACK
            for dimension in HEALTH_DIMENSIONS
        }

    def health_fields(self) -> list[forms.BoundField]:
        return [self[dimension] for dimension in HEALTH_DIMENSIONS]

    def values(self) -> dict[str, Any]:
        """The cleaned values as keyword arguments of `status_update_post`."""
        data = self.cleaned_data
        values: dict[str, Any] = {dimension: data[dimension] for dimension in HEALTH_DIMENSIONS}
        values["narrative"] = data["narrative"].strip()
        values["risks"] = data["risks"].strip()
        values["phi_confirmed"] = data["phi_confirmed"]
        return values


class MilestoneForm(ServiceForm):
    title = forms.CharField(
        max_length=200,
        label="Milestone",
        error_messages={"required": "Name the milestone."},
    )
    due_date = _date(label="Due", error_messages={"required": "Give the due date."})
    phi_confirmed = phi_confirmed_field()


class BenefitForm(forms.Form):
    """One line of the benefit plan. After approval the locked forecast stays as it was; a
    change here shows as variance against it."""

    value_category = choice_field(
        ValueCategory.choices, label="Value category", required="Choose the value category."
    )
    description = forms.CharField(
        max_length=300,
        help_text="e.g. “Minutes per discharge summary”.",
        error_messages={"required": "Say what is measured."},
    )
    unit = forms.CharField(max_length=40, required=False, help_text="e.g. minutes, %, $")
    baseline = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        error_messages={"required": "Give the baseline.", "invalid": "Enter a number."},
    )
    target = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        error_messages={"required": "Give the target.", "invalid": "Enter a number."},
    )
    horizon = _date(
        help_text="When the target should be reached.",
        error_messages={"required": "Give the horizon."},
    )
    phi_confirmed = phi_confirmed_field()

    @staticmethod
    def initial_for(benefit: BenefitLine) -> dict[str, Any]:
        return values_of(
            benefit, ("value_category", "description", "unit", "baseline", "target", "horizon")
        )

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["description"] = data["description"].strip()
        data["unit"] = data["unit"].strip()
        return data


class LinkRequestsForm(ServiceForm):
    requests = RequestNumbersField(
        label="Link requests",
        help_text="Request numbers, e.g. 12, 15. Each follows the initiative's stage from now "
        "on, and its submitter sees the initiative on their request.",
        error_messages={"required": "Give at least one request number."},
    )


class FinancialEntryForm(ServiceForm):
    """Hard savings or a cost of the initiative, as finance booked it in one month."""

    month = forms.DateField(
        label="Month",
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text="The month finance booked it in.",
        error_messages={
            "required": "Give the month the amount was booked in.",
            "invalid": "Enter the month as YYYY-MM.",
        },
    )
    kind = choice_field(
        FinancialKind.choices, label="Kind", required="Choose hard savings or cost."
    )
    amount = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        error_messages={
            "required": "Give the amount.",
            "invalid": "Enter the amount as a number, e.g. 50000.",
            "max_digits": "Give the amount with at most 12 digits before the point.",
            "max_decimal_places": "Give the amount with at most 2 decimals.",
        },
    )
    source = forms.CharField(
        max_length=200,
        help_text="Where finance booked it, e.g. “Finance GL 6100, November close”.",
        error_messages={"required": "Say where finance booked it."},
    )
    phi_confirmed = phi_confirmed_field()

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["month"] = data["month"].replace(day=1)
        data["source"] = data["source"].strip()
        return data
