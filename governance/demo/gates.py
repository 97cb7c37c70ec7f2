"""The decisions behind the portfolio demo's gates: every approval, deferral and stop the
initiatives demo took (as the decision service takes them, `via="governance"`, before any body
existed) gets its decision in the log — the body that took it, the CMO's reason as the
rationale (a deferral with the revisit date the move set), dated to the move, and the evidence
the body saw then.

The evidence is `decision_evidence`'s, taken as of the move rather than now: the stage the
initiative stood in, the health of its latest status update by then, whether it was stale
then, and the benefit lines it had, with the values the approval locked where it locked them.
A gate already explained by a decision (taken at or after it, before the initiative's next
gate) is left alone, so running it again adds nothing.
"""

import datetime
from typing import Any

from governance.choices import Outcome
from governance.models import Decision, GovernanceBody
from governance.services import decision_evidence
from governance.services.decisions import APPROVALS, CREATED_FIELDS
from informatics.audit import audit_created
from informatics.selectors import audit_history
from informatics.services import site_settings_get
from initiatives import demo as initiatives_demo
from initiatives.choices import GATE_STAGES, Stage
from initiatives.health import STALE_STAGES, update_health
from initiatives.models import StageChange

# The body that took a gate, where the CMO's reason names one; else executive steering.
BODY_NAMED = {"by the ambulatory council": "pac-ambulatory"}


def _outcome(change: StageChange) -> str:
    if change.to_stage == Stage.STOPPED:
        return Outcome.STOP
    if change.to_stage == Stage.DEFERRED:
        return Outcome.DEFER
    if change.reason.startswith("Approved with changes"):
        return Outcome.APPROVE_WITH_CHANGES
    return Outcome.APPROVE


def _body(change: StageChange, bodies: dict[str, GovernanceBody]) -> GovernanceBody:
    for words, code in BODY_NAMED.items():
        if words in change.reason:
            return bodies[code]
    return bodies["steering"]


def _iso(day: datetime.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _then(change: StageChange) -> dict[str, Any]:
    """The initiative's evidence as the body saw it at `change`."""
    initiative = change.initiative
    evidence = decision_evidence(initiative=initiative)
    at = change.at
    updates = initiative.status_updates.filter(at__lte=at).order_by("-at", "-id")
    latest = updates.first()
    # Stale since its last update, else its approval, else its creation (initiatives.health).
    since = initiative.created_at
    if latest is not None:
        since = latest.at
    elif initiative.forecast_locked_at is not None and initiative.forecast_locked_at < at:
        since = initiative.forecast_locked_at
    stale_after = datetime.timedelta(days=site_settings_get().stale_after_days)
    benefits = []
    for line in initiative.benefits.filter(created_at__lte=at).order_by("pk"):
        locked = line.locked_at is not None and line.locked_at <= at
        benefits.append(
            {
                "category": line.value_category,
                "category_label": line.get_value_category_display(),
                "baseline": str(line.locked_baseline if locked else line.baseline),
                "target": str(line.locked_target if locked else line.target),
                "unit": line.unit,
                "horizon": _iso(line.locked_horizon if locked else line.horizon),
            }
        )
    evidence.update(
        stage=change.from_stage,
        stage_label=str(Stage(change.from_stage).label),
        health=update_health(latest) if latest is not None else None,
        is_stale=change.from_stage in STALE_STAGES and since < at - stale_after,
        benefits=benefits,
        taken_at=at.isoformat(),
    )
    return evidence


def _waiver(change: StageChange) -> str:
    initiative = change.initiative
    missing = []
    if initiative.informaticist_lead_id is None:
        missing.append("an informaticist lead")
    if not initiative.benefits.filter(created_at__lte=change.at).exists():
        missing.append("a benefit line")
    if change.to_stage != Stage.APPROVED or not missing:
        return ""
    return f"Approved without {' and '.join(missing)}: the CMIO carries it meanwhile."


def _revisit_on(
    change: StageChange, deferrals: dict[int, list[datetime.date]]
) -> datetime.date | None:
    """The revisit date a deferral set: the initiative's audit history keeps each deferral's
    date in order (the stage timeline keeps only the reason), so the n-th deferral of the
    timeline takes the n-th date. Any other gate takes none."""
    if change.to_stage != Stage.DEFERRED:
        return None
    initiative_id = change.initiative_id
    if initiative_id not in deferrals:
        events = reversed(list(audit_history(instance=change.initiative)))
        deferrals[initiative_id] = [
            datetime.date.fromisoformat(event.changes["revisit_date"][1])
            for event in events
            if (event.changes.get("revisit_date") or [None, None])[1]
        ]
    earlier = StageChange.objects.filter(
        initiative_id=initiative_id, to_stage=Stage.DEFERRED, at__lt=change.at
    ).count()
    dates = deferrals[initiative_id]
    return dates[earlier] if earlier < len(dates) else change.initiative.revisit_date


def _explained(change: StageChange, until: datetime.datetime | None) -> bool:
    """Whether a decision about the initiative with the gate's outcome was taken at or after
    the move and before its next gate (the decision service moves it, then records)."""
    outcomes: tuple[str, ...] = tuple(APPROVALS)
    if change.to_stage in (Stage.STOPPED, Stage.DEFERRED):
        outcomes = (_outcome(change),)
    decisions = Decision.objects.filter(
        initiative=change.initiative, outcome__in=outcomes, decided_at__gte=change.at
    )
    if until is not None:
        decisions = decisions.filter(decided_at__lt=until)
    return decisions.exists()


def seed(*, bodies: dict[str, GovernanceBody]) -> int:
    """Record the decision of each gate of a demo initiative that has none; returns how many
    were added."""
    titles = [plan.title for plan in initiatives_demo.INITIATIVES]
    gates = list(
        StageChange.objects.filter(to_stage__in=GATE_STAGES, initiative__title__in=titles)
        .select_related("initiative", "actor")
        .order_by("initiative", "at", "pk")
    )
    added = 0
    deferrals: dict[int, list[datetime.date]] = {}
    for index, change in enumerate(gates):
        following = gates[index + 1] if index + 1 < len(gates) else None
        same = following is not None and following.initiative_id == change.initiative_id
        if _explained(change, following.at if same and following is not None else None):
            continue
        assert change.actor is not None
        decision = Decision.objects.create(
            body=_body(change, bodies),
            initiative=change.initiative,
            outcome=_outcome(change),
            rationale=change.reason,
            revisit_on=_revisit_on(change, deferrals),
            waiver=_waiver(change),
            evidence=_then(change),
            decided_by=change.actor,
            decided_at=change.at,
        )
        audit_created(instance=decision, actor=change.actor, fields=CREATED_FIELDS)
        added += 1
    return added
