from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "Evidence"

    def ready(self):
        # The assessment page shows its evidence through this provider: assessments sits below
        # evidence and may not import it (docs/architecture.md).
        from assessments.sections import provide_evidence_section

        from .sections import assessment_evidence_section

        provide_evidence_section(assessment_evidence_section)
