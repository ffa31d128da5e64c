"""Summarise a Prometheus text scrape of /metrics taken under load (bench/load/run.sh saves it).

Usage: .venv/bin/python bench/load/scrape.py var/load/metrics-under-load.txt
Prints the Celery queue lengths and task figures, the request latency by view (count, mean and the
p95 read from the histogram's buckets), the database's query timings, the cache's, and the platform's
backlogs, so the issue's "a scrape under the load test shows queue lengths and latencies" can be read
at a glance; the whole scrape stays in the file.
"""

import sys
from collections import defaultdict

from prometheus_client.parser import text_string_to_metric_families


def quantile(buckets, q):
    """The upper bound of the first bucket holding the q-th share of the observations."""
    buckets = sorted((float("inf") if le == "+Inf" else float(le), n) for le, n in buckets.items())
    total = buckets[-1][1] if buckets else 0
    for bound, n in buckets:
        if total and n >= q * total:
            return bound
    return float("nan")


def main(path):
    with open(path) as f:
        families = {family.name: family for family in text_string_to_metric_families(f.read())}

    def samples(name):
        family = families.get(name)
        return family.samples if family else []

    print(f"== /metrics scrape under load ({path})")
    for s in samples("greenlist_celery_queue_length"):
        print(f"celery queue {s.labels['queue']!r}: {s.value:.0f} waiting")
    for s in samples("greenlist_celery_tasks"):
        if s.name.endswith("_total"):
            print(f"celery tasks {s.labels['queue']!r} {s.labels['outcome']}: {s.value:.0f}")
    backlogs = (
        "greenlist_evidence_waiting",
        "greenlist_evidence_oldest_waiting_age_seconds",
        "greenlist_outbox_backlog",
    )
    for name in backlogs:
        for s in samples(name):
            print(f"{name}: {s.value:.0f}")

    views = defaultdict(lambda: {"buckets": {}, "count": 0.0, "sum": 0.0})
    for s in samples("django_http_requests_latency_seconds_by_view_method"):
        key = (s.labels.get("view", ""), s.labels.get("method", ""))
        if s.name.endswith("_bucket"):
            views[key]["buckets"][s.labels["le"]] = s.value
        elif s.name.endswith("_count"):
            views[key]["count"] = s.value
        elif s.name.endswith("_sum"):
            views[key]["sum"] = s.value
    print(f"{'view':48} {'method':6} {'count':>7} {'mean ms':>8} {'p95 ≤ ms':>9}")
    for (view, method), v in sorted(views.items(), key=lambda kv: -kv[1]["count"])[:15]:
        mean = 1000 * v["sum"] / v["count"] if v["count"] else 0
        print(f"{view[:48]:48} {method:6} {v['count']:7.0f} {mean:8.1f} {1000 * quantile(v['buckets'], 0.95):9.0f}")

    for family, label in (("django_db_query_duration_seconds", "database queries"),):
        count = sum(s.value for s in samples(family) if s.name.endswith("_count"))
        total = sum(s.value for s in samples(family) if s.name.endswith("_sum"))
        if count:
            print(f"{label}: {count:.0f}, mean {1000 * total / count:.2f} ms")
    ops = defaultdict(lambda: [0.0, 0.0])
    for s in samples("django_cache_operation_duration_seconds"):
        if s.name.endswith("_count"):
            ops[s.labels["operation"]][0] += s.value
        elif s.name.endswith("_sum"):
            ops[s.labels["operation"]][1] += s.value
    for op, (count, total) in sorted(ops.items()):
        print(f"cache {op}: {count:.0f}, mean {1000 * total / count:.2f} ms" if count else f"cache {op}: 0")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "var/load/metrics-under-load.txt")
