"""API views of intake: each parses its input, authorises, calls one service or selector and
renders an output serializer. Refusals come from informatics.permissions (403, nothing changed;
404 for a private request the caller may not read); stale edits from the services' optimistic
locking (409); text the patient-information guard flags, a 400 that names each field and what
was seen in it, and says how to confirm it."""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from informatics import rest
from informatics.permissions import Action
from intake import selectors, services
from intake.api import serializers as s
from intake.filters import RequestFilter
from intake.models import IntakeRequest

NOT_FOUND = OpenApiResponse(description="No such request, or a private one you may not read.")


# What each operation needs of DESIGN.md's table before any input is parsed; the services check
# again, with the record (own request, while submitted; the submitter answers; …).
NEEDS: dict[str, Action] = {
    "list": Action.REQUEST_READ,
    "retrieve": Action.REQUEST_READ,
    "similar": Action.REQUEST_READ,
    "create": Action.REQUEST_SUBMIT,
    "votes": Action.REQUEST_SUBMIT,
    "answer": Action.REQUEST_SUBMIT,
    "withdraw": Action.REQUEST_SUBMIT,
    "partial_update": Action.REQUEST_EDIT,
    "question": Action.REQUEST_TRIAGE,
    "triage": Action.REQUEST_TRIAGE,
    "transition": Action.REQUEST_TRIAGE,
    "merge": Action.REQUEST_TRIAGE,
}


