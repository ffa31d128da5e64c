"""The reports API: gap analysis, exports, and the one status endpoint of every job (exports and
imports), through the same selectors, services and rules as the pages."""

from collections.abc import Mapping

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments.selectors import get_assessment_for_user
from core.api import ErrorSerializer
from core.downloads import FileAnswerMixin
from reports import selectors, services
from reports.files import job_file_response

from .serializers import ExportRequestSerializer, GapAnalysisSerializer, JobSerializer

ASSESSMENT_PK = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Assessment id")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JOB_PK = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Job id")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such object, or not visible to you")


@extend_schema(parameters=[ASSESSMENT_PK], responses={200: GapAnalysisSerializer, 404: NOT_FOUND})
@api_view(["GET"])
def assessment_gaps(request, pk):
    """The gap analysis of an assessment, as its reports page shows it.

    Every indicator the site has not met, by its own rating or, when you may see them, by the
    group's findings (reviewers and staff; the site team once released), with the action from the
    action plan, its owner and due date, and whether it is overdue, due soon or missing. Whoever may
    see the assessment may see this; anyone else gets 404."""
    assessment = get_assessment_for_user(request.user, pk)
    gap = selectors.gap_analysis(assessment, request.user)
    return Response(GapAnalysisSerializer({"assessment": assessment.pk, **gap}).data)


@extend_schema(
    parameters=[ASSESSMENT_PK],
    request=ExportRequestSerializer,
    responses={
        202: JobSerializer,
        400: OpenApiResponse(ErrorSerializer, description="Unknown format (code `export_format_unknown`)"),
        403: OpenApiResponse(ErrorSerializer, description="You may not export it (code `export_not_allowed`)"),
        404: NOT_FOUND,
    },
)
@api_view(["POST"])
def assessment_export(request, pk):
    """Start an export of the assessment: a worker writes the file; poll the job at `url`.

    Formats, as on the reports page: `pdf` (the dossier), `xlsx` and `csv` (answers and findings),
    `json` (the assessment package, re-importable elsewhere). The file holds what you may see of
    the assessment (the group's findings and the experts' reviews are filtered by the same rules as
    the pages). Answers 202 with the job and its URL in `Location`; when it is done, `download_url`
    gives the file."""
    assessment = get_assessment_for_user(request.user, pk)
    fmt = request.data.get("format", "") if isinstance(request.data, Mapping) else ""
    # Anything but a string is as unknown as a misspelt format: the service refuses both with its code.
    job = services.export_job_create(assessment=assessment, user=request.user, fmt=fmt if isinstance(fmt, str) else "")
    body = JobSerializer(job).data
    return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


@extend_schema(parameters=[JOB_PK], responses={200: JobSerializer, 404: NOT_FOUND})
@api_view(["GET"])
def job_detail(request, pk):
    """A job's status and progress: an export (`reports.export`) or an import of protected areas
    (`protected_area_import`); once done, its result, and the link to its file where it has one.

    The pages that start jobs poll this too. Who sees a job is the rule of its kind: an export only
    the person who started it, while they may still see its assessment (anyone else, staff included,
    gets 404, as on the job page); an import whoever may import protected areas (IUCN staff, as on
    the import page). Anyone else gets 404."""
    return Response(JobSerializer(selectors.get_job_for_user(request.user, pk)).data)


class JobDownloadView(FileAnswerMixin, APIView):
    @extend_schema(
        parameters=[JOB_PK],
        responses={
            # One media type per export format (reports.services.CONTENT_TYPES); the JSON package is
            # an object, the others are files.
            **{
                (200, media_type): OpenApiResponse(
                    OpenApiTypes.OBJECT if media_type == "application/json" else OpenApiTypes.BINARY,
                    description="The exported file, as an attachment",
                )
                for media_type in ("application/pdf", XLSX, "text/csv", "application/json")
            },
            404: OpenApiResponse(ErrorSerializer, description="No such job of yours, not done yet, or no file"),
        },
    )
    def get(self, request, pk):
        """Download the file of a finished job (exports have one): who may see the job may download
        it, so an export's owner only, while they may still see its assessment, as on the job page
        (anyone else, staff included, gets 404)."""
        return job_file_response(selectors.get_job_for_user(request.user, pk))
