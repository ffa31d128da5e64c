"""Gunicorn reads this file from the working directory by itself (the compose and Dockerfile commands
stay as they are). It only keeps /metrics right across gunicorn's processes (issue 20): with
PROMETHEUS_MULTIPROC_DIR set, every process writes its counts there and a scrape adds them up."""

import os


def on_starting(server):
    # Counts left by an earlier run would be added to this one's.
    from greenlist.observability import empty_multiprocess_dir

    empty_multiprocess_dir(os.environ.get("PROMETHEUS_MULTIPROC_DIR", ""))


def child_exit(server, worker):
    # A process that ended: its gauges no longer count (its counters and histograms still do).
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
