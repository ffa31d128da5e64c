"""Turn a failure to reach a backing service into one sentence that says what to do.

Used by manage.py (and the `check_services` command) so that `make run` on a machine without
PostgreSQL, PostGIS or Redis prints a clear message instead of a traceback.
"""

from __future__ import annotations


def _database_target() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    return f"{db.get('USER') or '?'}@{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db.get('NAME')}"


def explain_startup_failure(exc: BaseException) -> str | None:
    """Return a one-line explanation for a known environment problem, else None."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db.utils import OperationalError, ProgrammingError

    text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    lowered = str(exc).lower()
    if isinstance(exc, ImproperlyConfigured):
        if "gdal" in lowered or "geos" in lowered:
            return f"{text} Install GDAL and GEOS (make run installs gdal-bin and libgdal-dev)."
        return f"configuration: {text} (see .env.example)"
    if isinstance(exc, OperationalError):
        target = _database_target()
        if "password authentication failed" in lowered or "authentication failed" in lowered:
            return f"PostgreSQL refused the credentials for {target}. Check DATABASE_URL."
        if "does not exist" in lowered and "database" in lowered:
            return f"The database in DATABASE_URL ({target}) does not exist. Run `make run` or create it."
        if "connection refused" in lowered or "could not connect" in lowered or "connection failed" in lowered:
            return f"Cannot reach PostgreSQL at {target}: is it running? Start it or fix DATABASE_URL. ({text})"
        return f"Database error on {target}: {text}"
    if isinstance(exc, ProgrammingError) and ("postgis" in lowered or "geometry" in lowered):
        return (
            "PostGIS is missing in the database. Install postgresql-<version>-postgis-3 and run "
            "`CREATE EXTENSION postgis;` in it (make run does both)."
        )
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
    except ImportError:  # pragma: no cover - redis is a hard dependency
        return None
    if isinstance(exc, RedisConnectionError):
        from django.conf import settings

        return f"Cannot reach Redis at {settings.REDIS_URL}: is it running? Start it or fix REDIS_URL."
    return None
