#!/usr/bin/env bash
# The whole pytest suite for `make test`, in two processes at once: the slow group (browser journeys, real
# Celery workers, fault injection: mostly waiting on Chromium, a worker or a restarted server; and the API
# fuzz and the permission matrix's walk, to even the two out) and the rest. On a 2-core machine the two take about the same time, each well
# under the 30 minutes the suite had when it ran as one process. Each group has its own test
# database, Redis database, Celery queue and media folders, so neither sees the other's data or tasks.
# With arguments (make test PYTEST_ARGS="-k x"), one process runs exactly what was asked.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTEST=.venv/bin/pytest

if [ "$#" -gt 0 ]; then
  exec "$PYTEST" --create-db "$@"
fi

SLOW="browser or worker or faults or fuzz or long"
# Redis databases 14 and 13: the test settings' default (14) and one more; make run uses database 0.
slow_env=(GREENLIST_TEST_DB=test_greenlist_slow GREENLIST_TEST_QUEUE=greenlist-test-slow
  TEST_REDIS_URL=redis://127.0.0.1:6379/13 MEDIA_ROOT="$PWD/var/test-media-slow")
rest_env=(GREENLIST_TEST_DB=test_greenlist GREENLIST_TEST_QUEUE=greenlist-test
  TEST_REDIS_URL=redis://127.0.0.1:6379/14 MEDIA_ROOT="$PWD/var/test-media")

# Each group names its slowest tests at the end, so that every run shows where the 30 minutes go.
DURATIONS=--durations=15

mkdir -p var
slow_log=var/test-slow.log
echo "pytest: the slow group ($SLOW) runs beside the rest; its output follows when both are done"
env "${slow_env[@]}" "$PYTEST" --create-db "$DURATIONS" -m "$SLOW" >"$slow_log" 2>&1 &
slow_pid=$!
# Stop the background group too if this script is interrupted.
trap 'kill "$slow_pid" 2>/dev/null' INT TERM

env "${rest_env[@]}" "$PYTEST" --create-db "$DURATIONS" -m "not ($SLOW)"
rest_status=$?
wait "$slow_pid"
slow_status=$?

echo
echo "==== the slow group ($SLOW) ===="
cat "$slow_log"
if [ "$rest_status" -ne 0 ] || [ "$slow_status" -ne 0 ]; then
  echo "pytest failed: the rest exit $rest_status, the slow group exit $slow_status" >&2
  exit 1
fi
