from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import error_codes
from .errors import error_response
from .health import run_checks


@require_GET
def ping(request):
    """The cheapest view there is (no database, no session): the load test's ceiling."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
@require_GET
def healthz(request):
    """Machine-readable health: 200 when database, PostGIS, Redis and a worker answer, else 503.
    The worker's answer may be up to a few seconds old (core.health.check_celery_worker_shared)."""
    # In English whatever the caller's language: machines read it, and the worker's answer is shared
    # between callers (a French one would leave French words in the cache for the next probe).
    with translation.override("en"):
        results = run_checks(shared_worker_check=True)
    healthy = all(r.ok for r in results)
    body = {
        "status": "ok" if healthy else "unavailable",
        "checks": {r.name: {"ok": r.ok, "detail": r.detail} for r in results},
    }
    return JsonResponse(body, status=200 if healthy else 503)


def not_found(request, exception=None):
    """404 as JSON under /api/ (clients parse it), as the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return error_response(error_codes.NOT_FOUND, "Not found.", status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return error_response(error_codes.SERVER_ERROR, "Server error; it has been logged.", status=500)
    from django.views.defaults import server_error as default_server_error

    return default_server_error(request)
