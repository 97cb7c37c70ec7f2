"""New versions of the scoring rubric."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from informatics.audit import audit_created, audit_record
from informatics.choices import AuditAction
from informatics.models import User
from informatics.permissions import Action, require
from informatics.services.records import field_errors, guard_record_text, record_phi
from intake import scoring
from intake.choices import RequestKind
from intake.models import Rubric


@transaction.atomic
def rubric_update(
    *,
    actor: User,
    criteria: list[dict[str, Any]],
    gates: dict[str, list[str]],
    effort_points: dict[str, int],
    note: str = "",
    phi_confirmed: bool = False,
) -> Rubric:
    """Make a new rubric version, current from now on (admins only). Earlier score rows keep
    the version they were made under; new rows (triage, +1, merge) use the new one."""
    require(actor, Action.ADMINISTER)
    problems = scoring.rubric_problems(
        criteria=criteria, gates=gates, effort_points=effort_points, kinds=RequestKind.values
    )
    note = note.strip()
    errors: dict[str, str] = {}
    field_errors(Rubric(note=note), ("note",), errors)
    problems.update({name: [message] for name, message in errors.items()})
    if problems:
        raise ValidationError(problems)
    findings = guard_record_text(Rubric, {"note": note}, confirmed=phi_confirmed)
    previous = list(Rubric.objects.select_for_update().filter(is_current=True))
    last = Rubric.objects.aggregate(last=Max("version"))["last"] or 0
    Rubric.objects.filter(is_current=True).update(is_current=False)
    for old in previous:
        audit_record(
            instance=old,
            actor=actor,
            action=AuditAction.UPDATE,
            changes={"is_current": [True, False]},
            note=f"replaced by v{last + 1}",
        )
    rubric = Rubric.objects.create(
        version=last + 1,
        criteria=[
            {
                "code": str(c["code"]).strip(),
                "label": str(c["label"]).strip(),
                "weight": c["weight"],
            }
            for c in criteria
        ],
        gates={gate: list(gates.get(gate, [])) for gate in scoring.GATE_ROUTES},
        effort_points={band: effort_points[band] for band in effort_points},
        is_current=True,
        created_by=actor,
        note=note,
    )
    audit_created(
        instance=rubric, actor=actor, fields=("version", "criteria", "gates", "effort_points")
    )
    record_phi(instance=rubric, findings=findings, actor=actor)
    return rubric
