from django.apps import AppConfig


class ProtectedAreasConfig(AppConfig):
    name = "protected_areas"
    verbose_name = "Protected and conserved areas"
