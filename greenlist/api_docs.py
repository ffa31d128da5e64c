"""The API documentation page (Redoc from our own static files) and the favicon's old address."""

import secrets

from django.templatetags.static import static
from django.views.generic import RedirectView
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView

from core.middleware import content_security_policy


class ApiDocsView(SpectacularRedocView):
    """Redoc, served from drf_spectacular_sidecar, under a policy that admits its own styles only.

    Redoc draws with styled-components, which writes `<style>` elements: the site-wide policy
    (`style-src 'self'`) refused them and the page stayed blank. Rather than `'unsafe-inline'`,
    this page alone admits `<style>` elements that carry a fresh per-response nonce, which Redoc
    puts on those it writes (its `nonce` option, passed by static/js/api-docs.js: no inline
    script), plus the two fixed ones its bundle writes before it has read that option, by hash.
    Its search worker is a blob: URL, which the site-wide `worker-src 'self' blob:` allows.
    """

    template_name = "api_docs.html"
    # The styles redoc.standalone.js (drf-spectacular-sidecar 2026.10.1) inserts as it loads: the
    # scrollbar's CSS and an empty element. Another Redoc version may change them; the browser
    # test (tests/test_api_docs.py) then fails naming the hash Chromium expected.
    STYLE_HASHES = (
        "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
        "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    )

    @extend_schema(exclude=True)  # the page itself is not part of the API it documents
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        nonce = secrets.token_urlsafe(18)
        response.data["style_nonce"] = nonce
        # Set on the response, so the middleware's `setdefault` keeps it.
        style_src = " ".join(["'self'", f"'nonce-{nonce}'", *self.STYLE_HASHES])
        response["Content-Security-Policy"] = content_security_policy(style_src=style_src)
        return response


class FaviconView(RedirectView):
    """/favicon.ico, which browsers ask for on any page (also the admin's and JSON), leads to the SVG mark.

    Not permanent: the static URL may carry a content hash that changes with the file.
    """

    permanent = False

    def get_redirect_url(self, *args, **kwargs):
        return static("img/favicon.svg")
