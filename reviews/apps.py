from django.apps import AppConfig


def review_seat_rows(user):
    """(assessment_id, role, coi_status) of the person's current (not withdrawn) review assignments:
    what `accounts.rules.review_seats` loads once per request."""
    from .models import ReviewAssignment

    return ReviewAssignment.objects.current().filter(user=user).values_list("assessment_id", "role", "coi_status")


def reply_rows(assessment):
    """The replies to reviewers' questions on `assessment`: its pages show them, and they hang three
    steps away from it (reply, question, answer), further than assessments.freshness looks."""
    from assessments.models import Answer
    from core.freshness import Rows

    from .models import InformationReply, InformationRequest

    where = (
        f"t.request_id IN (SELECT r.id FROM {InformationRequest._meta.db_table} r "  # noqa: S608 - model names
        f"JOIN {Answer._meta.db_table} a ON a.id = r.answer_id WHERE a.assessment_id = %s)"
    )
    return [Rows(InformationReply, where, (assessment.pk,))]


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Expert reviews"

    def ready(self):
        # accounts sits below reviews (docs/architecture.md), so its rules cannot import this app:
        # reviews hands over the reader its rules need instead.
        from accounts import rules
        from assessments import freshness, sections, workflow

        from .guards import guard_review_confirmed
        from .sections import assessment_open_questions

        rules.provide("review_seat_rows", review_seat_rows)
        # The assessment's conclusion moves need the confirmed review (reviews.guards).
        workflow.MACHINE.provide_guard(workflow.REVIEW_CONFIRMED, guard_review_confirmed)
        # The site team sees reviewers' open questions on the assessment page, beside each indicator.
        sections.provide_questions_section(assessment_open_questions)
        # Their replies change the assessment page and the review page (their 304s, issue 17).
        freshness.provide_rows(reply_rows)
        # The monitoring series linked to its indicators are on the review page too (issue 18).
        from monitoring.outcomes import review_rows

        freshness.provide_rows(review_rows)
