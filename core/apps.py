from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Platform core"

    def ready(self):
        # Before any file from a person is opened, in the web and the worker processes alike:
        # GDAL without network, database or redirecting drivers (see core.gdal_safety).
        from . import gdal_safety

        gdal_safety.harden()
        # Celery signal handlers, in the web (publishing) and the worker (running) alike: the request
        # id travels with the tasks a request sends; each finished task is counted for /metrics.
        from . import request_id, task_metrics  # noqa: F401
