"""Who may do what: DESIGN.md's permission table as predicates, in one place.

Views, API views, services and templates all ask `can(user, action, obj)`. An action's
predicate takes the user and, where the rule depends on it, the record. Later apps pass their
own records (a request, an initiative, a governance body); the predicates read only the
attributes named in their docstrings, so the kernel imports nothing from those apps.
"""

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied

from informatics.choices import Role


class Action(StrEnum):
    REQUEST_SUBMIT = "request.submit"  # also vote and comment
    REQUEST_EDIT = "request.edit"
    REQUEST_TRIAGE = "request.triage"  # triage, route, score, transition
    REQUEST_READ = "request.read"
    INITIATIVE_EDIT = "initiative.edit"  # create and edit initiatives, milestones, status
    INITIATIVE_GATE = "initiative.gate"  # approve, defer or stop
    PRIORITY_EDIT = "priority.edit"
    METRIC_EDIT = "metric.edit"  # catalogue and targets
    MEASUREMENT_LOAD = "measurement.load"  # import or enter measurements
    DECISION_RECORD = "decision.record"
    REVIEW_CHAIR = "review.chair"  # schedule a body's reviews, build and order their agendas
    REPORT_DRAFT = "report.draft"  # draft a value report, write its narrative
    REPORT_ISSUE = "report.issue"
    PORTFOLIO_READ = "portfolio.read"  # initiatives, metrics, issued reports
    REPORT_DRAFT_READ = "report.draft_read"
    MATURITY_ASSESS = "maturity.assess"  # record a maturity self-assessment or its target
    MATURITY_READ = "maturity.read"
    ADMINISTER = "administer"  # people, roles, facilities, site settings, rubric, routes


Predicate = Callable[[Any, Any], bool]


def _roles(user: Any) -> tuple[str, ...]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ()
    roles: tuple[str, ...] = user.roles
    return roles


def _any_of(*roles: str) -> Predicate:
    def predicate(user: Any, obj: Any = None) -> bool:
        return any(role in _roles(user) for role in roles)

    return predicate


def _signed_in(user: Any, obj: Any = None) -> bool:
    return bool(_roles(user))


def _request_edit(user: Any, obj: Any = None) -> bool:
    """Own request, while submitted (obj: `submitted_by_id`, `status`)."""
    if not _any_of(Role.CHAMPION, Role.EXECUTIVE)(user, obj):
        return False
    if obj is None:
        return True
    return obj.submitted_by_id == user.pk and obj.status == "submitted"


def _request_read(user: Any, obj: Any = None) -> bool:
    """Everyone but a champion-only user reads all; champions read their own and non-private
    (obj: `submitted_by_id`, `is_private`)."""
    roles = _roles(user)
    if not roles:
        return False
    if obj is None or set(roles) - {Role.CHAMPION}:
        return True
    return obj.submitted_by_id == user.pk or not obj.is_private


def _initiative_edit(user: Any, obj: Any = None) -> bool:
    """CMIO edits all; an informaticist edits those they lead (obj: `informaticist_lead_id`)."""
    roles = _roles(user)
    if Role.CMIO in roles:
        return True
    if Role.INFORMATICIST not in roles:
        return False
    return obj is None or obj.informaticist_lead_id == user.pk


def _is_body_member(user: Any, body: Any) -> bool:
    """`body` offers `is_member(user)`; with no body given there is no membership to rely on."""
    return body is not None and bool(body.is_member(user))


def _initiative_gate(user: Any, obj: Any = None) -> bool:
    """The CMO always; the CMIO and executives as members of the deciding body (obj: the body)."""
    roles = _roles(user)
    if Role.CMO in roles:
        return True
    return bool({Role.CMIO, Role.EXECUTIVE} & set(roles)) and _is_body_member(user, obj)


def _decision_record(user: Any, obj: Any = None) -> bool:
    """CMO and CMIO for any body; champions, informaticists and executives for bodies they are
    members of (obj: the body)."""
    roles = _roles(user)
    if Role.CMO in roles or Role.CMIO in roles:
        return True
    member_roles = {Role.CHAMPION, Role.INFORMATICIST, Role.EXECUTIVE}
    return bool(member_roles & set(roles)) and _is_body_member(user, obj)


def _review_chair(user: Any, obj: Any = None) -> bool:
    """CMO and CMIO for any body; anyone else as the body's chair (obj: the body, `chair_id`)."""
    roles = _roles(user)
    if Role.CMO in roles or Role.CMIO in roles:
        return True
    return bool(roles) and obj is not None and obj.chair_id == user.pk


RULES: dict[Action, Predicate] = {
    Action.REQUEST_SUBMIT: _signed_in,
    Action.REQUEST_EDIT: _request_edit,
    Action.REQUEST_TRIAGE: _any_of(Role.INFORMATICIST, Role.CMIO),
    Action.REQUEST_READ: _request_read,
    Action.INITIATIVE_EDIT: _initiative_edit,
    Action.INITIATIVE_GATE: _initiative_gate,
    Action.PRIORITY_EDIT: _any_of(Role.CMO, Role.ADMIN),
    Action.METRIC_EDIT: _any_of(Role.CMIO, Role.CMO, Role.ADMIN),
    Action.MEASUREMENT_LOAD: _any_of(Role.INFORMATICIST, Role.CMIO),
    Action.DECISION_RECORD: _decision_record,
    Action.REVIEW_CHAIR: _review_chair,
    Action.REPORT_DRAFT: _any_of(Role.CMIO),
    Action.REPORT_ISSUE: _any_of(Role.CMO),
    Action.PORTFOLIO_READ: _signed_in,
    Action.REPORT_DRAFT_READ: _any_of(Role.INFORMATICIST, Role.CMIO, Role.CMO),
    # The program's self-assessment is leadership's judgement: the CMO and CMIO record it. It is
    # read by those who run or sponsor the program, and by admins, who set its weights.
    Action.MATURITY_ASSESS: _any_of(Role.CMO, Role.CMIO),
    Action.MATURITY_READ: _any_of(
        Role.CMO, Role.CMIO, Role.INFORMATICIST, Role.EXECUTIVE, Role.ADMIN
    ),
    Action.ADMINISTER: _any_of(Role.ADMIN),
}


def can(user: Any, action: Action | str, obj: Any = None) -> bool:
    """Whether `user` may take `action` (on `obj`, where the rule depends on the record)."""
    return RULES[Action(action)](user, obj)


class ActionDenied(PermissionDenied):
    """Raised by services when the acting user may not take the action.

    A subclass of Django's PermissionDenied, so pages answer 403 and the API answers 403.
    """

    def __init__(self, action: Action | str):
        self.action = Action(action)
        super().__init__(f"You may not do this ({self.action.value}).")


def require(user: Any, action: Action | str, obj: Any = None) -> None:
    if not can(user, action, obj):
        raise ActionDenied(action)
