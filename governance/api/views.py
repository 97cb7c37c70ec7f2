"""API views of this app: one per operation, each calling one service or selector."""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.request import Request
from rest_framework.response import Response

from governance import selectors, services
from governance.api import serializers as s
from governance.models import MaturityAssessment
from informatics import rest
from informatics.permissions import Action

NO_ASSESSMENT = OpenApiResponse(description="No such assessment.")


@extend_schema_view(
    list=extend_schema(
        summary="List maturity assessments",
        description="The history of the program's self-assessments, newest first, each with its "
        "overall score under the current weights.",
    ),
    retrieve=extend_schema(
        summary="One maturity assessment",
        responses={200: s.MaturityAssessmentOutput, 404: NO_ASSESSMENT},
    ),
)
class MaturityViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, rest.ApiViewSet[MaturityAssessment]
):
    """The program's maturity self-assessments: the CMO and CMIO record them (a new one never
    changes the ones before); the CMO, CMIO, informaticists, executives and admins read them."""

    serializer_class = s.MaturityAssessmentOutput
    needs = {"create": Action.MATURITY_ASSESS}
    needs_otherwise = Action.MATURITY_READ

    def get_queryset(self) -> QuerySet[MaturityAssessment]:
        return selectors.maturity_assessment_list()

    def _render(self, rows: list[MaturityAssessment]) -> list[selectors.MaturityProfile]:
        weights = selectors.maturity_weights()
        return [selectors.maturity_profile(row, weights) for row in rows]

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = self._render(list(page if page is not None else self.get_queryset()))
        return self.get_paginated_response(s.MaturityAssessmentOutput(rows, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return rest.render(s.MaturityAssessmentOutput, self._render([self.get_object()])[0])

    @extend_schema(
        operation_id="maturity_create",
        summary="Record a maturity assessment",
        description="A score per dimension, 1 to 4 in steps of 0.5; any other score is refused "
        "with a message naming its dimension, and nothing is saved.",
        request=s.MaturityAssessmentInput,
        responses=rest.answers(s.MaturityAssessmentOutput, code=201, bad=rest.PHI_FLAGGED),
    )
    def create(self, request: Request) -> Response:
        data = rest.parse(s.MaturityAssessmentInput, request)
        assessment = services.maturity_assessment_record(actor=rest.actor(request), **data)
        row = selectors.maturity_assessment_list().get(pk=assessment.pk)
        return rest.render(
            s.MaturityAssessmentOutput, self._render([row])[0], status.HTTP_201_CREATED
        )
