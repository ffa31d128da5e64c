"""How a stored file leaves the platform, on pages and through the API alike.

Uploaded and generated files (evidence, thumbnails, certificates) are private: every one is sent
by a view that has just checked who is asking, with the same rule for the page and the API. This
module only shapes the answer: streamed, never sniffed by the browser, never kept by a shared
cache, and shown inline only for types a browser displays without running anything."""

from django.http import FileResponse

# Types a browser may show inline. Everything else (HTML, SVG, scripts…) is a download of
# application/octet-stream, whatever the file claims to be.
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"})
# A PDF or image shown inline still may not run anything.
INLINE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
# Personal files: no shared cache keeps them, and no browser keeps them past the visit (the
# person's access may end tomorrow).
NO_STORE = "private, no-store"


def untrusted_type(sniffed: str) -> str:
    """The type to send a file of another person's making as: its own when it is displayed inline
    safely, else application/octet-stream (HTML, SVG and scripts are never served as themselves)."""
    return sniffed if sniffed in INLINE_TYPES else "application/octet-stream"


def private_file(handle, *, filename: str, content_type: str, inline: bool, cache: str = NO_STORE) -> FileResponse:
    """Stream `handle` (an open binary file) to the person who may see it, as `content_type`.

    `inline` takes effect only for INLINE_TYPES; anything else is an attachment. Callers pass the
    type they vouch for: sniffed from the bytes, or application/octet-stream (`untrusted_type`)."""
    inline = inline and content_type in INLINE_TYPES
    response = FileResponse(handle, as_attachment=not inline, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = cache
    if inline:
        response["Content-Security-Policy"] = INLINE_CSP
    return response


class FileAnswerMixin:
    """For DRF views that answer with a file.

    The file is not rendered, so whatever the client says it accepts (`Accept: application/pdf`,
    `image/*`), the answer is not a 406; an error (404) still comes back as JSON."""

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)
