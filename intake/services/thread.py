"""A request's thread: +1 votes, comments, triage's questions and the submitter's answers."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from informatics.audit import audit_created
from informatics.exceptions import Conflict, refuse
from informatics.models import Facility, User
from informatics.permissions import Action, ActionDenied, require
from informatics.phi import phi_guard
from informatics.services import notify
from informatics.services.records import (
    copy_back,
    field_errors,
    guard_record_text,
    lock,
    record_phi,
)
from intake.choices import CLOSED_STATUSES, CommentKind, Frequency, ScoreReason
from intake.models import IntakeRequest, RequestComment, RequestVote
from intake.services._common import (
    SHORT_TEXT_MAX,
    S,
    _status_label,
    request_url,
)
from intake.services.transitions import _move
from intake.services.triage import _score


def request_vote_refusal(*, request: IntakeRequest, user: User) -> dict[str, str]:
    """Why `user` may not add a +1 to `request`, by field; empty when they may.

    Only an open request takes a +1 (`request`; a merged one points to the request it was
    merged into); its submitter is already counted, and nobody adds a second +1 (`voter`).
    The request's page asks this to offer the vote form, and `request_vote` to refuse; who
    may vote at all (anyone signed in who reads the request) is `request_vote`'s check.
    Reads the votes through `request.votes.all()`: prefetched with the request (as its page
    has them), that costs no query."""
    if request.status == S.MERGED and request.duplicate_of_id:
        return {
            "request": f"This request was merged into #{request.duplicate_of_id}; "
            "add your +1 there."
        }
    if request.status in CLOSED_STATUSES:
        return {"request": f"This request is {_status_label(request.status)}; it is closed."}
    if user.pk == request.submitted_by_id:
        return {"voter": "You submitted this request: you are already counted."}
    if any(vote.voter_id == user.pk for vote in request.votes.all()):
        return {"voter": "You have already added your +1 to this request."}
    return {}


@transaction.atomic
def request_vote(
    *,
    actor: User,
    request: IntakeRequest,
    specialty: str = "",
    facility: Facility | None = None,
    frequency: str = "",
    phi_confirmed: bool = False,
) -> RequestVote:
    """A "+1" with the voter's own context. If the request has a score, a new score row is
    made with the new people count (under the current rubric)."""
    require(actor, Action.REQUEST_SUBMIT)
    require(actor, Action.REQUEST_READ, request)
    # One vote at a time per request, so the people count is right.
    locked = lock(request, "submitted_by")
    errors = request_vote_refusal(request=locked, user=actor)
    if "request" in errors:  # closed: nothing else about the vote matters
        raise Conflict(errors)
    refusal, errors = errors, {}
    if frequency and frequency not in Frequency.values:
        errors["frequency"] = "Say how often it happens to you."
    if facility is not None and (not isinstance(facility, Facility) or not facility.is_active):
        errors["facility"] = "Choose an active facility."
    specialty = specialty.strip()
    if len(specialty) > SHORT_TEXT_MAX:
        errors["specialty"] = f"Keep this to {SHORT_TEXT_MAX} characters or fewer."
    refuse(errors, refusal)
    findings = guard_record_text(RequestVote, {"specialty": specialty}, confirmed=phi_confirmed)
    vote = RequestVote.objects.create(
        request=locked, voter=actor, specialty=specialty, facility=facility, frequency=frequency
    )
    audit_created(instance=vote, actor=actor, fields=("request", "voter", "specialty", "frequency"))
    record_phi(instance=vote, findings=findings, actor=actor)
    if locked.current_score_id is not None:
        _score(request=locked, reason=ScoreReason.VOTE, actor=actor)
        copy_back(request, locked)
    return vote


def _notify_comment(*, request: IntakeRequest, comment: RequestComment) -> None:
    notify(
        recipient=request.submitted_by,
        subject=f"New comment on your request #{request.pk}",
        body=f"{comment.author} commented on request #{request.pk}.",
        url=request_url(request),
    )


def _entry_text(value: str, *, field: str, missing: str) -> str:
    """A thread entry's text, stripped; refused naming `field` when it is empty (`missing`) or
    longer than the model allows."""
    text = value.strip()
    if not text:
        raise ValidationError({field: missing})
    errors: dict[str, str] = {}
    field_errors(RequestComment(body=text), ("body",), errors)
    if errors:
        raise ValidationError({field: errors["body"]})
    return text


@transaction.atomic
def request_comment(
    *, actor: User, request: IntakeRequest, body: str, phi_confirmed: bool = False
) -> RequestComment:
    """A comment in the request's thread; the submitter hears of comments by others."""
    require(actor, Action.REQUEST_SUBMIT)
    require(actor, Action.REQUEST_READ, request)
    body = _entry_text(body, field="body", missing="Write a comment.")
    findings = phi_guard(fields={"body": body}, confirmed=phi_confirmed)
    comment = RequestComment.objects.create(
        request=request, author=actor, kind=CommentKind.COMMENT, body=body
    )
    audit_created(instance=comment, actor=actor, fields=("request", "kind", "body"))
    record_phi(instance=comment, findings=findings, actor=actor)
    if actor.pk != request.submitted_by_id:
        _notify_comment(request=request, comment=comment)
    return comment


@transaction.atomic
def request_ask(
    *, actor: User, request: IntakeRequest, question: str, phi_confirmed: bool = False
) -> RequestComment:
    """Triage asks the submitter a question: the request moves to Needs info (through the
    table) and the submitter is told a question waits in the thread."""
    require(actor, Action.REQUEST_TRIAGE)
    question = _entry_text(
        question, field="question", missing="Write the question for the submitter."
    )
    findings = phi_guard(fields={"question": question}, confirmed=phi_confirmed)
    if request.status != S.NEEDS_INFO:
        _move(
            actor=actor,
            request=request,
            to_status=S.NEEDS_INFO,
            note="Triage asked you a question: answer it on the request's page.",
        )
    comment = RequestComment.objects.create(
        request=request, author=actor, kind=CommentKind.QUESTION, body=question
    )
    audit_created(instance=comment, actor=actor, fields=("request", "kind", "body"))
    record_phi(instance=comment, findings={"body": findings.get("question", [])}, actor=actor)
    return comment


@transaction.atomic
def request_answer(
    *, actor: User, request: IntakeRequest, body: str, phi_confirmed: bool = False
) -> RequestComment:
    """The submitter answers triage's open questions; a request waiting in Needs info goes
    back to triage."""
    require(actor, Action.REQUEST_READ, request)
    if actor.pk != request.submitted_by_id:
        raise ActionDenied(Action.REQUEST_EDIT)
    body = _entry_text(body, field="body", missing="Write your answer.")
    open_questions = RequestComment.objects.filter(
        request=request, kind=CommentKind.QUESTION, answered_by__isnull=True
    )
    if not open_questions.exists():
        raise Conflict({"body": "No question is waiting for your answer."})
    findings = phi_guard(fields={"body": body}, confirmed=phi_confirmed)
    answer = RequestComment.objects.create(
        request=request, author=actor, kind=CommentKind.ANSWER, body=body
    )
    audit_created(instance=answer, actor=actor, fields=("request", "kind", "body"))
    open_questions.update(answered_by=answer, updated_at=timezone.now())
    record_phi(instance=answer, findings=findings, actor=actor)
    if request.status == S.NEEDS_INFO:
        _move(actor=actor, request=request, to_status=S.TRIAGE, note="The submitter answered.")
    return answer
