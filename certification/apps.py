from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = "Certification and the public Green List"

    def ready(self):
        # accounts sits below certification (docs/architecture.md), so `rules.has_reviewed_assessment`
        # cannot import this app: certification hands over the one place that says who reviewed.
        from accounts import rules
        from assessments import workflow

        from .selectors import assessment_reviewer_ids, guard_panel_decided

        rules.provide("assessment_reviewer_ids", assessment_reviewer_ids)
        # An assessment is decided only on a Green List Panel's decision (issue 16).
        workflow.MACHINE.provide_guard(workflow.PANEL_DECIDED, guard_panel_decided)
