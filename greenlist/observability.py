"""What greenlist/settings.py needs to set up logs, metrics and error reporting (issue 20).

Kept out of the settings module so that each piece says why it is the way it is; the settings call
these once, with values read from the environment.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

LOG_FORMATS = {"text", "json"}
# Every line, in both formats: when, how bad, which logger, the request id (core.request_id).
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(process)d"


def logging_config(*, fmt: str, level: str) -> dict[str, Any]:
    """Django's LOGGING: one console handler, readable text or one JSON object per line."""
    if fmt not in LOG_FORMATS:
        raise ImproperlyConfigured("GREENLIST_LOG_FORMAT must be 'text' or 'json'.")
    formatter: dict[str, Any]
    if fmt == "json":
        formatter = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": JSON_FIELDS,
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "timestamp": False,
        }
    else:
        formatter = {"format": TEXT_FORMAT}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        # On the handler, not a logger: records from every logger pass the handler's filters.
        "filters": {"request_id": {"()": "core.request_id.RequestIdFilter"}},
        "formatters": {"platform": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "platform", "filters": ["request_id"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }


def metrics_allowed_networks(values: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The CIDRs of GREENLIST_METRICS_ALLOWED_NETWORKS, or a sentence naming the one that is wrong."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"GREENLIST_METRICS_ALLOWED_NETWORKS: {value!r} is not a network "
                "(write e.g. 10.0.0.0/8 or 127.0.0.1/32)."
            ) from None
    return networks


def prepare_multiprocess_dir(path: str) -> None:
    """prometheus_client's multiprocess mode: its files go in this folder (made if missing).

    prometheus_client reads PROMETHEUS_MULTIPROC_DIR from the process environment when it is first
    imported, so a value that came from .env only is put there too. Gunicorn's master empties the
    folder when it starts (gunicorn.conf.py), so counts of an earlier run are not added again."""
    if not path:
        return
    Path(path).mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", path)


def empty_multiprocess_dir(path: str) -> None:
    """Called by gunicorn's master before it forks its workers."""
    if path and Path(path).is_dir():
        for child in Path(path).iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()


def _scrub(event: Any, hint: dict[str, Any]) -> Any:
    # The request id joins the report to our log lines (it names nobody).
    from core.request_id import request_id

    rid = request_id.get()
    if rid:
        event.setdefault("tags", {})["request_id"] = rid
    return event


def init_error_reporting(dsn: str, *, environment: str) -> bool:
    """Errors of the web and the worker to a Sentry-compatible service, when a DSN is given.

    No personal data: no user, IP address, cookies, request bodies or local variables are sent, only
    the error, its stack and the request's path (the SDK's defaults without `send_default_pii`, which
    is deprecated and left unset, plus bodies and variables turned off; the test checks it)."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=0.0,
        before_send=_scrub,
    )
    return True
