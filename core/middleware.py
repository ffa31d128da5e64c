from django.conf import settings

# Everything is served from our own origin: no CDN, no inline script. Map tiles may come from a
# configurable base-map server; the map still draws boundaries when that server is unreachable.
_BASEMAP = getattr(settings, "BASEMAP_TILE_ORIGIN", "")


class ContentSecurityPolicyMiddleware:
    """Adds a strict Content-Security-Policy header to every HTML response."""

    def __init__(self, get_response):
        self.get_response = get_response
        img = "'self' data: blob:" + (f" {_BASEMAP}" if _BASEMAP else "")
        self.policy = "; ".join(
            [
                "default-src 'self'",
                "script-src 'self'",
                "style-src 'self'",
                # Style attributes (e.g. a progress bar's width) cannot run script; <style> blocks stay refused.
                "style-src-attr 'unsafe-inline'",
                f"img-src {img}",
                "worker-src 'self' blob:",
                f"connect-src 'self'{(' ' + _BASEMAP) if _BASEMAP else ''}",
                "font-src 'self'",
                "object-src 'none'",
                "base-uri 'self'",
                "form-action 'self'",
                "frame-ancestors 'none'",
            ]
        )

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(settings.STATIC_URL) or request.path.startswith("/admin/"):
            # Django's admin uses inline scripts; it is staff-only and keeps its own protections.
            return response
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
