"""Writes for certification: decisions, certificates, their PDF, and the scheduler's work.

Status changes of a certificate go through `certification.lifecycle.transition`; the
assessment's move to `decided` goes through `assessments.workflow.transition`.
"""

from __future__ import annotations

import base64
import datetime
import io
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts import rules
from accounts.models import User
from accounts.types import Person
from assessments import workflow
from assessments.choices import Status
from assessments.models import Assessment
from audit.services import audit_record
from core.errors import Conflict, DomainError, NotAllowed
from core.outbox import queue_email
from core.text import clean_text

from . import error_codes, lifecycle, numbers, selectors
from .choices import LISTED_STATUSES, CertificateStatus, NoticeKind, Outcome, PanelCaseStatus
from .models import TEXT_MAX, Certificate, CertificateTransition, Decision, LifecycleNotice, PanelCase

DECIDABLE = (Status.RECOMMENDED, Status.NOT_RECOMMENDED)
# Phases of a candidate that has not yet been recommended or decided on.
CANDIDATE_PHASES = (
    Status.CANDIDATE,
    Status.SUBMITTED,
    Status.IN_REVIEW,
    Status.CHANGES_REQUESTED,
    Status.RESUBMITTED,
)
# The Standard gives a candidate five years to reach it.
CANDIDATE_WINDOW_YEARS = 5
# The answer to anyone who would decide alone (the old staff decision page and API). Marked only:
# it is translated where it is raised (`panel_decides_message`), in the reader's language.
PANEL_CASES_URL = "/certification/panel/"
PANEL_DECIDES_MESSAGE = gettext_noop(
    "The Green List Panel decides on Green List status: IUCN staff open a Panel case for the assessment, "
    "and the Panel's members vote on it (Panel cases: %(url)s)."
)
EXPIRY_REMINDERS = ((NoticeKind.EXPIRY_1_MONTH, 1), (NoticeKind.EXPIRY_6_MONTHS, 6))  # most urgent first


def panel_decides_message(url: str = PANEL_CASES_URL) -> str:
    """PANEL_DECIDES_MESSAGE in the active language, naming where the Panel's cases are."""
    return _(PANEL_DECIDES_MESSAGE) % {"url": url}


def _text(value: object, field: str, *, required: bool = False) -> str:
    return clean_text(
        value,
        field=field,
        limit=TEXT_MAX,
        required=required,
        required_code=error_codes.REASONS_REQUIRED,
        too_long_code=error_codes.FIELD_TOO_LONG,
        required_message=_("Give the reasons for the decision."),
    )


def decision_record(
    *,
    assessment: Assessment,
    user: User,
    outcome: str,
    reasons: str,
    conditions: str = "",
    public_summary: str = "",
    panel_case: PanelCase | None = None,
) -> Decision:
    """Record the Green List Panel's decision on a (not) recommended assessment; a grant issues a
    certificate at once and its PDF is made by a worker after the commit. Every refusal leaves
    everything unchanged.

    Only `certification.panel.panel_case_close` calls it, with the case whose rule is met (issue
    16): nobody decides alone, so a call without a case is refused (`panel_decides`, 403)."""
    if panel_case is None:
        raise NotAllowed(error_codes.PANEL_DECIDES, panel_decides_message(), data={"panel_cases": PANEL_CASES_URL})
    if outcome not in Outcome.values:
        raise DomainError(error_codes.OUTCOME_INVALID, _("Choose to grant or to decline."), field="outcome")
    reasons = _text(reasons, "reasons", required=True)
    conditions = _text(conditions, "conditions")
    public_summary = _text(public_summary, "public_summary")
    if conditions and outcome != Outcome.GRANTED:
        raise DomainError(error_codes.OUTCOME_INVALID, _("Conditions only go with a grant."), field="conditions")
    with transaction.atomic():
        locked = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("protected_area", "standard")
            .get(pk=assessment.pk)
        )
        if locked.status == Status.DECIDED:
            raise Conflict(error_codes.ALREADY_DECIDED, _("This assessment has already been decided on."))
        if locked.status not in DECIDABLE:
            raise Conflict(
                error_codes.ASSESSMENT_NOT_RECOMMENDED,
                _("Only a recommended or not recommended assessment can be decided on; this one is '%(phase)s'.")
                % {"phase": locked.get_status_display()},
            )
        if rules.has_reviewed_assessment(user, locked):
            raise NotAllowed(
                error_codes.DECIDER_REVIEWED,
                _("You took part in the review of this assessment, so another IUCN staff member must decide."),
            )
        tally = selectors.panel_tally(panel_case)
        if panel_case.assessment_id != locked.pk or panel_case.status != PanelCaseStatus.OPEN:
            raise Conflict(error_codes.PANEL_CASE_CLOSED, _("This Panel case is not open on this assessment."))
        if tally.outcome != outcome:
            raise Conflict(error_codes.PANEL_NO_MAJORITY, _("The Panel's votes do not lead to this outcome."))
        recommendation = locked.status
        snapshot = selectors.decision_snapshot(locked)
        snapshot["panel"] = {
            "case": panel_case.pk,
            "votes": tally.by_choice,
            "quorum": tally.quorum,
            "rule": tally.rule,
        }
        # The phase history is shown to the site team: the internal reasons stay on the Decision, and
        # the outcome is the Decision's own field (a label written here would stay in one language).
        workflow.transition(locked, Status.DECIDED, by=user)
        decision = Decision.objects.create(
            assessment=locked,
            outcome=outcome,
            reasons=reasons,
            conditions=conditions,
            public_summary=public_summary,
            decided_by=user,
            recommendation=recommendation,
            snapshot=snapshot,
        )
        audit_record(
            actor=user,
            action="certification.decision",
            target=decision,
            data={"assessment": locked.pk, "outcome": outcome, "recommendation": recommendation},
        )
        if outcome == Outcome.GRANTED:
            certificate = _certificate_issue(decision=decision, assessment=locked, user=user)
            transaction.on_commit(lambda: _enqueue_pdf(certificate.pk), robust=True)
    return decision


