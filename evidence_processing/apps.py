from django.apps import AppConfig


class EvidenceProcessingConfig(AppConfig):
    name = "evidence_processing"
    verbose_name = "Evidence processing"
