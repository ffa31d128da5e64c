"""The figures of /metrics that are read when Prometheus asks (issue 20).

django-prometheus counts what happens inside each web process (requests and their latency by view,
database queries and their durations; the cache's are core.metrics_cache's). What lives elsewhere is
read here at scrape time, with the same few queries however large the platform grows:

- Celery: messages waiting per queue (LLEN on the broker), task durations, successes and failures per
  queue (recorded by the workers in Redis: core.task_metrics), the age of beat's last heartbeat;
- the e-mail outbox's backlog and the e-mails it gave up on (core.outbox);
- evidence items waiting for processing, the oldest one's age, and those that failed;
- long jobs (imports, exports) per status (core.jobs);
- listed certificates expiring within 30 days.

A source that does not answer (Redis or the database down) is reported as `greenlist_scrape_source_up
{source="…"} 0` rather than failing the whole scrape: the figures that can be read still are.
"""

from __future__ import annotations

import datetime
import logging
import os
from collections.abc import Callable, Iterator

import redis
from django.core.cache import cache
from django.db import DatabaseError
from django.db.models import Count, Min, Q
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from certification.choices import CertificateStatus
from certification.models import Certificate
from core.models import Job, OutgoingEmail
from core.outbox import MAX_ATTEMPTS
from core.task_metrics import metrics_queues, queue_lengths, task_stats
from evidence.choices import ProcessingStatus
from evidence.models import EvidenceItem

log = logging.getLogger(__name__)

EXPIRING_WITHIN = datetime.timedelta(days=30)
HEARTBEAT_KEY = "celery-heartbeat"  # written by core.tasks.heartbeat, which beat runs every 5 minutes
WAITING = (ProcessingStatus.PENDING, ProcessingStatus.PROCESSING)


class PlatformCollector(Collector):
    """Each `collect()` is one scrape: every source is read once."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "greenlist_scrape_source_up", "Whether a source of these figures answered the scrape.", labels=["source"]
        )
        for source, read in self._sources():
            try:
                yield from read()
            except (redis.RedisError, DatabaseError, OSError):
                log.warning("metrics: %s did not answer", source, exc_info=True)
                up.add_metric([source], 0)
            else:
                up.add_metric([source], 1)
        yield up

    def _sources(self) -> list[tuple[str, Callable[[], Iterator[Metric]]]]:
        return [("redis", self._celery), ("database", self._database)]

    def _celery(self) -> Iterator[Metric]:
        queues = metrics_queues()
        waiting = GaugeMetricFamily(
            "greenlist_celery_queue_length", "Task messages waiting in a Celery queue.", labels=["queue"]
        )
        for queue, length in queue_lengths(queues).items():
            waiting.add_metric([queue], length)
        yield waiting
        duration = HistogramMetricFamily(
            "greenlist_celery_task_duration_seconds", "How long Celery tasks ran, per queue.", labels=["queue"]
        )
        finished = CounterMetricFamily(
            "greenlist_celery_tasks", "Celery tasks finished, per queue and outcome.", labels=["queue", "outcome"]
        )
        for queue, stats in task_stats(queues).items():
            buckets = [(str(bound), count) for bound, count in stats.buckets] + [("+Inf", stats.count)]
            duration.add_metric([queue], buckets, stats.total_seconds)
            finished.add_metric([queue, "succeeded"], stats.succeeded)
            finished.add_metric([queue, "failed"], stats.failed)
        yield duration
        yield finished
        heartbeat = cache.get(HEARTBEAT_KEY)
        age = GaugeMetricFamily(
            "greenlist_celery_beat_heartbeat_age_seconds",
            "Seconds since beat's heartbeat task last ran on a worker (absent: never).",
        )
        if heartbeat:
            age.add_metric([], (timezone.now() - datetime.datetime.fromisoformat(heartbeat)).total_seconds())
        yield age

    def _database(self) -> Iterator[Metric]:
        now = timezone.now()
        outbox = OutgoingEmail.objects.filter(sent_at__isnull=True).aggregate(
            backlog=Count("pk", filter=Q(attempts__lt=MAX_ATTEMPTS)),
            given_up=Count("pk", filter=Q(attempts__gte=MAX_ATTEMPTS)),
            oldest=Min("created_at", filter=Q(attempts__lt=MAX_ATTEMPTS)),
        )
        yield _gauge("greenlist_outbox_backlog", "E-mails waiting to be sent (core.outbox).", outbox["backlog"])
        yield _gauge("greenlist_outbox_given_up", "E-mails the outbox stopped retrying.", outbox["given_up"])
        yield _gauge(
            "greenlist_outbox_oldest_age_seconds",
            "Age of the oldest e-mail waiting to be sent (0: none waiting).",
            (now - outbox["oldest"]).total_seconds() if outbox["oldest"] else 0,
        )
        evidence = EvidenceItem.objects.aggregate(
            waiting=Count("pk", filter=Q(processing_status__in=WAITING)),
            oldest=Min("uploaded_at", filter=Q(processing_status__in=WAITING)),
            failed=Count("pk", filter=Q(processing_status=ProcessingStatus.FAILED)),
        )
        yield _gauge(
            "greenlist_evidence_waiting",
            "Evidence items waiting for processing or being processed.",
            evidence["waiting"],
        )
        yield _gauge(
            "greenlist_evidence_oldest_waiting_age_seconds",
            "Age of the oldest evidence item waiting for processing (0: none waiting).",
            (now - evidence["oldest"]).total_seconds() if evidence["oldest"] else 0,
        )
        yield _gauge("greenlist_evidence_failed", "Evidence items whose processing failed.", evidence["failed"])
        jobs = GaugeMetricFamily("greenlist_jobs", "Long jobs (imports, exports) per status.", labels=["status"])
        counted = dict(Job.objects.order_by().values_list("status").annotate(n=Count("pk")))
        for status in Job.Status.values:
            jobs.add_metric([status], counted.get(status, 0))
        yield jobs
        today = timezone.localdate()
        expiring = Certificate.objects.filter(
            status=CertificateStatus.ACTIVE, expires_on__gte=today, expires_on__lt=today + EXPIRING_WITHIN
        ).count()
        yield _gauge("greenlist_certificates_expiring_30d", "Active certificates expiring within 30 days.", expiring)


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def render_metrics() -> bytes:
    """The text exposition of one scrape: the web processes' own metrics, then the platform's.

    With PROMETHEUS_MULTIPROC_DIR set (gunicorn), the processes' metrics are read from their files and
    added up, whichever process answers; otherwise they are this process's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
    else:
        processes = REGISTRY
    platform = CollectorRegistry(auto_describe=False)
    platform.register(PlatformCollector())
    return generate_latest(processes) + generate_latest(platform)
