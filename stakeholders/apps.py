from django.apps import AppConfig


class StakeholdersConfig(AppConfig):
    name = "stakeholders"
    verbose_name = "Stakeholders"

    def ready(self):
        # assessments sits below stakeholders (docs/architecture.md): the assessment page links to the
        # consultations held on it through the reader handed over here.
        from assessments import sections

        from .selectors import assessment_page_links

        sections.provide_page_links(assessment_page_links)
