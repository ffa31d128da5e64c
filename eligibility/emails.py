"""E-mails of the eligibility gate, queued in the outbox (core.outbox) in the transaction of the
record or move they announce, each person's in the language they chose (User.language).

- a record (the group's evaluation, the reviewer's check, a staff override): the site team;
- the group's evaluation also to the independent reviewer who must now check it: the one appointed
  for the site's jurisdiction (standards' onboarding record) when they hold the role on the
  platform, otherwise every active independent reviewer (any of them may check, eligibility.rules);
  never the evaluator, who may not check their own evaluation;
- the move to candidate (a workflow effect, eligibility.apps): the site team.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.choices import Role
from accounts.models import RoleAssignment, User
from assessments.models import Assessment
from core.outbox import queue_email
from reviews.selectors import assessment_jurisdiction_id

from .appointments import appointed_reviewers
from .choices import Step
from .models import EligibilityRecord
from .rules import reviewer_may_check

RECORDED = "eligibility.recorded"
CHECK_REQUESTED = "eligibility.check_requested"
CANDIDATE = "eligibility.candidate"


def _by_language(people: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for email, language in people:
        if email and email not in grouped[language or "en"]:
            grouped[language or "en"].append(email)
    return grouped


def _site_team(assessment: Assessment) -> dict[str, list[str]]:
    return _by_language(
        RoleAssignment.objects.active()
        .filter(role=Role.SITE_MANAGER, protected_area_id=assessment.protected_area_id, user__is_active=True)
        .values_list("user__email", "user__language")
    )


def _reviewers_to_check(assessment: Assessment, evaluator_id: int) -> dict[str, list[str]]:
    """The independent reviewers who may check (rules.reviewer_may_check), the evaluator aside."""
    appointed, jid = appointed_reviewers(), assessment_jurisdiction_id(assessment)
    reviewers = (
        RoleAssignment.objects.active()
        .filter(role=Role.INDEPENDENT_REVIEWER, user__is_active=True)
        .exclude(user_id=evaluator_id)
        .select_related("user")
    )
    return _by_language(
        (r.user.email, r.user.language)
        for r in reviewers
        if reviewer_may_check(r.user, assessment, appointed=appointed, jurisdiction_id=jid)
    )


def _queue(kind: str, key: str, template: str, context: dict, recipients: dict[str, list[str]]) -> None:
    for language, to in sorted(recipients.items()):
        with translation.override(language):
            subject = render_to_string(f"eligibility/email/{template}_subject.txt", context).strip()
            body = render_to_string(f"eligibility/email/{template}.txt", context)
        queue_email(kind=kind, to=to, subject=subject, body=body, dedupe_key=f"{kind}:{key}:{language}")


def _context(assessment: Assessment) -> dict:
    return {
        "assessment": assessment,
        "area": assessment.protected_area,
        "link": settings.SITE_URL + reverse("eligibility:page", args=[assessment.pk]),
    }


def record_emails_queue(record: EligibilityRecord) -> None:
    """Tell the site team what was recorded (and, for the group's evaluation, the reviewer who checks it)."""
    assessment = Assessment.objects.select_related("protected_area").get(pk=record.assessment_id)
    context = {**_context(assessment), "record": record, "step": record.step}
    _queue(RECORDED, str(record.pk), "recorded", context, _site_team(assessment))
    if record.step == Step.EVALUATION:
        _queue(
            CHECK_REQUESTED,
            str(record.pk),
            "check_requested",
            context,
            _reviewers_to_check(assessment, record.by_id),
        )


def candidate_email_queue(assessment: Assessment, by: User | None) -> None:
    """The workflow's effect of application → candidate: the site team learns what the phase asks."""
    assessment = Assessment.objects.select_related("protected_area").get(pk=assessment.pk)
    context = {**_context(assessment), "assessment_link": settings.SITE_URL + assessment.get_absolute_url()}
    _queue(CANDIDATE, f"{assessment.pk}", "candidate", context, _site_team(assessment))