def _enqueue_pdf(certificate_id: int) -> None:
    from .tasks import render_certificate_pdf

    render_certificate_pdf.delay(certificate_id)


def _certificate_issue(*, decision: Decision, assessment: Assessment, user: User) -> Certificate:
    today = timezone.localdate()
    number = numbers.generate(today.year)
    while Certificate.objects.filter(number=number).exists():  # 35 random bits: practically never
        number = numbers.generate(today.year)
    certificate = Certificate.objects.create(
        number=number,
        decision=decision,
        protected_area=assessment.protected_area,
        standard=assessment.standard,
        standard_version=str(assessment.standard),
        language=selectors.site_team_language(assessment.protected_area),
        granted_on=today,
        expires_on=today + relativedelta(years=settings.CERTIFICATE_VALID_YEARS),
        status=CertificateStatus.ACTIVE,
    )
    CertificateTransition.objects.create(
        certificate=certificate, from_status="", to_status=CertificateStatus.ACTIVE, by=user, reason=""
    )
    audit_record(
        actor=user,
        action="certificate.issued",
        target=certificate,
        data={"decision": decision.pk, "granted_on": str(today), "expires_on": str(certificate.expires_on)},
    )
    return certificate


def certificate_transition(*, certificate: Certificate, user: Person, to: str, reason: str = "") -> Certificate:
    """Suspend, reinstate or withdraw (staff); the state machine says what is allowed."""
    return lifecycle.transition(certificate, to, by=user, reason=reason)


# --- the PDF ---------------------------------------------------------------------------------------


def verification_url(certificate: Certificate) -> str:
    return str(settings.SITE_URL) + certificate.get_verification_url()


def qr_svg_data_uri(text: str) -> str:
    import qrcode
    import qrcode.image.svg

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    qr.add_data(text)
    qr.make(fit=True)
    buf = io.BytesIO()
    qr.make_image(image_factory=qrcode.image.svg.SvgPathImage).save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def certificate_pdf_bytes(certificate: Certificate) -> bytes:
    import weasyprint

    area = certificate.protected_area
    url = verification_url(certificate)
    with translation.override(certificate.language):
        html = render_to_string(
            "certification/certificate_pdf.html",
            {
                "certificate": certificate,
                "area": area,
                "decision": certificate.decision,
                "verification_url": url,
                "qr": qr_svg_data_uri(url),
                "language": certificate.language,
            },
        )
    css = weasyprint.CSS(filename=finders.find("css/certificate.css"))
    pdf: bytes = weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=[css])
    return pdf


def certificate_render_pdf(*, certificate_id: int) -> Certificate:
    """Make and store the PDF (a worker does this after the grant commits; it can be redone)."""
    certificate = Certificate.objects.select_related("protected_area", "standard", "decision").get(pk=certificate_id)
    content = certificate_pdf_bytes(certificate)
    old_name = certificate.pdf.name
    certificate.pdf.save(f"{certificate.number}.pdf", ContentFile(content), save=False)
    certificate.pdf_generated_at = timezone.now()
    Certificate.objects.filter(pk=certificate.pk).update(
        pdf=certificate.pdf.name, pdf_generated_at=certificate.pdf_generated_at
    )
    if old_name and old_name != certificate.pdf.name:
        certificate.pdf.storage.delete(old_name)
    return certificate


# --- the scheduler ---------------------------------------------------------------------------------


def certificates_expire(*, today: datetime.date | None = None) -> int:
    """Expire every certificate whose date has come (celery beat, daily)."""
    today = today or timezone.localdate()
    due = Certificate.objects.filter(status__in=LISTED_STATUSES, expires_on__lte=today).order_by("pk")
    done = 0
    for certificate in due:
        try:
            lifecycle.transition(certificate, CertificateStatus.EXPIRED, by=None)
            done += 1
        except Conflict:  # withdrawn or expired by a concurrent run meanwhile
            continue
    return done


