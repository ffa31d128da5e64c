"""The rules of stakeholder consultation: windows, the public's comments, moderation, consideration.

Every change is audited (`audit_record`); e-mails go through the outbox. A comment reaches the
moderators only once its e-mail address is confirmed, and the public sees it only once accepted.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from assessments.choices import Status
from assessments.models import Assessment
from audit.services import audit_record
from core.errors import Conflict, DomainError, NotAllowed
from core.outbox import queue_email
from core.text import clean_text
from protected_areas.models import ProtectedArea

from . import error_codes, guard, rules
from .choices import CommentStatus, Phase
from .models import (
    COMMENT_NAME_MAX,
    COMMENT_TEXT_MAX,
    CONSIDERATION_MAX,
    REASON_MAX,
    WINDOW_NOTE_MAX,
    Comment,
    Consideration,
    ConsultationWindow,
)

# The assessment phases a window of each phase may open in (GREENLIST.md "The process").
APPLICANT_STATUSES = frozenset({Status.APPLICATION})
CANDIDATE_STATUSES = frozenset(
    {Status.CANDIDATE, Status.SUBMITTED, Status.IN_REVIEW, Status.CHANGES_REQUESTED, Status.RESUBMITTED}
)
CONFIRM_MAX_AGE = datetime.timedelta(days=3)
_TOKEN_SALT = "stakeholders.comment-confirm"  # noqa: S105 (a salt: a namespace, not a secret)
CONFIRM_EMAIL = "stakeholders.comment_confirm"


class TooManyComments(guard.TooManySubmissions):
    def __init__(self, retry_after: int):
        super().__init__(
            retry_after,
            code=error_codes.THROTTLED,
            message=_("Too many comments from this address. Please try again in %(minutes)d minutes."),
        )


def _text(value: str | None, *, limit: int, code: str, field: str, required: bool = True) -> str:
    return clean_text(
        value,
        field=field,
        limit=limit,
        required=required,
        required_code=code,
        too_long_code=error_codes.FIELD_TOO_LONG,
    )


# The server's own length checks of each text a form sends (core/tests/test_limits.py reads them).
def clean_comment_text(value: str | None) -> str:
    return _text(value, limit=COMMENT_TEXT_MAX, code=error_codes.COMMENT_TEXT_INVALID, field="text")


def clean_comment_name(value: str | None) -> str:
    return _text(value, limit=COMMENT_NAME_MAX, code=error_codes.FIELD_TOO_LONG, field="name", required=False)


def clean_window_note(value: str | None) -> str:
    return _text(value, limit=WINDOW_NOTE_MAX, code=error_codes.FIELD_TOO_LONG, field="note", required=False)


def clean_rejection_reason(value: str | None, *, required: bool = True) -> str:
    return _text(value, limit=REASON_MAX, code=error_codes.REASONS_REQUIRED, field="reason", required=required)


def clean_consideration(value: str | None) -> str:
    return _text(value, limit=CONSIDERATION_MAX, code=error_codes.CONSIDERATION_REQUIRED, field="text")


# --- windows -------------------------------------------------------------------------------------


def _listing_for_window(area: ProtectedArea, opens_on: datetime.date, closes_on: datetime.date) -> Any:
    """The certificate a listed-phase window hears comments on: the site's newest, active on every day
    of the window (the platform's rule: a suspended listing is before the Panel, through a concern, and
    a window may not outlive the listing it is about)."""
    # The certificate app sits above this one: follow this model's own key to it, and ask the
    # certificate itself what it says (docs/architecture.md, "When a lower app needs…").
    certificates: Any = ConsultationWindow._meta.get_field("certificate").related_model
    certificate = certificates.objects.filter(protected_area=area).order_by("-pk").first()
    if certificate is None or not certificates.objects.listed().filter(pk=certificate.pk).exists():
        raise Conflict(error_codes.CONSULTATION_PHASE_MISMATCH, _("The site is not on the Green List."))
    if not certificate.is_valid_on(timezone.localdate()):
        raise Conflict(
            error_codes.CONSULTATION_PHASE_MISMATCH,
            _("The site's certificate is “%(status)s”: a window of the listed phase needs an active certificate.")
            % {"status": certificate.get_status_display()},
        )
    if not (certificate.is_valid_on(opens_on) and certificate.is_valid_on(closes_on)):
        raise DomainError(
            error_codes.CONSULTATION_DATES_INVALID,
            _(
                "The certificate is valid from %(granted)s and expires on %(expires)s: "
                "the window must fall within its validity."
            )
            % {"granted": date_format(certificate.granted_on), "expires": date_format(certificate.expires_on)},
            field="closes_on",
        )
    return certificate


def window_open(
    *,
    area: ProtectedArea,
    phase: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    by: User,
    note: str = "",
) -> ConsultationWindow:
    """Open a window of comments on a site in its current phase (IUCN staff; opt-in per phase)."""
    if not rules.can_manage_consultations(by):
        raise NotAllowed(error_codes.CONSULTATION_NOT_ALLOWED, _("Only IUCN staff open consultation windows."))
    if phase not in Phase.values:
        raise DomainError(error_codes.CONSULTATION_PHASE_MISMATCH, _("Choose a phase."), field="phase")
    if closes_on < opens_on:
        raise DomainError(
            error_codes.CONSULTATION_DATES_INVALID, _("The window closes before it opens."), field="closes_on"
        )
    note = clean_window_note(note)
    assessment, certificate = None, None
    if phase == Phase.LISTED:
        certificate = _listing_for_window(area, opens_on, closes_on)
    else:
        statuses = APPLICANT_STATUSES if phase == Phase.APPLICANT else CANDIDATE_STATUSES
        assessment = Assessment.objects.filter(protected_area=area, status__in=statuses).order_by("-cycle").first()
        if assessment is None:
            raise Conflict(
                error_codes.CONSULTATION_PHASE_MISMATCH,
                _("The site has no assessment in the %(phase)s phase.") % {"phase": Phase(phase).label},
            )
    with transaction.atomic():
        ProtectedArea.objects.select_for_update().get(pk=area.pk)
        overlapping = ConsultationWindow.objects.filter(
            protected_area=area, phase=phase, opens_on__lte=closes_on, closes_on__gte=opens_on
        )
        if overlapping.exists():
            raise Conflict(
                error_codes.CONSULTATION_OVERLAP, _("Another window of this site and phase overlaps these dates.")
            )
        window = ConsultationWindow.objects.create(
            protected_area=area,
            phase=phase,
            assessment=assessment,
            certificate=certificate,
            opens_on=opens_on,
            closes_on=closes_on,
            note=note,
            opened_by=by,
        )
        audit_record(
            actor=by,
            action="consultation.opened",
            target=window,
            data={"area": area.pk, "phase": phase, "opens_on": str(opens_on), "closes_on": str(closes_on)},
        )
    return window


def window_close(*, window: ConsultationWindow, by: User) -> ConsultationWindow:
    """Close a window early: it ends yesterday (or never opens, if it had not opened yet)."""
    if not rules.can_manage_consultations(by):
        raise NotAllowed(error_codes.CONSULTATION_NOT_ALLOWED, _("Only IUCN staff close consultation windows."))
    today = timezone.localdate()
    with transaction.atomic():
        locked = ConsultationWindow.objects.select_for_update().get(pk=window.pk)
        if locked.closes_on < today:
            raise Conflict(error_codes.CONSULTATION_CLOSED, _("This window is already closed."))
        yesterday = today - datetime.timedelta(days=1)
        # Ends yesterday; a window not opened yet never opens (its dates both become yesterday).
        locked.opens_on = min(locked.opens_on, yesterday)
        locked.closes_on = yesterday
        locked.save(update_fields=["opens_on", "closes_on"])
        audit_record(actor=by, action="consultation.closed", target=locked, data={"closes_on": str(locked.closes_on)})
    return locked


# --- the public's comments -----------------------------------------------------------------------


def _email_digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


def confirm_token(comment: Comment) -> str:
    return signing.dumps({"c": comment.pk, "e": _email_digest(comment.email)}, salt=_TOKEN_SALT)


def comment_submit(
    *,
    window: ConsultationWindow,
    text: str,
    email: str,
    name: str = "",
    show_name: bool = False,
    ip: str | None = None,
    honeypot: str = "",
    stamp: str = "",
) -> Comment:
    """A member of the public comments (no account). Refused: a closed window, spam (honeypot, too
    fast, too many links), a text too long, a bad e-mail address, a flood (429). Stored unconfirmed;
    a link to confirm it is e-mailed, and only then does it reach the moderators."""
    if not window.is_open():
        raise Conflict(error_codes.CONSULTATION_CLOSED, _("This consultation is not open for comments."))
    text = clean_comment_text(text)
    name = clean_comment_name(name)
    email = guard.screen_public_form(
        honeypot=honeypot,
        stamp=stamp,
        text=text,
        email=email,
        spam_code=error_codes.COMMENT_SPAM,
        links_message=_("A comment may hold at most %(count)d links."),
        email_code=error_codes.COMMENT_EMAIL_INVALID,
        email_message=_("Give a valid e-mail address to confirm the comment."),
    )
    wait = guard.rate_limited(ip, email)
    if wait:
        raise TooManyComments(wait)
    with transaction.atomic():
        comment = Comment.objects.create(
            window=window, text=text, name=name, show_name=bool(show_name and name), email=email
        )
        link = settings.SITE_URL + reverse("stakeholders:confirm", args=[confirm_token(comment)])
        context = {"comment": comment, "area": window.protected_area, "link": link, "days": CONFIRM_MAX_AGE.days}
        queue_email(
            kind=CONFIRM_EMAIL,
            to=[email],
            subject=render_to_string("stakeholders/email/confirm_subject.txt", context).strip(),
            body=render_to_string("stakeholders/email/confirm.txt", context),
        )
        # No actor, no address: the audit trail records that a comment came, not who sent it.
        audit_record(actor=None, action="consultation.comment_submitted", target=comment, data={"window": window.pk})
    return comment


def comment_confirm(*, token: str) -> Comment:
    """The commenter followed the e-mailed link: the comment joins the moderation queue (once)."""
    try:
        data = signing.loads(token, salt=_TOKEN_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        raise DomainError(error_codes.COMMENT_TOKEN_INVALID, _("This confirmation link is not valid or has expired."))
    with transaction.atomic():
        comment = Comment.objects.select_for_update().filter(pk=data.get("c")).first()
        if comment is None or _email_digest(comment.email) != data.get("e"):
            raise DomainError(
                error_codes.COMMENT_TOKEN_INVALID, _("This confirmation link is not valid or has expired.")
            )
        if comment.status == CommentStatus.UNCONFIRMED:
            comment.status = CommentStatus.PENDING
            comment.confirmed_at = timezone.now()
            comment.save(update_fields=["status", "confirmed_at"])
            audit_record(actor=None, action="consultation.comment_confirmed", target=comment, data={})
    return comment


# --- moderation and consideration ----------------------------------------------------------------


def comment_moderate(*, comment: Comment, by: User, accept: bool, reason: str = "") -> Comment:
    """Staff accept a confirmed comment (it becomes public and goes to the group) or reject it with a reason."""
    if not rules.can_manage_consultations(by):
        raise NotAllowed(error_codes.CONSULTATION_NOT_ALLOWED, _("Only IUCN staff moderate comments."))
    reason = clean_rejection_reason(reason, required=not accept)
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if locked.status != CommentStatus.PENDING:
            raise Conflict(error_codes.COMMENT_NOT_PENDING, _("This comment is not waiting for moderation."))
        locked.status = CommentStatus.ACCEPTED if accept else CommentStatus.REJECTED
        locked.rejection_reason = "" if accept else reason
        locked.moderated_by, locked.moderated_at = by, timezone.now()
        locked.save(update_fields=["status", "rejection_reason", "moderated_by", "moderated_at"])
        audit_record(
            actor=by,
            action="consultation.comment_accepted" if accept else "consultation.comment_rejected",
            target=locked,
            data={"window": locked.window_id, "reason": reason},
        )
    return locked


def consideration_record(*, comment: Comment, by: User, text: str, jurisdiction_id: int | None) -> Consideration:
    """The expert group says how it considered an accepted comment (a later text replaces it)."""
    window = comment.window
    if not rules.can_consider(by, assessment=window.assessment, jurisdiction_id=jurisdiction_id):
        raise NotAllowed(
            error_codes.CONSULTATION_NOT_ALLOWED, _("Only the expert group records how a comment was considered.")
        )
    text = clean_consideration(text)
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if locked.status != CommentStatus.ACCEPTED:
            raise Conflict(error_codes.COMMENT_NOT_ACCEPTED, _("Only accepted comments are considered."))
        consideration, created = Consideration.objects.update_or_create(
            comment=locked, defaults={"text": text, "by": by}
        )
        audit_record(
            actor=by,
            action="consultation.considered",
            target=consideration,
            data={"comment": comment.pk, "created": created},
        )
    return consideration


def require_comments_considered(assessment: Assessment) -> None:
    """Before the group recommends: every accepted comment of the assessment's candidate-phase
    windows has a consideration (reviews.services.recommendation_make calls this)."""
    missing = list(
        Comment.objects.filter(
            Q(window__assessment=assessment) & Q(window__phase=Phase.CANDIDATE),
            status=CommentStatus.ACCEPTED,
            consideration__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if missing:
        raise Conflict(
            error_codes.COMMENTS_NOT_CONSIDERED,
            _("Record how each accepted stakeholder comment was considered before recommending (%(count)d left).")
            % {"count": len(missing)},
            data={"comments": missing},
        )
