"""What the page benchmarks share: a scratch test database, and the measuring of one URL
(SQL queries of one request, then wall-clock and CPU time over N requests).

Both benchmarks build their data through the real services first, then call `measure_page`.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Pages: the load test's target for pages (issue 9) is p95 under 300 ms.
PAGE_P95_TARGET_MS = 300.0
# The review and assessment pages at 50 indicators and 1,000 evidence items (issue 19): p95 under
# 150 ms and under 200 KiB of HTML, the heavy parts of an indicator loaded when it is opened.
DETAIL_PAGE_P95_TARGET_MS = 150.0
DETAIL_PAGE_HTML_TARGET_KIB = 200.0


@contextlib.contextmanager
def scratch_database(name: str):
    """Django set up on a throw-away test database called `name`, dropped afterwards."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenlist.settings_test")
    os.environ.setdefault("GREENLIST_TEST_DB", name)
    os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-media-"))
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    # Not setup_test_environment(): its instrumented template rendering would inflate the timings.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    old = setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
    try:
        yield
    finally:
        teardown_databases(old, verbosity=0)


@dataclass
class PageFigures:
    queries: int
    kib: float
    median_ms: float
    p95_ms: float
    max_ms: float
    cpu_median_ms: float


def measure_page(client, url: str, *, requests: int, profile_sort: str = "cumulative") -> PageFigures:
    """GET `url` once to warm up, once counting SQL, then `requests` times for timings.
    BENCH_PROFILE=1 adds a cProfile of one request (sorted by BENCH_SORT)."""
    from django.db import connection

    client.get(url)  # warm-up (templates compiled, connection open)
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)):
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(client.get, url)
        stats = pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", profile_sort))
        stats.print_stats(os.environ.get("BENCH_ONLY", ""), 40)  # a pattern of the lines to print
        if os.environ.get("BENCH_CALLERS"):  # who calls the functions matching this pattern
            stats.print_callers(os.environ["BENCH_CALLERS"])
        if os.environ.get("BENCH_CALLEES"):  # what the functions matching this pattern call
            stats.print_callees(os.environ["BENCH_CALLEES"])
    if os.environ.get("BENCH_SQL"):  # each query of one request, with its time
        timed = []

        def timer(execute, sql, *a):
            start = time.perf_counter()
            try:
                return execute(sql, *a)
            finally:
                timed.append(((time.perf_counter() - start) * 1000, sql))

        with connection.execute_wrapper(timer):
            client.get(url)
        for ms, sql in timed:
            print(f"  {ms:6.1f} ms  {sql[:160]}")
    times, cpu = [], []
    for _ in range(requests):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200
    times.sort()
    return PageFigures(
        queries=len(queries),
        kib=len(response.content) / 1024,
        median_ms=statistics.median(times),
        p95_ms=times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)],
        max_ms=times[-1],
        cpu_median_ms=statistics.median(cpu),
    )


def measure_pages(client, urls: dict[str, str], *, requests: int) -> dict[str, PageFigures]:
    """`measure_page` for several URLs, their timed requests interleaved (one of each in turn), so
    that load from elsewhere on a shared machine falls on all of them alike."""
    from django.db import connection

    counted: dict[str, list] = {}
    sizes: dict[str, int] = {}
    for name, url in urls.items():
        client.get(url)  # warm-up
        counted[name] = []
        with connection.execute_wrapper(lambda execute, sql, *a, q=counted[name]: q.append(sql) or execute(sql, *a)):
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        sizes[name] = len(response.content)
    times: dict[str, list[float]] = {name: [] for name in urls}
    cpu: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(requests):
        for name, url in urls.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times[name].append((time.perf_counter() - start) * 1000)
            cpu[name].append((time.process_time() - start_cpu) * 1000)
            assert response.status_code == 200
    figures = {}
    for name in urls:
        t = sorted(times[name])
        figures[name] = PageFigures(
            queries=len(counted[name]),
            kib=sizes[name] / 1024,
            median_ms=statistics.median(t),
            p95_ms=t[min(len(t) - 1, int(round(0.95 * len(t))) - 1)],
            max_ms=t[-1],
            cpu_median_ms=statistics.median(cpu[name]),
        )
    return figures


def print_figures(
    figures: PageFigures,
    *,
    requests: int,
    p95_target_ms: float = PAGE_P95_TARGET_MS,
    html_target_kib: float | None = None,
) -> None:
    if html_target_kib is None:
        print(f"  HTML: {figures.kib:.0f} KiB; SQL queries per request: {figures.queries}")
    else:
        met = "met" if figures.kib < html_target_kib else "MISSED"
        print(
            f"  HTML: {figures.kib:.1f} KiB (target: under {html_target_kib:.0f} KiB: {met}); "
            f"SQL queries per request: {figures.queries}"
        )
    met = "met" if figures.p95_ms < p95_target_ms else "MISSED"
    print(
        f"  latency over {requests} requests (test client, in-process): median {figures.median_ms:.0f} ms, "
        f"p95 {figures.p95_ms:.0f} ms, max {figures.max_ms:.0f} ms "
        f"(target: p95 under {p95_target_ms:.0f} ms: {met}; the query count must not change with --evidence)"
    )
    # This process's CPU time, which other load on a shared machine inflates less than wall time.
    print(f"  CPU time of this process per request: median {figures.cpu_median_ms:.0f} ms")
    print(f"  load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