def _notify(
    *,
    key: str,
    kind: str,
    due_on: datetime.date,
    recipients: list[str],
    subject: str,
    body: str,
    **target: Any,
) -> bool:
    """Send once: the notice row and the e-mail (queued in the outbox, which sends it after commit and
    retries it if the mail server fails) commit together or not at all."""
    if LifecycleNotice.objects.filter(key=key).exists():
        return False
    try:
        with transaction.atomic():
            notice = LifecycleNotice.objects.create(key=key, kind=kind, due_on=due_on, recipients=recipients, **target)
            queue_email(
                kind=f"certification.{kind}", to=recipients, subject=subject, body=body, dedupe_key=f"notice:{key}"
            )
            audit_record(actor=None, action=f"certification.notice.{kind}", target=notice, data={"to": recipients})
    except IntegrityError:  # another run sent it a moment ago
        return False
    return True


def _certificate_notice(
    certificate: Certificate, kind: str, due_on: datetime.date, team: list[str], staff: list[str]
) -> bool:
    context = {"certificate": certificate, "kind": kind, "due_on": due_on, "site_url": settings.SITE_URL}
    with translation.override(certificate.language):
        subject = render_to_string("certification/email/notice_subject.txt", context).strip()
        body = render_to_string("certification/email/notice.txt", context)
    extra = str(due_on) if kind == NoticeKind.MONITORING_REPORT else ""
    return _notify(
        key=f"certificate:{certificate.pk}:{kind}:{extra}".rstrip(":"),
        kind=kind,
        due_on=due_on,
        recipients=sorted(set(team) | set(staff)),
        subject=subject,
        body=body,
        certificate=certificate,
    )


def reminders_send(*, today: datetime.date | None = None) -> int:
    """Expiry reminders (6 and 1 months before), yearly monitoring-report reminders and the
    conditions' reminders and overdue notices (certification.conditions), each once.

    Only the most urgent expiry reminder due is sent: a certificate granted (or a scheduler
    restarted) within the last month before expiry gets the 1-month one, not both.
    """
    today = today or timezone.localdate()
    certificates = list(
        Certificate.objects.filter(status__in=LISTED_STATUSES, expires_on__gt=today)
        .filter(Q(expires_on__lte=today + relativedelta(months=6)) | Q(granted_on__lte=today - relativedelta(years=1)))
        .select_related("protected_area")
        .order_by("pk")
    )
    teams = selectors.site_team_emails({c.protected_area_id for c in certificates})
    staff = selectors.staff_emails()
    sent = 0
    for certificate in certificates:
        team = teams.get(certificate.protected_area_id, [])
        for kind, months in EXPIRY_REMINDERS:
            due_on = certificate.expires_on - relativedelta(months=months)
            if today >= due_on:
                sent += _certificate_notice(certificate, kind, due_on, team, staff)
                break
        years = relativedelta(today, certificate.granted_on).years
        if years >= 1:
            anniversary = certificate.granted_on + relativedelta(years=years)
            sent += _certificate_notice(certificate, NoticeKind.MONITORING_REPORT, anniversary, team, [])
    # Conditions on a listing (issue 16): before each one's due date, and the day after it.
    from .conditions import conditions_remind

    sent += conditions_remind(today=today, notify=_notify)
    return sent


def candidates_flag(*, today: datetime.date | None = None) -> int:
    """Flag candidates whose five years to reach the Standard have run out (staff and team told)."""
    today = today or timezone.localdate()
    limit = today - relativedelta(years=CANDIDATE_WINDOW_YEARS)
    overdue = list(
        Assessment.objects.filter(status__in=CANDIDATE_PHASES)
        .annotate(candidate_since=Min("transitions__at", filter=Q(transitions__to_status=Status.CANDIDATE)))
        .filter(candidate_since__date__lte=limit)
        .select_related("protected_area")
        .order_by("pk")
    )
    teams = selectors.site_team_emails({a.protected_area_id for a in overdue})
    staff = selectors.staff_emails()
    flagged = 0
    for assessment in overdue:
        context = {"assessment": assessment, "since": assessment.candidate_since.date(), "site_url": settings.SITE_URL}
        # in the site team's language, as the certificate's notices (staff read the programme's languages)
        with translation.override(selectors.site_team_language(assessment.protected_area)):
            subject = render_to_string("certification/email/candidate_subject.txt", context).strip()
            body = render_to_string("certification/email/candidate.txt", context)
        flagged += _notify(
            key=f"assessment:{assessment.pk}:{NoticeKind.CANDIDATE_WINDOW}",
            kind=NoticeKind.CANDIDATE_WINDOW,
            due_on=assessment.candidate_since.date() + relativedelta(years=CANDIDATE_WINDOW_YEARS),
            recipients=sorted(set(teams.get(assessment.protected_area_id, [])) | set(staff)),
            subject=subject,
            body=body,
            assessment=assessment,
        )
    return flagged
