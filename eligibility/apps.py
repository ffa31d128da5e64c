from django.apps import AppConfig


class EligibilityConfig(AppConfig):
    name = "eligibility"
    verbose_name = "Eligibility"

    def ready(self):
        from assessments import sections, workflow

        from .emails import candidate_email_queue
        from .guards import guard_eligibility_established
        from .sections import assessment_eligibility_notice

        # application → candidate needs the gate established (eligibility.guards).
        workflow.MACHINE.provide_guard(workflow.ELIGIBILITY_ESTABLISHED, guard_eligibility_established)
        # …and, once made, the site team is told by e-mail.
        workflow.MACHINE.provide_effect(workflow.CANDIDATE_ANNOUNCED, candidate_email_queue)
        # The assessment page says what is missing, and links the gate's page.
        sections.provide_eligibility_section(assessment_eligibility_notice)