@rest.listing(
    "List requests",
    "The requests you may read (champions: their own and every one not marked private), "
    "newest first, with the filters of the requests page.",
)
class RequestViewSet(mixins.ListModelMixin, rest.RecordViewSet[IntakeRequest]):
    """Pain points and enhancement requests: submit, "+1", discuss, triage, score, move along
    the status table, withdraw and merge."""

    serializer_class = s.RequestListOutput
    detail_output = s.RequestDetailOutput
    filterset_class = RequestFilter
    record_name = "request"
    needs = NEEDS
    needs_otherwise = Action.REQUEST_READ

    def needed(self) -> Action:
        if self.action == "comments" and self.request.method == "POST":
            return Action.REQUEST_SUBMIT
        return super().needed()

    def get_queryset(self) -> QuerySet[IntakeRequest]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return IntakeRequest.objects.none()
        return selectors.request_list(user=rest.actor(self.request))

    def shown(self, record: IntakeRequest) -> IntakeRequest:
        return selectors.request_detail(user=rest.actor(self.request), pk=record.pk)

    @extend_schema(
        summary="One request",
        description="With its story, triage inputs, current score and breakdown, status "
        "timeline and comment thread.",
        responses={200: s.RequestDetailOutput, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        return self.respond(self.get_object())

    @extend_schema(
        summary="Submit a request",
        description="Any signed-in user. Free text that looks like patient information (an "
        "MRN, a date of birth, a phone number, an SSN, an e-mail address) is refused unless "
        'sent again with `"phi_confirmed": true`.',
        request=s.RequestCreateInput,
        responses=rest.answers(s.RequestDetailOutput, code=201, bad=rest.PHI_FLAGGED),
    )
    def create(self, request: Request) -> Response:
        return self.created(services.request_submit, s.RequestCreateInput)

    @extend_schema(
        operation_id="requests_update",
        summary="Edit your request",
        description="The submitter (a champion or an executive) edits their own request while "
        "it is submitted. Send the `version` you edited with the fields to change; a stale "
        "version gets 409 and nothing is saved.",
        request=s.RequestUpdateInput,
        responses=rest.answers(
            s.RequestDetailOutput, bad=rest.PHI_FLAGGED, not_found=NOT_FOUND, stale=True
        ),
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        return self.change(services.request_update, s.RequestUpdateInput)

    @extend_schema(
        operation_id="requests_vote",
        summary='"+1" a request',
        description="Records that you have the same problem, with your specialty, facility "
        "and how often it happens to you; a scored request is scored again.",
        request=s.VoteInput,
        responses=rest.answers(s.VoteOutput, code=201, not_found=NOT_FOUND),
    )
    @action(detail=True, methods=["post"], url_path="votes", url_name="votes")
    def votes(self, request: Request, pk: str) -> Response:
        return self.add(services.request_vote, s.VoteInput, s.VoteOutput)

    @rest.collection(
        "comments",
        output=s.CommentOutput,
        input_class=s.CommentInput,
        not_found=NOT_FOUND,
        bad=rest.PHI_FLAGGED,
        listed={
            "operation_id": "requests_comments_list",
            "summary": "A request's thread",
            "description": "Comments, questions to the submitter and their answers, oldest first.",
        },
        added={"operation_id": "requests_comment", "summary": "Comment on a request"},
    )
    def comments(self, request: Request, pk: str) -> Response:
        intake = self.get_object()
        return self.list_or_add(
            lambda: selectors.request_detail(user=rest.actor(request), pk=intake.pk).comments.all(),
            s.CommentOutput,
            services.request_comment,
            s.CommentInput,
            record=intake,
        )

    @extend_schema(
        operation_id="requests_question",
        summary="Ask the submitter a question",
        description="Triage asks; the request waits in needs info until the submitter answers.",
        request=s.QuestionInput,
        responses=rest.answers(
            s.CommentOutput, code=201, bad=rest.PHI_FLAGGED, not_found=NOT_FOUND
        ),
    )
    @action(detail=True, methods=["post"], url_path="question", url_name="question")
    def question(self, request: Request, pk: str) -> Response:
        return self.add(services.request_ask, s.QuestionInput, s.CommentOutput)

    @extend_schema(
        operation_id="requests_answer",
        summary="Answer triage's question",
        description="The submitter answers the open question; the request goes back to triage.",
        request=s.AnswerInput,
        responses=rest.answers(
            s.CommentOutput, code=201, bad=rest.PHI_FLAGGED, not_found=NOT_FOUND
        ),
    )
    @action(detail=True, methods=["post"], url_path="answer", url_name="answer")
    def answer(self, request: Request, pk: str) -> Response:
        return self.add(services.request_answer, s.AnswerInput, s.CommentOutput)

    @extend_schema(
        operation_id="requests_triage",
        summary="Triage and score a request",
        description="Set its kind, route (which starts the route's SLA clock), linked "
        "priorities, ratings, reach and build hours; fields left out keep their value. With "
        "ratings and build hours it gets a new score under the current rubric. A stale "
        "`version` gets 409 and nothing is saved.",
        request=s.TriageInput,
        responses=rest.answers(s.RequestDetailOutput, not_found=NOT_FOUND, stale=True),
    )
    @action(detail=True, methods=["post"], url_path="triage", url_name="triage")
    def triage(self, request: Request, pk: str) -> Response:
        return self.change(services.request_triage, s.TriageInput)

    @extend_schema(
        operation_id="requests_transition",
        summary="Move a request to another status",
        description="Only along the status table; any other move is refused with a 400 that "
        "names `to_status`. Declining needs a `decline_reason`.",
        request=s.TransitionInput,
        responses=rest.answers(s.RequestDetailOutput, not_found=NOT_FOUND),
    )
    @action(detail=True, methods=["post"], url_path="transition", url_name="transition")
    def transition(self, request: Request, pk: str) -> Response:
        return self.change(services.request_transition, s.TransitionInput)

    @extend_schema(
        operation_id="requests_withdraw",
        summary="Withdraw your request",
        request=None,
        responses=rest.answers(s.RequestDetailOutput, not_found=NOT_FOUND),
    )
    @action(detail=True, methods=["post"], url_path="withdraw", url_name="withdraw")
    def withdraw(self, request: Request, pk: str) -> Response:
        return self.change(services.request_withdraw)

    @extend_schema(
        operation_id="requests_merge",
        summary="Merge a duplicate into another request",
        description="Its votes and people move to the survivor, which is scored again; the "
        "merged request's submitter is told.",
        request=s.MergeInput,
        responses=rest.answers(s.RequestDetailOutput, not_found=NOT_FOUND),
    )
    @action(detail=True, methods=["post"], url_path="merge", url_name="merge")
    def merge(self, request: Request, pk: str) -> Response:
        survivor_id = rest.parse(s.MergeInput, request)["survivor"]
        intake = self.get_object()
        survivor = self.get_queryset().filter(pk=survivor_id).first()
        if survivor is None:
            raise exceptions.NotFound({"survivor": [f"No request with id {survivor_id}."]})
        merged = services.request_merge(
            actor=rest.actor(request), request=intake, survivor=survivor
        )
        return self.respond(merged)

    @extend_schema(
        operation_id="requests_similar",
        summary="Open requests like a title",
        description="While a title is typed: open requests whose titles resemble it, most "
        'similar first, to "+1" instead of submitting a duplicate.',
        parameters=[s.SimilarQueryInput],
        responses={200: s.SimilarRequestOutput(many=True), 400: rest.BAD_INPUT},
    )
    @rest.unfiltered_action("similar", detail=False)
    def similar(self, request: Request) -> Response:
        query = rest.parse_query(s.SimilarQueryInput, request)
        found = selectors.requests_similar(title=query["title"], exclude_id=query["exclude"])
        return Response(s.SimilarRequestOutput(found, many=True).data)


class RubricApi(rest.ApiView):
    """The scoring rubric: everyone reads it (scores are explained with it); admins edit it,
    which makes a new version and leaves earlier scores as they were."""

    def needed(self) -> Action:
        return Action.ADMINISTER if self.request.method == "POST" else Action.REQUEST_READ

    @extend_schema(
        summary="The scoring rubric",
        description="The current version and every version, newest first.",
        responses=s.RubricVersionsOutput,
    )
    def get(self, request: Request) -> Response:
        versions = selectors.rubric_versions()
        current = next(rubric for rubric in versions if rubric.is_current)
        return Response(s.RubricVersionsOutput({"current": current, "versions": versions}).data)

    @extend_schema(
        operation_id="rubric_update",
        summary="Edit the scoring rubric (admins)",
        description="Makes a new current version; scores made under earlier versions stay as "
        "they were.",
        request=s.RubricUpdateInput,
        responses=rest.answers(s.RubricOutput, code=201),
    )
    def post(self, request: Request) -> Response:
        rubric = rest.call(services.rubric_update, request, s.RubricUpdateInput)
        return rest.render(s.RubricOutput, rubric, status.HTTP_201_CREATED)
