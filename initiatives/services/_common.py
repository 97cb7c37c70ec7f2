"""Checks and helpers shared by the portfolio services."""

import datetime
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model

from informatics.choices import Role
from informatics.exceptions import StaleEdit, refuse
from informatics.models import Facility, StrategicPriority, User
from informatics.services.records import Writes, field_errors
from initiatives.choices import (
    Alignment,
    Stage,
)
from initiatives.models import (
    BenefitLine,
    Initiative,
    InitiativePriority,
    Milestone,
)
from intake.choices import DeclineReason, RequestStatus

# What `initiative_update` may change (stage, dates of the stage and the forecast lock move
# only through `initiative_advance`).
INITIATIVE_FIELDS = (
    "title",
    "type",
    "summary",
    "problem_statement",
    "executive_sponsor",
    "cmio_owner",
    "informaticist_lead",
    "start_date",
    "target_date",
    "effort_hours",
    "cost_estimate",
)
INITIATIVE_M2M = ("champions", "facilities", "priorities")
INITIATIVE_EDITABLE = (*INITIATIVE_FIELDS, *INITIATIVE_M2M)
BENEFIT_FIELDS = ("value_category", "description", "unit", "baseline", "target", "horizon")
BENEFIT_LOCKED = {
    "baseline": "locked_baseline",
    "target": "locked_target",
    "horizon": "locked_horizon",
}
MILESTONE_FIELDS = ("title", "due_date")
# Callers that authorise the actor themselves before moving an initiative (a governance
# decision, from the governance issue on).
ADVANCE_CALLERS = ("governance",)
# A stopped initiative declines its linked requests with this reason; the timeline note says
# which initiative stopped.
STOPPED_DECLINE_REASON = DeclineReason.NOT_FEASIBLE

# Amounts are stored to the cent (the models' decimal_places).
CENTS = decimal.Decimal("0.01")

G = Stage
R = RequestStatus


def _stage_label(stage: str) -> str:
    return str(Stage(stage).label) if stage in Stage.values else stage


# --- Checks ---------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return str(value or "").strip()


def _fields_check(
    candidate: Model, cleaned: dict[str, Any], names: Iterable[str], errors: dict[str, str]
) -> None:
    """The model's own checks of the fields `names` of `cleaned` (types, lengths, blanks,
    choices, dates, amounts), each value replaced by the one it will be stored as: amounts to
    the cent, so the audit of a new row reads as that of a later edit."""
    names = list(names)
    field_errors(candidate, names, errors)
    for name in set(names) - set(errors):
        value = getattr(candidate, name)
        cleaned[name] = value.quantize(CENTS) if isinstance(value, decimal.Decimal) else value


def _is_date(value: Any) -> bool:
    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)


def _active_person(value: Any, *roles: str) -> bool:
    if not isinstance(value, User) or not value.is_active:
        return False
    return not roles or value.has_role(*roles)


def _initiative_check(
    fields: dict[str, Any], *, current: Initiative | None = None
) -> dict[str, Any]:
    """Clean the initiative's fields (only those given) or raise field-named errors: first the
    model's own field checks, then the portfolio's rules. People, facilities and priorities
    already on `current` pass even when no longer active, so an edit of another field never
    fails on them."""
    errors: dict[str, str] = {}
    cleaned = dict(fields)
    for name in ("title", "summary", "problem_statement"):
        if name in cleaned:
            cleaned[name] = _text(cleaned[name])
    # The people are foreign keys: the portfolio's rules below check them.
    scalars = [
        name
        for name in INITIATIVE_FIELDS
        if name in cleaned and not Initiative._meta.get_field(name).is_relation
    ]
    candidate = Initiative(**{name: cleaned[name] for name in scalars})
    _fields_check(candidate, cleaned, scalars, errors)

    def kept(name: str, value: Any) -> bool:
        return current is not None and getattr(current, f"{name}_id") == getattr(value, "pk", -1)

    people = {
        "executive_sponsor": ((), "Choose an active person as executive sponsor."),
        "cmio_owner": ((Role.CMIO,), "Choose an active person who holds the CMIO role."),
        "informaticist_lead": (
            (Role.INFORMATICIST, Role.CMIO),
            "Choose an active informaticist (or the CMIO) to lead it.",
        ),
    }
    # A person, a facility or a priority that is no longer active (or lacks the role) is
    # refused for its current state: a conflict, unless the request has errors of its own.
    conflicts: dict[str, str] = {}
    for name, (roles, message) in people.items():
        value = cleaned.get(name)
        if value is not None and not kept(name, value) and not _active_person(value, *roles):
            conflicts[name] = message
    groups: dict[str, tuple[type[User | Facility], str]] = {
        "champions": (User, "Choose active people as physician champions."),
        "facilities": (Facility, "Choose active facilities."),
    }
    for name, (model, message) in groups.items():
        if name not in cleaned:
            continue
        chosen = list(cleaned[name] or ())
        had = set(getattr(current, name).values_list("pk", flat=True)) if current else set()
        if not all(isinstance(c, model) and (c.pk in had or c.is_active) for c in chosen):
            conflicts[name] = message
        cleaned[name] = list(dict.fromkeys(chosen))
    if "priorities" in cleaned:
        priorities = cleaned["priorities"] or {}
        had = set(current.alignments.values_list("priority_id", flat=True)) if current else set()
        if not isinstance(priorities, Mapping):
            errors["priorities"] = "Give each priority with its alignment (strong, moderate, weak)."
        elif not all(
            isinstance(p, StrategicPriority) and (p.pk in had or p.is_active) for p in priorities
        ):
            conflicts["priorities"] = "Align the initiative to active strategic priorities only."
        elif not all(alignment in Alignment.values for alignment in priorities.values()):
            errors["priorities"] = "Give each priority's alignment: strong, moderate or weak."
        else:
            cleaned["priorities"] = dict(priorities)
    start = cleaned.get("start_date", current.start_date if current else None)
    target = cleaned.get("target_date", current.target_date if current else None)
    if (
        "start_date" not in errors
        and "target_date" not in errors
        and start is not None
        and target is not None
        and target < start
        and ({"start_date", "target_date"} & set(cleaned))
    ):
        errors["target_date"] = "The target date cannot be before the start date."
    cost = cleaned.get("cost_estimate")
    if "cost_estimate" not in errors and cost is not None and cost < 0:
        errors["cost_estimate"] = "Give the cost as an amount of 0 or more, in cents at most."
    refuse(errors, conflicts)
    return cleaned


