#!/usr/bin/env bash
# Load test: gunicorn with the production settings on loopback, 50 locust users mixing the journeys,
# on 300 sites / 15,000 answers / 30,000 evidence items. Prints per-page p50/p95/p99, req/s, errors,
# and the same server's throughput on a trivial view as the ceiling.
# Targets: zero errors; p95 < 300 ms for pages, < 150 ms for API reads. Figures are reset once all users
# have logged in (--reset-stats): logins hash passwords on purpose (PBKDF2) and would dominate the ramp-up.
# Usage: bench/load/run.sh [seconds=60] [users=50]   (SPAWN_RATE=2 users/s: people do not all log in at once)
# Half-way through the journeys it scrapes /metrics (gunicorn's processes added up through
# PROMETHEUS_MULTIPROC_DIR) into var/load/metrics-under-load.txt and prints its queue lengths and
# latencies by view (bench/load/scrape.py). No worker runs: the tasks the journeys send stay queued.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-60}
USERS=${2:-50}
PORT=${LOAD_PORT:-8077}
DB=greenlist_load
PY=.venv/bin/python
[ -x .venv/bin/locust ] || .venv/bin/pip install -q -r requirements-bench.txt
out=var/load; mkdir -p "$out"

export GREENLIST_ENV=production SECRET_KEY="load-test-$(head -c 32 /dev/urandom | base64 | tr -dc A-Za-z0-9)" \
  ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=false DATABASE_URL="postgis://greenlist:greenlist@127.0.0.1:5432/$DB" \
  REDIS_URL=redis://127.0.0.1:6379/13 STATIC_ROOT=var/load/static MEDIA_ROOT=var/load/media \
  CSRF_TRUSTED_ORIGINS=http://127.0.0.1:$PORT SITE_URL=http://127.0.0.1:$PORT
# Loopback has no TLS: let the session and CSRF cookies travel over plain HTTP for this run only.
export SECURE_COOKIES=false

if [ "$(psql -h 127.0.0.1 -U greenlist_test -d postgres -tAc "select 1 from pg_database where datname='$DB'")" != 1 ]; then
  # The tests' role may create databases; the platform's own role (no superuser) owns this one.
  psql -h 127.0.0.1 -U greenlist_test -d postgres -qc "create database $DB owner greenlist template greenlist_template"
fi
$PY manage.py migrate --noinput -v 0
$PY manage.py load_standard standards/data/gls-v1.1.yaml -v 0
$PY manage.py collectstatic --noinput -v 0
$PY bench/load/seed.py

# /metrics for this run's scrape: a token of its own; one folder where gunicorn's processes count.
export GREENLIST_METRICS_TOKEN="load-scrape-$(head -c 24 /dev/urandom | base64 | tr -dc A-Za-z0-9)"
export PROMETHEUS_MULTIPROC_DIR="$PWD/$out/prometheus"
$PY -c "import redis; redis.Redis.from_url('redis://127.0.0.1:6379/13').delete('greenlist')"  # this run's queue only

$PY -m gunicorn greenlist.wsgi:application --bind 127.0.0.1:$PORT --workers 4 --threads 2 \
  --access-logfile /dev/null >"$out/gunicorn.log" 2>&1 &
gpid=$!
trap 'kill $gpid 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/ping" && break; sleep 0.5; done

echo "== ceiling: trivial view, $USERS users, 20 s"
.venv/bin/locust -f bench/load/locustfile.py Trivial --headless -u "$USERS" -r "$USERS" -t 20s \
  --host "http://127.0.0.1:$PORT" --csv "$out/ceiling" --only-summary >"$out/ceiling.log" 2>&1 || tail -5 "$out/ceiling.log"
echo "== journeys: $USERS users, $DURATION s"
( sleep $((DURATION / 2 + 5)); curl -fs -H "Authorization: Bearer $GREENLIST_METRICS_TOKEN" \
    "http://127.0.0.1:$PORT/metrics" >"$out/metrics-under-load.txt" ) &
spid=$!
.venv/bin/locust -f bench/load/locustfile.py SiteManager Expert PublicVisitor --headless -u "$USERS" -r "${SPAWN_RATE:-2}" \
  -t "${DURATION}s" --reset-stats --host "http://127.0.0.1:$PORT" --csv "$out/journeys" --only-summary >"$out/journeys.log" 2>&1 \
  || tail -5 "$out/journeys.log"
$PY bench/load/report.py "$out/ceiling_stats.csv" "$out/journeys_stats.csv" "$out/journeys_failures.csv"
if wait "$spid" && [ -s "$out/metrics-under-load.txt" ]; then
  $PY bench/load/scrape.py "$out/metrics-under-load.txt"
else
  echo "no /metrics scrape taken under load"
fi
