from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = "Site visits"

    def ready(self):
        # reviews sits below visits (docs/architecture.md): the review page learns which evidence
        # items were taken on a site visit from the reader handed over here.
        from assessments import sections
        from reviews import review_page

        from .selectors import assessment_page_links, evidence_origins

        review_page.provide_evidence_origins(evidence_origins)
        sections.provide_page_links(assessment_page_links)
