"""The pages of a refused, missing, malformed or failed request, in the portal's layout.

403 and 404 render with the request (the header's navigation, the user's name); 400 and 500
render from the template alone, with no request, database or context processor, so that the
page of a broken request or a failed database still renders.
"""

from django.core.exceptions import PermissionDenied
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseServerError,
)
from django.template import loader

from informatics.permissions import Action, ActionDenied

# What each action lets its holders do, for "Your roles do not allow you to …".
ACTION_PHRASES: dict[Action, str] = {
    Action.REQUEST_SUBMIT: "submit, +1 or comment on requests",
    Action.REQUEST_EDIT: "edit this request (only its submitter may, while it is submitted)",
    Action.REQUEST_TRIAGE: "triage, route, score or move requests along",
    Action.REQUEST_READ: "read this request (it is private to its submitter and the team)",
    Action.INITIATIVE_EDIT: "create or edit this initiative, its milestones or status updates",
    Action.INITIATIVE_GATE: "approve, defer or stop an initiative",
    Action.PRIORITY_EDIT: "edit the strategic priorities",
    Action.METRIC_EDIT: "edit the metric catalogue or its targets",
    Action.MEASUREMENT_LOAD: "import or enter measurements",
    Action.DECISION_RECORD: "record this body's decisions",
    Action.REVIEW_CHAIR: "schedule this body's reviews or build their agendas",
    Action.REPORT_DRAFT: "draft a value report or write its narrative",
    Action.REPORT_ISSUE: "issue a value report",
    Action.PORTFOLIO_READ: "read the portfolio",
    Action.REPORT_DRAFT_READ: "read value report drafts",
    Action.MATURITY_ASSESS: "record a maturity self-assessment",
    Action.MATURITY_READ: "read the maturity self-assessments",
    Action.ADMINISTER: "administer people, roles, facilities or site settings",
}

# The name the layout shows when the site's own name cannot be read (no database).
PLAIN_CONTEXT = {"organisation_name": "Informatics Portal"}


def refusal_reason(exception: Exception) -> str:
    """Why the request was refused, in words: the action a refused user lacks, else the
    message the code gave, else a general sentence."""
    if isinstance(exception, ActionDenied):
        return f"Your roles do not allow you to {ACTION_PHRASES[exception.action]}."
    if isinstance(exception, PermissionDenied) and str(exception):
        return str(exception)
    return "Your roles do not allow you to see this page."


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    template = loader.get_template("403.html")
    body = template.render({"reason": refusal_reason(exception)}, request)
    return HttpResponseForbidden(body)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return HttpResponseBadRequest(loader.get_template("400.html").render(PLAIN_CONTEXT))


def server_error(request: HttpRequest) -> HttpResponse:
    return HttpResponseServerError(loader.get_template("500.html").render(PLAIN_CONTEXT))
