"""API of the Standard's spreadsheets (issue 14): a version or an adapted set as XLSX, and a workbook
back in as a new draft version or as a draft set's adaptations. The rules are the pages':
standards.spreadsheets and standards.adapted_spreadsheets."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import rules
from core.api import ErrorSerializer
from core.errors import NotAllowed
from standards import adapted_spreadsheets, content, error_codes, selectors, spreadsheets
from standards.spreadsheet_files import XLSX_CONTENT_TYPE
from standards.spreadsheet_views import xlsx_response

XLSX = {
    (200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="The workbook (.xlsx)"),
    404: OpenApiResponse(ErrorSerializer, description="Not found, or a draft you may not see"),
}
REFUSED = OpenApiResponse(
    ErrorSerializer,
    description="The file was refused (code `standard_file_invalid`): `problems` lists every problem as "
    "{sheet, row, column, message}; nothing was saved. Or invalid fields (code `invalid`).",
)


class StandardImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The workbook (.xlsx), in the format of GET /standards/{id}/xlsx/.")
    version = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=content.VERSION_MAX,
        help_text="Version label of the new draft; default: the Version sheet's.",
    )


class StandardImportedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    version = serializers.CharField()
    status = serializers.CharField()
    based_on = serializers.IntegerField(allow_null=True)
    components = serializers.IntegerField()
    criteria = serializers.IntegerField()
    indicators = serializers.IntegerField()


class AdaptedImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The workbook (.xlsx), in the format of GET /adapted-sets/{id}/xlsx/.")
    revision = serializers.IntegerField(
        required=False, help_text="The set's revision you started from; a mismatch is 409 adapted_set_changed."
    )


class AdaptedImportedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    revision = serializers.IntegerField()
    adapted = serializers.IntegerField(help_text="Indicators the set adapts now.")
    replaced = serializers.IntegerField(help_text="Adaptations the set had before (all replaced).")


class _FileView(APIView):
    def perform_content_negotiation(self, request, force=False):
        # A workbook is not rendered: `Accept: application/vnd…sheet` is no 406 (errors still JSON).
        return super().perform_content_negotiation(request, force=True)


class StandardXlsxView(_FileView):
    @extend_schema(operation_id="standards_xlsx", responses=XLSX)
    def get(self, request, pk):
        """A version of the Standard as a workbook: one row per indicator (sheets Version, Components,
        Criteria, Indicators). Drafts: the Standard Committee only."""
        standard = get_object_or_404(selectors.standards_visible(request.user), pk=pk)
        return xlsx_response(spreadsheets.standard_to_xlsx(standard), spreadsheets.file_name(standard))


class StandardImportXlsxView(APIView):
    # JSON too: a body without a file is a 400 naming the missing file, not a 415.
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        operation_id="standards_import_xlsx",
        request={"multipart/form-data": StandardImportSerializer},
        responses={
            201: StandardImportedSerializer,
            400: REFUSED,
            403: OpenApiResponse(ErrorSerializer, description="Not a member of the Standard Committee"),
        },
    )
    def post(self, request):
        """A workbook as a new DRAFT version (the Standard Committee). Refused as a whole, with every
        problem by sheet, row and column, when anything is wrong."""
        if not rules.can_author_standard(request.user):  # before the upload is read
            raise NotAllowed(
                error_codes.STANDARD_KEEPERS_ONLY, _("Only members of the Standard Committee can import the Standard.")
            )
        data = StandardImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = spreadsheets.import_standard_xlsx(
            upload=data.validated_data["file"], by=request.user, version=data.validated_data.get("version")
        )
        draft = result.standard
        body = {
            "id": draft.pk,
            "code": draft.code,
            "version": draft.version,
            "status": draft.status,
            "based_on": result.based_on.pk if result.based_on else None,
            "components": result.counts.components,
            "criteria": result.counts.criteria,
            "indicators": result.counts.indicators,
        }
        return Response(StandardImportedSerializer(body).data, status=status.HTTP_201_CREATED)


class AdaptedSetXlsxView(_FileView):
    @extend_schema(operation_id="adapted_sets_xlsx", responses=XLSX)
    def get(self, request, pk):
        """An adapted set as a workbook: one row per generic indicator of its version, with the
        adapted texts, thresholds and means of verification per language."""
        adapted_set = selectors.get_adapted_set_for_user(request.user, pk)
        return xlsx_response(
            adapted_spreadsheets.adapted_set_to_xlsx(adapted_set), adapted_spreadsheets.file_name(adapted_set)
        )


class AdaptedSetImportXlsxView(APIView):
    # JSON too: a body without a file is a 400 naming the missing file, not a 415.
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        operation_id="adapted_sets_import_xlsx",
        request={"multipart/form-data": AdaptedImportSerializer},
        responses={
            200: AdaptedImportedSerializer,
            400: REFUSED,
            403: OpenApiResponse(ErrorSerializer, description="Not of the jurisdiction's expert group or Committee"),
            404: OpenApiResponse(ErrorSerializer, description="Not found"),
            409: OpenApiResponse(
                ErrorSerializer, description="Not a draft (`adapted_set_frozen`) or changed (`adapted_set_changed`)"
            ),
        },
    )
    def post(self, request, pk):
        """Replace a DRAFT set's adaptations with the workbook's (a row with every adapted column empty
        is not adapted). Refused as a whole, with every problem, when anything is wrong."""
        adapted_set = selectors.get_adapted_set_for_user(request.user, pk)
        # 403 (not of its authors) and 409 (not a draft) before the upload is read
        adapted_spreadsheets.import_allowed(adapted_set, request.user)
        data = AdaptedImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = adapted_spreadsheets.adapted_set_from_xlsx(
            adapted_set, data.validated_data["file"], request.user, data.validated_data.get("revision")
        )
        body = {
            "id": adapted_set.pk,
            "revision": result.adapted_set.revision,
            "adapted": result.adapted,
            "replaced": result.replaced,
        }
        return Response(AdaptedImportedSerializer(body).data)
