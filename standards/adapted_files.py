"""A consultation document as an answer: the response the pages and the API both send."""

from __future__ import annotations

from django.http import FileResponse

from core.downloads import private_file

from .models import ConsultationAttachment


def attachment_response(attachment: ConsultationAttachment) -> FileResponse:
    """The document, whose set's visibility the caller has checked, always as a download: its type
    was checked by content on upload, and is still sent as application/octet-stream, never as
    something a browser would open in the platform's origin."""
    return private_file(
        attachment.file.open("rb"),
        filename=attachment.original_filename,
        content_type="application/octet-stream",
        inline=False,
    )