def _model_fields_check(
    model: type[Model], fields: dict[str, Any], text: tuple[str, ...]
) -> dict[str, Any]:
    """Clean the given fields of one `model` row (only those given; the `text` ones trimmed)
    or raise field-named errors; every check is the model's own."""
    errors: dict[str, str] = {}
    cleaned = dict(fields)
    for name in text:
        if name in cleaned:
            cleaned[name] = _text(cleaned[name])
    _fields_check(model(**cleaned), cleaned, list(cleaned), errors)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _benefit_check(fields: dict[str, Any]) -> dict[str, Any]:
    """Clean the benefit line's fields (only those given) or raise field-named errors."""
    return _model_fields_check(BenefitLine, fields, ("description", "unit"))


def _milestone_check(fields: dict[str, Any]) -> dict[str, Any]:
    """Clean the milestone's fields (only those given) or raise field-named errors."""
    return _model_fields_check(Milestone, fields, ("title",))


# --- Locking and the many-to-many sides -----------------------------------------------------


def _version_check(locked: Initiative, version: int) -> None:
    if locked.version != version:
        raise StaleEdit(current=locked, expected_version=version)


def _alignment_labels(alignments: Mapping[StrategicPriority, str]) -> list[str]:
    return sorted(f"{p.title} ({Alignment(a).label.lower()})" for p, a in alignments.items())


def _current_alignments(initiative: Initiative) -> dict[StrategicPriority, str]:
    return {
        row.priority: row.alignment
        for row in InitiativePriority.objects.filter(initiative=initiative).select_related(
            "priority"
        )
    }


def _set_alignments(initiative: Initiative, wanted: Mapping[StrategicPriority, str]) -> None:
    by_priority = {row.priority_id: row for row in initiative.alignments.all()}
    wanted_ids = {priority.pk: alignment for priority, alignment in wanted.items()}
    InitiativePriority.objects.filter(initiative=initiative).exclude(
        priority_id__in=wanted_ids
    ).delete()
    for priority_id, alignment in wanted_ids.items():
        row = by_priority.get(priority_id)
        if row is None:
            InitiativePriority.objects.create(
                initiative=initiative, priority_id=priority_id, alignment=alignment
            )
        elif row.alignment != alignment:
            InitiativePriority.objects.filter(pk=row.pk).update(alignment=alignment)


def _m2m_values(initiative: Initiative) -> dict[str, list[str]]:
    """The many-to-many sides of an initiative as audit values (sorted names)."""
    return {
        "champions": sorted(str(p) for p in initiative.champions.all()),
        "facilities": sorted(str(f) for f in initiative.facilities.all()),
        "priorities": _alignment_labels(_current_alignments(initiative)),
    }


def _m2m_set(initiative: Initiative, cleaned: Mapping[str, Any]) -> None:
    if "champions" in cleaned:
        initiative.champions.set(cleaned["champions"])
    if "facilities" in cleaned:
        initiative.facilities.set(cleaned["facilities"])
    if "priorities" in cleaned:
        _set_alignments(initiative, cleaned["priorities"])


INITIATIVE_WRITES = Writes(INITIATIVE_FIELDS, INITIATIVE_M2M, _m2m_values, _m2m_set)
