from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Platform core"

    def ready(self):
        # Before any file from a person is opened, in the web and the worker processes alike:
        # GDAL without network, database or redirecting drivers (see core.gdal_safety).
        from . import gdal_safety

        gdal_safety.harden()
