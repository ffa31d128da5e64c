#!/usr/bin/env bash
# Start the web server, a Celery worker per queue and Celery beat together; Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
PY=.venv/bin/python
mkdir -p var/log
export DATABASE_URL=${DATABASE_URL:-postgis://greenlist:greenlist@127.0.0.1:5432/greenlist}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
# As in the production image (Dockerfile says why): two malloc arenas per process, not one per thread.
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "stopping web, workers and beat..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "stopped."
}
trap stop INT TERM EXIT

$PY manage.py runserver "$HOST:$PORT" --noreload >var/log/web.log 2>&1 & pids+=($!)
# A worker per queue by kind (greenlist/queues.py: default = e-mail and scoring, evidence, heavy, bulk), as in
# production, so a long import or raster never holds up an e-mail; one process each in development.
# GREENLIST_ONE_WORKER=1 starts one worker consuming every queue instead (lighter, but a long task then
# delays everything behind it).
if [ "${GREENLIST_ONE_WORKER:-0}" = 1 ]; then
  $PY -m celery -A greenlist worker --loglevel=INFO --concurrency=2 -n "worker@%h" >var/log/worker.log 2>&1 & pids+=($!)
else
  while read -r kind queue _concurrency; do
    $PY -m celery -A greenlist worker -Q "$queue" -n "$kind@%h" --concurrency=1 --loglevel=INFO \
      >"var/log/worker-$kind.log" 2>&1 & pids+=($!)
  done < <($PY -m greenlist.queues)
fi
$PY -m celery -A greenlist beat --loglevel=INFO >var/log/beat.log 2>&1 & pids+=($!)

for _ in $(seq 1 40); do curl -fsS -o /dev/null "http://$HOST:$PORT/accounts/login/" 2>/dev/null && break; sleep 0.5; done
cat <<MSG

  The Green List platform is running:  http://$HOST:$PORT/
  Health:                              http://$HOST:$PORT/healthz
  API documentation:                   http://$HOST:$PORT/api/v1/docs/

  Demo logins (password for all: greenlist-demo):
$($PY manage.py load_demo --list-logins)

  Logs: var/log/web.log, var/log/worker-<queue>.log, var/log/beat.log. Press Ctrl-C to stop.
MSG
# Stop everything as soon as any one of them dies, or on Ctrl-C.
wait -n "${pids[@]}" || true
echo "a process stopped; see var/log/" >&2
