from django.apps import AppConfig


class ProtectedAreasConfig(AppConfig):
    name = "protected_areas"
    verbose_name = "Protected and conserved areas"

    def ready(self) -> None:
        # The map follows every ORM write of an area (map_updates).
        from . import signals  # noqa: F401
