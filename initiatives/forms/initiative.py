"""The form that creates an initiative, and its edit."""

from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from informatics.choices import Role
from informatics.models import Facility, StrategicPriority, User
from informatics.web import VersionedEditForm, choice_field, phi_confirmed_field, several_field
from initiatives.choices import InitiativeType
from initiatives.forms.fields import ALIGNMENT_CHOICES, RequestNumbersField, date_field, people_with
from initiatives.models import Initiative
from initiatives.services import INITIATIVE_FIELDS


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
    start_date = date_field(required=False)
    target_date = date_field(required=False)
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
            people_with(Role.EXECUTIVE, Role.CMO, keep=keep["executive_sponsor"]),
        )
        self._set_queryset("cmio_owner", people_with(Role.CMIO, keep=keep["cmio_owner"]))
        self._set_queryset(
            "informaticist_lead",
            people_with(Role.INFORMATICIST, Role.CMIO, keep=keep["informaticist_lead"]),
        )
        self._set_queryset("champions", people_with(Role.CHAMPION, keep=keep["champions"]))
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
