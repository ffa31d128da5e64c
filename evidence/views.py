"""Evidence files leave the platform only through this permission-checked view."""

import magic
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.views.decorators.http import require_GET

from .selectors import get_evidence_for_user

# Types a browser may show inline. Everything else (HTML, SVG, scripts…) is downloaded, and the
# type is sniffed from the bytes, never taken from what the uploader's browser claimed.
INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"}


@login_required
@require_GET
def evidence_download(request, pk):
    item = get_evidence_for_user(request.user, pk)
    handle = item.file.open("rb")
    head = handle.read(4096)
    handle.seek(0)
    sniffed = magic.from_buffer(head, mime=True) if head else "application/octet-stream"
    inline = sniffed in INLINE_TYPES
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=item.original_filename,
        content_type=sniffed if inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if inline:
        # A PDF or image shown inline still may not run anything.
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    return response
