"""The API documentation page (Redoc from our own static files) and the favicon's old address."""

import copy
import secrets
import threading

from django.templatetags.static import static
from django.utils import translation
from django.views.generic import RedirectView
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework.response import Response

from core.middleware import content_security_policy


class SchemaView(SpectacularAPIView):
    """/api/v1/schema/: the OpenAPI document, generated once per process, language and version.

    Generating it walks every view and serializer (about a second of CPU); it is public and changes
    only when the code does, so a deploy is its only invalidation. Served public (`SERVE_PUBLIC`),
    it does not depend on who asks; its descriptions are translated, hence one per language.
    """

    _generated: dict[tuple[str, str | None], dict] = {}
    _lock = threading.Lock()

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (translation.get_language(), version)
        with self._lock:
            if key not in self._generated:
                generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
                self._generated[key] = generator.get_schema(request=request, public=self.serve_public)
        return Response(
            # A copy: renderers and middleware must never change the kept document.
            data=copy.deepcopy(self._generated[key]),
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )


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
