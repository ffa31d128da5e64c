"""The Green List for Protected Planet as CSV (/green-list.csv): public, the same for everyone."""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_GET

from core.replica import reads_from_replica

from . import registry

# An hour in any cache, as the vector tiles: a registry reads it once a month, a change shows the next hour.
CACHE_CONTROL = "public, max-age=3600"


@reads_from_replica
@require_GET
def green_list_csv(request: HttpRequest) -> HttpResponse:
    body = registry.protected_planet_csv(registry.protected_planet_rows()).encode()
    etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
    # An unchanged list costs the registry no download (If-None-Match → 304).
    response = get_conditional_response(request, etag=etag) or HttpResponse(
        body, content_type="text/csv; charset=utf-8"
    )
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    response["Content-Disposition"] = 'inline; filename="green-list.csv"'
    response["Access-Control-Allow-Origin"] = "*"  # public data, meant to be read by other sites
    return response
