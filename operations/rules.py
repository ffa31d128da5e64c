"""Who may see how the platform runs (issue 20).

Two audiences: people (IUCN staff, on the system page) and a metrics scraper (Prometheus), which is
nobody's account: it is let in by a shared token or by where it connects from.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Mapping

from django.conf import settings

from accounts import rules as account_rules
from accounts.types import Person

BEARER = "Bearer "


def can_see_system(user: Person) -> bool:
    """The system page and its retry buttons: IUCN staff (administrators count as staff)."""
    return account_rules.is_iucn_staff(user)


# Request headers (as in request.META) that a reverse proxy adds: a request carrying one came through
# it, so its direct peer is the proxy, whatever network that sits in.
PROXY_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_FORWARDED",
    "HTTP_X_REAL_IP",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
)


def came_through_proxy(meta: Mapping[str, object]) -> bool:
    return any(header in meta for header in PROXY_HEADERS)


def may_scrape_metrics(*, authorization: str, remote_addr: str, proxied: bool) -> bool:
    """/metrics: the scraper sends `Authorization: Bearer <GREENLIST_METRICS_TOKEN>`, or connects from
    one of GREENLIST_METRICS_ALLOWED_NETWORKS (the direct peer's address, so a scraper inside the
    compose network scrapes the web container itself). A request that came through the reverse proxy
    (`proxied`: it carries a forwarding header) is never let in by network: its peer is the proxy, so
    allowing the proxy's network would open the figures to every visitor. Neither set: nobody. A
    signed-in person is not let in for being signed in: the figures are for the operators'
    monitoring, and the system page shows people what they need."""
    token: str = settings.GREENLIST_METRICS_TOKEN
    if token and authorization.startswith(BEARER):
        if hmac.compare_digest(authorization[len(BEARER) :].strip().encode(), token.encode()):
            return True
    networks = settings.GREENLIST_METRICS_ALLOWED_NETWORKS
    if networks and remote_addr and not proxied:
        try:
            address = ipaddress.ip_address(remote_addr)
        except ValueError:
            return False
        return any(address in network for network in networks)
    return False
