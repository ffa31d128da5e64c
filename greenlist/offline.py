"""The installable, offline-first app (issue 17): the web app manifest, the service worker and the
page listing what this device keeps for offline use.

What a page keeps offline is decided on the device (static/js/offline/): the server only serves the
worker's script from the site's root (its scope must cover every page) and the manifest. Both are
public: they hold no personal data. The worker serves a cached page only to the person who saved it
(caches are named per user id), and logout clears the device (accounts.views.LogoutView sends
Clear-Site-Data).
"""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

SERVICE_WORKER = Path(settings.BASE_DIR) / "static" / "js" / "offline" / "sw.js"
THEME_COLOUR = "#0f4424"  # the mark's dark green (static/img/favicon.svg, app.css --green-dark)


LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest, in the language of the page that links it (base.html passes `?l=`, so
    a cached manifest is always the one of its language, as the JavaScript catalogue does)."""
    language = request.GET.get("l", "")
    with translation.override(language if language in LANGUAGE_CODES else translation.get_language()):
        return _manifest()


def _manifest() -> JsonResponse:
    icons = [
        {"src": static(f"img/app/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any"}
        for size in (192, 512)
    ] + [
        {
            "src": static(f"img/app/icon-maskable-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": "maskable",
        }
        for size in (192, 512)
    ]
    body = {
        "name": _("IUCN Green List platform"),
        "short_name": _("Green List"),
        "description": _("Green List assessments and reviews, also without a network."),
        "lang": translation.get_language(),
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": "#f7f9f8",
        "icons": icons,
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker's script, from the root so that its scope is the whole site.

    Never cached by HTTP (the browser checks it for updates on each visit); read once per process.
    """
    response = HttpResponse(_service_worker_source(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


_SOURCE: dict[str, str] = {}


def _service_worker_source() -> str:
    if settings.DEBUG or "sw" not in _SOURCE:
        _SOURCE["sw"] = SERVICE_WORKER.read_text(encoding="utf-8")
    return _SOURCE["sw"]


@login_required
@require_GET
def offline_list(request: HttpRequest) -> HttpResponse:
    """What this person keeps on this device: the list itself lives on the device (IndexedDB),
    so the page is a frame the script fills in, and works offline too."""
    return render(request, "offline/list.html")
