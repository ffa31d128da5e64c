"""Who may see how the platform runs (issue 20).

Two audiences: people (IUCN staff, on the system page) and a metrics scraper (Prometheus), which is
nobody's account: it is let in by a shared token or by where it connects from.
"""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings

from accounts import rules as account_rules
from accounts.types import Person

BEARER = "Bearer "


def can_see_system(user: Person) -> bool:
    """The system page and its retry buttons: IUCN staff (administrators count as staff)."""
    return account_rules.is_iucn_staff(user)


def may_scrape_metrics(*, authorization: str, remote_addr: str) -> bool:
    """/metrics: the scraper sends `Authorization: Bearer <GREENLIST_METRICS_TOKEN>`, or connects from
    one of GREENLIST_METRICS_ALLOWED_NETWORKS (the direct peer's address: behind a proxy that is the
    proxy, so a scraper inside the compose network scrapes the web container itself). Neither set:
    nobody. A signed-in person is not let in for being signed in: the figures are for the operators'
    monitoring, and the system page shows people what they need."""
    token: str = settings.GREENLIST_METRICS_TOKEN
    if token and authorization.startswith(BEARER):
        if hmac.compare_digest(authorization[len(BEARER) :].strip().encode(), token.encode()):
            return True
    networks = settings.GREENLIST_METRICS_ALLOWED_NETWORKS
    if networks and remote_addr:
        try:
            address = ipaddress.ip_address(remote_addr)
        except ValueError:
            return False
        return any(address in network for network in networks)
    return False
