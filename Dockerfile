# Production image: gunicorn web, Celery worker and beat share it (see docker-compose.yml).
FROM python:3.11-slim-bookworm

# MALLOC_ARENA_MAX: glibc gives each thread that allocates its own arena (up to 8 per core) and keeps what
# they freed; the importer's threads (reader, validity checkers, writers) left a worker 100-140 MB larger
# after an import with them, and 2 arenas import as fast (bench/bench_import.py; README "Import speed").
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 MALLOC_ARENA_MAX=2
RUN apt-get update && apt-get install -y --no-install-recommends \
        gdal-bin libgdal32 libgeos-c1v5 libproj25 \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
        libmagic1 gettext postgresql-client curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt
COPY . .
# The volumes' mount points exist in the image, owned by the app user, so new named volumes start writable.
RUN useradd --system --home /app greenlist && mkdir -p /app/var/media /app/var/media-private /app/var/backups \
    && chown -R greenlist /app/var \
    && python manage.py compilemessages -v 0 --ignore=.venv \
    && SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" ALLOWED_HOSTS=build \
       GREENLIST_ENV=production STATIC_ROOT=/app/var/static python manage.py collectstatic --noinput -v 0
USER greenlist
EXPOSE 8000
HEALTHCHECK CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
CMD ["gunicorn", "greenlist.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
