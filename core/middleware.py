from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.middleware.gzip import GZipMiddleware
from django.template.response import TemplateResponse

from .errors import NotAllowed, error_response
from .workflow import ImpossibleMove

# Everything is served from our own origin: no CDN, no inline script. Map tiles may come from a
# configurable base-map server; the map still draws boundaries when that server is unreachable.
_BASEMAP = getattr(settings, "BASEMAP_TILE_ORIGIN", "")


def content_security_policy(*, style_src: str = "'self'") -> str:
    """The site's policy; a page that needs more for styles (the API docs) passes its own `style_src`."""
    img = "'self' data: blob:" + (f" {_BASEMAP}" if _BASEMAP else "")
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src {style_src}",
            # Style attributes (e.g. a progress bar's width) cannot run script; <style> blocks stay refused.
            "style-src-attr 'unsafe-inline'",
            f"img-src {img}",
            "worker-src 'self' blob:",
            # The installable app's manifest (issue 17); default-src allows it too, said here for clarity.
            "manifest-src 'self'",
            f"connect-src 'self'{(' ' + _BASEMAP) if _BASEMAP else ''}",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    """Adds a strict Content-Security-Policy header to every HTML response (unless the view set one)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(settings.STATIC_URL) or request.path.startswith("/admin/"):
            # Django's admin uses inline scripts; it is staff-only and keeps its own protections.
            return response
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class NotAllowedMiddleware:
    """A `NotAllowed` that a page view lets through answers 403, and a lifecycle's `ImpossibleMove`
    409, as the API's exception handler does.

    The person may see the object (else they would have had a 404) but their role does not allow
    this action: a form error (400) or a redirect back (302) would hide that. The 403 page shows
    the rule's message; a request for JSON (the pages' scripts) gets `{"code", "detail"}`.
    Validation errors and conflicts (other `DomainError`s) stay with the views.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, NotAllowed | ImpossibleMove):
            return None
        status = 409 if isinstance(exception, ImpossibleMove) else 403
        if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
            return error_response(
                exception.code, exception.message, status=status, field=exception.field, **exception.data
            )
        if status == 409:
            # Nothing leads from this phase to the one asked for (a stale page, a second click).
            return TemplateResponse(request, "409.html", {"exception": exception.message}, status=409)
        # Through Django's own 403 handling (handler403, logging), with the message for the page.
        return response_for_exception(request, PermissionDenied(exception.message))


class PrivateCacheControlMiddleware:
    """`Cache-Control: private, no-store` on every response that may hold someone's data.

    That is: any response to a signed-in request (session, or a token in `Authorization`), and
    any API response, since the API answers per person even where anonymous visitors may read.
    Without it a shared proxy or the browser's disk cache could keep one person's assessment,
    evidence list or token for the next (issue 12). A response whose view chose already keeps its
    header: `public` (vector tiles), `private` (evidence thumbnails, kept an hour in the person's
    own browser) or `no-store`. Static files are served by WhiteNoise before this runs.
    """

    VALUE = "private, no-store"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        current = response.headers.get("Cache-Control", "").lower()
        if "public" in current or "private" in current or "no-store" in current:
            return response
        if self._is_private(request):
            response.headers["Cache-Control"] = self.VALUE
        return response

    @staticmethod
    def _is_private(request) -> bool:
        user = getattr(request, "user", None)
        return (
            request.path.startswith("/api/")
            or bool(user is not None and user.is_authenticated)
            or "Authorization" in request.headers
            or settings.SESSION_COOKIE_NAME in request.COOKIES
        )


class PageOwnerMiddleware:
    """`Greenlist-User: <id>` on a signed-in person's HTML pages: whom the page was drawn for. The
    offline service worker (static/js/offline/sw.js) keeps a page in a person's cache only when it
    names that person, since it cannot read the page and may still hold the previous person of the
    device when someone else signs in without the first logging out."""

    HEADER = "Greenlist-User"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and response.get("Content-Type", "").startswith("text/html"):
            response.headers[self.HEADER] = str(user.pk)
        return response


class PlatformNotFoundPageMiddleware:
    """In development (DEBUG, as `make run` starts it) Django answers a missing page with its
    technical 404, a list of URL patterns: people trying the platform should meet the platform's own
    page, as in production. Only that page is replaced (it carries Django's robots marker); API and
    the platform's own 404 answers pass through."""

    TECHNICAL_MARKER = b'<meta name="robots" content="NONE,NOARCHIVE">'

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and response.get("Content-Type", "").startswith("text/html")
            and self.TECHNICAL_MARKER in getattr(response, "content", b"")
        ):
            from .views import not_found

            page = not_found(request)
            page.status_code = 404
            return page
        return response


class TextGZipMiddleware(GZipMiddleware):
    """Compresses what compresses well and is drawn per request: pages, JSON, script, styles, vector
    tiles (issue 17: a 1 MB assessment page is about 60 kB gzipped). Static files are compressed
    ahead of time by WhiteNoise, which answers before this runs; files (evidence, exports, PDFs)
    are left as they are, with their length and byte ranges.

    Compressed pages carry CSRF tokens: Django masks the token anew on every page and pads the
    gzip stream with random bytes ("Heal the BREACH"), which is what defeats BREACH-style guessing.
    """

    TYPES = (
        "text/",
        "application/json",
        "application/geo+json",
        "application/problem+json",
        "application/javascript",
        "application/manifest+json",
        "application/xml",
        "image/svg+xml",
        "application/vnd.mapbox-vector-tile",
        "application/vnd.oai.openapi",
    )

    def process_response(self, request, response):
        content_type = response.headers.get("Content-Type", "").lower()
        if not content_type.startswith(self.TYPES):
            return response
        return super().process_response(request, response)
