"""Resumable evidence uploads over tus 1.0.0 (evidence.resumable holds the protocol's rules).

    POST   /api/v1/assessments/{id}/evidence/uploads/   start: Upload-Length, Upload-Metadata → 201 Location
    HEAD   /api/v1/evidence/uploads/{uuid}/             where it stands: Upload-Offset, Upload-Length
    PATCH  /api/v1/evidence/uploads/{uuid}/             the next bytes at Upload-Offset → 204 Upload-Offset
    DELETE /api/v1/evidence/uploads/{uuid}/             give up (termination)
    GET    /api/v1/evidence/uploads/{uuid}/             the same as JSON, with the evidence item it became
    OPTIONS either URL                                  Tus-Version, Tus-Extension, Tus-Max-Size

Every answer carries `Tus-Resumable: 1.0.0`; the answer to the last PATCH (and a HEAD after it) names
the evidence item in `Evidence-Id`. Checks come in the matrix's order: the object (404), the rule
(403), then the protocol (412 without `Tus-Resumable: 1.0.0`) and the input.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import http_date
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments.selectors import get_assessment_for_user
from core.api import ErrorSerializer
from core.downloads import NO_STORE
from core.errors import DomainError

from .. import error_codes, resumable, selectors
from ..models import ResumableUpload
from ..services import max_upload_bytes
from .serializers import EvidenceSerializer

OFFSET_TYPE = "application/offset+octet-stream"


class TusVersionUnsupported(DomainError):
    http_status = 412


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


def _header(name: str, description: str, *, required: bool = True, kind: type = str) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.HEADER, required=required, description=description)


TUS_RESUMABLE = _header("Tus-Resumable", "Always `1.0.0`.")
NOT_VERSION = _error("No `Tus-Resumable: 1.0.0` header (code `upload_tus_version_unsupported`)")
FROZEN = _error("The assessment is frozen (code `assessment_frozen`)")
UPLOAD_PK = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The upload's id")


def _integer_header(request, name: str) -> int:
    value = request.headers.get(name, "")
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise DomainError(
            error_codes.UPLOAD_LENGTH_INVALID, _("%(name)s must be a whole number of bytes.") % {"name": name}
        )
    return int(value)


def _content_length(request) -> int:
    value = request.META.get("CONTENT_LENGTH") or "0"
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else -1


class TusView(APIView):
    """What both tus URLs share: the protocol's headers on every answer and its OPTIONS."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Tus-Resumable"] = resumable.TUS_VERSION
        if response.status_code == 412:
            response["Tus-Version"] = resumable.TUS_VERSION
        return response

    def options(self, request, *args, **kwargs):
        return Response(
            status=204,
            headers={
                "Tus-Version": resumable.TUS_VERSION,
                "Tus-Extension": resumable.TUS_EXTENSIONS,
                "Tus-Max-Size": str(max_upload_bytes()),
                "Tus-Checksum-Algorithm": ",".join(resumable.CHECKSUM_ALGORITHMS),
            },
        )

    @staticmethod
    def check_version(request) -> None:
        if request.headers.get("Tus-Resumable") != resumable.TUS_VERSION:
            raise TusVersionUnsupported(
                error_codes.UPLOAD_TUS_VERSION, _("This server speaks tus 1.0.0: send Tus-Resumable: 1.0.0.")
            )

    @staticmethod
    def progress_headers(upload: ResumableUpload) -> dict[str, str]:
        headers = {
            "Upload-Offset": str(upload.offset),
            "Upload-Expires": http_date(upload.expires_at.timestamp()),
            "Cache-Control": NO_STORE,
        }
        if upload.evidence_id is not None:
            headers["Evidence-Id"] = str(upload.evidence_id)
        return headers


class ResumableUploadCreateView(TusView):
    @extend_schema(
        operation_id="assessments_evidence_uploads_create",
        parameters=[
            OpenApiParameter("assessment_pk", int, OpenApiParameter.PATH, description="Assessment id"),
            TUS_RESUMABLE,
            _header("Upload-Length", "Size of the whole file in bytes.", kind=int),
            _header(
                "Upload-Metadata",
                "tus metadata, `key base64(value)` pairs separated by commas: filename, filetype, title, "
                "indicators (ids separated by commas), sensitivity, evidence_date (YYYY-MM-DD), site, "
                "captured_at (ISO 8601 with its zone), latitude and longitude (WGS 84 degrees).",
                required=False,
            ),
        ],
        request=None,
        responses={
            201: OpenApiResponse(description="Started: `Location` is the upload's URL, `Upload-Expires` its expiry."),
            409: FROZEN,
            412: NOT_VERSION,
            413: _error("Upload-Length is over the evidence size limit (code `evidence_too_large`)"),
            429: _error("The day's upload quota would be exceeded (code `evidence_quota_exceeded`)"),
        },
    )
    def post(self, request, assessment_pk):
        """Start a resumable (tus) upload of one evidence file to the assessment; its evidence fields
        come as Upload-Metadata and are checked now. Only the site's team may, while the assessment
        is editable, within the size limit and the day's quota, as for a form upload."""
        assessment = get_assessment_for_user(request.user, assessment_pk)
        resumable.may_add_evidence(request.user, assessment)
        self.check_version(request)
        upload = resumable.upload_start(
            assessment=assessment,
            user=request.user,
            length=_integer_header(request, "Upload-Length"),
            metadata=resumable.parse_metadata(request.headers.get("Upload-Metadata", "")),
        )
        return Response(
            status=201,
            headers={
                # Relative: right behind any proxy, and tus clients resolve it against the endpoint.
                "Location": reverse("evidence-upload", args=[upload.pk]),
                "Upload-Expires": http_date(upload.expires_at.timestamp()),
            },
        )


class ResumableUploadSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    assessment = serializers.IntegerField(source="assessment_id")
    offset = serializers.IntegerField(help_text="Bytes the server holds.")
    length = serializers.IntegerField(help_text="Bytes of the whole file.")
    expires_at = serializers.DateTimeField()
    evidence = EvidenceSerializer(allow_null=True, help_text="The evidence item it became, once complete.")


class ResumableUploadView(TusView):
    def get_upload(self, request, pk) -> ResumableUpload:
        return resumable.get_upload_for_user(request.user, pk)

    def head(self, request, pk):
        # Not in the schema (drf-spectacular leaves HEAD out): where the upload stands, tus's way.
        upload = self.get_upload(request, pk)
        self.check_version(request)
        headers = self.progress_headers(upload)
        headers["Upload-Length"] = str(upload.length)
        return Response(status=200, headers=headers)

    @extend_schema(parameters=[UPLOAD_PK], responses={200: ResumableUploadSerializer})
    def get(self, request, pk):
        """Your resumable upload as JSON: bytes held, size, expiry, and the evidence item it became."""
        upload = self.get_upload(request, pk)
        evidence = None
        if upload.evidence_id is not None:
            evidence = selectors.evidence_for(upload.assessment, request.user).filter(pk=upload.evidence_id).first()
        body = ResumableUploadSerializer(
            {
                "id": upload.pk,
                "assessment_id": upload.assessment_id,
                "offset": upload.offset,
                "length": upload.length,
                "expires_at": upload.expires_at,
                "evidence": evidence,
            }
        ).data
        return Response(body, headers={"Cache-Control": NO_STORE})

    @extend_schema(
        parameters=[
            UPLOAD_PK,
            TUS_RESUMABLE,
            _header("Upload-Offset", "Where these bytes start: the offset HEAD gave.", kind=int),
            _header(
                "Upload-Checksum", "`sha1 base64(digest)` or `sha256 base64(digest)` of these bytes.", required=False
            ),
        ],
        request={OFFSET_TYPE: OpenApiTypes.BINARY},
        responses={
            204: OpenApiResponse(
                description="Kept: `Upload-Offset` is the new offset; once complete, `Evidence-Id` names the item."
            ),
            409: _error(
                "Upload-Offset is not where the upload stands (`upload_offset_mismatch`), or the assessment is frozen"
            ),
            412: NOT_VERSION,
            415: _error(f"The body is not {OFFSET_TYPE} (code `upload_content_type_invalid`)"),
            423: _error("Another request is writing this upload (code `upload_busy`): try again shortly"),
            429: _error("The day's upload quota is used up (code `evidence_quota_exceeded`)"),
            460: _error("The bytes do not match Upload-Checksum and were not kept (`upload_checksum_mismatch`)"),
        },
    )
    def patch(self, request, pk):
        """Send the next bytes of your resumable upload at Upload-Offset. Bytes that arrive are kept
        even if the connection drops; the last one turns the file into evidence (the same checks
        and processing as a form upload). Refused (403) once you may no longer add evidence."""
        upload = self.get_upload(request, pk)
        resumable.may_add_evidence(request.user, upload.assessment)
        self.check_version(request)
        if request.content_type.split(";")[0].strip() != OFFSET_TYPE:
            raise UnsupportedType(
                error_codes.UPLOAD_CONTENT_TYPE, _("Send the bytes as %(type)s.") % {"type": OFFSET_TYPE}
            )
        upload = resumable.upload_append(
            upload=upload,
            user=request.user,
            offset=_integer_header(request, "Upload-Offset"),
            content_length=_content_length(request),
            # The raw stream, read piece by piece: never request.body, which holds it all in memory.
            read=request._request.read,
            checksum=request.headers.get("Upload-Checksum"),
        )
        return Response(status=204, headers=self.progress_headers(upload))

    @extend_schema(
        parameters=[UPLOAD_PK, TUS_RESUMABLE],
        responses={204: OpenApiResponse(description="Terminated: its bytes are deleted."), 412: NOT_VERSION},
    )
    def delete(self, request, pk):
        """Give up your resumable upload (tus termination); evidence it already became stays."""
        upload = self.get_upload(request, pk)
        self.check_version(request)
        resumable.upload_terminate(upload=upload, user=request.user)
        return Response(status=204)


class UnsupportedType(DomainError):
    http_status = 415
