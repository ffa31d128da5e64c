from django.apps import AppConfig


class EligibilityConfig(AppConfig):
    name = "eligibility"
    verbose_name = "Eligibility"

    def ready(self):
        from assessments import sections, workflow

        from .guards import guard_eligibility_established
        from .sections import assessment_eligibility_notice

        # application → candidate needs the gate established (eligibility.guards).
        workflow.MACHINE.provide_guard(workflow.ELIGIBILITY_ESTABLISHED, guard_eligibility_established)
        # The assessment page says what is missing, and links the gate's page.
        sections.provide_eligibility_section(assessment_eligibility_notice)
